"""DNS: the resolvers Open Cobalt's chat and directory clients use; dispatcher discovery."""

from __future__ import annotations

from collections.abc import Awaitable
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cobalt_setup.addresses import Endpoint
from cobalt_setup.checks.environment import CheckEnvironment
from cobalt_setup.gui.pages.base import SetupPage
from cobalt_setup.gui.probe_runner import Progress
from cobalt_setup.gui.widgets import STATUS_KINDS, ProbeArea, StatusLine, status_icon
from cobalt_setup.i18n import N_, _, ngettext
from cobalt_setup.probes.dns.terms import VERDICT_STATUS, Verdict, verdict_words
from cobalt_setup.session import SetupSession
from cobalt_setup.settings import Settings
from cobalt_setup.wording import milliseconds

if TYPE_CHECKING:
    from cobalt_setup.probes.dns.checks import DnsChecks
    from cobalt_setup.probes.dns.resolvers import RankedResolver, ResolverRanking, ResolverStats
    from cobalt_setup.probes.dns.service_discovery import Discovery

SERVERS = ("DNS", "Servers")
PAGE_FIELDS = (SERVERS, ("DNS", "DispatcherDomain"), ("DNS", "DispatcherService"))
# The icon of each verdict: the kind of its status in a report, and "busy" while checking.
VERDICT_KINDS = {verdict: "busy" if verdict is Verdict.CHECKING else STATUS_KINDS[status.value]
                 for verdict, status in VERDICT_STATUS.items()}
# The table's column titles, translated where shown.
COLUMNS = (
    N_("Resolver"), N_("Provider"),
    N_("First look-up"), N_("Median"),
    N_("p90"), N_("Answered"),
    N_("Verdict"))


