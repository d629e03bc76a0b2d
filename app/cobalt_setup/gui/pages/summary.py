"""Summary: what will change in each file (old -> new), then Write settings."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
    QWizard,
)

from cobalt_setup.checks.environment import CheckEnvironment
from cobalt_setup.firewall import firewall_text, other_systems, this_system
from cobalt_setup.gui.pages.base import SetupPage
from cobalt_setup.gui.probe_runner import ProbeRunner, Progress
from cobalt_setup.gui.widgets import StatusLine, muted
from cobalt_setup.i18n import _
from cobalt_setup.prefs.atomic import PrefsChangedError, PrefsWriteError, WrittenFile
from cobalt_setup.prefs.router_conf import RouterConfError
from cobalt_setup.prefs.store import WritePlan, write
from cobalt_setup.report import diagnosis_json, diagnosis_markdown
from cobalt_setup.services import CATALOGUE
from cobalt_setup.session import SetupSession
from cobalt_setup.settings import Change, Settings, SettingsInvalid

if TYPE_CHECKING:
    from cobalt_setup.checks.diagnosis import Diagnosis


class SummaryPage(SetupPage):
    key = "summary"  # its checks are the rows of checks.table.CHECKS with page="summary"
    outcome_ids = ("join-spaces", "chat", "share-apps", "friends-reach-you")

    def __init__(self, session: SetupSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setTitle(_("Summary"))
        self.setSubTitle(_(
            "Check what will be written. Cancel now and nothing changes on your computer."
        ))
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, _("&Write settings"))
        self.changes = QTextBrowser(self)
        self.changes.setAccessibleName(_("Changes to be written"))
        self.changes.setOpenLinks(False)
        self.changes.setMinimumHeight(240)
        self.problem = StatusLine(self)
        self.problem.setVisible(False)
        changes_label = QLabel(_("&Changes:"), self)
        changes_label.setBuddy(self.changes)
        self.body.addWidget(changes_label)
        self.body.addWidget(self.changes, 1)
        self.body.addWidget(self.problem)
        self.add_live_checks(_("Every service, checked with these settings"))
        self.results.group_names = {service.id: service.name for service in CATALOGUE}
        self.diagnosis: Diagnosis | None = None
        report_row = QHBoxLayout()
        self.copy_report_button = QPushButton(_("C&opy report"), self)
        self.copy_report_button.setToolTip(_(
            "Copy the checks as Markdown, for a support ticket or a forum post"))
        self.copy_report_button.clicked.connect(self._copy_report)
        self.save_report_button = QPushButton(_("Sa&ve report..."), self)
        self.save_report_button.clicked.connect(self._save_report)
        self.report_status = StatusLine(self)
        self.report_status.setVisible(False)
        report_row.addWidget(self.copy_report_button)
        report_row.addWidget(self.save_report_button)
        report_row.addWidget(self.report_status, 1)
        report_row.addStretch(1)
        self.probes.layout().addLayout(report_row)
        self._build_firewall()
        self._can_write = False
        self._written = False
        self.save_runner = ProbeRunner(self, on_finished=self._on_saved,
                                       on_busy=lambda _busy: self.completeChanged.emit())
        self._update_report_buttons()

    def initializePage(self) -> None:
        self.problem.setVisible(False)
        self._written = False
        super().initializePage()
        self._show_firewall()
        self._show_plan()

    def _show_plan(self) -> None:
        """What Write settings would change in each file, from the files as read."""
        try:
            plan = self.session.plan()
        except (SettingsInvalid, RouterConfError, ValueError) as error:
            self._can_write = False
            self.changes.setHtml("")
            self.problem.show_status("error", _(
                "The settings cannot be written: {error}"
            ).format(error=error))
            self.problem.setVisible(True)
        else:
            self._can_write = True
            files = self.session.current.files
            sections = [
                self._section(_("General preferences"), str(files.ini_path),
                              plan.ini_changes, files.ini_path in plan.contents),
                self._section(_("Router configuration"), str(files.router_conf_path),
                              plan.router_conf_changes, files.router_conf_path in plan.contents),
            ]
            self.changes.setHtml("".join(sections))
        self.completeChanged.emit()

    def checks(self, settings: Settings, environment: CheckEnvironment,
               on_progress: Progress) -> Awaitable[Diagnosis]:
        """The same diagnosis as `cobalt-setup diagnose`, for the settings about to be
        written."""
        from cobalt_setup.checks.diagnosis import (
            run_diagnosis,  # loaded on first use: the wizard starts faster
        )

        return run_diagnosis(settings, environment, on_result=on_progress)

    def checks_started(self) -> None:
        self.diagnosis = None
        self._update_report_buttons()
        super().checks_started()

    def show_checks(self, diagnosis: Diagnosis) -> None:
        self.diagnosis = self.session.diagnosis = diagnosis
        super().show_checks(diagnosis.checks)
        self._update_report_buttons()

    # -- firewall rules: shown and copyable, never applied ------------------------------------
    def _build_firewall(self) -> None:
        box = QGroupBox(_("Firewall rules for these settings (shown, not applied)"), self)
        layout = QVBoxLayout(box)
        note = QLabel(_(
            "If a firewall on this computer or your network blocks Open Cobalt, these are the "
            "rules it needs, as commands for Windows, macOS and Linux. Nothing here is run."),
            box)
        note.setWordWrap(True)
        muted(note)
        self.firewall = QPlainTextEdit(box)
        self.firewall.setReadOnly(True)
        self.firewall.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.firewall.setMinimumHeight(180)
        self.firewall.setAccessibleName(_("Firewall rules"))
        copy = QPushButton(_("Copy firewall &rules"), box)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(
            self.firewall.toPlainText()))
        # This computer's firewall first; the other systems' commands are folded.
        self.other_systems_button = QPushButton(_("Show the other s&ystems"), box)
        self.other_systems_button.setCheckable(True)
        self.other_systems_button.toggled.connect(lambda _shown: self._show_firewall())
        row = QHBoxLayout()
        row.addWidget(copy)
        row.addWidget(self.other_systems_button)
        row.addStretch(1)
        layout.addWidget(note)
        layout.addWidget(self.firewall)
        layout.addLayout(row)
        self.body.addWidget(box)

    def _show_firewall(self) -> None:
        try:
            settings = self.session.form.settings()
        except SettingsInvalid as invalid:
            self.firewall.setPlainText(str(invalid))
            return
        from cobalt_setup.checks.table import firewall_rules  # loaded on first use

        first = this_system()
        others = self.other_systems_button.isChecked()
        self.other_systems_button.setText(_("Hide the other s&ystems") if others else
                                          _("Show the other s&ystems"))
        systems = (first, *other_systems(first)) if others else (first,)
        self.firewall.setPlainText(firewall_text(firewall_rules(settings), systems=systems))

    # -- the report ----------------------------------------------------------------------
    def _update_report_buttons(self) -> None:
        ready = self.diagnosis is not None
        self.copy_report_button.setEnabled(ready)
        self.save_report_button.setEnabled(ready)

    def _copy_report(self) -> None:
        if self.diagnosis is None:
            return
        QGuiApplication.clipboard().setText(diagnosis_markdown(self.diagnosis))
        self.report_status.show_status("ok", _("Report copied (Markdown)."))
        self.report_status.setVisible(True)

    def _save_report(self) -> None:
        """A non-blocking file dialog (no exec() under qasync); the suffix picks the format."""
        if self.diagnosis is None:
            return
        stamp = f"{self.diagnosis.started:%Y%m%d-%H%M%S}"
        dialog = QFileDialog(self, _("Save the report"),
                             str(Path.home() / f"cobalt-diagnosis-{stamp}.md"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters([_("Markdown (*.md)"), _("JSON (*.json)")])
        dialog.filterSelected.connect(lambda chosen: dialog.setDefaultSuffix(
            "json" if "json" in chosen else "md"))
        dialog.setDefaultSuffix("md")
        dialog.fileSelected.connect(self.save_report_to)
        self.save_dialog = dialog
        dialog.open()

    def save_report_to(self, path_text: str) -> None:
        if self.diagnosis is None or not path_text:
            return
        path = Path(path_text)
        text = diagnosis_json(self.diagnosis) + "\n" if path.suffix.lower() == ".json" \
            else diagnosis_markdown(self.diagnosis)
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as problem:
            self.report_status.show_status("error", _(
                "The report could not be saved to {path}: {problem}").format(
                    path=path, problem=problem.strerror or problem))
        else:
            self.report_status.show_status("ok", _("Report saved to {path}.").format(
                path=path))
        self.report_status.setVisible(True)

    def _section(self, title: str, path: str, changes: list[Change], writes: bool) -> str:
        head = f"<h3>{escape(title)}</h3><p><code>{escape(path)}</code></p>"
        if not writes:
            unchanged = _("No change: this file already says this.")
            return head + f"<p>{escape(unchanged)}</p>"
        rows = []
        for change in changes:
            old = _("(not set)") if change.old is None else (change.old or _("(empty)"))
            new = (_("(removed: cobalt-router.conf has it)") if change.new is None
                   else change.new or _("(empty)"))
            rows.append(
                f"<tr><td>{escape(_(change.field.label))}</td>"
                f"<td>{escape(old)}</td><td>&rarr;</td><td><b>{escape(new)}</b></td></tr>"
            )
        if not rows:
            layout_only = _("Only the layout of the file changes.")
            rows.append(f"<tr><td>{escape(layout_only)}</td></tr>")
        return head + "<table cellspacing='0' cellpadding='3'>" + "".join(rows) + "</table>"

    def isComplete(self) -> bool:
        return self._can_write and not self.save_runner.busy

    def validatePage(self) -> bool:
        """Write settings: both files are written off the GUI thread (a save may wait a
        few seconds for another one to finish); once written, the wizard goes on."""
        if self._written:
            return True
        if self.save_runner.busy:
            return False
        try:
            plan = self.session.plan()
        except (SettingsInvalid, RouterConfError, ValueError) as error:
            self.problem.show_status("error", str(error))
            self.problem.setVisible(True)
            return False
        self.problem.show_status("info", _("Writing the settings..."))
        self.problem.setVisible(True)
        self.save_runner.run(lambda _progress: write_in_background(plan))
        return False

    def _on_saved(self, outcome: SaveOutcome) -> None:
        if outcome.written is not None:
            self.session.written = outcome.written
            self._written = True
            self.wizard().next()
            return
        if outcome.changed:  # another save wrote in between: show the changes anew
            self.session.reload()
            self._show_plan()
        self.problem.show_status("error", outcome.problem)
        self.problem.setVisible(True)


@dataclass(frozen=True)
class SaveOutcome:
    """What a save did: the files written, or why nothing was (and whether the files had
    changed under the page, so that its changes must be shown again)."""

    written: list[WrittenFile] | None
    problem: str = ""
    changed: bool = False


async def write_in_background(plan: WritePlan) -> SaveOutcome:
    try:
        written = await asyncio.get_running_loop().run_in_executor(None, write, plan)
    except PrefsChangedError as changed:
        return SaveOutcome(None, str(changed), changed=True)
    except PrefsWriteError as problem:
        return SaveOutcome(None, str(problem))
    return SaveOutcome(written)
