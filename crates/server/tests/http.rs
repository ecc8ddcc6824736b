//! The simulator over real HTTP on loopback: auth, errors, CORS, fault modes, counters, media,
//! and who may drive its control endpoints.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{Reply, request};
use serde_json::Value;
use tensorpix_models::{DecodeError, JobStatus, decode_error_body, decode_job};
use tensorpix_server::simulator::{self, DEFAULT_API_KEY, SimulatorConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

async fn start() -> SocketAddr {
    common::start_simulator(DEFAULT_API_KEY).await
}

const AUTH: (&str, &str) = ("Authorization", "Token tpx-demo-key");

async fn get(address: SocketAddr, path: &str) -> Reply {
    request(address, "GET", path, &[AUTH], "").await
}

#[tokio::test]
async fn a_job_needs_the_right_token() {
    let address = start().await;
    let missing = request(address, "GET", "/api/jobs/102/", &[], "").await;
    assert_eq!(
        (missing.status, missing.detail().as_str()),
        (401, "Authentication credentials were not provided.")
    );
    assert_eq!(missing.header("www-authenticate"), Some("Token"));
    let wrong = request(address, "GET", "/api/jobs/102/", &[("Authorization", "Token nope")], "").await;
    assert_eq!((wrong.status, wrong.detail().as_str()), (401, "Invalid token."));
    let bearer = request(
        address,
        "GET",
        "/api/jobs/102/",
        &[("Authorization", "Bearer tpx-demo-key")],
        "",
    )
    .await;
    assert_eq!(bearer.status, 401);
    let empty = request(address, "GET", "/api/jobs/102/", &[("Authorization", "Token")], "").await;
    assert_eq!(empty.status, 401);
    let lower_case = request(
        address,
        "GET",
        "/api/jobs/102/",
        &[("Authorization", "token tpx-demo-key")],
        "",
    )
    .await;
    assert_eq!(lower_case.status, 200, "DRF compares the keyword case-insensitively");
    let ok = get(address, "/api/jobs/102/").await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.header("content-type"), Some("application/json"));
    let job = decode_job(&ok.body).unwrap();
    assert_eq!((job.id, job.status), (102, JobStatus::Finished));
    assert!(
        job.output_video
            .unwrap()
            .file
            .unwrap()
            .starts_with(&format!("http://{address}/media/"))
    );
}

#[tokio::test]
async fn unknown_forbidden_and_malformed_ids_get_documented_errors() {
    let address = start().await;
    let unknown = get(address, "/api/jobs/999999/").await;
    assert_eq!((unknown.status, unknown.detail().as_str()), (404, "Not found."));
    let forbidden = get(address, "/api/jobs/403/").await;
    assert_eq!(forbidden.status, 403);
    assert!(forbidden.detail().contains("permission"));
    for path in [
        "/api/jobs/abc/",
        "/api/jobs/-1/",
        "/api/jobs/102",
        "/api/jobs/99999999999999999999/",
        "/nothing",
    ] {
        let reply = get(address, path).await;
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(reply.detail(), "Not found.");
    }
}

