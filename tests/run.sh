#!/usr/bin/env bash
# Builds the test bundle and runs every host-level test (CLAP, standalone, VST3).
# Usage, from anywhere: bash tests/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

cargo xtask bundle codette_rack --features assert_process_allocs

status=0
cargo test -p codette_host_tests --no-fail-fast || status=$?

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/pip install --quiet -r tests/vst3/requirements.txt
env -u DISPLAY .venv/bin/python -m pytest tests/vst3 -v || status=$?

exit $status
