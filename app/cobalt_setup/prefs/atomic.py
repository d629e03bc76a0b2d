"""Write Open Cobalt's preference files so that they are never half-written, never a mixed
pair, and never two saves at once.

The wizard rewrites files the user depends on to reach their network. If the process is
killed, the machine loses power or the disk fills up in the middle of a plain
``open(path, "wb").write(...)``, a truncated file is left behind and Open Cobalt then starts
with settings nobody chose, or not at all. So each file is first written in full to a
temporary file in the same folder and flushed to disk, and only then renamed over the old
one: a rename within one folder is atomic. Several files written together go through a
journal (see `journal`), so that a kill between two renames is finished (or undone) by the
next run instead of leaving one file new and the other old; and the whole save holds the
folders' locks (see `lock`), so that two saves cannot interleave.

After a save, the ``.bak`` files next to the targets (and next to the files named in
`also_back_up`) hold together the files as they were before it: a ``.bak`` is removed when
its file did not exist before.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from cobalt_setup.i18n import _
from cobalt_setup.prefs.durable import (
    BACKUP_SUFFIX,
    NEW_FILE_MODE,
    TEMP_SUFFIX,
    backup_path,
    fsync_folders,
    read_regular,
    sha256,
    write_temp,
)
from cobalt_setup.prefs.errors import PrefsChangedError, PrefsWriteError, write_error
from cobalt_setup.prefs.journal import (
    BackupFailed,
    Entry,
    Journal,
    RenameFailed,
    TargetChanged,
    journal_path,
    locked_for_save,
    roll_back,
    roll_forward,
    write_journal,
)
from cobalt_setup.prefs.lock import DEFAULT_WAIT_S

__all__ = [
    "BACKUP_SUFFIX", "NEW_FILE_MODE", "TEMP_SUFFIX", "PrefsChangedError", "PrefsWriteError",
    "WrittenFile", "backup_path", "write_files_atomically",
]


@dataclass(frozen=True)
class WrittenFile:
    """One file written by `write_files_atomically`."""

    path: Path
    """The file written."""
    backup: Path | None
    """``path`` + ".bak" holding the previous content, or None if the file is new."""


@dataclass
class _Target:
    """Book-keeping for one file while it is being written."""

    path: Path
    data: bytes | None  # None: only backed up
    mode: int = NEW_FILE_MODE
    old: bytes | None = None  # previous content when the target is an existing regular file
    new_temp: Path | None = None
    backup_temp: Path | None = None

    def entry(self) -> Entry:
        """The journal's view: absolute paths, so that a run from another folder finds it."""
        def absolute(path: Path | None) -> Path | None:
            return None if path is None else Path(os.path.abspath(path))

        new = self.old if self.data is None else self.data
        return Entry(Path(os.path.abspath(self.path)), absolute(self.new_temp),
                     absolute(self.backup_temp), sha256(self.old), sha256(new))


def write_files_atomically(
    files: Mapping[Path, bytes],
    *,
    also_back_up: Iterable[Path] = (),
    journal_dir: Path | None = None,
    expected: Mapping[Path, str | None] | None = None,
    wait_s: float = DEFAULT_WAIT_S,
) -> list[WrittenFile]:
    """Write several files as one step: all new or all old, whenever the process dies.

    `also_back_up`: files this save leaves as they are but whose ``.bak`` it updates too, so
    that the ``.bak`` files stay one pair. `journal_dir`: where the journal goes (default:
    the first file's folder; the INI file's folder for the preference files). `expected`:
    the SHA-256 each file must still have (None: must not exist), else `PrefsChangedError`
    and nothing is written. Waits up to `wait_s` seconds for another save of these folders.

    Raises `PrefsWriteError` (with the old files unchanged, unless it says otherwise).
    """
    if not files:
        return []
    targets = [_Target(Path(path), data) for path, data in files.items()]
    targets += [_Target(Path(path), None) for path in dict.fromkeys(also_back_up)
                if Path(path) not in files]
    folder = Path(journal_dir) if journal_dir is not None else targets[0].path.parent
    written = [target.path for target in targets if target.data is not None]
    with locked_for_save(folder, [target.path for target in targets], wait_s,
                         writes=[*written, journal_path(folder)]):
        journal = _stage_and_commit(targets, journal_path(folder), expected or {})
        try:
            roll_forward(journal)
        except (TargetChanged, RenameFailed) as failure:
            left_alone, failed = roll_back(journal)
            not_restored = [path for path, _problem in failed]
            if isinstance(failure, RenameFailed):
                raise write_error(failure.path, failure.error, left_alone,
                                  not_restored) from failure.error
            if failed:
                raise write_error(*failed[0], left_alone, not_restored) from None
            raise PrefsChangedError(failure.path) from None
        except BackupFailed as failure:
            raise _backup_error(failure) from failure.error
    return [WrittenFile(target.path, backup_path(target.path) if target.old is not None else None)
            for target in targets if target.data is not None]


def _stage_and_commit(targets: list[_Target], journal_file: Path,
                      expected: Mapping[Path, str | None]) -> Journal:
    """Phase 1 and the commit point: nothing visible changes until the journal is written."""
    step_path = journal_file
    try:
        for target in targets:
            step_path = target.path
            _stage(target, expected)
        fsync_folders(target.path.parent for target in targets)
        step_path = journal_file
        journal = Journal(journal_file, [target.entry() for target in targets])
        write_journal(journal)
    except BaseException as exc:
        _discard_temps(targets)
        if isinstance(exc, OSError) and not isinstance(exc, PrefsWriteError):
            raise write_error(step_path, exc) from exc
        raise
    return journal


def _stage(target: _Target, expected: Mapping[Path, str | None]) -> None:
    """Read the target's current content and mode; stage its new content and a backup."""
    found = read_regular(target.path)
    if found is not None:
        target.old, target.mode = found
    if target.path in expected and sha256(target.old) != expected[target.path]:
        raise PrefsChangedError(target.path)
    if target.data is not None:
        target.new_temp = write_temp(target.path, target.data, target.mode)
    if target.old is not None:
        target.backup_temp = write_temp(backup_path(target.path), target.old, target.mode)


def _discard_temps(targets: list[_Target]) -> None:
    for target in targets:
        for temp in (target.new_temp, target.backup_temp):
            if temp is not None:
                with contextlib.suppress(OSError):
                    os.remove(temp)
        target.new_temp = target.backup_temp = None


def _backup_error(failure: BackupFailed) -> PrefsWriteError:
    # Translators: every file was written, only a backup file was not; {reason} is the
    # system's explanation.
    return PrefsWriteError(failure.path, _(
        "The settings were written, but the backup {backup} could not be updated ({reason}). "
        "That is done the next time Cobalt Network Setup runs.").format(
            backup=failure.path, reason=failure.error.strerror or failure.error),
        failure.error.errno)
