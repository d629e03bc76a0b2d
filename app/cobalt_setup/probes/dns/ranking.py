"""Ranking the measured resolvers: each one's verdict (fine, slow, unreliable, dead,
hijacks NXDOMAIN, cannot find the dispatcher) with its reason, and the recommendation."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from cobalt_setup.addresses import Endpoint
from cobalt_setup.i18n import _, ngettext
from cobalt_setup.probes.dns.measure import BenchmarkPlan, ResolverStats
from cobalt_setup.probes.dns.terms import Source, Verdict, verdict_words
from cobalt_setup.wording import milliseconds

RELIABLE_SHARE = 0.9  # answered / sent below this is unreliable
SLOW_FACTOR, SLOW_MARGIN_MS = 3.0, 50.0  # slow: 3x the best and 50 ms more
TIE_FLOOR_MS, TIE_SHARE = 5.0, 0.25  # inside this, two medians are the same speed

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
