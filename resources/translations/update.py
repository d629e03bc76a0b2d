"""Brings the translation catalogue up to date: one gettext catalogue for the whole app.

Every text is marked with `_()`, `ngettext()` and `N_()` (cobalt_setup.i18n), in the pages
as in the core: Babel extracts them to core/cobalt_setup.pot and merges that into
core/<lang>.po (gettext files; Poedit, or by hand). Qt's own texts (QWizard's Next, Back,
Cancel) come from Qt's qtbase_*.qm, loaded by cobalt_setup.gui.translations.

Run: `.venv/bin/python resources/translations/update.py`, translate, then
`.venv/bin/python resources/translations/update.py --release` to compile what the app
loads: app/cobalt_setup/locale/*/LC_MESSAGES/*.mo.
tests/test_translations.py fails when a text is untranslated or a compiled file is stale.
"""

from __future__ import annotations

import re
import sys
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PACKAGE = ROOT / "app" / "cobalt_setup"
PO_FOLDER = HERE / "core"
TEMPLATE = PO_FOLDER / "cobalt_setup.pot"
MO_FOLDER = PACKAGE / "locale"
KEYWORDS = {"_": None, "ngettext": (1, 2), "N_": None}
COMMENT_TAGS = ["Translators:"]
METHOD_MAP = [("**.py", "python")]


def core_template() -> Catalog:
    """Every text the app marks, with where it stands and the translators' comments."""
    catalogue = Catalog(project="Cobalt Network Setup", domain="cobalt_setup",
                        charset="utf-8", fuzzy=False)
    for filename, line, message, comments, context in extract_from_dir(
            str(PACKAGE), METHOD_MAP, keywords=KEYWORDS, comment_tags=COMMENT_TAGS,
            strip_comment_tags=True):
        catalogue.add(message, None, [(f"app/cobalt_setup/{filename}", line)],
                      auto_comments=comments, context=context)
    return catalogue


def po_path(language: str) -> Path:
    return PO_FOLDER / f"{language}.po"


def languages() -> list[str]:
    return sorted(path.stem for path in PO_FOLDER.glob("*.po"))


def read_catalogue(path: Path) -> Catalog:
    """A .po file; its language is its name (de.po), which also sets the plural rules."""
    with path.open("rb") as file:
        return read_po(file, locale=path.stem if path.suffix == ".po" else None)


def compiled(catalogue: Catalog) -> bytes:
    """The .mo bytes of a catalogue (the same every time for one Babel version, which it
    writes into the header)."""
    buffer = BytesIO()
    write_mo(buffer, catalogue)
    return buffer.getvalue()


def written_po(catalogue: Catalog, **options: object) -> bytes:
    """The .po text, made in memory: a failure cannot leave a half-written file."""
    buffer = BytesIO()
    write_po(buffer, catalogue, width=100, **options)
    return buffer.getvalue()


def mo_path(language: str) -> Path:
    return MO_FOLDER / language / "LC_MESSAGES" / "cobalt_setup.mo"


def update_core() -> None:
    template = core_template()
    PO_FOLDER.mkdir(exist_ok=True)
    TEMPLATE.write_bytes(written_po(template, omit_header=True))
    for language in languages():
        catalogue = read_catalogue(po_path(language))
        catalogue.update(template, update_header_comment=False)
        _write_unless_only_redated(po_path(language), written_po(catalogue, ignore_obsolete=True))


def _write_unless_only_redated(path: Path, text: bytes) -> None:
    """Write a .po unless only its POT-Creation-Date changed: an update with no new texts
    leaves the files, and so the compiled .mo, as they were."""
    def undated(data: bytes) -> bytes:
        return re.sub(rb'"POT-Creation-Date: [^"]*"', b"", data)

    if not path.exists() or undated(path.read_bytes()) != undated(text):
        path.write_bytes(text)


def release_core() -> None:
    for language in languages():
        target = mo_path(language)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(compiled(read_catalogue(po_path(language))))


def main() -> None:
    if "--release" in sys.argv:
        release_core()
    else:
        update_core()


if __name__ == "__main__":
    main()
