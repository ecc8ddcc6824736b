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

    /// The value times `10^fraction_digits`, with any further fraction digits cut off: exact
    /// integer arithmetic (`1.5` scaled by 3 is `1500`), or `None` past the range of `i64`.
    pub fn scaled(&self, fraction_digits: usize) -> Option<i64> {
        let fraction = self
            .fraction
            .bytes()
            .chain(std::iter::repeat(b'0'))
            .take(fraction_digits);
        let magnitude = self.units.bytes().chain(fraction).try_fold(0_i64, |value, digit| {
            value.checked_mul(10)?.checked_add(i64::from(digit - b'0'))
        })?;
        Some(if self.negative { -magnitude } else { magnitude })
    }

    /// The digits as a plain decimal without the sign: `12.5`, `7`.
    pub fn unsigned_text(&self) -> String {
        if self.fraction.is_empty() {
            self.units.clone()
        } else {
            format!("{}.{}", self.units, self.fraction)
        }
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
    fn scales_exactly_by_powers_of_ten() {
        let scaled = |text: &str, digits| Decimal::parse(text).unwrap().scaled(digits);
        assert_eq!(scaled("1.5", 3), Some(1_500));
        assert_eq!(scaled("2", 3), Some(2_000));
        assert_eq!(scaled("0.0019", 3), Some(1), "further digits are cut off");
        assert_eq!(scaled("-3.25", 2), Some(-325));
        assert_eq!(scaled("12.5", 0), Some(12));
        assert_eq!(scaled("9223372036854775807", 0), Some(i64::MAX));
        assert_eq!(scaled("9223372036854775807", 1), None, "past i64");
        assert_eq!(scaled("99999999999999999999", 0), None);
    }

    #[test]
    fn writes_its_digits_back_without_the_sign() {
        assert_eq!(Decimal::parse("-0012.500").unwrap().unsigned_text(), "12.5");
        assert_eq!(Decimal::parse("7.").unwrap().unsigned_text(), "7");
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
