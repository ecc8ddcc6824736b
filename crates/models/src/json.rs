//! A small JSON reader: text to a [`Json`] tree whose numbers stay text, and [`FromJson`], which
//! turns a tree into a model and names the field where that failed.
//!
//! The widget ships this instead of serde_json and serde's derived `Deserialize`: one
//! non-generic parser and one short function per model cost a fraction of their code in the wasm;
//! numbers stay exact until a field asks for a type (64-bit sizes and bitrates never pass through
//! a float); and the same tree feeds the `tensorpix-job-update` event. The models still derive
//! serde's traits, for the simulator and for tests that check this reader against serde_json.

use std::fmt;

/// A parsed JSON value. Objects keep their fields in the order the text gives them.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// The number exactly as written (`-12`, `0.25`, `1e-3`).
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

/// Text that is not JSON: what was wrong, and the byte offset where it was noticed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: &'static str,
    pub offset: usize,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{} at byte {}", self.message, self.offset)
    }
}

/// Deeper nesting than any job has is an attack or a bug; stop before the stack does.
const MAX_DEPTH: usize = 64;

/// Parses a whole JSON text (RFC 8259; surrounding whitespace allowed).
pub fn parse(text: &str) -> Result<Json, SyntaxError> {
    let mut parser = Parser {
        text,
        position: 0,
        depth: 0,
    };
    let value = parser.value()?;
    parser.skip_whitespace();
    if parser.position < text.len() {
        return Err(parser.error("unexpected text after the value"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    position: usize,
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, message: &'static str) -> SyntaxError {
        SyntaxError {
            message,
            offset: self.position,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.position).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        self.position += usize::from(found);
        found
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.position += 1;
        }
    }

    fn value(&mut self) -> Result<Json, SyntaxError> {
        self.skip_whitespace();
        match self.peek() {
            None => Err(self.error("the text ends where a value should be")),
            Some(b'{' | b'[') => self.container(),
            Some(b'"') => self.string().map(Json::String),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a value")),
        }
    }

    fn literal(&mut self, word: &'static str, value: Json) -> Result<Json, SyntaxError> {
        if !self.text[self.position..].starts_with(word) {
            return Err(self.error("expected a value"));
        }
        self.position += word.len();
        Ok(value)
    }

    /// An object or an array: one loop, since they differ only in keys and brackets.
    fn container(&mut self) -> Result<Json, SyntaxError> {
        let is_object = self.eat(b'{') || !self.eat(b'[');
        let close = if is_object { b'}' } else { b']' };
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        let (mut fields, mut items) = (Vec::new(), Vec::new());
        self.skip_whitespace();
        if !self.eat(close) {
            loop {
                if is_object {
                    self.skip_whitespace();
                    if self.peek() != Some(b'"') {
                        return Err(self.error("expected a field name"));
                    }
                    let key = self.string()?;
                    self.skip_whitespace();
                    if !self.eat(b':') {
                        return Err(self.error("expected `:`"));
                    }
                    fields.push((key, self.value()?));
                } else {
                    items.push(self.value()?);
                }
                self.skip_whitespace();
                if self.eat(close) {
                    break;
                }
                if !self.eat(b',') {
                    return Err(self.error(if is_object {
                        "expected `,` or `}`"
                    } else {
                        "expected `,` or `]`"
                    }));
                }
            }
        }
        self.depth -= 1;
        Ok(if is_object {
            Json::Object(fields)
        } else {
            Json::Array(items)
        })
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        self.position += 1;
        let mut text = String::new();
        loop {
            let start = self.position;
            while self
                .peek()
                .is_some_and(|byte| byte != b'"' && byte != b'\\' && byte >= 0x20)
            {
                self.position += 1;
            }
            // Only ASCII bytes stop the run, so both ends are character boundaries.
            text.push_str(&self.text[start..self.position]);
            match self.peek() {
                None => return Err(self.error("the text ends inside a string")),
                Some(b'"') => {
                    self.position += 1;
                    return Ok(text);
                }
                Some(b'\\') => {
                    self.position += 1;
                    let character = self.escape()?;
                    text.push(character);
                }
                Some(_) => return Err(self.error("control character in a string")),
            }
        }
    }

    fn escape(&mut self) -> Result<char, SyntaxError> {
        let escaped = self.peek().ok_or_else(|| self.error("the text ends inside a string"))?;
        let at = self.position;
        self.position += 1;
        Ok(match escaped {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex_unit()?;
                let code = if (0xD800..0xDC00).contains(&unit) && self.text[self.position..].starts_with("\\u") {
                    self.position += 2;
                    let low = self.hex_unit()?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(self.error("invalid surrogate pair"));
                    }
                    0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    unit
                };
                char::from_u32(code).ok_or_else(|| self.error("lone surrogate in a string"))?
            }
            _ => {
                return Err(SyntaxError {
                    message: "invalid escape",
                    offset: at,
                });
            }
        })
    }

    fn hex_unit(&mut self) -> Result<u32, SyntaxError> {
        let digits = self.text.get(self.position..self.position + 4);
        let unit = digits
            .filter(|digits| digits.bytes().all(|byte| byte.is_ascii_hexdigit()))
            .and_then(|digits| u32::from_str_radix(digits, 16).ok())
            .ok_or_else(|| self.error("invalid \\u escape"))?;
        self.position += 4;
        Ok(unit)
    }

    fn number(&mut self) -> Result<Json, SyntaxError> {
        let start = self.position;
        self.eat(b'-');
        if !self.eat(b'0') && !self.digits() {
            return Err(self.error("invalid number"));
        }
        if self.eat(b'.') && !self.digits() {
            return Err(self.error("invalid number"));
        }
        if self.eat(b'e') || self.eat(b'E') {
            let _ = self.eat(b'+') || self.eat(b'-');
            if !self.digits() {
                return Err(self.error("invalid number"));
            }
        }
        Ok(Json::Number(self.text[start..self.position].to_owned()))
    }

    /// Skips a run of digits; false when there was none.
    fn digits(&mut self) -> bool {
        let start = self.position;
        while self.peek().is_some_and(|byte| byte.is_ascii_digit()) {
            self.position += 1;
        }
        self.position > start
    }
}

