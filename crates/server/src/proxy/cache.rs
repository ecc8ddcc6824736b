//! A short-lived response cache that also coalesces concurrent fetches of one key (single flight),
//! with a hard cap on its entries.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::clock::Clock;

/// How an answer was obtained, for logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Served from the cache; nothing went upstream.
    Hit,
    /// Joined a fetch another request had started.
    Coalesced,
    /// Started the fetch.
    Miss,
    /// A fetch was refused (rate limits, an upstream pause), and an answer that expired a little
    /// while ago stands in for it.
    Stale,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Hit => "hit",
            Source::Coalesced => "coalesced",
            Source::Miss => "miss",
            Source::Stale => "stale",
        }
    }
}

/// An answer and how old it is.
#[derive(Debug)]
pub struct Served<V> {
    pub value: Arc<V>,
    pub source: Source,
    /// Time since the fetch finished (zero unless `source` is `Hit` or `Stale`).
    pub age: Duration,
}

/// Why [`SingleFlight::get`] has no answer.
#[derive(Debug, PartialEq, Eq)]
pub enum GetError<R> {
    /// `admit` refused to start a fetch.
    Refused(R),
    /// The fetch task ended without an answer (it panicked).
    Abandoned,
    /// Every entry is a fetch in flight, and there is no room for another.
    Full,
}

type Pending<V> = watch::Receiver<Option<Arc<V>>>;
/// How long an answer stays fresh; `None` means it is not kept at all.
type KeepFor<V> = Box<dyn Fn(&V) -> Option<Duration> + Send + Sync>;

enum Slot<V> {
    Ready {
        value: Arc<V>,
        fetched: Instant,
        expires: Instant,
        /// When it was stored, counted: the lowest goes first when the cache is full.
        stored: u64,
    },
    Pending(Pending<V>),
}

/// Keys map to either a fresh answer or a fetch in flight; a fetch runs in its own task, so it
/// finishes (and fills the cache) even if every request waiting for it goes away.
///
/// At most `capacity` keys are held. When a new key finds the cache full, expired answers go
/// first, then the oldest quarter of the answers; fetches in flight are never dropped (their
/// number is bounded by the rate limits and the upstream timeout), and if nothing else is left
/// the new key is refused ([`GetError::Full`]).
pub struct SingleFlight<K, V> {
    slots: Mutex<Slots<K, V>>,
    keep_for: KeepFor<V>,
    clock: Arc<dyn Clock>,
    capacity: usize,
    /// How long after expiring an answer may still stand in for a refused fetch.
    stale_for: Duration,
}

struct Slots<K, V> {
    map: HashMap<K, Slot<V>>,
    /// The size at which old entries are next swept out, so memory follows the live key count.
    sweep_at: usize,
    stored: u64,
}

const MIN_SWEEP_AT: usize = 1_024;

/// The default cap on cached jobs.
pub const CAPACITY: usize = 10_000;

