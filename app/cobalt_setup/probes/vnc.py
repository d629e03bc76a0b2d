"""VNC (RFB) checks: is a VNC server on a port, which protocol version, which security
types; a scan of the VNC port range; can this computer host VNC displays.

The VNC probe reads the server's greeting (`RFB 003.008\\n`), answers with the version it
will speak, reads the list of security types, and hangs up without authenticating. Every
read is capped (a hostile peer cannot make it hold more than a few KiB) and the whole
exchange is bounded by the probe's timeout.

A VNC server speaks first. When a port accepts the connection and stays silent for a
moment (`GREETING_GRACE`), the probe sends one plain HTTP request to learn what else is
there: a web server answers it, which usually means the Xrfb control port (HTTP) was
given where a VNC display port was expected.

Caution, seen with TigerVNC 1.12: the server counts every connection that ends before
authentication (ours do) as a failed attempt, and after 5 of them it blocks the prober's
address for a while (10 s at first, doubling) and greets it with RFB 3.3 and "Too many
security failures". Probe a user's VNC server once per user action, not in a tight loop;
the probe recognises that refusal and says so.

Port numbers: VNC display N listens on TCP 5900 + N. Open Cobalt's network table lists
5900-5930 (what a client connects to); the Xrfb setup guide asks a server's firewall to
open 5910-5999. `VNC_RANGE_NOTE` says this for users.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import re
import socket
import struct
import sys
import time
from dataclasses import dataclass, field

from cobalt_setup import __version__
from cobalt_setup.i18n import N_, _, ngettext
from cobalt_setup.result import ProbeResult, Status
from cobalt_setup.services import BY_ID
from cobalt_setup.time_limit import within
from cobalt_setup.wording import port_list, printable, seconds

SERVICE = "vnc"
READ_CAP = 64 * 1024  # the most any probe here keeps from one connection
REASON_CAP = 4096  # the most of a server's refusal text we read
GREETING_GRACE = 1.0  # seconds of silence (at most half the timeout) before asking in HTTP
DESCRIBE_TIME = 0.25  # seconds spent reading a bit more of a peer that is not VNC

VNC_BASE_PORT = 5900  # display N listens on 5900 + N
CLIENT_RANGE = (BY_ID["vnc"].first_port, BY_ID["vnc"].last_port)  # Open Cobalt's table
SERVER_RANGE = (5910, 5999)  # the Xrfb setup guide, for a server's firewall
XRFB_CONTROL_PORT = BY_ID["xrfb"].first_port

# IANA's "RFB Security Types" registry, the ones a user may meet. The names are English
# (as kept in the details); the ones made of words are marked to translate where shown.
SECURITY_TYPE_NAMES: dict[int, str] = {
    # Translators: an RFB (VNC) security type, in the list after "security:"
    0: N_("Invalid"),
    # Translators: the RFB (VNC) security type "no security", in the list
    # after "security:"
    1: N_("None"),
    # Translators: an RFB (VNC) security type, in the list after "security:"
    2: N_("VNC Authentication"),
    5: "RA2",
    6: "RA2ne",
    16: "Tight",
    17: "Ultra",
    18: "TLS",
    19: "VeNCrypt",
    20: "SASL",
    # Translators: an RFB (VNC) security type, in the list after "security:"
    21: N_("MD5 hash"),
    22: "xvp",
    # Translators: an RFB (VNC) security type, in the list after "security:"
    23: N_("Secure Tunnel"),
    # Translators: an RFB (VNC) security type, in the list after "security:"
    24: N_("Integrated SSH"),
    30: "Apple Remote Desktop",
}

_GREETING = re.compile(rb"RFB (\d{3})\.(\d{3})\n")
_GREETING_LENGTH = 12
HTTP_STATUS_LINE = re.compile(rb"HTTP/(\d(?:\.\d)?) (\d{3})(?:[ \t]([^\r\n]*))?\r?\n")


def _security_type_text(code: int) -> str:
    """The name of a security type as a text to translate, with {code} still to fill in."""
    if code in SECURITY_TYPE_NAMES:
        return SECURITY_TYPE_NAMES[code]
    if 3 <= code <= 15 or 128 <= code <= 255:
        # Translators: an RFB (VNC) security type by number, in the list after
        # "security:"
        return N_("RealVNC type {code}")
    if 31 <= code <= 35:
        # Translators: an RFB (VNC) security type by number, in the list after
        # "security:"
        return N_("Apple type {code}")
    # Translators: an RFB (VNC) security type by number, in the list after
    # "security:"
    return N_("type {code}")


def security_type_name(code: int, translated: bool = False) -> str:
    """The name of an RFB security type: in English (as kept in the details), or in the
    user's language when `translated`."""
    text = _security_type_text(code)
    return (_(text) if translated else text).format(code=code)


