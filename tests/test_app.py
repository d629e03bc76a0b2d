"""Starting the wizard for real: the qasync loop runs until the window closes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
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
            wizard.button(QWizard.WizardButton.CommitButton).click()  # saves in the background
            finish_when_written(wizard)
        else:
            wizard.reject()

    QTimer.singleShot(100, close)


def finish_when_written(wizard: SetupWizard) -> None:
    if wizard.currentPage().isFinalPage():
        wizard.button(QWizard.WizardButton.FinishButton).click()
    else:
        QTimer.singleShot(20, lambda: finish_when_written(wizard))


@pytest.mark.parametrize(("how", "exit_code", "written"), [("cancel", 1, False),
                                                          ("finish", 0, True)])
def test_wizard_runs_until_closed_and_says_how_it_ended(
    qapp: QApplication, tmp_path: Path, how: str, exit_code: int, written: bool
) -> None:
    ini = tmp_path / "prefs.ini"
    close_wizard_soon(qapp, how)
    try:
        assert run_wizard(ini, tmp_path, None) == exit_code
    finally:
        asyncio.set_event_loop(None)
    assert ini.exists() == written
    assert (tmp_path / "config" / "cobalt-router.conf").exists() == written
    if written:
        assert "[Router]" in ini.read_text()
