//! Which page origins may read the proxy's answers (`--allow-origin`), and the CORS layer that
//! tells browsers so.

use std::time::Duration;

use http::header::{ACCEPT, AUTHORIZATION, ORIGIN, RETRY_AFTER};
use http::{HeaderValue, Method, Uri};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// How long a browser may reuse a preflight's answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// The origins allowed to read the proxy's answers from a browser.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AllowedOrigins {
    /// No CORS headers at all: only a page served from the proxy's own origin can read it.
    #[default]
    SameOriginOnly,
    /// `*`: any page can read the answers (the key itself stays here).
    Any,
    /// Exactly these origins, as browsers send them (`https://example.com`, no path).
    List(Vec<String>),
}

impl AllowedOrigins {
    /// Adds the origins of one `--allow-origin` value: one origin, a comma-separated list, or `*`.
    pub fn add(&mut self, text: &str) -> Result<(), OriginError> {
        for item in text.split(',').map(str::trim).filter(|item| !item.is_empty()) {
            let next = match (std::mem::take(self), item) {
                (AllowedOrigins::SameOriginOnly | AllowedOrigins::Any, "*") => AllowedOrigins::Any,
                (AllowedOrigins::List(_), "*") | (AllowedOrigins::Any, _) => return Err(OriginError::AnyAndNamed),
                (AllowedOrigins::SameOriginOnly, origin) => AllowedOrigins::List(vec![parse_origin(origin)?]),
                (AllowedOrigins::List(mut origins), origin) => {
                    let origin = parse_origin(origin)?;
                    if !origins.contains(&origin) {
                        origins.push(origin);
                    }
                    AllowedOrigins::List(origins)
                }
            };
            *self = next;
        }
        Ok(())
    }

    /// Whether a request with this `Origin` may use the proxy at all. The job route refuses the
    /// others (403) before any upstream work: CORS alone only stops a page from *reading* an
    /// answer, not the request, and a request can cost an upstream one. With no origins named,
    /// only requests without an `Origin` pass (browsers send none on a same-origin `GET`).
    pub fn allows(&self, origin: &HeaderValue) -> bool {
        match self {
            AllowedOrigins::SameOriginOnly => false,
            AllowedOrigins::Any => true,
            AllowedOrigins::List(origins) => origins.iter().any(|allowed| allowed.as_bytes() == origin.as_bytes()),
        }
    }

    /// The CORS layer in front of every route. Only an allowed origin gets
    /// `Access-Control-Allow-Origin` (the browser then lets the page read the answer); a
    /// preflight may ask for `GET` with `Accept` and `Authorization` (the job token);
    /// `Retry-After` is readable. Answers say what they vary by: `Authorization` when
    /// `job_tokens` (each visitor's answer is their own), and `Origin` unless any origin is
    /// allowed (others are refused) — whether or not the request had one, so a cache never hands
    /// the copy made for one to another.
    ///
    /// The layer answers every `OPTIONS` itself, on any path, as a preflight.
    pub fn cors(&self, job_tokens: bool) -> CorsLayer {
        let methods = CorsLayer::new().allow_methods([Method::GET, Method::OPTIONS]);
        let readable = |layer: CorsLayer| {
            layer
                .allow_headers([ACCEPT, AUTHORIZATION])
                .expose_headers([RETRY_AFTER])
                .max_age(PREFLIGHT_MAX_AGE)
        };
        let mut vary = Vec::new();
        if job_tokens {
            vary.push(AUTHORIZATION);
        }
        if *self != AllowedOrigins::Any {
            vary.push(ORIGIN);
        }
        match self {
            AllowedOrigins::SameOriginOnly => methods.vary(vary),
            AllowedOrigins::Any => readable(methods).allow_origin(AllowOrigin::any()).vary(vary),
            AllowedOrigins::List(origins) => {
                let origins = origins
                    .iter()
                    .map(|origin| HeaderValue::from_str(origin).expect("a checked origin is a header value"));
                readable(methods).allow_origin(AllowOrigin::list(origins)).vary(vary)
            }
        }
    }

