"""Every page works for a screen reader and a keyboard: names, mnemonics, status words."""

from __future__ import annotations

import re
from itertools import combinations
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QCheckBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTextBrowser,
    QWidget,
    QWizard,
)
from pytestqt.qtbot import QtBot

from cobalt_setup.gui.app import application
from cobalt_setup.gui.translations import install_translations
from cobalt_setup.gui.widgets import STATUS_ICON_KINDS, StatusLine, status_icon
from cobalt_setup.gui.wizard import PAGES, SetupWizard
from wizard_driver import open_wizard

INPUTS = (QLineEdit, QAbstractButton, QPlainTextEdit, QTextBrowser, QTableWidget)
WIZARD_BUTTONS = (QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton,
                  QWizard.WizardButton.CommitButton, QWizard.WizardButton.FinishButton,
                  QWizard.WizardButton.CancelButton)


def accessible_name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name).strip() if interface else ""


def visible_inputs(page: QWidget, wizard: SetupWizard) -> list[QWidget]:
    found = [w for kind in INPUTS for w in page.findChildren(kind)
             if w.isVisibleTo(wizard) and not isinstance(w.parentWidget(), QAbstractScrollArea)]
    return [w for w in found if type(w).__name__ not in ("QScrollBar",)]


@pytest.fixture
def every_page(qtbot: QtBot, ini_path: Path, cobalt_dir: Path) -> SetupWizard:
    return open_wizard(qtbot, ini_path, cobalt_dir)


@pytest.mark.parametrize("page_class", PAGES, ids=[p.__name__ for p in PAGES])
def test_every_input_and_status_row_has_a_name(every_page: SetupWizard,
                                               page_class: type) -> None:
    wizard = every_page
    wizard.setStartId(wizard.page_ids[page_class])
    wizard.restart()
    page = wizard.currentPage()
    unnamed = [f"{type(w).__name__} {w.objectName() or ''}".strip()
               for w in visible_inputs(page, wizard) if not accessible_name(w)]
    assert unnamed == [], f"inputs without an accessible name on {page.title()}"
    rows = [row for row in page.findChildren(StatusLine) if row.isVisibleTo(wizard)]
    for row in rows:
        assert row.accessibleName().strip(), f"a status row without words on {page.title()}"
        assert row.text.text() and row.word_label.text() == row.word(row.kind), (
            "status is a word, not a colour")
        assert row.word_label.font().bold(), "the status word stands out from its details"


@pytest.mark.parametrize("page_class", PAGES, ids=[p.__name__ for p in PAGES])
def test_every_input_has_a_mnemonic(every_page: SetupWizard, page_class: type) -> None:
    wizard = every_page
    wizard.setStartId(wizard.page_ids[page_class])
    wizard.restart()
    page = wizard.currentPage()
    buddies = {label.buddy(): label for label in page.findChildren(QLabel) if label.buddy()}
    missing = []
    for widget in visible_inputs(page, wizard):
        if isinstance(widget, QPushButton | QCheckBox | QRadioButton):
            text = widget.text()
        elif widget in buddies:
            text = buddies[widget].text()
        else:
            continue  # read-only views reached with Tab
        if "&" not in text.replace("&&", ""):
            missing.append(text or type(widget).__name__)
    assert missing == [], f"no mnemonic on {page.title()}"


def mnemonic(text: str) -> str | None:
    found = re.search(r"&([^&])", text.replace("&&", ""))
    return found.group(1).lower() if found else None


