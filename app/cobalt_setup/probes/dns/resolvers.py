"""Which DNS resolvers Open Cobalt should use: latency, reliability and honesty, measured.

Every candidate resolver is asked the names Open Cobalt needs, one query at a time with its
own timeout, all candidates at once, under one overall deadline that holds even when every
server is silent. A random name that cannot exist tells an honest resolver (NXDOMAIN) from
one that hijacks failed look-ups. The first look-up of each name is kept apart (cold: the
resolver may have to recurse) from repeats (warm: served from its cache).
"""

from __future__ import annotations

import asyncio
import math
import secrets
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import dns.asyncquery
import dns.exception
import dns.message
import dns.rcode
import dns.rdatatype

from cobalt_setup.addresses import Endpoint
from cobalt_setup.i18n import N_, _, ngettext

# Re-exported: the names live in terms, which loads no DNS library.
from cobalt_setup.probes.dns.terms import (
    DEFAULT_DEADLINE_S,
    DEFAULT_QUERY_TIMEOUT_S,
    Source,
    Verdict,
)
from cobalt_setup.wording import milliseconds

DNS_PORT = 53
GIVE_UP_AFTER_FAILURES = 3  # in a row, before any answer: the server is dead
RELIABLE_SHARE = 0.9  # answered / sent below this is unreliable
SLOW_FACTOR, SLOW_MARGIN_MS = 3.0, 50.0  # slow: 3x the best and 50 ms more
TIE_FLOOR_MS, TIE_SHARE = 5.0, 0.25  # inside this, two medians are the same speed

# The verdicts in words for people; the enum's values stay machine values (JSON, the GUI).
VERDICT_WORDS = {
    # Translators: verdict on a DNS resolver (a server that looks up host
    # names).
    Verdict.RECOMMENDED: N_("recommended"),
    # Translators: verdict on a DNS resolver: it works well.
    Verdict.FINE: N_("fine"),
    # Translators: verdict on a DNS resolver: it answers, but slowly.
    Verdict.SLOW: N_("slow"),
    # Translators: verdict on a DNS resolver: it does not answer every query.
    Verdict.UNRELIABLE: N_("unreliable"),
    # Translators: verdict on a DNS resolver: it answers no query at all.
    Verdict.DEAD: N_("dead"),
    # Translators: verdict on a DNS resolver: it answers with an address for
    # names that do not exist instead of saying "no such name" (NXDOMAIN is
    # the DNS term; keep it).
    Verdict.HIJACKS: N_("hijacks NXDOMAIN"),
    # Translators: verdict on a DNS resolver: it does not know the
    # dispatcher's records.
    Verdict.NO_DISPATCHER: N_("cannot find the dispatcher"),
    # Translators: verdict on a DNS resolver while it is still being measured.
    Verdict.CHECKING: N_("checking"),
}


def verdict_words(verdict: Verdict) -> str:
    """The verdict as people read it, in their language: Verdict.DEAD -> "dead"."""
    return _(VERDICT_WORDS[verdict])


@dataclass(frozen=True)
class ResolverCandidate:
    endpoint: Endpoint
    source: Source
    provider: str  # "Google Public DNS", "your system resolver", ... (in the user's language)

    @property
    def address(self) -> str:
        return str(self.endpoint)

    @property
    def host(self) -> str:
        return self.endpoint.host

    @property
    def port(self) -> int:
        return self.endpoint.port or DNS_PORT




@dataclass(frozen=True)
class BenchmarkPlan:
    """What to ask each resolver, and how long the whole benchmark may take."""

    names: tuple[str, ...]  # the host names Open Cobalt needs (directory, chat, web)
    nx_parent: str  # random labels under this name must not exist
    dispatcher_browse: str | None = None  # "_cobalt-dispatcher._tcp.example.org"
    warm_repeats: int = 2
    query_timeout: float = DEFAULT_QUERY_TIMEOUT_S
    deadline: float = DEFAULT_DEADLINE_S


