//! Locating the bundle under test, loading it, and what its factory declares.

use clack_host::prelude::*;
use std::path::{Path, PathBuf};

pub const PLUGIN_ID: &str = "audio.codette.rack";

pub const BUNDLE_COMMAND: &str = "cargo xtask bundle codette_rack --features assert_process_allocs";

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// The CLAP bundle under test. Panics (never skips) when it is missing.
pub fn clap_path() -> PathBuf {
    let path = match std::env::var_os("CODETTE_CLAP") {
        Some(p) => PathBuf::from(p),
        None => workspace_root().join("target/bundled/Codette Rack.clap"),
    };
    assert!(
        path.is_file(),
        "The plugin bundle {} does not exist. Build it first, from the workspace root:\n    {BUNDLE_COMMAND}\n\
         (or point CODETTE_CLAP at a .clap file)",
        path.display()
    );
    warn_if_stale(&path);
    path
}

/// The standalone binary made by the same bundle command.
pub fn standalone_path() -> PathBuf {
    let path = match std::env::var_os("CODETTE_STANDALONE") {
        Some(p) => PathBuf::from(p),
        None => workspace_root().join("target/bundled/Codette Rack"),
    };
    assert!(
        path.is_file(),
        "The standalone binary {} does not exist. Build it first, from the workspace root:\n    {BUNDLE_COMMAND}",
        path.display()
    );
    warn_if_stale(&path);
    path
}

/// Says so when a source file of the plugin is newer than the bundle: the tests would then test
/// an old build.
fn warn_if_stale(bundle: &Path) {
    let Ok(built) = bundle.metadata().and_then(|m| m.modified()) else { return };
    let root = workspace_root();
    let newest = ["plugin/src", "dsp/src"]
        .iter()
        .flat_map(|dir| walk(&root.join(dir)))
        .filter_map(|f| f.metadata().and_then(|m| m.modified()).ok().map(|t| (t, f)))
        .max_by_key(|(t, _)| *t);
    if let Some((t, file)) = newest {
        if t > built + std::time::Duration::from_secs(1) {
            eprintln!(
                "WARNING: {} is newer than the bundle {} ({}s); rebuild it with `{BUNDLE_COMMAND}`",
                file.display(),
                bundle.display(),
                t.duration_since(built).unwrap_or_default().as_secs()
            );
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

pub fn load_entry() -> PluginEntry {
    let path = clap_path();
    // SAFETY: loading a CLAP bundle runs its initialisation code; this is the plugin under test.
    unsafe { PluginEntry::load(&path) }
        .unwrap_or_else(|e| panic!("could not load {} as a CLAP bundle: {e}", path.display()))
}

pub fn host_info() -> HostInfo {
    HostInfo::new("Codette host tests", "Codette", "https://codette.audio", "0.1.0").unwrap()
}

#[derive(Debug, Clone)]
pub struct Descriptor {
    pub id: String,
    pub name: String,
    pub vendor: String,
    pub version: String,
    pub description: String,
    pub features: Vec<String>,
}

pub fn descriptors(entry: &PluginEntry) -> Vec<Descriptor> {
    let factory = entry.get_plugin_factory().expect("the bundle has a plugin factory");
    let s = |c: Option<&std::ffi::CStr>| c.map(|c| c.to_string_lossy().into_owned()).unwrap_or_default();
    factory
        .plugin_descriptors()
        .map(|d| Descriptor {
            id: s(d.id()),
            name: s(d.name()),
            vendor: s(d.vendor()),
            version: s(d.version()),
            description: s(d.description()),
            features: d.features().map(|f| f.to_string_lossy().into_owned()).collect(),
        })
        .collect()
}
