//! Prints the OpenAPI document: `cargo run -p codette_server --example openapi > openapi.json`.

fn main() {
    let document = codette_server::openapi::document(&codette_server::ServerConfig::default());
    println!("{}", document.to_pretty_json().expect("serializable document"));
}
