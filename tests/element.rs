//! Browser tests of the built bundle in real pages: `dist/tensorpix-job-card.js` loaded by one
//! module script tag into an iframe page, as a host page would, with elements added, changed and
//! removed; host attributes, events, theming, style isolation, and axe-core.
#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::*;
use gloo_events::EventListener;
use js_sys::{Function, Reflect};
use tensorpix_job_card::internals::contract;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Document, Element, HtmlIFrameElement, Window};

wasm_bindgen_test_configure!(run_in_browser);

fn bundle() -> &'static str {
    option_env!("TENSORPIX_BUNDLE_URL").unwrap_or("http://127.0.0.1:8081")
}

/// A test page: `body` inside `<main>`, then the module script, as the README tells host pages.
/// Objects from the iframe belong to another realm, so they are cast unchecked (no `instanceof`).
struct Page {
    iframe: HtmlIFrameElement,
    window: Window,
    document: Document,
}

/// Removing the iframe unloads its page, so no card a test started keeps polling after it.
impl Drop for Page {
    fn drop(&mut self) {
        self.iframe.remove();
    }
}

async fn page(body: &str, head: &str) -> Page {
    let script = format!(
        "<script type=\"module\" src=\"{}/dist/tensorpix-job-card.js\"></script>",
        bundle()
    );
    page_with_scripts(body, head, &script).await
}

/// [`page`], with `scripts` in place of the one module script.
async fn page_with_scripts(body: &str, head: &str, scripts: &str) -> Page {
    let document = web_sys::window().unwrap().document().unwrap();
    let iframe: HtmlIFrameElement = document.create_element("iframe").unwrap().unchecked_into();
    iframe.set_attribute("style", "width: 900px; height: 700px").unwrap();
    iframe.set_srcdoc(&format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Host page</title>{head}</head>\
         <body><main><h1>Host page</h1>{body}</main>{scripts}</body></html>"
    ));
    document.body().unwrap().append_child(&iframe).unwrap();
    for _ in 0..400 {
        if let Some(window) = iframe.content_window() {
            let registry = Reflect::get(&window, &"customElements".into()).unwrap();
            let get: Function = Reflect::get(&registry, &"get".into()).unwrap().unchecked_into();
            if !get
                .call1(&registry, &"tensorpix-job-card".into())
                .unwrap()
                .is_undefined()
            {
                let document = window.document().unwrap();
                return Page {
                    iframe,
                    window,
                    document,
                };
            }
        }
        sleep(50).await;
    }
    iframe.remove();
    panic!("the bundle never defined <tensorpix-job-card>");
}

impl Page {
    fn card(&self, selector: &str) -> Element {
        self.document
            .query_selector(selector)
            .unwrap()
            .unwrap_or_else(|| panic!("no {selector}"))
    }

    fn add(&self, attributes: &[(&str, &str)]) -> Element {
        let card = self.document.create_element("tensorpix-job-card").unwrap();
        for (name, value) in attributes {
            card.set_attribute(name, value).unwrap();
        }
        self.document
            .query_selector("main")
            .unwrap()
            .unwrap()
            .append_child(&card)
            .unwrap();
        card
    }
}

/// Waits up to 15 s for the host attribute `name` to equal `value`.
async fn attribute_becomes(card: &Element, name: &str, value: &str) {
    for _ in 0..300 {
        if card.get_attribute(name).as_deref() == Some(value) {
            return;
        }
        sleep(50).await;
    }
    panic!(
        "{name} never became {value:?}; it is {:?}: {}",
        card.get_attribute(name),
        inside(card, "article").map(|a| a.inner_html()).unwrap_or_default()
    );
}

fn inside(card: &Element, selector: &str) -> Option<Element> {
    card.shadow_root()?.query_selector(selector).unwrap()
}

fn text_inside(card: &Element, selector: &str) -> String {
    inside(card, selector)
        .and_then(|element| element.text_content())
        .unwrap_or_default()
}

fn get(value: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(value.clone(), |value, key| {
        Reflect::get(&value, &key.into()).unwrap_or(JsValue::UNDEFINED)
    })
}

/// Card events seen by a page: (type, detail, composed).
type Recorded = Rc<RefCell<Vec<(String, JsValue, bool)>>>;

/// Records every card event that reaches the page's document.
fn record_events(document: &Document) -> (Recorded, Vec<EventListener>) {
    let events = Rc::new(RefCell::new(Vec::new()));
    let listeners = contract::EVENTS
        .iter()
        .map(|contract_event| {
            let events = events.clone();
            EventListener::new(document, contract_event.name, move |event| {
                let detail = Reflect::get(event, &"detail".into()).unwrap();
                events.borrow_mut().push((event.type_(), detail, event.composed()));
            })
        })
        .collect();
    (events, listeners)
}

fn sim_attributes(job_id: &str) -> Vec<(&str, String)> {
    vec![
        ("job-id", job_id.to_owned()),
        ("api-base", simulator().to_owned()),
        ("api-key", KEY.to_owned()),
    ]
}

