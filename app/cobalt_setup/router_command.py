"""`cobalt-setup router status | forward | undo`: the router page, from a terminal.

Exit codes as everywhere: 0 all well, 1 a problem found (no router, a conflict, a failed
forwarding), 2 bad usage. With --json one object is printed: {"tool", "router", "checks"}
and, for forward and undo, "ports" / "removed".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cobalt_setup import __version__
from cobalt_setup.addresses import InvalidValue, parse_port_range, parse_stun_servers
from cobalt_setup.i18n import _
from cobalt_setup.report import check_dict, status_words
from cobalt_setup.result import Status
from cobalt_setup.router.environment import RouterEnvironment
from cobalt_setup.router.records import RecordsError, recover_records
from cobalt_setup.services import BY_ID
from cobalt_setup.settings import Settings

if TYPE_CHECKING:
    from cobalt_setup.router.checks import RouterReport
    from cobalt_setup.router.status import RouterFindings

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
MAX_LEASE_S = 2**32 - 1
DEFAULT_PORTS = BY_ID["teatime"].ports_text  # 6900-6909


def add_router_commands(commands: Any, common: Callable[[argparse.ArgumentParser], None]
                        ) -> None:
    """Add `router` and its three subcommands to the main parser's subcommands."""
    router = commands.add_parser("router", help="find the router, forward or unforward "
                                 "the TeaTime ports")
    actions = router.add_subparsers(dest="router_command", metavar="ACTION", required=True)
    status = actions.add_parser("status", help="the router, its external address, NAT-PMP "
                                "and the TeaTime ports' forwardings")
    forward = actions.add_parser("forward", help="forward the TeaTime ports to this computer "
                                 "and check each one on the router")
    forward.add_argument("--ports", metavar="FIRST-LAST",
                         help="the ports to forward (default: the settings' TeaTime ports, "
                         f"{DEFAULT_PORTS})")
    forward.add_argument("--lease", type=int, metavar="SECONDS",
                         help="how long the router keeps them (default: as long as it allows)")
    undo = actions.add_parser("undo", help="remove the forwardings this tool made")
    for parser in (status, forward, undo):
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--timeout", type=float, default=2.0, metavar="SECONDS",
                            help="how long to wait for the router (default 2)")
        common(parser)


def _findings_dict(findings: RouterFindings) -> dict[str, Any]:
    igd = findings.igd
    return {
        "gateway": findings.gateway,
        "lan_address": findings.lan_address,
        "external_address": findings.external_address,
        "nat": findings.nat.value,
        "upnp": None if igd is None else {
            "location": igd.info.location, "udn": igd.info.udn,
            "friendly_name": igd.info.friendly_name, "model": igd.info.model,
            "igd_version": igd.info.igd_version, "service": igd.info.connection},
        "natpmp": findings.natpmp_external is not None,
        "pcp": findings.pcp_epoch is not None,
        "stun": findings.stun.as_dict() if findings.stun is not None else None,
        "elapsed_ms": round(findings.elapsed_ms, 1),
    }


def _print_check(check: dict[str, Any]) -> None:
    """One check of the JSON report as a line (and its fix) for a terminal."""
    status = Status(check["status"])
    print(f"[{status_words(status)}] {check['summary']}")
    if check["fix"] and status in (Status.WARNING, Status.FAILED):
        # Translators: the line under a problem found, in a terminal: how to fix it
        print("      " + _("Fix: {fix}").format(fix=check["fix"]))


def _settings(ports: str, origin: str, stun_servers: str | None = None) -> Settings:
    """Default settings but for the TeaTime ports and the STUN servers (the router checks
    need no other)."""
    try:
        span = parse_port_range(ports)
    except InvalidValue as problem:
        raise ValueError(f"{origin} {ports}: {problem}") from None
    texts = {("Router", "Ports"): str(span), ("Router", "DispatcherPort"): str(span.first)}
    if stun_servers is not None:
        try:
            parse_stun_servers(stun_servers)
        except InvalidValue as problem:
            raise ValueError(f"[Router] StunServers {stun_servers}: {problem}") from None
        texts["Router", "StunServers"] = stun_servers
    return Settings.from_texts(texts)


def _ports_dict(report: RouterReport) -> dict[str, Any]:
    plan = report.plan
    if plan is None:
        return {}
    return {"forwarded_here": plan.already_forwarded,
            "held_elsewhere": [{"port": m.external_port, "internal_client": m.internal_client,
                                "description": m.description} for m in plan.conflicts],
            "offer": list(report.offer) if report.offer else None}


# The router libraries load inside the commands: `cobalt-setup --version` stays fast.

