"""Space Directory (LDAP) and chat server: the organisation's servers Open Cobalt talks to."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QVBoxLayout, QWidget

from cobalt_setup.gui.pages.base import SetupPage
from cobalt_setup.gui.widgets import ProbeArea
from cobalt_setup.session import SetupSession


class SpaceDirectoryPage(SetupPage):
    def __init__(self, session: SetupSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setTitle(self.tr("Space Directory and chat"))
        self.setSubTitle(self.tr(
            "The Space Directory is the LDAP server where spaces are published and found. "
            "Open Cobalt's default is the Open Cobalt project's public directory."
        ))
        directory = QGroupBox(self.tr("Space Directory (LDAP)"), self)
        directory_layout = QVBoxLayout(directory)
        self.add_field(("SpaceDirectory", "Host"), self.tr("Space Directory &host:"),
                       directory_layout)
        self.add_field(("SpaceDirectory", "Port"), self.tr("Space Directory &port:"),
                       directory_layout)
        self.body.addWidget(directory)
        self.probes = ProbeArea(self.tr("Space Directory check"), self)
        self.body.addWidget(self.probes)
        chat = QGroupBox(self.tr("Chat (Jabber / XMPP)"), self)
        chat_layout = QVBoxLayout(chat)
        self.add_field(("Chat", "Server"), self.tr("&Chat server:"), chat_layout)
        self.add_field(("Chat", "Port"), self.tr("Chat p&ort:"), chat_layout)
        self.body.addWidget(chat)
        self.body.addStretch(1)
