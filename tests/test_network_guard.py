"""The guard itself: outside traffic is stopped and fails the test; loopback passes."""

from __future__ import annotations

import asyncio
import socket

import pytest

from network_guard import GUARD, OutsideNetworkError


def test_tcp_connect_to_a_public_address_is_refused_and_recorded() -> None:
    with socket.socket() as sock, pytest.raises(OutsideNetworkError):
        sock.connect(("8.8.8.8", 53))
    assert GUARD.take_violations() == ["sending to 8.8.8.8 port 53"]


def test_udp_sendto_a_private_address_is_refused() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        with pytest.raises(OutsideNetworkError):
            sock.sendto(b"x", ("192.168.1.1", 1900))
        with pytest.raises(OutsideNetworkError):
            sock.sendto(b"x", ("239.255.255.250", 1900))
    assert len(GUARD.take_violations()) == 2


def test_name_lookup_of_an_outside_host_is_refused() -> None:
    with pytest.raises(OutsideNetworkError):
        socket.getaddrinfo("www.opencobalt.net", 80)
    assert GUARD.take_violations() == ["looking up the name 'www.opencobalt.net'"]


def test_asyncio_connection_to_outside_is_refused() -> None:
    async def attempt() -> None:
        await asyncio.open_connection("8.8.4.4", 53)

    with pytest.raises(OutsideNetworkError):
        asyncio.run(attempt())
    assert GUARD.take_violations()


def test_loopback_and_allowed_networks_pass() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver:
        receiver.bind(("127.0.0.1", 0))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            sender.sendto(b"ping", receiver.getsockname())
        assert receiver.recv(10) == b"ping"
    socket.getaddrinfo("localhost", 80)
    with GUARD.allow("10.231.0.0/24"):
        assert GUARD.is_allowed_address("10.231.0.7")
    assert not GUARD.is_allowed_address("10.231.0.7")
    assert GUARD.take_violations() == []


def test_a_test_that_swallows_the_error_still_fails(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        "from conftest_guard import *  # noqa: F403\n"
    )
    pytester.makepyfile(
        conftest_guard=(
            "import pytest\n"
            "from network_guard import GUARD\n"
            "@pytest.fixture(autouse=True)\n"
            "def no_outside_network():\n"
            "    GUARD.take_violations()\n"
            "    yield\n"
            "    found = GUARD.take_violations()\n"
            "    if found:\n"
            "        pytest.fail('outside network: ' + '; '.join(found))\n"
        ),
        test_sneaky=(
            "import socket\n"
            "def test_probe_that_catches_everything():\n"
            "    try:\n"
            "        socket.create_connection(('8.8.8.8', 53), timeout=1)\n"
            "    except OSError:\n"
            "        pass\n"
        ),
    )
    result = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "-o", "asyncio_default_fixture_loop_scope=function")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*Failed: outside network: sending to 8.8.8.8 port 53"])


@pytest.mark.asyncio
async def test_the_router_search_with_real_defaults_is_stopped_before_the_wire() -> None:
    """Outside a lab namespace, the product's defaults (SSDP multicast on this machine's
    interfaces, NAT-PMP to its gateway) would reach the real LAN: the guard stops them."""
    from cobalt_setup.router.lan import default_gateway, lan_interfaces
    from cobalt_setup.router.status import RouterEnvironment, find_router

    if not lan_interfaces():
        pytest.skip("this machine has no LAN interface, so the defaults send nothing")
    findings = await find_router(RouterEnvironment(stun_servers=(), timeout=0.3))
    violations = GUARD.take_violations()
    assert findings.igd is None
    assert any("239.255.255.250" in v for v in violations)
    gateway = default_gateway()
    if gateway:
        assert any(gateway in v for v in violations)
