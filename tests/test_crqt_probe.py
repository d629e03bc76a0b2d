"""LAN discovery: CRQT announcements sent for real to the probe over loopback UDP."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator

import pytest

from cobalt_setup.probes.crqt import MAX_SPACES, Space, listen_for_spaces, parse_crqt
from cobalt_setup.result import Status
from lab.ports import free_udp_port

LAB_ID = "0123456789abcdef0123456789abcdef"
BACKUP_ID = "fedcba9876543210fedcba9876543210"
SENDER = ("127.0.0.1", 50000)


def crqt(port: int, island_id: str, name: str | bytes) -> bytes:
    """A packet laid out as DESIGN.md section 1 says."""
    raw_name = name.encode("utf-8") if isinstance(name, str) else name
    return b"CRQT" + port.to_bytes(2, "big") + island_id.encode("ascii") + raw_name


@pytest.fixture
def sender() -> Iterator[socket.socket]:
    """A space on the LAN: a UDP socket on loopback sending announcements."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    yield sock
    sock.close()


async def listening(port: int, duration: float, **kwargs) -> asyncio.Task:
    """Start the probe; it binds before its first await, so one yield is enough."""
    task = asyncio.create_task(listen_for_spaces(duration, port=port, host="127.0.0.1",
                                                 **kwargs))
    await asyncio.sleep(0)
    assert not task.done(), task.result()
    return task


# -- parse_crqt -----------------------------------------------------------------------------

def test_parse_reads_every_field_from_the_byte_layout() -> None:
    space = parse_crqt(crqt(6901, LAB_ID, "Lab \u2013 Atelier — Café"), ("192.168.1.20", 43215))
    assert (space.name, space.island_id, space.router_host, space.router_port) == (
        "Lab \u2013 Atelier — Café", LAB_ID, "192.168.1.20", 6901)
    assert space.packets == 1
    assert abs(space.last_heard - time.monotonic()) < 1


def test_parse_takes_the_port_big_endian() -> None:
    assert parse_crqt(crqt(0x1AF4, LAB_ID, "x"), SENDER).router_port == 6900
    assert parse_crqt(b"CRQT\x00\x01" + LAB_ID.encode() + b"x", SENDER).router_port == 1


def test_parse_accepts_an_empty_name_and_an_ipv6_sender() -> None:
    space = parse_crqt(crqt(6900, LAB_ID, ""), ("fe80::1", 43215, 0, 2))
    assert space.name == "" and space.router_host == "fe80::1"


def test_parse_replaces_bytes_that_are_not_utf8_and_control_characters() -> None:
    space = parse_crqt(crqt(6900, LAB_ID, b"Caf\xe9\n\x1b[31mRed"), SENDER)
    assert space.name.startswith("Caf\ufffd")
    assert "\n" not in space.name and "\x1b" not in space.name
    assert space.name.endswith("[31mRed")


