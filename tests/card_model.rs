//! The card's content for every simulator job, natively: what a user reads, and what never shows.
#![cfg(not(target_arch = "wasm32"))]

use tensorpix_job_card::internals::card_model::{
    CardModel, Clock, Comparison, Phase, Tracking, announcement, card_model,
};
use tensorpix_job_card::internals::i18n::{ENGLISH, GERMAN, Locale, PlainNumbers};
use tensorpix_job_card::models::{Job, JobStatus};
use tensorpix_server::simulator::catalog::{self, Context, Lookup};

const ANCHOR: i64 = 1_790_000_000_000;
const CLOCK: Clock = Clock { now_millis: ANCHOR };
const LOCALE: Locale<'static> = Locale {
    texts: &ENGLISH,
    numbers: &PlainNumbers { utc_offset_minutes: 0 },
};

fn job(id: i64) -> Job {
    let context = Context {
        origin: "http://127.0.0.1:8099",
        anchor_millis: ANCHOR,
        now_millis: ANCHOR,
    };
    match catalog::lookup(id, &context, None) {
        Lookup::Found(job) => *job,
        other => panic!("{id}: {other:?}"),
    }
}

fn model(id: i64) -> CardModel {
    let job = job(id);
    card_model(&job, &CLOCK, &Tracking::from_job(&job), &LOCALE)
}

/// A timestamp of the job as this test's locale shows it: the job's own instant, formatted.
fn shown(rfc3339: Option<&str>) -> String {
    let millis = tensorpix_job_card::models::time::parse_rfc3339_millis(rfc3339.expect("a timestamp"))
        .expect("an RFC 3339 timestamp");
    LOCALE.numbers.date_time(millis)
}

fn value<'a>(rows: &'a [tensorpix_job_card::internals::card_model::Row], label: &str) -> Option<&'a str> {
    rows.iter().find(|row| row.label == label).map(|row| row.value.as_str())
}

#[test]
fn no_job_shows_null_nan_undefined_or_infinity() {
    for id in catalog::DEMO_JOB_IDS {
        let text = format!("{:?}", model(*id));
        for bad in ["null", "NaN", "undefined", "Some(\"\")"] {
            assert!(!text.contains(bad), "job {id} shows {bad}: {text}");
        }
        // `inf` only as a word of its own: a file name like "informal.mp4" is fine.
        let infinite = |word: &str| word.eq_ignore_ascii_case("inf") || word.eq_ignore_ascii_case("infinity");
        assert!(
            !text.split(|character: char| !character.is_alphanumeric()).any(infinite),
            "job {id} shows an infinity: {text}"
        );
    }
}

#[test]
fn a_finished_job_shows_its_output_models_and_settings() {
    let card = model(102);
    assert_eq!(card.title, "wedding-1998-vhs-transfer.mp4");
    assert_eq!(card.status_label, "Finished");
    assert_eq!(
        card.phase,
        Phase::Finished {
            took: Some("12 min".into())
        }
    );
    let output = card.output.expect("an output");
    let download = output.download.expect("a download");
    assert_eq!(download.url, "http://127.0.0.1:8099/media/output-102.webm");
    assert_eq!(download.file_name, "wedding-1998-vhs-transfer_enhanced.mp4");
    assert_eq!(
        value(&output.media.rows, "Resolution"),
        Some("1920 × 1080 (2× upscale)")
    );
    assert_eq!(value(&output.media.rows, "Frame rate"), Some("50 fps"));
    assert_eq!(value(&output.media.rows, "Duration"), Some("3:00"));
    assert_eq!(value(&output.media.rows, "Quality score"), Some("4.4 / 5"));
    assert_eq!(value(&output.media.rows, "Chroma subsampling"), Some("4:2:0 (10-bit)"));
    assert_eq!(value(&card.input.rows, "Codec"), Some("MPEG-2"));
    assert_eq!(value(&card.input.rows, "File size"), Some("734 MB"));
    assert_eq!(value(&card.input.rows, "Bitrate"), Some("1.3 Mbit/s"));
    assert_eq!(value(&card.input.rows, "Colour space"), Some("BT.601"));
    assert_eq!(card.models[0].name, "Upscale 2x");
    assert_eq!(card.models[0].detail.as_deref(), Some("2× upscale"));
    assert_eq!(card.models[3].detail.as_deref(), Some("2× frame rate"));
    assert_eq!(value(&card.settings, "Output resolution"), Some("1080p (1920 px wide)"));
    assert_eq!(value(&card.settings, "Grain"), Some("15%"));
    assert_eq!(value(&card.settings, "Stabilization"), Some("Off"));
    assert_eq!(value(&card.settings, "Frame interpolation"), Some("2×"));
    assert_eq!(value(&card.settings, "Frame range"), Some("Whole video"));
    assert_eq!(value(&card.facts, "Cost"), Some("18.75 credits"));
    assert_eq!(
        value(&card.facts, "Finished"),
        Some(shown(job(102).finished.as_deref()).as_str())
    );
}

