//! The proxy's clocks, read through one seam, so that tests move time by hand instead of sleeping.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Where the cache and the rate limiter read the time.
pub trait Clock: Send + Sync + 'static {
    /// Monotonic time: ages, expiry, refills.
    fn now(&self) -> Instant;
    /// Wall-clock time in Unix milliseconds: `Retry-After` dates.
    fn unix_millis(&self) -> i64;
}

/// The real clocks.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn unix_millis(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_millis() as i64)
    }
}

/// A clock that stands still until [`ManualClock::advance`] moves it: for tests, so that an
/// answer expires exactly when a test says, however slow the machine is.
#[derive(Debug)]
pub struct ManualClock {
    start: Instant,
    start_millis: i64,
    elapsed: Mutex<Duration>,
}

impl ManualClock {
    /// Stopped at the real time of its creation.
    pub fn new() -> ManualClock {
        ManualClock {
            start: Instant::now(),
            start_millis: SystemClock.unix_millis(),
            elapsed: Mutex::new(Duration::ZERO),
        }
    }

    pub fn advance(&self, by: Duration) {
        *self.elapsed() += by;
    }

    fn elapsed(&self) -> std::sync::MutexGuard<'_, Duration> {
        self.elapsed.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        ManualClock::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.start + *self.elapsed()
    }

    fn unix_millis(&self) -> i64 {
        self.start_millis + self.elapsed().as_millis() as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let clock = ManualClock::new();
        let (then, then_millis) = (clock.now(), clock.unix_millis());
        assert_eq!((clock.now(), clock.unix_millis()), (then, then_millis));
        clock.advance(Duration::from_millis(1_500));
        assert_eq!(clock.now() - then, Duration::from_millis(1_500));
        assert_eq!(clock.unix_millis() - then_millis, 1_500);
    }
}
