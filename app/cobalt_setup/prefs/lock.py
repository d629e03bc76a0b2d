"""One save at a time: an exclusive lock on each folder a save reads and writes.

Two saves that overlap (the wizard and `cobalt-setup apply`, two applies started by a
roll-out script, two `router forward` runs) would otherwise read the same old files, write
their temp files side by side and rename in turn, each believing it wrote the pair. So a save
holds ``.cobalt-setup.lock`` in every folder it touches, from reading the current files to
its last rename. `filelock` does the locking (flock on Linux and macOS, LockFileEx on
Windows); the lock is the operating system's, so it is gone the moment its holder dies, and
the lock files are never deleted (deleting one lets two processes lock two different files
of the same name). Folders are locked in one sorted order, so two saves never each hold
what the other waits for. Within a process the locks are re-entrant per thread: `apply`
holds them from reading to writing, and the writer it calls takes them again.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from cobalt_setup.prefs.errors import SaveBusyError, write_error

if TYPE_CHECKING:
    from filelock import FileLock

LOCK_NAME = ".cobalt-setup.lock"
DEFAULT_WAIT_S = 5.0
"""How long a save waits for another one to finish before it gives up, in words."""

_locks: dict[tuple[int, int], FileLock] = {}
_locks_guard = threading.Lock()


def folder_key(folder: Path) -> str:
    """One spelling per folder, to compare and sort them (symlinks resolved, case folded
    where the platform ignores it)."""
    return os.path.normcase(os.path.realpath(folder))


def _lock_of(folder: Path) -> FileLock:
    """The process's one lock object for `folder` (keyed by the folder's identity, so that
    two spellings of a folder share it and a nested hold does not wait for itself)."""
    from filelock import FileLock  # loaded with the first save: it costs every start 35 ms

    info = os.stat(folder)
    key = (info.st_dev, info.st_ino)
    with _locks_guard:
        lock = _locks.get(key)
        if lock is None:
            lock = FileLock(folder / LOCK_NAME, preserve_lock_file=True)
            _locks[key] = lock
        return lock


@contextmanager
def hold(files: Iterable[Path], wait_s: float = DEFAULT_WAIT_S) -> Iterator[set[str]]:
    """Hold the lock of the folder of each of `files` (those folders that exist) until the
    block ends; yields the `folder_key` of each folder held.

    Raises `SaveBusyError` when another save keeps one longer than `wait_s` seconds, and a
    `PrefsWriteError` in words when a lock file cannot be created (a read-only folder).
    """
    from filelock import Timeout

    folders: dict[str, tuple[Path, Path]] = {}  # key -> (folder, a file in it, for messages)
    for path in files:
        folder = path.parent
        if os.path.isdir(folder):
            folders.setdefault(folder_key(folder), (folder, path))
    deadline = time.monotonic() + wait_s
    with ExitStack() as held:
        for key in sorted(folders):
            folder, path = folders[key]
            try:
                lock = _lock_of(folder)
                lock.acquire(timeout=max(0.0, deadline - time.monotonic()), poll_interval=0.02)
            except Timeout:
                raise SaveBusyError(path, folder) from None
            except OSError as exc:
                raise write_error(path, exc) from exc
            held.callback(lock.release)
        yield set(folders)
