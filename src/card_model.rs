//! What the card shows, as display-ready text computed from a job and the clock.
//!
//! The components only lay this out. Keeping every decision here (which rows exist, which URL
//! may become a link, what a missing value looks like) makes the card's content testable natively.

use tensorpix_models::time::parse_rfc3339_millis;
use tensorpix_models::{Job, JobStatus, MlModel, OutputResolution, RestoredVideo, Task, Video};

use crate::format::{
    format_bitrate, format_bytes, format_credits, format_duration, format_eta, format_factor, format_fps,
    format_percent, format_resolution, format_span, format_strength, format_upscale, status_label, whole_percent,
};
use crate::i18n::{Locale, Texts};
use crate::url::{file_name, safe_http_url};

/// The moment the card is drawn (Unix milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub now_millis: i64,
}

/// The clock and the locale together: everything besides the job that shapes the texts.
struct Context<'a> {
    clock: &'a Clock,
    locale: &'a Locale<'a>,
}

impl Context<'_> {
    fn texts(&self) -> &'static Texts {
        self.locale.texts
    }

    fn date_time(&self, millis: i64) -> String {
        self.locale.numbers.date_time(millis)
    }

    fn since(&self, millis: i64) -> Option<String> {
        format_span((self.clock.now_millis - millis) as f64 / 1_000.0, self.texts())
    }
}

/// What the card observed about a job over time, beyond the job itself.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tracking {
    /// When the card first saw the job waiting in the queue.
    pub queued_since: Option<i64>,
    /// Seconds left, smoothed and counted down locally (see `poll::EtaSmoother`).
    pub eta_seconds: Option<f64>,
}

impl Tracking {
    /// What a single response says on its own: the API's ETA, no queue history.
    pub fn from_job(job: &Job) -> Self {
        Tracking {
            queued_since: None,
            eta_seconds: job.eta_seconds(),
        }
    }
}

/// Everything the card shows about one job.
#[derive(Debug, Clone, PartialEq)]
pub struct CardModel {
    pub job_id: i64,
    /// The input video's name, or "Job N" when it has none.
    pub title: String,
    pub status: JobStatus,
    pub status_label: String,
    /// Short notes beside the status: "Free preview", "Side-by-side comparison".
    pub flags: Vec<&'static str>,
    pub phase: Phase,
    pub input: Media,
    pub output: Option<Output>,
    pub models: Vec<ModelLine>,
    pub settings: Vec<Row>,
    /// Cost and times.
    pub facts: Vec<Row>,
    pub description: Option<String>,
}

/// The part of the card that depends on where the job is.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// `waiting` is how long the card has seen the job queued.
    Queued {
        waiting: Option<String>,
    },
    Processing {
        percent: f64,
        percent_text: String,
        eta: Option<String>,
        elapsed: Option<String>,
    },
    Finished {
        took: Option<String>,
    },
    Failed {
        at: Option<String>,
    },
    Canceled {
        at: Option<String>,
    },
    Unknown {
        code: i64,
    },
}

/// A video's picture and facts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Media {
    /// Only an `http(s)` URL.
    pub thumbnail: Option<String>,
    pub rows: Vec<Row>,
}

/// The enhanced video.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub media: Media,
    /// Present only for an `http(s)` file that was not deleted.
    pub download: Option<Download>,
    /// "Deleted on …" when the output is gone.
    pub deleted: Option<String>,
    /// Before/after clips for a side-by-side wipe, when both are `http(s)` URLs.
    pub comparison: Option<Comparison>,
}

/// The short before and after clips of a finished job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub before: String,
    pub after: String,
}

/// A link to the enhanced file.
#[derive(Debug, Clone, PartialEq)]
pub struct Download {
    pub url: String,
    pub file_name: String,
    pub size: Option<String>,
}

/// One AI model the job applied.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelLine {
    pub name: String,
    pub task: String,
    /// "2× upscale", "2× frame rate" where the factor matters.
    pub detail: Option<String>,
}

/// A labelled value.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub label: &'static str,
    pub value: String,
}

fn row(label: &'static str, value: Option<String>) -> Option<Row> {
    value.map(|value| Row { label, value })
}

