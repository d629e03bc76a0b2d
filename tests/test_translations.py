"""The wizard speaks German and French: page titles, its own texts and Qt's buttons."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
from PySide6.QtWidgets import QApplication, QWizard
from pytestqt.qtbot import QtBot

from cobalt_setup.cli import main
from cobalt_setup.gui.pages.router import RouterPage
from cobalt_setup.gui.translations import QM_FOLDER, available_languages, install_translations
from wizard_driver import open_wizard

ROOT = Path(__file__).resolve().parents[1]
TS_FOLDER = ROOT / "resources" / "translations"


@pytest.fixture
def speaking(qapp: QApplication) -> Iterator[object]:
    def switch(language: str) -> str:
        return install_translations(qapp, language)

    yield switch
    install_translations(qapp, "en")


def test_german_titles_and_qt_buttons(speaking: object, qtbot: QtBot, ini_path: Path,
                                      cobalt_dir: Path) -> None:
    assert speaking("de") == "de"  # type: ignore[operator]
    wizard = open_wizard(qtbot, ini_path, cobalt_dir)
    assert wizard.currentPage().title() == "Willkommen bei Cobalt Network Setup"
    assert "Weiter" in wizard.buttonText(QWizard.WizardButton.NextButton)
    assert wizard.buttonText(QWizard.WizardButton.CancelButton) == "Abbrechen"
    router = wizard.page(wizard.page_ids[RouterPage])
    assert router.title() != "Router exposure"


def test_french_titles(speaking: object, qtbot: QtBot, ini_path: Path,
                       cobalt_dir: Path) -> None:
    assert speaking("fr") == "fr"  # type: ignore[operator]
    wizard = open_wizard(qtbot, ini_path, cobalt_dir)
    assert wizard.currentPage().title().startswith("Bienvenue")
    assert wizard.buttonText(QWizard.WizardButton.CancelButton) == "Annuler"


def test_english_is_the_fallback_and_unknown_languages_are_refused(
        speaking: object, capsys: pytest.CaptureFixture[str]) -> None:
    assert speaking("xx") == "en"  # type: ignore[operator]
    assert set(available_languages()) >= {"de", "fr"}
    assert main(["--lang", "xx", "screenshots", "/nonexistent"]) == 2
    assert "--lang xx" in capsys.readouterr().err


@pytest.mark.parametrize("language", ["de", "fr"])
def test_every_text_is_translated_and_the_compiled_file_is_current(
        language: str, tmp_path: Path) -> None:
    ts = TS_FOLDER / f"cobalt_setup_{language}.ts"
    messages = ElementTree.parse(ts).getroot().iter("message")
    untranslated = [m.findtext("source") for m in messages
                    if not (m.findtext("translation") or "").strip()
                    or m.find("translation").get("type") == "unfinished"]
    assert untranslated == []
    rebuilt = tmp_path / "rebuilt.qm"
    lrelease = Path(sys.executable).parent / "pyside6-lrelease"
    subprocess.run([str(lrelease), str(ts), "-qm", str(rebuilt)], check=True,
                   capture_output=True)
    shipped = QM_FOLDER / f"cobalt_setup_{language}.qm"
    assert shipped.read_bytes() == rebuilt.read_bytes(), \
        "run resources/translations/update.py --release"
