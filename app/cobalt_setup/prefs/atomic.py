"""Write Open Cobalt's preference files so that they are never half-written.

The wizard rewrites files the user depends on to reach their network. If the process is
killed, the machine loses power or the disk fills up in the middle of a plain
``open(path, "wb").write(...)``, a truncated file is left behind and Open Cobalt then starts
with settings nobody chose, or not at all. So each file is first written in full to a
temporary file in the same folder and flushed to disk, and only then renamed over the old
one: a rename within one folder is atomic, so a reader (or the next start after a crash)
sees either the complete old file or the complete new one. The previous content is kept
next to it as ``<name>.bak``, itself written the same way.

When several files are written together and one of them cannot be put in place, the ones
already replaced are put back, so the set stays consistent. (A kill between two renames
can still leave one file new and another old; each file is complete either way.)
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import glob
import os
import stat
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from cobalt_setup.i18n import _

NEW_FILE_MODE = 0o644
BACKUP_SUFFIX = ".bak"
TEMP_SUFFIX = ".tmp"

_DISK_FULL_ERRNOS = frozenset(
    code for code in (errno.ENOSPC, getattr(errno, "EDQUOT", None)) if code is not None
)
_READ_ONLY_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


@dataclass(frozen=True)
class WrittenFile:
    """One file written by `write_files_atomically`."""

    path: Path
    """The file written."""
    backup: Path | None
    """``path`` + ".bak" holding the previous content, or None if the file is new."""


class PrefsWriteError(OSError):
    """A write failed; the message tells the user which file and what to do.

    The preference files themselves are unchanged (unless the message says otherwise).
    """

    def __init__(self, path: Path, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        if code is not None:
            self.errno = code


@dataclass
class _Target:
    """Book-keeping for one file while it is being written."""

    path: Path
    data: bytes
    mode: int = NEW_FILE_MODE
    old: bytes | None = None  # previous content when the target is an existing regular file
    temp: Path | None = None  # staged new content, not yet renamed onto `path`
    replaced: bool = False

    @property
    def backup(self) -> Path:
        return backup_path(self.path)


def backup_path(path: Path) -> Path:
    """Where the previous content of `path` is kept."""
    return path.with_name(path.name + BACKUP_SUFFIX)


def write_files_atomically(files: Mapping[Path, bytes]) -> list[WrittenFile]:
    """Write several files so that each ends up either fully old or fully new, never half-written.

    Raises `PrefsWriteError` (with the old files unchanged) when any file cannot be written.
    """
    targets = [_Target(Path(path), data) for path, data in files.items()]
    try:
        # Nothing visible changes until every new content is safely on the disk.
        for step in (_make_folder, _remove_stale_temps, _stage, _back_up):
            for target in targets:
                try:
                    step(target)
                except OSError as exc:
                    raise _error(target.path, exc) from exc

        for target in targets:
            assert target.temp is not None  # staged above
            try:
                os.replace(target.temp, target.path)
            except OSError as exc:
                not_restored = _roll_back(targets)
                raise _error(target.path, exc, not_restored) from exc
            target.temp = None
            target.replaced = True
        _fsync_folders(target.path.parent for target in targets)
    finally:
        _discard_temps(targets)

    return [
        WrittenFile(target.path, target.backup if target.old is not None else None)
        for target in targets
    ]


def _make_folder(target: _Target) -> None:
    os.makedirs(target.path.parent, exist_ok=True)


def _stage(target: _Target) -> None:
    """Read the target's current content and mode, and write its new content to a temp file."""
    try:
        with open(target.path, "rb") as old_file:
            info = os.fstat(old_file.fileno())
            if stat.S_ISREG(info.st_mode):
                target.old = old_file.read()
                target.mode = stat.S_IMODE(info.st_mode)
    except (FileNotFoundError, IsADirectoryError):
        pass  # nothing to back up (a folder in the way makes the rename fail later)
    target.temp = _write_temp(target.path, target.data, target.mode)


