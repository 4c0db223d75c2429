"""Codette Rack as a VST3, hosted by pedalboard (JUCE's VST3 host).

Run from the workspace root, after building the bundle:

    cargo xtask bundle codette_rack --features assert_process_allocs
    python3 -m venv .venv && .venv/bin/pip install -r tests/vst3/requirements.txt
    .venv/bin/python -m pytest tests/vst3 -v

`CODETTE_VST3` overrides the bundle path. Without a bundle the tests fail (they never skip).

Two things about pedalboard shape these tests:

* On loading, and on the first attribute *assignment* on a plugin object (`plugin.x = ...`,
  including `plugin.raw_state = ...`), pedalboard builds its parameter dictionary by asking the
  plugin for the text of 1001 values of every parameter: 832 x 1001 calls, about a minute against
  the debug bundle. One test does that once, as users do; the others load with that step
  disabled and talk to the plugin's parameter objects (`plugin._parameters`) and the `raw_state`
  property directly.
* Parameter changes reach the plugin's audio processor with the next `process()` call, and
  effects chosen while active are loaded asynchronously. The tests therefore "prime" the plugin
  with one short call, then render with `reset=True`, which deactivates and reactivates the
  plugin: effects chosen before activation are built at once, so renders are deterministic.
"""

import contextlib
import os
import pathlib

import numpy as np
import pedalboard
import pytest
from pedalboard import _pedalboard as _pb

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUNDLE = pathlib.Path(os.environ.get("CODETTE_VST3") or ROOT / "target" / "bundled" / "Codette Rack.vst3")
BUNDLE_COMMAND = "cargo xtask bundle codette_rack --features assert_process_allocs"

SR = 48_000.0
SLOTS = 8
# 5 slot controls (effect, bypass, mix, input, output) + the parameters of all 19 effects (101).
# The Rust host tests derive this from the effect registry; update it here when effects change.
PER_SLOT = 5 + 101
MACROS = 8
EFFECT_COUNT = 19
EFFECTS = [
    "Three-Band EQ", "High/Low Pass", "Compressor", "Limiter", "Expander", "Gate", "Noise Gate",
    "Saturation", "Hard Clip", "Distortion", "Waveshaper", "Simple Delay", "Ping-Pong Delay",
    "Multi-Tap Delay", "Stereo Delay", "Reverb", "Hall Reverb", "Plate Reverb", "Room Reverb",
]


def require_bundle():
    if not BUNDLE.is_dir():
        pytest.fail(f"{BUNDLE} does not exist: build it first, from the workspace root: {BUNDLE_COMMAND}")


@contextlib.contextmanager
def parameter_probe(replacement):
    """Replaces pedalboard's post-load parameter setup (which probes every parameter)."""
    mixin = _pb._PythonExternalPluginMixin
    original = mixin.__set_initial_parameter_values__
    mixin.__set_initial_parameter_values__ = replacement(original)
    try:
        yield
    finally:
        mixin.__set_initial_parameter_values__ = original


def load_fast():
    """Loads the plugin without pedalboard's parameter probing."""
    require_bundle()
    with parameter_probe(lambda original: lambda self, values: None):
        return pedalboard.load_plugin(str(BUNDLE))


# With MIDI CC input, nice-plug's VST3 wrapper adds the hidden parameters VST3 delivers MIDI
# controllers through ("MIDI Ch. 1 CC 7", channel pressure, pitch bend: 16 channels of them).
MIDI_PREFIX = "MIDI Ch. "


def rack_parameters(names):
    """The rack's own parameters among a list of names, MIDI mapping parameters left out."""
    return [n for n in names if not n.startswith(MIDI_PREFIX)]


def params_by_name(plugin):
    return {p.name: p for p in plugin._parameters}


def effect_raw(effect_name):
    """Raw (normalized) value of a slot's effect choice: 0 = empty, i/19 = EFFECTS[i - 1]."""
    return 0.0 if effect_name is None else (EFFECTS.index(effect_name) + 1) / EFFECT_COUNT


def trim_raw(db):
    return (db + 24.0) / 48.0


