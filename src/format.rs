//! Pure formatting of job values into the short texts the card shows.

use tensorpix_models::JobStatus;

/// A percentage for display: whole numbers, rounded down so "100 %" only shows when it is true.
pub fn format_percent(percent: f64) -> String {
    let percent = if percent.is_finite() { percent.clamp(0.0, 100.0) } else { 0.0 };
    format!("{}%", percent.floor() as u8)
}

/// The status as a user reads it; an unknown code says which code it was.
pub fn status_label(status: JobStatus) -> String {
    match status.label() {
        Some(label) => label.to_owned(),
        None => format!("Unknown status ({})", status.code()),
    }
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
}
