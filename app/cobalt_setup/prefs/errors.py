"""The errors a save of the preference files can end with, each in words the user can act on.

Kept apart from the writing code so that the lock, the journal and the writer (which use
one another) can all raise them.
"""

from __future__ import annotations

import errno
from collections.abc import Sequence
from pathlib import Path

from cobalt_setup.i18n import _

_DISK_FULL_ERRNOS = frozenset(
    code for code in (errno.ENOSPC, getattr(errno, "EDQUOT", None)) if code is not None
)
_READ_ONLY_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


class PrefsWriteError(OSError):
    """A write failed; the message tells the user which file and what to do.

    The preference files themselves are unchanged (unless the message says otherwise).
    """

    def __init__(self, path: Path, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        if code is not None:
            self.errno = code


class SaveBusyError(PrefsWriteError):
    """Another save of the same files held the lock for longer than this one would wait."""

    def __init__(self, path: Path, folder: Path) -> None:
        # Translators: {folder} is the folder whose lock another save holds.
        super().__init__(path, _("Another save of these settings is running ({folder} is "
                                 "locked). Try again when it has finished. Nothing was "
                                 "changed.").format(folder=folder), errno.EBUSY)


class PrefsChangedError(PrefsWriteError):
    """A file no longer holds what the plan was made from: writing would undo someone's save."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, _("{path} was changed by another save or program since this "
                                 "page was shown; nothing was written. Check the changes "
                                 "again.").format(path=path))


class JournalError(PrefsWriteError):
    """The journal of an interrupted save cannot be read, so it can be neither finished nor
    undone by this tool."""

    def __init__(self, path: Path, reason: str) -> None:
        # Translators: {path} is the journal file of an interrupted save; {reason} is a
        # technical message in English.
        super().__init__(path, _("{path}: is not a save journal this tool can read "
                                 "({reason}); move it away, then check both preference "
                                 "files.").format(path=path, reason=reason))


def failure_words(path: Path, exc: OSError) -> tuple[str, str | None]:
    """What went wrong with `path`, and what to do about it (None when nothing obvious)."""
    if exc.errno in _DISK_FULL_ERRNOS:
        return (_("Could not write {path}: the disk is full.").format(path=path),
                _("Free some space and try again."))
    if isinstance(exc, PermissionError) or exc.errno in _READ_ONLY_ERRNOS:
        return (_("Could not write {path}: the folder is read-only for you.").format(path=path),
                _("Run the wizard as a user who may write there, or choose another folder."))
    # Translators: {reason} is the system's explanation, e.g. "No such
    # device".
    return (_("Could not write {path}: {reason}.").format(
        path=path, reason=exc.strerror or str(exc)), None)


def write_error(path: Path, exc: OSError, left_alone: Sequence[Path] = (),
                not_restored: Sequence[Path] = ()) -> PrefsWriteError:
    """Turn an OS error into a message in plain words for the user.

    `left_alone`: files another program changed during the save, which the undo left as
    they are; `not_restored`: files the undo could not put back yet (the journal is kept,
    so the next run puts them back).
    """
    failure, advice = failure_words(path, exc)
    sentences = [failure]
    if left_alone:
        sentences.append(left_alone_words(left_alone))
    if not_restored:
        # Translators: after "Could not write FILE: ..." when other files were
        # already replaced and putting them back failed; {files} lists them.
        sentences.append(_("These files could not be put back yet: {files}. That is done the "
                           "next time Cobalt Network Setup runs.").format(
                               files=_names(not_restored)))
    if not left_alone and not not_restored:
        # Translators: after "Could not write FILE: ...".
        sentences.append(_("Nothing was changed."))
    if advice is not None:
        sentences.append(advice)
    return PrefsWriteError(path, " ".join(sentences), exc.errno)


def left_alone_words(paths: Sequence[Path]) -> str:
    # Translators: after a sentence saying a save was undone; {files} lists files that
    # another program changed while the save was under way.
    return _("These files had been changed by another program since and were left as they "
             "are: {files}.").format(files=_names(paths))


def _names(paths: Sequence[Path]) -> str:
    return ", ".join(str(path) for path in paths)
