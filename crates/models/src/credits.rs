//! Job cost in credits: a decimal string that must never pass through a float.

use serde::{Deserialize, Serialize};
/// The raw `cost_usd` string, kept as the API sent it (despite the name, the unit is credits).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Credits(pub String);

/// A parsed decimal: sign, integer digits and fraction digits, exactly as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal {
    pub negative: bool,
    /// Integer digits without leading zeros (`"0"` for zero).
    pub units: String,
    /// Fraction digits without trailing zeros (empty for a whole number).
    pub fraction: String,
}

impl Credits {
    /// Parses the string as a decimal (`-?digits[.digits]`), or `None` when it is not one.
    ///
    /// The schema's pattern also admits odd strings such as `""`, `"-"` and `"."`; those carry no
    /// number and give `None`, so the card shows a dash instead of a made-up zero.
    pub fn parse(&self) -> Option<Decimal> {
        Decimal::parse(&self.0)
    }
}

impl Decimal {
    /// Parses `-?digits[.digits]` (surrounding whitespace allowed), or `None` when it is not one.
    pub fn parse(text: &str) -> Option<Decimal> {
        let text = text.trim();
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (units, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let all_digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
        if units.is_empty() && fraction.is_empty() || !all_digits(units) || !all_digits(fraction) {
            return None;
        }
        let units = units.trim_start_matches('0');
        let fraction = fraction.trim_end_matches('0');
        let is_zero = units.is_empty() && fraction.is_empty();
        Some(Decimal {
            negative: negative && !is_zero,
            units: if units.is_empty() {
                "0".to_owned()
            } else {
                units.to_owned()
            },
            fraction: fraction.to_owned(),
        })
    }

    /// The nearest double, when there are at most 15 significant digits (else `None`).
    ///
    /// Up to 15 digits the digits and the power of ten are both exact doubles, so one division
    /// rounds correctly: no general float parser (about 8 KB of wasm) is needed.
    pub fn to_f64(&self) -> Option<f64> {
        let digits = format!("{}{}", self.units, self.fraction);
        let digits = digits.trim_start_matches('0');
        if digits.len() > 15 {
            return None;
        }
        let mantissa = digits
            .bytes()
            .fold(0_u64, |value, digit| value * 10 + u64::from(digit - b'0'));
        let scale = (0..self.fraction.len()).fold(1.0_f64, |scale, _| scale * 10.0);
        let magnitude = mantissa as f64 / scale;
        Some(if self.negative { -magnitude } else { magnitude })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Option<(bool, String, String)> {
        Credits(text.to_owned())
            .parse()
            .map(|decimal| (decimal.negative, decimal.units, decimal.fraction))
    }

    #[test]
    fn parses_exact_digits() {
        assert_eq!(parse("12.5000"), Some((false, "12".into(), "5".into())));
        assert_eq!(parse("999999.9999"), Some((false, "999999".into(), "9999".into())));
        assert_eq!(parse("0.1"), Some((false, "0".into(), "1".into())));
        assert_eq!(parse(".25"), Some((false, "0".into(), "25".into())));
        assert_eq!(parse("7."), Some((false, "7".into(), String::new())));
        assert_eq!(parse("-3.10"), Some((true, "3".into(), "1".into())));
        assert_eq!(parse("007"), Some((false, "7".into(), String::new())));
    }

    #[test]
    fn converts_to_the_nearest_double_without_a_float_parser() {
        for text in [
            "0",
            "12.5",
            "-3.1",
            "0.1",
            "999999.9999",
            "0.000000000000001",
            "123456789012345",
        ] {
            let expected: f64 = text.parse().unwrap();
            assert_eq!(Decimal::parse(text).unwrap().to_f64(), Some(expected), "{text}");
        }
        assert_eq!(Decimal::parse("1234567890123456").unwrap().to_f64(), None);
    }

    #[test]
    fn negative_zero_is_zero() {
        assert_eq!(parse("-0.00"), Some((false, "0".into(), String::new())));
    }

    #[test]
    fn strings_without_a_number_are_rejected() {
        for text in ["", "-", ".", "-.", "1e3", "1,5", "abc", "1.2.3", "--1", "NaN"] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }
}
