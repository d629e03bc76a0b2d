"""200 pairs of `cobalt-setup apply` started at nearly the same time, at random offsets.

Not a test (CI does not run it; pytest does not collect it): it prints figures.
    .venv/bin/python tests/stress/stress_two_saves.py [--pairs 200] [--seed 1]

Each round starts from the same files; an apply of roll-out file p2 and one of p3 start,
in a random order, 0-50 ms apart (a whole apply takes longer, and its save lasts a few ms
at its end, so the two saves often meet). They must come out as if run one after the
other, in either order: the files and .bak files of that order, and each apply's printed report
(what it changes, old -> new, and what it wrote) word for word as in that order. Counts
mixed results (files of neither order), false reports (a report that does not match the
order the files show), failures and overlaps (B started before A had finished).
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lab.save_runs import Pair, Setup

MAX_OFFSET_S = 0.05


class Order:
    """What `first` then `second` print and leave, run one after the other."""

    def __init__(self, base: Setup, root: Path, first: str, second: str) -> None:
        setup = base.copy_to(root)
        self.root = setup.root
        self.outputs = {first: setup.run(setup.apply(first)).stdout}
        self.outputs[second] = setup.run(setup.apply(second)).stdout
        self.pair, self.backups = setup.pair(), setup.backups()

    def output(self, name: str, setup: Setup) -> str:
        return self.outputs[name].replace(str(self.root), str(setup.root))


def _restore(setup: Setup, pair: Pair, backups: Pair) -> None:
    for path, data in ((setup.ini, pair[0]), (setup.conf, pair[1]),
                       (Path(f"{setup.ini}.bak"), backups[0]),
                       (Path(f"{setup.conf}.bak"), backups[1])):
        assert data is not None
        path.write_bytes(data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    root = Path(tempfile.mkdtemp(prefix="cobalt-stress-two-saves-"))
    began = time.monotonic()
    counts: Counter[str] = Counter()
    try:
        base = Setup.make(root / "base")
        for name in ("p0", "p1"):
            assert base.run(base.apply(name)).returncode == 0
        start_pair, start_backups = base.pair(), base.backups()
        orders = {"p2 saved first": Order(base, root / "ab", "p2", "p3"),
                  "p3 saved first": Order(base, root / "ba", "p3", "p2")}
        setup = base.copy_to(root / "setup")
        started = time.monotonic()
        assert setup.run(setup.apply("p2")).returncode == 0
        one_apply = time.monotonic() - started
        for round_ in range(args.pairs):
            _restore(setup, start_pair, start_backups)
            offset = rng.uniform(0, MAX_OFFSET_S)
            first, second = ("p2", "p3") if rng.random() < 0.5 else ("p3", "p2")
            one = subprocess.Popen(setup.apply(first), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, env=setup.environment())
            time.sleep(offset)
            overlapped = one.poll() is None
            two = subprocess.Popen(setup.apply(second), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, env=setup.environment())
            outputs = {first: one.communicate(timeout=60)[0],
                       second: two.communicate(timeout=60)[0]}
            counts["overlapping starts"] += overlapped
            if one.returncode or two.returncode:
                counts["failed applies"] += 1
                print(f"round {round_}: exit {one.returncode}, {two.returncode}", file=sys.stderr)
                continue
            pair, backups = setup.pair(), setup.backups()
            matching = [name for name, order in orders.items()
                        if (order.pair, order.backups) == (pair, backups)]
            if not matching:
                counts["mixed results"] += 1
                print(f"round {round_}: files of neither order", file=sys.stderr)
                continue
            order = orders[matching[0]]
            counts[matching[0]] += 1
            if any(outputs[name] != order.output(name, setup) for name in ("p2", "p3")):
                counts["false reports"] += 1
                print(f"round {round_}: a report does not match {matching[0]}", file=sys.stderr)
            counts["stray temp files"] += len(setup.temps())
            counts["journals left"] += setup.journal.exists()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    took = time.monotonic() - began
    print(f"{args.pairs} pairs of simultaneous applies (seed {args.seed}, offsets 0-"
          f"{MAX_OFFSET_S:.3f} s; one apply alone takes {one_apply:.3f} s), in {took:.0f} s:")
    for name in ("overlapping starts", "p2 saved first", "p3 saved first", "mixed results",
                 "false reports", "failed applies", "stray temp files", "journals left"):
        print(f"  {name:<20} {counts[name]}")
    bad = sum(counts[name] for name in ("mixed results", "false reports", "failed applies",
                                        "stray temp files", "journals left"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
