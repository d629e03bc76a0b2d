"""The router page's live checks: the router, the TeaTime ports on it, and (for Automatic
mode) proof that Open Cobalt will be able to open them itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from cobalt_setup.i18n import _
from cobalt_setup.result import ProbeResult, Status
from cobalt_setup.router.edge import stun_result
from cobalt_setup.router.forwarding import (
    ForwardPlan,
    Mapper,
    conflict_words,
    mappers_for,
    plan_forwarding,
    prove_automatic,
    suggest_free_range,
)
from cobalt_setup.router.instructions import teatime_ports
from cobalt_setup.router.records import MappingRecord, RecordsError, load_records
from cobalt_setup.router.status import (
    RouterEnvironment,
    RouterFindings,
    find_router,
    router_results,
)
from cobalt_setup.settings import RouterMode, Settings
from cobalt_setup.wording import port_list

OnResult = Callable[[ProbeResult], None]


@dataclass
class RouterReport:
    """What the page keeps after a check, to act on it (forward, undo, offer a range)."""

    findings: RouterFindings
    mapper: Mapper | None = None
    plan: ForwardPlan | None = None
    offer: tuple[int, int] | None = None  # a free range when ports are held elsewhere
    records: list[MappingRecord] = field(default_factory=list)  # ours, on this router
    results: list[ProbeResult] = field(default_factory=list)


def _ports_result(report: RouterReport, ports: list[int]) -> ProbeResult | None:
    plan, mapper = report.plan, report.mapper
    if plan is None or mapper is None:
        return None
    span = port_list(ports)
    target = f"{mapper.router_address} TCP {span}"
    details = {"forwarded_here": plan.already_forwarded,
               "held_elsewhere": [m.external_port for m in plan.conflicts],
               "offer": list(report.offer) if report.offer else None}
    if plan.conflicts:
        fix = (_("Use ports {first}-{last} instead, or remove that forwarding in the "
                 "router's settings.").format(first=report.offer[0], last=report.offer[1])
               if report.offer else _("Remove that forwarding in the router's settings."))
        return ProbeResult("router.ports", mapper.method, target, Status.FAILED,
                           conflict_words(plan), fix, 0.0, details)
    if not mapper.can_read:
        summary = (_("PCP cannot list forwardings; they are checked when made.")
                   if mapper.method == "pcp" else
                   _("NAT-PMP cannot list forwardings; they are checked when made."))
        return ProbeResult("router.ports", mapper.method, target, Status.SKIPPED, summary,
                           "", 0.0, details)
    if len(plan.unreadable) == len(ports):
        reason = next(iter(plan.unreadable.values()))
        # Translators: {ports} is e.g. "6900-6909"; {reason} e.g. "the router does
        # not offer this action"
        summary = _("The router would not say what is forwarded on TCP {ports} ({reason})."
                    ).format(ports=span, reason=reason)
        return ProbeResult("router.ports", mapper.method, target, Status.SKIPPED, summary,
                           "", 0.0, details)
    done = plan.already_forwarded
    if done and len(done) == len(ports):
        # Translators: {ports} is e.g. "6900-6909"; {address} this computer's
        # address
        summary = _("TCP {ports} is forwarded to this computer ({address}).").format(
            ports=span, address=plan.internal_client)
        return ProbeResult("router.ports", mapper.method, target, Status.OK, summary,
                           "", 0.0, details)
    if done:
        # Translators: {ports} is e.g. "6900-6909"; {forwarded} the ones among them
        # that are, e.g. "6900 and 6901"
        summary = _("TCP {ports} is not forwarded to this computer yet ({forwarded} already "
                    "is).").format(ports=span, forwarded=port_list(done))
    else:
        # Translators: {ports} is e.g. "6900-6909"
        summary = _("TCP {ports} is not forwarded to this computer yet.").format(ports=span)
    return ProbeResult("router.ports", mapper.method, target, Status.SKIPPED, summary,
                       "", 0.0, details)


def _pcp_only_proof(mapper: Mapper) -> ProbeResult:
    return ProbeResult(
        "router.automatic", "pcp", f"{mapper.router_address} (pcp)", Status.FAILED,
        _("The router forwards ports only through PCP, which Open Cobalt's Automatic mode "
          "does not speak (it uses UPnP or NAT-PMP), so Open Cobalt cannot open its ports "
          "itself."),
        _("Choose Manual forwarding: this wizard forwards the TeaTime ports through PCP for "
          "you. Or switch on UPnP in the router's settings."), 0.0, {"method": "pcp"})


async def check_router(settings: Settings, env: RouterEnvironment, on_result: OnResult,
                       prove: bool | None = None) -> RouterReport:
    """Find the router, read the TeaTime ports on it and prove that Open Cobalt can open
    them (by default in Automatic mode only)."""
    if env.stun_servers is None:
        env = replace(env, stun_servers=settings.router.stun_servers)
    findings = await find_router(env)
    report = RouterReport(findings)
    edge = stun_result(findings.stun, findings.external_address, findings.lan_address)
    for result in [*router_results(findings, env), edge]:
        report.results.append(result)
        on_result(result)
    mappers = mappers_for(findings, env)
    report.mapper = mappers[0] if mappers else None
    ports = teatime_ports(settings)
    if report.mapper is None or not findings.lan_address:
        return report
    routers = {mapper.router for mapper in mappers}
    try:
        report.records = [record for record in load_records(env.records())
                          if record.router in routers]
    except RecordsError:
        report.records = []  # shown when the user asks to undo
    report.plan = await plan_forwarding(report.mapper, ports, findings.lan_address)
    if report.plan.conflicts:
        taken = set(report.plan.existing)
        report.offer = suggest_free_range(taken, len(ports), start=ports[-1] + 1)
    ports_result = _ports_result(report, ports)
    if ports_result is not None:
        report.results.append(ports_result)
        on_result(ports_result)
    if prove if prove is not None else settings.router.mode is RouterMode.UPNP:
        # Open Cobalt's Automatic mode speaks UPnP and NAT-PMP, not PCP.
        automatic = next((mapper for mapper in mappers if mapper.method != "pcp"), None)
        proof = (await prove_automatic(automatic, report.plan) if automatic is not None
                 else _pcp_only_proof(report.mapper))
        report.results.append(proof)
        on_result(proof)
    return report
