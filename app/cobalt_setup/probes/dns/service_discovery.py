"""DNS-based Service Discovery over unicast DNS: the dispatcher, and LDAP / XMPP servers.

Open Cobalt finds a dispatcher by browsing `<service type>.<domain>` (PTR), then reading
each instance's SRV (host, port, priority, weight) and TXT. The same domain may publish
`_ldap._tcp` and `_xmpp-client._tcp` SRV records, which the later pages can offer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import dns.asyncresolver
import dns.exception
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver

from cobalt_setup.addresses import Endpoint
from cobalt_setup.gathering import gather_all
from cobalt_setup.i18n import N_, _
from cobalt_setup.probes.dns.measure import DNS_PORT
from cobalt_setup.time_limit import within

LDAP_SERVICE = "_ldap._tcp"
XMPP_CLIENT_SERVICE = "_xmpp-client._tcp"

# What went wrong looking up each kind of server: (timed out, every server failed, other
# error). Whole sentences, so that each language can inflect the kind of server.
_LOOKUP_PROBLEMS = (
    (N_("Looking up dispatchers in {domain} timed out: the DNS servers did not answer in "
        "time."),
     N_("Looking up dispatchers in {domain} failed: every DNS server refused or failed the "
        "query."),
     # Translators: {error} is the error's own text, in English.
     N_("Looking up dispatchers in {domain} failed: {error}")),
    (N_("Looking up LDAP servers in {domain} timed out: the DNS servers did not answer in "
        "time."),
     N_("Looking up LDAP servers in {domain} failed: every DNS server refused or failed the "
        "query."),
     # Translators: {error} is the error's own text, in English.
     N_("Looking up LDAP servers in {domain} failed: {error}")),
    (N_("Looking up chat servers in {domain} timed out: the DNS servers did not answer in "
        "time."),
     N_("Looking up chat servers in {domain} failed: every DNS server refused or failed the "
        "query."),
     # Translators: {error} is the error's own text, in English.
     N_("Looking up chat servers in {domain} failed: {error}")),
)


@dataclass(frozen=True)
class SrvTarget:
    """One SRV answer with the addresses its host resolves to (empty: it does not)."""

    host: str
    port: int
    priority: int
    weight: int
    addresses: tuple[str, ...] = ()

    @property
    def resolves(self) -> bool:
        return bool(self.addresses)


@dataclass(frozen=True)
class ServiceInstance:
    name: str  # the instance label, e.g. "Lab Dispatcher"
    targets: tuple[SrvTarget, ...]  # best first
    txt: tuple[str, ...]
    problem: str = ""  # why it cannot be used, in words


@dataclass(frozen=True)
class Discovery:
    domain: str
    service_type: str
    resolvers: tuple[Endpoint, ...]
    dispatchers: tuple[ServiceInstance, ...] = ()
    ldap: tuple[SrvTarget, ...] = ()
    xmpp: tuple[SrvTarget, ...] = ()
    problems: tuple[str, ...] = ()
    elapsed_ms: float = 0.0
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def browse_name(self) -> str:
        return f"{self.service_type}.{self.domain}"


def make_resolver(servers: Sequence[Endpoint], timeout: float) -> dns.asyncresolver.Resolver:
    """A resolver that asks exactly these servers (never reads the system's configuration),
    each on its own port: two servers on one address (127.0.0.1:53 and 127.0.0.1:5300) stay
    two servers, which a port map keyed by address could not say."""
    resolver = dns.asyncresolver.Resolver(configure=False)
    resolver.nameservers = [dns.nameserver.Do53Nameserver(server.host, server.port or DNS_PORT)
                            for server in servers]
    resolver.lifetime = timeout
    resolver.timeout = min(timeout, 1.0)
    return resolver


async def resolve_within_lifetime(resolver: dns.asyncresolver.Resolver, name: str,
                                  rdtype: str) -> dns.resolver.Answer:
    """`resolver.resolve`, held to the resolver's lifetime: dnspython sleeps its back-off
    (0.1 s, then longer) before it notices that the lifetime is over, so a silent server
    would cost the lifetime and a back-off. Raises dns.resolver.LifetimeTimeout then."""
    lifetime = resolver.lifetime or 0.0
    try:
        return await within(resolver.resolve(name, rdtype, search=False), lifetime)
    except TimeoutError as late:  # ours, not dnspython's (which is a DNSException)
        raise dns.resolver.LifetimeTimeout(timeout=lifetime, errors=[]) from late


async def _lookup(resolver: dns.asyncresolver.Resolver, name: str, rdtype: str) -> list:
    """The answers, or [] when the name or type does not exist."""
    try:
        answer = await resolve_within_lifetime(resolver, name, rdtype)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    return list(answer)


async def _addresses(resolver: dns.asyncresolver.Resolver, host: str) -> tuple[str, ...]:
    found = await asyncio.gather(_lookup(resolver, host, "A"), _lookup(resolver, host, "AAAA"),
                                 return_exceptions=True)
    return tuple(rr.address for answers in found if isinstance(answers, list) for rr in answers)


def _srv_order(records: list) -> list:
    """Lowest priority first; among equals, the heavier weight first (RFC 2782)."""
    return sorted(records, key=lambda rr: (rr.priority, -rr.weight))


async def _srv_targets(resolver: dns.asyncresolver.Resolver, name: str) -> tuple[SrvTarget, ...]:
    records = [rr for rr in _srv_order(await _lookup(resolver, name, "SRV"))
               if rr.target != dns.name.root]  # "." means: no such service here
    hosts = [rr.target.to_text(omit_final_dot=True) for rr in records]
    addresses = await gather_all(*(_addresses(resolver, host) for host in hosts))
    return tuple(SrvTarget(host, rr.port, rr.priority, rr.weight, found)
                 for rr, host, found in zip(records, hosts, addresses, strict=True))


async def lookup_srv(servers: Sequence[Endpoint], name: str, *,
                     timeout: float) -> tuple[SrvTarget, ...]:
    """SRV targets of `name`, best first, each with its addresses. Raises on no answer."""
    return await _srv_targets(make_resolver(servers, timeout), name)


def _instance_label(ptr_target: dns.name.Name) -> str:
    return ptr_target.labels[0].decode("utf-8", errors="replace")


async def _instance(resolver: dns.asyncresolver.Resolver, ptr_target: dns.name.Name
                    ) -> ServiceInstance:
    name = ptr_target.to_text()
    targets, txt_records = await gather_all(_srv_targets(resolver, name),
                                                _lookup(resolver, name, "TXT"))
    txt = tuple(part.decode("utf-8", errors="replace")
                for rr in txt_records for part in rr.strings)
    label = _instance_label(ptr_target)
    problem = ""
    if not targets:
        # Translators: {name} is a dispatcher's name, such as "Lab Dispatcher".
        problem = _("{name} is listed but has no SRV record saying where it runs.").format(
            name=label)
    elif not any(t.resolves for t in targets):
        # Translators: {name} is a dispatcher's name, {host} the host name it
        # points to.
        problem = _("{name} points to {host}, which has no address: the "
                    "dispatcher's DNS records are out of date.").format(
                        name=label, host=targets[0].host)
    return ServiceInstance(label, targets, txt, problem)


def _usable_first(instance: ServiceInstance) -> tuple[bool, int, int, str]:
    best = instance.targets[0] if instance.targets else None
    return (bool(instance.problem), best.priority if best else 1 << 16,
            -best.weight if best else 0, instance.name)


async def discover(servers: Sequence[Endpoint], domain: str, service_type: str, *,
                   timeout: float) -> Discovery:
    """Browse for dispatchers and look up LDAP / XMPP SRV records in `domain`.

    Network failures are reported in `problems`, not raised.
    """
    started = time.perf_counter()
    resolver = make_resolver(servers, timeout)
    browse = f"{service_type}.{domain}"
    problems: list[str] = []

    async def browse_dispatchers() -> tuple[ServiceInstance, ...]:
        pointers = await _lookup(resolver, browse, "PTR")
        found = await gather_all(*(_instance(resolver, rr.target) for rr in pointers))
        return tuple(sorted(found, key=_usable_first))

    async def within_timeout(start: Callable[[], Awaitable[tuple]]) -> tuple:
        # dnspython waits a back-off before it notices its lifetime is over: hold it to ours.
        # The look-up is made here, not by the caller: a gather cancelled before this task
        # ran would leave a look-up made and never awaited ("was never awaited").
        return await within(start(), max(0.0, started + timeout - time.perf_counter()))

    results = await asyncio.gather(
        within_timeout(browse_dispatchers),
        within_timeout(lambda: _srv_targets(resolver, f"{LDAP_SERVICE}.{domain}")),
        within_timeout(lambda: _srv_targets(resolver, f"{XMPP_CLIENT_SERVICE}.{domain}")),
        return_exceptions=True,
    )
    found: list[tuple] = []
    for (timed_out, refused, failed), result in zip(_LOOKUP_PROBLEMS, results, strict=True):
        if isinstance(result, dns.exception.Timeout | dns.resolver.LifetimeTimeout
                      | asyncio.TimeoutError | TimeoutError):
            problems.append(_(timed_out).format(domain=domain))
            found.append(())
        elif isinstance(result, dns.resolver.NoNameservers):
            problems.append(_(refused).format(domain=domain))
            found.append(())
        elif isinstance(result, BaseException):
            if isinstance(result, asyncio.CancelledError):
                raise result
            problems.append(_(failed).format(domain=domain, error=result))
            found.append(())
        else:
            found.append(result)
    dispatchers, ldap, xmpp = found
    if not dispatchers and not problems:
        # Translators: {browse_name} is a DNS name such as
        # "_cobalt-dispatcher._tcp.example.org".
        problems.append(_("No dispatcher is published in {domain} ({browse_name} has no "
                          "entries).").format(domain=domain, browse_name=browse))
    return Discovery(domain, service_type, tuple(servers), dispatchers, ldap, xmpp,
                     tuple(problems), (time.perf_counter() - started) * 1000)
