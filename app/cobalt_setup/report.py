"""A diagnosis as JSON (for tools; schema below, kept stable) or Markdown (for people).

The JSON schema is part of the product's interface: fields are added, never renamed or
removed. The README documents it; the tests validate every report against SCHEMA.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cobalt_setup import __version__
from cobalt_setup.checks.outcomes import OUTCOME_IDS, Outcome, outcomes
from cobalt_setup.i18n import N_, _
from cobalt_setup.result import ProbeResult, Status
from cobalt_setup.services import REPORTED_SERVICES, service_name
from cobalt_setup.settings import FIELDS

if TYPE_CHECKING:
    from cobalt_setup.checks.diagnosis import Diagnosis

TOOL_NAME = "cobalt-setup"
STATUSES = tuple(status.value for status in Status)

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "cobalt-setup diagnose --json",
    "type": "object",
    "required": ["tool", "started", "elapsed_ms", "settings", "checks"],
    "properties": {
        "tool": {"type": "object", "required": ["name", "version"],
                 "properties": {"name": {"const": TOOL_NAME}, "version": {"type": "string"}}},
        "started": {"type": "string", "format": "date-time"},
        "elapsed_ms": {"type": "number", "minimum": 0},
        "settings": {"type": "object", "additionalProperties": {
            "type": "object", "additionalProperties": {"type": "string"}}},
        "outcomes": {"type": "array", "items": {
            "type": "object",
            "required": ["id", "status", "summary", "fix", "because"],
            "properties": {
                "id": {"enum": list(OUTCOME_IDS)},
                "status": {"enum": list(STATUSES)},
                "summary": {"type": "string", "minLength": 1},
                "fix": {"type": "string"},
                "because": {"type": "array", "items": {"type": "string"}},
            }}},
        "checks": {"type": "array", "items": {
            "type": "object",
            "required": ["id", "service", "target", "status", "summary", "fix", "elapsed_ms",
                         "details"],
            "properties": {
                "id": {"type": "string", "minLength": 1},
                "service": {"enum": list(REPORTED_SERVICES)},
                "target": {"type": "string"},
                "status": {"enum": list(STATUSES)},
                "summary": {"type": "string", "minLength": 1},
                "fix": {"type": "string"},
                "elapsed_ms": {"type": "number", "minimum": 0},
                "details": {"type": "object"},
            }}},
    },
}

# The statuses in words for people: look up, then translate with _().
STATUS_WORDS = {
    # Translators: the status of a check that passed.
    Status.OK: N_("OK"),
    # Translators: the status of a check that found something to look at.
    Status.WARNING: N_("Warning"),
    # Translators: the status of a check that failed.
    Status.FAILED: N_("Problem"),
    # Translators: the status of a check that did not run.
    Status.SKIPPED: N_("Not run"),
}


def status_words(status: Status) -> str:
    """A check's status as people read it, in their language: Status.FAILED -> "Problem"."""
    return _(STATUS_WORDS[status])


def check_dict(check: ProbeResult) -> dict[str, Any]:
    return {"id": check.id, "service": check.service, "target": check.target,
            "status": check.status.value, "summary": check.summary, "fix": check.fix,
            "elapsed_ms": round(max(check.elapsed_ms, 0.0), 1),
            "details": json.loads(json.dumps(check.details, default=str))}


def settings_dict(diagnosis: Diagnosis) -> dict[str, dict[str, str]]:
    """The settings as the INI file spells them: {section: {key: text}}."""
    texts = diagnosis.settings.texts()
    found: dict[str, dict[str, str]] = {}
    for field in FIELDS:
        found.setdefault(field.section, {})[field.key] = texts[field.id]
    return found


def diagnosis_dict(diagnosis: Diagnosis) -> dict[str, Any]:
    return {
        "tool": {"name": TOOL_NAME, "version": __version__},
        "started": diagnosis.started.isoformat(),
        "elapsed_ms": round(diagnosis.elapsed_ms, 1),
        "settings": settings_dict(diagnosis),
        "outcomes": [outcome.as_dict() for outcome in diagnosis_outcomes(diagnosis)],
        "checks": [check_dict(check) for check in diagnosis.checks],
    }


def diagnosis_outcomes(diagnosis: Diagnosis) -> list[Outcome]:
    return outcomes(diagnosis.checks, diagnosis.settings)


def diagnosis_json(diagnosis: Diagnosis) -> str:
    return json.dumps(diagnosis_dict(diagnosis), indent=2, ensure_ascii=False)


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell or list item (no table or HTML breaks)."""
    return " ".join(text.replace("|", "\\|").replace("<", "&lt;").split())


def diagnosis_markdown(diagnosis: Diagnosis) -> str:
    """For a support ticket or a forum post: a headline, then each service's checks."""
    checks = diagnosis.checks
    counts = {status: sum(1 for c in checks if c.status is status) for status in Status}
    lines = [
        # Translators: the title of the diagnosis report (Markdown).
        "# " + _("Open Cobalt network diagnosis"),
        "",
        # Translators: the report's headline, e.g. "cobalt-setup 1.0,
        # 2024-05-01T10:00:00+00:00, 3.2 s: 9 OK, 1 warnings, 0 problems, 2 not
        # run." {tool} is the program's name.
        _("{tool} {version}, {started}, {seconds:.1f} s: {ok} OK, {warnings} warnings, "
          "{problems} problems, {skipped} not run.").format(
            tool=TOOL_NAME, version=__version__, started=diagnosis.started.isoformat(),
            seconds=diagnosis.elapsed_ms / 1000, ok=counts[Status.OK],
            warnings=counts[Status.WARNING], problems=counts[Status.FAILED],
            skipped=counts[Status.SKIPPED]),
    ]
    # Translators: the heading of the report's four answers (can I join spaces, ...)
    lines += ["", "## " + _("Answers"), ""]
    for outcome in diagnosis_outcomes(diagnosis):
        lines.append(f"- **{status_words(outcome.status)}**: {_cell(outcome.summary)}")
        if outcome.fix:
            lines.append("  - " + _("Fix: {fix}").format(fix=_cell(outcome.fix)))
    for service, group in diagnosis.by_service().items():
        lines += ["", f"## {service_name(service)}", ""]
        for check in group:
            lines.append(f"- **{status_words(check.status)}**: {_cell(check.summary)}")
            if check.fix and check.status in (Status.WARNING, Status.FAILED):
                # Translators: what to do about a check's finding; {fix} is whole
                # sentences.
                lines.append("  - " + _("Fix: {fix}").format(fix=_cell(check.fix)))
    # Translators: a column heading of the report's settings table: the INI
    # file's section.
    section_heading = _("section")
    # Translators: a column heading of the report's settings table: the
    # setting's name.
    key_heading = _("key")
    # Translators: a column heading of the report's settings table: the
    # setting's value.
    value_heading = _("value")
    # Translators: the heading of the report's table of settings.
    lines += ["", "## " + _("Settings"), "",
              f"| {section_heading} | {key_heading} | {value_heading} |", "|---|---|---|"]
    # Translators: in the report's settings table, a setting that has no
    # value.
    empty = _("(empty)")
    for section, keys in settings_dict(diagnosis).items():
        for key, value in keys.items():
            lines.append(f"| {section} | {key} | {_cell(value) or empty} |")
    return "\n".join(lines) + "\n"
