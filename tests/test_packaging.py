"""The packaging files, checked without building anything (a build takes a minute and needs
PyInstaller): the scripts parse, every file they name exists, the names the platforms look for
agree with the binary the spec produces, and the Qt trimming keeps what the app loads.

The real proof is packaging/build-linux.sh, which builds and starts the frozen binary.
"""

from __future__ import annotations

import ast
import configparser
import importlib.util
import os
import plistlib
import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
SPEC = PACKAGING / "cobalt-setup.spec"
FLOOR_SPEC = PACKAGING / "floor" / "floor.spec"
DESKTOP = ROOT / "resources" / "cobalt-setup.desktop"
ICON = ROOT / "app" / "cobalt_setup" / "gui" / "icons" / "cobalt-setup.svg"
INFO_PLIST = PACKAGING / "macos" / "Info.plist"
ISS = PACKAGING / "windows" / "cobalt-setup.iss"
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
SHELL_SCRIPTS = [
    PACKAGING / "build-linux.sh",
    PACKAGING / "macos" / "build-dmg.sh",
    PACKAGING / "linux" / "install.sh",
]
# Folders the build itself creates: a path under them is an output, not a file to look for.
BUILD_OUTPUTS = ("build/", "dist/")


def _freeze_common() -> ModuleType:
    spec = importlib.util.spec_from_file_location("freeze_common", PACKAGING / "freeze_common.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _spec_app_name() -> str:
    found = re.search(r'^APP_NAME = "([^"]+)"$', SPEC.read_text(encoding="utf-8"), re.MULTILINE)
    assert found, "packaging/cobalt-setup.spec no longer sets APP_NAME"
    return found.group(1)


def _repo_paths(text: str) -> set[str]:
    """Repository-relative paths written out in a script (packaging/..., resources/..., app/...)."""
    candidates = re.findall(r"(?<![^\s\"'(=])((?:packaging|resources|app)[/\\][\w./\\-]+)", text)
    return {candidate.replace("\\", "/").rstrip(".") for candidate in candidates}


@pytest.mark.parametrize("script", SHELL_SCRIPTS, ids=lambda path: path.name)
def test_shell_script_parses_and_is_executable(script: Path) -> None:
    checked = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert os.access(script, os.X_OK), f"{script} is not executable (chmod +x)"


@pytest.mark.parametrize("spec_file", [SPEC, FLOOR_SPEC], ids=lambda path: path.name)
def test_spec_is_valid_python(spec_file: Path) -> None:
    ast.parse(spec_file.read_text(encoding="utf-8"), filename=str(spec_file))


def test_every_file_the_spec_names_exists() -> None:
    text = SPEC.read_text(encoding="utf-8")
    joined = re.findall(r"common\.(PACKAGING_DIR|ROOT)((?:\s*/\s*\"[^\"]+\")+)", text)
    assert joined, "the spec names no file through freeze_common any more"
    for base, parts in joined:
        folder = PACKAGING if base == "PACKAGING_DIR" else ROOT
        path = folder.joinpath(*re.findall(r'"([^"]+)"', parts))
        assert path.exists(), f"the spec names {path}, which does not exist"
    common = _freeze_common()
    assert common.ICON_SVG.is_file()
    assert (PACKAGING / "floor" / "floor.py").is_file()


@pytest.mark.parametrize("source", [*SHELL_SCRIPTS, WORKFLOW, ISS], ids=lambda path: path.name)
def test_every_repository_path_a_script_names_exists(source: Path) -> None:
    named = _repo_paths(source.read_text(encoding="utf-8"))
    # install.sh runs from the unpacked tarball and the .iss names only build outputs.
    if source.name in ("build-linux.sh", "build-dmg.sh", "release.yml"):
        assert named, f"{source.name} names no repository file: has the pattern gone stale?"
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert not missing, f"{source.name} names files that do not exist: {missing}"


def test_launcher_starts_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    from cobalt_setup import cli

    monkeypatch.delenv("QT_API", raising=False)
    launcher = runpy.run_path(str(PACKAGING / "launcher.py"), run_name="launcher")
    assert launcher["main"] is cli.main
    assert os.environ["QT_API"] == "pyside6"


def test_spec_version_is_the_apps() -> None:
    from cobalt_setup import __version__

    assert _freeze_common().version() == __version__


def test_no_qt_module_the_app_imports_is_excluded() -> None:
    imported = set()
    for source in (ROOT / "app").rglob("*.py"):
        imported.update(re.findall(r"\bPySide6\.(Qt\w+)", source.read_text(encoding="utf-8")))
    assert {"QtCore", "QtGui", "QtWidgets"} <= imported
    excluded = {name.removeprefix("PySide6.") for name in _freeze_common().EXCLUDES}
    assert not imported & excluded, (
        f"the app imports {sorted(imported & excluded)}, which the frozen build excludes: "
        "remove them from PYSIDE6_UNUSED in packaging/freeze_common.py")


def test_trim_keeps_what_the_app_loads_and_drops_the_rest() -> None:
    qt = "PySide6/Qt"
    kept = [
        f"{qt}/lib/libQt6Core.so.6", f"{qt}/lib/libQt6Gui.so.6", f"{qt}/lib/libQt6Widgets.so.6",
        f"{qt}/lib/libQt6Svg.so.6", f"{qt}/plugins/platforms/libqxcb.so",
        f"{qt}/plugins/platforms/libqwayland.so", f"{qt}/plugins/platforms/libqoffscreen.so",
        f"{qt}/plugins/imageformats/libqsvg.so", f"{qt}/plugins/iconengines/libqsvgicon.so",
        f"{qt}/translations/qtbase_de.qm", f"{qt}/translations/qtbase_fr.qm",
        "PySide6/QtWidgets.abi3.so", "libpython3.11.so.1.0",
        "PySide6\\Qt6Widgets.dll", "PySide6\\plugins\\platforms\\qwindows.dll",
    ]
    dropped = [
        f"{qt}/lib/libQt6Qml.so.6", f"{qt}/lib/libQt6Quick.so.6", f"{qt}/lib/libQt6Pdf.so.6",
        f"{qt}/lib/libQt6Network.so.6", f"{qt}/lib/libQt6QmlModels.so.6",
        f"{qt}/plugins/imageformats/libqpdf.so", f"{qt}/plugins/tls/libqopensslbackend.so",
        f"{qt}/plugins/platforms/libqeglfs.so", f"{qt}/plugins/platforms/libqvnc.so",
        f"{qt}/translations/qtdeclarative_de.qm", f"{qt}/translations/qt_help_de.qm",
        "PySide6\\Qt6Qml.dll", "PySide6\\Qt6Pdf.dll",
    ]
    entries = [(name, "/source/" + name, "BINARY") for name in kept + dropped]
    assert [entry[0] for entry in _freeze_common().trim(entries)] == kept


def test_desktop_entry_starts_the_binary_the_spec_builds() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    entry = parser["Desktop Entry"]
    for key in ("Name", "Exec", "Icon", "Categories"):
        assert entry.get(key), f"{DESKTOP.name} has no {key}"
    assert entry["Type"] == "Application"
    assert entry["Exec"].split()[0] == _spec_app_name()
    assert ICON.name == f"{entry['Icon']}.svg"
    categories = entry["Categories"].split(";")
    assert categories[-1] == "", "Categories must end with ';'"
    assert {"Network", "Settings"} & set(categories)


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_linux_install_script_installs_a_menu_entry_that_runs_the_binary(
        tmp_path: Path) -> None:
    unpacked = tmp_path / "cobalt-setup-0.1.0-linux-x86_64"
    (unpacked / "cobalt-setup").mkdir(parents=True)
    binary = unpacked / "cobalt-setup" / "cobalt-setup"
    binary.write_text("#!/bin/sh\necho frozen\n")
    binary.chmod(0o755)
    for source in (DESKTOP, ICON,
                   PACKAGING / "linux" / "install.sh"):
        shutil.copy2(source, unpacked)
    home = tmp_path / "home"
    env = {"HOME": str(home), "PATH": os.environ["PATH"]}

    subprocess.run([str(unpacked / "install.sh")], env=env, check=True, capture_output=True)
    installed = home / ".local" / "lib" / "cobalt-setup" / "cobalt-setup"
    desktop = home / ".local" / "share" / "applications" / "cobalt-setup.desktop"
    assert f"Exec={installed}\n" in desktop.read_text(encoding="utf-8")
    command = home / ".local" / "bin" / "cobalt-setup"
    assert subprocess.run([str(command)], capture_output=True, text=True).stdout == "frozen\n"
    assert (home / ".local/share/icons/hicolor/scalable/apps/cobalt-setup.svg").is_file()

    subprocess.run([str(unpacked / "install.sh"), "--uninstall"], env=env, check=True,
                   capture_output=True)
    assert not desktop.exists() and not installed.exists() and not command.is_symlink()


def test_info_plist_names_the_bundle_and_explains_local_network_access() -> None:
    with INFO_PLIST.open("rb") as plist_file:
        info = plistlib.load(plist_file)
    assert re.fullmatch(r"[a-z]+(\.[a-z]+)+", info["CFBundleIdentifier"])
    assert re.fullmatch(r"\d+\.\d+", info["LSMinimumSystemVersion"])
    assert "local network" in info["NSLocalNetworkUsageDescription"]
    assert info["CFBundleExecutable"] == _spec_app_name()


def _iss_sections() -> dict[str, list[str]]:
    # Hand-written: Inno Setup's `Name: "..."; Flags: ...` entries are not INI, so no INI reader.
    sections: dict[str, list[str]] = {}
    current = ""
    for line in ISS.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(";"):
            continue
        if re.fullmatch(r"\[\w+\]", stripped):
            current = stripped[1:-1]
            sections[current] = []
        else:
            sections.setdefault(current, []).append(stripped)
    return sections


def test_windows_installer_has_start_menu_entry_uninstaller_and_run_after_install() -> None:
    sections = _iss_sections()
    setup = dict(line.split("=", 1) for line in sections["Setup"] if "=" in line)
    assert "dialog" in setup["PrivilegesRequiredOverridesAllowed"]
    assert setup.get("Uninstallable", "yes") == "yes"
    assert any(line.startswith('Name: "{autoprograms}\\Open Cobalt Network Setup"')
               for line in sections["Icons"])
    assert any(re.search(r"Flags:.*\bpostinstall\b.*\bskipifsilent\b", line)
               for line in sections["Run"])
    executable = re.search(r'#define AppExe "([^"]+)"', ISS.read_text(encoding="utf-8"))
    assert executable and executable.group(1) == f"{_spec_app_name()}.exe"


def test_windows_installer_packs_what_the_build_produces() -> None:
    text = ISS.read_text(encoding="utf-8")
    source_dir = re.search(r'#define SourceDir "([^"]+)"', text)
    assert source_dir
    assert (ISS.parent / source_dir.group(1).replace("\\", "/")).resolve() == (
        ROOT / "dist" / _spec_app_name())
    icon = re.search(r"^SetupIconFile=(.+)$", text, re.MULTILINE)
    assert icon
    assert (ISS.parent / icon.group(1).replace("\\", "/")).resolve() == _freeze_common().ICON_ICO


def test_release_workflow_parses_and_builds_on_every_platform() -> None:
    yaml = pytest.importorskip("yaml", reason="PyYAML is not installed in this venv")
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert "workflow_dispatch" in triggers and "tags" in triggers["push"]
    runners = {job["runs-on"].split("-")[0] for job in workflow["jobs"].values()}
    assert runners == {"ubuntu", "windows", "macos"}


def test_workflow_outputs_are_uploaded() -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    for built in ("dist/*.tar.gz", "dist/cobalt-network-setup-*-windows-x64.exe", "dist/*.dmg"):
        assert f"path: {built}" in text or f"    {built}" in text, built
    assert sys.version_info >= (3, 10)
