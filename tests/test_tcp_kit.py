"""The TCP kit every TCP probe connects with: the addresses of a name raced (RFC 8305), each
attempt's ending kept as evidence, the evidence classified (refused, silent, reset, closed,
answered...), and the peer sniffer that names what answered. Real sockets on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from cobalt_setup.probes import tcp
from cobalt_setup.probes.peer import identify, looks_like
from cobalt_setup.probes.tcp import Exchange, Outcome, open_stream, outcome, run_exchange
from cobalt_setup.probes.tcp_words import connect_problem
from lab.conftest_sockets import *  # noqa: F403
from lab.ports import free_tcp_port
from lab.sockets import Peer, start_http_server

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@contextlib.asynccontextmanager
async def server(handler: Handler, host: str = "127.0.0.1",
                 port: int = 0) -> AsyncIterator[int]:
    """A peer that runs `handler` for each connection; at the end it waits for every
    handler to see the probe hang up."""
    handlers: set[asyncio.Task[None]] = set()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        handlers.add(task)
        try:
            await handler(reader, writer)
        except ConnectionError:
            pass  # the probe reset the connection: it hung up at once, as it should
        finally:
            writer.transport.abort()

    listening = await asyncio.start_server(serve, host, port)
    try:
        yield listening.sockets[0].getsockname()[1]
    finally:
        listening.close()
        await listening.wait_closed()
        if handlers:
            await asyncio.wait(handlers, timeout=2.0)
        assert all(task.done() for task in handlers), "a handler never saw the hang-up"


async def say_nothing(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read()  # until the probe hangs up
    writer.close()


async def watch(host: str, port: int, timeout: float = 1.0,
                addresses: list[str] | None = None, wait_for_data: bool = True) -> Exchange:
    """One kit connection: connect, read what comes within the timeout, hang up."""
    exchange = Exchange(host, port, timeout)

    async def work() -> None:
        reader, writer = await open_stream(exchange, addresses)
        try:
            while wait_for_data and await tcp.read_some(reader, exchange, 4096):
                pass
        finally:
            tcp.close_quietly(writer)

    await run_exchange(exchange, work)
    return exchange


# -- what happened, as a value ---------------------------------------------------------------

@pytest.mark.asyncio
async def test_a_closed_port_is_refused_and_says_nothing_listens(closed_port: int) -> None:
    exchange = await watch("127.0.0.1", closed_port)
    assert outcome(exchange) is Outcome.REFUSED
    problem = connect_problem(exchange)
    assert problem is not None and problem.code is Outcome.REFUSED
    assert problem.summary == (f"Nothing is listening on 127.0.0.1:{closed_port}: the "
                               "connection was refused.")
    assert exchange.elapsed_ms() < 500


@pytest.mark.asyncio
async def test_a_dropped_connection_attempt_times_out(full_listener: Peer) -> None:
    started = time.monotonic()
    exchange = await watch(full_listener.host, full_listener.port, timeout=0.5)
    assert 0.45 < time.monotonic() - started < 1.0
    assert outcome(exchange) is Outcome.CONNECT_TIMEOUT
    problem = connect_problem(exchange)
    assert problem is not None and "timed out, as when a firewall silently drops it" \
        in problem.summary


@pytest.mark.asyncio
async def test_a_peer_that_accepts_and_says_nothing_is_silent() -> None:
    async with server(say_nothing) as port:
        exchange = await watch("127.0.0.1", port, timeout=0.3)
    assert outcome(exchange) is Outcome.SILENT
    assert connect_problem(exchange) is None  # connected: the service's verdict speaks


@pytest.mark.asyncio
async def test_a_peer_that_hangs_up_at_once_closed_the_connection() -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    async with server(hang_up) as port:
        exchange = await watch("127.0.0.1", port)
    assert outcome(exchange) is Outcome.CLOSED


@pytest.mark.asyncio
async def test_a_peer_that_resets_the_connection_is_told_from_one_that_closes() -> None:
    async def reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()  # closing with linger 0 sends a reset (RST)

    async with server(reset) as port:
        exchange = await watch("127.0.0.1", port)
    assert outcome(exchange) is Outcome.RESET


@pytest.mark.asyncio
async def test_a_peer_that_speaks_answered_and_its_bytes_are_kept() -> None:
    async def greet(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"SSH-2.0-OpenSSH_9.6\r\n")
        await writer.drain()
        writer.close()

    async with server(greet) as port:
        exchange = await watch("127.0.0.1", port)
    assert outcome(exchange) is Outcome.ANSWERED
    assert bytes(exchange.data) == b"SSH-2.0-OpenSSH_9.6\r\n"


@pytest.mark.asyncio
async def test_an_unknown_name_is_told_from_name_servers_that_do_not_answer(
        monkeypatch: pytest.MonkeyPatch) -> None:
    errors = {"nowhere.invalid": socket.EAI_NONAME, "slow.invalid": socket.EAI_AGAIN}

    def look_up(host: str, *args: object, **kwargs: object) -> list:
        raise socket.gaierror(errors[host], "lab")

    monkeypatch.setattr(socket, "getaddrinfo", look_up)  # nothing is looked up for real
    unknown = await watch("nowhere.invalid", 80)
    silent = await watch("slow.invalid", 80)
    assert outcome(unknown) is Outcome.UNKNOWN_HOST
    assert outcome(silent) is Outcome.LOOKUP_FAILED
    assert connect_problem(unknown).summary == "The host name 'nowhere.invalid' was not found."  # type: ignore[union-attr]
    assert "name servers did not answer" in connect_problem(silent).summary  # type: ignore[union-attr]


# -- happy eyeballs --------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_an_address_that_refuses_gives_way_to_the_next_and_is_kept_as_evidence() -> None:
    port = free_tcp_port()
    async with server(say_nothing, "127.0.0.1", port):
        exchange = await watch("cobalt.test", port, timeout=0.3,
                               addresses=["::1", "127.0.0.1"])
    assert exchange.connected and exchange.address == "127.0.0.1"
    assert exchange.tried == ["::1", "127.0.0.1"]
    assert isinstance(exchange.failures["::1"], ConnectionRefusedError)
    assert tcp.attempt_details(exchange) == {"::1": "refused", "127.0.0.1": "connected"}


@pytest.mark.asyncio
async def test_a_silent_address_does_not_hold_up_the_next_one() -> None:
    """The first address drops connection attempts (a full accept queue); the second one
    is tried after HAPPY_EYEBALLS_DELAY, not after the whole timeout, and wins."""
    port = free_tcp_port()
    dropping = socket.socket()
    dropping.bind(("127.0.0.2", port))
    dropping.listen(0)
    filler = socket.create_connection(("127.0.0.2", port), timeout=1.0)
    try:
        async with server(say_nothing, "127.0.0.3", port):
            started = time.monotonic()
            exchange = Exchange("cobalt.test", port, 5.0)
            _reader, writer = await open_stream(exchange, ["127.0.0.2", "127.0.0.3"])
            took = time.monotonic() - started
            writer.transport.abort()
    finally:
        filler.close()
        dropping.close()
    assert exchange.address == "127.0.0.3"
    assert tcp.HAPPY_EYEBALLS_DELAY <= took < tcp.HAPPY_EYEBALLS_DELAY + 0.5
    assert tcp.attempt_details(exchange) == {"127.0.0.2": "no answer",
                                             "127.0.0.3": "connected"}


@pytest.mark.asyncio
async def test_one_address_refusing_means_nothing_listens_whatever_the_others_said(
        closed_port: int) -> None:
    """As when a name's IPv6 address has no route from here and its IPv4 address refuses:
    the host answered, so the verdict is "nothing listens", not "could not connect". (The
    IPv6 attempt's ending is recorded by hand: the tests reach nothing but loopback.)"""
    exchange = Exchange("cobalt.test", closed_port, 1.0)
    exchange.tried.append("2001:db8::1")
    exchange.failures["2001:db8::1"] = OSError(101, "Network is unreachable")
    await run_exchange(exchange, lambda: open_stream(exchange, ["127.0.0.1"]))
    assert outcome(exchange) is Outcome.REFUSED
    assert tcp.attempt_details(exchange) == {"2001:db8::1": "Network is unreachable",
                                             "127.0.0.1": "refused"}


@pytest.mark.asyncio
async def test_cancelling_a_connection_attempt_closes_its_socket(full_listener: Peer) -> None:
    exchange = Exchange(full_listener.host, full_listener.port, 5.0)
    task = asyncio.ensure_future(open_stream(exchange))
    await asyncio.sleep(0.1)
    assert _open_sockets_to(full_listener.port), "the attempt should be under way"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0)
    assert _open_sockets_to(full_listener.port) == [], "the cancelled attempt left its socket"