#[tokio::test]
async fn cors_lets_any_page_read_the_api() {
    let address = start().await;
    let preflight = request(
        address,
        "OPTIONS",
        "/api/jobs/102/",
        &[
            ("Origin", "http://127.0.0.1:9999"),
            ("Access-Control-Request-Method", "GET"),
            ("Access-Control-Request-Headers", "authorization"),
        ],
        "",
    )
    .await;
    assert_eq!(preflight.status, 200);
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    assert!(
        preflight
            .header("access-control-allow-headers")
            .unwrap()
            .contains("authorization")
    );
    for path in [
        "/api/jobs/102/",
        "/api/jobs/1/",
        "/_fault/502/api/jobs/102/",
        "/_fault/429/api/jobs/102/",
    ] {
        let reply = request(address, "GET", path, &[AUTH, ("Origin", "http://127.0.0.1:9999")], "").await;
        assert_eq!(reply.header("access-control-allow-origin"), Some("*"), "{path}");
        assert_eq!(
            reply.header("access-control-expose-headers"),
            Some("retry-after"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn fault_modes_misbehave_as_named() {
    let address = start().await;
    let server_error = get(address, "/_fault/500/api/jobs/102/").await;
    assert_eq!(server_error.status, 500);
    assert!(!server_error.detail().is_empty());
    let unavailable = get(address, "/_fault/503/api/jobs/102/").await;
    assert_eq!(unavailable.status, 503);
    let gateway = get(address, "/_fault/502/api/jobs/102/").await;
    assert_eq!(
        (gateway.status, gateway.header("content-type")),
        (502, Some("text/html"))
    );
    assert!(gateway.body.contains("<h1>502 Bad Gateway</h1>"));
    assert_eq!(decode_error_body(&gateway.body), None);

    let limited = get(address, "/_fault/429/api/jobs/102/").await;
    assert_eq!((limited.status, limited.header("retry-after")), (429, Some("2")));
    assert!(limited.detail().contains("throttled"));
    let custom = get(address, "/_fault/429-7/api/jobs/102/").await;
    assert_eq!(custom.header("retry-after"), Some("7"));
    let unix_millis = || SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64;
    let before = unix_millis();
    let dated = get(address, "/_fault/429-date/api/jobs/102/").await;
    let after = unix_millis();
    let until = tensorpix_models::time::parse_http_date(dated.header("retry-after").unwrap()).expect("an HTTP date");
    // Two seconds after the request arrived, in the whole seconds an HTTP date has.
    assert!(
        (before + 2_000 - 1_000..=after + 2_000).contains(&until),
        "two seconds after a request made between {before} and {after}: {until}"
    );

    let begun = Instant::now();
    let slow = get(address, "/_fault/slow-400/api/jobs/102/").await;
    assert!(begun.elapsed() >= Duration::from_millis(400));
    assert_eq!(slow.status, 200);
    assert!(decode_job(&slow.body).is_ok());

    let truncated = get(address, "/_fault/truncated/api/jobs/102/").await;
    assert_eq!(truncated.status, 200);
    assert!(truncated.complete, "the body is short, but framed correctly");
    assert!(matches!(decode_job(&truncated.body), Err(DecodeError::Syntax)));
    let malformed = get(address, "/_fault/malformed/api/jobs/102/").await;
    assert!(matches!(decode_job(&malformed.body), Err(DecodeError::Syntax)));
    let extended = get(address, "/_fault/extended/api/jobs/102/").await;
    let fields: Value = serde_json::from_str(&extended.body).unwrap();
    assert_eq!(fields["__proto__"]["polluted"], Value::Bool(true));
    assert_eq!(fields["future_field"]["list"].as_array().map(Vec::len), Some(5));
    assert_eq!(
        decode_job(&extended.body).unwrap(),
        decode_job(&slow.body).unwrap(),
        "fields the card does not know change nothing"
    );
    let mismatch = get(address, "/_fault/schema/api/jobs/102/").await;
    assert!(matches!(decode_job(&mismatch.body), Err(DecodeError::Schema { .. })));
    let dropped = get(address, "/_fault/drop/api/jobs/102/").await;
    assert!(!dropped.complete, "the connection must end before the body does");

    for (fault, status) in [("401", 401), ("403", 403), ("404", 404)] {
        let refused = get(address, &format!("/_fault/{fault}/api/jobs/102/")).await;
        assert_eq!(refused.status, status);
        assert!(!refused.detail().is_empty());
    }

    let unknown = get(address, "/_fault/teapot/api/jobs/102/").await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.detail().contains("teapot"));
}

#[tokio::test]
async fn faults_switched_on_by_request_spoil_just_that_many_requests() {
    let address = start().await;
    let add = request(
        address,
        "POST",
        "/_sim/faults",
        &[],
        r#"{"job": 104, "fault": "503", "times": 2}"#,
    )
    .await;
    assert_eq!(add.status, 204);
    let statuses = [
        get(address, "/api/jobs/104/").await.status,
        get(address, "/api/jobs/102/").await.status,
    ];
    assert_eq!(statuses, [503, 200], "only job 104 is affected");
    assert_eq!(get(address, "/api/jobs/104/").await.status, 503);
    assert_eq!(
        get(address, "/api/jobs/104/").await.status,
        200,
        "the fault clears after two requests"
    );

    request(address, "POST", "/_sim/faults", &[], r#"{"fault": "500"}"#).await;
    assert_eq!(get(address, "/api/jobs/102/").await.status, 500);
    assert_eq!(get(address, "/api/jobs/103/").await.status, 500);
    assert_eq!(request(address, "DELETE", "/_sim/faults", &[], "").await.status, 204);
    assert_eq!(get(address, "/api/jobs/103/").await.status, 200);

    let bad = request(address, "POST", "/_sim/faults", &[], r#"{"fault": "nope"}"#).await;
    assert_eq!(bad.status, 400);
    let zero = request(address, "POST", "/_sim/faults", &[], r#"{"fault": "500", "times": 0}"#).await;
    assert_eq!(zero.status, 400);
}

#[tokio::test]
async fn counters_and_log_record_every_job_request_until_reset() {
    let address = start().await;
    for _ in 0..3 {
        get(address, "/api/jobs/102/").await;
    }
    get(address, "/_fault/500/api/jobs/103/").await;
    request(address, "GET", "/api/jobs/103/", &[], "").await;
    let stats: Value = serde_json::from_str(&get(address, "/_sim/stats").await.body).unwrap();
    assert_eq!(stats["total"], 5);
    assert_eq!(stats["jobs"]["102"], 3);
    assert_eq!(stats["jobs"]["103"], 2, "faulted and unauthorized requests count too");
    let log: Vec<Value> = serde_json::from_str(&get(address, "/_sim/log").await.body).unwrap();
    let statuses: Vec<_> = log.iter().map(|entry| entry["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [200, 200, 200, 500, 401]);
    let since = log[3]["seq"].as_u64().unwrap();
    let tail: Vec<Value> = serde_json::from_str(&get(address, &format!("/_sim/log?since={since}")).await.body).unwrap();
    assert_eq!(tail.len(), 2);

    assert_eq!(request(address, "POST", "/_sim/reset", &[], "").await.status, 204);
    let stats: Value = serde_json::from_str(&get(address, "/_sim/stats").await.body).unwrap();
    assert_eq!(stats["total"], 0);
    let log: Vec<Value> = serde_json::from_str(&get(address, "/_sim/log").await.body).unwrap();
    assert!(log.is_empty());
}

#[tokio::test]
async fn a_moving_job_starts_its_clock_on_first_request_and_reset_restarts_it() {
    let address = start().await;
    let first = decode_job(&get(address, "/api/jobs/2100/").await.body).unwrap();
    assert_eq!(first.status, JobStatus::InQueue);
    tokio::time::sleep(Duration::from_millis(2_300)).await;
    let later = decode_job(&get(address, "/api/jobs/2100/").await.body).unwrap();
    assert_eq!(later.status, JobStatus::Processing);
    assert!(later.started.is_some() && later.eta_seconds().is_some());
    request(address, "POST", "/_sim/reset", &[], "").await;
    let again = decode_job(&get(address, "/api/jobs/2100/").await.body).unwrap();
    assert_eq!(again.status, JobStatus::InQueue);
}

#[tokio::test]
async fn fresh_jobs_are_never_handed_out_twice_nor_ones_already_running() {
    let address = start().await;
    get(address, "/api/jobs/2000/").await;
    let fresh = |reply: Reply| {
        serde_json::from_str::<Value>(&reply.body).unwrap()["job"]
            .as_i64()
            .unwrap()
    };
    let first = fresh(request(address, "POST", "/_sim/fresh-job", &[], "").await);
    let second = fresh(request(address, "POST", "/_sim/fresh-job", &[], "").await);
    assert_eq!((first, second), (2001, 2002), "2000 already has a clock");
    let job = decode_job(&get(address, &format!("/api/jobs/{first}/")).await.body).unwrap();
    assert_eq!(job.status, JobStatus::InQueue, "a fresh job starts at the beginning");
}

#[tokio::test]
async fn the_job_list_pages_with_limit_and_offset() {
    let address = start().await;
    let page: Value = serde_json::from_str(&get(address, "/api/jobs/?limit=5").await.body).unwrap();
    assert_eq!(page["count"], 12);
    assert_eq!(page["results"].as_array().unwrap().len(), 5);
    assert_eq!(page["next"], format!("http://{address}/api/jobs/?limit=5&offset=5"));
    assert!(page["previous"].is_null());
    let last: Value = serde_json::from_str(&get(address, "/api/jobs/?limit=5&offset=10").await.body).unwrap();
    assert_eq!(last["results"].as_array().unwrap().len(), 2);
    assert!(last["next"].is_null());
    assert_eq!(last["previous"], format!("http://{address}/api/jobs/?limit=5&offset=5"));
    assert_eq!(request(address, "GET", "/api/jobs/", &[], "").await.status, 401);
}

#[tokio::test]
async fn media_is_served_locally() {
    let address = start().await;
    let thumbnail = get(address, "/media/input-thumbnail.jpg").await;
    assert_eq!(
        (thumbnail.status, thumbnail.header("content-type")),
        (200, Some("image/jpeg"))
    );
    let clip = get(address, "/media/after.webm").await;
    assert_eq!(clip.header("content-type"), Some("video/webm"));
    let download = get(address, "/media/output-102.webm").await;
    assert_eq!(
        download.header("content-disposition"),
        Some("attachment; filename=\"output-102.webm\"")
    );
    assert_eq!(get(address, "/media/output-x.webm").await.status, 404);
    assert_eq!(get(address, "/media/..%2Fsecret").await.status, 404);
}

#[tokio::test]
async fn a_start_instant_in_the_path_dates_the_static_jobs_from_it() {
    use tensorpix_models::time::parse_rfc3339_millis;
    let address = start().await;
    let started_and_finished = |reply: &Reply| {
        let job = decode_job(&reply.body).unwrap();
        let millis = |text: Option<String>| parse_rfc3339_millis(&text.unwrap()).unwrap();
        (millis(job.started), millis(job.finished))
    };
    let anchor = parse_rfc3339_millis("2031-01-01T00:30:00Z").unwrap();
    let as_millis = get(address, &format!("/_start/{anchor}/api/jobs/102/")).await;
    let as_text = get(address, "/_start/2031-01-01T00:30:00Z/api/jobs/102/").await;
    assert_eq!(as_millis.status, 200);
    assert_eq!(as_millis.body, as_text.body, "both forms name the same instant");
    let (started, finished) = started_and_finished(&as_millis);
    assert_eq!(
        started,
        anchor - 62 * 60_000,
        "job 102 started 62 minutes before the start"
    );
    assert_eq!(finished, anchor - 50 * 60_000);

    let own = get(address, "/api/jobs/102/").await;
    assert_ne!(
        started_and_finished(&own),
        (started, finished),
        "only that request moves"
    );

    let behind_auth = request(address, "GET", &format!("/_start/{anchor}/api/jobs/102/"), &[], "").await;
    assert_eq!(behind_auth.status, 401);
    for bad in ["soon", "2031-13-01T00:00:00Z", "99999999999999999999999"] {
        let reply = get(address, &format!("/_start/{bad}/api/jobs/102/")).await;
        assert_eq!(reply.status, 404, "{bad}");
        assert!(reply.detail().contains("no start instant"), "{bad}: {}", reply.detail());
    }
}

#[tokio::test]
async fn the_simulator_stops_when_its_shutdown_future_completes() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let config = SimulatorConfig::new(address, DEFAULT_API_KEY);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(simulator::serve(listener, config, async {
        let _ = stopped.await;
    }));
    assert_eq!(get(address, "/api/jobs/102/").await.status, 200);
    stop.send(()).unwrap();
    serving.await.unwrap().unwrap();
    assert!(TcpStream::connect(address).await.is_err(), "it no longer listens");
}

#[tokio::test]
async fn control_endpoints_answer_tools_and_loopback_pages_only() {
    let address = start().await;
    // A test runner's page on another loopback port, as the browser tests have.
    let runner = "http://127.0.0.1:41234";
    let preflight = request(
        address,
        "OPTIONS",
        "/_sim/faults",
        &[
            ("Origin", runner),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "content-type"),
        ],
        "",
    )
    .await;
    assert_eq!(preflight.status, 200);
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some(runner),
        "never `*`"
    );
    assert_eq!(preflight.header("access-control-allow-headers"), Some("content-type"));
    let body = r#"{"job": 104, "fault": "503", "times": 1}"#;
    let from_runner = request(
        address,
        "POST",
        "/_sim/faults",
        &[("Origin", "http://localhost:8080")],
        body,
    )
    .await;
    assert_eq!(from_runner.status, 204);
    assert_eq!(
        from_runner.header("access-control-allow-origin"),
        Some("http://localhost:8080")
    );
    let stats = request(address, "GET", "/_sim/stats", &[("Origin", runner)], "").await;
    assert_eq!(
        (stats.status, stats.header("access-control-allow-origin")),
        (200, Some(runner))
    );

    // A website the developer happens to visit can neither drive nor read it.
    for (method, path) in [
        ("POST", "/_sim/faults"),
        ("DELETE", "/_sim/faults"),
        ("POST", "/_sim/reset"),
        ("POST", "/_sim/fresh-job"),
        ("GET", "/_sim/stats"),
        ("GET", "/_sim/log"),
        ("OPTIONS", "/_sim/faults"),
    ] {
        let evil = request(
            address,
            method,
            path,
            &[
                ("Origin", "https://evil.example"),
                ("Access-Control-Request-Method", "POST"),
            ],
            if method == "POST" { body } else { "" },
        )
        .await;
        assert_eq!(evil.status, 403, "{method} {path}");
        assert_eq!(evil.header("access-control-allow-origin"), None, "{method} {path}");
        assert!(evil.detail().contains("--control-origin"), "{}", evil.body);
    }
    let rebound = request(
        address,
        "POST",
        "/_sim/reset",
        &[("Origin", "http://127.0.0.1.nip.io:8099")],
        "",
    )
    .await;
    assert_eq!(
        rebound.status, 403,
        "a name that resolves to loopback is not a loopback origin"
    );
    assert_eq!(
        get(address, "/api/jobs/104/").await.status,
        503,
        "the fault set from the runner's page is still on"
    );

    // The API itself still answers any page, like an API.
    let api = request(
        address,
        "GET",
        "/api/jobs/102/",
        &[AUTH, ("Origin", "https://evil.example")],
        "",
    )
    .await;
    assert_eq!(
        (api.status, api.header("access-control-allow-origin")),
        (200, Some("*"))
    );
}

#[tokio::test]
async fn a_named_control_origin_may_drive_the_simulator() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let mut config = SimulatorConfig::new(address, DEFAULT_API_KEY);
    config.control_origins.push("http://192.168.1.5:8080".into());
    tokio::spawn(simulator::serve(listener, config, std::future::pending()));
    let named = request(
        address,
        "POST",
        "/_sim/reset",
        &[("Origin", "http://192.168.1.5:8080")],
        "",
    )
    .await;
    assert_eq!(
        (named.status, named.header("access-control-allow-origin")),
        (204, Some("http://192.168.1.5:8080"))
    );
    let other = request(
        address,
        "POST",
        "/_sim/reset",
        &[("Origin", "http://192.168.1.5:8081")],
        "",
    )
    .await;
    assert_eq!(other.status, 403);
}

#[tokio::test]
async fn a_client_that_never_sends_its_head_is_dropped() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let mut config = SimulatorConfig::new(address, DEFAULT_API_KEY);
    config.header_read_timeout = Duration::from_millis(500);
    tokio::spawn(simulator::serve(listener, config, std::future::pending()));
    let mut silent = TcpStream::connect(address).await.unwrap();
    let mut partial = TcpStream::connect(address).await.unwrap();
    partial
        .write_all(b"GET /api/jobs/102/ HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // Only an upper bound: the connections must end, however slow the machine.
    for stream in [&mut silent, &mut partial] {
        let mut rest = Vec::new();
        let ended = tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut rest)).await;
        assert!(ended.is_ok(), "still open after a minute");
    }
    assert_eq!(
        get(address, "/api/jobs/102/").await.status,
        200,
        "others are served as usual"
    );
}

#[tokio::test]
async fn the_log_and_the_fault_rules_stay_bounded() {
    let address = start().await;
    let long = format!("/api/jobs/{}/", "9".repeat(5_000));
    assert_eq!(get(address, &long).await.status, 404);
    let log: Vec<Value> = serde_json::from_str(&get(address, "/_sim/log").await.body).unwrap();
    let path = log[0]["path"].as_str().unwrap();
    assert_eq!(path.chars().count(), 201, "200 characters and an ellipsis");
    assert!(path.ends_with('…') && long.starts_with(path.trim_end_matches('…')));

    let body = r#"{"job": 7, "fault": "500"}"#;
    for _ in 0..1_000 {
        assert_eq!(request(address, "POST", "/_sim/faults", &[], body).await.status, 204);
    }
    let refused = request(address, "POST", "/_sim/faults", &[], body).await;
    assert_eq!(refused.status, 400);
    assert!(refused.detail().contains("DELETE /_sim/faults"), "{}", refused.body);
    assert_eq!(request(address, "DELETE", "/_sim/faults", &[], "").await.status, 204);
    assert_eq!(request(address, "POST", "/_sim/faults", &[], body).await.status, 204);
}