@dataclass
class ResolverStats:
    """Everything measured for one candidate; filled in while the benchmark runs."""

    candidate: ResolverCandidate
    sent: int = 0
    answered: int = 0
    cold_ms: list[float] = field(default_factory=list)
    warm_ms: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    hijack_answer: str | None = None  # what it said for a name that cannot exist
    nx_checked: bool = False
    finds_dispatcher: bool | None = None
    finished: bool = False

    @property
    def samples_ms(self) -> list[float]:
        return self.warm_ms or self.cold_ms

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.samples_ms) if self.samples_ms else None

    @property
    def p90_ms(self) -> float | None:
        samples = sorted(self.samples_ms)
        if not samples:
            return None
        return samples[min(len(samples) - 1, math.ceil(0.9 * len(samples)) - 1)]

    @property
    def cold_median_ms(self) -> float | None:
        return statistics.median(self.cold_ms) if self.cold_ms else None


@dataclass(frozen=True)
class RankedResolver:
    stats: ResolverStats
    verdict: Verdict
    reason: str  # one plain sentence


@dataclass(frozen=True)
class Recommendation:
    servers: tuple[Endpoint, ...]  # the recommended resolvers (empty: none is good)
    use_system: bool  # they are the system's own: the INI says so with an empty Servers
    sentence: str

    @property
    def servers_text(self) -> str:
        """The value for `[DNS] Servers`."""
        return "" if self.use_system else ", ".join(str(server) for server in self.servers)


@dataclass(frozen=True)
class ResolverRanking:
    rows: tuple[RankedResolver, ...]  # best first
    recommendation: Recommendation | None
    elapsed_s: float
    deadline_hit: bool


def _query(name: str, rdtype: dns.rdatatype.RdataType) -> dns.message.QueryMessage:
    return dns.message.make_query(name, rdtype)


async def _ask(stats: ResolverStats, name: str, rdtype: dns.rdatatype.RdataType,
               timeout: float) -> tuple[dns.message.Message | None, float]:
    """One query; counts it. Returns the answer (None on failure) and its time in ms."""
    stats.sent += 1
    started = time.perf_counter()
    try:
        response = await dns.asyncquery.udp(
            _query(name, rdtype), stats.candidate.host, timeout=timeout,
            port=stats.candidate.port, ignore_unexpected=True,
        )
    except dns.exception.Timeout:
        stats.failures["timeout"] += 1
        return None, 0.0
    except ConnectionRefusedError:
        stats.failures["refused"] += 1
        return None, 0.0
    except (OSError, dns.exception.DNSException) as error:
        stats.failures[type(error).__name__] += 1
        return None, 0.0
    elapsed_ms = (time.perf_counter() - started) * 1000
    rcode = response.rcode()
    if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        stats.failures[dns.rcode.to_text(rcode).lower()] += 1
        return None, elapsed_ms
    stats.answered += 1
    return response, elapsed_ms


async def _measure(stats: ResolverStats, plan: BenchmarkPlan, deadline: float,
                   on_progress: Callable[[ResolverStats], None] | None) -> None:
    """Ask one resolver everything in the plan, one query at a time."""

    def timeout() -> float:
        return max(0.01, min(plan.query_timeout, deadline - time.monotonic()))

    def report() -> None:
        if on_progress is not None:
            on_progress(stats)

    def dead() -> bool:
        return stats.answered == 0 and stats.sent >= GIVE_UP_AFTER_FAILURES

    try:
        nx_name = f"{secrets.token_hex(8)}.{plan.nx_parent}"
        response, ms = await _ask(stats, nx_name, dns.rdatatype.A, timeout())
        if response is not None:
            stats.cold_ms.append(ms)
            stats.nx_checked = True
            if response.rcode() == dns.rcode.NOERROR and response.answer:
                stats.hijack_answer = response.answer[0][0].to_text()
        report()
        if plan.dispatcher_browse:
            response, ms = await _ask(stats, plan.dispatcher_browse, dns.rdatatype.PTR, timeout())
            if response is not None:
                stats.cold_ms.append(ms)
                stats.finds_dispatcher = any(
                    rrset.rdtype == dns.rdatatype.PTR for rrset in response.answer)
            report()
        for name in plan.names:  # cold: the first time this resolver hears the name
            if dead():
                break
            response, ms = await _ask(stats, name, dns.rdatatype.A, timeout())
            if response is not None:
                stats.cold_ms.append(ms)
            report()
        for _repeat in range(plan.warm_repeats):  # warm: answered from its cache
            for name in plan.names:
                if dead():
                    break
                response, ms = await _ask(stats, name, dns.rdatatype.A, timeout())
                if response is not None:
                    stats.warm_ms.append(ms)
                report()
    finally:
        stats.finished = True
        report()