/// A JSON number, as the narrowest type that holds it exactly (floats only when it must).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
}

impl Number {
    /// Reads a number the parser accepted.
    pub fn of(text: &str) -> Number {
        if !text.contains(['.', 'e', 'E']) {
            if let Ok(unsigned) = text.parse() {
                return Number::Unsigned(unsigned);
            }
            if let Ok(signed) = text.parse() {
                return Number::Signed(signed);
            }
        }
        Number::Float(approximate_f64(text))
    }
}

/// The double nearest to a JSON number, or one next to it (for exponents beyond ±22, within a few
/// parts in 10^15): more than enough for progress, frame rates and scores, without the general
/// float parser and its tables (about 8 KB of wasm).
fn approximate_f64(text: &str) -> f64 {
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa_text, exponent) = match text.split_once(['e', 'E']) {
        // An exponent too large for an i32 means infinity or zero either way.
        Some((mantissa, exponent)) => (
            mantissa,
            exponent
                .parse::<i32>()
                .unwrap_or(if exponent.starts_with('-') { -9_999 } else { 9_999 }),
        ),
        None => (text, 0),
    };
    let (units, fraction) = mantissa_text.split_once('.').unwrap_or((mantissa_text, ""));
    // Up to 19 significant digits fit a u64; further digits only move the decimal point.
    let (mut mantissa, mut scale) = (0_u64, exponent);
    for (index, digit) in units.bytes().chain(fraction.bytes()).enumerate() {
        let in_fraction = index >= units.len();
        if mantissa < 1_000_000_000_000_000_000 {
            mantissa = mantissa * 10 + u64::from(digit - b'0');
            scale -= i32::from(in_fraction);
        } else {
            scale += i32::from(!in_fraction);
        }
    }
    let scale = scale.clamp(-700, 700);
    let magnitude = if scale < 0 {
        // Two steps so that 1e-320 style values do not divide by infinity.
        let first = scale.max(-300);
        mantissa as f64 / 10_f64.powi(-first) / 10_f64.powi(first - scale)
    } else {
        mantissa as f64 * 10_f64.powi(scale)
    };
    if negative { -magnitude } else { magnitude }
}

