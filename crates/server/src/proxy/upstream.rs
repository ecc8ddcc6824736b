//! The one request the proxy makes upstream: `GET {upstream}/api/jobs/{id}/` with the key added.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE, RETRY_AFTER, USER_AGENT};
use http::{HeaderValue, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Empty, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use super::ApiKey;
use super::routes::JobId;

/// A job is a couple of kilobytes; anything far bigger is not a job and is not worth buffering.
const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Kept-alive upstream connections are reused for this long, sparing a TLS handshake per request.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// The upstream API's base URL, checked once: `http` or `https`, a host, no credentials, no
/// query, and an optional path prefix of plain segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamBase {
    scheme: &'static str,
    authority: String,
    /// Empty, or `/segment/...` without a trailing slash.
    prefix: String,
}

impl UpstreamBase {
    pub fn parse(text: &str) -> Result<UpstreamBase, UpstreamBaseError> {
        let uri: Uri = text.parse().map_err(|_| UpstreamBaseError::NotAUrl)?;
        let scheme = match uri.scheme_str() {
            Some("https") => "https",
            Some("http") => "http",
            _ => return Err(UpstreamBaseError::Scheme),
        };
        let authority = uri.authority().ok_or(UpstreamBaseError::NoHost)?;
        if authority.as_str().contains('@') {
            return Err(UpstreamBaseError::Credentials);
        }
        if authority.host().is_empty() {
            return Err(UpstreamBaseError::NoHost);
        }
        if uri.query().is_some() || text.contains('#') {
            return Err(UpstreamBaseError::QueryOrFragment);
        }
        let prefix = uri.path().trim_end_matches('/');
        let plain_segments = prefix.split('/').skip(1).all(|segment| {
            !segment.is_empty()
                && segment != "."
                && segment != ".."
                && segment
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || b"-._~".contains(&byte))
        });
        if !plain_segments {
            return Err(UpstreamBaseError::Path);
        }
        Ok(UpstreamBase {
            scheme,
            authority: authority.as_str().to_owned(),
            prefix: prefix.to_owned(),
        })
    }

    /// Whether the key would cross a network unencrypted: plain `http` to anything but loopback.
    pub fn sends_key_in_clear(&self) -> bool {
        let host = self
            .authority
            .rsplit_once(':')
            .map_or(self.authority.as_str(), |(host, port)| {
                if port.bytes().all(|byte| byte.is_ascii_digit()) {
                    host
                } else {
                    self.authority.as_str()
                }
            });
        let loopback = host == "localhost"
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|address| address.is_loopback());
        self.scheme == "http" && !loopback
    }

    /// The job's URL, built from the parsed id and never from the client's path.
    pub fn job_uri(&self, job: JobId) -> Uri {
        format!("{self}/api/jobs/{job}/")
            .parse()
            .expect("a checked base and a numeric id make a valid URI")
    }
}

/// Why an `--upstream` value cannot be used.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum UpstreamBaseError {
    #[error("not a URL such as https://backend.tensorpix.ai")]
    NotAUrl,
    #[error("it must start with https:// (or http:// for a local simulator)")]
    Scheme,
    #[error("it has no host")]
    NoHost,
    #[error("credentials do not belong in the URL; the key comes from TENSORPIX_API_KEY")]
    Credentials,
    #[error("it must not have a query or fragment")]
    QueryOrFragment,
    #[error("its path may only hold plain segments like /v1")]
    Path,
}

impl fmt::Display for UpstreamBase {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}://{}{}", self.scheme, self.authority, self.prefix)
    }
}

/// What upstream answered, reduced to what the proxy passes on.
#[derive(Debug, Clone)]
pub struct UpstreamResponse {
    pub status: StatusCode,
    pub body: Bytes,
    /// Whether `Content-Type` said JSON.
    pub json: bool,
    pub retry_after: Option<HeaderValue>,
}

/// Why there is no upstream response to pass on.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// No answer (headers and body) within the timeout.
    #[error("no answer within {} s", .0.as_secs_f64())]
    Timeout(Duration),
    /// No connection: refused, unresolvable, TLS handshake failed.
    #[error("cannot connect: {0}")]
    Connect(String),
    /// The connection broke or the response was not valid HTTP.
    #[error("the exchange failed: {0}")]
    Transport(String),
    /// The body was larger than [`MAX_BODY_BYTES`].
    #[error("the body is over {MAX_BODY_BYTES} bytes")]
    TooLarge,
    /// A successful answer whose body is not a JSON object, so not a job.
    #[error("a successful answer that is not a JSON object")]
    NotAJob,
}

/// The result of one upstream fetch; shared by every request that waited for it.
pub type Fetched = Result<UpstreamResponse, UpstreamError>;

