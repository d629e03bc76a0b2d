#!/usr/bin/env bash
# Installs the unpacked tarball for the current user: the program under ~/.local/lib, a
# `cobalt-setup` command in ~/.local/bin, and the menu entry and icon under ~/.local/share.
# Run it from the unpacked folder: ./install.sh   (./install.sh --uninstall removes it again)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
lib="$HOME/.local/lib/cobalt-setup"
bin="$HOME/.local/bin/cobalt-setup"
desktop="$data/applications/cobalt-setup.desktop"
icon="$data/icons/hicolor/scalable/apps/cobalt-setup.svg"

if [ "${1:-}" = "--uninstall" ]; then
    rm -rf "$lib" "$bin" "$desktop" "$icon"
    echo "Cobalt Network Setup removed."
    exit 0
fi

rm -rf "$lib"
mkdir -p "$(dirname "$lib")" "$(dirname "$bin")" "$(dirname "$desktop")" "$(dirname "$icon")"
cp -a "$here/cobalt-setup" "$lib"
ln -sfn "$lib/cobalt-setup" "$bin"
cp "$here/cobalt-setup.svg" "$icon"
# Menus do not always search ~/.local/bin: point the entry at the installed binary itself.
sed -e "s|^Exec=cobalt-setup|Exec=$lib/cobalt-setup|" \
    -e "s|^TryExec=cobalt-setup|TryExec=$lib/cobalt-setup|" \
    "$here/cobalt-setup.desktop" > "$desktop"
command -v update-desktop-database >/dev/null && update-desktop-database "$data/applications" || true
echo "Installed: find \"Cobalt Network Setup\" in the menu, or run $bin"
