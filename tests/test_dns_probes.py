"""The DNS checks against real DNS servers (dnsmasq, and unbound where the verdict rests
on how a server answers) started on loopback by the lab."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
import time

import pytest

from cobalt_setup.addresses import Endpoint
from cobalt_setup.probes.dns.checks import DnsEnvironment, run_dns_checks
from cobalt_setup.probes.dns.resolvers import (
    BenchmarkPlan,
    ResolverCandidate,
    Source,
    Verdict,
    benchmark_resolvers,
)
from cobalt_setup.probes.dns.service_discovery import discover
from cobalt_setup.settings import Settings
from lab.dns_servers import (
    BACKUP_INSTANCE,
    DISPATCHER_SERVICE,
    DOMAIN,
    HIJACK_ADDRESS,
    HIJACK_DOMAIN,
    LAB_INSTANCE,
    LAB_ZONE,
    DnsLab,
    DnsServer,
)

NAMES = (f"directory.{DOMAIN}", f"chat.{DOMAIN}", f"www.{DOMAIN}")
PLAN = BenchmarkPlan(names=NAMES, nx_parent=HIJACK_DOMAIN, dispatcher_browse=DISPATCHER_SERVICE,
                     query_timeout=0.4, deadline=2.0)


def endpoint(server: DnsServer) -> Endpoint:
    return Endpoint(server.host, server.port)


def candidate(server: DnsServer, source: Source = Source.PUBLIC,
              provider: str = "lab") -> ResolverCandidate:
    return ResolverCandidate(endpoint(server), source, provider)


def open_sockets() -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(FileNotFoundError):  # the descriptor listdir itself used
            count += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
    return count


def label(owner: str) -> str:
    """An instance's label as dnsmasq serves it: it lowercases PTR targets."""
    return owner.split(f".{DISPATCHER_SERVICE}")[0].lower()


@pytest.mark.asyncio
async def test_every_kind_of_resolver_gets_its_verdict(dns_lab: DnsLab) -> None:
    ranking = await benchmark_resolvers([
        candidate(dns_lab.good, Source.SYSTEM, "your system resolver"),
        candidate(dns_lab.hijacking, Source.OPEN_COBALT, "Google"),
        candidate(dns_lab.slow),
        candidate(dns_lab.lossy),
        candidate(dns_lab.dead),
        candidate(dns_lab.silent),
        candidate(dns_lab.split, Source.YOURS),
    ], PLAN)
    verdicts = {r.stats.candidate.port: r.verdict for r in ranking.rows}
    assert verdicts == {
        dns_lab.good.port: Verdict.RECOMMENDED,
        dns_lab.hijacking.port: Verdict.HIJACKS,
        dns_lab.slow.port: Verdict.SLOW,
        dns_lab.lossy.port: Verdict.UNRELIABLE,
        dns_lab.dead.port: Verdict.DEAD,
        dns_lab.silent.port: Verdict.DEAD,
        dns_lab.split.port: Verdict.NO_DISPATCHER,
    }
    assert ranking.rows[0].stats.candidate.port == dns_lab.good.port
    assert ranking.recommendation.use_system and ranking.recommendation.servers_text == ""
    hijacker = next(r for r in ranking.rows if r.verdict is Verdict.HIJACKS)
    assert HIJACK_ADDRESS in hijacker.reason
    good = ranking.rows[0].stats
    assert good.answered == good.sent == 2 + len(NAMES) * (1 + PLAN.warm_repeats)
    assert len(good.cold_ms) == 2 + len(NAMES) and len(good.warm_ms) == 2 * len(NAMES)
    slow = next(r.stats for r in ranking.rows if r.verdict is Verdict.SLOW)
    assert slow.median_ms >= 140
    # The lossy relay's dropped queries run into the deadline; it holds.
    assert ranking.deadline_hit
    assert ranking.elapsed_s < PLAN.deadline + 0.3


