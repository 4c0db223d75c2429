//! The standalone application: the same plugin, driven by JACK, ALSA or a dummy backend
//! (`--backend dummy` on machines without audio). `--help` lists the options.

use codette_rack::CodetteRack;

fn main() {
    let ok = nice_plug::prelude::nice_export_standalone::<CodetteRack>();
    std::process::exit(if ok { 0 } else { 1 });
}
