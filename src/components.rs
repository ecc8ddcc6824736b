//! The Yew components that draw the card.

pub mod card;
