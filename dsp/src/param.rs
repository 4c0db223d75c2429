//! Static descriptions of effect parameters.
//!
//! Every consumer (host parameters, API validation, presets, the editor) derives its view of a
//! parameter from one [`ParamSpec`], so ranges and defaults are stated exactly once.

/// The unit a parameter's plain value is expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Decibels,
    Hertz,
    Milliseconds,
    /// A plain ratio such as a compressor's `4` (shown as `4.0:1`).
    Ratio,
    /// A 0..1 amount shown as a percentage (mix, tone, feedback, width, levels).
    Amount,
    /// No unit: a count, a Q, a drive factor or a choice.
    None,
}

impl Unit {
    /// The unit's name in data (the API, presets): `dB`, `Hz`, `ms`, `ratio`, `amount`, or empty.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Decibels => "dB",
            Unit::Hertz => "Hz",
            Unit::Milliseconds => "ms",
            Unit::Ratio => "ratio",
            Unit::Amount => "amount",
            Unit::None => "",
        }
    }

    pub fn suffix(self) -> &'static str {
        match self {
            Unit::Decibels => " dB",
            Unit::Hertz => " Hz",
            Unit::Milliseconds => " ms",
            Unit::Ratio => ":1",
            Unit::Amount => " %",
            Unit::None => "",
        }
    }
}

/// How a parameter's range maps onto the normalized 0..1 range a host automates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamKind {
    /// Evenly spread over the range.
    Linear,
    /// Geometric: equal ratios take equal travel (frequencies, times, Q). Needs `min > 0`.
    Logarithmic,
    /// Whole numbers only.
    Integer,
    /// One of a fixed list of named options; the plain value is the option's index.
    Choice(&'static [&'static str]),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamSpec {
    /// Stable identifier used in state, presets, the API and host parameter ids.
    pub id: &'static str,
    pub name: &'static str,
    pub min: f32,
    pub max: f32,
    pub default: f32,
    pub unit: Unit,
    pub kind: ParamKind,
}

impl ParamSpec {
    pub const fn linear(
        id: &'static str,
        name: &'static str,
        min: f32,
        max: f32,
        default: f32,
        unit: Unit,
    ) -> Self {
        Self { id, name, min, max, default, unit, kind: ParamKind::Linear }
    }

    pub const fn log(
        id: &'static str,
        name: &'static str,
        min: f32,
        max: f32,
        default: f32,
        unit: Unit,
    ) -> Self {
        Self { id, name, min, max, default, unit, kind: ParamKind::Logarithmic }
    }

    pub const fn integer(id: &'static str, name: &'static str, min: f32, max: f32, default: f32) -> Self {
        Self { id, name, min, max, default, unit: Unit::None, kind: ParamKind::Integer }
    }

