//! `cargo xtask test`: the whole check CI runs (lint, native tests, release build, browser tests).

use std::process::Command;

use crate::bundle_size;
use crate::process::{self, cargo_bin_dir, command, find_on_path};
use crate::results::{TestCounts, parse_test_results};
use crate::server::{self, Profile, ProxyOptions};
use crate::simulator::{self, DEFAULT_API_KEY, Simulator};
use crate::static_server::{self, StaticServer};
use crate::{Failure, embeds, header, net, setup};

/// The job-token secret of the browser tests' proxy: a test value, known to the tests, which mint
/// their tokens with it (the proxy wants at least 32 bytes).
const TEST_TOKEN_SECRET: &str = "test-secret-for-job-tokens-0123456789";

/// The browsers the widget's tests run in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Browser {
    #[value(alias = "chrome")]
    Chromium,
    Firefox,
}

impl Browser {
    fn name(self) -> &'static str {
        match self {
            Browser::Chromium => "Chromium",
            Browser::Firefox => "Firefox",
        }
    }

    /// Points wasm-bindgen-test-runner at this browser's webdriver. The runner takes GECKODRIVER
    /// over CHROMEDRIVER and otherwise the first driver on PATH, so the other one must be unset.
    fn select_driver(self, command: &mut Command) -> Result<(), String> {
        for other in ["GECKODRIVER", "CHROMEDRIVER", "SAFARIDRIVER", "MSEDGEDRIVER"] {
            command.env_remove(other);
        }
        let (variable, driver) = match self {
            Browser::Chromium => (
                "CHROMEDRIVER",
                find_on_path("chromedriver").unwrap_or_else(|| "/usr/bin/chromedriver".into()),
            ),
            Browser::Firefox => (
                "GECKODRIVER",
                find_on_path("geckodriver").unwrap_or_else(|| cargo_bin_dir().join("geckodriver")),
            ),
        };
        if !driver.is_file() {
            return Err(format!(
                "{} not found for the {} tests; `cargo xtask setup` installs it",
                driver.display(),
                self.name()
            ));
        }
        command.env(variable, driver);
        Ok(())
    }
}

/// `cargo xtask test` options.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct Options {
    /// Skip `cargo fmt --check` and both clippy runs (faster local iteration)
    #[arg(long)]
    pub skip_lint: bool,
    /// Run the browser tests in this browser only (default: both)
    #[arg(long, value_enum, ignore_case = true)]
    pub browser: Option<Browser>,
}

impl Options {
    /// The browsers to run the tests in.
    pub fn browsers(&self) -> Vec<Browser> {
        self.browser
            .map_or_else(|| vec![Browser::Chromium, Browser::Firefox], |browser| vec![browser])
    }
}

/// One step of the run: a title for the header and for the failure message.
#[derive(Debug, Clone, Copy)]
enum Step {
    Setup,
    Fmt,
    ClippyNative,
    ClippyWasm,
    NativeTests,
    DocExamples,
    TrunkBuild,
    BundleBudget,
    StartSimulator,
    Package,
    BrowserTests(Browser),
}

impl Step {
    fn title(self) -> String {
        match self {
            Step::Setup => "setup".into(),
            Step::Fmt => "cargo fmt --all --check".into(),
            Step::ClippyNative => "cargo clippy --workspace --all-targets -- -D warnings".into(),
            Step::ClippyWasm => {
                "cargo clippy -p tensorpix-job-card --target wasm32-unknown-unknown --all-targets -- -D warnings".into()
            }
            Step::NativeTests => "native tests: cargo test --workspace --all-targets --no-fail-fast".into(),
            Step::DocExamples => "doc examples: cargo test --doc, natively and for wasm32 (compiled, not run)".into(),
            Step::TrunkBuild => "trunk build --release".into(),
            Step::BundleBudget => "bundle size within bundle-budget.txt".into(),
            Step::StartSimulator => "build the API simulator and start the bundle server".into(),
            Step::Package => {
                "the npm package: npm pack, manifest schema, tsc --strict, React and Vue pages (esbuild)".into()
            }
            Step::BrowserTests(browser) => format!("{} tests (wasm-bindgen-test)", browser.name()),
        }
    }
}

