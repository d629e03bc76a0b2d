"""PCP (Port Control Protocol, RFC 6887) to the default gateway, over IPv4: is it spoken, and
port mappings made, refreshed and deleted.

PCP is NAT-PMP's successor on the same UDP port 5351; newer routers (and miniupnpd, which
answers both) speak it, and some carrier-grade NATs speak only PCP. A mapping belongs to
the 12-byte nonce it was made with: the same nonce refreshes it (PCP has no listing, so a
refresh is the only read-back) and deletes it (lifetime 0), so the caller keeps it.

Retransmission follows RFC 6887 section 8.1.1: the first resend after 3 s (give or take
10 %), then doubling, up to 1024 s between sends. The RFC goes on for ever; every call here
stops at the caller's `timeout` and says in plain words what the silence means (with a
2 s timeout that is a single packet: a LAN rarely loses one, and the slow pace is what the
RFC asks so that a gateway serving many hosts is not flooded).

Version negotiation (RFC 6887 section 9): a router that speaks only NAT-PMP answers a PCP
request with NAT-PMP's "unsupported version" (version 0, result 1); that is raised as
`PcpNatPmpOnly`, which callers can tell from a failure (the answer to use is NAT-PMP).
A PCP router of another version answers UNSUPP_VERSION naming its version
(`PcpError.server_version`).

Hand-written: PyPI has no PCP client (its "pcp" packages are Performance Co-Pilot and
Pgpool tools; pypcpc is a Python 2 asyncore command line tool not published there;
nat-pmp and py-natpmp speak only NAT-PMP, blocking), and MAP and ANNOUNCE are fixed-size
packets.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import ipaddress
import random
import secrets
import struct
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from cobalt_setup.i18n import N_, _
from cobalt_setup.router.igd import PortMapping, RouterError
from cobalt_setup.router.udp_exchange import (
    STRAY,
    NoAnswer,
    check_gateway,
    check_mapping_request,
    check_protocol,
    check_request,
    exchange,
)
from cobalt_setup.services import BY_ID
from cobalt_setup.wording import seconds

PCP_PORT = BY_ID["natpmp"].first_port  # 5351, shared with NAT-PMP
PCP_VERSION = 2
NATPMP_VERSION = 0
OPCODE_ANNOUNCE = 0
OPCODE_MAP = 1
RESPONSE_BIT = 128
PROTOCOL_NUMBERS = {"tcp": 6, "udp": 17}  # IANA protocol numbers, as MAP carries them
NONCE_SIZE = 12
MAX_LIFETIME_S = 2**32 - 1
MAX_MESSAGE = 1100  # RFC 6887 section 7: no PCP message is longer
FIRST_RETRANSMIT_S = 3.0  # RFC 6887 8.1.1: IRT
MAX_RETRANSMIT_S = 1024.0  # ... MRT
RETRANSMIT_JITTER = 0.1  # ... RAND, -0.1 to +0.1

REQUEST_HEADER = struct.Struct("!BBHI16s")  # version, opcode, reserved, lifetime, client
RESPONSE_HEADER = struct.Struct("!BBBBII12x")  # version, opcode, reserved, result, lifetime,
#                                                epoch
MAP_BODY = struct.Struct("!12sB3xHH16s")  # nonce, protocol, internal port, external port,
#                                           external address (request and answer alike)
NATPMP_ERROR = struct.Struct("!BBH")  # version 0, opcode, result: a NAT-PMP-only router

# The result codes of RFC 6887 section 7.4, marked here, translated where looked up.
RESULT_WORDS = {
    # Translators: this and the next twelve texts explain a router's PCP result
    # codes; each is shown on its own, as whole sentences
    1: N_("The router does not speak this version of PCP. Forward the ports with UPnP or "
          "NAT-PMP, or by hand in the router's settings."),
    2: N_("The router refused: its settings do not allow this computer to forward this port "
          "with PCP, or the forwarding belongs to another program. Allow PCP for this "
          "computer in the router's settings, or forward the ports by hand there."),
    3: N_("The router could not read the request (it calls it malformed). This is a fault "
          "of this program or of the router, not of your settings: forward the ports by "
          "hand in the router's settings."),
    4: N_("The router speaks PCP but does not know this request. Forward the ports by hand "
          "in the router's settings."),
    5: N_("The router does not know an option the request needs. Forward the ports by hand "
          "in the router's settings."),
    6: N_("The router could not read an option of the request (it calls it malformed). "
          "Forward the ports by hand in the router's settings."),
    7: N_("The router has no working Internet connection at the moment (for example it has "
          "no Internet address yet). Check the router's Internet connection, then try "
          "again."),
    8: N_("The router cannot make any more port forwardings now (its table is full, or it "
          "is busy). Remove old forwardings in the router's settings, or restart it, then "
          "try again."),
    9: N_("The router cannot forward this protocol (TCP or UDP) with PCP. Forward the ports "
          "by hand in the router's settings."),
    10: N_("This computer already has as many forwardings as the router allows it. Remove "
           "forwardings it no longer needs in the router's settings, then try again."),
    11: N_("The router cannot give the outside port or address that was asked for. Choose "
           "other ports, or forward them by hand in the router's settings."),
    12: N_("The router saw the request come from another address than the one written in "
           "it: something that translates addresses (a second router, or a VPN) sits "
           "between this computer and the router. Connect this computer straight to the "
           "router's network, or forward the ports by hand on every router in between."),
    13: N_("The router cannot keep the list of outside computers the request asked for. "
           "Forward the ports by hand in the router's settings."),
}
UNSUPP_VERSION = 1
NETWORK_FAILURE = 7
NO_RESOURCES = 8


# miniupnpd 2.3.1 refuses MAP with NO_RESOURCES when its own outside address is shared
# (100.64/10) or private, and sends that address along: say what it means.
NO_PUBLIC_ADDRESS = N_(
    # Translators: shown on its own, as whole sentences (the same text as NAT-PMP's)
    "The router has no usable Internet address: it is not connected to the provider yet, "
    "or the provider shares one address among many customers (carrier-grade NAT), and then "
    "no forwarding can reach this computer. Check the router's Internet connection; if it "
    "works, ask the provider for a public IPv4 address.")


def _refusal_words(code: int, raw_external: bytes) -> str:
    """A MAP refusal in words; an outside address that is not public explains it better."""
    external = ipaddress.IPv6Address(raw_external)
    outside = external.ipv4_mapped or external
    if code in (NETWORK_FAILURE, NO_RESOURCES) and not (outside.is_unspecified
                                                        or outside.is_global):
        return _(NO_PUBLIC_ADDRESS)
    return result_words(code)


def result_words(code: int) -> str:
    """A PCP result code in words a user can act on."""
    if code in RESULT_WORDS:
        return _(RESULT_WORDS[code])
    return _("The router refused the PCP request with result code {code}, which PCP does "
             "not define. Forward the ports by hand in the router's settings."
             ).format(code=code)


class PcpError(Exception):
    """A PCP request that did not succeed, with words a user can act on.

    `code` is the router's result code (1-13, or another number a future router sends), or
    None when no usable answer came at all. `server_version` is the version a router
    answering UNSUPP_VERSION speaks (0: NAT-PMP only, see PcpNatPmpOnly), else None.
    """

    def __init__(self, code: int | None, words: str, *, server_version: int | None = None
                 ) -> None:
        super().__init__(words)
        self.code = code
        self.words = words
        self.server_version = server_version


class PcpNatPmpOnly(PcpError):
    """The router answered in NAT-PMP that it does not know PCP: ask it with NAT-PMP."""

    def __init__(self) -> None:
        super().__init__(UNSUPP_VERSION, _(
            "The router speaks only NAT-PMP, the older protocol before PCP. Forwarding works "
            "with NAT-PMP instead."), server_version=NATPMP_VERSION)


@dataclass(frozen=True)
class PcpAnnouncement:
    """The router speaks PCP (its answer to ANNOUNCE)."""

    epoch: int  # seconds since its mapping table started: a drop means it lost the mappings
    client_address: str  # this computer's address towards the router, as sent
    elapsed_ms: float


@dataclass(frozen=True)
class PcpMapping:
    """A forwarding the router granted; port, address and lifetime may differ from the ask."""

    protocol: str  # "tcp" or "udp"
    internal_port: int
    external_port: int
    external_address: str  # the router's outside address ("0.0.0.0" when it sent none)
    lifetime_s: int
    epoch: int
    nonce: bytes  # what refreshes and deletes it
    client_address: str  # the computer it forwards to: this one, as the request said


def new_nonce() -> bytes:
    """A fresh mapping nonce: random, so that no other host can take over the mapping."""
    return secrets.token_bytes(NONCE_SIZE)


async def announce(gateway: str, *, port: int = PCP_PORT, timeout: float) -> PcpAnnouncement:
    """Ask whether the router speaks PCP (ANNOUNCE, opcode 0); PcpNatPmpOnly if it speaks
    only NAT-PMP, PcpError for no or another answer."""
    check_request(gateway, port, timeout)
    answer, client, elapsed_ms = await _exchange(
        gateway, port, OPCODE_ANNOUNCE, lambda client: _header(OPCODE_ANNOUNCE, 0, client),
        lambda body: True, timeout)
    if answer.result != 0:
        raise PcpError(answer.result, result_words(answer.result))
    return PcpAnnouncement(answer.epoch, client, elapsed_ms)


async def map_port(gateway: str, internal_port: int, external_port: int, lifetime_s: int, *,
                   nonce: bytes, protocol: str = "tcp", external_address: str = "0.0.0.0",
                   port: int = PCP_PORT, timeout: float) -> PcpMapping:
    """Ask the router to forward `external_port` (0: any) to this computer's
    `internal_port` for `lifetime_s` seconds (MAP, opcode 1).

    Make `nonce` with `new_nonce()` and keep it before asking: the same nonce refreshes
    the mapping, deletes it, and deletes one a lost answer leaves behind. Read the answer,
    not the request: a router may grant another external port when the one asked for is
    taken or not allowed (miniupnpd 2.3.1 gives the next free allowed one, without saying
    so), and shortens or lengthens the lifetime (miniupnpd: to 120 s..1 day).
    """
    protocol = check_mapping_request(gateway, port, timeout, protocol, PROTOCOL_NUMBERS,
                                     internal_port, external_port)
    if (isinstance(lifetime_s, bool) or not isinstance(lifetime_s, int)
            or not 1 <= lifetime_s <= MAX_LIFETIME_S):
        raise ValueError(f"lifetime_s must be 1..{MAX_LIFETIME_S} (0 deletes: "
                         f"delete_mapping), not {lifetime_s!r}")
    return await _map(gateway, internal_port, external_port, lifetime_s, nonce, protocol,
                      _ipv4_mapped(_check_address("external_address", external_address)),
                      port, timeout)


async def refresh_mapping(gateway: str, mapping: PcpMapping, lifetime_s: int, *,
                          port: int = PCP_PORT, timeout: float) -> PcpMapping:
    """MAP again with the mapping's nonce, suggesting the port and address it has: the
    router's answer says whether it still holds that mapping, and renews it."""
    return await map_port(gateway, mapping.internal_port, mapping.external_port, lifetime_s,
                          nonce=mapping.nonce, protocol=mapping.protocol,
                          external_address=mapping.external_address, port=port,
                          timeout=timeout)


