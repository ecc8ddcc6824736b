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

const USAGE: &str = "\
Usage: cargo xtask <command> [options]

Commands:
  setup [--no-browsers]   Install the missing tools (wasm target, trunk, wasm-bindgen-cli, wasm-opt,
                          and unless --no-browsers: Chromium, Firefox, their drivers)
  test [options]          fmt, clippy, native tests, trunk release build, browser tests against the simulator
      --skip-lint                  skip cargo fmt and both clippy runs
      --browser chromium|firefox   run the browser tests in one browser only (default: both)
  demo                    Start the API simulator on 127.0.0.1:8099, the proxy on 127.0.0.1:8098 and
                          `trunk serve --release` on http://127.0.0.1:8080/ (Ctrl-C or SIGTERM stops all three)
  load                    Benchmark the proxy's cached answers: wrk for 10 s on loopback against a
                          release build (installs wrk with apt-get if missing); not part of `test`
  bench                   Build the release bundle and print what it costs a page: bytes, the first
                          card against a JavaScript baseline, DOM mutations per update, 100 cards
                          (headless Chromium); also as JSON in target/bench/bench.json
  bundle                  Trunk's post-build hook: append the <tensorpix-job-card> element to the module
  help                    Show this text";

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

/// A parsed command line.
#[derive(Debug, PartialEq, Eq)]
enum Task {
    Setup { browsers: bool },
    Test(test::Options),
    Demo,
    Load,
    Bundle,
    Bench,
    Help,
}

fn main() -> ExitCode {
    let task = match parse_args(std::env::args().skip(1)) {
        Ok(task) => task,
        Err(message) => {
            eprintln!("xtask: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Err(message) = stop::handle_signals() {
        eprintln!("xtask: {message}");
        return ExitCode::FAILURE;
    }
    let outcome = match task {
        Task::Help => {
            println!("{USAGE}");
            Ok(())
        }
        Task::Setup { browsers } => setup::run(browsers),
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

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Task, String> {
    let Some(command) = args.next() else {
        return Ok(Task::Help);
    };
    let rest: Vec<String> = args.collect();
    match command.as_str() {
        "help" | "--help" | "-h" => Ok(Task::Help),
        "setup" => match rest.as_slice() {
            [] => Ok(Task::Setup { browsers: true }),
            [flag] if flag == "--no-browsers" => Ok(Task::Setup { browsers: false }),
            [other, ..] => Err(format!("unknown option `{other}` for `setup`")),
        },
        "demo" => match rest.first() {
            None => Ok(Task::Demo),
            Some(other) => Err(format!("unknown option `{other}` for `demo`")),
        },
        "test" => test::Options::parse(rest).map(Task::Test),
        "load" => match rest.first() {
            None => Ok(Task::Load),
            Some(other) => Err(format!("unknown option `{other}` for `load`")),
        },
        "bundle" => Ok(Task::Bundle),
        "bench" => Ok(Task::Bench),
        other => Err(format!("unknown command `{other}`")),
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

    fn args(line: &str) -> impl Iterator<Item = String> {
        line.split_whitespace()
            .map(str::to_owned)
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn parses_commands() {
        assert_eq!(parse_args(args("")), Ok(Task::Help));
        assert_eq!(parse_args(args("setup")), Ok(Task::Setup { browsers: true }));
        assert_eq!(
            parse_args(args("setup --no-browsers")),
            Ok(Task::Setup { browsers: false })
        );
        assert_eq!(parse_args(args("demo")), Ok(Task::Demo));
        assert_eq!(parse_args(args("load")), Ok(Task::Load));
        assert!(parse_args(args("load --long")).unwrap_err().contains("--long"));
        assert!(parse_args(args("demo --now")).unwrap_err().contains("--now"));
        assert!(parse_args(args("deploy")).unwrap_err().contains("deploy"));
    }

    #[test]
    fn formats_durations() {
        assert_eq!(format_duration(Duration::from_millis(1234)), "1.2 s");
        assert_eq!(format_duration(Duration::from_secs(395)), "6 m 35 s");
        assert_eq!(format_duration(Duration::from_secs(61)), "1 m 01 s");
    }
}
