//! Tool installation: checks every tool the build and tests need by version, installs what is missing.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Instant;

use serde_json::Value;

use crate::process::{self, command, find_on_path, repo_root};
use crate::{Failure, format_duration, header};

// The pinned toolchain, all in one place.
/// trunk 0.22.x needs rustc >= 1.96.1; 0.21.14 builds on 1.95.
pub const TRUNK_VERSION: &str = "0.21.14";
/// npm's binaryen. Debian's binaryen 108 and crates.io's wasm-opt (binaryen 116) cannot parse
/// wasm-bindgen 0.2.130 output (`table.fill`), and break every release build.
pub const BINARYEN_VERSION: &str = "132.0.0";
/// axe-core, the accessibility checker the browser tests run inside each card.
pub const AXE_CORE_VERSION: &str = "4.14.1";
/// esbuild, which minifies the JS glue in `cargo xtask bundle` (its npm package brings the binary).
pub const ESBUILD_VERSION: &str = "0.28.2";
/// The Firefox webdriver; Debian has no package for it.
pub const GECKODRIVER_VERSION: &str = "0.37.1";
/// wasm-bindgen-cli's version is not pinned here: it must equal the version of this crate that
/// Cargo resolved (pinned with `=` in Cargo.toml), so it is read from `cargo metadata`.
const WASM_BINDGEN_CRATE: &str = "wasm-bindgen";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// The tests' tools from apt, as (binary to look for, Debian package): the browsers, and brotli
/// for the bundle-size budget.
const APT_TEST_TOOLS: &[(&str, &str)] = &[
    ("chromium", "chromium"),
    ("chromedriver", "chromium-driver"),
    ("firefox-esr", "firefox-esr"),
    ("brotli", "brotli"),
];

/// Installs what is missing; with `browsers`, also the browsers and webdrivers the tests need.
pub fn run(browsers: bool) -> Result<(), Failure> {
    header(if browsers {
        "setup (tools and browsers)"
    } else {
        "setup (tools)"
    });
    let started = Instant::now();
    ensure_wasm_target()?;
    if browsers {
        ensure_apt_browsers()?;
    }
    ensure_trunk()?;
    ensure_wasm_bindgen()?;
    ensure_wasm_opt()?;
    ensure_npm_packages()?;
    if browsers {
        ensure_geckodriver()?;
    }
    println!("setup done in {}", format_duration(started.elapsed()));
    Ok(())
}

fn ensure_wasm_target() -> Result<(), String> {
    let installed = process::stdout_of(command("rustup").args(["target", "list", "--installed"]))
        .ok_or("`rustup target list --installed` failed: is rustup installed?")?;
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        println!("✓ rustup target {WASM_TARGET}");
        return Ok(());
    }
    println!("installing rustup target {WASM_TARGET}…");
    let started = Instant::now();
    process::run(command("rustup").args(["target", "add", WASM_TARGET]))?;
    println!(
        "✓ rustup target {WASM_TARGET} (installed in {})",
        format_duration(started.elapsed())
    );
    Ok(())
}

fn ensure_apt_browsers() -> Result<(), String> {
    let mut missing = Vec::new();
    for &(binary, package) in APT_TEST_TOOLS {
        match find_on_path(binary) {
            Some(_) => println!(
                "✓ {package} {}",
                version_of(binary).unwrap_or_else(|| "(version unknown)".into())
            ),
            None => missing.push(package),
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    println!("installing {} (apt-get)…", missing.join(" "));
    let started = Instant::now();
    process::apt_install(&missing)?;
    for &(binary, package) in APT_TEST_TOOLS.iter().filter(|(_, package)| missing.contains(package)) {
        let version = version_of(binary)
            .ok_or_else(|| format!("`apt-get install {package}` succeeded but `{binary}` is still not on PATH"))?;
        println!(
            "✓ {package} {version} (installed in {})",
            format_duration(started.elapsed())
        );
    }
    Ok(())
}

/// A tool that comes from `cargo install`.
struct CargoTool<'a> {
    binary: &'a str,
    /// Other binaries of the same crate that must report the same version.
    companions: &'a [&'a str],
    krate: &'a str,
    version: &'a str,
    locked: bool,
    env: &'a [(&'a str, &'a str)],
    expected_time: &'a str,
}

