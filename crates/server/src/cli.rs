//! The command line of `tensorpix-server`: one subcommand per server, parsed by clap from the
//! configuration types themselves ([`SimulatorConfig`], [`ProxyConfig`]), so each flag, its
//! default and its help text are stated once, beside the field they fill.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{ArgAction, ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use http::HeaderName;

use ipnet::IpNet;

use crate::proxy::routes::JobId;
use crate::proxy::{
    API_KEY_VARIABLE, AllowedOrigins, ApiKey, ApiKeyError, JobAccess, ProxyConfig, TOKEN_SECRET_VARIABLE, TokenSecret,
    TokenSecretError,
};
use crate::simulator::SimulatorConfig;

#[derive(Parser)]
#[command(name = "tensorpix-server", version, about, arg_required_else_help = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// What the command line asked for.
#[derive(Subcommand)]
pub enum Command {
    /// Run a local TensorPix API simulator (demo jobs, fault modes, request counters)
    #[command(args_override_self = true)]
    Simulate(SimulatorConfig),
    /// Run the production proxy: it adds the API key, so no page carries it
    ///
    /// Pages point the job card's api-base at it; it serves GET /api/jobs/{id}/ and
    /// GET /healthz only, each job only to a request with a job token for it
    /// (Authorization: Bearer <JWT>, see `token`). The key comes from the
    /// TENSORPIX_API_KEY environment variable or --api-key-file, and the token secret
    /// from TENSORPIX_TOKEN_SECRET or --token-secret-file, never from the command line,
    /// where `ps` and shell history show them.
    #[command(args_override_self = true, verbatim_doc_comment)]
    Proxy(Box<ProxyCommand>),
    /// Print a job token: what a site's backend mints for each page that shows a job
    ///
    /// An HS256 JWT with sub = the job id and exp = now + --ttl, signed with the
    /// secret the proxy checks tokens with.
    #[command(verbatim_doc_comment)]
    Token(TokenCommand),
}

/// `token`: which job, for how long, and the secret.
#[derive(Debug, Args)]
pub struct TokenCommand {
    /// The job the token opens
    #[arg(long, value_name = "ID", value_parser = job_id)]
    pub job: JobId,
    /// How long the token is valid, in whole seconds
    #[arg(long, value_name = "SECONDS", value_parser = token_ttl)]
    pub ttl: u64,
    /// The file holding the token secret (the proxy's --token-secret-file)
    #[arg(long, value_name = "PATH")]
    pub secret_file: PathBuf,
}

/// The longest `token --ttl`: a year. Tokens are meant to be short-lived; this only catches a
/// typo such as milliseconds.
pub const MAX_TOKEN_TTL: u64 = 366 * 24 * 3600;

/// `proxy`: its configuration, plus the key and the token secret from the environment.
///
/// It has no `Debug`: the secrets are in it.
#[derive(Args)]
pub struct ProxyCommand {
    #[command(flatten)]
    pub config: ProxyConfig,
    /// Only the environment fills this: [`parse`] refuses the flag itself. Hidden from the help,
    /// and so is the variable's value.
    #[arg(
        long = "api-key",
        env = API_KEY_VARIABLE,
        hide = true,
        hide_env_values = true,
        num_args = 0..=1,
        default_missing_value = "",
        value_parser = clap::value_parser!(OsString),
    )]
    api_key: Option<OsString>,
    /// Likewise for the job-token secret.
    #[arg(
        long = "token-secret",
        env = TOKEN_SECRET_VARIABLE,
        hide = true,
        hide_env_values = true,
        num_args = 0..=1,
        default_missing_value = "",
        value_parser = clap::value_parser!(OsString),
    )]
    token_secret: Option<OsString>,
}

/// Why `proxy` cannot tell who may see which job. No message contains a secret.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error(transparent)]
    Secret(#[from] TokenSecretError),
    #[error(
        "no job-token secret: set the {TOKEN_SECRET_VARIABLE} environment variable or pass --token-secret-file \
         PATH, so that each visitor sees only the job their token names (see `tensorpix-server token --help`). \
         Without tokens, anyone who reaches the proxy could read every job of the account; if that is \
         what you want (a private dashboard), pass --allow-any-job"
    )]
    NoSecret,
    #[error(
        "--allow-any-job and a job-token secret ({TOKEN_SECRET_VARIABLE} or --token-secret-file) contradict \
         each other: drop one"
    )]
    Both,
}

