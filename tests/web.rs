//! Browser tests: the card and the API client in headless Chromium and Firefox, against the local
//! simulator over real HTTP. `cargo xtask test` starts the simulator and sets its URL.
#![cfg(target_arch = "wasm32")]

mod common;

use std::rc::Rc;
use std::time::Duration;

use tensorpix_job_card::Snapshot;
use tensorpix_job_card::internals::api::{ApiConfig, FetchError};
use tensorpix_job_card::internals::i18n::{ENGLISH, Numbers, PlainNumbers};
use tensorpix_job_card::internals::{CardLocale, CardView, CardViewProps};
use tensorpix_job_card::models::{Credits, Job, JobStatus};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlVideoElement};

wasm_bindgen_test_configure!(run_in_browser);

use common::*;

#[wasm_bindgen_test]
async fn fetches_a_finished_job() {
    let job = fetch(&config("", KEY), 102, TIMEOUT).await.unwrap();
    assert_eq!(job.status, JobStatus::Finished);
    assert!(job.output_video.is_some());
}

#[wasm_bindgen_test]
async fn integers_past_two_to_the_53_are_read_not_refused() {
    // The browser parses 9223372036854775807 as the double 2^63; the card reads it as i64::MAX.
    let job = fetch(&config("", KEY), 107, TIMEOUT).await.unwrap();
    let output = job.output_video.unwrap();
    assert_eq!(output.bitrate, Some(i64::MAX));
    assert_eq!(output.size, Some(400_000_000_000));
    assert_eq!(job.input_video.bitrate, Some(i64::MAX));
}

#[wasm_bindgen_test]
async fn every_fault_becomes_its_own_error() {
    let error = |path: &'static str| async move { fetch(&config(path, KEY), 102, TIMEOUT).await.unwrap_err() };
    assert_eq!(
        fetch(&config("", "wrong-key"), 102, TIMEOUT).await.unwrap_err(),
        FetchError::Unauthorized {
            detail: Some("Invalid token.".into())
        }
    );
    assert_eq!(
        fetch(&config("", KEY), 999, TIMEOUT).await.unwrap_err().kind(),
        "not-found"
    );
    assert_eq!(
        fetch(&config("", KEY), 403, TIMEOUT).await.unwrap_err().kind(),
        "forbidden"
    );
    assert_eq!(
        error("/_fault/502").await,
        FetchError::Server {
            status: 502,
            detail: None
        }
    );
    assert_eq!(error("/_fault/503").await.status(), Some(503));
    assert_eq!(
        error("/_fault/429").await,
        FetchError::RateLimited {
            detail: Some("Request was throttled. Expected available in 2 seconds.".into()),
            retry_after: Some(Duration::from_secs(2)),
        },
        "Retry-After must be readable across origins"
    );
    assert_eq!(error("/_fault/truncated").await.kind(), "invalid-response");
    assert_eq!(error("/_fault/malformed").await.kind(), "invalid-response");
    assert_eq!(error("/_fault/schema").await.kind(), "invalid-response");
    assert_eq!(
        error("/_fault/schema").await.explanation(&ENGLISH),
        "The response does not match the job schema at `id` (invalid type: string \"one\", expected an integer).",
        "the wrong field is named, in serde's words without the JavaScript error's prefix"
    );
    assert_eq!(error("/_fault/drop").await, FetchError::Network);
    let unreachable = ApiConfig {
        base: "http://127.0.0.1:9".into(),
        ..ApiConfig::default()
    };
    assert_eq!(
        fetch(&unreachable, 102, TIMEOUT).await.unwrap_err(),
        FetchError::Network
    );
    let slow = fetch(&config("/_fault/slow-3000", KEY), 102, Duration::from_millis(300)).await;
    assert_eq!(slow.unwrap_err(), FetchError::Timeout);
}

#[wasm_bindgen_test]
async fn every_job_shows_its_status_in_words() {
    let cases = [
        (fresh_moving_job().await, "In queue", "in-queue"),
        (108, "In queue", "in-queue"),
        (109, "Processing", "processing"),
        (112, "Processing", "processing"),
        (102, "Finished", "finished"),
        (105, "Finished", "finished"),
        (106, "Finished", "finished"),
        (107, "Finished", "finished"),
        (111, "Finished", "finished"),
        (103, "Failed", "failed"),
        (104, "Canceled", "canceled"),
        (110, "Unknown status (7)", "unknown"),
    ];
    for (job_id, label, state) in cases {
        let root = mount(Card { job_id, ..CARD });
        assert_eq!(text_of(&root, ".tpx-status-label").await, label, "job {job_id}");
        let card = settled(&root).await;
        assert_eq!(card.get_attribute("data-state").as_deref(), Some(state), "job {job_id}");
        let text = card.text_content().unwrap();
        let words: Vec<&str> = text.split(|character: char| !character.is_alphanumeric()).collect();
        for bad in ["null", "NaN", "undefined", "Infinity"] {
            assert!(!words.contains(&bad), "job {job_id} shows {bad}: {text}");
        }
    }
}

