//! Decoding response bodies into models, with errors that name the field that was wrong.
//!
//! The `_from` functions take any serde deserializer: the widget hands them the object the browser
//! parsed (through `serde-wasm-bindgen`), the simulator's tests and native code a `serde_json` value.

use serde::{Deserialize, Deserializer};

use crate::{ErrorBody, Job};

/// Why a response body is not a job. The text is what the card shows, so it has no byte offsets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Not JSON at all (an HTML error page, a truncated body).
    #[error("The response is not valid JSON")]
    Syntax,
    /// Valid JSON, but not shaped like a job. `path` is empty when the whole body is wrong.
    #[error("The response does not match the job schema{} ({message})", at(path))]
    Schema { path: String, message: String },
}

fn at(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!(" at `{path}`")
    }
}

/// A hostile body can put kilobytes of its own text into serde's message; a card shows this much.
const MAX_MESSAGE_CHARS: usize = 160;

/// Decodes a job from a parsed body, naming the field (`ml_models[0].task`) where it went wrong.
pub fn decode_job_from<'de, D: Deserializer<'de>>(body: D) -> Result<Job, DecodeError> {
    serde_path_to_error::deserialize(body).map_err(|error| {
        let path = error.path().to_string();
        DecodeError::Schema {
            path: if path == "." { String::new() } else { path },
            message: readable(error.into_inner().to_string()),
        }
    })
}

/// Decodes a job from response text.
pub fn decode_job(text: &str) -> Result<Job, DecodeError> {
    decode_job_from(parse(text)?)
}

/// The `detail` of an error body, if the body has a non-blank one.
pub fn decode_error_body_from<'de, D: Deserializer<'de>>(body: D) -> Option<String> {
    ErrorBody::deserialize(body)
        .ok()
        .map(|body| body.detail)
        .filter(|detail| !detail.trim().is_empty())
}

/// [`decode_error_body_from`] for response text.
pub fn decode_error_body(text: &str) -> Option<String> {
    decode_error_body_from(parse(text).ok()?)
}

/// Parsed once into a tree, so the schema step never reports a position in the text.
fn parse(text: &str) -> Result<serde_json::Value, DecodeError> {
    serde_json::from_str(text).map_err(|_| DecodeError::Syntax)
}

fn readable(message: String) -> String {
    // A JavaScript `Error` (serde-wasm-bindgen's) displays as `Error: message`.
    let mut message = match message.strip_prefix("Error: ") {
        Some(rest) => rest.to_owned(),
        None => message,
    };
    if let Some((cut, _)) = message.char_indices().nth(MAX_MESSAGE_CHARS) {
        message.truncate(cut);
        message.push('…');
    }
    message
}
