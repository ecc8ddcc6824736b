//! Timestamps as Unix milliseconds: the API's RFC 3339 `date-time` strings (through `time`) and
//! the HTTP dates of `Retry-After` (through `httpdate`), so the card can count from them.

use std::time::{Duration, UNIX_EPOCH};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Parses an RFC 3339 timestamp (`2023-11-07T05:31:56.123456Z`, any offset) into milliseconds
/// since the Unix epoch, rounded down.
///
/// Returns `None` for anything else, including out-of-range fields, so a malformed timestamp
/// from the API shows as a dash rather than as a wrong date.
pub fn parse_rfc3339_millis(text: &str) -> Option<i64> {
    let moment = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    i64::try_from(moment.unix_timestamp_nanos().div_euclid(1_000_000)).ok()
}

/// Formats Unix milliseconds as an RFC 3339 timestamp in UTC (`2023-11-07T05:31:56.123Z`; the
/// fraction only when there is one). `None` outside the years 0 to 9999, which RFC 3339 cannot
/// write.
pub fn format_rfc3339_millis(unix_millis: i64) -> Option<String> {
    let moment = OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_millis) * 1_000_000).ok()?;
    moment.format(&Rfc3339).ok()
}

/// Formats Unix milliseconds as an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`), as in `Retry-After`.
/// HTTP dates run from 1970 to 9999; a moment outside is written as the nearest end.
pub fn format_http_date(unix_millis: i64) -> String {
    const LAST: u64 = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
    let millis = u64::try_from(unix_millis).unwrap_or(0).min(LAST);
    httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_millis(millis))
}

/// Parses an HTTP date in any of the three forms RFC 9110 tells recipients to accept
/// (`Sun, 06 Nov 1994 08:49:37 GMT`, `Sunday, 06-Nov-94 08:49:37 GMT`, `Sun Nov  6 08:49:37 1994`).
pub fn parse_http_date(text: &str) -> Option<i64> {
    let since_epoch = httpdate::parse_http_date(text).ok()?.duration_since(UNIX_EPOCH).ok()?;
    i64::try_from(since_epoch.as_millis()).ok()
}

/// The longest a `Retry-After` may hold a client back. A server (or a proxy passing one on) that
/// asks for more is treated as asking for this: a day-long or overflowing value must never turn
/// into a negative delay and a tight loop of requests.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60 * 60);

