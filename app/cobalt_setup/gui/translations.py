"""The wizard in the user's language: Qt's own texts (qtbase_*: QWizard's Next, Back,
Cancel) and everything of ours, the pages' texts and the core's findings and fixes, from
one gettext catalogue (see cobalt_setup.i18n), for the user's preferred languages or a
forced one."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from cobalt_setup.i18n import SOURCE_LANGUAGE, pick_language, use_language

_installed: list[QTranslator] = []


def install_translations(app: QCoreApplication, language: str | None = None) -> str:
    """Speak `language` ("de", "fr_CA", ...) or else the first of the user's preferred
    languages the wizard speaks; replaces Qt's texts loaded before. Returns the language
    ("en" when none matched). Pages built afterwards speak it."""
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    code = pick_language([language] if language else QLocale.system().uiLanguages())
    qt = QTranslator(app)
    if code != SOURCE_LANGUAGE and qt.load(
            QLocale(code), "qtbase", "_",
            QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        _installed.append(qt)
    return use_language(code)
