"""A UDP "router" on loopback that answers as a test's script says: for the NAT-PMP and PCP
answers a real daemon cannot be made to give (every result code, strays, garbage, silence,
answers to another request). The real miniupnpd in the router lab covers the rest."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import cast

Replies = Callable[[bytes, int], list[bytes]]  # (request, how many so far) -> datagrams to send


class FakeRouter(asyncio.DatagramProtocol):
    """Records every request and answers with whatever the test's script says."""

    def __init__(self, replies: Replies) -> None:
        self.replies = replies
        self.requests: list[bytes] = []
        self.clients: list[tuple[str, int]] = []
        self.first_request = asyncio.Event()
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # asyncio's UDP transport is not a DatagramTransport subclass on 3.11, so no isinstance
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.requests.append(data)
        self.clients.append(addr)
        self.first_request.set()
        assert self.transport is not None
        for reply in self.replies(data, len(self.requests)):
            self.transport.sendto(reply, addr)


@contextlib.asynccontextmanager
async def fake_router(replies: Replies) -> AsyncIterator[tuple[FakeRouter, int]]:
    """The router and its port, closed at the end."""
    loop = asyncio.get_running_loop()
    transport, router = await loop.create_datagram_endpoint(
        lambda: FakeRouter(replies), local_addr=("127.0.0.1", 0))
    try:
        yield router, transport.get_extra_info("sockname")[1]
    finally:
        transport.close()
