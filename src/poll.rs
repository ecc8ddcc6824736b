//! When to ask the API again: the polling policy as a pure state machine, plus ETA smoothing.
//!
//! The component only executes what [`PollPolicy`] decides; every rule (intervals per status,
//! backoff with jitter, `Retry-After`, pausing while hidden or offline, stopping for good) is here,
//! driven by explicit timestamps so tests can run it on a fake clock.

use std::time::Duration;

use tensorpix_models::JobStatus;
use tensorpix_models::time::MAX_RETRY_AFTER;

use crate::api::FetchError;

/// How often to poll while a job is live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PollSettings {
    processing: Duration,
    queued: Duration,
}

impl PollSettings {
    /// No interval is shorter than this, whatever the embedder asks for.
    pub const MIN_INTERVAL: Duration = Duration::from_secs(1);

    /// Intervals while processing and while queued, each at least [`Self::MIN_INTERVAL`].
    pub fn new(processing: Duration, queued: Duration) -> Self {
        PollSettings {
            processing: processing.max(Self::MIN_INTERVAL),
            queued: queued.max(Self::MIN_INTERVAL),
        }
    }

    /// The fastest pace allowed: every second in every state.
    pub const fn every_second() -> Self {
        PollSettings {
            processing: Self::MIN_INTERVAL,
            queued: Self::MIN_INTERVAL,
        }
    }

    /// The same interval in every state: what a single `poll-interval` attribute sets.
    pub fn every(interval: Duration) -> Self {
        Self::new(interval, interval)
    }

    /// The shorter of each interval: cards that share a poll loop get the most eager one's pace.
    pub fn fastest(self, other: PollSettings) -> PollSettings {
        PollSettings {
            processing: self.processing.min(other.processing),
            queued: self.queued.min(other.queued),
        }
    }

    /// How long to wait after a success with this status. Unknown statuses poll at the queued pace.
    pub fn interval_for(self, status: JobStatus) -> Duration {
        match status {
            JobStatus::Processing => self.processing,
            _ => self.queued,
        }
    }
}

impl Default for PollSettings {
    fn default() -> Self {
        PollSettings::new(Duration::from_secs(3), Duration::from_secs(10))
    }
}

/// The first backoff after a failure; it doubles with each failure in a row.
pub const BACKOFF_START: Duration = Duration::from_secs(2);
/// The longest backoff.
pub const BACKOFF_MAX: Duration = Duration::from_secs(60);

/// How a failed request affects polling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Network trouble, timeouts, 5xx, unreadable bodies: back off and try again.
    Transient,
    /// 429: wait as long as the server said, or back off if it did not say.
    RateLimited(Option<Duration>),
    /// 401, 403, 404: asking again will not help until someone changes something.
    Fatal,
}

impl From<&FetchError> for Failure {
    fn from(error: &FetchError) -> Self {
        match error {
            FetchError::Unauthorized { .. }
            | FetchError::TokenRejected { .. }
            | FetchError::Forbidden { .. }
            | FetchError::NotFound { .. } => Failure::Fatal,
            FetchError::RateLimited { retry_after, .. } => Failure::RateLimited(*retry_after),
            _ => Failure::Transient,
        }
    }
}

/// What the executor should do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Start a request now.
    FetchNow,
    /// Start a request after this delay (replacing any timer).
    FetchIn(Duration),
    /// Nothing until an event: a request is in flight, or the page is hidden or offline.
    Wait,
    /// Polling is over: the job is finished, failed or canceled, or the error is fatal.
    Stop,
}

/// Why polling stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    Terminal,
    Fatal,
}

/// The polling state machine. Times are milliseconds on any monotonic clock.
#[derive(Debug, Clone)]
pub struct PollPolicy {
    settings: PollSettings,
    in_flight: bool,
    stopped: Option<Stopped>,
    hidden: bool,
    offline: bool,
    failures: u32,
    /// When the next request is due, if one is scheduled or owed after a pause.
    due_at: Option<i64>,
    /// A `Retry-After` deadline no request may precede.
    not_before: Option<i64>,
}

