//! `cargo xtask bundle`: Trunk's post-build hook that turns wasm-bindgen's module into the widget's
//! single entry file, `tensorpix-job-card.js`, by appending the custom element that starts it, and
//! minifies it (about a quarter less to download, brotli).

use std::path::PathBuf;
use std::{env, fs};

use crate::process::{self, command};
use crate::{Failure, setup};

/// The element class and the self-start, kept beside the Rust they call.
const ELEMENT_JS: &str = include_str!("../../src/element.js");
/// Present once the shim is in; a rebuild of an unchanged module must not append it twice.
const MARKER: &str = "customElements.define(\"tensorpix-job-card\"";
const ENTRY_FILE: &str = "tensorpix-job-card.js";

pub fn run() -> Result<(), Failure> {
    let staging = env::var_os("TRUNK_STAGING_DIR")
        .map(PathBuf::from)
        .ok_or("`cargo xtask bundle` is Trunk's post-build hook: TRUNK_STAGING_DIR is not set")?;
    let entry = staging.join(ENTRY_FILE);
    let module = fs::read_to_string(&entry).map_err(|error| format!("cannot read {}: {error}", entry.display()))?;
    let Some(bundled) = with_element(&module) else {
        return Ok(());
    };
    fs::write(&entry, bundled).map_err(|error| format!("cannot write {}: {error}", entry.display()))?;
    let esbuild = setup::esbuild();
    if !esbuild.is_file() {
        return Err(format!("{} is missing: run `cargo xtask setup`", esbuild.display()).into());
    }
    process::run(
        command(esbuild.as_os_str())
            .arg(&entry)
            .arg(format!("--outfile={}", entry.display()))
            .args(["--minify", "--format=esm", "--allow-overwrite", "--log-level=warning"]),
    )?;
    Ok(())
}

/// The module with the element appended, or `None` if it is in already.
fn with_element(module: &str) -> Option<String> {
    (!module.contains(MARKER)).then(|| format!("{module}{ELEMENT_JS}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shim_defines_the_element_and_starts_the_module() {
        assert!(ELEMENT_JS.contains(MARKER));
        assert!(ELEMENT_JS.contains("__wbg_init()"), "the module must start itself");
        assert!(
            ELEMENT_JS.ends_with("export { tensorpixReady as ready };\n"),
            "hosts can await `ready`"
        );
    }

    #[test]
    fn a_rebuild_of_an_unchanged_module_appends_the_element_once() {
        let module = "export { initSync, __wbg_init as default };\n";
        let bundled = with_element(module).expect("a fresh module gets the element");
        assert_eq!(bundled.matches(MARKER).count(), 1);
        assert_eq!(with_element(&bundled), None, "a second run leaves it as it is");
    }
}
