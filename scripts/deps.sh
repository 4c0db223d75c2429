#!/usr/bin/env bash
# Installs everything the build and the tests need on Debian/Ubuntu, idempotently:
# the -dev packages of the audio/GUI stack, Xvfb, xwd, xdotool and xrdb (the editor window tests), Python with the test and benchmark packages
# (in .venv), and a Rust toolchain if there is none.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(libasound2-dev libjack-jackd2-dev libx11-xcb-dev libxcursor-dev libgl1-mesa-dev libgl1-mesa-dri
          libxkbcommon-dev pkg-config xvfb x11-apps xdotool x11-xserver-utils python3 python3-venv python3-pip curl build-essential)

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "deps: installing Rust with rustup"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if ! .venv/bin/python -c "import pedalboard, numpy, pytest, openapi_spec_validator, pyloudnorm" 2>/dev/null; then
  echo "deps: installing Python packages into .venv"
  .venv/bin/pip install -q --disable-pip-version-check -r bench/requirements.txt \
    -r tests/vst3/requirements.txt -r server/tests/requirements.txt
fi
