"""The Qt binding the app runs on does not corrupt Python's own objects.

PySide6 6.12.0 under Python 3.11 drops a reference to True on every `Signal.emit()`; the
wizard emits on every keystroke, so it aborted with "bool_dealloc" after a few hundred.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QWizardPage


def test_emitting_signals_leaves_true_and_false_alone(qapp: object) -> None:
    page = QWizardPage()
    before = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(50):
        page.completeChanged.emit()
    assert (sys.getrefcount(True), sys.getrefcount(False)) == before
