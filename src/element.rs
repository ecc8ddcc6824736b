//! The `<tensorpix-job-card>` custom element: attributes in; a card in an open shadow root; the
//! state reflected as host attributes and announced as DOM events.
//!
//! The element class itself is a few lines of JavaScript (`element.js`, appended to the bundle),
//! since `web-sys` cannot subclass `HTMLElement`; its lifecycle callbacks call the functions here.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::{CustomEvent, CustomEventInit, HtmlElement, ShadowRootInit, ShadowRootMode};
use yew::prelude::*;

use crate::components::card::JobCard;
use crate::components::error_view::config_error_card;
use crate::contract::{ERROR_EVENT, FINISHED_EVENT, STATUS_CHANGE_EVENT, UPDATE_EVENT};
use crate::feed::Snapshot;
use crate::intl::CardLocale;
use crate::options::{CardOptions, Theme};
use crate::url::safe_http_url;

thread_local! {
    static MOUNTED: RefCell<Vec<(HtmlElement, AppHandle<ElementCard>)>> = const { RefCell::new(Vec::new()) };
    static WARNED_ABOUT_KEY: Cell<bool> = const { Cell::new(false) };
}

/// The element joined a document: render its card into its shadow root.
#[wasm_bindgen]
pub fn tensorpix_element_connected(host: HtmlElement) {
    if MOUNTED.with(|mounted| mounted.borrow().iter().any(|(element, _)| *element == host)) {
        return tensorpix_element_changed(host);
    }
    let Some(container) = shadow_container(&host) else {
        return;
    };
    let props = element_props(&host);
    let handle = yew::Renderer::<ElementCard>::with_root_and_props(container, props).render();
    MOUNTED.with(|mounted| mounted.borrow_mut().push((host, handle)));
}

/// An observed attribute changed: apply it at once.
#[wasm_bindgen]
pub fn tensorpix_element_changed(host: HtmlElement) {
    let props = element_props(&host);
    MOUNTED.with(|mounted| {
        if let Some((_, handle)) = mounted.borrow_mut().iter_mut().find(|(element, _)| *element == host) {
            handle.update(props);
        }
    });
}

/// The element left the document: stop its card, which stops its requests, timers and listeners.
#[wasm_bindgen]
pub fn tensorpix_element_disconnected(host: HtmlElement) {
    let handle = MOUNTED.with(|mounted| {
        let mut mounted = mounted.borrow_mut();
        let index = mounted.iter().position(|(element, _)| *element == host)?;
        Some(mounted.swap_remove(index).1)
    });
    if let Some(handle) = handle {
        handle.destroy();
    }
}

/// The element's open shadow root, with the card's styles and a container to render into.
fn shadow_container(host: &HtmlElement) -> Option<web_sys::Element> {
    let root = match host.shadow_root() {
        Some(root) => root,
        None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)).ok()?,
    };
    if let Some(container) = root.get_element_by_id("tpx-root") {
        return Some(container);
    }
    // The shared sheet: no `<style>` element, which a strict CSP would block.
    crate::styles::adopt(&root);
    let container = host.owner_document()?.create_element("div").ok()?;
    container.set_id("tpx-root");
    root.append_child(&container).ok()?;
    Some(container)
}

fn element_props(host: &HtmlElement) -> ElementCardProps {
    let options = CardOptions::from_attributes(|name| host.get_attribute(name));
    if let Ok(CardOptions { api_key: Some(_), .. }) = &options {
        warn_once_about_key();
    }
    ElementCardProps {
        host: host.clone(),
        options: options.map_err(|(message, theme)| (AttrValue::from(message), theme)),
    }
}

fn warn_once_about_key() {
    if !WARNED_ABOUT_KEY.with(|warned| warned.replace(true)) {
        web_sys::console::warn_1(
            &"<tensorpix-job-card>: an api-key in a page is visible to everyone who opens it, and a TensorPix key \
              never expires. In production, point api-base at a proxy that adds the key (tensorpix-server proxy)."
                .into(),
        );
    }
}

#[derive(Properties, Clone, PartialEq)]
struct ElementCardProps {
    host: HtmlElement,
    options: Result<CardOptions, (AttrValue, Theme)>,
}

/// What the element last told the page, so it only reports changes.
#[derive(Default)]
struct Reported {
    status: Option<&'static str>,
    updated_at: Option<i64>,
    error_snapshot: Option<Rc<Snapshot>>,
}