def display_for_port(port: int) -> int | None:
    """The VNC display number a port belongs to (5901 -> 1), or None outside 5900-5999."""
    return port - VNC_BASE_PORT if VNC_BASE_PORT <= port <= VNC_BASE_PORT + 99 else None


def format_target(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
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


# -- one connection, watched -----------------------------------------------------------------

@dataclass
class Exchange:
    """What one probe connection saw so far. The verdict reads it, also after a timeout, to
    say where things stopped."""

    host: str
    port: int
    timeout: float
    started: float = field(default_factory=time.perf_counter)
    address: str = ""
    phase: str = "resolve"  # resolve (the name), connect, talk
    connected: bool = False
    data: bytearray = field(default_factory=bytearray)  # what the peer sent, up to READ_CAP
    eof: bool = False  # the peer closed (or reset) the connection
    timed_out: bool = False
    error: OSError | None = None  # why the connection could not be made

    @property
    def target(self) -> str:
        return format_target(self.host, self.port)

    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000

    def base_details(self) -> dict[str, object]:
        return {"host": self.host, "port": self.port, "address": self.address,
                "phase": self.phase, "connected": self.connected, "received_bytes": len(self.data),
                "timeout_s": self.timeout}


async def open_stream(exchange: Exchange, addresses: list[str] | None = None,
                      ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Connect to the first address of `exchange.host` that accepts (all of them are tried
    when one refuses or is unreachable). `addresses` skips the name look-up."""
    if addresses is None:
        addresses = await resolve(exchange.host, exchange.port)
    exchange.phase = "connect"
    last_error: OSError | None = None
    for address in addresses:
        exchange.address = address
        try:
            reader, writer = await asyncio.open_connection(address, exchange.port,
                                                           limit=READ_CAP)
        except OSError as error:
            last_error = error
            continue
        exchange.connected = True
        exchange.phase = "talk"
        return reader, writer
    raise last_error or socket.gaierror(socket.EAI_NONAME, "no address")


async def resolve(host: str, port: int) -> list[str]:
    """The addresses of `host` (an IP literal is returned as it is), without duplicates."""
    with contextlib.suppress(ValueError):
        ipaddress.ip_address(host.split("%", 1)[0])
        return [host]  # no look-up (and no worker thread) for an address
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise socket.gaierror(socket.EAI_NONAME, "no address")
    return addresses


async def read_some(reader: asyncio.StreamReader, exchange: Exchange, upto: int) -> bool:
    """Read once, keeping at most `upto` bytes in exchange.data; False at end of stream."""
    want = min(upto, READ_CAP) - len(exchange.data)
    if want <= 0:
        return True
    try:
        chunk = await reader.read(want)
    except (ConnectionResetError, BrokenPipeError):
        chunk = b""
    if not chunk:
        exchange.eof = True
        return False
    exchange.data += chunk
    return True


async def run_exchange(exchange: Exchange, work: object) -> None:
    """Run `work` (a coroutine) within exchange.timeout; record a timeout or a connect
    error instead of raising. Cancellation passes through (and `work` closes its socket)."""
    try:
        await within(work, exchange.timeout)  # type: ignore[arg-type]
    except asyncio.TimeoutError:
        exchange.timed_out = True
    except OSError as error:
        if exchange.connected:
            exchange.eof = True  # reset after connecting: the peer hung up
        else:
            exchange.error = error


def close_quietly(writer: asyncio.StreamWriter) -> None:
    """Hang up now: nothing we sent needs to arrive any more, so never wait on the peer."""
    writer.transport.abort()


@dataclass(frozen=True)
class ConnectProblem:
    code: str  # refused, unknown_host, lookup_failed, unreachable, connect_timeout, error
    summary: str


def connect_problem(exchange: Exchange) -> ConnectProblem | None:
    """Words for a connection that was never made, or None if it was."""
    target = exchange.target
    error = exchange.error
    if exchange.connected:
        return None
    quoted = repr(exchange.host)
    if error is None:
        if exchange.timed_out and exchange.phase == "resolve":
            return ConnectProblem(
                "lookup_failed",
                _("The host name {host} could not be looked up within {time}: the name "
                  "servers did not answer.").format(host=quoted,
                                                    time=seconds(exchange.timeout)))
        if exchange.timed_out:
            return ConnectProblem(
                "connect_timeout",
                _("No answer from {target} within {time}: the connection attempt timed out, "
                  "as when a firewall silently drops it.").format(
                      target=target, time=seconds(exchange.timeout)))
        return None
    if isinstance(error, socket.gaierror) and error.errno == socket.EAI_AGAIN:
        return ConnectProblem("lookup_failed",
                              _("The host name {host} could not be looked up: the name "
                                "servers did not answer.").format(host=quoted))
    if isinstance(error, socket.gaierror):
        return ConnectProblem("unknown_host",
                              _("The host name {host} was not found.").format(host=quoted))
    if isinstance(error, ConnectionRefusedError):
        return ConnectProblem("refused",
                              _("Nothing is listening on {target}: the connection was "
                                "refused.").format(target=target))
    if error.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL):
        return ConnectProblem("unreachable",
                              # Translators: {reason} is the system's error message.
                              _("{host} cannot be reached from this computer "
                                "({reason}).").format(host=exchange.host,
                                                      reason=error.strerror or error))
    return ConnectProblem("error",
                          # Translators: {reason} is the system's error message.
                          _("Could not connect to {target}: {reason}.").format(
                              target=target, reason=error.strerror or error))


def connect_fix(code: str, exchange: Exchange, listener: str) -> str:
    """What to do about a failed connection; `listener` names what should be listening
    (translated already, e.g. "the Xrfb server")."""
    host, port = exchange.host, exchange.port
    if code == "unknown_host":
        return _("Check the spelling of the host name, or enter the server's IP address. "
                 "If the name is right, this computer's DNS settings may be wrong.")
    if code == "lookup_failed":
        return _("Check this computer's network connection and DNS settings (the DNS page "
                 "of this wizard measures the name servers), or enter the server's IP "
                 "address.")
    if code == "refused":
        # Translators: {listener} is a server, e.g. "the Xrfb server" or "the VNC
        # server for display 1 (display N listens on port 5900 + N)".
        return _("Start {listener} on {host}, or correct the port number. A refusal "
                 "comes from the host itself, so the network path to it works.").format(
                     listener=listener, host=host)
    if code == "connect_timeout":
        return _("Check that {host} is switched on and on the network, and that its "
                 "firewall (and any firewall in between) lets TCP port {port} "
                 "through.").format(host=host, port=port)
    if code == "unreachable":
        return _("Check this computer's network connection and the server's address.")
    return _("Check the server's address and port, and this computer's network connection.")


def http_status_text(code: int, reason: str) -> str:
    """ "HTTP 200 OK", or "HTTP 200" when the server gave no reason phrase."""
    return f"HTTP {code} {reason}" if reason else f"HTTP {code}"


def describe_peer(data: bytes) -> tuple[str, str, dict[str, object]]:
    """What a peer that is not what we expected seems to be: (kind, words, details); the
    words are a clause such as "it looks like a web server (HTTP 200 OK)", in the user's
    language, shown after "{target} is not a VNC server: "."""
    status = HTTP_STATUS_LINE.match(data)
    if status:
        code = int(status.group(2))
        reason = printable(status.group(3) or b"", 60)
        server = ""
        for line in bytes(data[status.end():]).split(b"\n"):
            name, colon, value = line.partition(b":")
            if colon and name.strip().lower() == b"server":
                server = printable(value.strip(), 80)
                break
        said = http_status_text(code, reason)
        if server:
            # Translators: what a peer seems to be, after e.g. "{target} is not a VNC
            # server: "; {status} is e.g. "HTTP 200 OK", {server} the name of the web
            # server program.
            words = _("it looks like a web server ({status}, server {server})").format(
                status=said, server=server)
        else:
            # Translators: what a peer seems to be, after e.g. "{target} is not a VNC
            # server: "; {status} is e.g. "HTTP 200 OK".
            words = _("it looks like a web server ({status})").format(status=said)
        return "http", words, {"http_status": code, "http_server": server}
    if _GREETING.match(data):
        version = _version_text(data)
        # Translators: what a peer seems to be, after e.g. "{target} is not a VNC
        # server: ".
        words = _("it looks like a VNC server (RFB {version})").format(version=version)
        return "rfb", words, {"rfb_version": version}
    if data.startswith(b"SSH-"):
        # Translators: what a peer seems to be, after e.g. "{target} is not a VNC
        # server: "; {greeting} is the first line the SSH server sent.
        words = _("it looks like an SSH server ({greeting})").format(greeting=printable(data))
        return "ssh", words, {}
    # Translators: what a peer seems to be, after e.g. "{target} is not a VNC
    # server: "; {first_bytes} is what it sent, quoted.
    return "other", _("it sent {first_bytes}").format(first_bytes=repr(printable(data))), {}


def _version_text(greeting: bytes) -> str:
    match = _GREETING.match(greeting)
    if not match:
        return ""
    return f"{int(match.group(1))}.{int(match.group(2))}"


# -- the VNC port probe ------------------------------------------------------------------------

@dataclass
class _Rfb(Exchange):
    nudged: bool = False  # we asked a silent port in HTTP
    version: tuple[int, int] | None = None  # the server's, from its greeting
    answered: tuple[int, int] | None = None  # the version we replied with
    security_types: list[int] | None = None
    refusal: str | None = None  # the server's reason for turning us down


def could_be_greeting(data: bytes) -> bool:
    """True while `data` may still become an RFB greeting."""
    return data[:4] == b"RFB "[:min(4, len(data))]


async def _read_greeting(reader: asyncio.StreamReader, rfb: _Rfb) -> None:
    while len(rfb.data) < _GREETING_LENGTH and could_be_greeting(rfb.data):
        if not await read_some(reader, rfb, _GREETING_LENGTH):
            return


async def _read_more_for_words(reader: asyncio.StreamReader, rfb: _Rfb) -> None:
    """A peer that is not VNC: read a little more (an HTTP head, or a line) to name it."""
    limit = 4096 if rfb.data.startswith(b"HTTP/") else 256

    async def more() -> None:
        while len(rfb.data) < limit:
            head = bytes(rfb.data)
            if b"\r\n\r\n" in head or b"\n\n" in head:
                return
            if limit == 256 and b"\n" in head:
                return
            if not await read_some(reader, rfb, limit):
                return

    with contextlib.suppress(asyncio.TimeoutError):
        await within(more(), DESCRIBE_TIME)


async def _read_exactly(reader: asyncio.StreamReader, rfb: _Rfb, count: int) -> bytes | None:
    try:
        return await reader.readexactly(count)
    except asyncio.IncompleteReadError:
        rfb.eof = True
        return None
    except (ConnectionResetError, BrokenPipeError):
        rfb.eof = True
        return None


async def _read_reason(reader: asyncio.StreamReader, rfb: _Rfb) -> None:
    """A refusal: a 4-byte length, then the reason text (read up to REASON_CAP)."""
    rfb.refusal = ""
    raw = await _read_exactly(reader, rfb, 4)
    if raw is None:
        return
    wanted = min(struct.unpack(">I", raw)[0], REASON_CAP)
    text = bytearray()
    while len(text) < wanted:
        try:
            chunk = await reader.read(wanted - len(text))
        except (ConnectionResetError, BrokenPipeError):
            chunk = b""
        if not chunk:
            break
        text += chunk
        rfb.refusal = _reason_text(text)  # kept as it comes, in case time runs out
    rfb.refusal = _reason_text(text)


def _reason_text(raw: bytes) -> str:
    text = bytes(raw).decode("utf-8", "replace").strip()
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return text if len(text) <= 200 else text[:199] + "\u2026"


async def _negotiate_security(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                              rfb: _Rfb) -> None:
    assert rfb.version is not None
    if rfb.version >= (3, 8):
        rfb.answered = (3, 8)  # RFC 6143: the highest version we know that is not newer
    elif rfb.version == (3, 7):
        rfb.answered = (3, 7)
    else:
        rfb.answered = (3, 3)  # 3.3, and the unofficial 3.4-3.6 treated as 3.3
    writer.write(b"RFB %03d.%03d\n" % rfb.answered)
    if rfb.answered == (3, 3):
        raw = await _read_exactly(reader, rfb, 4)
        if raw is None:
            return
        (code,) = struct.unpack(">I", raw)
        if code == 0:
            await _read_reason(reader, rfb)
        else:
            rfb.security_types = [code]
        return
    raw = await _read_exactly(reader, rfb, 1)
    if raw is None:
        return
    if raw[0] == 0:
        await _read_reason(reader, rfb)
        return
    types = await _read_exactly(reader, rfb, raw[0])
    if types is not None:
        rfb.security_types = list(types)


async def _rfb_exchange(rfb: _Rfb, addresses: list[str] | None) -> None:
    reader, writer = await open_stream(rfb, addresses)
    try:
        grace = min(GREETING_GRACE, rfb.timeout / 2)
        try:
            await within(_read_greeting(reader, rfb), grace)
        except asyncio.TimeoutError:
            if not rfb.data:  # a VNC server speaks first: ask who is there instead
                writer.write(http_request(rfb.host, rfb.port))
                rfb.nudged = True
            await _read_greeting(reader, rfb)
        match = _GREETING.fullmatch(bytes(rfb.data[:_GREETING_LENGTH]))
        if match is None:
            if rfb.data and not rfb.eof:
                await _read_more_for_words(reader, rfb)
            return
        rfb.version = (int(match.group(1)), int(match.group(2)))
        if not rfb.nudged:
            await _negotiate_security(reader, writer, rfb)
    finally:
        close_quietly(writer)


def _rfb_result(rfb: _Rfb, status: Status, summary: str, fix: str = "",
                **details: object) -> ProbeResult:
    facts = rfb.base_details()
    if rfb.version is not None:
        facts["rfb_version"] = f"{rfb.version[0]}.{rfb.version[1]}"
        facts["greeting"] = printable(rfb.data[:_GREETING_LENGTH])
    if rfb.answered is not None:
        facts["answered_version"] = f"{rfb.answered[0]}.{rfb.answered[1]}"
    if rfb.security_types is not None:
        facts["security_types"] = list(rfb.security_types)
        facts["security_names"] = [security_type_name(t) for t in rfb.security_types]
        facts["needs_password"] = 1 not in rfb.security_types
    if rfb.refusal is not None:
        facts["reason"] = rfb.refusal
    facts["nudged_with_http"] = rfb.nudged
    facts.update(details)
    return ProbeResult(id=f"vnc.{rfb.port}", service=SERVICE, target=rfb.target,
                       status=status, summary=summary, fix=fix,
                       elapsed_ms=round(rfb.elapsed_ms(), 2), details=facts)


def _vnc_listener_words(port: int) -> str:
    display = display_for_port(port)
    if display is None:
        # Translators: what should listen on a port, shown in "Start {listener} on
        # {host}, ..."
        return _("the VNC server")
    # Translators: what should listen on a port, shown in "Start {listener} on
    # {host}, ..."
    return _("the VNC server for display {display} (display N listens on port "
             "5900 + N)").format(display=display)


def _rfb_verdict(rfb: _Rfb) -> ProbeResult:
    target = rfb.target
    problem = connect_problem(rfb)
    if problem is not None:
        return _rfb_result(rfb, Status.FAILED, problem.summary,
                           connect_fix(problem.code, rfb, _vnc_listener_words(rfb.port)),
                           problem=problem.code)
    if rfb.version is not None:
        version = f"RFB {rfb.version[0]}.{rfb.version[1]}"
        if rfb.security_types:
            names = ", ".join(security_type_name(t, translated=True)
                              for t in rfb.security_types)
            if 1 in rfb.security_types:
                # Translators: {version} is e.g. "RFB 3.8"; {security_types} a
                # comma-separated list of RFB security type names, e.g. "None, VNC
                # Authentication".
                summary = _("VNC server on {target} ({version}); security: {security_types} "
                            "(no password).")
            else:
                # Translators: {version} is e.g. "RFB 3.8"; {security_types} a
                # comma-separated list of RFB security type names, e.g. "VNC
                # Authentication, VeNCrypt".
                summary = _("VNC server on {target} ({version}); security: {security_types} "
                            "(asks for a password).")
            return _rfb_result(rfb, Status.OK, summary.format(
                target=target, version=version, security_types=names), problem="")
        if rfb.refusal is not None:
            refusal = rfb.refusal.lower()
            if "too many" in refusal or "blacklist" in refusal:
                fix = _("The VNC server has blocked this computer for a while after too many "
                        "unfinished or failed connections. Wait a minute and check again; if "
                        "it keeps happening, look for a program that keeps connecting to it "
                        "(or with a wrong password).")
            else:
                fix = _("The server turned the connection down for the reason shown. Check "
                        "the VNC server's settings (who may connect, how many at once).")
            # Translators: shown after "refuses connections: " when the server gave
            # none.
            reason = rfb.refusal or _("no reason given")
            return _rfb_result(rfb, Status.WARNING,
                               # Translators: {version} is e.g. "RFB 3.8"; {reason} is the server's
                               # own words, usually English.
                               _("VNC server on {target} ({version}) answered, but refuses "
                                 "connections: {reason}").format(
                                     target=target, version=version, reason=reason),
                               fix, problem="server_refused")
        if rfb.nudged:
            return _rfb_result(
                rfb, Status.WARNING,
                _("VNC server on {target} ({version}), but it greeted only after more than "
                  "{time}; its security types were not read.").format(
                      target=target, version=version,
                      time=seconds(min(GREETING_GRACE, rfb.timeout / 2))),
                _("The server or the network is very slow; Open Cobalt may give up on it. "
                  "Check the server's load and the network between here and there."),
                problem="slow_greeting")
        if rfb.timed_out:
            summary = _("VNC server on {target} ({version}), but it did not offer its "
                        "security types within {time}.")
        else:
            summary = _("VNC server on {target} ({version}), but it closed the connection "
                        "before offering its security types.")
        return _rfb_result(rfb, Status.WARNING,
                           summary.format(target=target, version=version,
                                          time=seconds(rfb.timeout)),
                           _("Restart the VNC server, and check that nothing between here "
                             "and the server cuts connections."), problem="incomplete")
    if rfb.data:
        data = bytes(rfb.data)
        if could_be_greeting(data) and len(data) < _GREETING_LENGTH and rfb.timed_out:
            return _rfb_result(rfb, Status.FAILED,
                               _("{target} answered too slowly: {count} bytes of a VNC "
                                 "greeting in {time}.").format(
                                     target=target, count=len(data),
                                     time=seconds(rfb.timeout)),
                               _("The server or the network is far too slow for VNC. Check "
                                 "the server's load and the network in between."),
                               problem="too_slow")
        kind, words, facts = describe_peer(data)
        if kind == "http":
            fix = _("This port answers HTTP: it may be the Xrfb control port (usually "
                    "{control_port}). VNC displays listen on port 5900 + the display "
                    "number; enter that port instead.").format(control_port=XRFB_CONTROL_PORT)
        else:
            fix = _("Another program uses this port. Check the port number: VNC display N "
                    "listens on 5900 + N.")
        if kind == "rfb":
            # Translators: what a peer seems to be, after e.g. "{target} is not a VNC
            # server: "; {greeting} is what it sent, quoted.
            words = _("it sent a garbled VNC greeting ({greeting})").format(
                greeting=repr(printable(data)))
        return _rfb_result(rfb, Status.FAILED,
                           # Translators: {what} says what the peer seems to be, e.g. "it looks like
                           # a web server (HTTP 200 OK)".
                           _("{target} is not a VNC server: {what}.").format(
                               target=target, what=words), fix,
                           problem="not_rfb", peer=kind, first_bytes=printable(data),
                           **facts)
    if rfb.eof:
        return _rfb_result(rfb, Status.FAILED,
                           _("{target} accepted the connection and closed it without a VNC "
                             "greeting.").format(target=target),
                           _("Another program, or a server that does not accept this "
                             "computer, holds this port. Check the port number and the "
                             "server's settings."), problem="closed")
    if rfb.nudged:
        summary = _("{target} accepted the connection but sent no VNC greeting within {time} "
                    "and did not answer an HTTP request either.")
    else:
        summary = _("{target} accepted the connection but sent no VNC greeting within "
                    "{time}.")
    return _rfb_result(rfb, Status.FAILED,
                       summary.format(target=target, time=seconds(rfb.timeout)),
                       _("Something other than a VNC server holds this port, or the server "
                         "is hung. Check the port number (display N listens on 5900 + N) and "
                         "restart the VNC server."), problem="no_greeting")


async def _probe_vnc(host: str, port: int, timeout: float,
                     addresses: list[str] | None) -> ProbeResult:
    rfb = _Rfb(host, port, timeout)
    await run_exchange(rfb, _rfb_exchange(rfb, addresses))
    return _rfb_verdict(rfb)


async def probe_vnc_port(host: str, port: int, timeout: float = 3.0) -> ProbeResult:
    """Is a VNC server on host:port? Reads its greeting and security types, never logs in.

    OK: an RFB server, with its version and security types (details: rfb_version,
    security_types, security_names, needs_password). WARNING: a VNC server that refuses
    connections (details.reason, e.g. TigerVNC's "Too many security failures"), greets too
    slowly, or stops before offering security types. FAILED: refused, timed out, host
    unknown or unreachable, silent, or not RFB (details.problem says which).
    """
    return await _probe_vnc(host, port, timeout, None)


# -- the range scan ------------------------------------------------------------------------

def _check_range(first: int, last: int) -> None:
    if not 1 <= first <= last <= 65535:
        raise ValueError(f"not a port range: {first}-{last}")


async def scan_vnc_range(host: str, first: int, last: int, timeout: float = 2.0,
                         max_open: int = 8, total: float | None = None) -> list[ProbeResult]:
    """probe_vnc_port for every port of first..last, concurrently with at most `max_open`
    connections at a time; one result per port, in port order.

    The host name is looked up once. Each port gets its own `timeout`, counted from when
    its connection starts, so the scan takes about one timeout when ports answer or refuse
    at once, and at most ceil(ports / max_open) timeouts when every port is silent. With
    `total`, the whole scan ends by then: ports still waiting for a free socket are
    reported SKIPPED ("not checked in time") rather than making the user wait.
    """
    _check_range(first, last)
    if max_open < 1:
        raise ValueError("max_open must be at least 1")
    ports = range(first, last + 1)
    started = time.perf_counter()
    try:
        addresses = await within(resolve(host, first), timeout)
    except (OSError, asyncio.TimeoutError) as error:
        failed = []
        for port in ports:
            rfb = _Rfb(host, port, timeout, started=started)
            if isinstance(error, asyncio.TimeoutError):
                rfb.timed_out = True  # in the "resolve" phase: the look-up timed out
            else:
                rfb.error = error
            failed.append(_rfb_verdict(rfb))
        return failed
    gate = asyncio.Semaphore(max_open)

    ends = None if total is None else started + total

    async def one(port: int) -> ProbeResult:
        async with gate:
            left = timeout if ends is None else min(timeout, ends - time.perf_counter())
            if left < 0.05:
                return ProbeResult(
                    f"vnc.{port}", SERVICE, format_target(host, port), Status.SKIPPED,
                    # Translators: {time} is the time the whole scan may take, e.g. "5 s".
                    _("Port {port} was not checked: the other ports of the range used up "
                      "the {time}.").format(port=port, time=f"{total:g} s"),
                    details={"problem": "not_checked"})
            return await _probe_vnc(host, port, left, addresses)

    return list(await asyncio.gather(*(one(port) for port in ports)))


# -- hosting VNC displays on this computer -------------------------------------------------

def _bind_error(host: str, port: int) -> int | None:
    """None if this computer could listen on host:port now, else the errno of the bind."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        if sys.platform == "win32":
            # SO_REUSEADDR on Windows lets a socket steal a port in use: ask for the opposite.
            exclusive = getattr(socket, "SO_EXCLUSIVEADDRUSE", 0)
            if exclusive:
                sock.setsockopt(socket.SOL_SOCKET, exclusive, 1)
        else:
            # What servers set: connections in TIME_WAIT do not make a port "in use".
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as error:
            return error.errno or -1
    return None


def free_local_ports(first: int, last: int, host: str = "127.0.0.1") -> list[int]:
    """The ports of first..last this computer could listen on right now (each is bound and
    released at once; nothing is sent). Blocking, but only microseconds per port."""
    _check_range(first, last)
    return [port for port in range(first, last + 1) if _bind_error(host, port) is None]

def _displays_text(first: int, last: int) -> str:
    """ "VNC displays 0-30" for 5900-5930; "VNC displays" outside 5900-5999."""
    low, high = display_for_port(first), display_for_port(last)
    if low is None or high is None:
        # Translators: the subject of "... free on this computer: {displays} can
        # listen on them."
        return _("VNC displays")
    if low == high:
        # Translators: the subject of "... free on this computer: {displays} can
        # listen on them."
        return _("VNC display {display}").format(display=low)
    # Translators: the subject of "... free on this computer: {displays} can
    # listen on them."; {displays} is a range of display numbers, e.g. "10-30".
    return _("VNC displays {displays}").format(displays=f"{low}-{high}")


async def probe_vnc_hosting(first: int, last: int, host: str = "0.0.0.0") -> ProbeResult:
    """Could this computer host VNC displays on first..last? Binds each port for an instant
    (on all interfaces by default, as a server would) and lets it go.

    OK: every port is free. WARNING: some are in use (summary: "5901 and 5902 are in use
    by another program"). FAILED: none can be used. details: free, in_use, blocked.
    """
    _check_range(first, last)
    started = time.perf_counter()
    in_use: list[int] = []
    blocked: dict[str, str] = {}
    for port in range(first, last + 1):
        code = _bind_error(host, port)
        if code is None:
            continue
        if code in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -2)):
            in_use.append(port)
        else:
            blocked[str(port)] = errno.errorcode.get(code, str(code))
        await asyncio.sleep(0)  # stay cancellable and let the GUI breathe on long ranges
    taken = sorted(in_use + [int(p) for p in blocked])
    free = [port for port in range(first, last + 1) if port not in taken]
    span = f"{first}-{last}" if first != last else str(first)
    details: dict[str, object] = {"host": host, "first": first, "last": last, "free": free,
                                  "in_use": in_use, "blocked": blocked}
    target = f"this computer, TCP {span}"
    elapsed = round((time.perf_counter() - started) * 1000, 2)
    if not taken:
        # Translators: {ports} is a port or a range of ports, e.g. "5900-5930";
        # {displays} e.g. "VNC displays 0-30".
        summary = ngettext("Port {ports} is free on this computer: {displays} can listen "
                           "on them.",
                           "Ports {ports} are free on this computer: {displays} can listen "
                           "on them.", last - first + 1)
        return ProbeResult("vnc.hosting", SERVICE, target, Status.OK,
                           summary.format(ports=span, displays=_displays_text(first, last)),
                           elapsed_ms=elapsed, details=details)
    words = []
    if in_use:
        displays = [display_for_port(port) for port in in_use]
        if None not in displays:
            numbers = port_list([d for d in displays if d is not None])
            # Translators: one item of a "; "-joined list of problems with local ports
            # (its first letter is made upper case); {ports} is a list of port numbers
            # such as "5901 and 5902", {displays} a list of display numbers such as "1
            # and 2".
            word = ngettext("{ports} is in use by another program (VNC display {displays} "
                            "cannot listen there)",
                            "{ports} are in use by another program (VNC displays {displays} "
                            "cannot listen there)", len(in_use)).format(
                                ports=port_list(in_use), displays=numbers)
        else:
            # Translators: one item of a "; "-joined list of problems with local ports
            # (its first letter is made upper case); {ports} is a list of port numbers
            # such as "5901 and 5902".
            word = ngettext("{ports} is in use by another program",
                            "{ports} are in use by another program", len(in_use)).format(
                                ports=port_list(in_use))
        words.append(word)
    if blocked:
        ports = [int(p) for p in blocked]
        # Translators: one item of a "; "-joined list of problems with local ports
        # (its first letter is made upper case); {ports} is a list of port numbers
        # such as "5901 and 5902".
        words.append(_("{ports} cannot be opened by this program (reserved or "
                       "forbidden)").format(ports=port_list(ports)))
    fix = _("Choose display numbers whose ports are free (display N listens on port "
            "5900 + N), or stop the program that holds these ports. To see which program it "
            "is: `ss -ltnp` on Linux, `lsof -iTCP -sTCP:LISTEN` on macOS, `netstat -ano` on "
            "Windows.")
    status = Status.FAILED if not free else Status.WARNING
    summary = "; ".join(words) + "."
    summary = summary[0].upper() + summary[1:]
    if not free:
        # Translators: {ports} is a range of ports, e.g. "5900-5930"; {problems} is
        # a "; "-joined list such as "5900 is in use by another program; 5901
        # cannot be opened by this program (reserved or forbidden)." (it ends with
        # its full stop).
        summary = _("No port of {ports} is free: {problems}").format(
            ports=span, problems=summary[0].lower() + summary[1:])
    return ProbeResult("vnc.hosting", SERVICE, target, status, summary, fix,
                       elapsed_ms=elapsed, details=details)


_VNC_RANGE_NOTE = N_(
    "Open Cobalt's network table lists TCP ports {client_ports} for VNC: that is the client "
    "side, the ports a computer running Open Cobalt connects to when it shows an Xrfb/VNC "
    "application. The Xrfb setup guide asks a server's firewall to open {server_ports} "
    "instead, because a server may host many displays and display N listens on port "
    "5900 + N (display 10 on 5910, display 99 on 5999).\n\n"
    "What to open where:\n"
    "- On a computer that runs Open Cobalt: allow outgoing TCP {client_ports} and the Xrfb "
    "control port {control_port} (most firewalls allow all outgoing connections already).\n"
    "- On the Xrfb/VNC server: allow incoming TCP on the control port {control_port} and on "
    "the ports of the displays it really runs, within {server_ports}; open no more than you "
    "use.\n"
    "- To work with both lists, use displays {both_displays} (ports {both_ports}): both "
    "ranges include them."
)


def _range_note_values() -> dict[str, object]:
    return {"client_ports": f"{CLIENT_RANGE[0]}-{CLIENT_RANGE[1]}",
            "server_ports": f"{SERVER_RANGE[0]}-{SERVER_RANGE[1]}",
            "control_port": XRFB_CONTROL_PORT,
            "both_displays": f"{SERVER_RANGE[0] - VNC_BASE_PORT}-"
                             f"{CLIENT_RANGE[1] - VNC_BASE_PORT}",
            "both_ports": f"{SERVER_RANGE[0]}-{CLIENT_RANGE[1]}"}


def vnc_range_note() -> str:
    """Which VNC ports to open where (the two ranges explained), in the user's language."""
    return _(_VNC_RANGE_NOTE).format(**_range_note_values())


# The same note in English (show vnc_range_note() to the user).
VNC_RANGE_NOTE = _VNC_RANGE_NOTE.format(**_range_note_values())

__all__ = [
    "CLIENT_RANGE", "SECURITY_TYPE_NAMES", "SERVER_RANGE", "VNC_BASE_PORT", "VNC_RANGE_NOTE",
    "display_for_port", "free_local_ports", "probe_vnc_hosting",
    "probe_vnc_port", "scan_vnc_range", "security_type_name", "vnc_range_note",
]