@pytest.mark.asyncio
async def test_a_clearly_faster_resolver_is_recommended_over_a_slow_system_one(
    slow_dns: DnsServer, good_dns: DnsServer
) -> None:
    ranking = await benchmark_resolvers([
        candidate(slow_dns, Source.SYSTEM, "your system resolver"),
        candidate(good_dns, Source.OPEN_COBALT, "Google"),
    ], PLAN)
    assert ranking.recommendation.servers == (endpoint(good_dns),)
    assert ranking.recommendation.sentence.startswith(f"{good_dns.endpoint} is ")
    assert "faster than your system resolver and answers every query" in (
        ranking.recommendation.sentence)
    assert not ranking.deadline_hit


@pytest.mark.asyncio
async def test_the_deadline_holds_when_every_server_is_silent(dns_lab: DnsLab) -> None:
    plan = BenchmarkPlan(names=NAMES, nx_parent=HIJACK_DOMAIN, query_timeout=0.7, deadline=1.0)
    started = time.monotonic()
    ranking = await benchmark_resolvers(
        [candidate(dns_lab.silent), candidate(dns_lab.dead)], plan)
    elapsed = time.monotonic() - started
    assert elapsed < plan.deadline + 0.3, "the deadline, not the sum of the timeouts"
    assert {r.verdict for r in ranking.rows} == {Verdict.DEAD}
    assert "Check that this computer is online" in ranking.recommendation.sentence


@pytest.mark.asyncio
async def test_cancelling_leaves_no_task_and_no_socket(dns_lab: DnsLab) -> None:
    sockets_before = open_sockets()
    tasks_before = asyncio.all_tasks()
    seen: list[int] = []
    plan = BenchmarkPlan(names=NAMES, nx_parent=HIJACK_DOMAIN, query_timeout=5, deadline=10)
    task = asyncio.ensure_future(benchmark_resolvers(
        [candidate(s) for s in (dns_lab.silent, dns_lab.slow, dns_lab.good)], plan,
        on_progress=lambda stats: seen.append(stats.sent)))
    await asyncio.sleep(0.3)
    assert seen, "the benchmark was under way"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0)
    assert asyncio.all_tasks() == tasks_before
    assert open_sockets() == sockets_before


@pytest.mark.asyncio
async def test_discovery_finds_the_dispatchers_in_priority_order(good_dns: DnsServer) -> None:
    found = await discover([endpoint(good_dns)], DOMAIN, "_cobalt-dispatcher._tcp",
                           timeout=2.0)
    assert [d.name for d in found.dispatchers] == [
        label(owner) for owner in LAB_ZONE.ptr[DISPATCHER_SERVICE]]
    lab, backup, broken = found.dispatchers
    for instance, owner in ((lab, LAB_INSTANCE), (backup, BACKUP_INSTANCE)):
        srv = LAB_ZONE.srv[owner]
        target = instance.targets[0]
        assert (target.host, target.port, target.priority, target.weight) == (
            srv.target, srv.port, srv.priority, srv.weight)
        assert target.addresses == (LAB_ZONE.hosts[srv.target],)
        assert instance.txt == LAB_ZONE.txt[owner]
        assert instance.problem == ""
    assert "has no address" in broken.problem
    assert [(t.host, t.port) for t in found.ldap] == [(f"directory.{DOMAIN}", 1389)]
    assert [(t.host, t.port) for t in found.xmpp] == [(f"chat.{DOMAIN}", 5222)]
    assert found.problems == ()


@pytest.mark.asyncio
async def test_discovery_through_a_resolver_that_lacks_the_records(split_dns: DnsServer) -> None:
    found = await discover([endpoint(split_dns)], DOMAIN, "_cobalt-dispatcher._tcp",
                           timeout=2.0)
    assert found.dispatchers == ()
    assert found.problems == (
        f"No dispatcher is published in {DOMAIN} ({DISPATCHER_SERVICE} has no entries).",)
    assert found.ldap, "the LDAP record is still there"


