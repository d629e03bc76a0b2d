"""pytest fixtures for the lab's VNC servers (see lab/vnc_servers.py for what each one is).

Import into a test module with `from lab.conftest_vnc import xvnc, xvnc_password, ...`.
All fixtures are function-scoped: Xvnc greets about 0.4 s after it is started, and a fresh
server per test means no test inherits another's failed-attempt count (TigerVNC blocks an
address after 5 connections that end before authentication; the readiness check used 1).
Logs are kept under the test's tmp folder; a server that does not come up fails the test
with its log. Where Xvnc is missing, the fixtures skip the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from lab import vnc_servers
from lab.daemons import LabUnavailable
from lab.vnc_servers import VncRange, VncServer
from lab.x11vnc_server import start_x11vnc, stop_x11vnc

__all__ = ["vnc_implementation", "xvnc", "xvnc_password", "xvnc_range"]


def _log_dir(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    return tmp_path_factory.mktemp(f"vnc-{name}")


T = TypeVar("T")


def _start(starter: Callable[..., T], *args: object, **kwargs: object) -> T:
    """Start lab servers, or skip the test if they cannot run here."""
    try:
        vnc_servers.require_xvnc()
        return starter(*args, **kwargs)
    except LabUnavailable as missing:
        pytest.skip(str(missing))


@pytest.fixture
def xvnc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VncServer]:
    """Xvnc on 127.0.0.1 with -SecurityTypes None: greets RFB 3.8, offers [1] (None)."""
    server = _start(vnc_servers.start_xvnc, _log_dir(tmp_path_factory, "none"), "xvnc")
    yield server
    vnc_servers.stop_server(server)


@pytest.fixture
def xvnc_password(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VncServer]:
    """Xvnc with -SecurityTypes VncAuth and a password file (password "cobalt"): offers [2]
    (VNC Authentication). Skipped when no tool can write the password file."""
    server = _start(vnc_servers.start_xvnc, _log_dir(tmp_path_factory, "vncauth"),
                    "xvnc-password", security="VncAuth", password="cobalt")
    yield server
    vnc_servers.stop_server(server)


@pytest.fixture
def xvnc_range(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VncRange]:
    """Six consecutive loopback ports (.first-.last) with two Xvnc (security None) on the
    adjacent ports .first+2 and .first+3 (.ports); nothing listens on the other four."""
    block = _start(vnc_servers.start_xvnc_range, _log_dir(tmp_path_factory, "range"))
    yield block
    vnc_servers.stop_servers(block.servers)


@pytest.fixture(params=[("Xvnc", None), ("Xvnc", "cobalt"), ("x11vnc", None),
                        ("x11vnc", "cobalt")], ids=["Xvnc", "Xvnc-password", "x11vnc",
                                                    "x11vnc-password"])
def vnc_implementation(request: pytest.FixtureRequest,
                       tmp_path_factory: pytest.TempPathFactory) -> Iterator[VncServer]:
    """The two VNC server implementations, each with and without a password (password
    "cobalt"): TigerVNC's Xvnc and x11vnc (on an X server of its own)."""
    program, password = request.param
    log_dir = _log_dir(tmp_path_factory, f"{program}-{'password' if password else 'none'}")
    if program == "Xvnc":
        server = _start(vnc_servers.start_xvnc, log_dir, "xvnc",
                        security="VncAuth" if password else "None", password=password)
        yield server
        vnc_servers.stop_server(server)
        return
    x11 = _start(start_x11vnc, log_dir, password=password)
    yield x11
    stop_x11vnc(x11)
