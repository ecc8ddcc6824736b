//! Options an embedder sets on a card, parsed from the text of attributes.

/// The card's colour scheme.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Theme {
    /// Follow the viewer's `prefers-color-scheme`.
    #[default]
    Auto,
    Light,
    Dark,
}

impl Theme {
    /// Parses `auto`, `light` or `dark` (any case); anything else is `None`.
    pub fn parse(text: &str) -> Option<Theme> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "auto" => Some(Theme::Auto),
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            _ => None,
        }
    }

    /// The CSS class that selects the palette.
    pub fn class(self) -> &'static str {
        match self {
            Theme::Auto => "tpx-theme-auto",
            Theme::Light => "tpx-theme-light",
            Theme::Dark => "tpx-theme-dark",
        }
    }
}

/// Parses a job id attribute: a positive whole number, or a message saying what is wrong.
pub fn parse_job_id(text: &str) -> Result<i64, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("No job id was given: set the job id of the TensorPix job to show.".to_owned());
    }
    match trimmed.parse::<i64>() {
        Ok(id) if id > 0 && trimmed.bytes().all(|byte| byte.is_ascii_digit()) => Ok(id),
        _ => Err(format!(
            "“{trimmed}” is not a TensorPix job id: a job id is a positive whole number."
        )),
    }
}

/// Parses a poll interval in seconds (`3`, `1.5`). Values under a second are raised to one second.
pub fn parse_poll_interval(text: &str) -> Result<std::time::Duration, String> {
    let trimmed = text.trim();
    match trimmed.parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && seconds > 0.0 && seconds <= 86_400.0 => {
            Ok(std::time::Duration::from_secs_f64(seconds).max(crate::poll::PollSettings::MIN_INTERVAL))
        }
        _ => Err(format!(
            "“{trimmed}” is not a poll interval: give a number of seconds, 1 or more."
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn themes_parse() {
        assert_eq!(Theme::parse("DARK"), Some(Theme::Dark));
        assert_eq!(Theme::parse(" light "), Some(Theme::Light));
        assert_eq!(Theme::parse(""), Some(Theme::Auto));
        assert_eq!(Theme::parse("sepia"), None);
        assert_eq!(Theme::Dark.class(), "tpx-theme-dark");
    }

    #[test]
    fn poll_intervals_are_seconds_of_at_least_one() {
        use std::time::Duration;
        assert_eq!(parse_poll_interval("3"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_poll_interval(" 1.5 "), Ok(Duration::from_millis(1_500)));
        assert_eq!(parse_poll_interval("0.2"), Ok(Duration::from_secs(1)));
        for bad in ["", "fast", "0", "-3", "NaN", "inf", "1e9"] {
            assert!(
                parse_poll_interval(bad).unwrap_err().contains("is not a poll interval"),
                "{bad}"
            );
        }
    }

    #[test]
    fn job_ids_must_be_positive_whole_numbers() {
        assert_eq!(parse_job_id(" 102 "), Ok(102));
        for bad in ["abc", "-1", "0", "1.5", "+5", "1e3", "99999999999999999999"] {
            let message = parse_job_id(bad).unwrap_err();
            assert!(message.contains("is not a TensorPix job id"), "{bad}: {message}");
        }
        assert!(parse_job_id("  ").unwrap_err().starts_with("No job id"));
    }
}
