//! The proxy's limits under abuse, over real HTTP on loopback: the account-wide ceiling on upstream
//! requests, the pause after an upstream 429, trusted proxies and the client-address header, and the
//! caps on the cache and on the rate limiter.
//!
//! Counts are bounded and the clock is a [`ManualClock`] wherever time matters to the proxy's
//! decisions.

mod common;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use common::{Reply, add_fault, bearer, get_job, request_from, start_token_pair, upstream_requests};
use tensorpix_server::proxy::{ManualClock, ProxyConfig};

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
