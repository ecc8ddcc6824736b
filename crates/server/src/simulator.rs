//! The local TensorPix API simulator: the job endpoints with real auth, errors, CORS and moving
//! jobs, plus fault modes and request counters that tests control over HTTP.
//!
//! Routes:
//! - `GET /api/jobs/{id}/`, `GET /api/jobs/?limit=&offset=`: the API, behind `Authorization: Token KEY`.
//! - `GET /_fault/{fault}/api/jobs/{id}/`: the same job, spoiled by one fault (see [`Fault::parse`]);
//!   a client points its API base at `/_fault/{fault}` to get a fault on every request.
//! - `GET /_start/{instant}/api/jobs/{id}/`: the same job, dated as if the simulator had started at
//!   `instant` (Unix milliseconds or RFC 3339), so a test can put a job's dates anywhere, such as
//!   across a year boundary, whatever the day it runs.
//! - `POST /_sim/faults` `{"job": 101, "fault": "503", "times": 2}`: spoil the next requests for a
//!   job (or every job when `job` is absent); `DELETE /_sim/faults` clears them.
//! - `GET /_sim/stats`: requests per job; `GET /_sim/log?since=SEQ`: the request log;
//!   `POST /_sim/reset`: clears counters, log, faults and the clocks of moving jobs.
//! - `POST /_sim/fresh-job`: `{"job": id}`, a quick-lifecycle job nobody has asked for yet, so tests
//!   that share one simulator never share a job's clock or counters.
//! - `GET /media/{name}`: thumbnails, before/after clips and output downloads.
//!
//! The API routes answer CORS for any page, like an API would. The `/_sim` control endpoints
//! answer only requests without an `Origin` (tools: curl, test harnesses, xtask) and pages on a
//! loopback origin (`http://127.0.0.1:PORT`, `http://localhost:PORT`, `http://[::1]:PORT`, such
//! as a test runner's) or named with `--control-origin`; any other page gets a 403 and no CORS
//! headers, so a website a developer visits cannot drive a simulator running on their machine.
//!
//! It is a development tool, but it holds up against a stray client: it listens on loopback
//! unless told otherwise, drops connections that take over ten seconds to send a request's head,
//! and keeps bounded state (a log of at most 5,000 entries with paths cut at 200 characters,
//! counters for at most 10,000 job ids, at most 1,000 fault rules).

pub mod catalog;
pub mod faults;
mod media;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tensorpix_models::JobList;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

use self::catalog::{Context, Lookup};
pub use self::faults::Fault;
use self::faults::{FaultRule, FaultRuleRequest};
use crate::answer::{detail, json};
use crate::connections::{self, Limits};

/// The key the simulator accepts unless `--api-key` says otherwise.
pub const DEFAULT_API_KEY: &str = "tpx-demo-key";

/// A client that has not sent a request's head by then is dropped (slow-loris).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How the simulator was started: the `simulate` subcommand's flags.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct SimulatorConfig {
    /// Address to listen on
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8099", value_parser = crate::cli::address)]
    pub listen: SocketAddr,
    /// The API key the simulator accepts as `Authorization: Token KEY`
    #[arg(long, value_name = "KEY", default_value = DEFAULT_API_KEY, value_parser = crate::cli::simulator_key)]
    pub api_key: String,
    /// Do not log each request
    #[arg(long)]
    pub quiet: bool,
    /// A page origin allowed to drive the /_sim control endpoints, e.g.
    /// http://192.168.1.5:8080; repeatable. Tools (no Origin header) and
    /// loopback origins (http://127.0.0.1:*, http://localhost:*) always may
    #[arg(
        long = "control-origin",
        value_name = "ORIGIN",
        action = clap::ArgAction::Append,
        value_parser = crate::cli::origin,
        verbatim_doc_comment
    )]
    pub control_origins: Vec<String>,
    /// How long a client has to send a request's head (not a flag: tests shorten it).
    #[arg(skip = HEADER_READ_TIMEOUT)]
    pub header_read_timeout: Duration,
}

impl SimulatorConfig {
    /// The defaults, listening on `listen` and accepting `api_key`.
    pub fn new(listen: SocketAddr, api_key: &str) -> SimulatorConfig {
        SimulatorConfig {
            listen,
            api_key: api_key.to_owned(),
            quiet: true,
            control_origins: Vec::new(),
            header_read_timeout: HEADER_READ_TIMEOUT,
        }
    }

    /// Whether a page at `origin` may use the `/_sim` control endpoints.
    pub fn allows_control_from(&self, origin: &HeaderValue) -> bool {
        is_loopback_origin(origin)
            || self
                .control_origins
                .iter()
                .any(|allowed| allowed.as_bytes() == origin.as_bytes())
    }
}

