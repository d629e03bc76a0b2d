"""Every check of every service at once, for the current settings: the troubleshooting run.

`cobalt-setup diagnose`, the Summary page and the Welcome page's "Check my current setup"
all call `run_diagnosis`; the report module turns its result into JSON or Markdown.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial

from cobalt_setup.checks.environment import CheckEnvironment
from cobalt_setup.checks.services import OnResult, run_reporting
from cobalt_setup.checks.table import CHECKS, Shared
from cobalt_setup.i18n import _
from cobalt_setup.result import ProbeResult, Status
from cobalt_setup.services import REPORTED_SERVICES, SERVICES
from cobalt_setup.settings import Settings

__all__ = ["SERVICES", "Diagnosis", "parse_services", "run_diagnosis"]



@dataclass
class Diagnosis:
    started: datetime
    settings: Settings
    checks: list[ProbeResult] = field(default_factory=list)
    elapsed_ms: float = 0.0

    def by_service(self) -> dict[str, list[ProbeResult]]:
        """The checks grouped by service, the settings files first, then in SERVICES order
        (services with none left out)."""
        groups: dict[str, list[ProbeResult]] = {service: [] for service in REPORTED_SERVICES}
        for check in self.checks:
            groups.setdefault(check.service, []).append(check)
        return {service: checks for service, checks in groups.items() if checks}

    @property
    def worst(self) -> Status:
        statuses = {check.status for check in self.checks}
        for status in (Status.FAILED, Status.WARNING, Status.OK):
            if status in statuses:
                return status
        return Status.SKIPPED


def parse_services(text: str) -> set[str]:
    """`--only ldap,xmpp` -> {"ldap", "xmpp"}; ValueError naming what is unknown."""
    wanted = {part.strip().lower() for part in text.split(",") if part.strip()}
    unknown = sorted(wanted - set(SERVICES))
    if unknown or not wanted:
        # Translators: after --only, the user named no service at all.
        named = ", ".join(unknown) or _("(none)")
        # Translators: {text} is what the user gave after --only, {unknown} and
        # {services} lists of service ids such as "ldap, xmpp" (ids stay as they
        # are).
        raise ValueError(_("--only {text}: unknown service {unknown}; choose from {services}")
                         .format(text=text, unknown=named, services=", ".join(SERVICES)))
    return wanted


async def run_diagnosis(settings: Settings, environment: CheckEnvironment,
                        only: Iterable[str] | None = None,
                        on_result: OnResult | None = None) -> Diagnosis:
    """Run the checks of every service (or of `only`) concurrently; report each result as it
    arrives. Each check keeps its own timeout, so the whole run takes about the longest."""
    wanted = set(only) if only is not None else set(SERVICES)
    diagnosis = Diagnosis(datetime.now(timezone.utc).replace(microsecond=0), settings)
    started = time.perf_counter()

    def report(result: ProbeResult) -> None:
        if result.service in wanted and on_result is not None:
            on_result(result)

    shared = Shared(settings, environment)
    chosen = [partial(check.run, settings, environment, shared) for check in CHECKS
              if set(check.services) & wanted]
    try:
        results = await run_reporting(chosen, report)
    finally:
        await shared.close()
    diagnosis.checks = [result for result in results if result.service in wanted]
    order = {service: index for index, service in enumerate(SERVICES)}
    diagnosis.checks.sort(key=lambda result: order.get(result.service, len(order)))
    diagnosis.elapsed_ms = (time.perf_counter() - started) * 1000
    return diagnosis