#[test]
fn a_deleted_output_says_so_and_offers_no_link() {
    let output = model(105).output.unwrap();
    assert_eq!(output.download, None);
    let deleted = job(105).output_video.unwrap().deleted;
    assert_eq!(output.deleted, Some((ENGLISH.deleted_on)(&shown(deleted.as_deref()))));
}

#[test]
fn a_free_preview_is_flagged_and_free() {
    let card = model(106);
    assert_eq!(card.flags, ["Free preview"]);
    assert_eq!(value(&card.facts, "Cost"), Some("Free preview"));
    assert_eq!(value(&card.settings, "Frame range"), Some("Preview segment"));
}

#[test]
fn schema_bounds_render_sensibly() {
    let card = model(107);
    let output = card.output.unwrap();
    assert_eq!(value(&output.media.rows, "Bitrate"), Some("9.22 Ebit/s"));
    assert_eq!(value(&output.media.rows, "File size"), Some("400 GB"));
    assert_eq!(value(&output.media.rows, "Frame rate"), Some("1,000 fps"));
    assert_eq!(value(&output.media.rows, "Bit depth"), Some("30-bit"));
    assert_eq!(
        value(&output.media.rows, "Resolution"),
        Some("8192 × 8192 (8.5× upscale)")
    );
    assert_eq!(value(&card.facts, "Cost"), Some("999,999.9999 credits"));
}

#[test]
fn processing_shows_percent_eta_and_elapsed() {
    let card = model(109);
    assert_eq!(
        card.phase,
        Phase::Processing {
            percent: 42.0,
            percent_text: "42%".into(),
            eta: Some("about 2 min left".into()),
            elapsed: Some("2 min".into()),
        }
    );
    assert!(card.output.is_none());
}

#[test]
fn out_of_range_progress_and_negative_eta_are_tamed() {
    let Phase::Processing {
        percent,
        percent_text,
        eta,
        ..
    } = model(112).phase
    else {
        panic!()
    };
    assert_eq!((percent, percent_text.as_str(), eta), (100.0, "100%", None));
}

#[test]
fn a_queued_job_counts_its_wait_once_there_is_one() {
    let queued = job(108);
    let since = |millis| Tracking {
        queued_since: Some(millis),
        eta_seconds: None,
    };
    assert_eq!(
        card_model(&queued, &CLOCK, &since(ANCHOR), &LOCALE).phase,
        Phase::Queued { waiting: None }
    );
    let waited = card_model(&queued, &CLOCK, &since(ANCHOR - 185_000), &LOCALE).phase;
    assert_eq!(
        waited,
        Phase::Queued {
            waiting: Some("3 min 5 s".into())
        }
    );
}

#[test]
fn failed_canceled_and_unknown_states() {
    assert_eq!(
        model(103).phase,
        Phase::Failed {
            at: Some(shown(job(103).finished.as_deref()))
        }
    );
    assert_eq!(
        model(104).phase,
        Phase::Canceled {
            at: Some(shown(job(104).finished.as_deref()))
        }
    );
    let unknown = model(110);
    assert_eq!(unknown.phase, Phase::Unknown { code: 7 });
    assert_eq!(unknown.status, JobStatus::Unknown(7));
    assert_eq!(unknown.status_label, "Unknown status (7)");
}

#[test]
fn hostile_urls_never_become_links_or_media() {
    let card = model(111);
    assert_eq!(
        card.title,
        job(111).input_video.name,
        "names stay text, exactly as sent (the view escapes them)"
    );
    assert_eq!(card.input.thumbnail, None, "javascript: thumbnail");
    let output = card.output.unwrap();
    assert_eq!(output.media.thumbnail, None, "data: thumbnail");
    assert_eq!(output.download, None, "javascript: download");
}