/// What the run has so far: the simulator (stopped when this drops) and each suite's counts.
#[derive(Default)]
struct Run {
    simulator: Option<Simulator>,
    /// The proxy in front of the simulator, requiring job tokens (stopped before the simulator).
    proxy: Option<server::Server>,
    /// Where the bundle server serves `dist/` and axe-core (it lives as long as the process).
    bundle_url: Option<String>,
    suites: Vec<(String, TestCounts)>,
}

pub fn run(options: &Options) -> Result<(), Failure> {
    let mut steps = vec![Step::Setup];
    if !options.skip_lint {
        steps.extend([Step::Fmt, Step::ClippyNative, Step::ClippyWasm]);
    }
    steps.extend([
        Step::NativeTests,
        Step::DocExamples,
        Step::TrunkBuild,
        Step::BundleBudget,
        Step::StartSimulator,
        Step::Package,
    ]);
    steps.extend(options.browsers().into_iter().map(Step::BrowserTests));

    let mut run = Run::default();
    for (index, &step) in steps.iter().enumerate() {
        header(&format!("[{}/{}] {}", index + 1, steps.len(), step.title()));
        if let Err(failure) = run.step(step) {
            let message = match failure {
                Failure::Message(message) => message,
                Failure::Reported => "see the output above".into(),
            };
            eprintln!(
                "\nxtask: error: step {} ({}) failed: {message}",
                index + 1,
                step.title()
            );
            // Stop the servers before the summary, so their shutdown can't interleave with it.
            drop(run.proxy.take());
            drop(run.simulator.take());
            if !run.suites.is_empty() {
                print_summary(&run.suites);
            }
            return Err(Failure::Reported);
        }
    }
    drop(run.proxy.take());
    drop(run.simulator.take());
    print_summary(&run.suites);
    // Every step checked its own exit status; a summed failure count would already have failed.
    Ok(())
}

