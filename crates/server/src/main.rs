//! `tensorpix-server`: runs the local TensorPix API simulator.

use std::process::ExitCode;

use tensorpix_server::cli::{Command, USAGE, parse};
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
    }
}
