"""The Xrfb control probe (HTTP) and the VNC probes (RFB), against real Xvnc servers and
small peers of our own on loopback: a real HTTP server, silent, garbage, huge, trickling
and scripted RFB peers."""

from __future__ import annotations

import asyncio
import contextlib
import http.server
import os
import socket
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator

import psutil
import pytest

from cobalt_setup.checks.environment import CheckEnvironment
from cobalt_setup.checks.services import check_xrfb, summarize_vnc_scan
from cobalt_setup.probes.vnc import (
    VNC_RANGE_NOTE,
    free_local_ports,
    probe_vnc_hosting,
    probe_vnc_port,
    scan_vnc_range,
)
from cobalt_setup.probes.xrfb import probe_xrfb_control
from cobalt_setup.result import Status
from cobalt_setup.settings import Settings
from cobalt_setup.wording import port_list
from lab import vnc_servers
from lab.vnc_servers import VncRange, VncServer

HOST = "127.0.0.1"
SLACK = 0.5  # seconds a probe may take beyond its timeout
TEN_MB = b"a" * (10 * 1024 * 1024)  # made once, before any memory is measured


# -- small peers of our own ------------------------------------------------------------------

Behaviour = Callable[[socket.socket, threading.Event], None]


class Peer:
    """A TCP listener on loopback whose every connection runs `behaviour(conn, stop)` in a
    thread. Records when each connection was accepted and when its peer hung up."""

    def __init__(self, behaviour: Behaviour, port: int = 0) -> None:
        self.behaviour = behaviour
        self.stop = threading.Event()
        self.listener = socket.create_server((HOST, port))
        self.listener.settimeout(0.05)
        self.port = int(self.listener.getsockname()[1])
        self.lifetimes: list[tuple[float, float]] = []
        self.received: list[bytes] = []
        self._lock = threading.Lock()
        self._connections: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            with self._lock:
                self._connections.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn, time.perf_counter()),
                                      daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket, accepted: float) -> None:
        with contextlib.suppress(OSError):
            self.behaviour(conn, self.stop)
        with self._lock:
            self.lifetimes.append((accepted, time.perf_counter()))
        with contextlib.suppress(OSError):
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.listener.close()
        with self._lock:
            for conn in self._connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        self._acceptor.join(2)
        for thread in self._threads:
            thread.join(2)


def wait_for_hangup(conn: socket.socket, stop: threading.Event,
                    into: list[bytes] | None = None) -> None:
    """Read (and keep) whatever comes until the client hangs up."""
    while not stop.is_set():
        data = conn.recv(4096)
        if not data:
            return
        if into is not None:
            into.append(data)


def holds(conn: socket.socket, stop: threading.Event) -> None:
    wait_for_hangup(conn, stop)


