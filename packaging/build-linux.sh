#!/usr/bin/env bash
# Builds the frozen Linux app (PyInstaller, one folder) and its tarball, then starts the frozen
# binary from the unpacked tarball to prove the spec's hidden imports and data files:
#   --version, screenshots (one PNG per wizard page, the same bytes as the source's in every
#   language and in dark), diagnose --help, and, where this shell may make a network namespace
#   (root), a whole `diagnose` run with no network at all.
# Prints build time, sizes and start times next to a bare PySide6 QWizard frozen the same way.
#
#   packaging/build-linux.sh            build, smoke-test, measure (also builds the floor)
#   COBALT_PACK_FLOOR=0 packaging/build-linux.sh    skip the floor (CI: about 10 s less)
#
# Uses its own venv (build/pack-venv, or $COBALT_PACK_VENV) so the development .venv is never
# touched. Output: dist/cobalt-setup/, dist/cobalt-setup-VERSION-linux-ARCH.tar.gz and
# dist/figures-linux.txt. Exit status 0 only when every smoke test passed.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
venv="${COBALT_PACK_VENV:-$root/build/pack-venv}"
build_floor="${COBALT_PACK_FLOOR:-1}"
export QT_QPA_PLATFORM=offscreen

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# Median wall time in ms of five runs of a command (output discarded; a failure stops the script).
median_ms() {
    local runs=() start
    for _ in 1 2 3 4 5; do
        start=$(now_ms)
        "$@" >/dev/null 2>&1
        runs+=($(( $(now_ms) - start )))
    done
    printf '%s\n' "${runs[@]}" | sort -n | sed -n 3p
}

size_mib() { du -sb "$1" | awk '{printf "%.1f MiB", $1 / 1048576}'; }

fail() { echo "SMOKE TEST FAILED: $*" >&2; exit 1; }

echo "== venv $venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "pyinstaller>=6.10,<7" -e "$root"
py="$venv/bin/python"
version="$("$py" -c 'import cobalt_setup; print(cobalt_setup.__version__)')"
page_count="$("$py" -c 'from cobalt_setup.gui.wizard import PAGES; print(len(PAGES))')"
languages="$("$py" -c 'from cobalt_setup.i18n import available_languages as a
print(" ".join(a()))')"
arch="$(uname -m)"
name="cobalt-setup-$version-linux-$arch"

echo "== PyInstaller: packaging/cobalt-setup.spec"
start=$(now_ms)
"$py" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/cobalt-setup.spec
build_ms=$(( $(now_ms) - start ))

echo "== tarball dist/$name.tar.gz"
stage="build/stage/$name"
rm -rf build/stage
mkdir -p "$stage"
cp -a dist/cobalt-setup "$stage/cobalt-setup"
cp resources/cobalt-setup.desktop app/cobalt_setup/gui/icons/cobalt-setup.svg packaging/linux/install.sh "$stage/"
tar -C build/stage -czf "dist/$name.tar.gz" "$name"
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate resources/cobalt-setup.desktop
fi

echo "== smoke test: the binary unpacked from the tarball"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
tar -C "$scratch" -xzf "dist/$name.tar.gz"
binary="$scratch/$name/cobalt-setup/cobalt-setup"

start=$(now_ms)
printed="$("$binary" --version)" || fail "--version exited $?"
first_version_ms=$(( $(now_ms) - start ))
[ "$printed" = "cobalt-setup $version" ] || fail "--version printed '$printed'"
echo "ok  --version: $printed"

start=$(now_ms)
"$binary" screenshots "$scratch/shots" >/dev/null 2>&1 || fail "screenshots exited $?"
first_shots_ms=$(( $(now_ms) - start ))
pngs=$(find "$scratch/shots" -name '*.png' -size +1k | wc -l)
[ "$pngs" -eq "$page_count" ] || fail "screenshots wrote $pngs PNGs, the wizard has $page_count pages"
echo "ok  screenshots: $pngs PNGs"