#[wasm_bindgen_test]
async fn processing_shows_percent_eta_and_elapsed() {
    let root = mount(Card { job_id: 109, ..CARD });
    assert_eq!(text_of(&root, ".tpx-percent").await, "42%");
    assert_eq!(text_of(&root, ".tpx-eta").await, "about 2 min left");
    assert!(text_of(&root, ".tpx-elapsed").await.starts_with("running for "));
    let progress: web_sys::HtmlProgressElement = find(&root, "progress").await.dyn_into().unwrap();
    assert_eq!(progress.position(), 0.42);
    assert!(!has(&root, ".tpx-download"), "no download before the job finishes");
}

#[wasm_bindgen_test]
async fn out_of_range_progress_is_clamped_and_a_negative_eta_hidden() {
    let root = mount(Card { job_id: 112, ..CARD });
    assert_eq!(text_of(&root, ".tpx-percent").await, "100%");
    assert!(!has(&root, ".tpx-eta"));
}

#[wasm_bindgen_test]
async fn a_queued_job_explains_the_wait() {
    let root = mount(Card { job_id: 108, ..CARD });
    assert!(
        text_of(&root, ".tpx-phase[data-phase=queued]")
            .await
            .contains("Jobs can wait a few minutes while GPUs start")
    );
    assert!(!has(&root, "progress"));
}

#[wasm_bindgen_test]
async fn a_finished_job_offers_its_download_and_details() {
    let root = mount(Card { job_id: 102, ..CARD });
    let download = find(&root, "a.tpx-download").await;
    assert_eq!(
        download.get_attribute("href").unwrap(),
        format!("{}/media/output-102.webm", simulator())
    );
    assert_eq!(
        download.get_attribute("download").as_deref(),
        Some("wedding-1998-vhs-transfer_enhanced.mp4")
    );
    assert!(download.text_content().unwrap().contains("Download enhanced video"));
    let output = text_of(&root, ".tpx-output").await;
    assert!(output.contains("1920 × 1080 (2× upscale)"), "{output}");
    assert!(output.contains("4.4 / 5"), "{output}");
    assert!(text_of(&root, ".tpx-input").await.contains("734 MB"));
    assert!(text_of(&root, ".tpx-models").await.contains("Upscale 2x"));
    assert!(text_of(&root, ".tpx-settings").await.contains("1080p"));
    assert!(text_of(&root, ".tpx-facts").await.contains("18.75 credits"));
    let thumbnail = find(&root, ".tpx-thumbnail img").await;
    assert_eq!(
        thumbnail.get_attribute("src").unwrap(),
        format!("{}/media/output-thumbnail.jpg", simulator())
    );
}

/// A card laying out `job` as a feed would hand it over, for answers the simulator does not give.
fn show(job: Job, locale: CardLocale) -> Mounted<CardView> {
    let job_id = job.id;
    let snapshot = Snapshot {
        job: Some(Rc::new(job)),
        ..Snapshot::default()
    };
    Mounted::new(
        400,
        yew::props!(CardViewProps {
            snapshot: Rc::new(snapshot),
            job_id,
            locale,
        }),
    )
}

#[wasm_bindgen_test]
async fn credits_keep_every_digit_in_the_cards_locale() {
    // More digits than a double holds: `Intl` is handed the decimal as text, never as a number.
    let mut job = fetch(&config("", KEY), 102, TIMEOUT).await.unwrap();
    job.cost_usd = Credits("12345678901234567.5".into());
    let root = show(job, CardLocale::resolve(Some("de-DE")));
    let facts = text_of(&root, ".tpx-facts").await;
    assert!(facts.contains("12.345.678.901.234.567,5 Credits"), "{facts}");
}

#[wasm_bindgen_test]
async fn absurdly_long_credits_stay_exact_and_never_become_infinite() {
    // Past a double's range Chromium's `Intl` writes `∞`; up to 100 digits every digit is kept.
    let shown = |digits: String| async move {
        let mut job = fetch(&config("", KEY), 102, TIMEOUT).await.unwrap();
        job.cost_usd = Credits(digits);
        let root = show(job, CardLocale::resolve(Some("en-US")));
        text_of(&root, ".tpx-facts").await
    };
    let hundred: String = (0..100).map(|index| char::from(b'1' + index % 9)).collect();
    let grouped = shown(hundred.clone()).await;
    // en-US groups as the native formatter does: `1,234,567,891,…`.
    let expected = PlainNumbers::default().exact_decimal(&hundred);
    assert!(grouped.contains(&format!("{expected} credits")), "{grouped}");
    let huge = "9".repeat(400);
    let bare = shown(huge.clone()).await;
    assert!(bare.contains(&format!("{huge} credits")), "{bare}");
    assert!(!bare.contains('∞'), "{bare}");
}

