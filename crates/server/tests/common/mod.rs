//! Test helpers shared by the HTTP test files: a tiny raw HTTP/1.1 client, a simulator and a proxy
//! on free loopback ports, and job tokens.

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

use std::cell::RefCell;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, Once};

use serde_json::Value;
use tensorpix_models::decode_error_body;
use tensorpix_server::proxy::api_key::KeySource;
use tensorpix_server::proxy::job_token::SecretSource;
use tensorpix_server::proxy::{ApiKey, JobAccess, ManualClock, Proxy, ProxyConfig, TokenSecret};
use tensorpix_server::simulator::{self, DEFAULT_API_KEY, SimulatorConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

/// The job-token secret of the proxies under test.
pub const SECRET: &str = "tensorpix-proxy-tests-secret-0123456789abcdef";

/// The README's Rust snippet for minting a token, compiled as it is shown there.
mod readme {
    include!("../snippets/mint_token.rs");

    pub fn mint(job_id: i64, secret: &[u8]) -> String {
        job_token(job_id, secret)
    }
}

/// A token for `job` under [`SECRET`], valid for ten minutes of real time, minted as the README
/// shows.
pub fn token(job: i64) -> String {
    readme::mint(job, SECRET.as_bytes())
}

/// `Bearer <token for job>`.
pub fn bearer(job: i64) -> String {
    format!("Bearer {}", token(job))
}

/// Job tokens under [`SECRET`]: the way a proxy runs by default.
pub fn tokens() -> JobAccess {
    JobAccess::Tokens(TokenSecret::new(SECRET, SecretSource::Environment).unwrap())
}

/// Starts a proxy in front of `upstream` (a base URL) holding `key`, with `access`, on `clock`,
/// with `adjust` applied to the command line's defaults.
pub async fn start_proxy_with(
    upstream: &str,
    key: &str,
    access: JobAccess,
    clock: Arc<ManualClock>,
    adjust: impl FnOnce(&mut ProxyConfig),
) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let listen = address.to_string();
    let mut config = ProxyConfig::from_flags(["--upstream", upstream, "--listen", &listen]).unwrap();
    adjust(&mut config);
    let key = ApiKey::new(key, KeySource::Environment).unwrap();
    let proxy = Proxy::with_clock(config, &key, access, clock).unwrap();
    tokio::spawn(proxy.serve(listener, std::future::pending()));
    address
}

/// A simulator with the demo key and, in front of it, a proxy with job tokens on `clock`.
pub async fn start_token_pair(
    clock: Arc<ManualClock>,
    adjust: impl FnOnce(&mut ProxyConfig),
) -> (SocketAddr, SocketAddr) {
    let simulator = start_simulator(DEFAULT_API_KEY).await;
    let proxy = start_proxy_with(&format!("http://{simulator}"), DEFAULT_API_KEY, tokens(), clock, adjust).await;
    (simulator, proxy)
}

/// `GET path` with a valid token for the job it names, if it names one.
pub async fn get_job(address: SocketAddr, path: &str) -> Reply {
    let job = path
        .split('?')
        .next()
        .and_then(|path| path.strip_prefix("/api/jobs/"))
        .and_then(|rest| rest.strip_suffix('/'))
        .and_then(|id| id.parse::<i64>().ok());
    match job {
        Some(job) => request(address, "GET", path, &[("Authorization", &bearer(job))], "").await,
        None => request(address, "GET", path, &[], "").await,
    }
}

/// How many requests for `job` reached the simulator.
pub async fn upstream_requests(simulator: SocketAddr, job: i64) -> u64 {
    let stats: Value = serde_json::from_str(&request(simulator, "GET", "/_sim/stats", &[], "").await.body).unwrap();
    stats["jobs"][job.to_string()].as_u64().unwrap_or(0)
}

/// How many job requests reached the simulator in all.
pub async fn upstream_total(simulator: SocketAddr) -> u64 {
    let stats: Value = serde_json::from_str(&request(simulator, "GET", "/_sim/stats", &[], "").await.body).unwrap();
    stats["total"].as_u64().unwrap()
}

