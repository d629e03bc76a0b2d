"""PCP client: against the real miniupnpd in the router lab, and a scripted responder on
loopback for what no real daemon produces on demand.

The lab's miniupnpd (UPnP off, NAT-PMP and PCP on 5351) is the real peer: what it does is
checked against its nftables rules (`RouterLab.nft_redirects`), against libnatpmp's natpmpc
(an independent client, which cannot list mappings but is given another port while ours
holds one), and with a TCP connection from the lab's Internet side. The fake router below
gives every result code, a NAT-PMP-only answer, silence, garbage, strays and wrong nonces.
"""

from __future__ import annotations

import asyncio
import gc
import ipaddress
import re
import socket
import struct
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from cobalt_setup.router import pcp
from cobalt_setup.router.forwarding import forward_ports, plan_forwarding, undo_forwarding
from cobalt_setup.router.igd import PortMapping, RouterError
from cobalt_setup.router.pcp import (
    PcpError,
    PcpMapper,
    PcpNatPmpOnly,
    announce,
    delete_mapping,
    map_port,
    new_nonce,
    refresh_mapping,
)
from lab.ports import free_udp_port
from lab.router_lab import CGNAT_WAN_NETWORK, RouterLab
from lab.scripted_router import FakeRouter, fake_router

NONCE = bytes(range(1, 13))
OTHER_NONCE = bytes(range(101, 113))


def mapped(address: str) -> bytes:
    return ipaddress.IPv6Address(f"::ffff:{address}").packed


def pcp_request(opcode: int, lifetime: int, client: str, body: bytes = b"") -> bytes:
    """A PCP request written out by hand (RFC 6887 section 7.1), not by the product."""
    return struct.pack("!BBHI", 2, opcode, 0, lifetime) + mapped(client) + body


def map_body(nonce: bytes, protocol: int, internal: int, external: int,
             address: str = "0.0.0.0") -> bytes:
    return nonce + struct.pack("!B3xHH", protocol, internal, external) + mapped(address)


def answer_header(opcode: int, *, result: int = 0, lifetime: int = 0, epoch: int = 1234,
                  version: int = 2) -> bytes:
    return struct.pack("!BBBBII12x", version, 128 + opcode, 0, result, lifetime, epoch)


SECRET = bytes(range(32))  # an installation's secret (records.pcp_secret)

# -- the fake router --------------------------------------------------------------------------



def grant(request: bytes, *, external: int | None = None, address: str = "81.2.69.7",
          lifetime: int | None = None, result: int = 0, nonce: bytes | None = None,
          epoch: int = 99) -> bytes:
    """The answer to a MAP request: what it asked for, with any field changed."""
    _v, _op, _r, asked_lifetime, _client = struct.unpack("!BBHI16s", request[:24])
    asked_nonce, protocol, internal, asked_external, _address = struct.unpack(
        "!12sB3xHH16s", request[24:60])
    return answer_header(1, result=result, epoch=epoch,
                         lifetime=asked_lifetime if lifetime is None else lifetime) + (
        map_body(asked_nonce if nonce is None else nonce, protocol, internal,
                 asked_external if external is None else external, address))


def announced(request: bytes, count: int) -> list[bytes]:
    return [answer_header(0, epoch=4321)]


# -- what is sent and what is read -----------------------------------------------------------

@pytest.mark.asyncio
async def test_announce_sends_a_pcp_header_with_this_computers_address() -> None:
    async with fake_router(announced) as (router, port):
        found = await announce("127.0.0.1", port=port, timeout=1.0)
    assert router.requests == [pcp_request(0, 0, "127.0.0.1")]
    assert (found.epoch, found.client_address) == (4321, "127.0.0.1")


