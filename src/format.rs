//! Pure formatting of job values into the short texts the card shows, in the card's locale.
//!
//! Every function returns `None` where a value would be meaningless (negative sizes, a zero frame
//! rate, NaN), so the card shows nothing rather than a made-up zero.

use tensorpix_models::{Decimal, JobStatus};

use crate::i18n::{Locale, Texts};

/// A percentage for display: whole numbers, rounded down so "100%" only shows when it is true.
pub fn format_percent(percent: f64, texts: &Texts) -> String {
    (texts.percent)(whole_percent(percent))
}

/// A percentage clamped to 0–100 and rounded down.
pub fn whole_percent(percent: f64) -> u8 {
    if percent.is_finite() {
        percent.clamp(0.0, 100.0).floor() as u8
    } else {
        0
    }
}

/// The status as a user reads it; an unknown code says which code it was.
pub fn status_label(status: JobStatus, texts: &Texts) -> String {
    match status {
        JobStatus::InQueue => texts.in_queue.to_owned(),
        JobStatus::Processing => texts.processing.to_owned(),
        JobStatus::Finished => texts.finished.to_owned(),
        JobStatus::Failed => texts.failed.to_owned(),
        JobStatus::Canceled => texts.canceled.to_owned(),
        JobStatus::Unknown(code) => (texts.unknown_status)(code),
    }
}

/// Bytes in decimal units with three significant digits: `734 MB`, `1.23 GB`, `400 GB`.
pub fn format_bytes(bytes: i64, locale: &Locale) -> Option<String> {
    scaled(bytes, &["B", "kB", "MB", "GB", "TB", "PB", "EB"], locale)
}

/// Bits per second in decimal units: `1.3 Mbit/s`, `9.22 Ebit/s`.
pub fn format_bitrate(bits_per_second: i64, locale: &Locale) -> Option<String> {
    scaled(
        bits_per_second,
        &["bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s", "Pbit/s", "Ebit/s"],
        locale,
    )
}

fn scaled(value: i64, units: &[&str], locale: &Locale) -> Option<String> {
    if value < 0 {
        return None;
    }
    let mut scaled = value as f64;
    let mut unit = 0;
    while scaled >= 999.5 && unit + 1 < units.len() {
        scaled /= 1_000.0;
        unit += 1;
    }
    // Three significant digits: 1.23, 12.3, 123.
    let decimals = match scaled {
        _ if unit == 0 || scaled >= 99.95 => 0,
        _ if scaled >= 9.995 => 1,
        _ => 2,
    };
    Some(format!("{} {}", locale.numbers.decimal(scaled, decimals), units[unit]))
}

/// A frame rate: `25 fps`, `29.97 fps`.
pub fn format_fps(framerate: f64, locale: &Locale) -> Option<String> {
    (framerate.is_finite() && framerate > 0.0).then(|| format!("{} fps", locale.numbers.decimal(framerate, 2)))
}

/// A resolution: `1920 × 1080`.
pub fn format_resolution(width: i64, height: i64) -> Option<String> {
    (width > 0 && height > 0).then(|| format!("{width} × {height}"))
}

/// A video's length as a clock: `0:45`, `3:05`, `1:02:03`.
pub fn format_duration(seconds: f64) -> Option<String> {
    if !seconds.is_finite() || seconds < 0.0 {
        return None;
    }
    let total = seconds.round() as u64;
    let (hours, minutes, seconds) = (total / 3_600, total / 60 % 60, total % 60);
    Some(if hours > 0 {
        format!("{hours}:{minutes:02}:{seconds:02}")
    } else {
        format!("{minutes}:{seconds:02}")
    })
}

