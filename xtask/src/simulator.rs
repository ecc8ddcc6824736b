//! Building and starting the local TensorPix API simulator (`tensorpix-server simulate`).

use crate::net;
use crate::process::{self, command};
use crate::server::{self, Profile, Server};

/// The key the simulator accepts by default (`tensorpix_server::simulator::DEFAULT_API_KEY`).
pub const DEFAULT_API_KEY: &str = "tpx-demo-key";

/// A running simulator; dropping it kills and reaps the process.
pub type Simulator = Server;

/// `cargo build -p tensorpix-server` (debug: it builds fast and runs fine for tests and demos).
pub fn build() -> Result<(), String> {
    process::run(command("cargo").args(["build", "-p", "tensorpix-server"]))
}

/// Starts the debug build's `simulate --quiet` on 127.0.0.1:`port` and waits until it answers.
pub fn start(port: u16, api_key: &str) -> Result<Simulator, String> {
    server::start_simulator(&server::binary_path(Profile::Debug), port, api_key)
}

/// How many job requests the simulator at `url` has answered (`total` in `GET /_sim/stats`).
pub fn requests(url: &str) -> Result<u64, String> {
    let stats_url = format!("{url}/_sim/stats");
    let stats = net::get_json(&stats_url)?;
    stats["total"]
        .as_u64()
        .ok_or_else(|| format!("GET {stats_url}: no `total` count in {stats}"))
}

/// Forgets every request and fault rule so far (`POST /_sim/reset`).
pub fn reset(url: &str) -> Result<(), String> {
    net::post(&format!("{url}/_sim/reset"))
}
