//! The Yew components that draw the card: `card` owns the fetching, the others only lay out.

pub mod card;
mod comparison;
pub mod error_view;
mod job_view;
