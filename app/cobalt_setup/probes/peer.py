"""What is this peer really? The first bytes a TCP peer sent, named: a web server, a TLS,
SSH, VNC, XMPP or LDAP server, or a program that sent something else. Every probe that
finds the wrong thing on its port says what it found with these words.

`identify()` gives the evidence (a `Peer`: its kind and the facts read); `looks_like()`
gives the clause for people, e.g. "it looks like a web server (HTTP 200 OK)", shown after
a service's own frame such as "{target} is not a VNC server: ".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cobalt_setup import __version__
from cobalt_setup.i18n import _
from cobalt_setup.wording import printable

HTTP_STATUS_LINE = re.compile(rb"HTTP/(\d(?:\.\d)?) (\d{3})(?:[ \t]([^\r\n]*))?\r?\n")
RFB_GREETING = re.compile(rb"RFB (\d{3})\.(\d{3})\n")
_HTML_STARTS = (b"<!DOCTYPE", b"<!doctype", b"<html", b"<HTML")
_XMPP_STARTS = (b"<?xml", b"<stream")
_TLS_RECORDS = (0x15, 0x16)  # alert, handshake (a TLS server answering plain text)
_BER_SEQUENCE = 0x30  # every LDAP message starts with one
_LDAP_MESSAGES = range(0x60, 0x79)  # the [APPLICATION n] tags of LDAP's protocolOp


@dataclass(frozen=True)
class Peer:
    kind: str  # http, html, tls, ssh, rfb, xmpp, ldap, blank, other
    first_bytes: str  # what it sent, printable
    facts: dict[str, object] = field(default_factory=dict)


def http_request(host: str, port: int) -> bytes:
    """The smallest polite HTTP request for `host:port` (also our question to a silent port)."""
    try:
        name = host.encode("ascii").decode()
    except UnicodeEncodeError:
        try:
            name = host.encode("idna").decode("ascii")
        except UnicodeError:
            name = "localhost"
    name = f"[{name}]" if ":" in name else name
    host_header = name if port == 80 else f"{name}:{port}"
    return (f"GET / HTTP/1.0\r\nHost: {host_header}\r\n"
            f"User-Agent: cobalt-network-setup/{__version__}\r\n"
            "Accept: */*\r\nConnection: close\r\n\r\n").encode("ascii")


def http_status_text(code: int, reason: str) -> str:
    """ "HTTP 200 OK", or "HTTP 200" when the server gave no reason phrase."""
    return f"HTTP {code} {reason}" if reason else f"HTTP {code}"


def rfb_version(greeting: bytes) -> str:
    """ "3.8" from b"RFB 003.008\\n", or "" when it is no greeting."""
    match = RFB_GREETING.match(greeting)
    return f"{int(match.group(1))}.{int(match.group(2))}" if match else ""


def _http_facts(data: bytes, status: re.Match[bytes]) -> dict[str, object]:
    server = ""
    for line in data[status.end():].split(b"\n"):
        name, colon, value = line.partition(b":")
        if not line.strip():
            break  # the end of the head
        if colon and name.strip().lower() == b"server":
            server = printable(value.strip(), 80)
            break
    return {"http_status": int(status.group(2)),
            "http_reason": printable(status.group(3) or b"", 60), "http_server": server}


def _looks_like_ldap(data: bytes) -> bool:
    # A BER SEQUENCE, its length, the message id (an INTEGER), then an LDAP operation.
    if len(data) < 5 or data[0] != _BER_SEQUENCE:
        return False
    length_octets = data[1] - 0x80 if data[1] > 0x80 else 0
    at = 2 + length_octets
    if at + 2 >= len(data) or data[at] != 0x02:
        return False
    at += 2 + data[at + 1]
    return at < len(data) and data[at] in _LDAP_MESSAGES


def identify(raw: bytes) -> Peer:
    """Name a peer from the first bytes it sent (an HTTP head, a greeting, a record)."""
    data = bytes(raw)
    shown = printable(data)
    status = HTTP_STATUS_LINE.match(data)
    if status:
        return Peer("http", shown, _http_facts(data, status))
    if data.startswith(_HTML_STARTS):
        return Peer("html", shown)
    if RFB_GREETING.match(data):
        return Peer("rfb", shown, {"rfb_version": rfb_version(data)})
    if data.startswith(b"SSH-"):
        return Peer("ssh", printable(data.split(b"\n", 1)[0]))
    if len(data) >= 2 and data[0] in _TLS_RECORDS and data[1] == 0x03:
        return Peer("tls", shown)
    if data.lstrip().startswith(_XMPP_STARTS):
        return Peer("xmpp", shown)
    if _looks_like_ldap(data):
        return Peer("ldap", shown)
    if data and not data.strip():
        return Peer("blank", "")
    return Peer("other", shown)


def looks_like(peer: Peer) -> str:
    """The clause for people, in their language; shown after e.g. "{target} is not a VNC
    server: "."""
    if peer.kind == "http":
        said = http_status_text(int(peer.facts["http_status"]),  # type: ignore[arg-type]
                                str(peer.facts["http_reason"]))
        if peer.facts["http_server"]:
            # Translators: what a peer seems to be, after e.g. "{target} is not a VNC
            # server: "; {status} is e.g. "HTTP 200 OK", {server} the name of the web
            # server program.
            return _("it looks like a web server ({status}, server {server})").format(
                status=said, server=peer.facts["http_server"])
        # Translators: what a peer seems to be, after e.g. "{target} is not a VNC
        # server: "; {status} is e.g. "HTTP 200 OK".
        return _("it looks like a web server ({status})").format(status=said)
    if peer.kind == "html":
        # Translators: what a peer seems to be, after e.g. "{target} is not a VNC
        # server: ".
        return _("it looks like a web server (it sent a web page without an HTTP status "
                 "line)")
    if peer.kind == "rfb":
        # Translators: what a peer seems to be, after e.g. "{target} is not a VNC
        # server: ".
        return _("it looks like a VNC server (RFB {version})").format(
            version=peer.facts["rfb_version"])
    if peer.kind == "ssh":
        # Translators: what a peer seems to be, after e.g. "{target} is not a VNC
        # server: "; {greeting} is the first line the SSH server sent.
        return _("it looks like an SSH server ({greeting})").format(greeting=peer.first_bytes)
    if peer.kind == "tls":
        # Translators: what a peer seems to be, after e.g. "{target} is not a VNC
        # server: ".
        return _("it looks like a secure (TLS) server, which needs an encrypted connection")
    if peer.kind == "xmpp":
        # Translators: what a peer seems to be, after e.g. "{target} is not a VNC
        # server: ".
        return _("it looks like a chat (XMPP) server")
    if peer.kind == "ldap":
        # Translators: what a peer seems to be, after e.g. "{target} is not a VNC
        # server: ".
        return _("it looks like a directory (LDAP) server")
    if peer.kind == "blank":
        # Translators: what a peer seems to be, after e.g. "{target} is not a VNC
        # server: ".
        return _("it sent only blank space")
    # Translators: what a peer seems to be, after e.g. "{target} is not a VNC
    # server: "; {first_bytes} is what it sent, quoted.
    return _("it sent {first_bytes}").format(first_bytes=repr(peer.first_bytes))