/// `http(s)://` and a loopback host: `localhost`, `127.x.x.x` or `[::1]`, any port.
fn is_loopback_origin(origin: &HeaderValue) -> bool {
    let Some(uri) = origin.to_str().ok().and_then(|text| text.parse::<Uri>().ok()) else {
        return false;
    };
    let host = uri.host().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    matches!(uri.scheme_str(), Some("http" | "https"))
        && matches!(uri.path(), "" | "/")
        && (host == "localhost" || host.parse::<IpAddr>().is_ok_and(|address| address.is_loopback()))
}

/// One request, as `GET /_sim/log` reports it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogEntry {
    pub seq: u64,
    pub method: String,
    pub path: String,
    pub job: Option<i64>,
    pub status: u16,
    /// Wall-clock milliseconds when the request arrived.
    pub at_millis: i64,
}

/// Request counters, as `GET /_sim/stats` reports them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Stats {
    /// Requests to the job endpoints.
    pub total: u64,
    /// Requests per job id.
    pub jobs: BTreeMap<i64, u64>,
}

const LOG_CAPACITY: usize = 5_000;
/// Paths are logged up to this many characters.
const MAX_LOGGED_PATH: usize = 200;
/// Job ids counted one by one at most; requests for more are counted in `total` only.
const MAX_COUNTED_JOBS: usize = 10_000;
const MAX_FAULT_RULES: usize = 1_000;

struct Simulator {
    config: SimulatorConfig,
    anchor_millis: i64,
    state: Mutex<SimulatorState>,
}

#[derive(Default)]
struct SimulatorState {
    stats: Stats,
    log: VecDeque<LogEntry>,
    next_seq: u64,
    fault_rules: Vec<FaultRule>,
    /// When each moving job's clock started (its first request since start or reset).
    clocks: HashMap<i64, i64>,
    /// Quick-lifecycle ids already handed out by `/_sim/fresh-job`.
    handed_out: std::collections::HashSet<i64>,
}

impl SimulatorState {
    /// Counts a request for `job`, one by one for the first [`MAX_COUNTED_JOBS`] ids.
    fn count(&mut self, job: i64) {
        self.stats.total += 1;
        let jobs = &mut self.stats.jobs;
        if jobs.len() < MAX_COUNTED_JOBS || jobs.contains_key(&job) {
            *jobs.entry(job).or_default() += 1;
        }
    }
}

impl Simulator {
    fn state(&self) -> MutexGuard<'_, SimulatorState> {
        // A panic while holding the lock cannot leave the counters inconsistent enough to matter.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as i64)
}

/// Builds the simulator's routes.
pub fn router(config: SimulatorConfig) -> Router {
    let simulator = Arc::new(Simulator {
        config,
        anchor_millis: now_millis(),
        state: Mutex::new(SimulatorState::default()),
    });
    let api_cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET])
        // A wildcard does not cover `Authorization` in browsers: it must be named.
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .expose_headers([header::RETRY_AFTER]);
    let api = Router::new()
        .route("/api/jobs/", get(list_jobs))
        .route("/api/jobs/{id}/", get(get_job))
        .route("/_fault/{fault}/api/jobs/{id}/", get(get_job_with_fault))
        .route("/_start/{instant}/api/jobs/{id}/", get(get_job_started_at))
        .route("/media/{name}", get(media::serve))
        .layer(api_cors);
    let allowed = Arc::clone(&simulator);
    let control_cors = CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin, _| {
            allowed.config.allows_control_from(origin)
        }))
        .allow_methods([Method::GET, Method::POST, Method::DELETE])
        .allow_headers([header::CONTENT_TYPE]);
    let control = Router::new()
        .route("/_sim/faults", post(add_fault).delete(clear_faults))
        .route("/_sim/stats", get(stats))
        .route("/_sim/log", get(log))
        .route("/_sim/reset", post(reset))
        .route("/_sim/fresh-job", post(fresh_job))
        .layer(control_cors)
        .layer(middleware::from_fn_with_state(Arc::clone(&simulator), guard_control));
    api.merge(control)
        .fallback(|| async { detail(StatusCode::NOT_FOUND, "Not found.") })
        .with_state(simulator)
}

/// Refuses `/_sim` requests, preflights included, from any page but the allowed ones (see the
/// module docs), before they do anything.
async fn guard_control(State(simulator): State<Arc<Simulator>>, request: Request, next: Next) -> Response {
    match request.headers().get(header::ORIGIN) {
        Some(origin) if !simulator.config.allows_control_from(origin) => detail(
            StatusCode::FORBIDDEN,
            "The /_sim control endpoints answer tools and loopback pages only; \
             start the simulator with --control-origin ORIGIN to allow another page.",
        ),
        _ => next.run(request).await,
    }
}

