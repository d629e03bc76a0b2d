"""Saves of the preference files as real processes, killed or held at a chosen rename.

`strace -e inject=rename,...:signal=SIGKILL:when=N` kills `cobalt-setup apply` as it enters
its N-th rename (the rename does not happen); `delay_enter=USEC:when=N` holds it there.
Shared by the kill and two-saves tests and the stress scripts in tests/stress/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cobalt_setup.prefs.journal import JOURNAL_NAME

STRACE = shutil.which("strace")
STRACE_MISSING = "needs strace to kill or hold a save at a rename (Debian package strace)"
RENAMES = "rename,renameat,renameat2"
RECOVERY_WORDS = "An interrupted save was"
BUSY_WORDS = "Another save of these settings is running"

# One roll-out file per step; each changes both files (DNS server and router mode).
SOURCES = {
    "p0": "[DNS]\nServers = 10.0.0.10\n[Router]\nMode = upnp\nDispatcherPort = 6900\n",
    "p1": "[DNS]\nServers = 10.0.0.11\n[Router]\nMode = manual\nDispatcherPort = 6901\n",
    "p2": "[DNS]\nServers = 10.0.0.12\n[Router]\nMode = lan-only\nDispatcherPort = 6902\n",
    "p3": "[DNS]\nServers = 10.0.0.13\n[Router]\nMode = upnp\nDispatcherPort = 6903\n",
}

Pair = tuple[bytes | None, bytes | None]


def child_environment(**extra: str) -> dict[str, str]:
    """For a `cobalt-setup` child: English, no .pyc written (its renames would count)."""
    return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "LANGUAGE": "en",
            "QT_QPA_PLATFORM": "offscreen", **extra}


def cobalt_setup() -> list[str]:
    return [sys.executable, "-m", "cobalt_setup"]


def under_strace(command: Sequence[str], inject: str, trace_file: Path | None = None,
                 calls: str = RENAMES) -> list[str]:
    """`command` under strace with `inject` (e.g. "signal=SIGKILL:when=3") on every rename
    (or on every system call of `calls`, e.g. "connect")."""
    assert STRACE is not None, STRACE_MISSING
    return [STRACE, "-f", "-qq", "-o", str(trace_file or os.devnull),
            "-e", f"trace={calls}", "-e", f"inject={calls}:{inject}", *command]


@dataclass(frozen=True)
class Setup:
    """An INI file and an Open Cobalt folder of their own, and the roll-out sources."""

    root: Path

    @classmethod
    def make(cls, root: Path) -> Setup:
        (root / "Open Cobalt" / "config").mkdir(parents=True)
        (root / "Open Cobalt" / "OpenCobalt.image").write_bytes(b"\0" * 16)
        (root / "sources").mkdir()
        for name, text in SOURCES.items():
            (root / "sources" / f"{name}.ini").write_text(text)
        return cls(root)

    @property
    def ini(self) -> Path:
        return self.root / "user" / "general-preferences.ini"

    @property
    def cobalt_dir(self) -> Path:
        return self.root / "Open Cobalt"

    @property
    def conf(self) -> Path:
        return self.cobalt_dir / "config" / "cobalt-router.conf"

    @property
    def journal(self) -> Path:
        return self.ini.parent / JOURNAL_NAME

    def source(self, name: str) -> Path:
        return self.root / "sources" / f"{name}.ini"

    def apply(self, source: str, *options: str) -> list[str]:
        return [*cobalt_setup(), "apply", str(self.source(source)), "--settings",
                str(self.ini), "--cobalt-dir", str(self.cobalt_dir), *options]

    def environment(self) -> dict[str, str]:
        """A home of its own: nothing a child does can reach the user's real files."""
        home = str(self.root / "home")
        return child_environment(HOME=home, XDG_CONFIG_HOME=f"{home}/.config",
                                 XDG_DATA_HOME=f"{home}/.local/share")

    def run(self, command: Sequence[str], timeout: float = 60
            ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              env=self.environment(), stdin=subprocess.DEVNULL, check=False)

    def pair(self) -> Pair:
        return _read(self.ini), _read(self.conf)

    def backups(self) -> Pair:
        return _read(_bak(self.ini)), _read(_bak(self.conf))

    def temps(self) -> list[Path]:
        return sorted(path for folder in (self.ini.parent, self.conf.parent)
                      if folder.is_dir() for path in folder.iterdir()
                      if path.name.endswith(".tmp"))

    def copy_to(self, root: Path) -> Setup:
        shutil.copytree(self.root, root, symlinks=True)
        return Setup(root)


def _bak(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def renames_entered(trace_file: Path) -> int:
    """How many renames the traced process has entered (strace writes a line's start when
    the call is entered, its end when it returns)."""
    try:
        text = trace_file.read_text(errors="replace")
    except FileNotFoundError:
        return 0
    return sum(text.count(f" {name}(") for name in RENAMES.split(","))


def wait_for_renames(trace_file: Path, count: int, process: subprocess.Popen[str],
                     timeout: float = 30) -> bool:
    """Wait until `process` has entered its `count`-th rename; False if it ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if renames_entered(trace_file) >= count:
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.01)
    raise TimeoutError(f"no rename {count} within {timeout} s")
