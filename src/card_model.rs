//! What the card shows, as display-ready text computed from a job and the clock.
//!
//! The components only lay this out. Keeping every decision here (which rows exist, which URL
//! may become a link, what a missing value looks like) makes the card's content testable natively.

use tensorpix_models::time::parse_rfc3339_millis;
use tensorpix_models::{Job, JobStatus, MlModel, OutputResolution, RestoredVideo, Task, Video};

use crate::format::{
    format_bitrate, format_bytes, format_credits, format_date_time, format_duration, format_eta, format_factor,
    format_fps, format_percent, format_resolution, format_span, format_strength, format_upscale, status_label,
};
use crate::url::{file_name, safe_http_url};

/// The moment the card is drawn, and the viewer's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub now_millis: i64,
    /// Local time minus UTC, in minutes.
    pub utc_offset_minutes: i64,
}

impl Clock {
    fn date_time(&self, millis: i64) -> String {
        format_date_time(millis, self.utc_offset_minutes)
    }

    fn since(&self, millis: i64) -> Option<String> {
        format_span((self.now_millis - millis) as f64 / 1_000.0)
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

/// Builds the card's content.
pub fn card_model(job: &Job, clock: &Clock, tracking: &Tracking) -> CardModel {
    let started = job.started.as_deref().and_then(parse_rfc3339_millis);
    let finished = job.finished.as_deref().and_then(parse_rfc3339_millis);
    let name = job.input_video.name.trim();
    let mut flags = Vec::new();
    if job.preview {
        flags.push("Free preview");
    }
    if job.comparison {
        flags.push("Side-by-side comparison");
    }
    CardModel {
        job_id: job.id,
        title: if name.is_empty() {
            format!("Job {}", job.id)
        } else {
            name.to_owned()
        },
        status: job.status,
        status_label: status_label(job.status),
        flags,
        phase: phase(job, clock, started, finished, tracking),
        input: input_media(&job.input_video),
        output: job
            .output_video
            .as_ref()
            .map(|output| output_section(output, &job.input_video, clock)),
        models: job.ml_models.iter().map(model_line).collect(),
        settings: settings(job),
        facts: [
            row("Cost", cost(job)),
            row("Started", started.map(|millis| clock.date_time(millis))),
            row(
                "Finished",
                finished
                    .filter(|_| job.status.is_terminal())
                    .map(|millis| clock.date_time(millis)),
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
pub fn announcement(job: &Job) -> String {
    let status = status_label(job.status);
    match job.status {
        JobStatus::Processing => {
            let milestone = (job.progress_percent() / 25.0).floor() as u8 * 25;
            format!("{status}, {milestone} percent")
        }
        _ => status,
    }
}

fn phase(job: &Job, clock: &Clock, started: Option<i64>, finished: Option<i64>, tracking: &Tracking) -> Phase {
    let at = |millis: Option<i64>| millis.map(|millis| clock.date_time(millis));
    match job.status {
        JobStatus::InQueue => Phase::Queued {
            waiting: tracking
                .queued_since
                .filter(|since| clock.now_millis - since >= 1_000)
                .and_then(|since| clock.since(since)),
        },
        JobStatus::Processing => {
            let percent = job.progress_percent();
            Phase::Processing {
                percent,
                percent_text: format_percent(percent),
                eta: format_eta(tracking.eta_seconds),
                elapsed: started.and_then(|millis| clock.since(millis)),
            }
        }
        JobStatus::Finished => Phase::Finished {
            took: started
                .zip(finished)
                .and_then(|(start, end)| format_span((end - start) as f64 / 1_000.0)),
        },
        JobStatus::Failed => Phase::Failed { at: at(finished) },
        JobStatus::Canceled => Phase::Canceled { at: at(finished) },
        JobStatus::Unknown(code) => Phase::Unknown { code },
    }
}

fn input_media(video: &Video) -> Media {
    let rows = [
        row(
            "Resolution",
            video
                .width
                .zip(video.height)
                .and_then(|(width, height)| format_resolution(width, height)),
        ),
        row("Frame rate", video.framerate.and_then(format_fps)),
        row("Duration", video.duration_seconds().and_then(format_duration)),
        row("File size", video.size.and_then(format_bytes)),
    ];
    let encoding = encoding_rows(
        video.codec_id.as_deref(),
        video.bitrate,
        video.bit_depth,
        video.chroma_subsampling.as_deref(),
        video.color_space.as_deref(),
    );
    Media {
        thumbnail: safe(video.thumbnail.as_deref()),
        rows: rows.into_iter().flatten().chain(encoding).collect(),
    }
}

fn output_section(output: &RestoredVideo, input: &Video, clock: &Clock) -> Output {
    let resolution = output
        .width
        .zip(output.height)
        .and_then(|(width, height)| format_resolution(width, height));
    let upscale = input
        .width
        .zip(output.width)
        .and_then(|(before, after)| format_upscale(before, after));
    let resolution = match (resolution, upscale) {
        (Some(resolution), Some(upscale)) => Some(format!("{resolution} ({upscale})")),
        (resolution, _) => resolution,
    };
    let quality = output
        .quality_score
        .filter(|score| score.is_finite() && *score >= 0.0)
        .map(|score| format!("{score:.1} / 5"));
    let rows = [
        row("Resolution", resolution),
        row("Frame rate", output.framerate.and_then(format_fps)),
        row("Duration", output.duration_seconds().and_then(format_duration)),
        row("File size", output.size.and_then(format_bytes)),
        row("Quality score", quality),
    ];
    let encoding = encoding_rows(
        output.codec_id.as_deref(),
        output.bitrate,
        output.bit_depth,
        output.chroma_subsampling.as_deref(),
        output.color_space.as_deref(),
    );
    let deleted = output
        .deleted
        .as_deref()
        .map(|deleted| match parse_rfc3339_millis(deleted) {
            Some(millis) => format!("The enhanced video was deleted on {}.", clock.date_time(millis)),
            None => "The enhanced video was deleted.".to_owned(),
        });
    let download = match (&deleted, safe(output.file.as_deref())) {
        (None, Some(url)) => Some(Download {
            file_name: non_empty(&output.name)
                .or_else(|| file_name(&url))
                .unwrap_or("enhanced-video")
                .to_owned(),
            size: output.size.and_then(format_bytes),
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
            rows: rows.into_iter().flatten().chain(encoding).collect(),
        },
        download,
        deleted,
        comparison,
    }
}

fn encoding_rows(
    codec: Option<&str>,
    bitrate: Option<i64>,
    bit_depth: Option<i64>,
    chroma: Option<&str>,
    color_space: Option<&str>,
) -> impl Iterator<Item = Row> {
    [
        row("Codec", codec.and_then(non_empty).map(codec_name)),
        row("Bitrate", bitrate.and_then(format_bitrate)),
        row(
            "Bit depth",
            bit_depth.filter(|depth| *depth > 0).map(|depth| format!("{depth}-bit")),
        ),
        row("Chroma subsampling", chroma.and_then(non_empty).map(chroma_name)),
        row("Colour space", color_space.and_then(non_empty).map(color_space_name)),
    ]
    .into_iter()
    .flatten()
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

fn chroma_name(pixel_format: &str) -> String {
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
        format!("{ratio} (10-bit)")
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

fn model_line(model: &MlModel) -> ModelLine {
    let factor = |factor: Option<i64>| factor.filter(|factor| *factor > 1);
    let detail = match model.task {
        Task::SuperResolution => factor(model.upscale_factor).map(|factor| format!("{factor}× upscale")),
        Task::FpsDoubler | Task::SlowMotion => {
            factor(model.fps_boost_factor).map(|factor| format!("{factor}× frame rate"))
        }
        _ => None,
    };
    let task = match model.task.label() {
        Some(label) => label.to_owned(),
        None => format!("Task {}", model.task.code()),
    };
    let name = non_empty(&model.name).map_or_else(|| format!("Model {}", model.id), str::to_owned);
    ModelLine { name, task, detail }
}

fn settings(job: &Job) -> Vec<Row> {
    let stabilizes = job.ml_models.iter().any(|model| model.task == Task::Stabilization);
    let resolution = job
        .output_resolution
        .map(|resolution| match (resolution, resolution.label()) {
            (OutputResolution::NoResize, _) => "Original size".to_owned(),
            (_, Some(label)) => format!("{label} ({} px wide)", resolution.code()),
            (_, None) => format!("{} px wide", resolution.code()),
        });
    let stabilization = match (stabilizes, job.stabilization_smoothing) {
        (false, _) => Some("Off".to_owned()),
        (true, Some(smoothing)) => Some(format!("Smoothing {smoothing}")),
        (true, None) => Some("On".to_owned()),
    };
    let interpolation = job.fps_interpolation_factor.and_then(|factor| {
        if factor > 1.0 {
            format_factor(factor)
        } else {
            (factor.is_finite() && factor >= 0.0).then(|| "Off".to_owned())
        }
    });
    let frame_range = if job.preview {
        Some("Preview segment".to_owned())
    } else {
        match (job.start_frame, job.end_frame) {
            (Some(start), Some(end)) => Some(format!("Frames {start}–{end}")),
            (Some(start), None) => Some(format!("From frame {start}")),
            (None, Some(end)) => Some(format!("Up to frame {end}")),
            (None, None) => Some("Whole video".to_owned()),
        }
    };
    [
        row("Codec", non_empty(job.codec.label()).map(str::to_owned)),
        row("Output resolution", resolution),
        row("Grain", job.grain.and_then(format_strength)),
        row("Stabilization", stabilization),
        row("Frame interpolation", interpolation),
        row("Playback speed", job.playback_speed.and_then(format_factor)),
        row("Sharpening", job.sharpen_strength.and_then(format_strength)),
        row("Frame range", frame_range),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn cost(job: &Job) -> Option<String> {
    let amount = job.cost_usd.parse()?;
    let free = amount.units == "0" && amount.fraction.is_empty();
    Some(if free && job.preview {
        "Free preview".to_owned()
    } else {
        format_credits(&amount)
    })
}
