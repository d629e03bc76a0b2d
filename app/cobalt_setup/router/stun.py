"""STUN (RFC 8489) Binding requests: the address and port the Internet sees this computer as.

A router can only say what its own external address is. When another NAT sits in front of
it (an ISP box in router mode, a modem that routes, carrier-grade NAT), that address looks
public and yet nobody outside reaches it. A STUN server on the Internet sees the address
the packets really come from, so comparing the two proves where the edge is.

The messages are built and parsed, and retransmitted (500 ms, doubling), by aioice's STUN
code (aiortc's ICE library). The transport is ours: one UDP socket asks every server, so
their answers can be compared. The same mapped address and port from two servers means
the NAT keeps one mapping for every destination (RFC 4787 "endpoint-independent", peers
can connect directly); different ones mean a new mapping per destination ("symmetric").

The socket is not connected (it talks to several servers), so an ICMP "port unreachable"
never reaches it on any OS: a refusing server and a silent one both look like no answer,
and the words say only that.
"""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import dataclass
from enum import Enum

from aioice import stun

from cobalt_setup.addresses import Endpoint
from cobalt_setup.gathering import gather_all
from cobalt_setup.i18n import _
from cobalt_setup.time_limit import within
from cobalt_setup.wording import seconds

STUN_PORT = 3478  # RFC 8489: the default port when a server is given without one


class Answer(str, Enum):
    MAPPED = "mapped"  # a Binding success response with (XOR-)MAPPED-ADDRESS
    SILENT = "silent"  # nothing came back in time (or the port was unreachable)
    ERROR = "error"  # a STUN error response (ERROR-CODE)
    NOT_STUN = "not_stun"  # something answered from that address, but not in STUN
    UNRESOLVED = "unresolved"  # the server's name could not be looked up


class Mapping(str, Enum):
    SAME = "endpoint-independent"  # one mapping for every destination
    PER_DESTINATION = "destination-dependent"  # symmetric NAT: a mapping per destination
    UNKNOWN = "unknown"  # fewer than two servers answered


@dataclass(frozen=True)
class StunAnswer:
    """One server's answer. `mapped` is (address, port) as that server saw this computer."""

    server: str  # as the settings give it, "host:port"
    address: str  # the server's address that was asked ("" when unresolved)
    answer: Answer
    mapped: tuple[str, int] | None = None
    words: str = ""  # why there is no mapped address, in words (lower case)
    elapsed_ms: float = 0.0


@dataclass(frozen=True)
class StunFindings:
    answers: tuple[StunAnswer, ...]
    elapsed_ms: float = 0.0

    @property
    def mapped(self) -> list[StunAnswer]:
        return [answer for answer in self.answers if answer.mapped is not None]

    @property
    def public(self) -> tuple[str, int] | None:
        """The address and port the Internet sees, from the first server that answered."""
        mapped = self.mapped
        return mapped[0].mapped if mapped else None

    @property
    def mapping(self) -> Mapping:
        seen = {answer.mapped for answer in self.mapped}
        if len(self.mapped) < 2:
            return Mapping.UNKNOWN
        return Mapping.SAME if len(seen) == 1 else Mapping.PER_DESTINATION

    def as_dict(self) -> dict[str, object]:
        """For JSON (`router status --json`) and a check's details."""
        public = self.public
        return {"public_address": public[0] if public else None,
                "public_port": public[1] if public else None,
                "mapping": self.mapping.value,
                "answers": [{"server": a.server, "answer": a.answer.value,
                             "mapped": f"{a.mapped[0]}:{a.mapped[1]}" if a.mapped else None,
                             "words": a.words} for a in self.answers]}