/// A pooled HTTP(S) client for the upstream API, holding the key.
#[derive(Clone)]
pub struct Upstream {
    base: Arc<UpstreamBase>,
    client: Client<HttpsConnector<HttpConnector>, Empty<Bytes>>,
    authorization: HeaderValue,
    timeout: Duration,
}

impl Upstream {
    pub fn new(base: UpstreamBase, key: &ApiKey, timeout: Duration) -> Result<Upstream, rustls::Error> {
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        // An explicit provider: rustls cannot pick one by itself if another crate ever enables a second.
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(timeout));
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .build(connector);
        Ok(Upstream {
            base: Arc::new(base),
            client,
            authorization: key.authorization(),
            timeout,
        })
    }

    pub fn base(&self) -> &UpstreamBase {
        &self.base
    }

    /// Fetches one job. No header of the client's request is passed on: only ours are sent.
    pub async fn fetch(&self, job: JobId) -> Fetched {
        let request = Request::get(self.base.job_uri(job))
            .header(AUTHORIZATION, self.authorization.clone())
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header(
                USER_AGENT,
                HeaderValue::from_static(concat!("tensorpix-proxy/", env!("CARGO_PKG_VERSION"))),
            )
            .body(Empty::new())
            .expect("a static request is valid");
        let exchange = async {
            let response = self.client.request(request).await.map_err(|error| {
                let why = error_chain(&error);
                if error.is_connect() {
                    UpstreamError::Connect(why)
                } else {
                    UpstreamError::Transport(why)
                }
            })?;
            let (parts, body) = response.into_parts();
            // We never send Accept-Encoding, so a compressed body cannot be passed on as JSON.
            if parts
                .headers
                .get(CONTENT_ENCODING)
                .is_some_and(|encoding| encoding != "identity")
            {
                return Err(UpstreamError::Transport("an unrequested Content-Encoding".to_owned()));
            }
            let body = Limited::new(body, MAX_BODY_BYTES)
                .collect()
                .await
                .map_err(|error| {
                    if error.is::<http_body_util::LengthLimitError>() {
                        UpstreamError::TooLarge
                    } else {
                        UpstreamError::Transport(error_chain(&*error))
                    }
                })?
                .to_bytes();
            Ok(UpstreamResponse {
                status: parts.status,
                json: parts.headers.get(CONTENT_TYPE).is_some_and(is_json),
                retry_after: parts.headers.get(RETRY_AFTER).cloned(),
                body,
            })
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .unwrap_or_else(|_| Err(UpstreamError::Timeout(self.timeout)))
    }
}

/// `application/json` or any `+json` type, whatever the parameters.
fn is_json(value: &HeaderValue) -> bool {
    let Ok(text) = value.to_str() else { return false };
    let media_type = text.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    media_type == "application/json" || (media_type.starts_with("application/") && media_type.ends_with("+json"))
}

/// An error and its causes on one line: hyper's own message alone is often just "client error".
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases_are_checked_and_normalised() {
        let base = UpstreamBase::parse("https://backend.tensorpix.ai").unwrap();
        assert_eq!(base.to_string(), "https://backend.tensorpix.ai");
        let job = JobId::parse("102").unwrap();
        assert_eq!(
            base.job_uri(job).to_string(),
            "https://backend.tensorpix.ai/api/jobs/102/"
        );
        let prefixed = UpstreamBase::parse("http://127.0.0.1:8099/_fault/502/").unwrap();
        assert_eq!(
            prefixed.job_uri(job).to_string(),
            "http://127.0.0.1:8099/_fault/502/api/jobs/102/"
        );
        assert!(!base.sends_key_in_clear());
        assert!(!prefixed.sends_key_in_clear());
        assert!(
            !UpstreamBase::parse("http://localhost:8099")
                .unwrap()
                .sends_key_in_clear()
        );
        assert!(!UpstreamBase::parse("http://[::1]:8099").unwrap().sends_key_in_clear());
        assert!(
            UpstreamBase::parse("http://backend.tensorpix.ai")
                .unwrap()
                .sends_key_in_clear()
        );
        assert!(UpstreamBase::parse("http://10.0.0.5:80").unwrap().sends_key_in_clear());
        for bad in [
            "backend.tensorpix.ai",
            "ftp://backend.tensorpix.ai",
            "https://user:secret@backend.tensorpix.ai",
            "https://backend.tensorpix.ai/?key=1",
            "https://backend.tensorpix.ai/a/../b",
            "https://backend.tensorpix.ai/a%2fb",
            "https://backend.tensorpix.ai//a",
            "https://",
        ] {
            assert!(UpstreamBase::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn json_content_types_are_recognised() {
        for json in [
            "application/json",
            "Application/JSON; charset=utf-8",
            "application/problem+json",
        ] {
            assert!(is_json(&HeaderValue::from_static(json)), "{json}");
        }
        for other in ["text/html", "text/json-ish", "application/jsonp"] {
            assert!(!is_json(&HeaderValue::from_static(other)), "{other}");
        }
    }
}
