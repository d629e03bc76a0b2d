"""The wizard in the user's language: Qt's own texts (qtbase_*: QWizard's Next, Back,
Cancel), the pages' (cobalt_setup_*.qm; cobalt_setup_en.qm holds only English's singular
and plural forms) and the core's findings and fixes (gettext, see cobalt_setup.i18n), all
for the user's preferred languages or a forced one."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from cobalt_setup.i18n import SOURCE_LANGUAGE, pick_language, use_language

QM_FOLDER = Path(__file__).resolve().parents[1] / "translations"
_installed: list[QTranslator] = []


def install_translations(app: QCoreApplication, language: str | None = None) -> str:
    """Load the translations for `language` ("de", "fr_CA", ...) or else the first of the
    user's preferred languages the wizard speaks; replaces any loaded before. The pages and
    the core always speak the same language. Returns it ("en" when none matched)."""
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    code = pick_language([language] if language else QLocale.system().uiLanguages())
    ours = QTranslator(app)  # English has one too: the singular of the texts with a number
    if not ours.load(f"cobalt_setup_{code}", str(QM_FOLDER)):
        return use_language(SOURCE_LANGUAGE)
    qt = QTranslator(app)
    if code != SOURCE_LANGUAGE and qt.load(
            QLocale(code), "qtbase", "_",
            QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        _installed.append(qt)
    app.installTranslator(ours)
    _installed.append(ours)
    return use_language(code)
