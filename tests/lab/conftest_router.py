"""pytest fixtures for the router lab (see lab/router_lab.py for what a lab is).

Register with `pytest_plugins = ["lab.conftest_router"]`, or import into a test module with
`from lab.conftest_router import *  # noqa: F403` (__all__ lists the fixtures; importing
them by name makes ruff report F811 wherever a test takes one as an argument).
All fixtures are function-scoped: a lab is built in about 0.15 s and torn down in about
0.05 s, so every test gets fresh namespaces and a miniupnpd with no mappings. Its files
(miniupnpd.conf, miniupnpd.log, the lease file, router.nft) stay in the test's tmp folder.
Where the lab cannot run (not root, no network namespaces, miniupnpd/nft/upnpc missing)
the fixtures skip the test and say which Debian package is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from lab.router_lab import (
    CGNAT_WAN_NETWORK,
    LabCommandError,
    LabUnavailable,
    RouterLab,
    require_router_lab,
    start_router_lab,
    stop_router_lab,
)

__all__ = [
    "make_router_lab", "router_lab", "router_lab_cgnat", "router_lab_natpmp_only",
    "router_lab_upnp_only", "router_lab_without_daemon",
]


@pytest.fixture
def make_router_lab(tmp_path_factory: pytest.TempPathFactory,
                    ) -> Iterator[Callable[..., RouterLab]]:
    """A factory: `make_router_lab(wan_network=..., upnp=..., natpmp=..., router_daemon=...,
    allowed_ports=..., igd_v1=...)` builds a lab (see router_lab.start_router_lab); every
    lab made is torn down at the end of the test, even when it failed."""
    try:
        require_router_lab()
    except LabUnavailable as missing:
        pytest.skip(str(missing))
    labs: list[RouterLab] = []

    def make(**options: Any) -> RouterLab:
        folder = tmp_path_factory.mktemp("router-lab")
        try:
            lab = start_router_lab(folder, **options)
        except LabUnavailable as missing:
            pytest.skip(str(missing))
        labs.append(lab)
        return lab

    yield make
    problems = []
    for lab in labs:
        try:
            stop_router_lab(lab)
        except LabCommandError as error:
            problems.append(str(error))
    if problems:
        pytest.fail("router lab teardown: " + "; ".join(problems))


@pytest.fixture
def router_lab(make_router_lab: Callable[..., RouterLab]) -> RouterLab:
    """miniupnpd with UPnP IGD and NAT-PMP, WAN address 81.2.69.1, ports 1024-65535
    allowed for the LAN."""
    return make_router_lab()


@pytest.fixture
def router_lab_cgnat(make_router_lab: Callable[..., RouterLab]) -> RouterLab:
    """The router's WAN address is 100.64.5.1 (carrier-grade NAT): miniupnpd answers, but
    reports an empty external address and refuses every mapping (AddPortMapping 501)."""
    return make_router_lab(wan_network=CGNAT_WAN_NETWORK)


@pytest.fixture
def router_lab_natpmp_only(make_router_lab: Callable[..., RouterLab]) -> RouterLab:
    """miniupnpd with NAT-PMP only: no SSDP answer, no HTTP port."""
    return make_router_lab(upnp=False)


@pytest.fixture
def router_lab_upnp_only(make_router_lab: Callable[..., RouterLab]) -> RouterLab:
    """miniupnpd with UPnP IGD only: NAT-PMP requests go unanswered."""
    return make_router_lab(natpmp=False)


@pytest.fixture
def router_lab_without_daemon(make_router_lab: Callable[..., RouterLab]) -> RouterLab:
    """A router that forwards and masquerades but runs no miniupnpd: no UPnP, no NAT-PMP."""
    return make_router_lab(router_daemon=False)
