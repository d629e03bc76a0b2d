"""Brings the .ts files up to date: pyside6-lupdate for the GUI's tr() texts, then the texts
the Qt-free core shows through the wizard (field labels and help, service names), in the
context `cobalt_setup` that gui.widgets.translate() uses.

Run: `.venv/bin/python resources/translations/update.py`, translate (Qt Linguist, or by
hand), then `.venv/bin/python resources/translations/update.py --release` to compile the
.qm files the wizard loads (app/cobalt_setup/translations/).
Hand-written: lupdate reads only tr() calls, and the core has no Qt to call tr() with.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "app"))

from cobalt_setup.services import SERVICE_NAMES  # noqa: E402
from cobalt_setup.settings import FIELDS  # noqa: E402

CONTEXT = "cobalt_setup"
ROOT = HERE.parents[1]
GUI_SOURCES = ("app/cobalt_setup/gui/*.py", "app/cobalt_setup/gui/pages/*.py")
QM_FOLDER = ROOT / "app" / "cobalt_setup" / "translations"


def core_texts() -> list[str]:
    texts = [text for field in FIELDS for text in (field.label, field.help) if text]
    texts += list(SERVICE_NAMES.values())
    return list(dict.fromkeys(texts))


def add_core_context(ts_path: Path) -> None:
    tree = ElementTree.parse(ts_path)
    root = tree.getroot()
    context = next((c for c in root.findall("context") if c.findtext("name") == CONTEXT),
                   None)
    if context is None:
        context = ElementTree.SubElement(root, "context")
        ElementTree.SubElement(context, "name").text = CONTEXT
    known = {m.findtext("source"): m for m in context.findall("message")}
    for text in core_texts():
        if text in known:  # lupdate calls them obsolete: they are not tr() calls
            translation = known[text].find("translation")
            if translation is not None and translation.get("type") in ("vanished",
                                                                         "obsolete"):
                if translation.text:
                    del translation.attrib["type"]
                else:
                    translation.set("type", "unfinished")
            continue
        message = ElementTree.SubElement(context, "message")
        ElementTree.SubElement(message, "source").text = text
        ElementTree.SubElement(message, "translation", type="unfinished")
    ElementTree.indent(tree)
    tree.write(ts_path, encoding="utf-8", xml_declaration=True)


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: it comes with PySide6 (pip install PySide6)")
    return found


def main() -> None:
    ts_files = sorted(HERE.glob("cobalt_setup_*.ts"))
    if "--release" in sys.argv:
        QM_FOLDER.mkdir(exist_ok=True)
        for path in ts_files:
            target = QM_FOLDER / path.with_suffix(".qm").name
            subprocess.run([tool("pyside6-lrelease"), str(path), "-qm", str(target)],
                           check=True)
        return
    sources = sorted(str(p) for pattern in GUI_SOURCES for p in ROOT.glob(pattern))
    subprocess.run([tool("pyside6-lupdate"), *sources, "-ts", *map(str, ts_files)],
                   check=True)
    for path in ts_files:
        add_core_context(path)


if __name__ == "__main__":
    main()
