"""Preference files are written whole or not at all, with real files, folders and disks."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cobalt_setup.prefs.atomic import PrefsWriteError, WrittenFile, write_files_atomically
from cobalt_setup.prefs.journal import JOURNAL_NAME
from cobalt_setup.prefs.lock import LOCK_NAME

posix_only = pytest.mark.skipif(os.name != "posix", reason="needs POSIX permissions and signals")
running_as_root = os.name == "posix" and os.geteuid() == 0

OLD = b"[router]\nmode = upnp\n"
NEW = b"[router]\nmode = manual\nport = 7777\n"


def _temp_files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(".tmp"))


def _files(folder: Path) -> list[str]:
    """What a folder holds besides the save lock's file (which stays, by design)."""
    return sorted(path.name for path in folder.iterdir() if path.name != LOCK_NAME)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- ordinary writes ----------------------------------------------------------------------


@posix_only
def test_new_file_is_written_with_mode_644_and_no_backup(tmp_path: Path) -> None:
    target = tmp_path / "cobalt-router.conf"
    old_umask = os.umask(0o077)  # a strict umask must not make the file unreadable to Cobalt
    try:
        result = write_files_atomically({target: NEW})
    finally:
        os.umask(old_umask)

    assert result == [WrittenFile(path=target, backup=None)]
    assert target.read_bytes() == NEW
    assert _mode(target) == 0o644
    assert _files(tmp_path) == ["cobalt-router.conf"]  # no journal left behind


def test_existing_file_is_replaced_and_old_content_kept_in_bak(tmp_path: Path) -> None:
    target = tmp_path / "cobalt-router.conf"
    target.write_bytes(OLD)

    result = write_files_atomically({target: NEW})

    backup = tmp_path / "cobalt-router.conf.bak"
    assert result == [WrittenFile(path=target, backup=backup)]
    assert target.read_bytes() == NEW
    assert backup.read_bytes() == OLD
    assert _temp_files(tmp_path) == []


def test_second_write_backs_up_the_first(tmp_path: Path) -> None:
    target = tmp_path / "cobalt-router.conf"
    write_files_atomically({target: OLD})
    write_files_atomically({target: NEW})
    write_files_atomically({target: b"third\n"})

    assert target.read_bytes() == b"third\n"
    assert (tmp_path / "cobalt-router.conf.bak").read_bytes() == NEW


@posix_only
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664])
def test_mode_of_existing_file_is_kept_for_file_and_backup(tmp_path: Path, mode: int) -> None:
    target = tmp_path / "cobalt-router.conf"
    target.write_bytes(OLD)
    target.chmod(mode)

    write_files_atomically({target: NEW})

    assert target.read_bytes() == NEW
    assert _mode(target) == mode
    # A private file must not become readable to others through its backup.
    assert _mode(tmp_path / "cobalt-router.conf.bak") == mode


def test_several_files_at_once_including_a_new_folder(tmp_path: Path) -> None:
    router = tmp_path / "cobalt-router.conf"
    router.write_bytes(OLD)
    peers = tmp_path / "peers.d" / "cobalt-peers.conf"  # folder does not exist yet

    result = write_files_atomically({router: NEW, peers: b"peer = 10.0.0.2\n"})

    assert result == [
        WrittenFile(path=router, backup=tmp_path / "cobalt-router.conf.bak"),
        WrittenFile(path=peers, backup=None),
    ]
    assert router.read_bytes() == NEW
    assert peers.read_bytes() == b"peer = 10.0.0.2\n"
    assert _temp_files(tmp_path) == []
    assert _temp_files(peers.parent) == []


def test_nothing_to_write_changes_nothing(tmp_path: Path) -> None:
    assert write_files_atomically({}) == []
    assert list(tmp_path.iterdir()) == []


def test_stale_temp_files_of_the_target_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "cobalt-router.conf"
    target.write_bytes(OLD)
    stale = [".cobalt-router.conf.k1ll3d00.tmp", ".cobalt-router.conf.bak.x7y8z9ab.tmp"]
    unrelated = [".cobalt-peers.conf.abcdefgh.tmp", "notes.tmp", "cobalt-router.conf.tmp"]
    for name in stale + unrelated:
        (tmp_path / name).write_bytes(b"half a fi")

    write_files_atomically({target: NEW})

    assert target.read_bytes() == NEW
    assert _temp_files(tmp_path) == sorted(unrelated)


def test_folder_that_cannot_be_created_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "prefs"
    blocker.write_bytes(b"a file where the folder should be")
    target = blocker / "cobalt-router.conf"

    with pytest.raises(PrefsWriteError) as info:
        write_files_atomically({target: NEW})

    assert info.value.path == target
    assert str(target) in str(info.value)
    assert "Nothing was changed." in str(info.value)
    assert blocker.read_bytes() == b"a file where the folder should be"


# --- a folder the user may not write to ---------------------------------------------------

