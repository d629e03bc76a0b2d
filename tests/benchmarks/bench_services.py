"""Benchmark: every service probe of the Space Directory, Xrfb/VNC and Summary pages at once.

Against the lab's real servers on loopback (slapd, Xvnc, prosody, an HTTP server, dnsmasq)
and then against targets that accept and never answer. Prints figures; asserts nothing.
Run: `.venv/bin/python tests/benchmarks/bench_services.py`.
The passive CRQT listen lasts its configured duration by design; it is timed apart.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import dns.asyncbackend

from cobalt_setup.addresses import Endpoint
from cobalt_setup.checks.environment import CheckEnvironment
from cobalt_setup.checks.services import (
    check_chat,
    check_space_directory,
    check_xrfb,
    run_reporting,
)
from cobalt_setup.probes.crqt import listen_for_spaces
from cobalt_setup.probes.dns.checks import DnsEnvironment
from cobalt_setup.probes.teatime import probe_teatime_hosting
from cobalt_setup.probes.web import probe_version_check
from cobalt_setup.result import ProbeResult
from cobalt_setup.settings import Settings
from lab import dns_servers, ldap_servers, sockets, vnc_servers, xmpp_servers
from lab.dns_servers import DOMAIN
from lab.whole_lab import silent_block, silent_settings_texts
from network_guard import GUARD

RUNS = 5


def environment(dns_server: dns_servers.DnsServer, timeout: float) -> CheckEnvironment:
    async def system() -> list[Endpoint]:
        return [Endpoint(dns_server.host, dns_server.port)]

    return CheckEnvironment(dns=DnsEnvironment(system_resolvers=system), timeout=timeout)


async def all_checks(settings: Settings, env: CheckEnvironment) -> list[ProbeResult]:
    ports = settings.router.ports
    return await run_reporting([
        partial(check_space_directory, settings, env),
        partial(check_xrfb, settings, env),
        partial(check_chat, settings, env),
        partial(probe_version_check, settings.web.version_check_url, timeout=env.timeout),
        partial(probe_teatime_hosting, ports.first, ports.last),
    ], None)


def timed(settings: Settings, env: CheckEnvironment) -> tuple[list[float], list[ProbeResult]]:
    times, results = [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        results = asyncio.run(all_checks(settings, env))
        times.append(time.perf_counter() - started)
    return times, results


def report(label: str, times: list[float], results: list[ProbeResult], budget: float) -> None:
    statuses = ", ".join(f"{r.id}={r.status.value}" for r in results)
    print(f"{label}: {len(results)} results, median {statistics.median(times):.3f} s, "
          f"max {max(times):.3f} s over {RUNS} runs (budget {budget:.2f} s)\n  {statuses}")


def main() -> None:
    GUARD.install()
    dns.asyncbackend.set_default_backend("asyncio")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        lab = dns_servers.start_dns_lab(tmp / "dns")
        slapd = ldap_servers.start_slapd(tmp / "ldap", with_cobalt_schema=True)
        vnc = vnc_servers.start_xvnc_range(tmp / "vnc")
        chat = xmpp_servers.start_prosody(tmp / "xmpp")
        http = sockets.start_http_server()
        try:
            up = Settings.from_texts({
                ("DNS", "Servers"): lab.good.endpoint,
                ("SpaceDirectory", "Host"): f"directory.{DOMAIN}",
                ("SpaceDirectory", "Port"): str(slapd.port),
                ("Xrfb", "ServerHostAddress"): f"apps.{DOMAIN}",
                ("Xrfb", "ServerPortNumber"): str(http.port),
                ("Xrfb", "VncPorts"): f"{vnc.first}-{vnc.last}",
                ("Chat", "Server"): chat.domain,
                ("Chat", "Port"): str(chat.port),
                ("Web", "VersionCheckURL"): f"http://{http.endpoint}/version",
            })
            times, results = timed(up, environment(lab.good, 3.0))
            report("every server up", times, results, 0.5)
            # Silent: every target accepts and never answers (names are addresses here,
            # so the DNS checks, benchmarked on their own, take no part).
            timeout = 1.0
            loop = asyncio.new_event_loop()
            mutes, first = loop.run_until_complete(silent_block(9))
            silent = Settings.from_texts(silent_settings_texts(first, lab.good.endpoint))
            env = environment(lab.good, timeout)
            silent_times = []
            for _ in range(RUNS):
                started = time.perf_counter()
                results = loop.run_until_complete(all_checks(silent, env))
                silent_times.append(time.perf_counter() - started)
            report(f"every target silent, timeout {timeout:.1f} s", silent_times, results,
                   timeout * 1.1)
            for server in mutes:
                server.close()
            leftovers = asyncio.all_tasks(loop)
            for task in leftovers:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
            loop.close()
            started = time.perf_counter()
            asyncio.run(listen_for_spaces(1.0, sockets.closed_port(), "127.0.0.1"))
            print(f"CRQT passive listen of 1.0 s took {time.perf_counter() - started:.3f} s")
        finally:
            http.stop()
            xmpp_servers.stop_prosody(chat)
            vnc_servers.stop_servers(vnc.servers)
            ldap_servers.stop_slapd(slapd)
            dns_servers.stop_dns_lab(lab)
    GUARD.exit_if_violated("the benchmark")


if __name__ == "__main__":
    main()
