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
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def within(job: Awaitable[T], seconds: float) -> T:
    """`await job`, raising TimeoutError (an asyncio.TimeoutError) after `seconds`."""
    if sys.version_info < (3, 11):
        return await asyncio.wait_for(job, seconds)
    async with asyncio.timeout(max(0.0, seconds)):
        return await job
