//! CORS for the proxy: which page origins may read its answers, and the preflight reply.

use http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_METHOD, VARY,
};
use http::{HeaderMap, HeaderValue, Method, Uri};

/// The origins allowed to read the proxy's answers from a browser.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AllowedOrigins {
    /// No CORS headers at all: only a page served from the proxy's own origin can read it.
    #[default]
    SameOriginOnly,
    /// `*`: any page. The answers hold nothing private (the key stays here), so this is safe;
    /// naming origins only stops other sites from spending this proxy's quota.
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

    /// The `Access-Control-Allow-Origin` value for a request from `origin`, if it is allowed.
    fn allow(&self, origin: Option<&HeaderValue>) -> Option<HeaderValue> {
        match self {
            AllowedOrigins::SameOriginOnly => None,
            AllowedOrigins::Any => Some(HeaderValue::from_static("*")),
            AllowedOrigins::List(origins) => {
                let origin = origin?;
                let text = origin.to_str().ok()?;
                origins.iter().any(|allowed| allowed == text).then(|| origin.clone())
            }
        }
    }

    /// Adds the CORS headers to an actual (non-preflight) response. A named-origins answer
    /// differs by `Origin`, so it says `Vary: Origin` whether or not this request had one: a CDN
    /// must not hand the copy made for one origin to another.
    pub fn decorate(&self, origin: Option<&HeaderValue>, headers: &mut HeaderMap) {
        if let Some(allowed) = self.allow(origin) {
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, allowed);
            headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("retry-after"));
        }
        if matches!(self, AllowedOrigins::List(_)) {
            headers.append(VARY, HeaderValue::from_static("origin"));
        }
    }

    /// The headers of a preflight answer for `request`. The browser checks them: an origin that is
    /// not allowed gets no `Access-Control-Allow-Origin`, and a request for any header beyond
    /// `Accept` (notably `Authorization`) is not covered by `Access-Control-Allow-Headers`. Only
    /// `Origin` changes the answer, so `Vary: Origin` covers it for caches.
    pub fn preflight(&self, request: &HeaderMap, headers: &mut HeaderMap) {
        self.decorate(request.get(http::header::ORIGIN), headers);
        if !headers.contains_key(ACCESS_CONTROL_ALLOW_ORIGIN) {
            return;
        }
        headers.remove(ACCESS_CONTROL_EXPOSE_HEADERS);
        headers.insert(ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, OPTIONS"));
        headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("accept"));
        headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    }

    /// Whether `request` is a CORS preflight rather than a plain `OPTIONS`.
    pub fn is_preflight(method: &Method, request: &HeaderMap) -> bool {
        method == Method::OPTIONS
            && request.contains_key(http::header::ORIGIN)
            && request.contains_key(ACCESS_CONTROL_REQUEST_METHOD)
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
fn parse_origin(text: &str) -> Result<String, OriginError> {
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

    #[test]
    fn only_listed_origins_are_echoed_and_answers_vary_by_origin() {
        let allowed = origins(&["https://example.com"]).unwrap();
        let mut headers = HeaderMap::new();
        allowed.decorate(Some(&HeaderValue::from_static("https://example.com")), &mut headers);
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_ORIGIN], "https://example.com");
        assert_eq!(headers[ACCESS_CONTROL_EXPOSE_HEADERS], "retry-after");
        assert_eq!(headers[VARY], "origin");
        let mut headers = HeaderMap::new();
        allowed.decorate(Some(&HeaderValue::from_static("https://evil.example")), &mut headers);
        assert!(!headers.contains_key(ACCESS_CONTROL_ALLOW_ORIGIN));
        assert_eq!(headers[VARY], "origin");
        let mut headers = HeaderMap::new();
        AllowedOrigins::Any.decorate(None, &mut headers);
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        assert!(
            !headers.contains_key(VARY),
            "the same answer for everyone shares one cache entry"
        );
    }
}
