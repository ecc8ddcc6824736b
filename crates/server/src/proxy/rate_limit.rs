//! Per-client token buckets that cap how many upstream fetches one address can cause.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Each client may start `per_minute` upstream fetches a minute, in bursts of up to `per_minute`.
/// Only fetches count: cache hits and requests that join a fetch in flight cost the API key
/// nothing, so a crowd behind one NAT watching the same job is never refused.
///
/// At most `max_clients` buckets are kept: a full bucket is the same as none, so those go first;
/// if that is not enough, the half least recently used go (those clients start again with a full
/// bucket, which the global upstream ceiling still bounds).
pub struct RateLimiter {
    per_minute: u32,
    max_clients: usize,
    buckets: Mutex<Buckets>,
}

struct Buckets {
    map: HashMap<IpAddr, Bucket>,
    sweep_at: usize,
    /// Counts uses, so that "least recently used" is exact even when many share one instant.
    uses: u64,
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
    last_use: u64,
}

const MIN_SWEEP_AT: usize = 4_096;

/// The default number of client buckets kept at most.
pub const MAX_CLIENTS: usize = 65_536;

impl RateLimiter {
    /// `per_minute == 0` turns limiting off.
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter::with_max_clients(per_minute, MAX_CLIENTS)
    }

    pub fn with_max_clients(per_minute: u32, max_clients: usize) -> RateLimiter {
        RateLimiter {
            per_minute,
            max_clients: max_clients.max(1),
            buckets: Mutex::new(Buckets {
                map: HashMap::new(),
                sweep_at: MIN_SWEEP_AT,
                uses: 0,
            }),
        }
    }

    /// Takes a token for `client`, or says how long until one is available.
    pub fn acquire(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let mut buckets = self.buckets();
        let full = buckets.map.len() >= self.max_clients && !buckets.map.contains_key(&client);
        if full || buckets.map.len() >= buckets.sweep_at {
            // A full bucket is the same as no bucket: forget those clients.
            buckets
                .map
                .retain(|_, bucket| refilled(*bucket, now, per_second, capacity) < capacity);
            if buckets.map.len() >= self.max_clients {
                buckets.evict_least_recent_half();
            }
            buckets.sweep_at = (buckets.map.len() * 2).max(MIN_SWEEP_AT);
        }
        buckets.uses += 1;
        let last_use = buckets.uses;
        let bucket = buckets.map.entry(client).or_insert(Bucket {
            tokens: capacity,
            updated: now,
            last_use,
        });
        bucket.tokens = refilled(*bucket, now, per_second, capacity);
        bucket.updated = now;
        bucket.last_use = last_use;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_second))
        }
    }

    /// Gives back a token taken by [`RateLimiter::acquire`] for a fetch that did not happen.
    pub fn refund(&self, client: IpAddr) {
        if self.per_minute == 0 {
            return;
        }
        let capacity = f64::from(self.per_minute);
        if let Some(bucket) = self.buckets().map.get_mut(&client) {
            bucket.tokens = (bucket.tokens + 1.0).min(capacity);
        }
    }

    /// How many clients have a bucket (for tests).
    pub fn len(&self) -> usize {
        self.buckets().map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn buckets(&self) -> std::sync::MutexGuard<'_, Buckets> {
        self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Buckets {
    /// Forgets the least recently used half of the clients (at least one).
    fn evict_least_recent_half(&mut self) {
        let remove = self.map.len().div_ceil(2);
        if remove == 0 {
            return;
        }
        let mut uses: Vec<u64> = self.map.values().map(|bucket| bucket.last_use).collect();
        let cut = *uses.select_nth_unstable(remove - 1).1;
        self.map.retain(|_, bucket| bucket.last_use > cut);
    }
}

fn refilled(bucket: Bucket, now: Instant, per_second: f64, capacity: f64) -> f64 {
    let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
    (bucket.tokens + elapsed * per_second).min(capacity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_a_burst_then_refills_over_the_minute() {
        let limiter = RateLimiter::new(3);
        let client = IpAddr::from([203, 0, 113, 7]);
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.acquire(client, start), Ok(()));
        }
        let wait = limiter.acquire(client, start).unwrap_err();
        assert!((19.9..=20.1).contains(&wait.as_secs_f64()), "{wait:?}");
        assert_eq!(
            limiter.acquire(IpAddr::from([203, 0, 113, 8]), start),
            Ok(()),
            "others are unaffected"
        );
        assert_eq!(limiter.acquire(client, start + Duration::from_secs(21)), Ok(()));
        assert!(limiter.acquire(client, start + Duration::from_secs(21)).is_err());
    }

    #[test]
    fn zero_means_unlimited() {
        let limiter = RateLimiter::new(0);
        let client = IpAddr::from([203, 0, 113, 7]);
        assert!((0..10_000).all(|_| limiter.acquire(client, Instant::now()).is_ok()));
    }

    #[test]
    fn at_most_max_clients_are_kept_and_the_least_recent_go_first() {
        let limiter = RateLimiter::with_max_clients(1, 4);
        let now = Instant::now();
        let client = |last: u8| IpAddr::from([203, 0, 113, last]);
        for last in 1..=4 {
            assert_eq!(limiter.acquire(client(last), now), Ok(()));
        }
        assert!(
            limiter.acquire(client(1), now).is_err(),
            "1 is used again, so 2 is now the oldest"
        );
        assert_eq!(limiter.acquire(client(5), now), Ok(()));
        assert_eq!(limiter.len(), 3, "the two least recent (2 and 3) went, then 5 came");
        assert!(limiter.acquire(client(1), now).is_err(), "1 was kept");
        assert!(limiter.acquire(client(4), now).is_err(), "4 was kept");
        assert_eq!(limiter.acquire(client(2), now), Ok(()), "2 was forgotten");
        limiter.refund(client(2));
        assert_eq!(
            limiter.acquire(client(2), now),
            Ok(()),
            "a refunded token can be taken again"
        );
    }
}
