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
        let text = self.0.trim();
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
