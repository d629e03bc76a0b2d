"""The version check (HTTP) and TeaTime probes against small private peers on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import psutil
import pytest

from cobalt_setup.probes.teatime import probe_teatime_hosting, probe_teatime_outgoing
from cobalt_setup.probes.web import probe_version_check
from cobalt_setup.result import Status
from cobalt_setup.wording import port_list
from lab.ports import free_port_block, free_tcp_port

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def open_sockets() -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(FileNotFoundError):
            count += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
    return count


class Peer:
    """A TCP server on 127.0.0.1 that runs `handler` for each connection, and remembers."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.server: asyncio.Server | None = None
        self.port = 0
        self.serving: set[asyncio.Task[None]] = set()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.serving.add(task)
        try:
            await self.handler(reader, writer)
        # Cancelled by stop() (the handler may still be sleeping): end normally, as
        # Python 3.11's start_server logs a cancelled handler as an error.
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            self.serving.discard(task)

    async def stop(self) -> None:
        """Stop serving and end every connection's handler before the test goes on."""
        assert self.server is not None
        self.server.close()
        handlers = list(self.serving)
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.server.wait_closed(), 1)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/version"


@contextlib.asynccontextmanager
async def peer(handler: Handler) -> AsyncIterator[Peer]:
    server_peer = Peer(handler)
    server = await asyncio.start_server(server_peer._serve, "127.0.0.1", 0)
    server_peer.server = server
    server_peer.port = server.sockets[0].getsockname()[1]
    try:
        yield server_peer
    finally:
        await server_peer.stop()


def http_server(head: bytes, body: bytes = b"", record: list[bytes] | None = None) -> Handler:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.readuntil(b"\r\n\r\n")
        if record is not None:
            record.append(request)
        writer.write(head + body)
        await writer.drain()
    return handler


async def until_hung_up(reader: asyncio.StreamReader) -> None:
    """Wait for the client to close or reset the connection (reads and drops its bytes)."""
    with contextlib.suppress(ConnectionError):
        while await reader.read(65536):
            pass


async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await asyncio.wait_for(until_hung_up(reader), 30)


# -- version check --------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_a_page_that_answers_is_ok_and_the_request_is_plain_http11() -> None:
    seen: list[bytes] = []
    async with peer(http_server(b"HTTP/1.1 200 OK\r\nServer: lab\r\nContent-Length: 5\r\n\r\n",
                                b"1.2.3", seen)) as server:
        result = await probe_version_check(f"http://127.0.0.1:{server.port}/version?os=linux",
                                             timeout=3.0)
    assert result.status is Status.OK, result
    assert (result.service, result.id) == ("http", "http.version-check")
    assert result.summary == "127.0.0.1 answers the version check (HTTP 200 OK)."
    assert result.fix == ""
    assert result.details["status_code"] == 200
    assert result.details["headers"]["server"] == "lab"
    lines = seen[0].decode().split("\r\n")
    assert lines[0] == "GET /version?os=linux HTTP/1.1"
    assert f"Host: 127.0.0.1:{server.port}" in lines
    assert "Connection: close" in lines


@pytest.mark.asyncio
async def test_a_redirect_is_reported_with_its_location_and_not_followed() -> None:
    seen: list[bytes] = []
    head = (b"HTTP/1.1 301 Moved Permanently\r\n"
            b"Location: http://127.0.0.1:9/elsewhere\r\nContent-Length: 0\r\n\r\n")
    async with peer(http_server(head, record=seen)) as server:
        result = await probe_version_check(server.url, timeout=3.0)
    assert result.status is Status.OK
    assert "redirects to http://127.0.0.1:9/elsewhere" in result.summary
    assert "301" in result.summary
    assert result.details["location"] == "http://127.0.0.1:9/elsewhere"
    assert len(seen) == 1  # one request, to the host in the settings only


@pytest.mark.asyncio
@pytest.mark.parametrize(("head", "words"), [
    (b"HTTP/1.1 404 Not Found\r\n\r\n", "the version check page is missing (HTTP 404 Not Found)"),
    (b"HTTP/1.0 403 Forbidden\r\n\r\n", "refuses the version check page (HTTP 403 Forbidden)"),
    (b"HTTP/1.1 503 Service Unavailable\r\n\r\n", "has a problem serving"),
])
async def test_a_server_that_answers_without_the_page_is_a_warning(head: bytes,
                                                                   words: str) -> None:
    async with peer(http_server(head)) as server:
        result = await probe_version_check(server.url, timeout=3.0)
    assert result.status is Status.WARNING
    assert words in result.summary
    assert "version check address" in result.fix


