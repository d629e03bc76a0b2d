"""What every lab daemon module shares: finding the program and ending a child process."""

from __future__ import annotations

import os
import shutil
import subprocess

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
