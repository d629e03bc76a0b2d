"""The suite's own guard: errors that a program only logs fail the test that caused them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

OFFENDERS = '''
import asyncio
import gc
import threading

import pytest
from PySide6.QtCore import qCritical
from PySide6.QtWidgets import QPushButton


def test_clean(qtbot, qasync_loop):
    async def quick():
        await asyncio.sleep(0)
        return 1

    task = asyncio.ensure_future(quick())
    qtbot.waitUntil(task.done)


def test_callback_raises(qtbot, qasync_loop):
    def boom():
        raise RuntimeError("callback failed")

    qasync_loop.call_soon(boom)
    qtbot.wait(50)


def test_exception_never_retrieved(qtbot, qasync_loop):
    async def boom():
        raise RuntimeError("nobody looked")

    task = asyncio.ensure_future(boom())
    qtbot.waitUntil(task.done)
    del task


def test_task_writes_into_a_deleted_widget(qtbot, qasync_loop):
    button = QPushButton()

    async def late():
        await asyncio.sleep(0.05)
        button.setEnabled(False)

    task = asyncio.ensure_future(late())
    button.deleteLater()
    qtbot.waitUntil(task.done)
    del task


class Finaliser:
    def __del__(self):
        raise RuntimeError("raised in __del__")


def test_unraisable():
    item = Finaliser()
    item.cycle = item
    del item
    gc.collect()


def test_thread_exception():
    def boom():
        raise RuntimeError("thread failed")

    thread = threading.Thread(target=boom, name="worker")
    thread.start()
    thread.join()


def test_qt_critical(qapp):
    qCritical("something critical")


def test_task_left_running(qtbot, qasync_loop):
    asyncio.ensure_future(asyncio.sleep(30))


def test_task_ignores_cancellation(qtbot, qasync_loop):
    async def stubborn():
        while True:
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                pass

    task = asyncio.ensure_future(stubborn())
    qtbot.wait(10)
    task.cancel()


@pytest.mark.asyncio
async def test_coroutine_leaves_a_task():
    asyncio.ensure_future(asyncio.sleep(30))
'''

EXPECTED = {
    "test_callback_raises": "callback failed",
    "test_exception_never_retrieved": "Task exception was never retrieved: RuntimeError: "
                                      "nobody looked",
    "test_task_writes_into_a_deleted_widget": "already deleted",
    "test_unraisable": "unraisable exception: RuntimeError: raised in __del__",
    "test_thread_exception": "exception in thread worker: RuntimeError: thread failed",
    "test_qt_critical": "Qt critical message: something critical",
    "test_task_left_running": "nothing had cancelled it",
    "test_task_ignores_cancellation": "a task ignored its cancellation",
    "test_coroutine_leaves_a_task": "a task was still running when the test ended",
}


def test_each_logged_error_fails_its_own_test_and_a_clean_test_passes(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_offenders=OFFENDERS)
    result = pytester.runpytest_subprocess(
        "-p", "fatal_errors", "-p", "qt_loop", "-p", "no:cacheprovider", "-p", "no:randomly",
        "-o", "asyncio_default_fixture_loop_scope=function", "-o", "asyncio_mode=strict",
        "-rA", "--tb=line",
        timeout=120,
    )
    output = result.stdout.str()
    result.assert_outcomes(passed=len(EXPECTED) + 1, errors=len(EXPECTED))
    assert "PASSED test_offenders.py::test_clean" in output
    for name, words in EXPECTED.items():
        lines = [line for line in output.splitlines()
                 if line.startswith("ERROR test_offenders.py::" + name)]
        assert lines, f"{name} was not failed"
        section = output[output.index(f"ERROR at teardown of {name}"):]
        section = section[:section.index("\n___") if "\n___" in section else None]
        assert words in section, f"{name}: {words!r} not in\n{section}"


@pytest.fixture(autouse=True)
def _plugins_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    """The subprocess finds fatal_errors and qt_loop where this suite keeps them."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(TESTS), *filter(None, [os.environ.get("PYTHONPATH")])]))
