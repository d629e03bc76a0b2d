"""The Space Directory probe against real peers: slapd with and without Open Cobalt's
schema, an HTTP server, silent, trickling, flooding and garbage-sending listeners, a full
accept queue and a closed port (see lab/ldap_servers.py and lab/sockets.py)."""

from __future__ import annotations

import asyncio
import socket
import time
import tracemalloc
from collections.abc import Callable

import pytest

from cobalt_setup.probes.ldap_directory import probe_space_directory
from cobalt_setup.result import ProbeResult, Status
from lab.ldap_servers import PUBLISHED_SPACES, SUFFIX, SlapdServer
from lab.sockets import BIG_BODY_SIZE, Peer

SHORT = 1.0  # the timeout of the cases that must wait for it
SLACK = 0.5  # how much later than its timeout a probe may return


async def must_not_resolve(name: str, port: int) -> list[str]:
    raise AssertionError(f"{name} should not have been looked up")


async def probe(host: str, port: int, timeout: float = 3.0, **kwargs: object
                ) -> tuple[ProbeResult, float]:
    started = time.monotonic()
    result = await probe_space_directory(host, port, timeout=timeout, **kwargs)
    return result, time.monotonic() - started


async def closed_by_probe(peer: Peer, count: int = 1) -> bool:
    return await asyncio.to_thread(peer.wait_closed_by_client, count, 2.0)


# -- LDAP servers ---------------------------------------------------------------------------

@pytest.mark.lab
@pytest.mark.asyncio
async def test_open_cobalt_directory_says_how_many_spaces_are_published(
        cobalt_slapd: SlapdServer) -> None:
    result, elapsed = await probe(cobalt_slapd.host, cobalt_slapd.port,
                                  resolve=must_not_resolve)
    assert result.status is Status.OK, result
    assert (result.id, result.service) == ("ldap.directory", "ldap")
    assert f"{PUBLISHED_SPACES} spaces published" in result.summary
    assert "Open Cobalt Space Directory" in result.summary
    assert result.fix == ""
    assert result.details["spaces"] == PUBLISHED_SPACES
    assert result.details["publishers"] == 2
    assert result.details["naming_contexts"] == [SUFFIX]
    assert 3 in result.details["versions"]
    assert result.details["spaces_truncated"] is False
    assert elapsed < 2.0


@pytest.mark.lab
@pytest.mark.asyncio
async def test_directory_found_through_the_name_localhost(cobalt_slapd: SlapdServer) -> None:
    result, _ = await probe("localhost", cobalt_slapd.port)
    assert result.status is Status.OK, result
    assert result.target == f"localhost:{cobalt_slapd.port}"
    assert result.details["address"] == "127.0.0.1"
    assert result.details["spaces"] == PUBLISHED_SPACES


@pytest.mark.lab
@pytest.mark.asyncio
async def test_plain_ldap_server_is_not_an_open_cobalt_directory(
        plain_slapd: SlapdServer) -> None:
    result, _ = await probe(plain_slapd.host, plain_slapd.port)
    assert result.status is Status.WARNING, result
    assert "LDAP server answers" in result.summary
    assert "not an Open Cobalt Space Directory" in result.summary
    assert "openCobaltSpaces" in result.summary
    assert "schema extension" in result.fix and "right Space Directory" in result.fix
    assert result.details["open_cobalt_schema"] is False
    assert result.details["naming_contexts"] == [SUFFIX]


@pytest.mark.lab
@pytest.mark.asyncio
async def test_server_refusing_anonymous_bind_is_a_warning(private_slapd: SlapdServer) -> None:
    result, _ = await probe(private_slapd.host, private_slapd.port)
    assert result.status is Status.WARNING, result
    assert "refuses anonymous access" in result.summary
    assert "inappropriateAuthentication" in result.summary
    assert "anonymous read access" in result.fix


