"""`within(job, seconds)`: the one way the core limits how long a step may take.

Why not `asyncio.wait_for`: on CPython 3.11 it runs the job in a task of its own, and when
the caller is cancelled (the user leaves a page) while that job ends with an exception of
its own instead of CancelledError (a `gather` whose child failed as it was cancelled, a
`finally` that raises), `wait_for` re-raises CancelledError and never retrieves the job's
exception. The garbage collector then logs "Task exception was never retrieved" at some
later moment; on 3.11.7 such a log inside `ast.parse` is what killed pytest (gh-106905).
`asyncio.timeout` (3.11+) runs the job in the caller's own task, so there is no second task
to leak. 3.10 has no `asyncio.timeout`; its `wait_for` does not leak this way.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def within(job: Awaitable[T], seconds: float) -> T:
    """`await job`, raising TimeoutError (an asyncio.TimeoutError) after `seconds`."""
    if sys.version_info < (3, 11):
        return await asyncio.wait_for(job, seconds)
    async with asyncio.timeout(max(0.0, seconds)):
        return await job


class Deadline:
    """One time limit shared by the steps of a check (a name look-up, then a connection):
    each step gets what is left, so the whole check ends within its timeout however the
    time is spent. `left()` never gives less than `floor`, so a last step can still tell
    a silent peer from one that answers at once."""

    def __init__(self, seconds: float, floor: float = 0.05) -> None:
        self.ends = time.monotonic() + seconds
        self.floor = floor

    def left(self) -> float:
        return max(self.floor, self.ends - time.monotonic())
