"""The chat (XMPP) check: does a server answer chat clients for a domain, and is it safe.

`probe_xmpp` opens a client stream to `host:port` for `domain` (the part after @ in chat
addresses), reads the server's stream header and its `<stream:features>`, and hangs up
with `</stream:stream>`, without logging in. It reports whether STARTTLS is offered (and
required), the SASL mechanisms when they are visible before TLS, and a stream error in
plain words (`host-unknown` is the common one: a wrong chat domain). Meanwhile, on its own
connection, it tries direct TLS on `direct_tls_port` (5223, the legacy "XMPP over SSL"
port): a TLS handshake, then the same stream exchange inside it. Both halves run at the
same time, each bounded by `timeout`, so the probe ends within `timeout` plus a little.

The host and port come from the caller (the DNS code looks up `_xmpp-client._tcp` SRV
records); this module resolves nothing itself except through asyncio's normal connect.

Safety: everything read from one connection is capped (READ_CAP); the XML is parsed
incrementally by defusedxml, with document type declarations refused (XMPP forbids them,
RFC 6120 section 11.1), so no entity can be declared, let alone expanded: an "XML bomb"
costs nothing. The parser keeps no tree: it notes the few facts the report needs, each
capped in size and number.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden
from defusedxml.ElementTree import DefusedXMLParser

from cobalt_setup.i18n import _
from cobalt_setup.result import ProbeResult, Status
from cobalt_setup.services import BY_ID
from cobalt_setup.time_limit import within
from cobalt_setup.wording import printable, seconds

SERVICE = "xmpp"
PROBE_ID = "xmpp.client"
STARTTLS_PORT = BY_ID["xmpp"].first_port  # 5222
DIRECT_TLS_PORT = BY_ID["xmpp"].last_port  # 5223: legacy "XMPP over SSL", optional

READ_CAP = 64 * 1024  # the most read from one connection
TEXT_CAP = 200  # the most kept of one text (a stream error's text, a mechanism name)
LIST_CAP = 32  # the most features or mechanisms kept
CLOSE_GRACE = 0.2  # seconds given to a polite close before the socket is dropped
FLUSH_LIMIT = 512  # see _StreamParser.feed

NS_STREAMS = "http://etherx.jabber.org/streams"
NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls"
NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl"
NS_STREAM_ERRORS = "urn:ietf:params:xml:ns:xmpp-streams"

_STREAM = f"{{{NS_STREAMS}}}stream"
_FEATURES = f"{{{NS_STREAMS}}}features"
_ERROR = f"{{{NS_STREAMS}}}error"

# Characters that cannot be in a domain we write into the stream header's to='...'.
_BAD_DOMAIN_CHARACTERS = frozenset("'\"<>&/@ \t\r\n")


def stream_header(domain: str) -> bytes:
    """The client's opening of a stream to `domain` (RFC 6120 section 4.2)."""
    return ("<?xml version='1.0'?><stream:stream to='" + domain + "' xmlns='jabber:client' "
            "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>").encode()


STREAM_END = b"</stream:stream>"