/// Why a tree is not the value asked for, and where in the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    pub message: String,
    /// Field names and array indexes from the root, outermost first.
    path: Vec<PathSegment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PathSegment {
    Field(String),
    Index(usize),
}

impl SchemaError {
    fn new(message: String) -> Self {
        SchemaError {
            message,
            path: Vec::new(),
        }
    }

    /// `expected an integer, found a string`.
    pub fn expected(what: &str, found: &Json) -> Self {
        let found = match found {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(text) => match Number::of(text) {
                Number::Float(_) => "a number with a fraction",
                _ => "an integer out of range",
            },
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        };
        SchemaError::new(format!("expected {what}, found {found}"))
    }

    /// The place as a path: `output_video.bitrate`, `ml_models[0].task`, or `.` for the root.
    pub fn path(&self) -> String {
        let mut path = String::new();
        for segment in &self.path {
            match segment {
                PathSegment::Field(name) => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(name);
                }
                PathSegment::Index(index) => {
                    path.push('[');
                    path.push_str(&index.to_string());
                    path.push(']');
                }
            }
        }
        if path.is_empty() { ".".to_owned() } else { path }
    }

    fn within(mut self, segment: PathSegment) -> Self {
        self.path.insert(0, segment);
        self
    }
}

impl fmt::Display for SchemaError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{} at `{}`", self.message, self.path())
    }
}

impl std::error::Error for SchemaError {}

/// A value that can be read from a JSON tree. The models get theirs from `json_model!`.
pub trait FromJson: Sized {
    fn from_json(value: &Json) -> Result<Self, SchemaError>;
}

impl FromJson for i64 {
    fn from_json(value: &Json) -> Result<Self, SchemaError> {
        match value {
            Json::Number(text) => match Number::of(text) {
                Number::Signed(integer) => Ok(integer),
                Number::Unsigned(integer) => {
                    i64::try_from(integer).map_err(|_| SchemaError::expected("an integer", value))
                }
                Number::Float(_) => Err(SchemaError::expected("an integer", value)),
            },
            other => Err(SchemaError::expected("an integer", other)),
        }
    }
}

impl FromJson for f64 {
    fn from_json(value: &Json) -> Result<Self, SchemaError> {
        match value {
            Json::Number(text) => Ok(match Number::of(text) {
                Number::Signed(integer) => integer as f64,
                Number::Unsigned(integer) => integer as f64,
                Number::Float(float) => float,
            }),
            other => Err(SchemaError::expected("a number", other)),
        }
    }
}

impl FromJson for bool {
    fn from_json(value: &Json) -> Result<Self, SchemaError> {
        match value {
            Json::Bool(flag) => Ok(*flag),
            other => Err(SchemaError::expected("a boolean", other)),
        }
    }
}

impl FromJson for String {
    fn from_json(value: &Json) -> Result<Self, SchemaError> {
        match value {
            Json::String(text) => Ok(text.clone()),
            other => Err(SchemaError::expected("a string", other)),
        }
    }
}

/// `null` is `None`, as serde reads it.
impl<T: FromJson> FromJson for Option<T> {
    fn from_json(value: &Json) -> Result<Self, SchemaError> {
        match value {
            Json::Null => Ok(None),
            other => T::from_json(other).map(Some),
        }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: &Json) -> Result<Self, SchemaError> {
        match value {
            Json::Array(items) => items
                .iter()
                .enumerate()
                .map(|(index, item)| T::from_json(item).map_err(|error| error.within(PathSegment::Index(index))))
                .collect(),
            other => Err(SchemaError::expected("an array", other)),
        }
    }
}