/// Serves the simulator on an already bound listener until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: SimulatorConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = Limits {
        max_connections: 1_024,
        // Every client is this machine, usually: browsers, test runners, the proxy.
        max_per_client: None,
        header_read_timeout: config.header_read_timeout,
        write_timeout: Duration::from_secs(30),
        exempt: Arc::new(|_| true),
    };
    connections::serve(listener, router(config), limits, shutdown).await
}

/// Why the simulator cannot run.
pub type SimulatorError = crate::connections::ServeError;

/// Binds `config.listen`, says where it listens, and serves until Ctrl-C or SIGTERM.
pub async fn run(config: SimulatorConfig) -> Result<(), SimulatorError> {
    let (listener, shutdown) = crate::connections::bind_until_signal(config.listen).await?;
    let address = listener.local_addr()?;
    if !address.ip().is_loopback() {
        eprintln!(
            "warning: the simulator listens on {address}, beyond this machine: anyone who reaches it can read \
             its demo jobs with the printed key"
        );
    }
    println!(
        "TensorPix API simulator on http://{address} (API key: {})",
        config.api_key
    );
    Ok(serve(listener, config, shutdown).await?)
}

async fn get_job(
    State(simulator): State<Arc<Simulator>>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    answer_job(&simulator, &id, Variant::default(), &uri, &headers).await
}

async fn get_job_with_fault(
    State(simulator): State<Arc<Simulator>>,
    Path((fault, id)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    match Fault::parse(&fault) {
        Some(fault) => {
            let variant = Variant {
                fault: Some(fault),
                ..Variant::default()
            };
            answer_job(&simulator, &id, variant, &uri, &headers).await
        }
        None => detail(StatusCode::NOT_FOUND, &format!("Unknown fault `{fault}`.")),
    }
}

async fn get_job_started_at(
    State(simulator): State<Arc<Simulator>>,
    Path((instant, id)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    match parse_instant(&instant) {
        Some(anchor_millis) => {
            let variant = Variant {
                anchor_millis: Some(anchor_millis),
                ..Variant::default()
            };
            answer_job(&simulator, &id, variant, &uri, &headers).await
        }
        None => detail(
            StatusCode::NOT_FOUND,
            &format!("`{instant}` is no start instant: use Unix milliseconds or RFC 3339."),
        ),
    }
}

/// Unix milliseconds (`1798761600000`) or an RFC 3339 timestamp (`2026-12-31T23:00:00Z`).
fn parse_instant(text: &str) -> Option<i64> {
    if !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit()) {
        return text.parse().ok();
    }
    tensorpix_models::time::parse_rfc3339_millis(text)
}

/// How one request differs from a plain `GET /api/jobs/{id}/`.
#[derive(Debug, Clone, Copy, Default)]
struct Variant {
    /// A fault on this request, from the path.
    fault: Option<Fault>,
    /// The start instant static jobs are dated from, instead of the simulator's own.
    anchor_millis: Option<i64>,
}

async fn answer_job(simulator: &Simulator, id: &str, variant: Variant, uri: &Uri, headers: &HeaderMap) -> Response {
    let arrived = Instant::now();
    let at_millis = now_millis();
    // Like Django's `<int:pk>`: anything but digits is no route at all.
    let job_id = id
        .parse::<i64>()
        .ok()
        .filter(|_| id.bytes().all(|byte| byte.is_ascii_digit()));
    let response = match job_id {
        None => detail(StatusCode::NOT_FOUND, "Not found."),
        Some(job_id) => respond_for_job(simulator, job_id, variant, headers, at_millis).await,
    };
    record(simulator, uri, job_id, response.status(), at_millis, arrived);
    response
}

async fn respond_for_job(
    simulator: &Simulator,
    job_id: i64,
    variant: Variant,
    headers: &HeaderMap,
    at_millis: i64,
) -> Response {
    simulator.state().count(job_id);
    if let Err(response) = authenticate(headers, &simulator.config.api_key) {
        return *response;
    }
    let fault = variant
        .fault
        .or_else(|| take_fault_rule(&mut simulator.state(), job_id));
    if let Some(response) = fault.and_then(|fault| fault.replacement(at_millis)) {
        return response;
    }
    if let Some(Fault::Slow { delay }) = fault {
        tokio::time::sleep(delay).await;
    }
    let origin = origin(headers, simulator.config.listen);
    let context = Context {
        origin: &origin,
        anchor_millis: variant.anchor_millis.unwrap_or(simulator.anchor_millis),
        now_millis: now_millis(),
    };
    let started =
        catalog::lifecycle(job_id).map(|_| *simulator.state().clocks.entry(job_id).or_insert(context.now_millis));
    match catalog::lookup(job_id, &context, started) {
        Lookup::NotFound => detail(StatusCode::NOT_FOUND, "Not found."),
        Lookup::Forbidden => detail(
            StatusCode::FORBIDDEN,
            "You do not have permission to perform this action.",
        ),
        Lookup::Found(job) => {
            let body = serde_json::to_string(&job).expect("jobs serialize");
            match fault {
                Some(fault) => fault.spoil(body),
                None => json(StatusCode::OK, body),
            }
        }
    }
}

/// Checks `Authorization: Token KEY` the way Django REST Framework's `TokenAuthentication` does,
/// answering 401 with DRF's wording when it fails.
fn authenticate(headers: &HeaderMap, api_key: &str) -> Result<(), Box<Response>> {
    let failure = match authentication_failure(headers.get(header::AUTHORIZATION), api_key) {
        None => return Ok(()),
        Some(failure) => failure,
    };
    let mut response = detail(StatusCode::UNAUTHORIZED, failure);
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Token"));
    Err(Box::new(response))
}

fn authentication_failure(value: Option<&HeaderValue>, api_key: &str) -> Option<&'static str> {
    let Some(value) = value else {
        return Some("Authentication credentials were not provided.");
    };
    let words: Vec<&[u8]> = value
        .as_bytes()
        .split(|byte| *byte == b' ')
        .filter(|word| !word.is_empty())
        .collect();
    match words.as_slice() {
        [keyword, ..] if !keyword.eq_ignore_ascii_case(b"token") => {
            Some("Authentication credentials were not provided.")
        }
        [] | [_] => Some("Invalid token header. No credentials provided."),
        [_, key] if *key == api_key.as_bytes() => None,
        [_, _] => Some("Invalid token."),
        _ => Some("Invalid token header. Token string should not contain spaces."),
    }
}

