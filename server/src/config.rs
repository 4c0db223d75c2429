//! Where and how the server listens, read from the environment so that a musician can move the
//! API (or switch it off) without a settings page in every host.

use crate::StartError;
use codette_assistant::chat::llm::LlmConfig;
use std::net::SocketAddr;

/// The address used when `CODETTE_API_ADDR` is not set: the predecessor's port, on loopback.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8000";

/// How many ports above the requested one are tried when it is taken (another process with the
/// plugin, a second DAW): 8000..=8010 by default.
pub const PORT_ATTEMPTS: u16 = 10;

/// Audio routes accept whole songs; 256 MiB is about 25 minutes of 48 kHz stereo 32-bit audio.
pub const AUDIO_BODY_LIMIT: usize = 256 * 1024 * 1024;

/// Everything else is small JSON.
pub const BODY_LIMIT: usize = 1024 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct ServerConfig {
    /// `false` when `CODETTE_API=off`: [`crate::global()`] then never starts a server.
    pub enabled: bool,
    /// The first address tried; ports up to [`PORT_ATTEMPTS`] above it follow (port 0 asks the
    /// OS for any free port and is tried once).
    pub addr: SocketAddr,
    /// Bearer token required on every request when set. Mandatory for non-loopback addresses.
    pub token: Option<String>,
    /// Origins allowed by CORS besides loopback ones (`http://localhost:3000` style, or `*`).
    pub cors_origins: Vec<String>,
    pub audio_body_limit: usize,
    pub body_limit: usize,
    /// Mixdowns with more input audio than this (seconds, summed over tracks) run as jobs.
    pub sync_mixdown_seconds: f64,
    /// Finished jobs kept in memory; the oldest finished one is evicted past this.
    pub max_jobs: usize,
    /// The OpenAI-compatible model `/codette/chat` asks first (`CODETTE_LLM_URL`,
    /// `CODETTE_LLM_MODEL`, `CODETTE_LLM_KEY`, `CODETTE_LLM_TIMEOUT_MS`); without one, or when
    /// it fails, the embedded engine answers.
    pub llm: Option<LlmConfig>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            addr: DEFAULT_ADDR.parse().expect("valid default address"),
            token: None,
            cors_origins: Vec::new(),
            audio_body_limit: AUDIO_BODY_LIMIT,
            body_limit: BODY_LIMIT,
            sync_mixdown_seconds: 30.0,
            max_jobs: 16,
            llm: None,
        }
    }
}

impl ServerConfig {
    /// A loopback configuration on the given address, e.g. `127.0.0.1:0` for tests.
    pub fn at(addr: SocketAddr) -> Self {
        Self { addr, ..Self::default() }
    }

    /// Reads `CODETTE_API` (`off` disables), `CODETTE_API_ADDR` (`host:port`, or a bare port),
    /// `CODETTE_API_TOKEN` and `CODETTE_API_CORS` (comma-separated origins).
    pub fn from_env() -> Result<Self, StartError> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// [`Self::from_env`] over any source of variables, so that parsing is testable without
    /// touching the process environment.
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Self, StartError> {
        let mut config = Self::default();
        if let Some(switch) = var("CODETTE_API") {
            config.enabled =
                !matches!(switch.trim().to_ascii_lowercase().as_str(), "off" | "0" | "false" | "no");
        }
        if let Some(addr) = var("CODETTE_API_ADDR").filter(|a| !a.trim().is_empty()) {
            config.addr = parse_addr(addr.trim())?;
        }
        config.token = var("CODETTE_API_TOKEN").map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
        if let Some(origins) = var("CODETTE_API_CORS") {
            config.cors_origins = origins
                .split(',')
                .map(|o| o.trim().trim_end_matches('/').to_string())
                .filter(|o| !o.is_empty())
                .collect();
        }
        // A broken model configuration costs the chat its model, not the API its start.
        config.llm = LlmConfig::from_lookup(&var).unwrap_or_else(|reason| {
            tracing::warn!("Codette chat uses its embedded engine: {reason}");
            None
        });
        Ok(config)
    }

    /// The candidate addresses in the order they are tried.
    pub fn candidate_addrs(&self) -> impl Iterator<Item = SocketAddr> + '_ {
        let first = self.addr.port();
        let count = if first == 0 { 1 } else { PORT_ATTEMPTS.min(u16::MAX - first) + 1 };
        (0..count).map(move |i| SocketAddr::new(self.addr.ip(), first + i))
    }
}

fn parse_addr(text: &str) -> Result<SocketAddr, StartError> {
    if let Ok(port) = text.parse::<u16>() {
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    let text = text.replace("localhost", "127.0.0.1");
    text.parse().map_err(|_| {
        StartError::InvalidConfig(format!(
            "CODETTE_API_ADDR must be host:port (e.g. {DEFAULT_ADDR}), got {text:?}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<ServerConfig, StartError> {
        ServerConfig::from_lookup(|k| vars.iter().find(|(key, _)| *key == k).map(|(_, v)| v.to_string()))
    }

    #[test]
    fn defaults_and_overrides() {
        let c = config(&[]).unwrap();
        assert_eq!(c.addr.to_string(), DEFAULT_ADDR);
        assert!(c.enabled && c.token.is_none());
        let c = config(&[
            ("CODETTE_API", "off"),
            ("CODETTE_API_ADDR", "0.0.0.0:9000"),
            ("CODETTE_API_TOKEN", " secret "),
            ("CODETTE_API_CORS", "http://studio.example:3000/, https://x.example"),
        ])
        .unwrap();
        assert!(!c.enabled);
        assert_eq!(c.addr.to_string(), "0.0.0.0:9000");
        assert_eq!(c.token.as_deref(), Some("secret"));
        assert_eq!(c.cors_origins, ["http://studio.example:3000", "https://x.example"]);
        assert_eq!(config(&[("CODETTE_API_ADDR", "8123")]).unwrap().addr.to_string(), "127.0.0.1:8123");
        assert_eq!(config(&[("CODETTE_API_ADDR", "localhost:81")]).unwrap().addr.to_string(), "127.0.0.1:81");
        assert!(config(&[("CODETTE_API_ADDR", "nowhere")]).is_err());
        let llm = config(&[("CODETTE_LLM_URL", "http://127.0.0.1:8080/v1"), ("CODETTE_LLM_MODEL", "m")])
            .unwrap()
            .llm;
        assert_eq!(llm.unwrap().endpoint, "http://127.0.0.1:8080/v1/chat/completions");
        // A model without a name: the API starts all the same, with the embedded chat.
        assert_eq!(config(&[("CODETTE_LLM_URL", "http://127.0.0.1:8080/v1")]).unwrap().llm, None);
    }

    #[test]
    fn ports_tried_upwards() {
        let c = ServerConfig::at("127.0.0.1:8000".parse().unwrap());
        let ports: Vec<u16> = c.candidate_addrs().map(|a| a.port()).collect();
        assert_eq!(ports, (8000..=8010).collect::<Vec<_>>());
        assert_eq!(ServerConfig::at("127.0.0.1:0".parse().unwrap()).candidate_addrs().count(), 1);
        assert_eq!(ServerConfig::at("127.0.0.1:65535".parse().unwrap()).candidate_addrs().count(), 1);
    }
}
