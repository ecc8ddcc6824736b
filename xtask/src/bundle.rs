//! `cargo xtask bundle`: Trunk's post-build hook that turns wasm-bindgen's module into the widget's
//! single entry file, `tensorpix-job-card.js`, by appending the custom element that starts it, and
//! minifies it (about a quarter less to download, brotli). It also gives the wasm a content-hashed
//! name (`tensorpix-job-card_bg-<hash>.wasm`) and points the entry at it, so that after an upgrade a
//! cached entry only ever loads its own build's wasm, and the wasm may be cached for good. Last, it
//! writes the npm package's files beside them (`package.rs`).

use std::path::{Path, PathBuf};
use std::{env, fs};

use crate::process::{self, command};
use crate::{Failure, package, setup};

/// The element class and the self-start, kept beside the Rust they call.
const ELEMENT_JS: &str = include_str!("../../src/element.js");
/// Present once the shim is in; a rebuild of an unchanged module must not append it twice.
const MARKER: &str = "customElements.define(\"tensorpix-job-card\"";
pub use tensorpix_job_card::internals::contract::ENTRY_FILE;
/// wasm-bindgen's name for the wasm, which its glue loads by default.
const WASM_FILE: &str = "tensorpix-job-card_bg.wasm";
const HASHED_PREFIX: &str = "tensorpix-job-card_bg-";

pub fn run() -> Result<(), Failure> {
    let staging = env::var_os("TRUNK_STAGING_DIR")
        .map(PathBuf::from)
        .ok_or("`cargo xtask bundle` is Trunk's post-build hook: TRUNK_STAGING_DIR is not set")?;
    let entry = staging.join(ENTRY_FILE);
    let mut module = read(&entry)?;
    let wasm = staging.join(WASM_FILE);
    if wasm.is_file() {
        let hashed = hashed_name(&fs::read(&wasm).map_err(|error| format!("cannot read {}: {error}", wasm.display()))?);
        module = with_wasm_name(&module, &hashed)
            .ok_or_else(|| format!("{ENTRY_FILE} does not name {WASM_FILE} exactly once: wasm-bindgen changed"))?;
        fs::rename(&wasm, staging.join(&hashed))
            .map_err(|error| format!("cannot rename {}: {error}", wasm.display()))?;
        fs::write(&entry, &module).map_err(|error| format!("cannot write {}: {error}", entry.display()))?;
    }
    let wasm_file = wasm_file_of(&module).ok_or_else(|| format!("{ENTRY_FILE} names no hashed wasm"))?;
    package::write(&staging, wasm_file)?;
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

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|error| format!("cannot read {}: {error}", path.display()))
}

/// The module with the element appended, or `None` if it is in already.
fn with_element(module: &str) -> Option<String> {
    (!module.contains(MARKER)).then(|| format!("{module}{}", element_js()))
}

/// `element.js` with the attribute lists of the contract in place of its placeholders.
fn element_js() -> String {
    package::attribute_lists()
        .iter()
        .fold(ELEMENT_JS.to_owned(), |js, (placeholder, list)| {
            js.replace(placeholder, list)
        })
}

/// `tensorpix-job-card_bg-<16 hex digits of the content's FNV-1a hash>.wasm`: a new build's
/// wasm gets a new name, an unchanged one keeps its name (and the browser's cached copy).
fn hashed_name(wasm: &[u8]) -> String {
    let hash = wasm.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{HASHED_PREFIX}{hash:016x}.wasm")
}

/// The glue with its default wasm URL (`new URL('…_bg.wasm', import.meta.url)`) renamed to
/// `hashed`, or `None` unless the old name is in it exactly once.
fn with_wasm_name(module: &str, hashed: &str) -> Option<String> {
    (module.matches(WASM_FILE).count() == 1).then(|| module.replace(WASM_FILE, hashed))
}

/// The hashed wasm file an entry loads, read from the entry itself.
pub fn wasm_file_of(entry: &str) -> Option<&str> {
    let start = entry.find(HASHED_PREFIX)?;
    let length = HASHED_PREFIX.len() + 16 + ".wasm".len();
    let name = entry.get(start..start + length)?;
    let hash = &name[HASHED_PREFIX.len()..HASHED_PREFIX.len() + 16];
    (name.ends_with(".wasm") && hash.bytes().all(|byte| byte.is_ascii_hexdigit())).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shim_defines_the_element_and_starts_the_module() {
        let element = element_js();
        assert!(element.contains(MARKER));
        assert!(element.contains("__wbg_init()"), "the module must start itself");
        assert!(
            element.ends_with("export { tensorpixReady as ready };\n"),
            "hosts can await `ready`"
        );
        assert!(element.contains(r#"const tensorpixInputs = ["job-id","#));
        assert!(!element.contains("TENSORPIX_"), "every placeholder is filled");
    }

    #[test]
    fn a_rebuild_of_an_unchanged_module_appends_the_element_once() {
        let module = "export { initSync, __wbg_init as default };\n";
        let bundled = with_element(module).expect("a fresh module gets the element");
        assert_eq!(bundled.matches(MARKER).count(), 1);
        assert_eq!(with_element(&bundled), None, "a second run leaves it as it is");
    }

    #[test]
    fn the_wasm_is_named_by_its_content_and_the_entry_loads_that_name() {
        let (one, other) = (hashed_name(b"\0asm one"), hashed_name(b"\0asm two"));
        assert_ne!(one, other, "another build, another name");
        assert_eq!(one, hashed_name(b"\0asm one"), "the same build, the same name");
        assert_eq!(hashed_name(b""), "tensorpix-job-card_bg-cbf29ce484222325.wasm");
        let glue = "module_or_path = new URL('tensorpix-job-card_bg.wasm', import.meta.url);";
        let renamed = with_wasm_name(glue, &one).unwrap();
        assert_eq!(renamed, format!("module_or_path = new URL('{one}', import.meta.url);"));
        assert!(!renamed.contains(WASM_FILE), "the old name is gone");
        assert_eq!(wasm_file_of(&renamed), Some(one.as_str()));
        assert_eq!(
            with_wasm_name(&renamed, &other),
            None,
            "a renamed glue is not renamed again"
        );
        assert_eq!(wasm_file_of(glue), None);
    }
}
