//! The TensorPix API client: where a job lives, and what an HTTP answer means for the card.
//!
//! Everything but the fetch itself is plain code that runs natively, so every status code and
//! every kind of broken body is tested without a browser.

use std::time::Duration;

use serde::Deserializer;
use tensorpix_models::{DecodeError, Job, decode_error_body_from, decode_job_from};

use crate::i18n::Texts;

/// The public TensorPix API.
pub const DEFAULT_API_BASE: &str = "https://backend.tensorpix.ai";

/// Where to fetch jobs from and how to authenticate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ApiConfig {
    /// The API origin (`https://backend.tensorpix.ai`) or a proxy's base (`/tensorpix`).
    pub base: String,
    /// Sent as `Authorization: Token KEY` when present. A proxy keeps it off the page.
    pub key: Option<String>,
    /// A job token from the site's backend for a proxy, sent as `Authorization: Bearer TOKEN`;
    /// it takes the place of a key.
    pub token: Option<String>,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            base: DEFAULT_API_BASE.to_owned(),
            key: None,
            token: None,
        }
    }
}

impl ApiConfig {
    /// The URL of one job: `{base}/api/jobs/{id}/`, trailing slash included as the API wants.
    pub fn job_url(&self, job_id: i64) -> String {
        format!("{}/api/jobs/{job_id}/", self.base.trim_end_matches('/'))
    }

    /// The `Authorization` header value: the job token if there is one, else the key. A value
    /// that cannot be sent in a header at all (a line break, a non-ASCII letter) is left out, and
    /// the server then answers 401.
    pub fn authorization(&self) -> Option<String> {
        let sendable = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|value| !value.is_empty() && value.bytes().all(|byte| byte.is_ascii_graphic()))
                .map(str::to_owned)
        };
        match (sendable(&self.token), sendable(&self.key)) {
            (Some(token), _) => Some(format!("Bearer {token}")),
            (None, Some(key)) => Some(format!("Token {key}")),
            (None, None) => None,
        }
    }

    /// True when requests carry a job token, so a 401 means the token (expired, or not this job's).
    pub fn uses_token(&self) -> bool {
        self.token.as_deref().is_some_and(|token| !token.trim().is_empty())
    }
}

/// Why the card could not show the job.
#[derive(Debug, Clone, PartialEq)]
pub enum FetchError {
    /// 401: no key, or a wrong one.
    Unauthorized { detail: Option<String> },
    /// 401 to a request with a job token: it expired, or is not valid. The page can set a new one.
    TokenRejected { detail: Option<String> },
    /// 403: the key may not see this job.
    Forbidden { detail: Option<String> },
    /// 404: no such job.
    NotFound { detail: Option<String> },
    /// 429: slow down, for `retry_after` if the server said.
    RateLimited {
        detail: Option<String>,
        retry_after: Option<Duration>,
    },
    /// 5xx, from the API or a gateway in front of it.
    Server { status: u16, detail: Option<String> },
    /// Any other status that is not a success.
    UnexpectedStatus { status: u16, detail: Option<String> },
    /// The request never got an answer (offline, DNS, CORS, connection dropped).
    Network,
    /// The answer took longer than the card waits.
    Timeout,
    /// A 2xx whose body is not a job.
    InvalidResponse(DecodeError),
}

