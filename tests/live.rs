//! Browser tests of live updates: polling to the end, sharing, pausing, backoff, `Retry-After`,
//! clean-up and memory, measured with the simulator's request counters and log.
#![cfg(target_arch = "wasm32")]

mod common;

use std::rc::Rc;
use std::time::Duration;

use common::*;
use tensorpix_job_card::PollSettings;
use tensorpix_job_card::internals::{CardView, CardViewProps};
use tensorpix_job_card::models::{Job, JobStatus};
use tensorpix_job_card::{JobCardProps, Snapshot};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn label(root: &web_sys::Element) -> Option<String> {
    root.query_selector(".tpx-status-label")
        .unwrap()
        .and_then(|element| element.text_content())
}

/// The page pretends to be hidden while this lives, and is visible again when it drops, even when
/// a test fails half-way: later tests must not run on a "hidden" page.
struct HiddenPage;

impl HiddenPage {
    fn new() -> Self {
        set_page_hidden(true);
        HiddenPage
    }
}

impl Drop for HiddenPage {
    fn drop(&mut self) {
        set_page_hidden(false);
    }
}

/// Pretends the page is hidden (or visible again) and tells the page so, as a tab switch would.
fn set_page_hidden(hidden: bool) {
    let script = if hidden {
        "Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });"
    } else {
        "delete document.hidden;"
    };
    js_sys::eval(&format!(
        "{script} document.dispatchEvent(new Event('visibilitychange'));"
    ))
    .unwrap();
}

#[wasm_bindgen_test]
async fn a_job_is_polled_to_finished_and_then_never_again() {
    let job_id = fresh_moving_job().await;
    let root = mount(Card { job_id, ..CARD });
    for _ in 0..200 {
        if label(&root).as_deref() == Some("Finished") {
            break;
        }
        sleep(100).await;
    }
    assert_eq!(label(&root).as_deref(), Some("Finished"), "2 s queued + 5 s processing");
    assert!(has(&root, "a.tpx-download"));
    let at_finish = log_for(job_id).await;
    assert!(
        at_finish.len() >= 3,
        "queued, processing and finished were each seen: {at_finish:?}"
    );
    assert_one_loop(&at_finish, 1_000);
    sleep(2_500).await;
    assert_eq!(log_for(job_id).await, at_finish, "no request after the terminal answer");
}

/// Requests of one poll loop: never two at once, never closer than the interval (less a little
/// for the two clocks involved). Independent loops would show near-simultaneous pairs.
fn assert_one_loop(log: &[(u64, i64)], interval_ms: i64) {
    for pair in log.windows(2) {
        let gap = pair[1].1 - pair[0].1;
        assert!(gap >= interval_ms - 100, "requests {gap} ms apart: {log:?}");
    }
}

#[wasm_bindgen_test]
async fn three_cards_for_one_job_share_one_request_per_interval() {
    let job_id = fresh_moving_job().await;
    let cards: Vec<_> = (0..3).map(|_| mount(Card { job_id, ..CARD })).collect();
    sleep(3_500).await;
    let log = log_for(job_id).await;
    assert!(log.len() >= 2, "the job was polled: {log:?}");
    assert_one_loop(&log, 1_000);
    let labels: Vec<_> = cards.iter().map(|root| label(root)).collect();
    assert!(labels[0].is_some(), "the cards show the job");
    assert!(
        labels.iter().all(|shown| *shown == labels[0]),
        "every card shows the same answer: {labels:?}"
    );
}

#[wasm_bindgen_test]
async fn a_hidden_page_makes_no_requests_and_refreshes_on_return() {
    let job_id = fresh_moving_job().await;
    let root = mount(Card { job_id, ..CARD });
    find(&root, ".tpx-status-label").await;
    let hidden = HiddenPage::new();
    sleep(200).await;
    let while_hidden = requests_for(job_id).await;
    sleep(3_000).await;
    assert_eq!(
        requests_for(job_id).await,
        while_hidden,
        "no requests while hidden (polling every second otherwise)"
    );
    drop(hidden);
    for _ in 0..50 {
        if requests_for(job_id).await > while_hidden {
            break;
        }
        sleep(100).await;
    }
    assert_eq!(requests_for(job_id).await, while_hidden + 1, "one request on return");
}