impl PollPolicy {
    pub fn new(settings: PollSettings) -> Self {
        PollPolicy {
            settings,
            in_flight: false,
            stopped: None,
            hidden: false,
            offline: false,
            failures: 0,
            due_at: None,
            not_before: None,
        }
    }

    pub fn settings(&self) -> PollSettings {
        self.settings
    }

    /// Takes new intervals; they apply from the next scheduling decision.
    pub fn set_settings(&mut self, settings: PollSettings) {
        self.settings = settings;
    }

    /// Why polling stopped, if it did.
    pub fn stopped(&self) -> Option<Stopped> {
        self.stopped
    }

    /// When the next request is due, for a "retrying in N s" countdown.
    pub fn due_at(&self) -> Option<i64> {
        self.due_at
    }

    /// (Re)starts polling: on mount, on a new job, or from the retry button. Any request in flight
    /// must be aborted by the caller; its answer no longer counts.
    pub fn start(&mut self, now: i64) -> Next {
        self.stopped = None;
        self.failures = 0;
        self.in_flight = false;
        self.due_at = Some(now);
        self.schedule(now)
    }

    /// The executor started the request it was told to.
    pub fn fetch_started(&mut self) {
        self.in_flight = true;
        self.due_at = None;
    }

    /// A timer set by [`Next::FetchIn`] fired.
    pub fn timer_fired(&mut self, now: i64) -> Next {
        self.schedule(now)
    }

    /// A response with a job arrived.
    pub fn succeeded(&mut self, status: JobStatus, now: i64) -> Next {
        self.in_flight = false;
        self.failures = 0;
        if status.is_terminal() {
            return self.stop(Stopped::Terminal);
        }
        self.due_at = Some(now.saturating_add(millis(self.settings.interval_for(status))));
        self.schedule(now)
    }

    /// A request failed. `jitter` is a random number in [0, 1), spreading retries of many clients.
    pub fn failed(&mut self, failure: Failure, now: i64, jitter: f64) -> Next {
        self.in_flight = false;
        self.failures = self.failures.saturating_add(1);
        let delay = match failure {
            Failure::Fatal => return self.stop(Stopped::Fatal),
            Failure::RateLimited(Some(retry_after)) => {
                let delay = retry_after.clamp(PollSettings::MIN_INTERVAL, MAX_RETRY_AFTER);
                self.not_before = Some(now.saturating_add(millis(delay)));
                delay
            }
            Failure::RateLimited(None) | Failure::Transient => backoff(self.failures, jitter),
        };
        self.due_at = Some(now.saturating_add(millis(delay)));
        self.schedule(now)
    }

    /// The page became hidden or visible again. On return, a request that fell due is made at once.
    pub fn set_hidden(&mut self, hidden: bool, now: i64) -> Next {
        self.hidden = hidden;
        self.resume_now_if_live(now)
    }

    /// The browser went offline or came back online; on return, fetch at once.
    pub fn set_offline(&mut self, offline: bool, now: i64) -> Next {
        self.offline = offline;
        self.resume_now_if_live(now)
    }

    fn resume_now_if_live(&mut self, now: i64) -> Next {
        if self.stopped.is_none() && !self.in_flight && !self.paused() {
            // Coming back is a reason to refresh at once rather than finish the interval.
            self.due_at = Some(self.due_at.map_or(now, |due| due.min(now)));
        }
        self.schedule(now)
    }

    fn paused(&self) -> bool {
        self.hidden || self.offline
    }

    fn stop(&mut self, reason: Stopped) -> Next {
        self.stopped = Some(reason);
        self.due_at = None;
        Next::Stop
    }

    fn schedule(&mut self, now: i64) -> Next {
        if self.stopped.is_some() {
            return Next::Stop;
        }
        if self.in_flight || self.paused() {
            return Next::Wait;
        }
        let Some(due) = self.due_at else { return Next::Wait };
        let due = self.not_before.map_or(due, |not_before| due.max(not_before));
        self.due_at = Some(due);
        if due <= now {
            Next::FetchNow
        } else {
            Next::FetchIn(Duration::from_millis(due.saturating_sub(now).unsigned_abs()))
        }
    }
}

