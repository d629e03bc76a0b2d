"""The settings a troubleshooting run checks with, whatever state the files are in.

A diagnosis never stops before it has checked: a missing Open Cobalt folder, an INI that
cannot be read, a cobalt-router.conf that cannot be used or a value that breaks its rule
each become one check of the "settings" group, with its reason, and the run goes on with
Open Cobalt's defaults in their place. Only the command line's own options are refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cobalt_setup.i18n import _
from cobalt_setup.prefs.general_ini import IniContents, IniReadError, read_general_ini
from cobalt_setup.prefs.router_conf import ROUTER_CONF_RELATIVE_PATH
from cobalt_setup.prefs.store import (
    CurrentPreferences,
    PreferenceFiles,
    PrefsReadError,
    load_router_conf,
)
from cobalt_setup.result import ProbeResult, Status
from cobalt_setup.services import SETTINGS_FILES
from cobalt_setup.settings import (
    FIELDS_BY_ID,
    ROUTER_CONF_FIELDS,
    Field,
    Settings,
    SettingsInvalid,
)


@dataclass
class SettingsRead:
    """The settings to check with, and what was found out about the files on the way."""

    settings: Settings
    checks: list[ProbeResult] = field(default_factory=list)


def _result(check_id: str, target: Path | str, status: Status, summary: str,
            fix: str = "") -> ProbeResult:
    return ProbeResult(f"settings.{check_id}", SETTINGS_FILES, str(target), status, summary,
                       fix)


def _ini(ini_path: Path) -> tuple[IniContents | None, ProbeResult]:
    try:
        ini = read_general_ini(ini_path)
    except IniReadError as error:
        return None, _result("ini", ini_path, Status.FAILED, _(
            "{problem}. The checks used Open Cobalt's defaults instead.").format(
                problem=error), _("Fix or move that file, then check again."))
    if ini is None:
        return None, _result("ini", ini_path, Status.SKIPPED, _(
            "{path} does not exist yet: the checks used Open Cobalt's defaults.").format(
                path=ini_path))
    return ini, _result("ini", ini_path, Status.OK, _("Read the settings in {path}.").format(
        path=ini_path))


def _router_conf(cobalt_dir: Path | None, problem: str | None,
                 ) -> tuple[dict[tuple[str, str], str], str | None, ProbeResult]:
    """The router settings the conf states, its text (None: not read), and the finding."""
    if cobalt_dir is None or problem is not None:
        reason = problem or _("Open Cobalt's folder was not found")
        return {}, None, _result("router_conf", ROUTER_CONF_RELATIVE_PATH, Status.SKIPPED, _(
            "{reason}, so cobalt-router.conf was not read: the router settings were checked "
            "with Open Cobalt's defaults. Give the folder with --cobalt-dir DIR to read "
            "it.").format(reason=reason))
    path = cobalt_dir / ROUTER_CONF_RELATIVE_PATH
    try:
        text, texts, error = load_router_conf(path)
    except PrefsReadError as unreadable:
        return {}, None, _result("router_conf", path, Status.FAILED, _(
            "{problem}. The router settings were checked with Open Cobalt's "
            "defaults.").format(problem=unreadable), _("Fix or move that file."))
    if text is None:
        return {}, None, _result("router_conf", path, Status.SKIPPED, _(
            "{path} does not exist yet: Open Cobalt uses its default router settings, and "
            "so did the checks.").format(path=path))
    if error is not None:
        return {}, text, _result("router_conf", path, Status.FAILED, _(
            "{problem}. The router settings were checked with Open Cobalt's "
            "defaults.").format(problem=error),
            _("Correct the dispatcherConfigBlock: of that file, or move the file away and let "
              "the wizard write a new one."))
    return texts, text, _result("router_conf", path, Status.OK, _(
        "Read the router settings in {path}.").format(path=path))


def _valid_settings(texts: dict[tuple[str, str], str], where: dict[tuple[str, str], str]
                    ) -> tuple[Settings, ProbeResult | None]:
    """The settings; a value that breaks its rule is replaced by its default, and said."""
    try:
        return Settings.from_texts(texts), None
    except SettingsInvalid as invalid:
        bad = {error.field.id for error in invalid.errors}
        kept = {key: text for key, text in texts.items() if key not in bad}
        try:
            settings = Settings.from_texts(kept)
        except SettingsInvalid:  # the defaults do not fit what is left (DispatcherPort)
            settings = Settings.from_texts({})

        def located(broken: Field) -> str:
            return where.get(broken.id, "")

        defaults = ", ".join(f"[{FIELDS_BY_ID[key].section}] {FIELDS_BY_ID[key].key} = "
                             f"{FIELDS_BY_ID[key].default or '(empty)'}" for key in sorted(bad))
        return settings, _result("values", ", ".join(sorted(set(where.values()))),
                                 Status.FAILED, _(
            "{problems}\nThe checks used the defaults instead: {defaults}.").format(
                problems=invalid.located(located), defaults=defaults),
            _("Correct these values (on the wizard's pages, or in the file), then check "
              "again."))


def read_settings_for_diagnosis(ini_path: Path, cobalt_dir: Path | None,
                                cobalt_dir_problem: str | None = None) -> SettingsRead:
    """What to check with, and one finding per file; never raises for a file's state."""
    ini, ini_found = _ini(ini_path)
    conf_texts, conf_text, conf_found = _router_conf(cobalt_dir, cobalt_dir_problem)
    checks = [ini_found, conf_found]
    if ini is not None and cobalt_dir is not None and conf_text is not None:
        current = CurrentPreferences(PreferenceFiles(ini_path, cobalt_dir), ini, conf_text,
                                     conf_texts)
        checks += [_result("agreement", ini_path, Status.WARNING, sentence, _(
            "Save the settings once (Write settings in the wizard, or cobalt-setup apply): "
            "the INI then no longer states the router settings."))
            for sentence in current.disagreements()]
    ini_texts = {key: text for key, text in (ini.texts if ini else {}).items()
                 if key not in ROUTER_CONF_FIELDS}
    where = {}
    for key in ini_texts:
        line = ini.lines.get(key) if ini else None
        where[key] = (_("{path}, line {line}").format(path=ini_path, line=line)
                      if line else str(ini_path))
    for key in conf_texts:
        where[key] = str(cobalt_dir / ROUTER_CONF_RELATIVE_PATH) if cobalt_dir else ""
    settings, broken = _valid_settings({**ini_texts, **conf_texts}, where)
    if broken is not None:
        checks.append(broken)
    return SettingsRead(settings, checks)
