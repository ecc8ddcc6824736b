//! Every text the card shows, one table per language, and the number and date formatting they use.
//!
//! Adding a language is one new `Texts` table and one line in [`Language`]. Numbers and dates go
//! through [`Numbers`]: in the browser that is `Intl` in the card's locale (`intl.rs`), in native
//! tests a plain formatter, so the tables stay pure and testable.

/// A language the card has a table for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Language {
    #[default]
    English,
    German,
}

impl Language {
    /// The first of `candidates` (BCP 47 tags, most wanted first) that has a table, else English.
    pub fn negotiate<'a>(candidates: impl IntoIterator<Item = &'a str>) -> Language {
        candidates
            .into_iter()
            .find_map(
                |tag| match tag.trim().split(['-', '_']).next()?.to_ascii_lowercase().as_str() {
                    "en" => Some(Language::English),
                    "de" => Some(Language::German),
                    _ => None,
                },
            )
            .unwrap_or_default()
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Language::English => &ENGLISH,
            Language::German => &GERMAN,
        }
    }
}

/// Formats numbers and moments the way a locale writes them.
pub trait Numbers {
    /// A number with at most `max_fraction_digits` decimals, grouped as the locale groups.
    fn decimal(&self, value: f64, max_fraction_digits: u8) -> String;
    /// An exact decimal written as digits (`1234.5`), grouped as the locale groups, never
    /// through a float: all of its digits stay.
    fn exact_decimal(&self, digits: &str) -> String;
    /// A date and time, short: `28 Nov 2026, 10:04` or `28.11.2026, 10:04`.
    fn date_time(&self, unix_millis: i64) -> String;
    /// A time of day with seconds: `10:04:05`.
    fn time_of_day(&self, unix_millis: i64) -> String;
}

/// The texts and the number style of one card.
#[derive(Clone, Copy)]
pub struct Locale<'a> {
    pub texts: &'static Texts,
    pub numbers: &'a dyn Numbers,
}

/// English-style numbers (`1,234.5`) and UTC-offset dates without `Intl`: for native tests.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlainNumbers {
    /// Local time minus UTC, in minutes.
    pub utc_offset_minutes: i64,
}

