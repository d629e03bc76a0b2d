"""Starting the wizard: the QApplication, the qasync event loop, and running until closed."""

from __future__ import annotations

import asyncio
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dns.asyncbackend
import qasync
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QDialog

from cobalt_setup.gui.translations import install_translations
from cobalt_setup.gui.widgets import icon
from cobalt_setup.probes.environment import CheckEnvironment
from cobalt_setup.session import SetupSession


def application(language: str | None = None) -> QApplication:
    """The QApplication, speaking `language` (or the system's, when it is one we have)."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName("Cobalt Network Setup")
        app.setOrganizationName("Open Cobalt")
    assert isinstance(app, QApplication)
    app.setDesktopFileName("cobalt-setup")  # Wayland finds the icon of the .desktop entry
    app.setWindowIcon(icon("cobalt-setup"))
    install_translations(app, language)
    return app


def run_wizard(ini_path: Path, cobalt_dir: Path | None,
               checks: CheckEnvironment | None, language: str | None = None) -> int:
    """Show the wizard until it closes: 0 when settings were written, 1 when cancelled."""
    from cobalt_setup.gui.wizard import SetupWizard

    app = application(language)
    # From a plain Qt callback dnspython cannot detect the async library by itself.
    dns.asyncbackend.set_default_backend("asyncio")
    loop = qasync.QEventLoop(app)
    # Plain worker threads for name look-ups and blocking libraries (ldap3): qasync's own
    # QThread executor warns and can abort when the program exits with a thread still busy.
    loop.set_default_executor(ThreadPoolExecutor(4, thread_name_prefix="probe"))
    asyncio.set_event_loop(loop)
    wizard = SetupWizard(SetupSession(ini_path, cobalt_dir, checks))
    closed = asyncio.Event()
    wizard.finished.connect(lambda _result: closed.set())
    wizard.show()
    with loop:
        loop.run_until_complete(closed.wait())
    return 0 if wizard.result() == QDialog.DialogCode.Accepted else 1


def dark_palette() -> QPalette:
    """A dark palette like the desktops' dark modes, to check the pages stay legible (the
    offscreen platform has no colour scheme of its own)."""
    palette = QPalette()
    role = QPalette.ColorRole
    for name, colour in (("Window", "#2b2b2b"), ("WindowText", "#e6e6e6"),
                         ("Base", "#1e1e1e"), ("AlternateBase", "#2f2f2f"),
                         ("Text", "#e6e6e6"), ("Button", "#3a3a3a"),
                         ("ButtonText", "#e6e6e6"), ("Highlight", "#3d6fb4"),
                         ("HighlightedText", "#ffffff"), ("PlaceholderText", "#a0a0a0"),
                         ("ToolTipBase", "#3a3a3a"), ("ToolTipText", "#e6e6e6"),
                         ("Link", "#8ab4f8")):
        palette.setColor(getattr(role, name), QColor(colour))
    palette.setColor(QPalette.ColorGroup.Disabled, role.ButtonText, QColor("#7a7a7a"))
    palette.setColor(QPalette.ColorGroup.Disabled, role.WindowText, QColor("#7a7a7a"))
    return palette


def save_screenshots(ini_path: Path, cobalt_dir: Path | None, out_dir: Path,
                     language: str | None = None, dark: bool = False) -> list[Path]:
    """Render every page offscreen to a PNG, without writing any setting."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from cobalt_setup.gui.wizard import PAGES, SetupWizard

    app = application(language)
    if dark:
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    out_dir.mkdir(parents=True, exist_ok=True)
    wizard = SetupWizard(SetupSession(ini_path, cobalt_dir))
    wizard.show()
    saved = []
    for number, page_class in enumerate(PAGES, start=1):
        wizard.setStartId(wizard.page_ids[page_class])
        wizard.restart()
        QApplication.processEvents()
        name = page_class.__name__.removesuffix("Page").lower()
        path = out_dir / f"{number:02d}-{name}.png"
        if not wizard.grab().save(str(path)):
            raise OSError(f"could not save {path}")
        saved.append(path)
    wizard.close()
    return saved
