"""The chat (XMPP) probe against a real prosody, its main verdicts against both real servers
(prosody and ejabberd), and against small hostile peers of our own (a web server, garbage,
silence, a trickle, an XML bomb, a flood, scripted stream errors)."""

from __future__ import annotations

import asyncio
import gc
import ssl
import time
import tracemalloc
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest

from cobalt_setup.probes import xmpp
from cobalt_setup.probes.xmpp import probe_xmpp
from cobalt_setup.result import Status
from lab.conftest_xmpp import XmppServer
from lab.ejabberd_server import EjabberdServer
from lab.xmpp_servers import XMPP_DOMAIN, ProsodyServer, free_tcp_ports

LOOPBACK = "127.0.0.1"
SLACK = 0.5  # seconds a probe may take beyond its timeout

# -- private peers ----------------------------------------------------------------------------

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@dataclass
class Peer:
    port: int
    connections: int = 0
    hangups: list[float] = field(default_factory=list)  # when each client went away
    writers: list[asyncio.StreamWriter] = field(default_factory=list)


@asynccontextmanager
async def peer(handler: Handler) -> AsyncIterator[Peer]:
    """A TCP server on loopback running `handler` for each connection; notes when the
    client hangs up (the handler's reads see the end of the stream)."""
    state = Peer(0)
    serving: set[asyncio.Task[None]] = set()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        serving.add(task)
        state.connections += 1
        state.writers.append(writer)
        try:
            await handler(reader, writer)
            while await reader.read(65536):  # then wait for the client to go
                pass
        # Cancelled when the peer stops: end normally, as Python 3.11's start_server logs
        # a cancelled handler as an error.
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            state.hangups.append(time.monotonic())
            writer.transport.abort()
            serving.discard(task)

    server = await asyncio.start_server(serve, LOOPBACK, 0)
    state.port = server.sockets[0].getsockname()[1]
    try:
        yield state
    finally:
        server.close()
        for writer in state.writers:
            writer.transport.abort()
        handlers = list(serving)  # a handler may still be sleeping: end it here
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers)


async def read_client_header(reader: asyncio.StreamReader) -> bytes:
    """What the probe sends first: its stream header, read up to the end of the tag."""
    data = b""
    while b"version='1.0'>" not in data:
        chunk = await reader.read(1024)
        if not chunk:
            break
        data += chunk
    return data


def server_header(domain: str = XMPP_DOMAIN) -> bytes:
    return (f"<?xml version='1.0'?><stream:stream id='lab-1' from='{domain}' "
            "xmlns:stream='http://etherx.jabber.org/streams' version='1.0' "
            "xmlns='jabber:client'>").encode()


FEATURES_STARTTLS = (b"<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"
                     b"<required/></starttls></stream:features>")


def stream_error(condition: str, text: str = "", detail: str = "") -> bytes:
    ns = "urn:ietf:params:xml:ns:xmpp-streams"
    body = f"<{condition} xmlns='{ns}'>{detail}</{condition}>" if detail else \
        f"<{condition} xmlns='{ns}'/>"
    if text:
        body += f"<text xmlns='{ns}'>{text}</text>"
    return server_header() + f"<stream:error>{body}</stream:error></stream:stream>".encode()


def closed_port() -> int:
    return free_tcp_ports(1)[0]


