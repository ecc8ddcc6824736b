//! Production mode: a small, hardened HTTP proxy that holds the TensorPix API key so pages don't,
//! and shows each visitor only the job their token names.
//!
//! A TensorPix key never expires and grants the whole account, so a public page must not carry
//! it. The job card points its `api-base` here instead, and the proxy:
//!
//! - answers only `GET /api/jobs/{id}/` for a canonical numeric id, plus `GET /healthz`;
//!   everything else is a 404 or 405 with a `{"detail": ...}` body, except that `OPTIONS` gets a
//!   CORS preflight answer. The upstream URL is built from the parsed id, never from the client's
//!   path or query, so no other upstream path is reachable;
//! - refuses, before any upstream work, a page whose `Origin` is not allowed (403), and a request
//!   without a valid job token for that job (`Authorization: Bearer <JWT>`, see [`job_token`]):
//!   401 for a missing, broken, expired or forged token, 403 for another job's. Only with
//!   `--allow-any-job` (a private dashboard) is every job open to whoever reaches the proxy;
//! - sends upstream only its own headers (`Authorization: Token KEY`, `Accept`, `User-Agent`):
//!   the client's `Authorization`, cookies and everything else stay here;
//! - passes on only what the card needs: a job through one allow-list of fields ([`fields`]; the
//!   owner's e-mail and user id and the source video's pre-signed URL never leave), an error as
//!   its status and `detail` (including 429 and its `Retry-After`); a non-JSON body (an HTML
//!   error page from a gateway) becomes a `{"detail": ...}` of the same status;
//! - keeps each job's 200 or 404 for `--cache-ttl` seconds and a 429 until its `Retry-After`
//!   (at most a minute), and coalesces concurrent requests for one job into one upstream request;
//! - limits the upstream requests one client address can cause (cache hits and coalesced requests
//!   are free), and all clients together (`--upstream-rate-limit` per second); an upstream 429
//!   pauses every upstream request for its `Retry-After` (at most a minute), while recently
//!   expired answers stand in;
//! - limits connections in all and per client, and the time to send a request or read an answer
//!   ([`crate::connections`]);
//! - logs one line per request, never the key, a token, nor any client header.
//!
//! It is an axum [`Router`] (routes, the job route's raw-path guard, tower-http's CORS, headers
//! and tracing layers) with the cache and the limiters in its state, served by
//! [`crate::connections::serve`].
//!
//! It is stateless: the cache and the rate-limit buckets are per process and may be lost at any
//! time, so any number of copies can run behind a load balancer (each copy then makes its own one
//! request per job per TTL). With job tokens answers are `Cache-Control: private` and
//! `Vary: Authorization, Origin`, so no shared cache hands one visitor's answer to another;
//! with `--allow-any-job` they are `public`, with `Vary: Origin` when origins are named.

