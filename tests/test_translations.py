"""The wizard speaks German and French: page titles, its own texts, Qt's buttons, and the
core's findings, fixes and error messages (gettext catalogues)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from string import Formatter
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from PySide6.QtWidgets import QApplication, QLabel, QWizard
from pytestqt.qtbot import QtBot

from cobalt_setup.cli import main
from cobalt_setup.gui.pages.router import RouterPage
from cobalt_setup.gui.translations import install_translations
from cobalt_setup.gui.widgets import ProbeArea
from cobalt_setup.i18n import (
    _,
    available_languages,
    pick_language,
    use_language,
    windows_display_language,
)
from cobalt_setup.probes.vnc import probe_vnc_port
from cobalt_setup.result import Status
from lab.dns_servers import DnsLab
from lab.ldap_servers import SlapdServer
from wizard_driver import NEXT, field_input, lab_session, open_wizard, press, retype

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


# -- the catalogue (gettext): the pages' texts and the core's ---------------------------
def _update_tool() -> ModuleType:
    """resources/translations/update.py, the tool that extracts and compiles the catalogues."""
    spec = importlib.util.spec_from_file_location("translations_update",
                                                  TS_FOLDER / "update.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _has_mnemonic(text: str) -> bool:
    return re.search(r"&[^&\s]", text.replace("&&", "")) is not None


def _fields(text: str) -> set[str]:
    return {name for _text, name, _spec, _conv in Formatter().parse(text) if name is not None}


def _catalogue(language: str) -> Catalog:
    with (TS_FOLDER / "core" / f"{language}.po").open("rb") as file:
        return read_po(file)


def translation_of(english: str, language: str) -> str:
    """What the catalogue makes of an English text the core produced: the most specific
    msgid whose pattern matches it (the most fixed words: "{port}: {reason}" matches
    nearly anything), its translation filled with the same values, each translated the
    same way when it is itself a catalogue text ("Start {listener}" with "the VNC server")."""
    found = _translated(english, _catalogue(language))
    assert found is not None, f"no catalogue entry produces {english!r}"
    return found


def _translated(english: str, catalogue: Catalog) -> str | None:
    best: tuple[int, str, dict[str, str]] | None = None
    for message in catalogue:
        if not message.id or not isinstance(message.id, str):
            continue
        parts = list(Formatter().parse(message.id))
        pattern, seen = "", set()
        for text, name, _spec, _conv in parts:
            pattern += re.escape(text)
            if name:
                pattern += f"(?P={name})" if name in seen else f"(?P<{name}>.+?)"
                seen.add(name)
        match = re.fullmatch(pattern, english, re.DOTALL)
        fixed = sum(len(text) for text, *_rest in parts)
        if match and fixed and (best is None or fixed > best[0]):
            best = (fixed, message.string, match.groupdict())
    if best is None:
        return None
    values = {name: _translated(value, catalogue) or value for name, value in best[2].items()}
    return best[1].format(**values)


@pytest.mark.parametrize("language", ["de", "fr"])
def test_every_text_is_translated_and_the_compiled_file_is_current(
        language: str) -> None:
    tool = _update_tool()
    catalogue = _catalogue(language)
    in_source = {message.id for message in tool.core_template() if message.id}
    in_catalogue = {message.id for message in catalogue if message.id}
    assert not in_source - in_catalogue, \
        "texts not in the catalogue: run resources/translations/update.py and translate them"
    for message in catalogue:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        assert "fuzzy" not in message.flags, ids[0]
        for form, text in enumerate(strings):
            assert text.strip(), f"untranslated: {ids[0]!r}"
            if form == 0 and len(ids) == 2:  # the singular may leave the number out
                assert _fields(ids[0]) <= _fields(text) <= _fields(ids[1]), \
                    f"placeholders differ: {ids[0]!r}"
            else:
                assert _fields(text) == _fields(ids[-1]), f"placeholders differ: {ids[0]!r}"
            if _has_mnemonic(ids[-1]):
                assert _has_mnemonic(text), f"Alt+letter would do nothing: {ids[0]!r}"
    with tool.mo_path(language).open("rb") as shipped:
        assert _texts(read_mo(shipped)) == _texts(catalogue), \
            "run resources/translations/update.py --release"


def _texts(catalogue: Catalog) -> dict[object, object]:
    """What a compiled catalogue says, leaving out the Babel version that wrote it."""
    def plain(text: object) -> object:
        return text if isinstance(text, str) else tuple(text)  # plural forms
    texts: dict[object, object] = {
        plain(message.id): plain(message.string) for message in catalogue if message.id}
    texts["Plural-Forms"] = catalogue.plural_forms
    return texts


def test_the_core_picks_its_language_like_the_desktop_does(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert use_language("de_AT.UTF-8") == "de"
    assert use_language("fr_CA") == "fr"
    assert use_language("xx") == "en"
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANGUAGE", "xx:fr:de")  # the first language we have wins
    assert use_language(None) == "fr"
    monkeypatch.setenv("LANGUAGE", "en_GB")
    assert use_language(None) == "en"
    monkeypatch.setenv("LANGUAGE", "en_US:de")  # English first, although it has no catalogue
    assert use_language(None) == "en"
    assert use_language("fr-CA") == "fr"  # the way Windows and macOS write it
    # Windows gives the display language as a number (the console program reads it there).
    assert pick_language([windows_display_language(0x0407) or ""]) == "de"
    assert pick_language([windows_display_language(0x0C0C) or ""]) == "fr"  # French, Canada
    assert pick_language([windows_display_language(0x0409) or ""]) == "en"


SPEAK_AS_THE_DESKTOP = """
import sys
from PySide6.QtWidgets import QApplication
from cobalt_setup.gui.translations import install_translations
from cobalt_setup.i18n import _
language = install_translations(QApplication(sys.argv[:1]))
print(language, _("Welcome to Cobalt Network Setup"),
      _("No dispatcher domain is set, so no dispatcher was looked for."), sep="\\n")
