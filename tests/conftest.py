"""Test-suite wide setup: offscreen Qt, no outside network, no touching the user's files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from network_guard import GUARD

pytest_plugins = ["pytester", "lab.conftest_dns"]

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


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
def private_home(tmp_path_factory: pytest.TempPathFactory,
                 monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the per-user config folder somewhere temporary: tests never touch real settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("APPDATA", str(home / "AppData" / "Roaming"))
    monkeypatch.setenv("LOCALAPPDATA", str(home / "AppData" / "Local"))
    return home