impl<K, V> SingleFlight<K, V>
where
    K: Eq + Hash + Clone + Send + 'static,
    V: Send + Sync + 'static,
{
    /// A cache that keeps each answer for as long as `keep_for` says, by `clock`, holds at most
    /// `capacity` keys, and lets an answer stand in for a refused fetch for `stale_for` after it
    /// expired.
    pub fn new(
        keep_for: impl Fn(&V) -> Option<Duration> + Send + Sync + 'static,
        clock: Arc<dyn Clock>,
        capacity: usize,
        stale_for: Duration,
    ) -> Arc<Self> {
        Arc::new(SingleFlight {
            slots: Mutex::new(Slots {
                map: HashMap::new(),
                sweep_at: MIN_SWEEP_AT,
                stored: 0,
            }),
            keep_for: Box::new(keep_for),
            clock,
            capacity: capacity.max(1),
            stale_for,
        })
    }

    fn slots(&self) -> MutexGuard<'_, Slots<K, V>> {
        // Every critical section leaves the map consistent, so a poisoned lock is still usable.
        self.slots.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A fresh cached answer, the answer of a fetch in flight, or, when `admit` agrees, the
    /// answer of a new fetch started with `fetch`. When `admit` refuses, a recently expired answer
    /// stands in, if there is one.
    pub async fn get<R, F, Fut>(
        self: &Arc<Self>,
        key: K,
        admit: impl FnOnce() -> Result<(), R>,
        fetch: F,
    ) -> Result<Served<V>, GetError<R>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = V> + Send + 'static,
    {
        let (mut receiver, source) = {
            let mut slots = self.slots();
            let now = self.clock.now();
            match slots.map.get(&key) {
                Some(Slot::Ready {
                    value,
                    fetched,
                    expires,
                    ..
                }) if *expires > now => {
                    return Ok(Served {
                        value: Arc::clone(value),
                        source: Source::Hit,
                        age: now.saturating_duration_since(*fetched),
                    });
                }
                // A closed channel means the fetching task died: start over below.
                Some(Slot::Pending(receiver)) if receiver.has_changed().is_ok() => {
                    (receiver.clone(), Source::Coalesced)
                }
                _ => {
                    if !slots.make_room(&key, now, self.capacity, self.stale_for) {
                        return Err(GetError::Full);
                    }
                    if let Err(reason) = admit() {
                        return match slots.map.get(&key) {
                            Some(Slot::Ready {
                                value,
                                fetched,
                                expires,
                                ..
                            }) if now.saturating_duration_since(*expires) <= self.stale_for => Ok(Served {
                                value: Arc::clone(value),
                                source: Source::Stale,
                                age: now.saturating_duration_since(*fetched),
                            }),
                            _ => Err(GetError::Refused(reason)),
                        };
                    }
                    let (sender, receiver) = watch::channel(None);
                    slots.map.insert(key.clone(), Slot::Pending(receiver.clone()));
                    slots.sweep(now, self.stale_for);
                    let cache = Arc::clone(self);
                    let work = fetch();
                    tokio::spawn(async move {
                        let value = Arc::new(work.await);
                        cache.complete(key, &value);
                        // Nobody may be waiting any more; the cache holds the answer regardless.
                        let _ = sender.send(Some(value));
                    });
                    (receiver, Source::Miss)
                }
            }
        };
        let value = receiver
            .wait_for(Option::is_some)
            .await
            .map_err(|_| GetError::Abandoned)?
            .clone()
            .ok_or(GetError::Abandoned)?;
        Ok(Served {
            value,
            source,
            age: Duration::ZERO,
        })
    }

    fn complete(&self, key: K, value: &Arc<V>) {
        let mut slots = self.slots();
        match (self.keep_for)(value) {
            Some(keep) if !keep.is_zero() => {
                let fetched = self.clock.now();
                slots.stored += 1;
                let stored = slots.stored;
                slots.map.insert(
                    key,
                    Slot::Ready {
                        value: Arc::clone(value),
                        fetched,
                        expires: fetched + keep,
                        stored,
                    },
                );
            }
            _ => {
                slots.map.remove(&key);
            }
        }
    }

    /// How many keys hold an answer or a fetch (for tests).
    pub fn len(&self) -> usize {
        self.slots().map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<K: Eq + Hash, V> Slots<K, V> {
    /// Drops answers too old even to stand in, and fetches whose task died, once the map has
    /// doubled since the last sweep.
    fn sweep(&mut self, now: Instant, stale_for: Duration) {
        if self.map.len() < self.sweep_at {
            return;
        }
        self.retain_live(now, stale_for);
        self.sweep_at = (self.map.len() * 2).max(MIN_SWEEP_AT);
    }

    fn retain_live(&mut self, now: Instant, keep_expired_for: Duration) {
        self.map.retain(|_, slot| match slot {
            Slot::Ready { expires, .. } => *expires + keep_expired_for > now,
            Slot::Pending(receiver) => receiver.has_changed().is_ok(),
        });
    }

    /// Whether `key` fits, after making room if the map is at `capacity`: expired answers go first
    /// (even those that could still stand in), then the oldest quarter of the answers.
    fn make_room(&mut self, key: &K, now: Instant, capacity: usize, stale_for: Duration) -> bool {
        if self.map.len() < capacity || self.map.contains_key(key) {
            return true;
        }
        self.retain_live(now, stale_for);
        if self.map.len() >= capacity {
            self.retain_live(now, Duration::ZERO);
        }
        if self.map.len() >= capacity {
            let mut stored: Vec<u64> = self
                .map
                .values()
                .filter_map(|slot| match slot {
                    Slot::Ready { stored, .. } => Some(*stored),
                    Slot::Pending(_) => None,
                })
                .collect();
            if !stored.is_empty() {
                let evict = stored.len().div_ceil(4);
                let cut = *stored.select_nth_unstable(evict - 1).1;
                self.map
                    .retain(|_, slot| !matches!(slot, Slot::Ready { stored, .. } if *stored <= cut));
            }
        }
        self.map.len() < capacity
    }
}

#[cfg(test)]
mod tests {
    use std::pin::Pin;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Poll;

    use tokio::sync::Semaphore;

    use super::*;
    use crate::proxy::clock::ManualClock;

    fn cache(
        keep_for: impl Fn(&u32) -> Option<Duration> + Send + Sync + 'static,
    ) -> (Arc<SingleFlight<u32, u32>>, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::new());
        (SingleFlight::new(keep_for, clock.clone(), 100, Duration::ZERO), clock)
    }

    /// Polls `future` once: it runs up to its first wait.
    async fn start<F: Future + Unpin>(future: &mut F) {
        std::future::poll_fn(|context| {
            assert!(
                Pin::new(&mut *future).poll(context).is_pending(),
                "it should wait for the fetch"
            );
            Poll::Ready(())
        })
        .await;
    }

    #[tokio::test]
    async fn concurrent_gets_share_one_fetch_and_later_ones_hit() {
        let (cache, _) = cache(|_| Some(Duration::from_secs(60)));
        let fetches = Arc::new(AtomicUsize::new(0));
        // The fetch waits for the gate, which opens only once every get has joined it.
        let gate = Arc::new(Semaphore::new(0));
        let mut gets: Vec<_> = (0..50)
            .map(|_| {
                let (fetches, gate) = (Arc::clone(&fetches), Arc::clone(&gate));
                Box::pin(cache.get(
                    7,
                    || Ok::<(), ()>(()),
                    move || async move {
                        let _open = gate.acquire().await;
                        fetches.fetch_add(1, Ordering::SeqCst) as u32
                    },
                ))
            })
            .collect();
        for get in &mut gets {
            start(get).await;
        }
        gate.add_permits(1);
        let mut sources = Vec::new();
        for get in gets {
            sources.push(get.await.unwrap().source);
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        assert_eq!(sources[0], Source::Miss);
        assert!(
            sources[1..].iter().all(|source| *source == Source::Coalesced),
            "{sources:?}"
        );
        let later = cache.get(7, || Err(()), || async { 99 }).await.unwrap();
        assert_eq!(
            (later.source, *later.value, later.age),
            (Source::Hit, 0, Duration::ZERO)
        );
    }

    #[tokio::test]
    async fn unkept_answers_are_fetched_again_and_refusals_start_nothing() {
        let (cache, clock) = cache(|value| (*value > 0).then(|| Duration::from_millis(30)));
        let first = cache.get(1, || Ok::<(), ()>(()), || async { 0 }).await.unwrap();
        assert_eq!(first.source, Source::Miss);
        assert!(cache.is_empty(), "0 is not kept");
        assert_eq!(
            cache.get(1, || Err("no"), || async { 5 }).await.unwrap_err(),
            GetError::Refused("no")
        );
        assert!(cache.is_empty());
        cache.get(1, || Ok::<(), ()>(()), || async { 5 }).await.unwrap();
        clock.advance(Duration::from_millis(29));
        let kept = cache.get(1, || Err(()), || async { 6 }).await.unwrap();
        assert_eq!((kept.source, kept.age), (Source::Hit, Duration::from_millis(29)));
        clock.advance(Duration::from_millis(1));
        let expired = cache.get(1, || Ok::<(), ()>(()), || async { 6 }).await.unwrap();
        assert_eq!((expired.source, *expired.value), (Source::Miss, 6));
    }

    #[tokio::test]
    async fn a_panicking_fetch_abandons_its_waiters_but_not_the_key() {
        let (cache, _) = cache(|_| Some(Duration::from_secs(60)));
        let failed = cache
            .get(
                3,
                || Ok::<(), ()>(()),
                || async { panic!("the fetch task dies (expected in this test)") },
            )
            .await;
        assert_eq!(failed.unwrap_err(), GetError::Abandoned);
        let retried = cache.get(3, || Ok::<(), ()>(()), || async { 4 }).await.unwrap();
        assert_eq!((retried.source, *retried.value), (Source::Miss, 4));
    }

    #[tokio::test]
    async fn a_full_cache_drops_expired_answers_then_the_oldest() {
        let clock = Arc::new(ManualClock::new());
        let cache = SingleFlight::new(
            |value: &u32| Some(Duration::from_secs(u64::from(*value))),
            clock.clone(),
            4,
            Duration::ZERO,
        );
        let fill = |key: u32, keep: u32| {
            let cache = Arc::clone(&cache);
            async move {
                cache
                    .get(key, || Ok::<(), ()>(()), move || async move { keep })
                    .await
                    .unwrap()
            }
        };
        for key in 1..=4 {
            fill(key, if key == 2 { 1 } else { 60 }).await;
        }
        clock.advance(Duration::from_secs(2));
        fill(5, 60).await;
        assert_eq!(cache.len(), 4, "2 had expired and went");
        assert_eq!(fill(1, 60).await.source, Source::Hit, "1 was still fresh");
        fill(6, 60).await;
        assert_eq!(cache.len(), 4, "no expired answer left: the oldest (1) went");
        assert_eq!(fill(1, 60).await.source, Source::Miss);
        assert_eq!(fill(3, 60).await.source, Source::Miss, "and then 3, the next oldest");
        assert_eq!(fill(6, 60).await.source, Source::Hit);
    }

    #[tokio::test]
    async fn a_refused_fetch_gets_a_recently_expired_answer() {
        let clock = Arc::new(ManualClock::new());
        let cache = SingleFlight::new(
            |_: &u32| Some(Duration::from_secs(2)),
            clock.clone(),
            10,
            Duration::from_secs(60),
        );
        cache.get(1, || Ok::<(), ()>(()), || async { 7 }).await.unwrap();
        clock.advance(Duration::from_secs(30));
        let stale = cache.get(1, || Err(()), || async { 8 }).await.unwrap();
        assert_eq!(
            (stale.source, *stale.value, stale.age),
            (Source::Stale, 7, Duration::from_secs(30))
        );
        clock.advance(Duration::from_secs(33));
        assert_eq!(
            cache.get(1, || Err(()), || async { 8 }).await.unwrap_err(),
            GetError::Refused(()),
            "too old to stand in"
        );
        assert_eq!(
            cache.get(2, || Err(()), || async { 8 }).await.unwrap_err(),
            GetError::Refused(())
        );
    }

    #[tokio::test]
    async fn fetches_in_flight_are_never_evicted() {
        let clock = Arc::new(ManualClock::new());
        let cache = SingleFlight::new(|_: &u32| Some(Duration::from_secs(60)), clock, 1, Duration::ZERO);
        let gate = Arc::new(Semaphore::new(0));
        let waiting = {
            let gate = Arc::clone(&gate);
            let mut get = Box::pin(cache.get(
                1,
                || Ok::<(), ()>(()),
                move || async move {
                    let _open = gate.acquire().await;
                    1
                },
            ));
            start(&mut get).await;
            get
        };
        assert_eq!(
            cache.get(2, || Ok::<(), ()>(()), || async { 2 }).await.unwrap_err(),
            GetError::Full
        );
        gate.add_permits(1);
        assert_eq!(*waiting.await.unwrap().value, 1);
    }
}
