//! Building, starting and stopping the local TensorPix API simulator (`tensorpix-server simulate`).

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use crate::net::http_status;
use crate::process::{self, ChildGuard, command, repo_root};

/// The key the simulator accepts by default (`tensorpix_server::simulator::DEFAULT_API_KEY`).
pub const DEFAULT_API_KEY: &str = "tpx-demo-key";
/// How long a fresh simulator may take to answer `GET /_sim/stats`.
const READY_TIMEOUT: Duration = Duration::from_secs(20);
/// The route that proves the simulator is up (no API key needed).
const READY_PATH: &str = "/_sim/stats";

/// A running simulator; dropping it kills and reaps the process.
pub struct Simulator {
    port: u16,
    _process: ChildGuard,
}

impl Simulator {
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// `cargo build -p tensorpix-server` (debug: it builds fast and runs fine for tests and demos).
pub fn build() -> Result<(), String> {
    process::run(command("cargo").args(["build", "-p", "tensorpix-server"]))
}

/// Where `cargo build` puts the binary, honouring `CARGO_TARGET_DIR`.
fn binary_path() -> PathBuf {
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    repo_root().join(target_dir).join("debug").join("tensorpix-server")
}

/// Starts `tensorpix-server simulate` on 127.0.0.1:`port` and waits until it answers.
pub fn start(port: u16, api_key: &str, quiet: bool) -> Result<Simulator, String> {
    let binary = binary_path();
    if !binary.is_file() {
        return Err(format!("{} does not exist: build it first", binary.display()));
    }
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut simulate = command(&binary);
    simulate.args(["simulate", "--listen", &address.to_string(), "--api-key", api_key]);
    if quiet {
        simulate.arg("--quiet");
    }
    let mut process = ChildGuard::spawn("the simulator", &mut simulate)?;
    let started = Instant::now();
    loop {
        if let Some(status) = process.exited()? {
            return Err(format!("the simulator exited before it was ready ({status})"));
        }
        if let Ok(200) = http_status(address, READY_PATH, Duration::from_secs(1)) {
            break;
        }
        if started.elapsed() > READY_TIMEOUT {
            // `process` drops here, so the unready simulator is killed.
            return Err(format!(
                "the simulator did not answer GET {READY_PATH} with 200 on {address} within {} s",
                READY_TIMEOUT.as_secs()
            ));
        }
        thread::sleep(Duration::from_millis(100));
    }
    Ok(Simulator {
        port,
        _process: process,
    })
}