@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_no_two_mnemonics_of_a_page_share_a_letter(
        language: str, qapp: QApplication, qtbot: QtBot, ini_path: Path,
        cobalt_dir: Path) -> None:
    """Alt+letter acts at once only when one control of the page has that letter; two
    make it move the focus between them instead. Counted: the labels of inputs, every
    button of the page (shown or not yet) and the wizard's own buttons on that page."""
    install_translations(qapp, language)
    try:
        wizard = open_wizard(qtbot, ini_path, cobalt_dir)
        clashes = {}
        for page_class in PAGES:
            wizard.setStartId(wizard.page_ids[page_class])
            wizard.restart()
            page = wizard.currentPage()
            texts = [label.text() for label in page.findChildren(QLabel) if label.buddy()]
            texts += [button.text() for button in page.findChildren(QAbstractButton)]
            # Back works on every page but the first and the one after Write settings
            # (restarting the wizard on a page disables it there).
            has_back = page_class not in (PAGES[0], PAGES[-1])
            texts += [wizard.button(which).text() for which in WIZARD_BUTTONS
                      if (has_back if which is QWizard.WizardButton.BackButton
                          else wizard.button(which).isVisible())]
            letters: dict[str, list[str]] = {}
            for text in texts:
                if mnemonic(text):
                    letters.setdefault(mnemonic(text), []).append(text)
            clashes.update({f"{page_class.__name__} Alt+{letter}": shared
                            for letter, shared in letters.items() if len(shared) > 1})
        assert clashes == {}
    finally:
        install_translations(qapp, "en")


def test_the_wizard_is_usable_with_the_keyboard_only(every_page: SetupWizard,
                                                     qtbot: QtBot) -> None:
    """Tab reaches every enabled input of a page, in the order the page shows them."""
    wizard = every_page
    for page_class in PAGES:
        wizard.setStartId(wizard.page_ids[page_class])
        wizard.restart()
        page = wizard.currentPage()
        wanted = [w for w in visible_inputs(page, wizard)
                  if w.isEnabled() and w.focusPolicy() & w.focusPolicy().TabFocus]
        reached, widget = [], page
        for _ in range(300):  # the focus chain Tab follows, from the page's top
            widget = widget.nextInFocusChain()
            if widget in wanted and widget not in reached:
                reached.append(widget)
        assert set(reached) == set(wanted), page.title()
        tops = [w.mapTo(wizard, w.rect().topLeft()).y() for w in reached
                if not isinstance(w, QRadioButton)]
        assert tops == sorted(tops), f"Tab order jumps around on {page.title()}"


def test_status_and_window_icons_are_sharp_on_high_dpi_screens(qapp: QApplication) -> None:
    """The icons are drawn from SVG: at 2x (a high-DPI screen) each one has twice the
    pixels, not a blurred copy of the small one, and no two statuses look the same."""
    images = {}
    for kind in STATUS_ICON_KINDS:
        small = status_icon(kind).pixmap(QSize(16, 16), 1.0)
        large = status_icon(kind).pixmap(QSize(16, 16), 2.0)
        assert not small.isNull(), f"status icon {kind!r} did not load"
        assert (large.width(), large.height()) == (32, 32)
        assert large.devicePixelRatio() == 2.0
        images[kind] = large.toImage()
    for first, second in combinations(STATUS_ICON_KINDS, 2):
        assert images[first] != images[second], f"{first} and {second} look the same"
    application()
    window_icon = qapp.windowIcon().pixmap(QSize(256, 256))
    assert (window_icon.width(), window_icon.height()) == (256, 256)


def test_a_status_line_copies_as_read_and_shows_a_servers_markup_as_text(
        qtbot: QtBot) -> None:
    line = StatusLine()
    qtbot.addWidget(line)
    banner = "<b>ProFTPD</b> &amp; <a href='x'>more</a>"  # what a wrong server may send
    line.show_status("error", f"The server answered in another protocol: {banner}")
    assert line.text.text().endswith(banner)
    assert line.text.textFormat() == Qt.TextFormat.PlainText, "a banner would render as HTML"
    copy = [action for action in line.actions() if action.text() == "&Copy"]
    assert copy, "no Copy in the line's right-click menu"
    QApplication.clipboard().clear()
    copy[0].trigger()
    assert QApplication.clipboard().text() == (
        f"Problem: The server answered in another protocol: {banner}")
