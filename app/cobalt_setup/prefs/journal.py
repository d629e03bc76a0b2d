"""A save of several files is all or nothing, even when the process dies half-way: a journal.

Renaming one temp file over its target is atomic, but a save renames one file after the
other, and a kill between two renames would leave general-preferences.ini new and
cobalt-router.conf old. So a save goes in three phases:

1. Nothing visible changes: each target's new content is staged in a temp file next to it,
   and its current content in a backup temp next to its ``.bak``; all flushed to disk.
2. The commit point: a small JSON journal (``.cobalt-setup-save.json``, next to the INI
   file) names every target, its temps, its ``.bak`` and the hashes of its old and new
   content. From here on the save is finished by whoever finds the journal.
3. Each new-content temp is renamed onto its target, then each backup temp onto its
   ``.bak`` (a ``.bak`` is removed when there was no old file), then the journal goes.

A temp file exists until its rename, so the journal plus what is on disk tell exactly how
far the save got, and finishing it again is harmless. `recover` (which every command that
reads the settings calls first) completes an interrupted save, or undoes it when a target
no longer holds what the save started from (another program changed it: it is never
overwritten) or when the save was already being undone. Without a journal a killed save
left only temp files, which nobody else can be writing while we hold the lock (only a lock
holder writes them): they are removed.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cobalt_setup.i18n import _
from cobalt_setup.prefs import lock
from cobalt_setup.prefs.durable import (
    backup_path,
    file_sha256,
    fsync_folders,
    is_temp_of,
    remove_quietly,
    stray_temps,
    write_temp,
)
from cobalt_setup.prefs.errors import (
    JournalError,
    PrefsWriteError,
    failure_words,
    left_alone_words,
    write_error,
)

JOURNAL_NAME = ".cobalt-setup-save.json"
FORMAT_VERSION = 1
COMMITTED = "committed"
ROLLING_BACK = "rolling-back"
_JOURNAL_MODE = 0o600
_MAX_JOURNAL_BYTES = 64 * 1024


@dataclass(frozen=True)
class Entry:
    """One target of a save, as the journal names it (absolute paths)."""

    path: Path
    new_temp: Path | None  # None: the save only backs this file up
    backup_temp: Path | None  # None: there was no old file, so its .bak goes at the end
    old_sha256: str | None  # None: there was no old file
    new_sha256: str | None

    @property
    def backup(self) -> Path:
        return backup_path(self.path)


@dataclass
class Journal:
    path: Path
    entries: list[Entry]
    state: str = COMMITTED


@dataclass(frozen=True)
class Outcome:
    """How an interrupted save was finished."""

    completed: bool  # True: rolled forward; False: undone
    left_alone: list[Path] = field(default_factory=list)  # changed by another program

    def words(self) -> str:
        if self.completed:
            return _("An interrupted save was completed.")
        if not self.left_alone:
            return _("An interrupted save was undone: the files are as they were before it.")
        return " ".join([_("An interrupted save was undone."),
                         left_alone_words(self.left_alone)])


class TargetChanged(Exception):
    """A target no longer holds the content the save started from."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


class RenameFailed(Exception):
    """Renaming a new-content temp onto its target failed (e.g. another program holds the
    file open on Windows): the save must be undone."""

    def __init__(self, path: Path, error: OSError) -> None:
        super().__init__(str(path))
        self.path, self.error = path, error


class BackupFailed(Exception):
    """Every target is new, but a ``.bak`` could not be updated; the journal stays."""

    def __init__(self, path: Path, error: OSError) -> None:
        super().__init__(str(path))
        self.path, self.error = path, error


def journal_path(folder: Path) -> Path:
    return folder / JOURNAL_NAME


# --- the journal file -----------------------------------------------------------------------


def write_journal(journal: Journal) -> None:
    """Put the journal in place atomically and durably: this is the commit point."""
    data = {
        "format": FORMAT_VERSION,
        "state": journal.state,
        "pid": os.getpid(),
        "targets": [
            {"path": str(entry.path),
             "new_temp": None if entry.new_temp is None else str(entry.new_temp),
             "backup_temp": None if entry.backup_temp is None else str(entry.backup_temp),
             "backup": str(entry.backup),
             "old_exists": entry.old_sha256 is not None,
             "old_sha256": entry.old_sha256,
             "new_sha256": entry.new_sha256}
            for entry in journal.entries
        ],
    }
    text = json.dumps(data, indent=1) + "\n"
    temp = write_temp(journal.path, text.encode("utf-8"), _JOURNAL_MODE)
    try:
        os.replace(temp, journal.path)
    except BaseException:
        remove_quietly([temp])
        raise
    fsync_folders([journal.path.parent])


def remove_journal(journal: Journal) -> None:
    remove_quietly([journal.path])
    fsync_folders([journal.path.parent])


