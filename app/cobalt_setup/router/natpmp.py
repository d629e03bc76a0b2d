"""NAT-PMP (RFC 6886) to the default gateway: the router's external address and port mappings.

NAT-PMP is the fallback when the router has no UPnP IGD (Apple routers, many OpenWrt and
pfSense boxes), and a second opinion on the external address. The protocol is one UDP
packet each way on port 5351, retransmitted at 250 ms, 500 ms, 1 s ... until an answer.
The RFC keeps retrying for 64 s; a wizard cannot wait that long, so every call here stops
at the caller's `timeout` and says in plain words what the silence means.

Hand-written: no well-kept asyncio NAT-PMP library exists; the PyPI packages (nat-pmp,
py-natpmp) are blocking socket clients, and the protocol is a few fixed-size packets.
"""

from __future__ import annotations

import ipaddress
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from cobalt_setup.i18n import N_, _
from cobalt_setup.router.udp_exchange import (
    NoAnswer,
    check_mapping_request,
    check_request,
    doubling,
    exchange,
)
from cobalt_setup.services import BY_ID
from cobalt_setup.wording import seconds

NATPMP_PORT = BY_ID["natpmp"].first_port  # 5351
NATPMP_VERSION = 0
OPCODE_ADDRESS = 0
OPCODE_MAP = {"udp": 1, "tcp": 2}
RESPONSE_BIT = 128
FIRST_RETRANSMIT_S = 0.25  # RFC 6886 3.1: 250 ms, then doubling
MAX_LIFETIME_S = 2**32 - 1

ADDRESS_ANSWER = struct.Struct("!BBHI4s")  # version, opcode, result, epoch, external address
MAPPING_ANSWER = struct.Struct("!BBHIHHI")  # ... internal port, external port, lifetime
ERROR_ANSWER = struct.Struct("!BBHI")  # RFC 6886 3.5: "unsupported version" is only 8 bytes

# What the result codes of RFC 6886 mean; marked here, translated where looked up.
RESULT_WORDS = {
    # Translators: this and the next four texts explain a router's NAT-PMP
    # result codes; each is shown on its own, as whole sentences
    1: N_("The router answered but does not speak NAT-PMP version 0 (it may speak only the "
          "newer PCP). Forward the ports with UPnP, or by hand in the router's settings."),
    2: N_("The router refused: NAT-PMP is switched off in the router's settings, or not "
          "allowed for this computer or this port. Switch NAT-PMP on, or forward the ports "
          "by hand in the router's settings."),
    # miniupnpd also says 3 when its WAN address is private or shared (100.64/10, CGNAT)
    3: N_("The router has no usable Internet address: it is not connected to the provider "
          "yet, or the provider shares one address among many customers (carrier-grade "
          "NAT), and then no forwarding can reach this computer. Check the router's Internet "
          "connection; if it works, ask the provider for a public IPv4 address."),
    4: N_("The router cannot make any more port forwardings (its table is full, or the "
          "ports are taken). Remove old forwardings in the router's settings, or restart "
          "it."),
    5: N_("The router speaks NAT-PMP but does not know this request. Forward the ports by "
          "hand in the router's settings."),
}


def result_words(code: int) -> str:
    """A NAT-PMP result code in words a user can act on."""
    if code in RESULT_WORDS:
        return _(RESULT_WORDS[code])
    return _("The router refused the NAT-PMP request with result code {code}, which NAT-PMP "
             "does not define. Forward the ports by hand in the router's settings."
             ).format(code=code)


class NatPmpError(Exception):
    """A NAT-PMP request that did not succeed, with words a user can act on.

    `code` is the router's result code (1-5, or another number a future router sends), or
    None when no usable answer came at all.
    """

    def __init__(self, code: int | None, words: str) -> None:
        super().__init__(words)
        self.code = code
        self.words = words


@dataclass(frozen=True)
class NatPmpAddress:
    """The router's external IPv4 address; "0.0.0.0" means it has none yet (RFC 6886 3.2)."""

    address: str
    epoch: int  # seconds since the router's mapping table started: a drop means it was reset
    elapsed_ms: float


@dataclass(frozen=True)
class NatPmpMapping:
    """A forwarding the router granted; its external port and lifetime may differ from the ask."""

    protocol: str  # "tcp" or "udp"
    internal_port: int
    external_port: int
    lifetime_s: int
    epoch: int


async def external_address(gateway: str, *, port: int = NATPMP_PORT,
                           timeout: float) -> NatPmpAddress:
    """Ask the router for its external IPv4 address (opcode 0)."""
    check_request(gateway, port, timeout)
    request = struct.pack("!BB", NATPMP_VERSION, OPCODE_ADDRESS)

    def parse(data: bytes) -> _Answer[tuple[str, int]] | None:
        if len(data) == ADDRESS_ANSWER.size:
            version, opcode, result, epoch, raw_address = ADDRESS_ANSWER.unpack(data)
            address = str(ipaddress.IPv4Address(raw_address))
            return _Answer(version, opcode, result, (address, epoch))
        return _short_error(data)

    (address, epoch), elapsed_ms = await _exchange(
        gateway, port, request, RESPONSE_BIT + OPCODE_ADDRESS, parse, timeout)
    return NatPmpAddress(address, epoch, elapsed_ms)


