"""Router exposure: how peers outside the LAN reach this computer's spaces (TeaTime)."""

from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QGroupBox, QLabel, QRadioButton, QVBoxLayout, QWidget

from cobalt_setup.gui.pages.base import SetupPage
from cobalt_setup.gui.widgets import ProbeArea, muted
from cobalt_setup.session import SetupSession
from cobalt_setup.settings import FIELDS_BY_ID, RouterMode

MODE_FIELD = ("Router", "Mode")


class RouterPage(SetupPage):
    def __init__(self, session: SetupSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setTitle(self.tr("Router exposure"))
        self.setSubTitle(self.tr(
            "Friends outside your network reach the spaces you host on TCP ports "
            "6900-6909. Choose how your router lets them in."
        ))
        modes = QGroupBox(self.tr("How others reach your spaces"), self)
        modes_layout = QVBoxLayout(modes)
        self.mode_buttons: dict[RouterMode, QRadioButton] = {}
        self.mode_group = QButtonGroup(self)
        choices = (
            (RouterMode.UPNP, self.tr("&Automatic (UPnP)"), self.tr(
                "Open Cobalt asks your router to open the ports itself whenever it runs. "
                "Works with most home routers.")),
            (RouterMode.MANUAL, self.tr("&Manual forwarding"), self.tr(
                "The ports are forwarded to this computer in the router's settings, by you or "
                "by this wizard. Use it when the router cannot be driven by UPnP.")),
            (RouterMode.LAN_ONLY, self.tr("&LAN only"), self.tr(
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
        self.add_field(("Router", "Ports"), self.tr("TeaTime &ports:"))
        self.add_field(("Router", "DispatcherPort"), self.tr("&Dispatcher port:"))
        self.add_field(("Router", "LocalAddress"), self.tr("L&ocal address:"))
        self.probes = ProbeArea(self.tr("Router check"), self)
        self.body.addWidget(self.probes)
        self.body.addStretch(1)

    def initializePage(self) -> None:
        text = self.session.form.text(MODE_FIELD)
        try:
            mode = RouterMode(text)
        except ValueError:
            mode = RouterMode(FIELDS_BY_ID[MODE_FIELD].default)
        self.mode_buttons[mode].setChecked(True)
        super().initializePage()

    def _on_mode_toggled(self, checked: bool) -> None:
        if not checked:
            return
        for mode, button in self.mode_buttons.items():
            if button.isChecked():
                self.session.form.set_text(MODE_FIELD, mode.value)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return super().isComplete() and self.session.form.is_valid([MODE_FIELD])
