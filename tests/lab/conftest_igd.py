"""pytest fixtures for the lab's simulated home routers (see lab/igd_simulator.py).

Registered in tests/conftest.py as the plugin `lab.conftest_igd`. The simulator needs
nothing installed (aiohttp and defusedxml are the product's own dependencies), so nothing
here skips. Each router starts in a few milliseconds, so every test gets fresh ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from lab.igd_simulator import IgdQuirks, IgdSimulator

__all__ = ["igd_simulator"]


@pytest.fixture
def igd_simulator() -> Iterator[Callable[..., IgdSimulator]]:
    """A factory: `igd_simulator(**quirks)` (or `igd_simulator(IgdQuirks(...))`) starts a
    simulated router and returns it; call it twice for two routers answering. Every router
    started is stopped at teardown."""
    started: list[IgdSimulator] = []

    def start(quirks: IgdQuirks | None = None, **options: Any) -> IgdSimulator:
        simulator = IgdSimulator(quirks, **options)
        started.append(simulator)
        return simulator.start()

    yield start
    for simulator in reversed(started):
        simulator.stop()