"""


@pytest.mark.parametrize(("preferred", "expected"), [
    ("en_US:de", "en"),  # English first: English, although German has a catalogue
    ("es:fr", "fr"),  # no Spanish: the next language the wizard speaks
    ("de_AT:fr", "de"),
])
def test_the_pages_and_the_findings_speak_the_first_preferred_language_we_have(
        preferred: str, expected: str) -> None:
    """A desktop set to prefer several languages (LANGUAGE here; the system settings'
    list on Windows and macOS) gets the first the wizard speaks, on the pages and in the
    core's findings alike."""
    environment = {**os.environ, "LANGUAGE": preferred, "LANG": "es_ES.UTF-8",
                   "QT_QPA_PLATFORM": "offscreen"}
    environment.pop("LC_ALL", None)
    environment.pop("LC_MESSAGES", None)
    shown = subprocess.run([sys.executable, "-c", SPEAK_AS_THE_DESKTOP], env=environment,
                           capture_output=True, text=True, check=True, timeout=60).stdout
    language, title, finding = shown.splitlines()[-3:]
    welcome = "Welcome to Cobalt Network Setup"
    no_domain = "No dispatcher domain is set, so no dispatcher was looked for."
    assert language == expected
    if expected == "en":
        assert (title, finding) == (welcome, no_domain)
    else:
        assert title == translation_of(welcome, expected) != welcome
        assert finding == translation_of(no_domain, expected) != no_domain


@pytest.mark.asyncio
@pytest.mark.parametrize("language", ["de", "fr"])
async def test_a_failed_check_explains_itself_in_the_users_language(
        language: str, closed_port: int) -> None:
    english = await probe_vnc_port("127.0.0.1", closed_port, timeout=1.0)
    assert english.status is Status.FAILED and english.fix
    use_language(language)
    translated = await probe_vnc_port("127.0.0.1", closed_port, timeout=1.0)
    assert translated.status is Status.FAILED
    assert translated.summary == translation_of(english.summary, language) != english.summary
    assert translated.fix == translation_of(english.fix, language) != english.fix
    assert translated.details == english.details, "machine-readable details stay as they are"


