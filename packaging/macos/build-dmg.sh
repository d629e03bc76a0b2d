#!/usr/bin/env bash
# Builds "Cobalt Network Setup.app" (PyInstaller BUNDLE, packaging/cobalt-setup.spec) and packs
# it into dist/cobalt-network-setup-VERSION-macos-ARCH.dmg, on a Mac with Python 3.10+.
#   packaging/macos/build-dmg.sh
# The app is built for the Mac's own architecture (arm64 on Apple silicon runners).
# Signing and notarisation need Open Cobalt's Developer ID certificate: the steps are written out
# below, commented, for whoever holds it. Unsigned, the .dmg still opens (right-click > Open).
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$(pwd)"
venv="${COBALT_PACK_VENV:-$root/build/pack-venv}"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
# Pillow: PyInstaller needs it to turn the PNG icon into the bundle's .icns.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "pyinstaller>=6.10,<7" pillow -e "$root"
py="$venv/bin/python"
version="$("$py" -c 'import cobalt_setup; print(cobalt_setup.__version__)')"
app="dist/Cobalt Network Setup.app"
dmg="dist/cobalt-network-setup-$version-macos-$(uname -m).dmg"

"$py" packaging/render_icon.py
"$py" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/cobalt-setup.spec

echo "== smoke test"
export QT_QPA_PLATFORM=offscreen
"$app/Contents/MacOS/cobalt-setup" --version
shots="$(mktemp -d)"
trap 'rm -rf "$shots"' EXIT
"$app/Contents/MacOS/cobalt-setup" screenshots "$shots" >/dev/null
echo "screenshots: $(find "$shots" -name '*.png' | wc -l | tr -d ' ') PNGs"
unset QT_QPA_PLATFORM

# --- Signing (needs the Developer ID Application certificate in the login keychain) ---------
# identity="Developer ID Application: Open Cobalt (TEAMID1234)"
# The hardened runtime is required for notarisation. PyInstaller signs every binary ad hoc;
# re-sign them all with the real identity, innermost first (--deep does that for a bundle
# whose nested code sits in Contents/Frameworks and Contents/MacOS, as PyInstaller's does):
# codesign --force --deep --options runtime --timestamp --sign "$identity" "$app"
# codesign --verify --deep --strict --verbose=2 "$app"
# If the signed app stops at start with "library load disallowed by system policy", add an
# entitlements file with com.apple.security.cs.disable-library-validation and pass
# --entitlements packaging/macos/entitlements.plist to the codesign line above.

echo "== $dmg"
stage="build/dmg"
rm -rf "$stage"
mkdir -p "$stage"
cp -R "$app" "$stage/"
ln -s /Applications "$stage/Applications"  # drag-to-install target in the opened image
rm -f "$dmg"
hdiutil create -volname "Cobalt Network Setup" -srcfolder "$stage" -ov -format UDZO "$dmg"

# --- Notarisation (needs an app-specific password stored once with:
#   xcrun notarytool store-credentials opencobalt-notary --apple-id ID --team-id TEAMID1234) ---
# codesign --force --timestamp --sign "$identity" "$dmg"
# xcrun notarytool submit "$dmg" --keychain-profile opencobalt-notary --wait
# xcrun stapler staple "$dmg"
# xcrun stapler validate "$dmg"
# spctl --assess --type open --context context:primary-signature --verbose "$dmg"

echo "Built $dmg"
