"""Entry script for the frozen build: PyInstaller needs a script, not a console-script entry."""

import os
import sys

# qasync picks the first Qt binding it can import; say which one, so the frozen app can never
# go looking for PyQt5 on a machine that happens to have it.
os.environ.setdefault("QT_API", "pyside6")

from cobalt_setup.cli import main  # after QT_API: importing the app loads qasync

if __name__ == "__main__":
    sys.exit(main())
