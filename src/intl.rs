//! The card's locale in the browser: which table its texts come from, and `Intl` for its numbers
//! and dates.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Date, Function, Intl, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::i18n::{Language, Locale, Numbers};

#[wasm_bindgen]
extern "C" {
    // `Intl` throws a RangeError on a malformed tag; this checks one without throwing into Rust.
    #[wasm_bindgen(js_namespace = Intl, js_name = getCanonicalLocales, catch)]
    fn canonical_locales(tag: &str) -> Result<Array, JsValue>;
}

/// The language and number style of one card, resolved from its `locale`, else the page's
/// `lang`, else the browser's language.
#[derive(Clone)]
pub struct CardLocale {
    pub language: Language,
    numbers: Rc<IntlNumbers>,
}

impl PartialEq for CardLocale {
    fn eq(&self, other: &Self) -> bool {
        self.language == other.language && self.numbers.tag == other.numbers.tag
    }
}

impl CardLocale {
    /// Resolves `requested` (the card's own `locale`, if any) against the page and the browser.
    pub fn resolve(requested: Option<&str>) -> CardLocale {
        let window = web_sys::window();
        let page = window
            .as_ref()
            .and_then(|window| window.document())
            .and_then(|document| document.document_element())
            .and_then(|root| root.get_attribute("lang"));
        let browser = window.and_then(|window| window.navigator().language());
        let candidates: Vec<String> = [requested.map(str::to_owned), page, browser]
            .into_iter()
            .flatten()
            .filter_map(|tag| canonical_locales(tag.trim()).ok()?.get(0).as_string())
            .collect();
        let language = Language::negotiate(candidates.iter().map(String::as_str));
        let tag = candidates.into_iter().next().unwrap_or_else(|| "en".to_owned());
        CardLocale {
            language,
            numbers: Rc::new(IntlNumbers::new(tag)),
        }
    }

    /// The texts and number style for the pure formatting code.
    pub fn locale(&self) -> Locale<'_> {
        Locale {
            texts: self.language.texts(),
            numbers: &*self.numbers,
        }
    }
}

impl Default for CardLocale {
    fn default() -> Self {
        CardLocale::resolve(None)
    }
}

/// `Intl.NumberFormat` and `Intl.DateTimeFormat` for one locale, built once and reused.
pub struct IntlNumbers {
    tag: String,
    decimals: RefCell<Vec<(u8, Function)>>,
    date_time: Function,
    time_of_day: Function,
}

impl IntlNumbers {
    fn new(tag: String) -> Self {
        let locales = Array::of1(&JsValue::from_str(&tag));
        let date_time =
            Intl::DateTimeFormat::new(&locales, &options(&[("dateStyle", "medium"), ("timeStyle", "short")]));
        let time_of_day = Intl::DateTimeFormat::new(&locales, &options(&[("timeStyle", "medium")]));
        IntlNumbers {
            tag,
            decimals: RefCell::new(Vec::new()),
            date_time: date_time.format(),
            time_of_day: time_of_day.format(),
        }
    }

    fn decimal_format(&self, max_fraction_digits: u8) -> Function {
        let mut formats = self.decimals.borrow_mut();
        if let Some((_, format)) = formats.iter().find(|(digits, _)| *digits == max_fraction_digits) {
            return format.clone();
        }
        let settings = Object::new();
        let _ = Reflect::set(
            &settings,
            &"maximumFractionDigits".into(),
            &JsValue::from(max_fraction_digits),
        );
        let format = Intl::NumberFormat::new(&Array::of1(&JsValue::from_str(&self.tag)), &settings).format();
        formats.push((max_fraction_digits, format.clone()));
        format
    }
}

fn options(pairs: &[(&str, &str)]) -> Object {
    let settings = Object::new();
    for (name, value) in pairs {
        let _ = Reflect::set(&settings, &JsValue::from_str(name), &JsValue::from_str(value));
    }
    settings
}

fn call(format: &Function, value: &JsValue) -> String {
    format
        .call1(&JsValue::UNDEFINED, value)
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_default()
}

/// The most integer digits handed to `Intl` as an exact decimal (see `exact_decimal`).
const MAX_INTL_DIGITS: usize = 100;

impl Numbers for IntlNumbers {
    fn decimal(&self, value: f64, max_fraction_digits: u8) -> String {
        call(&self.decimal_format(max_fraction_digits), &JsValue::from_f64(value))
    }

    fn exact_decimal(&self, digits: &str) -> String {
        // `Intl.NumberFormat` reads a string as an exact decimal (ECMA-402's NumberFormat v3, in
        // every engine with the CSS the card needs), but only within a double's range: Chromium
        // writes `∞` past 308 integer digits. No real amount comes near `MAX_INTL_DIGITS`; past it,
        // or if `Intl` fails, the digits are shown as they are. 20 fraction digits is what every
        // engine allows.
        let (units, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let formatted = if units.len() <= MAX_INTL_DIGITS {
            call(
                &self.decimal_format(fraction.len().min(20) as u8),
                &JsValue::from_str(digits),
            )
        } else {
            String::new()
        };
        if formatted.is_empty() {
            digits.to_owned()
        } else {
            formatted
        }
    }

    fn date_time(&self, unix_millis: i64) -> String {
        call(&self.date_time, &Date::new(&JsValue::from_f64(unix_millis as f64)))
    }

    fn time_of_day(&self, unix_millis: i64) -> String {
        call(&self.time_of_day, &Date::new(&JsValue::from_f64(unix_millis as f64)))
    }
}
