"""`cobalt-setup diagnose`: every check of every service, from a terminal or over SSH.

A live line per result goes to stderr when it is a terminal; the report (text, --json or
--markdown) goes to stdout. Exit 0 when no check failed, 1 when one did, 2 for bad usage.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import dns.asyncbackend

from cobalt_setup.checks.environment import DEFAULT_TIMEOUT_S, CheckEnvironment
from cobalt_setup.i18n import _
from cobalt_setup.report import (
    diagnosis_json,
    diagnosis_markdown,
    diagnosis_outcomes,
    status_words,
)
from cobalt_setup.result import ProbeResult, Status
from cobalt_setup.services import SERVICES, service_name

if TYPE_CHECKING:
    from cobalt_setup.checks.diagnosis import Diagnosis
    from cobalt_setup.checks.preference_files import SettingsRead

EXIT_OK, EXIT_PROBLEMS = 0, 1


def add_diagnose_command(commands: Any, common: Callable[[argparse.ArgumentParser], None]
                         ) -> None:
    diagnose = commands.add_parser(
        "diagnose", help="check every service Open Cobalt needs with the current settings")
    diagnose.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="SECONDS",
                          help="how long each check may wait for an answer (default 3)")
    diagnose.add_argument("--only", metavar="SERVICE[,SERVICE]",
                          help=f"check only these services ({', '.join(SERVICES)})")
    output = diagnose.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print one JSON object")
    output.add_argument("--markdown", action="store_true",
                        help="print Markdown, for a support ticket or a forum post")
    common(diagnose)


def _progress_line(result: ProbeResult) -> None:
    print(f"  {status_words(result.status):<8} {result.service:<8} {result.summary}",
          file=sys.stderr, flush=True)


def diagnosis_text(diagnosis: Diagnosis) -> str:
    """The answers first (can I join spaces, chat, share apps, be reached), then each
    service's checks."""
    # Translators: the heading of the four answers printed by `cobalt-setup diagnose`
    lines = [_("Answers")]
    for outcome in diagnosis_outcomes(diagnosis):
        lines.append(f"  [{status_words(outcome.status)}] {outcome.summary}")
        if outcome.fix:
            lines.append("      " + _("Fix: {fix}").format(fix=outcome.fix))
    lines.append("")
    for service, checks in diagnosis.by_service().items():
        lines.append(service_name(service))
        for check in checks:
            lines.append(f"  [{status_words(check.status)}] {check.summary}")
            if check.fix and check.status in (Status.WARNING, Status.FAILED):
                # Translators: what to do about a check's finding; {fix} is whole
                # sentences.
                lines.append("      " + _("Fix: {fix}").format(fix=check.fix))
    failed = sum(1 for check in diagnosis.checks if check.status is Status.FAILED)
    count, seconds = len(diagnosis.checks), diagnosis.elapsed_ms / 1000
    if failed:
        # Translators: the last line of `cobalt-setup diagnose`; {failed} is a
        # number of checks.
        lines.append(_("{count} checks in {seconds:.1f} s: {failed} found a problem.").format(
            count=count, seconds=seconds, failed=failed))
    else:
        # Translators: the last line of `cobalt-setup diagnose`.
        lines.append(_("{count} checks in {seconds:.1f} s: no problem found.").format(
            count=count, seconds=seconds))
    return "\n".join(lines)


def run_diagnose(args: argparse.Namespace, read: SettingsRead,
                 environment: CheckEnvironment | None = None) -> int:
    """Run the diagnosis for the settings on disk (whatever state the files are in: what
    they say about themselves heads the report); raises ValueError for bad usage only."""
    # Loaded here, not at the top: `cobalt-setup --version` and the wizard start faster.
    from cobalt_setup.checks.diagnosis import parse_services, run_diagnosis

    if not 0.1 <= args.timeout <= 60:
        # Translators: an error on the command line; keep --timeout as it is
        raise ValueError(_("--timeout {timeout}: give 0.1 to 60 seconds").format(
            timeout=f"{args.timeout:g}"))
    only = parse_services(args.only) if args.only else None
    settings = read.settings
    if environment is None:
        environment = CheckEnvironment.with_timeout(args.timeout)
    progress = _progress_line if sys.stderr.isatty() else None
    dns.asyncbackend.set_default_backend("asyncio")
    if progress is not None:
        for check in read.checks:
            progress(check)
    diagnosis = asyncio.run(run_diagnosis(settings, environment, only, progress))
    diagnosis.checks[:0] = read.checks
    if args.json:
        print(diagnosis_json(diagnosis))
    elif args.markdown:
        print(diagnosis_markdown(diagnosis), end="")
    else:
        print(diagnosis_text(diagnosis))
    return EXIT_PROBLEMS if diagnosis.worst is Status.FAILED else EXIT_OK

