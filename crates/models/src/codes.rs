//! The API's coded values (status, task, output resolution, codec), each with an `Unknown` case.
//!
//! New backend versions add values without notice (a ProRes codec, task 15), so an unknown code
//! decodes into `Unknown` and is shown as such instead of failing the whole job.

use serde::{Deserialize, Serialize};

use crate::integer::Integer;

/// Declares an integer-coded enum with labels, an `Unknown(i64)` fallback and lossless serde.
macro_rules! integer_code {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $($(#[$variant_meta:meta])* $variant:ident = $code:literal => $label:literal,)+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        // Read leniently (a code is a number, whatever passed it on), written as the API writes it.
        #[serde(from = "Integer", into = "i64")]
        pub enum $name {
            $($(#[$variant_meta])* $variant,)+
            /// A code this version of the widget does not know.
            Unknown(i64),
        }

        impl $name {
            /// Every known value, in the order the API lists them.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The integer the API uses for this value.
            pub fn code(self) -> i64 {
                match self {
                    $($name::$variant => $code,)+
                    $name::Unknown(code) => code,
                }
            }

            /// The label the API's schema gives this value, or `None` for an unknown code.
            pub fn label(self) -> Option<&'static str> {
                match self {
                    $($name::$variant => Some($label),)+
                    $name::Unknown(_) => None,
                }
            }
        }

        impl From<i64> for $name {
            fn from(code: i64) -> Self {
                match code {
                    $($code => $name::$variant,)+
                    other => $name::Unknown(other),
                }
            }
        }

        impl From<Integer> for $name {
            fn from(Integer(code): Integer) -> Self {
                $name::from(code)
            }
        }

        impl From<$name> for i64 {
            fn from(value: $name) -> i64 {
                value.code()
            }
        }

        /// The first value the API lists, for a default-built model.
        impl Default for $name {
            fn default() -> Self {
                $name::KNOWN[0]
            }
        }
    };
}

integer_code! {
    /// Where a job is in its life (`StatusEnum`).
    pub enum JobStatus {
        /// Waiting for a GPU; can last minutes while instances start.
        InQueue = 0 => "In queue",
        Processing = 1 => "Processing",
        Finished = 2 => "Finished",
        Failed = -1 => "Failed",
        /// Stopped with `DELETE /api/jobs/{id}/`.
        Canceled = -2 => "Canceled",
    }
}

impl JobStatus {
    /// True once the job can no longer change: finished, failed or canceled.
    pub fn is_terminal(self) -> bool {
        matches!(self, JobStatus::Finished | JobStatus::Failed | JobStatus::Canceled)
    }

    /// A stable machine name (`in-queue`, `processing`, …, `unknown`), e.g. for CSS classes.
    pub fn slug(self) -> &'static str {
        match self {
            JobStatus::InQueue => "in-queue",
            JobStatus::Processing => "processing",
            JobStatus::Finished => "finished",
            JobStatus::Failed => "failed",
            JobStatus::Canceled => "canceled",
            JobStatus::Unknown(_) => "unknown",
        }
    }
}

integer_code! {
    /// The group an AI model belongs to (`TaskEnum`); a job uses at most one model per task.
    pub enum Task {
        SuperResolution = 1 => "Super Resolution",
        FilmDamage = 2 => "Film damage",
        Denoise = 3 => "Denoise",
        Sharpen = 4 => "Sharpen",
        VhsPrettify = 5 => "VHS Prettify",
        DropoutsBuster = 6 => "Dropouts Buster",
        AutoColorBalance = 7 => "Auto Color Balance",
        Decompressor = 8 => "Decompressor",
        Deinterlace = 9 => "Deinterlace",
        FpsDoubler = 10 => "FPS Doubler",
        SlowMotion = 11 => "Slow Motion",
        FaceEnhance = 12 => "Face Enhance",
        Stabilization = 13 => "Stabilization",
        AudioDenoise = 14 => "Audio Denoise",
    }
}

integer_code! {
    /// The requested output width in pixels (`OutputResolutionEnum`), or no resize.
    pub enum OutputResolution {
        NoResize = -1 => "Original",
        P360 = 640 => "360p",
        Sd = 720 => "SD",
        Hq = 854 => "HQ",
        P720 = 1280 => "720p",
        P1080 = 1920 => "1080p",
        K2 = 2048 => "2K",
        Qhd = 2560 => "QHD",
        K4 = 3840 => "4K",
    }
}

/// The output codec (`CodecEnum`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Codec {
    /// `libx264`
    H264,
    /// `libx265`
    Hevc,
    /// A codec string this version does not know (v1.1.0 probably adds ProRes).
    Unknown(String),
}