# As root it first becomes `nobody`, because root ignores permission bits.
_READ_ONLY_CHILD = r"""
import json, os, sys
from pathlib import Path
from cobalt_setup.prefs.atomic import PrefsWriteError, write_files_atomically

if os.geteuid() == 0:
    # The save loads filelock on first use; the interpreter may live where `nobody` cannot
    # read (e.g. under /root), so load it while still root.
    import filelock
    import pwd
    user = pwd.getpwnam("nobody")
    try:
        os.setgroups([])
        os.setgid(user.pw_gid)
        os.setuid(user.pw_uid)
    except OSError as exc:
        print(json.dumps({"cannot_drop": str(exc)}))
        sys.exit(0)
base = Path(sys.argv[1])
# Control: the same user can write in a writable folder next to it.
write_files_atomically({base / "writable" / "cobalt-router.conf": b"new\n"})
try:
    write_files_atomically({base / "readonly" / "cobalt-router.conf": b"new\n"})
except PrefsWriteError as exc:
    print(json.dumps({"message": str(exc), "path": str(exc.path)}))
else:
    print(json.dumps({"message": None}))
"""


@pytest.fixture
def user_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder the writing user owns: tmp_path, or when root one that `nobody` owns."""
    if not running_as_root:
        yield tmp_path
        return
    try:
        import pwd

        nobody = pwd.getpwnam("nobody")
    except (ImportError, KeyError):
        pytest.skip("running as root and there is no 'nobody' user to drop privileges to")
    # Not in tmp_path: pytest keeps that inside a folder only root may enter.
    base = Path(tempfile.mkdtemp(prefix="cobalt-readonly-test-"))
    try:
        closed = [p for p in base.parents if not p.stat().st_mode & stat.S_IXOTH]
        if closed:
            pytest.skip(f"'nobody' cannot reach the temp folder ({closed[0]} is private)")
        os.chown(base, nobody.pw_uid, nobody.pw_gid)
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


@posix_only
def test_read_only_folder_is_reported_and_left_alone(user_folder: Path) -> None:
    readonly = user_folder / "readonly"
    writable = user_folder / "writable"
    readonly.mkdir()
    writable.mkdir()
    existing = readonly / "cobalt-router.conf"
    existing.write_bytes(OLD)
    owner = user_folder.stat()
    for path in (readonly, writable, existing):
        os.chown(path, owner.st_uid, owner.st_gid)
    readonly.chmod(0o555)
    try:
        run = subprocess.run(
            [sys.executable, "-c", _READ_ONLY_CHILD, str(user_folder)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        readonly.chmod(0o755)  # so that the folder can be cleaned up when not root

    assert run.returncode == 0, run.stderr
    outcome = json.loads(run.stdout)
    if "cannot_drop" in outcome:
        pytest.skip(f"running as root and cannot become 'nobody': {outcome['cannot_drop']}")
    assert (writable / "cobalt-router.conf").read_bytes() == b"new\n", "control write failed"
    message = outcome["message"]
    assert message is not None, "writing into a read-only folder did not fail"
    assert outcome["path"] == str(existing)
    assert str(existing) in message
    assert "read-only" in message
    assert "Nothing was changed." in message
    assert existing.read_bytes() == OLD
    assert sorted(p.name for p in readonly.iterdir()) == ["cobalt-router.conf"]


# --- a full disk ---------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs mounted for the test (needs root)."""
    if not running_as_root:
        pytest.skip("filling a real disk needs a tiny tmpfs, and mounting one needs root")
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    try:
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", str(mount_point)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except FileNotFoundError:
        pytest.skip("there is no 'mount' command to make a tiny tmpfs")
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tiny tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        unmounted = subprocess.run(["umount", str(mount_point)], capture_output=True, timeout=30)
        if unmounted.returncode != 0:
            subprocess.run(["umount", "-l", str(mount_point)], capture_output=True, timeout=30)


def _free_bytes(folder: Path) -> int:
    info = os.statvfs(folder)
    return info.f_bavail * info.f_frsize


def test_full_disk_is_reported_and_old_file_kept(small_disk: Path) -> None:
    target = small_disk / "cobalt-router.conf"
    target.write_bytes(OLD)
    # Fill the disk but leave 16 KiB, so the new content is really cut off half-way.
    (small_disk / "filler").write_bytes(b"\0" * (_free_bytes(small_disk) - 16 * 1024))
    free_before = _free_bytes(small_disk)
    assert 0 < free_before < 200_000

    with pytest.raises(PrefsWriteError) as info:
        write_files_atomically({target: b"x" * 200_000})

    message = str(info.value)
    assert info.value.path == target
    assert str(target) in message
    assert "disk is full" in message
    assert "Nothing was changed." in message
    assert target.read_bytes() == OLD
    assert _files(small_disk) == ["cobalt-router.conf", "filler"]
    assert _free_bytes(small_disk) == free_before  # the half-written temp file is gone
    # What fits is still written: the failure was about space, not this folder.
    write_files_atomically({target: NEW})
    assert target.read_bytes() == NEW