@pytest.mark.asyncio
async def test_map_request_layout_and_the_granted_values_are_read_from_the_answer() -> None:
    def other_port(request: bytes, count: int) -> list[bytes]:
        return [grant(request, external=16900, lifetime=3600)]

    async with fake_router(other_port) as (router, port):
        mapping = await map_port("127.0.0.1", 6900, 6900, 7200, nonce=NONCE, port=port,
                                 timeout=1.0)
    assert router.requests == [pcp_request(1, 7200, "127.0.0.1",
                                           map_body(NONCE, 6, 6900, 6900))]
    assert mapping == pcp.PcpMapping("tcp", 6900, 16900, "81.2.69.7", 3600, 99, NONCE,
                                     "127.0.0.1")


@pytest.mark.asyncio
async def test_udp_mapping_carries_protocol_17() -> None:
    async with fake_router(lambda request, count: [grant(request)]) as (router, port):
        mapping = await map_port("127.0.0.1", 6905, 0, 60, nonce=NONCE, protocol="UDP",
                                 port=port, timeout=1.0)
    assert router.requests[0][36] == 17
    assert (mapping.protocol, mapping.external_port) == ("udp", 0)


@pytest.mark.asyncio
async def test_refresh_sends_the_same_nonce_and_suggests_what_the_mapping_has() -> None:
    async with fake_router(lambda request, count: [grant(request)]) as (router, port):
        first = await map_port("127.0.0.1", 6900, 0, 600, nonce=NONCE, port=port, timeout=1.0)
        await refresh_mapping("127.0.0.1", first, 900, port=port, timeout=1.0)
    assert router.requests[1] == pcp_request(
        1, 900, "127.0.0.1", map_body(NONCE, 6, 6900, 0, "81.2.69.7"))


@pytest.mark.asyncio
async def test_delete_sends_lifetime_zero_with_the_nonce() -> None:
    async with fake_router(lambda request, count: [grant(request)]) as (router, port):
        await delete_mapping("127.0.0.1", 6901, nonce=NONCE, port=port, timeout=1.0)
    assert router.requests == [pcp_request(1, 0, "127.0.0.1", map_body(NONCE, 6, 6901, 0))]


def test_new_nonces_are_twelve_random_bytes() -> None:
    nonces = {new_nonce() for _ in range(8)}
    assert len(nonces) == 8
    assert {len(nonce) for nonce in nonces} == {12}


def test_resends_follow_rfc_6887_with_jitter() -> None:
    intervals = pcp._retransmit_intervals()
    first = next(intervals)
    assert 2.7 <= first <= 3.3  # IRT 3 s, RAND -0.1..+0.1
    previous = first
    for _ in range(12):
        following = next(intervals)
        assert following <= 1024 * 1.1  # MRT
        if previous * 2 * 1.1 <= 1024 * 0.9:
            assert previous * 2 * 0.9 <= following <= previous * 2 * 1.1
        previous = following
    assert previous >= 1024 * 0.9


# -- refusals in words -------------------------------------------------------------------------

@pytest.mark.asyncio
@pytest.mark.parametrize(("code", "phrase"), [
    (1, "does not speak this version of PCP"),
    (2, "do not allow this computer to forward this port"),
    (3, "could not read the request"),
    (4, "does not know this request"),
    (5, "does not know an option"),
    (6, "could not read an option"),
    (7, "no working Internet connection"),
    (8, "cannot make any more port forwardings"),
    (9, "cannot forward this protocol"),
    (10, "as many forwardings as the router allows"),
    (11, "cannot give the outside port or address"),
    (12, "a second router, or a VPN"),
    (13, "list of outside computers"),
    (77, "result code 77"),
])
async def test_every_result_code_becomes_words(code: int, phrase: str) -> None:
    async with fake_router(lambda request, count: [grant(request, result=code)]) as (
            _router, port):
        with pytest.raises(PcpError) as raised:
            await map_port("127.0.0.1", 6900, 6900, 600, nonce=NONCE, port=port, timeout=1.0)
    assert raised.value.code == code
    assert phrase in raised.value.words
    assert str(raised.value) == raised.value.words
    assert not isinstance(raised.value, PcpNatPmpOnly)