/// Reads the fields of one JSON object, for `json_model!`'s generated code.
///
/// Every field is read, and a field that fails gives its type's default and records the first
/// error, which [`Fields::finish`] returns. Returning at the first failure instead would make the
/// compiler drop each set of fields read so far separately: several KB of wasm per model.
pub struct Fields<'a> {
    fields: &'a [(String, Json)],
    error: Option<SchemaError>,
}

impl<'a> Fields<'a> {
    pub fn of(value: &'a Json) -> Result<Self, SchemaError> {
        match value {
            Json::Object(fields) => Ok(Fields { fields, error: None }),
            other => Err(SchemaError::expected("an object", other)),
        }
    }

    /// A field that must be there (it may still be `null` if its type allows).
    pub fn required<T: FromJson + Default>(&mut self, name: &str) -> T {
        self.field(name, true)
    }

    /// A field that takes its default when it is missing.
    pub fn optional<T: FromJson + Default>(&mut self, name: &str) -> T {
        self.field(name, false)
    }

    /// The value built from the fields, unless one of them failed.
    pub fn finish<T>(self, value: T) -> Result<T, SchemaError> {
        match self.error {
            None => Ok(value),
            Some(error) => Err(error),
        }
    }

    // The generic part is only the conversion; looking up and recording errors happen in two
    // shared functions, not once per field.
    fn field<T: FromJson + Default>(&mut self, name: &str, required: bool) -> T {
        match self.lookup(name, required).map(T::from_json) {
            Some(Ok(value)) => value,
            Some(Err(error)) => {
                self.fail_at(name, error);
                T::default()
            }
            None => T::default(),
        }
    }

    /// The last field of that name, as browsers' `JSON.parse` keeps it.
    #[inline(never)]
    fn lookup(&mut self, name: &str, required: bool) -> Option<&'a Json> {
        let found = self
            .fields
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value);
        if found.is_none() && required {
            self.fail(SchemaError::new(format!("missing field `{name}`")));
        }
        found
    }

    #[inline(never)]
    fn fail_at(&mut self, name: &str, error: SchemaError) {
        self.fail(error.within(PathSegment::Field(name.to_owned())));
    }

    fn fail(&mut self, error: SchemaError) {
        self.error.get_or_insert(error);
    }
}

