"""The General Preferences stand-in: a per-user INI file with Open Cobalt's network settings.

Open Cobalt keeps its General Preferences inside its Smalltalk image, which no outside
program can edit, so the wizard writes this documented INI file instead. A rewrite
changes only the wizard's keys: comments, unknown keys and unknown sections stay.
configupdater does the round trip (the standard library's configparser drops comments).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from configupdater import ConfigUpdater, Option
from configupdater.parser import MissingSectionHeaderError, ParsingError

from cobalt_setup.i18n import _
from cobalt_setup.settings import FIELDS, ROUTER_CONF_FIELDS, Settings

FieldId = tuple[str, str]
MAX_INI_BYTES = 1024 * 1024  # a preferences file is a few hundred bytes; refuse anything huge


class IniReadError(ValueError):
    """The file cannot be read or parsed; the message names the file and, if known, the line.

    `message` (translated) says what is wrong, with the file as its subject: "is not UTF-8
    text; save it as UTF-8".
    """

    def __init__(self, path: Path, message: str, line: int | None = None) -> None:
        # Translators: where a problem was found: a file and a line number.
        where = _("{file}, line {line}").format(file=path, line=line) if line else str(path)
        # Translators: {where} is a file (or "FILE, line N"); {problem} says what
        # is wrong with it.
        super().__init__(_("{where}: {problem}").format(where=where, problem=message))
        self.path = path
        self.line = line


@dataclass(frozen=True)
class IniContents:
    """What an existing INI file says, keyed like `settings.FIELDS`."""

    path: Path
    text: str
    texts: dict[FieldId, str]
    lines: dict[FieldId, int]  # 1-based line of each known key, for error messages
    has_bom: bool
    unknown_keys: list[tuple[str, str, int]]  # (section, key, line) in our sections: typos?


def _decode(path: Path, raw: bytes) -> tuple[str, bool]:
    has_bom = raw.startswith(codecs.BOM_UTF8)  # Notepad writes one
    try:
        return raw.decode("utf-8-sig"), has_bom
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        # Translators: said of a settings file, shown after its name and a colon,
        # so it has no subject: "settings.ini, line 3: is not UTF-8 text; save it
        # as UTF-8".
        raise IniReadError(path, _("is not UTF-8 text; save it as UTF-8"), line) from None


def _parse(path: Path, text: str) -> ConfigUpdater:
    updater = ConfigUpdater()
    try:
        updater.read_string(text, source=str(path))
    except MissingSectionHeaderError as error:
        # Translators: said of a settings file, after its name and a colon (no
        # subject).
        raise IniReadError(path, _("is not a valid INI file: settings must come after a "
                                   "[Section] line"), error.lineno) from None
    except ParsingError as error:
        line = error.errors[0][0] if getattr(error, "errors", None) else None
        # Translators: said of a settings file, after its name and a colon (no
        # subject).
        raise IniReadError(path, _("is not a valid INI file: every line must be a [Section], "
                                   "a 'Key = value' or a comment"), line) from None
    except Exception as error:  # duplicate sections/keys and similar, from configparser
        line = getattr(error, "lineno", None)
        message = str(error).split(":", 1)[-1].strip() if line else str(error)
        # Translators: said of a settings file, after its name and a colon (no
        # subject); {reason} is the INI parser's own explanation, in English.
        raise IniReadError(path, _("is not a valid INI file ({reason})").format(reason=message),
                           line) from None
    return updater


def read_general_ini(path: Path) -> IniContents | None:
    """The file's contents, or None if it does not exist yet."""
    raw = read_ini_bytes(path)
    return None if raw is None else parse_general_ini(path, raw)


