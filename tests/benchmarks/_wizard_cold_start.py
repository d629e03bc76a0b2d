"""Child of bench_wizard.py: one cold start, from the interpreter to the first page painted.

`wizard INI COBALT_DIR`: what `cobalt_setup.gui.app.run_wizard(ini, cobalt_dir, None)` does
up to showing the first page (the same imports, QApplication, qasync loop, executor and
SetupWizard), then the loop runs until the wizard's first paint has completed.
`bare`: a plain QWizard with one page, the floor Qt itself sets.
Prints one line, `painted <seconds since the top of this script> <phase>=<seconds>...`
(when imports, the QApplication, the wizard, show() ended), and exits.
"""

import time

STARTED = time.perf_counter()  # before any other import: the child's own clock starts here

import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


PHASES: list[tuple[str, float]] = []  # (what just ended, seconds since STARTED)


def phase(name: str) -> None:
    PHASES.append((name, time.perf_counter() - STARTED))


def report() -> None:
    phase("painted")
    steps = " ".join(f"{name}={seconds:.6f}" for name, seconds in PHASES)
    print(f"painted {PHASES[-1][1]:.6f} {steps}", flush=True)


def watch_first_paint(widget: object, on_painted: object) -> object:
    """Call `on_painted` once the widget's first paint event has been handled (a zero-length
    timer fires after the whole repaint pass that delivered it, children included)."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.seen = False

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and not self.seen:
                self.seen = True
                QTimer.singleShot(0, on_painted)
            return False

    watcher = FirstPaint()
    widget.installEventFilter(watcher)  # type: ignore[attr-defined]
    return watcher


def bare() -> None:
    from PySide6.QtWidgets import QApplication, QWizard, QWizardPage

    phase("imports")
    app = QApplication(sys.argv[:1])
    phase("app")
    wizard = QWizard()
    page = QWizardPage()
    page.setTitle("One page")
    wizard.addPage(page)

    def painted() -> None:
        report()
        app.quit()

    phase("wizard")
    _watcher = watch_first_paint(wizard, painted)
    wizard.show()
    phase("show")
    app.exec()


def product(ini_path: Path, cobalt_dir: Path) -> None:
    # As run_wizard does, step by step (run_wizard itself runs until the window closes).
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    import dns.asyncbackend
    import qasync

    from cobalt_setup.gui.app import application
    from cobalt_setup.gui.wizard import SetupWizard
    from cobalt_setup.session import SetupSession

    phase("imports")
    app = application()
    phase("app")
    dns.asyncbackend.set_default_backend("asyncio")
    loop = qasync.QEventLoop(app)
    loop.set_default_executor(ThreadPoolExecutor(4, thread_name_prefix="probe"))
    asyncio.set_event_loop(loop)
    wizard = SetupWizard(SetupSession(ini_path, cobalt_dir, None))
    phase("wizard")
    painted = asyncio.Event()

    def on_painted() -> None:
        report()
        painted.set()

    _watcher = watch_first_paint(wizard, on_painted)
    wizard.show()
    phase("show")
    with loop:
        loop.run_until_complete(painted.wait())


if __name__ == "__main__":
    if sys.argv[1] == "bare":
        bare()
    else:
        product(Path(sys.argv[2]), Path(sys.argv[3]))
