"""`gather_all(*jobs)`: run jobs at once and never return before every one of them has ended.

Hand-written (20 lines) because neither tool in asyncio fits. `asyncio.gather` completes as
soon as one child is cancelled or fails, while the other children still run: a page that
cancels a check and then waits for it would go on while those children may still report
into it, and a test sees "a task was still running". `asyncio.TaskGroup` (3.11+) waits, but
wraps every failure in an ExceptionGroup, so callers could no longer catch the OSError or
TimeoutError a job raises, and 3.10 does not have it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

T = TypeVar("T")


async def gather_all(*jobs: Awaitable[T]) -> list[T]:
    """Every job's result, in order. If one fails or the caller is cancelled, the others
    are cancelled and awaited to their end before the failure (or CancelledError) goes on."""
    tasks: list[asyncio.Future[Any]] = [asyncio.ensure_future(job) for job in jobs]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        # With return_exceptions, gather waits for every child, even when cancelled again;
        # what the others raised is theirs to lose: the first failure is the one that counts.
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
