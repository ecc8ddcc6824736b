//! RFC 3339 timestamps to and from Unix milliseconds, without a date-time crate.
//!
//! The API sends `date-time` strings; the card needs differences between them and "now", and the
//! simulator needs to write them. Both directions fit in a few lines of civil-calendar arithmetic,
//! which keeps `chrono` out of the wasm bundle.

use std::time::Duration;

/// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` into milliseconds since the Unix epoch.
///
/// Returns `None` for anything else, including out-of-range fields, so a malformed timestamp
/// from the API shows as a dash rather than as a wrong date.
pub fn parse_rfc3339_millis(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = bytes.get(range)?;
        digits
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| digits.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let separator = |index: usize, allowed: &[u8]| bytes.get(index).is_some_and(|b| allowed.contains(b));
    if !(separator(4, b"-")
        && separator(7, b"-")
        && separator(10, b"Tt ")
        && separator(13, b":")
        && separator(16, b":"))
    {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    // The rest as bytes too: byte slices need no char-boundary checks, so this is less code.
    let mut rest = bytes.get(19..)?;
    let mut millis = 0;
    if let Some(fraction) = rest.strip_prefix(b".") {
        let digits = fraction.iter().take_while(|byte| byte.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        millis = fraction[..digits]
            .iter()
            .copied()
            .chain(std::iter::repeat(b'0'))
            .take(3)
            .fold(0, |n, d| n * 10 + i64::from(d - b'0'));
        rest = &fraction[digits..];
    }
    let offset_minutes = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] if [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit()) => {
            let hours = i64::from((h1 - b'0') * 10 + (h2 - b'0'));
            let minutes = i64::from((m1 - b'0') * 10 + (m2 - b'0'));
            if hours > 23 || minutes > 59 {
                return None;
            }
            let magnitude = hours * 60 + minutes;
            if *sign == b'-' { -magnitude } else { magnitude }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1_000 + millis)
}

/// Formats Unix milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC).
pub fn format_rfc3339_millis(unix_millis: i64) -> String {
    let days = unix_millis.div_euclid(86_400_000);
    let in_day = unix_millis.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1_000 % 60,
        in_day % 1_000
    )
}

/// Formats Unix milliseconds as an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`), as in `Retry-After`.
pub fn format_http_date(unix_millis: i64) -> String {
    let days = unix_millis.div_euclid(86_400_000);
    let seconds = unix_millis.div_euclid(1_000).rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let weekday = WEEKDAYS[(days + 4).rem_euclid(7) as usize]; // 1970-01-01 was a Thursday.
    let month = MONTHS[(month - 1) as usize];
    format!(
        "{weekday}, {day:02} {month} {year:04} {:02}:{:02}:{:02} GMT",
        seconds / 3_600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// Parses an HTTP date in the IMF-fixdate form servers send (`Sun, 06 Nov 1994 08:49:37 GMT`).
pub fn parse_http_date(text: &str) -> Option<i64> {
    let mut words = text.split_ascii_whitespace();
    let weekday = words.next()?.strip_suffix(',')?;
    let day: i64 = words.next().filter(|day| day.len() == 2)?.parse().ok()?;
    let month_name = words.next()?;
    let month = MONTHS.iter().position(|month| *month == month_name)? as i64 + 1;
    let year: i64 = words.next().filter(|year| year.len() == 4)?.parse().ok()?;
    let time = words.next()?;
    if words.next() != Some("GMT") || words.next().is_some() || !WEEKDAYS.contains(&weekday) {
        return None;
    }
    parse_rfc3339_millis(&format!("{year:04}-{month:02}-{day:02}T{time}Z")).filter(|_| time.len() == 8)
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

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    (year_of_era + era * 400 + i64::from(month <= 2), month, day)
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
    fn http_dates_round_trip() {
        assert_eq!(format_http_date(784_111_777_000), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777_000));
        for millis in [0, 1_699_335_116_000, 1_709_208_000_000] {
            assert_eq!(parse_http_date(&format_http_date(millis)), Some(millis));
        }
        for text in [
            "",
            "Sun, 06 Nov 1994 08:49:37",
            "Sunday, 06-Nov-94 08:49:37 GMT",
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
            let text = format_rfc3339_millis(millis);
            assert_eq!(parse_rfc3339_millis(&text), Some(millis), "{text}");
        }
        assert_eq!(format_rfc3339_millis(1_699_335_116_000), "2023-11-07T05:31:56.000Z");
    }
}