impl Codec {
    /// The string the API uses for this codec.
    pub fn as_api_str(&self) -> &str {
        match self {
            Codec::H264 => "libx264",
            Codec::Hevc => "libx265",
            Codec::Unknown(other) => other,
        }
    }

    /// A human label (`H.264`, `HEVC (H.265)`), or the raw string for an unknown codec.
    pub fn label(&self) -> &str {
        match self {
            Codec::H264 => "H.264",
            Codec::Hevc => "HEVC (H.265)",
            Codec::Unknown(other) => other,
        }
    }
}

impl From<String> for Codec {
    fn from(value: String) -> Self {
        match value.as_str() {
            "libx264" => Codec::H264,
            "libx265" => Codec::Hevc,
            _ => Codec::Unknown(value),
        }
    }
}

impl From<Codec> for String {
    fn from(codec: Codec) -> String {
        match codec {
            Codec::Unknown(other) => other,
            known => known.as_api_str().to_owned(),
        }
    }
}

impl Default for Codec {
    fn default() -> Self {
        Codec::Unknown(String::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_code_round_trips() {
        for status in JobStatus::KNOWN {
            assert_eq!(JobStatus::from(status.code()), *status);
        }
        for task in Task::KNOWN {
            assert_eq!(Task::from(task.code()), *task);
        }
        for resolution in OutputResolution::KNOWN {
            assert_eq!(OutputResolution::from(resolution.code()), *resolution);
        }
    }

    #[test]
    fn unknown_codes_are_kept() {
        assert_eq!(JobStatus::from(7), JobStatus::Unknown(7));
        assert_eq!(JobStatus::Unknown(7).code(), 7);
        assert_eq!(JobStatus::Unknown(7).label(), None);
        assert_eq!(Task::from(15), Task::Unknown(15));
        assert_eq!(OutputResolution::from(i64::MIN), OutputResolution::Unknown(i64::MIN));
        assert_eq!(Codec::from("prores_ks".to_owned()), Codec::Unknown("prores_ks".into()));
        assert_eq!(String::from(Codec::Unknown("prores_ks".into())), "prores_ks");
    }

    #[test]
    fn only_finished_failed_and_canceled_are_terminal() {
        let terminal: Vec<_> = JobStatus::KNOWN.iter().filter(|status| status.is_terminal()).collect();
        assert_eq!(
            terminal,
            [&JobStatus::Finished, &JobStatus::Failed, &JobStatus::Canceled]
        );
        assert!(!JobStatus::Unknown(3).is_terminal());
    }

    #[test]
    fn labels_follow_the_schema() {
        assert_eq!(JobStatus::InQueue.label(), Some("In queue"));
        assert_eq!(Task::FpsDoubler.label(), Some("FPS Doubler"));
        assert_eq!(OutputResolution::P1080.label(), Some("1080p"));
        assert_eq!(OutputResolution::NoResize.label(), Some("Original"));
        assert_eq!(Codec::Hevc.label(), "HEVC (H.265)");
        assert_eq!(JobStatus::Canceled.slug(), "canceled");
        assert_eq!(JobStatus::Unknown(9).slug(), "unknown");
    }
}
