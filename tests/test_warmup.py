"""The checks' modules are loaded in a worker thread once the window is painted, so that no
page freezes the window importing them on first use (bench_wizard measures the stalls)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from cobalt_setup.gui import warmup

GUI = Path(warmup.__file__).resolve().parent

# A fresh interpreter: this one has imported everything already.
SHOW_AND_WAIT = """
import json, sys, threading, time
from pathlib import Path
from PySide6.QtWidgets import QApplication
from cobalt_setup.gui.wizard import SetupWizard
from cobalt_setup.session import SetupSession

app = QApplication([])
tmp = Path(sys.argv[1])
wizard = SetupWizard(SetupSession(tmp / "general.ini", tmp / "OpenCobalt", None))
before = sorted(name for name in sys.modules if name.startswith("cobalt_setup."))
wizard.show()
started = False
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    app.processEvents()
    running = any(t.name == "import-warmup" for t in threading.enumerate())
    if started and not running:
        break
    started = started or running
    time.sleep(0.005)
print(json.dumps({"before": before, "started": started,
                  "after": sorted(name for name in sys.modules
                                  if name.startswith("cobalt_setup."))}))
"""


def lazy_imports() -> set[str]:
    """The product modules the GUI imports inside a function: on first use, on the GUI
    thread, unless the warm-up has loaded them."""
    found = set()
    for path in GUI.rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if (isinstance(node, ast.ImportFrom) and node.module
                        and node.module.startswith("cobalt_setup.")
                        and not node.module.startswith("cobalt_setup.gui")):
                    found.add(node.module)
    return found


def test_the_window_loads_the_checks_modules_in_the_background_after_it_is_shown(
        tmp_path: Path) -> None:
    (tmp_path / "OpenCobalt" / "config").mkdir(parents=True)
    done = subprocess.run([sys.executable, "-c", SHOW_AND_WAIT, str(tmp_path)],
                          capture_output=True, text=True, timeout=60,
                          env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin",
                               "LANGUAGE": "en"})
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen["started"], "no warm-up thread ran after the window was shown"
    lazy = lazy_imports()
    assert lazy, "the scan found no import on first use: the test would prove nothing"
    not_yet = lazy - set(seen["before"])
    assert not_yet, "the window already imports every check before it is shown"
    assert not_yet <= set(seen["after"]), (
        f"not loaded in the background: {sorted(not_yet - set(seen['after']))}; the page "
        "that needs it would freeze the window importing it (add it to CHECK_MODULES)")


def test_a_module_that_does_not_import_is_left_to_the_page_that_needs_it() -> None:
    started, finished = warmup._started.is_set(), warmup._finished.is_set()
    warmup._started.clear()
    warmup._finished.clear()
    try:
        thread = warmup.import_in_background(("cobalt_setup.no_such_module", "json"))
        assert thread is not None
        thread.join(10)
        assert warmup.finished(), "one failed import stops the warm-up of the rest"
        assert warmup.import_in_background(("json",)) is None, "a second warm-up started"
    finally:
        for event, was_set in ((warmup._started, started), (warmup._finished, finished)):
            if was_set:
                event.set()
            else:
                event.clear()
