"""Benchmark: the TCP kit's cost as the work grows, on loopback only.

TeaTime's outgoing check makes one kit connection per port (10 at a time): ranges of 10,
100 and 1000 ports, all refused, then all accepted by a listener on each port. Then the
sniffer and the classification on 1, 10 and 100 connections to one peer that speaks. Prints
wall time and peak traced memory per size; the time per port should stay flat.
Run: `.venv/bin/python tests/benchmarks/bench_tcp_kit.py`.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cobalt_setup.probes.peer import identify
from cobalt_setup.probes.tcp import Exchange, open_stream, outcome, read_some
from cobalt_setup.probes.teatime import probe_teatime_outgoing
from lab.ports import free_port_block

HOST = "127.0.0.1"


def _listeners(first: int, count: int) -> list[socket.socket]:
    sockets = []
    for port in range(first, first + count):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, port))
        sock.listen(64)
        sockets.append(sock)
    return sockets


async def _scan(count: int, listening: bool) -> tuple[float, int, str]:
    first = free_port_block(count)
    sockets = _listeners(first, count) if listening else []
    try:
        tracemalloc.start()
        started = time.perf_counter()
        result = await probe_teatime_outgoing(HOST, first, first + count - 1, timeout=2.0)
        elapsed = time.perf_counter() - started
        _now, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        for sock in sockets:
            sock.close()
    states = {str(entry["state"]) for entry in result.details["ports"]}
    return elapsed, peak, ",".join(sorted(states))


async def _talks(count: int) -> tuple[float, str]:
    async def greet(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"SSH-2.0-OpenSSH_9.6\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(greet, HOST, 0)
    port = server.sockets[0].getsockname()[1]

    async def one() -> str:
        exchange = Exchange(HOST, port, 2.0)
        reader, writer = await open_stream(exchange)
        while await read_some(reader, exchange, 4096):
            pass
        writer.transport.abort()
        return f"{outcome(exchange).value}/{identify(exchange.data).kind}"

    started = time.perf_counter()
    kinds = await asyncio.gather(*(one() for _ in range(count)))
    elapsed = time.perf_counter() - started
    server.close()
    await server.wait_closed()
    return elapsed, ",".join(sorted(set(kinds)))


async def main() -> None:
    print("TeaTime outgoing (one kit connection per port, 10 at a time)")
    for listening in (False, True):
        for count in (10, 100, 1000):
            elapsed, peak, states = await _scan(count, listening)
            print(f"  {count:5d} ports {'listening' if listening else 'refused  '}: "
                  f"{elapsed * 1000:8.1f} ms, {elapsed / count * 1e6:7.1f} us/port, "
                  f"peak {peak / 1024:7.1f} KiB ({states})")
    print("Connect, read, classify, sniff (all at once)")
    for count in (1, 10, 100):
        elapsed, kinds = await _talks(count)
        print(f"  {count:5d} connections: {elapsed * 1000:8.1f} ms, "
              f"{elapsed / count * 1e3:6.2f} ms each ({kinds})")


if __name__ == "__main__":
    asyncio.run(main())