/// How long a `Retry-After` header asks to wait, at `now_millis`: delay-seconds (`120`) or an HTTP
/// date. A date in the past means "now"; anything longer than [`MAX_RETRY_AFTER`], however many
/// digits it has, means [`MAX_RETRY_AFTER`]. `None` when the value is neither form.
pub fn retry_after(value: &str, now_millis: i64) -> Option<Duration> {
    let value = value.trim();
    let wait = if !value.is_empty() && value.bytes().all(|byte| byte.is_ascii_digit()) {
        // Past `u64::MAX` seconds the digits still say "a very long time".
        Duration::from_secs(value.parse::<u64>().unwrap_or(u64::MAX))
    } else {
        let until = parse_http_date(value)?;
        Duration::from_millis(u64::try_from(until.saturating_sub(now_millis)).unwrap_or(0))
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_docs_example() {
        assert_eq!(parse_rfc3339_millis("2023-11-07T05:31:56Z"), Some(1_699_335_116_000));
    }

    #[test]
    fn parses_fractions_and_offsets() {
        assert_eq!(parse_rfc3339_millis("1970-01-01T00:00:00.5Z"), Some(500));
        assert_eq!(parse_rfc3339_millis("1970-01-01T00:00:00.123456Z"), Some(123));
        // RFC 3339 allows lower-case letters and, for readability, a space between date and time.
        assert_eq!(parse_rfc3339_millis("2023-11-07t05:31:56z"), Some(1_699_335_116_000));
        assert_eq!(parse_rfc3339_millis("2023-11-07 05:31:56Z"), Some(1_699_335_116_000));
        // A leap second only where one was: the last millisecond before it.
        assert_eq!(parse_rfc3339_millis("2016-12-31T23:59:60Z"), Some(1_483_228_799_999));
        assert_eq!(parse_rfc3339_millis("2023-11-07T23:59:60Z"), None);
        assert_eq!(parse_rfc3339_millis("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_rfc3339_millis("1969-12-31T23:00:00-01:00"), Some(0));
        assert_eq!(
            parse_rfc3339_millis("2024-02-29T12:00:00.000+00:00"),
            Some(1_709_208_000_000)
        );
    }

    #[test]
    fn rejects_what_is_not_a_timestamp() {
        for text in [
            "",
            "2023-11-07",
            "2023-11-07T05:31:56",
            "2023-13-07T05:31:56Z",
            "2023-02-29T05:31:56Z",
            "2023-11-07T24:00:00Z",
            "2023-11-07T05:31:56.Z",
            "2023-11-07T05:31:56+1:00",
            "<string>",
            "2023-11-07T05:31:56Zjunk",
            "२०२३-11-07T05:31:56Z",
        ] {
            assert_eq!(parse_rfc3339_millis(text), None, "{text:?}");
        }
    }

    #[test]
    fn http_dates_are_written_only_within_their_range() {
        assert_eq!(format_http_date(-1), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(format_http_date(i64::MAX), "Fri, 31 Dec 9999 23:59:59 GMT");
    }

    #[test]
    fn http_dates_round_trip() {
        assert_eq!(format_http_date(784_111_777_000), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777_000));
        // The two obsolete forms RFC 9110 still tells recipients to accept.
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), Some(784_111_777_000));
        assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), Some(784_111_777_000));
        for millis in [0, 1_699_335_116_000, 1_709_208_000_000] {
            assert_eq!(parse_http_date(&format_http_date(millis)), Some(millis));
        }
        for text in [
            "",
            "Sun, 06 Nov 1994 08:49:37",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Xyz, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37.5 GMT",
            "120",
        ] {
            assert_eq!(parse_http_date(text), None, "{text:?}");
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = 784_111_777_000;
        assert_eq!(retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now),
            Some(Duration::from_secs(30))
        );
        for text in ["", "soon", "-5", "1.5", "+3", "Sun, 06 Nov 1994 08:50:07"] {
            assert_eq!(retry_after(text, now), None, "{text:?}");
        }
    }

    #[test]
    fn retry_after_never_exceeds_the_cap_however_large() {
        let now = 1_699_335_116_000;
        for huge in [
            "3601",
            "2151000",
            "18446744073709551615",
            "18446744073709551616",
            "99999999999999999999999999999999999999",
        ] {
            assert_eq!(retry_after(huge, now), Some(MAX_RETRY_AFTER), "{huge}");
        }
        assert_eq!(retry_after("3600", now), Some(MAX_RETRY_AFTER));
        assert_eq!(retry_after("3599", now), Some(Duration::from_secs(3_599)));
        assert_eq!(
            retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now),
            Some(MAX_RETRY_AFTER),
            "a date far in the future"
        );
        assert_eq!(
            retry_after(&format_http_date(now + 10_000), now),
            Some(Duration::from_secs(10))
        );
    }

    #[test]
    fn retry_after_in_the_past_means_now() {
        let now = 1_699_335_116_000;
        assert_eq!(retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now), Some(Duration::ZERO));
        assert_eq!(retry_after(&format_http_date(now - 1_000), now), Some(Duration::ZERO));
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:37 GMT", i64::MAX),
            Some(Duration::ZERO),
            "no overflow at the end of time"
        );
        assert_eq!(
            retry_after("Fri, 31 Dec 9999 23:59:59 GMT", i64::MIN),
            Some(MAX_RETRY_AFTER),
            "no overflow at its start"
        );
    }

    #[test]
    fn formatting_round_trips() {
        for millis in [
            0,
            1,
            999,
            1_699_335_116_000,
            1_709_208_000_123,
            -86_400_001,
            253_402_300_799_999,
        ] {
            let text = format_rfc3339_millis(millis).unwrap();
            assert_eq!(parse_rfc3339_millis(&text), Some(millis), "{text}");
        }
        assert_eq!(
            format_rfc3339_millis(1_699_335_116_000).as_deref(),
            Some("2023-11-07T05:31:56Z")
        );
        assert_eq!(
            format_rfc3339_millis(1_709_208_000_123).as_deref(),
            Some("2024-02-29T12:00:00.123Z")
        );
        assert_eq!(format_rfc3339_millis(253_402_300_800_000), None, "the year 10000");
        assert_eq!(format_rfc3339_millis(i64::MIN), None);
    }
}
