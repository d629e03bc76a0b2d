"""Router exposure: how peers outside the LAN reach this computer's spaces (TeaTime)."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from cobalt_setup.checks.environment import CheckEnvironment
from cobalt_setup.gui.pages.base import SetupPage
from cobalt_setup.gui.probe_runner import ProbeRunner, Progress
from cobalt_setup.gui.widgets import ResultList, StatusLine, muted
from cobalt_setup.i18n import _, ngettext
from cobalt_setup.result import ProbeResult, Status
from cobalt_setup.router.instructions import manual_steps
from cobalt_setup.services import BY_ID
from cobalt_setup.session import SetupSession
from cobalt_setup.settings import FIELDS_BY_ID, FieldError, RouterMode, Settings

if TYPE_CHECKING:
    from cobalt_setup.router.checks import RouterReport

MODE_FIELD = ("Router", "Mode")
PORTS_FIELD = ("Router", "Ports")
DISPATCHER_FIELD = ("Router", "DispatcherPort")
LOCAL_ADDRESS_FIELD = ("Router", "LocalAddress")


@dataclass(frozen=True)
class ActionOutcome:
    """What Forward or Remove did: its results, and the address forwarded to, if any."""

    results: list[ProbeResult]
    local_address: str | None = None


class RouterPage(SetupPage):
    key = "router"  # its checks are the rows of checks.table.CHECKS with page="router"
    outcome_ids = ("friends-reach-you",)

    def __init__(self, session: SetupSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setTitle(_("Router exposure"))
        self._show_ports_in_subtitle()
        self.report: RouterReport | None = None
        self._loading = False
        modes = QGroupBox(_("How others reach your spaces"), self)
        modes_layout = QVBoxLayout(modes)
        self.mode_buttons: dict[RouterMode, QRadioButton] = {}
        self.mode_group = QButtonGroup(self)
        choices = (
            (RouterMode.UPNP, _("&Automatic (UPnP)"), _(
                "Open Cobalt asks your router to open the ports itself whenever it runs. "
                "The check below proves your router allows it with a short test forwarding, "
                "removed at once.")),
            (RouterMode.MANUAL, _("&Manual forwarding"), _(
                "The ports stay forwarded to this computer: this wizard forwards them now, "
                "or shows the steps to do it in the router's settings.")),
            (RouterMode.LAN_ONLY, _("&LAN only"), _(
                "Nothing is forwarded: only people on your own network can join your spaces.")),
        )
        for mode, label, explanation in choices:
            button = QRadioButton(label, modes)
            button.setAccessibleDescription(explanation)
            note = QLabel(explanation, modes)
            note.setWordWrap(True)
            note.setIndent(24)
            muted(note)
            self.mode_group.addButton(button)
            self.mode_buttons[mode] = button
            modes_layout.addWidget(button)
            modes_layout.addWidget(note)
            button.toggled.connect(self._on_mode_toggled)
        self.body.addWidget(modes)
        self.add_field(PORTS_FIELD, _("TeaTime &ports:"))
        self.add_field(DISPATCHER_FIELD, _("&Dispatcher port:"))
        self.add_field(LOCAL_ADDRESS_FIELD, _("L&ocal address:"))
        self.add_live_checks(_("Router check"))
        self._build_actions()
        self.body.addStretch(1)

    # -- the actions under the findings ---------------------------------------------------
    def _build_actions(self) -> None:
        self.actions = QGroupBox(_("Forwarding"), self)
        layout = QVBoxLayout(self.actions)
        self.conflict_line = StatusLine(self.actions)
        self.use_offer_button = QPushButton(self.actions)
        self.use_offer_button.clicked.connect(self._use_offer)
        offer_row = QHBoxLayout()
        offer_row.addWidget(self.conflict_line, 1)
        offer_row.addWidget(self.use_offer_button)
        layout.addLayout(offer_row)
        buttons = QHBoxLayout()
        self.forward_button = QPushButton(_("&Forward the ports now"), self.actions)
        self.forward_button.clicked.connect(self._forward)
        self.undo_button = QPushButton(self.actions)
        self.undo_button.clicked.connect(self._undo)
        buttons.addWidget(self.forward_button)
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.action_results = ResultList(self.actions)
        layout.addWidget(self.action_results)
        self.steps = QPlainTextEdit(self.actions)
        self.steps.setReadOnly(True)
        self.steps.setAccessibleName(_("Steps to forward the ports by hand"))
        self.steps.setMinimumHeight(150)
        self.copy_steps_button = QPushButton(_("&Copy the steps"), self.actions)
        self.copy_steps_button.clicked.connect(self._copy_steps)
        layout.addWidget(self.steps)
        copy_row = QHBoxLayout()
        copy_row.addWidget(self.copy_steps_button)
        copy_row.addStretch(1)
        layout.addLayout(copy_row)
        self.body.addWidget(self.actions)
        self.action_runner = ProbeRunner(self, on_finished=self._on_action_finished,
                                         on_failed=self._on_action_failed,
                                         on_busy=lambda _busy: self._update_actions())
        self._update_actions()

    def mode(self) -> RouterMode:
        try:
            return RouterMode(self.session.form.text(MODE_FIELD))
        except ValueError:
            return RouterMode(FIELDS_BY_ID[MODE_FIELD].default)

    def _update_actions(self) -> None:
        report, mode = self.report, self.mode()
        busy = self.action_runner.busy or (self.runner is not None and self.runner.busy)
        plan = report.plan if report else None
        mapper = report.mapper if report else None
        conflicts = bool(plan and plan.conflicts)
        self.conflict_line.setVisible(conflicts and mode is not RouterMode.LAN_ONLY)
        self.use_offer_button.setVisible(bool(conflicts and report and report.offer)
                                         and mode is not RouterMode.LAN_ONLY)
        if conflicts and report is not None:
            self.conflict_line.show_status("warning", _(
                "Some TeaTime ports are taken on the router; nothing was changed."))
            if report.offer:
                self.use_offer_button.setText(_("&Use {first}-{last} instead").format(
                    first=report.offer[0], last=report.offer[1]))
        can_forward = (mode is RouterMode.MANUAL and mapper is not None and plan is not None
                       and not conflicts and bool(plan.to_add))
        self.forward_button.setVisible(mode is RouterMode.MANUAL and mapper is not None)
        self.forward_button.setEnabled(can_forward and not busy)
        records = report.records if report else []
        self.undo_button.setVisible(bool(records))
        self.undo_button.setEnabled(not busy)
        self.undo_button.setText(ngettext("&Remove the forwarding this wizard made",
                                          "&Remove the {count} forwardings this wizard made",
                                          len(records)).format(count=len(records)))
        show_steps = mode is RouterMode.MANUAL and report is not None and mapper is None
        if show_steps and report is not None:
            self.steps.setPlainText(manual_steps(report.findings.lan_address, self._ports(),
                                                 report.findings.gateway))
        self.steps.setVisible(show_steps)
        self.copy_steps_button.setVisible(show_steps)
        self.actions.setVisible(bool(report) and (bool(self.action_results.lines) or any(
            widget.isVisibleTo(self.actions) for widget in (
                self.conflict_line, self.forward_button, self.undo_button, self.steps))))

    # -- checks ---------------------------------------------------------------------------
    def checks(self, settings: Settings, environment: CheckEnvironment,
               on_progress: Progress) -> Awaitable[RouterReport]:
        from cobalt_setup.router.checks import (
            check_router,  # loaded on first use: the wizard starts faster
        )

        return check_router(settings, environment.router, on_progress)

    def show_busy(self, busy: bool) -> None:
        self._update_actions()

    def show_checks(self, report: RouterReport) -> None:
        self.report = report
        super().show_checks(report.results)
        self._update_actions()

    def initializePage(self) -> None:
        self._loading = True
        try:
            self.mode_buttons[self.mode()].setChecked(True)
        finally:
            self._loading = False
        self.action_results.show_results([])
        super().initializePage()

    def _on_mode_toggled(self, checked: bool) -> None:
        if not checked:
            return
        for mode, button in self.mode_buttons.items():
            if button.isChecked():
                self.session.form.set_text(MODE_FIELD, mode.value)
        self.completeChanged.emit()
        if not self._loading:
            self.action_results.show_results([])
            self._update_actions()
            self.start_checks(now=True)  # Automatic mode proves itself; the others do not

    def isComplete(self) -> bool:
        return super().isComplete() and self.session.form.is_valid([MODE_FIELD])

    def refresh(self) -> None:
        super().refresh()
        self._show_ports_in_subtitle()

    def _ports(self) -> list[int]:
        """The TeaTime ports as the user has them now (the catalogue's while they are not
        valid)."""
        text = self.session.form.text(PORTS_FIELD)
        with contextlib.suppress(FieldError):
            span = FIELDS_BY_ID[PORTS_FIELD].check(text)
            return list(range(span.first, span.last + 1))
        teatime = BY_ID["teatime"]
        return list(range(teatime.first_port, teatime.last_port + 1))

    def _show_ports_in_subtitle(self) -> None:
        ports = self._ports()
        self.setSubTitle(_(
            "Friends outside your network reach the spaces you host on TCP ports "
            "{ports}. Choose how your router lets them in.").format(
                ports=f"{ports[0]}-{ports[-1]}" if len(ports) > 1 else str(ports[0])))

    # -- actions --------------------------------------------------------------------------
    def _use_offer(self) -> None:
        if self.report is None or self.report.offer is None:
            return
        first, last = self.report.offer
        form = self.session.form
        old_first = self.report.plan.ports[0] if self.report.plan else first
        try:
            dispatcher = int(form.text(DISPATCHER_FIELD)) - old_first + first
        except ValueError:
            dispatcher = first
        form.set_text(PORTS_FIELD, f"{first}-{last}")
        form.set_text(DISPATCHER_FIELD, str(min(max(dispatcher, first), last)))
        for field_id in (PORTS_FIELD, DISPATCHER_FIELD):
            self.rows[field_id].load()
        self.refresh()
        self.start_checks(now=True)

    def _forward(self) -> None:
        report, env = self.report, self.session.checks
        if report is None or report.mapper is None or env is None or report.plan is None:
            return
        mapper, ports = report.mapper, list(report.plan.ports)
        client = report.plan.internal_client
        records, router_env = env.router.records(), env.router
        external = report.findings.external_address

        async def job(_progress: Progress) -> ActionOutcome:
            from cobalt_setup.router.forwarding import forward_ports, plan_forwarding
            from cobalt_setup.router.hairpin import hairpin_after

            plan = await plan_forwarding(mapper, ports, client)  # the router may have changed
            outcome = await forward_ports(mapper, plan, records)
            hairpin = await hairpin_after(outcome, external, router_env)
            return ActionOutcome([outcome.result(), *([hairpin] if hairpin else [])],
                                 client if outcome.ok else None)

        self.action_results.show_results([])
        self.action_runner.run(job)

    def _undo(self) -> None:
        report, env = self.report, self.session.checks
        if report is None or report.mapper is None or env is None:
            return
        findings, router_env = report.findings, env.router
        records = router_env.records()

        async def job(_progress: Progress) -> ActionOutcome:
            from cobalt_setup.router.forwarding import mappers_for, undo_on_router

            mappers = mappers_for(findings, router_env)
            outcome = await undo_on_router(mappers, records)
            return ActionOutcome([outcome.result(mappers[0].router_address)])

        self.action_results.show_results([])
        self.action_runner.run(job)

    def _on_action_finished(self, outcome: ActionOutcome) -> None:
        if outcome.local_address is not None:
            self.session.form.set_text(LOCAL_ADDRESS_FIELD, outcome.local_address)
        self.rows[LOCAL_ADDRESS_FIELD].load()
        self.refresh()
        self.start_checks(now=True)  # show the router as it is now
        self.action_results.show_results(outcome.results)
        self._update_actions()

    def _on_action_failed(self, message: str) -> None:
        self.action_results.show_results([ProbeResult(
            "router.action", "upnp", "", Status.FAILED,
            _("The router action stopped unexpectedly ({message}).").format(
                message=message),
            _("Check again; if it keeps failing, restart the router."))])
        self.start_checks(now=True)  # show the router as it is now
        self._update_actions()

    def _copy_steps(self) -> None:
        QGuiApplication.clipboard().setText(self.steps.toPlainText())
