//! Decoding response text into models, with errors that name the field that was wrong.

use crate::json::{self, FromJson, Json};
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
    decode_job_and_tree(text).map(|(job, _)| job)
}

/// Decodes a job and keeps the parsed tree it came from, for callers that also pass the job on
/// as the API sent it (the element's events), so the text is parsed once.
pub fn decode_job_and_tree(text: &str) -> Result<(Job, Json), DecodeError> {
    decode(text)
}

/// Reads the `detail` of an error body, if the body has one.
pub fn decode_error_body(text: &str) -> Option<String> {
    decode::<ErrorBody>(text)
        .ok()
        .map(|(body, _)| body.detail)
        .filter(|detail| !detail.trim().is_empty())
}

fn decode<T: FromJson>(text: &str) -> Result<(T, Json), DecodeError> {
    // The offset helps nobody who reads the card; the message says what was wrong.
    let tree = json::parse(text).map_err(|error| DecodeError::Syntax {
        message: error.message.to_owned(),
    })?;
    match T::from_json(&tree) {
        Ok(value) => Ok((value, tree)),
        Err(error) => Err(DecodeError::Schema {
            path: error.path(),
            message: error.message,
        }),
    }
}
