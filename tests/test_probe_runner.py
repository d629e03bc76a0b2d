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