async def delete_mapping(gateway: str, internal_port: int, *, nonce: bytes,
                         protocol: str = "tcp", port: int = PCP_PORT, timeout: float) -> None:
    """Delete this computer's mapping of `internal_port` made with `nonce` (MAP with
    lifetime 0, RFC 6887 section 15). miniupnpd 2.3.1 answers NOT_AUTHORIZED for another
    nonce and NO_RESOURCES when it has no such mapping."""
    protocol = check_mapping_request(gateway, port, timeout, protocol, PROTOCOL_NUMBERS,
                                     internal_port)
    try:
        await _map(gateway, internal_port, 0, 0, nonce, protocol, _ipv4_mapped("0.0.0.0"),
                   port, timeout)
    except PcpError as problem:
        if problem.code != NO_RESOURCES:
            raise
        raise PcpError(NO_RESOURCES, _(
            "The router could not remove the forwarding: it no longer has it (it may have "
            "expired), or it is busy. Check the router's settings if it is still listed "
            "there.")) from problem


async def _map(gateway: str, internal_port: int, external_port: int, lifetime_s: int,
               nonce: bytes, protocol: str, suggested_address: bytes, port: int,
               timeout: float) -> PcpMapping:
    if not isinstance(nonce, bytes) or len(nonce) != NONCE_SIZE:
        raise ValueError(f"nonce must be {NONCE_SIZE} bytes (new_nonce()), not {nonce!r}")
    number = PROTOCOL_NUMBERS[protocol]

    def request(client: str) -> bytes:
        return _header(OPCODE_MAP, lifetime_s, client) + MAP_BODY.pack(
            nonce, number, internal_port, external_port, suggested_address)

    def ours(body: bytes) -> bool:
        answer_nonce, answer_protocol, answer_internal, _port, _address = (
            MAP_BODY.unpack_from(body))
        return (answer_nonce, answer_protocol, answer_internal) == (nonce, number,
                                                                    internal_port)

    answer, client, _elapsed_ms = await _exchange(gateway, port, OPCODE_MAP, request, ours,
                                                  timeout)
    if len(answer.body) < MAP_BODY.size:  # only an error answer may come without it
        raise PcpError(answer.result, result_words(answer.result))
    _nonce, _protocol, _internal, granted_port, raw_address = MAP_BODY.unpack_from(answer.body)
    if answer.result != 0:
        raise PcpError(answer.result, _refusal_words(answer.result, raw_address))
    return PcpMapping(protocol, internal_port, granted_port, _address_text(raw_address),
                      answer.lifetime, answer.epoch, nonce, client)


