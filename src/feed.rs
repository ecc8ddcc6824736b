//! Live job feeds: one poll loop per job and API, shared by every card that shows that job.
//!
//! A [`Subscription`] keeps its feed alive; when the last one is dropped the feed aborts its request,
//! cancels its timer and removes its listeners, so nothing outlives the cards. The feed executes
//! what [`PollPolicy`] decides and publishes a [`Snapshot`] after every change.

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::time::Duration;

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use tensorpix_models::{Job, JobStatus};
use wasm_bindgen::JsValue;
use yew::Callback;

use crate::api::{ApiConfig, FetchError, Fetched, fetch_job};
use crate::card_model::Tracking;
use crate::poll::{EtaSmoother, Failure, Next, PollPolicy, PollSettings, Stopped};

/// What a feed knows, as every subscribed card sees it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    /// The last job that arrived; it stays when later requests fail.
    pub job: Option<Rc<Job>>,
    /// The object `job` was decoded from, as the browser parsed the API's answer.
    pub source: Option<JsValue>,
    /// When `job` arrived (Unix milliseconds).
    pub updated_at: Option<i64>,
    /// The last request's error, cleared by the next success.
    pub error: Option<FetchError>,
    /// When the next attempt after `error` is due, for a countdown.
    pub retry_at: Option<i64>,
    /// True when polling stopped on an error that needs the retry button.
    pub needs_retry: bool,
    /// When the feed first saw the job in the queue.
    pub queued_since: Option<i64>,
    pub eta: EtaSmoother,
}

impl Snapshot {
    /// The card's live view of the job at `now`: queue time and the counted-down ETA.
    pub fn tracking(&self, now: i64) -> Tracking {
        Tracking {
            queued_since: self.queued_since,
            eta_seconds: self.eta.remaining_at(now),
        }
    }
}

/// Which feed a card wants: cards with equal keys share one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FeedKey {
    pub config: ApiConfig,
    pub job_id: i64,
}

thread_local! {
    /// The running feeds. A page shows a handful of jobs, so a list searched in order does, and
    /// costs the bundle less than a hash map.
    static FEEDS: RefCell<Vec<(FeedKey, Weak<Feed>)>> = const { RefCell::new(Vec::new()) };
}

/// A card's hold on a feed. Dropping it unsubscribes; the last drop stops the feed.
pub struct Subscription {
    feed: Rc<Feed>,
    id: u64,
}

impl Subscription {
    /// Subscribes to the feed for `key`, starting it if no card shows this job yet. `on_change`
    /// receives the current snapshot at once and every later one.
    pub fn new(key: FeedKey, settings: PollSettings, timeout: Duration, on_change: Callback<Rc<Snapshot>>) -> Self {
        let existing = FEEDS.with(|feeds| {
            feeds
                .borrow()
                .iter()
                .find(|(running, _)| *running == key)
                .and_then(|(_, feed)| feed.upgrade())
        });
        let feed = existing.unwrap_or_else(|| Feed::start(key, settings, timeout));
        let id = feed.subscribe(settings, on_change);
        Subscription { feed, id }
    }

    /// Starts polling again from scratch: the retry button.
    pub fn restart(&self) {
        self.feed.restart();
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.feed.unsubscribe(self.id);
    }
}

struct Feed {
    key: FeedKey,
    timeout: Duration,
    state: RefCell<FeedState>,
    this: Weak<Feed>,
}

struct FeedState {
    policy: PollPolicy,
    snapshot: Rc<Snapshot>,
    subscribers: Vec<Subscriber>,
    next_subscriber: u64,
    timer: Option<Timeout>,
    /// The request in flight: its number and the controller that aborts it.
    in_flight: Option<(u64, web_sys::AbortController)>,
    requests: u64,
    _listeners: Vec<EventListener>,
}

struct Subscriber {
    id: u64,
    settings: PollSettings,
    on_change: Callback<Rc<Snapshot>>,
}

fn now() -> i64 {
    js_sys::Date::now() as i64
}

impl Feed {
    fn start(key: FeedKey, settings: PollSettings, timeout: Duration) -> Rc<Feed> {
        let feed = Rc::new_cyclic(|this: &Weak<Feed>| Feed {
            key: key.clone(),
            timeout,
            state: RefCell::new(FeedState {
                policy: PollPolicy::new(settings),
                snapshot: Rc::new(Snapshot::default()),
                subscribers: Vec::new(),
                next_subscriber: 0,
                timer: None,
                in_flight: None,
                requests: 0,
                _listeners: page_listeners(this),
            }),
            this: this.clone(),
        });
        FEEDS.with(|feeds| {
            let mut feeds = feeds.borrow_mut();
            feeds.retain(|(running, _)| *running != key);
            feeds.push((key, Rc::downgrade(&feed)));
        });
        let (hidden, offline) = page_state();
        let next = {
            let mut state = feed.state.borrow_mut();
            state.policy.set_hidden(hidden, now());
            state.policy.set_offline(offline, now());
            state.policy.start(now())
        };
        feed.execute(next);
        feed
    }

    fn subscribe(&self, settings: PollSettings, on_change: Callback<Rc<Snapshot>>) -> u64 {
        let (id, snapshot) = {
            let mut state = self.state.borrow_mut();
            let id = state.next_subscriber;
            state.next_subscriber += 1;
            state.subscribers.push(Subscriber {
                id,
                settings,
                on_change: on_change.clone(),
            });
            state.refresh_settings();
            (id, state.snapshot.clone())
        };
        on_change.emit(snapshot);
        id
    }

    fn unsubscribe(&self, id: u64) {
        let mut state = self.state.borrow_mut();
        state.subscribers.retain(|subscriber| subscriber.id != id);
        state.refresh_settings();
    }

