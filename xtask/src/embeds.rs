//! The package as a front-end team meets it: `npm pack` of `dist/` lists exactly the files a user
//! needs; installed from that tarball into a project of its own (`target/embeds`), its manifest
//! validates against the published schema, its typings type-check a page and a React component
//! under `tsc --strict` (and reject a wrong event field, and accept every simulator job), and a React and a Vue page are
//! built against it with esbuild for the browser tests (`/embeds/react.html`, `/embeds/vue.html`).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use tensorpix_job_card::internals::contract::{
    ENTRY_FILE, MANIFEST_FILE, PACKAGE, REACT_TYPES_FILE, TYPES_FILE, VERSION,
};

use crate::bundle::wasm_file_of;
use crate::process::{self, command, repo_root};
use crate::simulator::{self, DEFAULT_API_KEY};
use crate::{net, setup};

/// Where the project is installed and built; its `www/` is what the static server serves.
pub fn project_dir() -> PathBuf {
    repo_root().join("target/embeds")
}

pub fn www_dir() -> PathBuf {
    project_dir().join("www")
}

pub fn check() -> Result<(), String> {
    let dist = repo_root().join("dist");
    let project = project_dir();
    let entry = fs::read_to_string(dist.join(ENTRY_FILE))
        .map_err(|error| format!("cannot read dist/{ENTRY_FILE} (run `trunk build --release`): {error}"))?;
    let wasm_file = wasm_file_of(&entry).ok_or("the entry names no hashed wasm")?.to_owned();
    copy_dir(&repo_root().join("tests/embeds"), &project)?;

    process::run(npm(&project).args(["install", "--no-audit", "--no-fund", "--loglevel=error"]))?;
    let tarball = pack(&dist, &project, &wasm_file)?;
    let installed = project.join("node_modules").join(PACKAGE);
    // A file: tarball of an unchanged version is not reinstalled unless the old copy is gone.
    let _ = fs::remove_dir_all(&installed);
    process::run(
        npm(&project)
            .args(["install", "--no-save", "--no-audit", "--no-fund", "--loglevel=error"])
            .arg(&tarball),
    )?;

    process::run(
        command("node")
            .current_dir(&project)
            .arg("validate-manifest.mjs")
            .arg(installed.join(MANIFEST_FILE)),
    )?;

    write_simulator_jobs(&project)?;
    let tsc = project.join("node_modules/.bin/tsc");
    process::run(command(&tsc).current_dir(&project).args(["-p", "tsconfig.json"]))?;
    println!(
        "✓ tsc --strict: a page using the element and its events, the element in React's JSX, and every simulator job type-check"
    );
    expect_type_error(&tsc, &project, "tsconfig.wrong.json", "downloadURL")?;

    build_pages(&project, &installed, &wasm_file)?;
    Ok(())
}

fn npm(project: &Path) -> Command {
    let mut npm = command("npm");
    npm.current_dir(project);
    npm
}

