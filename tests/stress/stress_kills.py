"""1,000 SIGKILLs of `cobalt-setup apply` at random moments, each followed by the recovery.

Not a test (CI does not run it; pytest does not collect it): it prints figures.
    .venv/bin/python tests/stress/stress_kills.py [--kills 1000] [--seed 1]

Each round applies the other of two roll-out files (each changes both preference files),
kills the process with SIGKILL after a random delay aimed at the moments it saves, then
calls the recovery the wizard and every command call first, and counts: mixed pairs (one
file from each save), corrupt files (neither save's bytes), stray temp files, .bak pairs
that are not the pair before, journals left, and recovery messages not said exactly once.
"""

from __future__ import annotations

import argparse
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cobalt_setup.prefs.store import recover_interrupted_save
from lab.save_runs import Pair, Setup


def _save_window(setup: Setup, source: str, runs: int = 9) -> tuple[float, float]:
    """When, after its start, an apply's save begins (its first temp file appears) and ends
    (the last one is gone): the earliest start and the latest end seen over a few runs."""
    starts, ends = [], []
    for _ in range(runs):
        started = time.monotonic()
        child = subprocess.Popen(setup.apply(source), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, env=setup.environment())
        begun = ended = None
        while child.poll() is None:
            busy = bool(setup.temps())
            now = time.monotonic() - started
            if busy and begun is None:
                begun = now
            if not busy and begun is not None and ended is None:
                ended = now
            time.sleep(0.0002)
        exited = time.monotonic() - started
        starts.append(exited if begun is None else begun)
        ends.append(exited if ended is None else ended)
        source = "p3" if source == "p2" else "p2"
    return min(starts), max(ends)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    root = Path(tempfile.mkdtemp(prefix="cobalt-stress-kills-"))
    began = time.monotonic()
    try:
        setup = Setup.make(root / "setup")
        pairs: dict[str, Pair] = {}
        for name in ("p0", "p1", "p2", "p3", "p2", "p3"):
            assert setup.run(setup.apply(name)).returncode == 0
            pairs.setdefault(name, setup.pair())
            assert pairs[name] == setup.pair(), "applying a file twice gave two results"
        begins, ends = _save_window(setup, "p2")
        low, high = begins - 0.01, min(ends, begins + 0.01) + 0.002
        state = "p3" if setup.pair() == pairs["p3"] else "p2"
        backups = setup.backups()
        known_files = {data for name in ("p2", "p3") for data in pairs[name]}
        counts: Counter[str] = Counter()
        for kill in range(args.kills):
            target = "p2" if state == "p3" else "p3"
            child = subprocess.Popen(setup.apply(target), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, env=setup.environment())
            time.sleep(rng.uniform(low, high))
            child.send_signal(signal.SIGKILL)
            child.wait()
            counts["killed" if child.returncode == -signal.SIGKILL else "finished first"] += 1
            interrupted = setup.journal.exists()
            counts["left a journal"] += interrupted
            counts["left only temp files"] += (not interrupted) and bool(setup.temps())

            message = recover_interrupted_save(setup.ini, setup.cobalt_dir)

            counts["recovery messages not said exactly once"] += (message is not None) != \
                interrupted
            if message is not None and recover_interrupted_save(setup.ini, setup.cobalt_dir):
                counts["recovery messages not said exactly once"] += 1
            pair = setup.pair()
            if any(data not in known_files for data in pair):
                counts["corrupt files"] += 1
                print(f"kill {kill}: a corrupt file", file=sys.stderr)
            elif pair not in (pairs["p2"], pairs["p3"]):
                counts["mixed pairs"] += 1
                print(f"kill {kill}: a mixed pair", file=sys.stderr)
            else:
                new = "p2" if pair == pairs["p2"] else "p3"
                expected_backups = pairs[state] if new != state else backups
                if setup.backups() != expected_backups:
                    counts["wrong .bak pairs"] += 1
                    print(f"kill {kill}: .bak is not the pair before", file=sys.stderr)
                counts["new pair" if new != state else "old pair"] += 1
                state, backups = new, setup.backups()
            counts["stray temp files"] += len(setup.temps())
            counts["journals left after recovery"] += setup.journal.exists()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    took = time.monotonic() - began
    print(f"{args.kills} SIGKILLs of `cobalt-setup apply` at random moments "
          f"(seed {args.seed}, delay {low:.3f}-{high:.3f} s after start), "
          f"each followed by recovery, in {took:.0f} s:")
    for name in ("killed", "finished first", "left a journal", "left only temp files",
                 "new pair", "old pair", "mixed pairs", "corrupt files", "stray temp files",
                 "wrong .bak pairs", "journals left after recovery",
                 "recovery messages not said exactly once"):
        print(f"  {name:<42} {counts[name]}")
    bad = sum(counts[name] for name in (
        "mixed pairs", "corrupt files", "stray temp files", "wrong .bak pairs",
        "journals left after recovery", "recovery messages not said exactly once"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