def _back_up(target: _Target) -> None:
    """Keep the target's current content in ``<name>.bak``, itself written atomically."""
    if target.old is not None:
        _write_one(target.backup, target.old, target.mode)


def _write_one(path: Path, data: bytes, mode: int) -> None:
    """Atomically replace one file (temp file, fsync, rename); used for backups and undo."""
    temp = _write_temp(path, data, mode)
    try:
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temp)
        raise


def _write_temp(path: Path, data: bytes, mode: int) -> Path:
    """Write `data` to a new temp file ``.<name>.<random>.tmp`` next to `path`, flushed to disk.

    On failure the temp file is removed again.
    """
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    # Keep the folder as the caller spelled it (mkstemp may make it absolute).
    temp = path.parent / os.path.basename(name)
    try:
        try:
            os.chmod(temp, mode)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                if written <= 0:
                    raise OSError(errno.EIO, os.strerror(errno.EIO), str(temp))
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temp)
        raise
    return temp


def _remove_stale_temps(target: _Target) -> None:
    """Remove temp files of the target left behind by an earlier write that was killed."""
    path = target.path
    pattern = f".{glob.escape(path.name)}.*{TEMP_SUFFIX}"
    try:
        with os.scandir(path.parent) as entries:
            stale = [
                entry.path
                for entry in entries
                if fnmatch.fnmatchcase(entry.name, pattern) and entry.is_file(follow_symlinks=False)
            ]
    except OSError:
        return
    for name in stale:
        with contextlib.suppress(OSError):
            os.remove(name)


def _roll_back(targets: list[_Target]) -> list[Path]:
    """Put back the targets already replaced; return those that could not be put back."""
    not_restored: list[Path] = []
    for target in targets:
        if not target.replaced:
            continue
        try:
            if target.old is None:
                os.remove(target.path)  # it did not exist before
            else:
                _write_one(target.path, target.old, target.mode)
        except OSError:
            not_restored.append(target.path)
        else:
            target.replaced = False
    _fsync_folders(target.path.parent for target in targets)
    return not_restored


def _discard_temps(targets: list[_Target]) -> None:
    for target in targets:
        if target.temp is not None:
            with contextlib.suppress(OSError):
                os.remove(target.temp)
            target.temp = None


def _fsync_folders(folders: Iterable[Path]) -> None:
    """Make the renames in these folders durable, where the platform allows it."""
    for folder in dict.fromkeys(folders):
        try:
            fd = os.open(folder, os.O_RDONLY)
        except OSError:
            continue  # e.g. Windows cannot open a folder
        try:
            with contextlib.suppress(OSError):
                os.fsync(fd)
        finally:
            os.close(fd)


def _error(path: Path, exc: OSError, not_restored: list[Path] | None = None) -> PrefsWriteError:
    """Turn an OS error into a message in plain words for the user."""
    advice = None
    if exc.errno in _DISK_FULL_ERRNOS:
        failure = _("Could not write {path}: the disk is full.").format(path=path)
        advice = _("Free some space and try again.")
    elif isinstance(exc, PermissionError) or exc.errno in _READ_ONLY_ERRNOS:
        failure = _("Could not write {path}: the folder is read-only for you.").format(path=path)
        advice = _("Run the wizard as a user who may write there, or choose another folder.")
    else:
        # Translators: {reason} is the system's explanation, e.g. "No such
        # device".
        failure = _("Could not write {path}: {reason}.").format(
            path=path, reason=exc.strerror or str(exc))
    if not_restored:
        names = ", ".join(str(name) for name in not_restored)
        # Translators: after "Could not write FILE: ..." when other files were
        # already replaced; {files} lists them.
        outcome = _("These files could not be put back: {files}. Their previous content is in "
                    "the .bak file next to each.").format(files=names)
    else:
        # Translators: after "Could not write FILE: ...".
        outcome = _("Nothing was changed.")
    sentences = [failure, outcome] if advice is None else [failure, outcome, advice]
    return PrefsWriteError(path, " ".join(sentences), exc.errno)
