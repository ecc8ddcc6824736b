//! Helpers shared by the browser test files: the simulator's address, mounting cards, waiting for
//! the DOM, and the simulator's control endpoints.
#![allow(dead_code)] // each test file uses a different part

use std::borrow::Cow;
use std::time::Duration;

use gloo_net::http::Request;
use serde_json::Value;
use tensorpix_job_card::PollSettings;
use tensorpix_job_card::internals::api::{ApiConfig, FetchError};
use tensorpix_job_card::models::Job;
use tensorpix_job_card::{JobCard, JobCardProps};
use web_sys::Element;
use yew::{AppHandle, BaseComponent};

pub const KEY: &str = "tpx-demo-key";
pub const TIMEOUT: Duration = Duration::from_secs(20);

pub fn simulator() -> &'static str {
    option_env!("TENSORPIX_SIMULATOR_URL").unwrap_or("http://127.0.0.1:8099")
}

pub fn config(path: &str, key: &str) -> ApiConfig {
    ApiConfig {
        base: format!("{}{path}", simulator()),
        key: Some(key.to_owned()),
        token: None,
    }
}

pub async fn sleep(millis: u64) {
    yew::platform::time::sleep(Duration::from_millis(millis)).await;
}

/// How a test card is set up.
pub struct Card {
    pub job_id: i64,
    /// Appended to the simulator's address: a `/_fault/…` or `/_start/…` prefix, or nothing.
    pub base_path: Cow<'static, str>,
    pub key: &'static str,
    pub timeout_ms: u32,
    pub width_px: u32,
    pub poll: PollSettings,
}

/// A card for finished job 102, polling as fast as allowed.
pub const CARD: Card = Card {
    job_id: 102,
    base_path: Cow::Borrowed(""),
    key: KEY,
    timeout_ms: 20_000,
    width_px: 400,
    poll: PollSettings::every_second(),
};

/// A Yew app rendered into a container of its own on the test page. Dropping it destroys the app,
/// so its feed, timers and requests stop (Yew's `AppHandle` has no `Drop` of its own), and removes
/// the container: no test leaves a card polling behind it, even one that returns early.
pub struct Mounted<C: BaseComponent> {
    root: Element,
    handle: Option<AppHandle<C>>,
}

impl<C: BaseComponent> Mounted<C> {
    /// Renders `C` with `props` into a fresh container `width_px` wide.
    pub fn new(width_px: u32, props: C::Properties) -> Self {
        let document = web_sys::window().unwrap().document().unwrap();
        let root = document.create_element("div").unwrap();
        root.set_attribute("style", &format!("width: {width_px}px")).unwrap();
        document.body().unwrap().append_child(&root).unwrap();
        let handle = yew::Renderer::<C>::with_root_and_props(root.clone(), props).render();
        Mounted {
            root,
            handle: Some(handle),
        }
    }

    /// Hands the app new props, as a parent's re-render would.
    pub fn update(&mut self, props: C::Properties) {
        self.handle.as_mut().expect("mounted until dropped").update(props);
    }
}

impl<C: BaseComponent> std::ops::Deref for Mounted<C> {
    type Target = Element;

    fn deref(&self) -> &Element {
        &self.root
    }
}

impl<C: BaseComponent> Drop for Mounted<C> {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.destroy();
        }
        self.root.remove();
    }
}

/// Renders a card as `card` describes; it lives until the returned guard is dropped.
pub fn mount(card: Card) -> Mounted<JobCard> {
    Mounted::new(card.width_px, props_of(&card))
}

/// [`mount`], with a parent's `on_snapshot` callback.
pub fn mount_with(
    card: &Card,
    on_snapshot: yew::Callback<std::rc::Rc<tensorpix_job_card::Snapshot>>,
) -> Mounted<JobCard> {
    Mounted::new(
        card.width_px,
        JobCardProps {
            on_snapshot,
            ..props_of(card)
        },
    )
}

/// The props a [`Card`] describes, for `AppHandle::update`.
pub fn props_of(card: &Card) -> JobCardProps {
    yew::props!(JobCardProps {
        job_id: card.job_id,
        api_base: format!("{}{}", simulator(), card.base_path),
        api_key: card.key,
        timeout_ms: card.timeout_ms,
        poll: card.poll,
    })
}

/// The API base path that dates the simulator's static jobs as if it had started at `unix_millis`,
/// so a job's times do not depend on when the shared simulator was started.
pub fn started_at(unix_millis: i64) -> Cow<'static, str> {
    Cow::Owned(format!("/_start/{unix_millis}"))
}

/// Waits up to ten seconds for `selector` to match inside `root`, and returns the element.
pub async fn find(root: &Element, selector: &str) -> Element {
    for _ in 0..200 {
        if let Some(element) = root.query_selector(selector).unwrap() {
            return element;
        }
        sleep(50).await;
    }
    panic!("`{selector}` never appeared; the card shows: {}", root.inner_html());
}

