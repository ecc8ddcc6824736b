//! `cargo xtask`: the workspace's task runner (tool setup, the full test run, the local demo).

mod bench;
mod bundle;
mod bundle_size;
mod demo;
mod embeds;
mod load;
mod net;
mod package;
mod process;
mod results;
mod server;
mod setup;
mod simulator;
mod static_server;
mod stop;
mod test;
mod webdriver;

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// A message for the user; `main` prints it.
    Message(String),
    /// The command already printed everything (e.g. the test summary), so only the exit code is left.
    Reported,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::Message(message)
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Self {
        Failure::Message(message.to_owned())
    }
}

/// `cargo xtask`: set up the tools, run every test, start the demo.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, PartialEq, Eq, Subcommand)]
enum Task {
    /// Install the missing tools: the wasm target, trunk, wasm-bindgen-cli, wasm-opt, and
    /// Chromium, Firefox and their drivers
    Setup {
        /// Leave out the browsers and their drivers
        #[arg(long)]
        no_browsers: bool,
    },
    /// fmt, clippy, native tests, the trunk release build, browser tests against the simulator
    Test(test::Options),
    /// Start the API simulator on 127.0.0.1:8099, the proxy on 127.0.0.1:8098 and `trunk serve
    /// --release` on http://127.0.0.1:8080/ (Ctrl-C or SIGTERM stops all three)
    Demo,
    /// Benchmark the proxy's cached answers: wrk for 10 s on loopback against a release build
    /// (installs wrk with apt-get if missing); not part of `test`
    Load,
    /// Build the release bundle and print what it costs a page: bytes, the first card against a
    /// JavaScript baseline, DOM mutations per update, 100 cards (headless Chromium); also as JSON
    /// in target/bench/bench.json
    Bench,
    /// Trunk's post-build hook: append the <tensorpix-job-card> element to the module
    Bundle,
}

fn main() -> ExitCode {
    // clap prints the help or the error itself, and exits with 0 or 2.
    let Cli { task } = Cli::parse();
    if let Err(message) = stop::handle_signals() {
        eprintln!("xtask: {message}");
        return ExitCode::FAILURE;
    }
    let outcome = match task {
        Task::Setup { no_browsers } => setup::run(!no_browsers),
        Task::Test(options) => test::run(&options),
        Task::Demo => demo::run(),
        Task::Load => load::run(),
        Task::Bundle => bundle::run(),
        Task::Bench => bench::run(),
    };
    if let Some(signal) = stop::stop_signal() {
        if let Err(Failure::Message(message)) = outcome {
            eprintln!("\nxtask: stopped by signal {signal}: {message}");
        }
        // The shell's convention for "ended by this signal".
        return ExitCode::from(128 + signal as u8);
    }
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Message(message)) => {
            eprintln!("\nxtask: error: {message}");
            ExitCode::FAILURE
        }
        Err(Failure::Reported) => ExitCode::FAILURE,
    }
}

/// Prints a step header, so each phase of a long run is easy to find in the log.
pub fn header(title: &str) {
    println!("\n==> {title}");
}

/// "0.8 s", "42.0 s", "6 m 35 s": short enough for one status line.
pub fn format_duration(duration: Duration) -> String {
    let seconds = duration.as_secs_f64();
    if seconds < 60.0 {
        format!("{seconds:.1} s")
    } else {
        let whole = duration.as_secs();
        format!("{} m {:02} s", whole / 60, whole % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Task, String> {
        Cli::try_parse_from(["cargo xtask"].into_iter().chain(line.split_whitespace()))
            .map(|cli| cli.task)
            .map_err(|error| error.to_string())
    }

    #[test]
    fn parses_commands() {
        assert_eq!(parse("setup"), Ok(Task::Setup { no_browsers: false }));
        assert_eq!(parse("setup --no-browsers"), Ok(Task::Setup { no_browsers: true }));
        assert_eq!(parse("demo"), Ok(Task::Demo));
        assert_eq!(parse("load"), Ok(Task::Load));
        assert_eq!(parse("bench"), Ok(Task::Bench));
        assert_eq!(parse("bundle"), Ok(Task::Bundle));
        assert!(parse("load --long").unwrap_err().contains("--long"));
        assert!(parse("demo --now").unwrap_err().contains("--now"));
        assert!(parse("deploy").unwrap_err().contains("deploy"));
        assert!(
            parse("").unwrap_err().contains("Usage: cargo xtask"),
            "no command shows the usage"
        );
    }

    #[test]
    fn formats_durations() {
        assert_eq!(format_duration(Duration::from_millis(1234)), "1.2 s");
        assert_eq!(format_duration(Duration::from_secs(395)), "6 m 35 s");
        assert_eq!(format_duration(Duration::from_secs(61)), "1 m 01 s");
    }
}
