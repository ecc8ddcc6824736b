//! Mounts a card into every element of a page that asks for one with `data-tensorpix-job-id`.

use wasm_bindgen::JsCast;
use yew::AttrValue;

use crate::components::card::{JobCard, JobCardProps};

/// Mounts a `JobCard` into each `[data-tensorpix-job-id]` element, reading `data-api-base` and
/// `data-api-key` beside it. Elements whose id is not a number show a message instead.
pub fn mount_all() {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else { return };
    let Ok(hosts) = document.query_selector_all("[data-tensorpix-job-id]") else { return };
    for index in 0..hosts.length() {
        let Some(host) = hosts.item(index).and_then(|node| node.dyn_into::<web_sys::Element>().ok()) else {
            continue;
        };
        let raw_id = host.get_attribute("data-tensorpix-job-id").unwrap_or_default();
        let Ok(job_id) = raw_id.trim().parse::<i64>() else {
            host.set_text_content(Some(&format!("“{raw_id}” is not a TensorPix job id: it must be a number.")));
            continue;
        };
        let props = JobCardProps {
            job_id,
            api_base: host.get_attribute("data-api-base").map_or(AttrValue::Static(crate::api::DEFAULT_API_BASE), AttrValue::from),
            api_key: host.get_attribute("data-api-key").map(AttrValue::from),
        };
        // Each card lives as long as the page; the handle is not needed to keep it running.
        let _ = yew::Renderer::<JobCard>::with_root_and_props(host, props).render();
    }
}
