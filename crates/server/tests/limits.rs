//! The proxy's limits under abuse, over real HTTP on loopback: the account-wide ceiling on upstream
//! requests, the pause after an upstream 429, trusted proxies and the client-address header, the
//! caps on the cache and on the rate limiter, and the connection limits and deadlines.
//!
//! Counts are bounded and the clock is a [`ManualClock`] wherever time matters to the proxy's
//! decisions. The connection tests only bound time from above (a connection must end within a
//! minute, an answer must come within thirty seconds), so a slow machine makes them slower, not
//! red.

mod common;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use common::{
    Reply, add_fault, bearer, connect_from, exchange, get_job, request_from, start_token_pair, upstream_requests,
};
use tensorpix_server::proxy::{ManualClock, ProxyConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// The most a test waits for something that should take milliseconds.
const PROMPTLY: Duration = Duration::from_secs(30);
/// The most a test waits for a connection to be closed by a deadline.
const EVENTUALLY: Duration = Duration::from_secs(60);

fn local(last: u8) -> IpAddr {
    IpAddr::from([127, 0, 0, last])
}

async fn pair(clock: &Arc<ManualClock>, adjust: impl FnOnce(&mut ProxyConfig)) -> (SocketAddr, SocketAddr) {
    start_token_pair(Arc::clone(clock), adjust).await
}

fn retry_after(reply: &Reply) -> u64 {
    reply.header("retry-after").unwrap().parse().unwrap()
}

#[tokio::test]
async fn all_clients_together_stay_under_the_upstream_ceiling() {
    let clock = Arc::new(ManualClock::new());
    let (simulator, proxy) = pair(&clock, |config| {
        config.upstream_rate_limit = 2;
        config.rate_limit = 0;
    })
    .await;
    assert_eq!(get_job(proxy, "/api/jobs/101/").await.status, 200);
    assert_eq!(get_job(proxy, "/api/jobs/102/").await.status, 200);
    let held = get_job(proxy, "/api/jobs/103/").await;
    assert_eq!(held.status, 429);
    assert!(
        held.detail().contains("limit of requests to the TensorPix API"),
        "{}",
        held.body
    );
    assert_eq!(retry_after(&held), 1);
    assert_eq!(upstream_requests(simulator, 103).await, 0);
    assert_eq!(
        get_job(proxy, "/api/jobs/101/").await.status,
        200,
        "cached answers are still served"
    );
    clock.advance(Duration::from_millis(500));
    assert_eq!(
        get_job(proxy, "/api/jobs/103/").await.status,
        200,
        "half a second refills one request"
    );
    assert_eq!(get_job(proxy, "/api/jobs/104/").await.status, 429);
}

#[tokio::test]
async fn an_upstream_429_pauses_every_upstream_request_for_its_retry_after() {
    let clock = Arc::new(ManualClock::new());
    let (simulator, proxy) = pair(&clock, |config| config.cache_ttl = Duration::from_secs(2)).await;
    assert_eq!(get_job(proxy, "/api/jobs/102/").await.status, 200);
    add_fault(simulator, 104, "429-30", 1).await;
    let throttled = get_job(proxy, "/api/jobs/104/").await;
    assert_eq!((throttled.status, retry_after(&throttled)), (429, 30));

    // Another job: not even tried upstream.
    let paused = get_job(proxy, "/api/jobs/105/").await;
    assert_eq!((paused.status, retry_after(&paused)), (429, 30));
    assert!(
        paused.detail().contains("asked the proxy to slow down"),
        "{}",
        paused.body
    );
    assert_eq!(upstream_requests(simulator, 105).await, 0);
    // A cached answer is served as usual; one that expired a moment ago stands in, marked so.
    assert_eq!(get_job(proxy, "/api/jobs/102/").await.header("age"), Some("0"));
    clock.advance(Duration::from_secs(3));
    let stale = get_job(proxy, "/api/jobs/102/").await;
    assert_eq!((stale.status, stale.header("age")), (200, Some("3")));
    assert_eq!(stale.header("cache-control"), Some("no-store"));
    assert_eq!(upstream_requests(simulator, 102).await, 1);
    let later = get_job(proxy, "/api/jobs/105/").await;
    assert_eq!((later.status, retry_after(&later)), (429, 27));

    clock.advance(Duration::from_secs(27));
    assert_eq!(get_job(proxy, "/api/jobs/105/").await.status, 200);
    assert_eq!(upstream_requests(simulator, 105).await, 1);

    // However long upstream asks for, the pause ends after a minute.
    add_fault(simulator, 106, "429-18446744073709551615", 1).await;
    assert_eq!(get_job(proxy, "/api/jobs/106/").await.status, 429);
    let capped = get_job(proxy, "/api/jobs/107/").await;
    assert_eq!((capped.status, retry_after(&capped)), (429, 60));
    clock.advance(Duration::from_secs(60));
    assert_eq!(get_job(proxy, "/api/jobs/107/").await.status, 200);
}

/// `GET /api/jobs/{job}/` from `source`, with a token and these extra headers.
async fn from(source: IpAddr, proxy: SocketAddr, job: i64, headers: &[(&str, &str)]) -> u16 {
    let token = bearer(job);
    let mut all = vec![("Authorization", token.as_str())];
    all.extend_from_slice(headers);
    request_from(source, proxy, &format!("/api/jobs/{job}/"), &all)
        .await
        .status
}

#[tokio::test]
async fn the_client_address_header_counts_only_from_trusted_proxies() {
    let clock = Arc::new(ManualClock::new());
    let (_, proxy) = pair(&clock, |config| {
        config.rate_limit = 1;
        config.client_ip_header = Some("x-forwarded-for".try_into().unwrap());
        config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    // Each request asks for a job nobody asked for yet, so each would go upstream.
    let balancer = local(1);
    let xff = |value: &'static str| [("X-Forwarded-For", value)];
    assert_eq!(from(balancer, proxy, 2501, &xff("203.0.113.1")).await, 200);
    assert_eq!(
        from(balancer, proxy, 2502, &xff("203.0.113.1")).await,
        429,
        "one bucket per client"
    );
    assert_eq!(
        from(balancer, proxy, 2503, &xff("203.0.113.2:51234")).await,
        200,
        "ip:port"
    );
    assert_eq!(from(balancer, proxy, 2504, &xff("203.0.113.2")).await, 429);
    assert_eq!(
        from(balancer, proxy, 2505, &xff("[2001:db8::1]:443")).await,
        200,
        "[v6]:port"
    );
    assert_eq!(
        from(balancer, proxy, 2506, &xff("2001:db8::2")).await,
        429,
        "the same /64"
    );
    assert_eq!(
        from(balancer, proxy, 2507, &xff("203.0.113.3, 203.0.113.1")).await,
        429,
        "the right-most address counts; what the client wrote before it does not"
    );
    assert_eq!(
        from(balancer, proxy, 2508, &xff("203.0.113.1, 127.0.0.1")).await,
        429,
        "trusted hops are skipped"
    );
    assert_eq!(
        from(balancer, proxy, 2509, &[]).await,
        200,
        "no header: the balancer itself"
    );

    // From anywhere else, the header is the client's own claim and is ignored.
    let stranger = local(2);
    assert_eq!(from(stranger, proxy, 2510, &xff("198.51.100.1")).await, 200);
    assert_eq!(from(stranger, proxy, 2511, &xff("198.51.100.2")).await, 429);
}

#[tokio::test]
async fn the_cache_and_the_rate_limiter_hold_a_bounded_number_of_entries() {
    let clock = Arc::new(ManualClock::new());
    let (simulator, proxy) = pair(&clock, |config| {
        config.cache_capacity = 2;
        config.rate_limit_clients = 2;
        config.rate_limit = 1;
        config.client_ip_header = Some("x-forwarded-for".try_into().unwrap());
        config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let client = |address: &'static str| [("X-Forwarded-For", address)];
    // Three jobs, one client each, into a cache of two: the first job is the oldest and goes.
    assert_eq!(from(local(1), proxy, 101, &client("203.0.113.1")).await, 200);
    assert_eq!(from(local(1), proxy, 102, &client("203.0.113.2")).await, 200);
    assert_eq!(from(local(1), proxy, 103, &client("203.0.113.3")).await, 200);
    assert_eq!(
        from(local(1), proxy, 103, &client("203.0.113.9")).await,
        200,
        "a hit costs nothing"
    );
    assert_eq!(upstream_requests(simulator, 103).await, 1);
    assert_eq!(from(local(1), proxy, 101, &client("203.0.113.8")).await, 200);
    assert_eq!(upstream_requests(simulator, 101).await, 2, "101 had been evicted");
    // The limiter kept two clients at most: 203.0.113.1 was forgotten (a full bucket again),
    // while the most recent, 203.0.113.8, was kept (empty).
    assert_eq!(from(local(1), proxy, 104, &client("203.0.113.1")).await, 200);
    assert_eq!(from(local(1), proxy, 105, &client("203.0.113.8")).await, 429);
}

#[tokio::test]
async fn one_client_holding_500_connections_does_not_keep_another_from_its_answers() {
    let clock = Arc::new(ManualClock::new());
    let (_, proxy) = pair(&clock, |config| {
        config.header_read_timeout = Duration::from_secs(120);
        config.write_timeout = Duration::from_secs(120);
    })
    .await;
    let attacker = local(1);
    let mut held = Vec::new();
    // A few connections stall the proxy's answers (each costs the proxy a few thousand answers
    // before its buffers are full), the rest sit idle: 500 in all.
    for _ in 0..3 {
        held.push(stalled(attacker, proxy).await);
    }
    for _ in 3..500 {
        held.push(Held::Idle(connect_from(attacker, proxy).await));
    }
    // Another client is served at once, job and health check alike.
    let other = local(2);
    for path in ["/api/jobs/102/", "/healthz"] {
        let token = bearer(102);
        let answer =
            tokio::time::timeout(PROMPTLY, request_from(other, proxy, path, &[("Authorization", &token)])).await;
        assert_eq!(answer.expect("answered promptly").status, 200, "{path}");
    }
    // The attacker's connections beyond its share were refused on the spot, with a reason.
    let refused = exchange(
        connect_from(attacker, proxy).await,
        b"GET /healthz HTTP/1.1\r\nHost: p\r\n\r\n",
    )
    .await;
    assert_eq!(
        (refused.status, refused.detail().as_str()),
        (503, "Too many connections.")
    );
    drop(held);
}

/// A connection kept open by the test: idle, or stalling the proxy's answers.
enum Held {
    Idle(#[allow(dead_code)] TcpStream),
    Stalled(#[allow(dead_code)] tokio::net::tcp::OwnedReadHalf),
}

/// Opens a connection from `source` that pipelines requests and never reads an answer, with a
/// small receive window, so that the proxy soon has answers it cannot send.
async fn stalled(source: IpAddr, proxy: SocketAddr) -> Held {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.bind(SocketAddr::new(source, 0)).unwrap();
    let stream = socket.connect(proxy).await.unwrap();
    let (reader, mut writer) = stream.into_split();
    tokio::spawn(async move {
        let requests = "GET /healthz HTTP/1.1\r\nHost: proxy\r\n\r\n".repeat(1_000);
        for _ in 0..40 {
            if writer.write_all(requests.as_bytes()).await.is_err() {
                break;
            }
        }
        std::future::pending::<()>().await;
    });
    Held::Stalled(reader)
}

#[tokio::test]
async fn a_client_that_stops_reading_is_cut_off_after_the_write_timeout() {
    let clock = Arc::new(ManualClock::new());
    let (_, proxy) = pair(&clock, |config| {
        config.max_connections_per_client = 1;
        config.write_timeout = Duration::from_millis(500);
        // Long, so that only the write deadline can end the stalled connection.
        config.header_read_timeout = Duration::from_secs(120);
    })
    .await;
    let client = local(3);
    let Held::Stalled(mut reader) = stalled(client, proxy).await else {
        unreachable!()
    };
    let mut byte = [0; 1];
    let peeked = tokio::time::timeout(PROMPTLY, reader.peek(&mut byte)).await;
    assert!(matches!(peeked, Ok(Ok(1))), "the proxy never answered: {peeked:?}");
    // The client's one connection is taken until the proxy gives up on it; then it may connect.
    let mut served = false;
    for _ in 0..600 {
        let reply = request_from(client, proxy, "/healthz", &[]).await;
        if reply.status == 200 {
            served = true;
            break;
        }
        assert_eq!(reply.status, 503, "{}", reply.raw);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        served,
        "the stalled connection still held the client's only place after a minute"
    );
    let mut rest = Vec::new();
    let ended = tokio::time::timeout(EVENTUALLY, reader.read_to_end(&mut rest)).await;
    assert!(ended.is_ok(), "the stalled connection is still open");
}

/// A keep-alive `GET /healthz` from `source`: its status, and the connection, which stays open
/// when the answer was a 200, so the proxy demonstrably holds it.
async fn kept_alive(source: IpAddr, proxy: SocketAddr) -> (u16, TcpStream) {
    let mut stream = connect_from(source, proxy).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: p\r\n\r\n")
        .await
        .unwrap();
    let mut received = Vec::new();
    let mut buffer = [0; 1024];
    // Head and body of a small answer; the refusal is complete and closed, a 200 has its length.
    let status = loop {
        let read = tokio::time::timeout(PROMPTLY, stream.read(&mut buffer))
            .await
            .unwrap()
            .unwrap();
        received.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&received);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|line| {
                    line.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(str::to_owned)
                })
                .and_then(|value| value.trim().parse().ok())
                .unwrap();
            if body.len() >= length {
                break head.split(' ').nth(1).unwrap().parse().unwrap();
            }
        }
        assert!(read > 0, "closed before a whole answer: {text}");
    };
    (status, stream)
}

#[tokio::test]
async fn the_total_is_capped_but_a_trusted_balancer_has_no_per_client_share() {
    let clock = Arc::new(ManualClock::new());
    let (_, proxy) = pair(&clock, |config| {
        config.max_connections = 4;
        config.max_connections_per_client = 2;
        config.header_read_timeout = Duration::from_secs(120);
        config.client_ip_header = Some("x-forwarded-for".try_into().unwrap());
        config.trusted_proxies = vec!["127.0.0.4/32".parse().unwrap()];
    })
    .await;
    // The balancer carries many clients: four connections from it are held, beyond the per-client
    // two, and then the total is reached.
    let balancer = local(4);
    let mut held = Vec::new();
    for _ in 0..4 {
        let (status, stream) = kept_alive(balancer, proxy).await;
        assert_eq!(status, 200);
        held.push(stream);
    }
    let (status, _) = kept_alive(local(5), proxy).await;
    assert_eq!(status, 503, "the total was not enforced");
    // A place comes free when a connection closes.
    held.pop();
    let mut served = false;
    for _ in 0..600 {
        if kept_alive(local(5), proxy).await.0 == 200 {
            served = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(served, "the closed connection's place never came back");
}

#[tokio::test]
async fn a_client_that_never_sends_its_head_or_idles_is_dropped() {
    let clock = Arc::new(ManualClock::new());
    let (_, proxy) = pair(&clock, |config| config.header_read_timeout = Duration::from_millis(500)).await;
    let mut silent = TcpStream::connect(proxy).await.unwrap();
    let mut partial = TcpStream::connect(proxy).await.unwrap();
    partial
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // One answered request, then nothing: an idle keep-alive connection ends the same way.
    let mut kept_alive = TcpStream::connect(proxy).await.unwrap();
    kept_alive
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    for stream in [&mut silent, &mut partial, &mut kept_alive] {
        let mut rest = Vec::new();
        let ended = tokio::time::timeout(EVENTUALLY, stream.read_to_end(&mut rest)).await;
        assert!(ended.is_ok(), "still open after a minute");
    }
}
