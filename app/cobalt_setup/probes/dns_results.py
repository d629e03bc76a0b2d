"""The DNS page's findings as probe results, for the diagnosis report and the Summary.

The DNS page shows its own table; a report needs the same verdicts as one line each: how
the resolvers Open Cobalt will use fare, whether a better choice exists, and whether the
dispatcher (and the directory and chat servers) can be discovered.
"""

from __future__ import annotations

from cobalt_setup.probes.dns_checks import DnsChecks
from cobalt_setup.probes.dns_resolvers import RankedResolver, Source, Verdict
from cobalt_setup.probes.result import ProbeResult, Status
from cobalt_setup.settings import Settings

VERDICT_STATUS = {
    Verdict.RECOMMENDED: Status.OK,
    Verdict.FINE: Status.OK,
    Verdict.SLOW: Status.WARNING,
    Verdict.UNRELIABLE: Status.WARNING,
    Verdict.NO_DISPATCHER: Status.WARNING,
    Verdict.DEAD: Status.FAILED,
    Verdict.HIJACKS: Status.FAILED,
    Verdict.CHECKING: Status.SKIPPED,
}


def _in_use(row: RankedResolver, settings: Settings) -> bool:
    """Whether Open Cobalt would use this resolver with these settings."""
    candidate = row.stats.candidate
    if settings.dns.servers:
        return str(candidate.endpoint) in {str(server) for server in settings.dns.servers}
    return candidate.source is Source.SYSTEM


def _resolver_result(row: RankedResolver, fix: str) -> ProbeResult:
    stats = row.stats
    candidate = stats.candidate
    status = VERDICT_STATUS[row.verdict]
    median = stats.median_ms
    details = {"provider": candidate.provider, "verdict": row.verdict.value,
               "sent": stats.sent, "answered": stats.answered,
               "median_ms": None if median is None else round(median, 1),
               "hijack_answer": stats.hijack_answer}
    return ProbeResult(f"dns.resolver.{candidate.address}", "dns", candidate.address, status,
                       f"{candidate.address} ({candidate.provider}): {row.verdict.value}. "
                       f"{row.reason}", fix if status is not Status.OK else "",
                       median or 0.0, details)


def dns_results(checks: DnsChecks, settings: Settings) -> list[ProbeResult]:
    """One result per resolver Open Cobalt uses, the recommendation, and discovery."""
    ranking = checks.ranking
    recommendation = ranking.recommendation
    better = ""
    if recommendation is not None and recommendation.servers:
        better = ("your system resolver (leave DNS servers empty)" if recommendation.use_system
                  else recommendation.servers_text)
    fix = f"On the DNS page, use {better}." if better else \
        "Check this computer's network connection and its DNS settings."
    results = [_resolver_result(row, fix) for row in ranking.rows if _in_use(row, settings)]
    if not results:
        results.append(ProbeResult("dns.resolvers", "dns", "DNS", Status.FAILED,
                                   "None of the DNS servers Open Cobalt would use was found.",
                                   fix, ranking.elapsed_s * 1000))
    chosen = {str(server) for server in settings.dns.servers}
    if recommendation is not None and recommendation.servers:
        wanted = {str(server) for server in recommendation.servers}
        # The system resolver is recommended: an empty Servers, or the same servers typed.
        same = wanted == chosen or (recommendation.use_system and not chosen)
        using = ", ".join(sorted(chosen)) or "the system resolver"
        results.append(ProbeResult(
            "dns.recommendation", "dns", recommendation.servers_text or "system",
            Status.OK if same else Status.WARNING,
            "Open Cobalt uses the recommended DNS servers." if same else
            f"Open Cobalt uses {using}, but {better} is the better choice here.",
            "" if same else fix, ranking.elapsed_s * 1000,
            {"servers": recommendation.servers_text, "use_system": recommendation.use_system,
             "why": recommendation.sentence}))
    discovery = checks.discovery
    if discovery is None:
        results.append(ProbeResult(
            "dns.discovery", "dns", "dispatcher", Status.SKIPPED,
            "No dispatcher domain is set, so no dispatcher was looked for.", "", 0.0))
        return results
    target = f"{discovery.service_type}.{discovery.domain}"
    usable = [instance for instance in discovery.dispatchers if not instance.problem]
    details = {"dispatchers": [
        {"name": i.name, "targets": [f"{t.host}:{t.port}" for t in i.targets],
         "problem": i.problem} for i in discovery.dispatchers],
        "ldap": [f"{t.host}:{t.port}" for t in discovery.ldap],
        "xmpp": [f"{t.host}:{t.port}" for t in discovery.xmpp],
        "problems": list(discovery.problems)}
    if usable:
        names = ", ".join(f"{i.name} ({i.targets[0].host}:{i.targets[0].port})"
                          for i in usable[:3])
        results.append(ProbeResult("dns.discovery", "dns", target, Status.OK,
                                   f"Found {len(usable)} dispatcher(s) in {discovery.domain}: "
                                   f"{names}.", "", discovery.elapsed_ms, details))
    else:
        why = "; ".join([*discovery.problems, *(i.problem for i in discovery.dispatchers)])
        results.append(ProbeResult(
            "dns.discovery", "dns", target, Status.FAILED,
            f"No usable dispatcher was found in {discovery.domain}"
            + (f": {why}." if why else "."),
            "Check the dispatcher domain and service type on the DNS page, or ask the "
            "domain's administrator to publish the dispatcher.", discovery.elapsed_ms,
            details))
    return results