/// A span of time in words, to the two largest units: `45 s`, `3 min 5 s`, `2 h 10 min`, `3 d 4 h`.
pub fn format_span(seconds: f64, texts: &Texts) -> Option<String> {
    if !seconds.is_finite() || seconds < 0.0 {
        return None;
    }
    let total = seconds.floor() as u64;
    let [s, min, h, d] = texts.span_units;
    let (days, hours, minutes, seconds) = (total / 86_400, total / 3_600 % 24, total / 60 % 60, total % 60);
    Some(match (days, hours, minutes) {
        (0, 0, 0) => format!("{seconds} {s}"),
        (0, 0, _) if seconds == 0 => format!("{minutes} {min}"),
        (0, 0, _) => format!("{minutes} {min} {seconds} {s}"),
        (0, _, 0) => format!("{hours} {h}"),
        (0, _, _) => format!("{hours} {h} {minutes} {min}"),
        (_, 0, _) => format!("{days} {d}"),
        _ => format!("{days} {d} {hours} {h}"),
    })
}

/// The time left, coarse on purpose because the API's estimate swings: `about 3 min left`.
/// `None` when unknown, zero or negative: the card then shows no ETA at all.
pub fn format_eta(seconds: Option<f64>, texts: &Texts) -> Option<String> {
    let seconds = seconds.filter(|seconds| seconds.is_finite() && *seconds > 0.0)?;
    Some(if seconds < 60.0 {
        texts.less_than_a_minute_left.to_owned()
    } else if seconds < 3_600.0 {
        (texts.minutes_left)((seconds / 60.0).round() as u64)
    } else {
        let minutes = (seconds / 60.0).round() as u64;
        (texts.hours_left)(minutes / 60, minutes % 60)
    })
}

/// Credits from the exact decimal, grouped in the locale's way: `12.5 credits`, `1 credit`. The
/// digits never pass through a float, so none is rounded away.
pub fn format_credits(amount: &Decimal, locale: &Locale) -> String {
    let number = locale.numbers.exact_decimal(&amount.unsigned_text());
    let sign = if amount.negative { "−" } else { "" };
    let one = amount.units == "1" && amount.fraction.is_empty() && !amount.negative;
    format!("{sign}{number} {}", (locale.texts.credits)(one))
}

/// Whole seconds until a moment, rounded up and never negative: for "retrying in 3 s".
pub fn seconds_until(moment_millis: i64, now_millis: i64) -> u64 {
    ((moment_millis - now_millis).max(0) as u64).div_ceil(1_000)
}

/// How much bigger the output is than the input: `2× upscale`, or `None` when it is not bigger.
pub fn format_upscale(input_width: i64, output_width: i64, locale: &Locale) -> Option<String> {
    if input_width <= 0 || output_width <= input_width {
        return None;
    }
    let factor = output_width as f64 / input_width as f64;
    Some((locale.texts.upscale)(&locale.numbers.decimal(factor, 1)))
}

/// A ratio in [0, 1] as a whole percentage, for settings such as grain: `15%`; 0 is `Off`.
pub fn format_strength(ratio: f64, texts: &Texts) -> Option<String> {
    if !ratio.is_finite() || ratio < 0.0 {
        return None;
    }
    Some(if ratio == 0.0 {
        texts.off.to_owned()
    } else {
        (texts.percent)((ratio.min(1.0) * 100.0).round() as u8)
    })
}