#[component]
fn ElementCard(props: &ElementCardProps) -> Html {
    let reported = use_mut_ref(Reported::default);
    {
        let host = props.host.clone();
        // Only the error matters here, so only it is cloned and compared, not the options.
        use_effect_with(props.options.as_ref().err().cloned(), move |error| {
            if let Some((message, _)) = error {
                set_attribute(&host, "error", Some("invalid-config"));
                set_attribute(&host, "status", None);
                dispatch(
                    &host,
                    ERROR_EVENT,
                    &ErrorDetail {
                        kind: "invalid-config",
                        status: None,
                        message,
                    },
                );
            }
        });
    }
    let options = match &props.options {
        Ok(options) => options,
        Err((message, theme)) => {
            let language = CardLocale::resolve(props.host.get_attribute("locale").as_deref()).language;
            return config_error_card(message, *theme, language);
        }
    };
    // Runs when the feed publishes, never while rendering.
    let on_snapshot = {
        let host = props.host.clone();
        Callback::from(move |snapshot: Rc<Snapshot>| report(&host, &mut reported.borrow_mut(), &snapshot))
    };
    html! {
        <JobCard
            job_id={options.job_id}
            api_base={options.api_base.clone()}
            api_key={options.api_key.clone()}
            token={options.token.clone()}
            poll={options.poll}
            theme={options.theme}
            document_styles={false}
            locale={options.locale.clone()}
            {on_snapshot}
        />
    }
}

/// Reflects a snapshot onto the host element and dispatches the events it implies.
fn report(host: &HtmlElement, reported: &mut Reported, snapshot: &Rc<Snapshot>) {
    let status = snapshot.job.as_ref().map_or("loading", |job| job.status.slug());
    set_attribute(host, "status", Some(status));
    set_attribute(host, "error", snapshot.error.as_ref().map(|error| error.kind()));
    if let Some(source) = &snapshot.source
        && snapshot.updated_at != reported.updated_at
    {
        reported.updated_at = snapshot.updated_at;
        dispatch(host, UPDATE_EVENT, &UpdateDetail { job: source.clone() });
    }
    let previous = reported.status.replace(status);
    if previous.is_some_and(|previous| previous != status) || (previous.is_none() && status != "loading") {
        dispatch(
            host,
            STATUS_CHANGE_EVENT,
            &StatusChangeDetail {
                old_status: previous.unwrap_or("loading"),
                new_status: status,
            },
        );
        if let Some(job) = snapshot.job.as_ref().filter(|_| status == "finished") {
            let download_url = job
                .output_video
                .as_ref()
                .filter(|output| !output.is_deleted())
                .and_then(|output| output.file.as_deref())
                .and_then(safe_http_url);
            dispatch(
                host,
                FINISHED_EVENT,
                &FinishedDetail {
                    job: snapshot.source.clone().unwrap_or(JsValue::NULL),
                    download_url,
                },
            );
        }
    }
    let new_error = snapshot.error.is_some()
        && reported
            .error_snapshot
            .as_ref()
            .is_none_or(|last| !Rc::ptr_eq(last, snapshot));
    if let Some(error) = snapshot.error.as_ref().filter(|_| new_error) {
        reported.error_snapshot = Some(snapshot.clone());
        let texts = crate::i18n::Language::English.texts();
        // The event is for the page's code, so its message is English whatever the card shows.
        let message = format!("{} {}", error.title(job_id_of(host), texts), error.explanation(texts));
        dispatch(
            host,
            ERROR_EVENT,
            &ErrorDetail {
                kind: error.kind(),
                status: error.status(),
                message: &message,
            },
        );
    }
}

fn job_id_of(host: &HtmlElement) -> i64 {
    host.get_attribute("job-id")
        .and_then(|id| id.trim().parse().ok())
        .unwrap_or_default()
}

/// `tensorpix-job-update`'s detail: the job as the browser parsed the API's answer.
#[derive(Serialize)]
struct UpdateDetail {
    #[serde(with = "serde_wasm_bindgen::preserve")]
    job: JsValue,
}

/// `tensorpix-job-status-change`'s detail.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusChangeDetail {
    old_status: &'static str,
    new_status: &'static str,
}

/// `tensorpix-job-finished`'s detail: the job, and its download link if it is a safe one.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FinishedDetail<'a> {
    #[serde(with = "serde_wasm_bindgen::preserve")]
    job: JsValue,
    download_url: Option<&'a str>,
}

/// `tensorpix-job-error`'s detail; `message` is English, for the page's code and logs.
#[derive(Serialize)]
struct ErrorDetail<'a> {
    kind: &'a str,
    status: Option<u16>,
    message: &'a str,
}

fn set_attribute(host: &HtmlElement, name: &str, value: Option<&str>) {
    // Only touch the DOM when the value changes: attribute writes wake MutationObservers.
    match value {
        Some(value) if host.get_attribute(name).as_deref() != Some(value) => {
            let _ = host.set_attribute(name, value);
        }
        None if host.has_attribute(name) => {
            let _ = host.remove_attribute(name);
        }
        _ => {}
    }
}

fn dispatch(host: &HtmlElement, name: &str, detail: &impl Serialize) {
    // JSON-compatible: `None` is `null` (never `undefined`) and maps are plain objects.
    let Ok(detail) = detail.serialize(&serde_wasm_bindgen::Serializer::json_compatible()) else {
        return;
    };
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&detail);
    if let Ok(event) = CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = host.dispatch_event(&event);
    }
}
