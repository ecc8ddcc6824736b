//! The production proxy over real HTTP on loopback, in front of the simulator: coalescing and
//! caching, upstream failures, path and header attacks, the key's secrecy, CORS, rate limits.
//! (Job tokens, the field allow-list and the limits added with them are in `tokens.rs` and
//! `limits.rs`.)
//!
//! The proxies here run on a [`ManualClock`]: cached answers and rate-limit buckets never age
//! unless a test moves the clock, so no test depends on how fast the machine is. They check job
//! tokens, as a proxy does by default; [`get`] sends a valid one for the job it asks for.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get as route_get;
use common::{
    Reply, add_fault, bearer, capture_logs, raw_request, request, start_simulator, tokens, upstream_requests,
};
use serde_json::Value;
use tensorpix_models::decode_job;
use tensorpix_server::proxy::api_key::KeySource;
use tensorpix_server::proxy::{AllowedOrigins, ApiKey, JobAccess, ManualClock, Proxy, ProxyConfig};
use tensorpix_server::simulator::DEFAULT_API_KEY;
use tensorpix_server::simulator::catalog::{self, Context, Lookup};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

const ALLOWED_ORIGIN: &str = "https://example.com";

/// Starts a proxy with job tokens in front of `upstream` holding `key`, with `adjust` applied to
/// the defaults (plus one allowed origin), on a clock that stands still.
async fn start_proxy(upstream: SocketAddr, key: &str, adjust: impl FnOnce(&mut ProxyConfig)) -> SocketAddr {
    start_proxy_for(&format!("http://{upstream}"), key, Arc::new(ManualClock::new()), adjust).await
}

async fn start_proxy_for(
    upstream: &str,
    key: &str,
    clock: Arc<ManualClock>,
    adjust: impl FnOnce(&mut ProxyConfig),
) -> SocketAddr {
    start_proxy_granting(upstream, key, tokens(), clock, adjust).await
}

/// [`start_proxy_for`] with the given access instead of job tokens.
async fn start_proxy_granting(
    upstream: &str,
    key: &str,
    access: JobAccess,
    clock: Arc<ManualClock>,
    adjust: impl FnOnce(&mut ProxyConfig),
) -> SocketAddr {
    common::start_proxy_with(upstream, key, access, clock, |config| {
        config.allowed_origins.add(ALLOWED_ORIGIN).unwrap();
        adjust(config);
    })
    .await
}

/// A simulator with the demo key and a proxy in front of it, on a clock that stands still.
async fn start_pair(adjust: impl FnOnce(&mut ProxyConfig)) -> (SocketAddr, SocketAddr) {
    start_pair_on(Arc::new(ManualClock::new()), adjust).await
}

/// A simulator and a proxy whose clock the test moves.
async fn start_pair_on(clock: Arc<ManualClock>, adjust: impl FnOnce(&mut ProxyConfig)) -> (SocketAddr, SocketAddr) {
    let simulator = start_simulator(DEFAULT_API_KEY).await;
    let proxy = start_proxy_for(&format!("http://{simulator}"), DEFAULT_API_KEY, clock, adjust).await;
    (simulator, proxy)
}