@pytest.mark.asyncio
@pytest.mark.parametrize(("code", "address", "phrase"), [
    (8, "100.64.5.1", "carrier-grade NAT"),  # what miniupnpd 2.3.1 answers behind CGNAT
    (7, "192.168.0.2", "carrier-grade NAT"),
    (8, "0.0.0.0", "cannot make any more port forwardings"),  # no address: nothing told
    (2, "100.64.5.1", "do not allow this computer"),
])
async def test_a_refusal_naming_an_outside_address_that_is_not_public_says_so(
        code: int, address: str, phrase: str) -> None:
    async with fake_router(lambda request, count: [grant(request, result=code,
                                                         address=address)]) as (_r, port):
        with pytest.raises(PcpError) as raised:
            await map_port("127.0.0.1", 6900, 6900, 600, nonce=NONCE, port=port, timeout=1.0)
    assert raised.value.code == code
    assert phrase in raised.value.words


@pytest.mark.asyncio
async def test_an_error_answer_without_the_mapping_is_still_the_answer() -> None:
    async with fake_router(lambda request, count: [answer_header(1, result=8, lifetime=30)]
                           ) as (_router, port):
        with pytest.raises(PcpError) as raised:
            await map_port("127.0.0.1", 6900, 6900, 600, nonce=NONCE, port=port, timeout=1.0)
    assert raised.value.code == 8


@pytest.mark.asyncio
@pytest.mark.parametrize("opcode", [0, 1])
async def test_a_nat_pmp_only_router_is_told_apart_from_a_failure(opcode: int) -> None:
    # RFC 6886 section 3.5 / RFC 6887 section 9: version 0, opcode + 128, result 1, epoch
    refusal = struct.pack("!BBHI", 0, 128 + opcode, 1, 77)
    async with fake_router(lambda request, count: [refusal]) as (_router, port):
        with pytest.raises(PcpNatPmpOnly) as raised:
            if opcode == 0:
                await announce("127.0.0.1", port=port, timeout=1.0)
            else:
                await map_port("127.0.0.1", 6900, 6900, 600, nonce=NONCE, port=port,
                               timeout=1.0)
    assert (raised.value.code, raised.value.server_version) == (1, 0)
    assert "speaks only NAT-PMP" in raised.value.words


@pytest.mark.asyncio
async def test_a_router_of_another_pcp_version_is_named() -> None:
    async with fake_router(lambda request, count: [answer_header(0, result=1, version=1)]
                           ) as (_router, port):
        with pytest.raises(PcpError) as raised:
            await announce("127.0.0.1", port=port, timeout=1.0)
    assert not isinstance(raised.value, PcpNatPmpOnly)
    assert (raised.value.code, raised.value.server_version) == (1, 1)
    assert "speaks PCP version 1" in raised.value.words


# -- what is not an answer ---------------------------------------------------------------------

@pytest.mark.asyncio
async def test_strays_before_the_answer_are_ignored() -> None:
    def strays_then_answer(request: bytes, count: int) -> list[bytes]:
        return [
            grant(request, nonce=OTHER_NONCE, external=1),  # another mapping's answer
            answer_header(1) + map_body(NONCE, 17, 6900, 2),  # UDP: we asked for TCP
            answer_header(1) + map_body(NONCE, 6, 6999, 3),  # another internal port
            answer_header(0),  # ANNOUNCE answer to a MAP
            answer_header(1, version=3) + grant(request)[24:],  # version 3 "success"
            request,  # our own request echoed: no R bit
            grant(request)[:58],  # not a multiple of 4
            grant(request)[:24],  # "success" with no mapping in it
            b"",
            struct.pack("!BBHI", 0, 129, 0, 5),  # NAT-PMP with another result
            grant(request, external=6900),
        ]

    async with fake_router(strays_then_answer) as (router, port):
        mapping = await map_port("127.0.0.1", 6900, 6900, 600, nonce=NONCE, port=port,
                                 timeout=1.0)
    assert mapping.external_port == 6900
    assert len(router.requests) == 1