@pytest.mark.asyncio
async def test_an_ldaps_only_port_is_named_as_such(ldaps_slapd: SlapdServer) -> None:
    """slapd on an LDAPS-only port hangs up on a plain bind; asked again inside TLS it
    answers, so the words say what it is (and never "not an LDAP server")."""
    result, _ = await probe(ldaps_slapd.host, ldaps_slapd.port)
    assert result.status is Status.FAILED
    assert result.summary == (
        f"{ldaps_slapd.host} port {ldaps_slapd.port} speaks LDAP only inside TLS (LDAPS): it "
        "hung up on a plain LDAP request and answered the same request inside TLS. Open "
        "Cobalt connects with plain LDAP.")
    assert result.details["reason"] == "ldaps_only"
    assert "plain LDAP port" in result.fix


@pytest.mark.asyncio
async def test_a_server_that_hangs_up_is_not_called_something_else() -> None:
    """A peer that reads the request and hangs up, with no TLS either: said as it
    happened."""
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    try:
        port = server.sockets[0].getsockname()[1]
        result, _ = await probe("127.0.0.1", port)
    finally:
        server.close()
        await server.wait_closed()
    assert result.status is Status.FAILED
    assert result.summary == (
        f"127.0.0.1 port {port} accepted the connection, then closed it without answering "
        "the LDAP request (nor one inside TLS).")


# -- nothing there, or too slow ----------------------------------------------------------------

@pytest.mark.asyncio
async def test_closed_port_is_refused(closed_port: int) -> None:
    result, elapsed = await probe("127.0.0.1", closed_port)
    assert result.status is Status.FAILED
    assert result.summary == (f"Nothing is listening on 127.0.0.1:{closed_port}: the "
                              "connection was refused.")
    assert "Start the Space Directory (LDAP) server on 127.0.0.1" in result.fix
    assert "correct the port number" in result.fix
    assert result.details["attempts"] == {"127.0.0.1": "refused"}
    assert elapsed < 1.0


@pytest.mark.asyncio
async def test_connection_that_gets_no_answer_times_out(full_listener: Peer) -> None:
    result, elapsed = await probe(full_listener.host, full_listener.port, SHORT)
    assert result.status is Status.FAILED
    assert "timed out" in result.summary and result.details["stage"] == "connect"
    assert "firewall" in result.fix
    assert SHORT - 0.1 < elapsed < SHORT + SLACK


@pytest.mark.asyncio
async def test_server_that_accepts_and_says_nothing_times_out(silent_listener: Peer) -> None:
    result, elapsed = await probe(silent_listener.host, silent_listener.port, SHORT)
    assert result.status is Status.FAILED
    assert "did not answer the LDAP request" in result.summary
    assert "timed out" in result.summary
    assert elapsed < SHORT + SLACK
    assert result.elapsed_ms < (SHORT + SLACK) * 1000
    assert await closed_by_probe(silent_listener), "the probe left its connection open"


@pytest.mark.asyncio
async def test_server_trickling_a_byte_a_second_times_out(trickle_listener: Peer) -> None:
    result, elapsed = await probe(trickle_listener.host, trickle_listener.port, SHORT)
    assert result.status is Status.FAILED
    assert "timed out" in result.summary
    assert elapsed < SHORT + SLACK
    assert await closed_by_probe(trickle_listener), "the probe left its connection open"


@pytest.mark.asyncio
async def test_ldap_server_that_stalls_after_the_bind_times_out(mute_ldap_server: Peer) -> None:
    result, elapsed = await probe(mute_ldap_server.host, mute_ldap_server.port, SHORT)
    assert result.status is Status.FAILED
    assert "LDAP server answers" in result.summary
    assert "did not finish answering" in result.summary
    assert result.details["stage"] == "directory"
    assert elapsed < SHORT + SLACK
    # The first contact and the worker thread's ldap3 connection are both closed.
    assert await closed_by_probe(mute_ldap_server, 2), "the worker's connection stayed open"


# -- the wrong server on the port ----------------------------------------------------------------

@pytest.mark.asyncio
async def test_http_server_is_not_ldap(http_server: Peer) -> None:
    result, elapsed = await probe(http_server.host, http_server.port)
    assert result.status is Status.FAILED
    assert f"answers on port {http_server.port}" in result.summary
    assert "it is not an LDAP server" in result.summary
    assert "web server" in result.summary
    assert "1389" in result.fix
    assert elapsed < 1.0  # http.server answered at once: it did not wait for our timeout


