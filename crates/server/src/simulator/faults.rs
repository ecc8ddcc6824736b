//! Fault modes: the ways a real backend or the network in front of it misbehaves.

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::answer::{detail, json};

/// One way to spoil a response. Named in paths (`/_fault/{name}/api/...`) and control requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 401, 403 or 404 with the API's `detail`, as if the key, the account or the job were wrong.
    Refused(u16),
    /// 500 with a JSON `detail`, as the API itself fails.
    InternalError,
    /// 502 with an HTML body, as a gateway in front of the API sends.
    BadGateway,
    /// 503 with a JSON `detail`.
    Unavailable,
    /// 429 with `Retry-After` in seconds.
    RateLimited { retry_after_seconds: u64 },
    /// 429 with `Retry-After` as an HTTP date this many seconds ahead.
    RateLimitedUntil { retry_after_seconds: u32 },
    /// The normal answer, after a delay.
    Slow { delay: Duration },
    /// A 200 whose JSON body is cut off halfway.
    Truncated,
    /// A 200 whose body is not JSON at all.
    Malformed,
    /// A 200 with valid JSON that is not shaped like a job.
    SchemaMismatch,
    /// A 200 whose job carries fields this version does not know, one of them named `__proto__`.
    Extended,
    /// The connection breaks after the headers, mid-body.
    ConnectionDrop,
}

/// The longest delay a `slow-MS` fault may ask for, so a typo cannot hang a test run.
const MAX_DELAY: Duration = Duration::from_secs(60);

impl Fault {
    /// Parses a fault name: `401`, `403`, `404`, `500`, `502`, `503`, `429`, `429-N`, `429-date`,
    /// `slow-MS`, `truncated`, `malformed`, `schema`, `extended`, `drop`.
    pub fn parse(name: &str) -> Option<Fault> {
        let fault = match name {
            "401" => Fault::Refused(401),
            "403" => Fault::Refused(403),
            "404" => Fault::Refused(404),
            "500" => Fault::InternalError,
            "502" => Fault::BadGateway,
            "503" => Fault::Unavailable,
            "429" => Fault::RateLimited { retry_after_seconds: 2 },
            "429-date" => Fault::RateLimitedUntil { retry_after_seconds: 2 },
            "truncated" => Fault::Truncated,
            "malformed" => Fault::Malformed,
            "schema" => Fault::SchemaMismatch,
            "extended" => Fault::Extended,
            "drop" => Fault::ConnectionDrop,
            _ => {
                if let Some(seconds) = name.strip_prefix("429-") {
                    Fault::RateLimited {
                        retry_after_seconds: seconds.parse().ok()?,
                    }
                } else {
                    let millis: u64 = name.strip_prefix("slow-")?.parse().ok()?;
                    Fault::Slow {
                        delay: Duration::from_millis(millis).min(MAX_DELAY),
                    }
                }
            }
        };
        Some(fault)
    }

    /// The response for a fault that replaces the answer outright, or `None` for faults that
    /// spoil or delay the real answer (see [`Fault::spoil`]).
    pub fn replacement(self, now_millis: i64) -> Option<Response> {
        let response = match self {
            Fault::Refused(401) => detail(StatusCode::UNAUTHORIZED, "Invalid token."),
            Fault::Refused(403) => detail(StatusCode::FORBIDDEN, "You do not have permission to perform this action."),
            Fault::Refused(_) => detail(StatusCode::NOT_FOUND, "Not found."),
            Fault::InternalError => detail(StatusCode::INTERNAL_SERVER_ERROR, "A server error occurred."),
            Fault::Unavailable => detail(StatusCode::SERVICE_UNAVAILABLE, "Service temporarily unavailable, try again later."),
            Fault::BadGateway => (
                StatusCode::BAD_GATEWAY,
                [(header::CONTENT_TYPE, "text/html")],
                "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n",
            )
                .into_response(),
            Fault::RateLimited { retry_after_seconds } => {
                rate_limited(retry_after_seconds, retry_after_seconds.to_string())
            }
            Fault::RateLimitedUntil { retry_after_seconds } => {
                let until = now_millis + i64::from(retry_after_seconds) * 1_000;
                rate_limited(
                    u64::from(retry_after_seconds),
                    tensorpix_models::time::format_http_date(until),
                )
            }
            Fault::Slow { .. }
            | Fault::Truncated
            | Fault::Malformed
            | Fault::SchemaMismatch
            | Fault::Extended
            | Fault::ConnectionDrop => {
                return None;
            }
        };
        Some(response)
    }

