"""Test-suite wide setup: offscreen Qt, no outside network, no touching the user's files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cobalt_setup.i18n import use_language
from network_guard import GUARD

pytest_plugins = [
    "pytester",
    "fatal_errors",
    "qt_loop",
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
