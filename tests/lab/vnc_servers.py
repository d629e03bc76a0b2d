"""Real VNC servers on loopback for the tests: TigerVNC's Xvnc (see ../shared/DESIGN.md,
"The lab").

Each server is `Xvnc :N -rfbport P -localhost -interface 127.0.0.1 -geometry 320x240
-nolisten tcp` run as a child process in the foreground, on a display number and a TCP
port chosen free here, logging to a file of ours. It counts as started once it has sent
its RFB greeting on the port. Stopping is by PID: SIGTERM, up to 2 s, then SIGKILL; if it
was killed, its lock file /tmp/.XN-lock and socket /tmp/.X11-unix/XN are removed (only
when the lock still names our process).

Facts about TigerVNC 1.12 worth knowing in tests:
- It greets `RFB 003.008\\n`; with `-SecurityTypes None` it offers [1], with
  `-SecurityTypes VncAuth -PasswordFile F` it offers [2].
- Every connection that ends before authentication counts as a failed attempt (the
  readiness check here is one). After 5 of them from one address, that address is
  blocked for 10 s (doubling each time): it is greeted with `RFB 003.003` and security
  type 0 with the reason "Too many security failures". Keep each fixture's connections
  few, or use that on purpose.
- It starts in about 0.4 s.

The password file is what `vncpasswd -f` writes: the password padded to 8 bytes and
DES-encrypted with VNC's fixed key. Without vncpasswd (package tigervnc-tools), the same
8 bytes come from `openssl enc -des-ecb` with the legacy provider.
"""

from __future__ import annotations

import contextlib
import random
import shutil
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from lab.daemons import (
    LabStartError,
    LabUnavailable,
    Registry,
    await_ready,
    end_process,
    find_program,
)
from lab.ports import free_port_block as free_tcp_port_block
from lab.ports import free_tcp_port

# Not the seeded `random`: pytest-randomly gives every test the same seed (see lab/ports.py).
_PICK = random.SystemRandom()

XVNC_MISSING = "Xvnc is not installed: apt-get install tigervnc-standalone-server"
VNCPASSWD_MISSING = ("cannot write a VNC password file: neither vncpasswd (apt-get install "
                     "tigervnc-tools) nor openssl with DES (legacy provider) is available")
READY_TIMEOUT = 5.0  # seconds Xvnc has to send its greeting
STOP_TIMEOUT = 2.0  # seconds between SIGTERM and SIGKILL
FIRST_DISPLAY = 40  # displays below this are left to real X servers
LAST_DISPLAY = 400
VNC_DES_KEY = "e84ad660c4721ae0"  # VNC's fixed key {23,82,107,6,35,78,88,7}, bits reversed


@dataclass
class VncServer:
    name: str
    host: str
    port: int
    display: int
    security: str  # "None" or "VncAuth"
    password: str | None = None
    pid: int | None = None
    log: Path | None = field(default=None, compare=False)
    password_file: Path | None = field(default=None, compare=False)
    fixed_port: int | None = field(default=None, compare=False)  # None: any free port

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    def log_text(self) -> str:
        if self.log is None:
            return ""
        try:
            return self.log.read_text(errors="replace")
        except OSError as error:
            return f"(cannot read {self.log}: {error})"


@dataclass
class VncRange:
    """A small block of consecutive ports with Xvnc servers on some of them; the other
    ports of the block were free (connections are refused) when it was made."""

    first: int
    last: int
    servers: list[VncServer]

    @property
    def ports(self) -> list[int]:
        return [server.port for server in self.servers]


# Our children by PID, with their display (to clean up after a kill).
_PROCESSES: Registry[int, tuple[subprocess.Popen[bytes], int]] = Registry(
    lambda _pid, entry: _end_process(*entry))


def find_xvnc() -> str | None:
    return find_program("Xvnc", "Xtigervnc")


def require_xvnc() -> str:
    path = find_xvnc()
    if path is None:
        raise LabUnavailable(XVNC_MISSING)
    return path


def _lock_path(display: int) -> Path:
    return Path(f"/tmp/.X{display}-lock")


def _socket_path(display: int) -> Path:
    return Path(f"/tmp/.X11-unix/X{display}")


