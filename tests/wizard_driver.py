"""Driving the wizard as a user does: type into fields, press its buttons."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWizard
from pytestqt.qtbot import QtBot

from cobalt_setup.gui.widgets import FieldRow
from cobalt_setup.gui.wizard import SetupWizard
from cobalt_setup.session import SetupSession

NEXT = QWizard.WizardButton.NextButton
COMMIT = QWizard.WizardButton.CommitButton
FINISH = QWizard.WizardButton.FinishButton


def open_wizard(qtbot: QtBot, ini_path: Path, cobalt_dir: Path | None,
                session: SetupSession | None = None) -> SetupWizard:
    wizard = SetupWizard(session or SetupSession(ini_path, cobalt_dir))
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def field_input(wizard: SetupWizard, section: str, key: str) -> QLineEdit:
    found = wizard.currentPage().findChild(QLineEdit, f"{section}.{key}")
    assert found is not None, f"{section}.{key} is not on page {wizard.currentPage().title()}"
    return found


def retype(qtbot: QtBot, line_edit: QLineEdit, text: str) -> None:
    line_edit.selectAll()
    qtbot.keyClick(line_edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(line_edit, text)


def press(wizard: SetupWizard, button: QWizard.WizardButton) -> None:
    page = wizard.currentPage().title()
    assert wizard.button(button).isEnabled(), f"{button} is disabled on {page}"
    wizard.button(button).click()


def problem_texts(wizard: SetupWizard) -> list[str]:
    return [row.problem.text.text() for row in wizard.currentPage().findChildren(FieldRow)
            if row.problem.isVisibleTo(wizard)]