async def map_port(gateway: str, internal_port: int, external_port: int, lifetime_s: int, *,
                   protocol: str = "tcp", port: int = NATPMP_PORT,
                   timeout: float) -> NatPmpMapping:
    """Ask the router to forward `external_port` (0: any) to this computer's `internal_port`.

    The router maps to the address the request came from, never to another computer.
    Lifetime 0 deletes the mapping (see `unmap_port`). Read the answer, not the request:
    - miniupnpd grants the next free allowed external port when the one asked for is taken
      or not allowed, without saying so;
    - ask for hours, not years: miniupnpd 2.3.1 adds the lifetime to its clock in 32 bits,
      so 2**32-1 is answered as granted and removed at once;
    - after a NatPmpError with code None a slow router may still make the mapping late:
      `unmap_port` is harmless to send then.
    """
    protocol = check_mapping_request(gateway, port, timeout, protocol, OPCODE_MAP,
                                     internal_port, external_port)
    if (isinstance(lifetime_s, bool) or not isinstance(lifetime_s, int)
            or not 0 <= lifetime_s <= MAX_LIFETIME_S):
        raise ValueError(f"lifetime_s must be 0..{MAX_LIFETIME_S}, not {lifetime_s!r}")
    opcode = OPCODE_MAP[protocol]
    request = struct.pack("!BBHHHI", NATPMP_VERSION, opcode, 0, internal_port, external_port,
                          lifetime_s)

    def parse(data: bytes) -> _Answer[NatPmpMapping] | None:
        if len(data) == MAPPING_ANSWER.size:
            version, answer_opcode, result, epoch, answer_internal, answer_external, lifetime = (
                MAPPING_ANSWER.unpack(data))
            if answer_internal != internal_port:
                return None  # an answer to some other request: not ours
            mapping = NatPmpMapping(protocol, answer_internal, answer_external, lifetime, epoch)
            return _Answer(version, answer_opcode, result, mapping)
        return _short_error(data)

    mapping, _elapsed_ms = await _exchange(gateway, port, request, RESPONSE_BIT + opcode, parse,
                                           timeout)
    return mapping


async def unmap_port(gateway: str, internal_port: int, *, protocol: str = "tcp",
                     port: int = NATPMP_PORT, timeout: float) -> None:
    """Delete this computer's mapping of `internal_port` (RFC 6886 3.4: lifetime 0, external
    port 0). Deleting a mapping that does not exist succeeds."""
    await map_port(gateway, internal_port, 0, 0, protocol=protocol, port=port, timeout=timeout)


# -- the exchange -----------------------------------------------------------------------------

T = TypeVar("T")


@dataclass(frozen=True)
class _Answer(Generic[T]):
    version: int
    opcode: int
    result: int
    value: T | None  # None for the 8-byte error form, which carries nothing else


def _short_error(data: bytes) -> _Answer[T] | None:
    """The RFC's 8-byte error answer ("unsupported version", sent by PCP-only routers and by
    miniupnpd): accepted only with a non-zero result code, since success always has a body."""
    if len(data) != ERROR_ANSWER.size:
        return None
    version, opcode, result, _epoch = ERROR_ANSWER.unpack(data)
    return _Answer(version, opcode, result, None) if result else None


async def _exchange(gateway: str, port: int, request: bytes, answer_opcode: int,
                    parse: Callable[[bytes], _Answer[T] | None],
                    timeout: float) -> tuple[T, float]:
    """Send `request`, retransmitting at 250 ms and doubling, until an answer `parse` accepts
    with the right version and opcode, or `timeout` runs out. Returns (value, elapsed ms)."""
    # Translators: a router's address and a UDP port, e.g. "127.0.0.1 port
    # 5352"
    where = gateway if port == NATPMP_PORT else _("{address} port {port}").format(
        address=gateway, port=port)

    def accept(data: bytes) -> _Answer[T] | None:
        answer = parse(data)
        if answer is None or answer.version != NATPMP_VERSION or answer.opcode != answer_opcode:
            return None
        return answer

    def failure(exc: OSError) -> NatPmpError:
        if isinstance(exc, ConnectionRefusedError):
            # Translators: {router} is an address, e.g. "192.168.1.1" or "127.0.0.1
            # port 5352"
            return NatPmpError(None, _("Nothing answers NAT-PMP on {router}: the router does "
                                       "not speak NAT-PMP, or it is switched off."
                                       ).format(router=where))
        reason = exc.strerror or str(exc)
        # Translators: {router} is an address, e.g. "192.168.1.1" or "127.0.0.1
        # port 5352"; {reason} is the system's error message
        return NatPmpError(None, _("Cannot reach {router} for NAT-PMP ({reason}). Check that "
                                   "this computer is connected to the router."
                                   ).format(router=where, reason=reason))

    try:
        answer, _client, elapsed_ms = await exchange(
            gateway, port, lambda _client: request, accept, failure,
            doubling(FIRST_RETRANSMIT_S), timeout)
    except NoAnswer:
        # Translators: {router} is an address, e.g. "192.168.1.1" or "127.0.0.1
        # port 5352"
        raise NatPmpError(None, _("No NAT-PMP answer from {router} within {time}: the "
                                  "router does not speak NAT-PMP, or it is switched off."
                                  ).format(router=where, time=seconds(timeout))) from None
    if answer.result != 0 or answer.value is None:
        raise NatPmpError(answer.result, result_words(answer.result))
    return answer.value, elapsed_ms


# -- argument checks --------------------------------------------------------------------------






