//! `tensorpix-server`: runs the local TensorPix API simulator or the production proxy, or prints a
//! job token.

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use tensorpix_server::cli::{self, Command, ProxyCommand, TokenCommand};
use tensorpix_server::proxy::{self, TokenSecret, job_token};
use tensorpix_server::simulator::{self, SimulatorConfig};

fn main() -> ExitCode {
    // Help, version and usage errors print themselves and exit (0, or 2 for an error).
    let cli = cli::parse(std::env::args_os()).unwrap_or_else(|error| error.exit());
    match cli.command {
        Command::Simulate(config) => simulate(config),
        Command::Proxy(command) => run_proxy(*command),
        Command::Token(command) => token(&command),
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
    // Read before any thread exists, and refuse to start rather than run without a key, or open
    // to everyone without saying so.
    let secrets = command.key().map_err(|error| error.to_string()).and_then(|key| {
        let access = command.access().map_err(|error| error.to_string())?;
        Ok((key, access))
    });
    let (key, access) = match secrets {
        Ok(secrets) => secrets,
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
    match runtime.block_on(proxy::run(config, key, access)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            ExitCode::FAILURE
        }
    }
}

fn token(command: &TokenCommand) -> ExitCode {
    let secret = match TokenSecret::from_file(&command.secret_file) {
        Ok(secret) => secret,
        Err(error) => {
            eprintln!("tensorpix-server token: {error}");
            return ExitCode::from(2);
        }
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    println!("{}", job_token::mint(&secret, command.job, now, now + command.ttl));
    ExitCode::SUCCESS
}