def test_a_bad_setting_is_refused_in_german_on_the_command_line(
        tmp_path: Path, cobalt_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "bad.ini"
    source.write_text("[SpaceDirectory]\nPort = 70000\n", encoding="utf-8")
    assert main(["--lang", "de", "apply", str(source), "--dry-run",
                 "--cobalt-dir", str(cobalt_dir)]) == 2
    german = capsys.readouterr().err
    use_language("en")
    assert main(["apply", str(source), "--dry-run", "--cobalt-dir", str(cobalt_dir)]) == 2
    english = capsys.readouterr().err
    rule = "70000 is not a port number: ports go from 1 to 65535"
    assert rule in english
    assert translation_of(rule, "de") in german and rule not in german


@pytest.mark.usefixtures("qasync_loop")
def test_the_directory_page_shows_a_german_finding_and_fix(
        speaking: object, qtbot: QtBot, dns_lab: DnsLab, plain_slapd: SlapdServer,
        ini_path: Path, cobalt_dir: Path) -> None:
    speaking("de")  # type: ignore[operator]
    wizard = open_wizard(qtbot, ini_path, cobalt_dir, lab_session(dns_lab, ini_path, cobalt_dir))
    press(wizard, NEXT)
    dns_page = wizard.currentPage()
    qtbot.waitUntil(lambda: not dns_page.runner.busy, timeout=3000)
    press(wizard, NEXT)
    page = wizard.currentPage()
    help_texts = [label.text() for label in page.findChildren(QLabel)]
    assert translation_of("The LDAP server where spaces are published and found.",
                          "de") in help_texts
    retype(qtbot, field_input(wizard, "SpaceDirectory", "Port"), str(plain_slapd.port))
    warning = _("Warning:")  # in German here
    qtbot.waitUntil(lambda: any(text.startswith(warning) for text in page.results.texts()),
                    timeout=5000)
    shown = next(text for text in page.results.texts() if text.startswith(warning))
    # The static words of the plain-LDAP finding, in German, are on the page.
    finding = next(m.string for m in _catalogue("de") if isinstance(m.id, str)
                   and "not an Open Cobalt Space Directory" in m.id)
    longest_words = max(re.split(r"\{[^}]*\}", finding), key=len).strip()
    assert len(longest_words) > 15 and longest_words in shown
    # The page's verdict agrees with its number: "1 ... hat", not "1 ... haben".
    qtbot.waitUntil(lambda: not page.runner.busy and not page.runner._debounce.isActive(),
                    timeout=5000)
    assert "1 von 2 Prüfungen hat ein Problem gefunden." in page.probes.status.text.text()


@pytest.mark.parametrize(("language", "one", "two"), [
    ("en", "1 check passed.", "All 2 checks passed."),
    ("de", "1 Prüfung bestanden.", "Alle 2 Prüfungen bestanden."),
    ("fr", "1 vérification réussie.", "Les 2 vérifications ont réussi."),
])
def test_a_verdict_agrees_with_its_number(language: str, one: str, two: str, speaking: object,
                                          qtbot: QtBot) -> None:
    speaking(language)  # type: ignore[operator]
    area = ProbeArea("Checks")
    qtbot.addWidget(area)
    area.show_verdict(problems=0, run=1, skipped=0)
    assert area.status.text.text() == one
    area.show_verdict(problems=0, run=2, skipped=0)
    assert area.status.text.text() == two


@pytest.mark.parametrize("language", ["de", "fr"])
def test_inputs_line_up_however_long_the_translated_labels_are(
        language: str, speaking: object, qtbot: QtBot, ini_path: Path,
        cobalt_dir: Path) -> None:
    speaking(language)  # type: ignore[operator]
    wizard = open_wizard(qtbot, ini_path, cobalt_dir)
    for page_id in wizard.pageIds():
        wizard.setStartId(page_id)
        wizard.restart()
        page = wizard.currentPage()
        rows = list(getattr(page, "rows", {}).values())
        if len(rows) < 2:
            continue
        qtbot.waitUntil(lambda rows=rows: all(row.input.width() > 100 for row in rows))
        starts = {row.input.mapTo(row.parentWidget(), row.input.rect().topLeft()).x()
                  for row in rows}
        assert len(starts) == 1, f"{page.title()}: inputs start at {sorted(starts)}"
