"""The qasync event loop of the GUI tests, and what its teardown demands of their tasks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import dns.asyncbackend
import pytest

from fatal_errors import record


@pytest.fixture
def qasync_loop(qapp: object, request: pytest.FixtureRequest
                ) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop on the test's QApplication, running while Qt's events are processed.

    At teardown (after pytest-qt has closed the test's windows, whose checks their owners
    then cancel) every task must end: one still running that nothing cancelled, or one
    that ignores its cancellation, fails the test.
    Never `loop.stop()` here: it would quit the QApplication and later waits would time out.
    """
    import qasync
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    dns.asyncbackend.set_default_backend("asyncio")
    loop = qasync.QEventLoop(qapp, already_running=True)
    executor = ThreadPoolExecutor(4, thread_name_prefix="probe")
    loop.set_default_executor(executor)
    asyncio.set_event_loop(loop)
    yield loop
    # The windows pytest-qt closed go now, in this test, not in the next one's event loop.
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    def run_until(done: Callable[[], bool], seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not done() and time.monotonic() < deadline:
            QApplication.processEvents()
            time.sleep(0.001)

    def unfinished() -> list[asyncio.Task[object]]:
        return [task for task in asyncio.all_tasks(loop) if not task.done()]

    # Cancellations the owners made reach the tasks (and their children) first.
    run_until(lambda: not any(task.cancelling() for task in unfinished()), 2.0)
    for task in unfinished():
        record(request.node, f"a task was still running when the test ended and nothing "
                             f"had cancelled it: {task!r:.300}")
        task.cancel()
    run_until(lambda: not unfinished(), 2.0)
    for task in unfinished():
        record(request.node, f"a task ignored its cancellation: {task!r:.300}")
    executor.shutdown(wait=True, cancel_futures=True)
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)