    /// For the startup log line.
    pub fn describe(&self) -> String {
        match self {
            AllowedOrigins::SameOriginOnly => "none (same origin only)".to_owned(),
            AllowedOrigins::Any => "*".to_owned(),
            AllowedOrigins::List(origins) => origins.join(", "),
        }
    }
}

/// Why an `--allow-origin` value cannot be used.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum OriginError {
    #[error("`{0}` is not an origin such as https://example.com")]
    NotAnOrigin(String),
    #[error("`{0}` must start with https:// or http://")]
    Scheme(String),
    #[error("`{0}` has no usable host")]
    Host(String),
    #[error("`{0}` has a path: an origin is only scheme, host and port, e.g. https://example.com")]
    Path(String),
    #[error("`{0}` has upper-case letters, which a browser's Origin never has")]
    UpperCase(String),
    #[error("`--allow-origin *` cannot be combined with named origins")]
    AnyAndNamed,
}

/// Checks that `text` is an origin exactly as a browser serialises it, so that an allowed origin
/// can ever match: a scheme, a lower-case host, an optional port, and no path, not even `/`.
pub fn parse_origin(text: &str) -> Result<String, OriginError> {
    let uri: Uri = text.parse().map_err(|_| OriginError::NotAnOrigin(text.to_owned()))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return Err(OriginError::Scheme(text.to_owned()));
    }
    let usable_host = uri
        .authority()
        .is_some_and(|authority| !authority.host().is_empty() && !authority.as_str().contains('@'));
    if !usable_host {
        return Err(OriginError::Host(text.to_owned()));
    }
    if text.ends_with('/') || !matches!(uri.path(), "" | "/") || uri.query().is_some() {
        return Err(OriginError::Path(text.to_owned()));
    }
    if text.bytes().any(|byte| byte.is_ascii_uppercase()) {
        return Err(OriginError::UpperCase(text.to_owned()));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use axum::body::Body;
    use http::header::{
        ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
        ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_METHOD, VARY,
    };
    use http::{Request, Response};
    use tower::{Layer, ServiceExt};

    use super::*;

    fn origins(values: &[&str]) -> Result<AllowedOrigins, OriginError> {
        let mut origins = AllowedOrigins::default();
        for value in values {
            origins.add(value)?;
        }
        Ok(origins)
    }

    #[test]
    fn origins_are_repeatable_comma_separated_or_any() {
        assert_eq!(
            origins(&["https://example.com", "https://a.example, http://127.0.0.1:8080"]).unwrap(),
            AllowedOrigins::List(vec![
                "https://example.com".into(),
                "https://a.example".into(),
                "http://127.0.0.1:8080".into()
            ])
        );
        assert_eq!(origins(&["*"]).unwrap(), AllowedOrigins::Any);
        assert!(origins(&["*", "https://example.com"]).is_err());
        assert!(origins(&["https://example.com,*"]).is_err());
        for bad in [
            "example.com",
            "https://example.com/",
            "https://example.com/page",
            "ftp://x.example",
            "https://Example.com",
        ] {
            assert!(origins(&[bad]).is_err(), "{bad}");
        }
    }

    /// The headers `origins` put on an answer to `method` from a page at `origin`.
    async fn cors_headers(
        origins: &AllowedOrigins,
        job_tokens: bool,
        method: Method,
        origin: Option<&str>,
    ) -> http::HeaderMap {
        let routes = tower::service_fn(|_| async { Ok::<_, Infallible>(Response::new(Body::empty())) });
        let mut request = Request::builder().method(method).uri("/api/jobs/1/");
        if let Some(origin) = origin {
            request = request
                .header(ORIGIN, origin)
                .header(ACCESS_CONTROL_REQUEST_METHOD, "GET");
        }
        let response = origins
            .cors(job_tokens)
            .layer(routes)
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        response.headers().clone()
    }

    #[tokio::test]
    async fn only_listed_origins_are_echoed_and_answers_vary_by_origin() {
        let allowed = origins(&["https://example.com"]).unwrap();
        let headers = cors_headers(&allowed, false, Method::GET, Some("https://example.com")).await;
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_ORIGIN], "https://example.com");
        assert_eq!(headers[ACCESS_CONTROL_EXPOSE_HEADERS], "retry-after");
        assert_eq!(headers[VARY], "origin");
        let headers = cors_headers(&allowed, false, Method::GET, Some("https://evil.example")).await;
        assert!(!headers.contains_key(ACCESS_CONTROL_ALLOW_ORIGIN));
        assert_eq!(headers[VARY], "origin");
        let headers = cors_headers(&allowed, false, Method::GET, None).await;
        assert_eq!(headers[VARY], "origin", "a cache must not serve this copy to an origin");
        let headers = cors_headers(&AllowedOrigins::Any, false, Method::GET, None).await;
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        assert!(
            !headers.contains_key(VARY),
            "the same answer for everyone shares one cache entry"
        );
        let headers = cors_headers(
            &AllowedOrigins::SameOriginOnly,
            false,
            Method::GET,
            Some("https://example.com"),
        )
        .await;
        assert!(!headers.contains_key(ACCESS_CONTROL_ALLOW_ORIGIN));
        assert_eq!(
            headers[VARY], "origin",
            "other origins are refused, so answers depend on it"
        );
    }

    #[tokio::test]
    async fn with_job_tokens_answers_vary_by_authorization_too() {
        let allowed = origins(&["https://example.com"]).unwrap();
        let headers = cors_headers(&allowed, true, Method::GET, Some("https://example.com")).await;
        assert_eq!(headers[VARY], "authorization, origin");
        let headers = cors_headers(&AllowedOrigins::Any, true, Method::GET, None).await;
        assert_eq!(headers[VARY], "authorization");
        let headers = cors_headers(&AllowedOrigins::SameOriginOnly, true, Method::GET, None).await;
        assert_eq!(headers[VARY], "authorization, origin");
    }

    #[tokio::test]
    async fn preflights_allow_get_with_a_token_for_listed_origins_only() {
        let allowed = origins(&["https://example.com"]).unwrap();
        let headers = cors_headers(&allowed, true, Method::OPTIONS, Some("https://example.com")).await;
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_ORIGIN], "https://example.com");
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_METHODS], "GET,OPTIONS");
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_HEADERS], "accept,authorization");
        assert_eq!(headers[ACCESS_CONTROL_MAX_AGE], "600");
        let headers = cors_headers(&allowed, true, Method::OPTIONS, Some("https://evil.example")).await;
        assert!(!headers.contains_key(ACCESS_CONTROL_ALLOW_ORIGIN));
        let headers = cors_headers(
            &AllowedOrigins::SameOriginOnly,
            true,
            Method::OPTIONS,
            Some("https://example.com"),
        )
        .await;
        assert!(!headers.contains_key(ACCESS_CONTROL_ALLOW_ORIGIN));
        assert!(!headers.contains_key(ACCESS_CONTROL_ALLOW_HEADERS));
    }

    #[test]
    fn only_allowed_origins_may_use_the_proxy() {
        let allowed = origins(&["https://example.com"]).unwrap();
        let origin = |text: &'static str| HeaderValue::from_static(text);
        assert!(allowed.allows(&origin("https://example.com")));
        assert!(!allowed.allows(&origin("https://example.com.evil.example")));
        assert!(!allowed.allows(&origin("null")));
        assert!(AllowedOrigins::Any.allows(&origin("null")));
        assert!(!AllowedOrigins::SameOriginOnly.allows(&origin("https://example.com")));
    }
}