def read_ini_bytes(path: Path) -> bytes | None:
    """The file's bytes, or None if it does not exist yet. Raises `IniReadError`."""
    try:
        if path.stat().st_size > MAX_INI_BYTES:
            # Translators: said of a settings file, after its name and a colon (no
            # subject).
            raise IniReadError(path, _("is larger than {size} KB; this is not a preferences "
                                       "file").format(size=MAX_INI_BYTES // 1024))
        raw = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):  # a missing folder on the way: no file
        return None
    except IsADirectoryError:
        # Translators: said of a settings file, after its name and a colon (no
        # subject).
        raise IniReadError(path, _("is a folder, not a settings file")) from None
    except PermissionError:
        # Translators: said of a settings file, after its name and a colon (no
        # subject).
        raise IniReadError(path, _("cannot be read: you do not have permission")) from None
    except OSError as error:
        # Translators: said of a settings file, after its name and a colon (no
        # subject); {reason} is the system's explanation.
        raise IniReadError(path, _("cannot be read: {reason}")
                           .format(reason=error.strerror)) from None
    return raw


def parse_general_ini(path: Path, raw: bytes) -> IniContents:
    """What the bytes of the INI file at `path` say. Raises `IniReadError`."""
    text, has_bom = _decode(path, raw)
    updater = _parse(path, text)
    known = {(f.section.lower(), f.key.lower()): f for f in FIELDS}
    our_sections = {f.section.lower() for f in FIELDS}
    texts: dict[FieldId, str] = {}
    lines: dict[FieldId, int] = {}
    unknown: list[tuple[str, str, int]] = []
    for section, option, line in _options_with_lines(updater):
        f = known.get((section.lower(), option.key.lower()))
        if f is not None:
            texts[f.id] = (option.value or "").strip()
            lines[f.id] = line
        elif section.lower() in our_sections:
            unknown.append((section, option.raw_key, line))
    return IniContents(path, text, texts, lines, has_bom, unknown)


def _options_with_lines(updater: ConfigUpdater) -> list[tuple[str, Option, int]]:
    """Every option with its section and 1-based line (configupdater keeps each block's lines)."""
    found = []
    line = 1
    for block in updater.iter_blocks():
        if hasattr(block, "iter_blocks"):  # a section: its header, then its blocks
            line += 1
            for inner in block.iter_blocks():
                if isinstance(inner, Option):
                    found.append((block.name, inner, line))
                line += len(inner.lines)
        else:
            line += len(block.lines)
    return found


def render_general_ini(existing: IniContents | None, settings: Settings) -> bytes:
    """The file's new bytes: the wizard's keys set, everything else as it was."""
    updater = _parse(existing.path, existing.text) if existing else ConfigUpdater()
    if existing is None:
        updater.read_string(
            "# Open Cobalt network settings, written by Cobalt Network Setup.\n"
            "# Open Cobalt keeps its General Preferences in its image; this file is their\n"
            "# documented stand-in. Comments and keys of your own are kept on rewrite.\n\n"
        )
    for (section, key), value in settings.texts().items():
        if (section, key) not in ROUTER_CONF_FIELDS:
            _set_option(updater, section, key, value)
    for section, key in ROUTER_CONF_FIELDS:  # they live in cobalt-router.conf only
        _remove_option(updater, section, key)
    text = str(updater)
    if not text.endswith("\n"):
        text += "\n"
    prefix = codecs.BOM_UTF8 if existing and existing.has_bom else b""
    return prefix + text.encode("utf-8")


def _remove_option(updater: ConfigUpdater, section: str, key: str) -> None:
    """Drop a key an older version wrote here; an emptied section of ours goes too."""
    for block in updater.section_blocks():
        if block.name.lower() != section.lower():
            continue
        for name in [option for option in block.options() if option.lower() == key.lower()]:
            updater.remove_option(block.name, name)
        if not block.options() and not any(
                line.strip() for line in str(block).splitlines()[1:]):
            updater.remove_section(block.name)


def _set_option(updater: ConfigUpdater, section: str, key: str, value: str) -> None:
    if not updater.has_section(section):
        sections = updater.section_blocks()
        if sections:
            sections[-1].add_after.space().section(section)
        else:
            updater.add_section(section)
    block = updater[section]
    if block.has_option(key):
        if (block[key].value or "").strip() != value:
            block[key].value = value
        return
    options = [b for b in block.iter_blocks() if isinstance(b, Option)]
    if options:  # after the last key, not after trailing blank lines
        options[-1].add_after.option(key, value)
    else:
        block[key] = value
