"""Running a page's probes on the qasync loop without ever blocking the window.

A page says what to run and what to do with progress and the result; the runner keeps the
task, cancels the previous run when a new one starts (or the page is left), and delivers
everything through Qt signals in the GUI thread. Edits restart the probes after a pause
(debounce) so typing an address does not fire a probe per keystroke.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

log = logging.getLogger(__name__)

ProbeJob = Callable[[Callable[[Any], None]], Awaitable[Any]]  # gets a progress callback


class ProbeRunner(QObject):
    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, debounce_ms: int = 400) -> None:
        super().__init__(parent)
        self._task: asyncio.Task[Any] | None = None
        self._job: ProbeJob | None = None
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(self._start_pending)

    @property
    def busy(self) -> bool:
        # Until its results are delivered, not merely until the task ends: a task that has
        # ended waits for its done callback, and "not busy" then would show no results yet.
        return self._task is not None

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
        """Stop at once: the pending start and the running task."""
        self._debounce.stop()
        self._job = None
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None
        self.busy_changed.emit(False)

    def _start_pending(self) -> None:
        job, self._job = self._job, None
        if job is None:
            return
        if self._task is not None and not self._task.done():
            self._task.cancel()
        task = asyncio.ensure_future(job(self.progress.emit))
        self._task = task
        task.add_done_callback(self._done)
        self.busy_changed.emit(True)

    def _done(self, task: asyncio.Task[Any]) -> None:
        if task is not self._task:
            return  # an older run, cancelled when a newer one started
        self._task = None
        self.busy_changed.emit(False)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            log.error("probe failed", exc_info=error)
            self.failed.emit(f"{type(error).__name__}: {error}")
        else:
            self.finished.emit(task.result())
