//! The OpenAPI document: the handlers' `#[utoipa::path]` annotations, collected by the router,
//! plus the document-level information and the predecessor's aliases.

use crate::config::ServerConfig;
use crate::error::ErrorResponse;
use crate::routes::{self, ALIASES};
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, RefOr};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Codette Rack API",
        description = "The sidecar API of the Codette Rack plugin: instances, offline effects and chains, mixdown, jobs, the transport and WebSockets of live messages. Errors are `{\"error\": {\"code\", \"message\", \"field\"}}`.",
    ),
    components(schemas(ErrorResponse)),
    modifiers(&BearerToken),
    tags(
        (name = "server", description = "Health, this document, the WebSocket"),
        (name = "instances", description = "Plugin instances in this process"),
        (name = "effects", description = "Effects and chains applied to audio offline"),
        (name = "mixdown", description = "Tracks mixed to a stereo WAV"),
        (name = "jobs", description = "Background renders"),
        (name = "transport", description = "The transport: the host's inside a DAW, else the sidecar's own"),
        (name = "codette", description = "The assistant: chains per instrument and genre, auto-mix, chat"),
    ),
)]
struct ApiDoc;

/// `Authorization: Bearer <token>`, required when the server has a token (always off loopback).
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // Either no token (loopback without one configured) or the bearer token.
        doc.security = Some(vec![
            SecurityRequirement::default(),
            SecurityRequirement::new("bearer", Vec::<String>::new()),
        ]);
    }
}

/// A WAV file as a request or response body.
pub struct WavFile;

impl PartialSchema for WavFile {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .content_media_type("audio/wav")
            .description(Some("A RIFF WAVE file: PCM 8-32 bit or 32-bit float, 1 or 2 channels"))
            .into()
    }
}

impl ToSchema for WavFile {}

/// The complete document for a configuration (limits do not change it).
pub fn document(config: &ServerConfig) -> Document {
    let (_, api) = routes::router(config).split_for_parts();
    complete(api)
}

/// Adds the document-level parts and the aliases to what the routes described.
pub fn complete(api: Document) -> Document {
    let mut doc = ApiDoc::openapi().merge_from(api);
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    for (alias, canonical) in ALIASES {
        let Some(item) = doc.paths.paths.get(*canonical).cloned() else { continue };
        let suffix = alias.trim_start_matches('/').replace('/', "_");
        doc.paths.paths.insert(alias.to_string(), renamed(item, &suffix));
    }
    doc
}

/// A copy of a path item whose operation ids are made unique with `suffix`.
fn renamed(mut item: PathItem, suffix: &str) -> PathItem {
    let operations: [&mut Option<Operation>; 5] =
        [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
    for op in operations.into_iter().flatten() {
        op.operation_id = op.operation_id.take().map(|id| format!("{id}_via_{suffix}"));
        let note = "Alias kept from the predecessor's API.";
        op.description = Some(match op.description.take() {
            Some(d) => format!("{note} {d}"),
            None => note.to_string(),
        });
    }
    item
}
