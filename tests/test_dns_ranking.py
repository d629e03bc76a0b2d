"""Verdicts and the recommendation, from measured figures (the rules, without a network)."""

from __future__ import annotations

from collections import Counter

from cobalt_setup.addresses import Endpoint
from cobalt_setup.probes.dns.resolvers import (
    BenchmarkPlan,
    ResolverCandidate,
    ResolverStats,
    Source,
    Verdict,
    rank,
)

PLAN = BenchmarkPlan(names=("directory.cobalt.test",), nx_parent="nx.cobalt.test",
                     dispatcher_browse="_cobalt-dispatcher._tcp.cobalt.test")


def measured(host: str, source: Source, warm_ms: list[float], *, provider: str = "p",
             sent: int | None = None, answered: int | None = None, hijack: str | None = None,
             finds_dispatcher: bool | None = True, failures: dict[str, int] | None = None,
             error_names: dict[str, str] | None = None) -> ResolverStats:
    stats = ResolverStats(ResolverCandidate(Endpoint(host), source, provider))
    stats.warm_ms = list(warm_ms)
    stats.cold_ms = [m * 2 for m in warm_ms]
    stats.answered = len(warm_ms) * 2 if answered is None else answered
    stats.sent = stats.answered if sent is None else sent
    stats.hijack_answer = hijack
    stats.finds_dispatcher = finds_dispatcher
    stats.failures = Counter(failures or {})
    stats.error_names = dict(error_names or {})
    stats.rcode_errors = Counter(stats.error_names.values())
    stats.finished = True
    return stats


def verdicts(ranking) -> dict[str, Verdict]:
    return {r.stats.candidate.host: r.verdict for r in ranking.rows}


def test_the_system_resolver_wins_a_tie() -> None:
    ranking = rank([
        measured("192.0.2.53", Source.SYSTEM, [20, 21, 22]),
        measured("8.8.8.8", Source.OPEN_COBALT, [18, 19, 20], provider="Google"),
    ], PLAN)
    assert ranking.recommendation.use_system
    assert ranking.recommendation.servers_text == ""
    assert verdicts(ranking)["192.0.2.53"] is Verdict.RECOMMENDED
    assert verdicts(ranking)["8.8.8.8"] is Verdict.FINE
    assert "keep it" in ranking.recommendation.sentence


def test_a_clearly_faster_pair_is_recommended_with_its_partner() -> None:
    ranking = rank([
        measured("192.0.2.53", Source.SYSTEM, [60, 61, 62]),
        measured("8.8.8.8", Source.OPEN_COBALT, [20, 20, 21], provider="Google"),
        measured("8.8.4.4", Source.OPEN_COBALT, [22, 23, 22], provider="Google"),
    ], PLAN)
    assert ranking.recommendation.servers_text == "8.8.8.8, 8.8.4.4"
    assert ranking.recommendation.sentence == (
        "8.8.8.8 is 3x faster than your system resolver and answers every query.")
    assert [r.stats.candidate.host for r in ranking.rows][:2] == ["8.8.8.8", "8.8.4.4"]


def test_each_failure_gets_its_verdict_and_reason() -> None:
    ranking = rank([
        measured("192.0.2.1", Source.SYSTEM, [10, 10, 11]),
        measured("192.0.2.2", Source.PUBLIC, [10, 11], hijack="127.0.0.9"),
        measured("192.0.2.3", Source.PUBLIC, [10, 10], sent=8, answered=4),
        measured("192.0.2.4", Source.PUBLIC, [], sent=3, answered=0),
        measured("192.0.2.5", Source.PUBLIC, [], sent=1, answered=0,
                 failures={"port_closed": 1}),
        measured("192.0.2.6", Source.PUBLIC, [150, 160, 155]),
        measured("192.0.2.7", Source.PUBLIC, [10, 11, 10], finds_dispatcher=False),
    ], PLAN)
    found = verdicts(ranking)
    assert found == {
        "192.0.2.1": Verdict.RECOMMENDED,
        "192.0.2.2": Verdict.HIJACKS,
        "192.0.2.3": Verdict.UNRELIABLE,
        "192.0.2.4": Verdict.DEAD,
        "192.0.2.5": Verdict.DEAD,
        "192.0.2.6": Verdict.SLOW,
        "192.0.2.7": Verdict.NO_DISPATCHER,
    }
    reasons = {r.stats.candidate.host: r.reason for r in ranking.rows}
    assert "answers 127.0.0.9 for names that do not exist" in reasons["192.0.2.2"]
    assert "answered only 4 of 8" in reasons["192.0.2.3"]
    assert "did not answer any of 3 queries" in reasons["192.0.2.4"]
    assert "Nothing listens for DNS on 192.0.2.5" in reasons["192.0.2.5"]
    assert "155 ms per answer" in reasons["192.0.2.6"]
    assert "would not find your dispatcher" in reasons["192.0.2.7"]