pub mod api_key;
pub mod cache;
pub mod client_ip;
pub mod clock;
pub mod fields;
pub mod job_token;
pub mod origins;
pub mod rate_limit;
pub mod routes;
pub mod upstream;
pub mod upstream_gate;

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{
    AGE, ALLOW, AUTHORIZATION, CACHE_CONTROL, ORIGIN, RETRY_AFTER, WWW_AUTHENTICATE, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use bytes::Bytes;
use ipnet::IpNet;
use tokio::net::TcpListener;
use tower::Layer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

pub use self::api_key::{API_KEY_VARIABLE, ApiKey, ApiKeyError};
use self::cache::{GetError, Served, SingleFlight, Source};
use self::client_ip::TrustedProxies;
pub use self::clock::{Clock, ManualClock, SystemClock};
pub use self::job_token::{JobTokens, TOKEN_SECRET_VARIABLE, TokenSecret, TokenSecretError};
pub use self::origins::{AllowedOrigins, OriginError};
use self::rate_limit::RateLimiter;
use self::routes::JobId;
use self::upstream::{Fetched, Upstream, UpstreamError, UpstreamResponse};
pub use self::upstream::{UpstreamBase, UpstreamBaseError};
use self::upstream_gate::{Closed, UpstreamGate};
use crate::answer::{detail, detail_with_code, json};
use crate::cli;
use crate::connections::{self, Limits};

/// The longest `--cache-ttl`: a job card shows live progress, so answers must not be old.
pub const MAX_CACHE_TTL: Duration = Duration::from_secs(3600);
pub const MAX_UPSTREAM_TIMEOUT: Duration = Duration::from_secs(300);
/// The longest `--header-read-timeout` and `--write-timeout`.
pub const MAX_CLIENT_TIMEOUT: Duration = Duration::from_secs(300);

/// Request line plus headers above this get a 431 with a `detail` (hyper's own limit, above which
/// it answers a bare 431, is [`connections::MAX_HEAD_BYTES`]).
const MAX_REQUEST_HEAD_BYTES: usize = 8 * 1024;
/// The longest a throttled (429) answer is kept, and upstream calls are paused after one, whatever
/// its `Retry-After` says.
const MAX_THROTTLE_HOLD: Duration = Duration::from_secs(60);
/// The pause after an upstream 429 that gives no `Retry-After`.
const DEFAULT_THROTTLE_PAUSE: Duration = Duration::from_secs(5);
/// How long after expiring a job's answer may stand in for a refused upstream request.
const MAX_STALE: Duration = Duration::from_secs(60);
const MAX_LOGGED_PATH: usize = 200;

/// How the proxy was started: the `proxy` subcommand's flags, each documented (for `--help`, with
/// line breaks kept, as clap is built without terminal-width wrapping) and defaulted here. The key
/// and the token secret are not here: they never pass through the command line.
/// [`ProxyConfig::from_flags`] gives the defaults to code that starts a proxy itself.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct ProxyConfig {
    /// The TensorPix API, e.g. https://backend.tensorpix.ai
    #[arg(long, value_name = "URL", value_parser = UpstreamBase::parse)]
    pub upstream: UpstreamBase,
    /// Address to listen on
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8098", value_parser = cli::address)]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub allowed_origins: AllowedOrigins,
    /// Read the job-token secret from this file instead of the
    /// TENSORPIX_TOKEN_SECRET environment variable
    #[arg(long, value_name = "PATH", verbatim_doc_comment)]
    pub token_secret_file: Option<PathBuf>,
    /// Serve every job of the account to anyone who can reach the proxy,
    /// without job tokens: only for a private dashboard
    #[arg(long, verbatim_doc_comment)]
    pub allow_any_job: bool,
    /// How long a job's answer is reused, in seconds; fractions allowed
    #[arg(
        long,
        value_name = "SECS",
        default_value = "2",
        value_parser = cli::seconds_up_to(MAX_CACHE_TTL),
        allow_negative_numbers = true
    )]
    pub cache_ttl: Duration,
    /// Give up on the API after this many seconds, with a 504
    #[arg(
        long,
        value_name = "SECS",
        default_value = "10",
        value_parser = cli::seconds_up_to(MAX_UPSTREAM_TIMEOUT),
        allow_negative_numbers = true
    )]
    pub upstream_timeout: Duration,
    /// Upstream requests one client address may cause per minute;
    /// cache hits are free; 0 turns the limit off
    #[arg(
        long,
        verbatim_doc_comment,
        value_name = "N",
        default_value = "120",
        value_parser = cli::per_minute,
        allow_negative_numbers = true
    )]
    pub rate_limit: u32,
    /// Upstream requests per second for all clients together,
    /// protecting the account's quota; 0 turns the ceiling off
    #[arg(
        long,
        verbatim_doc_comment,
        value_name = "N",
        default_value = "20",
        value_parser = cli::per_second,
        allow_negative_numbers = true
    )]
    pub upstream_rate_limit: u32,
    /// Read the API key from this file instead of the environment variable
    #[arg(long, value_name = "PATH")]
    pub api_key_file: Option<PathBuf>,
    /// Take the client's address from this header (e.g. X-Forwarded-For),
    /// only on connections from a --trusted-proxy: the right-most entry
    /// that is not itself a trusted proxy
    #[arg(
        long,
        value_name = "NAME",
        value_parser = cli::header_name,
        verbatim_doc_comment,
        requires = "trusted_proxies"
    )]
    pub client_ip_header: Option<HeaderName>,
    /// A load balancer's address or network (e.g. 10.0.0.0/8) whose
    /// --client-ip-header is believed; repeatable
    #[arg(
        long = "trusted-proxy",
        value_name = "CIDR",
        value_parser = cli::network,
        action = clap::ArgAction::Append,
        verbatim_doc_comment,
        requires = "client_ip_header"
    )]
    pub trusted_proxies: Vec<IpNet>,
    /// Open connections at most; keep it below the open-file limit (ulimit -n)
    #[arg(long, value_name = "N", default_value = "1024", value_parser = cli::positive)]
    pub max_connections: usize,
    /// Open connections at most from one client address
    /// (a --trusted-proxy counts towards --max-connections only)
    #[arg(long, value_name = "N", default_value = "64", value_parser = cli::positive, verbatim_doc_comment)]
    pub max_connections_per_client: usize,
    /// Seconds a client has to send a request's headers,
    /// and the longest an idle connection stays open
    #[arg(
        long,
        value_name = "SECS",
        default_value = "10",
        value_parser = cli::seconds_up_to(MAX_CLIENT_TIMEOUT),
        allow_negative_numbers = true,
        verbatim_doc_comment
    )]
    pub header_read_timeout: Duration,
    /// Close a connection whose client reads nothing of an answer
    /// for this many seconds
    #[arg(
        long,
        value_name = "SECS",
        default_value = "10",
        value_parser = cli::seconds_up_to(MAX_CLIENT_TIMEOUT),
        allow_negative_numbers = true,
        verbatim_doc_comment
    )]
    pub write_timeout: Duration,
    /// Log warnings only, not every request
    #[arg(long)]
    pub quiet: bool,
    /// The most jobs the cache holds (not a flag: a hard cap tests can lower).
    #[arg(skip = cache::CAPACITY)]
    pub cache_capacity: usize,
    /// The most client addresses the rate limiter tracks (not a flag).
    #[arg(skip = rate_limit::MAX_CLIENTS)]
    pub rate_limit_clients: usize,
}