fn take_fault_rule(state: &mut SimulatorState, job_id: i64) -> Option<Fault> {
    let index = state
        .fault_rules
        .iter()
        .position(|rule| rule.job.is_none_or(|job| job == job_id))?;
    let rule = &mut state.fault_rules[index];
    let fault = rule.fault;
    if let Some(remaining) = rule.remaining.as_mut() {
        *remaining -= 1;
        if *remaining == 0 {
            state.fault_rules.remove(index);
        }
    }
    Some(fault)
}

/// The origin clients reached us at, for media URLs; falls back to the listening address.
fn origin(headers: &HeaderMap, listen: SocketAddr) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .filter(|host| {
            !host.is_empty()
                && host
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || b".:-[]".contains(&byte))
        });
    match host {
        Some(host) => format!("http://{host}"),
        None => format!("http://{listen}"),
    }
}

fn record(simulator: &Simulator, uri: &Uri, job: Option<i64>, status: StatusCode, at_millis: i64, arrived: Instant) {
    let mut state = simulator.state();
    let seq = state.next_seq;
    state.next_seq += 1;
    if state.log.len() == LOG_CAPACITY {
        state.log.pop_front();
    }
    let path = match uri.path().char_indices().nth(MAX_LOGGED_PATH) {
        Some((cut, _)) => format!("{}…", &uri.path()[..cut]),
        None => uri.path().to_owned(),
    };
    if !simulator.config.quiet {
        eprintln!(
            "GET {path} -> {} ({} ms)",
            status.as_u16(),
            arrived.elapsed().as_millis()
        );
    }
    state.log.push_back(LogEntry {
        seq,
        method: "GET".into(),
        path,
        job,
        status: status.as_u16(),
        at_millis,
    });
}

#[derive(Deserialize)]
struct Page {
    limit: Option<usize>,
    offset: Option<usize>,
}

async fn list_jobs(State(simulator): State<Arc<Simulator>>, Query(page): Query<Page>, headers: HeaderMap) -> Response {
    if let Err(response) = authenticate(&headers, &simulator.config.api_key) {
        return *response;
    }
    let origin = origin(&headers, simulator.config.listen);
    let context = Context {
        origin: &origin,
        anchor_millis: simulator.anchor_millis,
        now_millis: now_millis(),
    };
    let all: Vec<_> = catalog::DEMO_JOB_IDS
        .iter()
        .filter_map(|id| {
            let started = simulator.state().clocks.get(id).copied();
            match catalog::lookup(*id, &context, started) {
                Lookup::Found(job) => Some(*job),
                _ => None,
            }
        })
        .collect();
    let limit = page.limit.unwrap_or(100).clamp(1, 100);
    let offset = page.offset.unwrap_or(0).min(all.len());
    let end = (offset + limit).min(all.len());
    let link = |offset: usize| format!("{origin}/api/jobs/?limit={limit}&offset={offset}");
    let list = JobList {
        count: all.len() as i64,
        next: (end < all.len()).then(|| link(end)),
        previous: (offset > 0).then(|| link(offset.saturating_sub(limit))),
        results: all[offset..end].to_vec(),
    };
    Json(list).into_response()
}