#[wasm_bindgen_test]
async fn retry_after_is_honoured() {
    let job_id = fresh_moving_job().await;
    let root = mount(Card { job_id, ..CARD });
    find(&root, ".tpx-status-label").await;
    // Five seconds: longer than any backoff the card would pick by itself after one failure.
    switch_on_fault(job_id, "429-5", 1).await;
    let mut log = Vec::new();
    for _ in 0..150 {
        log = log_for(job_id).await;
        if log.iter().skip_while(|(status, _)| *status != 429).nth(1).is_some() {
            break;
        }
        sleep(100).await;
    }
    let limited = log
        .iter()
        .position(|(status, _)| *status == 429)
        .expect("a 429 was served");
    let (_, limited_at) = log[limited];
    let (next_status, next_at) = *log.get(limited + 1).expect("a request after the 429");
    assert_eq!(next_status, 200);
    assert!(
        next_at - limited_at >= 4_900,
        "Retry-After: 5 means five seconds, got {} ms",
        next_at - limited_at
    );
}

#[wasm_bindgen_test]
async fn a_huge_retry_after_never_makes_a_tight_loop() {
    let job_id = fresh_moving_job().await;
    let root = mount(Card { job_id, ..CARD });
    find(&root, ".tpx-status-label").await;
    switch_on_fault(job_id, "429-18446744073709551615", 1).await;
    let mut limited = 0;
    for _ in 0..50 {
        limited = log_for(job_id)
            .await
            .iter()
            .filter(|(status, _)| *status == 429)
            .count();
        if limited > 0 {
            break;
        }
        sleep(100).await;
    }
    assert_eq!(limited, 1, "the card met the 429");
    let after_the_429 = requests_for(job_id).await;
    sleep(3_000).await;
    assert_eq!(
        requests_for(job_id).await,
        after_the_429,
        "it waits (capped at an hour) instead of polling at once"
    );
    let notice = text_of(&root, ".tpx-stale").await;
    assert!(notice.contains("Too many requests"), "{notice}");
}

#[wasm_bindgen_test]
async fn a_burst_of_500s_backs_off_keeps_the_old_job_and_recovers() {
    let started = js_sys::Date::now() as i64;
    let root = mount(Card {
        job_id: 109,
        poll: PollSettings::every_second(),
        ..CARD
    });
    assert_eq!(text_of(&root, ".tpx-status-label").await, "Processing");
    switch_on_fault(109, "500", 2).await;
    let stale = find(&root, ".tpx-stale").await;
    let notice = stale.text_content().unwrap();
    assert!(
        notice.contains("Couldn't refresh (TensorPix is having trouble (HTTP 500)); retrying in"),
        "{notice}"
    );
    assert!(notice.contains("Last updated"), "{notice}");
    assert_eq!(
        label(&root).as_deref(),
        Some("Processing"),
        "the last good job stays on screen"
    );
    assert!(
        !has(&root, ".tpx-loading, .tpx-error"),
        "never back to a spinner or an error card"
    );
    // Backoff: ~2 s then ~4 s (±25 %), then the next success clears the notice.
    for _ in 0..120 {
        if !has(&root, ".tpx-stale") {
            break;
        }
        sleep(100).await;
    }
    assert!(!has(&root, ".tpx-stale"), "recovered after the burst");
    let log: Vec<_> = log_for(109)
        .await
        .into_iter()
        .filter(|(_, at)| *at >= started)
        .collect();
    let first_500 = log.iter().position(|(status, _)| *status == 500).unwrap();
    let (first, second, recovery) = (log[first_500].1, log[first_500 + 1].1, log[first_500 + 2]);
    assert_eq!(log[first_500 + 1].0, 500);
    assert_eq!(recovery.0, 200);
    assert!(
        recovery.1 - second > second - first,
        "the second wait is longer than the first: {log:?}"
    );
    assert!(
        second - first >= 1_400,
        "first backoff about 2 s: {} ms",
        second - first
    );
    assert!(
        recovery.1 - second >= 2_900,
        "second backoff about 4 s: {} ms",
        recovery.1 - second
    );
}

