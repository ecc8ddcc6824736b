//! Options an embedder sets on a card, parsed from the text of attributes.

use std::time::Duration;

use crate::api::DEFAULT_API_BASE;
use crate::poll::PollSettings;
use tensorpix_models::Decimal;

/// Everything a `<tensorpix-job-card>` element's attributes say.
#[derive(Debug, Clone, PartialEq)]
pub struct CardOptions {
    pub job_id: i64,
    pub api_base: String,
    pub api_key: Option<String>,
    /// A job token for a proxy (`Authorization: Bearer`).
    pub token: Option<String>,
    pub poll: PollSettings,
    pub theme: Theme,
    /// A BCP 47 language tag, if the element names one.
    pub locale: Option<String>,
}

impl CardOptions {
    /// Reads the options from attributes (`attribute(name)` gives an attribute's value). A bad
    /// value gives a message that says which attribute is wrong and why; the theme is returned
    /// beside it so even that message follows the requested colours.
    pub fn from_attributes(attribute: impl Fn(&str) -> Option<String>) -> Result<CardOptions, (String, Theme)> {
        let theme_text = attribute("theme").unwrap_or_default();
        let theme = Theme::parse(&theme_text);
        let fallback_theme = theme.unwrap_or_default();
        let job_id =
            parse_job_id(&attribute("job-id").unwrap_or_default()).map_err(|message| (message, fallback_theme))?;
        let theme = theme.ok_or_else(|| {
            (
                format!("“{}” is not a theme: use auto, light or dark.", theme_text.trim()),
                Theme::Auto,
            )
        })?;
        let poll = match attribute("poll-interval") {
            None => PollSettings::default(),
            Some(text) => PollSettings::every(parse_poll_interval(&text).map_err(|message| (message, theme))?),
        };
        let non_empty = |name: &str| {
            attribute(name)
                .map(|value| value.trim().to_owned())
                .filter(|value| !value.is_empty())
        };
        Ok(CardOptions {
            job_id,
            api_base: non_empty("api-base").unwrap_or_else(|| DEFAULT_API_BASE.to_owned()),
            api_key: non_empty("api-key"),
            token: non_empty("token"),
            poll,
            theme,
            locale: non_empty("locale"),
        })
    }
}

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

    /// The theme's name in the card's `data-theme`, which the stylesheet selects the palette by (a
    /// data attribute: a computed `class` would bring in the code of Yew's class sets).
    pub fn slug(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
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
pub fn parse_poll_interval(text: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    // Read as whole milliseconds, exactly: `0.0001` is no interval, not a rounding question.
    match Decimal::parse(trimmed).and_then(|decimal| decimal.scaled(3)) {
        Some(millis @ 1..=86_400_000) => Ok(Duration::from_millis(millis as u64).max(PollSettings::MIN_INTERVAL)),
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
        assert_eq!(Theme::Dark.slug(), "dark");
    }

    fn options(attributes: &[(&str, &str)]) -> Result<CardOptions, (String, Theme)> {
        CardOptions::from_attributes(|name| {
            attributes
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    #[test]
    fn attributes_become_options_with_defaults() {
        let minimal = options(&[("job-id", "102")]).unwrap();
        assert_eq!(minimal.job_id, 102);
        assert_eq!(minimal.api_base, "https://backend.tensorpix.ai");
        assert_eq!(
            (minimal.api_key, minimal.token, minimal.locale, minimal.theme),
            (None, None, None, Theme::Auto)
        );
        assert_eq!(minimal.poll, PollSettings::default());
        let full = options(&[
            ("job-id", "7"),
            ("api-base", " /tensorpix "),
            ("api-key", "abc"),
            ("token", " eyJ.a.b "),
            ("poll-interval", "5"),
            ("locale", "de-DE"),
            ("theme", "dark"),
        ])
        .unwrap();
        assert_eq!(full.api_base, "/tensorpix");
        assert_eq!(full.api_key.as_deref(), Some("abc"));
        assert_eq!(full.token.as_deref(), Some("eyJ.a.b"));
        assert_eq!(full.poll, PollSettings::every(Duration::from_secs(5)));
        assert_eq!((full.locale.as_deref(), full.theme), (Some("de-DE"), Theme::Dark));
        assert_eq!(options(&[("job-id", "7"), ("api-key", "  ")]).unwrap().api_key, None);
    }

    #[test]
    fn a_bad_attribute_is_named_in_the_message() {
        let (message, theme) = options(&[("job-id", "abc"), ("theme", "dark")]).unwrap_err();
        assert!(message.contains("“abc” is not a TensorPix job id"));
        assert_eq!(theme, Theme::Dark, "the message follows the requested theme");
        assert!(options(&[]).unwrap_err().0.starts_with("No job id"));
        assert!(
            options(&[("job-id", "1"), ("poll-interval", "soon")])
                .unwrap_err()
                .0
                .contains("poll interval")
        );
        assert!(
            options(&[("job-id", "1"), ("theme", "sepia")])
                .unwrap_err()
                .0
                .contains("not a theme")
        );
    }

    #[test]
    fn poll_intervals_are_seconds_of_at_least_one() {
        assert_eq!(parse_poll_interval("3"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_poll_interval(" 1.5 "), Ok(Duration::from_millis(1_500)));
        assert_eq!(parse_poll_interval("0.2"), Ok(Duration::from_secs(1)));
        assert_eq!(parse_poll_interval("86400"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_poll_interval("2.0009"), Ok(Duration::from_secs(2)));
        for bad in [
            "",
            "fast",
            "0",
            "0.0001",
            "-3",
            "86400.001",
            "NaN",
            "inf",
            "1e9",
            "99999999999999999999",
        ] {
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
