"""`cobalt-setup`: the wizard (default), `diagnose`, `apply` for unattended roll-outs,
`router`, `screenshots`.

Exit codes: 0 success, 1 problems found (or the wizard was cancelled), 2 bad usage or input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from cobalt_setup import __version__
from cobalt_setup.diagnosis_command import add_diagnose_command, run_diagnose
from cobalt_setup.i18n import _
from cobalt_setup.prefs.atomic import PrefsWriteError
from cobalt_setup.prefs.general_ini import IniContents, IniReadError, read_general_ini
from cobalt_setup.prefs.locations import default_ini_path, detect_cobalt_dir
from cobalt_setup.prefs.lock import DEFAULT_WAIT_S
from cobalt_setup.prefs.router_conf import RouterConfError
from cobalt_setup.prefs.store import (
    CurrentPreferences,
    PreferenceFiles,
    PrefsReadError,
    WritePlan,
    load_current,
    locked,
    plan_write,
    recover_interrupted_save,
    write,
)
from cobalt_setup.router_command import add_router_commands, run_router_command
from cobalt_setup.settings import Field, Settings, SettingsInvalid

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad usage or input: reported on stderr with exit code 2."""


def _common_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    default = None if defaults else argparse.SUPPRESS
    parser.add_argument("--settings", type=Path, metavar="FILE", default=default,
                        help="use this INI file instead of the per-user one")
    parser.add_argument("--cobalt-dir", type=Path, metavar="DIR", default=default,
                        help="the Open Cobalt installation folder (default: detected)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cobalt-setup",
        description="Set up and troubleshoot Open Cobalt's network settings.",
        epilog="Without a command the wizard opens. Exit codes: 0 success, "
               "1 problems found, 2 bad usage or input.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--lang", metavar="LANG", default=None,
                        help="the language of the wizard and its messages (de, fr, en); "
                             "default: the system's")
    _common_options(parser, defaults=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    wizard = commands.add_parser("wizard", help="open the wizard (the default)")
    _common_options(wizard, defaults=False)
    apply = commands.add_parser(
        "apply", help="validate a settings file and write Open Cobalt's preferences, unattended")
    apply.add_argument("source", type=Path, metavar="SETTINGS.ini",
                       help="the settings to apply (same format as the per-user INI file)")
    apply.add_argument("--dry-run", action="store_true",
                       help="show what would change, write nothing")
    apply.add_argument("--wait", type=float, default=DEFAULT_WAIT_S, metavar="SECONDS",
                       help="how long to wait for another save of these settings to finish "
                            f"(default {DEFAULT_WAIT_S:g})")
    _common_options(apply, defaults=False)
    add_diagnose_command(commands, lambda sub: _common_options(sub, defaults=False))
    add_router_commands(commands, lambda sub: _common_options(sub, defaults=False))
    shots = commands.add_parser("screenshots", help="render every wizard page to PNG files")
    shots.add_argument("out_dir", type=Path, metavar="OUTDIR")
    shots.add_argument("--dark", action="store_true", help="with a dark palette")
    _common_options(shots, defaults=False)
    return parser


def _cobalt_dir(args: argparse.Namespace, required: bool) -> Path | None:
    folder = args.cobalt_dir.expanduser() if args.cobalt_dir else detect_cobalt_dir()
    if folder is None and required:
        raise UsageError(_("Open Cobalt was not found in the usual places: say where it is "
                           "installed with --cobalt-dir DIR"))
    if folder is not None and not folder.is_dir():
        raise UsageError(_("--cobalt-dir {folder}: no such folder").format(folder=folder))
    return folder


def _ini_path(args: argparse.Namespace) -> Path:
    return args.settings.expanduser() if args.settings else default_ini_path()


def _use_language(language: str | None) -> None:
    """Speak `language` (or the system's) in the findings and messages; refuse unknown ones."""
    from cobalt_setup.i18n import SOURCE_LANGUAGE, available_languages, language_code, use_language

    known = [SOURCE_LANGUAGE, *available_languages()]
    if language and language_code(language) not in known:
        raise UsageError(f"--lang {language}: not a language of this wizard; "
                         f"choose from {', '.join(known)}")
    use_language(language)


def _say_recovered(message: str | None) -> None:
    """Tell once that an interrupted save was finished before this command went on."""
    if message:
        print(f"cobalt-setup: {message}", file=sys.stderr)


def _apply_plan(args: argparse.Namespace, source: IniContents, current: CurrentPreferences
                ) -> WritePlan:
    """The source's values on top of the current ones, validated and rendered."""
    if current.router_conf_error:
        raise UsageError(current.router_conf_error)
    try:
        settings = Settings.from_texts({**current.starting_texts(), **source.texts})
    except SettingsInvalid as invalid:
        def where(field: Field) -> str:
            line = source.lines.get(field.id)
            # Translators: where a problem was found: a file and a line number.
            return (_("{file}, line {line}").format(file=args.source, line=line) if line
                    else str(args.source))

        raise UsageError(invalid.located(where)) from None
    return plan_write(current, settings)


def _print_plan(plan: WritePlan) -> None:
    files = plan.current.files
    for title, path, changes in (
        # Translators: a heading: the settings file in Open Cobalt's place, then
        # its path.
        (_("General preferences"), files.ini_path, plan.ini_changes),
        # Translators: a heading: the file cobalt-router.conf, then its path.
        (_("Router configuration"), files.router_conf_path, plan.router_conf_changes),
    ):
        if path not in plan.contents:
            # Translators: {title} is "General preferences" or "Router configuration".
            print(_("{title}: {path}: no change").format(title=title, path=path))
            continue
        # Translators: {title} is "General preferences" or "Router configuration";
        # the changes to that file follow, one a line.
        print(_("{title}: {path}").format(title=title, path=path))
        for change in changes:
            # Translators: the old value of a setting the file does not have yet.
            old = _("(not set)") if change.old is None else repr(change.old)
            # Translators: a stale key leaves the INI file; cobalt-router.conf has it.
            new = (_("(removed: cobalt-router.conf has it)") if change.new is None
                   else repr(change.new))
            print(f"  {change.field.section}.{change.field.key}: {old} -> {new}")


def run_apply(args: argparse.Namespace) -> int:
    if not 0 <= args.wait <= 600:
        # Translators: an error on the command line; keep --wait as it is
        raise UsageError(_("--wait {wait}: give 0 to 600 seconds").format(wait=f"{args.wait:g}"))
    source = read_general_ini(args.source)
    if source is None:
        raise UsageError(_("{file}: no such file").format(file=args.source))
    for section, key, line in source.unknown_keys:
        # Translators: [{section}] {key} are written as in the settings file (not
        # translated).
        print(_("{file}, line {line}: warning: [{section}] {key} is not a setting this tool "
                "knows; ignored").format(file=args.source, line=line, section=section, key=key),
              file=sys.stderr)
    files = PreferenceFiles(_ini_path(args), _cobalt_dir(args, required=True))
    recovered = recover_interrupted_save(files.ini_path, files.cobalt_dir, args.wait)
    _say_recovered(recovered)
    # Checked before taking the lock, so that bad input touches nothing, not even a folder.
    plan = _apply_plan(args, source, load_current(files))
    if args.dry_run:
        _print_plan(plan)
        print(_("Dry run: nothing written."))
        return EXIT_OK
    # Read, plan and write again under the lock: what is printed is planned from the files
    # as they are when this save runs, after any save that was running before it.
    with locked(files, args.wait) as late:
        if not recovered:
            _say_recovered(late)
        plan = _apply_plan(args, source, load_current(files))
        _print_plan(plan)
        written = write(plan, args.wait)
    for item in written:
        if item.backup:
            print(_("Wrote {path} (previous version: {backup})")
                  .format(path=item.path, backup=item.backup))
        else:
            print(_("Wrote {path}").format(path=item.path))
    return EXIT_OK


def run_diagnosis_command(args: argparse.Namespace) -> int:
    """A troubleshooting run checks whatever it can: no Open Cobalt folder, or files that
    cannot be used, are findings of the report, not reasons to stop."""
    from cobalt_setup.checks.preference_files import read_settings_for_diagnosis

    ini_path = _ini_path(args)
    folder = args.cobalt_dir.expanduser() if args.cobalt_dir else detect_cobalt_dir()
    problem = None
    if folder is not None and not folder.is_dir():
        # Translators: why cobalt-router.conf was not read; a sentence goes on after it.
        problem = _("--cobalt-dir {folder}: no such folder").format(folder=folder)
        folder = None
    _say_recovered(recover_interrupted_save(ini_path, folder))
    try:
        return run_diagnose(args, read_settings_for_diagnosis(ini_path, folder, problem))
    except ValueError as problem_in_usage:
        raise UsageError(str(problem_in_usage)) from None


def run_router(args: argparse.Namespace) -> int:
    # The journal of an interrupted save names its files: no Open Cobalt folder needed here.
    _say_recovered(recover_interrupted_save(_ini_path(args)))
    ini = read_general_ini(_ini_path(args))
    ports = ini.texts.get(("Router", "Ports")) if ini else None
    stun_servers = ini.texts.get(("Router", "StunServers")) if ini else None
    try:
        return run_router_command(args, ports, stun_servers=stun_servers)
    except ValueError as problem:
        raise UsageError(str(problem)) from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        _use_language(args.lang)
        if args.command == "apply":
            return run_apply(args)
        if args.command == "diagnose":
            return run_diagnosis_command(args)
        if args.command == "router":
            return run_router(args)
        if args.command == "screenshots":
            from cobalt_setup.gui.app import save_screenshots

            for path in save_screenshots(_ini_path(args), _cobalt_dir(args, required=False),
                                         args.out_dir, args.lang, args.dark):
                print(path)
            return EXIT_OK
        from cobalt_setup.checks.environment import CheckEnvironment
        from cobalt_setup.gui.app import run_wizard

        return run_wizard(_ini_path(args), _cobalt_dir(args, required=False),
                          CheckEnvironment.with_timeout(), args.lang)
    except (UsageError, IniReadError, PrefsReadError, RouterConfError) as error:
        print(f"cobalt-setup: {error}", file=sys.stderr)
        return EXIT_USAGE
    except PrefsWriteError as error:
        print(f"cobalt-setup: {error}", file=sys.stderr)
        return EXIT_PROBLEMS
