//! An embeddable card that shows the live status of a TensorPix video-enhancement job.
//!
//! Most pages use the `<tensorpix-job-card>` custom element from the release bundle. A Yew app can
//! render the same card as a component:
//!
//! ```no_run,standalone_crate
//! # #[cfg(target_arch = "wasm32")]
//! # mod app {
//! use std::rc::Rc;
//!
//! use tensorpix_job_card::{JobCard, PollSettings, Snapshot, Theme};
//! use yew::prelude::*;
//!
//! #[component]
//! fn Job() -> Html {
//!     let on_snapshot = Callback::from(|snapshot: Rc<Snapshot>| {
//!         if let Some(error) = &snapshot.error {
//!             web_sys::console::warn_1(&error.kind().into());
//!         }
//!     });
//!     // A proxy at `/tensorpix` adds the API key, so none is in the page.
//!     html! {
//!         <JobCard job_id={102} api_base="/tensorpix" theme={Theme::Dark}
//!                  poll={PollSettings::default()} {on_snapshot} />
//!     }
//! }
//! # }
//! ```
//!
//! The crate splits into pure modules that build and test natively (request and response handling,
//! polling policy, formatting, the card model) and a browser half that exists only on `wasm32` (the
//! fetch itself, the feeds, the hooks and components, and the custom element).

mod api;
mod card_model;
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
mod contract;
// Parts of these serve only the browser half; natively, their tests are what use them.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod format;
mod i18n;
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod options;
mod poll;
mod url;

#[cfg(target_arch = "wasm32")]
mod components;
#[cfg(target_arch = "wasm32")]
mod element;
#[cfg(target_arch = "wasm32")]
mod feed;
#[cfg(target_arch = "wasm32")]
mod hooks;
#[cfg(target_arch = "wasm32")]
mod intl;
#[cfg(target_arch = "wasm32")]
mod styles;

pub use api::FetchError;
#[cfg(target_arch = "wasm32")]
pub use components::card::{JobCard, JobCardProps};
#[cfg(target_arch = "wasm32")]
pub use feed::Snapshot;
pub use options::Theme;
pub use poll::PollSettings;
pub use tensorpix_models as models;

/// The modules behind the card, public only for this crate's own tests: not a stable API.
#[doc(hidden)]
pub mod internals {
    pub mod api {
        pub use crate::api::*;
    }
    pub mod card_model {
        pub use crate::card_model::*;
    }
    /// Also what `cargo xtask bundle` writes the typings, the manifest and `package.json` from.
    pub mod contract {
        pub use crate::contract::*;
    }
    pub mod i18n {
        pub use crate::i18n::*;
    }
    pub mod poll {
        pub use crate::poll::*;
    }
    #[cfg(target_arch = "wasm32")]
    pub use crate::components::card::{CardView, CardViewProps};
    #[cfg(target_arch = "wasm32")]
    pub use crate::intl::CardLocale;
}

/// Talc instead of the default dlmalloc: the same job in about 5 KB less wasm, and faster.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
