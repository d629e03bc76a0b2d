"""LAN discovery: listen for Open Cobalt's CRQT announcements and list the spaces heard.

Every running space broadcasts a CRQT packet every 5 s to 255.255.255.255:43215 (see
DESIGN.md section 1). Layout, counting bytes from 1:

    1-4    ASCII "CRQT"
    5-6    the router's TCP port, big-endian
    7-38   the 128-bit island id as 32 lowercase hex characters
    39-    the island name, UTF-8, no length and no terminator

The router's host is the packet's UDP source address. Listening is passive: this module
never sends anything. The socket is bound with SO_REUSEADDR (and SO_REUSEPORT where the
system has it) so that Open Cobalt, if it listens with the same options, can keep its own
listener; broadcasts are delivered to every socket sharing the port.

Names come from anyone on the LAN, so they are decoded leniently: bytes that are not UTF-8
become U+FFFD (a space whose name an older image encoded as Latin-1 is still listed, just
with a replaced character), and control characters are replaced too so a name cannot
break a line of the report. Only the header is strict.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from cobalt_setup.i18n import _, ngettext
from cobalt_setup.probes.os_errors import ACCESS_DENIED, ADDRESS_IN_USE
from cobalt_setup.result import ProbeResult, Status
from cobalt_setup.services import BY_ID
from cobalt_setup.wording import seconds

MAGIC = b"CRQT"
HEADER_LENGTH = 38  # magic (4) + port (2) + island id (32)
ID_LENGTH = 32
MAX_PACKET = 2048  # longer datagrams are not CRQT announcements: ignored
MAX_SPACES = 256  # spaces kept per listen; a flood of fake ones cannot grow memory
MAX_REASONS = 10  # examples of ignored packets kept in the details
RECEIVE_BUFFER = 256 * 1024
DEFAULT_PORT = BY_ID["crqt"].first_port
DEFAULT_DURATION_S = 5.5  # a little more than one broadcast period
SHOWN_NAMES = 5
SHOWN_NAME_LENGTH = 40

_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Space:
    """One space heard on the LAN."""

    name: str
    island_id: str  # 32 lowercase hex characters
    router_host: str  # the UDP source address of its announcements
    router_port: int  # the router's TCP port, from the packet
    last_heard: float  # time.monotonic() of the latest announcement
    packets: int = 1  # announcements heard

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.island_id, self.router_host, self.router_port)

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "island_id": self.island_id,
                "router_host": self.router_host, "router_port": self.router_port,
                "last_heard": self.last_heard, "packets": self.packets}


def _clean_name(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace")
    return "".join("\ufffd" if ch < " " or "\x7f" <= ch <= "\x9f" else ch for ch in text)


def parse_crqt(packet: bytes, sender: tuple[str, int]) -> Space:
    """Read one announcement; `sender` is the (host, port, ...) it came from.

    Raises ValueError, with a plain message, for anything that is not a CRQT announcement.
    The name is never a reason to refuse a packet (see the module's notes).
    """
    if len(packet) > MAX_PACKET:
        raise ValueError(f"packet too long ({len(packet)} bytes, at most {MAX_PACKET})")
    if len(packet) < len(MAGIC) or packet[:len(MAGIC)] != MAGIC:
        raise ValueError("not a CRQT packet (it does not start with 'CRQT')")
    if len(packet) < HEADER_LENGTH:
        raise ValueError(f"truncated CRQT packet ({len(packet)} bytes, the header alone "
                         f"is {HEADER_LENGTH})")
    port = int.from_bytes(packet[4:6], "big")
    if port == 0:
        raise ValueError("the router port is 0")
    raw_id = packet[6:HEADER_LENGTH]
    try:
        island_id = raw_id.decode("ascii")
    except UnicodeDecodeError:
        raise ValueError("the island id is not hexadecimal") from None
    if not set(island_id) <= _HEX:
        if set(island_id.lower()) <= _HEX:
            raise ValueError("the island id has uppercase letters (Open Cobalt sends "
                             "lowercase hex)")
        raise ValueError("the island id is not hexadecimal")
    return Space(name=_clean_name(packet[HEADER_LENGTH:]), island_id=island_id,
                 router_host=str(sender[0]), router_port=port, last_heard=time.monotonic())


class _Collector(asyncio.DatagramProtocol):
    def __init__(self, on_space: Callable[[Space], object] | None) -> None:
        self.on_space = on_space
        self.spaces: dict[tuple[str, str, int], Space] = {}
        self.packets = 0
        self.ignored = 0
        self.reasons: list[dict[str, str]] = []
        self.capped = 0  # new spaces not kept because MAX_SPACES was reached
        self.errors = 0

    def datagram_received(self, data: bytes, addr: tuple) -> None:
        self.packets += 1
        try:
            space = parse_crqt(data, addr)
        except ValueError as problem:
            self.ignored += 1
            if len(self.reasons) < MAX_REASONS:
                self.reasons.append({"sender": str(addr[0]), "reason": str(problem)})
            return
        known = self.spaces.get(space.key)
        if known is not None:
            # A space may rename itself; keep the latest name it announced.
            self.spaces[space.key] = replace(space, packets=known.packets + 1)
            return
        if len(self.spaces) >= MAX_SPACES:
            self.capped += 1
            return
        self.spaces[space.key] = space
        if self.on_space is not None:
            self.on_space(space)

    def error_received(self, exc: Exception) -> None:
        self.errors += 1  # e.g. ICMP errors reported on Windows; nothing to do

def _shown(name: str) -> str:
    # Translators: stands for a space that announces an empty name, in a list
    # of names.
    name = name.strip() or _("(unnamed)")
    if len(name) > SHOWN_NAME_LENGTH:
        name = name[:SHOWN_NAME_LENGTH - 1] + "\u2026"
    return name


def _heard_summary(spaces: list[Space], ignored: str) -> str:
    """ "Heard 2 spaces: Lab, Backup", then "(...)" with `ignored` unless it is empty."""
    names = [_shown(space.name) for space in spaces[:SHOWN_NAMES]]
    more = len(spaces) - len(names)
    listed = ", ".join(names)
    if more:
        # Translators: the end of the list of spaces heard, e.g. "Lab, Backup,
        # Cafe, Home, Office and 12 more"; {names} is the comma-separated list of
        # the names shown.
        listed = _("{names} and {count} more").format(names=listed, count=more)
    if ignored:
        # Translators: {names} is a list of space names, e.g. "Lab, Backup and 3
        # more"; {ignored} is e.g. "3 malformed packets ignored".
        summary = ngettext("Heard {count} space: {names} ({ignored})",
                           "Heard {count} spaces: {names} ({ignored})", len(spaces))
    else:
        # Translators: {names} is a list of space names, e.g. "Lab, Backup and 3
        # more".
        summary = ngettext("Heard {count} space: {names}",
                           "Heard {count} spaces: {names}", len(spaces))
    return summary.format(count=len(spaces), names=listed, ignored=ignored)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if hasattr(socket, "SO_REUSEPORT"):
            with contextlib.suppress(OSError):  # declared but not supported by this kernel
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
        sock.setblocking(False)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    return sock


def _bind_failure(host: str, port: int, error: OSError, started: float) -> ProbeResult:
    target = f"{host}:{port}"
    elapsed = (time.perf_counter() - started) * 1000
    details = {"host": host, "port": port, "error": str(error), "errno": error.errno}
    if error.errno in ADDRESS_IN_USE:
        return ProbeResult(
            "crqt.listen", "crqt", target, Status.WARNING,
            _("Port {port} is taken by another program that does not share it, so the "
              "wizard cannot listen for spaces on the LAN.").format(port=port),
            fix=_("If Open Cobalt is running, it is the program using UDP port {port}: that "
                  "is fine, it finds the spaces itself. Otherwise close the program that "
                  "uses UDP port {port} and check again.").format(port=port),
            elapsed_ms=elapsed, details=details)
    if error.errno in ACCESS_DENIED:
        return ProbeResult(
            "crqt.listen", "crqt", target, Status.WARNING,
            _("This computer does not let the wizard listen on UDP port {port}.").format(
                port=port),
            fix=_("Allow incoming UDP port {port} on the local network in your firewall or "
                  "security software, so Open Cobalt can find spaces on the LAN.").format(
                      port=port),
            elapsed_ms=elapsed, details=details)
    return ProbeResult(
        "crqt.listen", "crqt", target, Status.FAILED,
        # Translators: {target} is an address and port, e.g. "0.0.0.0:43215";
        # {reason} is the system's error message.
        _("Could not listen on UDP {target}: {reason}.").format(
            target=target, reason=error.strerror or error),
        fix=_("Check the listening address; leave it at 0.0.0.0 to listen on every network."),
        elapsed_ms=elapsed, details=details)


async def listen_for_spaces(
    duration: float = DEFAULT_DURATION_S,
    port: int = DEFAULT_PORT,
    host: str = "0.0.0.0",
    on_space: Callable[[Space], object] | None = None,
) -> ProbeResult:
    """Listen passively for `duration` seconds and report the spaces heard.

    `on_space` is called once for each new space as it is heard (for a live list). The
    result is OK whether or not spaces were heard (none may be running); WARNING when the
    port is held by a program that does not share it; FAILED when the address is unusable.
    """
    started = time.perf_counter()
    try:
        ipaddress.ip_address(host)  # a name would be looked up, blocking, inside bind()
    except ValueError:
        return ProbeResult(
            "crqt.listen", "crqt", f"{host}:{port}", Status.FAILED,
            # Translators: {address} is the listening address as typed, quoted.
            _("{address} is not an IP address of this computer, so the wizard cannot listen "
              "on it.").format(address=repr(host)),
            fix=_("Leave the listening address at 0.0.0.0 to listen on every network."),
            elapsed_ms=(time.perf_counter() - started) * 1000, details={"host": host,
                                                                        "port": port})
    try:
        sock = _bind(host, port)  # before the first await: bound when the task first yields
    except OSError as error:
        return _bind_failure(host, port, error, started)
    collector = _Collector(on_space)
    loop = asyncio.get_running_loop()
    transport: asyncio.BaseTransport | None = None
    try:
        transport, _protocol = await loop.create_datagram_endpoint(lambda: collector,
                                                                   sock=sock)
        await asyncio.sleep(max(0.0, duration - (time.perf_counter() - started)))
    finally:
        if transport is not None:
            transport.close()
        else:
            sock.close()

    spaces = list(collector.spaces.values())
    details: dict[str, object] = {
        "host": host, "port": port, "duration_s": duration,
        "spaces": [space.as_dict() for space in spaces],
        "packets": collector.packets,
        "ignored_packets": collector.ignored,
        "ignored_reasons": collector.reasons,
        "spaces_not_kept": collector.capped,
        "receive_errors": collector.errors,
    }
    ignored = ""
    if collector.ignored:
        # Translators: shown in brackets after the finding, e.g. "No spaces heard
        # on the LAN in 5.5 s (3 malformed packets ignored)."
        ignored = ngettext("{count} malformed packet ignored",
                           "{count} malformed packets ignored",
                           collector.ignored).format(count=collector.ignored)
    if spaces:
        summary = _heard_summary(spaces, ignored)
    else:
        if ignored:
            # Translators: {ignored} is e.g. "3 malformed packets ignored".
            summary = _("No spaces heard on the LAN in {time} ({ignored}).").format(
                time=seconds(duration), ignored=ignored)
        else:
            summary = _("No spaces heard on the LAN in {time}.").format(
                time=seconds(duration))
        details["hint"] = (
            "This is not a failure: no space may be running on this network right now. "
            "Spaces announce themselves every 5 seconds; start one on another computer of "
            "the same network and check again. A firewall that drops incoming UDP port "
            f"{port}, or a network that isolates its clients (guest Wi-Fi), also hides them.")
    return ProbeResult("crqt.listen", "crqt", f"{host}:{port}", Status.OK, summary,
                       elapsed_ms=(time.perf_counter() - started) * 1000, details=details)
