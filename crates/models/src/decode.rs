//! Decoding response text into models, with errors that name the field that was wrong.

use serde::de::DeserializeOwned;

use crate::{ErrorBody, Job};

/// Why a response body is not a job.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Not JSON at all (an HTML error page, a truncated body).
    #[error("The response is not valid JSON ({message})")]
    Syntax { message: String },
    /// Valid JSON, but not shaped like a job.
    #[error("The response does not match the job schema at `{path}` ({message})")]
    Schema { path: String, message: String },
}

/// Decodes a job from the response text.
///
/// Decoding from text (never from a JavaScript object) keeps 64-bit sizes and bitrates exact.
pub fn decode_job(text: &str) -> Result<Job, DecodeError> {
    decode(text)
}

/// Reads the `detail` of an error body, if the body has one.
pub fn decode_error_body(text: &str) -> Option<String> {
    decode::<ErrorBody>(text)
        .ok()
        .map(|body| body.detail)
        .filter(|detail| !detail.trim().is_empty())
}

fn decode<T: DeserializeOwned>(text: &str) -> Result<T, DecodeError> {
    serde_json::from_str(text).map_err(|error| {
        let message = strip_position(&error.to_string());
        if error.is_data() {
            let offset = byte_offset(text, error.line(), error.column());
            DecodeError::Schema {
                path: path_at(text, offset),
                message,
            }
        } else {
            DecodeError::Syntax { message }
        }
    })
}

/// serde_json appends " at line L column C"; users need the field, not the column.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}

/// The byte offset of serde_json's (one-based line, byte column) position.
fn byte_offset(text: &str, line: usize, column: usize) -> usize {
    let line_start = text
        .match_indices('\n')
        .nth(line.saturating_sub(2))
        .filter(|_| line > 1)
        .map_or(0, |(index, _)| index + 1);
    (line_start + column).min(text.len())
}

/// The field path (`output_video.bitrate`, `ml_models[0].task`) of the value that ends, or
/// starts, at `offset`: serde_json says where decoding failed, this says which field that is.
///
/// Tracking the path while decoding (serde_path_to_error) wraps every visitor and costs the
/// widget about 9 KB of download; scanning the text again, only on failure, costs almost nothing.
fn path_at(text: &str, offset: usize) -> String {
    enum Frame<'a> {
        Object { key: Option<&'a str>, awaiting_key: bool },
        Array { index: usize },
    }
    let bytes = text.as_bytes();
    let mut stack = Vec::new();
    let mut position = 0;
    while position < offset {
        match bytes[position] {
            b'"' => {
                let start = position + 1;
                position = start;
                while position < bytes.len() && bytes[position] != b'"' {
                    position += if bytes[position] == b'\\' { 2 } else { 1 };
                }
                position = position.min(bytes.len());
                if let Some(Frame::Object {
                    key,
                    awaiting_key: awaiting_key @ true,
                }) = stack.last_mut()
                {
                    *key = Some(&text[start..position]);
                    *awaiting_key = false;
                }
            }
            b'{' => stack.push(Frame::Object {
                key: None,
                awaiting_key: true,
            }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { awaiting_key, .. }) => *awaiting_key = true,
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
            _ => {}
        }
        position += 1;
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object { key: Some(key), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Object { key: None, .. } => {}
            Frame::Array { index } => {
                path.push('[');
                path.push_str(&index.to_string());
                path.push(']');
            }
        }
    }
    if path.is_empty() { ".".to_owned() } else { path }
}