fn attrs(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| format!(" {name}=\"{value}\""))
        .collect()
}

#[wasm_bindgen_test]
async fn a_page_with_one_script_tag_gets_live_cards_added_changed_and_removed() {
    let moving = fresh_moving_job().await;
    let body = format!(
        "<tensorpix-job-card id=\"a\"{}></tensorpix-job-card>\
         <tensorpix-job-card id=\"b\"{} poll-interval=\"1\"></tensorpix-job-card>",
        attrs(&sim_attributes("102")),
        attrs(&sim_attributes(&moving.to_string()))
    );
    let page = page(&body, "").await;
    let (first, second) = (page.card("#a"), page.card("#b"));
    attribute_becomes(&first, "status", "finished").await;
    assert_eq!(text_inside(&first, ".tpx-status-label"), "Finished");
    assert_eq!(text_inside(&first, ".tpx-name"), "wedding-1998-vhs-transfer.mp4");
    assert!(inside(&first, "a.tpx-download").is_some());
    for _ in 0..200 {
        if second
            .get_attribute("status")
            .is_some_and(|status| status == "in-queue" || status == "processing")
        {
            break;
        }
        sleep(50).await;
    }
    assert!(["in-queue", "processing"].contains(&second.get_attribute("status").unwrap_or_default().as_str()));
    // Removed while its job is still moving, so it would go on polling if removal did not stop it.
    second.remove();
    sleep(300).await;
    let at_removal = requests_for(moving).await;
    sleep(2_500).await;
    assert_eq!(
        requests_for(moving).await,
        at_removal,
        "a removed element makes no more requests"
    );

    let later: Vec<(&str, String)> = sim_attributes("106");
    let later = page.add(
        &later
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect::<Vec<_>>(),
    );
    attribute_becomes(&later, "status", "finished").await;
    assert!(text_inside(&later, ".tpx-meta").contains("Free preview"));

    first.set_attribute("job-id", "104").unwrap();
    attribute_becomes(&first, "status", "canceled").await;
    assert_eq!(text_inside(&first, ".tpx-name"), "graduation-speech.mp4");

    let performance = Reflect::get(&page.window, &"performance".into()).unwrap();
    let entries: js_sys::Array = Reflect::get(&performance, &"getEntriesByType".into())
        .unwrap()
        .unchecked_into::<Function>()
        .call1(&performance, &"resource".into())
        .unwrap()
        .unchecked_into();
    let wasm_loads = entries
        .iter()
        .filter(|entry| get(entry, "name").as_string().unwrap_or_default().ends_with(".wasm"))
        .count();
    assert_eq!(wasm_loads, 1, "the wasm loads once per page, however many cards");
}

