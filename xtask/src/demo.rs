//! `cargo xtask demo`: the simulator on :8099, the proxy in front of it on :8098, and
//! `trunk serve --release` on :8080, until Ctrl-C or SIGTERM.

use std::net::{Ipv4Addr, TcpListener};
use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode};
use axum::routing::get;
use tower_http::cors::CorsLayer;

use crate::process::{ChildGuard, command};
use crate::server::{self, Profile, ProxyOptions};
use crate::simulator::{self, DEFAULT_API_KEY};
use crate::{Failure, header, net, setup};

/// Fixed ports: Trunk.toml serves the page on 8080; the simulator takes its default, 8099, and
/// the proxy its own, 8098 (the page's proxy cards use `api-base="http://127.0.0.1:8098"`).
const SIMULATOR_PORT: u16 = 8099;
const PROXY_PORT: u16 = 8098;
/// The demo's stand-in for a site's backend, which mints job tokens (`index.html` asks it).
const TOKEN_PORT: u16 = 8097;
/// Short, so the page's refresh of an expired token is seen working in a demo session.
const DEMO_TOKEN_TTL_SECONDS: u64 = 300;
const DEMO_PORT: u16 = 8080;
const DEMO_URL: &str = "http://127.0.0.1:8080/";
const DEMO_ORIGIN: &str = "http://127.0.0.1:8080";

pub fn run() -> Result<(), Failure> {
    setup::run(false)?;

    header("build the API simulator and proxy");
    simulator::build()?;
    // Check every port up front: a clear message now beats a failure after a minute of building.
    net::ensure_port_free(SIMULATOR_PORT, "the simulator")?;
    net::ensure_port_free(PROXY_PORT, "the proxy")?;
    net::ensure_port_free(TOKEN_PORT, "the token endpoint")?;
    net::ensure_port_free(DEMO_PORT, "trunk serve")?;

    header(&format!("start the API simulator on 127.0.0.1:{SIMULATOR_PORT}"));
    // Quiet: the widget polls, and a log line per request would bury trunk's output.
    let simulator = simulator::start(SIMULATOR_PORT, DEFAULT_API_KEY)?;

    header(&format!(
        "start the proxy on 127.0.0.1:{PROXY_PORT}, requiring job tokens"
    ));
    // The key and the token secret go in the proxy's environment, as in production; quiet for the
    // same reason. A new secret each run, so no token outlives the demo.
    let secret = server::random_secret();
    let secret_file = server::write_secret_file("demo-token-secret", &secret)?;
    let proxy = server::start_proxy(&ProxyOptions {
        binary: &server::binary_path(Profile::Debug),
        port: PROXY_PORT,
        upstream: &simulator.url(),
        allow_origin: DEMO_ORIGIN,
        api_key: DEFAULT_API_KEY,
        token_secret: &secret,
        quiet: true,
        discard_log: false,
        extra_args: &[],
    })?;

    start_token_endpoint(server::binary_path(Profile::Debug), secret_file)?;

    header("trunk serve --release");
    let banner = format!(
        "  demo        {DEMO_URL}\n  simulator   {}  (request log: {0}/_sim/log)\n  API key     {DEFAULT_API_KEY}\n  \
         proxy       {}  (no key in the page; job tokens from http://127.0.0.1:{TOKEN_PORT}/token/{{job}})\n  \
         Ctrl-C stops all three.",
        simulator.url(),
        proxy.url()
    );
    println!("{banner}\n  (the first release build takes a minute or two; trunk's log follows)\n");
    // Each child runs in a process group of its own: Ctrl-C, SIGTERM or SIGHUP reach the runner,
    // which stops the three groups (trunk's builds with trunk); see `stop.rs`. When trunk exits
    // by itself, dropping the servers below stops them.
    let mut trunk = ChildGuard::spawn("trunk serve", command("trunk").args(["serve", "--release"]))?;
    announce_when_ready(banner);
    let status = trunk.wait_or_stop()?;
    drop(trunk);
    drop(proxy);
    drop(simulator);
    match status {
        None => {
            println!("\nstopped: trunk serve, the proxy and the simulator are down");
            Ok(())
        }
        Some(status) if status.success() => Ok(()),
        Some(status) => {
            Err(format!("`trunk serve --release` exited ({status}); the simulator and the proxy were stopped").into())
        }
    }
}

/// Repeats the banner once the page answers, since trunk's build log scrolls the first one away.
fn announce_when_ready(banner: String) {
    thread::spawn(move || {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30 * 60) {
            if let Ok(200) = net::status(DEMO_URL, Duration::from_secs(2)) {
                println!(
                    "\n✓ demo ready after {}\n{banner}\n",
                    crate::format_duration(started.elapsed())
                );
                return;
            }
            thread::sleep(Duration::from_millis(500));
        }
    });
}

/// Serves `GET /token/{job}` on 127.0.0.1:`TOKEN_PORT` to the demo page: a job token from
/// `tensorpix-server token`, as a site's backend would mint one for each page that shows a job.
fn start_token_endpoint(binary: PathBuf, secret_file: PathBuf) -> Result<(), String> {
    let failed = |error: std::io::Error| format!("the token endpoint: {error}");
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, TOKEN_PORT)).map_err(failed)?;
    listener.set_nonblocking(true).map_err(failed)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(failed)?;
    let mint = move |Path(job): Path<i64>| {
        let (binary, secret_file) = (binary.clone(), secret_file.clone());
        async move {
            tokio::task::spawn_blocking(move || server::mint_token(&binary, &secret_file, job, DEMO_TOKEN_TTL_SECONDS))
                .await
                .map_err(|error| error.to_string())
                .and_then(|minted| minted)
                .map_err(|error| (StatusCode::INTERNAL_SERVER_ERROR, error))
        }
    };
    let app = Router::new()
        .route("/token/{job}", get(mint))
        .layer(CorsLayer::new().allow_origin(HeaderValue::from_static(DEMO_ORIGIN)));
    thread::Builder::new()
        .name("token-endpoint".into())
        .spawn(move || {
            let served =
                runtime.block_on(async move { axum::serve(tokio::net::TcpListener::from_std(listener)?, app).await });
            if let Err(error) = served {
                eprintln!("xtask: the demo's token endpoint stopped: {error}");
            }
        })
        .map_err(failed)?;
    Ok(())
}
