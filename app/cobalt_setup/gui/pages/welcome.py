"""Welcome: where Open Cobalt is installed, and whether this is a first setup or a re-run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
    QWizardPage,
)

from cobalt_setup.gui.probe_runner import ProbeRunner
from cobalt_setup.gui.widgets import StatusLine
from cobalt_setup.i18n import _, ngettext
from cobalt_setup.result import Status
from cobalt_setup.session import SetupSession
from cobalt_setup.settings import SettingsInvalid

if TYPE_CHECKING:
    from cobalt_setup.checks.diagnosis import Diagnosis


class WelcomePage(QWizardPage):
    def __init__(self, session: SetupSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setTitle(_("Welcome to Cobalt Network Setup"))
        self.setSubTitle(_(
            "This wizard checks that your network lets Open Cobalt find spaces, chat and "
            "share applications, and lets friends join the spaces you host. Nothing is "
            "changed until you press Write settings on the last page."
        ))
        layout = QGridLayout(self)
        self.folder_label = QLabel(_("Open Cobalt &folder:"), self)
        self.folder = QLineEdit(self)
        self.folder.setObjectName("cobalt_dir")
        self.folder.setAccessibleName(_("Open Cobalt folder"))
        self.folder_label.setBuddy(self.folder)
        self.browse = QPushButton(_("&Browse..."), self)
        self.browse.setAccessibleName(_("Browse for the Open Cobalt folder"))
        self.folder_status = StatusLine(self)
        self.settings_status = StatusLine(self)
        self.recovery_status = StatusLine(self)  # an interrupted save, finished at start
        self.agreement_status = StatusLine(self)  # an old INI that disagrees with the conf
        self.use_defaults = QCheckBox(_("Start every page from Open Cobalt's &defaults "
                                              "instead of my current settings"), self)
        layout.addWidget(self.folder_label, 0, 0)
        layout.addWidget(self.folder, 0, 1)
        layout.addWidget(self.browse, 0, 2)
        layout.addWidget(self.folder_status, 1, 1, 1, 2)
        layout.addWidget(self.settings_status, 2, 0, 1, 3)
        layout.addWidget(self.recovery_status, 3, 0, 1, 3)
        layout.addWidget(self.agreement_status, 4, 0, 1, 3)
        layout.addWidget(self.use_defaults, 5, 0, 1, 3)
        self.check_button = QPushButton(_("&Check my current setup"), self)
        self.check_button.setToolTip(_(
            "Check every service now with your current settings, then go to the first page "
            "with a problem"))
        self.check_status = StatusLine(self)
        self.check_status.setVisible(False)
        layout.addWidget(self.check_button, 6, 0)
        layout.addWidget(self.check_status, 6, 1, 1, 2)
        layout.setRowStretch(7, 1)
        self.check_runner = ProbeRunner(
            self, on_finished=self._on_checked,
            on_failed=lambda message: self.check_status.show_status(
                "error", _("The check stopped unexpectedly ({message}).").format(
                    message=message)),
            on_busy=lambda busy: self.check_button.setEnabled(not busy))
        self.check_button.clicked.connect(self._check_current_setup)
        layout.setColumnStretch(1, 1)
        self.folder.textChanged.connect(self._on_folder_typed)
        self.browse.clicked.connect(self._on_browse)
        self.use_defaults.toggled.connect(self._on_use_defaults)
        self._dialog: QFileDialog | None = None

    def initializePage(self) -> None:
        self.folder.setText(str(self.session.cobalt_dir or ""))
        self.show_state()

    def _on_folder_typed(self) -> None:
        text = self.folder.text().strip()
        new = Path(text).expanduser() if text else None
        if new != self.session.cobalt_dir:
            self.session.choose_cobalt_dir(new)
            self.show_state()

    def _on_browse(self) -> None:
        # open() rather than exec(): no nested event loop under qasync.
        self._dialog = QFileDialog(self, _("Where is Open Cobalt installed?"),
                                   str(self.session.cobalt_dir or Path.home()))
        self._dialog.setFileMode(QFileDialog.FileMode.Directory)
        self._dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        self._dialog.fileSelected.connect(self._on_folder_chosen)
        self._dialog.open()

    def _on_folder_chosen(self, folder: str) -> None:
        self.folder.setText(folder)

    def _on_use_defaults(self, checked: bool) -> None:
        self.session.set_use_defaults(checked)

    def show_state(self) -> None:
        session = self.session
        problem = session.cobalt_dir_problem()
        if problem:
            # Translators: after why the Open Cobalt folder cannot be used (a sentence).
            self.folder_status.show_status("warning", _(
                "{problem} You can go on and check the network now; the settings can be "
                "written once the folder is chosen.").format(problem=problem))
        elif session.cobalt_dir_looks_right():
            self.folder_status.show_status("ok", _("Open Cobalt found in this folder."))
        else:
            self.folder_status.show_status("warning", _(
                "This folder does not look like an Open Cobalt installation (no "
                "config/cobalt-router.conf and no .image file). Check it is the right one; "
                "the wizard will create config/cobalt-router.conf there."))
        if session.load_error:
            self.settings_status.show_status("error", _(
                "Your current settings cannot be read: {error}. Fix or move that file, "
                "then choose the folder again. Nothing will be overwritten."
            ).format(error=session.load_error))
        elif session.is_rerun:
            self.settings_status.show_status("info", _(
                "Troubleshooting re-run: your settings in {path} were found. Every page starts "
                "from them, and the last page shows what would change before anything is "
                "written."
            ).format(path=session.ini_path))
        elif session.current is not None and session.current.router_conf_texts:
            self.settings_status.show_status("info", _(
                "First setup: no settings were found in {path}. The pages start from Open "
                "Cobalt's defaults, and the router page from your existing {conf}."
            ).format(path=session.ini_path, conf=session.current.files.router_conf_path))
        else:
            self.settings_status.show_status("info", _(
                "First setup: no settings were found in {path}. Every page starts from "
                "Open Cobalt's defaults."
            ).format(path=session.ini_path))
        if session.recovered:
            self.recovery_status.show_status("info", session.recovered)
        self.recovery_status.setVisible(bool(session.recovered))
        disagreements = session.disagreements()
        if disagreements:
            self.agreement_status.show_status("warning", " ".join(disagreements))
        self.agreement_status.setVisible(bool(disagreements))
        self.use_defaults.setVisible(session.is_rerun)
        self.check_button.setVisible(session.is_rerun and session.checks is not None)
        self.completeChanged.emit()

    def cleanupPage(self) -> None:
        self.check_runner.cancel()
        super().cleanupPage()

    def _check_current_setup(self) -> None:
        environment = self.session.checks
        if environment is None:
            return
        try:
            settings = self.session.form.settings()
        except SettingsInvalid as invalid:
            self.check_status.show_status("error", _(
                "Your current settings break a rule, so they cannot be checked: {problems}"
            ).format(problems=invalid))
            self.check_status.setVisible(True)
            return
        from cobalt_setup.checks.diagnosis import (
            run_diagnosis,  # loaded on first use: the wizard starts faster
        )

        self.check_status.show_status("busy", _(
            "Checking every service with your current settings..."))
        self.check_status.setVisible(True)
        self.check_runner.run(lambda progress: run_diagnosis(settings, environment,
                                                             on_result=progress))

    def _on_checked(self, diagnosis: Diagnosis) -> None:
        self.session.diagnosis = diagnosis
        problems = {check.service for check in diagnosis.checks
                    if check.status in (Status.FAILED, Status.WARNING)}
        wizard = self.wizard()
        if not problems:
            self.check_status.show_status("ok", ngettext(
                "{count} check passed: nothing to fix.",
                "All {count} checks passed: nothing to fix.", len(diagnosis.checks)).format(
                    count=len(diagnosis.checks)))
            return
        count = sum(1 for check in diagnosis.checks
                    if check.status in (Status.FAILED, Status.WARNING))
        self.check_status.show_status("warning", ngettext(
            "{count} check found a problem; showing the first page concerned.",
            "{count} checks found a problem; showing the first page concerned.", count).format(
                count=count))
        if hasattr(wizard, "go_to_first_problem"):
            wizard.go_to_first_problem(problems)

