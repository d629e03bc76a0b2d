"""Xrfb / VNC: the shared-application service (HTTP control port and RFB display ports)."""

from __future__ import annotations

from collections.abc import Awaitable

from PySide6.QtWidgets import QLabel, QWidget

from cobalt_setup.checks.environment import CheckEnvironment
from cobalt_setup.gui.pages.base import SetupPage
from cobalt_setup.gui.widgets import muted
from cobalt_setup.i18n import _
from cobalt_setup.probes.vnc import vnc_range_note
from cobalt_setup.result import OnResult, ProbeResult
from cobalt_setup.session import SetupSession
from cobalt_setup.settings import Settings


class XrfbPage(SetupPage):
    key = "xrfb"  # its checks are the rows of checks.table.CHECKS with page="xrfb"

    def __init__(self, session: SetupSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setTitle(_("Shared applications (Xrfb / VNC)"))
        self.setSubTitle(_(
            "Open Cobalt shows desktop applications in a space through an Xrfb server: "
            "it controls it over HTTP and shows its screens over VNC."
        ))
        self.add_field(("Xrfb", "ServerHostAddress"), _("Xrfb server &host address:"))
        self.add_field(("Xrfb", "ServerPortNumber"), _("Xrfb server &port number:"))
        self.add_field(("Xrfb", "VncPorts"), _("&VNC ports:"))
        self.add_live_checks(_("Xrfb and VNC check"))
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
