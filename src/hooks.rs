//! The card's Yew hooks: a job's live feed, the one-second clock, and the document's stylesheet.

use std::rc::Rc;
use std::time::Duration;

use gloo_timers::callback::Interval;
use yew::prelude::*;

use crate::feed::{FeedKey, Snapshot, Subscription};
use crate::poll::PollSettings;

/// What [`use_job_feed`] gives a component.
pub struct JobFeed {
    /// The feed's latest snapshot; a new key starts from a blank one.
    pub snapshot: Rc<Snapshot>,
    /// Starts polling again from scratch: the retry button.
    pub restart: Callback<()>,
}

/// Subscribes to the shared feed for `key` while the component lives (or until the key, the poll
/// settings or the timeout change) and re-renders on every snapshot. `on_snapshot` hears each one
/// too, and always the one from the latest render: a parent may pass a new callback at any time.
#[hook]
pub fn use_job_feed(
    key: FeedKey,
    poll: PollSettings,
    timeout: Duration,
    on_snapshot: Callback<Rc<Snapshot>>,
) -> JobFeed {
    // A cell and a re-render rather than `use_state`: the tick links `use_force_update` anyway,
    // and a card without any `use_state` keeps Yew's reducer code out of the bundle.
    let snapshot = use_mut_ref(|| Rc::new(Snapshot::default()));
    let update = use_force_update();
    let subscription = use_mut_ref(|| None::<Subscription>);
    let latest_on_snapshot = use_mut_ref(Callback::noop);
    *latest_on_snapshot.borrow_mut() = on_snapshot;
    {
        let (snapshot, subscription) = (snapshot.clone(), subscription.clone());
        use_effect_with((key, poll, timeout), move |(key, poll, timeout)| {
            // A new job starts from a blank card, never from another job's data.
            *snapshot.borrow_mut() = Rc::new(Snapshot::default());
            update.force_update();
            let on_change = Callback::from(move |next: Rc<Snapshot>| {
                // Cloned out first: the parent's callback may re-render it, which writes the cell.
                let on_snapshot = latest_on_snapshot.borrow().clone();
                on_snapshot.emit(next.clone());
                *snapshot.borrow_mut() = next;
                update.force_update();
            });
            *subscription.borrow_mut() = Some(Subscription::new(key.clone(), *poll, *timeout, on_change));
            move || drop(subscription.borrow_mut().take())
        });
    }
    let restart = Callback::from(move |()| {
        if let Some(subscription) = subscription.borrow().as_ref() {
            subscription.restart();
        }
    });
    JobFeed {
        snapshot: snapshot.borrow().clone(),
        restart,
    }
}

/// Re-renders the component every second while `active`: for elapsed times, ETAs and countdowns.
#[hook]
pub fn use_tick(active: bool) {
    let update = use_force_update();
    use_effect_with(active, move |active| {
        let interval = active.then(|| Interval::new(1_000, move || update.force_update()));
        move || drop(interval)
    });
}

/// Adds the card's stylesheet to the document when `enabled` (once per page, however many cards).
/// Effects run before the browser paints, so a card never shows unstyled.
#[hook]
pub fn use_document_styles(enabled: bool) {
    use_effect_with(enabled, |enabled| {
        if *enabled {
            crate::styles::ensure_document_styles();
        }
    });
}
