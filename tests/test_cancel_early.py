"""A diagnosis cancelled at any early moment (the user leaves the page or quits while the
checks are still being started) ends quietly: no coroutine that was never awaited, nothing
for the loop's exception handler. Either would be logged at some later moment, from the
garbage collector, which is what killed pytest on CPython 3.11.7 (issue 14)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import socket
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cobalt_setup.addresses import Endpoint
from cobalt_setup.checks.diagnosis import run_diagnosis
from cobalt_setup.checks.environment import CheckEnvironment
from cobalt_setup.gathering import gather_all
from cobalt_setup.probes.dns.terms import DnsEnvironment
from cobalt_setup.router.environment import RouterEnvironment
from cobalt_setup.settings import Settings
from lab.sockets import start_silent_listener

WAIT_S = 30.0  # far longer than the test: every check is cut short, never done
EARLY_STEPS = 40  # loop turns after the start at which the diagnosis is cancelled


@pytest.fixture
def silent_dns() -> Iterator[Endpoint]:
    """A bound UDP socket nobody reads: a DNS server that never answers."""
    dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dns.bind(("127.0.0.1", 0))
    try:
        yield Endpoint("127.0.0.1", dns.getsockname()[1])
    finally:
        dns.close()


@pytest.fixture
def silent_setup(silent_dns: Endpoint, tmp_path: Path) -> Iterator[tuple[Settings,
                                                                        CheckEnvironment]]:
    """Settings whose every target is a silent peer on loopback, and checks that wait."""
    peers = [start_silent_listener() for _ in range(3)]

    async def system() -> list[Endpoint]:
        return [silent_dns]

    environment = CheckEnvironment(
        dns=DnsEnvironment(system_resolvers=system, open_cobalt_default=(str(silent_dns),),
                           public=(), deadline=WAIT_S, query_timeout=WAIT_S,
                           discovery_timeout=WAIT_S),
        timeout=WAIT_S, crqt_host="127.0.0.1", crqt_port=silent_dns.port,
        crqt_duration=WAIT_S,
        router=RouterEnvironment(stun_servers=(), interfaces=(), gateway="", timeout=WAIT_S,
                                 records_path=tmp_path / "port-mappings.json"))
    settings = Settings.from_texts({
        ("DNS", "Servers"): str(silent_dns),
        ("DNS", "DispatcherDomain"): "cobalt.test",
        ("SpaceDirectory", "Host"): "127.0.0.1",
        ("SpaceDirectory", "Port"): str(peers[0].port),
        ("Xrfb", "ServerHostAddress"): "127.0.0.1",
        ("Xrfb", "ServerPortNumber"): str(peers[1].port),
        ("Xrfb", "VncPorts"): f"{peers[2].port}-{peers[2].port}",
        ("Chat", "Server"): "127.0.0.1",
        ("Chat", "Port"): str(peers[2].port),
        ("Web", "VersionCheckURL"): f"http://127.0.0.1:{peers[1].port}/version",
    })
    try:
        yield settings, environment
    finally:
        for peer in peers:
            peer.stop()


@pytest.mark.asyncio
async def test_a_diagnosis_cancelled_at_any_early_moment_leaves_nothing_behind(
        silent_setup: tuple[Settings, CheckEnvironment]) -> None:
    settings, environment = silent_setup
    loop = asyncio.get_running_loop()
    unhandled: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: unhandled.append(context))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for steps in range(EARLY_STEPS):
                diagnosis = asyncio.ensure_future(run_diagnosis(settings, environment))
                for _ in range(steps):
                    await asyncio.sleep(0)
                assert not diagnosis.done(), f"the diagnosis ended by itself at step {steps}"
                diagnosis.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await diagnosis
                for _ in range(3):  # let cancelled children finish, then collect them
                    await asyncio.sleep(0)
                gc.collect()
    finally:
        loop.set_exception_handler(None)
    never_awaited = [str(w.message) for w in caught if "never awaited" in str(w.message)]
    assert never_awaited == []
    assert [context.get("message") for context in unhandled] == []


@pytest.mark.asyncio
async def test_gather_all_ends_only_after_every_job_ended() -> None:
    """asyncio.gather returns as soon as one child is cancelled, while a child that takes a
    moment to stop still runs (and could still report); gather_all waits for it."""
    events: list[str] = []

    async def slow_to_stop(name: str) -> None:
        try:
            await asyncio.sleep(WAIT_S)
        finally:
            await asyncio.sleep(0.05)  # closing a connection, say
            events.append(f"{name} ended")

    async def fails() -> None:
        await asyncio.sleep(0.01)
        raise OSError("refused")

    cancelled = asyncio.ensure_future(gather_all(slow_to_stop("a"), slow_to_stop("b")))
    await asyncio.sleep(0.01)
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert events == ["a ended", "b ended"]

    events.clear()
    with pytest.raises(OSError, match="refused"):
        await gather_all(slow_to_stop("c"), fails())
    assert events == ["c ended"]