def _abstract_socket_in_use(display: int) -> bool:
    """X servers on Linux also listen on the abstract socket @/tmp/.X11-unix/XN."""
    try:
        table = Path("/proc/net/unix").read_text()
    except OSError:
        return False
    return f"@/tmp/.X11-unix/X{display}\n" in table


def free_display(exclude: set[int] | frozenset[int] = frozenset()) -> int:
    """A display number no X server uses: no lock file, no socket (file or abstract)."""
    candidates = list(range(FIRST_DISPLAY, LAST_DISPLAY))
    _PICK.shuffle(candidates)  # parallel test runs rarely pick the same one
    for display in candidates:
        if display in exclude:
            continue
        if _lock_path(display).exists() or _socket_path(display).exists():
            continue
        if _abstract_socket_in_use(display):
            continue
        return display
    raise OSError("no free X display number")


def make_password_file(path: Path, password: str) -> Path:
    """Write a VNC password file (what `vncpasswd -f` makes). LabUnavailable without tools."""
    vncpasswd = shutil.which("vncpasswd") or shutil.which("tigervncpasswd")
    if vncpasswd:
        done = subprocess.run([vncpasswd, "-f"], input=f"{password}\n".encode(),
                              capture_output=True, timeout=10, check=False)
        if done.returncode == 0 and len(done.stdout) == 8:
            path.write_bytes(done.stdout)
            return path
    openssl = shutil.which("openssl")
    if openssl:
        plain = password.encode("latin-1")[:8].ljust(8, b"\0")
        done = subprocess.run(
            [openssl, "enc", "-des-ecb", "-provider", "legacy", "-provider", "default",
             "-K", VNC_DES_KEY, "-nopad"], input=plain, capture_output=True, timeout=10,
            check=False)
        if done.returncode == 0 and len(done.stdout) == 8:
            path.write_bytes(done.stdout)
            return path
    raise LabUnavailable(VNCPASSWD_MISSING)


def _argv(xvnc: str, display: int, port: int, security: str,
          password_file: Path | None) -> list[str]:
    argv = [xvnc, f":{display}", "-rfbport", str(port), "-localhost",
            "-interface", "127.0.0.1", "-SecurityTypes", security,
            "-geometry", "320x240", "-nolisten", "tcp"]
    if password_file is not None:
        argv += ["-PasswordFile", str(password_file)]
    return argv


def _launch(argv: list[str], log: Path, display: int) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        out.write(f"$ {' '.join(argv)}\n".encode())
        out.flush()
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    _PROCESSES[process.pid] = (process, display)
    return process


