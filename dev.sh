#!/usr/bin/env bash
# The README's quick start:
#   ./dev.sh wizard [cobalt-setup options]   start the wizard
#   ./dev.sh test   [pytest options]         run the whole test suite (and ruff)
# Both create .venv and install the project into it on first use.
set -euo pipefail
cd "$(dirname "$0")"
venv="${COBALT_VENV:-.venv}"

ensure_venv() {
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv"
    fi
    local stamp
    stamp="$venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
    if [ ! -f "$stamp" ]; then
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[test]"
        touch "$stamp"
    fi
}

ensure_lab_packages() {
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        tests/lab/install-packages.sh
    else
        echo "Not root on Debian: tests needing a missing lab server will be skipped" \
             "(install the packages in tests/lab/packages.txt to run them)."
    fi
}

command="${1:-}"
[ $# -gt 0 ] && shift
case "$command" in
    wizard)
        ensure_venv
        exec "$venv/bin/cobalt-setup" "$@"
        ;;
    test)
        ensure_lab_packages
        ensure_venv
        "$venv/bin/ruff" check app tests
        QT_QPA_PLATFORM=offscreen exec "$venv/bin/python" -m pytest "$@"
        ;;
    *)
        echo "usage: ./dev.sh wizard [options] | ./dev.sh test [pytest options]" >&2
        exit 2
        ;;
esac
