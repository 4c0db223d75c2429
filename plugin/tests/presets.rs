//! Preset files: every factory document is a valid preset and every file in `assets/presets`
//! is built in; the user's presets are saved, renamed, deleted, imported and exported without
//! ever losing a file to a bad name or a refused write.

use codette_dsp::preset::{Preset, PRESET_FORMAT};
use codette_rack::editor::library::{self, Library, FACTORY};
use std::path::Path;

fn assets() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/presets")
}

#[test]
fn every_factory_preset_file_is_built_in_and_valid() {
    let files: Vec<String> = std::fs::read_dir(assets())
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(files.len() >= 20, "{} factory presets", files.len());
    assert_eq!(files.len(), FACTORY.len(), "every file in assets/presets is built in");
    for text in &files {
        assert!(FACTORY.contains(&text.as_str()), "built in: {text}");
        let preset = library::parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(preset.format, PRESET_FORMAT);
        assert!(!preset.name.is_empty() && preset.slots.iter().any(|s| s.effect.is_some()));
    }
    let names: std::collections::BTreeSet<_> = library::factory().into_iter().map(|p| p.name).collect();
    assert_eq!(names.len(), FACTORY.len(), "names are distinct");
}

/// The template presets are Codette's recommendations as it makes them without a measurement
/// (at the streaming target), so that loading one gives what the assistant would suggest.
#[test]
fn the_template_presets_are_the_assistants_untuned_recommendations() {
    use codette_assistant::{recommend, Genre, Instrument};
    let templates = [
        ("template-vocals-pop", Instrument::Vocals, Genre::Pop),
        ("template-drums-rock", Instrument::Drums, Genre::Rock),
        ("template-bass-electronic", Instrument::Bass, Genre::Electronic),
        ("template-guitar-rock", Instrument::Guitar, Genre::Rock),
        ("template-master-pop", Instrument::Master, Genre::Pop),
    ];
    for (file, instrument, genre) in templates {
        let text = std::fs::read_to_string(assets().join(format!("{file}.json"))).unwrap();
        let mut shipped = library::parse(&text).unwrap();
        let expected = recommend(instrument, genre, None, -14.0).preset;
        assert!(shipped.name.starts_with("Template: "), "{file}");
        shipped.name = expected.name.clone();
        assert_eq!(shipped, expected, "{file}");
    }
}

fn preset(name: &str, effect: &str) -> Preset {
    let mut p = Preset::new(name);
    p.slots = vec![codette_dsp::chain::SlotConfig::effect(effect)];
    p
}

#[test]
fn saved_presets_are_listed_loaded_renamed_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::new(dir.path().join("presets"));
    assert!(library.names().is_empty(), "no folder yet: no presets");
    library.save("Verb", &preset("", "reverb"), false).unwrap();
    library.save("amp", &preset("", "distortion"), false).unwrap();
    assert_eq!(library.names(), ["amp", "Verb"]);
    assert_eq!(library.load("Verb").unwrap().name, "Verb", "the name inside follows the file's");
    library.rename("Verb", "Hall").unwrap();
    assert_eq!(library.names(), ["amp", "Hall"]);
    assert_eq!(library.load("Hall").unwrap().slots[0].effect.as_deref(), Some("reverb"));
    // A rename onto a taken name is refused, and both presets stay as they were.
    assert!(library.rename("Hall", "amp").unwrap_err().contains("exists"));
    assert_eq!(library.load("amp").unwrap().slots[0].effect.as_deref(), Some("distortion"));
    assert_eq!(library.load("Hall").unwrap().slots[0].effect.as_deref(), Some("reverb"));
    library.delete("amp").unwrap();
    assert_eq!(library.names(), ["Hall"]);
}

#[test]
fn bad_names_are_refused_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::new(dir.path().to_path_buf());
    for bad in ["", "  ", "../escape", "a/b", "c:d", ".hidden", "tab\there", &"x".repeat(65)] {
        assert!(library.save(bad, &preset("", "reverb"), true).is_err(), "{bad:?}");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "no file was written");
    assert!(!dir.path().parent().unwrap().join("escape.json").exists());
}

#[test]
fn saving_over_an_existing_preset_needs_asking_and_replaces_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::new(dir.path().to_path_buf());
    library.save("Mine", &preset("", "reverb"), false).unwrap();
    assert!(library.save("Mine", &preset("", "gate"), false).is_err());
    assert_eq!(library.load("Mine").unwrap().slots[0].effect.as_deref(), Some("reverb"));
    library.save("Mine", &preset("", "gate"), true).unwrap();
    assert_eq!(library.load("Mine").unwrap().slots[0].effect.as_deref(), Some("gate"));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers, ["Mine.json"], "no temporary file is left behind");
}

#[test]
fn export_writes_a_file_that_imports_and_invalid_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::new(dir.path().join("lib"));
    let file = dir.path().join("Shared Verb.json");
    library::export(&preset("Shared", "plate_reverb"), &file).unwrap();
    assert_eq!(library.import(&file).unwrap(), "Shared Verb");
    assert_eq!(library.load("Shared Verb").unwrap().slots[0].effect.as_deref(), Some("plate_reverb"));
    // Importing the same file again does not overwrite the library's copy.
    assert!(library.import(&file).is_err());
    // A foreign JSON file and an unknown effect are refused with the field at fault.
    let foreign = dir.path().join("foreign.json");
    std::fs::write(&foreign, r#"{"format": "something-else"}"#).unwrap();
    assert!(library.import(&foreign).unwrap_err().contains("format"));
    let unknown = dir.path().join("unknown.json");
    std::fs::write(&unknown, r#"{"format": "codette-rack-preset", "slots": [{"type": "nope"}]}"#).unwrap();
    assert!(library.import(&unknown).unwrap_err().contains("slots[0]"));
    assert_eq!(library.names(), ["Shared Verb"]);
    // An export into a folder that does not exist fails and leaves nothing.
    assert!(library::export(&preset("x", "gate"), &dir.path().join("missing/x.json")).is_err());
    assert!(!dir.path().join("missing").exists());
}
