//! An optional OpenAI-compatible model (OpenAI, a local llama.cpp or Ollama server, any
//! `/chat/completions` endpoint) that phrases the answer, given the measurements as context.
//!
//! Configured from the environment: `CODETTE_LLM_URL` (the API base, such as
//! `http://127.0.0.1:11434/v1`, or the full `…/chat/completions` address), `CODETTE_LLM_MODEL`
//! (required with a URL), `CODETTE_LLM_KEY` (sent as a bearer token, optional for local
//! servers) and `CODETTE_LLM_TIMEOUT_MS` (default 20 000). Plain `http` only: this build has no
//! TLS, so a remote service is reached through a local proxy.
//!
//! The request is async and bounded by the timeout; when the model is unreachable, slow or
//! answers something else than a chat completion, the embedded engine answers instead and the
//! response says why (`fallback`). Nothing but the one chat request ever waits on the model.

use super::history::Turn;
use super::{embedded, ChatResponse, Context, Perspective, Source};
use codette_dsp::registry::EFFECTS;
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, Clone, PartialEq)]
pub struct LlmConfig {
    /// The full `…/chat/completions` address.
    pub endpoint: String,
    pub model: String,
    pub key: Option<String>,
    pub timeout: Duration,
}

impl LlmConfig {
    /// From the environment (see the module's documentation); `Ok(None)` when no URL is set.
    pub fn from_env() -> Result<Option<Self>, String> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// [`Self::from_env`] over any source of variables.
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, String> {
        let value = |key: &str| var(key).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let Some(url) = value("CODETTE_LLM_URL") else { return Ok(None) };
        if !url.starts_with("http://") {
            return Err(format!(
                "CODETTE_LLM_URL must be an http:// address (this build has no TLS), got {url:?}"
            ));
        }
        let model = value("CODETTE_LLM_MODEL")
            .ok_or("CODETTE_LLM_MODEL must name the model when CODETTE_LLM_URL is set")?;
        let timeout = match value("CODETTE_LLM_TIMEOUT_MS") {
            Some(ms) => Duration::from_millis(
                ms.parse().map_err(|_| format!("CODETTE_LLM_TIMEOUT_MS must be milliseconds, got {ms:?}"))?,
            ),
            None => DEFAULT_TIMEOUT,
        };
        let base = url.trim_end_matches('/');
        let endpoint = if base.ends_with("/chat/completions") {
            base.to_string()
        } else {
            format!("{base}/chat/completions")
        };
        Ok(Some(Self { endpoint, model, key: value("CODETTE_LLM_KEY"), timeout }))
    }
}

/// A configured model and the HTTP client that reaches it.
#[derive(Debug, Clone)]
pub struct Llm {
    config: LlmConfig,
    client: reqwest::Client,
}

#[derive(Deserialize)]
struct Completion {
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    message: Message,
}

#[derive(Deserialize)]
struct Message {
    content: String,
}

impl Llm {
    pub fn new(config: LlmConfig) -> Result<Self, String> {
        // A model on this machine is reached directly, whatever proxy the environment names.
        let local = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
            .iter()
            .any(|p| config.endpoint.starts_with(p));
        let builder = reqwest::Client::builder().timeout(config.timeout);
        let builder = if local { builder.no_proxy() } else { builder };
        let client = builder.build().map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Self { config, client })
    }

    /// One chat completion: the system message, the conversation's earlier turns and the
    /// user's message; the model's reply.
    pub async fn complete(&self, system: &str, history: &[Turn], user: &str) -> Result<String, String> {
        let mut messages = vec![json!({"role": "system", "content": system})];
        for turn in history {
            messages.push(json!({"role": "user", "content": turn.user}));
            messages.push(json!({"role": "assistant", "content": turn.assistant}));
        }
        messages.push(json!({"role": "user", "content": user}));
        let body = json!({"model": self.config.model, "messages": messages, "temperature": 0.3});
        let mut request = self.client.post(&self.config.endpoint).json(&body);
        if let Some(key) = &self.config.key {
            request = request.bearer_auth(key);
        }
        let failed = |e: reqwest::Error| {
            if e.is_timeout() {
                format!(
                    "the model at {} did not answer within {} ms",
                    self.config.endpoint,
                    self.config.timeout.as_millis()
                )
            } else if e.is_connect() {
                format!("the model at {} could not be reached: {e}", self.config.endpoint)
            } else {
                format!("the model at {} failed: {e}", self.config.endpoint)
            }
        };
        let response = request.send().await.map_err(failed)?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("the model at {} answered HTTP {status}", self.config.endpoint));
        }
        let completion: Completion = response.json().await.map_err(|e| {
            if e.is_timeout() {
                failed(e)
            } else {
                format!("the model's answer was not a chat completion: {e}")
            }
        })?;
        completion
            .choices
            .into_iter()
            .next()
            .map(|c| c.message.content)
            .filter(|c| !c.trim().is_empty())
            .ok_or_else(|| "the model's answer held no message".to_string())
    }
}

/// The model's answer when one is configured and answers, else the embedded engine's. Either
/// way the confidence and suggestions are the embedded engine's, which knows what was measured.
/// `history` is the conversation so far, for the model.
pub async fn answer(
    llm: Option<&Llm>,
    message: &str,
    perspective: Perspective,
    context: Context<'_>,
    history: &[Turn],
) -> ChatResponse {
    let mut local = embedded(message, perspective, context);
    let Some(llm) = llm else { return local };
    match llm.complete(&system_message(perspective, context, &local.response), history, message).await {
        Ok(text) => ChatResponse { response: text, source: Source::Llm, ..local },
        Err(reason) => {
            local.fallback = Some(reason);
            local
        }
    }
}

/// The instructions and the context: the measurements, the findings, the rack's effects, and
/// the embedded engine's facts for this question.
pub fn system_message(perspective: Perspective, context: Context<'_>, facts: &str) -> String {
    let measurements = match context.meters {
        Some(m) => serde_json::to_string(m).unwrap_or_default(),
        None => "none: nothing was measured; say so, and give only references".to_string(),
    };
    let rack = match context.rack {
        Some(rack) => serde_json::to_string(&rack.preset.slots).unwrap_or_default(),
        None => "not known".to_string(),
    };
    let findings = match context.findings {
        [] => "none".to_string(),
        list => serde_json::to_string(list).unwrap_or_default(),
    };
    let effects: Vec<String> = EFFECTS
        .iter()
        .map(|e| format!("{} ({})", e.id, e.params.iter().map(|p| p.id).collect::<Vec<_>>().join(", ")))
        .collect();
    format!(
        "You are Codette, the assistant of the Codette Rack audio effect plugin. Answer in the manner of {}. \
         Ground every statement in the measurements below and quote their numbers; when they cannot answer, say so. \
         Measurements (levels in dBFS, dBTP and LUFS; tonal_balance in dB against pink noise; width 0 mono to 2 anti-phase): {measurements}. \
         Findings: {findings}. \
         The rack's slots, slot 1 first (effect `type`, parameters in plain units): {rack}. \
         The rack's effects and their parameter ids: {}. \
         What the rack itself computed for this question: {facts}",
        perspective.manner(),
        effects.join("; ")
    )
}
