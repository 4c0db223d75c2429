//! Runs the API alone, without the plugin, with the environment's settings (CODETTE_API_ADDR,
//! CODETTE_API_TOKEN, CODETTE_API_CORS): `cargo run -p codette_server --example serve`.
//! Stops on Enter or end of input.

fn main() {
    let config = match codette_server::ServerConfig::from_env() {
        Ok(config) => config,
        Err(e) => return eprintln!("{e}"),
    };
    match codette_server::start(config) {
        Ok(server) => {
            println!("Codette Rack API at {} (Enter stops it)", server.url());
            let _ = std::io::stdin().read_line(&mut String::new());
            server.shutdown();
        }
        Err(e) => eprintln!("{e}"),
    }
}