impl Run {
    fn step(&mut self, step: Step) -> Result<(), Failure> {
        match step {
            Step::Setup => setup::run(true)?,
            Step::Fmt => process::run(command("cargo").args(["fmt", "--all", "--check"]))?,
            Step::ClippyNative => {
                process::run(command("cargo").args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?
            }
            Step::ClippyWasm => process::run(command("cargo").args([
                "clippy",
                "-p",
                "tensorpix-job-card",
                "--target",
                "wasm32-unknown-unknown",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]))?,
            Step::NativeTests => {
                let mut test = command("cargo");
                test.args(["test", "--workspace", "--all-targets", "--no-fail-fast"]);
                self.test_suite("native tests", &mut test)?;
            }
            Step::DocExamples => {
                // `--all-targets` leaves doc tests out; the card's example only exists on wasm32.
                process::run(command("cargo").args(["test", "--doc", "--workspace"]))?;
                process::run(command("cargo").args([
                    "test",
                    "--doc",
                    "-p",
                    "tensorpix-job-card",
                    "--target",
                    "wasm32-unknown-unknown",
                ]))?
            }
            Step::TrunkBuild => process::run(command("trunk").args(["build", "--release"]))?,
            Step::BundleBudget => {
                let sizes = bundle_size::measure()?;
                print!("{}", bundle_size::table(&sizes));
                println!("{}", bundle_size::check_budget(&sizes)?);
            }
            Step::StartSimulator => {
                simulator::build()?;
                // The built bundle and axe-core, for tests that load `dist/` the way a host page does.
                let root = process::repo_root();
                let server = StaticServer::start(vec![
                    ("dist", root.join("dist")),
                    // The strict-CSP page's probe script (`/strict-csp.html`).
                    ("csp", root.join("tests/csp")),
                    ("axe", setup::npm_prefix().join("node_modules/axe-core")),
                    // The React and Vue pages, built in the next step.
                    (static_server::EMBEDDED_PAGES, embeds::www_dir()),
                ])?;
                println!("bundle server ready on {}", server.url());
                self.bundle_url = Some(server.url());
            }
            Step::Package => embeds::check()?,
            Step::BrowserTests(browser) => {
                // A simulator of its own for each browser: no fault rule, clock or counter left by
                // one browser's run can reach the other's.
                drop(self.proxy.take());
                drop(self.simulator.take());
                let simulator = simulator::start(net::free_port()?, DEFAULT_API_KEY)?;
                println!("simulator ready on {}", simulator.url());
                let url = simulator.url();
                self.simulator = Some(simulator);
                // The production set-up in front of it: the tests mint their own job tokens.
                let proxy = server::start_proxy(&ProxyOptions {
                    binary: &server::binary_path(Profile::Debug),
                    port: net::free_port()?,
                    upstream: &url,
                    // The test pages' origin is the test runner's, on a port chosen at run time.
                    allow_origin: "*",
                    api_key: DEFAULT_API_KEY,
                    token_secret: TEST_TOKEN_SECRET,
                    quiet: true,
                    discard_log: true,
                    extra_args: &[],
                })?;
                println!("proxy (job tokens) ready on {}", proxy.url());
                let proxy_url = proxy.url();
                self.proxy = Some(proxy);
                let mut test = command("cargo");
                test.args([
                    "test",
                    "-p",
                    "tensorpix-job-card",
                    "--target",
                    "wasm32-unknown-unknown",
                    "--tests",
                    "--no-fail-fast",
                ])
                // Read by the tests at compile time (`option_env!`).
                .env("TENSORPIX_SIMULATOR_URL", url)
                .env("TENSORPIX_BUNDLE_URL", self.bundle_url.as_deref().unwrap_or_default())
                .env("TENSORPIX_PROXY_URL", proxy_url)
                .env("TENSORPIX_TOKEN_SECRET", TEST_TOKEN_SECRET)
                // The default 20 s is tight for a cold browser on 2 cores.
                .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
                browser.select_driver(&mut test)?;
                let counts = self.test_suite(&format!("{} tests", browser.name()), &mut test)?;
                if counts.passed == 0 {
                    return Err(format!("no browser test ran in {}", browser.name()).into());
                }
            }
        }
        Ok(())
    }

    /// Runs a `cargo test`, echoing and capturing its output; records the summed counts.
    fn test_suite(&mut self, label: &str, command: &mut Command) -> Result<TestCounts, String> {
        let (status, output) = process::run_tee(command)?;
        let counts = parse_test_results(&output);
        self.suites.push((label.to_owned(), counts));
        if !status.success() {
            let found = if counts.result_lines == 0 {
                "no `test result:` line, so it failed before any test ran".to_owned()
            } else {
                counts.to_string()
            };
            return Err(format!("`{}` failed ({status}; {found})", process::describe(command)));
        }
        if counts.failed > 0 {
            return Err(format!("{label}: {counts}"));
        }
        Ok(counts)
    }
}

/// The closing block; its last line, `N passed, M failed`, is what CI reads.
fn print_summary(suites: &[(String, TestCounts)]) {
    let total = suites
        .iter()
        .fold(TestCounts::default(), |total, (_, counts)| total.add(*counts));
    let addends = suites
        .iter()
        .map(|(_, counts)| counts.passed.to_string())
        .collect::<Vec<_>>()
        .join("+");
    println!("\nSummary");
    for (label, counts) in suites {
        println!("  {label:<16} {counts}");
    }
    println!("  {:<16} {addends} = {total}", "total");
    println!("{total}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, clap::Parser)]
    struct Command {
        #[command(flatten)]
        options: Options,
    }

    fn parse(line: &str) -> Result<Options, String> {
        use clap::Parser;
        Command::try_parse_from(["test"].into_iter().chain(line.split_whitespace()))
            .map(|command| command.options)
            .map_err(|error| error.to_string())
    }

    #[test]
    fn runs_everything_by_default() {
        let options = parse("").unwrap();
        assert!(!options.skip_lint);
        assert_eq!(options.browsers(), [Browser::Chromium, Browser::Firefox]);
    }

    #[test]
    fn takes_its_flags() {
        let options = parse("--skip-lint --browser firefox").unwrap();
        assert!(options.skip_lint);
        assert_eq!(options.browsers(), [Browser::Firefox]);
        assert_eq!(parse("--browser=Chromium").unwrap().browsers(), [Browser::Chromium]);
        assert_eq!(parse("--browser chrome").unwrap().browsers(), [Browser::Chromium]);
    }

    #[test]
    fn rejects_bad_flags() {
        assert!(parse("--browser").unwrap_err().contains("a value is required"));
        assert!(parse("--browser safari").unwrap_err().contains("safari"));
        assert!(parse("--fast").unwrap_err().contains("--fast"));
    }
}
