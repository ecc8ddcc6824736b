//! Typed models of the TensorPix job API (`GET /api/jobs/{id}/`), free of any web dependency.
//!
//! The widget, the local API simulator and the tests all share these definitions. Decoding is
//! tolerant where the real backend differs from its published schema (nullable fields that the
//! schema calls required, fields added in v1.1.0, enum values nobody has documented yet, whole
//! numbers past 2^53 that went through a double) and strict where exactness matters: credits stay
//! decimal text, and a wrong type is an error that names its field.

mod codes;
mod credits;
mod decode;
mod integer;
mod job;
pub mod time;

pub use codes::{Codec, JobStatus, OutputResolution, Task};
pub use credits::{Credits, Decimal};
pub use decode::{DecodeError, decode_error_body, decode_error_body_from, decode_job, decode_job_from};
pub use job::{ErrorBody, Job, JobList, MlModel, PreviewVideos, RestoredVideo, Video};