def configure(plugin, settings):
    """Sets parameters by name to raw values, then primes the plugin so that they reach it."""
    params = params_by_name(plugin)
    for name, raw in settings.items():
        params[name].raw_value = raw
    plugin.process(np.zeros((2, 256), np.float32), SR, buffer_size=256, reset=True)


def render(plugin, audio, buffer_size=512):
    """Renders from a freshly (re)activated plugin."""
    return plugin.process(audio, SR, buffer_size=buffer_size, reset=True)


def set_raw_state(plugin, state):
    """`plugin.raw_state = state` without pedalboard's __setattr__, which probes every parameter."""
    type(plugin).raw_state.fset(plugin, state)


def noise(frames, seed, amplitude=0.5):
    rng = np.random.default_rng(seed)
    return (rng.uniform(-amplitude, amplitude, size=(2, frames))).astype(np.float32)


def rms(x):
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def assert_clean(what, y):
    assert np.all(np.isfinite(y)), f"{what}: non-finite output"
    tiny = np.finfo(np.float32).tiny
    subnormal = (y != 0) & (np.abs(y) < tiny)
    assert not subnormal.any(), f"{what}: {int(subnormal.sum())} subnormal samples"


BUSY = {
    "Slot 1 · Effect": effect_raw("Compressor"),
    "Slot 1 · Input": trim_raw(6.0),
    "Slot 2 · Effect": effect_raw("Distortion"),
    "Slot 3 · Effect": effect_raw("Simple Delay"),
    "Slot 4 · Effect": effect_raw("Reverb"),
    "Slot 5 · Effect": effect_raw("Limiter"),
    "Slot 6 · Effect": effect_raw("Three-Band EQ"),
    "Slot 6 · Three-Band EQ · Low Gain": trim_raw(9.0),
    "Slot 7 · Effect": effect_raw("High/Low Pass"),
    "Slot 7 · High/Low Pass · Type": 1.0,
    "Slot 8 · Effect": effect_raw("Hall Reverb"),
    "Slot 8 · Bypass": 1.0,
    "Slot 8 · Output": trim_raw(-3.0),
}


def test_loads_with_every_parameter():
    plugin = load_fast()
    params = plugin._parameters
    names = rack_parameters([p.name for p in params])
    assert len(names) == MACROS + SLOTS * PER_SLOT
    assert len(set(names)) == len(names), "parameter names are unique"
    assert names[:MACROS] == [f"Macro {n}" for n in range(1, MACROS + 1)]
    assert names[MACROS : MACROS + 5] == [f"Slot 1 · {n}" for n in ("Effect", "Bypass", "Mix", "Input", "Output")]
    for name in ("Slot 3 · Compressor · Threshold", "Slot 1 · High/Low Pass · Type", "Slot 8 · Room Reverb · Pre-Delay"):
        assert name in names, name
    by_name = params_by_name(plugin)
    effect = by_name["Slot 1 · Effect"]
    assert effect.num_steps == EFFECT_COUNT + 1 and effect.is_discrete
    assert effect.string_value == "Empty"
    assert [effect.get_text_for_raw_value(i / EFFECT_COUNT) for i in range(1, EFFECT_COUNT + 1)] == EFFECTS
    out = by_name["Slot 1 · Output"]
    assert out.string_value == "0.00 dB"
    assert out.get_text_for_raw_value(trim_raw(-6.0)) == "-6.00 dB"
    assert by_name["Slot 1 · High/Low Pass · Type"].get_text_for_raw_value(1.0) == "lowpass"