impl ProxyCommand {
    /// The key from `--api-key-file` when one is named, otherwise from `TENSORPIX_API_KEY`.
    pub fn key(&self) -> Result<ApiKey, ApiKeyError> {
        ApiKey::load(self.config.api_key_file.as_deref(), self.api_key.clone())
    }

    /// Job tokens with the secret from `--token-secret-file` or `TENSORPIX_TOKEN_SECRET`, or any
    /// job with `--allow-any-job`; exactly one of them.
    pub fn access(&self) -> Result<JobAccess, AccessError> {
        let secret = TokenSecret::load(self.config.token_secret_file.as_deref(), self.token_secret.clone())?;
        match (secret, self.config.allow_any_job) {
            (Some(secret), false) => Ok(JobAccess::Tokens(secret)),
            (None, true) => Ok(JobAccess::AnyJob),
            (None, false) => Err(AccessError::NoSecret),
            (Some(_), true) => Err(AccessError::Both),
        }
    }
}

/// Why `proxy` refuses `--api-key`. It never names the value, which must not reach a log either.
const KEY_ON_THE_COMMAND_LINE: &str = "`proxy` takes no `--api-key`: a key on the command line shows in `ps` and \
     shell history. Set the TENSORPIX_API_KEY environment variable or pass --api-key-file PATH";

/// Likewise for `--token-secret`.
const SECRET_ON_THE_COMMAND_LINE: &str = "`proxy` takes no `--token-secret`: a secret on the command line shows \
     in `ps` and shell history. Set the TENSORPIX_TOKEN_SECRET environment variable or pass --token-secret-file PATH";

/// Parses the whole command line, program name first. Errors, `--help` and `--version` come
/// back as a [`clap::Error`] whose `exit()` prints them and exits with clap's codes (2 for a
/// usage error, 0 for help).
pub fn parse<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let mut command = Cli::command();
    let matches = command.try_get_matches_from_mut(args)?;
    // Errors found after parsing show the usage of the subcommand they are about.
    let subcommand = command
        .find_subcommand_mut(matches.subcommand_name().expect("a subcommand is required"))
        .expect("a known subcommand");
    if let Some(("proxy", proxy)) = matches.subcommand() {
        if proxy.value_source("api_key") == Some(ValueSource::CommandLine) {
            return Err(subcommand.error(ErrorKind::ArgumentConflict, KEY_ON_THE_COMMAND_LINE));
        }
        if proxy.value_source("token_secret") == Some(ValueSource::CommandLine) {
            return Err(subcommand.error(ErrorKind::ArgumentConflict, SECRET_ON_THE_COMMAND_LINE));
        }
    }
    Cli::from_arg_matches(&matches).map_err(|error| error.format(subcommand))
}

impl ProxyConfig {
    /// The configuration `proxy` would run with given these flags (without the program and
    /// subcommand names), the command line's defaults filling in the rest.
    pub fn from_flags<I, T>(flags: I) -> Result<ProxyConfig, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let mut command = ProxyConfig::augment_args(clap::Command::new("proxy"));
        let arguments = std::iter::once(OsString::from("proxy")).chain(flags.into_iter().map(Into::into));
        let matches = command.try_get_matches_from_mut(arguments)?;
        ProxyConfig::from_arg_matches(&matches).map_err(|error| error.format(&mut command))
    }
}

/// Why a flag's value was refused; clap puts the flag and the value in front.
#[derive(Debug, thiserror::Error)]
pub enum ValueError {
    #[error("not an address and port, such as 127.0.0.1:8080")]
    Address,
    #[error("must be a number of seconds above 0 and at most {}, e.g. 2 or 0.5", .max.as_secs())]
    Seconds { max: Duration },
    #[error("not a whole number of requests per minute (0 turns it off)")]
    PerMinute,
    #[error("not a whole number of requests per second (0 turns it off)")]
    PerSecond,
    #[error("not a whole number above 0")]
    Positive,
    #[error("not a network such as 10.0.0.0/8 or an address such as 10.0.0.5")]
    Network,
    #[error("not a job id: a whole number above 0 without leading zeros, at most 18 digits")]
    JobId,
    #[error("must be a whole number of seconds above 0 and at most {MAX_TOKEN_TTL}")]
    TokenTtl,
    #[error("not a header name")]
    HeaderName,
    #[error("must be a non-empty key without spaces")]
    Key,
}

