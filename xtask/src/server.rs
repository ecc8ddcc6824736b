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
        .env(API_KEY_VARIABLE, options.api_key);
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
