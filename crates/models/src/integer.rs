//! Integers as they arrive from JSON or a JavaScript object, where a whole number past 2^53 is a
//! double: read it (saturated to the `i64` range) instead of rejecting the whole job.

use std::fmt;

use serde::de::{Deserialize, Deserializer, Error, Unexpected, Visitor};

/// An integer read leniently: any whole number, saturated to `i64`; a fraction is still an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Integer(pub i64);

impl<'de> Deserialize<'de> for Integer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Any number will do: a browser's parse has only doubles, `serde_json` keeps integers exact.
        deserializer.deserialize_f64(IntegerVisitor).map(Integer)
    }
}

struct IntegerVisitor;

impl Visitor<'_> for IntegerVisitor {
    type Value = i64;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an integer")
    }

    fn visit_i64<E: Error>(self, value: i64) -> Result<i64, E> {
        Ok(value)
    }

    fn visit_u64<E: Error>(self, value: u64) -> Result<i64, E> {
        Ok(i64::try_from(value).unwrap_or(i64::MAX))
    }

    fn visit_f64<E: Error>(self, value: f64) -> Result<i64, E> {
        // `as` saturates; infinities have no zero fraction and are refused with the fractions.
        if value.fract() == 0.0 {
            Ok(value as i64)
        } else {
            Err(E::invalid_type(Unexpected::Float(value), &self))
        }
    }
}

/// For `#[serde(deserialize_with)]` on a required `i64` field.
pub(crate) fn integer<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    Integer::deserialize(deserializer).map(|Integer(value)| value)
}

/// For `#[serde(default, deserialize_with)]` on an `Option<i64>` field: null is `None`.
pub(crate) fn optional_integer<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    Option::<Integer>::deserialize(deserializer).map(|value| value.map(|Integer(value)| value))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn read(value: Value) -> Result<i64, String> {
        integer(value).map_err(|error| error.to_string())
    }

    #[test]
    fn whole_numbers_of_any_size_are_read_and_saturated() {
        assert_eq!(read(json!(42)), Ok(42));
        assert_eq!(read(json!(i64::MIN)), Ok(i64::MIN));
        assert_eq!(read(json!(i64::MAX)), Ok(i64::MAX));
        assert_eq!(read(json!(u64::MAX)), Ok(i64::MAX));
        // What JSON.parse makes of 9223372036854775807: 2^63, one past the range.
        assert_eq!(read(json!(9_223_372_036_854_775_808.0_f64)), Ok(i64::MAX));
        assert_eq!(read(json!(-1e300)), Ok(i64::MIN));
        assert_eq!(read(json!(2.0)), Ok(2));
    }

    #[test]
    fn fractions_and_other_types_are_errors() {
        assert_eq!(
            read(json!(1.5)),
            Err("invalid type: floating point `1.5`, expected an integer".into())
        );
        assert!(read(json!("7")).unwrap_err().contains("expected an integer"));
        assert!(read(json!(null)).is_err());
        assert_eq!(optional_integer(json!(null)).unwrap(), None);
        assert_eq!(optional_integer(json!(7)).unwrap(), Some(7));
    }
}