# -- packets ----------------------------------------------------------------------------------

def _ipv4_mapped(address: str) -> bytes:
    """An IPv4 address as PCP carries it: ::ffff:a.b.c.d (RFC 6887 section 5)."""
    return ipaddress.IPv6Address(f"::ffff:{address}").packed


def _address_text(raw: bytes) -> str:
    address = ipaddress.IPv6Address(raw)
    return str(address.ipv4_mapped) if address.ipv4_mapped is not None else str(address)


def _header(opcode: int, lifetime_s: int, client: str) -> bytes:
    return REQUEST_HEADER.pack(PCP_VERSION, opcode, 0, lifetime_s, _ipv4_mapped(client))


@dataclass(frozen=True)
class _Answer:
    version: int
    result: int
    lifetime: int
    epoch: int
    body: bytes  # what follows the 24-byte header (empty in a short error answer)


class _Ignored(enum.Enum):
    """Why a datagram from the router was not the answer."""

    NOT_PCP = "not PCP"  # garbage: counts as "answered, but not in PCP"
    NOT_OURS = "not ours"  # a PCP answer to another request


def _classify(data: bytes, opcode: int, ours: Callable[[bytes], bool]
              ) -> _Answer | PcpNatPmpOnly | _Ignored:
    """One datagram from the router: our answer, NAT-PMP's refusal, or why it is neither
    (RFC 6887 section 8.3: short, long or unaligned ones are dropped)."""
    if len(data) >= NATPMP_ERROR.size and data[0] == NATPMP_VERSION:
        _version, answer_opcode, result = NATPMP_ERROR.unpack_from(data)
        if answer_opcode == RESPONSE_BIT + opcode and result == UNSUPP_VERSION:
            return PcpNatPmpOnly()
        return _Ignored.NOT_PCP
    if not RESPONSE_HEADER.size <= len(data) <= MAX_MESSAGE or len(data) % 4:
        return _Ignored.NOT_PCP
    version, answer_opcode, _reserved, result, lifetime, epoch = RESPONSE_HEADER.unpack_from(
        data)
    if not answer_opcode & RESPONSE_BIT:
        return _Ignored.NOT_PCP  # a request, not an answer
    if version != PCP_VERSION:
        if result == UNSUPP_VERSION and answer_opcode == RESPONSE_BIT + opcode:
            return _Answer(version, result, lifetime, epoch, b"")
        return _Ignored.NOT_PCP
    if answer_opcode != RESPONSE_BIT + opcode:
        return _Ignored.NOT_OURS
    body = data[RESPONSE_HEADER.size:]
    if opcode == OPCODE_MAP:
        if len(body) >= MAP_BODY.size:
            if not ours(body):
                return _Ignored.NOT_OURS
        elif result == 0:
            return _Ignored.NOT_PCP  # a success must carry the mapping; an error need not
    return _Answer(version, result, lifetime, epoch, body)


