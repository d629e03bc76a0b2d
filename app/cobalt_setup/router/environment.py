"""Where the router checks look: injected by tests and benchmarks, this machine's own otherwise.

Kept apart from the router code so that the wizard can start without loading the UPnP
and HTTP libraries (they load when the router page first checks).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cobalt_setup.addresses import Endpoint
from cobalt_setup.router.lan import LanInterface
from cobalt_setup.router.natpmp import NATPMP_PORT
from cobalt_setup.router.records import default_records_path

SETTLE_S = 0.15  # after a first router, how long to wait for a second one


@dataclass(frozen=True)
class RouterEnvironment:
    """Where the router checks look. None means: this computer's own (the real network)."""

    interfaces: tuple[LanInterface, ...] | None = None
    gateway: str | None = None  # "" for no gateway (no NAT-PMP question)
    ssdp_targets: tuple[tuple[str, int], ...] | None = None
    natpmp_port: int = NATPMP_PORT
    timeout: float = 2.0
    settle: float = SETTLE_S  # after a first router, how long to wait for a second
    records_path: Path | None = None
    stun_servers: tuple[Endpoint, ...] | None = None  # None: the settings' StunServers
    hairpin: bool = True  # after forwarding, connect to the external address (router/hairpin.py)

    def records(self) -> Path:
        return self.records_path or default_records_path()
