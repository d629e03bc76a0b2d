"""`within`: a step that takes too long ends with TimeoutError, and a check stopped while one
of its lookups fails leaves no "Task exception was never retrieved" behind."""

from __future__ import annotations

import asyncio
import gc
import time
from typing import Any

import pytest

from cobalt_setup.time_limit import within

pytestmark = pytest.mark.asyncio


async def test_a_step_that_takes_too_long_is_stopped_at_its_limit() -> None:
    stopped = asyncio.Event()

    async def slow() -> None:
        try:
            await asyncio.sleep(30)
        finally:
            stopped.set()

    started = time.perf_counter()
    with pytest.raises(asyncio.TimeoutError):
        await within(slow(), 0.2)
    assert 0.15 < time.perf_counter() - started < 2
    assert stopped.is_set()  # the step has ended, not only been asked to


async def test_a_step_in_time_gives_its_result_and_its_own_error() -> None:
    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    async def fails() -> None:
        raise LookupError("no such name")

    assert await within(answer(), 5) == 42
    with pytest.raises(LookupError):
        await within(fails(), 5)


async def test_stopping_a_check_whose_lookup_fails_as_it_stops_logs_nothing() -> None:
    """What the DNS page met when the user left it as a dispatcher lookup timed out: the
    lookups run in a gather, one of them ends with its own error while being cancelled."""
    logged: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _loop, context: logged.append(context))

    async def lookup_that_fails_while_cancelled() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            raise LookupError("the resolution lifetime expired") from None

    async def lookups() -> None:
        await asyncio.gather(lookup_that_fails_while_cancelled())

    check = asyncio.create_task(within(lookups(), 10))
    await asyncio.sleep(0.05)
    check.cancel()
    with pytest.raises((asyncio.CancelledError, LookupError)):
        await check
    gc.collect()
    await asyncio.sleep(0)
    loop.set_exception_handler(None)
    assert logged == []