@pytest.mark.asyncio
async def test_an_answer_with_another_nonce_is_no_answer() -> None:
    async with fake_router(lambda request, count: [grant(request, nonce=OTHER_NONCE)]) as (
            router, port):
        with pytest.raises(PcpError) as raised:
            await map_port("127.0.0.1", 6900, 6900, 600, nonce=NONCE, port=port, timeout=0.3)
    assert raised.value.code is None
    assert raised.value.words.startswith("No PCP answer from 127.0.0.1 port ")
    assert router.requests  # it was asked, and answered, but not about our mapping


@pytest.mark.asyncio
async def test_garbage_answers_are_answered_but_not_pcp() -> None:
    async with fake_router(lambda request, count: [b"HTTP/1.1 400 Bad Request\r\n\r\n",
                                                   b"\x02\x80"]) as (_router, port):
        with pytest.raises(PcpError) as raised:
            await announce("127.0.0.1", port=port, timeout=0.3)
    assert raised.value.code is None
    assert "answered on the PCP port, but not in PCP" in raised.value.words


@pytest.mark.asyncio
async def test_silence_is_no_answer_within_the_timeout_after_one_packet() -> None:
    async with fake_router(lambda request, count: []) as (router, port):
        with pytest.raises(PcpError) as raised:
            await announce("127.0.0.1", port=port, timeout=0.5)
    assert raised.value.code is None
    assert raised.value.words == (
        f"No PCP answer from 127.0.0.1 port {port} within 0.5 s: the router does not speak "
        "PCP, or it is switched off.")
    assert len(router.requests) == 1  # the first resend is due after about 3 s


@pytest.mark.asyncio
async def test_a_lost_request_is_sent_again_unchanged(monkeypatch: pytest.MonkeyPatch
                                                      ) -> None:
    monkeypatch.setattr(pcp, "FIRST_RETRANSMIT_S", 0.05)

    def drop_first(request: bytes, count: int) -> list[bytes]:
        return [] if count == 1 else [grant(request)]

    async with fake_router(drop_first) as (router, port):
        mapping = await map_port("127.0.0.1", 6900, 6900, 600, nonce=NONCE, port=port,
                                 timeout=5.0)
    assert mapping.external_port == 6900
    assert len(router.requests) == 2 and router.requests[0] == router.requests[1]


@pytest.mark.asyncio
async def test_an_answer_from_another_port_is_not_an_answer() -> None:
    outsider = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    outsider.bind(("127.0.0.1", 0))

    class AnswersFromElsewhereFirst(FakeRouter):
        def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
            super().datagram_received(data, addr)
            assert self.transport is not None
            outsider.sendto(grant(data, external=1), addr)
            self.transport.sendto(grant(data, external=6900), addr)

    loop = asyncio.get_running_loop()
    transport, _router = await loop.create_datagram_endpoint(
        lambda: AnswersFromElsewhereFirst(lambda request, count: []),
        local_addr=("127.0.0.1", 0))
    try:
        mapping = await map_port("127.0.0.1", 6900, 6900, 600, nonce=NONCE,
                                 port=transport.get_extra_info("sockname")[1], timeout=1.0)
    finally:
        transport.close()
        outsider.close()
    assert mapping.external_port == 6900


@pytest.mark.asyncio
async def test_a_closed_port_is_nothing_answers() -> None:
    with pytest.raises(PcpError) as raised:
        await announce("127.0.0.1", port=free_udp_port(), timeout=10.0)
    assert raised.value.code is None
    assert raised.value.words.startswith("Nothing answers PCP on 127.0.0.1 port ")
    assert "neither PCP nor NAT-PMP" in raised.value.words