def read_greeting(host: str, port: int, timeout: float = 0.5) -> bytes:
    """Connect and read the 12-byte RFB greeting (raises OSError if none comes)."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        data = b""
        while len(data) < 12:
            chunk = sock.recv(12 - len(data))
            if not chunk:
                break
            data += chunk
        return data


def _await_ready(server: VncServer, process: subprocess.Popen[bytes]) -> str | None:
    """None once Xvnc greeted on its port, else why not."""
    def greets(_left: float) -> str | None:
        greeting = read_greeting(server.host, server.port)
        return None if greeting.startswith(b"RFB ") else f"greeted with {greeting!r}"

    return await_ready(process, greets, deadline=time.monotonic() + READY_TIMEOUT,
                       waiting_for="greet")


def start_xvnc(log_dir: Path, name: str = "xvnc", *, port: int | None = None,
               security: str = "None", password: str | None = None) -> VncServer:
    """One Xvnc on 127.0.0.1, greeting on its port when this returns. `security` is
    "None" or "VncAuth" (then `password`, default "cobalt"). A display or port lost to a
    race is retried on new ones (a fixed `port` is kept)."""
    return start_xvncs(log_dir, [(name, port, security, password)])[0]


def start_xvncs(log_dir: Path,
                specs: list[tuple[str, int | None, str, str | None]]) -> list[VncServer]:
    """Several Xvnc at once, from (name, port or None, security, password); all are
    launched first, then awaited concurrently."""
    xvnc = require_xvnc()
    log_dir.mkdir(parents=True, exist_ok=True)
    servers: list[VncServer] = []
    taken: set[int] = set()
    try:
        for name, port, security, password in specs:
            server = VncServer(name, "127.0.0.1", port or 0, -1, security, fixed_port=port)
            if security == "VncAuth":
                server.password = password or "cobalt"
                server.password_file = make_password_file(log_dir / f"{name}.passwd",
                                                          server.password)
            server.log = log_dir / f"{name}.log"
            servers.append(server)
            _launch_server(xvnc, server, taken)
        with ThreadPoolExecutor(max_workers=len(servers)) as pool:
            problems = list(pool.map(lambda s: _finish_start(xvnc, s, taken), servers))
        failures = [problem for problem in problems if problem]
        if failures:
            raise LabStartError("\n".join(failures))
    except BaseException:
        stop_servers(servers)
        raise
    return servers


def _launch_server(xvnc: str, server: VncServer, taken: set[int]) -> None:
    """Launch `server` on a new free display (and a new free port unless it has a fixed one)."""
    server.display = free_display(exclude=taken)
    taken.add(server.display)
    server.port = server.fixed_port or free_tcp_port()
    argv = _argv(xvnc, server.display, server.port, server.security, server.password_file)
    assert server.log is not None
    server.pid = _launch(argv, server.log, server.display).pid


def _finish_start(xvnc: str, server: VncServer, taken: set[int]) -> str | None:
    """Wait for a launched server; relaunch it (twice at most) if it lost its display or
    port to a race. None when it greets, else what went wrong with its log."""
    for attempt in range(3):
        process = _PROCESSES.get(server.pid or -1)
        if process is None:
            return f"{server.name}: not started"
        problem = _await_ready(server, process[0])
        if problem is None:
            return None
        log = server.log_text()
        stop_server(server)
        lost_race = any(text in log for text in ("already active", "in use",
                                                 "Cannot establish any listening"))
        if not lost_race or attempt == 2:
            return (f"{server.name} Xvnc on {server.endpoint} (display :{server.display}) "
                    f"{problem}; its log ({server.log}):\n{log}")
        _launch_server(xvnc, server, taken)
    return f"{server.name}: could not be started"


def start_xvnc_range(log_dir: Path, size: int = 6, offsets: tuple[int, ...] = (2, 3),
                     ) -> VncRange:
    """A block of `size` consecutive free ports with an Xvnc (security None) on each of
    `offsets` (default: two adjacent servers in the middle of six ports)."""
    for attempt in range(3):
        first = free_tcp_port_block(size)
        try:
            servers = start_xvncs(log_dir, [(f"range-{offset}", first + offset, "None", None)
                                            for offset in offsets])
        except LabStartError:
            if attempt == 2:
                raise
            continue
        return VncRange(first, first + size - 1, servers)
    raise LabStartError("no VNC range could be started")


def _remove_leftovers(display: int, pid: int) -> None:
    """After a SIGKILL: remove the lock and socket files, if the lock is still ours."""
    lock = _lock_path(display)
    try:
        owner = int(lock.read_text().strip() or 0)
    except (OSError, ValueError):
        return
    if owner != pid:
        return
    with contextlib.suppress(OSError):
        lock.unlink()
    with contextlib.suppress(OSError):
        _socket_path(display).unlink()


def _end_process(process: subprocess.Popen[bytes], display: int) -> None:
    """SIGTERM, up to STOP_TIMEOUT, SIGKILL; reap; remove what a killed Xvnc left behind."""
    end_process(process, STOP_TIMEOUT)
    _remove_leftovers(display, process.pid)


def stop_server(server: VncServer) -> None:
    """End an Xvnc we started. Idempotent."""
    if server.pid is None:
        return
    pid, server.pid = server.pid, None
    entry = _PROCESSES.pop(pid, None)
    if entry is not None:
        _end_process(*entry)


def stop_servers(servers: list[VncServer]) -> None:
    """Stop several at once (SIGTERM to all first, so teardown does not add up)."""
    for server in servers:
        entry = _PROCESSES.get(server.pid) if server.pid is not None else None
        if entry is not None and entry[0].poll() is None:
            entry[0].terminate()
    for server in servers:
        stop_server(server)




__all__ = [
    "VNCPASSWD_MISSING", "XVNC_MISSING", "VncRange", "VncServer", "find_xvnc",
    "free_display", "free_tcp_port", "free_tcp_port_block", "make_password_file",
    "read_greeting", "require_xvnc", "start_xvnc", "start_xvnc_range", "start_xvncs",
    "stop_server", "stop_servers",
]
