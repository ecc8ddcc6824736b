//! Command-line parsing for `tensorpix-server`, by hand: two flags do not justify a parser crate.

use std::net::SocketAddr;

use crate::simulator::{DEFAULT_API_KEY, SimulatorConfig};

pub const USAGE: &str = "\
Usage:
  tensorpix-server simulate [--listen ADDR] [--api-key KEY] [--quiet]

Commands:
  simulate   Run a local TensorPix API simulator (demo jobs, fault modes, request counters).

Options for simulate:
  --listen ADDR    Address to listen on [default: 127.0.0.1:8099]
  --api-key KEY    The API key the simulator accepts as `Authorization: Token KEY`
                   [default: tpx-demo-key]
  --quiet          Do not log each request
";

/// What the command line asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Help,
    Simulate(SimulatorConfig),
}

/// Parses the arguments after the program name.
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut args = args.into_iter();
    match args.next().as_deref() {
        None | Some("-h" | "--help" | "help") => return Ok(Command::Help),
        Some("simulate") => {}
        Some(other) => return Err(format!("unknown command `{other}`")),
    }
    let mut config = SimulatorConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 8099)),
        api_key: DEFAULT_API_KEY.to_owned(),
        quiet: false,
    };
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("`{flag}` needs a value"));
        match flag.as_str() {
            "--listen" => {
                let text = value()?;
                config.listen = text
                    .parse()
                    .map_err(|_| format!("`--listen {text}` is not an address such as 127.0.0.1:8099"))?;
            }
            "--api-key" => {
                config.api_key = value()?;
                if config.api_key.trim().is_empty() || config.api_key.contains(char::is_whitespace) {
                    return Err("`--api-key` must be a non-empty key without spaces".to_owned());
                }
            }
            "--quiet" => config.quiet = true,
            "-h" | "--help" => return Ok(Command::Help),
            other => return Err(format!("unknown option `{other}` for `simulate`")),
        }
    }
    Ok(Command::Simulate(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn simulate_has_defaults() {
        let Ok(Command::Simulate(config)) = parse(args("simulate")) else {
            panic!()
        };
        assert_eq!(config.listen.to_string(), "127.0.0.1:8099");
        assert_eq!(config.api_key, DEFAULT_API_KEY);
        assert!(!config.quiet);
    }

    #[test]
    fn simulate_takes_its_flags() {
        let Ok(Command::Simulate(config)) = parse(args("simulate --listen 127.0.0.1:9000 --api-key abc --quiet"))
        else {
            panic!()
        };
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.api_key, "abc");
        assert!(config.quiet);
    }

    #[test]
    fn bad_arguments_are_explained() {
        assert_eq!(parse(args("serve")), Err("unknown command `serve`".into()));
        assert!(
            parse(args("simulate --listen nowhere"))
                .unwrap_err()
                .contains("not an address")
        );
        assert!(parse(args("simulate --listen")).unwrap_err().contains("needs a value"));
        assert!(
            parse(args("simulate --verbose"))
                .unwrap_err()
                .contains("unknown option")
        );
        assert_eq!(parse(args("")), Ok(Command::Help));
    }
}