@pytest.mark.asyncio
async def test_cancel_closes_the_socket() -> None:
    async with fake_router(lambda request, count: []) as (router, port):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            task = asyncio.create_task(announce("127.0.0.1", port=port, timeout=10.0))
            await asyncio.wait_for(router.first_request.wait(), 5.0)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            gc.collect()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as same_port:
            same_port.bind(router.clients[0])  # EADDRINUSE if the client's socket were open
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


# -- arguments: refused before anything is sent -------------------------------------------------

@pytest.mark.asyncio
@pytest.mark.parametrize(("call", "word"), [
    (lambda port: announce("::1", port=port, timeout=1.0), "gateway"),
    (lambda port: announce("router.local", port=port, timeout=1.0), "gateway"),
    (lambda port: announce("0.0.0.0", port=port, timeout=1.0), "gateway"),
    (lambda port: announce("224.0.0.1", port=port, timeout=1.0), "gateway"),
    (lambda port: announce("127.0.0.1", port=port, timeout=0), "timeout"),
    (lambda port: map_port("127.0.0.1", 0, 6900, 600, nonce=NONCE, port=port, timeout=1.0),
     "internal_port"),
    (lambda port: map_port("127.0.0.1", 70000, 6900, 600, nonce=NONCE, port=port,
                           timeout=1.0), "internal_port"),
    (lambda port: map_port("127.0.0.1", 6900, 70000, 600, nonce=NONCE, port=port,
                           timeout=1.0), "external_port"),
    (lambda port: map_port("127.0.0.1", 6900, 6900, 0, nonce=NONCE, port=port, timeout=1.0),
     "lifetime_s"),
    (lambda port: map_port("127.0.0.1", 6900, 6900, 2**32, nonce=NONCE, port=port,
                           timeout=1.0), "lifetime_s"),
    (lambda port: map_port("127.0.0.1", 6900, 6900, 600, nonce=NONCE[:8], port=port,
                           timeout=1.0), "nonce"),
    (lambda port: map_port("127.0.0.1", 6900, 6900, 600, nonce=NONCE, protocol="sctp",
                           port=port, timeout=1.0), "protocol"),
    (lambda port: map_port("127.0.0.1", 6900, 6900, 600, nonce=NONCE,
                           external_address="2001:db8::1", port=port, timeout=1.0),
     "external_address"),
    (lambda port: delete_mapping("127.0.0.1", 0, nonce=NONCE, port=port, timeout=1.0),
     "internal_port"),
])
async def test_bad_arguments_are_refused_before_anything_is_sent(
        call: Callable[[int], object], word: str) -> None:
    async with fake_router(announced) as (router, port):
        with pytest.raises(ValueError, match=word):
            await call(port)  # type: ignore[misc]
    assert router.requests == []


def test_a_mapper_needs_an_ipv4_gateway() -> None:
    with pytest.raises(ValueError, match="gateway"):
        PcpMapper("fe80::1", pcp.PCP_PORT, 1.0, lambda: SECRET)


@pytest.mark.asyncio
async def test_the_mapper_reads_back_only_what_it_made_in_this_run() -> None:
    async with fake_router(lambda request, count: [grant(request)]) as (router, port):
        mapper = PcpMapper("127.0.0.1", port, 1.0, lambda: SECRET)
        with pytest.raises(RouterError) as unread:
            await mapper.get(6900)
    assert router.requests == []
    assert unread.value.code is None and "only the forwardings this program made" in (
        unread.value.words)


def test_nonces_come_from_the_installation_secret() -> None:
    """The same secret gives the same nonce (a later run can delete); another does not."""
    first, later = (PcpMapper("192.168.1.1", pcp.PCP_PORT, 1.0, lambda: SECRET) for _ in range(2))
    stranger = PcpMapper("192.168.1.1", pcp.PCP_PORT, 1.0, lambda: b"\x01" * 32)
    assert first.nonce_for("tcp", 6900) == later.nonce_for("TCP", 6900)
    assert len(first.nonce_for("tcp", 6900)) == pcp.NONCE_SIZE
    assert first.nonce_for("tcp", 6900) != first.nonce_for("tcp", 6901)
    assert first.nonce_for("tcp", 6900) != stranger.nonce_for("tcp", 6900)



