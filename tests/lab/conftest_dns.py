"""pytest fixtures for the lab's DNS servers (see lab/dns_servers.py for what each one is).

Import into a conftest or a test module with `from lab.conftest_dns import *`.
All fixtures are function-scoped: a dnsmasq answers about 20 ms after it is started, so a
fresh server per test costs little and no test sees another's state (the lossy relay's
drop counter, for one). The daemons' logs are kept under the test's tmp folder, and a
server that does not come up fails the test with its log. Where dnsmasq is missing, the
fixtures skip the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lab import dns_servers
from lab.dns_servers import DnsLab, DnsServer

__all__ = [
    "dead_dns", "dns_lab", "good_dns", "hijacking_dns", "lossy_dns", "own_zone_dns",
    "refusing_dns", "servfail_dns", "silent_dns", "slow_dns", "split_dns", "unbound_dns",
]


def _log_dir(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    return tmp_path_factory.mktemp(f"dns-{name}")


def _require_dnsmasq() -> None:
    try:
        dns_servers.require_dnsmasq()
    except dns_servers.LabUnavailable as missing:
        pytest.skip(str(missing))


@pytest.fixture
def good_dns(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DnsServer]:
    """dnsmasq serving LAB_ZONE; NXDOMAIN for other names under cobalt.test."""
    _require_dnsmasq()
    server = dns_servers.start_good_dns(_log_dir(tmp_path_factory, "good"))
    yield server
    dns_servers.stop_server(server)


@pytest.fixture
def hijacking_dns(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DnsServer]:
    """Like good_dns, but any name under nx.cobalt.test answers 127.0.0.9 (HIJACK_ADDRESS)."""
    _require_dnsmasq()
    server = dns_servers.start_hijacking_dns(_log_dir(tmp_path_factory, "hijacking"))
    yield server
    dns_servers.stop_server(server)


@pytest.fixture
def split_dns(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DnsServer]:
    """Knows the cobalt.test hosts and the LDAP/XMPP SRV records, but not the dispatcher's
    DNS-SD records (NXDOMAIN for _cobalt-dispatcher._tcp.cobalt.test)."""
    _require_dnsmasq()
    server = dns_servers.start_split_dns(_log_dir(tmp_path_factory, "split"))
    yield server
    dns_servers.stop_server(server)


def _relayed(tmp_path_factory: pytest.TempPathFactory, name: str, *, delay_ms: float = 0,
             drop_every: int = 0) -> Iterator[DnsServer]:
    _require_dnsmasq()
    relay, upstream = dns_servers.start_relayed_dns(
        name, _log_dir(tmp_path_factory, name), delay_ms=delay_ms, drop_every=drop_every)
    yield relay
    dns_servers.stop_servers([relay, upstream])


@pytest.fixture
def slow_dns(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DnsServer]:
    """A good server behind dns_delay_relay.py adding 150 ms to every UDP query (no TCP)."""
    yield from _relayed(tmp_path_factory, "slow", delay_ms=150)


@pytest.fixture
def lossy_dns(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DnsServer]:
    """A good server behind dns_delay_relay.py silently dropping every 2nd UDP query it
    receives (no delay, no TCP): any 2 consecutive queries get exactly one answer. The
    fixture's readiness probe is normally the relay's only query before the test's, so a
    test's 1st query is dropped, its 2nd answered, and so on."""
    yield from _relayed(tmp_path_factory, "lossy", drop_every=2)


@pytest.fixture
def dead_dns() -> Iterator[DnsServer]:
    """A loopback port nothing listens on (pid None). Seen on Linux with dnspython 2.9: a UDP
    query times out (dns.exception.Timeout after its timeout; dnspython's sockets are not
    connected, so the ICMP port-unreachable is not reported, even by dns.asyncquery); a TCP
    query fails at once with ConnectionRefusedError."""
    server = dns_servers.start_dead_dns()
    yield server
    dns_servers.stop_server(server)


@pytest.fixture
def silent_dns() -> Iterator[DnsServer]:
    """A UDP socket bound on loopback that never answers, as behind a dropping firewall, and a
    TCP listener on the same port that never accepts (pid None). UDP and TCP queries both
    end in dns.exception.Timeout."""
    server = dns_servers.start_silent_dns()
    yield server
    dns_servers.stop_server(server)


@pytest.fixture
def dns_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DnsLab]:
    """All of them at once (.good .hijacking .split .slow .lossy .dead .silent), started
    concurrently; the slow and lossy relays each have their own good upstream."""
    _require_dnsmasq()
    lab = dns_servers.start_dns_lab(_log_dir(tmp_path_factory, "lab"))
    yield lab
    dns_servers.stop_dns_lab(lab)


@pytest.fixture
def unbound_dns(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DnsServer]:
    """unbound serving LAB_ZONE from local data, REFUSED for every other name (a second
    implementation beside dnsmasq's good_dns; it never recurses, so nothing leaves)."""
    try:
        server = dns_servers.start_unbound_dns(_log_dir(tmp_path_factory, "unbound"))
    except dns_servers.LabUnavailable as missing:
        pytest.skip(str(missing))
    yield server
    dns_servers.stop_server(server)


@pytest.fixture(params=["dnsmasq", "unbound"])
def own_zone_dns(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[DnsServer]:
    """A server that answers for cobalt.test only and REFUSED for any other name, as a
    company's or an authoritative server does: dnsmasq and unbound, one test each."""
    log_dir = _log_dir(tmp_path_factory, f"own-zone-{request.param}")
    try:
        server = (dns_servers.start_good_dns(log_dir) if request.param == "dnsmasq"
                  else dns_servers.start_unbound_dns(log_dir))
    except dns_servers.LabUnavailable as missing:
        pytest.skip(str(missing))
    yield server
    dns_servers.stop_server(server)


@pytest.fixture(params=["dnsmasq", "unbound"])
def refusing_dns(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[DnsServer]:
    """A server that answers REFUSED to every query from this computer: dnsmasq with no
    zone and no upstream, and unbound with an access list that refuses loopback."""
    log_dir = _log_dir(tmp_path_factory, f"refusing-{request.param}")
    try:
        server = (dns_servers.start_refusing_dnsmasq(log_dir) if request.param == "dnsmasq"
                  else dns_servers.start_unbound_dns(log_dir, refuse_all=True))
    except dns_servers.LabUnavailable as missing:
        pytest.skip(str(missing))
    yield server
    dns_servers.stop_server(server)


@pytest.fixture(params=["pdns-recursor", "unbound"])
def servfail_dns(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[DnsServer]:
    """A resolver that answers its own zone and SERVFAIL for every other name, as one that
    cannot reach the Internet's servers does: PowerDNS Recursor and unbound."""
    log_dir = _log_dir(tmp_path_factory, f"servfail-{request.param}")
    try:
        server = (dns_servers.start_pdns_recursor(log_dir) if request.param == "pdns-recursor"
                  else dns_servers.start_unbound_dns(log_dir, servfail=True))
    except dns_servers.LabUnavailable as missing:
        pytest.skip(str(missing))
    yield server
    dns_servers.stop_server(server)