# The frozen wizard must draw every page exactly as the source does, in every language: the
# PNGs are byte for byte the same only if the wizard's .mo files, Qt's qtbase_*.qm, the styles
# and the icons all made it into the bundle (a missing qtbase_de.qm changes the German ones).
for variant in en $languages "en --dark"; do
    read -r lang dark <<<"$variant"
    args=(--lang "$lang" screenshots ${dark:+"$dark"})
    "$binary" "${args[@]}" "$scratch/frozen-$lang$dark" >/dev/null 2>&1 ||
        fail "--lang $lang screenshots $dark exited $?"
    "$py" -m cobalt_setup "${args[@]}" "$scratch/source-$lang$dark" >/dev/null 2>&1 ||
        fail "the source's --lang $lang screenshots $dark failed"
    for png in "$scratch/source-$lang$dark"/*.png; do
        cmp -s "$png" "$scratch/frozen-$lang$dark/$(basename "$png")" ||
            fail "--lang $lang $dark: the frozen $(basename "$png") differs from the source's"
    done
done
echo "ok  every page in en $languages and dark: the same PNGs as the source"

"$binary" diagnose --help | grep -q -- "--timeout" || fail "diagnose --help"
echo "ok  diagnose --help"

# The command line's messages come from the same gettext catalogues (cobalt_setup/locale/*.mo)
# as the pages the screenshots prove: a refused setting must read the same as from the source.
printf '[SpaceDirectory]\nPort = 70000\n' >"$scratch/bad.ini"
mkdir -p "$scratch/cobalt"
for lang in en $languages; do
    args=(--lang "$lang" apply "$scratch/bad.ini" --dry-run --cobalt-dir "$scratch/cobalt")
    "$binary" "${args[@]}" >/dev/null 2>"$scratch/refused-frozen-$lang.txt" && fail "apply took port 70000"
    "$py" -m cobalt_setup "${args[@]}" >/dev/null 2>"$scratch/refused-source-$lang.txt" || true
    cmp -s "$scratch/refused-frozen-$lang.txt" "$scratch/refused-source-$lang.txt" ||
        fail "--lang $lang: the frozen build's message differs: $(cat "$scratch/refused-frozen-$lang.txt")"
    [ "$lang" = en ] || ! cmp -s "$scratch/refused-frozen-$lang.txt" "$scratch/refused-frozen-en.txt" ||
        fail "--lang $lang: the message is in English: $(cat "$scratch/refused-frozen-$lang.txt")"
done
echo "ok  a refused setting is explained in en $languages, as from the source"

# A whole diagnosis loads dnspython, ldap3, aiohttp, async_upnp_client and ifaddr, which the
# app imports lazily. In a fresh network namespace nothing can leave this machine.
if unshare -n true 2>/dev/null; then
    mkdir -p "$scratch/cobalt"
    set +e
    unshare -n "$binary" diagnose --timeout 2 --settings "$scratch/none.ini" \
        --cobalt-dir "$scratch/cobalt" >"$scratch/diagnose.txt" 2>&1
    status=$?
    set -e
    { [ "$status" -le 1 ] && grep -q "checks in" "$scratch/diagnose.txt"; } ||
        { cat "$scratch/diagnose.txt" >&2; fail "diagnose with no network exited $status"; }
    echo "ok  diagnose in an empty network namespace (exit $status, every check ran)"
else
    echo "--  diagnose run skipped: cannot make a network namespace here (needs root)"
fi

version_ms=$(median_ms "$binary" --version)
shots_ms=$(median_ms "$binary" screenshots "$scratch/shots2")
unpacked="$(size_mib dist/cobalt-setup)"
tarball="$(size_mib "dist/$name.tar.gz")"

floor_line="(floor not built: COBALT_PACK_FLOOR=0)"
if [ "$build_floor" = 1 ]; then
    echo "== the floor: packaging/floor/floor.spec (a bare QWizard)"
    start=$(now_ms)
    "$py" -m PyInstaller --noconfirm --clean --log-level WARN \
        --distpath build/floor-dist --workpath build/floor-work packaging/floor/floor.spec
    floor_build_ms=$(( $(now_ms) - start ))
    tar -C build/floor-dist -czf build/floor.tar.gz floor
    floor="build/floor-dist/floor/floor"
    "$floor" screenshots "$scratch/floor-shots" >/dev/null 2>&1 || fail "floor screenshots"
    floor_line="$(printf '%-22s %9s ms %12s %12s %14s ms %16s ms' "floor (bare QWizard)" \
        "$floor_build_ms" "$(size_mib build/floor-dist/floor)" "$(size_mib build/floor.tar.gz)" \
        "$(median_ms "$floor" --version)" "$(median_ms "$floor" screenshots "$scratch/fs2")")"
fi

{
    echo "Linux build figures ($(date -u +%Y-%m-%d), $(uname -m), $("$py" -V)," \
         "PyInstaller $("$py" -m PyInstaller --version), PySide6 $("$py" -c \
         'import PySide6; print(PySide6.__version__)'))"
    printf '%-22s %12s %12s %12s %17s %19s\n' "" "build" "unpacked" "tar.gz" \
        "--version (med5)" "screenshots (med5)"
    printf '%-22s %9s ms %12s %12s %14s ms %16s ms\n' "cobalt-setup $version" "$build_ms" \
        "$unpacked" "$tarball" "$version_ms" "$shots_ms"
    echo "$floor_line"
    echo "First run after unpacking: --version $first_version_ms ms, screenshots" \
         "($page_count pages) $first_shots_ms ms."
} | tee dist/figures-linux.txt
echo "All smoke tests passed: dist/$name.tar.gz"
