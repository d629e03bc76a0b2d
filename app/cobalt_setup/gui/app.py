"""Starting the wizard: the QApplication, the qasync event loop, and running until closed."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dns.asyncbackend
import qasync
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QDialog

from cobalt_setup.checks.environment import CheckEnvironment
from cobalt_setup.gui.translations import install_translations
from cobalt_setup.gui.widgets import icon
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
    """Show the wizard until it closes: 0 when settings were written, 1 when cancelled.

    However it ends (Finish, Cancel, closing the window, the application quitting, Ctrl+C
    or SIGTERM in a terminal), every check is cancelled and waited for before the loop
    closes, so no task outlives the window it would write into.
    """
    from cobalt_setup.gui.probe_runner import stop_all
    from cobalt_setup.gui.wizard import SetupWizard

    app = application(language)
    # From a plain Qt callback dnspython cannot detect the async library by itself.
    dns.asyncbackend.set_default_backend("asyncio")
    loop = qasync.QEventLoop(app)
    # Plain worker threads for name look-ups and blocking libraries (ldap3): qasync's own
    # QThread executor warns and can abort when the program exits with a thread still busy.
    executor = ThreadPoolExecutor(4, thread_name_prefix="probe")
    loop.set_default_executor(executor)
    asyncio.set_event_loop(loop)
    wizard = SetupWizard(SetupSession(ini_path, cobalt_dir, checks))
    closed = asyncio.Event()
    wizard.finished.connect(lambda _result: closed.set())

    def cancel_if_open() -> None:
        if wizard.isVisible():
            wizard.reject()

    # Quitting the application (Cmd+Q on macOS, logging out) cancels, as Cancel does: the
    # loop must keep running while the checks end, so the Quit event itself is taken.
    quit_filter = _QuitAsCancel(cancel_if_open, app)
    app.installEventFilter(quit_filter)
    _stop_on_signals(loop, cancel_if_open)
    wizard.show()
    try:
        with loop:
            try:
                loop.run_until_complete(closed.wait())
            except RuntimeError:  # the loop was stopped from outside: the application quit
                cancel_if_open()
            still_running = loop.run_until_complete(stop_all(timeout=SHUTDOWN_WAIT_S))
            for task in still_running:  # a check that ignores cancellation: a bug, say which
                print(f"cobalt-setup: a check did not stop in time: {task!r}", file=sys.stderr)
            executor.shutdown(wait=False, cancel_futures=True)
    finally:
        app.removeEventFilter(quit_filter)
        _stop_on_signals(loop, None)
    return 0 if wizard.result() == QDialog.DialogCode.Accepted else 1


class _QuitAsCancel(QObject):
    """Turns the application's Quit event into the window's Cancel while it is open."""

    def __init__(self, cancel: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._cancel = cancel

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Quit and watched is self.parent():
            self._cancel()
            return True
        return False


SHUTDOWN_WAIT_S = 0.8  # checks end their clean-up (a test forwarding) within this


def _stop_on_signals(loop: asyncio.AbstractEventLoop, stop: Callable[[], None] | None) -> None:
    """Ctrl+C and SIGTERM close the window as Cancel does, instead of a traceback
    (`stop` None: back to Python's own handling)."""
    for name in ("SIGINT", "SIGTERM"):
        number = getattr(signal, name, None)
        if number is None:
            continue
        # Windows has no signal handlers on this loop; closing the window still works.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            if stop is None:
                loop.remove_signal_handler(number)
            else:
                loop.add_signal_handler(number, stop)


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