    /// Spoils a successful JSON body the way this fault does.
    pub fn spoil(self, body: String) -> Response {
        match self {
            Fault::Truncated => json(
                StatusCode::OK,
                body[..body.floor_char_boundary(body.len() / 2)].to_owned(),
            ),
            Fault::Malformed => json(
                StatusCode::OK,
                "{\"id\": 1, \"status\": , \"input_video\": {\"name\": \"oops\"".to_owned(),
            ),
            Fault::SchemaMismatch => json(
                StatusCode::OK,
                "{\"id\": \"one\", \"status\": \"done\", \"input_video\": []}".to_owned(),
            ),
            Fault::Extended => json(StatusCode::OK, extended(body)),
            Fault::ConnectionDrop => {
                let first_half = body[..body.floor_char_boundary(body.len() / 2)].to_owned();
                let chunks: [Result<String, std::io::Error>; 2] = [
                    Ok(first_half),
                    Err(std::io::Error::new(
                        std::io::ErrorKind::ConnectionReset,
                        "simulated drop",
                    )),
                ];
                json(StatusCode::OK, Body::from_stream(futures_util::stream::iter(chunks)))
            }
            _ => json(StatusCode::OK, body),
        }
    }
}

/// The job with what a later (or a hostile) API version might add: a new object, and a field
/// named `__proto__`, which a careless reader would turn into the object's prototype.
fn extended(body: String) -> String {
    let Ok(serde_json::Value::Object(mut job)) = serde_json::from_str(&body) else {
        return body;
    };
    job.insert("__proto__".into(), serde_json::json!({"polluted": true}));
    job.insert(
        "future_field".into(),
        serde_json::json!({"list": [1, 2.5, "x", null, true]}),
    );
    serde_json::Value::Object(job).to_string()
}

fn rate_limited(seconds: u64, retry_after: String) -> Response {
    let text = format!("Request was throttled. Expected available in {seconds} seconds.");
    let mut response = detail(StatusCode::TOO_MANY_REQUESTS, &text);
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from_str(&retry_after).expect("ASCII header"),
    );
    response
}

/// A fault switched on through `POST /_sim/faults`, for one job or all, for a number of requests.
#[derive(Debug, Clone, Deserialize)]
pub struct FaultRuleRequest {
    /// The job the fault applies to; absent for every job.
    pub job: Option<i64>,
    /// The fault's name, as in [`Fault::parse`].
    pub fault: String,
    /// How many requests it spoils; absent until cleared.
    pub times: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct FaultRule {
    pub job: Option<i64>,
    pub fault: Fault,
    pub remaining: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse() {
        assert_eq!(Fault::parse("503"), Some(Fault::Unavailable));
        assert_eq!(Fault::parse("429"), Some(Fault::RateLimited { retry_after_seconds: 2 }));
        assert_eq!(
            Fault::parse("429-7"),
            Some(Fault::RateLimited { retry_after_seconds: 7 })
        );
        assert_eq!(
            Fault::parse("429-18446744073709551615"),
            Some(Fault::RateLimited {
                retry_after_seconds: u64::MAX
            }),
            "as huge a Retry-After as a broken server might send"
        );
        assert_eq!(
            Fault::parse("slow-1500"),
            Some(Fault::Slow {
                delay: Duration::from_millis(1500)
            })
        );
        assert_eq!(Fault::parse("slow-999999999"), Some(Fault::Slow { delay: MAX_DELAY }));
        assert_eq!(Fault::parse("404"), Some(Fault::Refused(404)));
        for bad in ["", "400", "slow-", "slow-x", "429-x", "DROP"] {
            assert_eq!(Fault::parse(bad), None, "{bad}");
        }
    }

    #[tokio::test]
    async fn truncation_cuts_between_characters() {
        // Six bytes: halfway is the middle of the second `é`, so the cut falls before it.
        let response = Fault::Truncated.spoil("ééé".to_owned());
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        assert_eq!(&body[..], "é".as_bytes());
    }
}