@pytest.mark.asyncio
async def test_discovery_through_a_silent_resolver_times_out_in_words(
    silent_dns: DnsServer,
) -> None:
    started = time.monotonic()
    found = await discover([endpoint(silent_dns)], DOMAIN, "_cobalt-dispatcher._tcp",
                           timeout=0.5)
    assert time.monotonic() - started < 1.0
    assert found.dispatchers == ()
    assert any("timed out" in problem for problem in found.problems)


@pytest.mark.asyncio
async def test_dns_checks_from_settings(good_dns: DnsServer, hijacking_dns: DnsServer) -> None:
    settings = Settings.from_texts({
        ("DNS", "Servers"): good_dns.endpoint,
        ("DNS", "DispatcherDomain"): DOMAIN,
        ("SpaceDirectory", "Host"): f"directory.{DOMAIN}",
        ("Web", "VersionCheckURL"): f"http://www.{DOMAIN}/version",
    })

    async def system() -> list[Endpoint]:
        return [endpoint(hijacking_dns)]

    environment = DnsEnvironment(system_resolvers=system, open_cobalt_default=(), public=(),
                                 nx_parent=HIJACK_DOMAIN)
    checks = await run_dns_checks(settings, environment)
    verdicts = {(r.stats.candidate.port, r.stats.candidate.source): r.verdict
                for r in checks.ranking.rows}
    assert verdicts == {
        (hijacking_dns.port, Source.SYSTEM): Verdict.HIJACKS,
        (good_dns.port, Source.YOURS): Verdict.RECOMMENDED,
    }
    assert checks.ranking.recommendation.servers_text == good_dns.endpoint
    assert checks.discovery is not None
    assert [d.name for d in checks.discovery.dispatchers][:1] == [label(LAB_INSTANCE)]


PUBLIC_NAMES = ("ldap.opencobalt.net", "www.opencobalt.net")  # refused: never forwarded
OWN_ZONE_PLAN = BenchmarkPlan(names=(f"directory.{DOMAIN}", *PUBLIC_NAMES),
                              nx_parent=HIJACK_DOMAIN, query_timeout=0.4, deadline=2.0)


@pytest.mark.asyncio
async def test_a_server_that_answers_only_its_own_zones_is_described_as_that(
        own_zone_dns: DnsServer) -> None:
    """It answered every query, so it is neither dead nor unreliable: it refuses the public
    names Open Cobalt needs, and the fix is another server, not the network."""
    ranking = await benchmark_resolvers([candidate(own_zone_dns)], OWN_ZONE_PLAN)
    (row,) = ranking.rows
    assert row.verdict is Verdict.REFUSES
    assert row.reason == (
        f"{own_zone_dns.endpoint} answers only for its own zones; it refuses "
        f"{', '.join(PUBLIC_NAMES)}: Open Cobalt cannot use it for public hosts.")
    assert row.stats.failures == {}, "every query was answered"
    assert row.stats.rcode_errors["REFUSED"] == len(PUBLIC_NAMES) * (1 + OWN_ZONE_PLAN.warm_repeats)
    assert "leave DNS servers empty" in row.fix and "network connection" not in row.fix


@pytest.mark.asyncio
async def test_a_server_that_refuses_this_computer_is_not_called_dead(
        refusing_dns: DnsServer) -> None:
    ranking = await benchmark_resolvers([candidate(refusing_dns)], OWN_ZONE_PLAN)
    (row,) = ranking.rows
    assert row.verdict is Verdict.REFUSES
    assert "refuses every query from this computer (REFUSED)" in row.reason
    assert row.stats.responded == row.stats.sent == 1 + 3 * (1 + OWN_ZONE_PLAN.warm_repeats)


