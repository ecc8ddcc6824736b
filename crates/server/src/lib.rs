//! The `tensorpix-server` binary's library: command-line parsing, the local API simulator, the
//! key-keeping proxy for production pages, and what both share (answers, shutdown).

pub mod answer;
pub mod cli;
pub mod proxy;
pub mod shutdown;
pub mod simulator;