#[test]
fn the_eta_shown_is_the_tracked_one() {
    let processing = job(109);
    let tracked = Tracking {
        queued_since: None,
        eta_seconds: Some(30.0),
    };
    let Phase::Processing { eta, .. } = card_model(&processing, &CLOCK, &tracked, &LOCALE).phase else {
        panic!()
    };
    assert_eq!(eta.as_deref(), Some("less than a minute left"));
    let counted_out = Tracking {
        queued_since: None,
        eta_seconds: Some(0.0),
    };
    let Phase::Processing { eta, .. } = card_model(&processing, &CLOCK, &counted_out, &LOCALE).phase else {
        panic!()
    };
    assert_eq!(eta, None, "an ETA counted down to zero is hidden, not shown as zero");
}

#[test]
fn finished_jobs_with_clips_offer_a_comparison_and_hostile_clips_do_not() {
    let output = model(102).output.unwrap();
    assert_eq!(
        output.comparison,
        Some(Comparison {
            before: "http://127.0.0.1:8099/media/before.webm".into(),
            after: "http://127.0.0.1:8099/media/after.webm".into(),
        })
    );
    assert_eq!(model(106).output.unwrap().comparison, None, "no clips, no comparison");
    assert_eq!(
        model(111).output.unwrap().comparison,
        None,
        "//evil and javascript: clips are refused"
    );
}

#[test]
fn the_live_region_announces_status_and_quarter_milestones_only() {
    assert_eq!(announcement(&job(109), &ENGLISH), "Processing, 25 percent");
    let mut later = job(109);
    later.processing_progress = Some(0.49);
    assert_eq!(
        announcement(&later, &ENGLISH),
        "Processing, 25 percent",
        "no new announcement between milestones"
    );
    later.processing_progress = Some(0.5);
    assert_eq!(announcement(&later, &ENGLISH), "Processing, 50 percent");
    assert_eq!(announcement(&job(102), &ENGLISH), "Finished");
    assert_eq!(announcement(&job(110), &ENGLISH), "Unknown status (7)");
}

#[test]
fn every_text_comes_from_the_cards_language() {
    struct GermanNumbers;
    impl tensorpix_job_card::internals::i18n::Numbers for GermanNumbers {
        fn decimal(&self, value: f64, digits: u8) -> String {
            PlainNumbers::default()
                .decimal(value, digits)
                .replace(',', "\u{2009}")
                .replace('.', ",")
        }
        fn exact_decimal(&self, digits: &str) -> String {
            PlainNumbers::default()
                .exact_decimal(digits)
                .replace(',', "\u{2009}")
                .replace('.', ",")
        }
        // Dates are `Intl`'s job in the browser (tests/element.rs checks them there); here only
        // that each date row asks this locale for the job's own instant.
        fn date_time(&self, millis: i64) -> String {
            format!("date-time of {millis}")
        }
        fn time_of_day(&self, millis: i64) -> String {
            format!("time of day of {millis}")
        }
    }
    let job = job(102);
    let german = Locale {
        texts: &GERMAN,
        numbers: &GermanNumbers,
    };
    let card = card_model(&job, &CLOCK, &Tracking::from_job(&job), &german);
    assert_eq!(card.status_label, "Fertig");
    let output = card.output.clone().unwrap();
    assert_eq!(
        value(&output.media.rows, "Auflösung"),
        Some("1920 × 1080 (2-fach hochskaliert)")
    );
    assert_eq!(value(&output.media.rows, "Qualitätswert"), Some("4,4 / 5"));
    assert_eq!(value(&card.input.rows, "Bitrate"), Some("1,3 Mbit/s"));
    assert_eq!(value(&card.facts, "Kosten"), Some("18,75 Credits"));
    let started = tensorpix_job_card::models::time::parse_rfc3339_millis(job.started.as_deref().unwrap()).unwrap();
    assert_eq!(
        value(&card.facts, "Gestartet"),
        Some(format!("date-time of {started}").as_str())
    );
    assert_eq!(value(&card.settings, "Stabilisierung"), Some("Aus"));
    // Task names ("Super Resolution") are TensorPix's product names and stay as the API sends them.
    let english_labels = [
        "label: \"Resolution\"",
        "Cost",
        "label: \"Finished\"",
        "Off",
        "credits",
        "upscale",
        "-bit",
    ];
    let text = format!("{card:?}");
    for english in english_labels {
        assert!(!text.contains(english), "{english} in a German card: {text}");
    }
    assert_eq!(announcement(&job, &GERMAN), "Fertig");
}