async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Accepts, then says nothing."""


# -- against prosody --------------------------------------------------------------------------

@pytest.mark.lab
@pytest.mark.asyncio
async def test_prosody_answers_with_starttls_required(prosody: ProsodyServer) -> None:
    result = await probe_xmpp(XMPP_DOMAIN, prosody.host, prosody.port, timeout=3.0,
                              direct_tls_port=prosody.direct_tls_port)
    assert result.status is Status.OK, (result, prosody.log_text())
    assert result.service == "xmpp" and result.id == "xmpp.client"
    assert "answers for chat.cobalt.test" in result.summary
    assert "offers STARTTLS (required)" in result.summary
    assert result.fix == ""
    assert result.details["starttls"] is True
    assert result.details["starttls_required"] is True
    assert result.details["mechanisms"] == []  # prosody shows them only after TLS
    assert result.details["stream_version"] == "1.0"
    assert result.details["stream_id"]
    assert "Client sent opening <stream:stream> to chat.cobalt.test" in prosody.log_text()
    assert result.elapsed_ms < 3000


@pytest.mark.lab
@pytest.mark.asyncio
async def test_prosody_direct_tls_is_reported(prosody: ProsodyServer) -> None:
    result = await probe_xmpp(XMPP_DOMAIN, prosody.host, prosody.port, timeout=3.0,
                              direct_tls_port=prosody.direct_tls_port)
    direct = result.details["direct_tls"]
    assert direct["status"] == "ok", direct
    assert direct["port"] == prosody.direct_tls_port
    assert f"direct TLS on port {prosody.direct_tls_port} works" in result.summary
    assert direct["tls_version"].startswith("TLS")
    # Inside TLS prosody lists its login mechanisms, PLAIN among them.
    assert "PLAIN" in direct["mechanisms"]
    certificate = direct["certificate"]
    assert certificate["subject"] == "CN=chat.cobalt.test"
    assert certificate["issuer"] == "CN=chat.cobalt.test"
    assert certificate["verifies"] is False  # self-signed: not in the system's store
    assert "self" in certificate["verify_error"].lower()
    # The direct TLS stream really reached prosody's TLS port.
    assert direct["stream_id"] and direct["stream_id"] != result.details["stream_id"]
    assert "Stream encrypted" in prosody.log_text()


@pytest.mark.lab
@pytest.mark.asyncio
async def test_prosody_certificate_that_verifies(prosody: ProsodyServer,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """With the lab certificate trusted, the same server's certificate verifies, and its
    names (read by the ssl module this time) are the same."""
    assert prosody.certificate is not None
    trusted = ssl.create_default_context(cafile=str(prosody.certificate))
    monkeypatch.setattr(xmpp.connection, "trust_context", lambda: trusted)
    result = await probe_xmpp(XMPP_DOMAIN, prosody.host, prosody.port, timeout=3.0,
                              direct_tls_port=prosody.direct_tls_port)
    certificate = result.details["direct_tls"]["certificate"]
    assert certificate["verifies"] is True, certificate
    assert "verify_error" not in certificate
    assert certificate["subject"] == "CN=chat.cobalt.test"
    assert certificate["issuer"] == "CN=chat.cobalt.test"
    assert certificate["not_after"]


@pytest.mark.lab
@pytest.mark.asyncio
async def test_prosody_other_domain_is_host_unknown(prosody: ProsodyServer) -> None:
    result = await probe_xmpp("other.cobalt.test", prosody.host, prosody.port, timeout=3.0,
                              direct_tls_port=prosody.direct_tls_port)
    assert result.status is Status.FAILED
    assert "does not serve other.cobalt.test: check the chat domain" in result.summary
    assert "chat domain" in result.fix
    assert result.details["stream_error"] == "host-unknown"
    assert result.details["direct_tls"]["status"] == "failed"
    assert "no certificate for other.cobalt.test" in result.details["direct_tls"]["reason"]


@pytest.mark.lab
@pytest.mark.asyncio
async def test_prosody_optional_starttls_shows_mechanisms(
        prosody_optional_tls: ProsodyServer) -> None:
    server = prosody_optional_tls
    result = await probe_xmpp(XMPP_DOMAIN, server.host, server.port, timeout=3.0,
                              direct_tls_port=None)
    assert result.status is Status.OK, result
    assert "offers STARTTLS (optional)" in result.summary
    assert result.details["starttls_required"] is False
    assert "SCRAM-SHA-1" in result.details["mechanisms"]
    assert "PLAIN" not in result.details["mechanisms"]  # held back until TLS
    assert result.details["direct_tls"]["status"] == "skipped"


@pytest.mark.lab
@pytest.mark.asyncio
async def test_prosody_without_tls_warns_of_clear_passwords(
        prosody_without_tls: ProsodyServer) -> None:
    server = prosody_without_tls
    result = await probe_xmpp(XMPP_DOMAIN, server.host, server.port, timeout=3.0,
                              direct_tls_port=None)
    assert result.status is Status.WARNING
    assert "offers no STARTTLS: passwords would cross the network in clear" in result.summary
    assert "certificate" in result.fix
    assert result.details["starttls"] is False
    assert "PLAIN" in result.details["mechanisms"]


@pytest.mark.lab
@pytest.mark.asyncio
async def test_missing_direct_tls_port_is_a_warning(
        prosody_optional_tls: ProsodyServer) -> None:
    server = prosody_optional_tls
    missing = closed_port()
    result = await probe_xmpp(XMPP_DOMAIN, server.host, server.port, timeout=3.0,
                              direct_tls_port=missing)
    assert result.status is Status.WARNING
    assert f"direct TLS on port {missing} does not work (optional, legacy)" in result.summary
    assert "refused" in result.summary
    assert "optional and legacy" in result.fix
    assert result.details["direct_tls"]["status"] == "failed"


@pytest.mark.lab
@pytest.mark.asyncio
async def test_plain_stream_to_the_direct_tls_port_fails(prosody: ProsodyServer) -> None:
    assert prosody.direct_tls_port is not None
    result = await probe_xmpp(XMPP_DOMAIN, prosody.host, prosody.direct_tls_port, timeout=2.0,
                              direct_tls_port=None)
    assert result.status is Status.FAILED
    assert "without answering as an XMPP server" in result.summary


# -- against both real servers (prosody and ejabberd) --------------------------------------

@pytest.mark.lab
@pytest.mark.asyncio
async def test_both_servers_answer_with_starttls_required(xmpp_server: XmppServer) -> None:
    server = xmpp_server
    result = await probe_xmpp(XMPP_DOMAIN, server.host, server.port, timeout=3.0,
                              direct_tls_port=server.direct_tls_port)
    assert result.status is Status.OK, (result, server.log_text())
    assert result.details["code"] == "ok"
    assert f"The XMPP server at {server.host}:{server.port} answers for chat.cobalt.test" \
        in result.summary
    assert "offers STARTTLS (required)" in result.summary
    assert result.fix == ""
    assert result.details["starttls"] is True
    assert result.details["starttls_required"] is True
    # Both show only <starttls><required/></starttls> before TLS (ejabberd once
    # starttls_required is set: by default it offers no STARTTLS at all).
    assert result.details["features"] == ["starttls"]
    assert result.details["mechanisms"] == []
    assert result.details["stream_version"] == "1.0"
    assert result.details["stream_from"] == XMPP_DOMAIN
    assert result.details["stream_id"]


@pytest.mark.lab
@pytest.mark.asyncio
async def test_both_servers_direct_tls_is_reported(xmpp_server: XmppServer) -> None:
    server = xmpp_server
    result = await probe_xmpp(XMPP_DOMAIN, server.host, server.port, timeout=3.0,
                              direct_tls_port=server.direct_tls_port)
    assert result.status is Status.OK, (result, server.log_text())
    direct = result.details["direct_tls"]
    assert direct["status"] == "ok", direct
    assert direct["port"] == server.direct_tls_port
    assert f"direct TLS on port {server.direct_tls_port} works too" in result.summary
    assert direct["tls_version"].startswith("TLS")
    assert direct["stream_from"] == XMPP_DOMAIN
    # Inside TLS both list their login mechanisms, PLAIN and SCRAM-SHA-1 among them.
    assert "PLAIN" in direct["mechanisms"]
    assert "SCRAM-SHA-1" in direct["mechanisms"]
    certificate = direct["certificate"]
    assert certificate["subject"] == "CN=chat.cobalt.test"
    assert certificate["issuer"] == "CN=chat.cobalt.test"
    assert certificate["verifies"] is False  # self-signed: not in the system's store
    assert "self" in certificate["verify_error"].lower()
    # Two streams, two ids: the direct TLS one really reached the TLS port.
    assert direct["stream_id"] and direct["stream_id"] != result.details["stream_id"]


@pytest.mark.lab
@pytest.mark.asyncio
async def test_both_servers_say_another_domain_is_host_unknown(
        xmpp_server: XmppServer) -> None:
    server = xmpp_server
    result = await probe_xmpp("other.cobalt.test", server.host, server.port, timeout=3.0,
                              direct_tls_port=server.direct_tls_port)
    assert result.status is Status.FAILED, (result, server.log_text())
    assert result.details["code"] == "host-unknown"
    assert result.summary == (f"The server at {server.host}:{server.port} does not serve "
                              "other.cobalt.test: check the chat domain.")
    assert "chat domain" in result.fix
    assert "add other.cobalt.test to the server's hosts" in result.fix
    assert result.details["stream_error"] == "host-unknown"
    direct = result.details["direct_tls"]
    assert direct["status"] == "failed"
    # Here the two servers differ, and the probe says so truthfully. prosody has no
    # certificate for the name asked for (SNI) and ends the TLS handshake with an
    # unrecognized_name alert; ejabberd completes the handshake with the only certificate
    # it has and refuses the domain in the stream that follows (host-unknown again).
    if isinstance(server, EjabberdServer):
        assert direct["code"] == "host-unknown", direct
        assert direct["stream_error"] == "host-unknown"
        assert direct["reason"] == (f"The server at {server.host}:{server.direct_tls_port} "
                                    "does not serve other.cobalt.test: check the chat "
                                    "domain.")
        assert direct["certificate"]["subject"] == "CN=chat.cobalt.test"
    else:
        assert direct["code"] == "tls_failed", direct
        assert "no certificate for other.cobalt.test" in direct["reason"]
        assert "stream_error" not in direct


# -- not a chat server --------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_refused() -> None:
    port = closed_port()
    started = time.monotonic()
    result = await probe_xmpp(XMPP_DOMAIN, LOOPBACK, port, timeout=3.0, direct_tls_port=None)
    assert time.monotonic() - started < 1.0
    assert result.status is Status.FAILED
    assert f"Nothing is listening on {LOOPBACK}:{port}: the connection was refused" \
        in result.summary
    assert "Start the chat (XMPP) server" in result.fix


@pytest.mark.asyncio
async def test_web_server_is_not_xmpp() -> None:
    async def http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1024)
        writer.write(b"HTTP/1.1 400 Bad Request\r\nServer: lab\r\nContent-Length: 0\r\n\r\n")
        writer.close()

    async with peer(http) as web:
        result = await probe_xmpp(XMPP_DOMAIN, LOOPBACK, web.port, timeout=2.0,
                                  direct_tls_port=None)
    assert result.status is Status.FAILED
    assert "answered, but not as an XMPP server" in result.summary
    assert "it looks like a web server (HTTP 400 Bad Request, server lab)" in result.summary


@pytest.mark.asyncio
async def test_a_tls_server_that_answers_with_an_alert_is_named() -> None:
    """prosody and OpenSSL's s_server just hang up on a plain stream header (see
    test_plain_stream_to_the_direct_tls_port_fails); some TLS servers send an alert
    first, and the verdict then names the TLS server and its likely port."""
    async def tls_alert(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1024)
        writer.write(b"\x15\x03\x01\x00\x02\x02\x46")  # fatal alert: protocol_version
        writer.close()

    async with peer(tls_alert) as secure:
        result = await probe_xmpp(XMPP_DOMAIN, LOOPBACK, secure.port, timeout=2.0,
                                  direct_tls_port=None)
    assert result.status is Status.FAILED
    assert result.summary == (f"{LOOPBACK}:{secure.port} answered, but not as an XMPP server: "
                              "it looks like a secure (TLS) server, which needs an encrypted "
                              "connection.")
    assert "direct TLS port (usually 5223)" in result.fix


@pytest.mark.asyncio
async def test_garbage_is_not_xmpp() -> None:
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"\x00\x17\xffhello there\r\n")

    async with peer(garbage) as junk:
        result = await probe_xmpp(XMPP_DOMAIN, LOOPBACK, junk.port, timeout=2.0,
                                  direct_tls_port=None)
    assert result.status is Status.FAILED
    assert "not as an XMPP server" in result.summary
    assert "hello there" in result.summary


@pytest.mark.asyncio
async def test_other_xml_is_not_xmpp() -> None:
    async def html(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"<html><body>hi</body></html>")

    async with peer(html) as page:
        result = await probe_xmpp(XMPP_DOMAIN, LOOPBACK, page.port, timeout=2.0,
                                  direct_tls_port=None)
    assert result.status is Status.FAILED
    assert "not as an XMPP server" in result.summary and "<html>" in result.summary


# -- slow and silent peers --------------------------------------------------------------------

@pytest.mark.asyncio
async def test_silent_listener_times_out_within_the_timeout() -> None:
    async with peer(silent) as quiet:
        started = time.monotonic()
        # Both halves (the stream and direct TLS) wait on silent ports at the same time.
        result = await probe_xmpp(XMPP_DOMAIN, LOOPBACK, quiet.port, timeout=1.0,
                                  direct_tls_port=quiet.port)
        elapsed = time.monotonic() - started
    assert 0.9 < elapsed < 1.0 + SLACK
    assert result.status is Status.FAILED
    assert "accepted the connection but sent no XMPP stream within 1 s" in result.summary
    assert "TLS handshake did not finish within 1 s" in result.details["direct_tls"]["reason"]


@pytest.mark.asyncio
async def test_trickle_is_cut_at_the_timeout() -> None:
    async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_client_header(reader)
        for byte in server_header() + FEATURES_STARTTLS:
            writer.write(bytes([byte]))
            await asyncio.sleep(0.2)

    async with peer(trickle) as slow:
        started = time.monotonic()
        result = await probe_xmpp(XMPP_DOMAIN, LOOPBACK, slow.port, timeout=1.0,
                                  direct_tls_port=None)
        elapsed = time.monotonic() - started
    assert elapsed < 1.0 + SLACK
    assert result.status is Status.FAILED
    assert "no complete XMPP stream header within 1 s" in result.summary


@pytest.mark.asyncio
async def test_reply_in_one_byte_pieces_is_read_in_time() -> None:
    """A server whose reply arrives a byte at a time, but within the timeout, is fine."""
    async def pieces(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_client_header(reader)
        for byte in server_header() + FEATURES_STARTTLS:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.001)

    async with peer(pieces) as slow:
        result = await probe_xmpp(XMPP_DOMAIN, LOOPBACK, slow.port, timeout=3.0,
                                  direct_tls_port=None)
    assert result.status is Status.OK, result
    assert result.details["starttls_required"] is True
    assert result.details["stream_id"] == "lab-1"


# -- hostile replies ------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version='1.0'?>
<!DOCTYPE stream:stream [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<stream:stream id='&lol9;' from='chat.cobalt.test' xmlns='jabber:client'
 xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>
<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>
<mechanism>&lol9;</mechanism></mechanisms></stream:features>"""


