#!/usr/bin/env bash
# Runs every test: the DSP and plugin unit tests, the host tests against the bundled CLAP
# (built in debug mode with allocation checks in process()), the standalone, and the VST3 bundle
# in pedalboard.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"

cargo test --workspace --exclude codette_host_tests
cargo xtask bundle codette_rack --features assert_process_allocs
cargo test -p codette_host_tests
env -u DISPLAY .venv/bin/python -m pytest -q tests/vst3