fn ensure_trunk() -> Result<(), String> {
    ensure_cargo_tool(&CargoTool {
        binary: "trunk",
        companions: &[],
        krate: "trunk",
        version: TRUNK_VERSION,
        locked: true,
        // trunk's own release profile is fat LTO with one codegen unit: 8 min here, 6.5 without.
        env: &[
            ("CARGO_PROFILE_RELEASE_LTO", "false"),
            ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
        ],
        expected_time: "~7 min on 2 cores",
    })
}

fn ensure_geckodriver() -> Result<(), String> {
    ensure_cargo_tool(&CargoTool {
        binary: "geckodriver",
        companions: &[],
        krate: "geckodriver",
        version: GECKODRIVER_VERSION,
        locked: true,
        env: &[],
        expected_time: "~2 min",
    })
}

fn ensure_wasm_bindgen() -> Result<(), String> {
    let version = resolved_version(WASM_BINDGEN_CRATE)?;
    ensure_cargo_tool(&CargoTool {
        binary: "wasm-bindgen",
        // The test runner ships in the same crate and must match too.
        companions: &["wasm-bindgen-test-runner"],
        krate: "wasm-bindgen-cli",
        version: &version,
        // `--locked` fails: its lockfile wants a webpki-roots release the registry here lacks.
        locked: false,
        env: &[],
        expected_time: "~2.5 min",
    })
}

fn ensure_cargo_tool(tool: &CargoTool) -> Result<(), String> {
    let binaries = || std::iter::once(tool.binary).chain(tool.companions.iter().copied());
    let wrong = || {
        binaries()
            .map(|binary| (binary, version_of(binary)))
            .find(|(_, found)| found.as_deref() != Some(tool.version))
    };
    let Some((binary, found)) = wrong() else {
        println!("✓ {} {}", tool.binary, tool.version);
        return Ok(());
    };
    let found_text = found.map_or(format!("{binary} not installed"), |version| {
        format!("found {binary} {version}")
    });
    println!(
        "installing {} {} ({found_text}; cargo install, {})…",
        tool.krate, tool.version, tool.expected_time
    );
    let started = Instant::now();
    let mut install = command("cargo");
    // `--force`: reinstall even when cargo's records say this version is already there
    // (e.g. a binary was deleted by hand), since the check above says otherwise.
    install.args(["install", "--force", tool.krate, "--version", tool.version]);
    if tool.locked {
        install.arg("--locked");
    }
    install.envs(tool.env.iter().copied());
    process::run(&mut install)?;
    if let Some((binary, found)) = wrong() {
        return Err(format!(
            "installed {} {} but `{binary} --version` says {} (is another {binary} earlier on PATH? first: {})",
            tool.krate,
            tool.version,
            found.unwrap_or_else(|| "nothing".into()),
            find_on_path(binary).map_or("none".into(), |path| path.display().to_string()),
        ));
    }
    println!(
        "✓ {} {} (installed in {})",
        tool.binary,
        tool.version,
        format_duration(started.elapsed())
    );
    Ok(())
}

/// Where the tests' npm packages live: inside `target/`, so `git clean` and `cargo clean` reset them.
pub fn npm_prefix() -> PathBuf {
    repo_root().join("target").join("npm")
}

/// The esbuild the bundle hook minifies with.
pub fn esbuild() -> PathBuf {
    npm_prefix().join("node_modules/.bin/esbuild")
}