def test_pedalboard_parameter_dictionary():
    """What users get: `load_plugin` and `plugin.parameters`, with pedalboard's own probing."""
    require_bundle()
    stash = {}

    def keep_parameters(original):
        def wrapper(self, values):
            stash["parameters"] = dict(self.parameters)  # probes every parameter, once
            original(self, values)

        return wrapper

    with parameter_probe(keep_parameters):
        plugin = pedalboard.load_plugin(str(BUNDLE))
    parameters = stash["parameters"]
    rack = rack_parameters([p.name for p in parameters.values()])
    assert len(rack) == MACROS + SLOTS * PER_SLOT, "every parameter has its own Python name"
    for key in ("slot_1_effect", "slot_1_output", "slot_3_compressor_threshold", "slot_8_room_reverb_pre_delay"):
        assert key in parameters, key
    effect = parameters["slot_1_effect"]
    assert effect.type is str and list(effect.valid_values) == ["Empty"] + EFFECTS
    output = parameters["slot_1_output"]
    assert output.type is float
    assert (output.min_value, output.max_value) == (-24.0, 24.0)

    # Set values the way `plugin.slot_1_output = -6` does, and hear them.
    effect.raw_value = effect.get_raw_value_for("Three-Band EQ")
    output.raw_value = output.get_raw_value_for(-6.0)
    assert output.string_value == "-6.00 dB"
    plugin.process(np.zeros((2, 256), np.float32), SR, reset=True)
    x = noise(48_000, 1)
    y = render(plugin, x)
    gain = 20 * np.log10(rms(y) / rms(x))
    assert abs(gain + 6.0) < 0.05, f"-6 dB trim on slot 1 gives {gain:.2f} dB"


def test_output_trim_sets_the_gain():
    plugin = load_fast()
    x = noise(48_000, 2)
    assert np.array_equal(render(plugin, x), x), "an empty rack is a wire"
    for db in (-6.0, -12.0, 6.0):
        configure(plugin, {"Slot 1 · Effect": effect_raw("Three-Band EQ"), "Slot 1 · Output": trim_raw(db)})
        y = render(plugin, x)
        assert_clean("trimmed", y)
        gain = 20 * np.log10(rms(y) / rms(x))
        assert abs(gain - db) < 0.05, f"slot 1 output trim {db} dB gives {gain:.2f} dB"
    # Trims act only on a slot that holds an effect.
    configure(plugin, {"Slot 1 · Effect": effect_raw(None), "Slot 1 · Output": trim_raw(-12.0)})
    assert np.array_equal(render(plugin, x), x)


@pytest.mark.parametrize("buffer_size", [1, 7, 512, 8192])
def test_hostile_input_gives_clean_output(buffer_size):
    plugin = load_fast()
    configure(plugin, BUSY)
    seg = 4_800 if buffer_size > 1 else 1_200
    parts = [
        noise(seg, 3, 1.0),
        np.zeros((2, seg), np.float32),
        np.sign(np.sin(np.arange(seg) * 2 * np.pi / 100)).astype(np.float32) * np.ones((2, 1), np.float32),
        np.full((2, seg), 1e-40, np.float32),
        np.full((2, seg), np.nan, np.float32),
        np.stack([np.full(seg, np.inf), np.full(seg, -np.inf)]).astype(np.float32),
        np.full((2, seg), 3e38, np.float32),
        np.zeros((2, seg), np.float32),
    ]
    x = np.concatenate(parts, axis=1)
    with np.errstate(invalid="ignore"):
        y = render(plugin, x, buffer_size=buffer_size)
    assert y.shape == x.shape
    assert_clean(f"buffer size {buffer_size}", y)
    # Still alive afterwards.
    assert rms(plugin.process(noise(4_800, 4), SR, reset=False)) > 1e-4


def test_state_restores_into_a_fresh_instance():
    original = load_fast()
    configure(original, BUSY)
    state = original.raw_state
    assert len(state) > 0
    x = noise(96_000, 5)
    want = render(original, x)
    assert_clean("original", want)

    restored = load_fast()
    set_raw_state(restored, state)
    by_name = params_by_name(restored)
    assert by_name["Slot 4 · Effect"].string_value == "Reverb"
    assert by_name["Slot 8 · Bypass"].raw_value == 1.0
    assert abs(by_name["Slot 1 · Input"].raw_value - trim_raw(6.0)) < 1e-6
    got = render(restored, x)
    assert np.array_equal(got, want), "the restored instance renders exactly what the original did"
    assert restored.raw_state == state, "and saves the same state"


def test_damaged_state_is_refused_without_crashing():
    plugin = load_fast()
    configure(plugin, BUSY)
    good = plugin.raw_state
    for bad in (good[: len(good) // 2], b"\x00" * 64, bytes(range(256)) * 4):
        set_raw_state(plugin, bad)
        assert_clean("after a damaged state", render(plugin, noise(9_600, 6)))
    set_raw_state(plugin, good)
    assert params_by_name(plugin)["Slot 2 · Effect"].string_value == "Distortion"
