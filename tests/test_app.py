"""Starting the wizard for real: the qasync loop runs until the window closes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWizard

from cobalt_setup.gui.app import run_wizard
from cobalt_setup.gui.wizard import SetupWizard


def close_wizard_soon(app: QApplication, how: str) -> None:
    def close() -> None:
        wizard = next(w for w in app.topLevelWidgets()
                      if isinstance(w, SetupWizard) and w.isVisible())
        if how == "finish":
            for _ in range(5):
                wizard.next()
            wizard.button(QWizard.WizardButton.CommitButton).click()
            wizard.button(QWizard.WizardButton.FinishButton).click()
        else:
            wizard.reject()

    QTimer.singleShot(100, close)


def test_cancelled_wizard_exits_1_and_writes_nothing(qapp: QApplication, tmp_path: Path) -> None:
    ini = tmp_path / "prefs.ini"
    close_wizard_soon(qapp, "cancel")
    try:
        assert run_wizard(ini, tmp_path) == 1
    finally:
        asyncio.set_event_loop(None)
    assert not ini.exists()


def test_finished_wizard_exits_0_and_writes(qapp: QApplication, tmp_path: Path) -> None:
    ini = tmp_path / "prefs.ini"
    close_wizard_soon(qapp, "finish")
    try:
        assert run_wizard(ini, tmp_path) == 0
    finally:
        asyncio.set_event_loop(None)
    assert "[Router]" in ini.read_text()
    assert (tmp_path / "config" / "cobalt-router.conf").exists()
