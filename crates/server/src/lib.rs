//! The `tensorpix-server` binary's library: command-line parsing and the local API simulator.

pub mod cli;
pub mod simulator;