/// Who may see which job.
#[derive(Debug, Clone)]
pub enum JobAccess {
    /// A job token for the job, signed with this secret (the default, and the only way for pages
    /// anyone can open).
    Tokens(TokenSecret),
    /// Every job of the account to anyone who reaches the proxy (`--allow-any-job`).
    AnyJob,
}

/// Why the proxy cannot run.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error("cannot set up TLS for the upstream: {0}")]
    Tls(#[source] rustls::Error),
    #[error(transparent)]
    Serve(#[from] crate::connections::ServeError),
}

/// A configured proxy, ready to serve on a listener.
pub struct Proxy {
    state: Arc<ProxyState>,
}

/// What the handlers share: the configuration, the upstream client, the cache and the limiters.
struct ProxyState {
    config: ProxyConfig,
    upstream: Upstream,
    /// `None` with `--allow-any-job`.
    tokens: Option<JobTokens>,
    cache: Arc<SingleFlight<JobId, Fetched>>,
    limiter: RateLimiter,
    gate: UpstreamGate,
    trusted_proxies: TrustedProxies,
    clock: Arc<dyn Clock>,
    /// `private, max-age=N` with tokens, `public, max-age=N` without, for cacheable answers.
    cache_control: HeaderValue,
}

/// The address a request counts against for rate limiting and shows in the log (see
/// [`client_ip::client_address`]); put in the request's extensions for the layers after it.
#[derive(Debug, Clone, Copy)]
struct Client(IpAddr);

/// Why the proxy itself refused a request (a token or origin check), for the log line.
#[derive(Debug, Clone, Copy)]
struct Denied(&'static str);

/// Why no upstream request was started for a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Held {
    /// This client's bucket is empty.
    Client(Duration),
    /// Every client's together: the upstream ceiling.
    Ceiling(Duration),
    /// Upstream said to wait.
    Paused(Duration),
}

const JOB_METHODS: &str = "GET, OPTIONS";
const HEALTH_METHODS: &str = "GET";

impl Proxy {
    pub fn new(config: ProxyConfig, key: &ApiKey, access: JobAccess) -> Result<Proxy, ProxyError> {
        Proxy::with_clock(config, key, access, Arc::new(SystemClock))
    }

    /// A proxy whose cache, limiters and token checks read `clock` (tests pass a [`ManualClock`]).
    pub fn with_clock(
        config: ProxyConfig,
        key: &ApiKey,
        access: JobAccess,
        clock: Arc<dyn Clock>,
    ) -> Result<Proxy, ProxyError> {
        let upstream = Upstream::new(config.upstream.clone(), key, config.upstream_timeout).map_err(ProxyError::Tls)?;
        let ttl = config.cache_ttl;
        let wall_clock = Arc::clone(&clock);
        let keep_for = move |fetched: &Fetched| match fetched {
            Ok(answer) if is_cacheable(answer) => Some(ttl),
            Ok(answer) if answer.status == StatusCode::TOO_MANY_REQUESTS => {
                retry_delay(answer.retry_after.as_ref(), wall_clock.unix_millis())
                    .map(|delay| delay.min(MAX_THROTTLE_HOLD))
            }
            _ => None,
        };
        let cache = SingleFlight::new(keep_for, Arc::clone(&clock), config.cache_capacity, MAX_STALE);
        let tokens = match &access {
            JobAccess::Tokens(secret) => Some(JobTokens::new(secret)),
            JobAccess::AnyJob => None,
        };
        // Whole seconds, at least one: a browser then never keeps an answer much longer than we do.
        let max_age = config.cache_ttl.as_secs().max(1);
        let visibility = if tokens.is_some() { "private" } else { "public" };
        Ok(Proxy {
            state: Arc::new(ProxyState {
                limiter: RateLimiter::with_max_clients(config.rate_limit, config.rate_limit_clients),
                gate: UpstreamGate::new(config.upstream_rate_limit),
                trusted_proxies: TrustedProxies(config.trusted_proxies.clone()),
                cache_control: HeaderValue::try_from(format!("{visibility}, max-age={max_age}")).expect("ASCII"),
                tokens,
                config,
                upstream,
                cache,
                clock,
            }),
        })
    }

    /// The routes and their layers. Each request needs the connection's peer address as a
    /// [`ConnectInfo`] extension, which [`Proxy::serve`] adds.
    pub fn router(&self) -> Router {
        let state = Arc::clone(&self.state);
        // Each route's methods as one service, so that the layers below wrap it whole: a layer
        // on a method router would run per method and get the router's `Allow` header added.
        let job_methods = get(job)
            .head(job_method_not_allowed)
            .fallback(job_method_not_allowed)
            .with_state(Arc::clone(&state));
        // The raw-path guard answers before any method is looked at.
        let job = middleware::from_fn(routes::canonical_job).layer(job_methods);
        let health = get(health)
            .head(health_method_not_allowed)
            .fallback(health_method_not_allowed);
        // The last layer added sees a request first.
        Router::new()
            .route_service("/api/jobs/{id}/", job)
            .route_service("/healthz", health)
            .fallback(not_found)
            .layer(middleware::from_fn(refuse_large_heads))
            .layer(state.config.allowed_origins.cors(state.tokens.is_some()))
            .layer(SetResponseHeaderLayer::if_not_present(
                CACHE_CONTROL,
                HeaderValue::from_static("no-store"),
            ))
            .layer(SetResponseHeaderLayer::overriding(
                X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(request_span)
                    .on_request(log_arrival)
                    .on_response(log_response)
                    .on_body_chunk(())
                    .on_eos(())
                    .on_failure(()),
            )
            .layer(middleware::map_request_with_state(state, identify_client))
    }

    /// Serves on `listener` until `shutdown` completes, then lets open requests finish (for up
    /// to ten seconds).
    pub async fn serve(self, listener: TcpListener, shutdown: impl Future<Output = ()>) -> std::io::Result<()> {
        let state = &self.state;
        let config = &state.config;
        tracing::info!(
            listen = %listener.local_addr()?,
            upstream = %state.upstream.base(),
            job_access = if state.tokens.is_some() { "job tokens" } else { "any job" },
            allowed_origins = %config.allowed_origins.describe(),
            cache_ttl_s = config.cache_ttl.as_secs_f64(),
            upstream_timeout_s = config.upstream_timeout.as_secs_f64(),
            rate_limit_per_minute = config.rate_limit,
            upstream_rate_limit_per_second = config.upstream_rate_limit,
            max_connections = config.max_connections,
            max_connections_per_client = config.max_connections_per_client,
            "TensorPix proxy ready"
        );
        if state.tokens.is_none() {
            tracing::warn!(
                "--allow-any-job: anyone who can reach this proxy can read every job of the account, \
                 with its file names, download links and cost. Use it only for a private dashboard; \
                 public pages need job tokens (--token-secret-file or TENSORPIX_TOKEN_SECRET)"
            );
        }
        if state.upstream.base().sends_key_in_clear() {
            tracing::warn!(
                "the upstream URL is plain http to another host: the API key crosses the network unencrypted"
            );
        }
        let trusted = state.trusted_proxies.clone();
        let limits = Limits {
            max_connections: config.max_connections,
            max_per_client: Some(config.max_connections_per_client),
            header_read_timeout: config.header_read_timeout,
            write_timeout: config.write_timeout,
            exempt: Arc::new(move |peer| trusted.contains(peer)),
        };
        connections::serve(listener, self.router(), limits, shutdown).await
    }
}

/// Binds `config.listen` and serves until Ctrl-C or SIGTERM.
pub async fn run(config: ProxyConfig, key: ApiKey, access: JobAccess) -> Result<(), ProxyError> {
    let (listener, shutdown) = crate::connections::bind_until_signal(config.listen).await?;
    let proxy = Proxy::new(config, &key, access)?;
    drop(key);
    Ok(proxy
        .serve(listener, shutdown)
        .await
        .map_err(crate::connections::ServeError::Serve)?)
}

/// First of all: who is asking, from the peer address or a trusted load balancer's header.
async fn identify_client(
    State(state): State<Arc<ProxyState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut request: Request,
) -> Request {
    let client = client_ip::client_address(
        peer.ip(),
        request.headers(),
        state.config.client_ip_header.as_ref(),
        &state.trusted_proxies,
    );
    request.extensions_mut().insert(Client(client));
    request
}

/// The request's log context: who asked for what. Never the query nor any other header.
fn request_span(request: &Request) -> Span {
    let client = request.extensions().get::<Client>().map(|client| client.0);
    tracing::info_span!(
        "request",
        client = %client.map_or_else(|| "-".to_owned(), |client| client.to_string()),
        method = %LoggedPath(request.method().as_str()),
        path = %LoggedPath(request.uri().path()),
    )
}

/// For debugging (and for a test that must know when every request has reached the proxy).
fn log_arrival(_request: &Request, _span: &Span) {
    tracing::debug!("arrived");
}

/// One line per answer, in the request's span, with how the cache served it or why the proxy
/// refused it.
fn log_response(response: &Response, latency: Duration, _span: &Span) {
    tracing::info!(
        status = response.status().as_u16(),
        cache = %response.extensions().get::<Source>().map_or("-", |source| source.as_str()),
        denied = %response.extensions().get::<Denied>().map_or("-", |denied| denied.0),
        latency_ms = %format_args!("{:.2}", latency.as_secs_f64() * 1000.0),
        "answered"
    );
}

/// A head between our limit and hyper's (above which hyper answers a bare 431 itself) gets a 431
/// with a `detail`.
async fn refuse_large_heads(request: Request, next: Next) -> Response {
    if head_size(&request) > MAX_REQUEST_HEAD_BYTES {
        return detail(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "Request headers are too large.",
        );
    }
    next.run(request).await
}

/// `GET /api/jobs/{id}/`, the id checked by [`routes::canonical_job`]. The body is never read.
async fn job(
    State(state): State<Arc<ProxyState>>,
    Extension(job): Extension<JobId>,
    Extension(Client(client)): Extension<Client>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = state.refusal(&headers, job) {
        return refusal;
    }
    state.job(job, client).await
}

async fn health() -> Response {
    json(StatusCode::OK, Bytes::from_static(b"{\"status\":\"ok\"}"))
}

async fn not_found() -> Response {
    detail(StatusCode::NOT_FOUND, "Not found.")
}

async fn job_method_not_allowed(method: Method) -> Response {
    method_not_allowed(&method, JOB_METHODS)
}

async fn health_method_not_allowed(method: Method) -> Response {
    method_not_allowed(&method, HEALTH_METHODS)
}

impl ProxyState {
    /// The answer to a request the page's origin or the job token does not allow, checked in
    /// that order before anything else, so that a refusal costs no upstream request.
    fn refusal(&self, headers: &HeaderMap, job: JobId) -> Option<Response> {
        if let Some(origin) = headers.get(ORIGIN)
            && !self.config.allowed_origins.allows(origin)
        {
            return Some(denied(
                StatusCode::FORBIDDEN,
                "origin_not_allowed",
                "This page's origin may not use this proxy.",
            ));
        }
        let tokens = self.tokens.as_ref()?;
        let mut authorization = headers.get_all(AUTHORIZATION).iter();
        let (first, second) = (authorization.next(), authorization.next());
        let checked = match second {
            Some(_) => Err(job_token::Refusal::Malformed),
            None => tokens.check(first, job, self.clock.unix_millis()),
        };
        let refusal = checked.err()?;
        let mut response = denied(refusal.status(), refusal.code(), refusal.detail());
        response
            .headers_mut()
            .insert(WWW_AUTHENTICATE, refusal.www_authenticate());
        Some(response)
    }

    /// The job's answer, marked with how the cache served it (for the log).
    async fn job(self: &Arc<Self>, job: JobId, client: IpAddr) -> Response {
        let now = self.clock.now();
        let admit = || -> Result<(), Held> {
            if let Some(wait) = self.gate.paused_for(now) {
                return Err(Held::Paused(wait));
            }
            self.limiter.acquire(client, now).map_err(Held::Client)?;
            self.gate.acquire(now).map_err(|closed| {
                self.limiter.refund(client);
                match closed {
                    Closed::Ceiling(wait) => Held::Ceiling(wait),
                    Closed::Paused(wait) => Held::Paused(wait),
                }
            })
        };
        let state = Arc::clone(self);
        let served = self
            .cache
            .get(job, admit, move || async move { state.fetch(job).await })
            .await;
        match served {
            Ok(served) => {
                let mut response = self.job_response(&served);
                response.extensions_mut().insert(served.source);
                response
            }
            Err(GetError::Refused(held)) => held_response(held),
            Err(GetError::Full) => {
                let mut response = detail(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The proxy is busy. Try again in a moment.",
                );
                response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(1));
                response
            }
            Err(GetError::Abandoned) => detail(StatusCode::BAD_GATEWAY, "The proxy failed while fetching this job."),
        }
    }

    /// Fetches in the background task the cache runs: the answer reduced to what may leave, an
    /// upstream request to slow down obeyed, and what went wrong logged once per upstream
    /// request rather than once per waiting client.
    async fn fetch(&self, job: JobId) -> Fetched {
        let fetched = fields::reduce(self.upstream.fetch(job).await);
        match &fetched {
            Err(error) => tracing::warn!(job = job.get(), %error, "upstream request failed"),
            Ok(answer) if answer.status == StatusCode::UNAUTHORIZED => tracing::warn!(
                job = job.get(),
                "the TensorPix API refused the proxy's key (401): check {API_KEY_VARIABLE} or --api-key-file"
            ),
            Ok(answer) if answer.status.is_server_error() || answer.status == StatusCode::TOO_MANY_REQUESTS => {
                tracing::warn!(job = job.get(), status = answer.status.as_u16(), "upstream error")
            }
            Ok(_) => {}
        }
        if let Ok(answer) = &fetched {
            let delay = retry_delay(answer.retry_after.as_ref(), self.clock.unix_millis());
            let pause = match answer.status {
                StatusCode::TOO_MANY_REQUESTS => Some(delay.unwrap_or(DEFAULT_THROTTLE_PAUSE)),
                StatusCode::SERVICE_UNAVAILABLE => delay,
                _ => None,
            };
            if let Some(pause) = pause.map(|pause| pause.min(MAX_THROTTLE_HOLD)) {
                tracing::warn!(
                    pause_s = pause.as_secs_f64(),
                    "pausing every upstream request, as the API asked"
                );
                self.gate.pause(self.clock.now(), pause);
            }
        }
        fetched
    }

    fn job_response(&self, served: &Served<Fetched>) -> Response {
        let answer = match &*served.value {
            Ok(answer) => answer,
            Err(UpstreamError::Timeout(_)) => {
                return detail(StatusCode::GATEWAY_TIMEOUT, "The TensorPix API did not answer in time.");
            }
            Err(UpstreamError::Connect(_)) => {
                return detail(StatusCode::BAD_GATEWAY, "The TensorPix API cannot be reached.");
            }
            Err(UpstreamError::Transport(_) | UpstreamError::TooLarge | UpstreamError::NotAJob) => {
                return detail(StatusCode::BAD_GATEWAY, "The TensorPix API sent a broken answer.");
            }
        };
        let status = answer.status;
        let mut response = if status.is_informational() || status.is_redirection() {
            detail(
                StatusCode::BAD_GATEWAY,
                "The TensorPix API answered with an unexpected redirect.",
            )
        } else if !answer.json && status.is_success() {
            detail(StatusCode::BAD_GATEWAY, "The TensorPix API answered without JSON.")
        } else if !answer.json {
            detail(
                status,
                &format!("The TensorPix API answered {status} without a JSON body."),
            )
        } else {
            json(status, answer.body.clone())
        };
        let headers = response.headers_mut();
        if is_cacheable(answer) && served.source != Source::Stale {
            headers.insert(CACHE_CONTROL, self.cache_control.clone());
        }
        if matches!(served.source, Source::Hit | Source::Stale) {
            headers.insert(AGE, HeaderValue::from(served.age.as_secs()));
        }
        if matches!(status, StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE)
            && let Some(retry_after) = &answer.retry_after
        {
            headers.insert(RETRY_AFTER, remaining_retry_after(retry_after, served));
        }
        response
    }
}

/// The proxy's own refusal, with a `code` for scripts and the reason in the log.
fn denied(status: StatusCode, code: &'static str, text: &str) -> Response {
    let mut response = detail_with_code(status, text, code);
    response.extensions_mut().insert(Denied(code));
    response
}

/// A 429 for a job no upstream request was started for, saying why and for how long.
fn held_response(held: Held) -> Response {
    let (wait, why) = match held {
        Held::Client(wait) => (wait, "Too many requests from this address."),
        Held::Ceiling(wait) => (wait, "The proxy is at its limit of requests to the TensorPix API."),
        Held::Paused(wait) => (wait, "The TensorPix API asked the proxy to slow down."),
    };
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    let mut response = detail(
        StatusCode::TOO_MANY_REQUESTS,
        &format!("{why} Try again in {seconds} seconds."),
    );
    response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// Job answers that are the same for every viewer for a while: the job, or that it does not exist.
fn is_cacheable(answer: &UpstreamResponse) -> bool {
    answer.json && matches!(answer.status, StatusCode::OK | StatusCode::NOT_FOUND)
}

/// How long a `Retry-After` asks to wait at `now_millis` (capped at
/// `tensorpix_models::time::MAX_RETRY_AFTER`).
fn retry_delay(value: Option<&HeaderValue>, now_millis: i64) -> Option<Duration> {
    tensorpix_models::time::retry_after(value?.to_str().ok()?, now_millis)
}

/// A cached 429's delay-seconds, counted down by the answer's age; a date needs no adjusting.
fn remaining_retry_after(value: &HeaderValue, served: &Served<Fetched>) -> HeaderValue {
    match value.to_str().ok().and_then(|text| text.trim().parse::<u64>().ok()) {
        Some(seconds) if served.source == Source::Hit => {
            let left = Duration::from_secs(seconds).saturating_sub(served.age);
            HeaderValue::from(left.as_secs_f64().ceil().max(1.0) as u64)
        }
        _ => value.clone(),
    }
}

/// The request line and headers as sent, give or take the separators.
fn head_size(request: &Request) -> usize {
    let uri = request.uri();
    let target = uri.path_and_query().map_or(0, |target| target.as_str().len())
        + uri.authority().map_or(0, |authority| authority.as_str().len());
    let headers: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    request.method().as_str().len() + target + headers + 12
}

/// A path for the log: never the query (where tokens end up), and not endlessly long.
struct LoggedPath<'a>(&'a str);

impl fmt::Display for LoggedPath<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.char_indices().nth(MAX_LOGGED_PATH) {
            Some((cut, _)) => write!(formatter, "{}…", &self.0[..cut]),
            None => formatter.write_str(self.0),
        }
    }
}