@pytest.mark.asyncio
async def test_interim_replies_are_skipped() -> None:
    head = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
    async with peer(http_server(head)) as server:
        result = await probe_version_check(server.url, timeout=3.0)
    assert result.status is Status.OK
    assert "HTTP 204 No Content" in result.summary


@pytest.mark.asyncio
async def test_refused_connection_fails() -> None:
    port = free_tcp_port()
    result = await probe_version_check(f"http://127.0.0.1:{port}/", timeout=2)
    assert result.status is Status.FAILED
    assert result.summary == (f"Nothing is listening on 127.0.0.1:{port}: the connection was "
                              "refused.")
    assert "Start the web server on 127.0.0.1, or correct the port number" in result.fix
    assert result.details["outcome"] == "refused"
    assert result.elapsed_ms < 1000


@pytest.mark.asyncio
async def test_a_silent_server_fails_within_the_timeout() -> None:
    async with peer(silent) as server:
        started = time.monotonic()
        result = await probe_version_check(server.url, timeout=0.5)
        took = time.monotonic() - started
    assert result.status is Status.FAILED
    assert "accepted the connection but sent no complete HTTP reply within 0.5 s" in \
        result.summary
    assert 0.45 <= took < 1.0


@pytest.mark.asyncio
async def test_a_ten_megabyte_page_returns_quickly() -> None:
    body = b"x" * (10 * 1024 * 1024)
    head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body)
    async with peer(http_server(head, body)) as server:
        started = time.monotonic()
        result = await probe_version_check(server.url, timeout=3)
        took = time.monotonic() - started
    assert result.status is Status.OK
    assert took < 1.0


@pytest.mark.asyncio
async def test_a_trickling_server_is_cut_off_at_the_timeout() -> None:
    async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        for byte in b"HTTP/1.1 200 OK\r\n\r\n":
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.1)

    async with peer(trickle) as server:
        started = time.monotonic()
        result = await probe_version_check(server.url, timeout=0.6)
        took = time.monotonic() - started
    assert result.status is Status.FAILED
    assert "no complete HTTP reply within 0.6 s" in result.summary
    assert took < 1.1


@pytest.mark.asyncio
@pytest.mark.parametrize(("reply", "said"), [
    (b"SSH-2.0-OpenSSH_9.2\r\n", "answered 'SSH-2.0-OpenSSH_9.2', which is not an HTTP"),
    (b"\x00\xff\x13garbage\n", "which is not an HTTP status line"),
    (b"x" * (70 * 1024), "sent more than 64 KiB of headers"),  # a line without end
    (b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
     "sent a reply that is not valid HTTP (illegal header line: 'no colon here')"),
    (b"HTTP/1.1 200 OK\r\n" + b"X-Padding: 0123456789\r\n" * 4000,  # 96 KiB of headers
     "sent more than 64 KiB of headers"),
])
async def test_something_that_is_not_a_web_server_fails(reply: bytes, said: str) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(reply)
        await writer.drain()
        await asyncio.wait_for(until_hung_up(reader), 5)

    async with peer(handler) as server:
        started = time.monotonic()
        result = await probe_version_check(server.url, timeout=3)
    assert result.status is Status.FAILED
    assert result.summary.endswith("it is not a web server.")
    assert said in result.summary
    assert time.monotonic() - started < 1.0


@pytest.mark.asyncio
async def test_a_server_that_hangs_up_without_answering_fails() -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")

    async with peer(hang_up) as server:
        result = await probe_version_check(server.url, timeout=3.0)
    assert result.status is Status.FAILED
    assert "closed the connection without answering" in result.summary


@pytest.mark.asyncio
async def test_an_unknown_host_fails_with_dns_words(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_name(*args: object, **kwargs: object) -> list:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)  # nothing is looked up for real
    result = await probe_version_check("http://www.nowhere.invalid/version", timeout=3.0)
    assert result.status is Status.FAILED
    assert result.summary == "The host name 'www.nowhere.invalid' was not found."
    assert "DNS" in result.fix and "spelling" in result.fix


@pytest.mark.asyncio
@pytest.mark.parametrize("url", ["ftp://127.0.0.1/version", "127.0.0.1/version", "http://",
                                 "http://127.0.0.1:99999/"])
async def test_an_address_that_is_not_a_web_address_fails(url: str) -> None:
    result = await probe_version_check(url, timeout=3.0)
    assert result.status is Status.FAILED
    assert "is not usable" in result.summary