class DnsPage(SetupPage):
    key = "dns"  # its checks are the rows of checks.table.CHECKS with page="dns"

    def __init__(self, session: SetupSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setTitle(_("Name resolution (DNS)"))
        self.setSubTitle(_(
            "Open Cobalt's chat and Space Directory clients look up names through these "
            "DNS servers, not always through your computer's own."
        ))
        for field_id, label in zip(PAGE_FIELDS, (
            _("DNS &servers:"), _("Dispatcher &domain:"),
            _("Dispatcher service &type:"),
        ), strict=True):
            self.add_field(field_id, label)
        self.probes = ProbeArea(_("Resolvers"), self)
        self.body.addWidget(self.probes)
        self.add_checks_runner()
        self._build_results()
        self.body.addStretch(1)
        self._rows: dict[tuple[str, int], int] = {}
        self._ranking: ResolverRanking | None = None

    # -- layout -------------------------------------------------------------------
    def _build_results(self) -> None:
        layout = self.probes.layout()
        assert isinstance(layout, QVBoxLayout)
        self.progress_bar = QProgressBar(self.probes)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMaximumHeight(6)
        self.progress_bar.setVisible(False)
        self.progress_bar.setAccessibleName(_("DNS check progress"))
        layout.addWidget(self.progress_bar)
        self.table = QTableWidget(0, len(COLUMNS), self.probes)
        self.table.setHorizontalHeaderLabels([_(c) for c in COLUMNS])
        self.table.setAccessibleName(_("Resolvers measured"))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column, tip in ((2, _("The first look-up of each name: the resolver may have "
                                        "to ask other servers.")),
                            (3, _("Repeated look-ups, usually answered from the "
                                        "resolver's cache."))):
            self.table.horizontalHeaderItem(column).setToolTip(tip)
        self.table.setMinimumHeight(150)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.table.setVisible(False)
        layout.addWidget(self.table)
        self.reason = QLabel(self.probes)
        self.reason.setWordWrap(True)
        self.reason.setVisible(False)
        layout.addWidget(self.reason)
        self.recommendation = StatusLine(self.probes)
        self.recommendation.setVisible(False)
        layout.addWidget(self.recommendation)
        buttons = QHBoxLayout()
        self.use_recommended = QPushButton(_("Use the &recommendation"), self.probes)
        self.use_selected = QPushButton(_("Use the se&lected resolvers"), self.probes)
        for button in (self.use_recommended, self.use_selected):
            button.setEnabled(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.use_recommended.clicked.connect(self._on_use_recommended)
        self.use_selected.clicked.connect(self._on_use_selected)
        self.discovery_box = QGroupBox(_("Dispatcher discovery"), self)
        discovery_layout = QVBoxLayout(self.discovery_box)
        self.discovery = StatusLine(self.discovery_box)
        self.discovery_details = QLabel(self.discovery_box)
        self.discovery_details.setWordWrap(True)
        self.discovery_details.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        discovery_layout.addWidget(self.discovery)
        discovery_layout.addWidget(self.discovery_details)
        self.discovery_box.setVisible(False)
        self.body.addWidget(self.discovery_box)

    # -- checks: the resolver benchmark has its own live table, not the result list ----
    def checks(self, settings: Settings, environment: CheckEnvironment,
               on_progress: Progress) -> Awaitable[DnsChecks]:
        async def run() -> DnsChecks:
            from cobalt_setup.probes.dns.checks import run_dns_checks  # loads dnspython

            return await run_dns_checks(settings, environment.dns, on_progress)

        return run()

    def checks_started(self) -> None:
        self.probes.status.show_status("busy", _(
            "asking each resolver the names Open Cobalt needs..."))

    def show_busy(self, busy: bool) -> None:
        self.progress_bar.setVisible(busy)
        if busy:
            self.progress_bar.setRange(0, 0)

    def show_progress(self, stats: ResolverStats) -> None:
        self.table.setVisible(True)
        key = (stats.candidate.host, stats.candidate.port)
        if key not in self._rows:
            if not self._rows:
                self.table.setRowCount(0)
            self._rows[key] = self.table.rowCount()
            self.table.insertRow(self.table.rowCount())
        row = self._rows[key]
        self._fill_row(row, stats, Verdict.CHECKING if not stats.finished else None, "")

    def _fill_row(self, row: int, stats: ResolverStats, verdict: Verdict | None,
                  reason: str) -> None:
        cells = (
            stats.candidate.address,
            stats.candidate.provider,
            milliseconds(stats.cold_median_ms),
            milliseconds(stats.median_ms),
            milliseconds(stats.p90_ms),
            f"{stats.responded} / {stats.sent}",  # a refusal is an answer too
        )
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, stats.candidate.endpoint)
            if column >= 2:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, column, item)
        if verdict is None:
            verdict = Verdict.CHECKING
        shown = verdict_words(verdict)
        item = QTableWidgetItem(status_icon(VERDICT_KINDS[verdict]), shown)
        item.setToolTip(reason)
        item.setData(Qt.ItemDataRole.UserRole + 1, reason)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{shown}. {reason}")
        self.table.setItem(row, len(COLUMNS) - 1, item)

    def show_checks(self, checks: DnsChecks) -> None:
        self.session.dns_checks = checks
        ranking = checks.ranking
        self._ranking = ranking
        self._rows.clear()
        self.table.setUpdatesEnabled(False)  # one relayout for the whole table, not per cell
        self.table.setRowCount(0)
        self.table.setVisible(bool(ranking.rows))
        for ranked in ranking.rows:
            self._add_ranked(ranked)
        self.table.setUpdatesEnabled(True)
        self._show_recommendation(ranking)
        self._show_discovery(checks.discovery)
        self.use_selected.setEnabled(bool(ranking.rows))
        if ranking.rows:
            self.table.selectRow(0)

    def _add_ranked(self, ranked: RankedResolver) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self._rows[(ranked.stats.candidate.host, ranked.stats.candidate.port)] = row
        self._fill_row(row, ranked.stats, ranked.verdict, ranked.reason)

    def _show_recommendation(self, ranking: ResolverRanking) -> None:
        took = ngettext("Checked {count} resolver in {seconds:.1f} s.",
                        "Checked {count} resolvers in {seconds:.1f} s.", len(ranking.rows)).format(
            count=len(ranking.rows), seconds=ranking.elapsed_s)
        if ranking.deadline_hit:
            took += " " + _("Some did not finish in time; their figures are partial.")
        recommendation = ranking.recommendation
        if recommendation is None or not recommendation.servers:
            sentence = recommendation.sentence if recommendation else ""
            self.probes.status.show_status("error", f"{sentence} {took}".strip())
            self.recommendation.setVisible(False)
            self.use_recommended.setEnabled(False)
            return
        self.probes.status.show_status("ok", took)
        current = self.session.form.text(SERVERS).strip()
        already = current == recommendation.servers_text
        self.recommendation.show_status("ok" if already else "info", recommendation.sentence + (
            " " + _("This is what you have chosen.") if already else ""))
        self.use_recommended.setEnabled(not already)

    def _show_discovery(self, discovery: Discovery | None) -> None:
        self.discovery_box.setVisible(True)
        if discovery is None:
            self.discovery.show_status("info", _(
                "Enter your organisation's dispatcher domain above to look for a dispatcher."))
            self.discovery_details.setVisible(False)
            return
        lines = []
        for instance in discovery.dispatchers:
            target = instance.targets[0] if instance.targets else None
            where = f"{target.host}:{target.port}" if target else _("nowhere")
            weights = _(" (priority {priority}, weight {weight})").format(
                priority=target.priority, weight=target.weight) if target else ""
            problem = _("Problem:")
            lines.append(
                f"<b>{escape(instance.name)}</b> &mdash; {escape(where)}{escape(weights)}"
                + (f"<br>&nbsp;&nbsp;TXT: {escape(' '.join(instance.txt))}" if instance.txt else "")
                + (f"<br>&nbsp;&nbsp;{escape(problem)} {escape(instance.problem)}"
                   if instance.problem else "")
            )
        for title, targets in ((_("Space Directory (LDAP)"), discovery.ldap),
                               (_("Chat (XMPP)"), discovery.xmpp)):
            for target in targets:
                lines.append(f"{escape(title)}: {escape(target.host)}:{target.port}"
                             + ("" if target.resolves else " " + escape(_(
                                 "(its name does not resolve)"))))
        usable = [i for i in discovery.dispatchers if not i.problem]
        if usable:
            self.discovery.show_status("ok", ngettext(
                "Found {count} dispatcher in {domain}.", "Found {count} dispatchers in {domain}.",
                len(usable)).format(count=len(usable), domain=discovery.domain))
        else:
            self.discovery.show_status("warning", " ".join(discovery.problems) or _(
                "No usable dispatcher was found in {domain}.").format(domain=discovery.domain))
        self.discovery_details.setText("<br>".join(lines))
        self.discovery_details.setVisible(bool(lines))

    def show_failure(self, message: str) -> None:
        self.probes.status.show_status("error", _(
            "The DNS check stopped unexpectedly ({message}). Your settings are not affected; "
            "go Back and Next to try again.").format(message=message))

    # -- choosing -----------------------------------------------------------------
    def _on_selection(self) -> None:
        rows = {index.row() for index in self.table.selectedIndexes()}
        if len(rows) == 1:
            item = self.table.item(rows.pop(), len(COLUMNS) - 1)
            reason = item.data(Qt.ItemDataRole.UserRole + 1) if item else ""
            self.reason.setText(reason or "")
            self.reason.setVisible(bool(reason))

    def _set_servers(self, text: str) -> None:
        self.session.form.set_text(SERVERS, text)
        self.rows[SERVERS].load()
        self.refresh()
        if self._ranking is not None:
            self._show_recommendation(self._ranking)

    def _on_use_recommended(self) -> None:
        if self._ranking and self._ranking.recommendation:
            self._set_servers(self._ranking.recommendation.servers_text)

    def _on_use_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()})
        endpoints: list[Endpoint] = []
        for row in rows:
            item = self.table.item(row, 0)
            endpoint = item.data(Qt.ItemDataRole.UserRole) if item else None
            if isinstance(endpoint, Endpoint) and endpoint not in endpoints:
                endpoints.append(endpoint)
        if endpoints:
            self._set_servers(", ".join(str(e) for e in endpoints))
