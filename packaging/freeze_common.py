"""What both PyInstaller specs share (the app's and the floor's), so the floor is frozen the
same way as the app and the size and start-time figures compare like with like.

PyInstaller executes spec files with its own globals; the specs put this folder on sys.path and
import this module. It only uses the standard library.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PACKAGING_DIR = Path(__file__).resolve().parent
ROOT = PACKAGING_DIR.parent
ICON_SVG = ROOT / "app" / "cobalt_setup" / "gui" / "icons" / "cobalt-setup.svg"
# Rendered from ICON_SVG by packaging/render_icon.py: the .ico for Windows, the PNG that
# PyInstaller turns into the bundle's .icns on macOS (that needs Pillow).
ICON_PNG = ROOT / "build" / "icon" / "cobalt-setup-1024.png"
ICON_ICO = ROOT / "build" / "icon" / "cobalt-setup.ico"

# The app imports QtCore, QtGui and QtWidgets only (`grep -rn "from PySide6" app`). Every other
# PySide6 binding is excluded so PyInstaller's hooks do not pull in its libraries and plugins.
PYSIDE6_UNUSED = [
    "Qt3DAnimation", "Qt3DCore", "Qt3DExtras", "Qt3DInput", "Qt3DLogic", "Qt3DRender",
    "QtAxContainer", "QtBluetooth", "QtCanvasPainter", "QtCharts", "QtConcurrent", "QtDBus",
    "QtDataVisualization", "QtDesigner", "QtGraphs", "QtGraphsWidgets", "QtHelp",
    "QtHttpServer", "QtLocation", "QtMultimedia", "QtMultimediaWidgets", "QtNetwork",
    "QtNetworkAuth", "QtNfc", "QtOpenGL", "QtOpenGLWidgets", "QtPdf", "QtPdfWidgets",
    "QtPositioning", "QtPrintSupport", "QtQml", "QtQuick", "QtQuick3D", "QtQuickControls2",
    "QtQuickTest", "QtQuickWidgets", "QtRemoteObjects", "QtScxml", "QtSensors", "QtSerialBus",
    "QtSerialPort", "QtSpatialAudio", "QtSql", "QtStateMachine", "QtSvgWidgets", "QtTest",
    "QtTextToSpeech", "QtUiTools", "QtWebChannel", "QtWebEngineCore", "QtWebEngineQuick",
    "QtWebEngineWidgets", "QtWebSockets", "QtWebView", "QtXml",
]

EXCLUDES = [
    *(f"PySide6.{name}" for name in PYSIDE6_UNUSED),
    # qasync tries the other bindings first; the launcher sets QT_API=pyside6 anyway.
    "PyQt5", "PyQt6", "PySide2",
    "tkinter", "_tkinter", "pydoc", "lib2to3", "IPython",
]

# Qt libraries and plugins that PySide6's hooks (or a plugin's own links) still bring in but the
# app never loads: QML/Quick/PDF/network modules, image formats other than SVG/ICO/ICNS (PNG is
# built into QtGui), and the embedded-device platforms (EGLFS, linuxfb, VNC, evdev input).
# Matched against each file's destination path inside the bundle.
_UNUSED_QT_FILES = re.compile(
    r"""(
        /libQt6(Qml|Quick|Pdf|Network|VirtualKeyboard|OpenGL|Sql|Test)[^/]*\.so[.\d]*$
      | /Qt(Qml|Quick|Pdf|Network|VirtualKeyboard|OpenGL|Sql|Test)[^/]*\.(dll|framework)
      | /Qt6(Qml|Quick|Pdf|Network|VirtualKeyboard|OpenGL|Sql|Test)[^/]*\.dll$
      | /plugins/(imageformats/[^/]*q(pdf|tiff|webp|tga|wbmp|gif|jpeg)[^/]*
                 |platforminputcontexts/[^/]*qtvirtualkeyboard[^/]*
                 |platforms/[^/]*q(eglfs|linuxfb|vnc|vkkhrdisplay|minimalegl)[^/]*
                 |egldeviceintegrations/|generic/
                 |networkinformation/|tls/|qmltooling/|sqldrivers/|printsupport/)
      | /libQt6EglFS[^/]*\.so[.\d]*$
    )""",
    re.VERBOSE,
)

# Strip debug symbols on Linux only: pyenv's and Debian's libpython carry them (23 MB unstripped);
# on macOS stripping would break the Qt frameworks' signatures, and Windows has no `strip`.
STRIP = sys.platform == "linux"

# Qt's own translations the app keeps (QWizard's Next/Back/Cancel in the user's language).
_KEPT_TRANSLATIONS = re.compile(r"/translations/qtbase_[^/]+\.qm$")


def _destination(entry: tuple) -> str:
    return "/" + str(entry[0]).replace("\\", "/")


def trim(entries: list) -> list:
    """Drop the unused Qt libraries, plugins and translations from an Analysis' TOC."""
    kept = []
    for entry in entries:
        destination = _destination(entry)
        if _UNUSED_QT_FILES.search(destination):
            continue
        if "/translations/" in destination and destination.endswith(".qm") and (
                "PySide6" in destination and not _KEPT_TRANSLATIONS.search(destination)):
            continue
        kept.append(entry)
    return kept


def version() -> str:
    """cobalt_setup.__version__, read from the source so the spec needs no import of the app."""
    source = (ROOT / "app" / "cobalt_setup" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"', source, re.MULTILINE)
    if found is None:
        raise ValueError("no __version__ in app/cobalt_setup/__init__.py")
    return found.group(1)


def platform_icon() -> str | None:
    """The executable's icon on Windows and the bundle's on macOS; None on Linux (the .desktop
    entry names the SVG) or where packaging/render_icon.py has not run."""
    icon = {"win32": ICON_ICO, "darwin": ICON_PNG}.get(sys.platform)
    return str(icon) if icon is not None and icon.is_file() else None