    pub const fn choice(
        id: &'static str,
        name: &'static str,
        options: &'static [&'static str],
        default: usize,
    ) -> Self {
        Self {
            id,
            name,
            min: 0.0,
            max: (options.len() - 1) as f32,
            default: default as f32,
            unit: Unit::None,
            kind: ParamKind::Choice(options),
        }
    }

    /// Whether the plain value moves in whole steps (integers and choices).
    pub fn is_stepped(&self) -> bool {
        matches!(self.kind, ParamKind::Integer | ParamKind::Choice(_))
    }

    /// The nearest valid plain value; NaN becomes the default.
    pub fn clamp(&self, value: f32) -> f32 {
        if value.is_nan() {
            return self.default;
        }
        let v = value.clamp(self.min, self.max);
        if self.is_stepped() {
            v.round()
        } else {
            v
        }
    }

    /// `Err` names the range, for the API which rejects rather than clamps.
    pub fn validate(&self, value: f32) -> Result<f32, String> {
        if value.is_finite() && value >= self.min && value <= self.max {
            Ok(self.clamp(value))
        } else {
            Err(format!("{} must be between {} and {}, got {}", self.id, self.min, self.max, value))
        }
    }

    pub fn normalize(&self, value: f32) -> f32 {
        let v = self.clamp(value);
        if self.max <= self.min {
            return 0.0;
        }
        match self.kind {
            ParamKind::Logarithmic => (v / self.min).ln() / (self.max / self.min).ln(),
            _ => (v - self.min) / (self.max - self.min),
        }
        .clamp(0.0, 1.0)
    }

    pub fn denormalize(&self, normalized: f32) -> f32 {
        let n = if normalized.is_nan() { 0.0 } else { normalized.clamp(0.0, 1.0) };
        let v = match self.kind {
            ParamKind::Logarithmic => self.min * (self.max / self.min).powf(n),
            _ => self.min + n * (self.max - self.min),
        };
        self.clamp(v)
    }

    /// The option names of a choice parameter, empty otherwise.
    pub fn options(&self) -> &'static [&'static str] {
        match self.kind {
            ParamKind::Choice(options) => options,
            _ => &[],
        }
    }

    /// Human-readable value with unit, as hosts and the editor show it.
    pub fn format(&self, value: f32) -> String {
        let v = self.clamp(value);
        match (self.kind, self.unit) {
            (ParamKind::Choice(options), _) => options[v as usize].to_string(),
            (ParamKind::Integer, _) => format!("{}", v as i64),
            (_, Unit::Amount) => format!("{:.1} %", v * 100.0),
            (_, Unit::Hertz) if v >= 1000.0 => format!("{:.2} kHz", v / 1000.0),
            (_, unit) => {
                let digits = if v.abs() >= 100.0 {
                    0
                } else if v.abs() >= 10.0 {
                    1
                } else {
                    2
                };
                format!("{:.*}{}", digits, v, unit.suffix())
            }
        }
    }

    /// Parses what a user typed: a bare number in the parameter's unit, or with a unit
    /// (`-6 dB`, `2.5 kHz`, `40 %`), or an option's name. Out-of-range numbers are clamped.
    pub fn parse(&self, text: &str) -> Option<f32> {
        let t = text.trim();
        if let ParamKind::Choice(options) = self.kind {
            if let Some(i) = options.iter().position(|o| o.eq_ignore_ascii_case(t)) {
                return Some(i as f32);
            }
        }
        let lower = t.to_ascii_lowercase();
        let percent = if self.unit == Unit::Amount { 100.0 } else { 1.0 };
        // (suffix, multiplier, divisor) to get from the typed number to plain units.
        let suffixes = [
            ("khz", 1000.0, 1.0),
            ("hz", 1.0, 1.0),
            ("db", 1.0, 1.0),
            ("ms", 1.0, 1.0),
            ("s", 1000.0, 1.0),
            (":1", 1.0, 1.0),
            ("%", 1.0, percent),
        ];
        let (number, multiplier, divisor) = suffixes
            .iter()
            .find_map(|&(suffix, m, d)| lower.strip_suffix(suffix).map(|n| (n, m, d)))
            .unwrap_or((lower.as_str(), 1.0, 1.0));
        let v: f32 = number.trim().parse().ok()?;
        v.is_finite().then(|| self.clamp(v * multiplier / divisor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FREQ: ParamSpec = ParamSpec::log("freq", "Frequency", 20.0, 20_000.0, 1000.0, Unit::Hertz);
    const GAIN: ParamSpec = ParamSpec::linear("gain", "Gain", -24.0, 24.0, 0.0, Unit::Decibels);
    const MIX: ParamSpec = ParamSpec::linear("mix", "Mix", 0.0, 1.0, 1.0, Unit::Amount);
    const CURVE: ParamSpec = ParamSpec::choice("curve", "Curve", &["sine", "tanh"], 1);

    #[test]
    fn log_mapping_puts_geometric_centre_at_half() {
        assert!((FREQ.normalize(632.455_5) - 0.5).abs() < 1e-5);
        assert!((FREQ.denormalize(0.5) - 632.455_5).abs() < 0.01);
        assert_eq!(FREQ.denormalize(0.0), 20.0);
        assert!((FREQ.denormalize(1.0) - 20_000.0).abs() < 0.01);
    }

    #[test]
    fn roundtrip_and_clamping() {
        for n in [0.0, 0.1, 0.37, 0.5, 0.99, 1.0] {
            assert!((GAIN.normalize(GAIN.denormalize(n)) - n).abs() < 1e-6);
        }
        assert_eq!(GAIN.clamp(100.0), 24.0);
        assert_eq!(GAIN.clamp(f32::NAN), 0.0);
        assert!(GAIN.validate(30.0).unwrap_err().contains("between -24 and 24"));
    }

    #[test]
    fn text_in_and_out() {
        assert_eq!(FREQ.parse("2.5 kHz"), Some(2500.0));
        assert_eq!(FREQ.parse("440hz"), Some(440.0));
        assert_eq!(FREQ.format(2500.0), "2.50 kHz");
        assert_eq!(GAIN.parse("-6 dB"), Some(-6.0));
        assert_eq!(GAIN.format(-6.0), "-6.00 dB");
        assert_eq!(MIX.parse("40%"), Some(0.4));
        assert_eq!(MIX.format(0.4), "40.0 %");
        assert_eq!(CURVE.parse("SINE"), Some(0.0));
        assert_eq!(CURVE.format(1.0), "tanh");
        assert_eq!(GAIN.parse("loud"), None);
    }
}
