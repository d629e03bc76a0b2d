"""The probe runner a page uses: busy until its results are on screen, cancel stops it."""

from __future__ import annotations

import asyncio

import pytest
from pytestqt.qtbot import QtBot

from cobalt_setup.gui.probe_runner import ProbeRunner

pytestmark = pytest.mark.usefixtures("qasync_loop")


def test_the_runner_is_busy_until_its_results_are_delivered(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop) -> None:
    runner = ProbeRunner()
    delivered: list[object] = []
    idle_without_results: list[int] = []
    runner.finished.connect(delivered.append)

    async def job(_progress: object) -> list[str]:
        await asyncio.sleep(0.01)
        return ["done"]

    async def watch() -> None:
        # Look at every turn of the loop: idle with nothing delivered is the bug.
        for turn in range(2000):
            if not runner.busy:
                if not delivered:
                    idle_without_results.append(turn)
                return
            await asyncio.sleep(0)

    runner.run(job)
    watcher = asyncio.ensure_future(watch())
    qtbot.waitUntil(watcher.done, timeout=2000)
    assert delivered == [["done"]]
    assert idle_without_results == []


def test_cancel_stops_a_run_and_nothing_is_delivered(qtbot: QtBot) -> None:
    runner = ProbeRunner()
    delivered: list[object] = []
    runner.finished.connect(delivered.append)

    async def job(_progress: object) -> list[str]:
        await asyncio.sleep(5)
        return ["late"]

    runner.run(job)
    assert runner.busy
    runner.cancel()
    assert not runner.busy
    qtbot.wait(50)
    assert delivered == []


def test_a_run_owned_by_a_deleted_page_is_cancelled_and_delivers_nothing(
        qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QWidget
    from shiboken6 import Shiboken

    page = QWidget()
    runner = ProbeRunner(page)
    delivered: list[object] = []
    runner.progress.connect(delivered.append)
    runner.finished.connect(delivered.append)
    runner.busy_changed.connect(delivered.append)
    ended: list[str] = []

    async def job(progress) -> str:  # type: ignore[no-untyped-def]
        try:
            await asyncio.sleep(5)
        finally:
            progress("from the clean-up")  # would write into the deleted page
            ended.append("cleaned up")
        return "late"

    runner.run(job)
    qtbot.wait(20)  # the job is under way
    delivered.clear()  # busy_changed(True)
    Shiboken.delete(page)  # the page and its runner go, as when a window is destroyed
    qtbot.waitUntil(lambda: ended == ["cleaned up"], timeout=2000)
    assert delivered == []  # and the fatal-errors guard saw no deleted-object error


def test_stop_waits_until_a_cancelled_run_has_ended_its_clean_up(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop) -> None:
    runner = ProbeRunner()
    steps: list[str] = []

    async def job(_progress: object) -> None:
        try:
            await asyncio.sleep(5)
        finally:
            await asyncio.sleep(0.1)  # e.g. removing a test port forwarding
            steps.append("clean-up done")

    async def stop_then_look() -> None:
        await runner.stop()
        steps.append("stop returned")

    runner.run(job)
    qtbot.wait(20)
    stopping = asyncio.ensure_future(stop_then_look())
    qtbot.waitUntil(stopping.done, timeout=2000)
    assert steps == ["clean-up done", "stop returned"]


def test_stop_all_waits_for_every_runner_and_a_new_run_replaces_the_old(
        qtbot: QtBot) -> None:
    from cobalt_setup.gui.probe_runner import stop_all

    runners = [ProbeRunner() for _ in range(3)]
    results: list[object] = []
    for runner in runners:
        runner.finished.connect(results.append)

    def job(value: str, seconds: float):  # type: ignore[no-untyped-def]
        async def run(_progress: object) -> str:
            await asyncio.sleep(seconds)
            return value
        return run

    runners[0].run(job("old", 0.3))
    runners[0].run(job("new", 0.05))  # cancels "old": only "new" is delivered
    qtbot.waitUntil(lambda: results == ["new"], timeout=2000)
    for runner in runners[1:]:
        runner.run(job("never", 5))
    left = asyncio.ensure_future(stop_all(timeout=1.0))
    qtbot.waitUntil(left.done, timeout=2000)
    assert left.result() == []
    assert not any(runner.busy for runner in runners)
    assert results == ["new"]