@pytest.mark.asyncio
async def test_cancelling_the_check_closes_its_connection() -> None:
    connected, hung_up = asyncio.Event(), asyncio.Event()

    async def watch(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connected.set()
        await until_hung_up(reader)
        hung_up.set()

    async with peer(watch) as server:
        before = open_sockets()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            task = asyncio.create_task(probe_version_check(server.url, timeout=30))
            await asyncio.wait_for(connected.wait(), 2)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await asyncio.wait_for(hung_up.wait(), 1)  # the server sees the client go at once
            await asyncio.sleep(0.05)
            gc.collect()
        assert open_sockets() == before
    # Closed by the probe itself, not by the garbage collector warning "unclosed".
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made by the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: apt-get install openssl")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=30)
    return cert, key


needs_start_tls = pytest.mark.skipif(
    sys.version_info < (3, 11), reason="the TLS test peer needs StreamWriter.start_tls "
    "(Python 3.11 or later)")


def over_tls(handler: Handler, certificate: tuple[Path, Path]) -> Handler:
    """`handler` behind a TLS handshake that the handler's own task runs.

    Not `start_server(ssl=...)`: there the handshake runs in a task of the event loop's, so
    a handshake the client broke off (it did not trust the certificate) could still be
    running when the test ends; here `Peer.stop` waits for it like for any handler.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ssl.SSLError):
            await writer.start_tls(context)
            await handler(reader, writer)
    return serve


@contextlib.asynccontextmanager
async def tls_peer(handler: Handler, certificate: tuple[Path, Path]) -> AsyncIterator[int]:
    async with peer(over_tls(handler, certificate)) as server:
        yield server.port


async def tls_ok(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
    writer.close()


@needs_start_tls
@pytest.mark.asyncio
async def test_https_with_a_certificate_nobody_trusts_fails(
        certificate: tuple[Path, Path]) -> None:
    async with tls_peer(tls_ok, certificate) as port:
        result = await probe_version_check(f"https://127.0.0.1:{port}/version", timeout=2)
    assert result.status is Status.FAILED
    assert result.summary.startswith("127.0.0.1's security certificate is not valid")


@needs_start_tls
@pytest.mark.asyncio
async def test_https_with_a_trusted_certificate_is_ok(certificate: tuple[Path, Path],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    trusting = ssl.create_default_context(cafile=str(certificate[0]))
    monkeypatch.setattr(ssl, "create_default_context", lambda *args, **kwargs: trusting)
    async with tls_peer(tls_ok, certificate) as port:
        result = await probe_version_check(f"https://127.0.0.1:{port}/version", timeout=2)
    assert result.status is Status.OK, result
    assert "HTTP 200 OK" in result.summary


@needs_start_tls
@pytest.mark.asyncio
async def test_http_to_a_tls_port_is_not_a_web_server(certificate: tuple[Path, Path]) -> None:
    async with tls_peer(tls_ok, certificate) as port:
        result = await probe_version_check(f"http://127.0.0.1:{port}/version", timeout=2)
    assert result.status is Status.FAILED
    assert result.summary == (f"127.0.0.1 port {port} closed the connection without "
                              "answering: it is not a web server, or it expects https://.")


# -- TeaTime --------------------------------------------------------------------------------

def free_range(count: int = 10) -> tuple[int, int]:
    """`count` consecutive free loopback ports below Linux's ephemeral range."""
    first = free_port_block(count)
    return first, first + count - 1


@contextlib.contextmanager
def listeners(ports: list[int], backlog: int = 8) -> Iterator[list[socket.socket]]:
    socks = []
    try:
        for port in ports:
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", port))
            sock.listen(backlog)
            socks.append(sock)
        yield socks
    finally:
        for sock in socks:
            sock.close()


@contextlib.contextmanager
def stalled_listeners(ports: list[int]) -> Iterator[None]:
    """Listeners whose accept queue is full: Linux drops further SYNs, so connects hang.

    This is how a firewall that drops packets looks from the client, without leaving
    loopback. With listen(0) Linux queues one connection; one more is made for margin.
    """
    fillers: list[socket.socket] = []
    with listeners(ports, backlog=0):
        try:
            for port in ports:
                for _ in range(2):
                    filler = socket.socket()
                    filler.setblocking(False)
                    fillers.append(filler)
                    filler.connect_ex(("127.0.0.1", port))
            time.sleep(0.05)
            check = socket.socket()
            check.settimeout(0.2)
            try:
                check.connect(("127.0.0.1", ports[0]))
            except TimeoutError:
                pass
            else:
                pytest.skip("this kernel accepts connections beyond a full backlog")
            finally:
                check.close()
            yield
        finally:
            for filler in fillers:
                filler.close()


def test_port_list_joins_runs() -> None:
    assert port_list([6905, 6900, 6901, 6902, 6907, 6908]) == "6900-6902, 6905, 6907 and 6908"
    assert port_list([]) == ""


@pytest.mark.asyncio
async def test_outgoing_two_listening_ports_connect_and_the_rest_refuse() -> None:
    first, last = free_range()
    open_ports = [first + 2, first + 5]
    with listeners(open_ports):
        result = await probe_teatime_outgoing("127.0.0.1", first, last, timeout=1)
    assert result.status is Status.OK
    assert (result.service, result.id) == ("teatime", "teatime.outgoing")
    assert result.summary.startswith(f"Connected to 127.0.0.1 on TeaTime port {first + 2} "
                                     f"and {first + 5}; ")
    assert "refused (nothing listens there)" in result.summary
    states = {entry["port"]: entry["state"] for entry in result.details["ports"]}
    assert states == {port: "reachable" if port in open_ports else "refused"
                      for port in range(first, last + 1)}
    assert result.details["reachable"] == open_ports
    assert result.elapsed_ms < 1000


@pytest.mark.asyncio
async def test_outgoing_all_refused_means_the_path_is_open() -> None:
    first, last = free_range()
    result = await probe_teatime_outgoing("127.0.0.1", first, last, timeout=1)
    assert result.status is Status.OK
    assert result.summary == (f"Outgoing TCP {first}-{last} is not blocked: 127.0.0.1 "
                              "answered on every port, though nothing listens there yet.")


@pytest.mark.asyncio
async def test_outgoing_all_silent_is_blocked() -> None:
    first, last = free_range()
    ports = list(range(first, last + 1))
    with stalled_listeners(ports):
        started = time.monotonic()
        result = await probe_teatime_outgoing("127.0.0.1", first, last, timeout=0.5)
        took = time.monotonic() - started
    assert result.status is Status.FAILED
    assert f"your firewall or network blocks outgoing TCP {first}-{last}" in result.summary
    assert f"Allow outgoing TCP ports {first}-{last}" in result.fix
    assert {entry["state"] for entry in result.details["ports"]} == {"timeout"}
    assert 0.45 <= took < 1.0  # ten ports in parallel: one timeout, not ten


@pytest.mark.asyncio
async def test_outgoing_some_silent_some_refused_is_a_warning() -> None:
    first, last = free_range()
    with stalled_listeners([first, first + 1]):
        result = await probe_teatime_outgoing("127.0.0.1", first, last, timeout=0.4)
    assert result.status is Status.WARNING
    assert result.summary == (f"Some TeaTime ports to 127.0.0.1 are blocked: {first} and "
                              f"{first + 1} did not answer while {first + 2}-{last} did.")


@pytest.mark.asyncio
async def test_outgoing_cancel_closes_every_socket() -> None:
    first, last = free_range()
    with stalled_listeners(list(range(first, last + 1))):
        before = open_sockets()
        task = asyncio.create_task(probe_teatime_outgoing("127.0.0.1", first, last, timeout=30))
        await asyncio.sleep(0.1)
        assert open_sockets() >= before + 10
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert open_sockets() == before


@pytest.mark.asyncio
async def test_outgoing_rejects_a_range_that_is_not_one() -> None:
    with pytest.raises(ValueError, match="not a port range"):
        await probe_teatime_outgoing("127.0.0.1", 6909, 6900, timeout=1.0)


@pytest.mark.asyncio
async def test_hosting_free_range_is_ok() -> None:
    first, last = free_range()
    result = await probe_teatime_hosting(first, last)
    assert result.status is Status.OK
    assert result.id == "teatime.hosting"
    assert result.summary == f"This computer can listen on TeaTime ports {first}-{last}."


@pytest.mark.asyncio
async def test_hosting_lists_the_ports_in_use() -> None:
    first, last = free_range()
    with listeners([first + 1, first + 4]):
        # The product listens on 0.0.0.0; a program on 127.0.0.1 holds the port there too.
        result = await probe_teatime_hosting(first, last)
        on_loopback = await probe_teatime_hosting(first, last, host="127.0.0.1")
    for found in (result, on_loopback):
        assert found.status is Status.WARNING
        me = f"{psutil.Process().name()}, PID {os.getpid()}"  # the test holds them
        assert found.summary == (f"TeaTime ports {first + 1} and {first + 4} are in use by "
                                 f"another program on this computer ({me}).")
        assert "Open Cobalt router" in found.fix and "Router page" in found.fix
        assert found.details["in_use"] == [first + 1, first + 4]
    # Nothing was left listening by the check itself.
    again = await probe_teatime_hosting(first, last)
    assert again.status is Status.OK


@pytest.mark.asyncio
async def test_hosting_on_an_address_of_another_computer_fails() -> None:
    first, last = free_range()
    result = await probe_teatime_hosting(first, last, host="192.0.2.1")  # bind only: no traffic
    assert result.status is Status.FAILED
    assert "192.0.2.1 is not an address of this computer" in result.summary