#[wasm_bindgen_test]
async fn a_removed_card_stops_all_its_requests() {
    let job_id = fresh_moving_job().await;
    let root = mount(Card { job_id, ..CARD });
    find(&root, ".tpx-status-label").await;
    drop(root);
    let at_removal = requests_for(job_id).await;
    sleep(2_500).await;
    assert_eq!(requests_for(job_id).await, at_removal);
}

/// Counts the snapshots a callback hears.
fn counting() -> (Rc<std::cell::Cell<u32>>, yew::Callback<Rc<Snapshot>>) {
    let count = Rc::new(std::cell::Cell::new(0));
    let callback = {
        let count = count.clone();
        yew::Callback::from(move |_: Rc<Snapshot>| count.set(count.get() + 1))
    };
    (count, callback)
}

async fn until_heard(count: &std::cell::Cell<u32>, what: &str) {
    for _ in 0..200 {
        if count.get() > 0 {
            return;
        }
        sleep(50).await;
    }
    panic!("{what} never heard a snapshot");
}

#[wasm_bindgen_test]
async fn a_parents_new_on_snapshot_hears_every_later_snapshot_and_the_old_one_none() {
    let card = Card {
        job_id: fresh_moving_job().await,
        ..CARD
    };
    let (old_count, old) = counting();
    let mut root = mount_with(&card, old);
    until_heard(&old_count, "the first callback").await;
    let (new_count, new) = counting();
    root.update(JobCardProps {
        on_snapshot: new,
        ..props_of(&card)
    });
    // The parent's re-render is when the switch happens.
    rendered().await;
    let old_at_switch = old_count.get();
    until_heard(&new_count, "the new callback").await;
    // One more poll, for good measure: the feed publishes at least every second for a live job.
    let heard = new_count.get();
    for _ in 0..100 {
        if new_count.get() > heard {
            break;
        }
        sleep(50).await;
    }
    assert!(new_count.get() > heard, "the new callback keeps hearing the feed");
    assert_eq!(
        old_count.get(),
        old_at_switch,
        "the old callback heard nothing after the switch"
    );
}

#[wasm_bindgen_test]
async fn a_new_job_id_never_shows_the_old_jobs_late_answer() {
    switch_on_fault(103, "slow-1500", 1).await;
    let mut root = mount(Card { job_id: 103, ..CARD });
    // A second card keeps job 103's feed (and its slow request) alive after the first moves on.
    let stays = mount(Card { job_id: 103, ..CARD });
    sleep(200).await;
    root.update(props_of(&Card { job_id: 104, ..CARD }));
    assert_eq!(text_of(&root, ".tpx-status-label").await, "Canceled");
    assert_eq!(
        text_of(&stays, ".tpx-status-label").await,
        "Failed",
        "job 103's slow answer did arrive"
    );
    assert_eq!(
        label(&root).as_deref(),
        Some("Canceled"),
        "but not in the card that moved to job 104"
    );
    assert_eq!(text_of(&root, ".tpx-name").await, "graduation-speech.mp4");
}

#[wasm_bindgen_test]
async fn elapsed_time_ticks_between_polls() {
    // Dated from now, job 109 has been processing for two minutes, however long the simulator has
    // been up: the span reads "2 min N s" and its seconds move.
    let root = mount(Card {
        job_id: 109,
        base_path: started_at(js_sys::Date::now() as i64),
        poll: PollSettings::every(Duration::from_secs(30)),
        ..CARD
    });
    let before = text_of(&root, ".tpx-elapsed").await;
    assert!(before.contains("2 min"), "{before}");
    sleep(2_200).await;
    let after = text_of(&root, ".tpx-elapsed").await;
    assert_ne!(before, after, "elapsed time moves without a new response");
    assert!(after.contains("2 min"), "{after}");
}

fn wasm_memory_bytes() -> f64 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().dyn_into().unwrap();
    memory.buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length() as f64
}

/// Waits until Yew has rendered what it was just handed.
async fn rendered() {
    yew::scheduler::flush().await;
}

