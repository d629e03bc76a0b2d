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
    reason: str  # one plain sentence: what the evidence shows
    fix: str = ""  # what to do about it, on its own (the recommendation may say better)


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



def _names(names: Sequence[str]) -> str:
    return ", ".join(names)


def _no_dns_answer(stats: ResolverStats) -> tuple[Verdict, str, str]:
    """Nothing came back that reads as DNS: say what did come back, if anything."""
    address, port = stats.candidate.address, stats.candidate.port
    if stats.sent == 0:
        return (Verdict.DEAD, _("{address} was not asked in time.").format(address=address),
                _("Run the check again; if it happens again, close other programs that use "
                  "the network heavily."))
    if stats.failures.get("not_dns"):
        return (Verdict.NOT_DNS, _(
            "{address} answers, but not in DNS: another kind of program listens on port "
            "{port}.").format(address=address, port=port),
                _("Correct the port of this DNS server (DNS servers normally use port 53)."))
    if stats.failures.get("port_closed"):
        return (Verdict.DEAD, _(
            "Nothing listens for DNS on {address}: the computer there turned the queries "
            "away (port unreachable).").format(address=address),
                _("Check the address and port of this DNS server: no DNS server runs "
                  "there."))
    if stats.failures.get("unreachable"):
        # Translators: {error} is the system's own words, e.g. "Network is unreachable".
        return (Verdict.DEAD, _(
            "{address} cannot be reached from this computer ({error}).").format(
                address=address, error=stats.network_error),
                _("Check this computer's network connection."))
    return (Verdict.DEAD, ngettext(
        "{address} did not answer the query it was sent.",
        "{address} did not answer any of {count} queries.", stats.sent).format(
            address=address, count=stats.sent),
            _("Check that {address} is a DNS server and that no firewall drops DNS (UDP port "
              "{port}) on the way; if no server answers, check this computer's network "
              "connection.").format(address=address, port=port))


def _error_answers(stats: ResolverStats, plan: BenchmarkPlan) -> tuple[Verdict, str, str] | None:
    """A server that answered the names Open Cobalt needs with an error code."""
    address = stats.candidate.address
    needed = [name for name in (*plan.names, plan.dispatcher_browse)
              if name and name in stats.error_names]
    refused = [name for name in needed if stats.error_names[name] == "REFUSED"]
    use_another = _("Use a DNS server that looks up any name: leave DNS servers empty to use "
                    "your system's, or enter your network's or a public resolver.")
    if refused and stats.answered:
        return (Verdict.REFUSES, _(
            "{address} answers only for its own zones; it refuses {names}: Open Cobalt "
            "cannot use it for public hosts.").format(address=address, names=_names(refused)),
                use_another)
    if refused:
        return (Verdict.REFUSES, _(
            "{address} answers, but refuses every query from this computer (REFUSED): it "
            "does not look names up for it, as an authoritative-only server or one that "
            "serves only its own network does.").format(address=address), use_another)
    if not needed:
        return None
    codes = sorted({stats.error_names[name] for name in needed})
    if codes == ["SERVFAIL"]:
        return (Verdict.ERRORS, _(
            "{address} answers SERVFAIL for {names}: it fails to look them up (it may not "
            "reach the Internet's name servers, or DNSSEC validation fails there).").format(
                address=address, names=_names(needed)),
                _("Use another DNS server, or ask the administrator of {address} to look at "
                  "its log.").format(address=address))
    # Translators: {codes} are DNS error codes such as "NOTIMP" or "FORMERR"; keep them.
    return (Verdict.ERRORS, _(
        "{address} answers {codes} for {names}: it does not support the queries Open Cobalt "
        "sends.").format(address=address, codes=", ".join(codes), names=_names(needed)),
            _("Use another DNS server."))


def _reliable(stats: ResolverStats) -> bool:
    """Lost queries are what makes a server unreliable; an error code is an answer."""
    return stats.sent > 0 and stats.responded / stats.sent >= RELIABLE_SHARE


