"""Where the live checks send their traffic and how long they may take.

The wizard and `diagnose` use the real network; tests and benchmarks inject servers they
started on loopback or in their own namespaces.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from cobalt_setup.probes.dns.terms import DnsEnvironment
from cobalt_setup.router.environment import RouterEnvironment
from cobalt_setup.services import BY_ID

DEFAULT_TIMEOUT_S = 3.0  # `diagnose --timeout` and the wizard
CRQT_LISTEN_S = 5.5  # spaces broadcast every 5 s: a longer listen hears each of them once
# One DNS query may take this share of the timeout: a lost UDP query is then asked again
# (the next query of the benchmark) well inside the whole DNS check's time, the timeout.
DNS_QUERY_SHARE = 0.3
MIN_QUERY_S = 0.05


@dataclass(frozen=True)
class CheckEnvironment:
    dns: DnsEnvironment = field(default_factory=DnsEnvironment)
    timeout: float = DEFAULT_TIMEOUT_S  # each service probe
    crqt_host: str = "0.0.0.0"  # listening only: CRQT is never sent
    crqt_port: int = BY_ID["crqt"].first_port
    crqt_duration: float = CRQT_LISTEN_S
    router: RouterEnvironment = field(default_factory=RouterEnvironment)

    @classmethod
    def with_timeout(cls, timeout: float = DEFAULT_TIMEOUT_S, *,
                     dns: DnsEnvironment | None = None,
                     router: RouterEnvironment | None = None,
                     **targets: Any) -> CheckEnvironment:
        """The one place every time limit comes from: `timeout` (T) for each service probe,
        the whole DNS check (benchmark and discovery) and each router question; 0.3 T for
        one DNS query; the passive LAN listen lasts T, at most 5.5 s. `dns` and `router`
        name where queries go (their time limits are replaced); `targets` the rest."""
        dns = replace(dns or DnsEnvironment(), deadline=timeout, discovery_timeout=timeout,
                      query_timeout=max(MIN_QUERY_S, DNS_QUERY_SHARE * timeout))
        router = replace(router or RouterEnvironment(), timeout=timeout)
        return cls(dns=dns, timeout=timeout, crqt_duration=min(CRQT_LISTEN_S, timeout),
                   router=router, **targets)
