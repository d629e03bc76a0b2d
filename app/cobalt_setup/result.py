"""What every probe returns: a status, one line for people, the fix, timings and details."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Status(str, Enum):
    OK = "ok"
    WARNING = "warning"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class ProbeResult:
    id: str  # stable, e.g. "dns.resolver.127.0.0.1:53"
    service: str  # a services.CATALOGUE id
    target: str
    status: Status
    summary: str
    fix: str = ""
    elapsed_ms: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)


OnResult = Callable[[ProbeResult], None]  # called with each result as it arrives