def format_target(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

def _short(text: str, limit: int = TEXT_CAP) -> str:
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"

def domain_problem(domain: str) -> str | None:
    """Why `domain` cannot be a chat domain, or None."""
    if not domain:
        # Translators: why a chat domain cannot be used, after "Cannot check chat: ".
        return _("no chat domain was given")
    if len(domain) > 1023:
        # Translators: why a chat domain cannot be used, after "Cannot check chat: ".
        return _("the chat domain is longer than {limit} characters").format(limit=1023)
    if any(ch in _BAD_DOMAIN_CHARACTERS or not ch.isprintable() for ch in domain):
        # Translators: why a chat domain cannot be used, after "Cannot check chat: ".
        return _("{domain} is not a chat domain (a domain is a name like example.org, "
                 "without spaces, quotes, @ or /)").format(domain=repr(domain))
    return None


# -- the incremental, safe stream reader -------------------------------------------------

class _StreamParser:
    """Notes what a server's stream says, fed bytes as they come.

    Why this is safe with hostile input: defusedxml's parser (expat underneath) is created
    with forbid_dtd, forbid_entities and forbid_external, so a `<!DOCTYPE` raises
    DTDForbidden before any declaration in it is read: no entity can be defined, so none is
    expanded (no "billion laughs"), and nothing external is ever fetched. The target below
    builds no tree; it keeps a handful of facts, each capped (TEXT_CAP, LIST_CAP), so memory
    is bounded by READ_CAP (expat's buffer) plus a few KiB whatever the server sends.
    """

    def __init__(self) -> None:
        self.header: dict[str, str] | None = None  # the stream header's attributes
        self.root: str | None = None  # the first element's name, if not a stream
        self.features: list[str] | None = None  # local names of the features, once seen
        self.starttls = False
        self.starttls_required = False
        self.mechanisms: list[str] = []
        self.error: str | None = None  # a stream error's condition
        self.error_text = ""
        self.error_detail = ""  # the condition element's text (see-other-host's new host)
        self.legacy = False  # a pre-1.0 stream: no features will come
        self.stream_closed = False  # the server sent </stream:stream>
        self.done = False  # nothing more to read
        self._depth = 0
        self._where: str | None = None  # features, error
        self._feature: str | None = None  # the feature element we are in (depth 2)
        self._text: list[str] | None = None  # where character data goes, if anywhere
        self._text_into: str | None = None
        self._flushes = 0
        self._parser = DefusedXMLParser(target=self, forbid_dtd=True, forbid_entities=True,
                                        forbid_external=True)

    # The parser's target interface.
    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if self.done:
            return
        depth = self._depth
        self._depth += 1
        if depth == 0:
            if tag != _STREAM:
                self.root = tag
                self.done = True
                return
            self.header = {key: _short(str(value)) for key, value in list(attrib.items())[:16]}
            version = self.header.get("version", "")
            if not version.split(".")[0].isdigit() or int(version.split(".")[0]) < 1:
                # A pre-1.0 server sends no features (and has no STARTTLS).
                self.legacy = True
                self.features = []
                self.done = True
            return
        if depth == 1:
            if tag == _FEATURES:
                self._where = "features"
                self.features = []
            elif tag == _ERROR:
                self._where = "error"
            return
        if self._where == "features":
            self._in_features(depth, tag)
        elif self._where == "error" and depth == 2:
            namespace, _brace, local = tag[1:].partition("}")
            if namespace != NS_STREAM_ERRORS:
                return  # an application-specific condition: the defined one is enough
            if local == "text":
                self._collect("error_text")
            elif self.error is None:
                self.error = _short(local, 64)
                self._collect("error_detail")

    def _in_features(self, depth: int, tag: str) -> None:
        assert self.features is not None
        local = tag.rpartition("}")[2]
        if depth == 2:
            self._feature = tag
            if len(self.features) < LIST_CAP:
                self.features.append(_short(local, 64))
            if tag == f"{{{NS_TLS}}}starttls":
                self.starttls = True
        elif depth == 3 and self._feature == f"{{{NS_TLS}}}starttls" and local == "required":
            self.starttls_required = True
        elif (depth == 3 and self._feature == f"{{{NS_SASL}}}mechanisms"
              and tag == f"{{{NS_SASL}}}mechanism"):
            self._collect("mechanism")

    def _collect(self, into: str) -> None:
        self._text = []
        self._text_into = into

    def data(self, text: str) -> None:
        if self._text is not None and sum(map(len, self._text)) < TEXT_CAP:
            self._text.append(text[:TEXT_CAP])

    def end(self, tag: str) -> None:
        if self.done:
            return
        self._depth -= 1
        depth = self._depth
        if self._text is not None and depth in (2, 3):
            text = _short("".join(self._text))
            if self._text_into == "mechanism":
                if text and len(self.mechanisms) < LIST_CAP:
                    self.mechanisms.append(_short(text, 64))
            elif self._text_into == "error_text":
                self.error_text = text
            elif self._text_into == "error_detail":
                self.error_detail = text
            self._text = None
            self._text_into = None
        if depth == 2:
            self._feature = None
        elif depth == 1:
            if self._where is not None:
                self.done = True  # the features (or the error) are complete
            self._where = None
        elif depth == 0:
            self.stream_closed = True
            self.done = True

    def close(self) -> None:
        """The parser's target interface; there is nothing to give back."""

    def feed(self, chunk: bytes) -> None:
        """Parse more bytes. Raises DefusedXmlException for a DTD or an entity, ParseError
        for what is not XML."""
        self._parser.feed(chunk)
        # Expat 2.6 and later may defer parsing a token that is still growing (against
        # quadratic reparsing); then a reply that stops right after `>` would sit unparsed
        # until the timeout. Python versions with that expat have flush(): use it when the
        # chunk may have completed a tag, a bounded number of times (each costs at most
        # READ_CAP of scanning).
        flush = getattr(self._parser, "flush", None)
        if (flush is not None and not self.done and b">" in chunk
                and self._flushes < FLUSH_LIMIT):
            self._flushes += 1
            flush()


# -- one connection ----------------------------------------------------------------------

@dataclass
class _Stream:
    """What one connection (plain or direct TLS) saw. The verdict reads it, also after a
    timeout, to say where things stopped."""

    host: str
    port: int
    domain: str
    timeout: float
    tls: bool = False
    phase: str = "connect"  # connect, tls (handshake), stream
    connected: bool = False
    error: OSError | None = None  # why the connection (or the handshake) failed
    timed_out: bool = False
    eof: bool = False
    received: int = 0
    head: bytearray = field(default_factory=bytearray)  # the first bytes, to name a stranger
    xml_problem: str | None = None  # dtd, entities, syntax, too_big
    xml_message: str = ""
    parser: _StreamParser = field(default_factory=_StreamParser)
    # direct TLS only
    tls_version: str = ""
    cipher: str = ""
    certificate: dict[str, Any] = field(default_factory=dict)

    @property
    def target(self) -> str:
        return format_target(self.host, self.port)


async def _talk(stream: _Stream, reader: asyncio.StreamReader,
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
        except (ConnectionResetError, BrokenPipeError, ssl.SSLError):
            chunk = b""
        if not chunk:
            stream.eof = True
            return
        stream.received += len(chunk)
        if len(stream.head) < 256:
            stream.head += chunk[:256 - len(stream.head)]
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
                stream.xml_message = _short(str(error), 120)
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


async def _run(stream: _Stream, work: Any) -> None:
    """Run `work` within stream.timeout, recording a timeout or a connect error instead of
    raising. Cancellation passes through (and `work` closes its socket)."""
    try:
        await within(work, stream.timeout)
    except asyncio.TimeoutError:
        stream.timed_out = True
    except OSError as error:  # ssl.SSLError is an OSError too
        if stream.connected and not isinstance(error, ssl.SSLError):
            stream.eof = True
        else:
            stream.error = error


async def _plain(stream: _Stream) -> None:
    reader, writer = await asyncio.open_connection(stream.host, stream.port, limit=READ_CAP)
    stream.connected = True
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


async def _direct_tls(stream: _Stream) -> None:
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
        certificate["verify_error"] = _short(str(error.verify_message or error), 120)
        stream.connected = False
        reader, writer = await _open_tls(stream, _unverified_context())
    polite = False
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        if ssl_object is not None:
            stream.tls_version = ssl_object.version() or ""
            cipher = ssl_object.cipher()
            stream.cipher = cipher[0] if cipher else ""
            certificate.update(_certificate_facts(ssl_object))
        stream.certificate = certificate
        await _talk(stream, reader, writer)
        polite = stream.parser.done and not stream.parser.stream_closed
    finally:
        await _close(writer, polite)


async def _open_tls(stream: _Stream, context: ssl.SSLContext,
                    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    stream.phase = "connect"
    if not hasattr(asyncio.StreamWriter, "start_tls"):  # Python 3.10
        stream.phase = "tls"  # a refusal is still told apart: it is not an SSLError
        reader, writer = await asyncio.open_connection(
            stream.host, stream.port, limit=READ_CAP, ssl=context,
            server_hostname=stream.domain, ssl_handshake_timeout=stream.timeout)
        stream.connected = True
        return reader, writer
    # Connect first, then start TLS, so that a timeout says which of the two stalled.
    reader, writer = await asyncio.open_connection(stream.host, stream.port, limit=READ_CAP)
    stream.connected = True
    stream.phase = "tls"
    try:
        await writer.start_tls(context, server_hostname=stream.domain,
                               ssl_handshake_timeout=stream.timeout)
    except BaseException:
        writer.transport.abort()
        raise
    return reader, writer


def _certificate_facts(ssl_object: ssl.SSLObject) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    decoded = ssl_object.getpeercert()  # filled only by a verified handshake
    if decoded:
        facts["subject"] = _name_text(decoded.get("subject", ()))
        facts["issuer"] = _name_text(decoded.get("issuer", ()))
        if decoded.get("notAfter"):
            facts["not_after"] = str(decoded["notAfter"])
        return facts
    der = ssl_object.getpeercert(binary_form=True)
    if der:
        with contextlib.suppress(ValueError, IndexError):
            subject, issuer = der_subject_issuer(der)
            facts["subject"], facts["issuer"] = subject, issuer
    return facts


_SHORT_NAMES = {"commonName": "CN", "organizationName": "O", "organizationalUnitName": "OU",
                "countryName": "C", "localityName": "L", "stateOrProvinceName": "ST"}


def _name_text(name: Any) -> str:
    parts = []
    for rdn in name:
        for key, value in rdn:
            if key in _SHORT_NAMES:
                parts.append(f"{_SHORT_NAMES[key]}={value}")
    return _short(", ".join(parts))


# Distinguished-name attributes by their DER-encoded OID body (2.5.4.x).
_NAME_OIDS = {b"\x55\x04\x03": "CN", b"\x55\x04\x0a": "O", b"\x55\x04\x0b": "OU",
              b"\x55\x04\x06": "C", b"\x55\x04\x07": "L", b"\x55\x04\x08": "ST"}


def _der_item(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """(tag, start of content, end of content) of the DER item at `pos`; ValueError if it
    does not fit in `data[:end]`."""
    if pos + 2 > end:
        raise ValueError("truncated")
    tag, length = data[pos], data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if not 1 <= count <= 4 or pos + count > end:
            raise ValueError("bad length")
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    if pos + length > end:
        raise ValueError("truncated")
    return tag, pos, pos + length


def _der_children(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    items, pos = [], start
    while pos < end:
        item = _der_item(data, pos, end)
        items.append(item)
        pos = item[2]
    return items


def _der_name(data: bytes, start: int, end: int) -> str:
    parts = []
    for _set_tag, set_start, set_end in _der_children(data, start, end):
        for _seq_tag, seq_start, seq_end in _der_children(data, set_start, set_end):
            oid, value = _der_children(data, seq_start, seq_end)[:2]
            label = _NAME_OIDS.get(data[oid[1]:oid[2]])
            if label is None:
                continue
            raw = data[value[1]:value[2]]
            text = raw.decode("utf-16-be", "replace") if value[0] == 0x1E else \
                raw.decode("utf-8", "replace")
            parts.append(f"{label}={text}")
    return _short(", ".join(parts))


def der_subject_issuer(der: bytes) -> tuple[str, str]:
    """The subject and issuer of a DER certificate as 'CN=..., O=...' (no verification:
    the ssl module decodes only certificates it verified)."""
    _tag, cert_start, cert_end = _der_item(der, 0, len(der))
    _tag, tbs_start, tbs_end = _der_item(der, cert_start, cert_end)
    fields = _der_children(der, tbs_start, tbs_end)
    if fields and fields[0][0] == 0xA0:  # [0] version
        fields = fields[1:]
    # serialNumber, signature, issuer, validity, subject
    issuer, subject = fields[2], fields[4]
    return _der_name(der, subject[1], subject[2]), _der_name(der, issuer[1], issuer[2])


# -- words ---------------------------------------------------------------------------------

def _connect_words(stream: _Stream) -> tuple[str, str, str] | None:
    """(code, summary, fix) for a connection that was never made, else None."""
    target, host, port = stream.target, stream.host, stream.port
    error = stream.error
    if stream.connected:
        return None
    if error is None:
        if stream.timed_out:
            return ("connect_timeout",
                    _("No answer from {target} within {time}: the connection attempt timed "
                      "out, as when a firewall silently drops it.").format(
                          target=target, time=seconds(stream.timeout)),
                    _("Check that the chat server {host} is up and that firewalls (on it and "
                      "in between) let TCP port {port} through.").format(host=host, port=port))
        return None
    if isinstance(error, socket.gaierror):
        return ("unknown_host",
                _("The chat server's host name {host} could not be found.").format(
                    host=repr(host)),
                _("Check the host name, or the DNS record that names the chat server "
                  "({srv_record}).").format(srv_record=f"_xmpp-client._tcp.{stream.domain}"))
    if isinstance(error, ConnectionRefusedError):
        return ("refused",
                _("Nothing is listening on {target}: the connection was refused.").format(
                    target=target),
                _("Start the chat (XMPP) server on {host}, or correct the port (chat clients "
                  "use {port}).").format(host=host, port=STARTTLS_PORT))
    if error.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL):
        return ("unreachable",
                # Translators: {error} is the system's error message.
                _("{host} cannot be reached from this computer ({error}).").format(
                    host=host, error=error.strerror or error),
                _("Check this computer's network connection and the chat server's address."))
    return ("error",
            # Translators: {error} is the system's error message.
            _("Could not connect to {target}: {error}.").format(
                target=target, error=error.strerror or error),
            _("Check the chat server's address and port, and this computer's network "
              "connection."))


def _describe_stranger(head: bytes) -> str:
    """What a peer that is not an XMPP server seems to be, from its first bytes."""
    data = bytes(head).lstrip()
    if data.startswith(b"HTTP/"):
        first_line = data.split(b"\n", 1)[0]
        # Translators: completes "... answered, but not as an XMPP server: it looks like ...";
        # {reply} is the web server's first line, e.g. "HTTP/1.1 400 Bad Request".
        return _("a web server ({reply})").format(reply=printable(first_line, 60))
    if data[:1] in (b"\x15", b"\x16") and data[1:2] == b"\x03":
        # Translators: completes "... answered, but not as an XMPP server: it looks like ...".
        return _("a TLS server (perhaps the direct TLS port, usually {port}, was given for "
                 "the STARTTLS port)").format(port=DIRECT_TLS_PORT)
    if data.startswith(b"SSH-"):
        # Translators: completes "... answered, but not as an XMPP server: it looks like ...";
        # {reply} is the SSH server's greeting, e.g. "SSH-2.0-OpenSSH_9.6".
        return _("an SSH server ({reply})").format(reply=printable(data))
    if data.startswith(b"RFB "):
        # Translators: completes "... answered, but not as an XMPP server: it looks like ...";
        # {reply} is the VNC server's greeting, e.g. "RFB 003.008".
        return _("a VNC server ({reply})").format(reply=printable(data))
    if not data:
        # Translators: completes "... answered, but not as an XMPP server: it looks like ...".
        return _("a program that sent only blank space")
    # Translators: completes "... answered, but not as an XMPP server: it looks like ...";
    # {reply} is the first bytes the program sent, in quotes.
    return _("a program that sent {reply}").format(reply=repr(printable(data)))


@dataclass
class _Words:
    status: Status
    code: str
    summary: str
    fix: str = ""


def _stream_words(stream: _Stream) -> _Words:
    """The verdict on one stream (plain or inside direct TLS), before STARTTLS is judged."""
    target, parser = stream.target, stream.parser
    failed = Status.FAILED
    connect = _connect_words(stream)
    if connect is not None:
        return _Words(failed, *connect)
    if stream.phase == "tls":
        if stream.timed_out:
            return _Words(failed, "tls_timeout",
                          _("{target} accepted the connection, but the TLS handshake did not "
                            "finish within {time}.").format(target=target,
                                                            time=seconds(stream.timeout)),
                          _("Check that this port is the server's direct TLS port."))
        reason = _short(str(getattr(stream.error, "reason", None) or stream.error
                            # Translators: why a TLS handshake failed, in parentheses after
                            # "the TLS handshake failed".
                            or _("the server hung up")), 120)
        if "UNRECOGNIZED_NAME" in reason:
            # Translators: why a TLS handshake failed, in parentheses after "the TLS
            # handshake failed".
            reason = _("the server has no certificate for {domain}").format(
                domain=stream.domain)
        return _Words(failed, "tls_failed",
                      # Translators: {reason} is the cause, often the TLS library's own
                      # words (e.g. WRONG_VERSION_NUMBER).
                      _("{target} accepted the connection, but the TLS handshake failed "
                        "({reason}).").format(target=target, reason=reason),
                      _("Check that this port is the server's direct TLS port (not its "
                        "STARTTLS port) and that TLS is enabled on it."))
    if stream.xml_problem in ("dtd", "entities"):
        if stream.xml_problem == "dtd":
            summary = _("{target} sent a document type declaration (DTD), which XMPP "
                        "forbids; the probe refused to read its reply.")
        else:
            summary = _("{target} sent an entity declaration, which XMPP forbids; the probe "
                        "refused to read its reply.")
        return _Words(failed, "forbidden_xml", summary.format(target=target),
                      _("This is not a normal chat server, or something between here and "
                        "{host} alters the connection: check what listens on port "
                        "{port}.").format(host=stream.host, port=stream.port))
    if parser.root is not None or stream.xml_problem == "syntax":
        if parser.root is not None:
            # Translators: {element} is an XML element's name, e.g. html.
            summary = _("{target} answered, but not as an XMPP server: it looks like an XML "
                        "program whose reply begins with <{element}>.").format(
                            target=target, element=_local(parser.root))
        else:
            # Translators: {stranger} is what answered, e.g. "a web server (HTTP/1.1 400)".
            summary = _("{target} answered, but not as an XMPP server: it looks like "
                        "{stranger}.").format(target=target,
                                              stranger=_describe_stranger(stream.head))
        return _Words(failed, "not_xmpp", summary,
                      _("Give the address and port of the chat server (XMPP, usually port "
                        "{port}).").format(port=STARTTLS_PORT))
    if stream.xml_problem == "too_big":
        return _Words(failed, "too_big",
                      _("{target} sent more than {size} KiB without finishing its stream "
                        "features; the probe stopped reading.").format(
                            target=target, size=READ_CAP // 1024),
                      _("This is not a normal chat server: check what listens on port "
                        "{port}.").format(port=stream.port))
    if parser.error is not None:
        return _stream_error_words(stream)
    if parser.header is None:
        if stream.timed_out and stream.received:
            return _Words(failed, "slow",
                          _("{target} sent {count} bytes but no complete XMPP stream header "
                            "within {time}.").format(target=target, count=stream.received,
                                                     time=seconds(stream.timeout)),
                          _("The server is very slow or is not a chat server: check it."))
        if stream.timed_out:
            return _Words(failed, "silent",
                          _("{target} accepted the connection but sent no XMPP stream within "
                            "{time}.").format(target=target, time=seconds(stream.timeout)),
                          _("Check that port {port} belongs to the chat server; something "
                            "else, or a stuck server, holds it.").format(port=stream.port))
        return _Words(failed, "closed",
                      _("{target} closed the connection without answering as an XMPP "
                        "server.").format(target=target),
                      _("Check that port {port} belongs to the chat server and that it "
                        "accepts connections from this computer.").format(port=stream.port))
    if parser.features is None:
        if stream.timed_out:
            return _Words(failed, "slow",
                          _("{target} began an XMPP stream but did not list its features "
                            "within {time}.").format(target=target,
                                                     time=seconds(stream.timeout)),
                          _("The chat server is overloaded or stuck: check it."))
        return _Words(failed, "closed",
                      _("{target} began an XMPP stream but closed it before listing its "
                        "features.").format(target=target),
                      _("Check the chat server's log for why it hangs up on clients."))
    return _Words(Status.OK, "answers", "")


def _local(tag: str) -> str:
    return _short(tag.rpartition("}")[2], 40)


def _stream_error_words(stream: _Stream) -> _Words:
    target, domain, parser = stream.target, stream.domain, stream.parser
    condition = parser.error or ""
    said = parser.error_text
    failed = Status.FAILED
    if condition == "host-unknown":
        return _Words(failed, "host-unknown",
                      _("The server at {target} does not serve {domain}: check the chat "
                        "domain.").format(target=target, domain=domain),
                      _("Enter the chat domain the server is set up for (the part after @ in "
                        "chat addresses), or add {domain} to the server's hosts.").format(
                            domain=domain))
    if condition == "see-other-host":
        # Translators: stands for a server's name in "... to another server: {other}." and
        # "Use {other} as the chat server, ..." when the server named none.
        other = parser.error_detail or _("another server")
        return _Words(failed, "see-other-host",
                      _("The server at {target} sends chat clients for {domain} to another "
                        "server: {other}.").format(target=target, domain=domain, other=other),
                      _("Use {other} as the chat server, or correct the DNS record "
                        "{srv_record} that points here.").format(
                            other=other, srv_record=f"_xmpp-client._tcp.{domain}"))
    if condition == "policy-violation":
        if said:
            # Translators: {text} is the server's own explanation, in its language.
            summary = _("The server at {target} refused this computer by its policy "
                        "(\u201c{text}\u201d).")
        else:
            summary = _("The server at {target} refused this computer by its policy.")
        return _Words(failed, "policy-violation", summary.format(target=target, text=said),
                      _("The server's administrator limits who may connect, or how often: "
                        "ask them, or try again later."))
    if condition == "system-shutdown":
        if said:
            # Translators: {text} is the server's own explanation, in its language.
            summary = _("The chat server at {target} is shutting down (\u201c{text}\u201d).")
        else:
            summary = _("The chat server at {target} is shutting down.")
        return _Words(failed, "system-shutdown", summary.format(target=target, text=said),
                      _("Try again when the chat server is back up."))
    if said:
        # Translators: {condition} is the XMPP stream error's name (e.g. not-authorized),
        # {text} the server's own explanation, in its language.
        summary = _("The server at {target} ended the stream with the error "
                    "\u201c{condition}\u201d (\u201c{text}\u201d).")
    else:
        # Translators: {condition} is the XMPP stream error's name (e.g. not-authorized).
        summary = _("The server at {target} ended the stream with the error "
                    "\u201c{condition}\u201d.")
    return _Words(failed, "stream-error",
                  summary.format(target=target, condition=condition, text=said),
                  _("Ask the chat server's administrator; the error's name says what went "
                    "wrong."))


# -- the probe ------------------------------------------------------------------------------

def _stream_details(stream: _Stream) -> dict[str, Any]:
    parser = stream.parser
    details: dict[str, Any] = {"received_bytes": stream.received}
    if parser.header is not None:
        details["stream_id"] = parser.header.get("id", "")
        details["stream_version"] = parser.header.get("version", "")
        details["stream_from"] = parser.header.get("from", "")
    if parser.features is not None:
        details["features"] = list(parser.features)
        details["starttls"] = parser.starttls
        details["starttls_required"] = parser.starttls_required
        details["mechanisms"] = list(parser.mechanisms)
    if parser.error is not None:
        details["stream_error"] = parser.error
        if parser.error_text:
            details["stream_error_text"] = parser.error_text
        if parser.error_detail:
            details["stream_error_detail"] = parser.error_detail
    return details


def _direct_tls_details(stream: _Stream | None, port: int | None) -> dict[str, Any]:
    if stream is None or port is None:
        return {"status": "skipped", "reason": "no direct TLS port was given"}
    words = _stream_words(stream)
    details: dict[str, Any] = {"port": port}
    if words.status is Status.OK:
        details.update(status="ok", reason="TLS handshake and XMPP stream work")
    else:
        details.update(status="failed", reason=words.summary, code=words.code)
    if stream.tls_version:
        details["tls_version"] = stream.tls_version
        details["cipher"] = stream.cipher
    if stream.certificate:
        details["certificate"] = dict(stream.certificate)
    inside = _stream_details(stream)
    for key in ("starttls", "starttls_required"):  # meaningless inside TLS
        inside.pop(key, None)
    details.update(inside)
    return details


async def probe_xmpp(domain: str, host: str, port: int = STARTTLS_PORT, timeout: float = 3.0,
                     direct_tls_port: int | None = DIRECT_TLS_PORT) -> ProbeResult:
    """Does the chat server at host:port answer clients of `domain`, with STARTTLS, and
    does direct TLS work on `direct_tls_port` (None: not tried)?

    OK: an XMPP server answers for `domain` and offers STARTTLS (and direct TLS works, or
    was not asked for). WARNING: it answers but offers no STARTTLS (passwords would cross
    in clear), or direct TLS does not work (port 5223 is optional, legacy). FAILED: no
    connection, no answer in time, not an XMPP server, or a stream error (host-unknown:
    the server does not serve `domain`).
    """
    started = time.perf_counter()
    target = f"{domain} at {format_target(host, port)}"
    base: dict[str, Any] = {"domain": domain, "host": host, "port": port,
                            "timeout_s": timeout}

    def result(status: Status, summary: str, fix: str, details: dict[str, Any]) -> ProbeResult:
        return ProbeResult(PROBE_ID, SERVICE, target, status, summary, fix,
                           (time.perf_counter() - started) * 1000, {**base, **details})

    problem = domain_problem(domain)
    if problem is not None:
        # Translators: {problem} is why the chat domain cannot be used, e.g. "no chat domain
        # was given".
        return result(Status.FAILED, _("Cannot check chat: {problem}.").format(problem=problem),
                      _("Enter the chat domain: the part after @ in chat addresses."),
                      {"code": "bad_domain",
                       "direct_tls": _direct_tls_details(None, None)})

    plain = _Stream(host, port, domain, timeout)
    secure = (_Stream(host, direct_tls_port, domain, timeout, tls=True)
              if direct_tls_port is not None else None)
    jobs = [asyncio.ensure_future(_run(plain, _plain(plain)))]
    if secure is not None:
        jobs.append(asyncio.ensure_future(_run(secure, _direct_tls(secure))))
    try:
        await asyncio.wait(jobs)
    except asyncio.CancelledError:
        for job in jobs:
            job.cancel()
        # Each job drops its socket synchronously when cancelled; this only lets them run.
        await asyncio.wait(jobs)
        raise
    for job in jobs:
        job.result()  # a bug in a job surfaces here rather than vanishing

    direct = _direct_tls_details(secure, direct_tls_port)
    details = {**_stream_details(plain), "direct_tls": direct}
    words = _stream_words(plain)
    tls_ok = direct["status"] == "ok"
    if words.status is Status.FAILED:
        details["code"] = words.code
        fix = words.fix
        if tls_ok:
            # Translators: a sentence added after the fix for a failed connection, separated
            # by a space.
            fix += " " + _("Direct TLS on port {direct_tls_port} does work, so the server is "
                           "up: the way to port {port} is the problem.").format(
                               direct_tls_port=direct_tls_port, port=port)
        return result(Status.FAILED, words.summary, fix, details)

    parser = plain.parser
    where = format_target(host, port)
    if not parser.starttls:
        details["code"] = "no_starttls"
        fix = _("Give the chat server a certificate for {domain} and turn on TLS (STARTTLS); "
                "until then, use no valuable password for chat.").format(domain=domain)
        if tls_ok:
            # Translators: a sentence added after "Give the chat server a certificate ...",
            # separated by a space.
            fix += " " + _("Direct TLS on port {direct_tls_port} works: a client set to use it "
                           "is encrypted.").format(direct_tls_port=direct_tls_port)
        if parser.legacy and tls_ok:
            summary = _("The XMPP server at {address} answers for {domain} with an old "
                        "(pre-1.0) stream, but offers no STARTTLS: passwords would cross the "
                        "network in clear; direct TLS on port {direct_tls_port} works too.")
        elif parser.legacy:
            summary = _("The XMPP server at {address} answers for {domain} with an old "
                        "(pre-1.0) stream, but offers no STARTTLS: passwords would cross the "
                        "network in clear.")
        elif tls_ok:
            summary = _("The XMPP server at {address} answers for {domain}, but offers no "
                        "STARTTLS: passwords would cross the network in clear; direct TLS on "
                        "port {direct_tls_port} works too.")
        else:
            summary = _("The XMPP server at {address} answers for {domain}, but offers no "
                        "STARTTLS: passwords would cross the network in clear.")
        return result(Status.WARNING,
                      summary.format(address=where, domain=domain,
                                     direct_tls_port=direct_tls_port), fix, details)
    # Translators: the state of STARTTLS, in parentheses after it: clients must encrypt.
    required = (_("required") if parser.starttls_required
                # Translators: the state of STARTTLS, in parentheses after it: clients may
                # encrypt or not.
                else _("optional"))
    if direct["status"] == "failed":
        details["code"] = "no_direct_tls"
        return result(Status.WARNING,
                      # Translators: {starttls} is "required" or "optional"; {reason} is why
                      # direct TLS failed, a sentence that begins in lower case.
                      _("The XMPP server at {address} answers for {domain} with STARTTLS "
                        "({starttls}), but direct TLS on port {direct_tls_port} does not work "
                        "(optional, legacy): {reason}").format(
                            address=where, domain=domain, starttls=required,
                            direct_tls_port=direct_tls_port,
                            reason=_lower_first(direct["reason"])),
                      _("Port {direct_tls_port} (direct TLS) is optional and legacy: chat works "
                        "without it over STARTTLS on port {port}; enable or open it only for a "
                        "client that needs it.").format(direct_tls_port=direct_tls_port,
                                                         port=port),
                      details)
    details["code"] = "ok"
    if tls_ok:
        # Translators: {starttls} is "required" or "optional".
        summary = _("The XMPP server at {address} answers for {domain} and offers STARTTLS "
                    "({starttls}); direct TLS on port {direct_tls_port} works too.")
    else:
        # Translators: {starttls} is "required" or "optional".
        summary = _("The XMPP server at {address} answers for {domain} and offers STARTTLS "
                    "({starttls}).")
    return result(Status.OK,
                  summary.format(address=where, domain=domain, starttls=required,
                                 direct_tls_port=direct_tls_port), "", details)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:1].isupper() and text[1:2].islower() else text


__all__ = ["DIRECT_TLS_PORT", "PROBE_ID", "READ_CAP", "SERVICE", "STARTTLS_PORT",
           "der_subject_issuer", "domain_problem", "probe_xmpp", "stream_header",
           "trust_context"]
