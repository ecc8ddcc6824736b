//! Browser tests: the card and the API client in headless Chromium and Firefox, against the local
//! simulator over real HTTP. `cargo xtask test` starts the simulator and sets its URL.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use gloo_net::http::Request;
use tensorpix_job_card::api::{ApiConfig, FetchError, fetch_job};
use tensorpix_job_card::models::JobStatus;
use tensorpix_job_card::{JobCard, JobCardProps};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use yew::AttrValue;

wasm_bindgen_test_configure!(run_in_browser);

const KEY: &str = "tpx-demo-key";

fn simulator() -> &'static str {
    option_env!("TENSORPIX_SIMULATOR_URL").unwrap_or("http://127.0.0.1:8099")
}

fn config(path: &str, key: &str) -> ApiConfig {
    ApiConfig { base: format!("{}{path}", simulator()), key: Some(key.to_owned()) }
}

async fn sleep(millis: u64) {
    yew::platform::time::sleep(Duration::from_millis(millis)).await;
}

/// Renders a card into a fresh element and returns that element.
fn mount(job_id: i64, base_path: &str, key: &str) -> web_sys::Element {
    let document = gloo_utils_document();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let props = JobCardProps {
        job_id,
        api_base: AttrValue::from(format!("{}{base_path}", simulator())),
        api_key: Some(AttrValue::from(key.to_owned())),
    };
    yew::Renderer::<JobCard>::with_root_and_props(root.clone(), props).render();
    root
}

fn gloo_utils_document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Waits up to ten seconds for `selector` to match inside `root`, and returns its text.
async fn text_of(root: &web_sys::Element, selector: &str) -> String {
    for _ in 0..200 {
        if let Some(element) = root.query_selector(selector).unwrap() {
            return element.text_content().unwrap_or_default();
        }
        sleep(50).await;
    }
    panic!("`{selector}` never appeared; the card shows: {}", root.inner_html());
}

async fn switch_on_fault(job: i64, fault: &str, times: u32) {
    let body = format!(r#"{{"job": {job}, "fault": "{fault}", "times": {times}}}"#);
    let response = Request::post(&format!("{}/_sim/faults", simulator()))
        .header("Content-Type", "application/json")
        .body(body)
        .unwrap()
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
}

#[wasm_bindgen_test]
async fn fetches_a_finished_job() {
    let job = fetch_job(&config("", KEY), 102).await.unwrap();
    assert_eq!(job.status, JobStatus::Finished);
    assert!(job.output_video.is_some());
}

#[wasm_bindgen_test]
async fn sixty_four_bit_numbers_survive_the_browser() {
    let job = fetch_job(&config("", KEY), 107).await.unwrap();
    let output = job.output_video.unwrap();
    assert_eq!(output.bitrate, Some(i64::MAX));
    assert_eq!(output.size, Some(400_000_000_000));
    assert_eq!(job.input_video.bitrate, Some(i64::MAX));
}

#[wasm_bindgen_test]
async fn a_wrong_key_is_unauthorized_with_the_servers_detail() {
    let error = fetch_job(&config("", "wrong-key"), 102).await.unwrap_err();
    assert_eq!(error, FetchError::Unauthorized { detail: Some("Invalid token.".into()) });
}

#[wasm_bindgen_test]
async fn every_fault_becomes_its_own_error() {
    let error = |path: &'static str| async move { fetch_job(&config(path, KEY), 102).await.unwrap_err() };
    assert_eq!(fetch_job(&config("", KEY), 999).await.unwrap_err().kind(), "not-found");
    assert_eq!(fetch_job(&config("", KEY), 403).await.unwrap_err().kind(), "forbidden");
    assert_eq!(error("/_fault/502").await, FetchError::Server { status: 502, detail: None });
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
    assert_eq!(error("/_fault/drop").await, FetchError::Network);
    let unreachable = ApiConfig { base: "http://127.0.0.1:9".into(), key: None };
    assert_eq!(fetch_job(&unreachable, 102).await.unwrap_err(), FetchError::Network);
}

#[wasm_bindgen_test]
async fn the_card_shows_a_finished_job() {
    let root = mount(102, "", KEY);
    assert_eq!(text_of(&root, ".tpx-status").await, "Finished");
    assert_eq!(text_of(&root, ".tpx-name").await, "wedding-1998-vhs-transfer.mp4");
    assert!(root.query_selector("progress").unwrap().is_none(), "no progress bar once finished");
}

#[wasm_bindgen_test]
async fn the_card_shows_progress_while_processing() {
    let root = mount(109, "", KEY);
    assert_eq!(text_of(&root, ".tpx-status").await, "Processing");
    assert_eq!(text_of(&root, ".tpx-percent").await, "42%");
    let progress: web_sys::HtmlProgressElement = root.query_selector("progress").unwrap().unwrap().dyn_into().unwrap();
    assert_eq!(progress.value(), 42.0);
}

#[wasm_bindgen_test]
async fn the_card_clamps_progress_outside_zero_to_one() {
    let root = mount(112, "", KEY);
    assert_eq!(text_of(&root, ".tpx-percent").await, "100%");
}

#[wasm_bindgen_test]
async fn the_card_names_an_unknown_status_code() {
    let root = mount(110, "", KEY);
    assert_eq!(text_of(&root, ".tpx-status").await, "Unknown status (7)");
}

#[wasm_bindgen_test]
async fn the_card_escapes_markup_from_the_api() {
    let root = mount(111, "", KEY);
    let name = text_of(&root, ".tpx-name").await;
    assert!(name.starts_with("<img src=x onerror=alert(1)>"), "shown as text: {name}");
    assert!(root.query_selector("img, script").unwrap().is_none(), "no element came from the API's strings");
}

#[wasm_bindgen_test]
async fn the_card_explains_an_unknown_job_and_offers_a_retry() {
    let root = mount(999, "", KEY);
    assert_eq!(text_of(&root, ".tpx-error-title").await, "Job 999 was not found");
    assert_eq!(text_of(&root, ".tpx-retry").await, "Retry");
    assert_eq!(root.query_selector(".tpx-error").unwrap().unwrap().get_attribute("data-error").as_deref(), Some("not-found"));
}

#[wasm_bindgen_test]
async fn a_retry_after_the_fault_clears_shows_the_job() {
    switch_on_fault(104, "503", 1).await;
    let root = mount(104, "", KEY);
    assert_eq!(text_of(&root, ".tpx-error-title").await, "TensorPix is having trouble (HTTP 503)");
    let retry: web_sys::HtmlElement = root.query_selector(".tpx-retry").unwrap().unwrap().dyn_into().unwrap();
    retry.click();
    assert_eq!(text_of(&root, ".tpx-status").await, "Canceled");
    assert!(root.query_selector(".tpx-error").unwrap().is_none());
}
