"""What every lab daemon module shares: finding the program, ending a child process, the
registry of what is still running (one atexit for all), and the two errors."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from typing import Any, TypeVar

STOP_TIMEOUT = 2.0  # seconds between SIGTERM and SIGKILL


def find_program(*names: str, folders: tuple[str, ...] = ("/usr/sbin", "/usr/bin", "/sbin",
                                                           "/usr/local/bin")) -> str | None:
    """The first of `names` on PATH, or in the folders Debian puts daemons in (not on a
    normal user's PATH), or None."""
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    for name in names:
        for folder in folders:
            candidate = os.path.join(folder, name)
            if os.access(candidate, os.X_OK):
                return candidate
    return None


def end_process(process: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM, wait up to `timeout`, then SIGKILL; always reaped. Harmless if it ended."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class LabUnavailable(RuntimeError):
    """The lab cannot run here (not root, no namespaces, a program missing); fixtures turn
    this into a skip, with the reason."""


class LabStartError(RuntimeError):
    """A lab daemon did not come up; the message includes its log."""


K = TypeVar("K")
V = TypeVar("V")
_REGISTRIES: list[Registry[Any, Any]] = []


class Registry(dict[K, V]):
    """What one lab module started and has not stopped yet (a dict: key -> what to end).
    One atexit hook ends, with `end`, whatever every registry still holds, so a test run
    that dies half-way leaves no daemon behind."""

    def __init__(self, end: Callable[[K, V], None]) -> None:
        super().__init__()
        self._end = end
        _REGISTRIES.append(self)

    def end_all(self) -> None:
        for key, value in list(self.items()):
            self.pop(key, None)
            with contextlib.suppress(Exception):  # at exit: end the others regardless
                self._end(key, value)


@atexit.register
def _end_leftovers() -> None:
    for registry in reversed(_REGISTRIES):
        registry.end_all()


def await_ready(process: subprocess.Popen[Any], attempt: Callable[[float], str | None], *,
                deadline: float, waiting_for: str,
                errors: tuple[type[Exception], ...] = (OSError,), pause: float = 0.01,
                ) -> str | None:
    """None once `attempt(seconds_left)` finds the daemon ready (returns None), else why
    not: it exited, or it did not become ready by `deadline` (a time.monotonic() value),
    with the last reason `attempt` gave or the last of `errors` it raised."""
    started = time.monotonic()
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return f"exited with status {process.returncode}"
        try:
            problem = attempt(max(0.01, deadline - time.monotonic()))
        except ConnectionRefusedError:
            problem = "port closed"
        except errors as error:
            problem = f"{type(error).__name__}: {error}"
        if problem is None:
            return None
        last = problem
        time.sleep(pause)
    return f"did not {waiting_for} within {deadline - started:.3g} s ({last})"