/// A multiplier: `2×`, `0.5×`.
pub fn format_factor(factor: f64, locale: &Locale) -> Option<String> {
    (factor.is_finite() && factor > 0.0).then(|| format!("{}×", locale.numbers.decimal(factor, 2)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{ENGLISH, GERMAN, PlainNumbers};

    const ENGLISH_LOCALE: Locale<'static> = Locale {
        texts: &ENGLISH,
        numbers: &PlainNumbers { utc_offset_minutes: 0 },
    };

    #[test]
    fn percentages_round_down_and_clamp() {
        let percent = |value| format_percent(value, &ENGLISH);
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(42.0), "42%");
        assert_eq!(percent(99.99), "99%");
        assert_eq!(percent(100.0), "100%");
        assert_eq!(percent(170.0), "100%");
        assert_eq!(percent(-5.0), "0%");
        assert_eq!(percent(f64::NAN), "0%");
        assert_eq!(format_percent(42.0, &GERMAN), "42 %");
    }

    #[test]
    fn status_labels_name_unknown_codes() {
        assert_eq!(status_label(JobStatus::Processing, &ENGLISH), "Processing");
        assert_eq!(status_label(JobStatus::Unknown(7), &ENGLISH), "Unknown status (7)");
        assert_eq!(status_label(JobStatus::InQueue, &GERMAN), "In der Warteschlange");
    }

    #[test]
    fn bytes_use_three_significant_digits() {
        let cases = [
            (0, "0 B"),
            (999, "999 B"),
            (1_000, "1 kB"),
            (1_500, "1.5 kB"),
            (31_457_280, "31.5 MB"),
            (734_003_200, "734 MB"),
            (999_499_999, "999 MB"),
            (999_500_000, "1 GB"),
            (1_234_567_890, "1.23 GB"),
            (400_000_000_000, "400 GB"),
            (i64::MAX, "9.22 EB"),
        ];
        for (bytes, text) in cases {
            assert_eq!(format_bytes(bytes, &ENGLISH_LOCALE).as_deref(), Some(text), "{bytes}");
        }
        assert_eq!(format_bytes(-1, &ENGLISH_LOCALE), None);
    }

    #[test]
    fn bitrates_reach_the_schema_maximum() {
        let bitrate = |value| format_bitrate(value, &ENGLISH_LOCALE);
        assert_eq!(bitrate(1_304_894).as_deref(), Some("1.3 Mbit/s"));
        assert_eq!(bitrate(12_000_000).as_deref(), Some("12 Mbit/s"));
        assert_eq!(bitrate(1).as_deref(), Some("1 bit/s"));
        assert_eq!(bitrate(i64::MAX).as_deref(), Some("9.22 Ebit/s"));
        assert_eq!(bitrate(-5), None);
    }

    #[test]
    fn frame_rates_drop_needless_decimals() {
        let fps = |value| format_fps(value, &ENGLISH_LOCALE);
        assert_eq!(fps(25.0).as_deref(), Some("25 fps"));
        assert_eq!(fps(29.97).as_deref(), Some("29.97 fps"));
        assert_eq!(fps(23.976).as_deref(), Some("23.98 fps"));
        assert_eq!(fps(1000.0).as_deref(), Some("1,000 fps"));
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(fps(bad), None);
        }
    }

    #[test]
    fn resolutions_need_both_sides() {
        assert_eq!(format_resolution(1920, 1080).as_deref(), Some("1920 × 1080"));
        assert_eq!(format_resolution(8192, 8192).as_deref(), Some("8192 × 8192"));
        assert_eq!(format_resolution(0, 1080), None);
    }

    #[test]
    fn durations_read_like_a_player() {
        assert_eq!(format_duration(0.0).as_deref(), Some("0:00"));
        assert_eq!(format_duration(45.4).as_deref(), Some("0:45"));
        assert_eq!(format_duration(185.0).as_deref(), Some("3:05"));
        assert_eq!(format_duration(3_723.0).as_deref(), Some("1:02:03"));
        assert_eq!(format_duration(2_147_483.647).as_deref(), Some("596:31:24"));
        assert_eq!(format_duration(-1.0), None);
        assert_eq!(format_duration(f64::NAN), None);
    }

    #[test]
    fn spans_use_the_two_largest_units() {
        let span = |seconds| format_span(seconds, &ENGLISH);
        assert_eq!(span(0.0).as_deref(), Some("0 s"));
        assert_eq!(span(45.9).as_deref(), Some("45 s"));
        assert_eq!(span(180.0).as_deref(), Some("3 min"));
        assert_eq!(span(185.0).as_deref(), Some("3 min 5 s"));
        assert_eq!(span(7_200.0).as_deref(), Some("2 h"));
        assert_eq!(span(7_800.0).as_deref(), Some("2 h 10 min"));
        assert_eq!(span(86_400.0 * 3.0).as_deref(), Some("3 d"));
        assert_eq!(span(86_400.0 * 3.0 + 4.0 * 3_600.0).as_deref(), Some("3 d 4 h"));
        assert_eq!(span(-2.0), None);
        assert_eq!(format_span(7_800.0, &GERMAN).as_deref(), Some("2 Std. 10 Min."));
    }

    #[test]
    fn etas_are_coarse_and_hidden_when_meaningless() {
        let eta = |seconds| format_eta(seconds, &ENGLISH);
        assert_eq!(eta(Some(5.0)).as_deref(), Some("less than a minute left"));
        assert_eq!(eta(Some(125.0)).as_deref(), Some("about 2 min left"));
        assert_eq!(eta(Some(170.0)).as_deref(), Some("about 3 min left"));
        assert_eq!(eta(Some(3_600.0)).as_deref(), Some("about 1 h left"));
        assert_eq!(eta(Some(4_800.0)).as_deref(), Some("about 1 h 20 min left"));
        for hidden in [None, Some(0.0), Some(-5.0), Some(f64::NAN), Some(f64::INFINITY)] {
            assert_eq!(eta(hidden), None, "{hidden:?}");
        }
        assert_eq!(format_eta(Some(125.0), &GERMAN).as_deref(), Some("noch etwa 2 Min."));
    }

    fn decimal(negative: bool, units: &str, fraction: &str) -> Decimal {
        Decimal {
            negative,
            units: units.into(),
            fraction: fraction.into(),
        }
    }

    #[test]
    fn credits_keep_every_digit() {
        let credits = |amount| format_credits(&amount, &ENGLISH_LOCALE);
        assert_eq!(credits(decimal(false, "12", "5")), "12.5 credits");
        assert_eq!(credits(decimal(false, "1", "")), "1 credit");
        assert_eq!(credits(decimal(false, "0", "")), "0 credits");
        assert_eq!(credits(decimal(false, "999999", "9999")), "999,999.9999 credits");
        assert_eq!(credits(decimal(false, "1000", "")), "1,000 credits");
        assert_eq!(credits(decimal(true, "3", "1")), "−3.1 credits");
        assert_eq!(
            credits(decimal(false, "12345678901234567", "5")),
            "12,345,678,901,234,567.5 credits"
        );
        let german = Locale {
            texts: &GERMAN,
            numbers: &PlainNumbers::default(),
        };
        assert_eq!(format_credits(&decimal(false, "1", ""), &german), "1 Credit");
    }

    #[test]
    fn countdowns_round_up() {
        assert_eq!(seconds_until(10_000, 7_500), 3);
        assert_eq!(seconds_until(10_000, 9_999), 1);
        assert_eq!(seconds_until(10_000, 10_000), 0);
        assert_eq!(seconds_until(10_000, 20_000), 0);
    }

    #[test]
    fn upscales_and_settings() {
        let upscale = |before, after| format_upscale(before, after, &ENGLISH_LOCALE);
        assert_eq!(upscale(960, 1920).as_deref(), Some("2× upscale"));
        assert_eq!(upscale(1280, 3840).as_deref(), Some("3× upscale"));
        assert_eq!(upscale(1920, 2560).as_deref(), Some("1.3× upscale"));
        assert_eq!(upscale(1920, 1920), None);
        assert_eq!(upscale(0, 1920), None);
        assert_eq!(format_strength(0.15, &ENGLISH).as_deref(), Some("15%"));
        assert_eq!(format_strength(0.0, &ENGLISH).as_deref(), Some("Off"));
        assert_eq!(format_strength(7.0, &ENGLISH).as_deref(), Some("100%"));
        assert_eq!(format_strength(-1.0, &ENGLISH), None);
        assert_eq!(format_factor(2.0, &ENGLISH_LOCALE).as_deref(), Some("2×"));
        assert_eq!(format_factor(0.5, &ENGLISH_LOCALE).as_deref(), Some("0.5×"));
        assert_eq!(format_factor(0.0, &ENGLISH_LOCALE), None);
    }
}
