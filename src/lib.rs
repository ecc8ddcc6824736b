//! An embeddable card that shows the live status of a TensorPix video-enhancement job.
//!
//! The crate splits into pure modules that build and test natively (`api` request/response
//! handling, `format`) and a browser half that exists only on `wasm32` (the fetch itself, the Yew
//! components and the code that mounts cards into a page).

pub mod api;
pub mod card_model;
pub mod format;
pub mod i18n;
pub mod options;
pub mod poll;
pub mod url;

#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod element;
#[cfg(target_arch = "wasm32")]
pub mod feed;
#[cfg(target_arch = "wasm32")]
pub mod intl;
#[cfg(target_arch = "wasm32")]
pub mod styles;

#[cfg(target_arch = "wasm32")]
pub use components::card::{CardView, CardViewProps, JobCard, JobCardProps};
pub use tensorpix_models as models;

/// Talc instead of the default dlmalloc: the same job in about 5 KB less wasm, and faster.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
