//! Preset files: the factory presets built in, and the user's in a folder of their own
//! (`<data dir>/codetterack/presets`), saved, renamed, deleted, imported and exported.
//!
//! Files are written to a temporary file beside their place and renamed over it, so that a
//! failed write leaves the old file whole; names that are not plain file names are refused
//! rather than cleaned up, and nothing existing is overwritten unless asked.

use crate::params::{MACRO_COUNT, SLOT_COUNT};
use codette_dsp::preset::Preset;
use std::io::Write;
use std::path::{Path, PathBuf};

const EXTENSION: &str = "json";
const MAX_NAME: usize = 64;

/// The factory presets, as shipped in `assets/presets`.
pub const FACTORY: &[&str] = &[
    include_str!("../../../assets/presets/clean-vocal.json"),
    include_str!("../../../assets/presets/radio-vocal.json"),
    include_str!("../../../assets/presets/podcast-voice.json"),
    include_str!("../../../assets/presets/drum-bus-glue.json"),
    include_str!("../../../assets/presets/punchy-kick.json"),
    include_str!("../../../assets/presets/snare-crack.json"),
    include_str!("../../../assets/presets/warm-bass.json"),
    include_str!("../../../assets/presets/fuzz-bass.json"),
    include_str!("../../../assets/presets/acoustic-guitar-sparkle.json"),
    include_str!("../../../assets/presets/crunch-guitar.json"),
    include_str!("../../../assets/presets/tape-echo.json"),
    include_str!("../../../assets/presets/ping-pong-delay.json"),
    include_str!("../../../assets/presets/big-hall.json"),
    include_str!("../../../assets/presets/small-room.json"),
    include_str!("../../../assets/presets/lofi-crusher.json"),
    include_str!("../../../assets/presets/mix-bus-master.json"),
    include_str!("../../../assets/presets/synth-pad-movement.json"),
    include_str!("../../../assets/presets/tremolo-keys.json"),
    include_str!("../../../assets/presets/sidechain-pump.json"),
    include_str!("../../../assets/presets/de-harsh-highs.json"),
    include_str!("../../../assets/presets/gentle-limiter.json"),
    // Codette's recommendation templates, untuned (the test keeps them in step).
    include_str!("../../../assets/presets/template-vocals-pop.json"),
    include_str!("../../../assets/presets/template-drums-rock.json"),
    include_str!("../../../assets/presets/template-bass-electronic.json"),
    include_str!("../../../assets/presets/template-guitar-rock.json"),
    include_str!("../../../assets/presets/template-master-pop.json"),
];

/// A preset document read from text, checked as the API's `PUT /state` checks it.
pub fn parse(text: &str) -> Result<Preset, String> {
    let preset: Preset = serde_json::from_str(text).map_err(|e| format!("not a preset document: {e}"))?;
    preset.validate(SLOT_COUNT, MACRO_COUNT).map_err(|e| format!("{}: {}", e.field, e.message))?;
    crate::modulation_store::validate(&preset.modulation)
        .map_err(|e| format!("modulation.{}: {}", e.field, e.message))?;
    Ok(preset)
}

pub fn factory() -> Vec<Preset> {
    FACTORY.iter().filter_map(|text| parse(text).ok()).collect()
}

pub struct Library {
    dir: PathBuf,
}

impl Library {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// The platform's place for the user's presets (`~/.local/share/codetterack/presets` on
    /// Linux), or a folder in the temporary directory when the platform has none.
    pub fn user_default() -> Self {
        let dirs = directories::ProjectDirs::from("audio", "Codette", "Codette Rack");
        let base =
            dirs.map_or_else(|| std::env::temp_dir().join("codette-rack"), |d| d.data_dir().to_path_buf());
        Self::new(base.join("presets"))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The user's presets by name, sorted; none when the folder does not exist yet.
    pub fn names(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return Vec::new() };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == EXTENSION))
            .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_string))
            .collect();
        names.sort_by_key(|n| n.to_lowercase());
        names
    }

    fn path(&self, name: &str) -> Result<PathBuf, String> {
        Ok(self.dir.join(format!("{}.{EXTENSION}", check_name(name)?)))
    }

    pub fn load(&self, name: &str) -> Result<Preset, String> {
        let path = self.path(name)?;
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        parse(&text)
    }

    /// Saves under `name`; an existing preset of that name is replaced only if `replace`.
    pub fn save(&self, name: &str, preset: &Preset, replace: bool) -> Result<(), String> {
        let path = self.path(name)?;
        let mut named = preset.clone();
        named.name = name.trim().to_string();
        std::fs::create_dir_all(&self.dir).map_err(|e| format!("{}: {e}", self.dir.display()))?;
        write_atomically(&path, &to_json(&named), replace)
    }

    /// Renames a preset (its file and the name inside); refuses a name already taken.
    pub fn rename(&self, from: &str, to: &str) -> Result<(), String> {
        let preset = self.load(from)?;
        self.save(to, &preset, false)?;
        std::fs::remove_file(self.path(from)?).map_err(|e| format!("{from}: {e}"))
    }

    pub fn delete(&self, name: &str) -> Result<(), String> {
        std::fs::remove_file(self.path(name)?).map_err(|e| format!("{name}: {e}"))
    }

    /// Copies a checked preset file into the library under its file name; returns that name.
    pub fn import(&self, file: &Path) -> Result<String, String> {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let preset = parse(&text)?;
        let name = file.file_stem().and_then(|s| s.to_str()).ok_or("the file has no usable name")?;
        self.save(name, &preset, false)?;
        Ok(name.to_string())
    }
}

/// Writes a preset to any file (an export); an existing file is replaced whole or not at all.
pub fn export(preset: &Preset, file: &Path) -> Result<(), String> {
    write_atomically(file, &to_json(preset), true)
}

fn to_json(preset: &Preset) -> String {
    serde_json::to_string_pretty(preset).expect("a preset serializes")
}

/// A plain file name: not empty, not hidden, no path separators or control characters.
fn check_name(name: &str) -> Result<&str, String> {
    let name = name.trim();
    let bad = |c: char| matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control();
    if name.is_empty() || name.starts_with('.') || name.chars().count() > MAX_NAME || name.contains(bad) {
        return Err(format!(
            "{name:?} is not a usable preset name (1 to {MAX_NAME} characters, no / \\ : * ? \" < > |, not starting with a dot)"
        ));
    }
    Ok(name)
}

fn write_atomically(path: &Path, text: &str, replace: bool) -> Result<(), String> {
    let at = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(|e| at(&e))?;
    file.write_all(text.as_bytes()).and_then(|()| file.as_file().sync_all()).map_err(|e| at(&e))?;
    if replace {
        file.persist(path).map(drop).map_err(|e| at(&e.error))
    } else {
        file.persist_noclobber(path).map(drop).map_err(|e| match e.error.kind() {
            std::io::ErrorKind::AlreadyExists => format!("a preset named {:?} exists already", stem(path)),
            _ => at(&e.error),
        })
    }
}

fn stem(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}
