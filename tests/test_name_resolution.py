"""A name resolved both ways: through Open Cobalt's DNS servers and through the system's."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import pytest

from cobalt_setup.addresses import Endpoint
from cobalt_setup.probes.dns.name_resolution import compare_resolution
from cobalt_setup.result import Status
from lab import dns_servers
from lab.dns_servers import DOMAIN, LAB_ZONE, MISSING_HOST, DnsServer

INTRANET = f"intranet.{DOMAIN}"
DIRECTORY = f"directory.{DOMAIN}"


def endpoint(server: DnsServer) -> Endpoint:
    return Endpoint(server.host, server.port)


@pytest.fixture
def company_dns(tmp_path: Path) -> Iterator[DnsServer]:
    """The company resolver: knows an internal name and answers another directory address."""
    if dns_servers.find_dnsmasq() is None:
        pytest.skip(dns_servers.DNSMASQ_MISSING)
    zone = replace(LAB_ZONE, hosts=MappingProxyType(
        {**LAB_ZONE.hosts, INTRANET: "127.0.0.7", DIRECTORY: "127.0.0.8"}))
    server = dns_servers.start_zone_dns("company", zone, tmp_path)
    yield server
    dns_servers.stop_server(server)


@pytest.mark.asyncio
async def test_an_internal_name_only_the_system_knows_fails_with_the_fix(
    good_dns: DnsServer, company_dns: DnsServer
) -> None:
    found = await compare_resolution("ldap", INTRANET, [endpoint(good_dns)],
                                     [endpoint(company_dns)], timeout=2.0)
    assert found.status is Status.FAILED
    assert f"{INTRANET} resolves through your system's DNS (127.0.0.7) but not through" in (
        found.summary)
    assert found.fix == ("Choose your system resolver on the DNS page, or enter the server by "
                         "address (127.0.0.7).")


@pytest.mark.asyncio
async def test_a_split_horizon_name_is_a_warning_naming_both_answers(
    good_dns: DnsServer, company_dns: DnsServer
) -> None:
    found = await compare_resolution("ldap", DIRECTORY, [endpoint(good_dns)],
                                     [endpoint(company_dns)], timeout=2.0)
    assert found.status is Status.WARNING
    assert "127.0.0.1 through Open Cobalt's DNS servers" in found.summary
    assert "127.0.0.8 through your system's" in found.summary
    assert found.details["system"] == "127.0.0.8"


@pytest.mark.asyncio
async def test_the_same_answer_both_ways_is_fine(good_dns: DnsServer,
                                                 split_dns: DnsServer) -> None:
    found = await compare_resolution("xmpp", f"chat.{DOMAIN}", [endpoint(good_dns)],
                                     [endpoint(split_dns)], timeout=2.0)
    assert found.status is Status.OK
    assert found.summary == (
        f"chat.{DOMAIN} resolves to 127.0.0.1 through Open Cobalt's DNS servers.")


@pytest.mark.asyncio
async def test_a_name_nobody_knows(good_dns: DnsServer, split_dns: DnsServer) -> None:
    found = await compare_resolution("ldap", MISSING_HOST, [endpoint(good_dns)],
                                     [endpoint(split_dns)], timeout=2.0)
    assert found.status is Status.FAILED
    assert "does not exist in DNS" in found.summary


@pytest.mark.asyncio
async def test_silent_dns_servers_are_reported_within_the_timeout(
    silent_dns: DnsServer, good_dns: DnsServer
) -> None:
    found = await compare_resolution("ldap", DIRECTORY, [endpoint(silent_dns)],
                                     [endpoint(good_dns)], timeout=0.5)
    assert found.status is Status.FAILED
    assert "did not answer" in found.summary
    assert found.elapsed_ms < 1000


@pytest.mark.asyncio
async def test_addresses_and_the_system_resolver_itself_need_no_comparison(
    good_dns: DnsServer,
) -> None:
    by_address = await compare_resolution("ldap", "127.0.0.1", [endpoint(good_dns)], [],
                                          timeout=2.0)
    assert by_address.status is Status.OK and "no name to look up" in by_address.summary
    same = await compare_resolution("ldap", DIRECTORY, [], [endpoint(good_dns)], timeout=2.0)
    assert same.status is Status.OK and "like your browser does" in same.summary
