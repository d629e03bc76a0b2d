"""The DNS page's checks, from settings: which resolvers to measure, what to ask them.

`DnsEnvironment` says where queries go. The product uses the real one (the system's
resolvers, Google's pair, well-known public resolvers); tests and benchmarks inject
servers they started on loopback, so nothing leaves the machine.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from cobalt_setup.addresses import Endpoint, InvalidValue, parse_endpoint, parse_ip
from cobalt_setup.gathering import gather_all
from cobalt_setup.i18n import _
from cobalt_setup.probes.dns.resolvers import (
    BenchmarkPlan,
    ResolverCandidate,
    ResolverRanking,
    ResolverStats,
    Source,
    benchmark_resolvers,
)
from cobalt_setup.probes.dns.service_discovery import Discovery, discover
from cobalt_setup.probes.dns.terms import DnsEnvironment
from cobalt_setup.settings import Settings


def resolver_candidates(environment: DnsEnvironment, system: list[Endpoint],
                        chosen: tuple[Endpoint, ...]) -> list[ResolverCandidate]:
    """System first, then Open Cobalt's default, the public ones, and any the user typed."""
    candidates: list[ResolverCandidate] = []
    # Translators: who provides a DNS resolver, shown in the DNS page's table
    # and in "192.168.1.1 (your system resolver): fine."
    system_provider = _("your system resolver")
    candidates += [ResolverCandidate(e, Source.SYSTEM, system_provider) for e in system]
    # Translators: who provides a DNS resolver, shown in the DNS page's table.
    google = _("Google Public DNS (Open Cobalt's default)")
    candidates += [
        ResolverCandidate(parse_endpoint(text, names_allowed=False), Source.OPEN_COBALT, google)
        for text in environment.open_cobalt_default
    ]
    for provider, addresses in environment.public:
        candidates += [ResolverCandidate(parse_endpoint(text, names_allowed=False),
                                         Source.PUBLIC, provider) for text in addresses]
    known = {(c.host, c.port) for c in candidates}
    for endpoint in chosen:
        # Translators: who provides a DNS resolver, shown in the DNS page's table:
        # the user typed its address.
        candidate = ResolverCandidate(endpoint, Source.YOURS, _("entered by you"))
        if (candidate.host, candidate.port) not in known:
            candidates.append(candidate)
    return candidates


def names_open_cobalt_needs(settings: Settings) -> tuple[str, ...]:
    """The host names Open Cobalt will look up with these settings (IP literals need none)."""
    hosts = [
        settings.space_directory.host,
        settings.chat.server,
        settings.xrfb.server_host_address,
        urlsplit(settings.web.version_check_url).hostname or "",
    ]
    names = []
    for host in hosts:
        if not host or host in names:
            continue
        try:
            parse_ip(host)
        except InvalidValue:
            names.append(host)
    return tuple(names)


def benchmark_plan(settings: Settings, environment: DnsEnvironment) -> BenchmarkPlan:
    dns_settings = settings.dns
    browse = (f"{dns_settings.dispatcher_service}.{dns_settings.dispatcher_domain}"
              if dns_settings.dispatcher_domain else None)
    return BenchmarkPlan(
        names=names_open_cobalt_needs(settings),
        nx_parent=environment.nx_parent,
        dispatcher_browse=browse,
        query_timeout=environment.query_timeout,
        deadline=environment.deadline,
    )


@dataclass(frozen=True)
class DnsChecks:
    """What the DNS page found: the resolver ranking and, if a domain is set, discovery."""

    ranking: ResolverRanking
    discovery: Discovery | None


async def discover_dispatchers(settings: Settings,
                               environment: DnsEnvironment) -> Discovery | None:
    """DNS-SD for the dispatcher through the servers Open Cobalt uses (None: no domain set,
    or no server to ask). On its own, so that what needs only the dispatcher (TeaTime's
    outgoing check) starts as soon as it is known, not after the resolver benchmark."""
    domain = settings.dns.dispatcher_domain
    chosen = settings.dns.servers or tuple(await environment.system_resolvers())
    if not domain or not chosen:
        return None
    return await discover(chosen, domain, settings.dns.dispatcher_service,
                          timeout=environment.discovery_timeout)


async def run_dns_checks(
    settings: Settings,
    environment: DnsEnvironment,
    on_progress: Callable[[ResolverStats], None] | None = None,
    discovery: Callable[[], Awaitable[Discovery | None]] | None = None,
) -> DnsChecks:
    """Rank the resolvers and browse for services at the same time, within the deadline.
    `discovery`: how to wait for a discovery that is shared (see `discover_dispatchers`);
    called here, inside the task, so a cancelled run leaves no coroutine never awaited."""
    system = await environment.system_resolvers()
    candidates = resolver_candidates(environment, system, settings.dns.servers)
    plan = benchmark_plan(settings, environment)
    ranking, found = await gather_all(
        benchmark_resolvers(candidates, plan, on_progress),
        discovery() if discovery is not None else discover_dispatchers(settings, environment),
    )
    return DnsChecks(ranking, found)
