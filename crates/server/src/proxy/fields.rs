//! What leaves the proxy: the one allow-list of job fields, and the filter that applies it.
//!
//! The list holds what the card shows and what its events hand the page (the status, progress and
//! times; the videos' names, sizes, formats and thumbnails; the output's download link and
//! before/after clips; the models and settings; the cost). Everything else the API sends stays in
//! the proxy, in particular:
//!
//! - `owner` of both videos: the account's e-mail address and user id;
//! - `input_video.file`: a pre-signed download URL of the customer's source footage, and
//!   `input_video.external_url`, where a from-URL job fetched it;
//! - ids and dates the card does not use (`output_video.job_id`, `created_at`), and the models'
//!   internals (`cost_weight`, `priority`, `max_resolution`, descriptions);
//! - any field a future API version adds, until it is listed here.
//!
//! Only listed keys pass, at every level, and a listed value passes only in the shape listed: a
//! plain value where a value is expected (an object or array there is dropped, not passed on
//! whole), an object or `null` where an object is expected, an array of objects or `null` where a
//! list is expected. Error bodies keep only a string `detail`.

use bytes::Bytes;
use serde_json::{Map, Value};

use super::upstream::{Fetched, UpstreamError};

/// How a listed field's value is kept.
#[derive(Debug, Clone, Copy)]
pub enum Keep {
    /// A string, number, boolean or null.
    Value,
    /// An object filtered by its own list, or null.
    Object(&'static [(&'static str, Keep)]),
    /// An array of objects, each filtered by the list, or null.
    List(&'static [(&'static str, Keep)]),
}

use Keep::{List, Object, Value as Plain};

/// The job fields that leave the proxy. Keep in step with the card (`src/card_model.rs`, and
/// `src/element.rs` for the events) and with the README's "Production" section.
pub const JOB_FIELDS: &[(&str, Keep)] = &[
    ("id", Plain),
    ("status", Plain),
    ("started", Plain),
    ("finished", Plain),
    ("preview", Plain),
    ("description", Plain),
    ("cost_usd", Plain),
    ("eta_s", Plain),
    ("processing_progress", Plain),
    ("input_video", Object(INPUT_VIDEO_FIELDS)),
    ("output_video", Object(OUTPUT_VIDEO_FIELDS)),
    ("ml_models", List(MODEL_FIELDS)),
    ("grain", Plain),
    ("codec", Plain),
    ("output_resolution", Plain),
    ("comparison", Plain),
    ("stabilization_smoothing", Plain),
    ("fps_interpolation_factor", Plain),
    ("playback_speed", Plain),
    ("sharpen_strength", Plain),
    ("start_frame", Plain),
    ("end_frame", Plain),
];

/// The source video: its picture and facts; not its file, owner or source URL.
pub const INPUT_VIDEO_FIELDS: &[(&str, Keep)] = &[
    ("id", Plain),
    ("name", Plain),
    ("thumbnail", Plain),
    ("width", Plain),
    ("height", Plain),
    ("framerate", Plain),
    ("n_frames", Plain),
    ("size", Plain),
    ("codec_id", Plain),
    ("bitrate", Plain),
    ("bit_depth", Plain),
    ("chroma_subsampling", Plain),
    ("color_space", Plain),
];

/// The enhanced video: its picture, facts and download link; not its owner.
pub const OUTPUT_VIDEO_FIELDS: &[(&str, Keep)] = &[
    ("id", Plain),
    ("name", Plain),
    ("file", Plain),
    ("thumbnail", Plain),
    ("deleted", Plain),
    ("quality_score", Plain),
    ("preview_videos", Object(PREVIEW_VIDEO_FIELDS)),
    ("width", Plain),
    ("height", Plain),
    ("framerate", Plain),
    ("n_frames", Plain),
    ("size", Plain),
    ("codec_id", Plain),
    ("bitrate", Plain),
    ("bit_depth", Plain),
    ("chroma_subsampling", Plain),
    ("color_space", Plain),
];

pub const PREVIEW_VIDEO_FIELDS: &[(&str, Keep)] = &[("before_video", Plain), ("after_video", Plain)];

pub const MODEL_FIELDS: &[(&str, Keep)] = &[
    ("id", Plain),
    ("name", Plain),
    ("task", Plain),
    ("upscale_factor", Plain),
    ("fps_boost_factor", Plain),
];

/// The longest upstream `detail` passed on; DRF's are one sentence.
const MAX_DETAIL_CHARS: usize = 500;

/// The object's listed fields, each in its listed shape.
pub fn filter(object: &Map<String, Value>, fields: &[(&str, Keep)]) -> Map<String, Value> {
    let mut kept = Map::new();
    for (name, keep) in fields {
        let Some(value) = object.get(*name) else { continue };
        let value = match (keep, value) {
            (Plain, Value::Array(_) | Value::Object(_)) => continue,
            (Plain, value) => value.clone(),
            (Object(_) | List(_), Value::Null) => Value::Null,
            (Object(inner), Value::Object(object)) => Value::Object(filter(object, inner)),
            (List(inner), Value::Array(items)) => Value::Array(
                items
                    .iter()
                    .filter_map(Value::as_object)
                    .map(|item| Value::Object(filter(item, inner)))
                    .collect(),
            ),
            (Object(_) | List(_), _) => continue,
        };
        kept.insert((*name).to_owned(), value);
    }
    kept
}