@pytest.mark.parametrize(("packet", "words"), [
    (b"", "not a CRQT packet"),
    (b"CRQ", "not a CRQT packet"),
    (b"HTTP/1.1 200 OK\r\n" + b"x" * 40, "not a CRQT packet"),
    (b"crqt" + crqt(6900, LAB_ID, "Lab")[4:], "not a CRQT packet"),
    (crqt(6900, LAB_ID, "")[:37], "truncated"),
    (b"CRQT\x1a", "truncated"),
    (crqt(0, LAB_ID, "Lab"), "port is 0"),
    (crqt(6900, LAB_ID.upper(), "Lab"), "uppercase"),
    (crqt(6900, "0123456789abcdef0123456789abcdeg", "Lab"), "not hexadecimal"),
    (b"CRQT\x1a\xf4" + "é".encode() * 16 + b"Lab", "not hexadecimal"),
    (crqt(6900, LAB_ID, "x" * 3000), "too long"),
])
def test_parse_refuses_what_is_not_an_announcement(packet: bytes, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_crqt(packet, SENDER)


# -- listen_for_spaces ----------------------------------------------------------------------

@pytest.mark.asyncio
async def test_two_spaces_are_listed_once_each_and_bad_packets_are_counted(
        sender: socket.socket) -> None:
    port = free_udp_port()
    heard: list[Space] = []
    task = await listening(port, 0.5, on_space=heard.append)
    to = ("127.0.0.1", port)
    for packet in (crqt(6900, LAB_ID, "Lab"), crqt(6905, BACKUP_ID, "Backup"),
                   crqt(6900, LAB_ID, "Lab"), crqt(6900, LAB_ID, "Lab"),
                   crqt(6900, LAB_ID, "")[:30], b"\x00garbage\xff" * 5,
                   crqt(6900, LAB_ID.upper(), "Shouting")):
        sender.sendto(packet, to)
    result = await task

    assert result.status is Status.OK
    assert result.service == "crqt" and result.id == "crqt.listen"
    assert result.summary.startswith("Heard 2 spaces: ")
    assert "Lab" in result.summary and "Backup" in result.summary
    assert "Shouting" not in result.summary
    assert "3 malformed packets ignored" in result.summary
    spaces = {s["name"]: s for s in result.details["spaces"]}
    assert set(spaces) == {"Lab", "Backup"}
    assert spaces["Lab"]["packets"] == 3 and spaces["Backup"]["packets"] == 1
    assert spaces["Backup"]["router_port"] == 6905
    assert spaces["Lab"]["router_host"] == "127.0.0.1"  # the UDP source address
    assert result.details["ignored_packets"] == 3
    assert {r["reason"].split(" ")[0] for r in result.details["ignored_reasons"]} >= {"truncated"}
    assert [space.name for space in heard] == ["Lab", "Backup"]  # once each, in order


@pytest.mark.asyncio
async def test_same_island_behind_two_routers_counts_as_two_spaces(
        sender: socket.socket) -> None:
    port = free_udp_port()
    task = await listening(port, 0.3)
    sender.sendto(crqt(6900, LAB_ID, "Lab"), ("127.0.0.1", port))
    sender.sendto(crqt(6901, LAB_ID, "Lab"), ("127.0.0.1", port))
    result = await task
    assert result.summary.startswith("Heard 2 spaces")
    assert sorted(s["router_port"] for s in result.details["spaces"]) == [6900, 6901]


@pytest.mark.asyncio
async def test_silence_is_not_a_failure_and_lasts_about_the_duration() -> None:
    port = free_udp_port()
    started = time.monotonic()
    result = await listen_for_spaces(0.5, port=port, host="127.0.0.1")
    took = time.monotonic() - started
    assert result.status is Status.OK
    assert result.summary == "No spaces heard on the LAN in 0.5 s."
    assert "not a failure" in result.details["hint"]
    assert result.details["spaces"] == [] and result.details["ignored_packets"] == 0
    assert 0.45 <= took < 0.9


@pytest.mark.asyncio
async def test_only_garbage_heard_is_still_no_spaces(sender: socket.socket) -> None:
    port = free_udp_port()
    task = await listening(port, 0.3)
    sender.sendto(b"M-SEARCH * HTTP/1.1\r\n\r\n", ("127.0.0.1", port))
    result = await task
    assert result.status is Status.OK
    assert result.summary.startswith("No spaces heard")
    assert "1 malformed packet ignored" in result.summary


@pytest.mark.asyncio
async def test_a_flood_of_fake_spaces_is_capped(sender: socket.socket) -> None:
    port = free_udp_port()
    task = await listening(port, 0.8)
    total = MAX_SPACES + 40
    for number in range(total):
        sender.sendto(crqt(6900, f"{number:032x}", f"Fake {number}"), ("127.0.0.1", port))
        if number % 40 == 39:
            await asyncio.sleep(0.01)  # let the probe read; loopback buffers are finite
    result = await task
    assert len(result.details["spaces"]) == MAX_SPACES
    assert result.details["spaces_not_kept"] == total - MAX_SPACES
    assert result.summary.startswith(f"Heard {MAX_SPACES} spaces: Fake 0, Fake 1")
    assert f"and {MAX_SPACES - 5} more" in result.summary


@pytest.mark.asyncio
async def test_port_taken_by_a_program_that_does_not_share_it_is_a_warning() -> None:
    # On Linux a socket bound WITHOUT SO_REUSEPORT/SO_REUSEADDR keeps everybody else out.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as hog:
        hog.bind(("127.0.0.1", 0))
        port = hog.getsockname()[1]
        started = time.monotonic()
        result = await listen_for_spaces(5.0, port=port, host="127.0.0.1")
    assert time.monotonic() - started < 0.5  # no point listening: it says so at once
    assert result.status is Status.WARNING
    assert f"Port {port} is taken by another program that does not share it" in result.summary
    assert "Open Cobalt" in result.fix and "close the program" in result.fix


@pytest.mark.asyncio
async def test_port_shared_with_reuse_is_not_a_problem(sender: socket.socket) -> None:
    """Open Cobalt listening with the same sharing options does not stop the wizard."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if hasattr(socket, "SO_REUSEPORT"):
            other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        other.bind(("127.0.0.1", 0))
        port = other.getsockname()[1]
        result = await listen_for_spaces(0.2, port=port, host="127.0.0.1")
    assert result.status is Status.OK


@pytest.mark.asyncio
async def test_an_address_that_is_not_this_computers_fails_plainly() -> None:
    # Binding sends nothing: 192.0.2.1 (TEST-NET-1) is simply not one of our addresses.
    result = await listen_for_spaces(0.2, port=free_udp_port(), host="192.0.2.1")
    assert result.status is Status.FAILED
    assert result.summary.startswith("Could not listen on UDP 192.0.2.1:")


@pytest.mark.asyncio
async def test_a_host_name_is_refused_without_looking_it_up() -> None:
    result = await listen_for_spaces(0.2, port=free_udp_port(), host="lan.example")
    assert result.status is Status.FAILED
    assert "not an IP address" in result.summary


@pytest.mark.asyncio
async def test_cancelling_closes_the_socket() -> None:
    port = free_udp_port()
    task = await listening(port, 30.0)
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0.05)  # the transport closes its socket on the next loop turn
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as again:
        again.bind(("127.0.0.1", port))  # no sharing options: fails if the probe still holds it
