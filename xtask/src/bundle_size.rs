//! What the bundle costs a host page in bytes, and the budget it must stay within.
//!
//! `cargo xtask bench` prints the figures and writes them as JSON; `cargo xtask test` fails when
//! the brotli total grows past `bundle-budget.txt` (TOML), whose comment says when it may move.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Stdio;

use serde::{Deserialize, Serialize};

use crate::bundle::{ENTRY_FILE, wasm_file_of};
use crate::process::{command, repo_root};

const BUDGET_FILE: &str = "bundle-budget.txt";

/// `bundle-budget.txt`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Budget {
    brotli_total_bytes: u64,
}

/// One file's size as stored and as sent compressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssetSize {
    #[serde(rename = "file")]
    pub name: String,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

/// Measures the release bundle in `dist/` (gzip -9 and brotli -q 11, as a server would send it):
/// the files a page downloads for its first card, the hashed wasm the entry names and the entry
/// (the card's CSS is inside the wasm).
pub fn measure() -> Result<Vec<AssetSize>, String> {
    let dist = repo_root().join("dist");
    let entry = dist.join(ENTRY_FILE);
    let module = fs::read_to_string(&entry)
        .map_err(|error| format!("cannot read {} (run `trunk build --release`): {error}", entry.display()))?;
    let wasm = wasm_file_of(&module).ok_or_else(|| format!("{} names no hashed wasm", entry.display()))?;
    [wasm, ENTRY_FILE]
        .iter()
        .map(|name| measure_file(&dist.join(name), name))
        .collect()
}

/// The card's stylesheet as shipped: minified by `build.rs` into the release build's `OUT_DIR` and
/// included in the wasm, so it is part of the wasm's bytes, not a download of its own.
pub fn measure_css() -> Result<AssetSize, String> {
    let builds = repo_root().join("target/wasm32-unknown-unknown/release/build");
    let newest = fs::read_dir(&builds)
        .map_err(|error| {
            format!(
                "cannot read {} (run `trunk build --release`): {error}",
                builds.display()
            )
        })?
        .filter_map(|entry| {
            let css = entry.ok()?.path().join("out/card.min.css");
            let modified = fs::metadata(&css).ok()?.modified().ok()?;
            Some((modified, css))
        })
        .max()
        .map(|(_, css)| css)
        .ok_or("no card.min.css in the release build: run `trunk build --release`")?;
    measure_file(&newest, "card CSS (inside the wasm)")
}

fn measure_file(path: &Path, name: &str) -> Result<AssetSize, String> {
    let bytes = fs::read(path)
        .map_err(|error| format!("cannot read {} (run `trunk build --release`): {error}", path.display()))?;
    Ok(AssetSize {
        name: name.to_owned(),
        raw: bytes.len() as u64,
        gzip: compressed_size("gzip", &["-9", "-c"], path)?,
        brotli: compressed_size("brotli", &["-q", "11", "-c"], path)?,
    })
}

fn compressed_size(tool: &str, args: &[&str], path: &Path) -> Result<u64, String> {
    let output = command(tool)
        .args(args)
        .arg(path)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|error| format!("cannot run `{tool}`: {error} (`cargo xtask setup` installs it)"))?;
    if !output.status.success() {
        return Err(format!("`{tool}` failed on {}", path.display()));
    }
    Ok(output.stdout.len() as u64)
}

/// The assets plus a total row, as a table.
pub fn table(sizes: &[AssetSize]) -> String {
    let mut text = format!("{:<44} {:>10} {:>10} {:>10}\n", "file", "raw", "gzip", "brotli");
    for size in sizes.iter().chain(std::iter::once(&total(sizes))) {
        let _ = writeln!(
            text,
            "{:<44} {:>10} {:>10} {:>10}",
            size.name, size.raw, size.gzip, size.brotli
        );
    }
    text
}

/// The sum of all assets.
pub fn total(sizes: &[AssetSize]) -> AssetSize {
    AssetSize {
        name: "total".to_owned(),
        raw: sizes.iter().map(|size| size.raw).sum(),
        gzip: sizes.iter().map(|size| size.gzip).sum(),
        brotli: sizes.iter().map(|size| size.brotli).sum(),
    }
}

/// Checks the brotli total against the committed budget.
pub fn check_budget(sizes: &[AssetSize]) -> Result<String, String> {
    let path = repo_root().join(BUDGET_FILE);
    let text = fs::read_to_string(&path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    let budget = parse_budget(&text).map_err(|error| format!("{BUDGET_FILE}: {error}"))?;
    let brotli = total(sizes).brotli;
    if brotli > budget {
        return Err(format!(
            "the bundle is {brotli} bytes brotli (wasm + JS), over the budget of {budget} in {BUDGET_FILE}: \
             find what grew (twiggy top dist/tensorpix-job-card_bg-*.wasm) and take it out"
        ));
    }
    let slack = budget - brotli;
    Ok(if slack > 1_024 {
        format!("{brotli} bytes brotli, {slack} under the budget of {budget}: lower {BUDGET_FILE} to lock the gain in")
    } else {
        format!("{brotli} bytes brotli, within the budget of {budget}")
    })
}

fn parse_budget(text: &str) -> Result<u64, toml::de::Error> {
    toml::from_str::<Budget>(text).map(|budget| budget.brotli_total_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes() -> Vec<AssetSize> {
        vec![
            AssetSize {
                name: "a.wasm".into(),
                raw: 1_000,
                gzip: 500,
                brotli: 400,
            },
            AssetSize {
                name: "a.js".into(),
                raw: 100,
                gzip: 50,
                brotli: 40,
            },
        ]
    }

    #[test]
    fn totals_add_up() {
        assert_eq!(
            total(&sizes()),
            AssetSize {
                name: "total".into(),
                raw: 1_100,
                gzip: 550,
                brotli: 440
            }
        );
        assert!(table(&sizes()).lines().last().unwrap().starts_with("total"));
    }

    #[test]
    fn the_budget_file_is_read_with_comments_and_underscores() {
        assert_eq!(
            parse_budget("# ratchet\nbrotli_total_bytes = 150_000\n").unwrap(),
            150_000
        );
        assert_eq!(parse_budget("brotli_total_bytes=42").unwrap(), 42);
        let missing = parse_budget("# brotli_total_bytes = 1\n").unwrap_err().to_string();
        assert!(missing.contains("brotli_total_bytes"), "{missing}");
        assert!(
            parse_budget("brotli_total_bytes = 5\nother = 5").is_err(),
            "a misspelt key"
        );
        assert!(parse_budget("brotli_total_bytes = -5").is_err());
    }
}