async def benchmark_resolvers(
    candidates: Sequence[ResolverCandidate],
    plan: BenchmarkPlan,
    on_progress: Callable[[ResolverStats], None] | None = None,
) -> ResolverRanking:
    """Measure every candidate at once; returns when all are done or the deadline passes."""
    started = time.monotonic()
    deadline = started + plan.deadline
    all_stats = [ResolverStats(candidate) for candidate in _unique(candidates)]
    tasks = [asyncio.ensure_future(_measure(stats, plan, deadline, on_progress))
             for stats in all_stats]
    deadline_hit = False
    try:
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=plan.deadline)
            deadline_hit = bool(pending)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return rank(all_stats, plan, time.monotonic() - started, deadline_hit)


def _unique(candidates: Sequence[ResolverCandidate]) -> list[ResolverCandidate]:
    seen: set[tuple[str, int]] = set()
    unique = []
    for candidate in candidates:
        key = (candidate.host, candidate.port)
        if key not in seen:
            seen.add(key)
            unique.append(candidate)
    return unique


def same_speed(a_ms: float, b_ms: float) -> bool:
    """Differences inside the noise of a few samples count as a tie."""
    return abs(a_ms - b_ms) <= max(TIE_FLOOR_MS, TIE_SHARE * min(a_ms, b_ms))



def _verdict(stats: ResolverStats, plan: BenchmarkPlan, best_ms: float | None,
             someone_finds_dispatcher: bool) -> tuple[Verdict, str]:
    address = stats.candidate.address
    if not stats.finished:
        return Verdict.CHECKING, _("{address} is being checked.").format(address=address)
    if stats.answered == 0:
        if stats.sent == 0:
            return Verdict.DEAD, _("{address} was not asked in time.").format(address=address)
        if stats.failures.get("refused"):
            return Verdict.DEAD, _(
                "{address} refuses DNS queries: nothing listens there.").format(address=address)
        return Verdict.DEAD, ngettext("{address} did not answer the query it was sent.",
                                      "{address} did not answer any of {count} queries.",
                                      stats.sent).format(address=address, count=stats.sent)
    if stats.hijack_answer is not None:
        # Translators: {answer} is the IP address the resolver gave for a name
        # that cannot exist.
        return Verdict.HIJACKS, _(
            "{address} answers {answer} for names that do not exist, so a "
            "mistyped or retired server name leads Open Cobalt to a wrong host."
        ).format(address=address, answer=stats.hijack_answer)
    if stats.answered / stats.sent < RELIABLE_SHARE:
        return Verdict.UNRELIABLE, _(
            "{address} answered only {answered} of {sent} queries.").format(
                address=address, answered=stats.answered, sent=stats.sent)
    if plan.dispatcher_browse and stats.finds_dispatcher is False and someone_finds_dispatcher:
        # Translators: {browse_name} is a DNS name such as
        # "_cobalt-dispatcher._tcp.example.org".
        return Verdict.NO_DISPATCHER, _(
            "{address} does not know {browse_name}, which another resolver finds: "
            "Open Cobalt would not find your dispatcher through it."
        ).format(address=address, browse_name=plan.dispatcher_browse)
    median = stats.median_ms
    if best_ms is not None and median is not None and median > max(
        SLOW_FACTOR * best_ms, best_ms + SLOW_MARGIN_MS
    ):
        # Translators: {time} and {best_time} are times such as "156 ms".
        return Verdict.SLOW, _(
            "{address} takes {time} per answer, against {best_time} for the fastest.").format(
                address=address, time=milliseconds(median), best_time=milliseconds(best_ms))
    # Translators: {time} is the median answer time, such as "7.7 ms".
    return Verdict.FINE, _("{address} answered every query ({time} median).").format(
        address=address, time=milliseconds(median))


_PREFERENCE = {Source.SYSTEM: 0, Source.YOURS: 1, Source.OPEN_COBALT: 2, Source.PUBLIC: 3}


