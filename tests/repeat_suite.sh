#!/usr/bin/env bash
# The suite, 20 times in a row, as a new contributor and a loaded CI machine would run it.
# CI does not run this (it takes about 1.5 hours); run it before calling the suite steady:
#   tests/repeat_suite.sh [--fresh 10] [--busy 5] [--random 5] [--logs DIR]
#
#   --fresh N   N runs of `./dev.sh test -q`, each in a new `git clone` of HEAD with a new
#               .venv (so only committed work is tested, and nothing is reused)
#   --busy N    N runs in the last clone with both cores kept busy (two `yes > /dev/null`)
#   --random N  N runs in the last clone in random test order (pytest-randomly, a new seed
#               each run; `./dev.sh test -p randomly --randomly-seed=S` repeats one)
#
# Prints one line per run (kind, result, pytest's last line, seconds, log file) and a
# total; exits 1 if any run failed. Every run's whole output stays in the log folder.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
fresh=10 busy=5 random=5
logs="$(mktemp -d /tmp/repeat-suite.XXXXXX)"
while [ $# -gt 0 ]; do
    case "$1" in
        --fresh) fresh="$2"; shift 2 ;;
        --busy) busy="$2"; shift 2 ;;
        --random) random="$2"; shift 2 ;;
        --logs) logs="$2"; mkdir -p "$logs"; shift 2 ;;
        *) sed -n '2,13p' "$0" >&2; exit 2 ;;
    esac
done
work="$(mktemp -d /tmp/repeat-suite-clones.XXXXXX)"
busy_pids=()
stop_busy() {
    for pid in "${busy_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    busy_pids=()
}
trap 'stop_busy; rm -rf "$work"' EXIT

echo "Testing $(git -C "$repo" log -1 --format='%h %s' | cut -c1-80)"
echo "Logs in $logs"
runs=0 failed=0 clone=""

run_suite() {  # kind, extra pytest options...
    local kind="$1"; shift
    runs=$((runs + 1))
    local log="$logs/run-$runs-$kind.log" started status last
    started=$(date +%s)
    if (cd "$clone" && ./dev.sh test -q "$@") >"$log" 2>&1; then
        status=passed
    else
        status=FAILED; failed=$((failed + 1))
    fi
    last="$(grep -E '(passed|failed|error)' "$log" | tail -1 | tr -s '=' | sed 's/^ //')"
    printf '%2d %-7s %-6s %s (%ds) %s %s\n' "$runs" "$kind" "$status" "$last" \
        $(( $(date +%s) - started )) "$*" "$log"
}

for _ in $(seq 1 "$fresh"); do
    [ -n "$clone" ] && rm -rf "$clone"
    clone="$work/clone-$((runs + 1))"
    git clone --quiet "$repo" "$clone"
    run_suite fresh
done
if [ -z "$clone" ]; then
    clone="$work/clone"
    git clone --quiet "$repo" "$clone"
fi
for _ in $(seq 1 "$busy"); do
    yes >/dev/null & busy_pids+=($!)
    yes >/dev/null & busy_pids+=($!)
    run_suite busy
    stop_busy
done
for _ in $(seq 1 "$random"); do
    run_suite random -p randomly "--randomly-seed=$(shuf -i 1-4294967295 -n 1)"
done
echo "$((runs - failed)) of $runs runs passed"
[ "$failed" = 0 ]