/// Declares a model struct from one field list: the struct with `Default` and serde's derives, and its
/// [`FromJson`]. `required` fields must be present; `optional` ones take their `Default` (and get
/// `#[serde(default)]`), so serde and this reader never disagree about which is which.
#[macro_export]
macro_rules! json_model {
    (
        $(#[$meta:meta])*
        pub struct $name:ident { $($body:tt)* }
    ) => {
        $crate::json_model!(@field [$(#[$meta])*] $name [] [] $($body)*);
    };
    (@field $metas:tt $name:ident [$($fields:tt)*] [$($reads:tt)*]
        $(#[$field_meta:meta])* required $field:ident : $type:ty, $($rest:tt)*
    ) => {
        $crate::json_model!(@field $metas $name
            [$($fields)* $(#[$field_meta])* pub $field: $type,]
            [$($reads)* $field required]
            $($rest)*);
    };
    (@field $metas:tt $name:ident [$($fields:tt)*] [$($reads:tt)*]
        $(#[$field_meta:meta])* optional $field:ident : $type:ty, $($rest:tt)*
    ) => {
        $crate::json_model!(@field $metas $name
            [$($fields)* $(#[$field_meta])* #[serde(default)] pub $field: $type,]
            [$($reads)* $field optional]
            $($rest)*);
    };
    (@field [$($meta:tt)*] $name:ident [$($fields:tt)*] [$($read:ident $presence:ident)*]) => {
        $($meta)*
        #[derive(Default, serde::Serialize, serde::Deserialize)]
        pub struct $name { $($fields)* }

        impl $crate::json::FromJson for $name {
            fn from_json(value: &$crate::json::Json) -> Result<Self, $crate::json::SchemaError> {
                let mut fields = $crate::json::Fields::of(value)?;
                let value = $name { $($read: fields.$presence(stringify!($read)),)* };
                fields.finish(value)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_kind_of_value() {
        let text =
            r#" {"a": [1, -2, 0.5, 1e3, true, false, null], "b": "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", "c": {}} "#;
        let expected = Json::Object(vec![
            (
                "a".into(),
                Json::Array(vec![
                    Json::Number("1".into()),
                    Json::Number("-2".into()),
                    Json::Number("0.5".into()),
                    Json::Number("1e3".into()),
                    Json::Bool(true),
                    Json::Bool(false),
                    Json::Null,
                ]),
            ),
            ("b".into(), Json::String("x\"\\/\u{8}\u{c}\n\r\té😀".into())),
            ("c".into(), Json::Object(Vec::new())),
        ]);
        assert_eq!(parse(text), Ok(expected));
    }

    #[test]
    fn rejects_what_is_not_json_with_the_place() {
        let cases = [
            ("", 0),
            ("<html>", 0),
            ("{\"id\": 1,}", 9),
            ("[1 2]", 3),
            ("{\"a\" 1}", 5),
            ("01", 1),
            ("1.", 2),
            ("-", 1),
            ("\"abc", 4),
            ("\"\\x\"", 2),
            ("\"\\ud800\"", 7),
            ("\"a\nb\"", 2),
            ("nul", 0),
            ("{} {}", 3),
        ];
        for (text, offset) in cases {
            let error = parse(text).unwrap_err();
            assert_eq!(error.offset, offset, "{text:?}: {error}");
        }
        assert_eq!(parse(&"[".repeat(65)).unwrap_err().message, "nested too deeply");
        assert!(parse(&format!("{}{}", "[".repeat(64), "]".repeat(64))).is_ok());
    }

    #[test]
    fn numbers_stay_exact_where_they_can() {
        assert_eq!(Number::of("9223372036854775807"), Number::Unsigned(i64::MAX as u64));
        assert_eq!(Number::of("18446744073709551615"), Number::Unsigned(u64::MAX));
        assert_eq!(Number::of("-9223372036854775808"), Number::Signed(i64::MIN));
        assert_eq!(Number::of("-1"), Number::Signed(-1));
        assert_eq!(
            Number::of("18446744073709551616"),
            Number::Float(18446744073709551616.0)
        );
        assert_eq!(Number::of("-0.5"), Number::Float(-0.5));
    }

    fn float(text: &str) -> f64 {
        match Number::of(text) {
            Number::Float(value) => value,
            other => panic!("{text} read as {other:?}"),
        }
    }

    #[test]
    fn floats_are_within_one_step_of_the_exact_value() {
        let cases = [
            "0.1",
            "0.5",
            "0.33333333333333337",
            "29.97",
            "23.976023976023978",
            "1e-7",
            "1.5E+3",
            "-2.5e-3",
            "123456789.123456789",
            "0.1234567890123456789012345",
            "100000000000000000000000.0",
            "4.2e-22",
        ];
        for text in cases {
            let (exact, approximate) = (text.parse::<f64>().unwrap(), float(text));
            let steps = (approximate.to_bits() as i64 - exact.to_bits() as i64).abs();
            assert!(steps <= 1, "{text}: {approximate} is {steps} steps from {exact}");
        }
    }

    #[test]
    fn extreme_exponents_stay_close_and_saturate() {
        for text in ["1e308", "-1.5e308", "1e-300", "2.2250738585072014e-308", "1e-320"] {
            let (exact, approximate) = (text.parse::<f64>().unwrap(), float(text));
            assert!(
                ((approximate - exact) / exact).abs() < 1e-14,
                "{text}: {approximate} vs {exact}"
            );
        }
        assert_eq!(float("1e400"), f64::INFINITY);
        assert_eq!(float("-1e99999999999"), f64::NEG_INFINITY);
        assert_eq!(float("1e-400"), 0.0);
    }
}