/// An upstream answer reduced to what may leave the proxy: a successful JSON body through
/// [`JOB_FIELDS`], an error's JSON body to its `detail`. A successful body that is not a JSON
/// object is no job at all. Other bodies are not JSON and are replaced later anyway.
pub fn reduce(fetched: Fetched) -> Fetched {
    let mut answer = fetched?;
    if !answer.json {
        return Ok(answer);
    }
    let parsed = serde_json::from_slice::<Value>(&answer.body);
    answer.body = if answer.status.is_success() {
        match parsed {
            Ok(Value::Object(job)) => json_bytes(&filter(&job, JOB_FIELDS)),
            _ => return Err(UpstreamError::NotAJob),
        }
    } else {
        let detail = match parsed {
            Ok(Value::Object(body)) => body
                .get("detail")
                .and_then(Value::as_str)
                .map(|detail| detail.chars().take(MAX_DETAIL_CHARS).collect::<String>()),
            _ => None,
        };
        let detail = detail.unwrap_or_else(|| format!("The TensorPix API answered {}.", answer.status));
        json_bytes(&Map::from_iter([("detail".to_owned(), Value::String(detail))]))
    };
    Ok(answer)
}

fn json_bytes(object: &Map<String, Value>) -> Bytes {
    Bytes::from(serde_json::to_vec(object).expect("a JSON value serializes"))
}

#[cfg(test)]
mod tests {
    use http::StatusCode;
    use serde_json::json;

    use super::*;
    use crate::proxy::upstream::UpstreamResponse;

    fn answer(status: StatusCode, body: Value) -> Fetched {
        Ok(UpstreamResponse {
            status,
            body: Bytes::from(body.to_string()),
            json: true,
            retry_after: None,
        })
    }

    fn reduced(status: StatusCode, body: Value) -> Value {
        let answer = reduce(answer(status, body)).unwrap();
        serde_json::from_slice(&answer.body).unwrap()
    }

    #[test]
    fn only_listed_fields_leave_and_only_in_their_shape() {
        let job = json!({
            "id": 7,
            "status": 2,
            "cost_usd": "1.5000",
            "future_field": {"x": 1},
            "__proto__": {"polluted": true},
            "description": {"not": "a string"},
            "input_video": {
                "id": 1, "name": "a.mp4", "owner": "someone@example.com",
                "file": "https://s3.example/in.mp4?X-Amz-Signature=abc", "external_url": "https://x.example/a.mp4",
                "thumbnail": "https://cdn.example/in.jpg", "created_at": "2026-01-01T00:00:00Z",
            },
            "output_video": {
                "id": 2, "owner": 42, "job_id": 7, "file": "https://s3.example/out.mp4",
                "preview_videos": {"before_video": "b", "after_video": "a", "extra": "x"},
            },
            "ml_models": [{"id": 34, "task": 1, "name": "Upscale", "priority": 3, "cost_weight": 1.0}, 5, null],
        });
        let kept = reduced(StatusCode::OK, job);
        assert_eq!(
            kept,
            json!({
                "id": 7,
                "status": 2,
                "cost_usd": "1.5000",
                "input_video": {"id": 1, "name": "a.mp4", "thumbnail": "https://cdn.example/in.jpg"},
                "output_video": {
                    "id": 2, "file": "https://s3.example/out.mp4",
                    "preview_videos": {"before_video": "b", "after_video": "a"},
                },
                "ml_models": [{"id": 34, "task": 1, "name": "Upscale"}],
            })
        );
        let text = kept.to_string();
        for private in [
            "someone@example.com",
            "X-Amz-Signature",
            "external",
            "owner",
            "42",
            "polluted",
        ] {
            assert!(!text.contains(private), "{private} in {text}");
        }
        assert_eq!(
            reduced(
                StatusCode::OK,
                json!({"id": 1, "output_video": null, "input_video": []})
            ),
            json!({"id": 1, "output_video": null})
        );
    }

    #[test]
    fn big_numbers_pass_exactly() {
        let job =
            json!({"id": 1, "output_video": {"bitrate": i64::MAX, "size": 400_000_000_000_i64, "framerate": 29.97}});
        let answer = reduce(answer(StatusCode::OK, job)).unwrap();
        let text = String::from_utf8(answer.body.to_vec()).unwrap();
        assert!(text.contains("9223372036854775807") && text.contains("29.97"), "{text}");
    }

    #[test]
    fn errors_keep_only_their_detail_and_non_jobs_are_refused() {
        assert_eq!(
            reduced(
                StatusCode::NOT_FOUND,
                json!({"detail": "Not found.", "owner": "x@example.com"})
            ),
            json!({"detail": "Not found."})
        );
        assert_eq!(
            reduced(StatusCode::FORBIDDEN, json!({"error": "no"})),
            json!({"detail": "The TensorPix API answered 403 Forbidden."})
        );
        assert_eq!(
            reduced(StatusCode::TOO_MANY_REQUESTS, json!({"detail": "x".repeat(2000)}))["detail"]
                .as_str()
                .unwrap()
                .len(),
            MAX_DETAIL_CHARS
        );
        assert!(matches!(
            reduce(answer(StatusCode::OK, json!([1, 2]))),
            Err(UpstreamError::NotAJob)
        ));
        let truncated = Ok(UpstreamResponse {
            status: StatusCode::OK,
            body: Bytes::from_static(b"{\"id\": 1, \"sta"),
            json: true,
            retry_after: None,
        });
        assert!(matches!(reduce(truncated), Err(UpstreamError::NotAJob)));
    }
}
