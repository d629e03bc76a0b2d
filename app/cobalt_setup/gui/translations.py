"""The wizard in the user's language: Qt's own texts (qtbase_*: QWizard's Next, Back,
Cancel), the pages' (cobalt_setup_*.qm) and the core's findings and fixes (gettext, see
cobalt_setup.i18n), all for the system locale or a forced language."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from cobalt_setup.i18n import use_language

QM_FOLDER = Path(__file__).resolve().parents[1] / "translations"
_installed: list[QTranslator] = []


def install_translations(app: QCoreApplication, language: str | None = None) -> str:
    """Load the translations for `language` ("de", "fr_CA", ...) or the system's locale;
    replaces any loaded before. Returns the language used ("en" when none matched)."""
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    locale = QLocale(language) if language else QLocale.system()
    ours = QTranslator(app)
    if not ours.load(locale, "cobalt_setup", "_", str(QM_FOLDER)):
        return use_language("en")
    qt = QTranslator(app)
    if qt.load(locale, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        _installed.append(qt)
    app.installTranslator(ours)
    _installed.append(ours)
    return use_language(locale.name())