/// `npm pack` of `dist/` into `project`; fails unless it holds exactly the package's files.
fn pack(dist: &Path, project: &Path, wasm_file: &str) -> Result<PathBuf, String> {
    let output = npm(dist)
        .args(["pack", "--json", "--loglevel=error", "--pack-destination"])
        .arg(project)
        .output()
        .map_err(|error| format!("cannot run npm pack: {error}"))?;
    if !output.status.success() {
        return Err(format!(
            "npm pack failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let report: Value = serde_json::from_slice(&output.stdout).map_err(|error| format!("npm pack --json: {error}"))?;
    let packed: BTreeSet<&str> = report[0]["files"]
        .as_array()
        .ok_or("npm pack --json listed no files")?
        .iter()
        .filter_map(|file| file["path"].as_str())
        .collect();
    let expected: BTreeSet<&str> = [
        "package.json",
        "README.md",
        ENTRY_FILE,
        wasm_file,
        TYPES_FILE,
        REACT_TYPES_FILE,
        MANIFEST_FILE,
    ]
    .into();
    if packed != expected {
        return Err(format!(
            "npm pack of dist/ holds {packed:?}, but a user needs exactly {expected:?}"
        ));
    }
    let filename = report[0]["filename"]
        .as_str()
        .ok_or("npm pack --json named no tarball")?;
    println!(
        "✓ npm pack: {filename} ({} bytes, {}) holds exactly {}",
        report[0]["size"],
        VERSION,
        expected.iter().copied().collect::<Vec<_>>().join(", ")
    );
    Ok(project.join(filename))
}

/// Every job the simulator serves, as a TypeScript constant typed `TensorpixJob[]`.
fn write_simulator_jobs(project: &Path) -> Result<(), String> {
    simulator::build()?;
    let simulator = simulator::start(net::free_port()?, DEFAULT_API_KEY)?;
    let list = net::get_json_authorized(
        &format!("{}/api/jobs/?limit=100", simulator.url()),
        Some(&format!("Token {DEFAULT_API_KEY}")),
    )?;
    let jobs = list["results"]
        .as_array()
        .filter(|jobs| !jobs.is_empty())
        .ok_or("the simulator listed no jobs")?;
    let text = format!(
        "// Written by `cargo xtask test`: every job the simulator serves must be a TensorpixJob.\n\
         import type {{ TensorpixJob }} from \"{PACKAGE}\";\n\n\
         export const jobs: TensorpixJob[] = {};\n",
        serde_json::to_string_pretty(jobs).map_err(|error| error.to_string())?
    );
    let path = project.join("simulator-jobs.ts");
    fs::write(&path, text).map_err(|error| format!("cannot write {}: {error}", path.display()))
}

/// Runs `tsc -p config`, which must fail, naming `needle`.
fn expect_type_error(tsc: &Path, project: &Path, config: &str, needle: &str) -> Result<(), String> {
    let output = command(tsc)
        .current_dir(project)
        .args(["-p", config])
        .output()
        .map_err(|error| format!("cannot run tsc: {error}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if output.status.success() || !text.contains(needle) {
        return Err(format!(
            "tsc -p {config} should fail on `{needle}`, but it {}: {text}",
            if output.status.success() {
                "passed"
            } else {
                "failed otherwise"
            }
        ));
    }
    println!(
        "✓ tsc --strict rejects a wrong event field: {}",
        text.lines().next().unwrap_or_default()
    );
    Ok(())
}

/// The React and the Vue page, bundled with the installed package, beside the wasm it loads.
fn build_pages(project: &Path, installed: &Path, wasm_file: &str) -> Result<(), String> {
    let www = project.join("www");
    fs::create_dir_all(&www).map_err(|error| format!("cannot create {}: {error}", www.display()))?;
    let esbuild = setup::esbuild();
    let production = "--define:process.env.NODE_ENV=\"production\"";
    let pages: [(&str, &str, &[&str]); 2] = [
        ("react", "react/main.jsx", &["--jsx=automatic"]),
        (
            "vue",
            "vue/main.js",
            &[
                // The full build compiles the page's templates, as Vue's compiler does in a build.
                "--alias:vue=vue/dist/vue.esm-bundler.js",
                "--define:__VUE_OPTIONS_API__=true",
                "--define:__VUE_PROD_DEVTOOLS__=false",
                "--define:__VUE_PROD_HYDRATION_MISMATCH_DETAILS__=false",
            ],
        ),
    ];
    for (name, source, flags) in pages {
        process::run(
            command(&esbuild)
                .current_dir(project)
                .arg(source)
                .args([
                    "--bundle",
                    "--format=esm",
                    "--minify",
                    "--log-level=warning",
                    production,
                ])
                .args(flags)
                .arg(format!("--outfile=www/{name}.js")),
        )?;
        copy(&project.join(format!("{name}.html")), &www.join(format!("{name}.html")))?;
    }
    // esbuild leaves `new URL(wasm, import.meta.url)` alone, so the wasm goes beside the bundles.
    copy(&installed.join(wasm_file), &www.join(wasm_file))?;
    println!("✓ React and Vue pages built with esbuild into {}", www.display());
    Ok(())
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    fs::copy(from, to)
        .map(drop)
        .map_err(|error| format!("cannot copy {} to {}: {error}", from.display(), to.display()))
}

/// Copies the files of `from` into `to`, folders included.
fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    fs::create_dir_all(to).map_err(|error| format!("cannot create {}: {error}", to.display()))?;
    let entries = fs::read_dir(from).map_err(|error| format!("cannot read {}: {error}", from.display()))?;
    for entry in entries {
        let path = entry.map_err(|error| error.to_string())?.path();
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_dir(&path, &target)?;
        } else {
            copy(&path, &target)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    /// The README's snippets are the files the browser tests run and tsc checks, word for word.
    #[test]
    fn the_readme_shows_the_tested_snippets() {
        let readme = include_str!("../../README.md");
        for (file, component) in [
            (
                "react/JobStatus.jsx",
                include_str!("../../tests/embeds/react/JobStatus.jsx"),
            ),
            ("vue/JobStatus.js", include_str!("../../tests/embeds/vue/JobStatus.js")),
            (
                "readme-snippet.ts",
                include_str!("../../tests/embeds/readme-snippet.ts"),
            ),
        ] {
            assert!(
                readme.contains(component),
                "the README does not show tests/embeds/{file} as it is"
            );
        }
    }
}