/// About 2 s doubling to 60 s, spread by ±25 % so that many clients do not retry in step.
pub fn backoff(failures: u32, jitter: f64) -> Duration {
    let exponent = failures.saturating_sub(1).min(16);
    let base = (BACKOFF_START.as_secs_f64() * f64::from(1_u32 << exponent)).min(BACKOFF_MAX.as_secs_f64());
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let spread = 0.75 + 0.5 * jitter;
    whole_millis((base * spread).min(BACKOFF_MAX.as_secs_f64()))
}

/// Seconds (finite, not negative) as whole milliseconds, all a browser timer takes. Less code than
/// `Duration::try_from_secs_f64`, and no panic path like `from_secs_f64`'s.
fn whole_millis(seconds: f64) -> Duration {
    Duration::from_millis((seconds * 1_000.0).round() as u64)
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// The longest delay `setTimeout` keeps: browsers read a longer one as 32-bit and fire at once.
pub const MAX_TIMER_DELAY: Duration = Duration::from_millis(i32::MAX as u64);

/// A delay for a browser timer, in whole milliseconds, never past [`MAX_TIMER_DELAY`].
pub fn timer_millis(delay: Duration) -> u32 {
    delay.min(MAX_TIMER_DELAY).as_millis() as u32
}

/// Smooths the API's jumpy ETA and counts it down between polls, never below zero.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct EtaSmoother {
    /// Seconds left, as estimated at a moment (milliseconds).
    estimate: Option<(f64, i64)>,
}

impl EtaSmoother {
    /// How much a new server estimate moves the smoothed one.
    const WEIGHT: f64 = 0.3;

    /// Takes the server's ETA observed at `at`. No ETA (or a meaningless one) clears the estimate.
    pub fn observe(&mut self, eta_seconds: Option<f64>, at: i64) {
        let Some(observed) = eta_seconds.filter(|eta| eta.is_finite() && *eta > 0.0) else {
            self.estimate = None;
            return;
        };
        let smoothed = match self.remaining_at(at) {
            Some(predicted) => predicted + Self::WEIGHT * (observed - predicted),
            None => observed,
        };
        self.estimate = Some((smoothed, at));
    }