/// A job that has been processing for two hours, so its elapsed time reads in whole minutes and
/// does not change between two renders a few milliseconds apart.
async fn long_running_job() -> Job {
    let mut job = fetch(&config("", KEY), 109, TIMEOUT).await.unwrap();
    job.status = JobStatus::Processing;
    let two_hours_ago = js_sys::Date::now() as i64 - 2 * 3_600_000;
    job.started = tensorpix_job_card::models::time::format_rfc3339_millis(two_hours_ago);
    job.finished = None;
    job.output_video = None;
    job
}

/// What the feed hands a card after a poll at `at` that found `job` at `progress` with `eta_s`.
fn polled(job: &Job, progress: f64, eta_s: f64, at: i64) -> CardViewProps {
    let mut job = job.clone();
    job.processing_progress = Some(progress);
    job.eta_s = Some(eta_s);
    let mut snapshot = Snapshot {
        job: Some(Rc::new(job)),
        updated_at: Some(at),
        ..Snapshot::default()
    };
    snapshot.eta.observe(Some(eta_s), at);
    yew::props!(CardViewProps {
        snapshot: Rc::new(snapshot),
        job_id: 109
    })
}

fn percent_shown(root: &web_sys::Element) -> Option<String> {
    root.query_selector(".tpx-percent").unwrap()?.text_content()
}

#[wasm_bindgen_test]
async fn an_identical_poll_changes_nothing_and_a_progress_poll_at_most_three_nodes() {
    let job = long_running_job().await;
    let now = js_sys::Date::now() as i64;
    let mut root = Mounted::<CardView>::new(400, polled(&job, 0.4, 600.0, now));
    rendered().await;
    assert_eq!(percent_shown(&root).as_deref(), Some("40%"));

    // The browser hands records to the callback at each microtask checkpoint; it keeps the count.
    let count_records = js_sys::Function::new_with_args("records", "this.seen = (this.seen ?? 0) + records.length;");
    let observer = web_sys::MutationObserver::new(&count_records).unwrap();
    let mutations = || {
        let delivered = js_sys::Reflect::get(&observer, &"seen".into())
            .unwrap()
            .as_f64()
            .unwrap_or(0.0) as u32;
        js_sys::Reflect::set(&observer, &"seen".into(), &0.into()).unwrap();
        delivered + observer.take_records().length()
    };
    let options = web_sys::MutationObserverInit::new();
    options.set_subtree(true);
    options.set_child_list(true);
    options.set_character_data(true);
    options.set_attributes(true);
    observer.observe_with_options(&root, &options).unwrap();

    root.update(polled(&job, 0.4, 600.0, now + 3_000));
    rendered().await;
    let identical = mutations();
    assert_eq!(identical, 0, "an identical poll touched {identical} DOM nodes");

    root.update(polled(&job, 0.45, 540.0, now + 6_000));
    rendered().await;
    let progress_only = mutations();
    assert_eq!(
        percent_shown(&root).as_deref(),
        Some("45%"),
        "the progress poll was rendered"
    );
    assert!(
        (1..=3).contains(&progress_only),
        "a progress and ETA poll made {progress_only} DOM mutations (budget: 3)"
    );
    observer.disconnect();
}

#[wasm_bindgen_test]
async fn ten_thousand_updates_of_a_card_grow_wasm_memory_by_less_than_64_kib() {
    let job = long_running_job().await;
    let start = js_sys::Date::now() as i64;
    let props = |update: u32| {
        let progress = f64::from(update % 100) / 100.0;
        polled(
            &job,
            progress,
            f64::from(1_000 - update % 1_000),
            start + i64::from(update),
        )
    };
    let mut root = Mounted::<CardView>::new(400, props(0));
    // Warm up: the allocator and Yew's caches settle in the first updates.
    for update in 1..=100 {
        root.update(props(update));
        rendered().await;
    }
    let before = wasm_memory_bytes();
    for update in 101..=10_100 {
        root.update(props(update));
        rendered().await;
        if update % 1_000 == 7 {
            let expected = format!("{}%", update % 100);
            assert_eq!(percent_shown(&root), Some(expected), "update {update} was rendered");
        }
    }
    let growth = wasm_memory_bytes() - before;
    console_log!("wasm memory: {before} bytes after 100 updates, grew by {growth} bytes over the next 10,000");
    assert_eq!(growth, 0.0, "wasm memory grew by {growth} bytes over 10,000 updates");
}