/// `--listen`: an IP address and a port.
pub fn address(text: &str) -> Result<SocketAddr, ValueError> {
    text.parse().map_err(|_| ValueError::Address)
}

/// A positive number of seconds, fractions allowed, at most `max`.
pub fn seconds_up_to(max: Duration) -> impl Fn(&str) -> Result<Duration, ValueError> + Clone + Send + Sync + 'static {
    move |text| {
        text.parse::<f64>()
            .ok()
            .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
            .filter(|duration| !duration.is_zero() && *duration <= max)
            .ok_or(ValueError::Seconds { max })
    }
}

/// `--rate-limit`: a whole number, 0 included.
pub fn per_minute(text: &str) -> Result<u32, ValueError> {
    text.parse().map_err(|_| ValueError::PerMinute)
}

/// `--upstream-rate-limit`: a whole number, 0 included.
pub fn per_second(text: &str) -> Result<u32, ValueError> {
    text.parse().map_err(|_| ValueError::PerSecond)
}

/// Connection limits: a whole number above 0.
pub fn positive(text: &str) -> Result<usize, ValueError> {
    text.parse().ok().filter(|value| *value > 0).ok_or(ValueError::Positive)
}

/// `--trusted-proxy`: a network or a single address.
pub fn network(text: &str) -> Result<IpNet, ValueError> {
    crate::proxy::client_ip::parse_network(text).map_err(|_| ValueError::Network)
}

/// `token --job`: a job id exactly as the proxy's routes accept it.
pub fn job_id(text: &str) -> Result<JobId, ValueError> {
    JobId::parse(text).ok_or(ValueError::JobId)
}

/// `token --ttl`.
pub fn token_ttl(text: &str) -> Result<u64, ValueError> {
    text.parse()
        .ok()
        .filter(|seconds| (1..=MAX_TOKEN_TTL).contains(seconds))
        .ok_or(ValueError::TokenTtl)
}

/// `simulate --control-origin`: one origin exactly as a browser sends it.
pub fn origin(text: &str) -> Result<String, crate::proxy::OriginError> {
    crate::proxy::origins::parse_origin(text)
}

pub fn header_name(text: &str) -> Result<HeaderName, ValueError> {
    HeaderName::try_from(text).map_err(|_| ValueError::HeaderName)
}

/// The simulator's `--api-key`: it goes into an `Authorization` header as-is.
pub fn simulator_key(text: &str) -> Result<String, ValueError> {
    if text.trim().is_empty() || text.contains(char::is_whitespace) {
        return Err(ValueError::Key);
    }
    Ok(text.to_owned())
}

/// `--allow-origin`, repeatable: each value is checked on its own (one origin, a comma-separated
/// list, or `*`), then all of them are combined, which is where `*` beside a named origin fails.
const ALLOW_ORIGIN: &str = "allow_origin";

impl Args for AllowedOrigins {
    fn augment_args(command: clap::Command) -> clap::Command {
        command.arg(
            clap::Arg::new(ALLOW_ORIGIN)
                .long("allow-origin")
                .value_name("ORIGIN")
                .action(ArgAction::Append)
                .value_parser(|text: &str| AllowedOrigins::default().add(text).map(|()| text.to_owned()))
                .help(
                    "A page origin allowed to use the proxy and read its answers (CORS),\n\
                     e.g. https://example.com; pages on other origins get 403;\n\
                     repeatable or comma-separated; `*` allows any page\n\
                     [default: none, same origin only]",
                ),
        )
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        AllowedOrigins::augment_args(command)
    }
}

