"""Benchmark: the router page against a real miniupnpd in the lab's network namespaces.

Figures (median and max over RUNS):
- the page: from the Router page shown to the whole router outcome on screen (the router
  found, its external address, NAT-PMP, PCP and STUN, all asked at once; coturn answers
  STUN on the lab's wan side);
- the core: find_router (SSDP search + description + GetExternalIPAddress, NAT-PMP, PCP
  ANNOUNCE, STUN to two servers);
- forward and verify the 10 TeaTime ports through UPnP, and through PCP (a second lab with
  UPnP off; then undo, outside the timing);
- anchors: `upnpc -l` with discovery, and async-upnp-client's async_search, both of which
  wait out their search window.
Needs root (network namespaces) and miniupnpd, nftables, miniupnpc. Prints; asserts nothing.
Run: `.venv/bin/python tests/benchmarks/bench_router.py`.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from async_upnp_client.search import async_search
from PySide6.QtWidgets import QApplication

from cobalt_setup.addresses import Endpoint
from cobalt_setup.checks.environment import CheckEnvironment
from cobalt_setup.gui.pages.router import RouterPage
from cobalt_setup.gui.wizard import SetupWizard
from cobalt_setup.router.forwarding import (
    forward_ports,
    mapper_for,
    plan_forwarding,
    undo_forwarding,
)
from cobalt_setup.router.status import RouterEnvironment, find_router
from cobalt_setup.session import SetupSession
from cobalt_setup.settings import RouterMode
from lab.router_lab import RouterLab, start_router_lab, stop_router_lab
from network_guard import GUARD

RUNS = 5
TEATIME = list(range(6900, 6910))


def line(label: str, times: list[float], budget: float | None = None) -> None:
    target = f" (target {budget:.2f} s)" if budget else ""
    print(f"{label}: median {statistics.median(times):.3f} s, max {max(times):.3f} s, "
          f"min {min(times):.3f} s over {len(times)} runs{target}")


def stun_of(lab: RouterLab) -> tuple[Endpoint, ...]:
    assert lab.stun is not None
    return tuple(Endpoint(address, lab.stun.port) for address in lab.stun.addresses)


ROUTER_OUTCOME = {"router.ssdp", "router.external", "router.natpmp", "router.pcp",
                  "router.stun"}


async def core_figures(lab: RouterLab, tmp: Path, label: str = "UPnP") -> None:
    env = RouterEnvironment(stun_servers=stun_of(lab), records_path=tmp / "mappings.json")
    finds, forwards = [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        findings = await find_router(env)
        finds.append(time.perf_counter() - started)
        assert findings.external_address, "router not found"
        assert findings.stun is not None and findings.stun.public, "no STUN answer"
        mapper = mapper_for(findings, env)
        assert mapper is not None
        started = time.perf_counter()
        plan = await plan_forwarding(mapper, TEATIME, lab.lan_address)
        outcome = await forward_ports(mapper, plan, env.records())
        forwards.append(time.perf_counter() - started)
        assert outcome.ok, outcome.result().summary
        await undo_forwarding(mapper, env.records())
    line(f"find_router (router + external address + NAT-PMP + PCP + STUN), {label} lab",
         finds, 0.5)
    line(f"forward and verify 10 ports through {mapper.method}", forwards, 0.3)


async def anchor_figures(lab: RouterLab) -> None:
    searches = []
    for _ in range(3):
        started = time.perf_counter()
        seen: list[str] = []

        async def found(headers: object, seen: list[str] = seen) -> None:
            seen.append("x")

        await async_search(found, timeout=2, source=(lab.lan_address, 0),
                           search_target="urn:schemas-upnp-org:device:InternetGatewayDevice:1")
        searches.append(time.perf_counter() - started)
    line("anchor: async-upnp-client async_search (MX 2)", searches)
    upnpc = []
    for _ in range(3):
        started = time.perf_counter()
        await asyncio.to_thread(lab.upnpc, "-l", discover=True)
        upnpc.append(time.perf_counter() - started)
    line("anchor: upnpc -l with discovery", upnpc)


def page_figures(tmp: Path, lab: RouterLab) -> None:
    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    times: list[float] = []

    async def one(run: int) -> None:
        folder = tmp / f"page{run}"
        (folder / "oc" / "config").mkdir(parents=True)
        env = RouterEnvironment(stun_servers=stun_of(lab), records_path=folder / "mappings.json")
        session = SetupSession(folder / "g.ini", folder / "oc", CheckEnvironment(router=env))
        session.form.set_text(("Router", "Mode"), RouterMode.MANUAL.value)
        wizard = SetupWizard(session)
        wizard.show()
        shown = asyncio.Event()
        page = wizard.page(wizard.page_ids[RouterPage])
        assert page.runner is not None
        ids: list[str] = []

        def on_result(result: object) -> None:
            ids.append(result.id)  # type: ignore[attr-defined]
            if set(ids) >= ROUTER_OUTCOME:
                shown.set()

        page.runner.progress.connect(on_result)
        started = time.perf_counter()
        wizard.setStartId(wizard.page_ids[RouterPage])
        wizard.restart()
        await asyncio.wait_for(shown.wait(), 5)
        times.append(time.perf_counter() - started)
        while page.runner.busy:
            await asyncio.sleep(0.01)
        wizard.close()

    with loop:
        for run in range(RUNS):
            loop.run_until_complete(one(run))
    line("page shown -> whole router outcome on screen (UPnP, NAT-PMP, PCP, STUN)", times,
         0.15)


def main() -> None:
    GUARD.install()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        lab = start_router_lab(tmp / "lab", stun="coturn")
        print(f"router lab built in {lab.build_seconds:.2f} s (miniupnpd, nftables, 4 netns, "
              "coturn)")
        try:
            with lab.inside(lab.lan):
                page_figures(tmp, lab)
                asyncio.run(core_figures(lab, tmp))
                asyncio.run(anchor_figures(lab))
        finally:
            stop_router_lab(lab)
        pcp_lab = start_router_lab(tmp / "pcp-lab", upnp=False, stun="coturn")
        try:
            with pcp_lab.inside(pcp_lab.lan):
                asyncio.run(core_figures(pcp_lab, tmp / "pcp-lab", "PCP (UPnP off)"))
        finally:
            stop_router_lab(pcp_lab)


if __name__ == "__main__":
    main()
