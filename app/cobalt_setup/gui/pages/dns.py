"""DNS: the resolvers Open Cobalt's chat and directory clients use; dispatcher discovery."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from cobalt_setup.gui.pages.base import SetupPage
from cobalt_setup.gui.widgets import ProbeArea
from cobalt_setup.session import SetupSession


class DnsPage(SetupPage):
    def __init__(self, session: SetupSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setTitle(self.tr("Name resolution (DNS)"))
        self.setSubTitle(self.tr(
            "Open Cobalt's chat and Space Directory clients look up names through these "
            "DNS servers, not always through your computer's own."
        ))
        self.add_field(("DNS", "Servers"), self.tr("DNS &servers:"))
        self.add_field(("DNS", "DispatcherDomain"), self.tr("Dispatcher &domain:"))
        self.add_field(("DNS", "DispatcherService"), self.tr("Dispatcher service &type:"))
        self.probes = ProbeArea(self.tr("Resolvers and dispatcher discovery"), self)
        self.body.addWidget(self.probes)
        self.body.addStretch(1)
