//! Command-line parsing for `tensorpix-server`, by hand: a dozen flags do not justify a parser crate.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use http::HeaderName;

use crate::proxy::{ProxyConfig, UpstreamBase};
use crate::simulator::{DEFAULT_API_KEY, SimulatorConfig};

pub const USAGE: &str = "\
Usage:
  tensorpix-server simulate [--listen ADDR] [--api-key KEY] [--quiet]
  tensorpix-server proxy --upstream URL [--listen ADDR] [--allow-origin ORIGIN]... [--cache-ttl SECS]
                         [--upstream-timeout SECS] [--rate-limit N] [--api-key-file PATH]
                         [--client-ip-header NAME] [--quiet]

Commands:
  simulate   Run a local TensorPix API simulator (demo jobs, fault modes, request counters).
  proxy      Run the production proxy: pages point the job card's api-base at it, and it adds the
             API key, so no page carries the key. Serves GET /api/jobs/{id}/ and GET /healthz only.

Options for simulate:
  --listen ADDR    Address to listen on [default: 127.0.0.1:8099]
  --api-key KEY    The API key the simulator accepts as `Authorization: Token KEY`
                   [default: tpx-demo-key]
  --quiet          Do not log each request

Options for proxy (the API key comes from the TENSORPIX_API_KEY environment variable or
--api-key-file, never from the command line):
  --upstream URL            The TensorPix API, e.g. https://backend.tensorpix.ai (required)
  --listen ADDR             Address to listen on [default: 127.0.0.1:8098]
  --allow-origin ORIGIN     A page origin allowed to read answers (CORS), e.g. https://example.com;
                            repeatable or comma-separated; `*` allows any page
                            [default: none, same origin only]
  --cache-ttl SECS          How long a job's answer is reused, fractions allowed [default: 2]
  --upstream-timeout SECS   Give up on the API after this long, with a 504 [default: 10]
  --rate-limit N            Upstream requests one client address may cause per minute; cache hits
                            are free; 0 turns the limit off [default: 120]
  --api-key-file PATH       Read the key from this file instead of TENSORPIX_API_KEY
  --client-ip-header NAME   Take the client's address from the last entry of this header (e.g.
                            X-Forwarded-For); only behind a load balancer that sets it
  --quiet                   Log warnings only, not every request
";

/// What the command line asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Help,
    Simulate(SimulatorConfig),
    Proxy(ProxyConfig),
}