def _open_sockets_to(port: int) -> list[str]:
    """The TCP sockets still trying to connect to `port` (SYN_SENT), from /proc."""
    found = []
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            if int(fields[2].split(":")[1], 16) == port and fields[3] == "02":
                found.append(fields[1])
    return found


# -- what is this peer? ----------------------------------------------------------------------

@pytest.mark.asyncio
async def test_a_real_web_server_is_named_with_its_status_and_program() -> None:
    web = start_http_server()
    try:
        exchange = Exchange(web.host, web.port, 2.0)

        async def ask() -> None:
            reader, writer = await open_stream(exchange)
            writer.write(b"GET / HTTP/1.0\r\n\r\n")
            while await tcp.read_some(reader, exchange, 4096):
                pass
            tcp.close_quietly(writer)

        await run_exchange(exchange, ask)
    finally:
        web.stop()
    peer = identify(exchange.data)
    assert peer.kind == "http" and peer.facts["http_status"] == 200
    assert looks_like(peer).startswith("it looks like a web server (HTTP 200 OK, server ")


@pytest.mark.parametrize(("first_bytes", "kind", "words"), [
    (b"SSH-2.0-OpenSSH_9.6\r\n", "ssh", "it looks like an SSH server (SSH-2.0-OpenSSH_9.6)"),
    (b"RFB 003.008\n", "rfb", "it looks like a VNC server (RFB 3.8)"),
    (b"\x15\x03\x03\x00\x02\x02\x32", "tls", "it looks like a secure (TLS) server"),
    (b"<?xml version='1.0'?><stream:stream", "xmpp", "it looks like a chat (XMPP) server"),
    # slapd's answer to an anonymous bind: a BindResponse (APPLICATION 1), success
    (b"0\x0c\x02\x01\x01a\x07\x0a\x01\x00\x04\x00\x04\x00", "ldap",
     "it looks like a directory (LDAP) server"),
    (b"<!DOCTYPE html><html>", "html", "it looks like a web server (it sent a web page"),
    (b"  \r\n", "blank", "it sent only blank space"),
    (b"\x00\x17hello", "other", "it sent '"),
])
def test_the_sniffer_names_each_kind_of_peer(first_bytes: bytes, kind: str, words: str) -> None:
    peer = identify(first_bytes)
    assert peer.kind == kind
    assert looks_like(peer).startswith(words)