async fn add_fault(State(simulator): State<Arc<Simulator>>, Json(request): Json<FaultRuleRequest>) -> Response {
    let Some(fault) = Fault::parse(&request.fault) else {
        return detail(StatusCode::BAD_REQUEST, &format!("Unknown fault `{}`.", request.fault));
    };
    if request.times == Some(0) {
        return detail(StatusCode::BAD_REQUEST, "`times` must be at least 1.");
    }
    let mut state = simulator.state();
    if state.fault_rules.len() >= MAX_FAULT_RULES {
        return detail(
            StatusCode::BAD_REQUEST,
            &format!("There are {MAX_FAULT_RULES} fault rules already; DELETE /_sim/faults first."),
        );
    }
    state.fault_rules.push(FaultRule {
        job: request.job,
        fault,
        remaining: request.times,
    });
    StatusCode::NO_CONTENT.into_response()
}

async fn clear_faults(State(simulator): State<Arc<Simulator>>) -> StatusCode {
    simulator.state().fault_rules.clear();
    StatusCode::NO_CONTENT
}

async fn stats(State(simulator): State<Arc<Simulator>>) -> Json<Stats> {
    Json(simulator.state().stats.clone())
}

#[derive(Deserialize)]
struct Since {
    since: Option<u64>,
}

async fn log(State(simulator): State<Arc<Simulator>>, Query(since): Query<Since>) -> Json<Vec<LogEntry>> {
    let since = since.since.unwrap_or(0);
    Json(
        simulator
            .state()
            .log
            .iter()
            .filter(|entry| entry.seq >= since)
            .cloned()
            .collect(),
    )
}

async fn fresh_job(State(simulator): State<Arc<Simulator>>) -> Response {
    let mut state = simulator.state();
    let unused = catalog::QUICK_LIFECYCLE_IDS
        .clone()
        .find(|id| !state.clocks.contains_key(id) && !state.handed_out.contains(id));
    match unused {
        Some(id) => {
            state.handed_out.insert(id);
            Json(serde_json::json!({ "job": id })).into_response()
        }
        None => detail(
            StatusCode::SERVICE_UNAVAILABLE,
            "Every quick-lifecycle job is in use; reset the simulator.",
        ),
    }
}

async fn reset(State(simulator): State<Arc<Simulator>>) -> StatusCode {
    let mut state = simulator.state();
    let next_seq = state.next_seq;
    *state = SimulatorState {
        next_seq,
        ..SimulatorState::default()
    };
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_origins_and_named_ones_may_drive_the_simulator() {
        let mut config = SimulatorConfig::new("127.0.0.1:8099".parse().unwrap(), DEFAULT_API_KEY);
        config.control_origins.push("http://192.168.1.5:8080".into());
        for allowed in [
            "http://127.0.0.1:8080",
            "http://127.0.0.2:1",
            "http://localhost:41234",
            "http://localhost",
            "https://localhost:8443",
            "http://[::1]:8080",
            "http://192.168.1.5:8080",
        ] {
            assert!(
                config.allows_control_from(&HeaderValue::from_static(allowed)),
                "{allowed}"
            );
        }
        for refused in [
            "https://evil.example",
            "http://localhost.evil.example",
            "http://127.0.0.1.nip.io:8099",
            "http://192.168.1.5:8081",
            "null",
            "file://",
            "http://[::2]:8080",
        ] {
            assert!(
                !config.allows_control_from(&HeaderValue::from_static(refused)),
                "{refused}"
            );
        }
    }

    #[test]
    fn counters_keep_at_most_so_many_job_ids() {
        let mut state = SimulatorState::default();
        for job in 0..MAX_COUNTED_JOBS as i64 + 5 {
            state.count(job);
        }
        state.count(0);
        assert_eq!(state.stats.total, MAX_COUNTED_JOBS as u64 + 6);
        assert_eq!(state.stats.jobs.len(), MAX_COUNTED_JOBS);
        assert_eq!(state.stats.jobs[&0], 2, "ids already counted go on being counted");
    }
}
