"""pytest fixtures for the lab's misbehaving TCP peers (see lab/sockets.py for each one).

Import into a test module with `from lab.conftest_sockets import *  # noqa: F403`
(the module's __all__ lists the fixtures; importing them by name makes ruff report F811
wherever a test takes one as an argument).
All are function-scoped and stopped at teardown; they need nothing installed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from lab import sockets
from lab.sockets import Peer

__all__ = [
    "big_http_server", "closed_port", "full_listener", "garbage_listener", "http_server",
    "silent_listener", "trickle_listener",
]


@pytest.fixture
def http_server() -> Iterator[Peer]:
    """A real http.server on loopback answering GET with 200 and a small page."""
    peer = sockets.start_http_server()
    yield peer
    peer.stop()


@pytest.fixture
def big_http_server() -> Iterator[Peer]:
    """An HTTP server answering every request, even a malformed one, with 200 and a 10 MiB
    body (sockets.BIG_BODY_SIZE)."""
    peer = sockets.start_http_server(big=True)
    yield peer
    peer.stop()


@pytest.fixture
def silent_listener() -> Iterator[Peer]:
    """Accepts connections and never says anything."""
    peer = sockets.start_silent_listener()
    yield peer
    peer.stop()


@pytest.fixture
def garbage_listener() -> Iterator[Callable[[bytes], Peer]]:
    """A factory: `garbage_listener(data)` starts a peer that sends `data` on accept and then
    waits. Every peer started is stopped at teardown."""
    started: list[Peer] = []

    def start(data: bytes) -> Peer:
        peer = sockets.start_garbage_listener(data)
        started.append(peer)
        return peer

    yield start
    for peer in started:
        peer.stop()


@pytest.fixture
def trickle_listener() -> Iterator[Peer]:
    """Sends one byte per second ('0', which to an LDAP client looks like a message start)."""
    peer = sockets.start_trickle_listener()
    yield peer
    peer.stop()


@pytest.fixture
def closed_port() -> int:
    """A loopback port (on 127.0.0.1) that nothing listens on."""
    return sockets.closed_port()


@pytest.fixture
def full_listener() -> Iterator[Peer]:
    """A port whose accept queue is full: connecting to it times out (no answer at all)."""
    peer = sockets.start_full_listener()
    yield peer
    peer.stop()
