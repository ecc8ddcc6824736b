//! The `tensorpix-server` binary's library: command-line parsing, the local API simulator, and
//! the key-keeping proxy for production pages.

pub mod cli;
pub mod proxy;
pub mod shutdown;
pub mod simulator;