/// An upstream that holds every request until `gate` has a permit, then answers with job 102;
/// `requests` counts what reached it.
async fn start_gated_upstream(gate: Arc<Semaphore>, requests: Arc<AtomicUsize>) -> SocketAddr {
    let context = Context {
        origin: "http://127.0.0.1:8099",
        anchor_millis: 1_790_000_000_000,
        now_millis: 1_790_000_000_000,
    };
    let Lookup::Found(job) = catalog::lookup(102, &context, None) else {
        panic!("job 102 is in the catalog")
    };
    let body = serde_json::to_string(&job).unwrap();
    let answer = move || {
        let (gate, requests, body) = (Arc::clone(&gate), Arc::clone(&requests), body.clone());
        async move {
            requests.fetch_add(1, Ordering::SeqCst);
            drop(gate.acquire().await.unwrap());
            ([(CONTENT_TYPE, "application/json")], body)
        }
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let upstream = Router::new().route("/api/jobs/{id}/", route_get(answer));
    tokio::spawn(async move { axum::serve(listener, upstream).await });
    address
}

/// `GET path`, with a token for the job it names.
async fn get(address: SocketAddr, path: &str) -> Reply {
    common::get_job(address, path).await
}

async fn upstream_paths(simulator: SocketAddr) -> Vec<String> {
    let log: Vec<Value> = serde_json::from_str(&get(simulator, "/_sim/log").await.body).unwrap();
    log.iter()
        .map(|entry| entry["path"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_thousand_concurrent_viewers_cost_one_upstream_request() {
    const VIEWERS: usize = 1_000;
    let logs = capture_logs();
    // The upstream answers only once every viewer's request has reached the proxy, however long
    // that takes on a loaded machine, so every request but the first waits for that one answer.
    let gate = Arc::new(Semaphore::new(0));
    let upstream_requests = Arc::new(AtomicUsize::new(0));
    let upstream = start_gated_upstream(Arc::clone(&gate), Arc::clone(&upstream_requests)).await;
    let proxy = start_proxy(upstream, DEFAULT_API_KEY, |config| {
        config.upstream_timeout = Duration::from_secs(300);
        // A thousand viewers from one address, all at once: a crowd behind one NAT.
        config.max_connections = 2 * VIEWERS;
        config.max_connections_per_client = 2 * VIEWERS;
    })
    .await;
    // The viewers run on their own threads, so that sending a thousand requests does not compete
    // with the proxy (on this thread, where its logs are captured) for one core.
    let (done, replies) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let replies = runtime.block_on(async move {
            let viewers: Vec<_> = (0..VIEWERS)
                .map(|_| tokio::spawn(async move { get(proxy, "/api/jobs/102/").await }))
                .collect();
            let mut replies = Vec::new();
            for viewer in viewers {
                replies.push(viewer.await.unwrap());
            }
            replies
        });
        let _ = done.send(replies);
    });
    // The proxy logs a request's arrival when it takes it in, and runs it on this thread up to the
    // cache lookup before this task runs again: once all have arrived, all have joined.
    let arrived = || {
        let text = logs.buffer.text();
        text.lines().filter(|line| line.ends_with(" arrived")).count()
    };
    let deadline = Instant::now() + Duration::from_secs(240);
    while arrived() < VIEWERS {
        assert!(
            Instant::now() < deadline,
            "only {} of {VIEWERS} requests arrived",
            arrived()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    gate.add_permits(1);
    let mut bodies = Vec::new();
    for reply in replies.await.unwrap() {
        assert_eq!(reply.status, 200, "{}", reply.body);
        bodies.push(reply.body);
    }
    assert_eq!(upstream_requests.load(Ordering::SeqCst), 1);
    assert_eq!(decode_job(&bodies[0]).unwrap().id, 102);
    assert!(bodies.iter().all(|body| *body == bodies[0]));
    let logs = logs.buffer.text();
    let count = |cache: &str| logs.matches(&format!("cache={cache}")).count();
    assert_eq!(
        (count("miss"), count("coalesced"), count("hit")),
        (1, VIEWERS - 1, 0),
        "every request after the first waited for the one upstream request"
    );
}

#[tokio::test]
async fn answers_are_reused_for_the_ttl_then_fetched_again() {
    let clock = Arc::new(ManualClock::new());
    let (simulator, proxy) = start_pair_on(Arc::clone(&clock), |config| {
        config.cache_ttl = Duration::from_millis(300);
    })
    .await;
    let first = get(proxy, "/api/jobs/102/").await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("content-type"), Some("application/json"));
    assert_eq!(first.header("cache-control"), Some("private, max-age=1"));
    assert_eq!(first.header("vary"), Some("authorization, origin"));
    assert_eq!(first.header("x-content-type-options"), Some("nosniff"));
    let second = get(proxy, "/api/jobs/102/").await;
    assert_eq!((second.status, second.header("age")), (200, Some("0")));
    assert_eq!(second.body, first.body);
    assert_eq!(upstream_requests(simulator, 102).await, 1);
    clock.advance(Duration::from_millis(299));
    assert_eq!(get(proxy, "/api/jobs/102/").await.header("age"), Some("0"));
    assert_eq!(upstream_requests(simulator, 102).await, 1, "still fresh");
    clock.advance(Duration::from_millis(1));
    assert_eq!(get(proxy, "/api/jobs/102/").await.status, 200);
    assert_eq!(upstream_requests(simulator, 102).await, 2, "expired after the TTL");

    // A 404 for a job that does not exist is kept too; the query string is not forwarded.
    let missing = get(proxy, "/api/jobs/424242/?format=api&next=/_sim/reset").await;
    assert_eq!((missing.status, missing.detail().as_str()), (404, "Not found."));
    assert_eq!(missing.header("cache-control"), Some("private, max-age=1"));
    assert_eq!(get(proxy, "/api/jobs/424242/").await.status, 404);
    assert_eq!(upstream_requests(simulator, 424242).await, 1);
}

#[tokio::test]
async fn an_upstream_429_reaches_the_client_with_its_retry_after() {
    let clock = Arc::new(ManualClock::new());
    let (simulator, proxy) = start_pair_on(Arc::clone(&clock), |_| {}).await;
    add_fault(simulator, 103, "429", 1).await;
    let limited = request(
        proxy,
        "GET",
        "/api/jobs/103/",
        &[("Origin", ALLOWED_ORIGIN), ("Authorization", &bearer(103))],
        "",
    )
    .await;
    assert_eq!((limited.status, limited.header("retry-after")), (429, Some("2")));
    assert!(limited.detail().contains("throttled"), "{}", limited.body);
    assert_eq!(limited.header("cache-control"), Some("no-store"));
    assert_eq!(limited.header("access-control-allow-origin"), Some(ALLOWED_ORIGIN));
    assert_eq!(limited.header("access-control-expose-headers"), Some("retry-after"));
    // Until Retry-After passes, asking upstream again would only prolong the throttling; the
    // kept answer counts its Retry-After down.
    let again = get(proxy, "/api/jobs/103/").await;
    assert_eq!((again.status, again.header("retry-after")), (429, Some("2")));
    clock.advance(Duration::from_millis(1_500));
    let later = get(proxy, "/api/jobs/103/").await;
    assert_eq!((later.status, later.header("retry-after")), (429, Some("1")));
    assert_eq!(upstream_requests(simulator, 103).await, 1);
    clock.advance(Duration::from_millis(500));
    assert_eq!(get(proxy, "/api/jobs/103/").await.status, 200);
    assert_eq!(upstream_requests(simulator, 103).await, 2);
}

#[tokio::test]
async fn upstream_errors_are_passed_on_but_not_kept() {
    let (simulator, proxy) = start_pair(|_| {}).await;
    add_fault(simulator, 104, "503", 1).await;
    let unavailable = get(proxy, "/api/jobs/104/").await;
    assert_eq!(unavailable.status, 503);
    assert!(!unavailable.detail().is_empty());
    assert_eq!(unavailable.header("cache-control"), Some("no-store"));
    assert_eq!(get(proxy, "/api/jobs/104/").await.status, 200, "errors are not cached");

    add_fault(simulator, 105, "502", 1).await;
    let gateway = get(proxy, "/api/jobs/105/").await;
    assert_eq!(gateway.status, 502);
    assert_eq!(gateway.header("content-type"), Some("application/json"));
    assert!(gateway.detail().contains("502 Bad Gateway"), "{}", gateway.body);
    assert!(!gateway.body.contains('<'), "no upstream HTML on the proxy's origin");

    add_fault(simulator, 106, "403", 1).await;
    let forbidden = get(proxy, "/api/jobs/106/").await;
    assert_eq!(forbidden.status, 403);
    assert!(forbidden.detail().contains("permission"));
    assert_eq!(upstream_requests(simulator, 104).await, 2);
}

#[tokio::test]
async fn an_upstream_that_never_answers_gives_504_after_the_timeout() {
    // It accepts connections (the kernel does) and never says a word.
    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = silent.local_addr().unwrap();
    let proxy = start_proxy(upstream, DEFAULT_API_KEY, |config| {
        config.upstream_timeout = Duration::from_millis(300);
    })
    .await;
    let begun = Instant::now();
    let reply = get(proxy, "/api/jobs/102/").await;
    assert_eq!(reply.status, 504);
    assert!(reply.detail().contains("did not answer in time"));
    assert!(begun.elapsed() >= Duration::from_millis(300), "{:?}", begun.elapsed());
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    drop(silent);
}

#[tokio::test]
async fn an_unreachable_upstream_gives_502() {
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap()
    };
    let proxy = start_proxy(closed, DEFAULT_API_KEY, |_| {}).await;
    let reply = get(proxy, "/api/jobs/102/").await;
    assert_eq!(reply.status, 502);
    assert_eq!(reply.detail(), "The TensorPix API cannot be reached.");
    assert_eq!(reply.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn an_https_upstream_goes_through_tls() {
    // The simulator speaks plain HTTP, so the TLS handshake fails: proof that https is not
    // silently downgraded. (A real certificate chain would need a network this machine lacks.)
    let simulator = start_simulator(DEFAULT_API_KEY).await;
    let clock = Arc::new(ManualClock::new());
    let proxy = start_proxy_for(&format!("https://{simulator}"), DEFAULT_API_KEY, clock, |_| {}).await;
    let reply = get(proxy, "/api/jobs/102/").await;
    assert_eq!(
        (reply.status, reply.detail().as_str()),
        (502, "The TensorPix API cannot be reached.")
    );
    assert_eq!(upstream_requests(simulator, 102).await, 0);
}

#[tokio::test]
async fn no_path_method_or_encoding_trick_reaches_another_upstream_path() {
    let (simulator, proxy) = start_pair(|_| {}).await;
    assert_eq!(get(proxy, "/api/jobs/101/").await.status, 200);
    for path in [
        "/api/jobs/..%2f..%2f_sim/stats/",
        "/api/jobs/%2e%2e/",
        "/api/jobs/%2E%2E/%2E%2E/_sim/reset",
        "/api/jobs/1/../../_sim/reset",
        "/api/jobs/..%252f_sim%252fstats/",
        "//api/jobs/1/",
        "/api/jobs/1%2f/",
        "/api/jobs/%31%30%31/",
        "/api/jobs/0/",
        "/api/jobs/-1/",
        "/api/jobs/0101/",
        "/api/jobs/101",
        "/api/jobs/99999999999999999999/",
        "/api/jobs/9223372036854775808/",
        "/api/jobs/",
        "/_sim/stats",
        "/_sim/reset",
        "/_fault/500/api/jobs/101/",
        "/media/after.webm",
        "/",
    ] {
        let reply = get(proxy, path).await;
        assert_eq!((reply.status, reply.detail().as_str()), (404, "Not found."), "{path}");
        assert_eq!(reply.header("content-type"), Some("application/json"), "{path}");
    }
    for method in ["POST", "DELETE", "PUT", "PATCH", "HEAD"] {
        let reply = request(
            proxy,
            method,
            "/api/jobs/101/",
            &[],
            if method == "HEAD" { "" } else { "{}" },
        )
        .await;
        assert_eq!(reply.status, 405, "{method}");
        assert_eq!(reply.header("allow"), Some("GET, OPTIONS"), "{method}");
        if method != "HEAD" {
            assert_eq!(reply.detail(), format!("Method \"{method}\" not allowed."));
        }
    }
    assert_eq!(request(proxy, "POST", "/healthz", &[], "").await.status, 405);

    // Absolute-form targets: only the path counts, and it is matched like any other.
    let sim_stats =
        format!("GET http://{simulator}/_sim/stats HTTP/1.1\r\nHost: {simulator}\r\nConnection: close\r\n\r\n");
    let absolute = raw_request(proxy, sim_stats.as_bytes()).await;
    assert_eq!((absolute.status, absolute.detail().as_str()), (404, "Not found."));
    let evil = format!(
        "GET http://evil.example/api/jobs/101/ HTTP/1.1\r\nHost: evil.example\r\nAuthorization: {}\r\n\
         Connection: close\r\n\r\n",
        bearer(101)
    );
    let elsewhere = raw_request(proxy, evil.as_bytes()).await;
    assert_eq!(
        elsewhere.status, 200,
        "the job comes from the configured upstream, never from the target's host"
    );

    // Oversized heads: a detail up to hyper's own limit, a bare 431 beyond it.
    let big_header = "x".repeat(9_000);
    let large = request(proxy, "GET", "/api/jobs/101/", &[("X-Padding", &big_header)], "").await;
    assert_eq!(large.status, 431);
    assert_eq!(large.detail(), "Request headers are too large.");
    let long_path = format!("/api/jobs/{}/", "1".repeat(9_000));
    assert_eq!(get(proxy, &long_path).await.status, 431);
    let huge_header = "x".repeat(20_000);
    let huge = request(proxy, "GET", "/api/jobs/101/", &[("X-Padding", &huge_header)], "").await;
    assert_eq!(huge.status, 431);
    let many: Vec<(String, String)> = (0..100)
        .map(|index| (format!("X-Header-{index}"), "1".to_owned()))
        .collect();
    let many: Vec<(&str, &str)> = many
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    assert_eq!(request(proxy, "GET", "/api/jobs/101/", &many, "").await.status, 431);

    let paths = upstream_paths(simulator).await;
    assert!(!paths.is_empty(), "the log survived: nothing reset it");
    assert!(
        paths.iter().all(|path| path == "/api/jobs/101/"),
        "only the job route ever reached the simulator: {paths:?}"
    );
}

#[tokio::test]
async fn the_clients_authorization_and_cookies_never_reach_upstream() {
    let simulator = start_simulator("simulator-only-key").await;
    let upstream = format!("http://{simulator}");
    let clock = || Arc::new(ManualClock::new());
    // The simulator refuses a Bearer token: had the job token gone up, this would be a 401.
    let proxy = start_proxy(simulator, "simulator-only-key", |_| {}).await;
    let with_token = [
        ("Authorization", bearer(102)),
        ("Cookie", "sessionid=abc; csrftoken=def".to_owned()),
    ];
    let with_token: Vec<(&str, &str)> = with_token.iter().map(|(name, value)| (*name, value.as_str())).collect();
    let reply = request(proxy, "GET", "/api/jobs/102/", &with_token, "").await;
    assert_eq!(
        reply.status, 200,
        "the proxy's key authenticates, not the client's token"
    );

    let open = start_proxy_granting(&upstream, "simulator-only-key", JobAccess::AnyJob, clock(), |_| {}).await;
    let spoofed = [
        ("Authorization", "Token wrong"),
        ("Cookie", "sessionid=abc; csrftoken=def"),
    ];
    let reply = request(open, "GET", "/api/jobs/102/", &spoofed, "").await;
    assert_eq!(reply.status, 200, "without tokens, a client's Authorization is ignored");

    // The other way round: a proxy with a stale key, a client with the right one. If the client's
    // header were forwarded (or preferred), this would succeed.
    let stale = start_proxy_granting(&upstream, "stale-proxy-key", JobAccess::AnyJob, clock(), |_| {}).await;
    let client_has_the_key = [("Authorization", "Token simulator-only-key")];
    let refused = request(stale, "GET", "/api/jobs/102/", &client_has_the_key, "").await;
    assert_eq!((refused.status, refused.detail().as_str()), (401, "Invalid token."));
    assert_eq!(refused.header("www-authenticate"), None);
    assert_eq!(refused.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn the_key_appears_in_no_answer_and_no_log_line() {
    const KEY: &str = "tpx-4f1d9c0e7b2a-very-secret";
    let logs = capture_logs();
    let simulator = start_simulator(KEY).await;
    // Six upstream requests are allowed, so the last job request below is refused by the proxy.
    // Any job: the client's `Authorization` here is a stray one, which the proxy ignores (the
    // token's own secrecy is tested in `tokens.rs`).
    let proxy = start_proxy_granting(
        &format!("http://{simulator}"),
        KEY,
        JobAccess::AnyJob,
        Arc::new(ManualClock::new()),
        |config| config.rate_limit = 6,
    )
    .await;
    add_fault(simulator, 103, "429", 1).await;
    add_fault(simulator, 104, "401", 1).await;
    add_fault(simulator, 105, "502", 1).await;
    add_fault(simulator, 106, "drop", 1).await;
    let with_credentials = [
        ("Authorization", "Token client-secret-value"),
        ("Origin", ALLOWED_ORIGIN),
    ];
    let mut replies = Vec::new();
    // 103's 429 pauses every upstream request, so it comes last but one; 101 is refused by then.
    for path in [
        "/api/jobs/102/",
        "/api/jobs/102/",
        "/api/jobs/104/",
        "/api/jobs/105/",
        "/api/jobs/106/",
        "/api/jobs/999999/",
        "/api/jobs/103/",
        "/api/jobs/101/",
        "/_sim/stats",
        "/healthz",
    ] {
        replies.push(request(proxy, "GET", path, &with_credentials, "").await);
    }
    replies.push(request(proxy, "POST", "/api/jobs/102/", &with_credentials, "{}").await);
    replies.push(
        request(
            proxy,
            "OPTIONS",
            "/api/jobs/102/",
            &[("Origin", ALLOWED_ORIGIN), ("Access-Control-Request-Method", "GET")],
            "",
        )
        .await,
    );
    let statuses: Vec<u16> = replies.iter().map(|reply| reply.status).collect();
    assert_eq!(statuses, [200, 200, 401, 502, 502, 404, 429, 429, 404, 200, 405, 200]);
    for reply in &replies {
        assert!(!reply.raw.contains(KEY), "{}", reply.raw);
    }
    let logs = logs.buffer.text();
    assert!(logs.contains("TensorPix proxy ready"), "{logs}");
    let answered = logs
        .lines()
        .filter(|line| line.contains("request{client=127.0.0.1 ") && line.contains(" answered status="))
        .count();
    assert_eq!(answered, replies.len(), "one line per request: {logs}");
    assert!(logs.contains("refused the proxy's key"), "{logs}");
    assert!(!logs.contains(KEY), "{logs}");
    assert!(!logs.contains("client-secret-value"), "{logs}");
}

#[tokio::test]
async fn cors_answers_only_the_allowed_origins() {
    let (simulator, proxy) = start_pair(|_| {}).await;
    let preflight = |origin: &'static str, headers: &'static str| async move {
        let request_headers = [
            ("Origin", origin),
            ("Access-Control-Request-Method", "GET"),
            ("Access-Control-Request-Headers", headers),
        ];
        request(proxy, "OPTIONS", "/api/jobs/102/", &request_headers, "").await
    };
    let allowed = preflight(ALLOWED_ORIGIN, "authorization").await;
    assert_eq!((allowed.status, allowed.body.as_str()), (200, ""));
    assert_eq!(allowed.header("access-control-allow-origin"), Some(ALLOWED_ORIGIN));
    assert_eq!(allowed.header("access-control-allow-methods"), Some("GET,OPTIONS"));
    assert_eq!(
        allowed.header("access-control-allow-headers"),
        Some("accept,authorization"),
        "the card sends its job token"
    );
    assert_eq!(allowed.header("vary"), Some("authorization, origin"));
    // Another origin learns which methods exist, but not that it may read: no allow-origin.
    let other = preflight("https://evil.example", "authorization").await;
    assert_eq!(other.header("access-control-allow-origin"), None);

    let token = bearer(102);
    let read = request(
        proxy,
        "GET",
        "/api/jobs/102/",
        &[("Origin", ALLOWED_ORIGIN), ("Authorization", &token)],
        "",
    )
    .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.header("access-control-allow-origin"), Some(ALLOWED_ORIGIN));
    assert_eq!(read.header("access-control-expose-headers"), Some("retry-after"));
    // A page on another origin is refused outright, even with a good token, before any upstream
    // request: CORS alone would only stop it from reading the answer.
    let foreign = request(
        proxy,
        "GET",
        "/api/jobs/103/",
        &[("Origin", "https://evil.example"), ("Authorization", &bearer(103))],
        "",
    )
    .await;
    assert_eq!(foreign.status, 403);
    assert_eq!(foreign.detail(), "This page's origin may not use this proxy.");
    assert_eq!(foreign.header("access-control-allow-origin"), None);
    assert_eq!(foreign.header("vary"), Some("authorization, origin"));
    assert_eq!(upstream_requests(simulator, 103).await, 0);
    // Without an Origin (same-origin, or a server), the token alone decides.
    assert_eq!(get(proxy, "/api/jobs/103/").await.status, 200);

    // Every OPTIONS is answered as a preflight, before routing and without going upstream.
    let plain = request(proxy, "OPTIONS", "/api/jobs/102/", &[], "").await;
    assert_eq!(
        (plain.status, plain.header("access-control-allow-methods")),
        (200, Some("GET,OPTIONS"))
    );
    assert_eq!(plain.header("access-control-allow-origin"), None);
    let elsewhere = request(proxy, "OPTIONS", "/_sim/reset", &[("Origin", ALLOWED_ORIGIN)], "").await;
    assert_eq!((elsewhere.status, elsewhere.body.as_str()), (200, ""));

    let open = start_proxy(simulator, DEFAULT_API_KEY, |config| {
        config.allowed_origins = AllowedOrigins::Any;
    })
    .await;
    let anyone = request(
        open,
        "GET",
        "/api/jobs/102/",
        &[("Origin", "https://anyone.example"), ("Authorization", &token)],
        "",
    )
    .await;
    assert_eq!(anyone.status, 200);
    assert_eq!(anyone.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        anyone.header("vary"),
        Some("authorization"),
        "the same answer for every origin, but each visitor's own"
    );

    let same_origin_only = start_proxy(simulator, DEFAULT_API_KEY, |config| {
        config.allowed_origins = AllowedOrigins::SameOriginOnly;
    })
    .await;
    let cross = request(
        same_origin_only,
        "GET",
        "/api/jobs/102/",
        &[("Origin", ALLOWED_ORIGIN), ("Authorization", &token)],
        "",
    )
    .await;
    assert_eq!(cross.status, 403, "with no origins named, any Origin is another site's");
    assert_eq!(get(same_origin_only, "/api/jobs/102/").await.status, 200);
}

#[tokio::test]
async fn the_rate_limit_counts_upstream_requests_only() {
    let (simulator, proxy) = start_pair(|config| config.rate_limit = 2).await;
    assert_eq!(get(proxy, "/api/jobs/101/").await.status, 200);
    assert_eq!(get(proxy, "/api/jobs/102/").await.status, 200);
    let refused = get(proxy, "/api/jobs/103/").await;
    assert_eq!(refused.status, 429);
    assert!(refused.detail().contains("Too many requests"));
    let seconds: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=30).contains(&seconds), "{seconds}");
    assert_eq!(upstream_requests(simulator, 103).await, 0);
    for _ in 0..20 {
        assert_eq!(get(proxy, "/api/jobs/101/").await.status, 200, "cache hits are free");
    }
}

#[tokio::test]
async fn health_is_always_ok() {
    let clock = Arc::new(ManualClock::new());
    let proxy = start_proxy_for("https://backend.tensorpix.invalid", "any-key", clock, |_| {}).await;
    let health = get(proxy, "/healthz").await;
    assert_eq!((health.status, health.body.as_str()), (200, r#"{"status":"ok"}"#));
    assert_eq!(health.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn the_proxy_stops_when_its_shutdown_future_completes() {
    let simulator = start_simulator(DEFAULT_API_KEY).await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let config = ProxyConfig::from_flags(["--upstream", &format!("http://{simulator}")]).unwrap();
    let key = ApiKey::new(DEFAULT_API_KEY, KeySource::Environment).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(Proxy::new(config, &key, tokens()).unwrap().serve(listener, async {
        let _ = stopped.await;
    }));
    assert_eq!(get(address, "/healthz").await.status, 200);
    stop.send(()).unwrap();
    serving.await.unwrap().unwrap();
    assert!(TcpStream::connect(address).await.is_err(), "it no longer listens");
}
