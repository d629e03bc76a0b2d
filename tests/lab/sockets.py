"""Misbehaving TCP peers on loopback, for any probe's tests: the wrong server on the port,
a server that says nothing, one that trickles, one that floods, and a port nobody holds.

Every peer runs in a thread of the test process, on 127.0.0.1 and a port the kernel picks,
and is stopped by `stop()` (idempotent; the fixtures in conftest_sockets.py call it). The
peers count what happens to them, so a test can check what the code under test did:

- `connections`: how many connections the peer accepted;
- `closed_by_client`: how many of them the client closed (the peer saw end-of-file or a
  reset; not counted by the HTTP server), so a test can assert that a probe that timed
  out or was cancelled closed its socket: `peer.wait_closed_by_client(n, timeout)`.

The peers:

- start_http_server()          a real http.server answering GET with 200 and a small page;
                               big=True answers every request, even a malformed one (an
                               LDAP or RFB greeting), with 200 and a 10 MiB body.
- start_silent_listener()      accepts and never says anything (reads and drops what it
                               gets, to notice when the client closes).
- start_garbage_listener(data) sends `data` as soon as it accepts, then stays open and
                               silent.
- start_trickle_listener()     sends one byte per `interval` (1 s), for as long as the
                               client stays.
- start_full_listener()        a listener whose accept queue is full: connecting gets no
                               answer at all and times out (a dropping firewall).
- closed_port()                a loopback port that nothing listens on (connecting to it
                               is refused at once).
"""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from lab.ports import free_tcp_port

HOST = "127.0.0.1"
BIG_BODY_SIZE = 10 * 1024 * 1024  # what the flooding HTTP server sends
SMALL_PAGE = (b"<!DOCTYPE html>\n<html><head><title>Lab web server</title></head>"
              b"<body><p>It works: a small page from the test lab.</p></body></html>\n")
TRICKLE_DATA = b"0" * 4096  # '0' is 0x30: to an LDAP client it even looks like a start
_POLL = 0.05  # seconds between checks of the stop flag in the peers' threads


@dataclass
class Peer:
    """A running peer: where it listens and what it has seen."""

    name: str
    host: str
    port: int
    _stop: Callable[[], None] = field(repr=False, compare=False)
    _counters: _Counters = field(repr=False, compare=False)

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def connections(self) -> int:
        return self._counters.accepted

    @property
    def closed_by_client(self) -> int:
        return self._counters.closed_by_client

    def wait_closed_by_client(self, count: int = 1, timeout: float = 2.0) -> bool:
        """True once at least `count` accepted connections were closed by the client."""
        deadline = time.monotonic() + timeout
        with self._counters.changed:
            while self._counters.closed_by_client < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._counters.changed.wait(left)
        return True

    def stop(self) -> None:
        self._stop()


class _Counters:
    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.accepted = 0
        self.closed_by_client = 0

    def count_accepted(self) -> None:
        with self.changed:
            self.accepted += 1
            self.changed.notify_all()

    def count_closed(self) -> None:
        with self.changed:
            self.closed_by_client += 1
            self.changed.notify_all()


