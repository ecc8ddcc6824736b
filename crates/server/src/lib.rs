//! The `tensorpix-server` binary's library: command-line parsing, the local API simulator, the
//! key-keeping proxy for production pages and its job tokens, and what both servers share
//! (answers, connection handling, shutdown).

pub mod answer;
pub mod cli;
pub mod connections;
pub mod proxy;
pub mod shutdown;
pub mod simulator;