# -- the exchange -----------------------------------------------------------------------------

def _retransmit_intervals() -> Iterator[float]:
    """Seconds between sends, RFC 6887 8.1.1: RT = (1 + RAND) * IRT, then (1 + RAND) * 2 *
    RTprev, and (1 + RAND) * MRT once that is passed."""
    def jitter() -> float:
        return 1 + random.uniform(-RETRANSMIT_JITTER, RETRANSMIT_JITTER)

    interval_s = jitter() * FIRST_RETRANSMIT_S
    while True:
        yield interval_s
        interval_s = jitter() * 2 * interval_s
        if interval_s > MAX_RETRANSMIT_S:
            interval_s = jitter() * MAX_RETRANSMIT_S


async def _exchange(gateway: str, port: int, opcode: int, request: Callable[[str], bytes],
                    ours: Callable[[bytes], bool], timeout: float
                    ) -> tuple[_Answer, str, float]:
    """Send the request (made for this computer's address towards the router), resending
    on RFC 6887's schedule, until our answer comes or `timeout` runs out. Returns (answer,
    this computer's address, elapsed ms), a refusal too (its result code is the caller's
    to read); PcpError for no usable answer or another version."""
    # Translators: a router's address and a UDP port, e.g. "127.0.0.1 port
    # 5352"
    where = gateway if port == PCP_PORT else _("{address} port {port}").format(
        address=gateway, port=port)

    def failure(exc: OSError) -> PcpError:
        if isinstance(exc, ConnectionRefusedError):
            # Translators: {router} is an address, e.g. "192.168.1.1" or "127.0.0.1
            # port 5352"
            return PcpError(None, _("Nothing answers PCP on {router}: the router speaks "
                                    "neither PCP nor NAT-PMP, or they are switched off."
                                    ).format(router=where))
        reason = exc.strerror or str(exc)
        # Translators: {router} is an address, e.g. "192.168.1.1" or "127.0.0.1
        # port 5352"; {reason} is the system's error message
        return PcpError(None, _("Cannot reach {router} for PCP ({reason}). Check that this "
                                "computer is connected to the router."
                                ).format(router=where, reason=reason))

    def accept(data: bytes) -> _Answer | PcpNatPmpOnly | object | None:
        found = _classify(data, opcode, ours)
        if found is _Ignored.NOT_PCP:
            return STRAY
        return None if found is _Ignored.NOT_OURS else found

    try:
        # PCP writes this computer's address (towards the router) in the request, and the
        # router refuses (ADDRESS_MISMATCH) when the packet arrives from another.
        answer, client, elapsed_ms = await exchange(gateway, port, request, accept, failure,
                                                    _retransmit_intervals(), timeout)
    except NoAnswer as missing:
        if missing.strays:
            # Translators: {router} is an address, e.g. "192.168.1.1" or
            # "127.0.0.1 port 5352"
            raise PcpError(None, _("{router} answered on the PCP port, but not in PCP: "
                                   "another program may hold that port on the router. "
                                   "Forward the ports with UPnP, or by hand in the "
                                   "router's settings.").format(router=where)) from None
        # Translators: {router} is an address, e.g. "192.168.1.1" or "127.0.0.1
        # port 5352"; {time} e.g. "2 s"
        raise PcpError(None, _("No PCP answer from {router} within {time}: the router "
                               "does not speak PCP, or it is switched off."
                               ).format(router=where, time=seconds(timeout))) from None
    if answer.version != PCP_VERSION:
        # Translators: {version} is a number, e.g. 1
        raise PcpError(UNSUPP_VERSION, _(
            "The router speaks PCP version {version}, and this program speaks version 2. "
            "Forward the ports with UPnP or NAT-PMP, or by hand in the router's settings."
            ).format(version=answer.version), server_version=answer.version)
    return answer, client, elapsed_ms


