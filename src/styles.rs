//! The card's stylesheet, shipped inside the wasm so a page needs no extra file, and applied as a
//! constructable stylesheet, so a strict Content-Security-Policy (`style-src 'self'`, no
//! `'unsafe-inline'`) allows it: no `<style>` element, no `style` attribute.

use std::cell::Cell;

use js_sys::Array;
use wasm_bindgen::prelude::*;

// Bindings of their own rather than web-sys's: without `catch` (every engine with shadow DOM v1
// and custom elements that this bundle targets has constructable sheets), and one getter for both
// a document's and a shadow root's list: fewer bytes of glue.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = CSSStyleSheet)]
    type Sheet;
    #[wasm_bindgen(constructor, js_class = "CSSStyleSheet")]
    fn new() -> Sheet;
    #[wasm_bindgen(method, js_class = "CSSStyleSheet", js_name = replaceSync)]
    fn replace_sync(this: &Sheet, text: &str);
    /// A `Document` or a `ShadowRoot` (for `adoptedStyleSheets`), or an `HTMLElement` (`style`).
    type Styled;
    #[wasm_bindgen(method, getter, js_name = adoptedStyleSheets)]
    fn adopted_style_sheets(this: &Styled) -> Array;
    #[wasm_bindgen(method, getter)]
    fn style(this: &Styled) -> Declaration;
    #[wasm_bindgen(js_name = CSSStyleDeclaration)]
    type Declaration;
    #[wasm_bindgen(method, js_class = "CSSStyleDeclaration", js_name = setProperty)]
    fn set_property(this: &Declaration, name: &str, value: &str);
}

/// The whole stylesheet: the element's own `:host` rules (they match only a shadow host, so the
/// document may adopt them too), then `static/card.css`, minified by `build.rs`.
pub const CARD_CSS: &str = concat!(
    ":host{display:block}:host([hidden]){display:none}",
    include_str!(concat!(env!("OUT_DIR"), "/card.min.css"))
);

thread_local! {
    /// The one sheet, shared by the document and every card's shadow root.
    static SHEET: Sheet = {
        let sheet = Sheet::new();
        sheet.replace_sync(CARD_CSS);
        sheet
    };
    static IN_DOCUMENT: Cell<bool> = const { Cell::new(false) };
}

/// Adds the card's sheet to a document's or a shadow root's `adoptedStyleSheets` (an observable
/// array in every engine that has constructable sheets, so a push is enough).
pub fn adopt(node: &web_sys::Node) {
    SHEET.with(|sheet| node.unchecked_ref::<Styled>().adopted_style_sheets().push(sheet));
}

/// Adds the stylesheet to the document once, however many cards there are, after the page's own
/// adopted sheets.
pub fn ensure_document_styles() {
    if IN_DOCUMENT.with(|done| done.replace(true)) {
        return;
    }
    if let Some(document) = web_sys::window().and_then(|window| window.document()) {
        adopt(&document);
    }
}

/// Sets a custom property in `element`'s inline style through the CSSOM, which a strict CSP
/// allows (a `style` attribute in markup is inline style, which it blocks).
pub fn set_property(element: &web_sys::Element, name: &str, value: &str) {
    element.unchecked_ref::<Styled>().style().set_property(name, value);
}
