"""Both preference files are saved all or nothing, whenever the process dies (the journal).

Real processes, real files: `cobalt-setup apply` is killed by strace as it enters each of
its renames in turn, then the next command runs and must find the pair wholly old or
wholly new, no temp file, the .bak files holding the pair before, and say once that it
finished an interrupted save.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cobalt_setup.prefs.atomic import write_files_atomically
from cobalt_setup.prefs.errors import JournalError, PrefsChangedError, SaveBusyError
from cobalt_setup.prefs.journal import JOURNAL_NAME, recover
from cobalt_setup.prefs.lock import LOCK_NAME
from cobalt_setup.prefs.store import (
    PreferenceFiles,
    load_current,
    plan_write,
    recover_interrupted_save,
    write,
)
from cobalt_setup.settings import Settings
from lab.save_runs import (
    RECOVERY_WORDS,
    STRACE,
    STRACE_MISSING,
    Pair,
    Setup,
    child_environment,
    cobalt_setup,
    under_strace,
)

needs_strace = pytest.mark.skipif(STRACE is None, reason=STRACE_MISSING)
posix_only = pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals")
RENAMES_OF_A_SAVE = 5  # the journal, two files, two .bak files


@pytest.fixture(scope="module")
def stages(tmp_path_factory: pytest.TempPathFactory) -> tuple[Setup, dict[str, Pair]]:
    """A setup where p0 then p1 were applied, and the pairs (and .bak pairs) of each step."""
    base = Setup.make(tmp_path_factory.mktemp("saves") / "base")
    pairs: dict[str, Pair] = {}
    for name in ("p0", "p1"):
        done = base.run(base.apply(name))
        assert done.returncode == 0, done.stderr
        pairs[name] = base.pair()
    assert base.backups() == pairs["p0"]
    reference = base.copy_to(tmp_path_factory.mktemp("saves") / "reference")
    done = reference.run(reference.apply("p2"))
    assert done.returncode == 0, done.stderr
    pairs["p2"] = reference.pair()
    assert len({pairs["p0"], pairs["p1"], pairs["p2"]}) == 3  # each step changes both files
    assert all(None not in pair for pair in pairs.values())
    return base, pairs


def _next_command(setup: Setup, turn: int) -> tuple[str, int]:
    """The command after a kill, in turn: `apply --dry-run`, `diagnose`, or the function the
    wizard calls. Returns its stderr (or message) and how often it told of a recovery."""
    if turn % 3 == 0:
        done = setup.run(setup.apply("p3", "--dry-run"))
        assert done.returncode == 0, done.stderr
        return done.stderr, done.stderr.count(RECOVERY_WORDS)
    if turn % 3 == 1:
        # The passive listen for spaces: cheap, and it sends nothing anywhere.
        done = setup.run([*cobalt_setup(), "diagnose", "--only", "crqt", "--timeout",
                          "0.2", "--settings", str(setup.ini), "--cobalt-dir",
                          str(setup.cobalt_dir)])
        assert done.returncode in (0, 1), done.stderr
        return done.stderr, done.stderr.count(RECOVERY_WORDS)
    message = recover_interrupted_save(setup.ini, setup.cobalt_dir)
    return message or "", int(message is not None)


def _assert_whole(setup: Setup, pairs: dict[str, Pair], where: str) -> str:
    """The pair is one apply's, .bak holds the pair before it, no temp, no journal."""
    pair = setup.pair()
    assert pair in (pairs["p1"], pairs["p2"]), f"a mixed or torn pair {where}"
    before = "p0" if pair == pairs["p1"] else "p1"
    assert setup.backups() == pairs[before], f".bak is not the pair before {where}"
    assert setup.temps() == [], f"stray temp files {where}"
    assert not setup.journal.exists(), f"journal left {where}"
    return "p1" if pair == pairs["p1"] else "p2"


@needs_strace
@posix_only
@pytest.mark.parametrize("rename", range(1, 9))
def test_apply_killed_at_each_rename_leaves_one_whole_pair(
        stages: tuple[Setup, dict[str, Pair]], tmp_path: Path, rename: int) -> None:
    base, pairs = stages
    setup = base.copy_to(tmp_path / "setup")
    where = f"(killed at rename {rename})"

    killed = setup.run(under_strace(setup.apply("p2"), f"signal=SIGKILL:when={rename}"))
    if rename <= RENAMES_OF_A_SAVE:
        assert killed.returncode == -9, f"not killed {where}: {killed.stderr}"
    else:
        assert killed.returncode == 0, killed.stderr
    interrupted = setup.journal.exists()
    assert interrupted == (2 <= rename <= RENAMES_OF_A_SAVE)  # committed, not finished

    said, times = _next_command(setup, rename)

    assert times == int(interrupted), f"recovery told {times} times {where}: {said}"
    if interrupted:
        assert "An interrupted save was completed." in said
    which = _assert_whole(setup, pairs, where)
    # Before the journal is in place nothing is visible; from then on the save is finished.
    assert which == ("p1" if rename == 1 else "p2"), where
    assert recover_interrupted_save(setup.ini, setup.cobalt_dir) is None  # said once


