"""Test-suite wide setup: offscreen Qt, no outside network, no touching the user's files."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dns.asyncbackend
import pytest

from cobalt_setup.i18n import use_language
from network_guard import GUARD

pytest_plugins = [
    "pytester",
    "lab.conftest_dns",
    "lab.conftest_igd",
    "lab.conftest_ldap",
    "lab.conftest_router",
    "lab.conftest_sockets",
    "lab.conftest_vnc",
    "lab.conftest_xmpp",
]

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The tests read the English texts; a contributor's German desktop must not change them
# (gettext reads LANGUAGE first; commands the tests start inherit it).
os.environ["LANGUAGE"] = "en"


def pytest_configure(config: pytest.Config) -> None:
    GUARD.install()


def pytest_unconfigure(config: pytest.Config) -> None:
    GUARD.uninstall()


@pytest.fixture(autouse=True)
def no_outside_network() -> Iterator[None]:
    """Fail the test if its code tried to reach any address but loopback (or an allowed one)."""
    GUARD.take_violations()
    yield
    violations = GUARD.take_violations()
    if violations:
        pytest.fail("the test tried to reach the outside network: " + "; ".join(violations))


@pytest.fixture(autouse=True)
def english_findings() -> Iterator[None]:
    """A test that switches the core's language cannot leave it switched for the next."""
    yield
    use_language("en")


@pytest.fixture(autouse=True)
def private_home(tmp_path_factory: pytest.TempPathFactory,
                 monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the per-user config folder somewhere temporary: tests never touch real settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("APPDATA", str(home / "AppData" / "Roaming"))
    monkeypatch.setenv("LOCALAPPDATA", str(home / "AppData" / "Local"))
    return home


@pytest.fixture
def qasync_loop(qapp: object) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop on the test's QApplication, running while Qt's events are processed.

    Never `loop.stop()` here: it would quit the QApplication and later waits would time out.
    """
    import qasync
    from PySide6.QtWidgets import QApplication

    dns.asyncbackend.set_default_backend("asyncio")
    loop = qasync.QEventLoop(qapp, already_running=True)
    executor = ThreadPoolExecutor(4, thread_name_prefix="probe")
    loop.set_default_executor(executor)
    asyncio.set_event_loop(loop)
    yield loop
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    deadline = time.monotonic() + 2
    while any(not task.done() for task in pending) and time.monotonic() < deadline:
        QApplication.processEvents()
    executor.shutdown(wait=True, cancel_futures=True)
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)
    assert all(task.done() for task in pending), "a task ignored its cancellation"


@pytest.fixture
def cobalt_dir(tmp_path: Path) -> Path:
    """An Open Cobalt installation folder, as its installer leaves it."""
    folder = tmp_path / "Open Cobalt"
    (folder / "config").mkdir(parents=True)
    (folder / "OpenCobalt.image").write_bytes(b"\0" * 16)
    return folder


@pytest.fixture
def ini_path(tmp_path: Path) -> Path:
    """Where the per-user settings file goes; nothing is there yet."""
    return tmp_path / "config-home" / "Open Cobalt" / "general-preferences.ini"
