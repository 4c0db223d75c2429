#!/usr/bin/env python3
"""Codette Rack's effects side by side with Spotify's pedalboard, in the same run.

Workload for both: 60 s of stereo noise at 48 kHz, effects at their defaults, processed in
512-sample blocks (as a host would call a plugin). pedalboard is also timed on the whole buffer
at once, its most favourable case, for reference. Prints x realtime for each effect, its closest
pedalboard counterpart, the ratio, and whether the targets are met (the chain at least 2x
pedalboard's chain, each effect at least 1.5x its counterpart).

Run: python3 bench/pedalboard_compare.py   (needs `pip install -r bench/requirements.txt`)
"""

import json
import os
import subprocess
import sys
import time

import numpy as np
import pedalboard as pb

SR = 48_000
SECONDS = 60
BLOCK = 512
RUNS = 3

# The closest pedalboard equivalent of each of our effects.
COUNTERPARTS = {
    "eq3band": lambda: [pb.LowShelfFilter(), pb.PeakFilter(), pb.HighShelfFilter()],
    "highlow_pass": lambda: [pb.HighpassFilter()],
    "compressor": lambda: [pb.Compressor()],
    "limiter": lambda: [pb.Limiter()],
    "expander": lambda: [pb.NoiseGate()],
    "gate": lambda: [pb.NoiseGate()],
    "noise_gate": lambda: [pb.NoiseGate()],
    "saturation": lambda: [pb.Distortion()],
    "hardclip": lambda: [pb.Clipping()],
    "distortion": lambda: [pb.Distortion()],
    "waveshaper": lambda: [pb.Distortion()],
    "simple_delay": lambda: [pb.Delay()],
    "pingpong_delay": lambda: [pb.Delay()],
    "multitap_delay": lambda: [pb.Delay()],
    "stereo_delay": lambda: [pb.Delay()],
    "reverb": lambda: [pb.Reverb()],
    "hall_reverb": lambda: [pb.Reverb()],
    "plate_reverb": lambda: [pb.Reverb()],
    "room_reverb": lambda: [pb.Reverb()],
}


def noise():
    rng = np.random.default_rng(1)
    return (rng.uniform(-0.5, 0.5, size=(2, SR * SECONDS))).astype(np.float32)


def pedalboard_x(plugins, audio, block):
    best = float("inf")
    for _ in range(RUNS):
        board = pb.Pedalboard(plugins())
        start = time.perf_counter()
        if block is None:
            board.process(audio, SR)
        else:
            for i in range(0, audio.shape[1], block):
                board.process(audio[:, i : i + block], SR, reset=False)
        best = min(best, time.perf_counter() - start)
    return SECONDS / best


def ours():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run(
        ["cargo", "bench", "-q", "-p", "codette_dsp", "--bench", "effects", "--", "--json"],
        cwd=root, check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    audio = noise()
    rack = ours()
    print(f"workload: {SECONDS} s stereo {SR} Hz noise, defaults, {BLOCK}-sample blocks; best of {RUNS}")
    print(f"{'effect':<16}{'ours':>10}{'pedalboard':>12}{'ratio':>8}{'pb whole':>10}  target 1.5x")
    failures = 0
    for effect, make in COUNTERPARTS.items():
        x_ours = rack["effects"][effect]
        x_pb = pedalboard_x(make, audio, BLOCK)
        x_whole = pedalboard_x(make, audio, None)
        ratio = x_ours / x_pb
        ok = ratio >= 1.5
        failures += not ok
        print(f"{effect:<16}{x_ours:>10.1f}{x_pb:>12.1f}{ratio:>8.2f}{x_whole:>10.1f}  {'ok' if ok else 'MISSED'}")
    chain = lambda: [p for make in COUNTERPARTS.values() for p in make()]
    x_pb_chain = pedalboard_x(chain, audio, BLOCK)
    x_pb_chain_whole = pedalboard_x(chain, audio, None)
    ratio = rack["chain"] / x_pb_chain
    ok = ratio >= 2.0
    failures += not ok
    print(f"{'chain of 19':<16}{rack['chain']:>10.1f}{x_pb_chain:>12.1f}{ratio:>8.2f}{x_pb_chain_whole:>10.1f}  target 2x: {'ok' if ok else 'MISSED'}")
    print("(x = seconds of audio processed per second; 'pb whole' = pedalboard given all 60 s in one call)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