pub async fn text_of(root: &Element, selector: &str) -> String {
    find(root, selector).await.text_content().unwrap_or_default()
}

pub fn has(root: &Element, selector: &str) -> bool {
    root.query_selector(selector).unwrap().is_some()
}

/// Waits until the card shows a job or an error, then returns the card element.
pub async fn settled(root: &Element) -> Element {
    find(root, ".tpx-card:not([data-state=loading])").await
}

/// A quick-lifecycle job (2 s queued, 5 s processing) whose clock has not started, so its first
/// answer is "in queue". The simulator hands each one out once: Chromium and Firefox share it.
pub async fn fresh_moving_job() -> i64 {
    let response = Request::post(&format!("{}/_sim/fresh-job", simulator()))
        .send()
        .await
        .unwrap();
    let answer: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    answer["job"].as_i64().expect("a fresh job id")
}

pub async fn switch_on_fault(job: i64, fault: &str, times: u32) {
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

/// Fetches a job the way the card does, with its own abort controller.
pub async fn fetch(config: &ApiConfig, job_id: i64, timeout: Duration) -> Result<Job, FetchError> {
    let controller = web_sys::AbortController::new().unwrap();
    tensorpix_job_card::internals::api::fetch_job(config, job_id, timeout, &controller)
        .await
        .map(|fetched| fetched.job)
}

/// How many requests the simulator has seen for a job.
pub async fn requests_for(job_id: i64) -> u64 {
    let stats: Value = get_json("/_sim/stats").await;
    stats["jobs"][job_id.to_string()].as_u64().unwrap_or(0)
}

/// The simulator's request log entries for one job: (status, arrival in ms).
pub async fn log_for(job_id: i64) -> Vec<(u64, i64)> {
    let log: Value = get_json("/_sim/log").await;
    log.as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["job"].as_i64() == Some(job_id))
        .map(|entry| (entry["status"].as_u64().unwrap(), entry["at_millis"].as_i64().unwrap()))
        .collect()
}

async fn get_json(path: &str) -> Value {
    let response = Request::get(&format!("{}{path}", simulator())).send().await.unwrap();
    serde_json::from_str(&response.text().await.unwrap()).unwrap()
}

/// Waits up to `seconds` for `condition` (checked every 100 ms); panics with `what` if it never holds.
pub async fn eventually(seconds: u64, what: &str, mut condition: impl FnMut() -> bool) {
    for _ in 0..seconds * 10 {
        if condition() {
            return;
        }
        sleep(100).await;
    }
    panic!("never happened within {seconds} s: {what}");
}

/// The proxy `cargo xtask test` starts in front of the simulator, requiring job tokens.
pub fn token_proxy() -> &'static str {
    option_env!("TENSORPIX_PROXY_URL").unwrap_or("http://127.0.0.1:8098")
}

/// The secret that proxy verifies job tokens with (a test secret, never a real one).
pub fn token_secret() -> &'static str {
    option_env!("TENSORPIX_TOKEN_SECRET").unwrap_or("test-secret-for-job-tokens-0123456789")
}

/// Mints a job token as a site's backend would (HS256 JWT, `sub` = the job id, `exp` =
/// now + `expires_in_s`), signed with the browser's own WebCrypto.
pub async fn mint_token(job_id: i64, expires_in_s: i64) -> String {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    let now = (js_sys::Date::now() / 1000.0) as i64;
    let header = base64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = base64url(format!(r#"{{"sub":"{job_id}","exp":{}}}"#, now + expires_in_s).as_bytes());
    let signing_input = format!("{header}.{claims}");
    let subtle = web_sys::window().unwrap().crypto().unwrap().subtle();
    let algorithm = js_sys::Object::new();
    js_sys::Reflect::set(&algorithm, &"name".into(), &"HMAC".into()).unwrap();
    js_sys::Reflect::set(&algorithm, &"hash".into(), &"SHA-256".into()).unwrap();
    let key = JsFuture::from(
        subtle
            .import_key_with_object(
                "raw",
                &js_sys::Uint8Array::from(token_secret().as_bytes()),
                &algorithm,
                false,
                &js_sys::Array::of1(&"sign".into()),
            )
            .unwrap(),
    )
    .await
    .unwrap();
    let signature = JsFuture::from(
        subtle
            .sign_with_str_and_u8_array("HMAC", key.unchecked_ref(), signing_input.as_bytes())
            .unwrap(),
    )
    .await
    .unwrap();
    let signature = js_sys::Uint8Array::new(&signature).to_vec();
    format!("{signing_input}.{}", base64url(&signature))
}

fn base64url(bytes: &[u8]) -> String {
    let binary: String = bytes.iter().map(|&byte| char::from(byte)).collect();
    web_sys::window()
        .unwrap()
        .btoa(&binary)
        .unwrap()
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}