# --- killed in the middle of writing -------------------------------------------------------

KILL_SEED = 20240611
KILLS = 30

_LOOPING_WRITER = r"""
import sys
from pathlib import Path
from cobalt_setup.prefs.atomic import write_files_atomically

target = Path(sys.argv[1])
contents = [Path(sys.argv[2]).read_bytes(), Path(sys.argv[3]).read_bytes()]
write_files_atomically({target: contents[0]})
print("ready", flush=True)
turn = 1
while True:
    write_files_atomically({target: contents[turn % 2]})
    turn += 1
"""


def _which(data: bytes, a: bytes, b: bytes) -> str:
    """Name the content without dumping megabytes into a failure message."""
    if data == a:
        return "A"
    if data == b:
        return "B"
    return f"neither A nor B ({len(data)} bytes, starts {data[:16]!r})"


@posix_only
def test_killed_mid_write_leaves_a_whole_file(tmp_path: Path) -> None:
    rng = random.Random(KILL_SEED)
    a = rng.randbytes(1_500_000)
    b = rng.randbytes(1_200_000)
    (tmp_path / "a").write_bytes(a)
    (tmp_path / "b").write_bytes(b)
    folder = tmp_path / "prefs"
    folder.mkdir()
    target = folder / "cobalt-router.conf"
    backup = folder / "cobalt-router.conf.bak"
    target.write_bytes(a)
    command = [sys.executable, "-c", _LOOPING_WRITER, str(target), str(tmp_path / "a")]
    command.append(str(tmp_path / "b"))

    caught_mid_write = 0
    for kill in range(KILLS):
        where = f"(seed {KILL_SEED}, kill {kill + 1} of {KILLS})"
        writer = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert writer.stdout is not None
            ready = writer.stdout.readline()
            if ready != b"ready\n":
                writer.wait(timeout=10)
                assert writer.stderr is not None
                pytest.fail(f"writer did not start {where}: {writer.stderr.read().decode()}")
            time.sleep(rng.uniform(0.0, 0.03))
            writer.send_signal(signal.SIGKILL)
        finally:
            writer.kill()
            writer.wait(timeout=10)
            for stream in (writer.stdout, writer.stderr):
                if stream is not None:
                    stream.close()
        assert writer.returncode == -signal.SIGKILL, f"writer died on its own {where}"

        seen = _which(target.read_bytes(), a, b)
        assert seen in ("A", "B"), f"target torn {where}"
        if backup.exists():
            seen = _which(backup.read_bytes(), a, b)
            assert seen in ("A", "B"), f"backup torn {where}"
        leftovers = set(_temp_files(folder))
        assert set(_files(folder)) - leftovers <= {target.name, backup.name, JOURNAL_NAME}
        caught_mid_write += bool(leftovers)

    # Otherwise every kill fell between two writes and this test proved nothing.
    assert caught_mid_write > 0, f"no kill landed inside a write (seed {KILL_SEED})"

    write_files_atomically({target: NEW})
    assert target.read_bytes() == NEW
    seen = _which(backup.read_bytes(), a, b)
    assert seen in ("A", "B")
    assert _temp_files(folder) == []


# --- a failure while putting several files in place -------------------------------------


def _block_with_folder(path: Path) -> None:
    """Put a non-empty folder where a file should go, so renaming onto it really fails."""
    path.mkdir()
    (path / "keep").write_bytes(b"do not touch")


def test_failed_rename_puts_back_the_file_already_replaced(tmp_path: Path) -> None:
    router = tmp_path / "cobalt-router.conf"
    router.write_bytes(OLD)
    os.utime(router, (1_000_000_000, 1_000_000_000))  # an old file, from 2001
    peers = tmp_path / "cobalt-peers.conf"
    _block_with_folder(peers)

    with pytest.raises(PrefsWriteError) as info:
        write_files_atomically({router: NEW, peers: b"peer = 10.0.0.2\n"})

    assert info.value.path == peers
    assert str(peers) in str(info.value)
    assert "Nothing was changed." in str(info.value)
    assert router.read_bytes() == OLD
    # It really was replaced and then put back, not merely left untouched.
    assert router.stat().st_mtime > 1_500_000_000
    assert (peers / "keep").read_bytes() == b"do not touch"
    assert _temp_files(tmp_path) == []


def test_failed_rename_removes_a_file_that_did_not_exist_before(tmp_path: Path) -> None:
    router = tmp_path / "cobalt-router.conf"
    peers = tmp_path / "cobalt-peers.conf"
    _block_with_folder(peers)

    with pytest.raises(PrefsWriteError):
        write_files_atomically({router: NEW, peers: b"peer = 10.0.0.2\n"})

    assert not router.exists()
    assert _files(tmp_path) == ["cobalt-peers.conf"]
