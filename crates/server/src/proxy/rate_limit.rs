//! Per-client token buckets that cap how many upstream fetches one address can cause.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Each client may start `per_minute` upstream fetches a minute, in bursts of up to `per_minute`.
/// Only fetches count: cache hits and requests that join a fetch in flight cost the API key
/// nothing, so a crowd behind one NAT watching the same job is never refused.
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<Buckets>,
}

struct Buckets {
    map: HashMap<IpAddr, Bucket>,
    sweep_at: usize,
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

const MIN_SWEEP_AT: usize = 4_096;

impl RateLimiter {
    /// `per_minute == 0` turns limiting off.
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute,
            buckets: Mutex::new(Buckets {
                map: HashMap::new(),
                sweep_at: MIN_SWEEP_AT,
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
        if buckets.map.len() >= buckets.sweep_at {
            // A full bucket is the same as no bucket: forget those clients.
            buckets
                .map
                .retain(|_, bucket| refilled(*bucket, now, per_second, capacity) < capacity);
            buckets.sweep_at = (buckets.map.len() * 2).max(MIN_SWEEP_AT);
        }
        let bucket = buckets.map.entry(client).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        bucket.tokens = refilled(*bucket, now, per_second, capacity);
        bucket.updated = now;
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

    fn buckets(&self) -> std::sync::MutexGuard<'_, Buckets> {
        self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
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
        limiter.refund(client);
        assert_eq!(
            limiter.acquire(client, start + Duration::from_secs(21)),
            Ok(()),
            "a refunded token can be taken again"
        );
    }

    #[test]
    fn zero_means_unlimited() {
        let limiter = RateLimiter::new(0);
        let client = IpAddr::from([203, 0, 113, 7]);
        assert!((0..10_000).all(|_| limiter.acquire(client, Instant::now()).is_ok()));
    }
}
