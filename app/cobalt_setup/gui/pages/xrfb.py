"""Xrfb / VNC: the shared-application service (HTTP control port and RFB display ports)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from cobalt_setup.gui.pages.base import SetupPage
from cobalt_setup.gui.widgets import ProbeArea
from cobalt_setup.session import SetupSession


class XrfbPage(SetupPage):
    def __init__(self, session: SetupSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setTitle(self.tr("Shared applications (Xrfb / VNC)"))
        self.setSubTitle(self.tr(
            "Open Cobalt shows desktop applications in a space through an Xrfb server: "
            "it controls it over HTTP and shows its screens over VNC."
        ))
        self.add_field(("Xrfb", "ServerHostAddress"), self.tr("Xrfb server &host address:"))
        self.add_field(("Xrfb", "ServerPortNumber"), self.tr("Xrfb server &port number:"))
        self.add_field(("Xrfb", "VncPorts"), self.tr("&VNC ports:"))
        self.probes = ProbeArea(self.tr("Xrfb and VNC check"), self)
        self.body.addWidget(self.probes)
        self.body.addStretch(1)
