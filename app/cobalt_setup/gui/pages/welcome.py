"""Welcome: where Open Cobalt is installed, and whether this is a first setup or a re-run."""

from __future__ import annotations

from pathlib import Path

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

from cobalt_setup.gui.widgets import StatusLine
from cobalt_setup.session import SetupSession


class WelcomePage(QWizardPage):
    def __init__(self, session: SetupSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setTitle(self.tr("Welcome to Cobalt Network Setup"))
        self.setSubTitle(self.tr(
            "This wizard checks that your network lets Open Cobalt find spaces, chat and "
            "share applications, and lets friends join the spaces you host. Nothing is "
            "changed until you press Write settings on the last page."
        ))
        layout = QGridLayout(self)
        self.folder_label = QLabel(self.tr("Open Cobalt &folder:"), self)
        self.folder = QLineEdit(self)
        self.folder.setObjectName("cobalt_dir")
        self.folder.setAccessibleName(self.tr("Open Cobalt folder"))
        self.folder_label.setBuddy(self.folder)
        self.browse = QPushButton(self.tr("&Browse..."), self)
        self.browse.setAccessibleName(self.tr("Browse for the Open Cobalt folder"))
        self.folder_status = StatusLine(self)
        self.settings_status = StatusLine(self)
        self.use_defaults = QCheckBox(self.tr("Start every page from Open Cobalt's &defaults "
                                              "instead of my current settings"), self)
        layout.addWidget(self.folder_label, 0, 0)
        layout.addWidget(self.folder, 0, 1)
        layout.addWidget(self.browse, 0, 2)
        layout.addWidget(self.folder_status, 1, 1, 1, 2)
        layout.addWidget(self.settings_status, 2, 0, 1, 3)
        layout.addWidget(self.use_defaults, 3, 0, 1, 3)
        layout.setRowStretch(4, 1)
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
        self._dialog = QFileDialog(self, self.tr("Where is Open Cobalt installed?"),
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
            self.folder_status.show_status("error", problem)
        elif session.cobalt_dir_looks_right():
            self.folder_status.show_status("ok", self.tr("Open Cobalt found in this folder."))
        else:
            self.folder_status.show_status("warning", self.tr(
                "This folder does not look like an Open Cobalt installation (no "
                "config/cobalt-router.conf and no .image file). Check it is the right one; "
                "the wizard will create config/cobalt-router.conf there."))
        if session.load_error:
            self.settings_status.show_status("error", self.tr(
                "Your current settings cannot be read: {error}. Fix or move that file, "
                "then choose the folder again. Nothing will be overwritten."
            ).format(error=session.load_error))
        elif session.is_rerun:
            self.settings_status.show_status("info", self.tr(
                "Troubleshooting re-run: your settings in {path} were found. Every page starts "
                "from them, and the last page shows what would change before anything is "
                "written."
            ).format(path=session.ini_path))
        elif session.current is not None and session.current.router_conf_texts:
            self.settings_status.show_status("info", self.tr(
                "First setup: no settings were found in {path}. The pages start from Open "
                "Cobalt's defaults, and the router page from your existing {conf}."
            ).format(path=session.ini_path, conf=session.current.files.router_conf_path))
        else:
            self.settings_status.show_status("info", self.tr(
                "First setup: no settings were found in {path}. Every page starts from "
                "Open Cobalt's defaults."
            ).format(path=session.ini_path))
        self.use_defaults.setVisible(session.is_rerun)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.session.can_continue_from_welcome()
