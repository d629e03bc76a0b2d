"""Space Directory (LDAP) and chat server: the organisation's servers Open Cobalt talks to."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from cobalt_setup.checks.environment import CheckEnvironment
from cobalt_setup.form import FieldId
from cobalt_setup.gui.pages.base import SetupPage
from cobalt_setup.gui.widgets import StatusLine
from cobalt_setup.i18n import _
from cobalt_setup.result import OnResult, ProbeResult
from cobalt_setup.session import SetupSession
from cobalt_setup.settings import Settings

if TYPE_CHECKING:
    from cobalt_setup.probes.dns.service_discovery import SrvTarget


class SrvOffer(QWidget):
    """'Your domain publishes X at host:port' with a button that fills the fields in."""

    def __init__(self, page: SetupPage, host_field: tuple[str, str],
                 port_field: tuple[str, str], button_text: str) -> None:
        super().__init__(page)
        self.page, self.host_field, self.port_field = page, host_field, port_field
        self.status = StatusLine(self)
        self.button = QPushButton(button_text, self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status, 1)
        layout.addWidget(self.button)
        self.button.clicked.connect(self._use)
        self.target: SrvTarget | None = None
        self.setVisible(False)

    def offer(self, targets: tuple[SrvTarget, ...], what: str, domain: str) -> None:
        usable = [t for t in targets if t.resolves]
        self.target = usable[0] if usable else None
        form = self.page.session.form
        if self.target is None or (
            form.text(self.host_field) == self.target.host
            and form.text(self.port_field) == str(self.target.port)
        ):
            self.setVisible(False)
            return
        self.status.show_status("info", _(
            "{domain} publishes a {what} at {host}:{port} (found on the DNS page)."
        ).format(domain=domain, what=what, host=self.target.host, port=self.target.port))
        self.setVisible(True)

    def _use(self) -> None:
        if self.target is None:
            return
        form = self.page.session.form
        form.set_text(self.host_field, self.target.host)
        form.set_text(self.port_field, str(self.target.port))
        for field_id in (self.host_field, self.port_field):
            self.page.rows[field_id].load()
        self.page.refresh()
        self.setVisible(False)


class SpaceDirectoryPage(SetupPage):
    key = "directory"  # its checks are the rows of checks.table.CHECKS with page="directory"

    def __init__(self, session: SetupSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setTitle(_("Space Directory and chat"))
        self.setSubTitle(_(
            "The Space Directory is the LDAP server where spaces are published and found. "
            "Open Cobalt's default is the Open Cobalt project's public directory."
        ))
        directory = QGroupBox(_("Space Directory (LDAP)"), self)
        directory_layout = QVBoxLayout(directory)
        self.add_field(("SpaceDirectory", "Host"), _("Space Directory &host:"),
                       directory_layout)
        self.add_field(("SpaceDirectory", "Port"), _("Space Directory &port:"),
                       directory_layout)
        self.ldap_offer = SrvOffer(self, ("SpaceDirectory", "Host"), ("SpaceDirectory", "Port"),
                                   _("&Use this directory"))
        directory_layout.addWidget(self.ldap_offer)
        self.body.addWidget(directory)
        self.add_live_checks(_("Space Directory check"))
        chat = QGroupBox(_("Chat (Jabber / XMPP)"), self)
        chat_layout = QVBoxLayout(chat)
        self.add_field(("Chat", "Server"), _("&Chat server:"), chat_layout)
        self.add_field(("Chat", "Port"), _("Chat p&ort:"), chat_layout)
        self.chat_offer = SrvOffer(self, ("Chat", "Server"), ("Chat", "Port"),
                                   _("Use this chat &server"))
        chat_layout.addWidget(self.chat_offer)
        self.body.addWidget(chat)
        self.body.addStretch(1)

    def checks(self, settings: Settings, environment: CheckEnvironment,
               on_result: OnResult) -> Awaitable[list[ProbeResult]]:
        from cobalt_setup.checks.services import (
            check_space_directory,  # loaded on first use: the wizard starts faster
        )

        return check_space_directory(settings, environment, on_result)

    def checked_fields(self) -> set[FieldId]:
        """Chat is checked on the Summary: editing it does not re-check the directory."""
        return {("SpaceDirectory", "Host"), ("SpaceDirectory", "Port")}

    def initializePage(self) -> None:
        super().initializePage()
        checks = self.session.dns_checks
        discovery = checks.discovery if checks else None
        if discovery is None:
            self.ldap_offer.setVisible(False)
            self.chat_offer.setVisible(False)
            return
        self.ldap_offer.offer(discovery.ldap, _("Space Directory"), discovery.domain)
        self.chat_offer.offer(discovery.xmpp, _("chat server"), discovery.domain)
