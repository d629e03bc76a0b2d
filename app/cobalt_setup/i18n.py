"""Every text of ours (the pages', and the core's findings, fixes, field labels, error
messages) in the user's language.

One GNU gettext catalogue from the standard library, for the pages and the Qt-free core
alike, compiled to `locale/<language>/LC_MESSAGES/cobalt_setup.mo` next to this module
(sources and the tool that updates them: resources/translations/). Only Qt's own texts
(QWizard's buttons) come from Qt's qtbase_*.qm (cobalt_setup.gui.translations).
The wizard and the command line choose the language once at start with `use_language`;
until then, and for a language without a catalogue, texts stay in English.

In the code: `_("text with {name}").format(name=...)` for a text, `ngettext(one, many, n)`
for one with a number, and `N_("text")` to mark a text kept in a constant, which is
translated with `_()` where it is shown.
"""

from __future__ import annotations

import gettext
import locale
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path

DOMAIN = "cobalt_setup"
SOURCE_LANGUAGE = "en"  # the language of the texts in the code
LOCALE_FOLDER = Path(__file__).resolve().parent / "locale"
_ENVIRONMENT = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_catalogue: gettext.NullTranslations = gettext.NullTranslations()


def available_languages() -> list[str]:
    """The languages spoken besides English: ["de", "fr"]."""
    return sorted(path.parents[1].name
                  for path in LOCALE_FOLDER.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))


def system_languages() -> list[str]:
    """The user's languages, most wanted first, as gettext reads them from the environment
    (Linux, macOS terminals), else Windows' display language, else the locale Python
    reports."""
    for variable in _ENVIRONMENT:
        value = os.environ.get(variable)
        if value:
            return [part for part in value.split(":") if part]
    if sys.platform == "win32":
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        shown = windows_display_language(kernel32.GetUserDefaultUILanguage())
        if shown:
            return [shown]
    with_region = locale.getlocale()[0]
    return [with_region] if with_region else []


def windows_display_language(language_id: int) -> str | None:
    """A Windows language number as a locale name: 0x0407 gives "de_DE". (There
    locale.getlocale() says "German_Germany", which matches no catalogue.)"""
    return locale.windows_locale.get(language_id)


def language_code(name: str) -> str:
    """The language part of a locale name: "de_AT.UTF-8", "fr-CA" and "de" give "de", "fr",
    "de"."""
    return re.split(r"[-_.@]", name, maxsplit=1)[0].lower()


def pick_language(wanted: Iterable[str]) -> str:
    """The first of `wanted` (most preferred first) this tool speaks, as a code ("de").

    English counts although it has no catalogue (it is the code's own), so a user who
    prefers English to German gets English, not the first catalogue further down the list.
    Returns "en" when none is spoken."""
    spoken = {SOURCE_LANGUAGE, *available_languages()}
    return next((code for code in map(language_code, wanted) if code in spoken),
                SOURCE_LANGUAGE)


def use_language(language: str | None = None) -> str:
    """Speak `language` ("de", "fr_CA", "de_DE.UTF-8") or, when None, the system's.
    Returns the language now used: "en" when none of them has a catalogue."""
    global _catalogue
    code = pick_language([language] if language else system_languages())
    if code == SOURCE_LANGUAGE:
        _catalogue = gettext.NullTranslations()
    else:
        with (LOCALE_FOLDER / code / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as file:
            _catalogue = gettext.GNUTranslations(file)
    return code


def _(message: str) -> str:
    """`message` in the language in use ("" stays "": gettext would give its header)."""
    return _catalogue.gettext(message) if message else message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a text for `count` in the language in use."""
    return _catalogue.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks a text to translate later, where it is shown; returns it unchanged."""
    return message