def test_a_bad_system_resolver_is_named_in_the_reason() -> None:
    ranking = rank([
        measured("192.0.2.53", Source.SYSTEM, [5, 5], hijack="198.51.100.1"),
        measured("8.8.8.8", Source.OPEN_COBALT, [20, 21], provider="Google"),
    ], PLAN)
    assert ranking.recommendation.servers_text == "8.8.8.8"
    assert "your system resolver hijacks NXDOMAIN" in ranking.recommendation.sentence


def test_nothing_answering_gives_no_servers_and_a_hint() -> None:
    ranking = rank([measured("192.0.2.4", Source.SYSTEM, [], sent=3, answered=0)], PLAN)
    assert ranking.recommendation.servers == ()
    assert "Check that this computer is online" in ranking.recommendation.sentence


def test_not_finding_the_dispatcher_only_counts_when_another_resolver_does() -> None:
    ranking = rank([
        measured("192.0.2.1", Source.SYSTEM, [10], finds_dispatcher=False),
        measured("192.0.2.2", Source.PUBLIC, [10], finds_dispatcher=False),
    ], PLAN)
    assert set(verdicts(ranking).values()) <= {Verdict.FINE, Verdict.RECOMMENDED}


NEEDED = PLAN.names[0]
OTHER = "www.opencobalt.net"
OWN_ZONE_PLAN = BenchmarkPlan(names=(NEEDED, OTHER), nx_parent="nx.cobalt.test")


def test_each_kind_of_answer_that_is_no_address_has_its_own_words_and_fix() -> None:
    """What came back decides the verdict: a refusal or an error code is an answer (the
    server is there), unlike silence, a closed port, or an answer that is not DNS."""
    ranking = rank([
        measured("192.0.2.10", Source.PUBLIC, [10, 10], sent=6, answered=4,
                 error_names={OTHER: "REFUSED"}),
        measured("192.0.2.11", Source.PUBLIC, [], sent=6, answered=0,
                 error_names={NEEDED: "REFUSED", OTHER: "REFUSED", "x.nx.cobalt.test": "REFUSED"}),
        measured("192.0.2.12", Source.PUBLIC, [], sent=6, answered=0,
                 error_names={NEEDED: "SERVFAIL", OTHER: "SERVFAIL"}),
        measured("192.0.2.13", Source.PUBLIC, [10], sent=6, answered=2,
                 error_names={NEEDED: "NOTIMP"}),
        measured("192.0.2.14", Source.PUBLIC, [], sent=3, answered=0, failures={"not_dns": 3}),
        measured("192.0.2.15", Source.PUBLIC, [], sent=3, answered=0,
                 failures={"unreachable": 3}),
    ], OWN_ZONE_PLAN)
    rows = {r.stats.candidate.host: r for r in ranking.rows}
    assert {host: row.verdict for host, row in rows.items()} == {
        "192.0.2.10": Verdict.REFUSES, "192.0.2.11": Verdict.REFUSES,
        "192.0.2.12": Verdict.ERRORS, "192.0.2.13": Verdict.ERRORS,
        "192.0.2.14": Verdict.NOT_DNS, "192.0.2.15": Verdict.DEAD}
    assert rows["192.0.2.10"].reason == (
        f"192.0.2.10 answers only for its own zones; it refuses {OTHER}: Open Cobalt cannot "
        "use it for public hosts.")
    assert "refuses every query from this computer (REFUSED)" in rows["192.0.2.11"].reason
    assert f"answers SERVFAIL for {NEEDED}, {OTHER}" in rows["192.0.2.12"].reason
    assert f"answers NOTIMP for {NEEDED}" in rows["192.0.2.13"].reason
    assert "not in DNS: another kind of program listens on port 53" in rows["192.0.2.14"].reason
    assert "cannot be reached from this computer" in rows["192.0.2.15"].reason
    for host in ("192.0.2.10", "192.0.2.11", "192.0.2.12", "192.0.2.13"):
        assert "nothing listens" not in rows[host].reason.lower(), "it answered"
    fixes = {host: row.fix for host, row in rows.items()}
    assert fixes["192.0.2.10"] == fixes["192.0.2.11"]
    assert "leave DNS servers empty" in fixes["192.0.2.10"]
    assert len(set(fixes.values())) == 5, "each kind of evidence has its own fix"
    assert all(fixes.values())


def test_a_refused_name_open_cobalt_does_not_need_costs_nothing() -> None:
    """A company server that answers every name Open Cobalt needs, and refuses only the
    random name of the honesty check: fine, and never "unreliable"."""
    ranking = rank([measured("192.0.2.20", Source.SYSTEM, [10, 10, 11], sent=7, answered=6,
                             error_names={"x.nx.cobalt.test": "REFUSED"})], OWN_ZONE_PLAN)
    assert verdicts(ranking) == {"192.0.2.20": Verdict.RECOMMENDED}