def _verdict(stats: ResolverStats, plan: BenchmarkPlan, best_ms: float | None,
             someone_finds_dispatcher: bool) -> tuple[Verdict, str, str]:
    """The verdict, the reason in one sentence, and the fix that this evidence calls for."""
    address = stats.candidate.address
    if not stats.finished:
        return Verdict.CHECKING, _("{address} is being checked.").format(address=address), ""
    if stats.responded == 0:
        return _no_dns_answer(stats)
    errors = _error_answers(stats, plan)
    if errors is not None:
        return errors
    if stats.answered == 0:
        return _no_dns_answer(stats)
    if stats.hijack_answer is not None:
        # Translators: {answer} is the IP address the resolver gave for a name
        # that cannot exist.
        return Verdict.HIJACKS, _(
            "{address} answers {answer} for names that do not exist, so a "
            "mistyped or retired server name leads Open Cobalt to a wrong host."
        ).format(address=address, answer=stats.hijack_answer), _(
            "Use a DNS server that answers \"no such name\" honestly, or turn off the "
            "\"search assistance\" of your provider's DNS.")
    if not _reliable(stats):
        return Verdict.UNRELIABLE, _(
            "{address} answered only {answered} of {sent} queries.").format(
                address=address, answered=stats.responded, sent=stats.sent), _(
            "Use another DNS server; if every server loses queries, check this computer's "
            "network connection (Wi-Fi signal, cable).")
    if plan.dispatcher_browse and stats.finds_dispatcher is False and someone_finds_dispatcher:
        # Translators: {browse_name} is a DNS name such as
        # "_cobalt-dispatcher._tcp.example.org".
        return Verdict.NO_DISPATCHER, _(
            "{address} does not know {browse_name}, which another resolver finds: "
            "Open Cobalt would not find your dispatcher through it."
        ).format(address=address, browse_name=plan.dispatcher_browse), _(
            "Use the DNS server that finds the dispatcher.")
    median = stats.median_ms
    if best_ms is not None and median is not None and median > max(
        SLOW_FACTOR * best_ms, best_ms + SLOW_MARGIN_MS
    ):
        # Translators: {time} and {best_time} are times such as "156 ms".
        return Verdict.SLOW, _(
            "{address} takes {time} per answer, against {best_time} for the fastest.").format(
                address=address, time=milliseconds(median), best_time=milliseconds(best_ms)), _(
            "Use the fastest DNS server.")
    # Translators: {time} is the median answer time, such as "7.7 ms".
    return Verdict.FINE, _("{address} answered every query ({time} median).").format(
        address=address, time=milliseconds(median)), ""


_PREFERENCE = {Source.SYSTEM: 0, Source.YOURS: 1, Source.OPEN_COBALT: 2, Source.PUBLIC: 3}


def rank(all_stats: Sequence[ResolverStats], plan: BenchmarkPlan, elapsed_s: float = 0.0,
         deadline_hit: bool = False) -> ResolverRanking:
    """Verdicts for every candidate and one recommendation. Pure: tests feed it numbers."""
    healthy = [
        s for s in all_stats
        if s.finished and s.answered and s.hijack_answer is None and _reliable(s)
        and s.median_ms is not None
    ]
    best_ms = min((s.median_ms for s in healthy), default=None)
    someone_finds = any(s.finds_dispatcher for s in all_stats)
    judged = [RankedResolver(s, *_verdict(s, plan, best_ms, someone_finds)) for s in all_stats]
    fine = [r for r in judged if r.verdict is Verdict.FINE]
    recommendation = _recommend(fine, judged) if fine else _nothing_good(judged)
    chosen = set(recommendation.servers) if recommendation else set()
    judged = [
        RankedResolver(r.stats, Verdict.RECOMMENDED, r.reason, r.fix)
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
    if any(r.stats.responded for r in judged):
        # They answer, but refuse or fail names, or lie: the network works, the servers do
        # not serve Open Cobalt.
        return Recommendation((), False, _(
            "No resolver checked here looks up every name Open Cobalt needs correctly (see "
            "each one's verdict). Use your network's own resolver or a public one that "
            "answers for any name."))
    return Recommendation((), False, _(
        "No resolver answered any query. Check that this computer is online; if it is, a "
        "firewall may block DNS (UDP port 53)."))
