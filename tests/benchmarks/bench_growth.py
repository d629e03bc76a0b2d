"""Benchmark: does the cost grow no faster than the work? (issue 18)

The VNC check over ranges of 31, 100, 1,000, 10,000 and 64,512 ports (1024-65535), and
the DNS check over 2, 10 and 50 resolvers, each a whole `run_diagnosis(only=...)` as
`cobalt-setup diagnose --only vnc --timeout 2` runs it. The settings refuse VNC ranges of
more than 100 ports; for those, the scan and its summary alone show what the rule spares.
On loopback (the VNC ports: one Xvnc display, the rest mostly closed; the resolvers: one lab
dnsmasq, the others silent loopback ports). For each size it prints:
- the wall time, against the timeout + 10 %;
- the peak of Python's memory (tracemalloc) during the run;
- the longest step the event loop ran without yielding (asyncio's slow-callback report,
  threshold 16 ms): in the wizard that loop is the GUI thread, so this is the longest
  freeze the check itself can cause. Debug mode and tracemalloc make every step slower
  than in the wizard: read these as upper bounds.
Prints; asserts nothing. Run: `.venv/bin/python tests/benchmarks/bench_growth.py`.
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import dns.asyncbackend

from cobalt_setup.addresses import Endpoint
from cobalt_setup.checks.diagnosis import run_diagnosis
from cobalt_setup.checks.environment import CheckEnvironment
from cobalt_setup.checks.services import _scan_summary
from cobalt_setup.probes.dns.terms import DnsEnvironment
from cobalt_setup.settings import Settings, SettingsInvalid
from lab import dns_servers, vnc_servers
from lab.dns_servers import DOMAIN, HIJACK_DOMAIN
from network_guard import GUARD

TIMEOUT = 2.0
VNC_SIZES = (31, 100, 1_000, 10_000, 64_512)
RESOLVER_COUNTS = (2, 10, 50)
STALL_S = 0.016  # one frame at 60 Hz


class _Stalls(logging.Handler):
    """Collects asyncio's "Executing ... took N seconds" reports (debug mode)."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        found = re.search(r"took (\d+\.\d+) seconds", record.getMessage())
        if found:
            self.seconds.append(float(found.group(1)))


def measure(run: object) -> tuple[float, float, float, int]:
    """(wall s, peak MiB, longest stall s, stalls over STALL_S) of one coroutine."""
    stalls = _Stalls()
    logger = logging.getLogger("asyncio")
    logger.addHandler(stalls)
    logger.setLevel(logging.WARNING)
    loop = asyncio.new_event_loop()
    loop.set_debug(True)
    loop.slow_callback_duration = STALL_S
    tracemalloc.start()
    started = time.perf_counter()
    try:
        loop.run_until_complete(run)  # type: ignore[arg-type]
    finally:
        wall = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        loop.close()
        logger.removeHandler(stalls)
    return wall, peak / 2**20, max(stalls.seconds, default=0.0), len(stalls.seconds)


def report(label: str, figures: tuple[float, float, float, int]) -> None:
    wall, peak, stall, count = figures
    print(f"{label}: {wall:.3f} s (limit {TIMEOUT * 1.1:.1f} s), peak {peak:.1f} MiB, "
          f"longest loop step {stall * 1000:.0f} ms ({count} over {STALL_S * 1000:.0f} ms)")


def environment(resolvers: list[Endpoint]) -> CheckEnvironment:
    async def system() -> list[Endpoint]:
        return resolvers[:1]

    return CheckEnvironment.with_timeout(TIMEOUT, dns=DnsEnvironment(
        system_resolvers=system, open_cobalt_default=(), public=(), nx_parent=HIJACK_DOMAIN))


def vnc_figures(tmp: Path, good: Endpoint) -> None:
    server = vnc_servers.start_xvnc(tmp / "vnc", "growth")
    try:
        for size in VNC_SIZES:
            first = max(1024, min(server.port, 65536 - size))
            texts = {("Xrfb", "ServerHostAddress"): "127.0.0.1",
                     ("Xrfb", "VncPorts"): f"{first}-{first + size - 1}"}
            try:
                settings = Settings.from_texts(texts)
            except SettingsInvalid as refused:
                # The settings refuse it (at most MAX_VNC_PORTS): what the scan alone
                # would cost shows why.
                print(f"VNC range of {size} ports: refused by the settings "
                      f"({refused.errors[0].reason})")
                report(f"  the scan and its summary alone, {size} ports", measure(
                    _scan_summary("127.0.0.1", first, first + size - 1, TIMEOUT)))
                continue
            report(f"VNC range of {size} ports", measure(
                run_diagnosis(settings, environment([good]), {"vnc"})))
    finally:
        vnc_servers.stop_servers([server])


def dns_figures(good: Endpoint) -> None:
    silent: list[socket.socket] = []
    try:
        for count in RESOLVER_COUNTS:
            while len(silent) < count - 1:
                sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sock.bind(("127.0.0.1", 0))
                silent.append(sock)
            resolvers = [good, *(Endpoint("127.0.0.1", s.getsockname()[1])
                                 for s in silent[:count - 1])]
            settings = Settings.from_texts({
                ("DNS", "Servers"): ", ".join(str(r) for r in resolvers),
                ("DNS", "DispatcherDomain"): DOMAIN})
            report(f"DNS with {count} resolvers", measure(
                run_diagnosis(settings, environment(resolvers), {"dns"})))
    finally:
        for sock in silent:
            sock.close()


def main() -> None:
    GUARD.install()
    dns.asyncbackend.set_default_backend("asyncio")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        lab = dns_servers.start_dns_lab(tmp / "dns")
        try:
            good = Endpoint(lab.good.host, lab.good.port)
            vnc_figures(tmp, good)
            dns_figures(good)
        finally:
            dns_servers.stop_dns_lab(lab)
    GUARD.exit_if_violated("the benchmark")


if __name__ == "__main__":
    main()
