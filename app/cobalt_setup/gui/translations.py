"""The wizard in the user's language: Qt's own texts (qtbase_*: QWizard's Next, Back,
Cancel) and the wizard's (cobalt_setup_*), for the system locale or a forced language."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

QM_FOLDER = Path(__file__).resolve().parents[1] / "translations"
_installed: list[QTranslator] = []


def available_languages() -> list[str]:
    """The languages the wizard speaks besides English: "de", "fr", ..."""
    return sorted(path.stem.split("_", 2)[-1] for path in QM_FOLDER.glob("cobalt_setup_*.qm"))


def install_translations(app: QCoreApplication, language: str | None = None) -> str:
    """Load the translations for `language` ("de", "fr_CA", ...) or the system's locale;
    replaces any loaded before. Returns the language used ("en" when none matched)."""
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    locale = QLocale(language) if language else QLocale.system()
    ours = QTranslator(app)
    if not ours.load(locale, "cobalt_setup", "_", str(QM_FOLDER)):
        return "en"
    qt = QTranslator(app)
    if qt.load(locale, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        _installed.append(qt)
    app.installTranslator(ours)
    _installed.append(ours)
    return locale.name().split("_")[0]
