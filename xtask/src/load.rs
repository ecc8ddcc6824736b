//! `cargo xtask load`: a bounded benchmark of the proxy's cache hits with wrk, on loopback only.

use std::time::{Duration, Instant};

use crate::process::{self, command, find_on_path};
use crate::server::{self, Profile, ProxyOptions};
use crate::simulator::{self, DEFAULT_API_KEY};
use crate::{Failure, format_duration, header, net};

/// The job every request asks for: finished, so its answer never changes.
const JOB_PATH: &str = "/api/jobs/102/";
const WRK_THREADS: &str = "2";
const WRK_CONNECTIONS: &str = "64";
const WRK_DURATION: &str = "10s";
/// The proxy's default TTL, so the run also shows how often a cached job goes upstream.
const CACHE_TTL_SECONDS: &str = "2";

/// The workspace's release profile is tuned for the wasm bundle's size (opt-level "z", fat LTO,
/// one codegen unit). A server wants speed, and fat LTO over rustls and hyper takes minutes on
/// two cores, so the benchmark overrides those three settings for this build only.
const SERVER_RELEASE_SETTINGS: &[(&str, &str)] = &[
    ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "3"),
    ("CARGO_PROFILE_RELEASE_LTO", "false"),
    ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
];

pub fn run() -> Result<(), Failure> {
    header("load test: wrk against the proxy's cached job (loopback only)");
    ensure_wrk()?;

    header("cargo build --release -p tensorpix-server (opt-level 3, no LTO)");
    let started = Instant::now();
    process::run(
        command("cargo")
            .args(["build", "--release", "-p", "tensorpix-server"])
            .envs(SERVER_RELEASE_SETTINGS.iter().copied()),
    )?;
    println!("built in {}", format_duration(started.elapsed()));
    let binary = server::binary_path(Profile::Release);

    header("start the simulator and the proxy");
    let simulator = server::start_simulator(&binary, net::free_port()?, DEFAULT_API_KEY)?;
    let upstream = simulator.url();
    // As in production: every request carries a job token, checked before the cache answers.
    let secret = server::random_secret();
    let token = server::mint_token(
        &binary,
        &server::write_secret_file("load-token-secret", &secret)?,
        102,
        3_600,
    )?;
    let proxy = server::start_proxy(&ProxyOptions {
        binary: &binary,
        port: net::free_port()?,
        upstream: &upstream,
        allow_origin: "*",
        api_key: DEFAULT_API_KEY,
        token_secret: &secret,
        quiet: false,
        discard_log: true,
        // wrk's connections all come from one address: let them in (the default is 64 per client).
        extra_args: &["--cache-ttl", CACHE_TTL_SECONDS, "--max-connections-per-client", "256"],
    })?;
    println!(
        "simulator {upstream}, proxy {} (cache TTL {CACHE_TTL_SECONDS} s)",
        proxy.url()
    );
    // The first request fills the cache; from then on wrk measures hits (and one refresh per TTL).
    match net::status_with_token(&format!("{}{JOB_PATH}", proxy.url()), &token, Duration::from_secs(5)) {
        Ok(200) => {}
        Ok(status) => return Err(format!("warming the cache: GET {JOB_PATH} answered {status}").into()),
        Err(error) => return Err(format!("warming the cache: GET {JOB_PATH} failed: {error}").into()),
    }

    let url = format!("{}{JOB_PATH}", proxy.url());
    header(&format!(
        "wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{WRK_DURATION} --latency -H 'Authorization: Bearer …' {url}"
    ));
    let before = simulator::requests(&upstream)?;
    let (status, output) = process::run_tee(command("wrk").args([
        "-t",
        WRK_THREADS,
        "-c",
        WRK_CONNECTIONS,
        "-d",
        WRK_DURATION,
        "--latency",
        "-H",
        &format!("Authorization: Bearer {token}"),
        &url,
    ]))?;
    let after = simulator::requests(&upstream)?;
    drop(proxy);
    drop(simulator);
    if !status.success() {
        return Err(format!("wrk failed ({status})").into());
    }

    let figures = Figures::parse(&output).ok_or("could not find Requests/sec and the 99% latency in wrk's output")?;
    println!("\nLoad test (cached hits of {JOB_PATH}, {WRK_CONNECTIONS} connections, {WRK_DURATION})");
    println!("  requests/second     {}", figures.requests_per_second);
    println!("  p99 latency         {}", figures.p99_latency);
    println!(
        "  upstream requests   {} during the run (one per {CACHE_TTL_SECONDS} s TTL expected)",
        after.saturating_sub(before)
    );
    if let Some(errors) = &figures.errors {
        return Err(format!("wrk saw failed requests ({errors}): the figures above are not trustworthy").into());
    }
    Ok(())
}

/// What the load test reports, as wrk prints it.
#[derive(Debug, PartialEq, Eq)]
struct Figures {
    requests_per_second: String,
    p99_latency: String,
    /// wrk's "Non-2xx or 3xx responses" or "Socket errors" lines, if any.
    errors: Option<String>,
}

impl Figures {
    fn parse(output: &str) -> Option<Figures> {
        let mut requests_per_second = None;
        let mut p99_latency = None;
        let mut errors = Vec::new();
        for line in output.lines().map(str::trim) {
            if let Some(rate) = line.strip_prefix("Requests/sec:") {
                requests_per_second = Some(rate.trim().to_owned());
            } else if let Some(latency) = line.strip_prefix("99%") {
                p99_latency = Some(latency.trim().to_owned());
            } else if line.starts_with("Non-2xx or 3xx responses:") || line.starts_with("Socket errors:") {
                errors.push(line.to_owned());
            }
        }
        Some(Figures {
            requests_per_second: requests_per_second?,
            p99_latency: p99_latency?,
            errors: (!errors.is_empty()).then(|| errors.join("; ")),
        })
    }
}

/// Installs wrk from Debian's packages when it is missing.
fn ensure_wrk() -> Result<(), String> {
    if find_on_path("wrk").is_some() {
        println!("✓ wrk");
        return Ok(());
    }
    println!("installing wrk (apt-get)…");
    let started = Instant::now();
    process::apt_install(&["wrk"])?;
    if find_on_path("wrk").is_none() {
        return Err("`apt-get install wrk` succeeded but `wrk` is still not on PATH".into());
    }
    println!("✓ wrk (installed in {})", format_duration(started.elapsed()));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRK_OUTPUT: &str = "Running 10s test @ http://127.0.0.1:40000/api/jobs/102/
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.02ms  512.00us  12.34ms   88.00%
    Req/Sec    31.50k     2.10k   36.00k    70.00%
  Latency Distribution
     50%    0.95ms
     75%    1.20ms
     90%    1.60ms
     99%    2.87ms
  626843 requests in 10.00s, 1.50GB read
Requests/sec:  62670.12
Transfer/sec:    153.45MB
";

    #[test]
    fn reads_wrk_figures() {
        assert_eq!(
            Figures::parse(WRK_OUTPUT),
            Some(Figures {
                requests_per_second: "62670.12".into(),
                p99_latency: "2.87ms".into(),
                errors: None,
            })
        );
        let failing = WRK_OUTPUT.replace("Requests/sec", "  Non-2xx or 3xx responses: 17\nRequests/sec");
        assert_eq!(
            Figures::parse(&failing).unwrap().errors.as_deref(),
            Some("Non-2xx or 3xx responses: 17")
        );
        assert_eq!(Figures::parse("wrk: command not found"), None);
    }
}