def _shut(sock: socket.socket) -> None:
    """Wake any thread blocked on `sock` (shutdown does, close alone does not) and close it."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


class TcpPeer:
    """Accepts connections in a thread and hands each to `serve(conn, stopping)` in its own
    thread: the base of every peer here, and of other labs' fakes. `serve` returns True when
    the client closed (counted in closed_by_client) and False when the peer is stopping."""

    def __init__(self, name: str, serve: Callable[[socket.socket, threading.Event], bool]):
        self.name = name
        self._serve = serve
        self._stopping = threading.Event()
        self._counters = _Counters()
        self._lock = threading.Lock()
        self._conns: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind((HOST, 0))
        self._listener.listen(16)
        self._listener.settimeout(_POLL)
        self.port = self._listener.getsockname()[1]
        accept = threading.Thread(target=self._accept_loop, name=f"lab-{name}-accept",
                                  daemon=True)
        self._threads.append(accept)
        accept.start()

    def peer(self) -> Peer:
        return Peer(self.name, HOST, self.port, self.stop, self._counters)

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._counters.count_accepted()
            with self._lock:
                if self._stopping.is_set():
                    _shut(conn)
                    return
                self._conns.append(conn)
                thread = threading.Thread(target=self._run, args=(conn,),
                                          name=f"lab-{self.name}-conn", daemon=True)
                self._threads.append(thread)
            thread.start()

    def _run(self, conn: socket.socket) -> None:
        try:
            closed = self._serve(conn, self._stopping)
        except OSError:  # reset or broken pipe: the client went away
            closed = not self._stopping.is_set()
        if closed:
            self._counters.count_closed()
        with self._lock:
            if conn in self._conns:
                self._conns.remove(conn)
        _shut(conn)

    def stop(self) -> None:
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            conns, self._conns = self._conns, []
            threads = list(self._threads)
        for conn in conns:
            _shut(conn)
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(2.0)


def client_closed(conn: socket.socket, stopping: threading.Event, wait: float) -> bool | None:
    """Read and drop what the client sends for up to `wait` seconds. True if the client
    closed (end of file or reset), False if we are stopping, None if neither happened."""
    deadline = time.monotonic() + wait
    while not stopping.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        conn.settimeout(min(_POLL, left))
        try:
            if not conn.recv(65536):
                return True
        except TimeoutError:
            continue
        except OSError:
            return True
    return False


def _until_client_closes(conn: socket.socket, stopping: threading.Event) -> bool:
    while True:
        outcome = client_closed(conn, stopping, 3600.0)
        if outcome is not None:
            return outcome


def start_silent_listener() -> Peer:
    """Accepts every connection and never sends a byte (like a stalled server)."""
    return TcpPeer("silent", _until_client_closes).peer()


def start_garbage_listener(data: bytes) -> Peer:
    """Sends `data` right after accepting (without waiting for a request), then stays silent
    until the client closes. `data` may be large: sending stops when the client goes away."""

    def serve(conn: socket.socket, stopping: threading.Event) -> bool:
        conn.settimeout(None)
        view = memoryview(data)
        while view and not stopping.is_set():
            conn.settimeout(_POLL)
            try:
                sent = conn.send(view[:65536])
            except TimeoutError:
                continue
            view = view[sent:]
        return _until_client_closes(conn, stopping)

    return TcpPeer("garbage", serve).peer()


def start_trickle_listener(data: bytes = TRICKLE_DATA, interval: float = 1.0) -> Peer:
    """Sends `data` one byte every `interval` seconds (the first at once), as long as the
    client stays; the slow-loris case for any client that waits for a whole message."""

    def serve(conn: socket.socket, stopping: threading.Event) -> bool:
        for index in range(len(data)):
            conn.sendall(data[index:index + 1])
            outcome = client_closed(conn, stopping, interval)
            if outcome is not None:
                return outcome
        return _until_client_closes(conn, stopping)

    return TcpPeer("trickle", serve).peer()


def start_full_listener() -> Peer:
    """A listener whose accept queue is full (backlog 0, one connection made by the peer
    itself and never accepted): a client's connection attempt gets no answer at all and
    times out, as behind a firewall that drops packets. `connections` stays 0."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((HOST, 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    filler = socket.create_connection((HOST, port), timeout=1.0)
    stopped = threading.Event()

    def stop() -> None:
        if not stopped.is_set():
            stopped.set()
            _shut(filler)
            listener.close()

    return Peer("full", HOST, port, stop, _Counters())


def closed_port(host: str = HOST) -> int:
    """A port on `host` that nothing listens on right now (bound once, then released),
    below the ephemeral range so no outgoing connection takes it meanwhile."""
    return free_tcp_port(host)


# -- HTTP ----------------------------------------------------------------------------------

class _QuietHandler(http.server.BaseHTTPRequestHandler):
    server_version = "LabHTTP/1.0"
    big = False
    body = SMALL_PAGE

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._answer(200, "OK")

    def do_HEAD(self) -> None:
        self._answer(200, "OK", with_body=False)

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        if not self.big:
            super().send_error(code, message, explain)
            return
        # The flooding server answers anything, even a request it cannot parse, with 10 MiB.
        self.close_connection = True
        self._raw_answer()

    def _answer(self, code: int, reason: str, with_body: bool = True) -> None:
        if self.big:
            self._raw_answer(with_body)
            return
        self.send_response(code, reason)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        if with_body:
            self.wfile.write(self.body)

    def _raw_answer(self, with_body: bool = True) -> None:
        head = (f"HTTP/1.0 200 OK\r\nServer: {self.server_version}\r\n"
                f"Content-Type: application/octet-stream\r\n"
                f"Content-Length: {len(self.body)}\r\n\r\n").encode("ascii")
        self.wfile.write(head)
        if with_body:
            self.wfile.write(self.body)


class _LabHTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, handler: type[_QuietHandler]) -> None:
        super().__init__((HOST, 0), handler)
        self.counters = _Counters()
        self.open_requests: list[socket.socket] = []

    def get_request(self) -> tuple[socket.socket, object]:
        conn, address = super().get_request()
        self.counters.count_accepted()
        self.open_requests.append(conn)
        return conn, address

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up in the middle of 10 MiB is what the tests do

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        if request in self.open_requests:
            self.open_requests.remove(request)
        super().shutdown_request(request)


def start_http_server(big: bool = False) -> Peer:
    """A real http.server on loopback: GET answers 200 with SMALL_PAGE; with big=True,
    every request, even one it cannot parse, is answered with 200 and BIG_BODY_SIZE bytes."""
    handler = type("Handler", (_QuietHandler,), {
        "big": big,
        "body": b"\0" * BIG_BODY_SIZE if big else SMALL_PAGE,
    })
    server = _LabHTTPServer(handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": _POLL},
                              name="lab-http", daemon=True)
    thread.start()
    stopped = threading.Event()

    def stop() -> None:
        if stopped.is_set():
            return
        stopped.set()
        server.shutdown()
        for conn in list(server.open_requests):
            _shut(conn)
        server.server_close()
        thread.join(2.0)

    return Peer("http-big" if big else "http", HOST, server.server_address[1], stop,
                server.counters)


__all__ = [
    "BIG_BODY_SIZE", "HOST", "SMALL_PAGE", "TRICKLE_DATA", "Peer", "TcpPeer", "client_closed",
    "closed_port", "start_full_listener", "start_garbage_listener", "start_http_server",
    "start_silent_listener", "start_trickle_listener",
]
