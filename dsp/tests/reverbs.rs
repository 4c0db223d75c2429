//! The four reverbs against acoustic measurements: decay times from Schroeder's backward
//! integration of the impulse response, echo density, spectral centroid, early energy,
//! interaural correlation, and exact onsets and levels.

mod common;
use codette_dsp::blocks::biquad::{Biquad, Coefficients};
use codette_dsp::Effect;
use common::*;
use std::f64::consts::PI;

const ALL: [&str; 4] = ["reverb", "hall_reverb", "plate_reverb", "room_reverb"];
const NAMED: [&str; 3] = ["hall_reverb", "plate_reverb", "room_reverb"];

/// Documented low-frequency RT60 of the named reverbs against size, in seconds.
fn designed_rt60(id: &str, size: f64) -> f64 {
    match id {
        "hall_reverb" => 10f64.powf(size),
        "plate_reverb" => 0.5 * 10f64.powf(size),
        "room_reverb" => 0.2 * 7.5f64.powf(size),
        _ => unreachable!(),
    }
}

/// `secs` of the wet impulse response (dry 0, wet 1, width 1, no pre-delay, then `params`) to
/// a unit impulse in both channels.
fn wet_ir(id: &str, sample_rate: f32, secs: f32, params: &[(&str, f32)]) -> (Vec<f32>, Vec<f32>) {
    let mut all = vec![("dry_level", 0.0), ("wet_level", 1.0), ("width", 1.0)];
    if id != "reverb" {
        all.push(("predelay_ms", 0.0));
    }
    all.extend_from_slice(params);
    let mut fx = build(id, sample_rate, &all);
    let x = impulse((secs * sample_rate) as usize);
    render_mono(fx.as_mut(), &x, 512)
}

/// Long enough for a -60 dB decay of the longest setting of each reverb.
fn ir_secs(id: &str) -> f32 {
    match id {
        "reverb" => 14.0,
        "hall_reverb" => 12.0,
        "plate_reverb" => 6.0,
        _ => 2.5,
    }
}

/// Band-pass with two 2nd-order Butterworth high-passes at `lo` and two low-passes at `hi`.
fn band(x: &[f32], lo: f32, hi: f32, sample_rate: f32) -> Vec<f32> {
    let q = std::f32::consts::FRAC_1_SQRT_2;
    let mut filters: Vec<Biquad> = [
        Coefficients::highpass(lo, q, sample_rate),
        Coefficients::highpass(lo, q, sample_rate),
        Coefficients::lowpass(hi, q, sample_rate),
        Coefficients::lowpass(hi, q, sample_rate),
    ]
    .into_iter()
    .map(|coeffs| {
        let mut f = Biquad::default();
        f.coeffs = coeffs;
        f
    })
    .collect();
    x.iter().map(|v| filters.iter_mut().fold(*v, |y, f| f.process(y))).collect()
}

