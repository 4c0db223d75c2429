#!/usr/bin/env bash
# The main job on a fresh Debian machine: install what is needed, build and bundle the plugin
# in release mode, install it to ~/.clap and ~/.vst3, and start the standalone application.
# Without a display or a sound card the standalone runs headless on the dummy audio backend.
# Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"

cargo xtask bundle codette_rack --release
mkdir -p "$HOME/.clap" "$HOME/.vst3"
rm -rf "$HOME/.clap/Codette Rack.clap" "$HOME/.vst3/Codette Rack.vst3"
cp -r "target/bundled/Codette Rack.clap" "$HOME/.clap/"
cp -r "target/bundled/Codette Rack.vst3" "$HOME/.vst3/"
echo "Installed Codette Rack to ~/.clap and ~/.vst3"

backend=auto
if [ -z "${DISPLAY:-}" ] || [ ! -e /dev/snd ]; then
  backend=dummy
fi
echo "Starting the standalone (backend: $backend); closing its window stops it (Ctrl-C when there is no display)"
exec "target/bundled/Codette Rack" --backend "$backend" "$@"