/// Builds the card's content, in the locale's language and number style.
pub fn card_model(job: &Job, clock: &Clock, tracking: &Tracking, locale: &Locale) -> CardModel {
    let context = Context { clock, locale };
    let texts = locale.texts;
    let started = job.started.as_deref().and_then(parse_rfc3339_millis);
    let finished = job.finished.as_deref().and_then(parse_rfc3339_millis);
    let name = job.input_video.name.trim();
    let mut flags = Vec::new();
    if job.preview {
        flags.push(texts.free_preview);
    }
    if job.comparison {
        flags.push(texts.side_by_side);
    }
    CardModel {
        job_id: job.id,
        title: if name.is_empty() {
            (texts.job_title)(job.id)
        } else {
            name.to_owned()
        },
        status: job.status,
        status_label: status_label(job.status, texts),
        flags,
        phase: phase(job, &context, started, finished, tracking),
        input: input_media(&job.input_video, locale),
        output: job
            .output_video
            .as_ref()
            .map(|output| output_section(output, &job.input_video, &context)),
        models: job.ml_models.iter().map(|model| model_line(model, locale)).collect(),
        settings: settings(job, locale),
        facts: [
            row(texts.cost, cost(job, locale)),
            row(texts.started, started.map(|millis| context.date_time(millis))),
            row(
                texts.finished_at,
                finished
                    .filter(|_| job.status.is_terminal())
                    .map(|millis| context.date_time(millis)),
            ),
        ]
        .into_iter()
        .flatten()
        .collect(),
        description: Some(job.description.trim().to_owned()).filter(|text| !text.is_empty()),
    }
}

/// What the card's live region says: the status, and progress only at quarter milestones, so a
/// screen reader hears "Processing, 50 percent" once rather than every tick.
pub fn announcement(job: &Job, texts: &Texts) -> String {
    let status = status_label(job.status, texts);
    match job.status {
        JobStatus::Processing => (texts.announcement)(&status, whole_percent(job.progress_percent()) / 25 * 25),
        _ => status,
    }
}

fn phase(job: &Job, context: &Context, started: Option<i64>, finished: Option<i64>, tracking: &Tracking) -> Phase {
    let texts = context.texts();
    let at = |millis: Option<i64>| millis.map(|millis| context.date_time(millis));
    match job.status {
        JobStatus::InQueue => Phase::Queued {
            waiting: tracking
                .queued_since
                .filter(|since| context.clock.now_millis - since >= 1_000)
                .and_then(|since| context.since(since)),
        },
        JobStatus::Processing => {
            let percent = job.progress_percent();
            Phase::Processing {
                percent,
                percent_text: format_percent(percent, texts),
                eta: format_eta(tracking.eta_seconds, texts),
                elapsed: started.and_then(|millis| context.since(millis)),
            }
        }
        JobStatus::Finished => Phase::Finished {
            took: started
                .zip(finished)
                .and_then(|(start, end)| format_span((end - start) as f64 / 1_000.0, texts)),
        },
        JobStatus::Failed => Phase::Failed { at: at(finished) },
        JobStatus::Canceled => Phase::Canceled { at: at(finished) },
        JobStatus::Unknown(code) => Phase::Unknown { code },
    }
}

/// The facts an input and an output video share, so both get their rows from one place.
struct VideoFacts<'a> {
    width: Option<i64>,
    height: Option<i64>,
    framerate: Option<f64>,
    duration: Option<f64>,
    size: Option<i64>,
    codec_id: Option<&'a str>,
    bitrate: Option<i64>,
    bit_depth: Option<i64>,
    chroma_subsampling: Option<&'a str>,
    color_space: Option<&'a str>,
}

/// `Video` and `RestoredVideo` name these fields alike; one body reads both.
macro_rules! video_facts_from {
    ($($source:ty),+) => {$(
        impl<'a> From<&'a $source> for VideoFacts<'a> {
            fn from(video: &'a $source) -> Self {
                VideoFacts {
                    width: video.width,
                    height: video.height,
                    framerate: video.framerate,
                    duration: video.duration_seconds(),
                    size: video.size,
                    codec_id: video.codec_id.as_deref(),
                    bitrate: video.bitrate,
                    bit_depth: video.bit_depth,
                    chroma_subsampling: video.chroma_subsampling.as_deref(),
                    color_space: video.color_space.as_deref(),
                }
            }
        }
    )+};
}

