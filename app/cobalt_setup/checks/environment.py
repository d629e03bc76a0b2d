"""Where the live checks send their traffic and how long they may take.

The wizard and `diagnose` use the real network; tests and benchmarks inject servers they
started on loopback or in their own namespaces.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cobalt_setup.probes.dns.terms import DnsEnvironment
from cobalt_setup.router.environment import RouterEnvironment
from cobalt_setup.services import BY_ID


@dataclass(frozen=True)
class CheckEnvironment:
    dns: DnsEnvironment = field(default_factory=DnsEnvironment)
    timeout: float = 3.0  # each service probe
    crqt_host: str = "0.0.0.0"  # listening only: CRQT is never sent
    crqt_port: int = BY_ID["crqt"].first_port
    crqt_duration: float = 5.5  # spaces broadcast every 5 s
    router: RouterEnvironment = field(default_factory=RouterEnvironment)