async def _status(env: RouterEnvironment, settings: Settings) -> tuple[dict[str, Any], int]:
    from cobalt_setup.checks.outcomes import FRIENDS_REACH_YOU, outcomes
    from cobalt_setup.router.checks import check_router

    report = await check_router(settings, env, lambda _result: None, prove=False)
    results = report.results
    answers = outcomes(results, settings, (FRIENDS_REACH_YOU,))
    output: dict[str, Any] = {"outcomes": [outcome.as_dict() for outcome in answers],
                              "router": _findings_dict(report.findings),
                              "ports": _ports_dict(report),
                              "checks": [check_dict(r) for r in results]}
    bad = any(r.status is Status.FAILED for r in results)
    return output, EXIT_PROBLEMS if bad else EXIT_OK


async def _forward(env: RouterEnvironment, settings: Settings, lease: int | None
                   ) -> tuple[dict[str, Any], int]:
    from cobalt_setup.router.checks import check_router
    from cobalt_setup.router.forwarding import forward_ports
    from cobalt_setup.router.hairpin import hairpin_after

    report = await check_router(settings, env, lambda _result: None, prove=False)
    results = report.results
    output: dict[str, Any] = {"router": _findings_dict(report.findings)}
    if report.mapper is None or report.plan is None:
        output["checks"] = [check_dict(r) for r in results]
        return output, EXIT_PROBLEMS
    outcome = await forward_ports(report.mapper, report.plan, env.records(), lease)
    results.append(outcome.result())
    hairpin = await hairpin_after(outcome, report.findings.external_address, env)
    if hairpin is not None:
        results.append(hairpin)
    output["ports"] = [vars(port) for port in outcome.ports]
    output["checks"] = [check_dict(r) for r in results]
    return output, EXIT_OK if outcome.ok else EXIT_PROBLEMS


async def _undo(env: RouterEnvironment) -> tuple[dict[str, Any], int]:
    from cobalt_setup.router.forwarding import mappers_for, undo_on_router
    from cobalt_setup.router.status import find_router, router_results

    findings = await find_router(env)
    results = router_results(findings, env)[:1]
    report: dict[str, Any] = {"router": _findings_dict(findings)}
    mappers = mappers_for(findings, env)
    if not mappers:
        report["checks"] = [check_dict(r) for r in results]
        return report, EXIT_PROBLEMS
    outcome = await undo_on_router(mappers, env.records())
    results.append(outcome.result(mappers[0].router_address))
    report["removed"] = [record.external_port for record in outcome.removed]
    report["checks"] = [check_dict(r) for r in results]
    return report, EXIT_OK if results[-1].status is Status.OK else EXIT_PROBLEMS


def run_router_command(args: argparse.Namespace, settings_ports: str | None,
                       env: RouterEnvironment | None = None,
                       stun_servers: str | None = None) -> int:
    """Run `router ACTION`; `settings_ports` and `stun_servers` are the INI's TeaTime range
    and STUN servers, if it has them."""
    if not 0.1 <= args.timeout <= 60:
        # Translators: an error on the command line; keep --timeout as it is
        raise ValueError(_("--timeout {timeout}: give 0.1 to 60 seconds").format(
            timeout=f"{args.timeout:g}"))
    env = env or RouterEnvironment(timeout=args.timeout)
    if args.router_command == "forward":
        origin = "--ports" if args.ports else "[Router] Ports"
        settings = _settings(args.ports or settings_ports or DEFAULT_PORTS, origin,
                             stun_servers)
        if args.lease is not None and not 0 <= args.lease <= MAX_LEASE_S:
            # Translators: an error on the command line; keep --lease as it is
            raise ValueError(_("--lease {lease}: give 0 to {most} seconds").format(
                lease=args.lease, most=MAX_LEASE_S))
        work = _forward(env, settings, args.lease)
    elif args.router_command == "undo":
        work = _undo(env)
    else:
        work = _status(env, _settings(settings_ports or DEFAULT_PORTS, "[Router] Ports",
                                      stun_servers))
    try:
        recover_records(env.records())  # an update of the records killed half-way
    except RecordsError as problem:
        work.close()
        print(f"cobalt-setup: {problem}", file=sys.stderr)
        return EXIT_PROBLEMS
    try:
        report, code = asyncio.run(work)
    except RecordsError as problem:
        print(f"cobalt-setup: {problem}", file=sys.stderr)
        return EXIT_PROBLEMS
    if args.json:
        print(json.dumps({"tool": {"name": "cobalt-setup", "version": __version__},
                          **report}, indent=2))
    else:
        for check in report["checks"]:
            _print_check(check)
    return code
