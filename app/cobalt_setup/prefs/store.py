"""Loading the current preference files and writing new ones, both files as one step.

The wizard and `cobalt-setup apply` share this: read what is on disk, show what would
change (old -> new), then write both files atomically, or neither. What each file held when
it was read is kept (as a hash), so that a save planned on the Summary page and written
later cannot overwrite what another save wrote in between.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from cobalt_setup.i18n import _
from cobalt_setup.prefs import journal
from cobalt_setup.prefs.atomic import WrittenFile, write_files_atomically
from cobalt_setup.prefs.durable import sha256
from cobalt_setup.prefs.general_ini import (
    IniContents,
    parse_general_ini,
    read_ini_bytes,
    render_general_ini,
)
from cobalt_setup.prefs.lock import DEFAULT_WAIT_S
from cobalt_setup.prefs.router_conf import (
    ROUTER_CONF_RELATIVE_PATH,
    RouterConfError,
    read_router_settings_texts,
    render_router_conf,
)
from cobalt_setup.settings import (
    FIELDS_BY_ID,
    ROUTER_CONF_FIELDS,
    Change,
    Settings,
    changes_between,
)

FieldId = tuple[str, str]
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

    @property
    def paths(self) -> tuple[Path, Path]:
        """Both files, the INI first (a save keeps its journal next to it)."""
        return self.ini_path, self.router_conf_path


@dataclass(frozen=True)
class CurrentPreferences:
    """What is on disk now. `router_conf_error` is set when the file cannot be edited safely."""

    files: PreferenceFiles
    ini: IniContents | None
    router_conf_text: str | None
    router_conf_texts: dict[FieldId, str] = field(default_factory=dict)
    router_conf_error: str | None = None
    fingerprints: dict[Path, str | None] | None = None
    """SHA-256 of each file's bytes as read (None: it did not exist); None: not known."""

    @property
    def is_rerun(self) -> bool:
        return self.ini is not None

    def starting_texts(self) -> dict[FieldId, str]:
        """Field texts to start the pages from, each from the file it lives in: the router
        settings from cobalt-router.conf (which Open Cobalt reads), the others from the INI.
        An old INI's [Router] Mode, DispatcherPort or LocalAddress is never used."""
        ini = self.ini.texts if self.ini else {}
        return {**{key: text for key, text in ini.items() if key not in ROUTER_CONF_FIELDS},
                **self.router_conf_texts}

    def disagreements(self) -> list[str]:
        """Sentences for an old INI that still states a router setting differently from
        cobalt-router.conf: the user should know which one Open Cobalt follows."""
        if self.ini is None or self.router_conf_text is None:
            return []
        said = []
        for key in ROUTER_CONF_FIELDS:
            in_ini, in_conf = self.ini.texts.get(key), self.router_conf_texts.get(key)
            if in_ini is None or in_conf is None or in_ini.strip() == in_conf:
                continue
            # Translators: {key} is a setting as written in the files, e.g. "[Router]
            # Mode"; {ini} and {conf} its two values; keep the file names.
            said.append(_("The INI says {key} = {ini}, cobalt-router.conf says {conf}; Open "
                          "Cobalt uses the latter.").format(
                key=f"[{key[0]}] {key[1]}", ini=in_ini.strip() or '""', conf=in_conf or '""'))
        return said


def _read_router_conf(path: Path) -> bytes | None:
    try:
        if path.stat().st_size > MAX_ROUTER_CONF_BYTES:
            raise PrefsReadError(_("{path}: larger than 1 MB; this is not a router "
                                   "configuration").format(path=path))
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        # Translators: {reason} is the system's explanation.
        raise PrefsReadError(_("{path}: cannot be read ({reason})")
                             .format(path=path, reason=error.strerror)) from None