async def probe_measuring_memory(port: int, timeout: float) -> tuple[object, int, float]:
    """The result, the peak of Python memory allocated meanwhile (bytes), the seconds."""
    tracemalloc.start()
    try:
        started = time.monotonic()
        result = await probe_xmpp(XMPP_DOMAIN, LOOPBACK, port, timeout=timeout,
                                  direct_tls_port=None)
        elapsed = time.monotonic() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak, elapsed


@pytest.mark.asyncio
async def test_xml_bomb_is_refused_unread() -> None:
    async def bomb(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_client_header(reader)
        writer.write(BILLION_LAUGHS)

    async with peer(bomb) as hostile:
        result, peak, elapsed = await probe_measuring_memory(hostile.port, 3.0)
    assert result.status is Status.FAILED  # type: ignore[attr-defined]
    assert "document type declaration (DTD), which XMPP forbids" in result.summary  # type: ignore[attr-defined]
    assert "stream_id" not in result.details  # type: ignore[attr-defined]
    assert peak < 2 * 1024 * 1024, f"{peak} bytes"  # expanded, lol9 is 3 GB
    assert elapsed < 1.0


@pytest.mark.asyncio
async def test_ten_megabyte_reply_is_capped() -> None:
    chunk = b"<x/>" * 16384  # 64 KiB of elements that never end the features
    sent = 0

    async def flood(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal sent
        await read_client_header(reader)
        writer.write(server_header() + b"<stream:features>")
        while sent < 10 * 1024 * 1024:
            writer.write(chunk)
            await writer.drain()
            sent += len(chunk)

    async with peer(flood) as hostile:
        result, peak, elapsed = await probe_measuring_memory(hostile.port, 3.0)
    assert result.status is Status.FAILED  # type: ignore[attr-defined]
    assert "sent more than 64 KiB" in result.summary  # type: ignore[attr-defined]
    assert result.details["received_bytes"] == 64 * 1024  # type: ignore[attr-defined]
    assert sent < 10 * 1024 * 1024  # the probe hung up long before the end
    assert peak < 4 * 1024 * 1024, f"{peak} bytes"
    assert elapsed < 1.0


@pytest.mark.parametrize(("reply", "words"), [
    (stream_error("see-other-host", detail="chat2.cobalt.test"),
     "sends chat clients for chat.cobalt.test to another server: chat2.cobalt.test"),
    (stream_error("policy-violation", text="Too many connections"),
     "refused this computer by its policy (\u201cToo many connections\u201d)"),
    (stream_error("system-shutdown"), "is shutting down"),
    (stream_error("undefined-condition", text="oops"),
     "ended the stream with the error \u201cundefined-condition\u201d (\u201coops\u201d)"),
])
@pytest.mark.asyncio
async def test_stream_errors_in_plain_words(reply: bytes, words: str) -> None:
    async def refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_client_header(reader)
        writer.write(reply)

    async with peer(refuse) as server:
        result = await probe_xmpp(XMPP_DOMAIN, LOOPBACK, server.port, timeout=2.0,
                                  direct_tls_port=None)
    assert result.status is Status.FAILED
    assert words in result.summary
    assert result.fix


@pytest.mark.asyncio
async def test_probe_says_goodbye_to_the_server() -> None:
    """After reading the features, the probe closes its stream with </stream:stream>."""
    received = bytearray()

    async def xmpp_server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.extend(await read_client_header(reader))
        writer.write(server_header() + FEATURES_STARTTLS)
        while chunk := await reader.read(1024):
            received.extend(chunk)

    async with peer(xmpp_server) as server:
        result = await probe_xmpp(XMPP_DOMAIN, LOOPBACK, server.port, timeout=2.0,
                                  direct_tls_port=None)
    assert result.status is Status.OK
    assert bytes(received).startswith(b"<?xml version='1.0'?><stream:stream to='"
                                      b"chat.cobalt.test'")
    assert bytes(received).endswith(b"</stream:stream>")


# -- cancellation and bad input ---------------------------------------------------------------

@pytest.mark.asyncio
async def test_cancelling_returns_promptly_and_closes_the_sockets() -> None:
    with warnings.catch_warnings(record=True) as caught:
        # A transport left for the garbage collector warns "unclosed transport".
        warnings.simplefilter("always", ResourceWarning)
        async with peer(silent) as quiet:
            task = asyncio.ensure_future(probe_xmpp(XMPP_DOMAIN, LOOPBACK, quiet.port,
                                                    timeout=10.0, direct_tls_port=quiet.port))
            while quiet.connections < 2:
                await asyncio.sleep(0.01)
            cancelled_at = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await asyncio.wait_for(task, 1.0)
            assert time.monotonic() - cancelled_at < 0.5
            while len(quiet.hangups) < 2 and time.monotonic() - cancelled_at < 1.0:
                await asyncio.sleep(0.01)
            assert len(quiet.hangups) == 2, "a probe socket stayed open after cancellation"
            assert max(quiet.hangups) - cancelled_at < 0.5
        del task
        gc.collect()
    unclosed = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert not unclosed, unclosed


@pytest.mark.asyncio
async def test_a_domain_that_cannot_be_one_is_refused_before_connecting() -> None:
    async with peer(silent) as server:
        result = await probe_xmpp("chat.cobalt.test' evil='1", LOOPBACK, server.port,
                                  timeout=2.0, direct_tls_port=None)
    assert result.status is Status.FAILED
    assert "is not a chat domain" in result.summary
    assert server.connections == 0
