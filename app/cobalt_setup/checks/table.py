"""The table of checks: for each check of a diagnosis, the catalogue services it reports on,
how it runs, the firewall rules it needs and the wizard page that deals with it.

The diagnosis, the pages' problem navigation, the firewall advice, `--only` and the report
headings all read this table (and the catalogue in services.py), so adding a service is a
row in the catalogue, a probe, and a row here. The catalogue is the bottom layer (ports and
names); this table sits above probes/ and router/ because it runs them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cobalt_setup import firewall
from cobalt_setup.checks.environment import CheckEnvironment
from cobalt_setup.firewall import FirewallRule
from cobalt_setup.result import ProbeResult
from cobalt_setup.services import SERVICES
from cobalt_setup.settings import Settings

if TYPE_CHECKING:
    from cobalt_setup.probes.dns.checks import DnsChecks
    from cobalt_setup.probes.dns.service_discovery import Discovery

# Each check loads its probes when it first runs: the table itself (the firewall advice,
# the pages' services) costs no DNS, LDAP or UPnP library.


class Shared:
    """What the checks of one run share, each started by the first check that needs it:
    the dispatcher's discovery (TeaTime's outgoing check tries the dispatcher it finds) and
    the DNS checks (the DNS verdicts; they include that same discovery).

    A consumer waits through a shield, so that one consumer's end never cancels work
    another still waits for; when the last one stops waiting, the shared task is cancelled
    at once (a look-up left running would go on starting queries while the window closes).
    `close` ends and awaits what is left."""

    def __init__(self, settings: Settings, environment: CheckEnvironment) -> None:
        self.settings, self.environment = settings, environment
        self._tasks: dict[str, asyncio.Task[Any]] = {}
        self._waiting: dict[str, int] = {}

    async def _wait(self, name: str, job: Callable[[], Awaitable[Any]]) -> Any:
        if name not in self._tasks:
            self._tasks[name] = asyncio.ensure_future(job())
        task = self._tasks[name]
        self._waiting[name] = self._waiting.get(name, 0) + 1
        try:
            return await asyncio.shield(task)
        finally:
            self._waiting[name] -= 1
            if not self._waiting[name] and not task.done():
                task.cancel()

    async def discovery(self) -> Discovery | None:
        from cobalt_setup.probes.dns.checks import discover_dispatchers

        return await self._wait("discovery", lambda: discover_dispatchers(
            self.settings, self.environment.dns))

    async def dns(self) -> DnsChecks:
        from cobalt_setup.probes.dns.checks import run_dns_checks

        return await self._wait("dns", lambda: run_dns_checks(
            self.settings, self.environment.dns, discovery=self.discovery))

    async def close(self) -> None:
        """The run is over (or cancelled): stop what nobody waits for any more, and wait
        until it has stopped."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


Found = ProbeResult | list[ProbeResult]
Run = Callable[[Settings, CheckEnvironment, Shared], Awaitable[Found]]


def _no_rules(_settings: Settings) -> list[FirewallRule]:
    return []


@dataclass(frozen=True)
class Check:
    id: str
    services: tuple[str, ...]  # the catalogue ids its results carry
    run: Run
    firewall: Callable[[Settings], list[FirewallRule]] = _no_rules
    page: str = "summary"  # the wizard page that deals with it (SetupPage.key)


async def _dns(settings: Settings, environment: CheckEnvironment,
               shared: Shared) -> list[ProbeResult]:
    from cobalt_setup.probes.dns.results import dns_results

    return dns_results(await shared.dns(), settings)


async def _web(settings: Settings, environment: CheckEnvironment, _shared: Shared) -> Found:
    from cobalt_setup.probes.web import probe_version_check

    return await probe_version_check(settings.web.version_check_url,
                                     timeout=environment.timeout)


async def _space_directory(settings: Settings, environment: CheckEnvironment,
                           _shared: Shared) -> Found:
    from cobalt_setup.checks.services import check_space_directory

    return await check_space_directory(settings, environment)


async def _xrfb(settings: Settings, environment: CheckEnvironment, _shared: Shared) -> Found:
    from cobalt_setup.checks.services import check_xrfb

    return await check_xrfb(settings, environment)


async def _chat(settings: Settings, environment: CheckEnvironment, _shared: Shared) -> Found:
    from cobalt_setup.checks.services import check_chat

    return await check_chat(settings, environment)


async def _teatime_hosting(settings: Settings, _environment: CheckEnvironment,
                           _shared: Shared) -> Found:
    from cobalt_setup.probes.teatime import probe_teatime_hosting

    ports = settings.router.ports
    return await probe_teatime_hosting(ports.first, ports.last)


async def _teatime_outgoing(settings: Settings, environment: CheckEnvironment,
                            shared: Shared) -> Found:
    from cobalt_setup.checks.services import check_teatime_outgoing

    return await check_teatime_outgoing(shared.discovery, settings, environment)


async def _router(settings: Settings, environment: CheckEnvironment,
                  _shared: Shared) -> Found:
    from cobalt_setup.router.checks import check_router

    # No test forwarding: a diagnosis looks, it does not change the router.
    report = await check_router(settings, environment.router, lambda _r: None, prove=False)
    return report.results


async def _lan_spaces(_settings: Settings, environment: CheckEnvironment,
                      _shared: Shared) -> Found:
    from cobalt_setup.probes.crqt import listen_for_spaces

    return await listen_for_spaces(environment.crqt_duration, environment.crqt_port,
                                   environment.crqt_host)


CHECKS: tuple[Check, ...] = (
    Check("dns", ("dns",), _dns, firewall.dns_rules, page="dns"),
    Check("http", ("http",), _web, firewall.web_rules),
    Check("ldap", ("ldap",), _space_directory, firewall.ldap_rules, page="directory"),
    Check("xrfb", ("xrfb", "vnc"), _xrfb, firewall.xrfb_rules, page="xrfb"),
    Check("xmpp", ("xmpp",), _chat, firewall.chat_rules, page="directory"),
    Check("teatime.hosting", ("teatime",), _teatime_hosting, firewall.teatime_rules,
          page="router"),
    Check("teatime.outgoing", ("teatime",), _teatime_outgoing, page="router"),
    Check("crqt", ("crqt",), _lan_spaces, firewall.crqt_rules),
    Check("router", ("ssdp", "upnp", "natpmp", "pcp", "stun"), _router, firewall.router_rules,
          page="router"),
)


def page_services(page: str) -> set[str]:
    """The catalogue services whose checks `page` deals with."""
    return {service for check in CHECKS if check.page == page for service in check.services}


def firewall_rules(settings: Settings) -> list[FirewallRule]:
    """The rules for the services in use with these settings, in catalogue order.

    Not in use: Xrfb/VNC without an Xrfb server, chat without a chat server, and router
    discovery and forwarding (SSDP, UPnP, NAT-PMP) in LAN-only mode.
    """
    order = {service: index for index, service in enumerate(SERVICES)}
    rules = [rule for check in CHECKS for rule in check.firewall(settings)]
    return sorted(rules, key=lambda rule: order[rule.service])  # stable: a check's own order