/// DRF's wording, so the card shows the same message it would get from the API.
fn method_not_allowed(method: &Method, allow: &'static str) -> Response {
    let mut response = detail(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("Method \"{}\" not allowed.", LoggedPath(method.as_str())),
    );
    response.headers_mut().insert(ALLOW, HeaderValue::from_static(allow));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_read_as_seconds_or_a_date() {
        // 2026-12-02T07:00:00Z, on a whole second as HTTP dates are.
        let now = 1_796_194_800_000;
        assert_eq!(
            retry_delay(Some(&HeaderValue::from_static("2")), now),
            Some(Duration::from_secs(2))
        );
        let date = HeaderValue::try_from(tensorpix_models::time::format_http_date(now + 10_000)).unwrap();
        assert_eq!(retry_delay(Some(&date), now), Some(Duration::from_secs(10)));
        assert_eq!(
            retry_delay(Some(&date), now + 20_000),
            Some(Duration::ZERO),
            "a past date means now"
        );
        assert_eq!(retry_delay(Some(&HeaderValue::from_static("soon")), now), None);
        assert_eq!(
            retry_delay(Some(&HeaderValue::from_static("18446744073709551615")), now),
            Some(tensorpix_models::time::MAX_RETRY_AFTER)
        );
        assert_eq!(retry_delay(None, now), None);
    }

    #[test]
    fn long_paths_are_cut_for_the_log() {
        let long = format!("/{}", "a".repeat(500));
        let logged = LoggedPath(&long).to_string();
        assert_eq!(logged.chars().count(), MAX_LOGGED_PATH + 1);
        assert_eq!(LoggedPath("/api/jobs/1/").to_string(), "/api/jobs/1/");
    }
}