@pytest.mark.asyncio
async def test_nothing_listening_silence_and_an_answer_that_is_not_dns_each_have_words(
        dead_dns: DnsServer, silent_dns: DnsServer) -> None:
    """A closed port answers with ICMP at once; a silent one runs into the query timeout;
    an HTTP-like reply on the DNS port is "not a DNS server"."""
    garbage = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    garbage.bind(("127.0.0.1", 0))
    stop = threading.Event()

    def answer_garbage() -> None:
        garbage.settimeout(0.05)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                _data, client = garbage.recvfrom(512)
                garbage.sendto(b"HTTP/1.1 400 Bad Request\r\n\r\n", client)

    thread = threading.Thread(target=answer_garbage, daemon=True)
    thread.start()
    try:
        other = Endpoint("127.0.0.1", garbage.getsockname()[1])
        started = time.monotonic()
        ranking = await benchmark_resolvers([
            candidate(dead_dns), candidate(silent_dns),
            ResolverCandidate(other, Source.YOURS, "lab"),
        ], OWN_ZONE_PLAN)
    finally:
        stop.set()
        thread.join()
        garbage.close()
    rows = {r.stats.candidate.port: r for r in ranking.rows}
    dead, silent, not_dns = rows[dead_dns.port], rows[silent_dns.port], rows[other.port]
    assert (dead.verdict, silent.verdict, not_dns.verdict) == (
        Verdict.DEAD, Verdict.DEAD, Verdict.NOT_DNS)
    assert dead.reason.startswith(f"Nothing listens for DNS on {dead_dns.endpoint}")
    assert dead.stats.failures == {"port_closed": 3}
    assert silent.reason == f"{silent_dns.endpoint} did not answer any of 3 queries."
    assert "another kind of program listens" in not_dns.reason
    assert len({dead.fix, silent.fix, not_dns.fix}) == 3
    assert time.monotonic() - started < OWN_ZONE_PLAN.deadline + 0.3


@pytest.mark.asyncio
async def test_discovery_asks_each_server_on_its_own_port(good_dns: DnsServer,
                                                          silent_dns: DnsServer) -> None:
    """Two servers on one address: the good one on its port, a silent one on another.
    Keyed by address, every query went to the last port, and discovery timed out."""
    assert good_dns.host == silent_dns.host
    found = await discover([endpoint(good_dns), endpoint(silent_dns)], DOMAIN,
                           "_cobalt-dispatcher._tcp", timeout=1.0)
    assert found.problems == ()
    assert len(found.dispatchers) == 3


@pytest.mark.asyncio
async def test_discovery_through_unbound_finds_the_same_dispatchers(
        unbound_dns: DnsServer) -> None:
    found = await discover([endpoint(unbound_dns)], DOMAIN, "_cobalt-dispatcher._tcp",
                           timeout=2.0)
    assert [d.name for d in found.dispatchers] == [
        owner.split(f".{DISPATCHER_SERVICE}")[0] for owner in LAB_ZONE.ptr[DISPATCHER_SERVICE]]
    assert found.dispatchers[2].problem and not found.dispatchers[0].problem
    assert [(t.host, t.port) for t in found.ldap] == [(f"directory.{DOMAIN}", 1389)]


@pytest.mark.asyncio
async def test_a_resolver_that_fails_public_names_answers_servfail_in_words(
        servfail_dns: DnsServer) -> None:
    """It answers (its own zone, and SERVFAIL for the rest): "answers with errors", with
    the names and the likely cause, never "dead" or "unreliable"."""
    ranking = await benchmark_resolvers([candidate(servfail_dns)], OWN_ZONE_PLAN)
    (row,) = ranking.rows
    assert row.verdict is Verdict.ERRORS
    assert row.reason.startswith(
        f"{servfail_dns.endpoint} answers SERVFAIL for {', '.join(PUBLIC_NAMES)}: it fails "
        "to look them up")
    assert row.stats.failures == {}
    assert "administrator" in row.fix
