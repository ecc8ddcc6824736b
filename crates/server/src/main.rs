//! `tensorpix-server`: runs the local TensorPix API simulator, or the production proxy.

use std::process::ExitCode;

use tensorpix_server::cli::{Command, USAGE, parse};
use tensorpix_server::proxy::{self, API_KEY_VARIABLE, ApiKey, ProxyConfig};
use tensorpix_server::simulator;

fn main() -> ExitCode {
    let command = match parse(std::env::args().skip(1)) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("tensorpix-server: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match command {
        Command::Help => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Command::Simulate(config) => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a tokio runtime");
            match runtime.block_on(simulator::run(config)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("tensorpix-server: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Proxy(config) => run_proxy(config),
    }
}

fn run_proxy(config: ProxyConfig) -> ExitCode {
    // Read before any thread exists, and refuse to start rather than run without a key.
    let key = match ApiKey::load(config.api_key_file.as_deref(), std::env::var_os(API_KEY_VARIABLE)) {
        Ok(key) => key,
        Err(error) => {
            eprintln!("tensorpix-server proxy: {error}");
            return ExitCode::from(2);
        }
    };
    let level = if config.quiet {
        tracing::Level::WARN
    } else {
        tracing::Level::INFO
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_target(false)
        .init();
    // One worker per core: the proxy is the only thing a production host or container runs.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match runtime.block_on(proxy::run(config, key)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            ExitCode::FAILURE
        }
    }
}