# -- forwarding's Mapper ----------------------------------------------------------------------

DEFAULT_LIFETIME_S = 604800  # a lease of 0 ("as long as allowed"): PCP has no permanent one


@dataclass
class _Made:
    """A mapping this mapper made: what refreshes it and what forwarding asked for."""

    mapping: PcpMapping
    description: str
    lifetime_s: int  # as asked


class PcpMapper:
    """forwarding.Mapper over PCP: TCP/UDP mappings to this computer, by nonce.

    Each mapping's nonce comes from this installation's secret (`nonce_for`), known before
    the request is sent, so a lost answer, or a later run (Undo), can still delete it;
    a mapping made by another program has a nonce nobody here knows. `get` refreshes a
    mapping this mapper made in this run (the read-back PCP has).

    `can_read` is False, as for NAT-PMP: PCP cannot read a mapping without renewing it,
    nor one it did not make, so nothing is read before forwarding. After `add`,
    forwarding checks the answer (the external port asked for) and reads the mapping back
    with a refresh (`reads_back_own`).
    """

    method = "pcp"
    can_read = False
    reads_back_own = True  # a MAP refresh with the same nonce reads a mapping back

    def __init__(self, gateway: str, port: int, timeout: float,
                 secret: Callable[[], bytes]) -> None:
        """`secret` gives this installation's secret (records.pcp_secret): read when a
        nonce is first needed, so a router that is only looked at writes nothing."""
        check_gateway(gateway)
        self.gateway, self.port, self.timeout = gateway, port, timeout
        self._secret = secret
        self._secret_bytes: bytes | None = None
        self.router = f"pcp:{gateway}"
        self.router_address = gateway
        self._made: dict[tuple[str, int], _Made] = {}  # (protocol, external port)
        self._deleted: set[tuple[str, int]] = set()  # (protocol, external port)

    async def get(self, port: int, protocol: str = "TCP") -> PortMapping | None:
        """Refresh the mapping this mapper made on external `port`: the router's answer,
        or None once this mapper deleted it."""
        key = (check_protocol(protocol, PROTOCOL_NUMBERS), port)
        made = self._made.get(key)
        if made is None:
            if key in self._deleted:
                return None
            raise RouterError("PCP refresh", None, _(
                "PCP can read back only the forwardings this program made since it "
                "started."))
        try:
            renewed = await refresh_mapping(self.gateway, made.mapping, made.lifetime_s,
                                            port=self.port, timeout=self.timeout)
        except PcpError as problem:
            raise RouterError("PCP refresh", problem.code, problem.words) from problem
        if renewed.external_port != port:  # lost, and made again on another port
            del self._made[key]
            self._deleted.add(key)
        self._made[(key[0], renewed.external_port)] = _Made(renewed, made.description,
                                                            made.lifetime_s)
        return self._port_mapping(renewed, protocol, made.description)

    async def listed(self, ports: Sequence[int]) -> dict[int, PortMapping] | None:
        return None  # PCP has no listing

    async def add(self, mapping: PortMapping) -> PortMapping:
        protocol = check_protocol(mapping.protocol, PROTOCOL_NUMBERS)
        nonce = self.nonce_for(protocol, mapping.internal_port)
        lifetime = mapping.lease_s or DEFAULT_LIFETIME_S
        try:
            granted = await map_port(self.gateway, mapping.internal_port,
                                     mapping.external_port, lifetime, nonce=nonce,
                                     protocol=protocol, port=self.port, timeout=self.timeout)
        except PcpError as problem:
            raise RouterError("PCP map", problem.code, problem.words) from problem
        key = (protocol, granted.external_port)
        self._made[key] = _Made(granted, mapping.description, lifetime)
        self._deleted.discard(key)
        return self._port_mapping(granted, mapping.protocol, mapping.description)

    async def delete(self, mapping: PortMapping) -> None:
        protocol = check_protocol(mapping.protocol, PROTOCOL_NUMBERS)
        nonce = self.nonce_for(protocol, mapping.internal_port)
        try:
            await delete_mapping(self.gateway, mapping.internal_port, nonce=nonce,
                                 protocol=protocol, port=self.port, timeout=self.timeout)
        except PcpError as problem:
            raise RouterError("PCP unmap", problem.code, problem.words) from problem
        for key, made in list(self._made.items()):
            if key[0] == protocol and made.mapping.internal_port == mapping.internal_port:
                del self._made[key]
                self._deleted.add(key)

    def nonce_for(self, protocol: str, internal_port: int) -> bytes:
        """The nonce of this computer's mapping of `internal_port`: derived from this
        installation's secret (records.pcp_secret), so that a later run (Undo) holds the
        nonce of what an earlier one forwarded, and no other program on the LAN does."""
        if self._secret_bytes is None:
            self._secret_bytes = self._secret()
        text = f"{self.gateway}|{protocol.lower()}|{internal_port}".encode()
        return hmac.new(self._secret_bytes, text, hashlib.sha256).digest()[:NONCE_SIZE]

    @staticmethod
    def _port_mapping(granted: PcpMapping, protocol: str, description: str) -> PortMapping:
        return PortMapping(granted.external_port, protocol, granted.client_address,
                           granted.internal_port, description, granted.lifetime_s)


# -- argument checks --------------------------------------------------------------------------



def _check_address(name: str, value: str) -> str:
    try:
        return str(ipaddress.IPv4Address(value))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name} must be an IPv4 address, not {value!r}") from exc





