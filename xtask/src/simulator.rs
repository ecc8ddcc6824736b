//! Building and starting the local TensorPix API simulator (`tensorpix-server simulate`).

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