def sends(payload: bytes) -> Behaviour:
    def behaviour(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(payload)
        conn.shutdown(socket.SHUT_WR)
        wait_for_hangup(conn, stop)
    return behaviour


def trickles(payload: bytes, every: float = 1.0) -> Behaviour:
    def behaviour(conn: socket.socket, stop: threading.Event) -> None:
        for byte in payload:
            conn.sendall(bytes([byte]))
            if stop.wait(every):
                return
    return behaviour


def rfb_server(greeting: bytes, after_version: bytes, received: list[bytes]) -> Behaviour:
    """A scripted RFB server: greets, reads the client's 12-byte version, answers."""
    def behaviour(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(greeting)
        version = b""
        while len(version) < 12:
            chunk = conn.recv(12 - len(version))
            if not chunk:
                break
            version += chunk
        received.append(version)
        conn.sendall(after_version)
        wait_for_hangup(conn, stop)
    return behaviour


@contextlib.contextmanager
def peer(behaviour: Behaviour, port: int = 0) -> Iterator[Peer]:
    running = Peer(behaviour, port)
    try:
        yield running
    finally:
        running.close()


@contextlib.contextmanager
def silent_listener() -> Iterator[socket.socket]:
    """Listens and never accepts: the kernel completes connections that then hear nothing."""
    listener = socket.create_server((HOST, 0), backlog=64)
    try:
        yield listener
    finally:
        listener.close()


@contextlib.contextmanager
def http_server(status: int = 200) -> Iterator[int]:
    """A real HTTP server (the standard library's) answering `status` to every GET."""

    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "XrfbLab/1.0"
        sys_version = ""

        def do_GET(self) -> None:
            body = b"<html>Xrfb lab</html>\n"
            self.send_response(status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer((HOST, 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(2)


def closed_port() -> int:
    return vnc_servers.free_tcp_port()


async def timed(probe: object) -> tuple[object, float]:
    started = time.perf_counter()
    result = await probe  # type: ignore[misc]
    return result, time.perf_counter() - started


def no_such_host(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make every name look-up fail as for a name that does not exist; returns the names."""
    asked: list[str] = []

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        asked.append(str(host))
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


# -- the Xrfb control port (HTTP) ------------------------------------------------------------

@pytest.mark.asyncio
@pytest.mark.parametrize("status", [200, 404])
async def test_xrfb_any_http_answer_is_ok(status: int) -> None:
    with http_server(status) as port:
        result, elapsed = await timed(probe_xrfb_control(HOST, port, timeout=2.0))
    assert result.status is Status.OK, result
    assert result.id == "xrfb.control" and result.service == "xrfb"
    assert f"HTTP {status}" in result.summary and "XrfbLab/1.0" in result.summary
    assert result.details["status_code"] == status
    assert result.details["server"] == "XrfbLab/1.0"
    assert result.fix == ""
    assert elapsed < 1.0


@pytest.mark.asyncio
@pytest.mark.lab
async def test_xrfb_on_a_vnc_port_says_it_is_the_vnc_port(xvnc: VncServer) -> None:
    result = await probe_xrfb_control(xvnc.host, xvnc.port, timeout=2.0)
    assert result.status is Status.FAILED
    assert "looks like the VNC port, not the Xrfb control port" in result.summary
    assert "RFB 3.8" in result.summary
    assert "5899" in result.fix


@pytest.mark.asyncio
async def test_xrfb_silent_listener_times_out() -> None:
    with silent_listener() as listener:
        port = listener.getsockname()[1]
        result, elapsed = await timed(probe_xrfb_control(HOST, port, timeout=0.5))
    assert result.status is Status.FAILED
    assert "did not answer the HTTP request within 0.5 s" in result.summary
    assert 0.45 <= elapsed < 0.5 + SLACK


@pytest.mark.asyncio
async def test_xrfb_closed_port_is_refused() -> None:
    result, elapsed = await timed(probe_xrfb_control(HOST, closed_port(), timeout=2.0))
    assert result.status is Status.FAILED
    assert "refused" in result.summary
    assert "Start the Xrfb server" in result.fix
    assert elapsed < 0.5


@pytest.mark.asyncio
async def test_xrfb_garbage_is_not_http() -> None:
    with peer(sends(b"\x00\x17\xfe\xffZZ\x01\x02" * 8)) as garbage:
        result = await probe_xrfb_control(HOST, garbage.port, timeout=2.0)
    assert result.status is Status.FAILED
    assert "does not speak HTTP" in result.summary
    assert result.details["problem"] == "not_http"


@pytest.mark.asyncio
@pytest.mark.parametrize(("reply", "status"), [
    (b"HTTP/1.0 200 OK\r\nX-Huge: " + TEN_MB, Status.OK),  # endless header
    (TEN_MB, Status.FAILED),  # 10 MB without a line end
], ids=["endless-header", "ten-mb-junk"])
async def test_xrfb_ten_megabyte_reply_is_cut_short(reply: bytes, status: Status) -> None:
    with peer(sends(reply)) as huge:
        tracemalloc.start()
        try:
            result, elapsed = await timed(probe_xrfb_control(HOST, huge.port, timeout=3.0))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert result.status is status, result
    assert peak < 2 * 1024 * 1024, f"the probe held {peak} bytes"
    assert elapsed < 1.0
    assert result.details["received_bytes"] <= 64 * 1024


@pytest.mark.asyncio
async def test_xrfb_trickling_peer_is_cut_off_at_the_timeout() -> None:
    with peer(trickles(b"HTTP/1.0 200 OK\r\n\r\n")) as slow:
        result, elapsed = await timed(probe_xrfb_control(HOST, slow.port, timeout=1.2))
    assert result.status is Status.FAILED
    assert "answered too slowly" in result.summary
    assert elapsed < 1.2 + SLACK


@pytest.mark.asyncio
async def test_xrfb_unknown_host(monkeypatch: pytest.MonkeyPatch) -> None:
    no_such_host(monkeypatch)
    result = await probe_xrfb_control("xrfb.nowhere.invalid", 5899, timeout=1.0)
    assert result.status is Status.FAILED
    assert "'xrfb.nowhere.invalid' was not found" in result.summary
    assert "host name" in result.fix


# -- one VNC port (RFB) ------------------------------------------------------------------------

@pytest.mark.asyncio
@pytest.mark.lab
async def test_vnc_xvnc_without_password(xvnc: VncServer) -> None:
    result = await probe_vnc_port(xvnc.host, xvnc.port, timeout=2.0)
    assert result.status is Status.OK, result
    assert result.id == f"vnc.{xvnc.port}" and result.service == "vnc"
    assert "RFB 3.8" in result.summary and "None (no password)" in result.summary
    assert result.details["rfb_version"] == "3.8"
    assert result.details["security_names"] == ["None"]
    assert result.details["needs_password"] is False


@pytest.mark.asyncio
@pytest.mark.lab
async def test_vnc_xvnc_with_password(xvnc_password: VncServer) -> None:
    result = await probe_vnc_port(xvnc_password.host, xvnc_password.port, timeout=2.0)
    assert result.status is Status.OK, result
    assert "VNC Authentication" in result.details["security_names"]
    assert "None" not in result.details["security_names"]
    assert "asks for a password" in result.summary
    assert result.details["needs_password"] is True


@pytest.mark.asyncio
@pytest.mark.lab
async def test_both_vnc_implementations_get_the_same_verdicts(
        vnc_implementation: VncServer) -> None:
    """Xvnc and x11vnc, each with and without a password: OK, and whether it asks for a
    password is said (the security types they offer decide it, not which server it is)."""
    server = vnc_implementation
    result = await probe_vnc_port(server.host, server.port, timeout=2.0)
    assert result.status is Status.OK, result
    assert result.details["rfb_version"] == "3.8"
    if server.password:
        assert result.details["security_names"] == ["VNC Authentication"]
        assert result.details["needs_password"] is True
        assert "asks for a password" in result.summary
    else:
        assert result.details["security_names"] == ["None"]
        assert result.details["needs_password"] is False
        assert "None (no password)" in result.summary


@pytest.mark.asyncio
@pytest.mark.lab
async def test_vnc_server_that_blocks_us_is_reported_with_its_reason(
        xvnc: VncServer) -> None:
    """TigerVNC blocks an address after 5 connections that end before authentication;
    it then greets with RFB 3.3 and a refusal (type 0) with a reason."""
    for _ in range(10):
        if vnc_servers.read_greeting(xvnc.host, xvnc.port) == b"RFB 003.003\n":
            break
    else:
        pytest.fail("Xvnc never blocked the hammering address")
    result = await probe_vnc_port(xvnc.host, xvnc.port, timeout=2.0)
    assert result.status is Status.WARNING, result
    assert "refuses connections: Too many security failures" in result.summary
    assert result.details["rfb_version"] == "3.3"
    assert result.details["answered_version"] == "3.3"
    assert "Wait" in result.fix


@pytest.mark.asyncio
@pytest.mark.parametrize(("greeting", "after", "answer", "names"), [
    (b"RFB 003.003\n", b"\x00\x00\x00\x02", b"RFB 003.003\n", ["VNC Authentication"]),
    (b"RFB 003.007\n", b"\x02\x01\x02", b"RFB 003.007\n", ["None", "VNC Authentication"]),
    (b"RFB 003.889\n", b"\x02\x1e\x02", b"RFB 003.008\n",
     ["Apple Remote Desktop", "VNC Authentication"]),
    (b"RFB 004.001\n", b"\x03\x12\x13\x10", b"RFB 003.008\n", ["TLS", "VeNCrypt", "Tight"]),
], ids=["3.3", "3.7", "apple-3.889", "realvnc-4.1"])
async def test_vnc_speaks_each_version_as_the_server_expects(
        greeting: bytes, after: bytes, answer: bytes, names: list[str]) -> None:
    received: list[bytes] = []
    with peer(rfb_server(greeting, after, received)) as server:
        result = await probe_vnc_port(HOST, server.port, timeout=2.0)
    assert received == [answer], "the probe answered with the wrong version"
    assert result.status is Status.OK, result
    assert result.details["security_names"] == names


@pytest.mark.asyncio
async def test_vnc_refusal_with_reason_in_version_3_8() -> None:
    reason = b"Only one viewer at a time"
    with peer(rfb_server(b"RFB 003.008\n",
                         b"\x00" + len(reason).to_bytes(4, "big") + reason, [])) as server:
        result = await probe_vnc_port(HOST, server.port, timeout=2.0)
    assert result.status is Status.WARNING
    assert "refuses connections: Only one viewer at a time" in result.summary


@pytest.mark.asyncio
async def test_vnc_on_an_http_server_is_not_rfb() -> None:
    with http_server() as port:
        result, elapsed = await timed(probe_vnc_port(HOST, port, timeout=1.0))
    assert result.status is Status.FAILED
    assert "is not a VNC server" in result.summary
    assert "web server (HTTP 200 OK, server XrfbLab/1.0)" in result.summary
    assert "Xrfb control port" in result.fix
    assert elapsed < 1.0


@pytest.mark.asyncio
async def test_vnc_silent_listener_times_out() -> None:
    with silent_listener() as listener:
        port = listener.getsockname()[1]
        result, elapsed = await timed(probe_vnc_port(HOST, port, timeout=0.6))
    assert result.status is Status.FAILED
    assert "sent no VNC greeting within 0.6 s" in result.summary
    assert 0.55 <= elapsed < 0.6 + SLACK


@pytest.mark.asyncio
async def test_vnc_trickling_greeting_is_too_slow() -> None:
    with peer(trickles(b"RFB 003.008\n")) as slow:
        result, elapsed = await timed(probe_vnc_port(HOST, slow.port, timeout=1.2))
    assert result.status is Status.FAILED
    assert "answered too slowly" in result.summary
    assert elapsed < 1.2 + SLACK


@pytest.mark.asyncio
async def test_vnc_closed_port_is_refused() -> None:
    port = closed_port()
    result, elapsed = await timed(probe_vnc_port(HOST, port, timeout=2.0))
    assert result.status is Status.FAILED
    assert f"Nothing is listening on {HOST}:{port}" in result.summary
    assert "refused" in result.summary
    assert elapsed < 0.5


@pytest.mark.asyncio
async def test_vnc_refused_port_fix_names_the_display() -> None:
    """The fix for a refused display port names the display (port 5900 + N)."""
    result = await probe_vnc_port(HOST, 5907, timeout=1.0)
    if result.details.get("problem") != "refused":
        pytest.skip("something listens on 127.0.0.1:5907 on this machine")
    assert "display 7" in result.fix


@pytest.mark.asyncio
@pytest.mark.parametrize("probe", [probe_vnc_port, probe_xrfb_control],
                         ids=["vnc", "xrfb"])
async def test_cancelling_a_probe_closes_its_socket(probe: Callable[..., object]) -> None:
    with silent_listener() as listener:
        port = listener.getsockname()[1]
        task = asyncio.ensure_future(probe(HOST, port, timeout=5.0))  # type: ignore[arg-type]
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        listener.settimeout(1.0)
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(1.0)  # if the probe left its socket open, recv times out here
            with contextlib.suppress(ConnectionResetError):  # an abort is a hang-up too
                while conn.recv(4096):
                    pass


@pytest.mark.asyncio
async def test_vnc_unknown_host(monkeypatch: pytest.MonkeyPatch) -> None:
    no_such_host(monkeypatch)
    result = await probe_vnc_port("vnc.nowhere.invalid", 5901, timeout=1.0)
    assert result.status is Status.FAILED
    assert "'vnc.nowhere.invalid' was not found" in result.summary


# -- the range scan -------------------------------------------------------------------------

@pytest.mark.asyncio
@pytest.mark.lab
async def test_scan_finds_exactly_the_two_servers(xvnc_range: VncRange) -> None:
    timeout = 1.0
    results, elapsed = await timed(scan_vnc_range(HOST, xvnc_range.first, xvnc_range.last,
                                                  timeout=timeout))
    ports = list(range(xvnc_range.first, xvnc_range.last + 1))
    assert [r.id for r in results] == [f"vnc.{port}" for port in ports]
    found = [int(r.id.split(".")[1]) for r in results if r.status is Status.OK]
    assert found == xvnc_range.ports
    for result in results:
        if result.status is not Status.OK:
            assert result.status is Status.FAILED and "refused" in result.summary
    assert elapsed < timeout, "the scan took as long as a timeout: not concurrent"


@pytest.mark.asyncio
@pytest.mark.lab
async def test_one_server_and_one_empty_port_read_in_the_singular(xvnc_range: VncRange) -> None:
    first = xvnc_range.ports[0] - 1  # nothing listens there; an Xvnc on the next port
    result = summarize_vnc_scan(HOST, first, first + 1,
                                await scan_vnc_range(HOST, first, first + 1, timeout=1.0))
    assert result.status is Status.OK
    assert result.summary.endswith(" Nothing listens on the other port.")


@pytest.mark.asyncio
async def test_scan_of_31_refused_ports_takes_no_time() -> None:
    first = vnc_servers.free_tcp_port_block(31)
    results, elapsed = await timed(scan_vnc_range(HOST, first, first + 30, timeout=2.0))
    assert len(results) == 31
    assert all(r.details["problem"] == "refused" for r in results)
    assert elapsed < 1.0


def _most_at_once(lifetimes: list[tuple[float, float]], tolerance: float = 0.03) -> int:
    """The most connections alive at one moment (ends moved earlier by `tolerance`, for the
    time the peer's threads take to notice a hang-up)."""
    events = sorted([(start, 1) for start, _ in lifetimes] +
                    [(end - tolerance, -1) for _, end in lifetimes])
    alive = most = 0
    for _, change in events:
        alive += change
        most = max(most, alive)
    return most


@pytest.mark.asyncio
async def test_scan_keeps_at_most_max_open_connections() -> None:
    count, max_open, timeout = 9, 3, 0.3
    first = vnc_servers.free_tcp_port_block(count)
    peers = [Peer(holds, port) for port in range(first, first + count)]
    try:
        results, elapsed = await timed(scan_vnc_range(HOST, first, first + count - 1,
                                                      timeout=timeout, max_open=max_open))
        await asyncio.sleep(0.1)  # let the peers see the last hang-ups
    finally:
        for running in peers:
            running.close()
    lifetimes = [span for running in peers for span in running.lifetimes]
    assert len(lifetimes) == count
    assert _most_at_once(lifetimes) <= max_open
    assert all(r.details["problem"] == "no_greeting" for r in results)
    batches = -(-count // max_open)
    assert (batches - 0.5) * timeout < elapsed < batches * timeout + SLACK


@pytest.mark.asyncio
async def test_scan_looks_the_host_up_once(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = no_such_host(monkeypatch)
    results = await scan_vnc_range("vnc.nowhere.invalid", 5900, 5930, timeout=1.0)
    assert len(results) == 31
    assert all("was not found" in r.summary for r in results)
    assert asked == ["vnc.nowhere.invalid"]


# -- hosting displays here --------------------------------------------------------------------

@pytest.mark.asyncio
@pytest.mark.lab
async def test_hosting_reports_the_ports_xvnc_holds(xvnc_range: VncRange) -> None:
    first, last = xvnc_range.first, xvnc_range.last
    held = xvnc_range.ports
    assert free_local_ports(first, last) == [p for p in range(first, last + 1)
                                             if p not in held]
    result = await probe_vnc_hosting(first, last)
    assert result.status is Status.WARNING
    assert f"{held[0]} and {held[1]} are in use by another program (Xvnc, PIDs " in (
        result.summary), "the OS says which program holds them"
    assert result.details["in_use"] == held
    assert {int(port): holder["program"] for port, holder in
            result.details["holders"].items()} == dict.fromkeys(held, "Xvnc")
    assert "display" in result.fix


@pytest.mark.asyncio
async def test_the_xrfb_server_configured_on_this_computer_holding_its_ports_is_expected(
        xvnc_range: VncRange) -> None:
    """The user's own Xvnc runs here: the check finds it answering RFB on its ports, so
    those ports being taken is no problem; it says whose they are."""
    first, last = xvnc_range.first, xvnc_range.last
    settings = Settings.from_texts({("Xrfb", "ServerHostAddress"): "127.0.0.1",
                                    ("Xrfb", "VncPorts"): f"{first}-{last}",
                                    ("Xrfb", "ServerPortNumber"): str(closed_port())})
    results = {r.id: r for r in await check_xrfb(settings, CheckEnvironment(timeout=2.0))}
    hosting = results["vnc.hosting"]
    held = xvnc_range.ports
    assert hosting.status is Status.OK
    assert hosting.summary.startswith(
        f"{held[0]} and {held[1]} are held by the Xrfb/VNC server you configured, on this "
        "computer (Xvnc, PIDs ")
    assert hosting.summary.endswith("that is expected.")
    assert hosting.details["expected"] == held and hosting.details["in_use"] == []


@pytest.mark.asyncio
async def test_another_program_on_a_port_of_the_range_is_named(xvnc_range: VncRange) -> None:
    """A listener that is not the configured server (here: this test's own Python) is
    "another program", named with its PID, even while the configured server runs."""
    first, last = xvnc_range.first, xvnc_range.last
    spare = next(port for port in range(first, last + 1) if port not in xvnc_range.ports)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", spare))
        squatter.listen()
        result = await probe_vnc_hosting(first, last, served=xvnc_range.ports)
    assert result.status is Status.WARNING
    me = psutil.Process().name()
    assert f"{spare} is in use by another program ({me}, PID {os.getpid()})" in result.summary
    assert "held by the Xrfb/VNC server you configured" in result.summary


@pytest.mark.asyncio
async def test_hosting_ok_when_every_port_is_free() -> None:
    first = vnc_servers.free_tcp_port_block(5)
    assert free_local_ports(first, first + 4) == list(range(first, first + 4 + 1))
    result = await probe_vnc_hosting(first, first + 4)
    assert result.status is Status.OK
    assert result.fix == ""


@pytest.mark.parametrize(("ports", "text"), [
    ([5901], "5901"),
    ([5901, 5902], "5901 and 5902"),
    ([5901, 5902, 5903, 5910], "5901-5903 and 5910"),
    ([5905, 5901, 5902, 5920], "5901, 5902, 5905 and 5920"),
])
def test_ports_are_listed_as_people_write_them(ports: list[int], text: str) -> None:
    assert port_list(ports) == text


def test_range_note_explains_both_ranges() -> None:
    assert "5900-5930" in VNC_RANGE_NOTE and "5910-5999" in VNC_RANGE_NOTE
    assert "display N listens on port 5900 + N" in VNC_RANGE_NOTE
    assert "5899" in VNC_RANGE_NOTE  # the control port is opened too
    assert "ports 5910-5930" in VNC_RANGE_NOTE  # the overlap that works with both lists


@pytest.mark.asyncio
async def test_vnc_slow_name_lookup_is_named_as_such(monkeypatch: pytest.MonkeyPatch) -> None:
    def slow_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        time.sleep(0.6)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", slow_getaddrinfo)
    result, elapsed = await timed(probe_vnc_port("vnc.slow.invalid", 5901, timeout=0.3))
    assert result.status is Status.FAILED
    assert "could not be looked up within 0.3 s" in result.summary
    assert "DNS" in result.fix
    assert elapsed < 0.3 + SLACK


@pytest.mark.asyncio
async def test_a_silent_range_ends_within_its_total_time_and_says_what_was_not_checked(
) -> None:
    first = vnc_servers.free_tcp_port_block(12)
    held: list[asyncio.StreamWriter] = []

    async def mute(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)  # accepted, never a word: a VNC server that hangs

    servers = [await asyncio.start_server(mute, "127.0.0.1", port)
               for port in range(first, first + 12)]
    try:
        started = time.monotonic()
        results = await scan_vnc_range("127.0.0.1", first, first + 11, timeout=0.5,
                                       max_open=4, total=0.6)
        elapsed = time.monotonic() - started
    finally:
        for server in servers:
            server.close()
        for writer in held:
            writer.close()
    assert elapsed < 0.6 + 0.3, "the total, not 3 rounds of the timeout"
    assert len(results) == 12
    skipped = [r for r in results if r.status is Status.SKIPPED]
    assert skipped and all("was not checked" in r.summary for r in skipped)
    assert all(r.status is Status.FAILED for r in results if r not in skipped)


@pytest.mark.asyncio
async def test_a_range_too_wide_to_check_in_time_is_summed_up_not_a_crash() -> None:
    """Closed ports refuse at once, but not 5,000 of them within 0.2 s: the ones checked
    refused, the rest were not reached. The summary says both, and how to narrow it."""
    first = vnc_servers.free_tcp_port_block(10)  # a quiet stretch of loopback ports
    start = min(first, 65535 - 4999)
    results = await scan_vnc_range("127.0.0.1", start, start + 4999, timeout=0.2,
                                   total=0.2)
    reached = [r for r in results if r.status is not Status.SKIPPED]
    assert reached and len(reached) < len(results), "not a range too wide to check in time"
    summary = summarize_vnc_scan("127.0.0.1", start, start + 4999, results)
    assert summary.status is Status.FAILED
    assert "were not reached in time" in summary.summary
    if all(r.details.get("problem") == "refused" for r in reached):  # nothing else there
        assert "every port checked refused the connection" in summary.summary
        assert summary.fix.startswith("Narrow the VNC port range")