@needs_strace
@posix_only
@pytest.mark.parametrize(("rename", "again"), [(2, 1), (2, 3), (3, 1), (3, 2), (4, 2), (5, 1)])
def test_a_recovery_killed_half_way_is_finished_by_the_next(
        stages: tuple[Setup, dict[str, Pair]], tmp_path: Path, rename: int, again: int) -> None:
    base, pairs = stages
    setup = base.copy_to(tmp_path / "setup")
    assert setup.run(under_strace(setup.apply("p2"), f"signal=SIGKILL:when={rename}")
                     ).returncode == -9
    recovery = under_strace(setup.apply("p3", "--dry-run"), f"signal=SIGKILL:when={again}")
    assert setup.run(recovery).returncode == -9  # the recovery itself killed at a rename
    assert setup.journal.exists()

    message = recover_interrupted_save(setup.ini, setup.cobalt_dir)

    assert message == "An interrupted save was completed."
    assert _assert_whole(setup, pairs, f"(killed at {rename}, recovery at {again})") == "p2"


@needs_strace
@posix_only
def test_a_file_changed_since_the_kill_is_not_overwritten_and_the_save_is_undone(
        stages: tuple[Setup, dict[str, Pair]], tmp_path: Path) -> None:
    base, pairs = stages
    setup = base.copy_to(tmp_path / "setup")
    # Killed with the INI new and cobalt-router.conf not yet renamed ...
    assert setup.run(under_strace(setup.apply("p2"), "signal=SIGKILL:when=3")).returncode == -9
    assert setup.pair()[0] == pairs["p2"][0]
    # ... then someone edits cobalt-router.conf by hand before the next run.
    edited = b"\"edited by hand\"\n" + pairs["p1"][1]
    setup.conf.write_bytes(edited)

    message = recover_interrupted_save(setup.ini, setup.cobalt_dir)

    assert message is not None and message.startswith("An interrupted save was undone.")
    assert str(setup.conf) in message and "left as they are" in message
    assert setup.pair() == (pairs["p1"][0], edited)  # the INI put back, the edit kept
    assert setup.backups() == pairs["p0"]  # the .bak pair is untouched by an undo
    assert setup.temps() == [] and not setup.journal.exists()


_BLOCKED_WRITER = r"""
import sys
from pathlib import Path
from cobalt_setup.prefs.atomic import PrefsWriteError, write_files_atomically

folder = Path(sys.argv[1])
try:
    write_files_atomically({folder / "a.conf": b"new a\n", folder / "b.conf": b"new b\n"})
except PrefsWriteError as error:
    print(error)
"""


@needs_strace
@posix_only
@pytest.mark.parametrize("rename", range(1, 8))
def test_an_undo_after_a_failed_rename_is_finished_whenever_it_is_killed(
        tmp_path: Path, rename: int) -> None:
    folder = tmp_path / "prefs"
    folder.mkdir()
    (folder / "a.conf").write_bytes(b"old a\n")
    (folder / "b.conf").mkdir()  # a folder in the way: renaming b.conf onto it fails
    (folder / "b.conf" / "keep").write_bytes(b"")
    # Renames: the journal, a.conf, b.conf (fails), the journal marked as undoing, a.conf
    # put back.
    command = under_strace([sys.executable, "-c", _BLOCKED_WRITER, str(folder)],
                           f"signal=SIGKILL:when={rename}")
    run = subprocess.run(command, capture_output=True, text=True, timeout=60,
                         env=child_environment())
    if rename <= 5:
        assert run.returncode == -9, run.stdout + run.stderr
    else:
        assert "Nothing was changed." in run.stdout, run.stdout + run.stderr
    interrupted = (folder / JOURNAL_NAME).exists()

    message = recover(folder, [folder / "a.conf", folder / "b.conf"])

    if interrupted:
        assert message == "An interrupted save was undone: the files are as they were before it."
    else:
        assert message is None
    assert (folder / "a.conf").read_bytes() == b"old a\n"
    assert not (folder / "a.conf.bak").exists()
    assert sorted(p.name for p in folder.iterdir()) == [LOCK_NAME, "a.conf", "b.conf"]


# --- without killing ---------------------------------------------------------------------


def _files(ini_path: Path, cobalt_dir: Path) -> PreferenceFiles:
    return PreferenceFiles(ini_path, cobalt_dir)


