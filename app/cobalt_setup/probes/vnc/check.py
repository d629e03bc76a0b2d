"""The VNC checks on one port and on a range of ports."""

from __future__ import annotations

import asyncio
import time
from functools import partial

from cobalt_setup.gathering import gather_all
from cobalt_setup.i18n import _
from cobalt_setup.probes.tcp import format_target, resolve, run_exchange
from cobalt_setup.probes.vnc.rfb import SERVICE, Rfb, rfb_exchange
from cobalt_setup.probes.vnc.verdict import rfb_verdict
from cobalt_setup.result import ProbeResult, Status
from cobalt_setup.time_limit import within
from cobalt_setup.wording import seconds


async def _probe_vnc(host: str, port: int, timeout: float,
                     addresses: list[str] | None) -> ProbeResult:
    rfb = Rfb(host, port, timeout)
    await run_exchange(rfb, partial(rfb_exchange, rfb, addresses))
    return rfb_verdict(rfb)


async def probe_vnc_port(host: str, port: int, *, timeout: float) -> ProbeResult:
    """Is a VNC server on host:port? Reads its greeting and security types, never logs in.

    OK: an RFB server, with its version and security types (details: rfb_version,
    security_types, security_names, needs_password). WARNING: a VNC server that refuses
    connections (details.reason, e.g. TigerVNC's "Too many security failures"), greets too
    slowly, or stops before offering security types. FAILED: refused, timed out, host
    unknown or unreachable, silent, or not RFB (details.problem says which).
    """
    return await _probe_vnc(host, port, timeout, None)


# -- the range scan ------------------------------------------------------------------------

def check_range(first: int, last: int) -> None:
    if not 1 <= first <= last <= 65535:
        raise ValueError(f"not a port range: {first}-{last}")


async def scan_vnc_range(host: str, first: int, last: int, *, timeout: float,
                         max_open: int = 8, total: float | None = None) -> list[ProbeResult]:
    """probe_vnc_port for every port of first..last, concurrently with at most `max_open`
    connections at a time; one result per port, in port order.

    The host name is looked up once. Each port gets its own `timeout`, counted from when
    its connection starts, so the scan takes about one timeout when ports answer or refuse
    at once, and at most ceil(ports / max_open) timeouts when every port is silent. With
    `total`, the whole scan ends by then: ports still waiting for a free socket are
    reported SKIPPED ("not checked in time") rather than making the user wait.
    """
    check_range(first, last)
    if max_open < 1:
        raise ValueError("max_open must be at least 1")
    ports = range(first, last + 1)
    started = time.perf_counter()
    try:
        addresses = await within(resolve(host, first), timeout)
    except (OSError, asyncio.TimeoutError) as error:
        failed = []
        for port in ports:
            rfb = Rfb(host, port, timeout, started=started)
            if isinstance(error, asyncio.TimeoutError):
                rfb.timed_out = True  # in the "resolve" phase: the look-up timed out
            else:
                rfb.error = error
            failed.append(rfb_verdict(rfb))
        return failed
    gate = asyncio.Semaphore(max_open)

    ends = None if total is None else started + total

    async def one(port: int) -> ProbeResult:
        async with gate:
            left = timeout if ends is None else min(timeout, ends - time.perf_counter())
            if left < 0.05:
                return ProbeResult(
                    f"vnc.{port}", SERVICE, format_target(host, port), Status.SKIPPED,
                    # Translators: {time} is the time the whole scan may take, e.g. "5 s".
                    _("Port {port} was not checked: the other ports of the range used up "
                      "the {time}.").format(port=port, time=seconds(total)),
                    details={"problem": "not_checked"})
            return await _probe_vnc(host, port, left, addresses)

    return await gather_all(*(one(port) for port in ports))
