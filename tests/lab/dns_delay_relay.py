"""A test helper: relay DNS queries over UDP to one upstream server, slower or lossier.

    python dns_delay_relay.py --listen 127.0.0.1:P --upstream 127.0.0.1:Q \
        --delay-ms 150 [--drop-every N] [--parent-pid PID]

The test lab needs a "slow" and an "unreliable" DNS server for the resolver benchmark, and
no packaged DNS server (dnsmasq, unbound) can add latency or drop a fraction of queries;
on loopback there is no link to shape either (tc/netem would need a network namespace and
the sch_netem kernel module). So this script stands between a client and a real dnsmasq:

- every query received on --listen is held for --delay-ms, then sent to --upstream from a
  fresh socket, and the upstream's answer is sent back to the client unchanged;
- with --drop-every N, the Nth, 2Nth, ... query received is silently dropped (no answer, as
  a lossy link would); the count is deterministic, so any N consecutive queries lose one.

UDP only: a TCP query to the listen port is refused. Bounded on purpose: it talks only to
loopback, relays only to its one upstream, gives up on an upstream answer after 2 s, and
exits on SIGTERM/SIGINT or within 0.2 s of the process that started it going away
(--parent-pid: the test process, so a relay never outlives a killed pytest).
Standard library only, so it runs under any Python 3.10+.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import os
import signal
import sys
from typing import cast

UPSTREAM_TIMEOUT = 2.0
MAX_DATAGRAM = 65535


def loopback_endpoint(text: str) -> tuple[str, int]:
    """Parse HOST:PORT, accepting only a loopback IPv4 address."""
    host, _, port = text.rpartition(":")
    try:
        address = ipaddress.IPv4Address(host)
        number = int(port)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected IPV4:PORT, got {text!r}") from None
    if not address.is_loopback:
        raise argparse.ArgumentTypeError(f"{host} is not a loopback address")
    if not 0 < number < 65536:
        raise argparse.ArgumentTypeError(f"bad port in {text!r}")
    return host, number


class _UpstreamAnswer(asyncio.DatagramProtocol):
    """One query's connected socket to the upstream: keeps the first answer."""

    def __init__(self) -> None:
        self.answer: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if not self.answer.done():
            self.answer.set_result(data)

    def error_received(self, exc: Exception) -> None:  # e.g. upstream port closed (ICMP)
        if not self.answer.done():
            self.answer.set_exception(exc)


class Relay(asyncio.DatagramProtocol):
    def __init__(self, upstream: tuple[str, int], delay: float, drop_every: int) -> None:
        self.upstream = upstream
        self.delay = delay
        self.drop_every = drop_every
        self.received = 0
        self.transport: asyncio.DatagramTransport | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.received += 1
        if self.drop_every and self.received % self.drop_every == 0:
            return  # lost on the way
        task = asyncio.get_running_loop().create_task(self.relay(data, addr))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def relay(self, query: bytes, client: tuple[str, int]) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        loop = asyncio.get_running_loop()
        transport, protocol = await loop.create_datagram_endpoint(
            _UpstreamAnswer, remote_addr=self.upstream)
        try:
            transport.sendto(query)
            answer = await asyncio.wait_for(protocol.answer, UPSTREAM_TIMEOUT)
        except (OSError, asyncio.TimeoutError):
            return  # the client times out, as it would with a dead upstream
        finally:
            transport.close()
        if self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(answer, client)


async def watch_parent(stop: asyncio.Event, parent: int) -> None:
    while not stop.is_set():
        if os.getppid() != parent:
            stop.set()
            return
        await asyncio.sleep(0.2)


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", type=loopback_endpoint, required=True)
    parser.add_argument("--upstream", type=loopback_endpoint, required=True)
    parser.add_argument("--delay-ms", type=float, default=0.0)
    parser.add_argument("--drop-every", type=int, default=0,
                        help="silently drop every Nth query received (0: drop none)")
    parser.add_argument("--parent-pid", type=int, default=os.getppid(),
                        help="exit when this process is no longer our parent")
    args = parser.parse_args(argv)
    if args.delay_ms < 0 or args.drop_every < 0:
        parser.error("--delay-ms and --drop-every must not be negative")

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    transport, relay = await loop.create_datagram_endpoint(
        lambda: Relay(args.upstream, args.delay_ms / 1000.0, args.drop_every),
        local_addr=args.listen)
    watcher = loop.create_task(watch_parent(stop, args.parent_pid))
    try:
        await stop.wait()
    finally:
        transport.close()
        watcher.cancel()
        for task in list(relay.tasks):
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
