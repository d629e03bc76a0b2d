"""A whole run of the wizard without a window: SetupSession and its SettingsForm choose the
folder, take the user's edits, plan, write, or cancel (nothing written). No Qt here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cobalt_setup.prefs.router_conf import ROUTER_CONF_RELATIVE_PATH, find_dispatcher_block
from cobalt_setup.session import SetupSession
from cobalt_setup.settings import SettingsInvalid

HOST = ("SpaceDirectory", "Host")
PORTS = ("Router", "Ports")
DISPATCHER = ("Router", "DispatcherPort")


def test_a_whole_run_loads_no_qt(ini_path: Path, cobalt_dir: Path) -> None:
    """In a fresh interpreter (pytest-qt has loaded Qt into this one): open, edit, write."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from cobalt_setup.session import SetupSession\n"
        f"session = SetupSession(Path({str(ini_path)!r}), Path({str(cobalt_dir)!r}))\n"
        "session.form.set_text(('SpaceDirectory', 'Host'), 'directory.example.org')\n"
        "session.write()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'qasync')))\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=60, check=True)
    assert run.stdout.strip() == "[]", run.stdout
    assert "directory.example.org" in ini_path.read_text(encoding="utf-8")


def test_a_first_run_edits_plans_and_writes_both_files(ini_path: Path,
                                                       cobalt_dir: Path) -> None:
    session = SetupSession(ini_path, cobalt_dir)
    assert session.cobalt_dir_problem() is None and not session.is_rerun
    session.form.set_text(HOST, "directory.example.org")
    session.form.set_text(PORTS, "6910-6919")
    session.form.set_text(DISPATCHER, "6910")
    plan = session.plan()
    changed = {change.field.id: change.new for change in plan.ini_changes}
    assert changed[HOST] == "directory.example.org"
    assert not ini_path.exists(), "planning wrote something"
    session.write()
    assert "directory.example.org" in ini_path.read_text(encoding="utf-8")
    block = find_dispatcher_block(
        (cobalt_dir / ROUTER_CONF_RELATIVE_PATH).read_text(encoding="utf-8"))
    assert block.dispatcher_port == 6910
    again = SetupSession(ini_path, cobalt_dir)  # the next run finds what was written
    assert again.is_rerun
    assert again.form.text(HOST) == "directory.example.org"
    assert again.form.text(PORTS) == "6910-6919"
    assert not again.plan().has_changes


def test_cancel_leaves_the_files_as_they_were(ini_path: Path, cobalt_dir: Path) -> None:
    first = SetupSession(ini_path, cobalt_dir)
    first.write()
    before = {path: path.read_bytes() for path in (ini_path,
                                                   cobalt_dir / ROUTER_CONF_RELATIVE_PATH)}
    cancelled = SetupSession(ini_path, cobalt_dir)
    cancelled.form.set_text(HOST, "elsewhere.example.org")
    assert cancelled.plan().has_changes
    del cancelled  # the user pressed Cancel: no write()
    assert {path: path.read_bytes() for path in before} == before


def test_a_bad_value_is_refused_with_its_reason_and_nothing_is_written(
        ini_path: Path, cobalt_dir: Path) -> None:
    session = SetupSession(ini_path, cobalt_dir)
    session.form.set_text(HOST, "space directory")
    session.form.set_text(PORTS, "6900-70000")
    errors = session.form.errors()
    assert set(errors) == {HOST, PORTS}
    with pytest.raises(SettingsInvalid) as refused:
        session.plan()
    assert len(refused.value.errors) == 2
    assert not ini_path.exists()
    assert not (cobalt_dir / ROUTER_CONF_RELATIVE_PATH).exists()


def test_edits_survive_choosing_another_folder(ini_path: Path, cobalt_dir: Path,
                                               tmp_path: Path) -> None:
    session = SetupSession(ini_path, None)
    assert session.cobalt_dir_problem() == "Choose the folder where Open Cobalt is installed."
    session.choose_cobalt_dir(tmp_path / "missing")
    assert "does not exist" in (session.cobalt_dir_problem() or "")
    session.form.set_text(HOST, "directory.example.org")
    session.choose_cobalt_dir(cobalt_dir)
    assert session.cobalt_dir_problem() is None
    assert session.form.text(HOST) == "directory.example.org"


def test_without_a_folder_the_pages_start_from_the_ini_and_writing_waits_for_it(
        ini_path: Path, tmp_path: Path) -> None:
    """The network can be checked before Open Cobalt is installed; a save needs the folder,
    since both files are written together."""
    ini_path.parent.mkdir(parents=True)
    ini_path.write_text("[SpaceDirectory]\nHost = old.cobalt.test\n[Router]\nMode = manual\n")
    session = SetupSession(ini_path, None)
    assert session.is_rerun
    assert session.form.text(HOST) == "old.cobalt.test"
    assert session.form.settings().router.mode.value == "upnp", "the conf holds the mode"
    with pytest.raises(ValueError) as waiting:
        session.plan()
    assert str(waiting.value).startswith(
        "Choose the folder where Open Cobalt is installed. Open Cobalt reads its router "
        "settings from config/cobalt-router.conf")
    assert ini_path.read_text().count("old.cobalt.test") == 1
