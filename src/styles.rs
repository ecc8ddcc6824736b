//! The card's stylesheet, shipped inside the wasm so a page needs no extra file.

/// The whole stylesheet (`static/card.css`, minified by `build.rs`).
pub const CARD_CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/card.min.css"));

const STYLE_ELEMENT_ID: &str = "tensorpix-job-card-styles";

/// Adds the stylesheet to the document's `<head>` once, however many cards there are.
pub fn ensure_document_styles() {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    if document.get_element_by_id(STYLE_ELEMENT_ID).is_some() {
        return;
    }
    let Ok(style) = document.create_element("style") else {
        return;
    };
    style.set_id(STYLE_ELEMENT_ID);
    style.set_text_content(Some(CARD_CSS));
    // Prepended, so a page's own rules for the card's classes win ties.
    if let Some(head) = document.head() {
        let _ = head.prepend_with_node_1(&style);
    }
}
