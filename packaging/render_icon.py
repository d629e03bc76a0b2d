"""Renders the app icon (app/cobalt_setup/gui/icons/cobalt-setup.svg) to build/icon/: a
1024 px PNG (PyInstaller turns it into the macOS .icns) and, where Pillow is installed, a
multi-size .ico for the Windows executable and the Inno Setup installer. Both conversions
need Pillow: `pip install pillow` on those runners.

Qt draws the SVG itself so no SVG library is needed beyond PySide6, which the build has anyway.
Usage (from the repository root): python packaging/render_icon.py
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "app" / "cobalt_setup" / "gui" / "icons" / "cobalt-setup.svg"
TARGET = ROOT / "build" / "icon" / "cobalt-setup-1024.png"
ICO = TARGET.with_name("cobalt-setup.ico")
ICO_SIZES = [(16, 16), (20, 20), (24, 24), (32, 32), (40, 40), (48, 48), (64, 64), (256, 256)]


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication, QIcon

    app = QGuiApplication(sys.argv[:1])  # QIcon needs an application to load the SVG plugin
    pixmap = QIcon(str(SOURCE)).pixmap(1024, 1024)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    saved = not pixmap.isNull() and pixmap.save(str(TARGET))
    del app
    if not saved:
        print(f"could not render {SOURCE} to {TARGET}", file=sys.stderr)
        return 1
    print(TARGET)
    try:
        from PIL import Image
    except ImportError:
        print("Pillow is not installed: no .ico written (only Windows needs it)", file=sys.stderr)
        return 0
    with Image.open(TARGET) as image:
        image.save(ICO, sizes=ICO_SIZES)
    print(ICO)
    return 0


if __name__ == "__main__":
    sys.exit(main())
