"""The floor for the size and start-time figures: a bare PySide6 QWizard, frozen like the app.

`floor --version` prints and exits before Qt loads (like the app's `--version`);
`floor screenshots DIR` shows one empty page offscreen and saves it (like the app's
`screenshots`), so the two binaries are timed doing the same things.
"""

import sys
from pathlib import Path


def main() -> int:
    if sys.argv[1:2] == ["--version"]:
        print("floor 0")
        return 0
    from PySide6.QtWidgets import QApplication, QWizard, QWizardPage

    app = QApplication(sys.argv[:1])
    wizard = QWizard()
    page = QWizardPage()
    page.setTitle("Floor")
    wizard.addPage(page)
    wizard.show()
    if sys.argv[1:2] == ["screenshots"]:
        out_dir = Path(sys.argv[2])
        out_dir.mkdir(parents=True, exist_ok=True)
        app.processEvents()
        return 0 if wizard.grab().save(str(out_dir / "01-floor.png")) else 1
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
