//! Starting `tensorpix-server` processes of either build profile (the proxy, and the simulator for
//! the load test) and waiting until they answer.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::net;
use crate::process::{ChildGuard, command, repo_root};

/// How long a fresh server may take to answer its readiness path.
const READY_TIMEOUT: Duration = Duration::from_secs(20);

/// The environment variable the proxy reads its key from (`tensorpix_server::proxy::API_KEY_VARIABLE`).
pub const API_KEY_VARIABLE: &str = "TENSORPIX_API_KEY";

/// The environment variable the proxy reads its job-token secret from.
pub const TOKEN_SECRET_VARIABLE: &str = "TENSORPIX_TOKEN_SECRET";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Debug,
    Release,
}

/// Where `cargo build [--release]` puts the binary, honouring `CARGO_TARGET_DIR`.
pub fn binary_path(profile: Profile) -> PathBuf {
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    let profile_dir = match profile {
        Profile::Debug => "debug",
        Profile::Release => "release",
    };
    repo_root().join(target_dir).join(profile_dir).join("tensorpix-server")
}

/// A running server; dropping it kills and reaps the process.
pub struct Server {
    port: u16,
    _process: ChildGuard,
}

impl Server {
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// How to start the proxy.
pub struct ProxyOptions<'a> {
    pub binary: &'a Path,
    pub port: u16,
    pub upstream: &'a str,
    pub allow_origin: &'a str,
    /// Passed in the environment, never as an argument.
    pub api_key: &'a str,
    /// The secret job tokens are checked with (the production set-up); in the environment too.
    pub token_secret: &'a str,
    /// Log warnings only.
    pub quiet: bool,
    /// Throw the request log away (a benchmark logs thousands of lines a second).
    pub discard_log: bool,
    /// More flags, e.g. `["--cache-ttl", "2"]`.
    pub extra_args: &'a [&'a str],
}

/// Starts `tensorpix-server proxy` on 127.0.0.1:`port` and waits until `/healthz` answers.
pub fn start_proxy(options: &ProxyOptions) -> Result<Server, String> {
    let mut proxy = command(ensure_built(options.binary)?);
    proxy
        .args(["proxy", "--listen", &format!("127.0.0.1:{}", options.port)])
        .args(["--upstream", options.upstream, "--allow-origin", options.allow_origin])
        .args(options.extra_args)
        .env(API_KEY_VARIABLE, options.api_key)
        .env(TOKEN_SECRET_VARIABLE, options.token_secret);
    if options.quiet {
        proxy.arg("--quiet");
    }
    if options.discard_log {
        proxy.stdout(Stdio::null());
    }
    start("the proxy", &mut proxy, options.port, "/healthz")
}

/// Starts `tensorpix-server simulate --quiet` on 127.0.0.1:`port` and waits until it answers.
pub fn start_simulator(binary: &Path, port: u16, api_key: &str) -> Result<Server, String> {
    let mut simulate = command(ensure_built(binary)?);
    simulate
        .args([
            "simulate",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--api-key",
            api_key,
            "--quiet",
        ])
        .stdout(Stdio::null());
    start("the simulator", &mut simulate, port, "/_sim/stats")
}

/// A secret for job tokens, new for each run: 64 hex digits from std's randomly keyed hasher.
pub fn random_secret() -> String {
    use std::hash::{BuildHasher, RandomState};
    (0..4_u8)
        .map(|part| format!("{:016x}", RandomState::new().hash_one(part)))
        .collect()
}

/// Writes `secret` where only this user can read it, for `tensorpix-server token --secret-file`.
pub fn write_secret_file(name: &str, secret: &str) -> Result<PathBuf, String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;

    let directory = repo_root().join("target/xtask");
    std::fs::create_dir_all(&directory).map_err(|error| format!("{}: {error}", directory.display()))?;
    let path = directory.join(name);
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .and_then(|mut file| file.write_all(secret.as_bytes()))
        .map_err(|error| format!("{}: {error}", path.display()))?;
    Ok(path)
}

/// A job token from `tensorpix-server token`, as a site's backend mints one for each page.
pub fn mint_token(binary: &Path, secret_file: &Path, job: i64, ttl_seconds: u64) -> Result<String, String> {
    let output = command(ensure_built(binary)?)
        .args([
            "token",
            "--job",
            &job.to_string(),
            "--ttl",
            &ttl_seconds.to_string(),
            "--secret-file",
        ])
        .arg(secret_file)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|error| format!("tensorpix-server token: {error}"))?;
    if !output.status.success() {
        return Err(format!("tensorpix-server token failed ({})", output.status));
    }
    String::from_utf8(output.stdout)
        .map(|token| token.trim().to_owned())
        .map_err(|_| "tensorpix-server token printed no text".to_owned())
}

fn ensure_built(binary: &Path) -> Result<&Path, String> {
    if binary.is_file() {
        Ok(binary)
    } else {
        Err(format!("{} does not exist: build it first", binary.display()))
    }
}

fn start(name: &str, command: &mut Command, port: u16, ready_path: &str) -> Result<Server, String> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let ready_url = format!("http://{address}{ready_path}");
    let mut process = ChildGuard::spawn(name, command)?;
    let started = Instant::now();
    loop {
        if let Some(status) = process.exited()? {
            return Err(format!("{name} exited before it was ready ({status})"));
        }
        if let Ok(200) = net::status(&ready_url, Duration::from_secs(1)) {
            return Ok(Server {
                port,
                _process: process,
            });
        }
        if started.elapsed() > READY_TIMEOUT {
            // `process` drops here, so the unready server is killed.
            return Err(format!(
                "{name} did not answer GET {ready_path} with 200 on {address} within {} s",
                READY_TIMEOUT.as_secs()
            ));
        }
        thread::sleep(Duration::from_millis(100));
    }
}
