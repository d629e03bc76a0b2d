"""One run of the wizard, without Qt: which files, what they say now, what the user typed.

The pages only show and edit this object; the tests can drive a whole run with no window.
Nothing is written until `write()`: Cancel leaves the user's files untouched.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cobalt_setup.checks.environment import CheckEnvironment
from cobalt_setup.form import SettingsForm
from cobalt_setup.i18n import _
from cobalt_setup.prefs.atomic import PrefsWriteError, WrittenFile
from cobalt_setup.prefs.general_ini import IniReadError, read_general_ini
from cobalt_setup.prefs.locations import looks_like_cobalt_install
from cobalt_setup.prefs.store import (
    CurrentPreferences,
    PreferenceFiles,
    PrefsReadError,
    WritePlan,
    load_current,
    plan_write,
    recover_interrupted_save,
    write,
)
from cobalt_setup.settings import ROUTER_CONF_FIELDS

if TYPE_CHECKING:
    from cobalt_setup.checks.diagnosis import Diagnosis
    from cobalt_setup.probes.dns.checks import DnsChecks


class SetupSession:
    def __init__(self, ini_path: Path, cobalt_dir: Path | None,
                 checks: CheckEnvironment | None = None) -> None:
        """`checks` None: no live checks (screenshots, tests of the forms alone)."""
        self.ini_path = ini_path
        self.checks = checks
        self.dns_checks: DnsChecks | None = None
        self.diagnosis: Diagnosis | None = None  # the Summary page's last full check
        self.cobalt_dir: Path | None = None
        self.current: CurrentPreferences | None = None
        self.load_error: str | None = None
        self.use_defaults = False
        self.form = SettingsForm()
        self.written: list[WrittenFile] | None = None
        self.recovered: str | None = None  # "An interrupted save was completed.", said once
        self._recovery_done = False
        self.choose_cobalt_dir(cobalt_dir)

    def choose_cobalt_dir(self, folder: Path | None) -> None:
        """Use this Open Cobalt folder and reload what its files say.

        Fields the user already edited keep their text; the others start from the files.
        """
        self.cobalt_dir = folder
        self.current, self.load_error, self.ini_alone = None, None, None
        try:
            if folder is not None and self.cobalt_dir_problem() is None:
                self._recover(folder)
                self.current = load_current(PreferenceFiles(self.ini_path, folder))
            else:
                # No usable folder yet: the pages start from the INI, so the network can
                # be checked; writing waits for the folder (see `plan`).
                self._recover(None)
                self.ini_alone = read_general_ini(self.ini_path)
        except (IniReadError, PrefsReadError, PrefsWriteError) as error:
            self.load_error = str(error)
        self._reseed()

    def _recover(self, folder: Path | None) -> None:
        """Before the files are read: finish a save that was killed half-way (once)."""
        if not self._recovery_done:
            self.recovered = recover_interrupted_save(self.ini_path, folder)
            self._recovery_done = True

    def reload(self) -> None:
        """Read the files again (another save changed them); edited fields keep their text."""
        self.choose_cobalt_dir(self.cobalt_dir)

    def set_use_defaults(self, use_defaults: bool) -> None:
        """Start every field from Open Cobalt's defaults instead of the existing files."""
        self.use_defaults = use_defaults
        self._reseed()

    def _reseed(self) -> None:
        if self.use_defaults:
            starting = {}
        elif self.current is not None:
            starting = self.current.starting_texts()
        elif self.ini_alone is not None:  # the router settings are in the folder's conf
            starting = {key: text for key, text in self.ini_alone.texts.items()
                        if key not in ROUTER_CONF_FIELDS}
        else:
            starting = {}
        self.form.reseed(starting)

    def disagreements(self) -> list[str]:
        """An old INI that states a router setting differently from cobalt-router.conf."""
        return self.current.disagreements() if self.current is not None else []

    def cobalt_dir_problem(self) -> str | None:
        """Why the chosen folder cannot be used, in words; None when it can."""
        folder = self.cobalt_dir
        if folder is None:
            return _("Choose the folder where Open Cobalt is installed.")
        if not folder.exists():
            return _("The folder {folder} does not exist.").format(folder=folder)
        if not folder.is_dir():
            return _("{folder} is a file, not a folder.").format(folder=folder)
        return None

    def cobalt_dir_looks_right(self) -> bool:
        return self.cobalt_dir is not None and looks_like_cobalt_install(self.cobalt_dir)

    @property
    def is_rerun(self) -> bool:
        return (self.current is not None and self.current.is_rerun) or (
            self.ini_alone is not None)

    def plan(self) -> WritePlan:
        """What Finish would write. Raises `SettingsInvalid` or `RouterConfError`."""
        if self.current is None:
            if self.load_error:
                raise ValueError(self.load_error)
            # Both files are written as one save, so writing waits for the folder: an INI
            # alone would leave the router settings unsaved, and Open Cobalt reads them
            # from config/cobalt-router.conf in that folder.
            raise ValueError(_("{problem} Open Cobalt reads its router settings from "
                               "config/cobalt-router.conf in that folder, and both files are "
                               "written together: choose it on the first page.").format(
                problem=self.cobalt_dir_problem() or ""))
        return plan_write(self.current, self.form.settings())

    def write(self) -> list[WrittenFile]:
        """Write both files (atomically, with backups). Raises `PrefsWriteError`; may wait
        a few seconds for another save (the wizard writes its plan off the GUI thread)."""
        self.written = write(self.plan())
        return self.written
