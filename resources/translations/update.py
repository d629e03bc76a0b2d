"""Brings the translations up to date, for both halves of the app:

- the GUI's tr() texts: pyside6-lupdate -> cobalt_setup_<lang>.ts (Qt Linguist files), and
  cobalt_setup_en.ts with only the texts that hold a number (tr(text, "", n) with %n), whose
  English singular and plural forms are written there;
- the Qt-free core's texts (findings, fixes, field labels, error messages), marked with
  `_()`, `ngettext()` and `N_()` (cobalt_setup.i18n): Babel extracts them to
  core/cobalt_setup.pot and merges that into core/<lang>.po (gettext files; Poedit, or by
  hand).

Run: `.venv/bin/python resources/translations/update.py`, translate, then
`.venv/bin/python resources/translations/update.py --release` to compile what the app
loads: app/cobalt_setup/translations/*.qm and app/cobalt_setup/locale/*/LC_MESSAGES/*.mo.
tests/test_translations.py fails when a text is untranslated or a compiled file is stale.
"""

from __future__ import annotations

import re
import shutil
import subprocess
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
GUI_SOURCES = ("app/cobalt_setup/gui/*.py", "app/cobalt_setup/gui/pages/*.py")
QM_FOLDER = PACKAGE / "translations"
ENGLISH_TS = HERE / "cobalt_setup_en.ts"
PO_FOLDER = HERE / "core"
TEMPLATE = PO_FOLDER / "cobalt_setup.pot"
MO_FOLDER = PACKAGE / "locale"
KEYWORDS = {"_": None, "ngettext": (1, 2), "N_": None}
COMMENT_TAGS = ["Translators:"]
# The GUI goes through Qt's tr(); everything else in the package is the core.
METHOD_MAP = [("gui/**.py", "ignore"), ("**.py", "python")]


def core_template() -> Catalog:
    """Every text the core marks, with where it stands and the translators' comments."""
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


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: it comes with PySide6 (pip install PySide6)")
    return found


def main() -> None:
    ts_files = sorted({*HERE.glob("cobalt_setup_*.ts"), ENGLISH_TS})
    if "--release" in sys.argv:
        QM_FOLDER.mkdir(exist_ok=True)
        for path in ts_files:
            target = QM_FOLDER / path.with_suffix(".qm").name
            subprocess.run([tool("pyside6-lrelease"), str(path), "-qm", str(target)],
                           check=True)
        release_core()
        return
    sources = sorted(str(p) for pattern in GUI_SOURCES for p in ROOT.glob(pattern))
    translations = [str(path) for path in ts_files if path != ENGLISH_TS]
    subprocess.run([tool("pyside6-lupdate"), *sources, "-no-obsolete", "-ts", *translations],
                   check=True)
    subprocess.run([tool("pyside6-lupdate"), *sources, "-no-obsolete", "-pluralonly", "-ts",
                    str(ENGLISH_TS)], check=True)
    update_core()


if __name__ == "__main__":
    main()
