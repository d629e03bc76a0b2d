"""The DNS lab works: real dnsmasq servers (and the relay) answer what LAB_ZONE says.

Queried with dnspython directly, on loopback only.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import dns.asyncquery
import dns.exception
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from lab import conftest_dns, dns_servers
from lab.dns_servers import (
    DISPATCHER_SERVICE,
    DOMAIN,
    HIJACK_ADDRESS,
    HIJACK_DOMAIN,
    LAB_INSTANCE,
    LAB_ZONE,
    LDAP_SERVICE,
    MISSING_HOST,
    XMPP_SERVICE,
    DnsLab,
    DnsServer,
)

pytestmark = pytest.mark.lab


def query(server: DnsServer, name: str, rdtype: str = "A",
          timeout: float = 1.0) -> dns.message.Message:
    return dns.query.udp(dns.message.make_query(name, rdtype), server.host, port=server.port,
                         timeout=timeout)


def answer(server: DnsServer, name: str, rdtype: str = "A") -> list:
    response = query(server, name, rdtype)
    assert response.rcode() == dns.rcode.NOERROR, (name, rdtype, server.log_text())
    rrset = response.get_rrset(response.answer, dns.name.from_text(name), dns.rdataclass.IN,
                               dns.rdatatype.from_text(rdtype))
    assert rrset is not None, (name, rdtype, response.to_text())
    return list(rrset)


def random_name(parent: str) -> str:
    return f"lab-{secrets.token_hex(6)}.{parent}"


def assert_dispatcher_records(server: DnsServer) -> None:
    targets = answer(server, DISPATCHER_SERVICE, "PTR")
    expected = LAB_ZONE.ptr[DISPATCHER_SERVICE]
    # dns.name.Name compares case-insensitively: dnsmasq lowercases PTR targets.
    assert {r.target for r in targets} == {dns.name.from_text(t) for t in expected}
    for instance in expected:
        (srv,) = answer(server, instance, "SRV")
        record = LAB_ZONE.srv[instance]
        assert (srv.priority, srv.weight, srv.port, srv.target) == (
            record.priority, record.weight, record.port, dns.name.from_text(record.target))
        (txt,) = answer(server, instance, "TXT")
        assert txt.strings == tuple(s.encode() for s in LAB_ZONE.txt[instance])


# -- good ----------------------------------------------------------------------------------

def test_good_answers_every_host_of_the_zone(good_dns: DnsServer) -> None:
    assert good_dns.endpoint == f"127.0.0.1:{good_dns.port}"
    (directory,) = answer(good_dns, f"directory.{DOMAIN}")
    assert directory.address == "127.0.0.1"
    for name, address in LAB_ZONE.hosts.items():
        assert [r.address for r in answer(good_dns, name)] == [address], name


@pytest.mark.parametrize("parent", [DOMAIN, HIJACK_DOMAIN])
def test_good_says_nxdomain_for_unknown_names(good_dns: DnsServer, parent: str) -> None:
    assert query(good_dns, random_name(parent)).rcode() == dns.rcode.NXDOMAIN


def test_good_serves_the_dispatcher_dns_sd_records(good_dns: DnsServer) -> None:
    assert_dispatcher_records(good_dns)
    broken_target = LAB_ZONE.srv[f"Broken.{DISPATCHER_SERVICE}"].target
    assert broken_target == MISSING_HOST
    assert query(good_dns, MISSING_HOST).rcode() == dns.rcode.NXDOMAIN


def test_dnsmasq_lowercases_ptr_targets(good_dns: DnsServer) -> None:
    """A fact for DNS-SD display names: "Lab Dispatcher" comes back as "lab dispatcher"."""
    targets = answer(good_dns, DISPATCHER_SERVICE, "PTR")
    labels = {r.target.labels[0] for r in targets}
    assert b"lab dispatcher" in labels
    assert LAB_INSTANCE.startswith("Lab Dispatcher.")


@pytest.mark.parametrize("service", [LDAP_SERVICE, XMPP_SERVICE])
def test_good_serves_the_ldap_and_xmpp_srv_records(good_dns: DnsServer, service: str) -> None:
    (srv,) = answer(good_dns, service, "SRV")
    record = LAB_ZONE.srv[service]
    assert (srv.port, srv.target) == (record.port, dns.name.from_text(record.target))
    assert record.port in (1389, 5222)


# -- hijacking and split -------------------------------------------------------------------

def test_hijacking_answers_names_that_do_not_exist(hijacking_dns: DnsServer) -> None:
    hijacked = answer(hijacking_dns, random_name(HIJACK_DOMAIN))
    assert [r.address for r in hijacked] == [HIJACK_ADDRESS]
    assert query(hijacking_dns, random_name(DOMAIN)).rcode() == dns.rcode.NXDOMAIN
    assert_dispatcher_records(hijacking_dns)


def test_split_knows_the_hosts_but_not_the_dispatcher(split_dns: DnsServer) -> None:
    assert query(split_dns, DISPATCHER_SERVICE, "PTR").rcode() == dns.rcode.NXDOMAIN
    assert query(split_dns, LAB_INSTANCE, "SRV").rcode() == dns.rcode.NXDOMAIN
    (directory,) = answer(split_dns, f"directory.{DOMAIN}")
    assert directory.address == LAB_ZONE.hosts[f"directory.{DOMAIN}"]
    assert answer(split_dns, LDAP_SERVICE, "SRV")


# -- slow and lossy ------------------------------------------------------------------------

def test_slow_adds_150_ms(slow_dns: DnsServer) -> None:
    start = time.monotonic()
    (directory,) = answer(slow_dns, f"directory.{DOMAIN}")
    elapsed = time.monotonic() - start
    assert directory.address == "127.0.0.1"
    assert 0.14 <= elapsed < 1.0, elapsed


def test_lossy_answers_half_of_the_queries(lossy_dns: DnsServer) -> None:
    answered = []
    for _ in range(10):
        try:
            response = query(lossy_dns, f"directory.{DOMAIN}", timeout=0.3)
        except dns.exception.Timeout:
            answered.append(False)
            continue
        assert response.rcode() == dns.rcode.NOERROR
        answered.append(True)
    # Every 2nd query the relay receives is dropped; the readiness probe was (normally) the
    # 1st, so the pattern starts with a drop.
    assert answered in ([False, True] * 5, [True, False] * 5), answered


# -- dead and silent -----------------------------------------------------------------------

def assert_times_out(server: DnsServer, timeout: float = 0.3) -> None:
    start = time.monotonic()
    with pytest.raises(dns.exception.Timeout):
        query(server, f"directory.{DOMAIN}", timeout=timeout)
    assert time.monotonic() - start < timeout + 0.2


def test_dead_times_out_over_udp_and_refuses_tcp(dead_dns: DnsServer) -> None:
    assert dead_dns.pid is None
    assert_times_out(dead_dns)
    with pytest.raises(ConnectionRefusedError):
        dns.query.tcp(dns.message.make_query(f"directory.{DOMAIN}", "A"), dead_dns.host,
                      port=dead_dns.port, timeout=0.3)


@pytest.mark.asyncio
async def test_dead_times_out_with_asyncquery_too(dead_dns: DnsServer) -> None:
    with pytest.raises(dns.exception.Timeout):
        await dns.asyncquery.udp(dns.message.make_query(f"directory.{DOMAIN}", "A"),
                                 dead_dns.host, port=dead_dns.port, timeout=0.3)


def test_silent_never_answers(silent_dns: DnsServer) -> None:
    assert silent_dns.pid is None
    assert_times_out(silent_dns)
    with pytest.raises(dns.exception.Timeout):
        dns.query.tcp(dns.message.make_query(f"directory.{DOMAIN}", "A"), silent_dns.host,
                      port=silent_dns.port, timeout=0.3)


# -- the whole lab, stopping, failing ------------------------------------------------------

def test_dns_lab_gives_every_server(dns_lab: DnsLab) -> None:
    servers = [dns_lab.good, dns_lab.hijacking, dns_lab.split, dns_lab.slow, dns_lab.lossy,
               dns_lab.dead, dns_lab.silent]
    assert len({server.endpoint for server in dns_lab.servers()}) == len(dns_lab.servers())
    assert all(server.port not in (53, 5353) for server in servers)
    assert_dispatcher_records(dns_lab.good)
    assert answer(dns_lab.hijacking, random_name(HIJACK_DOMAIN))[0].address == HIJACK_ADDRESS
    assert query(dns_lab.split, DISPATCHER_SERVICE, "PTR").rcode() == dns.rcode.NXDOMAIN
    assert answer(dns_lab.slow, f"www.{DOMAIN}")
    lossy = []
    for _ in range(2):
        try:
            lossy.append(query(dns_lab.lossy, f"www.{DOMAIN}", timeout=0.2).rcode())
        except dns.exception.Timeout:
            lossy.append(None)
    assert lossy.count(None) == 1 and dns.rcode.NOERROR in lossy  # one of two is dropped
    assert_times_out(dns_lab.dead, 0.1)
    assert_times_out(dns_lab.silent, 0.1)


def test_stopping_ends_the_daemon_and_the_relay(tmp_path: Path) -> None:
    conftest_dns._require_dnsmasq()
    relay, upstream = dns_servers.start_relayed_dns("slow", tmp_path, delay_ms=1)
    pids = {relay.name: relay.pid, upstream.name: upstream.pid}
    assert answer(relay, f"directory.{DOMAIN}")
    dns_servers.stop_servers([relay, upstream])
    for server in (relay, upstream):
        assert server.pid is None
        pid = pids[server.name]
        assert pid is not None
        assert not Path(f"/proc/{pid}").exists(), f"{server.name} still there (or a zombie)"
        for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            with socket.socket(socket.AF_INET, kind) as sock:
                sock.bind((server.host, server.port))  # nothing listens there any more
    dns_servers.stop_server(relay)  # stopping twice is harmless


def test_stopping_the_silent_server_frees_its_port() -> None:
    server = dns_servers.start_silent_dns()
    dns_servers.stop_server(server)
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        with socket.socket(socket.AF_INET, kind) as sock:
            sock.bind((server.host, server.port))


def test_a_server_that_does_not_start_fails_with_its_log(tmp_path: Path) -> None:
    conftest_dns._require_dnsmasq()
    broken = dns_servers._dnsmasq_spec("broken", LAB_ZONE, "--no-such-option")
    with pytest.raises(dns_servers.LabStartError, match=r"broken DNS server .* exited"
                       r"(.|\n)*no-such-option"):
        dns_servers._start_all([[broken]], tmp_path)
    assert not dns_servers._PROCESSES


def test_missing_dnsmasq_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dns_servers, "find_dnsmasq", lambda: None)
    with pytest.raises(pytest.skip.Exception, match="apt-get install dnsmasq-base"):
        conftest_dns._require_dnsmasq()


def test_the_relay_only_talks_to_loopback() -> None:
    result = subprocess.run(
        [sys.executable, "-I", str(dns_servers.RELAY_SCRIPT), "--listen", "127.0.0.1:1",
         "--upstream", "192.0.2.1:53"], capture_output=True, text=True, timeout=10,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert result.returncode == 2
    assert "not a loopback address" in result.stderr


def test_the_relay_exits_on_sigterm_and_without_its_parent(good_dns: DnsServer) -> None:
    command = [sys.executable, "-I", str(dns_servers.RELAY_SCRIPT), "--upstream",
               good_dns.endpoint]
    (port,) = dns_servers.free_ports(1)
    relay = subprocess.Popen([*command, "--listen", f"127.0.0.1:{port}"])
    try:
        deadline = time.monotonic() + 3
        while True:
            try:  # a connected socket: "port closed" comes back at once
                assert dns_servers.probe_query("127.0.0.1", port).rcode() == dns.rcode.NOERROR
                break
            except (ConnectionRefusedError, dns.exception.Timeout):
                assert time.monotonic() < deadline, "the relay never answered"
                time.sleep(0.01)
        relay.terminate()
        assert relay.wait(2) == 0
    finally:
        relay.kill()
        relay.wait()
    # Started "by" a process that is not its parent: it leaves at its first look.
    orphan = subprocess.run([*command, "--listen", f"127.0.0.1:{port}", "--parent-pid", "1"],
                            timeout=5)
    assert orphan.returncode == 0