impl FromArgMatches for AllowedOrigins {
    fn from_arg_matches(matches: &ArgMatches) -> Result<AllowedOrigins, clap::Error> {
        let mut origins = AllowedOrigins::default();
        origins.update_from_arg_matches(matches)?;
        Ok(origins)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        for text in matches.get_many::<String>(ALLOW_ORIGIN).into_iter().flatten() {
            self.add(text)
                .map_err(|error| clap::Error::raw(ErrorKind::ArgumentConflict, error))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::simulator::DEFAULT_API_KEY;

    fn parse_line(line: &str) -> Result<Cli, clap::Error> {
        parse(std::iter::once("tensorpix-server").chain(line.split_whitespace()))
    }

    fn simulate(line: &str) -> SimulatorConfig {
        match parse_line(line).unwrap().command {
            Command::Simulate(config) => config,
            _ => panic!("not simulate: {line}"),
        }
    }

    /// The message of a refused command line, as the user sees it.
    fn refusal(line: &str) -> String {
        match parse_line(line) {
            Ok(_) => panic!("accepted: {line}"),
            Err(error) => {
                assert_eq!(error.exit_code(), 2, "{line}: {error}");
                error.to_string()
            }
        }
    }

    #[test]
    fn the_parser_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn simulate_has_defaults() {
        let config = simulate("simulate");
        assert_eq!(config.listen.to_string(), "127.0.0.1:8099");
        assert_eq!(config.api_key, DEFAULT_API_KEY);
        assert!(!config.quiet && config.control_origins.is_empty());
        assert_eq!(config.header_read_timeout, crate::simulator::HEADER_READ_TIMEOUT);
    }

    #[test]
    fn simulate_takes_its_flags() {
        let config = simulate(
            "simulate --listen 127.0.0.1:9000 --api-key abc --quiet \
             --control-origin http://192.168.1.5:8080 --control-origin https://demo.example",
        );
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.api_key, "abc");
        assert!(config.quiet);
        assert_eq!(
            config.control_origins,
            ["http://192.168.1.5:8080", "https://demo.example"]
        );
        assert_eq!(
            simulate("simulate --listen 127.0.0.1:1 --listen 127.0.0.1:2")
                .listen
                .port(),
            2,
            "the last wins"
        );
    }

    #[test]
    fn bad_arguments_are_explained() {
        assert!(refusal("serve").contains("unrecognized subcommand 'serve'"));
        assert!(refusal("simulate --listen nowhere").contains("not an address"));
        assert!(refusal("simulate --listen").contains("a value is required"));
        assert!(refusal("simulate --verbose").contains("unexpected argument '--verbose'"));
        assert!(refusal("simulate --api-key").contains("a value is required"));
        assert!(refusal("simulate --control-origin *").contains("https://"));
        assert!(refusal("simulate --control-origin https://demo.example/").contains("has a path"));
        let no_command = parse_line("").err().unwrap();
        assert_eq!(no_command.kind(), ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand);
        assert!(no_command.to_string().contains("Commands:"), "{no_command}");
    }

    #[test]
    fn help_states_each_default_once() {
        let help = |line: &str| {
            let error = parse_line(line).err().unwrap();
            assert_eq!((error.kind(), error.exit_code()), (ErrorKind::DisplayHelp, 0));
            error.to_string()
        };
        let top = help("--help");
        assert!(top.contains("simulate") && top.contains("proxy"), "{top}");
        let simulate = help("simulate --help");
        assert!(simulate.contains("[default: 127.0.0.1:8099]"), "{simulate}");
        assert!(simulate.contains("[default: tpx-demo-key]"), "{simulate}");
        let proxy = help("proxy --help");
        for (expected, times) in [
            ("[default: 127.0.0.1:8098]", 1),
            ("[default: 2]", 1),
            ("[default: 10]", 3),
            ("[default: 120]", 1),
            ("[default: 20]", 1),
            ("[default: 1024]", 1),
            ("[default: 64]", 1),
            ("[default: none, same origin only]", 1),
        ] {
            assert_eq!(proxy.matches(expected).count(), times, "{expected} in {proxy}");
        }
        assert!(
            proxy.contains("TENSORPIX_API_KEY")
                && proxy.contains("TENSORPIX_TOKEN_SECRET")
                && proxy.contains("[OPTIONS] --upstream <URL>"),
            "{proxy}"
        );
        assert!(!proxy.contains("--api-key <"), "a refused flag is not offered: {proxy}");
        assert!(
            !proxy.contains("--token-secret <"),
            "a refused flag is not offered: {proxy}"
        );
        let token = help("token --help");
        assert!(
            token.contains("--job <ID>") && token.contains("--ttl <SECONDS>") && token.contains("--secret-file <PATH>"),
            "{token}"
        );
    }

    fn proxy_command(line: &str) -> Result<ProxyCommand, String> {
        match parse_line(line) {
            Ok(Cli {
                command: Command::Proxy(proxy),
            }) => Ok(*proxy),
            Ok(_) => panic!("not proxy: {line}"),
            Err(error) => {
                assert_eq!(error.exit_code(), 2, "{line}: {error}");
                Err(error.to_string())
            }
        }
    }

    fn proxy(line: &str) -> Result<ProxyConfig, String> {
        proxy_command(line).map(|proxy| proxy.config)
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
        assert_eq!(config.upstream_rate_limit, 20);
        assert_eq!((config.max_connections, config.max_connections_per_client), (1024, 64));
        assert_eq!(
            (config.header_read_timeout, config.write_timeout),
            (Duration::from_secs(10), Duration::from_secs(10))
        );
        assert_eq!(
            (config.cache_capacity, config.rate_limit_clients),
            (crate::proxy::cache::CAPACITY, crate::proxy::rate_limit::MAX_CLIENTS)
        );
        assert!(config.trusted_proxies.is_empty());
        assert_eq!(
            (
                config.api_key_file.clone(),
                config.client_ip_header.clone(),
                config.quiet
            ),
            (None, None, false)
        );
        assert_eq!((config.token_secret_file, config.allow_any_job), (None, false));
        assert_eq!(
            ProxyConfig::from_flags(["--upstream", "https://backend.tensorpix.ai"]).unwrap(),
            proxy("proxy --upstream https://backend.tensorpix.ai").unwrap(),
            "embedders and tests get the command line's defaults"
        );
    }

    #[test]
    fn proxy_takes_its_flags() {
        let config = proxy(
            "proxy --upstream https://backend.tensorpix.ai --listen 0.0.0.0:9000 \
             --allow-origin https://example.com --allow-origin https://a.example,https://b.example \
             --cache-ttl 0.5 --upstream-timeout 2.5 --rate-limit 0 --api-key-file /run/secrets/key \
             --client-ip-header X-Forwarded-For --trusted-proxy 10.0.0.0/8 --trusted-proxy fd00::1 \
             --token-secret-file /run/secrets/tokens --upstream-rate-limit 0 --max-connections 100 \
             --max-connections-per-client 5 --header-read-timeout 2 --write-timeout 0.5 --quiet",
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
        let trusted: Vec<String> = config.trusted_proxies.iter().map(ToString::to_string).collect();
        assert_eq!(trusted, ["10.0.0.0/8", "fd00::1/128"]);
        assert_eq!(config.token_secret_file, Some(PathBuf::from("/run/secrets/tokens")));
        assert_eq!(config.upstream_rate_limit, 0);
        assert_eq!((config.max_connections, config.max_connections_per_client), (100, 5));
        assert_eq!(
            (config.header_read_timeout, config.write_timeout),
            (Duration::from_secs(2), Duration::from_millis(500))
        );
        assert!(config.quiet);
        let any = proxy("proxy --allow-origin * --upstream http://127.0.0.1:8099").unwrap();
        assert_eq!(any.allowed_origins, AllowedOrigins::Any);
    }

    #[test]
    fn proxy_refuses_a_key_on_the_command_line() {
        for line in [
            "proxy --upstream https://backend.tensorpix.ai --api-key sekrit",
            "proxy --api-key=sekrit --upstream https://backend.tensorpix.ai",
            "proxy --upstream https://backend.tensorpix.ai --api-key",
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
    fn proxy_refuses_a_token_secret_on_the_command_line() {
        for line in [
            "proxy --upstream https://backend.tensorpix.ai --token-secret sekrit-secret",
            "proxy --token-secret=sekrit-secret --upstream https://backend.tensorpix.ai",
        ] {
            let message = proxy(line).unwrap_err();
            assert!(
                message.contains("TENSORPIX_TOKEN_SECRET") && message.contains("--token-secret-file"),
                "{message}"
            );
            assert!(!message.contains("sekrit"), "{message}");
        }
    }

    #[test]
    fn proxy_needs_a_token_secret_or_allow_any_job_but_not_both() {
        let path = std::env::temp_dir().join(format!("tensorpix-cli-secret-{}", std::process::id()));
        std::fs::write(&path, "a-secret-that-is-long-enough-for-hs256-tokens\n").unwrap();
        let base = "proxy --upstream https://backend.tensorpix.ai";
        let access = |extra: &str| proxy_command(&format!("{base} {extra}")).unwrap().access();
        let secret_file = format!("--token-secret-file {}", path.display());
        assert!(matches!(access(&secret_file), Ok(JobAccess::Tokens(_))));
        assert!(matches!(access("--allow-any-job"), Ok(JobAccess::AnyJob)));
        let both = access(&format!("{secret_file} --allow-any-job")).unwrap_err();
        assert!(matches!(both, AccessError::Both), "{both}");
        std::fs::remove_file(&path).unwrap();
        // Nothing in this process's environment names a secret unless the tester set one.
        if std::env::var_os(TOKEN_SECRET_VARIABLE).is_none() {
            let message = access("").unwrap_err().to_string();
            for expected in ["TENSORPIX_TOKEN_SECRET", "--token-secret-file", "--allow-any-job"] {
                assert!(message.contains(expected), "{expected} in {message}");
            }
        }
        let unreadable = access("--token-secret-file /nonexistent/secret").unwrap_err();
        assert!(unreadable.to_string().contains("/nonexistent/secret"), "{unreadable}");
    }

    #[test]
    fn token_takes_a_job_a_ttl_and_a_secret_file() {
        let Command::Token(token) = parse_line("token --job 4711 --ttl 600 --secret-file /run/secret")
            .unwrap()
            .command
        else {
            panic!("not token")
        };
        assert_eq!((token.job.get(), token.ttl), (4711, 600));
        assert_eq!(token.secret_file, PathBuf::from("/run/secret"));
        for (line, expected) in [
            ("token --job 0 --ttl 60 --secret-file x", "not a job id"),
            ("token --job 0102 --ttl 60 --secret-file x", "not a job id"),
            ("token --job 1 --ttl 0 --secret-file x", "above 0"),
            ("token --job 1 --ttl 99999999999 --secret-file x", "at most"),
            ("token --job 1 --ttl 60", "--secret-file <PATH>"),
        ] {
            assert!(refusal(line).contains(expected), "{line}: {}", refusal(line));
        }
    }

    #[test]
    fn bad_proxy_arguments_are_explained() {
        assert!(proxy("proxy").unwrap_err().contains("--upstream <URL>"));
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
            ("--upstream-timeout 301", "at most 300"),
            ("--rate-limit -5", "whole number"),
            ("--allow-origin https://example.com/", "has a path"),
            ("--allow-origin *,https://example.com", "cannot be combined"),
            (
                "--allow-origin * --allow-origin https://example.com",
                "cannot be combined",
            ),
            ("--allow-origin", "a value is required"),
            ("--listen nowhere", "not an address"),
            ("--client-ip-header bad:name", "not a header name"),
            ("--client-ip-header X-Forwarded-For", "--trusted-proxy <CIDR>"),
            ("--trusted-proxy 10.0.0.0/8", "--client-ip-header <NAME>"),
            (
                "--client-ip-header X-Forwarded-For --trusted-proxy 10.0.0.0/33",
                "not a network",
            ),
            ("--upstream-rate-limit -1", "requests per second"),
            ("--max-connections 0", "above 0"),
            ("--max-connections-per-client x", "above 0"),
            ("--write-timeout 0", "above 0"),
            ("--header-read-timeout 301", "at most 300"),
            ("--verbose", "unexpected argument '--verbose'"),
        ] {
            let message = proxy(&format!("{base} {extra}")).unwrap_err();
            assert!(message.contains(expected), "{extra}: {message}");
        }
    }
}