impl Numbers for PlainNumbers {
    fn decimal(&self, value: f64, max_fraction_digits: u8) -> String {
        let text = format!("{:.*}", usize::from(max_fraction_digits), value.abs());
        let text = if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.')
        } else {
            &text
        };
        let sign = if value < 0.0 && text.bytes().any(|byte| (b'1'..=b'9').contains(&byte)) {
            "−"
        } else {
            ""
        };
        format!("{sign}{}", self.exact_decimal(text))
    }

    fn exact_decimal(&self, digits: &str) -> String {
        let (units, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let mut grouped = String::new();
        for (index, digit) in units.chars().enumerate() {
            if index > 0 && (units.len() - index).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        if !fraction.is_empty() {
            grouped.push('.');
            grouped.push_str(fraction);
        }
        grouped
    }

    fn date_time(&self, unix_millis: i64) -> String {
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let Some(local) = self.local(unix_millis) else {
            return "—".to_owned();
        };
        let month = local[5..7].parse::<usize>().unwrap_or(1).clamp(1, 12);
        let day = local[8..10].trim_start_matches('0');
        format!("{day} {} {}, {}", MONTHS[month - 1], &local[..4], &local[11..16])
    }

    fn time_of_day(&self, unix_millis: i64) -> String {
        self.local(unix_millis)
            .map_or_else(|| "—".to_owned(), |local| local[11..19].to_owned())
    }
}

impl PlainNumbers {
    /// The moment in RFC 3339 form, shifted to local time; `None` outside the years 0 to 9999.
    fn local(&self, unix_millis: i64) -> Option<String> {
        tensorpix_models::time::format_rfc3339_millis(unix_millis + self.utc_offset_minutes * 60_000)
    }
}

/// Every user-facing text of the card in one language. Texts with numbers in them are functions,
/// so each language places the number and picks the plural form its own way.
pub struct Texts {
    pub in_queue: &'static str,
    pub processing: &'static str,
    pub finished: &'static str,
    pub failed: &'static str,
    pub canceled: &'static str,
    pub unknown_status: fn(i64) -> String,
    pub free_preview: &'static str,
    pub side_by_side: &'static str,
    pub job_title: fn(i64) -> String,
    pub job_number: fn(i64) -> String,
    pub loading: fn(i64) -> String,
    pub percent: fn(u8) -> String,
    pub announcement: fn(&str, u8) -> String,

    pub waiting_for_gpu: &'static str,
    pub waiting_for: fn(&str) -> String,
    pub running_for: fn(&str) -> String,
    pub less_than_a_minute_left: &'static str,
    pub minutes_left: fn(u64) -> String,
    pub hours_left: fn(u64, u64) -> String,
    /// Unit symbols for spans of time: seconds, minutes, hours, days.
    pub span_units: [&'static str; 4],
    pub enhanced_in: fn(&str) -> String,
    pub enhancement_finished: &'static str,
    pub could_not_finish: &'static str,
    pub failed_on: fn(&str) -> String,
    pub canceled_before_finish: &'static str,
    pub canceled_on: fn(&str) -> String,
    pub unknown_code: fn(i64) -> String,
    pub deleted_on: fn(&str) -> String,
    pub deleted: &'static str,
    pub download: &'static str,
    pub progress_name: &'static str,

    pub details: &'static str,
    pub input_video: &'static str,
    pub enhanced_video: &'static str,
    pub ai_models: &'static str,
    pub settings: &'static str,
    pub thumbnail_of: fn(&str) -> String,

    pub resolution: &'static str,
    pub frame_rate: &'static str,
    pub duration: &'static str,
    pub file_size: &'static str,
    pub codec: &'static str,
    pub bitrate: &'static str,
    pub bit_depth: &'static str,
    pub chroma_subsampling: &'static str,
    pub colour_space: &'static str,
    pub quality_score: &'static str,
    pub output_resolution: &'static str,
    pub grain: &'static str,
    pub stabilization: &'static str,
    pub frame_interpolation: &'static str,
    pub playback_speed: &'static str,
    pub sharpening: &'static str,
    pub frame_range: &'static str,
    pub cost: &'static str,
    pub started: &'static str,
    pub finished_at: &'static str,

    pub off: &'static str,
    pub on: &'static str,
    pub original_size: &'static str,
    pub pixels_wide: fn(i64) -> String,
    pub smoothing: fn(i64) -> String,
    pub preview_segment: &'static str,
    pub whole_video: &'static str,
    pub frames: fn(i64, i64) -> String,
    pub from_frame: fn(i64) -> String,
    pub up_to_frame: fn(i64) -> String,
    pub bits: fn(i64) -> String,
    pub upscale: fn(&str) -> String,
    pub frame_rate_factor: fn(&str) -> String,
    pub task: fn(i64) -> String,
    pub model: fn(i64) -> String,
    /// The noun after a credit amount: singular for exactly one.
    pub credits: fn(bool) -> &'static str,

    pub before: &'static str,
    pub after: &'static str,
    pub comparison_label: &'static str,
    pub comparison_value: fn(u8) -> String,
    pub comparison_hint: &'static str,

    pub try_again: &'static str,
    pub trying_again_in: fn(u64) -> String,
    pub could_not_refresh: fn(&str, u64) -> String,
    pub updates_stopped: fn(&str) -> String,
    pub last_updated: fn(&str) -> String,
    pub not_set_up: &'static str,

    pub error_unauthorized: &'static str,
    pub error_token: &'static str,
    pub error_forbidden: fn(i64) -> String,
    pub error_not_found: fn(i64) -> String,
    pub error_rate_limited: &'static str,
    pub error_server: fn(u16) -> String,
    pub error_http: fn(u16) -> String,
    pub error_network: &'static str,
    pub error_timeout: &'static str,
    pub error_invalid: &'static str,
    pub advice_unauthorized: &'static str,
    pub advice_token: &'static str,
    pub advice_forbidden: &'static str,
    pub advice_not_found: &'static str,
    pub advice_rate_limited: &'static str,
    pub advice_temporary: &'static str,
    pub advice_network: &'static str,
    pub advice_timeout: &'static str,
    pub server_said: fn(&str) -> String,
}

pub static ENGLISH: Texts = Texts {
    in_queue: "In queue",
    processing: "Processing",
    finished: "Finished",
    failed: "Failed",
    canceled: "Canceled",
    unknown_status: |code| format!("Unknown status ({code})"),
    free_preview: "Free preview",
    side_by_side: "Side-by-side comparison",
    job_title: |id| format!("Job {id}"),
    job_number: |id| format!("Job #{id}"),
    loading: |id| format!("Loading job {id}…"),
    percent: |percent| format!("{percent}%"),
    announcement: |status, percent| format!("{status}, {percent} percent"),

    waiting_for_gpu: "Waiting for a GPU. Jobs can wait a few minutes while GPUs start.",
    waiting_for: |span| format!("Waiting for {span}"),
    running_for: |span| format!("running for {span}"),
    less_than_a_minute_left: "less than a minute left",
    minutes_left: |minutes| format!("about {minutes} min left"),
    hours_left: |hours, minutes| match minutes {
        0 => format!("about {hours} h left"),
        _ => format!("about {hours} h {minutes} min left"),
    },
    span_units: ["s", "min", "h", "d"],
    enhanced_in: |span| format!("Enhanced in {span}."),
    enhancement_finished: "Enhancement finished.",
    could_not_finish: "TensorPix could not finish this job.",
    failed_on: |at| format!("Failed on {at}."),
    canceled_before_finish: "This job was canceled before it finished.",
    canceled_on: |at| format!("Canceled on {at}."),
    unknown_code: |code| format!("TensorPix reports status code {code}, which this card does not know yet."),
    deleted_on: |at| format!("The enhanced video was deleted on {at}."),
    deleted: "The enhanced video was deleted.",
    download: "Download enhanced video",
    progress_name: "Enhancement progress",

    details: "Details",
    input_video: "Input video",
    enhanced_video: "Enhanced video",
    ai_models: "AI models",
    settings: "Settings",
    thumbnail_of: |video| format!("{video} thumbnail"),

    resolution: "Resolution",
    frame_rate: "Frame rate",
    duration: "Duration",
    file_size: "File size",
    codec: "Codec",
    bitrate: "Bitrate",
    bit_depth: "Bit depth",
    chroma_subsampling: "Chroma subsampling",
    colour_space: "Colour space",
    quality_score: "Quality score",
    output_resolution: "Output resolution",
    grain: "Grain",
    stabilization: "Stabilization",
    frame_interpolation: "Frame interpolation",
    playback_speed: "Playback speed",
    sharpening: "Sharpening",
    frame_range: "Frame range",
    cost: "Cost",
    started: "Started",
    finished_at: "Finished",

    off: "Off",
    on: "On",
    original_size: "Original size",
    pixels_wide: |width| format!("{width} px wide"),
    smoothing: |value| format!("Smoothing {value}"),
    preview_segment: "Preview segment",
    whole_video: "Whole video",
    frames: |start, end| format!("Frames {start}–{end}"),
    from_frame: |start| format!("From frame {start}"),
    up_to_frame: |end| format!("Up to frame {end}"),
    bits: |depth| format!("{depth}-bit"),
    upscale: |factor| format!("{factor}× upscale"),
    frame_rate_factor: |factor| format!("{factor}× frame rate"),
    task: |code| format!("Task {code}"),
    model: |id| format!("Model {id}"),
    credits: |one| if one { "credit" } else { "credits" },

    before: "Before",
    after: "After",
    comparison_label: "Before and after: move to compare",
    comparison_value: |before| format!("{before}% before, {}% after", 100 - before),
    comparison_hint: "Before and after: drag the line or use the arrow keys.",

    try_again: "Try again",
    trying_again_in: |seconds| format!("Trying again in {seconds} s."),
    could_not_refresh: |problem, seconds| format!("Couldn't refresh ({problem}); retrying in {seconds} s."),
    updates_stopped: |problem| format!("Updates stopped: {problem}."),
    last_updated: |time| format!("Last updated {time}."),
    not_set_up: "This card is not set up correctly",

    error_unauthorized: "The API key was not accepted",
    error_token: "The access token for this job has expired or is not valid",
    error_forbidden: |id| format!("No access to job {id}"),
    error_not_found: |id| format!("Job {id} was not found"),
    error_rate_limited: "Too many requests",
    error_server: |status| format!("TensorPix is having trouble (HTTP {status})"),
    error_http: |status| format!("Unexpected answer from TensorPix (HTTP {status})"),
    error_network: "Could not reach TensorPix",
    error_timeout: "TensorPix did not answer in time",
    error_invalid: "TensorPix sent a response the card cannot read",
    advice_unauthorized: "Check the API key given to the card, or the key of the proxy it uses.",
    advice_token: "Reload the page to get a new one; the site can also hand the card a fresh token.",
    advice_forbidden: "The API key belongs to an account that cannot see this job.",
    advice_not_found: "Check the job id; jobs of another account are not visible either.",
    advice_rate_limited: "The API asked for a pause before the next request.",
    advice_temporary: "This is usually temporary; try again in a moment.",
    advice_network: "Check the network connection and the card's API address.",
    advice_timeout: "The network or the API is slow right now; try again in a moment.",
    server_said: |detail| format!("The server said: “{detail}”"),
};

pub static GERMAN: Texts = Texts {
    in_queue: "In der Warteschlange",
    processing: "In Bearbeitung",
    finished: "Fertig",
    failed: "Fehlgeschlagen",
    canceled: "Abgebrochen",
    unknown_status: |code| format!("Unbekannter Status ({code})"),
    free_preview: "Kostenlose Vorschau",
    side_by_side: "Vergleich nebeneinander",
    job_title: |id| format!("Auftrag {id}"),
    job_number: |id| format!("Auftrag Nr. {id}"),
    loading: |id| format!("Auftrag {id} wird geladen …"),
    percent: |percent| format!("{percent} %"),
    announcement: |status, percent| format!("{status}, {percent} Prozent"),

    waiting_for_gpu: "Wartet auf eine GPU. Aufträge können einige Minuten warten, während GPUs starten.",
    waiting_for: |span| format!("Wartet seit {span}"),
    running_for: |span| format!("läuft seit {span}"),
    less_than_a_minute_left: "weniger als eine Minute übrig",
    minutes_left: |minutes| format!("noch etwa {minutes} Min."),
    hours_left: |hours, minutes| match minutes {
        0 => format!("noch etwa {hours} Std."),
        _ => format!("noch etwa {hours} Std. {minutes} Min."),
    },
    span_units: ["s", "Min.", "Std.", "Tg."],
    enhanced_in: |span| format!("In {span} verbessert."),
    enhancement_finished: "Verbesserung abgeschlossen.",
    could_not_finish: "TensorPix konnte diesen Auftrag nicht abschließen.",
    failed_on: |at| format!("Fehlgeschlagen am {at}."),
    canceled_before_finish: "Dieser Auftrag wurde vor dem Ende abgebrochen.",
    canceled_on: |at| format!("Abgebrochen am {at}."),
    unknown_code: |code| format!("TensorPix meldet den Statuscode {code}, den diese Karte noch nicht kennt."),
    deleted_on: |at| format!("Das verbesserte Video wurde am {at} gelöscht."),
    deleted: "Das verbesserte Video wurde gelöscht.",
    download: "Verbessertes Video herunterladen",
    progress_name: "Fortschritt der Verbesserung",

    details: "Details",
    input_video: "Eingangsvideo",
    enhanced_video: "Verbessertes Video",
    ai_models: "KI-Modelle",
    settings: "Einstellungen",
    thumbnail_of: |video| format!("Vorschaubild: {video}"),

    resolution: "Auflösung",
    frame_rate: "Bildrate",
    duration: "Dauer",
    file_size: "Dateigröße",
    codec: "Codec",
    bitrate: "Bitrate",
    bit_depth: "Farbtiefe",
    chroma_subsampling: "Farbunterabtastung",
    colour_space: "Farbraum",
    quality_score: "Qualitätswert",
    output_resolution: "Ausgabeauflösung",
    grain: "Körnung",
    stabilization: "Stabilisierung",
    frame_interpolation: "Bildinterpolation",
    playback_speed: "Wiedergabegeschwindigkeit",
    sharpening: "Schärfung",
    frame_range: "Bildbereich",
    cost: "Kosten",
    started: "Gestartet",
    finished_at: "Beendet",

    off: "Aus",
    on: "An",
    original_size: "Originalgröße",
    pixels_wide: |width| format!("{width} px breit"),
    smoothing: |value| format!("Glättung {value}"),
    preview_segment: "Vorschauausschnitt",
    whole_video: "Ganzes Video",
    frames: |start, end| format!("Bilder {start}–{end}"),
    from_frame: |start| format!("Ab Bild {start}"),
    up_to_frame: |end| format!("Bis Bild {end}"),
    bits: |depth| format!("{depth} Bit"),
    upscale: |factor| format!("{factor}-fach hochskaliert"),
    frame_rate_factor: |factor| format!("{factor}-fache Bildrate"),
    task: |code| format!("Aufgabe {code}"),
    model: |id| format!("Modell {id}"),
    credits: |one| if one { "Credit" } else { "Credits" },

    before: "Vorher",
    after: "Nachher",
    comparison_label: "Vorher und nachher: zum Vergleichen verschieben",
    comparison_value: |before| format!("{before} % vorher, {} % nachher", 100 - before),
    comparison_hint: "Vorher und nachher: Linie ziehen oder Pfeiltasten verwenden.",

    try_again: "Erneut versuchen",
    trying_again_in: |seconds| format!("Neuer Versuch in {seconds} s."),
    could_not_refresh: |problem, seconds| {
        format!("Aktualisierung fehlgeschlagen ({problem}); neuer Versuch in {seconds} s.")
    },
    updates_stopped: |problem| format!("Aktualisierung angehalten: {problem}."),
    last_updated: |time| format!("Zuletzt aktualisiert um {time}."),
    not_set_up: "Diese Karte ist nicht richtig eingerichtet",

    error_unauthorized: "Der API-Schlüssel wurde nicht akzeptiert",
    error_token: "Das Zugriffstoken für diesen Auftrag ist abgelaufen oder ungültig",
    error_forbidden: |id| format!("Kein Zugriff auf Auftrag {id}"),
    error_not_found: |id| format!("Auftrag {id} wurde nicht gefunden"),
    error_rate_limited: "Zu viele Anfragen",
    error_server: |status| format!("TensorPix hat Probleme (HTTP {status})"),
    error_http: |status| format!("Unerwartete Antwort von TensorPix (HTTP {status})"),
    error_network: "TensorPix ist nicht erreichbar",
    error_timeout: "TensorPix hat nicht rechtzeitig geantwortet",
    error_invalid: "TensorPix hat eine Antwort gesendet, die die Karte nicht lesen kann",
    advice_unauthorized: "Prüfen Sie den API-Schlüssel der Karte oder den des Proxys, den sie nutzt.",
    advice_token: "Laden Sie die Seite neu, um ein neues zu erhalten; die Website kann der Karte auch ein frisches Token geben.",
    advice_forbidden: "Der API-Schlüssel gehört zu einem Konto, das diesen Auftrag nicht sehen darf.",
    advice_not_found: "Prüfen Sie die Auftragsnummer; Aufträge anderer Konten sind ebenfalls nicht sichtbar.",
    advice_rate_limited: "Die API bittet vor der nächsten Anfrage um eine Pause.",
    advice_temporary: "Das ist meist vorübergehend; versuchen Sie es gleich noch einmal.",
    advice_network: "Prüfen Sie die Netzwerkverbindung und die API-Adresse der Karte.",
    advice_timeout: "Netzwerk oder API sind gerade langsam; versuchen Sie es gleich noch einmal.",
    server_said: |detail| format!("Der Server meldete: „{detail}“"),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_supported_language_wins() {
        assert_eq!(Language::negotiate(["de-AT"]), Language::German);
        assert_eq!(Language::negotiate(["fr-FR", "de"]), Language::German);
        assert_eq!(Language::negotiate(["en_GB", "de"]), Language::English);
        assert_eq!(
            Language::negotiate(["fr", "ja"]),
            Language::English,
            "English when nothing matches"
        );
        assert_eq!(Language::negotiate([]), Language::English);
        assert_eq!(Language::negotiate(["", " DE "]), Language::German);
    }

    #[test]
    fn plural_forms_follow_the_count() {
        for texts in [&ENGLISH, &GERMAN] {
            assert_ne!((texts.credits)(true), (texts.credits)(false));
        }
        assert_eq!((GERMAN.credits)(true), "Credit");
        assert_eq!((ENGLISH.hours_left)(2, 0), "about 2 h left");
        assert_eq!((GERMAN.hours_left)(1, 20), "noch etwa 1 Std. 20 Min.");
    }

    #[test]
    fn plain_numbers_group_and_trim() {
        let numbers = PlainNumbers::default();
        assert_eq!(numbers.decimal(1234567.891, 2), "1,234,567.89");
        assert_eq!(numbers.decimal(12.5, 4), "12.5");
        assert_eq!(numbers.decimal(734.0, 0), "734");
        assert_eq!(numbers.decimal(-3.1, 1), "−3.1");
        assert_eq!(numbers.decimal(-0.0001, 1), "0");
        assert_eq!(numbers.date_time(1_699_335_116_000), "7 Nov 2023, 05:31");
        assert_eq!(
            PlainNumbers {
                utc_offset_minutes: -360
            }
            .date_time(1_699_335_116_000),
            "6 Nov 2023, 23:31"
        );
        assert_eq!(
            PlainNumbers {
                utc_offset_minutes: 120
            }
            .time_of_day(1_699_335_116_000),
            "07:31:56"
        );
    }
}