class _Asker(asyncio.DatagramProtocol):
    """Hands each datagram to the transaction it answers; remembers who sent non-STUN."""

    def __init__(self) -> None:
        self.transport: asyncio.DatagramTransport | None = None
        self.waiting: dict[bytes, tuple[stun.Transaction, tuple[str, int]]] = {}
        self.garbage_from: set[tuple[str, int]] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def send_stun(self, message: stun.Message, addr: tuple[str, int]) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(bytes(message), addr)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        source = (addr[0], addr[1])
        try:
            message = stun.parse_message(data)
        except ValueError:
            self.garbage_from.add(source)
            return
        waiting = self.waiting.get(message.transaction_id)
        if waiting is None or waiting[1] != source:
            return  # a late or stray answer, or one from another address: not ours
        waiting[0].response_received(message, source)

    def error_received(self, exc: OSError) -> None:
        pass  # unattributable on an unconnected socket: the transaction times out


async def _address_of(server: Endpoint, timeout: float) -> tuple[str, int] | str:
    """The server's IPv4 address and port, or why it has none (in words)."""
    port = server.port or STUN_PORT
    try:
        infos = await within(asyncio.get_running_loop().getaddrinfo(
            server.host, port, family=socket.AF_INET, type=socket.SOCK_DGRAM), timeout)
    except (OSError, TimeoutError):
        # Translators: why a STUN server was not asked, lower case; {host} is its name
        return _("the name {host} could not be looked up").format(host=server.host)
    return str(infos[0][4][0]), port


async def _ask(asker: _Asker, server: Endpoint, timeout: float) -> StunAnswer:
    started = time.perf_counter()
    shown = f"{server.host}:{server.port or STUN_PORT}"

    def answer(kind: Answer, words: str = "", mapped: tuple[str, int] | None = None,
               address: str = "") -> StunAnswer:
        return StunAnswer(shown, address, kind, mapped, words,
                          (time.perf_counter() - started) * 1000)

    target = await _address_of(server, timeout)
    if isinstance(target, str):
        return answer(Answer.UNRESOLVED, target)
    request = stun.Message(stun.Method.BINDING, stun.Class.REQUEST)
    transaction = stun.Transaction(request, target, asker)
    asker.waiting[request.transaction_id] = (transaction, target)
    try:
        response, _source = await within(
            transaction.run(), max(0.0, timeout - (time.perf_counter() - started)))
    except (TimeoutError, stun.TransactionTimeout):
        if target in asker.garbage_from:
            # Translators: lower case, after a server's name
            return answer(Answer.NOT_STUN, _("answered, but not in STUN"), address=target[0])
        # Translators: lower case; {time} is e.g. "2 s"
        return answer(Answer.SILENT, _("no answer within {time}").format(
            time=seconds(timeout)), address=target[0])
    except stun.TransactionFailed as failed:
        code, reason = failed.response.attributes.get("ERROR-CODE", (0, ""))
        # Translators: lower case; {code} is a number, {reason} the server's own words
        return answer(Answer.ERROR, _("answered with STUN error {code} ({reason})").format(
            code=code, reason=reason or "-"), address=target[0])
    finally:
        asker.waiting.pop(request.transaction_id, None)
    mapped = (response.attributes.get("XOR-MAPPED-ADDRESS")
              or response.attributes.get("MAPPED-ADDRESS"))
    if not mapped:
        return answer(Answer.NOT_STUN, _("answered without saying this computer's address"),
                      address=target[0])
    return answer(Answer.MAPPED, mapped=(str(mapped[0]), int(mapped[1])), address=target[0])


async def ask_stun_servers(servers: tuple[Endpoint, ...], *, timeout: float) -> StunFindings:
    """Ask every server at once, from one socket; each answer within `timeout`."""
    started = time.perf_counter()
    if not servers:
        return StunFindings(())
    loop = asyncio.get_running_loop()
    transport, asker = await loop.create_datagram_endpoint(
        _Asker, local_addr=("0.0.0.0", 0), family=socket.AF_INET)
    try:
        answers = await gather_all(*(_ask(asker, server, timeout) for server in servers))
    finally:
        transport.close()
    return StunFindings(tuple(answers), (time.perf_counter() - started) * 1000)
