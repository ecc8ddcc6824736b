//! The job payload: `Job` and the objects nested in it, plus the list and error envelopes.
//!
//! Fields the schema marks required but that the real API leaves null or out (`started`, `eta_s`,
//! `output_video`, the v1.1.0 additions) are `Option`s that accept both null and absence. Only
//! `id`, `status` and `input_video` must be present for a payload to count as a job at all.

use serde::{Deserialize, Serialize};

use crate::integer::{integer, optional_integer};
use crate::{Codec, Credits, JobStatus, OutputResolution, Task};

/// One video-enhancement job, as `GET /api/jobs/{id}/` returns it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Job {
    #[serde(deserialize_with = "integer")]
    pub id: i64,
    /// RFC 3339; null while the job waits in the queue.
    #[serde(default)]
    pub started: Option<String>,
    /// A free preview: not charged, watermarked, only a short segment enhanced.
    #[serde(default)]
    pub preview: bool,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub cost_usd: Credits,
    pub status: JobStatus,
    /// Rough seconds to completion; swings a lot early in a job.
    #[serde(default)]
    pub eta_s: Option<f64>,
    #[serde(default)]
    pub finished: Option<String>,
    /// A ratio in [0, 1], not a percentage; see [`Job::progress_percent`].
    #[serde(default)]
    pub processing_progress: Option<f64>,
    pub input_video: Video,
    /// Null until the job finishes, and for good if it fails or is canceled.
    #[serde(default)]
    pub output_video: Option<RestoredVideo>,
    #[serde(default)]
    pub ml_models: Vec<MlModel>,
    #[serde(default)]
    pub grain: Option<f64>,
    #[serde(default)]
    pub codec: Codec,
    #[serde(default)]
    pub output_resolution: Option<OutputResolution>,
    /// The output shows original and enhanced side by side.
    #[serde(default)]
    pub comparison: bool,
    #[serde(default, deserialize_with = "optional_integer")]
    pub stabilization_smoothing: Option<i64>,
    /// v1.1.0
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fps_interpolation_factor: Option<f64>,
    /// v1.1.0
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playback_speed: Option<f64>,
    /// v1.1.0
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sharpen_strength: Option<f64>,
    /// v1.1.0
    #[serde(
        default,
        deserialize_with = "optional_integer",
        skip_serializing_if = "Option::is_none"
    )]
    pub start_frame: Option<i64>,
    /// v1.1.0
    #[serde(
        default,
        deserialize_with = "optional_integer",
        skip_serializing_if = "Option::is_none"
    )]
    pub end_frame: Option<i64>,
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

/// The uploaded source video (`Video`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Video {
    #[serde(deserialize_with = "integer")]
    pub id: i64,
    pub name: String,
    #[serde(default, deserialize_with = "optional_integer")]
    pub width: Option<i64>,
    #[serde(default, deserialize_with = "optional_integer")]
    pub height: Option<i64>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default, deserialize_with = "optional_integer")]
    pub n_frames: Option<i64>,
    #[serde(default)]
    pub framerate: Option<f64>,
    /// Bytes; exceeds 2^31 for long videos.
    #[serde(default, deserialize_with = "optional_integer")]
    pub size: Option<i64>,
    /// A pre-signed URL that expires; null until uploaded and for from-url jobs.
    #[serde(default)]
    pub file: Option<String>,
    /// The owner's e-mail address. Never shown: the card may be on a public page.
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub thumbnail: Option<String>,
    #[serde(default)]
    pub external_url: Option<String>,
    /// Bits per second.
    #[serde(default, deserialize_with = "optional_integer")]
    pub bitrate: Option<i64>,
    #[serde(default)]
    pub codec_id: Option<String>,
    #[serde(default, deserialize_with = "optional_integer")]
    pub bit_depth: Option<i64>,
    #[serde(default)]
    pub chroma_subsampling: Option<String>,
    #[serde(default)]
    pub color_space: Option<String>,
}

impl Video {
    /// Duration in seconds, from frame count and frame rate, when both make sense.
    pub fn duration_seconds(&self) -> Option<f64> {
        duration_seconds(self.n_frames, self.framerate)
    }
}

/// The enhanced output video (`RestoredVideo`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RestoredVideo {
    #[serde(deserialize_with = "integer")]
    pub id: i64,
    #[serde(default, deserialize_with = "optional_integer")]
    pub job_id: Option<i64>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub framerate: Option<f64>,
    #[serde(default, deserialize_with = "optional_integer")]
    pub n_frames: Option<i64>,
    /// Bits per second, up to `i64::MAX`: decode from text, never through a JavaScript number.
    #[serde(default, deserialize_with = "optional_integer")]
    pub bitrate: Option<i64>,
    #[serde(default)]
    pub codec_id: Option<String>,
    #[serde(default, deserialize_with = "optional_integer")]
    pub bit_depth: Option<i64>,
    #[serde(default)]
    pub chroma_subsampling: Option<String>,
    #[serde(default)]
    pub color_space: Option<String>,
    /// Bytes, up to 400 GB.
    #[serde(default, deserialize_with = "optional_integer")]
    pub size: Option<i64>,
    #[serde(default)]
    pub file: Option<String>,
    #[serde(default)]
    pub thumbnail: Option<String>,
    /// When the output was deleted; its `file` link is dead from then on.
    #[serde(default)]
    pub deleted: Option<String>,
    #[serde(default, deserialize_with = "optional_integer")]
    pub width: Option<i64>,
    #[serde(default, deserialize_with = "optional_integer")]
    pub height: Option<i64>,
    /// The owner's user id. Never shown.
    #[serde(default, deserialize_with = "optional_integer")]
    pub owner: Option<i64>,
    /// v1.1.0: short before/after clips for a comparison.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_videos: Option<PreviewVideos>,
    /// v1.1.0: a quality score, about 1–5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality_score: Option<f64>,
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

/// Short before/after clips of a finished job (v1.1.0).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewVideos {
    #[serde(default)]
    pub before_video: Option<String>,
    #[serde(default)]
    pub after_video: Option<String>,
}

/// One AI model applied by a job (`MLModelList`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MlModel {
    #[serde(deserialize_with = "integer")]
    pub id: i64,
    #[serde(default)]
    pub name: String,
    pub task: Task,
    /// Absent from the v1.1.0 item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Absent from the v1.1.0 item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_description: Option<String>,
    #[serde(default)]
    pub cost_weight: Option<f64>,
    /// Only meaningful for Super Resolution models.
    #[serde(default, deserialize_with = "optional_integer")]
    pub upscale_factor: Option<i64>,
    /// Only meaningful for frame-interpolation models.
    #[serde(default, deserialize_with = "optional_integer")]
    pub fps_boost_factor: Option<i64>,
    #[serde(default, deserialize_with = "optional_integer")]
    pub priority: Option<i64>,
    #[serde(default, deserialize_with = "optional_integer")]
    pub max_resolution: Option<i64>,
}

/// A page of `GET /api/jobs/?limit=&offset=` (`PaginatedJobList`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JobList {
    #[serde(deserialize_with = "integer")]
    pub count: i64,
    #[serde(default)]
    pub next: Option<String>,
    #[serde(default)]
    pub previous: Option<String>,
    pub results: Vec<Job>,
}

/// The body of every documented error response: `{"detail": "..."}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub detail: String,
}
