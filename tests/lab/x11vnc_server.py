"""x11vnc for the tests: a second VNC server implementation beside TigerVNC's Xvnc.

x11vnc shares an existing X display, so each one runs on an X server of its own: an Xvnc
started with `-rfbport -1` (an X server with no VNC port of its own), then
`x11vnc -display :N -rfbport P -localhost -noipv6 ...` on a port chosen free here, with
`-nopw` (security type None) or `-passwd PASSWORD` (VNC Authentication). Both are child
processes in the foreground, logging to files of ours, stopped by PID (x11vnc first).
It counts as started once x11vnc has sent its RFB greeting.

Facts seen with x11vnc 0.9.16 (Debian 12): it greets `RFB 003.008\\n` and offers [1] with
`-nopw`, [2] with `-passwd`; it needs the X server's socket to exist when it starts (it
gives up otherwise), so the X server is awaited first; it is ready about 1 s after start.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from lab.daemons import LabStartError, LabUnavailable, await_ready, end_process, find_program
from lab.ports import free_tcp_port
from lab.vnc_servers import (
    _PROCESSES,
    VncServer,
    _launch,
    _socket_path,
    free_display,
    read_greeting,
    require_xvnc,
    stop_server,
)

X11VNC_MISSING = "x11vnc is not installed: apt-get install x11vnc"
READY_TIMEOUT = 8.0  # the X server, then x11vnc's greeting
PASSWORD = "cobalt"


@dataclass
class X11VncServer(VncServer):
    x_server: VncServer | None = None  # the Xvnc it shares (no VNC port of its own)


def _x_server(xvnc: str, log_dir: Path, name: str) -> VncServer:
    display = free_display()
    server = VncServer(f"{name}-x", "127.0.0.1", 0, display, "None",
                       log=log_dir / f"{name}-x.log")
    argv = [xvnc, f":{display}", "-rfbport", "-1", "-localhost", "-interface", "127.0.0.1",
            "-SecurityTypes", "None", "-geometry", "320x240", "-nolisten", "tcp"]
    assert server.log is not None
    process = _launch(argv, server.log, display)
    server.pid = process.pid
    deadline = time.monotonic() + READY_TIMEOUT
    while not _socket_path(display).exists():
        if process.poll() is not None or time.monotonic() > deadline:
            log = server.log_text()
            stop_server(server)
            raise LabStartError(f"the X server for {name} (display :{display}) did not come "
                                f"up; its log ({server.log}):\n{log}")
        time.sleep(0.02)
    return server


def start_x11vnc(log_dir: Path, name: str = "x11vnc", *,
                 password: str | None = None) -> X11VncServer:
    """x11vnc on 127.0.0.1, greeting when this returns; `password` asks for one (VNC
    Authentication), None offers security type None."""
    x11vnc = find_program("x11vnc")
    if x11vnc is None:
        raise LabUnavailable(X11VNC_MISSING)
    xvnc = require_xvnc()
    log_dir.mkdir(parents=True, exist_ok=True)
    x_server = _x_server(xvnc, log_dir, name)
    port = free_tcp_port()
    server = X11VncServer(name, "127.0.0.1", port, x_server.display,
                          "VncAuth" if password else "None", password,
                          log=log_dir / f"{name}.log", x_server=x_server)
    argv = [x11vnc, "-display", f":{x_server.display}", "-rfbport", str(port), "-localhost",
            "-noipv6", "-forever", "-shared", "-noxdamage", "-norc", "-quiet",
            *(["-passwd", password] if password else ["-nopw"])]
    assert server.log is not None
    process = _launch(argv, server.log, x_server.display)
    server.pid = process.pid

    def greets(_left: float) -> str | None:
        greeting = read_greeting(server.host, server.port)
        return None if greeting.startswith(b"RFB ") else f"greeted with {greeting!r}"

    problem = await_ready(process, greets, deadline=time.monotonic() + READY_TIMEOUT,
                          waiting_for="greet")
    if problem is not None:
        log = server.log_text()
        stop_x11vnc(server)
        raise LabStartError(f"{name} on {server.endpoint} {problem}; its log "
                            f"({server.log}):\n{log}")
    return server


def stop_x11vnc(server: X11VncServer) -> None:
    """x11vnc, then its X server. Idempotent."""
    if server.pid is not None:
        pid, server.pid = server.pid, None
        entry = _PROCESSES.pop(pid, None)
        if entry is not None:
            end_process(entry[0])
    if server.x_server is not None:
        stop_server(server.x_server)