    fn restart(&self) {
        let next = {
            let mut state = self.state.borrow_mut();
            state.abort_in_flight();
            state.snapshot = Rc::new(Snapshot {
                error: None,
                retry_at: None,
                needs_retry: false,
                ..(*state.snapshot).clone()
            });
            state.policy.start(now())
        };
        self.publish();
        self.execute(next);
    }

    /// Does what the policy decided.
    fn execute(&self, next: Next) {
        match next {
            Next::FetchNow => self.fetch(),
            Next::FetchIn(delay) => {
                let this = self.this.clone();
                let timer = Timeout::new(crate::poll::timer_millis(delay), move || {
                    if let Some(feed) = this.upgrade() {
                        let next = feed.state.borrow_mut().policy.timer_fired(now());
                        feed.execute(next);
                    }
                });
                self.state.borrow_mut().timer = Some(timer);
            }
            Next::Wait | Next::Stop => self.state.borrow_mut().timer = None,
        }
    }

    fn fetch(&self) {
        let Ok(controller) = web_sys::AbortController::new() else {
            return;
        };
        let request = {
            let mut state = self.state.borrow_mut();
            state.timer = None;
            state.policy.fetch_started();
            state.requests += 1;
            state.in_flight = Some((state.requests, controller.clone()));
            state.requests
        };
        let (this, config, job_id, timeout) = (
            self.this.clone(),
            self.key.config.clone(),
            self.key.job_id,
            self.timeout,
        );
        yew::platform::spawn_local(async move {
            let result = fetch_job(&config, job_id, timeout, &controller).await;
            if let Some(feed) = this.upgrade() {
                feed.complete(request, result);
            }
        });
    }

    /// Applies an answer, unless a newer request (or a restart) made it stale.
    fn complete(&self, request: u64, result: Result<Fetched, FetchError>) {
        let next = {
            let mut state = self.state.borrow_mut();
            if state.in_flight.as_ref().map(|(current, _)| *current) != Some(request) {
                return;
            }
            state.in_flight = None;
            let now = now();
            let mut snapshot = (*state.snapshot).clone();
            let next = match result {
                Ok(Fetched { job, source }) => {
                    let next = state.policy.succeeded(job.status, now);
                    snapshot.queued_since = match (job.status, snapshot.queued_since) {
                        (JobStatus::InQueue, since) => since.or(Some(now)),
                        _ => None,
                    };
                    snapshot
                        .eta
                        .observe(job.eta_seconds().filter(|_| job.status == JobStatus::Processing), now);
                    snapshot.job = Some(Rc::new(job));
                    snapshot.source = Some(source);
                    snapshot.updated_at = Some(now);
                    snapshot.error = None;
                    snapshot.retry_at = None;
                    snapshot.needs_retry = false;
                    next
                }
                Err(error) => {
                    let next = state.policy.failed(Failure::from(&error), now, js_sys::Math::random());
                    snapshot.retry_at = state.policy.due_at();
                    snapshot.needs_retry = state.policy.stopped() == Some(Stopped::Fatal);
                    snapshot.error = Some(error);
                    next
                }
            };
            state.snapshot = Rc::new(snapshot);
            next
        };
        self.publish();
        self.execute(next);
    }

    fn page_changed(&self) {
        let (hidden, offline) = page_state();
        let next = {
            let mut state = self.state.borrow_mut();
            let now = now();
            state.policy.set_hidden(hidden, now);
            state.policy.set_offline(offline, now)
        };
        self.execute(next);
    }

    /// Sends the snapshot to every card; callbacks run outside the borrow, since a card may react by
    /// subscribing or unsubscribing.
    fn publish(&self) {
        let (snapshot, callbacks) = {
            let state = self.state.borrow();
            (
                state.snapshot.clone(),
                state
                    .subscribers
                    .iter()
                    .map(|s| s.on_change.clone())
                    .collect::<Vec<_>>(),
            )
        };
        for callback in callbacks {
            callback.emit(snapshot.clone());
        }
    }
}

impl FeedState {
    fn refresh_settings(&mut self) {
        let fastest = self
            .subscribers
            .iter()
            .map(|subscriber| subscriber.settings)
            .reduce(PollSettings::fastest);
        if let Some(settings) = fastest {
            self.policy.set_settings(settings);
        }
    }

    fn abort_in_flight(&mut self) {
        if let Some((_, controller)) = self.in_flight.take() {
            controller.abort();
        }
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.state.get_mut().abort_in_flight();
        // Only our own entry: a new feed for the same key may already have replaced it.
        FEEDS.with(|feeds| {
            feeds
                .borrow_mut()
                .retain(|(running, feed)| *running != self.key || feed.strong_count() > 0)
        });
    }
}

/// Whether the page is hidden and whether the browser is offline.
fn page_state() -> (bool, bool) {
    let window = web_sys::window();
    let hidden = window
        .as_ref()
        .and_then(|window| window.document())
        .is_some_and(|document| document.hidden());
    let offline = window.is_some_and(|window| !window.navigator().on_line());
    (hidden, offline)
}

fn page_listeners(feed: &Weak<Feed>) -> Vec<EventListener> {
    let Some(window) = web_sys::window() else {
        return Vec::new();
    };
    let listener = |target: &web_sys::EventTarget, event: &'static str| {
        let feed = feed.clone();
        EventListener::new(target, event, move |_| {
            if let Some(feed) = feed.upgrade() {
                feed.page_changed();
            }
        })
    };
    let mut listeners = vec![listener(&window, "online"), listener(&window, "offline")];
    if let Some(document) = window.document() {
        listeners.push(listener(&document, "visibilitychange"));
    }
    listeners
}
