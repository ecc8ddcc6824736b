//! Mounts a card into every element of a page that asks for one with `data-tensorpix-job-id`.

use wasm_bindgen::JsCast;
use yew::AttrValue;

use crate::api::DEFAULT_API_BASE;
use crate::components::card::{JobCard, JobCardProps};
use crate::components::error_view::{ConfigErrorCard, ConfigErrorProps};
use crate::options::{Theme, parse_job_id, parse_poll_interval};
use crate::poll::PollSettings;

/// Mounts a `JobCard` into each `[data-tensorpix-job-id]` element, reading `data-api-base`,
/// `data-api-key`, `data-poll-interval` (seconds), `data-theme`, `data-timeout-ms` and
/// `data-details-open` beside it. An element with a bad job id or interval shows a card saying so.
pub fn mount_all() {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    let Ok(hosts) = document.query_selector_all("[data-tensorpix-job-id]") else {
        return;
    };
    for index in 0..hosts.length() {
        let Some(host) = hosts
            .item(index)
            .and_then(|node| node.dyn_into::<web_sys::Element>().ok())
        else {
            continue;
        };
        let theme = host
            .get_attribute("data-theme")
            .and_then(|theme| Theme::parse(&theme))
            .unwrap_or_default();
        let job_id = match parse_job_id(&host.get_attribute("data-tensorpix-job-id").unwrap_or_default()) {
            Ok(job_id) => job_id,
            Err(message) => {
                let props = ConfigErrorProps {
                    message: message.into(),
                    theme,
                };
                let _ = yew::Renderer::<ConfigErrorCard>::with_root_and_props(host, props).render();
                continue;
            }
        };
        let mut props = yew::props!(JobCardProps { job_id, theme });
        props.api_base = host
            .get_attribute("data-api-base")
            .map_or(AttrValue::Static(DEFAULT_API_BASE), AttrValue::from);
        props.api_key = host.get_attribute("data-api-key").map(AttrValue::from);
        props.details_open = host.has_attribute("data-details-open");
        if let Some(interval) = host.get_attribute("data-poll-interval") {
            match parse_poll_interval(&interval) {
                Ok(interval) => props.poll = PollSettings::every(interval),
                Err(message) => {
                    let props = ConfigErrorProps {
                        message: message.into(),
                        theme,
                    };
                    let _ = yew::Renderer::<ConfigErrorCard>::with_root_and_props(host, props).render();
                    continue;
                }
            }
        }
        if let Some(timeout) = host
            .get_attribute("data-timeout-ms")
            .and_then(|text| text.trim().parse().ok())
        {
            props.timeout_ms = timeout;
        }
        // Each card lives as long as the page; the handle is not needed to keep it running.
        let _ = yew::Renderer::<JobCard>::with_root_and_props(host, props).render();
    }
}