impl FetchError {
    /// A stable machine name for the error, e.g. for attributes and events.
    pub fn kind(&self) -> &'static str {
        match self {
            FetchError::Unauthorized { .. } | FetchError::TokenRejected { .. } => "unauthorized",
            FetchError::Forbidden { .. } => "forbidden",
            FetchError::NotFound { .. } => "not-found",
            FetchError::RateLimited { .. } => "rate-limited",
            FetchError::Server { .. } => "server",
            FetchError::UnexpectedStatus { .. } => "http",
            FetchError::Network => "network",
            FetchError::Timeout => "timeout",
            FetchError::InvalidResponse(_) => "invalid-response",
        }
    }

    /// The HTTP status behind the error, where there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            FetchError::Unauthorized { .. } | FetchError::TokenRejected { .. } => Some(401),
            FetchError::Forbidden { .. } => Some(403),
            FetchError::NotFound { .. } => Some(404),
            FetchError::RateLimited { .. } => Some(429),
            FetchError::Server { status, .. } | FetchError::UnexpectedStatus { status, .. } => Some(*status),
            FetchError::Network | FetchError::Timeout | FetchError::InvalidResponse(_) => None,
        }
    }

    /// The server's own `detail` text, where it sent one.
    pub fn detail(&self) -> Option<&str> {
        match self {
            FetchError::Unauthorized { detail }
            | FetchError::TokenRejected { detail }
            | FetchError::Forbidden { detail }
            | FetchError::NotFound { detail }
            | FetchError::RateLimited { detail, .. }
            | FetchError::Server { detail, .. }
            | FetchError::UnexpectedStatus { detail, .. } => detail.as_deref(),
            FetchError::Network | FetchError::Timeout | FetchError::InvalidResponse(_) => None,
        }
    }

    /// The error as the card reports it for a request made with `config`: a 401 to a job token
    /// is the token's fault, not a key's.
    pub fn for_config(self, config: &ApiConfig) -> FetchError {
        match self {
            FetchError::Unauthorized { detail } if config.uses_token() => FetchError::TokenRejected { detail },
            other => other,
        }
    }

    /// The headline a user sees for this error.
    pub fn title(&self, job_id: i64, texts: &Texts) -> String {
        match self {
            FetchError::Unauthorized { .. } => texts.error_unauthorized.to_owned(),
            FetchError::TokenRejected { .. } => texts.error_token.to_owned(),
            FetchError::Forbidden { .. } => (texts.error_forbidden)(job_id),
            FetchError::NotFound { .. } => (texts.error_not_found)(job_id),
            FetchError::RateLimited { .. } => texts.error_rate_limited.to_owned(),
            FetchError::Server { status, .. } => (texts.error_server)(*status),
            FetchError::UnexpectedStatus { status, .. } => (texts.error_http)(*status),
            FetchError::Network => texts.error_network.to_owned(),
            FetchError::Timeout => texts.error_timeout.to_owned(),
            FetchError::InvalidResponse(_) => texts.error_invalid.to_owned(),
        }
    }

    /// What it means and what to do about it, in a sentence or two, with the server's own words.
    pub fn explanation(&self, texts: &Texts) -> String {
        let advice = match self {
            FetchError::Unauthorized { .. } => texts.advice_unauthorized,
            FetchError::TokenRejected { .. } => texts.advice_token,
            FetchError::Forbidden { .. } => texts.advice_forbidden,
            FetchError::NotFound { .. } => texts.advice_not_found,
            FetchError::RateLimited { .. } => texts.advice_rate_limited,
            FetchError::Server { .. } | FetchError::UnexpectedStatus { .. } => texts.advice_temporary,
            FetchError::Network => texts.advice_network,
            FetchError::Timeout => texts.advice_timeout,
            // The decoder's own words name the field; they stay in English, like the API's.
            FetchError::InvalidResponse(error) => return format!("{error}."),
        };
        match self.detail() {
            Some(detail) => format!("{advice} {}", (texts.server_said)(detail)),
            None => advice.to_owned(),
        }
    }
}

/// Turns an HTTP answer into a job or an error. `retry_after` is the raw `Retry-After` header;
/// `body` is the parsed body, or `None` when it was not JSON.
pub fn interpret_response<'de, D: Deserializer<'de>>(
    status: u16,
    retry_after: Option<&str>,
    body: Option<D>,
    now_millis: i64,
) -> Result<Job, FetchError> {
    if (200..300).contains(&status) {
        let body = body.ok_or(FetchError::InvalidResponse(DecodeError::Syntax))?;
        return decode_job_from(body).map_err(FetchError::InvalidResponse);
    }
    let detail = body.and_then(decode_error_body_from);
    Err(match status {
        401 => FetchError::Unauthorized { detail },
        403 => FetchError::Forbidden { detail },
        404 => FetchError::NotFound { detail },
        429 => FetchError::RateLimited {
            detail,
            retry_after: retry_after.and_then(|value| tensorpix_models::time::retry_after(value, now_millis)),
        },
        500..=599 => FetchError::Server { status, detail },
        _ => FetchError::UnexpectedStatus { status, detail },
    })
}

