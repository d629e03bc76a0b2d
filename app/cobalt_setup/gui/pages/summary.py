"""Summary: what will change in each file (old -> new), then Write settings."""

from __future__ import annotations

from collections.abc import Awaitable
from html import escape

from PySide6.QtWidgets import QLabel, QTextBrowser, QWidget, QWizard

from cobalt_setup.gui.pages.base import SetupPage
from cobalt_setup.gui.widgets import StatusLine, translate
from cobalt_setup.prefs.atomic import PrefsWriteError
from cobalt_setup.prefs.router_conf import RouterConfError
from cobalt_setup.probes.environment import CheckEnvironment
from cobalt_setup.probes.result import ProbeResult
from cobalt_setup.probes.service_checks import OnResult, summary_checks
from cobalt_setup.session import SetupSession
from cobalt_setup.settings import Change, Settings, SettingsInvalid


class SummaryPage(SetupPage):
    def __init__(self, session: SetupSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setTitle(self.tr("Summary"))
        self.setSubTitle(self.tr(
            "Check what will be written. Cancel now and nothing changes on your computer."
        ))
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("&Write settings"))
        self.changes = QTextBrowser(self)
        self.changes.setAccessibleName(self.tr("Changes to be written"))
        self.changes.setOpenLinks(False)
        self.changes.setMinimumHeight(240)
        self.problem = StatusLine(self)
        self.problem.setVisible(False)
        changes_label = QLabel(self.tr("&Changes:"), self)
        changes_label.setBuddy(self.changes)
        self.body.addWidget(changes_label)
        self.body.addWidget(self.changes, 1)
        self.body.addWidget(self.problem)
        self.add_live_checks(self.tr("Chat, web and spaces on your network"))
        self._can_write = False

    def initializePage(self) -> None:
        self.problem.setVisible(False)
        super().initializePage()
        try:
            plan = self.session.plan()
        except (SettingsInvalid, RouterConfError, ValueError) as error:
            self._can_write = False
            self.changes.setHtml("")
            self.problem.show_status("error", self.tr(
                "The settings cannot be written: {error}"
            ).format(error=error))
        else:
            self._can_write = True
            files = self.session.current.files
            sections = [
                self._section(self.tr("General preferences"), str(files.ini_path),
                              plan.ini_changes, files.ini_path in plan.contents),
                self._section(self.tr("Router configuration"), str(files.router_conf_path),
                              plan.router_conf_changes, files.router_conf_path in plan.contents),
            ]
            self.changes.setHtml("".join(sections))
        self.completeChanged.emit()

    def checks(self, settings: Settings, environment: CheckEnvironment,
               on_result: OnResult) -> Awaitable[list[ProbeResult]]:
        return summary_checks(settings, environment, self.session.dns_checks, on_result)

    def _on_finished(self, results: list[ProbeResult]) -> None:
        self.session.summary_results = results
        super()._on_finished(results)

    def _section(self, title: str, path: str, changes: list[Change], writes: bool) -> str:
        head = f"<h3>{escape(title)}</h3><p><code>{escape(path)}</code></p>"
        if not writes:
            return head + f"<p>{escape(self.tr('No change: this file already says this.'))}</p>"
        rows = []
        for change in changes:
            old = self.tr("(not set)") if change.old is None else (change.old or self.tr("(empty)"))
            new = change.new or self.tr("(empty)")
            rows.append(
                f"<tr><td>{escape(translate(change.field.label))}</td>"
                f"<td>{escape(old)}</td><td>&rarr;</td><td><b>{escape(new)}</b></td></tr>"
            )
        if not rows:
            rows.append(f"<tr><td>{escape(self.tr('Only the layout of the file changes.'))}"
                        "</td></tr>")
        return head + "<table cellspacing='0' cellpadding='3'>" + "".join(rows) + "</table>"

    def isComplete(self) -> bool:
        return self._can_write

    def validatePage(self) -> bool:
        """Writes both files: a local, atomic write of a few hundred bytes, not a network wait."""
        try:
            self.session.write()
        except (PrefsWriteError, SettingsInvalid, RouterConfError, ValueError) as error:
            self.problem.show_status("error", str(error))
            return False
        return True
