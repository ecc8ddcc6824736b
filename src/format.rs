//! Pure formatting of job values into the short texts the card shows.
//!
//! Every function takes plain numbers and returns `None` where a value would be meaningless
//! (negative sizes, a zero frame rate, NaN), so the card shows nothing rather than a made-up zero.

use tensorpix_models::{Decimal, JobStatus};

/// A percentage for display: whole numbers, rounded down so "100%" only shows when it is true.
pub fn format_percent(percent: f64) -> String {
    let percent = if percent.is_finite() {
        percent.clamp(0.0, 100.0)
    } else {
        0.0
    };
    format!("{}%", percent.floor() as u8)
}

/// The status as a user reads it; an unknown code says which code it was.
pub fn status_label(status: JobStatus) -> String {
    match status.label() {
        Some(label) => label.to_owned(),
        None => format!("Unknown status ({})", status.code()),
    }
}

/// Bytes in decimal units with three significant digits: `734 MB`, `1.23 GB`, `400 GB`.
pub fn format_bytes(bytes: i64) -> Option<String> {
    scaled(bytes, &["B", "kB", "MB", "GB", "TB", "PB", "EB"])
}

/// Bits per second in decimal units: `1.3 Mbit/s`, `9.22 Ebit/s`.
pub fn format_bitrate(bits_per_second: i64) -> Option<String> {
    scaled(
        bits_per_second,
        &["bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s", "Pbit/s", "Ebit/s"],
    )
}

fn scaled(value: i64, units: &[&str]) -> Option<String> {
    if value < 0 {
        return None;
    }
    if value < 1_000 {
        return Some(format!("{value} {}", units[0]));
    }
    let mut scaled = value as f64;
    let mut unit = 0;
    while scaled >= 999.5 && unit + 1 < units.len() {
        scaled /= 1_000.0;
        unit += 1;
    }
    Some(format!("{} {}", three_significant_digits(scaled), units[unit]))
}

fn three_significant_digits(value: f64) -> String {
    let decimals = if value >= 99.95 {
        0
    } else if value >= 9.995 {
        1
    } else {
        2
    };
    trim_zeros(format!("{value:.decimals$}"))
}

