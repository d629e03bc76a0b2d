"""Xrfb / VNC: the shared-application service (HTTP control port and RFB display ports)."""

from __future__ import annotations

from collections.abc import Awaitable

from PySide6.QtWidgets import QLabel, QWidget

from cobalt_setup.checks.environment import CheckEnvironment
from cobalt_setup.gui.pages.base import SetupPage
from cobalt_setup.gui.widgets import muted
from cobalt_setup.probes.vnc import vnc_range_note
from cobalt_setup.result import OnResult, ProbeResult
from cobalt_setup.session import SetupSession
from cobalt_setup.settings import Settings


class XrfbPage(SetupPage):
    services = ("xrfb", "vnc")  # the diagnosis' services this page deals with

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
        self.add_live_checks(self.tr("Xrfb and VNC check"))
        note = QLabel(vnc_range_note(), self)
        note.setWordWrap(True)
        muted(note)
        self.body.addWidget(note)
        self.body.addStretch(1)

    def checks(self, settings: Settings, environment: CheckEnvironment,
               on_result: OnResult) -> Awaitable[list[ProbeResult]]:
        # TigerVNC counts each probe as a failed log-in and locks out after 5: the range is
        # scanned when the page opens and after an edit, never in a loop.
        from cobalt_setup.checks.services import (
            check_xrfb,  # loaded on first use: the wizard starts faster
        )

        return check_xrfb(settings, environment, on_result)