video_facts_from!(Video, RestoredVideo);

/// A video's rows; `upscale` follows the resolution and `quality` the size, where given.
fn video_rows(facts: &VideoFacts, upscale: Option<String>, quality: Option<String>, locale: &Locale) -> Vec<Row> {
    let texts = locale.texts;
    let resolution = facts
        .width
        .zip(facts.height)
        .and_then(|(width, height)| format_resolution(width, height));
    let resolution = match (resolution, upscale) {
        (Some(resolution), Some(upscale)) => Some(format!("{resolution} ({upscale})")),
        (resolution, _) => resolution,
    };
    [
        row(texts.resolution, resolution),
        row(
            texts.frame_rate,
            facts.framerate.and_then(|rate| format_fps(rate, locale)),
        ),
        row(texts.duration, facts.duration.and_then(format_duration)),
        row(texts.file_size, facts.size.and_then(|size| format_bytes(size, locale))),
        row(texts.quality_score, quality),
        row(texts.codec, facts.codec_id.and_then(non_empty).map(codec_name)),
        row(
            texts.bitrate,
            facts.bitrate.and_then(|bitrate| format_bitrate(bitrate, locale)),
        ),
        row(
            texts.bit_depth,
            facts.bit_depth.filter(|depth| *depth > 0).map(texts.bits),
        ),
        row(
            texts.chroma_subsampling,
            facts
                .chroma_subsampling
                .and_then(non_empty)
                .map(|format| chroma_name(format, texts)),
        ),
        row(
            texts.colour_space,
            facts.color_space.and_then(non_empty).map(color_space_name),
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn input_media(video: &Video, locale: &Locale) -> Media {
    Media {
        thumbnail: safe(video.thumbnail.as_deref()),
        rows: video_rows(&video.into(), None, None, locale),
    }
}

fn output_section(output: &RestoredVideo, input: &Video, context: &Context) -> Output {
    let (locale, texts) = (context.locale, context.texts());
    let upscale = input
        .width
        .zip(output.width)
        .and_then(|(before, after)| format_upscale(before, after, locale));
    let quality = output
        .quality_score
        .filter(|score| score.is_finite() && *score >= 0.0)
        .map(|score| format!("{} / 5", locale.numbers.decimal(score, 1)));
    let deleted = output
        .deleted
        .as_deref()
        .map(|deleted| match parse_rfc3339_millis(deleted) {
            Some(millis) => (texts.deleted_on)(&context.date_time(millis)),
            None => texts.deleted.to_owned(),
        });
    let download = match (&deleted, safe(output.file.as_deref())) {
        (None, Some(url)) => Some(Download {
            file_name: non_empty(&output.name)
                .or_else(|| file_name(&url))
                .unwrap_or("enhanced-video")
                .to_owned(),
            size: output.size.and_then(|size| format_bytes(size, locale)),
            url,
        }),
        _ => None,
    };
    let comparison = output.preview_videos.as_ref().and_then(|clips| {
        Some(Comparison {
            before: safe(clips.before_video.as_deref())?,
            after: safe(clips.after_video.as_deref())?,
        })
    });
    Output {
        media: Media {
            thumbnail: safe(output.thumbnail.as_deref()),
            rows: video_rows(&output.into(), upscale, quality, locale),
        },
        download,
        deleted,
        comparison,
    }
}

fn non_empty(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|text| !text.is_empty())
}

fn safe(url: Option<&str>) -> Option<String> {
    url.and_then(safe_http_url).map(str::to_owned)
}

fn codec_name(codec_id: &str) -> String {
    match codec_id.to_ascii_lowercase().as_str() {
        "h264" | "avc" | "avc1" => "H.264".to_owned(),
        "hevc" | "h265" | "hvc1" | "hev1" => "HEVC (H.265)".to_owned(),
        "prores" => "ProRes".to_owned(),
        "mpeg2video" => "MPEG-2".to_owned(),
        "vp9" => "VP9".to_owned(),
        "av1" => "AV1".to_owned(),
        _ => codec_id.to_owned(),
    }
}

fn chroma_name(pixel_format: &str, texts: &Texts) -> String {
    let (ratio, ten_bit) = match pixel_format {
        "yuv420p" => ("4:2:0", false),
        "yuv422p" => ("4:2:2", false),
        "yuv444p" => ("4:4:4", false),
        "yuv420p10le" => ("4:2:0", true),
        "yuv422p10le" => ("4:2:2", true),
        "yuv444p10le" => ("4:4:4", true),
        other => return other.to_owned(),
    };
    if ten_bit {
        format!("{ratio} ({})", (texts.bits)(10))
    } else {
        ratio.to_owned()
    }
}

fn color_space_name(color_space: &str) -> String {
    match color_space.to_ascii_lowercase().as_str() {
        "bt709" => "BT.709".to_owned(),
        "bt601" | "bt470bg" | "smpte170m" => "BT.601".to_owned(),
        "bt2020nc" | "bt2020c" | "bt2020" => "BT.2020".to_owned(),
        _ => color_space.to_owned(),
    }
}

fn model_line(model: &MlModel, locale: &Locale) -> ModelLine {
    let texts = locale.texts;
    let factor = |factor: Option<i64>| factor.filter(|factor| *factor > 1).map(|factor| factor.to_string());
    let detail = match model.task {
        Task::SuperResolution => factor(model.upscale_factor).map(|factor| (texts.upscale)(&factor)),
        Task::FpsDoubler | Task::SlowMotion => {
            factor(model.fps_boost_factor).map(|factor| (texts.frame_rate_factor)(&factor))
        }
        _ => None,
    };
    // Task names are TensorPix's product names, shown as the API labels them.
    let task = model
        .task
        .label()
        .map_or_else(|| (texts.task)(model.task.code()), str::to_owned);
    let name = non_empty(&model.name).map_or_else(|| (texts.model)(model.id), str::to_owned);
    ModelLine { name, task, detail }
}

fn settings(job: &Job, locale: &Locale) -> Vec<Row> {
    let texts = locale.texts;
    let stabilizes = job.ml_models.iter().any(|model| model.task == Task::Stabilization);
    let resolution = job
        .output_resolution
        .map(|resolution| match (resolution, resolution.label()) {
            (OutputResolution::NoResize, _) => texts.original_size.to_owned(),
            (_, Some(label)) => format!("{label} ({})", (texts.pixels_wide)(resolution.code())),
            (_, None) => (texts.pixels_wide)(resolution.code()),
        });
    let stabilization = match (stabilizes, job.stabilization_smoothing) {
        (false, _) => texts.off.to_owned(),
        (true, Some(smoothing)) => (texts.smoothing)(smoothing),
        (true, None) => texts.on.to_owned(),
    };
    let interpolation = job.fps_interpolation_factor.and_then(|factor| {
        if factor > 1.0 {
            format_factor(factor, locale)
        } else {
            (factor.is_finite() && factor >= 0.0).then(|| texts.off.to_owned())
        }
    });
    let frame_range = if job.preview {
        texts.preview_segment.to_owned()
    } else {
        match (job.start_frame, job.end_frame) {
            (Some(start), Some(end)) => (texts.frames)(start, end),
            (Some(start), None) => (texts.from_frame)(start),
            (None, Some(end)) => (texts.up_to_frame)(end),
            (None, None) => texts.whole_video.to_owned(),
        }
    };
    [
        row(texts.codec, non_empty(job.codec.label()).map(str::to_owned)),
        row(texts.output_resolution, resolution),
        row(texts.grain, job.grain.and_then(|grain| format_strength(grain, texts))),
        row(texts.stabilization, Some(stabilization)),
        row(texts.frame_interpolation, interpolation),
        row(
            texts.playback_speed,
            job.playback_speed.and_then(|speed| format_factor(speed, locale)),
        ),
        row(
            texts.sharpening,
            job.sharpen_strength
                .and_then(|strength| format_strength(strength, texts)),
        ),
        row(texts.frame_range, Some(frame_range)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn cost(job: &Job, locale: &Locale) -> Option<String> {
    let amount = job.cost_usd.parse()?;
    let free = amount.units == "0" && amount.fraction.is_empty();
    Some(if free && job.preview {
        locale.texts.free_preview.to_owned()
    } else {
        format_credits(&amount, locale)
    })
}
