"""Hairpin: after forwarding, connect from this computer to the router's external address
on a forwarded TeaTime port, and see whether the connection comes back to a listener here.

Many routers do not loop such a connection back (NAT loopback, or hairpinning); that is
common and no problem for friends outside, so it is said as such, never as a failure. A
connection that does come back proves the whole forwarding path through the router.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time

from cobalt_setup.i18n import _
from cobalt_setup.result import ProbeResult, Status
from cobalt_setup.router.environment import RouterEnvironment
from cobalt_setup.router.forwarding import ForwardOutcome
from cobalt_setup.router.status import Nat, classify
from cobalt_setup.time_limit import within


async def probe_hairpin(external_address: str, port: int, *, timeout: float) -> ProbeResult:
    """Listen on `port` here, connect to external_address:port, wait for it to arrive."""
    started = time.perf_counter()
    target = f"{external_address}:{port}"
    details: dict[str, object] = {"external_address": external_address, "port": port}

    def result(status: Status, summary: str) -> ProbeResult:
        return ProbeResult("router.hairpin", "teatime", target, status, summary, "",
                           (time.perf_counter() - started) * 1000, details)

    arrived = asyncio.Event()

    async def came_back(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        arrived.set()
        writer.close()

    try:
        listener = await asyncio.start_server(came_back, "0.0.0.0", port,
                                              family=socket.AF_INET)
    except OSError:
        return result(Status.SKIPPED, _(
            "Port {port} is in use on this computer (Open Cobalt may be running), so the "
            "wizard did not test the forwarding from here.").format(port=port))
    writer: asyncio.StreamWriter | None = None
    try:
        _reader, writer = await within(asyncio.open_connection(external_address, port),
                                       timeout)
        await within(arrived.wait(), max(0.05, timeout - (time.perf_counter() - started)))
    except (OSError, TimeoutError):
        return result(Status.SKIPPED, _(
            "Your router does not loop back a connection from inside to its public address "
            "{target} (common, not a problem): friends outside are not affected, but this "
            "computer cannot test the forwarding itself.").format(target=target))
    finally:
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
        listener.close()
        await listener.wait_closed()
    return result(Status.OK, _(
        "A connection to the router's public address {target} came back to this computer: "
        "the forwarding works all the way through the router.").format(target=target))


async def hairpin_after(outcome: ForwardOutcome, external_address: str | None,
                        env: RouterEnvironment) -> ProbeResult | None:
    """The hairpin test on the first port just forwarded, when forwarding worked and the
    router has a public address; None otherwise (nothing to test)."""
    if not env.hairpin or not outcome.ok or classify(external_address) is not Nat.PUBLIC:
        return None
    done = [port for port in outcome.ports if port.state in ("added", "already")]
    if not done or external_address is None:
        return None
    return await probe_hairpin(external_address, done[0].external_port or done[0].port,
                               timeout=env.timeout)
