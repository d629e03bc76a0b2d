"""Two saves at once: one waits for the other, and each one's report is true.

Apply A is held by strace for two seconds as it enters each of its renames in turn; apply
B is started inside that window. B must wait for A's lock, then plan from what A wrote:
both printed reports must match those of the same two applies run one after the other,
and the files and .bak files must be what that serial run left.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from lab.save_runs import (
    BUSY_WORDS,
    RECOVERY_WORDS,
    STRACE,
    STRACE_MISSING,
    Setup,
    under_strace,
    wait_for_renames,
)

pytestmark = [pytest.mark.skipif(STRACE is None, reason=STRACE_MISSING),
              pytest.mark.skipif(os.name != "posix", reason="needs strace")]
HOLD_US = 2_000_000


class Serial:
    """What A then B, run one after the other, print and leave."""

    def __init__(self, base: Setup, root: Path) -> None:
        self.setup = base.copy_to(root)
        self.a = self.setup.run(self.setup.apply("p2"))
        self.a_pair = self.setup.pair()
        self.b = self.setup.run(self.setup.apply("p3"))
        assert self.a.returncode == self.b.returncode == 0, self.a.stderr + self.b.stderr
        self.pair, self.backups = self.setup.pair(), self.setup.backups()

    def output(self, text: str, setup: Setup) -> str:
        """`text` as it would read with `setup`'s folders."""
        return text.replace(str(self.setup.root), str(setup.root))


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> tuple[Setup, Serial]:
    base = Setup.make(tmp_path_factory.mktemp("two-saves") / "base")
    for name in ("p0", "p1"):
        assert base.run(base.apply(name)).returncode == 0
    return base, Serial(base, tmp_path_factory.mktemp("two-saves") / "serial")


def _start(command: list[str], setup: Setup) -> subprocess.Popen[str]:
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=setup.environment(), stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("rename", range(1, 6))
def test_a_second_apply_waits_for_the_first_and_both_reports_are_true(
        serial: tuple[Setup, Serial], tmp_path: Path, rename: int) -> None:
    base, expected = serial
    setup = base.copy_to(tmp_path / "setup")
    trace = tmp_path / "a.trace"
    a = _start(under_strace(setup.apply("p2"), f"delay_enter={HOLD_US}:when={rename}", trace),
               setup)
    assert wait_for_renames(trace, rename, a), "A ended before its held rename"
    b = _start(setup.apply("p3"), setup)  # while A is held at its rename
    a_out, a_err = a.communicate(timeout=60)
    b_out, b_err = b.communicate(timeout=60)
    where = f"(A held at rename {rename})"

    assert a.returncode == 0, f"A failed {where}: {a_err}"
    assert b.returncode == 0, f"B failed {where}: {b_err}"
    assert a_out == expected.output(expected.a.stdout, setup), f"A's report is false {where}"
    assert b_out == expected.output(expected.b.stdout, setup), f"B's report is false {where}"
    assert RECOVERY_WORDS not in b_err, f"B took A's live save for an interrupted one {where}"
    assert setup.pair() == expected.pair, f"the files are not B's on top of A's {where}"
    assert setup.backups() == expected.a_pair, f".bak is not A's pair {where}"
    assert setup.temps() == [] and not setup.journal.exists()


@pytest.mark.parametrize("rename", [1, 3])
def test_a_second_apply_that_cannot_wait_long_enough_says_so_and_changes_nothing(
        serial: tuple[Setup, Serial], tmp_path: Path, rename: int) -> None:
    base, expected = serial
    setup = base.copy_to(tmp_path / "setup")
    trace = tmp_path / "a.trace"
    a = _start(under_strace(setup.apply("p2"), f"delay_enter={HOLD_US}:when={rename}", trace),
               setup)
    assert wait_for_renames(trace, rename, a)

    b = setup.run(setup.apply("p3", "--wait", "0.3"))
    a_out, a_err = a.communicate(timeout=60)

    assert b.returncode == 1
    assert BUSY_WORDS in b.stderr and "Try again when it has finished" in b.stderr
    assert "Nothing was changed." in b.stderr
    assert "Wrote" not in b.stdout
    assert a.returncode == 0, a_err
    assert a_out == expected.output(expected.a.stdout, setup)
    assert setup.pair() == expected.a_pair  # A's save, whole; B changed nothing
    assert setup.backups() == base.pair()
    assert setup.temps() == [] and not setup.journal.exists()