def read_journal(path: Path) -> Journal | None:
    """The journal at `path`, or None when there is none. Raises `JournalError`."""
    try:
        if os.stat(path).st_size > _MAX_JOURNAL_BYTES:
            raise JournalError(path, "larger than 64 KB")
        with open(path, "rb") as file:
            data = json.loads(file.read().decode("utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise JournalError(path, exc.strerror or str(exc)) from None
    except ValueError as exc:
        raise JournalError(path, str(exc)) from None
    try:
        return _parse(path, data)
    except (KeyError, TypeError, ValueError) as exc:
        raise JournalError(path, str(exc) or type(exc).__name__) from None


def _parse(path: Path, data: dict) -> Journal:
    """The journal, checked: it may only rename this tool's temp files onto their targets."""
    if data["format"] != FORMAT_VERSION:
        raise ValueError(f"format {data['format']!r}")
    if data["state"] not in (COMMITTED, ROLLING_BACK):
        raise ValueError(f"state {data['state']!r}")
    entries = []
    for item in data["targets"]:
        target = Path(item["path"])
        new_temp = None if item["new_temp"] is None else Path(item["new_temp"])
        backup_temp = None if item["backup_temp"] is None else Path(item["backup_temp"])
        old, new = item["old_sha256"], item["new_sha256"]
        if not target.is_absolute():
            raise ValueError(f"{target}: not an absolute path")
        if Path(item["backup"]) != backup_path(target):
            raise ValueError(f"{item['backup']}: not the backup of {target}")
        if new_temp is not None and not is_temp_of(new_temp, target):
            raise ValueError(f"{new_temp}: not a temp file of {target}")
        if backup_temp is not None and not is_temp_of(backup_temp, backup_path(target)):
            raise ValueError(f"{backup_temp}: not a temp file of {backup_path(target)}")
        if item["old_exists"] != (old is not None) or (backup_temp is None) != (old is None):
            raise ValueError(f"{target}: old content inconsistent")
        for digest in (old, new):
            if digest is not None and (len(digest) != 64 or set(digest) - set("0123456789abcdef")):
                raise ValueError(f"{digest!r}: not a SHA-256")
        entries.append(Entry(target, new_temp, backup_temp, old, new))
    return Journal(path, entries, data["state"])


# --- finishing a save -----------------------------------------------------------------------


def _folders(journal: Journal) -> list[Path]:
    return [entry.path.parent for entry in journal.entries]


def roll_forward(journal: Journal) -> None:
    """Phases 2 and 3: rename what is not renamed yet, then remove the journal.

    Raises `TargetChanged` or `RenameFailed` (the save must then be undone: nothing of
    phase 3 has happened) or `BackupFailed` (every target is new; the journal stays, so the
    next run retries the backups).
    """
    for entry in journal.entries:
        if entry.new_temp is None or not entry.new_temp.exists():
            continue  # backed up only, or renamed already
        if file_sha256(entry.path) != entry.old_sha256:
            raise TargetChanged(entry.path)
        try:
            os.replace(entry.new_temp, entry.path)
        except OSError as exc:
            raise RenameFailed(entry.path, exc) from exc
    fsync_folders(_folders(journal))
    for entry in journal.entries:
        try:
            if entry.backup_temp is not None:
                if entry.backup_temp.exists():
                    os.replace(entry.backup_temp, entry.backup)
            else:
                # The pair before this save had no such file, so neither has the .bak pair.
                with contextlib.suppress(FileNotFoundError):
                    os.remove(entry.backup)
        except OSError as exc:
            raise BackupFailed(entry.backup, exc) from exc
    fsync_folders(_folders(journal))
    remove_journal(journal)


def roll_back(journal: Journal) -> tuple[list[Path], list[tuple[Path, OSError]]]:
    """Undo the save: put back each target it replaced, unless another program changed it
    since (by hash); remove its temps and the journal.

    Returns the files left alone because they changed, and the files that could not be put
    back (with why). When some could not, the journal and their backup temps stay, so that
    the next run tries again; the ``.bak`` files are never touched (they are still the pair
    before the files on disk).
    """
    journal.state = ROLLING_BACK
    # A kill from here on is finished in this direction too. (Should the mark fail,
    # `_direction` still sees a half-undone save by its hashes.)
    with contextlib.suppress(OSError):
        write_journal(journal)
    left_alone: list[Path] = []
    failed: list[tuple[Path, OSError]] = []
    for entry in journal.entries:
        if entry.new_temp is None:
            continue
        if entry.new_temp.exists():
            remove_quietly([entry.new_temp])  # never renamed: the target is as it was
            continue
        now = file_sha256(entry.path)
        if now == entry.old_sha256:
            continue  # put back already (or never replaced)
        if now != entry.new_sha256 or (entry.backup_temp and not entry.backup_temp.exists()):
            left_alone.append(entry.path)
            continue
        try:
            if entry.backup_temp is not None:
                os.replace(entry.backup_temp, entry.path)
            else:
                os.remove(entry.path)  # it did not exist before
        except OSError as exc:
            failed.append((entry.path, exc))
    fsync_folders(_folders(journal))
    keep = {path for path, _error in failed}
    remove_quietly(entry.backup_temp for entry in journal.entries
                   if entry.backup_temp is not None and entry.path not in keep)
    if not failed:
        remove_journal(journal)
    return left_alone, failed


def _direction(journal: Journal) -> tuple[bool, list[Path]]:
    """Whether to roll forward, and the targets that another program changed since."""
    if journal.state == ROLLING_BACK:
        return False, []
    changed = []
    for entry in journal.entries:
        if entry.new_temp is None:
            continue
        now = file_sha256(entry.path)
        if entry.new_temp.exists():
            if now != entry.old_sha256:
                changed.append(entry.path)
        elif now == entry.old_sha256 != entry.new_sha256:
            return False, []  # put back already: an undo was under way
    return not changed, changed


def finish(journal: Journal) -> Outcome:
    """Complete or undo the interrupted save the journal describes (the lock held).

    Raises `PrefsWriteError` in words when it cannot be finished now; the journal then
    stays for the next run.
    """
    forward, changed = _direction(journal)
    if forward:
        try:
            roll_forward(journal)
            return Outcome(completed=True)
        except TargetChanged as problem:
            changed = [problem.path]
        except RenameFailed:
            pass  # put back what was renamed, below
        except BackupFailed as problem:
            raise _unfinished(problem.path, problem.error) from problem.error
    left_alone, failed = roll_back(journal)
    if failed:
        path, error = failed[0]
        raise _unfinished(path, error) from error
    return Outcome(completed=False, left_alone=list(dict.fromkeys([*changed, *left_alone])))


def _unfinished(path: Path, error: OSError) -> PrefsWriteError:
    problem, _advice = failure_words(path, error)
    # Translators: {problem} is a whole sentence, e.g. "Could not write FILE: the
    # disk is full."
    return PrefsWriteError(path, _("An interrupted save could not be finished: {problem} "
                                   "Close any program that has these files open, then try "
                                   "again.").format(problem=problem), error.errno)


# --- the lock and the recovery, for every command -----------------------------------------


@contextlib.contextmanager
def locked_for_save(journal_dir: Path, files: Iterable[Path], wait_s: float = lock.DEFAULT_WAIT_S,
                    writes: Iterable[Path] = ()) -> Iterator[str | None]:
    """Hold the locks of a save of `files` (its journal in `journal_dir`) for the block.

    The folders of `writes` are made first (their lock files live there). Then, under the
    locks, an interrupted save found in the journal is finished and the stray temp files of
    `files` are removed; yields the sentence about the interrupted save, or None.
    Raises `SaveBusyError` after `wait_s` seconds, `PrefsWriteError` in words.
    """
    journal_file = journal_path(journal_dir)
    wanted = [*files, journal_file]
    for path in writes:
        try:
            os.makedirs(path.parent, exist_ok=True)
        except OSError as exc:
            raise write_error(path, exc) from exc
    try:
        peeked = read_journal(journal_file)  # unlocked: only to know which folders to lock
    except JournalError:
        peeked = None
    extra = [] if peeked is None else [entry.path for entry in peeked.entries]
    for _attempt in range(4):
        with lock.hold([*wanted, *extra], wait_s) as held:
            journal = read_journal(journal_file)
            missing = [] if journal is None else [
                entry.path for entry in journal.entries
                if os.path.isdir(entry.path.parent)
                and lock.folder_key(entry.path.parent) not in held]
            if not missing:
                message = None if journal is None else finish(journal).words()
                remove_quietly(stray_temps(wanted))
                yield message
                return
        extra += missing  # the journal names a folder we do not hold: lock it too, in order
    raise lock.SaveBusyError(journal_file, journal_dir)


def recover(journal_dir: Path, files: Iterable[Path] = (),
            wait_s: float = lock.DEFAULT_WAIT_S) -> str | None:
    """Finish a save that was interrupted (killed, power lost) before anything else reads
    or writes these files; returns the sentence to show the user once, or None.

    `journal_dir` is the folder of the INI file (where saves keep their journal), `files`
    the files the caller will read (their stray temp files are removed). Cheap when there
    is nothing to do: a stat and a listing of their folders, no lock.
    Raises `SaveBusyError` when another save holds the lock for longer than `wait_s`, and
    `PrefsWriteError` (or `JournalError`) when the save cannot be finished now.
    """
    files = list(files)
    journal_file = journal_path(journal_dir)
    if not os.path.lexists(journal_file) and not stray_temps([*files, journal_file]):
        return None
    with locked_for_save(journal_dir, files, wait_s) as message:
        return message