/// The pinned npm packages, installed together: a second `npm install --no-save` into the same
/// prefix would prune the first as extraneous.
fn ensure_npm_packages() -> Result<(), String> {
    let packages = [("axe-core", AXE_CORE_VERSION), ("esbuild", ESBUILD_VERSION)];
    let is_installed = |(name, version): &(&str, &str)| {
        let manifest = npm_prefix().join("node_modules").join(name).join("package.json");
        fs::read_to_string(manifest).is_ok_and(|text| text.contains(&format!("\"version\": \"{version}\"")))
    };
    let wanted: Vec<String> = packages
        .iter()
        .map(|(name, version)| format!("{name}@{version}"))
        .collect();
    if packages.iter().all(is_installed) {
        println!("✓ {} (npm, in target/npm)", wanted.join(", "));
        return Ok(());
    }
    println!("installing {} (npm, into target/npm)…", wanted.join(", "));
    let started = Instant::now();
    let prefix = npm_prefix();
    fs::create_dir_all(&prefix).map_err(|error| format!("cannot create {}: {error}", prefix.display()))?;
    process::run(
        command("npm")
            .arg("install")
            .arg("--prefix")
            .arg(&prefix)
            .args(["--no-save", "--no-audit", "--no-fund"])
            .args(&wanted),
    )?;
    println!(
        "✓ {} (installed in {})",
        wanted.join(", "),
        format_duration(started.elapsed())
    );
    Ok(())
}

fn ensure_wasm_opt() -> Result<(), String> {
    let wanted = format!(
        "version_{}",
        BINARYEN_VERSION.split('.').next().unwrap_or(BINARYEN_VERSION)
    );
    let is_wanted = |path: &Path| wasm_opt_version(path).is_some_and(|version| version.contains(&wanted));
    if let Some(first) = find_on_path("wasm-opt") {
        if is_wanted(&first) {
            println!("✓ wasm-opt {wanted} ({})", first.display());
            return Ok(());
        }
        if let Some(npm) = npm_wasm_opt().filter(|npm| is_wanted(npm)) {
            warn_shadowed(&first, &npm, &wanted);
            return Ok(());
        }
    }
    println!("installing binaryen {BINARYEN_VERSION} (npm install -g)…");
    let started = Instant::now();
    process::run(command("npm").args(["install", "-g", &format!("binaryen@{BINARYEN_VERSION}")]))?;
    match find_on_path("wasm-opt") {
        Some(first) if is_wanted(&first) => {
            println!(
                "✓ wasm-opt {wanted} (installed in {})",
                format_duration(started.elapsed())
            );
            Ok(())
        }
        Some(first) => match npm_wasm_opt().filter(|npm| is_wanted(npm)) {
            Some(npm) => {
                warn_shadowed(&first, &npm, &wanted);
                Ok(())
            }
            None => Err(format!(
                "`npm install -g binaryen@{BINARYEN_VERSION}` ran but no wasm-opt reports {wanted}"
            )),
        },
        None => Err(format!(
            "`npm install -g binaryen@{BINARYEN_VERSION}` ran but no wasm-opt is on PATH"
        )),
    }
}

/// trunk runs the first wasm-opt on PATH: if that is an older binaryen, release builds fail.
fn warn_shadowed(first: &Path, npm: &Path, wanted: &str) {
    let found = wasm_opt_version(first).unwrap_or_else(|| "unknown version".into());
    println!(
        "⚠ warning: the first wasm-opt on PATH is {} ({}), not binaryen {wanted} ({}). trunk uses the \
         first one it finds, and older binaryen releases cannot parse current wasm-bindgen output, so \
         `trunk build --release` will fail. Remove it (`cargo uninstall wasm-opt` or `apt-get remove binaryen`).",
        first.display(),
        found.trim(),
        npm.display(),
    );
}

fn wasm_opt_version(path: &Path) -> Option<String> {
    process::stdout_of(command(path).arg("--version"))
}

/// Where `npm install -g binaryen` puts wasm-opt: `$(npm prefix -g)/bin/wasm-opt`.
fn npm_wasm_opt() -> Option<PathBuf> {
    let prefix = process::stdout_of(command("npm").args(["prefix", "-g"]))?;
    Some(PathBuf::from(prefix.trim()).join("bin/wasm-opt"))
}

/// The version a tool reports: the first word starting with a digit of the first line of
/// `TOOL --version` ("trunk 0.21.14" → "0.21.14", "Mozilla Firefox 153.8.0esr" → "153.8.0esr").
fn version_of(binary: &str) -> Option<String> {
    find_on_path(binary)?;
    let text = process::stdout_of(command(binary).arg("--version"))?;
    version_in(&text).map(str::to_owned)
}