#[wasm_bindgen_test]
async fn events_report_updates_status_changes_the_finish_and_errors() {
    let moving = fresh_moving_job().await;
    let body = format!(
        "<tensorpix-job-card id=\"live\"{} poll-interval=\"1\"></tensorpix-job-card>",
        attrs(&sim_attributes(&moving.to_string()))
    );
    let page = page(&body, "").await;
    let (events, _listeners) = record_events(&page.document);
    // Added after the listeners: its one error event must not fire before anyone listens.
    let missing_base = format!("{}/_fault/404", simulator());
    let missing = page.add(&[("job-id", "102"), ("api-base", &missing_base), ("api-key", KEY)]);
    let live = page.card("#live");
    attribute_becomes(&live, "status", "finished").await;
    attribute_becomes(&missing, "error", "not-found").await;
    assert_eq!(
        missing.get_attribute("status").as_deref(),
        Some("loading"),
        "no job has been seen"
    );

    let events = events.borrow();
    let of = |name: &str| events.iter().filter(|(kind, ..)| kind == name).collect::<Vec<_>>();
    let changes: Vec<(String, String)> = of("tensorpix-job-status-change")
        .iter()
        .filter(|(_, detail, _)| get(detail, "newStatus").as_string() != Some("loading".into()))
        .map(|(_, detail, _)| {
            (
                get(detail, "oldStatus").as_string().unwrap(),
                get(detail, "newStatus").as_string().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [("in-queue", "processing"), ("processing", "finished")]
        .iter()
        .map(|(old, new)| ((*old).to_owned(), (*new).to_owned()))
        .collect();
    assert!(changes.ends_with(&expected), "status changes: {changes:?}");
    let updates = of("tensorpix-job-update");
    assert!(updates.len() >= 5, "one update per applied poll, got {}", updates.len());
    assert!(
        updates
            .iter()
            .all(|(_, detail, _)| get(detail, "job.id").as_f64() == Some(moving as f64))
    );
    let finished = of("tensorpix-job-finished");
    assert_eq!(finished.len(), 1);
    let download = get(&finished[0].1, "downloadUrl").as_string().unwrap();
    assert!(
        download.ends_with(&format!("/media/output-{moving}.webm")),
        "{download}"
    );
    let errors = of("tensorpix-job-error");
    let not_found = errors
        .iter()
        .find(|(_, detail, _)| get(detail, "kind").as_string().as_deref() == Some("not-found"))
        .unwrap();
    assert_eq!(get(&not_found.1, "status").as_f64(), Some(404.0));
    assert!(
        get(&not_found.1, "message")
            .as_string()
            .unwrap()
            .contains("Job 102 was not found")
    );
    assert!(
        events.iter().all(|(_, _, composed)| *composed),
        "events cross the shadow boundary"
    );
    // Each detail has exactly the fields the typings and the manifest promise.
    for contract_event in contract::EVENTS {
        let seen = of(contract_event.name);
        assert!(!seen.is_empty(), "no {} seen", contract_event.name);
        let promised: Vec<String> = contract_event
            .detail
            .iter()
            .map(|field| field.name.to_owned())
            .collect();
        for (_, detail, _) in seen {
            let keys: Vec<String> = js_sys::Object::keys(detail.unchecked_ref::<js_sys::Object>())
                .iter()
                .map(|key| key.as_string().unwrap())
                .collect();
            assert_eq!(keys, promised, "{}'s detail", contract_event.name);
        }
    }
}

#[wasm_bindgen_test]
async fn the_event_job_is_the_object_the_browser_parsed_unknown_fields_and_all() {
    // Job 107 sits at the schema's bounds; the `extended` fault adds fields the card does not know,
    // one of them named `__proto__`.
    let mut attributes = sim_attributes("107");
    attributes[1].1 = format!("{}/_fault/extended", simulator());
    let page = page(
        &format!(
            "<tensorpix-job-card id=\"bounds\"{}></tensorpix-job-card>",
            attrs(&attributes)
        ),
        "",
    )
    .await;
    let (events, _listeners) = record_events(&page.document);
    let card = page.card("#bounds");
    // The listener may come after the first update: ask for a fresh one.
    card.set_attribute("poll-interval", "2").unwrap();
    attribute_becomes(&card, "status", "finished").await;
    for _ in 0..100 {
        if events.borrow().iter().any(|(kind, ..)| kind == "tensorpix-job-update") {
            break;
        }
        sleep(50).await;
    }
    let events = events.borrow();
    let (_, detail, _) = events
        .iter()
        .find(|(kind, ..)| kind == "tensorpix-job-update")
        .expect("an update event");
    let job = get(detail, "job");

    let list: js_sys::Array = get(&job, "future_field.list").into();
    assert_eq!(list.length(), 5, "a field the card does not know arrives whole");
    assert_eq!(list.get(1).as_f64(), Some(2.5));
    assert_eq!(list.get(2).as_string().as_deref(), Some("x"));
    assert!(list.get(3).is_null());
    assert_eq!(list.get(4).as_bool(), Some(true));

    assert!(
        js_sys::Object::has_own(job.unchecked_ref::<js_sys::Object>(), &"__proto__".into()),
        "`__proto__` stays an own field"
    );
    assert_eq!(get(&job, "__proto__.polluted").as_bool(), Some(true));
    // The job comes from the page's realm: its prototype is that realm's `Object.prototype`
    // (whose own prototype is null), never the `{"polluted": true}` object.
    let prototype = js_sys::Object::get_prototype_of(&job);
    assert!(
        js_sys::Object::get_prototype_of(&prototype).is_null()
            && !js_sys::Object::has_own(&prototype, &"polluted".into()),
        "`__proto__` never becomes the job's prototype"
    );
    assert!(get(&job, "polluted").is_undefined());
    assert!(get(&js_sys::Object::new().into(), "polluted").is_undefined());

    // Exactly what `JSON.parse` makes of the API's 9223372036854775807: a number, not a BigInt.
    let bitrate = get(&job, "output_video.bitrate");
    let parsed = js_sys::JSON::parse("9223372036854775807").unwrap();
    assert!(!bitrate.is_bigint());
    assert_eq!(bitrate.as_f64(), parsed.as_f64());
    assert_eq!(get(&job, "output_video.size").as_f64(), Some(400_000_000_000.0));
    assert_eq!(get(&job, "output_video.width").as_f64(), Some(8192.0));
}

#[wasm_bindgen_test]
async fn a_job_token_shows_the_job_an_expired_one_says_so_and_a_fresh_one_recovers() {
    // Through the proxy, which requires a job token: no key in the page.
    let expired = mint_token(102, -3_600).await;
    let page = page(
        &format!(
            "<tensorpix-job-card id=\"t\" job-id=\"102\" api-base=\"{}\" token=\"{expired}\"></tensorpix-job-card>",
            token_proxy()
        ),
        "",
    )
    .await;
    let (events, _listeners) = record_events(&page.document);
    let card = page.card("#t");
    attribute_becomes(&card, "error", "unauthorized").await;
    let shown = text_inside(&card, "article");
    assert!(
        shown.contains("The access token for this job has expired or is not valid"),
        "the card says the token is at fault: {shown}"
    );
    // A listener added after the first error hears the next one: the host's cue to hand over a token.
    card.set_attribute("token", &mint_token(102, -7_200).await).unwrap();
    for _ in 0..100 {
        if events.borrow().iter().any(|(kind, ..)| kind == "tensorpix-job-error") {
            break;
        }
        sleep(50).await;
    }
    {
        let events = events.borrow();
        let (_, detail, _) = events
            .iter()
            .find(|(kind, ..)| kind == "tensorpix-job-error")
            .expect("an error event for the expired token");
        assert_eq!(get(detail, "kind").as_string().as_deref(), Some("unauthorized"));
        assert_eq!(get(detail, "status").as_f64(), Some(401.0));
    }

    card.set_attribute("token", &mint_token(102, 3_600).await).unwrap();
    attribute_becomes(&card, "status", "finished").await;
    assert!(!card.has_attribute("error"), "a fresh token recovers without a reload");
    assert!(text_inside(&card, "article").contains("wedding-1998-vhs-transfer.mp4"));

    // A valid token, but for another job: refused, and said so.
    let other = page.add(&[
        ("job-id", "103"),
        ("api-base", token_proxy()),
        ("token", &mint_token(102, 3_600).await),
    ]);
    attribute_becomes(&other, "error", "forbidden").await;
}

#[wasm_bindgen_test]
async fn bad_attribute_values_explain_themselves_and_fixing_them_applies_at_once() {
    let page = page(
        &format!(
            "<tensorpix-job-card id=\"bad\" job-id=\"abc\" api-base=\"{}\" api-key=\"{KEY}\"></tensorpix-job-card>",
            simulator()
        ),
        "",
    )
    .await;
    let card = page.card("#bad");
    attribute_becomes(&card, "error", "invalid-config").await;
    assert!(text_inside(&card, ".tpx-error-text").contains("“abc” is not a TensorPix job id"));
    card.set_attribute("poll-interval", "soon").unwrap();
    card.set_attribute("job-id", "102").unwrap();
    for _ in 0..100 {
        if text_inside(&card, ".tpx-error-text").contains("is not a poll interval") {
            break;
        }
        sleep(50).await;
    }
    assert!(text_inside(&card, ".tpx-error-text").contains("is not a poll interval"));
    card.remove_attribute("poll-interval").unwrap();
    attribute_becomes(&card, "status", "finished").await;
    assert!(!card.has_attribute("error"));
}

#[wasm_bindgen_test]
async fn theming_reaches_in_through_custom_properties_and_parts_and_nothing_else_crosses() {
    let head = "<style>
        tensorpix-job-card { --tpx-accent: rgb(1, 2, 3); }
        tensorpix-job-card::part(card) { border-top-color: rgb(4, 5, 6); }
        p, a, .tpx-card { color: rgb(255, 0, 0) !important; }
    </style>";
    let body = format!(
        "<tensorpix-job-card id=\"themed\"{}></tensorpix-job-card><div class=\"tpx-card\" id=\"outside\">page content</div>",
        attrs(&sim_attributes("102"))
    );
    let page = page(&body, head).await;
    let card = page.card("#themed");
    attribute_becomes(&card, "status", "finished").await;
    let style = |element: &Element, property: &str| {
        page.window
            .get_computed_style(element)
            .unwrap()
            .unwrap()
            .get_property_value(property)
            .unwrap()
    };
    assert_eq!(
        style(&inside(&card, "a.tpx-download").unwrap(), "background-color"),
        "rgb(1, 2, 3)"
    );
    assert_eq!(
        style(&inside(&card, "article").unwrap(), "border-top-color"),
        "rgb(4, 5, 6)"
    );
    assert_ne!(
        style(&inside(&card, ".tpx-phase p").unwrap(), "color"),
        "rgb(255, 0, 0)",
        "page rules stay out"
    );
    assert_eq!(
        style(&page.card("#outside"), "padding-top"),
        "0px",
        "card rules stay in"
    );
    for part in [
        "card",
        "status",
        "download",
        "thumbnail",
        "input",
        "output",
        "models",
        "comparison",
    ] {
        assert!(inside(&card, &format!("[part~={part}]")).is_some(), "part {part}");
    }
}

#[wasm_bindgen_test]
async fn axe_finds_no_accessibility_violations_in_any_state() {
    // Each card's attributes, and the state it must reach: a status, or an error kind.
    let states = [
        (attrs(&sim_attributes("102")), "finished"),
        (attrs(&sim_attributes("109")), "processing"),
        (attrs(&sim_attributes("108")), "in-queue"),
        (attrs(&sim_attributes("103")), "failed"),
        (attrs(&sim_attributes("104")), "canceled"),
        (attrs(&sim_attributes("105")), "finished"),
        (attrs(&sim_attributes("106")), "finished"),
        (attrs(&sim_attributes("112")), "processing"),
        (attrs(&sim_attributes("110")), "unknown"),
        (attrs(&sim_attributes("999")), "not-found"),
        (format!("{} theme=\"dark\"", attrs(&sim_attributes("102"))), "finished"),
        (
            format!("{} theme=\"dark\" locale=\"de\"", attrs(&sim_attributes("109"))),
            "processing",
        ),
        (
            format!(" job-id=\"abc\" api-base=\"{}\"", simulator()),
            "invalid-config",
        ),
    ];
    let cards: String = states
        .iter()
        .map(|(attributes, _)| format!("<tensorpix-job-card{attributes}></tensorpix-job-card>"))
        .collect();
    let head = format!(
        "<script>window.loadErrors = []; addEventListener('error', e => loadErrors.push(String(e.message || (e.target && e.target.src))), true);</script>\
         <script crossorigin src=\"{}/axe/axe.min.js\"></script>",
        bundle()
    );
    let page = page(&cards, &head).await;
    let all = page.document.query_selector_all("tensorpix-job-card").unwrap();
    for index in 0..all.length() {
        let card: Element = all.item(index).unwrap().unchecked_into();
        for _ in 0..300 {
            if card.has_attribute("error") || card.get_attribute("status").is_some_and(|status| status != "loading") {
                break;
            }
            sleep(50).await;
        }
    }
    let reached: Vec<String> = (0..all.length())
        .map(|index| {
            let card: Element = all.item(index).unwrap().unchecked_into();
            card.get_attribute("error")
                .or_else(|| card.get_attribute("status"))
                .unwrap_or_default()
        })
        .collect();
    let expected: Vec<&str> = states.iter().map(|(_, state)| *state).collect();
    assert_eq!(reached, expected, "every state axe checks is really on the page");
    // Open every card's details, so the checked DOM includes everything a user can reach.
    for index in 0..all.length() {
        let card: Element = all.item(index).unwrap().unchecked_into();
        if let Some(details) = inside(&card, "details") {
            details.set_attribute("open", "").unwrap();
        }
    }
    sleep(300).await;
    let axe = Reflect::get(&page.window, &"axe".into()).unwrap();
    let load_errors = js_sys::JSON::stringify(&Reflect::get(&page.window, &"loadErrors".into()).unwrap()).unwrap();
    assert!(
        !axe.is_undefined(),
        "axe-core did not load from {}/axe/axe.min.js: {load_errors:?}",
        bundle()
    );
    let run: Function = Reflect::get(&axe, &"run".into()).unwrap().unchecked_into();
    let results = JsFuture::from(
        run.call1(&axe, &page.document)
            .unwrap()
            .unchecked_into::<js_sys::Promise>(),
    )
    .await
    .unwrap();
    let violations: js_sys::Array = get(&results, "violations").unchecked_into();
    let report: Vec<String> = violations
        .iter()
        .map(|violation| {
            let nodes: js_sys::Array = get(&violation, "nodes").unchecked_into();
            let targets: Vec<String> = nodes
                .iter()
                .map(|node| js_sys::JSON::stringify(&get(&node, "target")).unwrap().into())
                .collect();
            format!(
                "{}: {} ({})",
                get(&violation, "id").as_string().unwrap(),
                get(&violation, "help").as_string().unwrap(),
                targets.join(", ")
            )
        })
        .collect();
    assert!(report.is_empty(), "axe violations:\n{}", report.join("\n"));
    let passes: js_sys::Array = get(&results, "passes").unchecked_into();
    assert!(passes.length() > 10, "axe actually checked something");
}

/// A job's date and time as the card's locales should show them, built from the job's own
/// timestamp in the browser's time zone: German digits by hand, the English month from `Intl`.
struct ExpectedDate {
    german: String,
    english_date: String,
    year: u32,
}

fn expected_date(rfc3339: &str) -> ExpectedDate {
    let date = js_sys::Date::new(&JsValue::from_str(rfc3339));
    assert!(!date.get_time().is_nan(), "{rfc3339} is a date");
    let options = js_sys::Object::new();
    Reflect::set(&options, &"month".into(), &"short".into()).unwrap();
    let month = date.to_locale_date_string("en-US", &options).as_string().unwrap();
    ExpectedDate {
        german: format!(
            "{:02}.{:02}.{}, {:02}:{:02}",
            date.get_date(),
            date.get_month() + 1,
            date.get_full_year(),
            date.get_hours(),
            date.get_minutes()
        ),
        english_date: format!("{month} {}, {}", date.get_date(), date.get_full_year()),
        year: date.get_full_year(),
    }
}

#[wasm_bindgen_test]
async fn the_locale_attribute_and_the_page_language_choose_texts_numbers_and_dates() {
    // Job 102 started 62 minutes and finished 50 minutes before the simulator's start: starting it
    // at 00:52 local time on the coming 1 January puts the job across a year (and month) boundary.
    let new_year = js_sys::Date::new_0().get_full_year() + 1;
    let start = js_sys::Date::new_with_year_month_day_hr_min(new_year, 0, 1, 0, 52).get_time() as i64;
    let dated_base = format!("{}{}", simulator(), started_at(start));
    let job = fetch(&config(&started_at(start), KEY), 102, TIMEOUT).await.unwrap();
    let started = expected_date(job.started.as_deref().unwrap());
    let finished = expected_date(job.finished.as_deref().unwrap());
    assert_eq!(started.year + 1, finished.year, "the job straddles New Year");

    let dated = |id: &str, locale: &str| {
        format!(
            "<tensorpix-job-card id=\"{id}\" job-id=\"102\" api-base=\"{dated_base}\" api-key=\"{KEY}\" locale=\"{locale}\"></tensorpix-job-card>"
        )
    };
    let body = format!(
        "{}{}<tensorpix-job-card id=\"page\"{}></tensorpix-job-card>",
        dated("german", "de-DE"),
        dated("english", "en-US"),
        attrs(&sim_attributes("109"))
    );
    let page = page(&body, "").await;
    let german = page.card("#german");
    attribute_becomes(&german, "status", "finished").await;
    assert_eq!(text_inside(&german, ".tpx-status-label"), "Fertig");
    let facts = text_inside(&german, ".tpx-facts");
    assert!(facts.contains("18,75 Credits"), "German numbers and plural: {facts}");
    assert!(facts.contains(&started.german), "started {}: {facts}", started.german);
    assert!(
        facts.contains(&finished.german),
        "finished {}: {facts}",
        finished.german
    );
    assert!(text_inside(&german, ".tpx-input").contains("1,3 Mbit/s"));
    assert!(text_inside(&german, "a.tpx-download").starts_with("Verbessertes Video herunterladen"));

    let english = page.card("#english");
    attribute_becomes(&english, "status", "finished").await;
    let facts = text_inside(&english, ".tpx-facts");
    assert!(facts.contains("18.75 credits"), "{facts}");
    assert!(
        facts.contains(&started.english_date),
        "started {}: {facts}",
        started.english_date
    );
    assert!(
        facts.contains(&finished.english_date),
        "finished {}: {facts}",
        finished.english_date
    );

    // A card without a locale of its own speaks the page's language: English until the page says
    // `lang="de"`; then a card added later speaks German, and so does one whose `locale` changes.
    let page_language = page.card("#page");
    attribute_becomes(&page_language, "status", "processing").await;
    assert_eq!(text_inside(&page_language, ".tpx-status-label"), "Processing");
    page.document
        .document_element()
        .unwrap()
        .set_attribute("lang", "de")
        .unwrap();
    let late: Vec<(&str, String)> = sim_attributes("109");
    let late = page.add(
        &late
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect::<Vec<_>>(),
    );
    attribute_becomes(&late, "status", "processing").await;
    assert_eq!(text_inside(&late, ".tpx-status-label"), "In Bearbeitung");
    assert!(text_inside(&late, ".tpx-percent").contains("42 %"));

    page_language.set_attribute("locale", "en-GB").unwrap();
    sleep(300).await;
    assert_eq!(text_inside(&page_language, ".tpx-status-label"), "Processing");
    page_language.remove_attribute("locale").unwrap();
    for _ in 0..100 {
        if text_inside(&page_language, ".tpx-status-label") == "In Bearbeitung" {
            break;
        }
        sleep(50).await;
    }
    assert_eq!(
        text_inside(&page_language, ".tpx-status-label"),
        "In Bearbeitung",
        "without its own locale again, the card follows the page's `lang`"
    );
}

/// A page from another origin in an iframe, which reports to this page by postMessage
/// (`{ probe, … }`); the iframe is removed however the test ends.
struct ProbedFrame {
    iframe: HtmlIFrameElement,
    report: Rc<RefCell<JsValue>>,
    _listener: EventListener,
}

impl ProbedFrame {
    /// Opens `url` and keeps the last report whose `probe` is `probe`.
    fn open(url: &str, probe: &str, (width, height): (u32, u32)) -> ProbedFrame {
        let window = web_sys::window().unwrap();
        let report = Rc::new(RefCell::new(JsValue::UNDEFINED));
        let listener = {
            let (report, probe) = (report.clone(), probe.to_owned());
            EventListener::new(&window, "message", move |event| {
                let data = Reflect::get(event, &"data".into()).unwrap();
                if get(&data, "probe").as_string().as_deref() == Some(probe.as_str()) {
                    *report.borrow_mut() = data;
                }
            })
        };
        let document = window.document().unwrap();
        let iframe: HtmlIFrameElement = document.create_element("iframe").unwrap().unchecked_into();
        iframe
            .set_attribute("style", &format!("width: {width}px; height: {height}px"))
            .unwrap();
        iframe.set_src(url);
        document.body().unwrap().append_child(&iframe).unwrap();
        ProbedFrame {
            iframe,
            report,
            _listener: listener,
        }
    }

    /// The last report so far.
    fn report(&self) -> JsValue {
        self.report.borrow().clone()
    }

    fn post(&self, message: &JsValue) {
        self.iframe
            .content_window()
            .unwrap()
            .post_message(message, "*")
            .unwrap();
    }
}

impl Drop for ProbedFrame {
    fn drop(&mut self) {
        self.iframe.remove();
    }
}

fn strings(report: &JsValue, key: &str) -> Vec<String> {
    let list = get(report, key);
    if !js_sys::Array::is_array(&list) {
        return Vec::new();
    }
    js_sys::Array::from(&list)
        .iter()
        .map(|value| value.as_string().unwrap_or_default())
        .collect()
}

#[wasm_bindgen_test]
async fn under_a_strict_csp_header_the_card_is_styled_and_nothing_is_blocked() {
    // xtask's static server sends the README's policy as a Content-Security-Policy header; the
    // page is on its origin, so its probe script reports here by postMessage.
    let frame = ProbedFrame::open(
        &format!("{}/strict-csp.html?api={}&job=102&key={KEY}", bundle(), simulator()),
        "strict-csp",
        (900, 900),
    );
    for _ in 0..400 {
        if get(&frame.report(), "status").as_string().as_deref() == Some("finished") {
            break;
        }
        sleep(50).await;
    }
    // Time for the clips and the thumbnail to load, and for any late violation to arrive.
    sleep(1_500).await;
    let report = frame.report();
    assert_eq!(
        get(&report, "status").as_string().as_deref(),
        Some("finished"),
        "the card never finished under the strict policy: {:?} {:?}",
        strings(&report, "violations"),
        strings(&report, "errors")
    );
    assert_eq!(strings(&report, "violations"), Vec::<String>::new(), "no CSP violation");
    assert_eq!(strings(&report, "errors"), Vec::<String>::new(), "no error");
    let value = |key: &str| get(&report, key).as_string().unwrap_or_default();
    assert_eq!(get(&report, "adoptedSheets").as_f64(), Some(1.0), "one adopted sheet");
    assert_eq!(get(&report, "styleElements").as_f64(), Some(0.0), "no <style> element");
    // Values only the card's stylesheet gives (the browser's defaults are `inline`, `0px`, `none`
    // and `auto`).
    assert_eq!(value("hostDisplay"), "block");
    assert_eq!(value("cardRadius"), "12px");
    assert_eq!(value("badgeRadius"), "999px");
    assert_eq!(
        value("clipPath"),
        "inset(0px 0px 0px 50%)",
        "the slider's split, set through the CSSOM"
    );
    assert!(
        value("lineLeft").ends_with("px") && value("lineLeft") != "0px",
        "the split line is placed: {}",
        value("lineLeft")
    );
}

#[wasm_bindgen_test]
async fn the_script_twice_on_one_page_defines_the_element_once_and_throws_nothing() {
    // Two URLs of the same file are two module instances, as two bundles of a site would be.
    let head = "<script>window.seen = [];\
        addEventListener('error', (event) => seen.push(String(event.message)));\
        addEventListener('unhandledrejection', (event) => seen.push(String(event.reason)));</script>";
    let url = format!("{}/dist/tensorpix-job-card.js", bundle());
    let scripts = format!(
        "<script type=\"module\" src=\"{url}?a\"></script><script type=\"module\" src=\"{url}?b\"></script>\
         <script type=\"module\">Promise.all([import(\"{url}?a\"), import(\"{url}?b\")])\
           .then((both) => Promise.all(both.map((module) => module.ready)))\
           .then(() => {{ window.bothReady = true; }}, (error) => seen.push(String(error)));</script>"
    );
    let body = format!(
        "<tensorpix-job-card id=\"twice\"{}></tensorpix-job-card>",
        attrs(&sim_attributes("102"))
    );
    let page = page_with_scripts(&body, head, &scripts).await;
    let card = page.card("#twice");
    attribute_becomes(&card, "status", "finished").await;
    sleep(500).await;
    let window: &JsValue = page.window.as_ref();
    assert_eq!(get(window, "bothReady"), JsValue::TRUE, "both copies' `ready` resolve");
    assert_eq!(
        strings(window, "seen"),
        Vec::<String>::new(),
        "no error and no rejection"
    );
    let shadow = card.shadow_root().unwrap();
    assert_eq!(shadow.query_selector_all("article").unwrap().length(), 1, "one card");
    // The second copy neither defines the element nor instantiates a wasm of its own.
    let performance = get(window, "performance");
    let entries: Function = get(&performance, "getEntriesByType").unchecked_into();
    let wasm_loads = js_sys::Array::from(&entries.call1(&performance, &"resource".into()).unwrap())
        .iter()
        .filter(|entry| get(entry, "name").as_string().unwrap_or_default().contains(".wasm"))
        .count();
    assert_eq!(wasm_loads, 1, "the wasm loads once");
}

/// The parts a card's shadow tree names, in every state it is in.
fn parts_of(card: &Element) -> Vec<String> {
    let Some(root) = card.shadow_root() else {
        return Vec::new();
    };
    let found = root.query_selector_all("[part]").unwrap();
    (0..found.length())
        .filter_map(|index| found.item(index)?.unchecked_into::<Element>().get_attribute("part"))
        .collect()
}

#[wasm_bindgen_test]
async fn the_parts_the_cards_show_are_exactly_the_documented_ones() {
    // Finished with output and preview (102), processing (109), a failed request (404).
    let missing_base = format!("{}/_fault/404", simulator());
    let body = format!(
        "<tensorpix-job-card id=\"done\"{}></tensorpix-job-card>\
         <tensorpix-job-card id=\"busy\"{}></tensorpix-job-card>\
         <tensorpix-job-card id=\"gone\" job-id=\"102\" api-base=\"{missing_base}\" api-key=\"{KEY}\"></tensorpix-job-card>",
        attrs(&sim_attributes("102")),
        attrs(&sim_attributes("109")),
    );
    let page = page(&body, "").await;
    let (done, busy, gone) = (page.card("#done"), page.card("#busy"), page.card("#gone"));
    attribute_becomes(&done, "status", "finished").await;
    attribute_becomes(&busy, "status", "processing").await;
    attribute_becomes(&gone, "error", "not-found").await;
    // The details (input, output, models) render closed but present.
    let mut shown: Vec<String> = [&done, &busy, &gone].into_iter().flat_map(parts_of).collect();
    shown.sort();
    shown.dedup();
    let mut documented: Vec<String> = contract::CSS_PARTS.iter().map(|part| part.name.to_owned()).collect();
    documented.sort();
    assert_eq!(shown, documented);
}

/// What a framework page (`target/embeds/www`, built by `cargo xtask test`) last reported.
fn report_card(report: &JsValue, key: &str) -> Option<String> {
    get(report, &format!("cards.0.{key}")).as_string()
}

/// Opens the React or Vue page with two jobs and their tokens for the token proxy, waits for the
/// first job, switches the framework's state to the second, and hears `tensorpix-job-finished`
/// through the framework's own event binding.
async fn a_framework_page_renders_follows_state_and_hears_finished(framework: &str) {
    let (first, second): (i64, i64) = (109, 102);
    let url = format!(
        "{}/embeds/{framework}.html?api={}&jobs={first},{second}&token{first}={}&token{second}={}",
        bundle(),
        token_proxy(),
        mint_token(first, 600).await,
        mint_token(second, 600).await,
    );
    let frame = ProbedFrame::open(&url, framework, (700, 800));
    let reported = |key: &str| report_card(&frame.report(), key);
    eventually(60, &format!("{framework}: job {first} processing"), || {
        reported("label").as_deref() == Some("Processing")
    })
    .await;
    assert_eq!(reported("jobId").as_deref(), Some("109"));
    assert_eq!(reported("status").as_deref(), Some("processing"));
    assert_eq!(get(&frame.report(), "finished.length").as_f64(), Some(0.0));

    let message = js_sys::Object::new();
    Reflect::set(&message, &"show".into(), &JsValue::from_f64(second as f64)).unwrap();
    frame.post(&message);
    eventually(60, &format!("{framework}: tensorpix-job-finished"), || {
        get(&frame.report(), "finished.length").as_f64() == Some(1.0)
    })
    .await;
    // The event comes as the card learns the status; its shadow tree renders right after.
    eventually(10, &format!("{framework}: job {second} shown as finished"), || {
        reported("label").as_deref() == Some("Finished")
    })
    .await;
    let report = frame.report();
    assert_eq!(get(&report, "finished.0.jobId").as_f64(), Some(second as f64));
    let download = get(&report, "finished.0.downloadUrl").as_string().unwrap_or_default();
    assert!(
        download.starts_with("http") && download.ends_with(".webm"),
        "{download}"
    );
    assert_eq!(
        report_card(&report, "jobId").as_deref(),
        Some("102"),
        "the state's job id reached the element"
    );
    assert_eq!(report_card(&report, "status").as_deref(), Some("finished"));
    assert_eq!(report_card(&report, "error"), None, "the second job's token was used");
    assert_eq!(
        get(&report, "cards.length").as_f64(),
        Some(1.0),
        "one card, re-rendered"
    );
    assert_eq!(strings(&report, "errors"), Vec::<String>::new(), "no error on the page");
}

#[wasm_bindgen_test]
async fn a_react_19_page_renders_follows_state_and_hears_finished() {
    a_framework_page_renders_follows_state_and_hears_finished("react").await;
}

#[wasm_bindgen_test]
async fn a_vue_3_page_renders_follows_state_and_hears_finished() {
    a_framework_page_renders_follows_state_and_hears_finished("vue").await;
}
