"""Loading the current preference files and writing new ones, both files as one step.

The wizard and `cobalt-setup apply` share this: read what is on disk, show what would
change (old -> new), then write both files atomically, or neither.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cobalt_setup.i18n import _
from cobalt_setup.prefs.atomic import WrittenFile, write_files_atomically
from cobalt_setup.prefs.general_ini import IniContents, read_general_ini, render_general_ini
from cobalt_setup.prefs.router_conf import (
    ROUTER_CONF_RELATIVE_PATH,
    RouterConfError,
    read_router_settings_texts,
    render_router_conf,
)
from cobalt_setup.settings import FIELDS_BY_ID, Change, Settings, changes_between

FieldId = tuple[str, str]
ROUTER_CONF_FIELDS: tuple[FieldId, ...] = (
    ("Router", "Mode"),
    ("Router", "DispatcherPort"),
    ("Router", "LocalAddress"),
)
MAX_ROUTER_CONF_BYTES = 1024 * 1024


class PrefsReadError(ValueError):
    """A preference file exists but cannot be read; the message names it."""


@dataclass(frozen=True)
class PreferenceFiles:
    """Where this run reads and writes: the INI file and the Open Cobalt folder."""

    ini_path: Path
    cobalt_dir: Path

    @property
    def router_conf_path(self) -> Path:
        return self.cobalt_dir / ROUTER_CONF_RELATIVE_PATH


@dataclass(frozen=True)
class CurrentPreferences:
    """What is on disk now. `router_conf_error` is set when the file cannot be edited safely."""

    files: PreferenceFiles
    ini: IniContents | None
    router_conf_text: str | None
    router_conf_texts: dict[FieldId, str] = field(default_factory=dict)
    router_conf_error: str | None = None

    @property
    def is_rerun(self) -> bool:
        return self.ini is not None

    def starting_texts(self) -> dict[FieldId, str]:
        """Field texts to start the pages from: the router file's, then the INI's on top."""
        return {**self.router_conf_texts, **(self.ini.texts if self.ini else {})}


def _read_router_conf(path: Path) -> str | None:
    try:
        if path.stat().st_size > MAX_ROUTER_CONF_BYTES:
            raise PrefsReadError(_("{path}: larger than 1 MB; this is not a router "
                                   "configuration").format(path=path))
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        # Translators: {reason} is the system's explanation.
        raise PrefsReadError(_("{path}: cannot be read ({reason})")
                             .format(path=path, reason=error.strerror)) from None
    # surrogateescape: whatever the file's encoding, every byte we do not edit comes back.
    return raw.decode("utf-8", errors="surrogateescape")


def load_current(files: PreferenceFiles) -> CurrentPreferences:
    """Read both files. Raises `IniReadError` / `PrefsReadError` when one cannot be read."""
    ini = read_general_ini(files.ini_path)
    conf_text = _read_router_conf(files.router_conf_path)
    conf_texts: dict[FieldId, str] = {}
    conf_error = None
    if conf_text is not None:
        try:
            conf_texts = read_router_settings_texts(conf_text)
        except RouterConfError as error:
            # Translators: {where} is a file (or "FILE, line N"); {problem} says what
            # is wrong with it.
            conf_error = _("{where}: {problem}").format(where=files.router_conf_path,
                                                        problem=error)
    return CurrentPreferences(files, ini, conf_text, conf_texts, conf_error)


@dataclass(frozen=True)
class WritePlan:
    """The bytes to write and the changes they make, before anything is written."""

    current: CurrentPreferences
    settings: Settings
    contents: dict[Path, bytes]
    ini_changes: list[Change]
    router_conf_changes: list[Change]

    @property
    def has_changes(self) -> bool:
        return bool(self.contents)


def plan_write(current: CurrentPreferences, settings: Settings) -> WritePlan:
    """Render both files. Raises `RouterConfError` if the router file cannot be edited."""
    files = current.files
    if current.router_conf_error:
        raise RouterConfError(current.router_conf_error)
    contents: dict[Path, bytes] = {}

    ini_bytes = render_general_ini(current.ini, settings)
    old_ini = current.ini.text.encode("utf-8") if current.ini else None
    if ini_bytes.removeprefix(b"\xef\xbb\xbf") != old_ini:
        contents[files.ini_path] = ini_bytes
    ini_changes = changes_between(current.ini.texts if current.ini else None, settings)

    conf_text = render_router_conf(current.router_conf_text, settings.router)
    if conf_text != current.router_conf_text:
        contents[files.router_conf_path] = conf_text.encode("utf-8", errors="surrogateescape")
    new_texts = settings.texts()
    router_conf_changes = [
        Change(FIELDS_BY_ID[key], current.router_conf_texts.get(key), new_texts[key])
        for key in ROUTER_CONF_FIELDS
        if current.router_conf_text is None
        or current.router_conf_texts.get(key, "") != new_texts[key]
    ]
    return WritePlan(current, settings, contents, ini_changes, router_conf_changes)


def write(plan: WritePlan) -> list[WrittenFile]:
    """Write the planned files atomically (each keeps a .bak). Raises `PrefsWriteError`."""
    if not plan.contents:
        return []
    return write_files_atomically(plan.contents)