/// Parses the arguments after the program name.
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut args = args.into_iter();
    match args.next().as_deref() {
        None | Some("-h" | "--help" | "help") => return Ok(Command::Help),
        Some("simulate") => {}
        Some("proxy") => return parse_proxy(args),
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

/// The longest `--cache-ttl`: a job card shows live progress, so answers must not be old.
const MAX_CACHE_TTL: Duration = Duration::from_secs(3600);
const MAX_UPSTREAM_TIMEOUT: Duration = Duration::from_secs(300);

fn parse_proxy(mut args: impl Iterator<Item = String>) -> Result<Command, String> {
    let mut upstream = None;
    let mut config = ProxyConfig::new(UpstreamBase::parse("http://127.0.0.1:8099").expect("a valid base"));
    while let Some(flag) = args.next() {
        if flag == "--api-key" || flag.starts_with("--api-key=") {
            // Do not even look at the value: it must not end up in an error message either.
            return Err(format!(
                "`proxy` takes no `--api-key`: a key on the command line shows in `ps` and shell history. \
                 Set the {} environment variable or pass --api-key-file PATH",
                crate::proxy::API_KEY_VARIABLE
            ));
        }
        let mut value = || args.next().ok_or_else(|| format!("`{flag}` needs a value"));
        match flag.as_str() {
            "--upstream" => upstream = Some(UpstreamBase::parse(&value()?)?),
            "--listen" => {
                let text = value()?;
                config.listen = text
                    .parse()
                    .map_err(|_| format!("`--listen {text}` is not an address such as 127.0.0.1:8098"))?;
            }
            "--allow-origin" => config.allowed_origins.add(&value()?)?,
            "--cache-ttl" => config.cache_ttl = seconds("--cache-ttl", &value()?, MAX_CACHE_TTL)?,
            "--upstream-timeout" => {
                config.upstream_timeout = seconds("--upstream-timeout", &value()?, MAX_UPSTREAM_TIMEOUT)?
            }
            "--rate-limit" => {
                let text = value()?;
                config.rate_limit = text.parse().map_err(|_| {
                    format!("`--rate-limit {text}` is not a whole number of requests per minute (0 turns it off)")
                })?;
            }
            "--api-key-file" => config.api_key_file = Some(PathBuf::from(value()?)),
            "--client-ip-header" => {
                let text = value()?;
                config.client_ip_header = Some(
                    HeaderName::try_from(text.as_str())
                        .map_err(|_| format!("`--client-ip-header {text}` is not a header name"))?,
                );
            }
            "--quiet" => config.quiet = true,
            "-h" | "--help" => return Ok(Command::Help),
            other => return Err(format!("unknown option `{other}` for `proxy`")),
        }
    }
    config.upstream = upstream.ok_or("`proxy` needs `--upstream URL`, e.g. --upstream https://backend.tensorpix.ai")?;
    Ok(Command::Proxy(config))
}

/// A positive number of seconds, fractions allowed, at most `max`.
fn seconds(flag: &str, text: &str, max: Duration) -> Result<Duration, String> {
    let parsed = text
        .parse::<f64>()
        .ok()
        .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
        .filter(|duration| !duration.is_zero() && *duration <= max);
    parsed.ok_or_else(|| {
        format!(
            "`{flag} {text}` must be a number of seconds above 0 and at most {}, e.g. 2 or 0.5",
            max.as_secs()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proxy::AllowedOrigins;

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

    fn proxy(line: &str) -> Result<ProxyConfig, String> {
        match parse(args(line))? {
            Command::Proxy(config) => Ok(config),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn proxy_has_defaults() {
        let config = proxy("proxy --upstream https://backend.tensorpix.ai").unwrap();
        assert_eq!(config.upstream.to_string(), "https://backend.tensorpix.ai");
        assert_eq!(config.listen.to_string(), "127.0.0.1:8098");
        assert_eq!(config.allowed_origins, AllowedOrigins::SameOriginOnly);
        assert_eq!(config.cache_ttl, Duration::from_secs(2));
        assert_eq!(config.upstream_timeout, Duration::from_secs(10));
        assert_eq!(config.rate_limit, 120);
        assert_eq!(
            (config.api_key_file, config.client_ip_header, config.quiet),
            (None, None, false)
        );
    }

    #[test]
    fn proxy_takes_its_flags() {
        let config = proxy(
            "proxy --upstream https://backend.tensorpix.ai --listen 0.0.0.0:9000 \
             --allow-origin https://example.com --allow-origin https://a.example,https://b.example \
             --cache-ttl 0.5 --upstream-timeout 2.5 --rate-limit 0 --api-key-file /run/secrets/key \
             --client-ip-header X-Forwarded-For --quiet",
        )
        .unwrap();
        assert_eq!(config.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(
            config.allowed_origins,
            AllowedOrigins::List(vec![
                "https://example.com".into(),
                "https://a.example".into(),
                "https://b.example".into()
            ])
        );
        assert_eq!(config.cache_ttl, Duration::from_millis(500));
        assert_eq!(config.upstream_timeout, Duration::from_millis(2500));
        assert_eq!(config.rate_limit, 0);
        assert_eq!(config.api_key_file, Some(PathBuf::from("/run/secrets/key")));
        assert_eq!(config.client_ip_header.unwrap(), "x-forwarded-for");
        assert!(config.quiet);
        let any = proxy("proxy --allow-origin * --upstream http://127.0.0.1:8099").unwrap();
        assert_eq!(any.allowed_origins, AllowedOrigins::Any);
    }

    #[test]
    fn proxy_refuses_a_key_on_the_command_line() {
        for line in [
            "proxy --upstream https://backend.tensorpix.ai --api-key sekrit",
            "proxy --api-key=sekrit --upstream https://backend.tensorpix.ai",
        ] {
            let message = proxy(line).unwrap_err();
            assert!(
                message.contains("TENSORPIX_API_KEY") && message.contains("--api-key-file"),
                "{message}"
            );
            assert!(!message.contains("sekrit"), "{message}");
        }
    }

    #[test]
    fn bad_proxy_arguments_are_explained() {
        assert!(proxy("proxy").unwrap_err().contains("--upstream"));
        assert!(
            proxy("proxy --upstream backend.tensorpix.ai")
                .unwrap_err()
                .contains("https://")
        );
        let base = "proxy --upstream https://backend.tensorpix.ai";
        for (extra, expected) in [
            ("--cache-ttl 0", "above 0"),
            ("--cache-ttl -1", "above 0"),
            ("--cache-ttl soon", "above 0"),
            ("--cache-ttl NaN", "above 0"),
            ("--cache-ttl 99999", "at most 3600"),
            ("--upstream-timeout 0", "above 0"),
            ("--rate-limit -5", "whole number"),
            ("--allow-origin https://example.com/", "has a path"),
            ("--allow-origin", "needs a value"),
            ("--listen nowhere", "not an address"),
            ("--client-ip-header bad:name", "not a header name"),
            ("--verbose", "unknown option"),
        ] {
            let message = proxy(&format!("{base} {extra}")).unwrap_err();
            assert!(message.contains(expected), "{extra}: {message}");
        }
    }
}
