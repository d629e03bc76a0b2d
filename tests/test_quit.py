"""However the wizard ends while checks run, it exits at once, cleanly, as cancelled."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from quit_driver import CHECKS_S  # how long every check there would wait

TESTS = Path(__file__).resolve().parent
EXIT_CANCELLED = 1

needs_namespaces = pytest.mark.skipif(
    os.name != "posix" or os.geteuid() != 0 or shutil.which("unshare") is None,
    reason="runs the wizard in a network namespace of its own (needs root and unshare)")


@needs_namespaces
@pytest.mark.parametrize(("how", "send"), [
    ("quit", None), ("close", None), ("cancel", None),
    ("signal", signal.SIGTERM), ("signal", signal.SIGINT),
])
def test_ending_the_wizard_while_every_check_runs_exits_without_waiting_for_them(
        tmp_path: Path, how: str, send: signal.Signals | None) -> None:
    # The real program, on the Summary page, every check waiting on a silent peer; in a
    # namespace with loopback only, so nothing it does can reach another machine.
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": os.pathsep.join(
        [str(TESTS), *filter(None, [os.environ.get("PYTHONPATH")])])}
    program = subprocess.Popen(
        ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh",
         sys.executable, str(TESTS / "quit_driver.py"), how, str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert program.stdout is not None
        assert program.stdout.readline().strip() == "checking"
        started = time.monotonic()
        if send is not None:
            program.send_signal(send)
        _out, errors = program.communicate(timeout=10)
        took = time.monotonic() - started
    finally:
        if program.poll() is None:
            program.kill()
            program.wait()
    assert program.returncode == EXIT_CANCELLED
    # The checks would take CHECKS_S (30 s): the exit cuts them short instead of waiting.
    # Idle, it takes 0.13-0.16 s (tests/quit_driver.py, 8 runs); with the machine's two
    # cores busy with other work, it once took 1.27 s: wall time says how busy the machine
    # is, the bound says whether the checks were waited for.
    assert took < CHECKS_S / 10, f"took {took:.2f} s to exit: it waited for the checks"
    problems = [line for line in errors.splitlines()
                if "propagateSizeHints" not in line]  # the offscreen platform's own note
    assert problems == []
    assert not (tmp_path / "Open Cobalt" / "config" / "cobalt-router.conf").exists()
