"""The DNS page's findings as probe results, for the diagnosis report and the Summary.

The DNS page shows its own table; a report needs the same verdicts as one line each: how
the resolvers Open Cobalt will use fare, whether a better choice exists, and whether the
dispatcher (and the directory and chat servers) can be discovered.
"""

from __future__ import annotations

from cobalt_setup.i18n import _, ngettext
from cobalt_setup.probes.dns.checks import DnsChecks
from cobalt_setup.probes.dns.resolvers import (
    RankedResolver,
    Recommendation,
    Source,
    verdict_words,
)
from cobalt_setup.probes.dns.terms import VERDICT_STATUS
from cobalt_setup.result import ProbeResult, Status
from cobalt_setup.settings import Settings


def _in_use(row: RankedResolver, settings: Settings) -> bool:
    """Whether Open Cobalt would use this resolver with these settings."""
    candidate = row.stats.candidate
    if settings.dns.servers:
        return str(candidate.endpoint) in {str(server) for server in settings.dns.servers}
    return candidate.source is Source.SYSTEM


def _resolver_result(row: RankedResolver, recommendation: Recommendation | None) -> ProbeResult:
    stats = row.stats
    candidate = stats.candidate
    status = VERDICT_STATUS[row.verdict]
    median = stats.median_ms
    details = {"provider": candidate.provider, "verdict": row.verdict.value,
               "sent": stats.sent, "answered": stats.answered,
               "median_ms": None if median is None else round(median, 1),
               "hijack_answer": stats.hijack_answer,
               # why queries got no DNS answer, and the error codes that came back
               "no_answer": dict(stats.failures), "error_codes": dict(stats.rcode_errors)}
    # Translators: one DNS resolver's finding, e.g. "8.8.8.8 (Google Public
    # DNS): slow. 8.8.8.8 takes 156 ms per answer, ...": {provider} says who
    # runs it, {verdict} is a verdict such as "fine" or "slow", {reason} a
    # whole sentence.
    summary = _("{address} ({provider}): {verdict}. {reason}").format(
        address=candidate.address, provider=candidate.provider,
        verdict=verdict_words(row.verdict), reason=row.reason)
    return ProbeResult(f"dns.resolver.{candidate.address}", "dns", candidate.address, status,
                       summary, _row_fix(row, recommendation) if status is not Status.OK else "",
                       median or 0.0, details)


def _row_fix(row: RankedResolver, recommendation: Recommendation | None) -> str:
    """Switching to the recommended servers, if there are any; else what this evidence
    calls for on its own."""
    if recommendation is not None and recommendation.servers:
        return _fix(recommendation)
    return row.fix or _fix(recommendation)


def _fix(recommendation: Recommendation | None) -> str:
    """What to do about a resolver that is not good: use the recommended ones, if any."""
    if recommendation is None or not recommendation.servers:
        return _("Check this computer's network connection and its DNS settings.")
    if recommendation.use_system:
        return _("On the DNS page, use your system resolver (leave DNS servers empty).")
    # Translators: {servers} is a list of DNS server addresses, such as
    # "1.1.1.1, 1.0.0.1".
    return _("On the DNS page, use {servers}.").format(servers=recommendation.servers_text)


def _better_choice(recommendation: Recommendation, chosen: set[str]) -> str:
    """Which resolvers Open Cobalt uses, and which it should use instead."""
    using = ", ".join(sorted(chosen))
    if recommendation.use_system:
        # Translators: {servers} is a list of DNS server addresses, such as
        # "1.1.1.1, 1.0.0.1".
        return _("Open Cobalt uses {servers}, but your system resolver (leave DNS servers "
                 "empty) is the better choice here.").format(servers=using)
    if not using:
        # Translators: {better} is a list of DNS server addresses, such as
        # "1.1.1.1, 1.0.0.1".
        return _("Open Cobalt uses the system resolver, but {better} is the better choice "
                 "here.").format(better=recommendation.servers_text)
    # Translators: {servers} and {better} are lists of DNS server addresses,
    # such as "1.1.1.1, 1.0.0.1".
    return _("Open Cobalt uses {servers}, but {better} is the better choice here.").format(
        servers=using, better=recommendation.servers_text)


def dns_results(checks: DnsChecks, settings: Settings) -> list[ProbeResult]:
    """One result per resolver Open Cobalt uses, the recommendation, and discovery."""
    ranking = checks.ranking
    recommendation = ranking.recommendation
    fix = _fix(recommendation)
    results = [_resolver_result(row, recommendation) for row in ranking.rows
               if _in_use(row, settings)]
    if not results:
        results.append(ProbeResult("dns.resolvers", "dns", "DNS", Status.FAILED,
                                   _("None of the DNS servers Open Cobalt would use was found."),
                                   fix, ranking.elapsed_s * 1000))
    chosen = {str(server) for server in settings.dns.servers}
    if recommendation is not None and recommendation.servers:
        wanted = {str(server) for server in recommendation.servers}
        # The system resolver is recommended: an empty Servers, or the same servers typed.
        same = wanted == chosen or (recommendation.use_system and not chosen)
        results.append(ProbeResult(
            "dns.recommendation", "dns", recommendation.servers_text or "system",
            Status.OK if same else Status.WARNING,
            _("Open Cobalt uses the recommended DNS servers.") if same else
            _better_choice(recommendation, chosen),
            "" if same else fix, ranking.elapsed_s * 1000,
            {"servers": recommendation.servers_text, "use_system": recommendation.use_system,
             "why": recommendation.sentence}))
    discovery = checks.discovery
    if discovery is None:
        results.append(ProbeResult(
            "dns.discovery", "dns", "dispatcher", Status.SKIPPED,
            _("No dispatcher domain is set, so no dispatcher was looked for."), "", 0.0))
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
        # Translators: {dispatchers} is a list of names with addresses, such as
        # "Lab Dispatcher (dispatch.example.org:7070), Backup (10.0.0.2:7070)".
        summary = ngettext("Found {count} dispatcher in {domain}: {dispatchers}.",
                           "Found {count} dispatchers in {domain}: {dispatchers}.",
                           len(usable)).format(
            count=len(usable), domain=discovery.domain, dispatchers=names)
        results.append(ProbeResult("dns.discovery", "dns", target, Status.OK, summary, "",
                                   discovery.elapsed_ms, details))
    else:
        # Each problem is a sentence with its own full stop; the list gets one at its end.
        why = "; ".join(problem.rstrip(".") for problem in
                        [*discovery.problems, *(i.problem for i in discovery.dispatchers)])
        if why:
            # Translators: {problems} is one or more whole sentences, joined with ";
            # ".
            summary = _("No usable dispatcher was found in {domain}: {problems}.").format(
                domain=discovery.domain, problems=why)
        else:
            summary = _("No usable dispatcher was found in {domain}.").format(
                domain=discovery.domain)
        results.append(ProbeResult(
            "dns.discovery", "dns", target, Status.FAILED, summary,
            _("Check the dispatcher domain and service type on the DNS page, or ask the "
              "domain's administrator to publish the dispatcher."), discovery.elapsed_ms,
            details))
    return results