def test_a_save_that_changes_one_file_backs_up_both_as_one_pair(
        ini_path: Path, cobalt_dir: Path) -> None:
    files = _files(ini_path, cobalt_dir)
    write(plan_write(load_current(files), Settings.from_texts({})))
    first = ini_path.read_bytes(), files.router_conf_path.read_bytes()
    assert not Path(f"{ini_path}.bak").exists()  # both were new: no pair before

    settings = Settings.from_texts({("DNS", "Servers"): "10.0.0.53"})
    plan = plan_write(load_current(files), settings)
    assert list(plan.contents) == [ini_path]  # only the INI changes
    written = write(plan)

    assert [item.path for item in written] == [ini_path]
    assert (Path(f"{ini_path}.bak").read_bytes(),
            Path(f"{files.router_conf_path}.bak").read_bytes()) == first
    assert not (ini_path.parent / JOURNAL_NAME).exists()
    assert (ini_path.parent / LOCK_NAME).exists()  # lock files stay, by design
    assert (cobalt_dir / "config" / LOCK_NAME).exists()


def test_the_bak_of_a_file_that_did_not_exist_before_is_removed(
        ini_path: Path, cobalt_dir: Path) -> None:
    files = _files(ini_path, cobalt_dir)
    write(plan_write(load_current(files), Settings.from_texts({})))
    conf_bak = Path(f"{files.router_conf_path}.bak")
    conf_bak.write_bytes(b"from long ago\n")
    files.router_conf_path.unlink()  # the user removed the router file

    write(plan_write(load_current(files), Settings.from_texts({})))

    assert files.router_conf_path.exists()
    assert not conf_bak.exists()  # the pair before this save had no router file


def test_a_plan_is_not_written_over_a_file_changed_since(
        ini_path: Path, cobalt_dir: Path) -> None:
    files = _files(ini_path, cobalt_dir)
    write(plan_write(load_current(files), Settings.from_texts({})))
    plan = plan_write(load_current(files), Settings.from_texts({("DNS", "Servers"): "10.0.0.1"}))
    # Another save (here: a hand edit) changes the router file after the plan was shown.
    conf = files.router_conf_path
    conf.write_bytes(conf.read_bytes() + b"\"another save\"\n")
    before = ini_path.read_bytes(), conf.read_bytes()

    with pytest.raises(PrefsChangedError) as info:
        write(plan)

    assert info.value.path == conf
    assert "was changed by another save or program since this page was shown" in str(info.value)
    assert "nothing was written" in str(info.value)
    assert (ini_path.read_bytes(), conf.read_bytes()) == before
    assert sorted(p.name for p in ini_path.parent.iterdir()) == [LOCK_NAME, ini_path.name]


_LOCK_HOLDER = r"""
import sys
from pathlib import Path
from cobalt_setup.prefs.lock import hold

with hold([Path(sys.argv[1])], 5):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_a_save_waits_for_the_lock_then_gives_up_in_words(tmp_path: Path) -> None:
    target = tmp_path / "cobalt-router.conf"
    target.write_bytes(b"old\n")
    holder = subprocess.Popen([sys.executable, "-c", _LOCK_HOLDER, str(target)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              env=child_environment())
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        stale = tmp_path / ".cobalt-router.conf.live0001.tmp"  # the holder may be writing it
        stale.write_bytes(b"half")

        with pytest.raises(SaveBusyError) as info:
            write_files_atomically({target: b"new\n"}, wait_s=0.3)

        assert "Another save of these settings is running" in str(info.value)
        assert "Nothing was changed." in str(info.value)
        assert target.read_bytes() == b"old\n"
        assert stale.exists()  # nothing deletes a temp file while another save holds the lock
    finally:
        holder.communicate("", timeout=10)
    write_files_atomically({target: b"new\n"}, wait_s=0.3)  # once it is free
    assert target.read_bytes() == b"new\n" and not stale.exists()


def test_recovery_with_nothing_to_do_takes_no_lock(ini_path: Path, cobalt_dir: Path) -> None:
    ini_path.parent.mkdir(parents=True)
    ini_path.write_text("[DNS]\n")
    assert recover_interrupted_save(ini_path, cobalt_dir) is None
    assert sorted(p.name for p in ini_path.parent.iterdir()) == [ini_path.name]
    assert list((cobalt_dir / "config").iterdir()) == []


def test_an_unreadable_journal_is_refused_in_words_and_nothing_is_touched(
        ini_path: Path, cobalt_dir: Path) -> None:
    ini_path.parent.mkdir(parents=True)
    ini_path.write_text("[DNS]\n")
    victim = cobalt_dir / "OpenCobalt.image"
    journal = ini_path.parent / JOURNAL_NAME
    # A journal that would rename some other file onto the INI: not ours to carry out.
    journal.write_text(json.dumps({"format": 1, "state": "committed", "targets": [{
        "path": str(ini_path), "new_temp": str(victim), "backup_temp": None,
        "backup": f"{ini_path}.bak", "old_exists": False, "old_sha256": None,
        "new_sha256": "0" * 64}]}))

    with pytest.raises(JournalError) as info:
        recover_interrupted_save(ini_path, cobalt_dir)

    assert str(journal) in str(info.value) and "move it away" in str(info.value)
    assert ini_path.read_text() == "[DNS]\n" and victim.exists()
    journal.write_text("{not json")
    with pytest.raises(JournalError):
        recover_interrupted_save(ini_path, cobalt_dir)