fn trim_zeros(text: String) -> String {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// A frame rate: `25 fps`, `29.97 fps`.
pub fn format_fps(framerate: f64) -> Option<String> {
    (framerate.is_finite() && framerate > 0.0).then(|| format!("{} fps", trim_zeros(format!("{framerate:.2}"))))
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
pub fn format_span(seconds: f64) -> Option<String> {
    if !seconds.is_finite() || seconds < 0.0 {
        return None;
    }
    let total = seconds.floor() as u64;
    let (days, hours, minutes, seconds) = (total / 86_400, total / 3_600 % 24, total / 60 % 60, total % 60);
    Some(match (days, hours, minutes) {
        (0, 0, 0) => format!("{seconds} s"),
        (0, 0, _) if seconds == 0 => format!("{minutes} min"),
        (0, 0, _) => format!("{minutes} min {seconds} s"),
        (0, _, 0) => format!("{hours} h"),
        (0, _, _) => format!("{hours} h {minutes} min"),
        (_, 0, _) => format!("{days} d"),
        _ => format!("{days} d {hours} h"),
    })
}

/// The time left, coarse on purpose because the API's estimate swings: `about 3 min left`.
/// `None` when unknown, zero or negative: the card then shows no ETA at all.
pub fn format_eta(seconds: Option<f64>) -> Option<String> {
    let seconds = seconds.filter(|seconds| seconds.is_finite() && *seconds > 0.0)?;
    Some(if seconds < 60.0 {
        "less than a minute left".to_owned()
    } else if seconds < 3_600.0 {
        format!("about {} min left", (seconds / 60.0).round() as u64)
    } else {
        let minutes = (seconds / 60.0).round() as u64;
        match minutes % 60 {
            0 => format!("about {} h left", minutes / 60),
            rest => format!("about {} h {rest} min left", minutes / 60),
        }
    })
}

/// Credits from the exact decimal: `12.5 credits`, `1 credit`, `999,999.9999 credits`.
pub fn format_credits(amount: &Decimal) -> String {
    let mut grouped = String::new();
    for (index, digit) in amount.units.chars().enumerate() {
        if index > 0 && (amount.units.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if amount.negative { "−" } else { "" };
    let fraction = if amount.fraction.is_empty() {
        String::new()
    } else {
        format!(".{}", amount.fraction)
    };
    let noun = if amount.units == "1" && amount.fraction.is_empty() && !amount.negative {
        "credit"
    } else {
        "credits"
    };
    format!("{sign}{grouped}{fraction} {noun}")
}

/// A moment as local date and time: `28 Nov 2026, 10:04`. `offset_minutes` is local minus UTC.
pub fn format_date_time(unix_millis: i64, offset_minutes: i64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let local = tensorpix_models::time::format_rfc3339_millis(unix_millis + offset_minutes * 60_000);
    // `YYYY-MM-DDTHH:MM:…`: reuse the calendar arithmetic instead of repeating it.
    let month = local[5..7].parse::<usize>().unwrap_or(1).clamp(1, 12);
    let day = local[8..10].trim_start_matches('0');
    format!("{day} {} {}, {}", MONTHS[month - 1], &local[..4], &local[11..16])
}

/// A time of day with seconds, for "last updated": `10:04:05`. `offset_minutes` is local minus UTC.
pub fn format_time_of_day(unix_millis: i64, offset_minutes: i64) -> String {
    let local = tensorpix_models::time::format_rfc3339_millis(unix_millis + offset_minutes * 60_000);
    local[11..19].to_owned()
}

/// Whole seconds until a moment, rounded up and never negative: for "retrying in 3 s".
pub fn seconds_until(moment_millis: i64, now_millis: i64) -> u64 {
    ((moment_millis - now_millis).max(0) as u64).div_ceil(1_000)
}

/// How much bigger the output is than the input: `2× upscale`, or `None` when it is not bigger.
pub fn format_upscale(input_width: i64, output_width: i64) -> Option<String> {
    if input_width <= 0 || output_width <= input_width {
        return None;
    }
    let factor = output_width as f64 / input_width as f64;
    Some(format!("{}× upscale", trim_zeros(format!("{factor:.1}"))))
}

/// A ratio in [0, 1] as a whole percentage, for settings such as grain: `15%`; 0 is `Off`.
pub fn format_strength(ratio: f64) -> Option<String> {
    if !ratio.is_finite() || ratio < 0.0 {
        return None;
    }
    Some(if ratio == 0.0 {
        "Off".to_owned()
    } else {
        format!("{}%", (ratio.min(1.0) * 100.0).round() as u8)
    })
}

/// A multiplier: `2×`, `0.5×`.
pub fn format_factor(factor: f64) -> Option<String> {
    (factor.is_finite() && factor > 0.0).then(|| format!("{}×", trim_zeros(format!("{factor:.2}"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_down_and_clamp() {
        assert_eq!(format_percent(0.0), "0%");
        assert_eq!(format_percent(42.0), "42%");
        assert_eq!(format_percent(99.99), "99%");
        assert_eq!(format_percent(100.0), "100%");
        assert_eq!(format_percent(170.0), "100%");
        assert_eq!(format_percent(-5.0), "0%");
        assert_eq!(format_percent(f64::NAN), "0%");
    }

    #[test]
    fn status_labels_name_unknown_codes() {
        assert_eq!(status_label(JobStatus::Processing), "Processing");
        assert_eq!(status_label(JobStatus::Unknown(7)), "Unknown status (7)");
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
            assert_eq!(format_bytes(bytes).as_deref(), Some(text), "{bytes}");
        }
        assert_eq!(format_bytes(-1), None);
    }

    #[test]
    fn bitrates_reach_the_schema_maximum() {
        assert_eq!(format_bitrate(1_304_894).as_deref(), Some("1.3 Mbit/s"));
        assert_eq!(format_bitrate(12_000_000).as_deref(), Some("12 Mbit/s"));
        assert_eq!(format_bitrate(1).as_deref(), Some("1 bit/s"));
        assert_eq!(format_bitrate(i64::MAX).as_deref(), Some("9.22 Ebit/s"));
        assert_eq!(format_bitrate(-5), None);
    }

    #[test]
    fn frame_rates_drop_needless_decimals() {
        assert_eq!(format_fps(25.0).as_deref(), Some("25 fps"));
        assert_eq!(format_fps(29.97).as_deref(), Some("29.97 fps"));
        assert_eq!(format_fps(23.976).as_deref(), Some("23.98 fps"));
        assert_eq!(format_fps(1000.0).as_deref(), Some("1000 fps"));
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(format_fps(bad), None);
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
        assert_eq!(format_span(0.0).as_deref(), Some("0 s"));
        assert_eq!(format_span(45.9).as_deref(), Some("45 s"));
        assert_eq!(format_span(180.0).as_deref(), Some("3 min"));
        assert_eq!(format_span(185.0).as_deref(), Some("3 min 5 s"));
        assert_eq!(format_span(7_200.0).as_deref(), Some("2 h"));
        assert_eq!(format_span(7_800.0).as_deref(), Some("2 h 10 min"));
        assert_eq!(format_span(86_400.0 * 3.0).as_deref(), Some("3 d"));
        assert_eq!(format_span(86_400.0 * 3.0 + 4.0 * 3_600.0).as_deref(), Some("3 d 4 h"));
        assert_eq!(format_span(-2.0), None);
    }

    #[test]
    fn etas_are_coarse_and_hidden_when_meaningless() {
        assert_eq!(format_eta(Some(5.0)).as_deref(), Some("less than a minute left"));
        assert_eq!(format_eta(Some(125.0)).as_deref(), Some("about 2 min left"));
        assert_eq!(format_eta(Some(170.0)).as_deref(), Some("about 3 min left"));
        assert_eq!(format_eta(Some(3_600.0)).as_deref(), Some("about 1 h left"));
        assert_eq!(format_eta(Some(4_800.0)).as_deref(), Some("about 1 h 20 min left"));
        for hidden in [None, Some(0.0), Some(-5.0), Some(f64::NAN), Some(f64::INFINITY)] {
            assert_eq!(format_eta(hidden), None, "{hidden:?}");
        }
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
        assert_eq!(format_credits(&decimal(false, "12", "5")), "12.5 credits");
        assert_eq!(format_credits(&decimal(false, "1", "")), "1 credit");
        assert_eq!(format_credits(&decimal(false, "0", "")), "0 credits");
        assert_eq!(
            format_credits(&decimal(false, "999999", "9999")),
            "999,999.9999 credits"
        );
        assert_eq!(format_credits(&decimal(false, "1000", "")), "1,000 credits");
        assert_eq!(format_credits(&decimal(true, "3", "1")), "−3.1 credits");
    }

    #[test]
    fn dates_are_local() {
        assert_eq!(format_date_time(1_699_335_116_000, 0), "7 Nov 2023, 05:31");
        assert_eq!(format_date_time(1_699_335_116_000, 60), "7 Nov 2023, 06:31");
        assert_eq!(format_date_time(1_699_335_116_000, -360), "6 Nov 2023, 23:31");
    }

    #[test]
    fn times_of_day_and_countdowns() {
        assert_eq!(format_time_of_day(1_699_335_116_000, 0), "05:31:56");
        assert_eq!(format_time_of_day(1_699_335_116_000, 120), "07:31:56");
        assert_eq!(seconds_until(10_000, 7_500), 3);
        assert_eq!(seconds_until(10_000, 9_999), 1);
        assert_eq!(seconds_until(10_000, 10_000), 0);
        assert_eq!(seconds_until(10_000, 20_000), 0);
    }

    #[test]
    fn upscales_and_settings() {
        assert_eq!(format_upscale(960, 1920).as_deref(), Some("2× upscale"));
        assert_eq!(format_upscale(1280, 3840).as_deref(), Some("3× upscale"));
        assert_eq!(format_upscale(1920, 2560).as_deref(), Some("1.3× upscale"));
        assert_eq!(format_upscale(1920, 1920), None);
        assert_eq!(format_upscale(0, 1920), None);
        assert_eq!(format_strength(0.15).as_deref(), Some("15%"));
        assert_eq!(format_strength(0.0).as_deref(), Some("Off"));
        assert_eq!(format_strength(7.0).as_deref(), Some("100%"));
        assert_eq!(format_strength(-1.0), None);
        assert_eq!(format_factor(2.0).as_deref(), Some("2×"));
        assert_eq!(format_factor(0.5).as_deref(), Some("0.5×"));
        assert_eq!(format_factor(0.0), None);
    }
}