    /// Seconds left at `now`, counted down locally since the last observation.
    pub fn remaining_at(&self, now: i64) -> Option<f64> {
        let (estimate, at) = self.estimate?;
        Some((estimate - (now - at).max(0) as f64 / 1_000.0).max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: i64 = 1_000;

    fn policy() -> PollPolicy {
        PollPolicy::new(PollSettings::default())
    }

    fn secs(seconds: f64) -> Next {
        Next::FetchIn(Duration::from_secs_f64(seconds))
    }

    #[test]
    fn the_first_fetch_is_immediate() {
        assert_eq!(policy().start(0), Next::FetchNow);
    }

    #[test]
    fn processing_polls_every_3_s_and_queued_every_10_s() {
        let mut policy = policy();
        policy.start(0);
        policy.fetch_started();
        assert_eq!(policy.succeeded(JobStatus::Processing, 500), secs(3.0));
        assert_eq!(policy.timer_fired(3_500), Next::FetchNow);
        policy.fetch_started();
        assert_eq!(policy.succeeded(JobStatus::InQueue, 4_000), secs(10.0));
        policy.fetch_started();
        assert_eq!(
            policy.succeeded(JobStatus::Unknown(7), 15_000),
            secs(10.0),
            "unknown statuses poll gently"
        );
    }

    #[test]
    fn intervals_are_adjustable_but_never_below_one_second() {
        let settings = PollSettings::new(Duration::from_millis(200), Duration::from_secs(30));
        assert_eq!(settings.interval_for(JobStatus::Processing), Duration::from_secs(1));
        assert_eq!(settings.interval_for(JobStatus::InQueue), Duration::from_secs(30));
        assert_eq!(
            PollSettings::every(Duration::ZERO).interval_for(JobStatus::InQueue),
            Duration::from_secs(1)
        );
        let fastest = PollSettings::every(Duration::from_secs(5)).fastest(PollSettings::default());
        assert_eq!(
            fastest,
            PollSettings::new(Duration::from_secs(3), Duration::from_secs(5))
        );
    }

    #[test]
    fn a_terminal_status_stops_polling_for_good() {
        for status in [JobStatus::Finished, JobStatus::Failed, JobStatus::Canceled] {
            let mut policy = policy();
            policy.start(0);
            policy.fetch_started();
            assert_eq!(policy.succeeded(status, 100), Next::Stop);
            assert_eq!(policy.stopped(), Some(Stopped::Terminal));
            assert_eq!(policy.timer_fired(10 * SECOND), Next::Stop);
            assert_eq!(
                policy.set_hidden(false, 11 * SECOND),
                Next::Stop,
                "coming back does not restart it"
            );
            assert_eq!(policy.set_offline(false, 12 * SECOND), Next::Stop);
        }
    }

    #[test]
    fn never_two_requests_in_flight() {
        let mut policy = policy();
        policy.start(0);
        policy.fetch_started();
        assert_eq!(policy.timer_fired(5 * SECOND), Next::Wait);
        assert_eq!(policy.set_hidden(false, 5 * SECOND), Next::Wait);
        assert_eq!(policy.set_offline(false, 5 * SECOND), Next::Wait);
    }

    #[test]
    fn transient_failures_back_off_exponentially_and_success_resets() {
        let mut policy = policy();
        policy.start(0);
        let mut delays = Vec::new();
        for _ in 0..7 {
            policy.fetch_started();
            match policy.failed(Failure::Transient, 0, 0.5) {
                Next::FetchIn(delay) => delays.push(delay.as_secs_f64()),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(delays, [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]);
        policy.fetch_started();
        assert_eq!(policy.succeeded(JobStatus::Processing, 0), secs(3.0));
        policy.fetch_started();
        assert_eq!(
            policy.failed(Failure::Transient, 0, 0.5),
            secs(2.0),
            "the next failure starts over"
        );
    }

    #[test]
    fn jitter_spreads_backoff_by_a_quarter_either_way() {
        assert_eq!(backoff(1, 0.0), Duration::from_secs_f64(1.5));
        assert_eq!(backoff(1, 1.0), Duration::from_secs_f64(2.5));
        assert_eq!(backoff(3, 0.0), Duration::from_secs(6));
        assert_eq!(backoff(30, 1.0), BACKOFF_MAX, "never above the maximum");
        assert_eq!(
            backoff(1, f64::NAN),
            Duration::from_secs_f64(1.5),
            "a broken random source is harmless"
        );
    }

    #[test]
    fn rate_limits_wait_for_retry_after() {
        let mut policy = policy();
        policy.start(0);
        policy.fetch_started();
        assert_eq!(
            policy.failed(Failure::RateLimited(Some(Duration::from_secs(7))), 0, 0.0),
            secs(7.0)
        );
        assert_eq!(policy.due_at(), Some(7 * SECOND));
        // Even a return to the page does not jump the queue the server asked for.
        assert_eq!(policy.set_hidden(true, SECOND), Next::Wait);
        assert_eq!(policy.set_hidden(false, 2 * SECOND), secs(5.0));
        assert_eq!(policy.timer_fired(7 * SECOND), Next::FetchNow);
        policy.fetch_started();
        assert_eq!(
            policy.failed(Failure::RateLimited(None), 8 * SECOND, 0.5),
            secs(4.0),
            "no header: back off"
        );
        policy.fetch_started();
        assert_eq!(
            policy.failed(Failure::RateLimited(Some(Duration::ZERO)), 20 * SECOND, 0.5),
            secs(1.0),
            "a zero Retry-After still waits the minimum interval"
        );
    }

    #[test]
    fn a_huge_retry_after_waits_the_cap_never_a_tight_loop() {
        use tensorpix_models::time::retry_after;
        let now = 1_699_335_116_000;
        for header in [
            "18446744073709551615".to_owned(),
            "2151000".to_owned(),
            tensorpix_models::time::format_http_date(now + 400 * 24 * 3_600_000),
        ] {
            let mut policy = policy();
            policy.start(now);
            policy.fetch_started();
            let wait = retry_after(&header, now);
            assert_eq!(wait, Some(MAX_RETRY_AFTER), "{header}");
            assert_eq!(
                policy.failed(Failure::RateLimited(wait), now, 0.5),
                Next::FetchIn(MAX_RETRY_AFTER),
                "{header}"
            );
            assert_eq!(
                policy.timer_fired(now + SECOND),
                Next::FetchIn(MAX_RETRY_AFTER - Duration::from_secs(1))
            );
            assert_eq!(policy.timer_fired(now + millis(MAX_RETRY_AFTER)), Next::FetchNow);
        }
    }

    #[test]
    fn a_retry_after_in_the_past_waits_the_minimum_interval() {
        let now = 1_699_335_116_000;
        let header = tensorpix_models::time::format_http_date(now - 3_600_000);
        let mut policy = policy();
        policy.start(now);
        policy.fetch_started();
        let wait = tensorpix_models::time::retry_after(&header, now);
        assert_eq!(wait, Some(Duration::ZERO));
        assert_eq!(policy.failed(Failure::RateLimited(wait), now, 0.5), secs(1.0));
    }

    #[test]
    fn any_duration_saturates_instead_of_overflowing() {
        let mut policy = policy();
        policy.start(i64::MAX - SECOND);
        policy.fetch_started();
        assert_eq!(
            policy.failed(Failure::RateLimited(Some(Duration::MAX)), i64::MAX - SECOND, 0.5),
            Next::FetchIn(Duration::from_secs(1)),
            "the clock's end is the furthest a deadline can be"
        );
        assert_eq!(millis(Duration::MAX), i64::MAX);
        assert_eq!(policy.timer_fired(i64::MAX), Next::FetchNow);
    }

    #[test]
    fn browser_timers_never_get_a_delay_they_would_wrap() {
        assert_eq!(timer_millis(Duration::from_millis(1_500)), 1_500);
        assert_eq!(timer_millis(MAX_RETRY_AFTER), 3_600_000);
        assert_eq!(timer_millis(Duration::from_secs(30 * 24 * 3_600)), i32::MAX as u32);
        assert_eq!(timer_millis(Duration::MAX), i32::MAX as u32);
    }

    #[test]
    fn fatal_errors_stop_until_restarted() {
        let mut policy = policy();
        policy.start(0);
        policy.fetch_started();
        assert_eq!(policy.failed(Failure::Fatal, 0, 0.5), Next::Stop);
        assert_eq!(policy.stopped(), Some(Stopped::Fatal));
        assert_eq!(policy.timer_fired(SECOND), Next::Stop);
        assert_eq!(
            policy.start(2 * SECOND),
            Next::FetchNow,
            "the retry button starts again"
        );
        assert_eq!(policy.stopped(), None);
    }

    #[test]
    fn failures_map_from_fetch_errors() {
        assert_eq!(Failure::from(&FetchError::NotFound { detail: None }), Failure::Fatal);
        assert_eq!(
            Failure::from(&FetchError::Unauthorized { detail: None }),
            Failure::Fatal
        );
        assert_eq!(Failure::from(&FetchError::Forbidden { detail: None }), Failure::Fatal);
        assert_eq!(Failure::from(&FetchError::Network), Failure::Transient);
        assert_eq!(Failure::from(&FetchError::Timeout), Failure::Transient);
        assert_eq!(
            Failure::from(&FetchError::Server {
                status: 502,
                detail: None
            }),
            Failure::Transient
        );
        let limited = FetchError::RateLimited {
            detail: None,
            retry_after: Some(Duration::from_secs(2)),
        };
        assert_eq!(
            Failure::from(&limited),
            Failure::RateLimited(Some(Duration::from_secs(2)))
        );
    }

    #[test]
    fn a_hidden_page_makes_no_requests_and_fetches_at_once_on_return() {
        let mut policy = policy();
        policy.start(0);
        policy.fetch_started();
        assert_eq!(policy.succeeded(JobStatus::Processing, 0), secs(3.0));
        assert_eq!(policy.set_hidden(true, SECOND), Next::Wait);
        assert_eq!(
            policy.timer_fired(3 * SECOND),
            Next::Wait,
            "a timer that slipped through does nothing"
        );
        assert_eq!(policy.set_hidden(false, 60 * SECOND), Next::FetchNow);
        policy.fetch_started();
        assert_eq!(policy.succeeded(JobStatus::Processing, 61 * SECOND), secs(3.0));
        assert_eq!(
            policy.set_hidden(false, 62 * SECOND),
            Next::FetchNow,
            "a visibility event refreshes at once"
        );
    }

    #[test]
    fn a_response_arriving_while_hidden_schedules_nothing() {
        let mut policy = policy();
        policy.start(0);
        policy.fetch_started();
        assert_eq!(
            policy.set_hidden(true, 100),
            Next::Wait,
            "the request in flight goes on"
        );
        assert_eq!(policy.succeeded(JobStatus::Processing, 200), Next::Wait);
        assert_eq!(policy.set_hidden(false, 10 * SECOND), Next::FetchNow);
    }

    #[test]
    fn offline_pauses_and_online_resumes_at_once() {
        let mut policy = policy();
        assert_eq!(policy.set_offline(true, 0), Next::Wait);
        assert_eq!(policy.start(0), Next::Wait, "starting offline waits for the network");
        assert_eq!(policy.set_offline(false, 5 * SECOND), Next::FetchNow);
        policy.fetch_started();
        assert_eq!(policy.succeeded(JobStatus::InQueue, 5 * SECOND), secs(10.0));
        assert_eq!(policy.set_offline(true, 6 * SECOND), Next::Wait);
        assert_eq!(policy.set_hidden(true, 7 * SECOND), Next::Wait);
        assert_eq!(policy.set_offline(false, 8 * SECOND), Next::Wait, "still hidden");
        assert_eq!(policy.set_hidden(false, 9 * SECOND), Next::FetchNow);
    }

    #[test]
    fn the_eta_counts_down_locally_and_never_below_zero() {
        let mut eta = EtaSmoother::default();
        assert_eq!(eta.remaining_at(0), None);
        eta.observe(Some(120.0), 0);
        assert_eq!(eta.remaining_at(0), Some(120.0));
        assert_eq!(eta.remaining_at(30 * SECOND), Some(90.0));
        assert_eq!(eta.remaining_at(500 * SECOND), Some(0.0));
    }

    #[test]
    fn the_eta_is_smoothed_against_jumps() {
        let mut eta = EtaSmoother::default();
        eta.observe(Some(100.0), 0);
        // Three seconds later the server jumps to 200 s; the card moves only part of the way.
        eta.observe(Some(200.0), 3 * SECOND);
        let smoothed = eta.remaining_at(3 * SECOND).unwrap();
        assert!((smoothed - (97.0 + 0.3 * 103.0)).abs() < 1e-9, "{smoothed}");
        // A steady server estimate that agrees with the countdown leaves it unchanged.
        let mut steady = EtaSmoother::default();
        steady.observe(Some(60.0), 0);
        steady.observe(Some(57.0), 3 * SECOND);
        assert_eq!(steady.remaining_at(3 * SECOND), Some(57.0));
    }

    #[test]
    fn a_missing_or_meaningless_eta_clears_the_estimate() {
        for nothing in [None, Some(0.0), Some(-3.0), Some(f64::NAN)] {
            let mut eta = EtaSmoother::default();
            eta.observe(Some(60.0), 0);
            eta.observe(nothing, SECOND);
            assert_eq!(eta.remaining_at(SECOND), None, "{nothing:?}");
        }
    }
}
