"""Done: which files were written, where the backups are, and what to do next."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget, QWizardPage

from cobalt_setup.i18n import _
from cobalt_setup.session import SetupSession


class DonePage(QWizardPage):
    def __init__(self, session: SetupSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setTitle(_("Settings written"))
        self.setSubTitle(_("Open Cobalt reads them when it starts."))
        layout = QVBoxLayout(self)
        self.report = QLabel(self)
        self.report.setWordWrap(True)
        layout.addWidget(self.report)
        layout.addStretch(1)

    def initializePage(self) -> None:
        written = self.session.written
        if written is None:
            text = _("Your settings have not been written yet.")
        elif not written:
            text = _("Nothing needed writing: your files already held these settings.")
        else:
            lines = []
            for item in written:
                line = _("Wrote {path}").format(path=item.path)
                if item.backup:
                    line += _(" (the previous version is in {backup})").format(
                        backup=item.backup)
                lines.append(line)
            text = "\n".join(lines)
        text += "\n\n" + _(
            "Restart Open Cobalt to use the new settings. Run this wizard again at any time "
            "to check your network or change them."
        )
        self.report.setText(text)
        self.setFinalPage(True)
