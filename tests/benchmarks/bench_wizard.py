"""Benchmark: the wizard's cold start, and the memory and GUI-thread stalls of a full run.

Figures:
1. Cold start to the first page painted, three times beside its floor, offscreen, each
   run a fresh interpreter
   (_wizard_cold_start.py doing what run_wizard does, with no live checks): from the
   parent's clock (before Popen to the child's "painted" line) and the child's own (from the
   top of its script), with the phases; the floor is a bare QWizard with one page. Bytecode
   is cached in a temporary PYTHONPYCACHEPREFIX, as an installed product has it; when the
   environment sets PYTHONDONTWRITEBYTECODE, the start as this environment runs it (the
   product's sources compiled at every start) is timed too.
2. A full wizard run (_wizard_full_run.py): every page, every live check against the lab
   on loopback, up to the Summary page: the peak RSS (ru_maxrss) of that process, and the
   gaps of a 10 ms heartbeat in the GUI thread, per run and per page. When a gap exceeds
   33 ms, one more run with every Qt event logged says what Qt was doing then (its own
   timings are not counted).
Prints; asserts nothing. Run: `.venv/bin/python tests/benchmarks/bench_wizard.py`.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from network_guard import GUARD

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
COLD_RUNS = 10
FULL_RUNS = 3
CHILD_TIMEOUT_S = 120


def line(label: str, values: list[float], unit: str, target: str) -> None:
    print(f"{label}: median {statistics.median(values):.3f} {unit}, max {max(values):.3f} "
          f"{unit} over {len(values)} runs (target {target})")


def child_environment(pycache: Path | None) -> dict[str, str]:
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    if pycache is not None:
        environment.pop("PYTHONDONTWRITEBYTECODE", None)
        environment["PYTHONPYCACHEPREFIX"] = str(pycache)
    return environment


def one_cold_start(argv: list[str], environment: dict[str, str]) -> tuple[float, dict]:
    """(parent's seconds to the "painted" line, the child's phases in seconds)."""
    started = time.perf_counter()
    child = subprocess.Popen([PYTHON, str(HERE / "_wizard_cold_start.py"), *argv],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=environment)
    assert child.stdout is not None
    first = child.stdout.readline()
    elapsed = time.perf_counter() - started
    _, errors = child.communicate(timeout=CHILD_TIMEOUT_S)
    if not first.startswith("painted "):
        raise RuntimeError(f"cold start child failed: {first!r}\n{errors}")
    phases = dict(part.split("=") for part in first.split()[2:])
    return elapsed, {name: float(value) for name, value in phases.items()}


def cold_starts(label: str, argv: list[str], environment: dict[str, str],
                target: str) -> float:
    """Prints the figures of COLD_RUNS starts; returns the median child clock."""
    one_cold_start(argv, environment)  # fills the bytecode cache; not counted
    runs = [one_cold_start(argv, environment) for _ in range(COLD_RUNS)]
    line(f"{label}, parent clock", [parent for parent, _ in runs], "s", target)
    phases = {name: statistics.median(run[name] for _, run in runs) for name in runs[0][1]}
    line("  child clock (from the top of its script)", [run["painted"] for _, run in runs],
         "s", target)
    print("  phases, median seconds since the top of the script: "
          + ", ".join(f"{name} {seconds:.3f}" for name, seconds in phases.items()))
    return statistics.median(run["painted"] for _, run in runs)


def heaviest_imports(argv: list[str], environment: dict[str, str], count: int = 12) -> None:
    """Where the start's import time goes (-X importtime, cumulative, nesting shown)."""
    done = subprocess.run([PYTHON, "-X", "importtime", str(HERE / "_wizard_cold_start.py"),
                           *argv], capture_output=True, text=True, env=environment,
                          timeout=CHILD_TIMEOUT_S, check=True)
    pattern = re.compile(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)")
    rows = [(int(match[1]), len(match[2]) // 2, match[3])
            for match in map(pattern.match, done.stderr.splitlines()) if match]
    heavy = [row for row in rows if row[0] >= 40_000 and row[1] <= 4]
    print("  heaviest imports of one start (-X importtime, cumulative ms, nesting):")
    for microseconds, depth, name in sorted(heavy, reverse=True)[:count]:
        print(f"    {microseconds / 1000:7.1f} {'  ' * depth}{name}")


def cold_start_figures(tmp: Path) -> None:
    cobalt_dir = tmp / "OpenCobalt"
    (cobalt_dir / "config").mkdir(parents=True)
    product = ["wizard", str(tmp / "settings" / "general.ini"), str(cobalt_dir)]
    cached = child_environment(tmp / "pycache")
    for number in range(1, FULL_RUNS + 1):  # the start and its floor, side by side
        print(f"cold start, run {number}:")
        start = cold_starts("  to first page painted (bytecode cached, as installed)",
                            product, cached, "1.6x the floor")
        floor = cold_starts("  floor: bare QWizard with one page", ["bare"], cached, "none")
        print(f"  run {number}: cold start {start:.3f} s, floor {floor:.3f} s: "
              f"{start / floor:.2f}x the floor (target 1.6x)")
    heaviest_imports(product, cached)
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        cold_starts("cold start as this environment runs it (PYTHONDONTWRITEBYTECODE=1: "
                    "the product compiled at every start)", product, child_environment(None),
                    "0.50 s")


def full_run(pycache: Path, *options: str) -> dict:
    """One full run, its bytecode cached in `pycache` as an installed product has it (a
    module compiled from source holds the GIL for the whole compile)."""
    done = subprocess.run([PYTHON, str(HERE / "_wizard_full_run.py"), *options],
                          capture_output=True, text=True, env=child_environment(pycache),
                          timeout=CHILD_TIMEOUT_S)
    found = [text for text in done.stdout.splitlines() if text.startswith("RESULT ")]
    if done.returncode != 0 or not found:
        raise RuntimeError(f"full run child failed ({done.returncode}):\n{done.stderr}")
    return json.loads(found[-1].removeprefix("RESULT "))


def describe_stall(stall: dict) -> str:
    frames = ", ".join(f"{frame} x{count}" for frame, count in stall["innermost_frames"])
    return (f"{stall['gap_s']:.3f} s on {stall['page']} at +{stall['at_s']:.2f} s; GUI thread "
            f"sampled {stall['samples']} times, {stall['samples_in_python']} in Python "
            f"({frames or 'none'}), the rest inside Qt's event loop")


def page_breakdown(run: dict) -> str:
    """Per page: ticks, longest gap, gaps over 16 and over 33 ms."""
    return "; ".join(
        f"{name.removesuffix('Page')} {page['longest_s'] * 1000:.0f} ms "
        f"({page['over_16ms']} >16, {page['over_33ms']} >33 of {page['ticks']})"
        for name, page in run["stalls"]["by_page"].items())


def full_run_figures(pycache: Path) -> None:
    full_run(pycache)  # fills the bytecode cache; not counted
    runs = [full_run(pycache) for _ in range(FULL_RUNS)]
    for run in runs:
        if run["guard_violations"] or not run["nothing_written"]:
            print(f"  WARNING: a run reached outside or wrote settings: {run}")
    line("peak memory of a full wizard run (ru_maxrss of the wizard process)",
         [run["peak_rss_mb"] for run in runs], "MB", "150 MB")
    line("  of which already before the wizard was created (imports, lab start)",
         [run["peak_rss_before_wizard_mb"] for run in runs], "MB", "none")
    print("  in that process besides the wizard: the IGD simulator's thread and the lab's "
          "HTTP server thread; dnsmasq, slapd, Xvnc and prosody are separate processes")
    pages = {page["page"]: [] for page in runs[0]["pages"]}
    for run in runs:
        for page in run["pages"]:
            pages.setdefault(page["page"], []).append(page["checks_s"])
    print("  page shown -> its checks done, median s: " + ", ".join(
        f"{name.removesuffix('Page')} {statistics.median(times):.2f}"
        for name, times in pages.items()))
    disabled = {page["page"] for run in runs for page in run["pages"]
                if page["next_enabled"] is False or page["still_busy"] or page.get("stuck")}
    if disabled:
        print(f"  pages where Next was disabled, checks ran over, or Next did not move: "
              f"{sorted(disabled)}")
    line("  show() to the first paint (not in the heartbeat: no window yet to freeze)",
         [run["first_paint_s"] for run in runs], "s", "none")
    line("  first paint to the checks' modules loaded (the walk stays on Welcome until then, "
         "as a reader would)", [run["warmup_s"] for run in runs], "s", "none")
    for number, run in enumerate(runs, start=1):
        stalls = run["stalls"]
        print(f"GUI thread, full run {number}: longest gap {stalls['longest_s'] * 1000:.0f} ms, "
              f"p99 {stalls['p99_s'] * 1000:.0f} ms, gaps over 16 ms: {stalls['over_16ms']}, "
              f"over 33 ms: {stalls['over_33ms']} (target 0), of {stalls['ticks']} ticks")
        print(f"  per page, longest gap and gaps over 16/33 ms: {page_breakdown(run)}")
        for stall in stalls["stalls"]:
            print(f"  stall: {describe_stall(stall)}")
    worst = max((stall for run in runs for stall in run["stalls"]["stalls"]),
                key=lambda s: s["gap_s"], default=None)
    if worst is None:
        return
    traced = full_run(pycache, "--trace-events")
    biggest = max(traced["stalls"]["stalls"], key=lambda s: s["gap_s"], default=None)
    if biggest is not None and "qt_events" in biggest:
        events = biggest["qt_events"]
        print(f"  diagnostic run with every Qt event logged (slower, not counted): biggest "
              f"stall {describe_stall(biggest)}; Qt delivered {events['count']} events in it, "
              "most: " + ", ".join(f"{kind} x{count}" for kind, count in events["most"]))


def main() -> None:
    GUARD.install()  # this process sends nothing; the full-run child installs its own
    with tempfile.TemporaryDirectory() as folder:
        cold_start_figures(Path(folder))
        full_run_figures(Path(folder) / "pycache")


if __name__ == "__main__":
    main()
