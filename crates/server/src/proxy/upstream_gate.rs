//! The account-wide brake on upstream requests: a ceiling per second for all clients together,
//! and a pause when TensorPix itself says to slow down.
//!
//! The per-client buckets ([`super::rate_limit`]) stop one address from spending the quota; this
//! stops many addresses together (a botnet, every visitor of a page that misuses the proxy) from
//! spending it, and keeps the proxy from hammering an API that has answered 429. The key's quota
//! is most likely account-wide, so one 429 pauses every job, not only the one that got it.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Why no upstream request may start now, and how long until one may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// The ceiling's tokens are spent.
    Ceiling(Duration),
    /// Upstream asked to wait (429, or 503 with `Retry-After`).
    Paused(Duration),
}

pub struct UpstreamGate {
    per_second: u32,
    state: Mutex<State>,
}

struct State {
    tokens: f64,
    updated: Option<Instant>,
    paused_until: Option<Instant>,
}

impl UpstreamGate {
    /// At most `per_second` upstream requests a second, in bursts of up to `per_second`;
    /// 0 turns the ceiling off (pauses still apply).
    pub fn new(per_second: u32) -> UpstreamGate {
        UpstreamGate {
            per_second,
            state: Mutex::new(State {
                tokens: f64::from(per_second),
                updated: None,
                paused_until: None,
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How long upstream calls stay paused, if they are.
    pub fn paused_for(&self, now: Instant) -> Option<Duration> {
        let until = self.state().paused_until?;
        (until > now).then(|| until - now)
    }

    /// Takes a token for one upstream request, unless paused or out of tokens.
    pub fn acquire(&self, now: Instant) -> Result<(), Closed> {
        let mut state = self.state();
        if let Some(until) = state.paused_until.filter(|until| *until > now) {
            return Err(Closed::Paused(until - now));
        }
        if self.per_second == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_second);
        let elapsed = state
            .updated
            .map_or(0.0, |updated| now.saturating_duration_since(updated).as_secs_f64());
        state.tokens = (state.tokens + elapsed * capacity).min(capacity);
        state.updated = Some(now);
        if state.tokens >= 1.0 {
            state.tokens -= 1.0;
            Ok(())
        } else {
            Err(Closed::Ceiling(Duration::from_secs_f64(
                (1.0 - state.tokens) / capacity,
            )))
        }
    }

    /// Pauses upstream calls until `now + delay`; a pause already running longer is kept.
    pub fn pause(&self, now: Instant, delay: Duration) {
        let mut state = self.state();
        let until = now + delay;
        if state.paused_until.is_none_or(|current| current < until) {
            state.paused_until = Some(until);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ceiling_allows_a_second_of_burst_then_refills() {
        let gate = UpstreamGate::new(2);
        let start = Instant::now();
        assert_eq!(gate.acquire(start), Ok(()));
        assert_eq!(gate.acquire(start), Ok(()));
        assert_eq!(gate.acquire(start), Err(Closed::Ceiling(Duration::from_millis(500))));
        assert_eq!(gate.acquire(start + Duration::from_millis(500)), Ok(()));
        assert!(gate.acquire(start + Duration::from_millis(500)).is_err());
        let off = UpstreamGate::new(0);
        assert!((0..1_000).all(|_| off.acquire(start).is_ok()));
    }

    #[test]
    fn a_pause_closes_the_gate_until_it_ends_and_is_never_shortened() {
        let gate = UpstreamGate::new(0);
        let start = Instant::now();
        gate.pause(start, Duration::from_secs(30));
        gate.pause(start, Duration::from_secs(5));
        assert_eq!(gate.paused_for(start), Some(Duration::from_secs(30)));
        assert_eq!(
            gate.acquire(start + Duration::from_secs(10)),
            Err(Closed::Paused(Duration::from_secs(20)))
        );
        assert_eq!(gate.acquire(start + Duration::from_secs(30)), Ok(()));
        assert_eq!(gate.paused_for(start + Duration::from_secs(30)), None);
    }
}
