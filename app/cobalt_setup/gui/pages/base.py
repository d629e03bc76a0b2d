"""What every settings page shares: fields bound to the session's form, Next gated on them."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QFrame,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from cobalt_setup.form import FieldId
from cobalt_setup.gui.probe_runner import ProbeRunner, Progress
from cobalt_setup.gui.widgets import FieldRow, ProbeArea, ResultList
from cobalt_setup.i18n import _
from cobalt_setup.result import ProbeResult, Status
from cobalt_setup.settings import SettingsInvalid

if TYPE_CHECKING:
    from cobalt_setup.checks.environment import CheckEnvironment
    from cobalt_setup.session import SetupSession
    from cobalt_setup.settings import Settings


class SetupPage(QWizardPage):
    """A page that edits some fields of the session; Next is enabled while they are valid."""

    key = ""  # the rows of checks.table.CHECKS this page deals with have page=key
    outcome_ids: tuple[str, ...] = ()  # the answers it opens with (checks/outcomes.py)

    def __init__(self, session: SetupSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.rows: dict[FieldId, FieldRow] = {}
        # Live results can outgrow a small screen: scroll rather than squeeze them.
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        content = QWidget(scroll)
        scroll.setWidget(content)
        self.body = QVBoxLayout(content)
        self.body.setContentsMargins(0, 0, 0, 0)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def add_field(
        self, field_id: FieldId, label: str, layout: QVBoxLayout | None = None
    ) -> FieldRow:
        row = FieldRow(self.session.form, field_id, label, self)
        row.edited.connect(self._on_edited)
        self.rows[field_id] = row
        (layout or self.body).addWidget(row)
        width = max(other.label.sizeHint().width() for other in self.rows.values())
        for other in self.rows.values():
            other.align_to(width)
        return row

    def _on_edited(self, field_id: FieldId) -> None:
        self.refresh()
        if field_id in self.checked_fields():
            self.start_checks(now=False)

    def checked_fields(self) -> set[FieldId]:
        """The fields whose edits re-run this page's checks (after a pause)."""
        return set(self.rows)

    def initializePage(self) -> None:
        for row in self.rows.values():
            row.load()
        self.refresh()
        self.start_checks(now=True)

    def cleanupPage(self) -> None:
        """Back: stop this page's checks at once."""
        for runner in self.findChildren(ProbeRunner):
            runner.cancel()
        super().cleanupPage()

    # -- live checks: pages that have them override `checks()` and the `show_*` methods --
    runner: ProbeRunner | None = None

    def add_live_checks(self, title: str) -> ProbeArea:
        """The area where this page's live results appear, and the runner behind it. A page
        with `outcome_ids` opens with those answers; the checks are one click away."""
        self.probes = ProbeArea(title, self)
        self.checked_settings: Settings | None = None
        if self.outcome_ids:
            self.answers = ResultList(self.probes)
            self.answers.setAccessibleName(_("Answers"))
            self.probes.layout().addWidget(self.answers)
            self.details_button = QPushButton(_("Show the chec&ks"), self.probes)
            self.details_button.setCheckable(True)
            self.details_button.setFlat(True)
            self.details_button.toggled.connect(self._show_details)
            self.probes.layout().addWidget(self.details_button)
        self.results = ResultList(self.probes)
        self.probes.layout().addWidget(self.results)
        self.results.setVisible(not self.outcome_ids)
        self.body.addWidget(self.probes)
        self.add_checks_runner()
        return self.probes

    def _show_details(self, shown: bool) -> None:
        self.results.setVisible(shown)
        self.details_button.setText(_("Hide the chec&ks") if shown else
                                    _("Show the chec&ks"))

    def add_checks_runner(self) -> ProbeRunner:
        """The runner of this page's checks: the only way their findings reach the page."""
        self.runner = ProbeRunner(self, on_progress=self.show_progress,
                                  on_finished=self.show_checks, on_failed=self.show_failure,
                                  on_busy=self.show_busy)
        return self.runner

    def checks(self, settings: Settings, environment: CheckEnvironment,
               on_progress: Progress) -> Awaitable[Any]:
        """The checks of this page, as a coroutine that touches no widget and no attribute
        of the page: what it finds it reports through `on_progress` and returns."""
        raise NotImplementedError

    def settings_for_checks(self) -> Settings | None:
        """The settings to check with, or None (the page says why) while a rule is broken."""
        if not self.session.form.is_valid(self.rows):
            message = _("Correct the fields above to check this service.")
        else:
            try:
                return self.session.form.settings()
            except SettingsInvalid as invalid:  # a field of another page, from a broken file
                message = _("Checks wait until every setting is valid: {problems}").format(
                    problems=invalid)
        if self.runner is not None:
            self.runner.cancel()
        self.probes.status.show_status("info", message)
        return None

    def start_checks(self, now: bool) -> None:
        if self.runner is None or self.session.checks is None:
            return
        settings = self.settings_for_checks()
        if settings is None:
            return
        environment = self.session.checks
        self.checked_settings = settings
        self.checks_started()

        def job(progress: Progress) -> Awaitable[Any]:
            return self.checks(settings, environment, progress)

        (self.runner.run if now else self.runner.run_later)(job)

    # -- what the runner delivers, in the GUI thread ------------------------------------
    def checks_started(self) -> None:
        self.results.show_results([])
        if self.outcome_ids:
            self.answers.show_results([])
        self.probes.status.show_status("busy", _("checking..."))

    def show_progress(self, result: ProbeResult) -> None:
        self.results.add_result(result)

    def show_checks(self, results: list[ProbeResult]) -> None:
        self.results.show_results(results)
        problems = sum(1 for r in results if r.status in (Status.FAILED, Status.WARNING))
        skipped = sum(1 for r in results if r.status is Status.SKIPPED)
        failed = any(r.status is Status.FAILED for r in results)
        self.probes.show_verdict(problems, len(results) - skipped, skipped, failed=failed)
        if self.outcome_ids and self.checked_settings is not None:
            from cobalt_setup.checks.outcomes import answers

            cause, found = answers(results, self.checked_settings, self.outcome_ids)
            self.answers.show_results(found)
            if cause is not None:  # one cause, said once: not "6 of 9 checks failed"
                self.probes.status.show_status("error", cause.summary)

    def show_failure(self, message: str) -> None:
        self.probes.status.show_status("error", _(
            "The checks stopped unexpectedly ({message}).").format(message=message))

    def show_busy(self, busy: bool) -> None:
        """The runner started or ended a run."""

    def refresh(self) -> None:
        """Show each field's problem (a rule may involve another field) and re-gate Next."""
        errors = self.session.form.errors(self.rows)
        for field_id, row in self.rows.items():
            row.show_problem(errors.get(field_id))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.session.form.is_valid(self.rows)