#[cfg(target_arch = "wasm32")]
pub use browser::{Fetched, fetch_job};

#[cfg(target_arch = "wasm32")]
mod browser {
    use std::cell::Cell;
    use std::rc::Rc;
    use std::time::Duration;

    use gloo_net::http::Request;
    use gloo_timers::callback::Timeout;
    use tensorpix_models::Job;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{ReferrerPolicy, RequestCredentials, RequestRedirect};

    use super::{ApiConfig, FetchError, interpret_response};

    /// A job as decoded, with the object the browser parsed it from: the element hands pages the
    /// job exactly as the API sent it, unknown fields included.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Fetched {
        pub job: Job,
        pub source: JsValue,
    }

    /// Fetches one job, giving up after `timeout`. `abort` cancels the request from outside (a card
    /// that goes away); a timeout aborts it too.
    pub async fn fetch_job(
        config: &ApiConfig,
        job_id: i64,
        timeout: Duration,
        abort: &web_sys::AbortController,
    ) -> Result<Fetched, FetchError> {
        // The timer aborts the request, which then fails like any other; the flag tells them apart.
        let timed_out = Rc::new(Cell::new(false));
        let deadline = {
            let (abort, timed_out) = (abort.clone(), timed_out.clone());
            Timeout::new(crate::poll::timer_millis(timeout), move || {
                timed_out.set(true);
                abort.abort();
            })
        };
        let result = fetch_and_read(config, job_id, &abort.signal()).await;
        drop(deadline);
        result.map_err(|error| match error {
            FetchError::Network if timed_out.get() => FetchError::Timeout,
            other => other.for_config(config),
        })
    }

    async fn fetch_and_read(
        config: &ApiConfig,
        job_id: i64,
        signal: &web_sys::AbortSignal,
    ) -> Result<Fetched, FetchError> {
        // No cookies ride along, a key never follows a redirect, and the page's URL stays home.
        let mut request = Request::get(&config.job_url(job_id))
            .header("Accept", "application/json")
            .credentials(RequestCredentials::Omit)
            .redirect(RequestRedirect::Error)
            .referrer_policy(ReferrerPolicy::NoReferrer)
            .abort_signal(Some(signal));
        if let Some(authorization) = config.authorization() {
            request = request.header("Authorization", &authorization);
        }
        let response = request.send().await.map_err(|_| FetchError::Network)?;
        let (status, retry_after) = (response.status(), response.headers().get("retry-after"));
        let response = web_sys::Response::from(response);
        // The browser parses the body; a SyntaxError means it is not JSON, while any other
        // rejection (a connection dropped mid-body, the abort) is a network failure.
        let parsed = match response.json() {
            Ok(promise) => JsFuture::from(promise).await,
            Err(error) => Err(error),
        };
        let body = match parsed {
            Ok(body) => Some(body),
            Err(error) if error.is_instance_of::<js_sys::SyntaxError>() => None,
            Err(_) => return Err(FetchError::Network),
        };
        let job = interpret_response(
            status,
            retry_after.as_deref(),
            body.clone().map(serde_wasm_bindgen::Deserializer::from),
            js_sys::Date::now() as i64,
        )?;
        Ok(Fetched {
            job,
            source: body.unwrap_or(JsValue::NULL),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{ENGLISH, GERMAN};

    const JOB: &str =
        r#"{"id": 7, "status": 1, "processing_progress": 0.5, "input_video": {"id": 1, "name": "a.mp4"}}"#;

    /// The answer as the browser hands it over: the body parsed, or `None` when it is not JSON.
    fn answer(status: u16, retry_after: Option<&str>, body: &str, now_millis: i64) -> Result<Job, FetchError> {
        let parsed = serde_json::from_str::<serde_json::Value>(body).ok();
        interpret_response(status, retry_after, parsed, now_millis)
    }

    fn interpret(status: u16, body: &str) -> Result<Job, FetchError> {
        answer(status, None, body, 0)
    }

    #[test]
    fn job_urls_keep_the_trailing_slash_and_drop_doubled_ones() {
        let config = |base: &str| ApiConfig {
            base: base.to_owned(),
            ..ApiConfig::default()
        };
        assert_eq!(
            ApiConfig::default().job_url(42),
            "https://backend.tensorpix.ai/api/jobs/42/"
        );
        assert_eq!(
            config("http://127.0.0.1:8099/").job_url(1),
            "http://127.0.0.1:8099/api/jobs/1/"
        );
        assert_eq!(config("/tensorpix").job_url(1), "/tensorpix/api/jobs/1/");
        assert_eq!(config("").job_url(1), "/api/jobs/1/");
    }

    #[test]
    fn the_key_goes_in_a_token_header_and_blank_keys_are_none() {
        let config = |key: Option<&str>| ApiConfig {
            key: key.map(str::to_owned),
            ..ApiConfig::default()
        };
        assert_eq!(config(Some("abc")).authorization().as_deref(), Some("Token abc"));
        assert_eq!(config(Some("  abc ")).authorization().as_deref(), Some("Token abc"));
        assert_eq!(config(Some("  ")).authorization(), None);
        // A browser refuses such header values outright; without the header the API says 401.
        assert_eq!(config(Some("ab\ncd")).authorization(), None);
        assert_eq!(config(Some("schlüssel")).authorization(), None);
        assert_eq!(config(None).authorization(), None);
    }

    #[test]
    fn a_job_token_goes_in_a_bearer_header_in_place_of_a_key() {
        let config = |key: Option<&str>, token: Option<&str>| ApiConfig {
            key: key.map(str::to_owned),
            token: token.map(str::to_owned),
            ..ApiConfig::default()
        };
        assert_eq!(
            config(None, Some(" eyJ.a.b ")).authorization().as_deref(),
            Some("Bearer eyJ.a.b")
        );
        assert_eq!(
            config(Some("k"), Some("eyJ.a.b")).authorization().as_deref(),
            Some("Bearer eyJ.a.b")
        );
        assert_eq!(
            config(Some("k"), Some("  ")).authorization().as_deref(),
            Some("Token k")
        );
        assert_eq!(config(None, Some("a\nb")).authorization(), None);
        assert!(config(None, Some("t")).uses_token() && !config(Some("k"), Some(" ")).uses_token());
    }

    #[test]
    fn a_401_to_a_token_says_the_token_is_at_fault_and_keeps_the_kind() {
        let with_token = ApiConfig {
            token: Some("t".into()),
            ..ApiConfig::default()
        };
        let error = interpret(401, r#"{"detail": "The token has expired."}"#)
            .unwrap_err()
            .for_config(&with_token);
        assert_eq!(
            error,
            FetchError::TokenRejected {
                detail: Some("The token has expired.".into())
            }
        );
        assert_eq!((error.kind(), error.status()), ("unauthorized", Some(401)));
        assert_eq!(error.title(9, &ENGLISH), ENGLISH.error_token);
        assert_eq!(
            error.explanation(&ENGLISH),
            format!("{} The server said: “The token has expired.”", ENGLISH.advice_token)
        );
        let without = interpret(401, "{}").unwrap_err().for_config(&ApiConfig::default());
        assert_eq!(without, FetchError::Unauthorized { detail: None });
        let forbidden = interpret(403, "{}").unwrap_err().for_config(&with_token);
        assert_eq!(
            forbidden.kind(),
            "forbidden",
            "a token for another job is a 403, not the token's expiry"
        );
    }

    #[test]
    fn a_success_decodes_the_job() {
        assert_eq!(interpret(200, JOB).unwrap().id, 7);
    }

    #[test]
    fn a_success_with_a_bad_body_is_an_invalid_response() {
        for body in ["", "<html>", "{\"id\": \"x\"}", &JOB[..20], &JOB[..JOB.len() - 1]] {
            let error = interpret(200, body).unwrap_err();
            assert_eq!(error.kind(), "invalid-response", "{body}");
            assert_eq!(error.status(), None);
            let explanation = error.explanation(&ENGLISH);
            assert!(explanation.starts_with("The response "), "{explanation}");
            assert!(
                !explanation.contains("byte") && !explanation.contains(char::is_numeric),
                "no positions in what a user reads: {explanation}"
            );
        }
    }

    #[test]
    fn every_documented_status_has_its_own_error() {
        let detail = r#"{"detail": "Nope."}"#;
        let cases = [
            (401, "unauthorized", "The API key was not accepted"),
            (403, "forbidden", "No access to job 9"),
            (404, "not-found", "Job 9 was not found"),
            (429, "rate-limited", "Too many requests"),
            (500, "server", "TensorPix is having trouble (HTTP 500)"),
            (503, "server", "TensorPix is having trouble (HTTP 503)"),
            (400, "http", "Unexpected answer from TensorPix (HTTP 400)"),
        ];
        for (status, kind, title) in cases {
            let error = interpret(status, detail).unwrap_err();
            assert_eq!((error.kind(), error.status()), (kind, Some(status)));
            assert_eq!(error.title(9, &ENGLISH), title);
            assert_eq!(error.detail(), Some("Nope."));
            assert!(
                error.explanation(&ENGLISH).ends_with("The server said: “Nope.”"),
                "{}",
                error.explanation(&ENGLISH)
            );
        }
    }

    #[test]
    fn an_html_error_page_is_a_server_error_without_detail() {
        let error = interpret(502, "<html><body><h1>502 Bad Gateway</h1></body></html>").unwrap_err();
        assert_eq!(
            error,
            FetchError::Server {
                status: 502,
                detail: None
            }
        );
        assert_eq!(
            error.explanation(&ENGLISH),
            ENGLISH.advice_temporary,
            "the markup is not passed on as the server's words"
        );
    }

    #[test]
    fn retry_after_is_read_in_both_forms() {
        let limited = answer(429, Some("2"), "{}", 0).unwrap_err();
        assert_eq!(
            limited,
            FetchError::RateLimited {
                detail: None,
                retry_after: Some(Duration::from_secs(2))
            }
        );
        let huge = answer(429, Some("18446744073709551615"), "{}", 0).unwrap_err();
        assert_eq!(
            huge,
            FetchError::RateLimited {
                detail: None,
                retry_after: Some(tensorpix_models::time::MAX_RETRY_AFTER)
            },
            "a Retry-After past the cap waits the cap"
        );
        let dated = answer(429, Some("Sun, 06 Nov 1994 08:49:40 GMT"), "{}", 784_111_777_000);
        assert!(
            matches!(dated, Err(FetchError::RateLimited { retry_after: Some(wait), .. }) if wait == Duration::from_secs(3))
        );
        let unreadable = answer(429, Some("soon"), "{}", 0).unwrap_err();
        assert!(matches!(unreadable, FetchError::RateLimited { retry_after: None, .. }));
    }

    #[test]
    fn errors_speak_the_cards_language() {
        let error = FetchError::NotFound {
            detail: Some("Nicht gefunden.".into()),
        };
        assert_eq!(error.title(9, &GERMAN), "Auftrag 9 wurde nicht gefunden");
        assert!(
            error
                .explanation(&GERMAN)
                .ends_with("Der Server meldete: „Nicht gefunden.“")
        );
    }

    #[test]
    fn errors_without_a_status_explain_themselves() {
        assert_eq!(FetchError::Network.title(1, &ENGLISH), "Could not reach TensorPix");
        assert_eq!(FetchError::Timeout.kind(), "timeout");
        assert!(FetchError::Network.explanation(&ENGLISH).contains("network connection"));
    }
}
