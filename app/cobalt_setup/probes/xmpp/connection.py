"""One XMPP connection, plain or direct TLS, on the TCP kit: connect, open a stream, read
until the features (or an error) are complete, and hang up politely. Everything read is
capped (READ_CAP); what was seen is kept in a `Stream` for the verdict."""

from __future__ import annotations

import asyncio
import functools
import ssl
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden

from cobalt_setup.probes.tcp import Exchange, open_stream
from cobalt_setup.probes.xmpp.certificate import certificate_facts
from cobalt_setup.probes.xmpp.stream import (
    CLOSE_GRACE,
    HEAD_CAP,
    READ_CAP,
    STREAM_END,
    StreamParser,
    short_text,
    stream_header,
)
from cobalt_setup.time_limit import within

# -- one connection ----------------------------------------------------------------------

@dataclass
class Stream(Exchange):
    """What one connection (plain or direct TLS) saw. The verdict reads it, also after a
    timeout, to say where things stopped. Its phases: resolve, connect, tls (handshake),
    stream; `data` keeps the first HEAD_CAP bytes, to name a stranger."""

    domain: str = ""
    tls: bool = False
    received: int = 0
    xml_problem: str | None = None  # dtd, entities, syntax, too_big
    xml_message: str = ""
    parser: StreamParser = field(default_factory=StreamParser)
    # direct TLS only
    tls_version: str = ""
    cipher: str = ""
    certificate: dict[str, Any] = field(default_factory=dict)



async def _talk(stream: Stream, reader: asyncio.StreamReader,
                writer: asyncio.StreamWriter) -> None:
    """Send the stream header, read until the features (or an error) are complete."""
    stream.phase = "stream"
    writer.write(stream_header(stream.domain))
    parser = stream.parser
    while not parser.done:
        room = READ_CAP - stream.received
        if room <= 0:
            stream.xml_problem = "too_big"
            return
        try:
            chunk = await reader.read(min(16 * 1024, room))
        except (ConnectionResetError, BrokenPipeError, ssl.SSLError) as error:
            stream.reset = not isinstance(error, ssl.SSLError)
            chunk = b""
        if not chunk:
            stream.eof = True
            return
        stream.received += len(chunk)
        if len(stream.data) < HEAD_CAP:
            stream.data += chunk[:HEAD_CAP - len(stream.data)]
        try:
            parser.feed(chunk)
        except DTDForbidden:
            stream.xml_problem = "dtd"
            return
        except (EntitiesForbidden, DefusedXmlException):
            stream.xml_problem = "entities"
            return
        except ParseError as error:
            if not parser.done:  # junk after what we needed does not matter
                stream.xml_problem = "syntax"
                stream.xml_message = short_text(str(error), 120)
            return


async def _close(writer: asyncio.StreamWriter, polite: bool) -> None:
    """Close the connection. Politely (`</stream:stream>`, then a short wait for the close)
    after a normal exchange; otherwise, and on cancellation, the socket is dropped at once,
    synchronously. Never waits on the peer for more than CLOSE_GRACE."""
    transport = writer.transport
    if not polite or transport.is_closing():
        transport.abort()
        return
    try:
        writer.write(STREAM_END)
        writer.close()
        await within(writer.wait_closed(), CLOSE_GRACE)
    except (OSError, asyncio.TimeoutError):
        pass
    finally:
        transport.abort()  # a no-op once closed; drops a TLS shutdown that hangs


async def plain_exchange(stream: Stream) -> None:
    reader, writer = await open_stream(stream)
    polite = False
    try:
        await _talk(stream, reader, writer)
        polite = stream.parser.done and not stream.parser.stream_closed
    finally:
        await _close(writer, polite)


@functools.lru_cache(maxsize=1)
def trust_context() -> ssl.SSLContext:
    """The context a direct TLS certificate is checked with: the system's certificate
    store, and the chat domain as the name the certificate must be for (as a DNS name;
    XMPP also allows an XmppAddr or SRV-ID name, which the ssl module does not check, so
    a certificate with only those is reported as not verifying)."""
    return ssl.create_default_context()


def _unverified_context() -> ssl.SSLContext:
    # Verification off on purpose: this connection only checks that a TLS handshake works
    # and that an XMPP stream answers inside it. Whether the certificate would verify is
    # found out separately (trust_context) and reported as a detail; nothing secret is
    # sent on this connection.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


async def direct_tls_exchange(stream: Stream) -> None:
    """First a handshake that verifies (system store, chat domain); if only the
    certificate check fails, a second one that does not. Then the stream exchange."""
    certificate: dict[str, Any] = {}
    # Loading the system's certificates takes a moment the first time: not on the loop.
    trusted = await asyncio.get_running_loop().run_in_executor(None, trust_context)
    try:
        reader, writer = await _open_tls(stream, trusted)
        certificate["verifies"] = True
    except ssl.SSLCertVerificationError as error:
        certificate["verifies"] = False
        certificate["verify_error"] = short_text(str(error.verify_message or error), 120)
        stream.connected = False
        reader, writer = await _open_tls(stream, _unverified_context())
    polite = False
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        if ssl_object is not None:
            stream.tls_version = ssl_object.version() or ""
            cipher = ssl_object.cipher()
            stream.cipher = cipher[0] if cipher else ""
            certificate.update(certificate_facts(ssl_object))
        stream.certificate = certificate
        await _talk(stream, reader, writer)
        polite = stream.parser.done and not stream.parser.stream_closed
    finally:
        await _close(writer, polite)


async def _open_tls(stream: Stream, context: ssl.SSLContext,
                    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    if not hasattr(asyncio.StreamWriter, "start_tls"):  # Python 3.10
        stream.phase = "tls"  # a refusal is still told apart: it is not an SSLError
        reader, writer = await asyncio.open_connection(
            stream.host, stream.port, limit=READ_CAP, ssl=context,
            server_hostname=stream.domain, ssl_handshake_timeout=stream.timeout)
        stream.connected = True
        return reader, writer
    # Connect first, then start TLS, so that a timeout says which of the two stalled.
    reader, writer = await open_stream(stream)
    stream.phase = "tls"
    try:
        await writer.start_tls(context, server_hostname=stream.domain,
                               ssl_handshake_timeout=stream.timeout)
    except BaseException:
        writer.transport.abort()
        raise
    return reader, writer
