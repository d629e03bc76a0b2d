"""Which DNS resolvers Open Cobalt should use: latency, reliability and honesty, measured
(`measure`) and judged (`ranking`).

Every candidate resolver is asked the names Open Cobalt needs, one query at a time with its
own timeout, all candidates at once, under one overall deadline that holds even when every
server is silent.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence

# Re-exported: the check's callers find every name here.
from cobalt_setup.probes.dns.measure import (
    DNS_PORT,
    BenchmarkPlan,
    ResolverCandidate,
    ResolverStats,
    measure_resolver,
)
from cobalt_setup.probes.dns.ranking import (
    RankedResolver,
    Recommendation,
    ResolverRanking,
    rank,
    same_speed,
)
from cobalt_setup.probes.dns.terms import (
    DEFAULT_DEADLINE_S,
    DEFAULT_QUERY_TIMEOUT_S,
    VERDICT_WORDS,
    Source,
    Verdict,
    verdict_words,
)


async def benchmark_resolvers(
    candidates: Sequence[ResolverCandidate],
    plan: BenchmarkPlan,
    on_progress: Callable[[ResolverStats], None] | None = None,
) -> ResolverRanking:
    """Measure every candidate at once; returns when all are done or the deadline passes."""
    started = time.monotonic()
    deadline = started + plan.deadline
    all_stats = [ResolverStats(candidate) for candidate in _unique(candidates)]
    tasks = [asyncio.ensure_future(measure_resolver(stats, plan, deadline, on_progress))
             for stats in all_stats]
    deadline_hit = False
    try:
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=plan.deadline)
            deadline_hit = bool(pending)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return rank(all_stats, plan, time.monotonic() - started, deadline_hit)


def _unique(candidates: Sequence[ResolverCandidate]) -> list[ResolverCandidate]:
    seen: set[tuple[str, int]] = set()
    unique = []
    for candidate in candidates:
        key = (candidate.host, candidate.port)
        if key not in seen:
            seen.add(key)
            unique.append(candidate)
    return unique


__all__ = ["DEFAULT_DEADLINE_S", "DEFAULT_QUERY_TIMEOUT_S", "DNS_PORT", "VERDICT_WORDS",
           "BenchmarkPlan", "RankedResolver", "Recommendation", "ResolverCandidate",
           "ResolverRanking", "ResolverStats", "Source", "Verdict", "benchmark_resolvers",
           "rank", "same_speed", "verdict_words"]
