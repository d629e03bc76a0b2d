"""What a VNC server says, read from the wire: its greeting (`RFB 003.008\\n`), the
version we answer with, the security types it offers or its reason for refusing, capped
(a hostile peer cannot make the probe hold more than a few KiB). No sentences here: the
verdict is in `verdict`."""

from __future__ import annotations

import asyncio
import contextlib
import struct
from dataclasses import dataclass

from cobalt_setup.i18n import N_, _
from cobalt_setup.probes.peer import RFB_GREETING, http_request
from cobalt_setup.probes.tcp import Exchange, close_quietly, open_stream, read_some
from cobalt_setup.services import BY_ID
from cobalt_setup.time_limit import within

SERVICE = "vnc"
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

GREETING_LENGTH = 12


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


# -- the VNC port probe ------------------------------------------------------------------------

@dataclass
class Rfb(Exchange):
    nudged: bool = False  # we asked a silent port in HTTP
    version: tuple[int, int] | None = None  # the server's, from its greeting
    answered: tuple[int, int] | None = None  # the version we replied with
    security_types: list[int] | None = None
    refusal: str | None = None  # the server's reason for turning us down


def could_be_greeting(data: bytes) -> bool:
    """True while `data` may still become an RFB greeting."""
    return data[:4] == b"RFB "[:min(4, len(data))]


async def _read_greeting(reader: asyncio.StreamReader, rfb: Rfb) -> None:
    while len(rfb.data) < GREETING_LENGTH and could_be_greeting(rfb.data):
        if not await read_some(reader, rfb, GREETING_LENGTH):
            return


async def _read_more_for_words(reader: asyncio.StreamReader, rfb: Rfb) -> None:
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


async def _read_exactly(reader: asyncio.StreamReader, rfb: Rfb, count: int) -> bytes | None:
    try:
        return await reader.readexactly(count)
    except asyncio.IncompleteReadError:
        rfb.eof = True
        return None
    except (ConnectionResetError, BrokenPipeError):
        rfb.eof = True
        return None


async def _read_reason(reader: asyncio.StreamReader, rfb: Rfb) -> None:
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
                              rfb: Rfb) -> None:
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


async def rfb_exchange(rfb: Rfb, addresses: list[str] | None) -> None:
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
        match = RFB_GREETING.fullmatch(bytes(rfb.data[:GREETING_LENGTH]))
        if match is None:
            if rfb.data and not rfb.eof:
                await _read_more_for_words(reader, rfb)
            return
        rfb.version = (int(match.group(1)), int(match.group(2)))
        if not rfb.nudged:
            await _negotiate_security(reader, writer, rfb)
    finally:
        close_quietly(writer)