@pytest.mark.asyncio
async def test_forwarding_reads_each_mapping_back_with_a_refresh(tmp_path: Path) -> None:
    """PCP has no listing: after MAP, a MAP with the same nonce is the read-back. A router
    that moves the mapping on refresh is caught, not called verified."""
    def moves_on_refresh(request: bytes, count: int) -> list[bytes]:
        internal = struct.unpack("!H", request[40:42])[0]
        refresh = sum(1 for r in router.requests if r[40:42] == request[40:42]) > 1
        return [grant(request, external=internal + 100 if refresh and internal == 6901
                      else internal)]

    async with fake_router(moves_on_refresh) as (router, port):
        mapper = PcpMapper("127.0.0.1", port, 1.0, lambda: SECRET)
        outcome = await forward_ports(mapper, await plan_forwarding(
            mapper, [6900, 6901], "127.0.0.1"), tmp_path / "records.json")
    maps = [r for r in router.requests if r[1] == 1]
    assert len(maps) == 4  # each port: MAP, then the refresh that reads it back
    by_port = {o.port: o for o in outcome.ports}
    assert by_port[6900].verified
    assert not by_port[6901].verified
    assert by_port[6901].words == "the router forwarded port 7001 instead of 6901"

# -- the real miniupnpd -------------------------------------------------------------------------

lab_test = pytest.mark.lab


def natpmpc_granted_port(lab: RouterLab, port: int) -> int:
    """The external port natpmpc (libnatpmp) is given when the peer host asks for `port`."""
    result = lab.natpmpc("-a", str(port), str(port), "tcp", "60", namespace=lab.peer)
    match = re.search(r"Mapped public port (\d+) protocol TCP", result.stdout)
    assert match, result.stdout + result.stderr
    return int(match[1])


@pytest.fixture
def lab(router_lab_natpmp_only: RouterLab) -> RouterLab:
    """miniupnpd with NAT-PMP and PCP only (UPnP off), ports 1024-65535 allowed."""
    return router_lab_natpmp_only


@lab_test
@pytest.mark.asyncio
async def test_miniupnpd_answers_announce(lab: RouterLab) -> None:
    with lab.inside(lab.lan):
        found = await announce(lab.gateway_address, timeout=2.0)
    assert found.client_address == lab.lan_address
    assert found.epoch >= 0


@lab_test
@pytest.mark.asyncio
async def test_a_tcp_mapping_is_made_in_nftables_and_reaches_this_computer(
        lab: RouterLab) -> None:
    nonce = new_nonce()
    with lab.inside(lab.lan):
        mapping = await map_port(lab.gateway_address, 6900, 6900, 3600, nonce=nonce,
                                 timeout=2.0)
        listener = socket.create_server(("0.0.0.0", 6900))
    assert mapping == pcp.PcpMapping("tcp", 6900, 6900, lab.external_address, 3600,
                                     mapping.epoch, nonce, lab.lan_address)
    assert lab.nft_redirects() == {("tcp", 6900, lab.lan_address, 6900)}
    # libnatpmp's client, asking for the same port from the peer host, is given another.
    assert natpmpc_granted_port(lab, 6900) != 6900
    try:
        with lab.inside(lab.wan):
            outside = socket.create_connection((lab.external_address, 6900), timeout=5)
        with outside:
            outside.sendall(b"TeaTime")
            listener.settimeout(5)
            accepted, (peer, _port) = listener.accept()
            with accepted:
                assert accepted.recv(16) == b"TeaTime"
        assert peer == lab.wan_host_address
    finally:
        listener.close()