#[wasm_bindgen_test]
async fn a_clip_that_cannot_play_leaves_no_unhandled_rejection() {
    // The "before" clip follows the "after" one with `play()`, whose promise rejects when the clip
    // cannot play (here: no such file; in the wild: an autoplay policy).
    let window = web_sys::window().unwrap();
    let rejections = js_sys::Array::new();
    let record = js_sys::Function::new_with_args("event", "this.push(String(event.reason));").bind0(&rejections);
    window
        .add_event_listener_with_callback("unhandledrejection", &record)
        .unwrap();
    let mut job = fetch(&config("", KEY), 102, TIMEOUT).await.unwrap();
    let clips = job.output_video.as_mut().unwrap().preview_videos.as_mut().unwrap();
    clips.before_video = Some(format!("{}/media/no-such-clip.webm", simulator()));
    let root = show(job, CardLocale::default());
    let after: HtmlVideoElement = find(&root, ".tpx-comparison-after").await.dyn_into().unwrap();
    let before: HtmlVideoElement = find(&root, ".tpx-comparison-before").await.dyn_into().unwrap();
    // Muted clips may play without a gesture; start it in case the browser did not autoplay.
    let _ = after.play();
    eventually(10, "the after clip plays", || !after.paused()).await;
    eventually(10, "the before clip has failed to load", || before.error().is_some()).await;
    sleep(500).await;
    window
        .remove_event_listener_with_callback("unhandledrejection", &record)
        .unwrap();
    assert_eq!(rejections.length(), 0, "{rejections:?}");
}

#[wasm_bindgen_test]
async fn a_deleted_output_has_no_dead_link() {
    let root = mount(Card { job_id: 105, ..CARD });
    assert!(
        text_of(&root, ".tpx-deleted")
            .await
            .starts_with("The enhanced video was deleted on ")
    );
    assert!(!has(&root, "a.tpx-download"));
}

#[wasm_bindgen_test]
async fn the_free_preview_is_flagged() {
    let root = mount(Card { job_id: 106, ..CARD });
    assert_eq!(text_of(&root, ".tpx-flag").await, "Free preview");
    assert!(text_of(&root, ".tpx-facts").await.contains("Free preview"));
}

#[wasm_bindgen_test]
async fn hostile_strings_stay_text_and_hostile_urls_go_nowhere() {
    let root = mount(Card { job_id: 111, ..CARD });
    let name = text_of(&root, ".tpx-name").await;
    assert!(
        name.starts_with("<img src=x onerror=alert(1)>"),
        "shown as text: {name}"
    );
    assert!(!has(&root, "img"), "javascript: and data: thumbnails must not load");
    assert!(
        !has(&root, "script, svg, a:not(.tpx-download)"),
        "no markup came from the API's strings"
    );
    assert!(!has(&root, "a.tpx-download"), "a javascript: file is not a download");
    assert!(text_of(&root, ".tpx-models").await.contains("<svg onload=alert(1)>"));
}

