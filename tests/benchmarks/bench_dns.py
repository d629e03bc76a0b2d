"""Benchmark of the DNS page's checks against the lab's real DNS servers (loopback only).

Prints figures; asserts nothing. Run: `.venv/bin/python tests/benchmarks/bench_dns.py`.
1. Ranking 6 loopback resolvers (one dead, one slow): wall time against the deadline.
2. Ranking healthy loopback resolvers alone: wall time (target under 0.3 s).
3. The GUI thread while the DNS page probes: the longest gap of a 10 ms QTimer heartbeat.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS))

import dns.asyncbackend  # noqa: E402

from cobalt_setup.addresses import Endpoint  # noqa: E402
from cobalt_setup.probes.dns.resolvers import (  # noqa: E402
    BenchmarkPlan,
    ResolverCandidate,
    Source,
    benchmark_resolvers,
)
from lab import dns_servers  # noqa: E402
from lab.dns_servers import DOMAIN, HIJACK_DOMAIN, DnsServer  # noqa: E402
from network_guard import GUARD  # noqa: E402

RUNS = 5
NAMES = (f"directory.{DOMAIN}", f"chat.{DOMAIN}", f"www.{DOMAIN}")


def candidate(server: DnsServer, source: Source = Source.PUBLIC) -> ResolverCandidate:
    return ResolverCandidate(Endpoint(server.host, server.port), source, server.name)


def bench_ranking(label: str, servers: list[DnsServer], plan: BenchmarkPlan) -> None:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        ranking = asyncio.run(benchmark_resolvers([candidate(s) for s in servers], plan))
        times.append(time.perf_counter() - started)
    print(f"{label}: {len(servers)} resolvers, deadline {plan.deadline:.1f} s -> "
          f"median {statistics.median(times):.3f} s, max {max(times):.3f} s over {RUNS} runs "
          f"(max / deadline = {max(times) / plan.deadline:.2f}); verdicts: "
          + ", ".join(f"{r.stats.candidate.provider}={r.verdict.value}" for r in ranking.rows))


def bench_gui(lab: dns_servers.DnsLab, tmp: Path) -> None:
    import qasync
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from cobalt_setup.checks.environment import CheckEnvironment
    from cobalt_setup.gui.wizard import SetupWizard
    from cobalt_setup.probes.dns.checks import DnsEnvironment
    from cobalt_setup.session import SetupSession

    async def system() -> list[Endpoint]:
        return [Endpoint(lab.good.host, lab.good.port)]

    environment = DnsEnvironment(
        system_resolvers=system, open_cobalt_default=(lab.hijacking.endpoint,),
        public=(("lab", (lab.slow.endpoint, lab.dead.endpoint, lab.lossy.endpoint,
                         lab.split.endpoint)),),
        nx_parent=HIJACK_DOMAIN)
    ini = tmp / "home" / "prefs.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text(f"[DNS]\nServers = {lab.good.endpoint}\nDispatcherDomain = {DOMAIN}\n"
                   f"[SpaceDirectory]\nHost = "
                   f"directory.{DOMAIN}\n[Web]\nVersionCheckURL = http://www.{DOMAIN}/\n")
    cobalt = tmp / "cobalt"
    cobalt.mkdir()
    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    wizard = SetupWizard(SetupSession(ini, cobalt, CheckEnvironment(dns=environment)))
    wizard.show()
    beats: list[float] = []
    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(lambda: beats.append(time.perf_counter()))

    async def walk() -> float:
        heartbeat.start()
        await asyncio.sleep(0.2)
        started = time.perf_counter()
        wizard.next()
        page = wizard.currentPage()
        await asyncio.sleep(0.05)
        while page.runner.busy:
            await asyncio.sleep(0.01)
        took = time.perf_counter() - started
        await asyncio.sleep(0.1)
        heartbeat.stop()
        return took

    with loop:
        took = loop.run_until_complete(walk())
    gaps = [(b - a) * 1000 for a, b in itertools.pairwise(beats)]
    worst = sorted(((g, beats[i] - beats[0]) for i, g in enumerate(gaps)), reverse=True)[:3]
    print("worst gaps (ms, at s):", [(round(g, 1), round(t, 2)) for g, t in worst])
    print(f"GUI heartbeat (10 ms) while the DNS page probed {len(environment.public[0][1]) + 2} "
          f"resolvers for {took:.2f} s: {len(gaps)} beats, longest gap {max(gaps):.1f} ms, "
          f"p99 {sorted(gaps)[int(0.99 * len(gaps))]:.1f} ms")


def main() -> None:
    GUARD.install()
    dns.asyncbackend.set_default_backend("asyncio")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        lab = dns_servers.start_dns_lab(tmp / "lab")
        healthy = [dns_servers.start_good_dns(tmp / f"good{i}") for i in range(4)]
        try:
            plan = BenchmarkPlan(names=NAMES, nx_parent=HIJACK_DOMAIN,
                                 dispatcher_browse=f"_cobalt-dispatcher._tcp.{DOMAIN}")
            bench_ranking("6 resolvers, one dead, one slow",
                          [lab.good, lab.hijacking, lab.split, lab.slow, lab.dead, healthy[0]],
                          plan)
            bench_ranking("healthy resolvers only", healthy, plan)
            bench_gui(lab, tmp)
        finally:
            dns_servers.stop_servers(healthy)
            dns_servers.stop_dns_lab(lab)
    GUARD.exit_if_violated("the benchmark")


if __name__ == "__main__":
    main()
