"""The DNS servers this computer is set to use, read once per run.

Its own module so that `terms.DnsEnvironment`, which names where queries go, reads it
without importing the DNS checks (they import `terms`: that was a circle).
"""

from __future__ import annotations

import asyncio

import dns.resolver

from cobalt_setup.addresses import Endpoint, InvalidValue, parse_ip


def read_system_resolvers() -> list[Endpoint]:
    """The resolvers this computer uses (resolv.conf, or the Windows registry). Blocking."""
    try:
        resolver = dns.resolver.Resolver(configure=True)
    except (dns.resolver.NoResolverConfiguration, OSError):
        return []
    found = []
    for server in resolver.nameservers:
        try:
            host = parse_ip(str(server))
        except InvalidValue:
            continue  # DNS-over-HTTPS URLs and the like: not something we measure
        port = resolver.nameserver_ports.get(str(server), resolver.port)
        found.append(Endpoint(host, None if port == 53 else port))
    return found


_system_resolvers: list[Endpoint] | None = None


async def system_resolvers() -> list[Endpoint]:
    """Read once per run of the program, off the GUI thread (on Windows it walks the registry)."""
    global _system_resolvers
    if _system_resolvers is None:
        _system_resolvers = await asyncio.to_thread(read_system_resolvers)
    return list(_system_resolvers)