fn version_in(text: &str) -> Option<&str> {
    text.lines()
        .find(|line| !line.trim().is_empty())?
        .split_whitespace()
        .find(|word| word.starts_with(|c: char| c.is_ascii_digit()))
}

/// The version of package `name` in the workspace's resolved dependency graph (`cargo metadata`,
/// which reads and if need be refreshes Cargo.lock).
pub fn resolved_version(name: &str) -> Result<String, String> {
    let mut metadata = command("cargo");
    metadata
        .args(["metadata", "--format-version", "1"])
        .stdin(Stdio::null())
        .stderr(Stdio::inherit());
    let output = metadata
        .output()
        .map_err(|error| format!("could not run `cargo metadata`: {error}"))?;
    if !output.status.success() {
        return Err(format!("`cargo metadata` failed ({})", output.status));
    }
    let metadata: Value =
        serde_json::from_slice(&output.stdout).map_err(|error| format!("`cargo metadata` printed no JSON: {error}"))?;
    version_in_metadata(&metadata, name)
}

/// The one version of `name` among `cargo metadata`'s packages; an error when it is missing or there twice.
fn version_in_metadata(metadata: &Value, name: &str) -> Result<String, String> {
    let versions: Vec<&str> = metadata["packages"]
        .as_array()
        .ok_or("`cargo metadata` printed no `packages`")?
        .iter()
        .filter(|package| package["name"] == name)
        .filter_map(|package| package["version"].as_str())
        .collect();
    match versions.as_slice() {
        [version] => Ok((*version).to_owned()),
        [] => Err(format!(
            "the workspace resolves no `{name}` package; it should come from the widget's Cargo.toml"
        )),
        many => Err(format!(
            "the workspace resolves {} versions of `{name}` ({}); wasm-bindgen-cli can only match one",
            many.len(),
            many.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata(packages: &[(&str, &str)]) -> Value {
        let packages: Vec<Value> = packages
            .iter()
            .map(|(name, version)| serde_json::json!({"name": name, "version": version}))
            .collect();
        serde_json::json!({ "packages": packages })
    }

    #[test]
    fn reads_a_resolved_version() {
        let metadata = metadata(&[("wasm-bindgen", "0.2.130"), ("wasm-bindgen-macro", "0.2.131")]);
        assert_eq!(version_in_metadata(&metadata, "wasm-bindgen").unwrap(), "0.2.130");
        assert_eq!(version_in_metadata(&metadata, "wasm-bindgen-macro").unwrap(), "0.2.131");
    }

    #[test]
    fn a_missing_package_is_an_error() {
        let message = version_in_metadata(&metadata(&[("xtask", "0.1.0")]), "trunk").unwrap_err();
        assert!(message.contains("no `trunk` package"), "{message}");
        assert!(version_in_metadata(&Value::Null, "wasm-bindgen").is_err());
    }

    #[test]
    fn two_resolved_versions_are_an_error() {
        let metadata = metadata(&[("wasm-bindgen", "0.2.130"), ("wasm-bindgen", "0.2.100")]);
        let message = version_in_metadata(&metadata, "wasm-bindgen").unwrap_err();
        assert!(message.contains("0.2.130, 0.2.100"), "{message}");
    }

    #[test]
    fn reads_the_workspace_through_cargo_metadata() {
        assert_eq!(resolved_version("xtask").unwrap(), env!("CARGO_PKG_VERSION"));
        assert!(resolved_version(WASM_BINDGEN_CRATE).is_ok());
    }

    #[test]
    fn finds_versions_in_tool_output() {
        assert_eq!(version_in("trunk 0.21.14\n"), Some("0.21.14"));
        assert_eq!(
            version_in("geckodriver 0.37.1 (abc 2025-01-01)\n\nThe source is…"),
            Some("0.37.1")
        );
        assert_eq!(version_in("Mozilla Firefox 153.8.0esr\n"), Some("153.8.0esr"));
        assert_eq!(
            version_in("Chromium 156.0.8078.108 built on Debian\n"),
            Some("156.0.8078.108")
        );
        assert_eq!(version_in("no digits here\n"), None);
    }
}