#[wasm_bindgen_test]
async fn every_error_has_a_specific_message_and_a_retry_button() {
    let cases: [(i64, &str, &str, u32, &str, &str); 13] = [
        (
            102,
            "",
            "wrong-key",
            20_000,
            "unauthorized",
            "The API key was not accepted",
        ),
        (403, "", KEY, 20_000, "forbidden", "No access to job 403"),
        (999, "", KEY, 20_000, "not-found", "Job 999 was not found"),
        (102, "/_fault/429", KEY, 20_000, "rate-limited", "Too many requests"),
        (
            102,
            "/_fault/500",
            KEY,
            20_000,
            "server",
            "TensorPix is having trouble (HTTP 500)",
        ),
        (
            102,
            "/_fault/502",
            KEY,
            20_000,
            "server",
            "TensorPix is having trouble (HTTP 502)",
        ),
        (
            102,
            "/_fault/503",
            KEY,
            20_000,
            "server",
            "TensorPix is having trouble (HTTP 503)",
        ),
        (
            102,
            "/_fault/slow-3000",
            KEY,
            300,
            "timeout",
            "TensorPix did not answer in time",
        ),
        (
            102,
            "/_fault/malformed",
            KEY,
            20_000,
            "invalid-response",
            "TensorPix sent a response the card cannot read",
        ),
        (
            102,
            "/_fault/truncated",
            KEY,
            20_000,
            "invalid-response",
            "TensorPix sent a response the card cannot read",
        ),
        (
            102,
            "/_fault/schema",
            KEY,
            20_000,
            "invalid-response",
            "TensorPix sent a response the card cannot read",
        ),
        (102, "/_fault/drop", KEY, 20_000, "network", "Could not reach TensorPix"),
        (102, "/_fault/teapot", KEY, 20_000, "not-found", "Job 102 was not found"),
    ];
    for (job_id, base_path, key, timeout_ms, kind, title) in cases {
        let root = mount(Card {
            job_id,
            base_path: base_path.into(),
            key,
            timeout_ms,
            ..CARD
        });
        assert_eq!(text_of(&root, ".tpx-error-title").await, title, "{base_path} {kind}");
        let error = find(&root, ".tpx-error").await;
        assert_eq!(error.get_attribute("data-error").as_deref(), Some(kind), "{base_path}");
        assert_eq!(error.get_attribute("role").as_deref(), Some("alert"));
        assert_eq!(text_of(&root, "button.tpx-retry").await, "Try again");
        let explanation = text_of(&root, ".tpx-error-text").await;
        assert!(
            explanation.starts_with(explanation_start(kind)),
            "{base_path}: {explanation}"
        );
        if kind == "invalid-response" {
            assert!(
                !explanation.contains("byte") && !explanation.contains(char::is_numeric),
                "{base_path}: no positions in what a user reads: {explanation}"
            );
        }
    }
}

/// How the card's explanation of an error of this kind begins.
fn explanation_start(kind: &str) -> &'static str {
    match kind {
        "unauthorized" => ENGLISH.advice_unauthorized,
        "forbidden" => ENGLISH.advice_forbidden,
        "not-found" => ENGLISH.advice_not_found,
        "rate-limited" => ENGLISH.advice_rate_limited,
        "server" | "http" => ENGLISH.advice_temporary,
        "network" => ENGLISH.advice_network,
        "timeout" => ENGLISH.advice_timeout,
        "invalid-response" => "The response ",
        other => panic!("no such error kind: {other}"),
    }
}

#[wasm_bindgen_test]
async fn the_servers_detail_is_shown() {
    let root = mount(Card {
        key: "wrong-key",
        ..CARD
    });
    assert!(text_of(&root, ".tpx-error-text").await.contains("“Invalid token.”"));
    let gateway = mount(Card {
        base_path: "/_fault/502".into(),
        ..CARD
    });
    assert_eq!(
        text_of(&gateway, ".tpx-error-text").await,
        ENGLISH.advice_temporary,
        "an HTML body is not a detail"
    );
}

#[wasm_bindgen_test]
async fn a_retry_after_the_fault_clears_shows_the_job() {
    // A job no other card shows, so this card's feed makes the first request itself.
    let job_id = fresh_moving_job().await;
    switch_on_fault(job_id, "404", 1).await;
    let root = mount(Card { job_id, ..CARD });
    assert_eq!(
        text_of(&root, ".tpx-error-title").await,
        format!("Job {job_id} was not found")
    );
    let retry: HtmlElement = find(&root, ".tpx-retry").await.dyn_into().unwrap();
    retry.click();
    assert_eq!(text_of(&root, ".tpx-status-label").await, "In queue");
    assert!(!has(&root, ".tpx-error"));
}

#[wasm_bindgen_test]
async fn nothing_overflows_from_280_to_800_pixels() {
    for width_px in [280, 400, 800] {
        for job_id in [102, 107, 109, 111] {
            let root = mount(Card {
                job_id,
                width_px,
                ..CARD
            });
            let card: HtmlElement = settled(&root).await.dyn_into().unwrap();
            if let Some(details) = root.query_selector("details").unwrap() {
                details.set_attribute("open", "").unwrap();
            }
            // Measure once the thumbnails have their real size.
            let images = root.query_selector_all("img").unwrap();
            let loaded = || {
                (0..images.length()).all(|index| {
                    js_sys::Reflect::get(&images.item(index).unwrap(), &"complete".into()).unwrap() == true
                })
            };
            eventually(10, "the card's images loaded", loaded).await;
            assert!(
                card.scroll_width() <= card.client_width() + 1,
                "job {job_id} at {width_px} px: scroll width {} > client width {}",
                card.scroll_width(),
                card.client_width()
            );
            assert!(
                card.offset_width() as u32 <= width_px,
                "job {job_id} at {width_px} px is wider than its container"
            );
        }
    }
}