def rank(all_stats: Sequence[ResolverStats], plan: BenchmarkPlan, elapsed_s: float = 0.0,
         deadline_hit: bool = False) -> ResolverRanking:
    """Verdicts for every candidate and one recommendation. Pure: tests feed it numbers."""
    healthy = [
        s for s in all_stats
        if s.finished and s.answered and s.hijack_answer is None
        and s.answered / s.sent >= RELIABLE_SHARE and s.median_ms is not None
    ]
    best_ms = min((s.median_ms for s in healthy), default=None)
    someone_finds = any(s.finds_dispatcher for s in all_stats)
    judged = [RankedResolver(s, *_verdict(s, plan, best_ms, someone_finds)) for s in all_stats]
    fine = [r for r in judged if r.verdict is Verdict.FINE]
    recommendation = _recommend(fine, judged) if fine else _nothing_good(judged)
    chosen = set(recommendation.servers) if recommendation else set()
    judged = [
        RankedResolver(r.stats, Verdict.RECOMMENDED, r.reason)
        if r.verdict is Verdict.FINE and r.stats.candidate.endpoint in chosen else r
        for r in judged
    ]
    order = list(Verdict)
    judged.sort(key=lambda r: (order.index(r.verdict), r.stats.median_ms or math.inf))
    return ResolverRanking(tuple(judged), recommendation, elapsed_s, deadline_hit)


def _recommend(fine: list[RankedResolver], judged: list[RankedResolver]) -> Recommendation:
    fastest = min(r.stats.median_ms or math.inf for r in fine)
    tied = [r for r in fine if same_speed(r.stats.median_ms or math.inf, fastest)]
    winner = min(tied, key=lambda r: (_PREFERENCE[r.stats.candidate.source],
                                      r.stats.median_ms or math.inf))
    source = winner.stats.candidate.source
    if source is Source.SYSTEM:
        system = tuple(r.stats.candidate.endpoint for r in fine
                       if r.stats.candidate.source is Source.SYSTEM)
        # Translators: {time} is the median answer time, such as "7.7 ms".
        return Recommendation(system, True, _(
            "Your system resolver ({address}) answers every query and "
            "is as fast as any other ({time} median): keep it.").format(
                address=winner.stats.candidate.address,
                time=milliseconds(winner.stats.median_ms)))
    # Resolvers come in pairs: recommend the winner's healthy partners as backups.
    partners = [r for r in fine if r.stats.candidate.provider == winner.stats.candidate.provider
                and r is not winner and source is not Source.YOURS]
    servers = (winner.stats.candidate.endpoint,
               *[r.stats.candidate.endpoint for r in partners])
    return Recommendation(servers, False, _why(winner, judged))


def _why(winner: RankedResolver, judged: list[RankedResolver]) -> str:
    address = winner.stats.candidate.address
    system = [r for r in judged if r.stats.candidate.source is Source.SYSTEM]
    win_ms = winner.stats.median_ms or math.inf
    if not system:
        return _("{address} is the fastest resolver that answers every query correctly.").format(
            address=address)
    sys_row = min(system, key=lambda r: r.stats.median_ms or math.inf)
    if sys_row.verdict in (Verdict.FINE, Verdict.SLOW) and sys_row.stats.median_ms:
        factor = sys_row.stats.median_ms / win_ms if win_ms else math.inf
        times = f"{factor:.0f}" if factor >= 2 else f"{factor:.1f}"
        # Translators: {factor} is a number such as "3" or "1.5": "3x faster" = 3
        # times as fast.
        return _("{address} is {factor}x faster than your system resolver and answers "
                 "every query.").format(address=address, factor=times)
    # Translators: {verdict} is a DNS resolver's verdict such as "unreliable",
    # "dead" or "hijacks NXDOMAIN"; {reason} is a whole sentence explaining
    # it.
    return _("{address} answers every query correctly; your system resolver "
             "{verdict}: {reason}").format(address=address, verdict=verdict_words(sys_row.verdict),
                                           reason=sys_row.reason)


def _nothing_good(judged: list[RankedResolver]) -> Recommendation | None:
    if not judged or any(r.verdict is Verdict.CHECKING for r in judged):
        return None
    return Recommendation((), False, _(
        "No resolver answered every query correctly. Check that this computer is online; "
        "if it is, a firewall may block DNS (UDP port 53)."))
