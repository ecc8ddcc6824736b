//! The card's stylesheet, shipped inside the wasm so a page needs no extra file, and applied as a
//! constructable stylesheet, so a strict Content-Security-Policy (`style-src 'self'`, no
//! `'unsafe-inline'`) allows it: no `<style>` element, no `style` attribute.

use std::cell::Cell;

use web_sys::CssStyleSheet;

/// The whole stylesheet: the element's own `:host` rules (they match only a shadow host, so the
/// document may adopt them too), then `static/card.css`, minified by `build.rs`.
pub const CARD_CSS: &str = concat!(
    ":host{display:block}:host([hidden]){display:none}",
    include_str!(concat!(env!("OUT_DIR"), "/card.min.css"))
);

thread_local! {
    /// The one sheet, shared by the document and every card's shadow root. `None` in a browser
    /// without constructable stylesheets: its cards show unstyled rather than fail.
    static SHEET: Option<CssStyleSheet> = CssStyleSheet::new()
        .ok()
        .filter(|sheet| sheet.replace_sync(CARD_CSS).is_ok());
    static IN_DOCUMENT: Cell<bool> = const { Cell::new(false) };
}

/// Adds the card's sheet to a shadow root's `adoptedStyleSheets` (an observable array in every
/// engine that has constructable sheets, so a push is enough).
pub fn adopt(root: &web_sys::ShadowRoot) {
    SHEET.with(|sheet| {
        if let Some(sheet) = sheet {
            root.adopted_style_sheets().push(sheet);
        }
    });
}

/// Adds the stylesheet to the document once, however many cards there are, after the page's own
/// adopted sheets.
pub fn ensure_document_styles() {
    if IN_DOCUMENT.with(|done| done.replace(true)) {
        return;
    }
    SHEET.with(|sheet| {
        if let (Some(sheet), Some(document)) = (sheet, web_sys::window().and_then(|window| window.document())) {
            document.adopted_style_sheets().push(sheet);
        }
    });
}

/// Sets a custom property in `element`'s inline style through the CSSOM, which a strict CSP
/// allows (a `style` attribute in markup is inline style, which it blocks).
pub fn set_property(element: &web_sys::HtmlElement, name: &str, value: &str) {
    let _ = element.style().set_property(name, value);
}