@lab_test
@pytest.mark.asyncio
async def test_a_refresh_with_the_same_nonce_reads_the_mapping_back(lab: RouterLab) -> None:
    with lab.inside(lab.lan):
        made = await map_port(lab.gateway_address, 6901, 6901, 600, nonce=NONCE, timeout=2.0)
        again = await refresh_mapping(lab.gateway_address, made, 1200, timeout=2.0)
    assert (again.external_port, again.external_address) == (6901, lab.external_address)
    assert again.lifetime_s == 1200
    assert lab.nft_redirects() == {("tcp", 6901, lab.lan_address, 6901)}


@lab_test
@pytest.mark.asyncio
async def test_delete_with_the_nonce_removes_the_mapping_from_nftables(lab: RouterLab
                                                                       ) -> None:
    with lab.inside(lab.lan):
        await map_port(lab.gateway_address, 6902, 6902, 600, nonce=NONCE, protocol="udp",
                       timeout=2.0)
        assert lab.nft_redirects() == {("udp", 6902, lab.lan_address, 6902)}
        await delete_mapping(lab.gateway_address, 6902, nonce=NONCE, protocol="udp",
                             timeout=2.0)
        assert lab.nft_redirects() == set()
        with pytest.raises(PcpError) as again:
            await delete_mapping(lab.gateway_address, 6902, nonce=NONCE, protocol="udp",
                                 timeout=2.0)
    assert again.value.code == 8  # miniupnpd: NO_RESOURCES for a mapping it does not have
    assert "no longer has it" in again.value.words


@lab_test
@pytest.mark.asyncio
async def test_delete_with_another_nonce_is_not_authorized_and_keeps_the_mapping(
        lab: RouterLab) -> None:
    with lab.inside(lab.lan):
        await map_port(lab.gateway_address, 6903, 6903, 600, nonce=NONCE, timeout=2.0)
        with pytest.raises(PcpError) as refused:
            await delete_mapping(lab.gateway_address, 6903, nonce=OTHER_NONCE, timeout=2.0)
    assert refused.value.code == 2
    assert "belongs to another program" in refused.value.words
    assert lab.nft_redirects() == {("tcp", 6903, lab.lan_address, 6903)}


@lab_test
@pytest.mark.asyncio
async def test_a_port_outside_the_allow_rule_is_granted_the_next_allowed_one(
        make_router_lab: Callable[..., RouterLab]) -> None:
    # miniupnpd walks up from the port asked for, one port at a time, to the first its
    # rules allow (and around through all 65535 to NOT_AUTHORIZED when none is: about a
    # minute, so not tried here). 6000 -> 6900 is 900 steps.
    lab = make_router_lab(upnp=False, allowed_ports="6900-6909")
    with lab.inside(lab.lan):
        mapping = await map_port(lab.gateway_address, 6000, 6000, 600, nonce=NONCE,
                                 timeout=10.0)
    assert mapping.external_port == 6900
    assert lab.nft_redirects() == {("tcp", 6900, lab.lan_address, 6000)}


@lab_test
@pytest.mark.asyncio
async def test_behind_carrier_grade_nat_miniupnpd_answers_no_resources(
        make_router_lab: Callable[..., RouterLab]) -> None:
    lab = make_router_lab(upnp=False, wan_network=CGNAT_WAN_NETWORK)
    with lab.inside(lab.lan):
        await announce(lab.gateway_address, timeout=2.0)  # it speaks PCP all the same
        with pytest.raises(PcpError) as refused:
            await map_port(lab.gateway_address, 6900, 6900, 600, nonce=NONCE, timeout=2.0)
    assert refused.value.code == 8
    assert "carrier-grade NAT" in refused.value.words
    assert lab.nft_redirects() == set()


