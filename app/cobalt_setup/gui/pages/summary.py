"""Summary: what will change in each file (old -> new), then Write settings."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QLabel, QTextBrowser, QVBoxLayout, QWidget, QWizard, QWizardPage

from cobalt_setup.gui.probe_runner import ProbeRunner
from cobalt_setup.gui.widgets import ProbeArea, ResultList, StatusLine, translate
from cobalt_setup.prefs.atomic import PrefsWriteError
from cobalt_setup.prefs.router_conf import RouterConfError
from cobalt_setup.probes.result import ProbeResult, Status
from cobalt_setup.probes.service_checks import summary_checks
from cobalt_setup.session import SetupSession
from cobalt_setup.settings import Change, SettingsInvalid


class SummaryPage(QWizardPage):
    def __init__(self, session: SetupSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setTitle(self.tr("Summary"))
        self.setSubTitle(self.tr(
            "Check what will be written. Cancel now and nothing changes on your computer."
        ))
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("&Write settings"))
        layout = QVBoxLayout(self)
        self.changes = QTextBrowser(self)
        self.changes.setAccessibleName(self.tr("Changes to be written"))
        self.changes.setOpenLinks(False)
        self.problem = StatusLine(self)
        self.problem.setVisible(False)
        self.probes = ProbeArea(self.tr("Chat, web and spaces on your network"), self)
        self.results = ResultList(self.probes)
        self.probes.layout().addWidget(self.results)
        self.runner = ProbeRunner(self)
        self.runner.progress.connect(self._on_result)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self._live: list[ProbeResult] = []
        changes_label = QLabel(self.tr("&Changes:"), self)
        changes_label.setBuddy(self.changes)
        layout.addWidget(changes_label)
        layout.addWidget(self.changes, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.probes)
        self._can_write = False

    def initializePage(self) -> None:
        self.problem.setVisible(False)
        self._start_checks()
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

    def _start_checks(self) -> None:
        environment = self.session.checks
        if environment is None:
            return
        try:
            settings = self.session.form.settings()
        except SettingsInvalid:
            return
        dns_checks = self.session.dns_checks
        self._live = []
        self.results.show_results([])
        self.probes.status.show_status("busy", self.tr(
            "checking chat, the version check and TeaTime, and listening for spaces on "
            "your network for {seconds:.0f} s...").format(seconds=environment.crqt_duration))

        async def job(progress):
            return await summary_checks(settings, environment, dns_checks, progress)

        self.runner.run(job)

    def _on_result(self, result: ProbeResult) -> None:
        self._live.append(result)
        self.results.show_results(self._live)

    def _on_finished(self, results: list[ProbeResult]) -> None:
        self.session.summary_results = results
        self.results.show_results(results)
        problems = sum(r.status in (Status.FAILED, Status.WARNING) for r in results)
        self.probes.status.show_status(
            "warning" if problems else "ok",
            self.tr("{count} checks, {problems} with a problem.").format(
                count=len(results), problems=problems))

    def _on_failed(self, message: str) -> None:
        self.probes.status.show_status("error", self.tr(
            "The checks stopped unexpectedly ({message}).").format(message=message))

    def cleanupPage(self) -> None:
        self.runner.cancel()
        super().cleanupPage()

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
