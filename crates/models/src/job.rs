//! The job payload: `Job` and the objects nested in it, plus the list and error envelopes.
//!
//! Fields the schema marks required but that the real API leaves null or out (`started`, `eta_s`,
//! `output_video`, the v1.1.0 additions) are `Option`s that accept both null and absence. Only
//! `id`, `status` and `input_video` must be present for a payload to count as a job at all.

use crate::{Codec, Credits, JobStatus, OutputResolution, Task, json_model};

json_model! {
    /// One video-enhancement job, as `GET /api/jobs/{id}/` returns it.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Job {
        required id: i64,
        /// RFC 3339; null while the job waits in the queue.
        optional started: Option<String>,
        /// A free preview: not charged, watermarked, only a short segment enhanced.
        optional preview: bool,
        optional description: String,
        optional cost_usd: Credits,
        required status: JobStatus,
        /// Rough seconds to completion; swings a lot early in a job.
        optional eta_s: Option<f64>,
        optional finished: Option<String>,
        /// A ratio in [0, 1], not a percentage; see [`Job::progress_percent`].
        optional processing_progress: Option<f64>,
        required input_video: Video,
        /// Null until the job finishes, and for good if it fails or is canceled.
        optional output_video: Option<RestoredVideo>,
        optional ml_models: Vec<MlModel>,
        optional grain: Option<f64>,
        optional codec: Codec,
        optional output_resolution: Option<OutputResolution>,
        /// The output shows original and enhanced side by side.
        optional comparison: bool,
        optional stabilization_smoothing: Option<i64>,
        /// v1.1.0
        #[serde(skip_serializing_if = "Option::is_none")]
        optional fps_interpolation_factor: Option<f64>,
        /// v1.1.0
        #[serde(skip_serializing_if = "Option::is_none")]
        optional playback_speed: Option<f64>,
        /// v1.1.0
        #[serde(skip_serializing_if = "Option::is_none")]
        optional sharpen_strength: Option<f64>,
        /// v1.1.0
        #[serde(skip_serializing_if = "Option::is_none")]
        optional start_frame: Option<i64>,
        /// v1.1.0
        #[serde(skip_serializing_if = "Option::is_none")]
        optional end_frame: Option<i64>,
    }
}

impl Job {
    /// Progress as a percentage in [0, 100]; out-of-range or missing values are clamped, not shown.
    pub fn progress_percent(&self) -> f64 {
        match self.processing_progress {
            Some(ratio) if ratio.is_finite() => (ratio * 100.0).clamp(0.0, 100.0),
            _ => 0.0,
        }
    }

    /// The ETA in seconds when it means something: known, finite and above zero.
    pub fn eta_seconds(&self) -> Option<f64> {
        self.eta_s.filter(|eta| eta.is_finite() && *eta > 0.0)
    }
}

json_model! {
    /// The uploaded source video (`Video`).
    #[derive(Debug, Clone, PartialEq)]
    pub struct Video {
        required id: i64,
        required name: String,
        optional width: Option<i64>,
        optional height: Option<i64>,
        optional created_at: Option<String>,
        optional n_frames: Option<i64>,
        optional framerate: Option<f64>,
        /// Bytes; exceeds 2^31 for long videos.
        optional size: Option<i64>,
        /// A pre-signed URL that expires; null until uploaded and for from-url jobs.
        optional file: Option<String>,
        /// The owner's e-mail address. Never shown: the card may be on a public page.
        optional owner: Option<String>,
        optional thumbnail: Option<String>,
        optional external_url: Option<String>,
        /// Bits per second.
        optional bitrate: Option<i64>,
        optional codec_id: Option<String>,
        optional bit_depth: Option<i64>,
        optional chroma_subsampling: Option<String>,
        optional color_space: Option<String>,
    }
}

impl Video {
    /// Duration in seconds, from frame count and frame rate, when both make sense.
    pub fn duration_seconds(&self) -> Option<f64> {
        duration_seconds(self.n_frames, self.framerate)
    }
}

json_model! {
    /// The enhanced output video (`RestoredVideo`).
    #[derive(Debug, Clone, PartialEq)]
    pub struct RestoredVideo {
        required id: i64,
        optional job_id: Option<i64>,
        optional name: String,
        optional created_at: Option<String>,
        optional framerate: Option<f64>,
        optional n_frames: Option<i64>,
        /// Bits per second, up to `i64::MAX`: decode from text, never through a JavaScript number.
        optional bitrate: Option<i64>,
        optional codec_id: Option<String>,
        optional bit_depth: Option<i64>,
        optional chroma_subsampling: Option<String>,
        optional color_space: Option<String>,
        /// Bytes, up to 400 GB.
        optional size: Option<i64>,
        optional file: Option<String>,
        optional thumbnail: Option<String>,
        /// When the output was deleted; its `file` link is dead from then on.
        optional deleted: Option<String>,
        optional width: Option<i64>,
        optional height: Option<i64>,
        /// The owner's user id. Never shown.
        optional owner: Option<i64>,
        /// v1.1.0: short before/after clips for a comparison.
        #[serde(skip_serializing_if = "Option::is_none")]
        optional preview_videos: Option<PreviewVideos>,
        /// v1.1.0: a quality score, about 1–5.
        #[serde(skip_serializing_if = "Option::is_none")]
        optional quality_score: Option<f64>,
    }
}

impl RestoredVideo {
    /// Duration in seconds, from frame count and frame rate, when both make sense.
    pub fn duration_seconds(&self) -> Option<f64> {
        duration_seconds(self.n_frames, self.framerate)
    }

    /// True when the output was deleted, so there is nothing left to download.
    pub fn is_deleted(&self) -> bool {
        self.deleted.is_some()
    }
}

fn duration_seconds(frames: Option<i64>, framerate: Option<f64>) -> Option<f64> {
    let (frames, framerate) = (frames?, framerate?);
    (frames >= 0 && framerate.is_finite() && framerate > 0.0).then(|| frames as f64 / framerate)
}

json_model! {
    /// Short before/after clips of a finished job (v1.1.0).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct PreviewVideos {
        optional before_video: Option<String>,
        optional after_video: Option<String>,
    }
}

json_model! {
    /// One AI model applied by a job (`MLModelList`).
    #[derive(Debug, Clone, PartialEq)]
    pub struct MlModel {
        required id: i64,
        optional name: String,
        required task: Task,
        /// Absent from the v1.1.0 item.
        #[serde(skip_serializing_if = "Option::is_none")]
        optional description: Option<String>,
        /// Absent from the v1.1.0 item.
        #[serde(skip_serializing_if = "Option::is_none")]
        optional short_description: Option<String>,
        optional cost_weight: Option<f64>,
        /// Only meaningful for Super Resolution models.
        optional upscale_factor: Option<i64>,
        /// Only meaningful for frame-interpolation models.
        optional fps_boost_factor: Option<i64>,
        optional priority: Option<i64>,
        optional max_resolution: Option<i64>,
    }
}

json_model! {
    /// A page of `GET /api/jobs/?limit=&offset=` (`PaginatedJobList`).
    #[derive(Debug, Clone, PartialEq)]
    pub struct JobList {
        required count: i64,
        optional next: Option<String>,
        optional previous: Option<String>,
        required results: Vec<Job>,
    }
}

json_model! {
    /// The body of every documented error response: `{"detail": "..."}`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ErrorBody {
        required detail: String,
    }
}
