"""The command line, as an administrator rolling out many machines would use it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cobalt_setup import __version__
from cobalt_setup.cli import main
from cobalt_setup.prefs.general_ini import read_general_ini
from cobalt_setup.prefs.router_conf import find_dispatcher_block
from cobalt_setup.settings import RouterMode

ROLLOUT = """\
# Company roll-out
[DNS]
Servers = 10.0.0.53
[SpaceDirectory]
Host = directory.corp.example
[Router]
Mode = manual
DispatcherPort = 6905
"""


@pytest.fixture
def target(tmp_path: Path) -> Path:
    return tmp_path / "user" / "general-preferences.ini"


def source(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rollout.ini"
    path.write_text(text)
    return path


def run(*args: str | Path) -> int:
    return main([str(arg) for arg in args])


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        run("--version")
    assert caught.value.code == 0
    assert capsys.readouterr().out.strip() == f"cobalt-setup {__version__}"


def test_apply_writes_both_files(tmp_path: Path, cobalt_dir: Path, target: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    code = run("apply", source(tmp_path, ROLLOUT), "--settings", target,
               "--cobalt-dir", cobalt_dir)
    out = capsys.readouterr().out
    assert code == 0
    assert "DNS.Servers: (not set) -> '10.0.0.53'" in out
    assert f"Wrote {target}" in out
    assert read_general_ini(target).texts[("SpaceDirectory", "Host")] == "directory.corp.example"
    block = find_dispatcher_block((cobalt_dir / "config" / "cobalt-router.conf").read_text())
    assert (block.mode, block.dispatcher_port) == (RouterMode.MANUAL, 6905)


def test_apply_twice_changes_nothing_the_second_time(
    tmp_path: Path, cobalt_dir: Path, target: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("apply", source(tmp_path, ROLLOUT), "--settings", target, "--cobalt-dir", cobalt_dir)
    assert run(*args) == 0
    before = target.read_bytes(), (cobalt_dir / "config" / "cobalt-router.conf").read_bytes()
    capsys.readouterr()
    assert run(*args) == 0
    assert capsys.readouterr().out.count("no change") == 2
    assert (target.read_bytes(),
            (cobalt_dir / "config" / "cobalt-router.conf").read_bytes()) == before


def test_dry_run_writes_nothing(tmp_path: Path, cobalt_dir: Path, target: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    code = run("apply", source(tmp_path, ROLLOUT), "--dry-run", "--settings", target,
               "--cobalt-dir", cobalt_dir)
    assert code == 0
    assert "Dry run: nothing written." in capsys.readouterr().out
    assert not target.exists() and not (cobalt_dir / "config" / "cobalt-router.conf").exists()


def test_bad_values_name_file_line_and_rule_and_write_nothing(
    tmp_path: Path, cobalt_dir: Path, target: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = source(tmp_path, "[SpaceDirectory]\nHost = my host\nPort = 70000\n")
    code = run("apply", bad, "--settings", target, "--cobalt-dir", cobalt_dir)
    err = capsys.readouterr().err
    assert code == 2
    assert f"{bad}, line 2: [SpaceDirectory] Host: 'my host' contains a space" in err
    assert f"{bad}, line 3: [SpaceDirectory] Port: 70000 is not a port number" in err
    assert not target.exists() and list((cobalt_dir / "config").iterdir()) == []


def test_unknown_keys_are_warned_about(tmp_path: Path, cobalt_dir: Path, target: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    code = run("apply", source(tmp_path, "[DNS]\nServrs = 10.0.0.1\n"), "--settings", target,
               "--cobalt-dir", cobalt_dir)
    assert code == 0
    assert "[DNS] Servrs is not a setting this tool knows" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("make_args", "words"),
    [
        (lambda tmp, cobalt: ["apply", tmp / "missing.ini", "--cobalt-dir", cobalt],
         "no such file"),
        (lambda tmp, cobalt: ["apply", source(tmp, ROLLOUT), "--cobalt-dir", tmp / "nowhere"],
         "no such folder"),
        (lambda tmp, cobalt: ["apply", source(tmp, "[DNS\n"), "--cobalt-dir", cobalt],
         "line 1"),
    ],
)
def test_bad_input_exits_2(tmp_path: Path, cobalt_dir: Path, make_args, words: str,
                           capsys: pytest.CaptureFixture[str]) -> None:
    assert run(*make_args(tmp_path, cobalt_dir)) == 2
    assert words in capsys.readouterr().err


def test_bad_usage_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        run("apply")
    assert caught.value.code == 2


def test_a_write_failure_exits_1_and_leaves_the_old_files(
    tmp_path: Path, cobalt_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    code = run("apply", source(tmp_path, ROLLOUT), "--settings", blocker / "prefs.ini",
               "--cobalt-dir", cobalt_dir)
    assert code == 1
    assert "Nothing was changed" in capsys.readouterr().err
    assert blocker.read_text() == "a file, not a folder"
    assert list((cobalt_dir / "config").iterdir()) == []


def test_screenshots_render_every_page_without_writing(
    tmp_path: Path, cobalt_dir: Path, target: Path
) -> None:
    out = tmp_path / "shots"
    result = subprocess.run(
        [sys.executable, "-m", "cobalt_setup", "screenshots", str(out),
         "--settings", str(target), "--cobalt-dir", str(cobalt_dir)],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    pngs = sorted(out.glob("*.png"))
    assert [p.name for p in pngs] == [
        "01-welcome.png", "02-dns.png", "03-spacedirectory.png", "04-xrfb.png",
        "05-router.png", "06-summary.png", "07-done.png",
    ]
    for png in pngs:
        assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 5000
    assert not target.exists() and list((cobalt_dir / "config").iterdir()) == []