/// RT60 of a stereo impulse response (energies summed) by Schroeder's backward integration:
/// the least-squares slope of the energy decay curve between -5 and -25 dB, extrapolated to
/// -60 dB (T20, ISO 3382).
fn schroeder_rt60(l: &[f32], r: &[f32], sample_rate: f32) -> f64 {
    let mut edc: Vec<f64> = l.iter().zip(r).map(|(a, b)| (*a as f64).powi(2) + (*b as f64).powi(2)).collect();
    for i in (0..edc.len() - 1).rev() {
        edc[i] += edc[i + 1];
    }
    let total = edc[0];
    let (mut n, mut sx, mut sy, mut sxx, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (i, e) in edc.iter().enumerate() {
        let db = 10.0 * (e / total).log10();
        if (-25.0..=-5.0).contains(&db) {
            let t = i as f64 / sample_rate as f64;
            (n, sx, sy, sxx, sxy) = (n + 1.0, sx + t, sy + db, sxx + t * t, sxy + t * db);
        }
    }
    assert!(n > 100.0, "decay curve never reached -25 dB");
    -60.0 / ((n * sxy - sx * sy) / (n * sxx - sx * sx))
}

/// RT60 in the octave band around `center`.
fn band_rt60(l: &[f32], r: &[f32], center: f32, sample_rate: f32) -> f64 {
    let (lo, hi) = (center / std::f32::consts::SQRT_2, center * std::f32::consts::SQRT_2);
    schroeder_rt60(&band(l, lo, hi, sample_rate), &band(r, lo, hi, sample_rate), sample_rate)
}

/// Mid-frequency RT60 (the 1 kHz octave) of the wet impulse response.
fn rt60(id: &str, params: &[(&str, f32)]) -> f64 {
    let (l, r) = wet_ir(id, SR, ir_secs(id), params);
    band_rt60(&l, &r, 1000.0, SR)
}

fn onset(l: &[f32], r: &[f32]) -> usize {
    l.iter().zip(r).position(|(a, b)| *a != 0.0 || *b != 0.0).expect("no output at all")
}

fn energy(x: &[f32]) -> f64 {
    x.iter().map(|v| (*v as f64).powi(2)).sum()
}

/// Normalized echo density (Abel & Huang 2006): the fraction of samples of a 20 ms window lying
/// beyond one standard deviation, over the 0.3173 that Gaussian noise gives. 1 is as dense as
/// noise; a few discrete echoes give little more than 0.
fn echo_density(x: &[f32], sample_rate: f32) -> f64 {
    let w = (0.02 * sample_rate) as usize;
    let windows: Vec<f64> = x
        .windows(w)
        .step_by(w / 4)
        .map(|win| {
            let sd = (energy(win) / w as f64).sqrt();
            win.iter().filter(|v| v.abs() as f64 > sd).count() as f64 / w as f64 / 0.317_310_5
        })
        .collect();
    windows.iter().sum::<f64>() / windows.len() as f64
}

/// Radix-2 FFT in place, for spectra of decaying tails.
fn fft(re: &mut [f64], im: &mut [f64]) {
    let n = re.len();
    let mut j = 0;
    for i in 1..n {
        let mut bit = n >> 1;
        while j & bit != 0 {
            j ^= bit;
            bit >>= 1;
        }
        j |= bit;
        if i < j {
            re.swap(i, j);
            im.swap(i, j);
        }
    }
    let mut len = 2;
    while len <= n {
        let w = -2.0 * PI / len as f64;
        for start in (0..n).step_by(len) {
            for k in 0..len / 2 {
                let (c, s) = ((w * k as f64).cos(), (w * k as f64).sin());
                let (a, b) = (start + k, start + k + len / 2);
                let (tr, ti) = (re[b] * c - im[b] * s, re[b] * s + im[b] * c);
                (re[b], im[b]) = (re[a] - tr, im[a] - ti);
                (re[a], im[a]) = (re[a] + tr, im[a] + ti);
            }
        }
        len <<= 1;
    }
}

/// Power-weighted mean frequency of `x` (Hann-windowed 4096-point spectra, averaged).
fn spectral_centroid(x: &[f32], sample_rate: f32) -> f64 {
    const N: usize = 4096;
    let (mut weighted, mut total) = (0.0, 0.0);
    for frame in x.chunks_exact(N) {
        let hann = |i: usize| 0.5 - 0.5 * (2.0 * PI * i as f64 / N as f64).cos();
        let mut re: Vec<f64> = frame.iter().enumerate().map(|(i, v)| *v as f64 * hann(i)).collect();
        let mut im = vec![0.0; N];
        fft(&mut re, &mut im);
        for k in 1..N / 2 {
            let p = re[k] * re[k] + im[k] * im[k];
            weighted += p * k as f64 * sample_rate as f64 / N as f64;
            total += p;
        }
    }
    weighted / total
}

fn params_of(id: &str, skip: &[&str]) -> Vec<(&'static str, f32)> {
    spec(id).params.iter().filter(|p| !skip.contains(&p.id)).map(|p| (p.id, p.default)).collect()
}

#[test]
fn decay_time_grows_with_size() {
    for id in ALL {
        let times: Vec<f64> = [0.0, 0.25, 0.5, 0.75, 1.0]
            .iter()
            .map(|&s| rt60(id, &[("room_size", s), ("damping", 0.0)]))
            .collect();
        for pair in times.windows(2) {
            assert!(pair[1] > 1.15 * pair[0], "{id}: RT60 against size {times:?}");
        }
    }
}

/// Without damping each Freeverb comb decays at `-60 dB` per `3 d / -log10(feedback)` seconds,
/// feedback being `0.28 size + 0.7`; the sum of eight lies between the shortest and longest.
#[test]
fn freeverb_decays_as_its_combs() {
    let combs = [1116.0, 1188.0, 1277.0, 1356.0, 1422.0, 1491.0, 1557.0, 1617.0 + 23.0];
    for size in [0.0f64, 0.5, 0.9] {
        let feedback = 0.28 * size + 0.7;
        let comb_rt60 = |d: f64| 3.0 * d / 44_100.0 / -feedback.log10();
        let (shortest, longest) = (comb_rt60(combs[0]), comb_rt60(combs[7]));
        let t = rt60("reverb", &[("room_size", size as f32), ("damping", 0.0)]);
        assert!(t > 0.95 * shortest && t < 1.05 * longest, "size {size}: {t} s not in {shortest}..{longest}");
    }
}

/// Jezar's shortest comb is 1116 samples at 44.1 kHz on the left and 23 more on the right; the
/// allpasses pass their input at once, so these are the first echoes, at any rate.
#[test]
fn freeverb_first_echoes_follow_jezars_tunings() {
    for sample_rate in [44_100.0, 48_000.0, 96_000.0] {
        let (l, r) = wet_ir("reverb", sample_rate, 0.2, &[]);
        let first = |x: &[f32]| x.iter().position(|v| *v != 0.0).unwrap();
        let expected = |n: f32| (n * sample_rate / 44_100.0).round() as usize;
        assert_eq!(first(&l), expected(1116.0), "left at {sample_rate} Hz");
        assert_eq!(first(&r), expected(1139.0), "right at {sample_rate} Hz");
    }
}

#[test]
fn named_reverbs_decay_in_their_documented_range() {
    for id in NAMED {
        for size in [0.0, 0.5, 1.0] {
            let design = designed_rt60(id, size);
            let t = rt60(id, &[("room_size", size as f32), ("damping", 0.0)]);
            assert!(
                (t / design - 1.0).abs() < 0.1,
                "{id} size {size}: RT60 {t:.3} s, designed {design:.3} s"
            );
        }
        let t = rt60(id, &params_of(id, &["dry_level", "wet_level", "width", "predelay_ms"]));
        let (lo, hi) = (designed_rt60(id, 0.0), designed_rt60(id, 1.0));
        assert!(t > 0.9 * lo && t < 1.1 * hi, "{id} at defaults: {t:.3} s");
    }
}

#[test]
fn decay_time_does_not_depend_on_the_sample_rate() {
    for id in NAMED {
        let at = |sample_rate: f32| {
            let (l, r) = wet_ir(id, sample_rate, 4.0, &[("room_size", 0.4), ("damping", 0.0)]);
            band_rt60(&l, &r, 1000.0, sample_rate)
        };
        let reference = at(48_000.0);
        for sample_rate in [22_050.0, 96_000.0, 192_000.0] {
            let t = at(sample_rate);
            assert!(
                (t / reference - 1.0).abs() < 0.06,
                "{id}: {t:.3} s at {sample_rate} Hz, {reference:.3} s at 48 kHz"
            );
        }
    }
}

#[test]
fn hall_rings_longer_than_room_at_defaults() {
    let defaults = |id| params_of(id, &["dry_level", "wet_level", "width", "predelay_ms"]);
    let (hall, room) =
        (rt60("hall_reverb", &defaults("hall_reverb")), rt60("room_reverb", &defaults("room_reverb")));
    assert!(hall > 3.0 * room, "hall {hall:.3} s, room {room:.3} s");
}

#[test]
fn damping_shortens_the_high_frequency_decay() {
    for id in ALL {
        let decay = |damping: f32| {
            let (l, r) = wet_ir(id, SR, ir_secs(id), &[("room_size", 0.5), ("damping", damping)]);
            (band_rt60(&l, &r, 500.0, SR), band_rt60(&l, &r, 8000.0, SR))
        };
        let ((low0, high0), (low1, high1)) = (decay(0.0), decay(1.0));
        assert!(high1 < 0.6 * high0, "{id}: 8 kHz RT60 {high0:.3} s undamped, {high1:.3} s damped");
        assert!(high1 / high0 < 0.7 * (low1 / low0), "{id}: damping shortens lows as much as highs");
    }
}

#[test]
fn sides_are_decorrelated() {
    for id in ALL {
        let (l, r) = wet_ir(id, SR, 2.0, &params_of(id, &["dry_level", "wet_level", "width", "predelay_ms"]));
        let cross: f64 = l.iter().zip(&r).map(|(a, b)| *a as f64 * *b as f64).sum();
        let rho = cross / (energy(&l) * energy(&r)).sqrt();
        assert!(rho.abs() < 0.3, "{id}: interaural correlation {rho:.3}");
    }
}

/// Freeverb's width: `out_l = wet1 wet_l + wet2 wet_r` with `wet1 = (1 + w) / 2`,
/// `wet2 = (1 - w) / 2`, where width 1 gives the tank's own sides and 0 gives mono.
#[test]
fn width_follows_freeverbs_wet_mix() {
    for id in ALL {
        let (l1, r1) = wet_ir(id, SR, 0.5, &[]);
        for width in [0.0f32, 0.4, 2.0] {
            let (l, r) = wet_ir(id, SR, 0.5, &[("width", width)]);
            if width == 0.0 {
                assert_eq!(l, r, "{id}: width 0 is not mono");
            }
            let (wet1, wet2) = ((1.0 + width) / 2.0, (1.0 - width) / 2.0);
            for i in 0..l.len() {
                let (el, er) = (wet1 * l1[i] + wet2 * r1[i], wet1 * r1[i] + wet2 * l1[i]);
                assert!((l[i] - el).abs() <= 1e-5 * (1.0 + el.abs()), "{id} width {width} left {i}");
                assert!((r[i] - er).abs() <= 1e-5 * (1.0 + er.abs()), "{id} width {width} right {i}");
            }
        }
    }
}

/// Equal settings for plate and room: the plate's tail is brighter and its start denser.
#[test]
fn plate_is_brighter_and_denser_early_than_room() {
    let settings = [("room_size", 0.5), ("damping", 0.5)];
    let measure = |id| {
        let (l, r) = wet_ir(id, SR, 1.0, &settings);
        let start = onset(&l, &r);
        let centroid = spectral_centroid(&l[(0.05 * SR) as usize..(0.3 * SR) as usize], SR);
        let density = echo_density(&l[start..start + (0.05 * SR) as usize], SR);
        (centroid, density)
    };
    let ((plate_centroid, plate_density), (room_centroid, room_density)) =
        (measure("plate_reverb"), measure("room_reverb"));
    assert!(
        plate_centroid > 1.5 * room_centroid,
        "centroid plate {plate_centroid:.0} Hz, room {room_centroid:.0} Hz"
    );
    assert!(plate_density > 0.75, "plate echo density {plate_density:.2} in its first 50 ms");
    assert!(
        plate_density > room_density + 0.2,
        "echo density plate {plate_density:.2}, room {room_density:.2}"
    );
}

#[test]
fn room_has_more_early_energy_than_hall() {
    let early_fraction = |id| {
        let (l, r) =
            wet_ir(id, SR, ir_secs(id), &params_of(id, &["dry_level", "wet_level", "width", "predelay_ms"]));
        let start = onset(&l, &r);
        let early = (0.05 * SR) as usize;
        (energy(&l[start..start + early]) + energy(&r[start..start + early])) / (energy(&l) + energy(&r))
    };
    let (room, hall) = (early_fraction("room_reverb"), early_fraction("hall_reverb"));
    assert!(room > 0.5 && hall < 0.2, "energy in the first 50 ms: room {room:.3}, hall {hall:.3}");
}

/// The wet signal starts exactly `pre-delay` samples after the structure's own first path:
/// the room's first reflection (0), the plate's first output tap (266 samples at Dattorro's
/// 29 761 Hz) and the hall's shortest line (31 ms at full size, times 0.4 + 0.6 size).
#[test]
fn predelay_delays_the_onset_exactly() {
    for sample_rate in [22_050.0f32, 48_000.0, 192_000.0] {
        let structure = |id: &str| match id {
            "room_reverb" => 0,
            "plate_reverb" => (266.0 * sample_rate / 29_761.0).round() as usize,
            _ => (31.0 * (0.4 + 0.6 * 0.8) * sample_rate / 1000.0).round() as usize,
        };
        for id in NAMED {
            for ms in [0.0f32, 10.0, 37.5, 200.0] {
                let mut fx = build(id, sample_rate, &[("dry_level", 0.0), ("predelay_ms", ms)]);
                let x = impulse((0.3 * sample_rate) as usize);
                let (l, r) = render_mono(fx.as_mut(), &x, 64);
                let expected = (ms * sample_rate / 1000.0).round() as usize + structure(id);
                assert_eq!(onset(&l, &r), expected, "{id}, {ms} ms at {sample_rate} Hz");
            }
        }
    }
}

#[test]
fn wet_zero_leaves_exactly_the_scaled_dry_signal() {
    let x = noise(8192, 3);
    for id in ALL {
        for dry in [0.0, 0.37, 1.0] {
            let mut fx = build(id, SR, &[("wet_level", 0.0), ("dry_level", dry)]);
            let (l, r) = render_mono(fx.as_mut(), &x, 100);
            for i in 0..x.len() {
                assert!(l[i] == dry * x[i] && r[i] == dry * x[i], "{id} dry {dry}: sample {i}");
            }
        }
    }
}

/// The output is `dry * input + wet * tank(input)`: linear in both levels.
#[test]
fn wet_and_dry_levels_scale_the_two_paths() {
    let x = noise(8192, 5);
    for id in ALL {
        let run = |wet: f32, dry: f32| {
            let mut fx = build(id, SR, &[("wet_level", wet), ("dry_level", dry)]);
            render_mono(fx.as_mut(), &x, 256).0
        };
        let (full, part, mixed) = (run(1.0, 0.0), run(0.25, 0.0), run(0.25, 0.6));
        assert!(rms(&full) > 0.05, "{id}: no wet signal");
        for i in 0..x.len() {
            let expected = 0.25 * full[i];
            assert!((part[i] - expected).abs() <= 1e-6 * (1.0 + full[i].abs()), "{id} wet: sample {i}");
            assert!((mixed[i] - expected - 0.6 * x[i]).abs() <= 1e-6, "{id} wet + dry: sample {i}");
        }
    }
}

/// +12 dBFS noise gives exactly four times (12.04 dB) the output of noise at 0 dBFS.
#[test]
fn loud_input_is_scaled_not_clipped() {
    let quiet = noise(48_000, 9);
    let gain = 10f32.powf(12.0 / 20.0);
    let loud: Vec<f32> = quiet.iter().map(|v| v * gain).collect();
    for id in ALL {
        let run = |x: &[f32]| {
            let mut fx = build(id, SR, &[]);
            render_mono(fx.as_mut(), x, 512).0
        };
        let (q, l) = (run(&quiet), run(&loud));
        assert!(peak(&l) > 1.5, "{id}: loud output peaks at {}", peak(&l));
        for i in 0..q.len() {
            assert!((l[i] - gain * q[i]).abs() <= 1e-4 * (1.0 + l[i].abs()), "{id}: sample {i} not scaled");
        }
    }
}

#[test]
fn reset_renders_like_a_fresh_instance() {
    let x = noise(20_000, 11);
    for id in ALL {
        let settings = [("room_size", 0.9), ("damping", 0.2), ("wet_level", 0.7), ("width", 1.3)];
        let mut used = build(id, SR, &settings);
        render_mono(used.as_mut(), &x, 333);
        used.reset();
        let mut fresh = build(id, SR, &settings);
        assert_eq!(render_mono(used.as_mut(), &x, 333), render_mono(fresh.as_mut(), &x, 333), "{id}");
    }
}

/// A jump of any parameter glides: right after it, the output moves by no more than a small
/// part of what the jump will eventually change.
#[test]
fn parameter_jumps_glide() {
    let x = sine(440.0, 0.5, SR, 48_000);
    for id in ALL {
        let count = spec(id).params.len();
        for index in 0..count {
            let p = &spec(id).params[index];
            let run = |jump: bool| {
                let mut fx: Box<dyn Effect> = build(id, SR, &[]);
                let (mut l, mut r) = (x.clone(), x.clone());
                let (a, b) = l.split_at_mut(24_000);
                let (c, d) = r.split_at_mut(24_000);
                fx.process(a, c);
                if jump {
                    fx.set_param(index, if p.default > 0.5 * (p.min + p.max) { p.min } else { p.max });
                }
                fx.process(b, d);
                l
            };
            let (before, after) = (run(false), run(true));
            let step = (after[24_000] - before[24_000]).abs();
            let settled = rms(&after[40_000..]).max(rms(&before[40_000..]));
            assert!(step < 0.05 * settled + 1e-6, "{id}.{}: jumps by {step} at once", p.id);
        }
    }
}

/// With parameters moving (glides of size, damping, levels and pre-delay, the pre-delay fast
/// enough to bend the pitch), blocks of any size, cut at the automation events as hosts cut
/// them, render bit for bit what one block between events renders.
#[test]
fn automation_renders_the_same_in_any_block_size() {
    let x = noise(30_000, 13);
    let events: [(usize, &[(&str, f32)]); 3] = [
        (5_000, &[("room_size", 0.1), ("damping", 0.9), ("predelay_ms", 120.0), ("width", 1.8)]),
        (11_111, &[("room_size", 0.95), ("predelay_ms", 3.3), ("wet_level", 0.2), ("dry_level", 0.9)]),
        (20_003, &[("damping", 0.05), ("predelay_ms", 47.1)]),
    ];
    for id in ALL {
        let render_in = |block: usize| {
            let mut fx = build(id, SR, &[]);
            let (mut l, mut r) = (x.clone(), x.clone());
            let mut start = 0;
            for (at, params) in events.iter().copied().chain([(x.len(), &[][..])]) {
                for (lc, rc) in l[start..at].chunks_mut(block).zip(r[start..at].chunks_mut(block)) {
                    fx.process(lc, rc);
                }
                for (pid, v) in params {
                    if let Some(i) = spec(id).param_index(pid) {
                        fx.set_param(i, *v);
                    }
                }
                start = at;
            }
            [l, r].map(|c| c.iter().map(|v| v.to_bits()).collect::<Vec<_>>())
        };
        let reference = render_in(x.len());
        for block in [1, 7, 333, 512] {
            assert!(render_in(block) == reference, "{id}: blocks of {block} differ");
        }
    }
}
