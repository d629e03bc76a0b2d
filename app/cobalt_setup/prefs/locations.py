"""Where the preference files live: the per-user INI and the Open Cobalt installation."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

from cobalt_setup.prefs.router_conf import ROUTER_CONF_RELATIVE_PATH

APP_DIR_NAME = "Open Cobalt"
INI_NAME = "general-preferences.ini"


def default_ini_path() -> Path:
    """The per-user settings file in the platform's config folder."""
    return platformdirs.user_config_path(APP_DIR_NAME, appauthor=False, roaming=True) / INI_NAME


def looks_like_cobalt_install(folder: Path) -> bool:
    """An Open Cobalt folder holds its router configuration or a Smalltalk image."""
    try:
        if (folder / ROUTER_CONF_RELATIVE_PATH).is_file():
            return True
        return any(entry.suffix == ".image" for entry in folder.iterdir())
    except OSError:
        return False


def candidate_install_dirs() -> list[Path]:
    """Where installers usually put Open Cobalt on this platform, most likely first."""
    home = Path.home()
    if sys.platform == "win32":
        variables = ("LOCALAPPDATA", "ProgramFiles", "ProgramFiles(x86)")
        roots = [os.environ.get(name) for name in variables]
        bases = [Path(root) / sub for root in roots if root for sub in ("Programs", "")]
    elif sys.platform == "darwin":
        bases = [Path("/Applications"), home / "Applications"]
    else:
        bases = [home, home / ".local" / "share", Path("/opt"), Path("/usr/local")]
    names = ("Open Cobalt", "OpenCobalt", "opencobalt")
    found = []
    for base in bases:
        for name in names:
            found.append(base / name)
            if sys.platform == "darwin":
                found.append(base / f"{name}.app" / "Contents" / "Resources")
    return found


def detect_cobalt_dir() -> Path | None:
    """The first usual place that holds an Open Cobalt installation, if any."""
    for folder in candidate_install_dirs():
        if looks_like_cobalt_install(folder):
            return folder
    return None
