"""Small file operations that survive a crash: temp files flushed to disk, folder fsyncs,
content hashes, and the clean-up of temp files a killed save left behind.

No policy here: the journal and the writer decide what to stage and when to rename.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import glob
import hashlib
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

NEW_FILE_MODE = 0o644
BACKUP_SUFFIX = ".bak"
TEMP_SUFFIX = ".tmp"


def backup_path(path: Path) -> Path:
    """Where the previous content of `path` is kept."""
    return path.with_name(path.name + BACKUP_SUFFIX)


def sha256(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def read_regular(path: Path) -> tuple[bytes, int] | None:
    """The content and permission bits of `path`; None if it is missing or not a file.

    A folder in the way counts as missing: the rename onto it fails later, in words.
    """
    try:
        with open(path, "rb") as old_file:
            info = os.fstat(old_file.fileno())
            if not stat.S_ISREG(info.st_mode):
                return None
            return old_file.read(), stat.S_IMODE(info.st_mode)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def file_sha256(path: Path) -> str | None:
    """The hash of what `path` holds now; None if it is missing (or not a file)."""
    found = read_regular(path)
    return None if found is None else sha256(found[0])


def write_temp(path: Path, data: bytes, mode: int) -> Path:
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


def is_temp_of(temp: Path, path: Path) -> bool:
    """Whether `temp` is a name `write_temp(path, ...)` could have chosen."""
    return temp.parent == path.parent and fnmatch.fnmatchcase(temp.name, _temp_pattern(path))


def _temp_pattern(path: Path) -> str:
    return f".{glob.escape(path.name)}.*{TEMP_SUFFIX}"


def stray_temps(paths: Iterable[Path]) -> list[Path]:
    """Temp files of these paths (and of their backups) found next to them.

    Only call this to delete what it finds while holding the lock of their folders: a save
    that holds it may be writing them right now.
    """
    found: list[Path] = []
    by_folder: dict[Path, list[str]] = {}
    for path in paths:
        by_folder.setdefault(path.parent, []).append(_temp_pattern(path))
    for folder, patterns in by_folder.items():
        try:
            with os.scandir(folder) as entries:
                found.extend(
                    folder / entry.name
                    for entry in entries
                    if any(fnmatch.fnmatchcase(entry.name, p) for p in patterns)
                    and entry.is_file(follow_symlinks=False)
                )
        except OSError:
            continue  # no folder, no temp files
    return found


def remove_quietly(paths: Iterable[Path]) -> None:
    """Best effort: what cannot be removed now is a stray temp file the next save removes."""
    for path in paths:
        with contextlib.suppress(OSError):
            os.remove(path)


def fsync_folders(folders: Iterable[Path]) -> None:
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
