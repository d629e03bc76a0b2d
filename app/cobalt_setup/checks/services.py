"""Each page's service checks, from the settings: which probes to run, against what.

Open Cobalt's chat and Space Directory clients resolve names through the DNS servers chosen
on the DNS page, so every host is first resolved that way (and compared with the system's
answer); the probes then connect to the address Open Cobalt would use.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from functools import partial

import dns.exception

from cobalt_setup.checks.environment import CheckEnvironment
from cobalt_setup.gathering import gather_all
from cobalt_setup.i18n import _, ngettext
from cobalt_setup.probes.dns.name_resolution import compare_resolution
from cobalt_setup.probes.dns.service_discovery import (
    XMPP_CLIENT_SERVICE,
    Discovery,
    SrvTarget,
    lookup_srv,
)
from cobalt_setup.probes.ldap_directory import probe_space_directory
from cobalt_setup.probes.port_holders import is_this_computer
from cobalt_setup.probes.teatime import probe_teatime_outgoing
from cobalt_setup.probes.vnc import probe_vnc_hosting, scan_vnc_range
from cobalt_setup.probes.xmpp import probe_xmpp
from cobalt_setup.probes.xrfb import probe_xrfb_control
from cobalt_setup.result import OnResult, ProbeResult, Status
from cobalt_setup.services import BY_ID
from cobalt_setup.settings import Settings
from cobalt_setup.time_limit import Deadline
from cobalt_setup.wording import port_list


async def resolve_for_open_cobalt(service: str, host: str, settings: Settings,
                                  environment: CheckEnvironment, *,
                                  timeout: float) -> ProbeResult:
    """How Open Cobalt resolves `host`; `details["addresses"]` are the ones it would use."""
    system = await environment.dns.system_resolvers()
    return await compare_resolution(service, host, settings.dns.servers, system,
                                    timeout=timeout)


Job = Callable[[], Awaitable[ProbeResult | list[ProbeResult]]]


async def run_reporting(jobs: Sequence[Job], on_result: OnResult | None) -> list[ProbeResult]:
    """Run every job at once; report each result as it arrives, return them in job order.

    A job is a callable, not a coroutine: each one is started inside its own task, so a run
    cancelled before its tasks first ran leaves no coroutine that was never awaited.
    """

    async def reporting(job: Job) -> list[ProbeResult]:
        found = await job()
        results = found if isinstance(found, list) else [found]
        if on_result is not None:
            for result in results:
                on_result(result)
        return results

    grouped = await gather_all(*(reporting(job) for job in jobs))
    return [result for results in grouped for result in results]


async def _resolved_then(
    service: str, host: str, settings: Settings, environment: CheckEnvironment,
    on_result: OnResult | None,
    probes: Callable[[str, float], Sequence[Job]],
    deadline: Deadline | None = None,
    resolution: ProbeResult | None = None,
) -> list[ProbeResult]:
    """Resolve `host` the way Open Cobalt does (unless `resolution` already did), report
    it, then probe the address it gets the moment it is known. Look-up and probes share
    one deadline (the check's timeout): `probes(address, timeout)` gets the time left."""
    deadline = deadline or Deadline(environment.timeout)
    if resolution is None:
        resolution = await resolve_for_open_cobalt(service, host, settings, environment,
                                                   timeout=deadline.left())
    if on_result is not None:
        on_result(resolution)
    addresses = resolution.details.get("addresses") or []
    if not addresses:
        return [resolution]
    return [resolution, *await run_reporting(probes(addresses[0], deadline.left()), on_result)]


async def check_space_directory(settings: Settings, environment: CheckEnvironment,
                                on_result: OnResult | None = None) -> list[ProbeResult]:
    """The Space Directory page: the host as Open Cobalt resolves it, then LDAP."""
    directory = settings.space_directory

    def probes(address: str, timeout: float) -> list[Job]:
        async def resolved(_host: str, _port: int) -> list[str]:
            return [address]

        return [partial(probe_space_directory, directory.host, directory.port,
                        timeout=timeout, resolve=resolved)]

    return await _resolved_then("ldap", directory.host, settings, environment, on_result,
                                probes)


# The per-port problems that mean "nothing came back in time" (probes/vnc/verdict.py).
SILENT_PROBLEMS = frozenset({"no_greeting", "connect_timeout", "silent", "slow_greeting"})


def summarize_vnc_scan(host: str, first: int, last: int,
                       results: list[ProbeResult]) -> ProbeResult:
    """One line for the range: a server has a few displays, so closed ports are normal."""
    def port_of(result: ProbeResult) -> int:
        return int(result.id.removeprefix("vnc."))

    servers = [r for r in results if r.status in (Status.OK, Status.WARNING)]
    refused = [r for r in results if r.details.get("problem") == "refused"]
    unchecked = [r for r in results if r.status is Status.SKIPPED]
    sorted_out = {r.id for r in (*servers, *refused, *unchecked)}  # a set: linear in ports
    others = [r for r in results if r.id not in sorted_out]
    # Of the others, the silent ones; the rest answered, but wrongly (another protocol, an
    # error, a cut connection): their own words say what came back.
    silent = [r for r in others if r.details.get("problem") in SILENT_PROBLEMS]
    silent_ids = {r.id for r in silent}
    answered_wrong = [r for r in others if r.id not in silent_ids]
    elapsed = max((r.elapsed_ms for r in results), default=0.0)
    details = {"ports": {r.id.removeprefix("vnc."): r.status.value for r in results},
               "servers": [r.summary for r in servers],
               "problems": [f"{r.summary} {r.fix}".strip() for r in others],
               "not_checked": [port_of(r) for r in unchecked]}
    target = f"{host}:{first}-{last}"

    if servers:
        words = " ".join(r.summary for r in servers[:3])
        if refused:
            # Translators: a sentence after the VNC servers found, separated by a space.
            words += " " + ngettext("Nothing listens on the other port.",
                                    "Nothing listens on the {count} other ports.",
                                    len(refused)).format(count=len(refused))
        status = Status.WARNING if others or any(
            r.status is Status.WARNING for r in servers) else Status.OK
        fix = " ".join(dict.fromkeys(r.fix for r in [*servers, *others] if r.fix))
        return ProbeResult("vnc.range", "vnc", target, status, words, fix, elapsed, details)
    if refused and not others and not unchecked:
        return ProbeResult(
            "vnc.range", "vnc", target, Status.FAILED,
            _("No VNC server on {host} in {first_port}-{last_port}: every port refused the "
              "connection.").format(host=host, first_port=first, last_port=last),
            _("Start the Xrfb/VNC server, or correct the VNC port range."), elapsed, details)
    if answered_wrong:
        # Translators: {answers} are whole sentences saying what answered instead, e.g.
        # "127.0.0.1:5900 is not a VNC server: it looks like a web server (HTTP 400)."
        summary = _("No VNC server on {host} in {first_port}-{last_port}: {answers}").format(
            host=host, first_port=first, last_port=last,
            answers=" ".join(r.summary for r in answered_wrong[:3]))
        if silent:
            # Translators: a sentence after the answers of other ports; {ports} is a list
            # of port numbers such as "5901 and 5902".
            summary += " " + _("No answer on {ports}.").format(
                ports=port_list([port_of(r) for r in silent]))
    elif others:
        summary = _("No VNC server answered on {host} in {first_port}-{last_port} (no answer "
                    "on {ports}).").format(host=host, first_port=first, last_port=last,
                                           ports=port_list([port_of(r) for r in others]))
    else:  # every port checked refused; the others were not reached in time
        summary = _("No VNC server on {host} in {first_port}-{last_port}: every port checked "
                    "refused the connection.").format(host=host, first_port=first,
                                                      last_port=last)
    if unchecked:
        # Translators: a sentence after "No VNC server answered on ...", separated by a space.
        summary += " " + ngettext("{count} port was not reached in time.",
                                  "{count} ports were not reached in time.",
                                  len(unchecked)).format(count=len(unchecked))
    problems = answered_wrong or others
    if problems and problems[0].fix:
        fix = problems[0].fix
    elif unchecked:
        fix = _("Narrow the VNC port range to the displays the Xrfb server uses (display N "
                "listens on port 5900 + N): {count} ports cannot all be checked in time."
                ).format(count=last - first + 1)
    else:
        fix = _("Check that a firewall lets TCP {first_port}-{last_port} through to "
                "{host}.").format(first_port=first, last_port=last, host=host)
    return ProbeResult("vnc.range", "vnc", target, Status.FAILED, summary, fix, elapsed,
                       details)


async def _scan_summary(host: str, first: int, last: int, timeout: float) -> ProbeResult:
    return summarize_vnc_scan(host, first, last,
                              await scan_vnc_range(host, first, last, timeout=timeout,
                                                   total=timeout))


async def check_xrfb(settings: Settings, environment: CheckEnvironment,
                     on_result: OnResult | None = None) -> list[ProbeResult]:
    """The Xrfb / VNC page: control port and VNC range on the server; free local ports."""
    xrfb = settings.xrfb
    hosting = partial(probe_vnc_hosting, xrfb.vnc_ports.first, xrfb.vnc_ports.last)
    if not xrfb.server_host_address:
        return await run_reporting([hosting], on_result)

    connected_to: list[str] = []

    def probes(address: str, timeout: float) -> list[Job]:
        connected_to.append(address)
        return [
            partial(probe_xrfb_control, address, xrfb.server_port_number, timeout=timeout),
            partial(_scan_summary, address, xrfb.vnc_ports.first, xrfb.vnc_ports.last,
                    timeout),
        ]

    server = await _resolved_then("xrfb", xrfb.server_host_address, settings, environment,
                                  on_result, probes)
    # After the scan (binding the range takes microseconds): where the configured server
    # runs on this computer, the ports it answered on are its own, not "in use".
    # Off the GUI thread: reading this computer's interfaces is a system call per address.
    served = await asyncio.to_thread(_ports_served_here, server, connected_to)
    local = await run_reporting([partial(hosting, served=served)], on_result)
    return [*server, *local]


def _ports_served_here(results: list[ProbeResult], addresses: list[str]) -> set[int]:
    """The VNC ports where a server answered RFB, if that server is this computer."""
    if not addresses or not is_this_computer(addresses[0]):
        return set()
    scan = next((r for r in results if r.id == "vnc.range"), None)
    if scan is None:
        return set()
    answered = (Status.OK.value, Status.WARNING.value)
    return {int(port) for port, status in scan.details.get("ports", {}).items()
            if status in answered}


async def check_chat(settings: Settings, environment: CheckEnvironment,
                     on_result: OnResult | None = None) -> list[ProbeResult]:
    """The chat server as Open Cobalt finds it: `_xmpp-client._tcp` SRV, else the name itself.

    SRV is used with the standard port only: a port typed by the user means "connect here".
    """
    chat = settings.chat
    if not chat.server:
        return [ProbeResult("xmpp.client", "xmpp", "-", Status.SKIPPED,
                            _("No chat server is set: chat is not checked."))]
    host, port = chat.server, chat.port
    deadline = Deadline(environment.timeout)  # the SRV look-up, the name's, the connection
    resolution: ProbeResult | None = None
    if port == BY_ID["xmpp"].first_port:
        servers = settings.dns.servers or tuple(await environment.dns.system_resolvers())

        async def srv_targets() -> tuple[SrvTarget, ...]:
            try:
                return await lookup_srv(servers, f"{XMPP_CLIENT_SERVICE}.{chat.server}",
                                        timeout=deadline.left())
            except dns.exception.DNSException:
                return ()

        # The name's own look-up runs beside the SRV one, not after it: when DNS is silent,
        # both cost one timeout together, and the check still ends within its own.
        targets, resolution = await gather_all(srv_targets(), resolve_for_open_cobalt(
            "xmpp", chat.server, settings, environment, timeout=deadline.left()))
        if targets:
            host, port = targets[0].host, targets[0].port
    direct_tls = BY_ID["xmpp"].last_port if port == BY_ID["xmpp"].first_port else None

    def probes(address: str, timeout: float) -> list[Job]:
        return [partial(probe_xmpp, chat.server, address, port, timeout=timeout,
                        direct_tls_port=direct_tls)]

    return await _resolved_then("xmpp", host, settings, environment, on_result, probes,
                                deadline, resolution if host == chat.server else None)


async def check_teatime_outgoing(discovery: Callable[[], Awaitable[Discovery | None]],
                                 settings: Settings,
                                 environment: CheckEnvironment) -> ProbeResult:
    """Outgoing TeaTime to the dispatcher DNS-SD finds, the only router host we know of;
    the discovery and the connections share one deadline (the check's timeout)."""
    deadline = Deadline(environment.timeout)
    ports = settings.router.ports
    found = await discovery()
    usable = [i for i in found.dispatchers if not i.problem] if found else []
    if not usable:
        return ProbeResult(
            "teatime.outgoing", "teatime", f"TCP {ports}", Status.SKIPPED,
            _("No router host to try outgoing TeaTime connections to (no dispatcher was found "
              "on the DNS page)."))
    target = usable[0].targets[0]
    return await probe_teatime_outgoing(target.addresses[0], ports.first, ports.last,
                                        timeout=deadline.left())
