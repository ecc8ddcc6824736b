//! `tensorpix-server`: runs the local TensorPix API simulator, or the production proxy.

use std::process::ExitCode;

use tensorpix_server::cli::{self, Command, ProxyCommand};
use tensorpix_server::proxy;
use tensorpix_server::simulator::{self, SimulatorConfig};

fn main() -> ExitCode {
    // Help, version and usage errors print themselves and exit (0, or 2 for an error).
    let cli = cli::parse(std::env::args_os()).unwrap_or_else(|error| error.exit());
    match cli.command {
        Command::Simulate(config) => simulate(config),
        Command::Proxy(command) => run_proxy(command),
    }
}

fn simulate(config: SimulatorConfig) -> ExitCode {
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

fn run_proxy(command: ProxyCommand) -> ExitCode {
    // Read before any thread exists, and refuse to start rather than run without a key.
    let key = match command.key() {
        Ok(key) => key,
        Err(error) => {
            eprintln!("tensorpix-server proxy: {error}");
            return ExitCode::from(2);
        }
    };
    let config = command.config;
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
