"""Running a page's checks on the qasync loop: the one owner of every task a page starts.

A page says what to run and what to do with progress and the result; the runner keeps the
task, cancels the previous run when a new one starts (or the page is left), and delivers
everything through Qt signals in the GUI thread. Edits restart the checks after a pause
(debounce) so typing an address does not fire a probe per keystroke.

A task never touches a widget: what it finds reaches the page only through the runner's
signals, and only while its run is the current one. Cancelling (Back, Next, Cancel, closing
the window, the page being deleted) ends delivery at once, while the task itself may still
be finishing its clean-up (removing a test port forwarding, say); the runner keeps such
tasks until they end, so that `stop()` and `stop_all()` can wait for them before the
window and the event loop go away.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

log = logging.getLogger(__name__)

Progress = Callable[[Any], None]
ProbeJob = Callable[[Progress], Awaitable[Any]]  # gets a progress callback

_all_runs: set[_Runs] = set()  # the book-keeping of every runner that has a task not ended


class _Runs:
    """What a runner owns, in plain Python so it outlives the runner's C++ object: the
    current run, the cancelled runs still ending, and whether delivery has stopped for
    good (the runner was deleted)."""

    def __init__(self) -> None:
        self.current: asyncio.Task[Any] | None = None
        self.ending: set[asyncio.Task[Any]] = set()
        self.closed = False

    def tasks(self) -> set[asyncio.Task[Any]]:
        return self.ending | ({self.current} if self.current is not None else set())

    def cancel(self) -> None:
        """Cancel the current run; it keeps being owned here until it has ended."""
        task, self.current = self.current, None
        if task is not None:
            task.cancel()
            self.ending.add(task)

    def close(self) -> None:
        """The runner is gone: cancel, and never deliver again."""
        self.closed = True
        self.cancel()

    def ended(self, task: asyncio.Task[Any]) -> None:
        self.ending.discard(task)
        if self.current is task:
            self.current = None
        if not self.tasks():
            _all_runs.discard(self)

    async def wait(self) -> None:
        while self.tasks():
            await asyncio.wait(self.tasks())


class ProbeRunner(QObject):
    """Runs one job at a time for the page that owns it; results come only as signals."""

    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, debounce_ms: int = 400, *,
                 on_progress: Callable[[Any], None] | None = None,
                 on_finished: Callable[[Any], None] | None = None,
                 on_failed: Callable[[str], None] | None = None,
                 on_busy: Callable[[bool], None] | None = None) -> None:
        super().__init__(parent)
        self._runs = _Runs()
        self._job: ProbeJob | None = None
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(self._start_pending)
        for signal, handler in ((self.progress, on_progress), (self.finished, on_finished),
                                (self.failed, on_failed), (self.busy_changed, on_busy)):
            if handler is not None:
                signal.connect(handler)
        # Not a method of self: it runs while the C++ object is being destroyed.
        self.destroyed.connect(self._runs.close)

    @property
    def busy(self) -> bool:
        # Until its results are delivered, not merely until the task ends: a task that has
        # ended waits for its done callback, and "not busy" then would show no results yet.
        return self._runs.current is not None

    @property
    def pending(self) -> bool:
        """A start is waiting for the debounce pause to end."""
        return self._debounce.isActive()

    def run(self, job: ProbeJob) -> None:
        """Start now, cancelling a run in progress."""
        self._debounce.stop()
        self._job = job
        self._start_pending()

    def run_later(self, job: ProbeJob) -> None:
        """Start after the debounce pause; another call within it restarts the pause."""
        self._job = job
        self._debounce.start()

    def cancel(self) -> None:
        """Stop delivering at once: the pending start and the running task (which may
        still be ending its clean-up: `stop()` waits for it)."""
        self._debounce.stop()
        self._job = None
        was_busy = self.busy
        self._runs.cancel()
        if was_busy:
            self.busy_changed.emit(False)

    async def stop(self) -> None:
        """Cancel, then wait until every task this runner started has ended."""
        self.cancel()
        await self._runs.wait()

    def _start_pending(self) -> None:
        job, self._job = self._job, None
        if job is None or self._runs.closed:
            return
        was_busy = self.busy
        self._runs.cancel()
        runs = self._runs
        task: asyncio.Task[Any] | None = None

        def progress(value: Any) -> None:
            # Only the current run of a live runner may reach the page.
            if not runs.closed and task is not None and runs.current is task:
                self.progress.emit(value)

        task = asyncio.ensure_future(job(progress))
        runs.current = task
        _all_runs.add(runs)
        task.add_done_callback(self._done)
        if not was_busy:
            self.busy_changed.emit(True)

    def _done(self, task: asyncio.Task[Any]) -> None:
        runs = self._runs
        current = task is runs.current and not runs.closed
        runs.ended(task)
        error = None if task.cancelled() else task.exception()  # always retrieved
        if not current:
            if error is not None:  # a cancelled run failed while ending: a bug to see
                task.get_loop().call_exception_handler({
                    "message": "a cancelled check failed while ending", "exception": error,
                    "task": task})
            return
        self.busy_changed.emit(False)
        if task.cancelled():  # from inside, not by this runner: say so, never hang busy
            self.failed.emit("CancelledError")
        elif error is not None:
            log.error("check failed", exc_info=error)
            self.failed.emit(f"{type(error).__name__}: {error}")
        else:
            self.finished.emit(task.result())


async def stop_all(timeout: float = 1.0) -> list[asyncio.Task[Any]]:
    """Cancel every runner's tasks and wait (at most `timeout`) until they end; returns
    those still running then. For the end of the program: nothing may outlive the loop."""
    tasks: set[asyncio.Task[Any]] = set()
    for runs in list(_all_runs):
        runs.cancel()
        tasks |= runs.tasks()
    if not tasks:
        return []
    _done, pending = await asyncio.wait(tasks, timeout=timeout)
    return list(pending)