@pytest.mark.parametrize(("data", "guess"), [
    (b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", "SSH server"),
    (b"RFB 003.008\n", "VNC server"),
    (bytes(range(255, 0, -1)), ""),
    (b"0\x05\x02\x01\x01\x04\x00", ""),  # an LDAP-like SEQUENCE with no operation in it
])
@pytest.mark.asyncio
async def test_garbage_is_not_ldap(garbage_listener: Callable[[bytes], Peer], data: bytes,
                                   guess: str) -> None:
    peer = garbage_listener(data)
    result, elapsed = await probe(peer.host, peer.port)
    assert result.status is Status.FAILED, result
    assert f"answers on port {peer.port}" in result.summary
    assert "it is not an LDAP server" in result.summary
    assert guess in result.summary
    assert elapsed < 1.0
    assert await closed_by_probe(peer)


@pytest.mark.parametrize("flood", ["http", "ldap-header"])
@pytest.mark.asyncio
async def test_ten_megabyte_reply_is_not_ldap_and_is_not_read(
        flood: str, big_http_server: Peer,
        garbage_listener: Callable[[bytes], Peer]) -> None:
    if flood == "http":
        peer = big_http_server
    else:  # an LDAP-looking SEQUENCE that announces (and sends) 10 MiB
        peer = garbage_listener(b"\x30\x84" + BIG_BODY_SIZE.to_bytes(4, "big")
                                + b"\0" * BIG_BODY_SIZE)
    tracemalloc.start()
    try:
        result, elapsed = await probe(peer.host, peer.port)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.status is Status.FAILED, result
    assert "it is not an LDAP server" in result.summary
    assert elapsed < 1.0
    assert peak < 2 * 1024 * 1024, f"the probe held {peak} bytes of a 10 MiB reply"


# -- names ---------------------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_name_that_does_not_resolve() -> None:
    asked: list[tuple[str, int]] = []

    async def resolver_without_the_name(name: str, port: int) -> list[str]:
        asked.append((name, port))  # what getaddrinfo raises for an unknown name:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    result, _ = await probe("directory.example.invalid", 1389,
                            resolve=resolver_without_the_name)
    assert asked == [("directory.example.invalid", 1389)]
    assert result.status is Status.FAILED
    assert "does not resolve" in result.summary
    assert "directory.example.invalid" in result.summary
    assert "spelling" in result.fix and "DNS" in result.fix


@pytest.mark.asyncio
async def test_name_look_up_that_hangs_ends_on_time() -> None:
    async def hanging_resolver(name: str, port: int) -> list[str]:
        await asyncio.sleep(3600)
        return []

    result, elapsed = await probe("directory.example.invalid", 1389, SHORT,
                                  resolve=hanging_resolver)
    assert result.status is Status.FAILED
    assert "Looking up directory.example.invalid took longer" in result.summary
    assert elapsed < SHORT + SLACK


@pytest.mark.asyncio
async def test_invalid_host_name_is_reported_without_a_look_up() -> None:
    result, _ = await probe("space directory", 1389, resolve=must_not_resolve)
    assert result.status is Status.FAILED
    assert "not a valid host name" in result.summary
    assert "space" in result.summary


# -- cancellation -------------------------------------------------------------------------------

async def wait_for_connections(peer: Peer, count: int) -> None:
    deadline = time.monotonic() + 2.0
    while peer.connections < count:
        assert time.monotonic() < deadline, f"only {peer.connections} connections"
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)  # let the probe settle into its wait


@pytest.mark.parametrize("where", ["first contact", "directory"])
@pytest.mark.asyncio
async def test_cancelling_the_probe_returns_at_once_and_closes_its_connections(
        where: str, silent_listener: Peer, mute_ldap_server: Peer) -> None:
    # The silent peer stalls the first contact; the mute LDAP server accepts the bind and
    # stalls the worker thread's directory queries (its 2nd connection).
    peer, connections = ((silent_listener, 1) if where == "first contact"
                         else (mute_ldap_server, 2))
    task = asyncio.create_task(probe_space_directory(peer.host, peer.port, timeout=10.0))
    await wait_for_connections(peer, connections)
    assert not task.done()
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 0.2
    assert await closed_by_probe(peer, connections), "a cancelled probe left a connection open"