@lab_test
def test_miniupnpd_facts_in_raw_packets(lab: RouterLab) -> None:
    """What router_lab.py's docstring says about miniupnpd's PCP, sent by hand."""
    me = lab.lan_address
    answer = lab.pcp_request(pcp_request(0, 60, me))
    assert answer is not None and len(answer) == 24
    assert answer[:4] == b"\x02\x80\x00\x00" and struct.unpack("!I", answer[4:8])[0] == 120
    lifetimes = {}
    for asked, port in ((10, 6904), (2**32 - 1, 6905)):
        answer = lab.pcp_request(pcp_request(1, asked, me, map_body(NONCE, 6, port, port)))
        assert answer is not None and len(answer) == 60 and answer[3] == 0
        lifetimes[asked] = struct.unpack("!I", answer[4:8])[0]
    assert lifetimes == {10: 120, 2**32 - 1: 86400}
    # another client address in the header than the packet's source: ADDRESS_MISMATCH
    answer = lab.pcp_request(pcp_request(1, 600, "192.168.77.99",
                                         map_body(NONCE, 6, 6906, 6906)))
    assert answer is not None and answer[3] == 12
    # a version it does not know: UNSUPP_VERSION, naming version 2
    answer = lab.pcp_request(struct.pack("!BBHI", 3, 0, 0, 0) + mapped(me))
    assert answer is not None and (answer[0], answer[3]) == (2, 1)
    # the same internal port MAPped with another nonce takes the mapping over
    lab.pcp_request(pcp_request(1, 600, me, map_body(OTHER_NONCE, 6, 6904, 6904)))
    answer = lab.pcp_request(pcp_request(1, 0, me, map_body(NONCE, 6, 6904, 0)))
    assert answer is not None and answer[3] == 2
    assert ("tcp", 6904, me, 6904) in lab.nft_redirects()


@lab_test
@pytest.mark.asyncio
async def test_the_mapper_adds_reads_back_and_deletes(lab: RouterLab) -> None:
    mapper = PcpMapper(lab.gateway_address, pcp.PCP_PORT, 2.0, lambda: SECRET)
    wanted = PortMapping(6907, "TCP", lab.lan_address, 6907, "Open Cobalt TeaTime", 3600)
    with lab.inside(lab.lan):
        added = await mapper.add(wanted)
        read = await mapper.get(6907)
        assert lab.nft_redirects() == {("tcp", 6907, lab.lan_address, 6907)}
        await mapper.delete(added)
        gone = await mapper.get(6907)
    assert added == wanted
    assert read == wanted
    assert gone is None
    assert lab.nft_redirects() == set()
    assert (mapper.method, mapper.router, mapper.router_address) == (
        "pcp", f"pcp:{lab.gateway_address}", lab.gateway_address)


@lab_test
@pytest.mark.asyncio
async def test_forwarding_teatime_over_pcp_and_undoing_it(lab: RouterLab, tmp_path: Path
                                                          ) -> None:
    mapper = PcpMapper(lab.gateway_address, pcp.PCP_PORT, 2.0, lambda: SECRET)
    teatime = list(range(6900, 6910))
    records = tmp_path / "mappings.json"
    with lab.inside(lab.lan):
        outcome = await forward_ports(mapper, await plan_forwarding(
            mapper, teatime, lab.lan_address), records)
    assert outcome.ok, outcome.result().summary
    assert lab.nft_redirects() == {("tcp", port, lab.lan_address, port) for port in teatime}
    stranger = PcpMapper(lab.gateway_address, pcp.PCP_PORT, 2.0, lambda: b"\x01" * 32)
    with lab.inside(lab.lan):
        refused = await undo_forwarding(stranger, records)  # another secret: not its nonce
        assert lab.nft_redirects() != set()
        later_run = PcpMapper(lab.gateway_address, pcp.PCP_PORT, 2.0, lambda: SECRET)
        undone = await undo_forwarding(later_run, records)
    assert refused.removed == [] and len(refused.failed) == len(teatime)
    assert sorted(record.external_port for record in undone.removed) == teatime
    assert lab.nft_redirects() == set()