pub async fn add_fault(simulator: SocketAddr, job: i64, fault: &str, times: u32) {
    let body = format!(r#"{{"job": {job}, "fault": "{fault}", "times": {times}}}"#);
    let reply = request(simulator, "POST", "/_sim/faults", &[], &body).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
}

/// A connection to `address` from the local address `source` (any of 127.0.0.0/8 works on
/// Linux), so that one test can be several clients.
pub async fn connect_from(source: IpAddr, address: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(source, 0)).unwrap();
    socket.connect(address).await.unwrap()
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// False when the connection ended before the body did.
    pub complete: bool,
    /// Everything the server sent, headers and all.
    pub raw: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    pub fn detail(&self) -> String {
        decode_error_body(&self.body).unwrap_or_else(|| panic!("no detail in {:?}", self.body))
    }
}

/// Starts the simulator on a free loopback port, accepting `api_key`.
pub async fn start_simulator(api_key: &str) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let config = SimulatorConfig::new(address, api_key);
    // Until the test's runtime ends: no process-wide signal handler is involved.
    tokio::spawn(simulator::serve(listener, config, std::future::pending()));
    address
}

/// A deliberately small HTTP/1.1 client: one request per connection, `Connection: close`.
pub async fn request(address: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    raw_request(address, request_text(address, method, path, headers, body).as_bytes()).await
}

/// [`request`] from the local address `source`.
pub async fn request_from(source: IpAddr, address: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Reply {
    let stream = connect_from(source, address).await;
    exchange(stream, request_text(address, "GET", path, headers, "").as_bytes()).await
}

fn request_text(address: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    for (name, value) in headers {
        text += &format!("{name}: {value}\r\n");
    }
    if !body.is_empty() {
        text += &format!("Content-Type: application/json\r\nContent-Length: {}\r\n", body.len());
    }
    text += "\r\n";
    text += body;
    text
}

/// Sends `bytes` exactly as given and reads the reply until the server closes the connection.
pub async fn raw_request(address: SocketAddr, bytes: &[u8]) -> Reply {
    exchange(TcpStream::connect(address).await.unwrap(), bytes).await
}

/// Sends `bytes` on `stream` and reads the reply until the server closes the connection.
pub async fn exchange(mut stream: TcpStream, bytes: &[u8]) -> Reply {
    // A server may answer and close before reading everything (a 431): that is its reply.
    let _ = stream.write_all(bytes).await;
    let mut raw = Vec::new();
    let read_ok = stream.read_to_end(&mut raw).await.is_ok();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let Some((head, rest)) = raw.split_once("\r\n\r\n") else {
        return Reply {
            status: 0,
            headers: Vec::new(),
            body: String::new(),
            complete: false,
            raw,
        };
    };
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(": "))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(name, value)| name.eq_ignore_ascii_case("transfer-encoding") && value == "chunked");
    let (body, complete) = if chunked {
        dechunk(rest)
    } else {
        (rest.to_owned(), read_ok)
    };
    Reply {
        status,
        headers,
        body,
        complete,
        raw,
    }
}

fn dechunk(mut rest: &str) -> (String, bool) {
    let mut body = String::new();
    loop {
        let Some((size, after)) = rest.split_once("\r\n") else {
            return (body, false);
        };
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            return (body, false);
        };
        if size == 0 {
            return (body, true);
        }
        if after.len() < size {
            return (body + after, false);
        }
        body += &after[..size];
        rest = after[size..].trim_start_matches("\r\n");
    }
}

/// Log lines written on one thread while a [`LogCapture`] lives there.
#[derive(Clone, Default)]
pub struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

thread_local! {
    static CAPTURE: RefCell<Option<LogBuffer>> = const { RefCell::new(None) };
}

/// Writes to this thread's capture buffer, if any, and otherwise nowhere.
struct ThreadWriter(Option<LogBuffer>);

impl std::io::Write for ThreadWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Some(buffer) = &self.0 {
            buffer.0.lock().unwrap().extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub struct LogCapture {
    pub buffer: LogBuffer,
}

impl Drop for LogCapture {
    fn drop(&mut self) {
        CAPTURE.with(|capture| capture.borrow_mut().take());
    }
}

/// Captures what `tracing` logs on this thread; `#[tokio::test]` runs every task there, the
/// proxy's included. One global subscriber serves every test: with per-test scoped subscribers,
/// tracing caches whether a log statement is wanted by whichever thread reaches it first, so a
/// test without a subscriber could switch logging off for a test with one.
pub fn capture_logs() -> LogCapture {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(|| ThreadWriter(CAPTURE.with(|capture| capture.borrow().clone())))
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
    });
    let buffer = LogBuffer::default();
    CAPTURE.with(|capture| *capture.borrow_mut() = Some(buffer.clone()));
    LogCapture { buffer }
}