def _router_conf_contents(path: Path, raw: bytes | None
                          ) -> tuple[str | None, dict[FieldId, str], str | None]:
    # surrogateescape: whatever the file's encoding, every byte we do not edit comes back.
    text = None if raw is None else raw.decode("utf-8", errors="surrogateescape")
    if text is None:
        return None, {}, None
    try:
        return text, read_router_settings_texts(text), None
    except RouterConfError as error:
        # Translators: {where} is a file (or "FILE, line N"); {problem} says what
        # is wrong with it.
        return text, {}, _("{where}: {problem}").format(where=path, problem=error)


def load_router_conf(path: Path) -> tuple[str | None, dict[FieldId, str], str | None]:
    """cobalt-router.conf's text (None: no such file), the router settings it states, and
    why it cannot be edited (None: it can). Raises `PrefsReadError` when it cannot be read."""
    return _router_conf_contents(path, _read_router_conf(path))


def load_current(files: PreferenceFiles) -> CurrentPreferences:
    """Read both files. Raises `IniReadError` / `PrefsReadError` when one cannot be read."""
    ini_raw = read_ini_bytes(files.ini_path)
    ini = None if ini_raw is None else parse_general_ini(files.ini_path, ini_raw)
    conf_raw = _read_router_conf(files.router_conf_path)
    conf_text, conf_texts, conf_error = _router_conf_contents(files.router_conf_path, conf_raw)
    fingerprints = {files.ini_path: sha256(ini_raw), files.router_conf_path: sha256(conf_raw)}
    return CurrentPreferences(files, ini, conf_text, conf_texts, conf_error, fingerprints)


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
    ini_changes += [Change(FIELDS_BY_ID[key], current.ini.texts[key], None)
                    for key in ROUTER_CONF_FIELDS if current.ini and key in current.ini.texts]

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


def write(plan: WritePlan, wait_s: float = DEFAULT_WAIT_S) -> list[WrittenFile]:
    """Write the planned files as one step; afterwards the two .bak files are the pair before.

    Under the lock it first checks that both files still hold what the plan was made from;
    raises `PrefsChangedError` (writing nothing) when another save or program changed one
    since, `SaveBusyError` when another save runs for longer than `wait_s`, and
    `PrefsWriteError` when a file cannot be written.
    """
    if not plan.contents:
        return []
    files = plan.current.files
    return write_files_atomically(plan.contents, also_back_up=files.paths,
                                  journal_dir=files.ini_path.parent,
                                  expected=plan.current.fingerprints, wait_s=wait_s)


@contextmanager
def locked(files: PreferenceFiles, wait_s: float = DEFAULT_WAIT_S) -> Iterator[str | None]:
    """Hold the lock of both files' folders for the block: read, plan and `write` in it, and
    no other save can come in between (`write` takes the same locks again).

    Makes the folders (their lock files live there); finishes an interrupted save first and
    yields the sentence about it, or None. Raises `SaveBusyError`, `PrefsWriteError`.
    """
    with journal.locked_for_save(files.ini_path.parent, files.paths, wait_s,
                                 writes=files.paths) as message:
        yield message


def recover_interrupted_save(ini_path: Path, cobalt_dir: Path | None = None,
                             wait_s: float = DEFAULT_WAIT_S) -> str | None:
    """Call before reading the settings: completes (or undoes) a save that was killed half-way.

    Returns the sentence to show the user once ("An interrupted save was completed."), or
    None when there was nothing to do (the usual case; it costs a stat and a folder listing).
    `cobalt_dir` may be None when it is not known yet: the journal names the files itself.
    Raises `SaveBusyError` when another save holds the lock for more than `wait_s` seconds,
    and `PrefsWriteError` (e.g. `JournalError`) when the save cannot be finished now; the
    message says what to do.
    """
    files = [ini_path]
    if cobalt_dir is not None:
        files.append(cobalt_dir / ROUTER_CONF_RELATIVE_PATH)
    return journal.recover(ini_path.parent, files, wait_s)
