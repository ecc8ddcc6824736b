//! Typed models of the TensorPix job API (`GET /api/jobs/{id}/`), free of any web dependency.
//!
//! The widget, the local API simulator and the tests all share these definitions. Decoding is
//! tolerant where the real backend differs from its published schema (nullable fields that the
//! schema calls required, fields added in v1.1.0, enum values nobody has documented yet) and strict
//! where exactness matters: 64-bit sizes and bitrates stay integers and credits stay decimal text.

mod codes;
mod credits;
mod decode;
mod job;
pub mod json;
pub mod time;

pub use codes::{Codec, JobStatus, OutputResolution, Task};
pub use credits::{Credits, Decimal};
pub use decode::{DecodeError, decode_error_body, decode_job, decode_job_and_tree};
pub use job::{ErrorBody, Job, JobList, MlModel, PreviewVideos, RestoredVideo, Video};
