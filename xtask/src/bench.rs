//! `cargo xtask bench`: figures, never pass/fail. For now the bytes a page downloads for a card;
//! the browser-timed figures of issue 7 (first card, DOM mutations, memory, many cards) are to come.

use std::fs;

use crate::process::{self, command, repo_root};
use crate::{Failure, bundle_size, header, setup};

pub fn run() -> Result<(), Failure> {
    setup::run(true)?;
    header("trunk build --release");
    process::run(command("trunk").args(["build", "--release"]))?;
    header("bytes a page downloads for the first card");
    let sizes = bundle_size::measure()?;
    print!("{}", bundle_size::table(&sizes));
    println!("{}", bundle_size::check_budget(&sizes).unwrap_or_else(|over| over));
    let out = repo_root().join("target/bench");
    fs::create_dir_all(&out).map_err(|error| format!("cannot create {}: {error}", out.display()))?;
    let file = out.join("bench.json");
    fs::write(
        &file,
        format!("{{\"bytes\": {}}}\n", bundle_size::json(&sizes).trim_end()),
    )
    .map_err(|error| format!("cannot write {}: {error}", file.display()))?;
    println!("written to {}", file.display());
    Ok(())
}
