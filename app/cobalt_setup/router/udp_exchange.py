"""One UDP request to the router, resent until its answer comes: what NAT-PMP (RFC 6886)
and PCP (RFC 6887) share.

The socket is connected to the router, so an ICMP "port unreachable" arrives as an error
(nothing listens) instead of silence, and datagrams from any other address never reach
it. Each protocol brings its request, how to tell its answer from other datagrams, its
words for a socket error and its resend schedule. Hand-written: asyncio has no resending
request/answer helper for UDP, and the two protocols are a few fixed-size packets.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Callable, Container, Iterable
from typing import Any

from cobalt_setup.i18n import _

STRAY = object()  # what `accept` returns for a datagram that is not the protocol at all


class NoAnswer(Exception):
    """Nothing acceptable came back in time; `strays` datagrams from the router were not
    the protocol at all (another program may hold its port)."""

    def __init__(self, strays: int) -> None:
        super().__init__(f"no answer ({strays} datagrams of another protocol)")
        self.strays = strays


# An answer, an exception to raise (the router's own refusal), STRAY, or None (not ours).
Accept = Callable[[bytes], Any]


class _OneAnswer(asyncio.DatagramProtocol):
    """Waits for the first datagram that `accept` takes; ignores the rest."""

    def __init__(self, source: tuple[str, int], accept: Accept,
                 failure: Callable[[OSError], Exception]) -> None:
        self.source = source
        self.accept = accept
        self.failure = failure
        self.strays = 0
        self.answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if self.answer.done() or tuple(addr[:2]) != self.source:
            return
        found = self.accept(data)
        if found is STRAY:
            self.strays += 1
        elif isinstance(found, BaseException):
            self.answer.set_exception(found)
        elif found is not None:
            self.answer.set_result(found)

    def error_received(self, exc: OSError) -> None:
        if not self.answer.done():
            self.answer.set_exception(self.failure(exc))

    def connection_lost(self, exc: Exception | None) -> None:
        if self.answer.done():
            return
        if exc is None:
            # Closed by us, or by asyncio when the exchange was cancelled while the socket
            # was opening: nobody waits for this answer, so it is no error for anyone.
            self.answer.cancel()
        else:
            self.answer.set_exception(self.failure(exc if isinstance(exc, OSError) else
                                                   OSError(str(exc))))


async def exchange(gateway: str, port: int, request: Callable[[str], bytes], accept: Accept,
                   failure: Callable[[OSError], Exception], intervals: Iterable[float],
                   timeout: float) -> tuple[Any, str, float]:
    """Send `request(this computer's address towards the router)`, again after each of
    `intervals` seconds, until `accept` takes an answer or `timeout` runs out.

    Returns (answer, this computer's address, elapsed ms). Raises `failure(error)` when
    the socket fails (nothing listens, no route), what `accept` gave as an exception, or
    NoAnswer when the time ran out."""
    loop = asyncio.get_running_loop()
    try:
        transport, protocol = await loop.create_datagram_endpoint(
            lambda: _OneAnswer((gateway, port), accept, failure), remote_addr=(gateway, port))
    except OSError as exc:
        raise failure(exc) from exc
    started = loop.time()
    try:
        client = transport.get_extra_info("sockname")[0]
        packet = request(client)
        next_send_s = 0.0
        for interval_s in intervals:
            transport.sendto(packet)
            next_send_s += interval_s
            last_send = next_send_s >= timeout
            until = started + min(next_send_s, timeout)
            done, _pending = await asyncio.wait({protocol.answer},
                                                timeout=max(0.0, until - loop.time()))
            if done or last_send:
                break
        if not protocol.answer.done():
            raise NoAnswer(protocol.strays)
        answer = protocol.answer.result()
    finally:
        if not protocol.answer.done():
            protocol.answer.cancel()  # cancelled or timed out: nobody will read a late error
        transport.close()
    return answer, client, (loop.time() - started) * 1000


def doubling(first_s: float) -> Iterable[float]:
    """first_s, then twice the last, without end (RFC 6886 3.1's schedule)."""
    interval_s = first_s
    while True:
        yield interval_s
        interval_s *= 2


# -- what both check before anything is sent ------------------------------------------------

def check_gateway(gateway: str) -> None:
    """Only an IPv4 literal: NAT-PMP and PCP speak to the default gateway, never to a name."""
    try:
        address = ipaddress.IPv4Address(gateway)
    except (ValueError, TypeError) as exc:
        # Translators: {gateway} is what was given, in quotes
        raise ValueError(_("gateway must be an IPv4 address, not {gateway}").format(
            gateway=repr(gateway))) from exc
    if address.is_unspecified or address.is_multicast or address == ipaddress.IPv4Address(
            "255.255.255.255"):
        # Translators: {gateway} is what was given, in quotes
        raise ValueError(_("gateway must be a router's address, not {gateway}").format(
            gateway=repr(gateway)))


def check_port(name: str, value: int, *, zero_allowed: bool = False) -> None:
    lowest = 0 if zero_allowed else 1
    if isinstance(value, bool) or not isinstance(value, int) or not lowest <= value <= 65535:
        raise ValueError(f"{name} must be {lowest}..65535, not {value!r}")


def check_protocol(protocol: str, known: Container[str]) -> str:
    if not isinstance(protocol, str) or protocol.lower() not in known:
        raise ValueError(f"protocol must be 'tcp' or 'udp', not {protocol!r}")
    return protocol.lower()


def check_timeout(timeout: float) -> None:
    if not timeout > 0:
        raise ValueError(f"timeout must be more than 0 s, not {timeout!r}")


def check_request(gateway: str, port: int, timeout: float) -> None:
    """Where a request goes and how long it may take, checked before anything is sent."""
    check_gateway(gateway)
    check_port("port", port)
    check_timeout(timeout)


def check_mapping_request(gateway: str, port: int, timeout: float, protocol: str,
                          known: Container[str], internal_port: int,
                          external_port: int | None = None) -> str:
    """check_request and the mapping's own values; the protocol, lower case. A delete has
    no external port (None); a map may ask for any (0)."""
    check_request(gateway, port, timeout)
    protocol = check_protocol(protocol, known)
    check_port("internal_port", internal_port)
    if external_port is not None:
        check_port("external_port", external_port, zero_allowed=True)
    return protocol
