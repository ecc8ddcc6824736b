//! `cargo xtask bench`: what the widget costs a host page, as figures (never pass/fail): bytes,
//! the first card against a hand-written JavaScript card, DOM mutations per update, memory over
//! 10,000 updates, and 100 cards on one page. Printed as a table and written to `target/bench/bench.json`.

use std::fs;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::bundle_size::{self, AssetSize};
use crate::process::{self, command, repo_root};
use crate::simulator::{self, DEFAULT_API_KEY, Simulator};
use crate::static_server::StaticServer;
use crate::webdriver::Driver;
use crate::{Failure, header, net, setup};

/// Cold loads of each first-card page; the median is reported.
const FIRST_CARD_RUNS: usize = 15;
/// Updates the memory page makes after its first 100 (and as warm-up in the second run).
const MEMORY_UPDATES: u32 = 10_000;
/// The many-cards page: 20 jobs, 5 cards each.
const MANY_CARDS: u32 = 100;

/// One step of the bench: a title for the header and for the failure message.
#[derive(Debug, Clone, Copy)]
enum Step {
    Setup,
    TrunkBuild,
    Bytes,
    StartServers,
    FirstCard,
    Mutations,
    Memory,
    ManyCards,
    Summary,
}

const STEPS: [Step; 9] = [
    Step::Setup,
    Step::TrunkBuild,
    Step::Bytes,
    Step::StartServers,
    Step::FirstCard,
    Step::Mutations,
    Step::Memory,
    Step::ManyCards,
    Step::Summary,
];

impl Step {
    fn title(self) -> String {
        match self {
            Step::Setup => "setup".into(),
            Step::TrunkBuild => "trunk build --release".into(),
            Step::Bytes => "bytes a page downloads for the first card".into(),
            Step::StartServers => "start the API simulator, the page server and chromedriver".into(),
            Step::FirstCard => {
                format!("first card: cold loads, median of {FIRST_CARD_RUNS} (wasm widget vs the JavaScript baseline)")
            }
            Step::Mutations => "DOM mutations per update (median of 4 steady updates)".into(),
            Step::Memory => "memory: one card, after 100 updates and after 10,000 more (virtual clock)".into(),
            Step::ManyCards => "many cards: 100 cards (20 jobs × 5) on one page".into(),
            Step::Summary => "summary".into(),
        }
    }
}

pub fn run() -> Result<(), Failure> {
    let mut bench = Bench::default();
    for (index, &step) in STEPS.iter().enumerate() {
        header(&format!("[{}/{}] {}", index + 1, STEPS.len(), step.title()));
        bench.step(step).map_err(|failure| match failure {
            Failure::Message(message) => {
                Failure::Message(format!("step {} ({}) failed: {message}", index + 1, step.title()))
            }
            Failure::Reported => Failure::Reported,
        })?;
    }
    Ok(())
}

/// What the steps so far produced: the running servers and the figures.
#[derive(Default)]
struct Bench {
    /// Started by [`Step::StartServers`], stopped when the bench ends.
    servers: Option<Servers>,
    report: Report,
}

impl Bench {
    fn step(&mut self, step: Step) -> Result<(), Failure> {
        match step {
            Step::Setup => setup::run(true)?,
            Step::TrunkBuild => process::run(command("trunk").args(["build", "--release"]))?,
            Step::Bytes => (self.report.bytes, self.report.css_inside_wasm) = bytes()?,
            Step::StartServers => self.servers = Some(Servers::start()?),
            Step::FirstCard => self.report.first_card_ms = first_card(self.servers()?)?,
            Step::Mutations => self.report.mutations_per_update = mutations(self.servers()?)?,
            Step::Memory => self.report.memory_bytes = memory(self.servers()?)?,
            Step::ManyCards => self.report.many_cards = many_cards(self.servers()?)?,
            Step::Summary => {
                self.servers = None;
                print!("{}", self.report.summary());
                self.report.write()?;
            }
        }
        Ok(())
    }

    fn servers(&self) -> Result<&Servers, String> {
        self.servers
            .as_ref()
            .ok_or_else(|| "the servers are not running".into())
    }
}

/// Everything the bench pages need: the simulator, a server for `dist/` and `benches/`, a browser.
struct Servers {
    simulator: Simulator,
    pages: StaticServer,
    driver: Driver,
}

impl Servers {
    fn start() -> Result<Servers, String> {
        simulator::build()?;
        let simulator = simulator::start(net::free_port()?, DEFAULT_API_KEY)?;
        let root = repo_root();
        let pages = StaticServer::start(vec![("dist", root.join("dist")), ("benches", root.join("benches"))])?;
        let driver = Driver::start()?;
        println!("simulator {}, pages {}", simulator.url(), pages.url());
        Ok(Servers {
            simulator,
            pages,
            driver,
        })
    }

    /// Loads `benches/{page}` in a fresh browser and reads what it measured.
    fn measure<T: DeserializeOwned>(&self, page: &str, query: &str, timeout: Duration) -> Result<T, String> {
        let url = format!(
            "{}/benches/{page}?api={}{query}",
            self.pages.url(),
            self.simulator.url()
        );
        let result = self.driver.measure(&url, timeout)?;
        serde_json::from_value(result.clone()).map_err(|error| format!("{page}{query}: {error} in {result}"))
    }
}

/// What a page reports as `window.benchResult`.
#[derive(Deserialize)]
struct Timed {
    ms: f64,
}

#[derive(Deserialize)]
struct MutationCounts {
    counts: Vec<u64>,
}

#[derive(Deserialize)]
struct MemoryPage {
    wasm_after_100: i64,
    wasm_growth: i64,
    js_after_100: i64,
    js_growth: i64,
}

/// `target/bench/bench.json`.
#[derive(Debug, Default, Serialize)]
struct Report {
    /// Each file of the first card's download and their total.
    bytes: Vec<AssetSize>,
    css_inside_wasm: Compressed,
    first_card_ms: FirstCard,
    mutations_per_update: Mutations,
    memory_bytes: Memory,
    many_cards: ManyCards,
}

#[derive(Debug, Default, Serialize)]
struct Compressed {
    raw: u64,
    gzip: u64,
    brotli: u64,
}

#[derive(Debug, Default, Serialize)]
struct FirstCard {
    widget: f64,
    javascript_baseline: f64,
    ratio: f64,
}

#[derive(Debug, Default, Serialize)]
struct Mutations {
    identical: u64,
    progress_only: u64,
}

#[derive(Debug, Default, Serialize)]
struct Memory {
    updates: u32,
    wasm_after_100: i64,
    wasm_growth: i64,
    js_heap_after_100: i64,
    js_heap_growth: i64,
    js_heap_growth_after_warm_up: i64,
}

#[derive(Debug, Default, Serialize)]
struct ManyCards {
    cards: u32,
    ms: u64,
    requests: u64,
}

/// The release bundle's sizes (with a total row) and the card's CSS inside the wasm.
fn bytes() -> Result<(Vec<AssetSize>, Compressed), String> {
    let sizes = bundle_size::measure()?;
    print!("{}", bundle_size::table(&sizes));
    println!("{}", bundle_size::check_budget(&sizes).unwrap_or_else(|over| over));
    let css = bundle_size::measure_css()?;
    println!(
        "of which the card's CSS, minified inside the wasm: raw {}, gzip {}, brotli {} (alone)",
        css.raw, css.gzip, css.brotli
    );
    let total = bundle_size::total(&sizes);
    let css = Compressed {
        raw: css.raw,
        gzip: css.gzip,
        brotli: css.brotli,
    };
    Ok((sizes.into_iter().chain([total]).collect(), css))
}

fn first_card(servers: &Servers) -> Result<FirstCard, String> {
    let timeout = Duration::from_secs(30);
    let mut widget = Vec::new();
    let mut baseline = Vec::new();
    for _ in 0..FIRST_CARD_RUNS {
        widget.push(servers.measure::<Timed>("first-card.html", "&impl=wasm", timeout)?.ms);
        baseline.push(servers.measure::<Timed>("first-card.html", "&impl=js", timeout)?.ms);
    }
    let (widget, baseline) = (median(&mut widget), median(&mut baseline));
    println!(
        "widget {widget:.1} ms, JavaScript baseline {baseline:.1} ms, ratio {:.2}",
        widget / baseline
    );
    Ok(FirstCard {
        widget: rounded(widget, 1),
        javascript_baseline: rounded(baseline, 1),
        ratio: rounded(widget / baseline, 3),
    })
}

fn mutations(servers: &Servers) -> Result<Mutations, String> {
    let identical: MutationCounts = servers.measure("updates.html", "&job=110", Duration::from_secs(30))?;
    let progress_only: MutationCounts =
        servers.measure("updates.html", "&job=101&status=1", Duration::from_secs(60))?;
    println!(
        "identical data: {:?}; progress and ETA only: {:?}",
        identical.counts, progress_only.counts
    );
    Ok(Mutations {
        identical: median_count(&identical.counts),
        progress_only: median_count(&progress_only.counts),
    })
}

fn memory(servers: &Servers) -> Result<Memory, String> {
    let timeout = Duration::from_secs(300);
    let first: MemoryPage = servers.measure("memory.html", "&job=109", timeout)?;
    println!(
        "wasm memory {} → grew by {} bytes; JS heap {} → grew by {} bytes",
        thousands(first.wasm_after_100),
        thousands(first.wasm_growth),
        thousands(first.js_after_100),
        thousands(first.js_growth)
    );
    // The JS heap grows while the engine warms up; the same 10,000 updates after 10,000 others
    // show whether anything is kept.
    let steady: MemoryPage = servers.measure("memory.html", &format!("&job=109&warm={MEMORY_UPDATES}"), timeout)?;
    println!(
        "after 10,000 updates of warm-up, 10,000 more grow the JS heap by {} bytes",
        thousands(steady.js_growth)
    );
    Ok(Memory {
        updates: MEMORY_UPDATES,
        wasm_after_100: first.wasm_after_100,
        wasm_growth: first.wasm_growth,
        js_heap_after_100: first.js_after_100,
        js_heap_growth: first.js_growth,
        js_heap_growth_after_warm_up: steady.js_growth,
    })
}

fn many_cards(servers: &Servers) -> Result<ManyCards, String> {
    let api = servers.simulator.url();
    simulator::reset(&api)?;
    let shown: Timed = servers.measure("many-cards.html", "", Duration::from_secs(60))?;
    let requests = simulator::requests(&api)?;
    println!(
        "all {MANY_CARDS} cards show their job after {:.0} ms; the simulator saw {requests} requests",
        shown.ms
    );
    Ok(ManyCards {
        cards: MANY_CARDS,
        ms: shown.ms.round() as u64,
        requests,
    })
}

impl Report {
    /// One line per figure.
    fn summary(&self) -> String {
        let total = self.bytes.last().cloned().unwrap_or_else(|| bundle_size::total(&[]));
        let (first, mutations, memory, many) = (
            &self.first_card_ms,
            &self.mutations_per_update,
            &self.memory_bytes,
            &self.many_cards,
        );
        let rows = [
            (
                "bytes for one card (wasm + JS, brotli)".to_owned(),
                format!(
                    "{} B (raw {} B, gzip {} B); the CSS inside the wasm is {} B brotli alone",
                    thousands(total.brotli),
                    thousands(total.raw),
                    thousands(total.gzip),
                    thousands(self.css_inside_wasm.brotli)
                ),
            ),
            (
                format!("first card, cold, median of {FIRST_CARD_RUNS}"),
                format!(
                    "{:.1} ms vs {:.1} ms for the JS baseline: ratio {:.2}",
                    first.widget, first.javascript_baseline, first.ratio
                ),
            ),
            (
                "DOM mutations per update (median)".to_owned(),
                format!(
                    "{} for identical data, {} for progress and ETA",
                    mutations.identical, mutations.progress_only
                ),
            ),
            (
                "memory growth, 100 → 10,100 updates".to_owned(),
                format!(
                    "wasm {} B (of {} B), JS heap {} B ({} B after a 10,000-update warm-up)",
                    thousands(memory.wasm_growth),
                    thousands(memory.wasm_after_100),
                    thousands(memory.js_heap_growth),
                    thousands(memory.js_heap_growth_after_warm_up)
                ),
            ),
            (
                format!("{} cards for 20 jobs", many.cards),
                format!("all shown after {} ms, {} requests", many.ms, many.requests),
            ),
        ];
        rows.iter()
            .map(|(figure, value)| format!("{figure:<44} {value}\n"))
            .collect()
    }

    /// Writes `target/bench/bench.json`.
    fn write(&self) -> Result<(), String> {
        let out = repo_root().join("target/bench");
        fs::create_dir_all(&out).map_err(|error| format!("cannot create {}: {error}", out.display()))?;
        let file = out.join("bench.json");
        let json = serde_json::to_string_pretty(self).map_err(|error| format!("bench.json: {error}"))?;
        fs::write(&file, json + "\n").map_err(|error| format!("cannot write {}: {error}", file.display()))?;
        println!("written to {}", file.display());
        Ok(())
    }
}

/// `value` rounded to `digits` decimals, for figures that are not more precise than that.
fn rounded(value: f64, digits: i32) -> f64 {
    let scale = 10_f64.powi(digits);
    (value * scale).round() / scale
}

/// `1234567` as `1,234,567` (negative growth keeps its sign).
fn thousands(value: impl Into<i128>) -> String {
    let value = value.into();
    let digits = value.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if value < 0 { format!("-{grouped}") } else { grouped }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn median_count(counts: &[u64]) -> u64 {
    let mut sorted = counts.to_vec();
    sorted.sort_unstable();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_figures() {
        assert_eq!(thousands(1_245_184_u64), "1,245,184");
        assert_eq!(thousands(-181_000), "-181,000");
        assert_eq!(thousands(12), "12");
        assert_eq!(rounded(132.149, 1), 132.1);
        assert_eq!(rounded(1.5137, 3), 1.514);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median_count(&[2, 0, 3, 2]), 2);
        assert_eq!(median_count(&[]), 0);
    }

    #[test]
    fn reads_page_results() {
        let counts: MutationCounts = serde_json::from_str(r#"{"counts": [0, 2, 2, 3]}"#).unwrap();
        assert_eq!(median_count(&counts.counts), 2);
        let memory: MemoryPage = serde_json::from_str(
            r#"{"updates": 10000, "wasm_after_100": 1245184, "wasm_after_more": 1245184, "wasm_growth": 0,
                "js_after_100": 5000000, "js_after_more": 4819000, "js_growth": -181000}"#,
        )
        .unwrap();
        assert_eq!(memory.js_growth, -181_000);
        assert!(serde_json::from_str::<Timed>(r#"{"cards": 100}"#).is_err());
    }

    #[test]
    fn the_report_keeps_its_json_shape() {
        let report = Report {
            bytes: vec![AssetSize {
                name: "total".into(),
                raw: 3,
                gzip: 2,
                brotli: 1,
            }],
            first_card_ms: FirstCard {
                widget: 132.1,
                javascript_baseline: 87.3,
                ratio: 1.513,
            },
            ..Report::default()
        };
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(
            json["bytes"][0],
            serde_json::json!({"file": "total", "raw": 3, "gzip": 2, "brotli": 1})
        );
        assert_eq!(json["first_card_ms"]["ratio"], 1.513);
        for key in ["css_inside_wasm", "mutations_per_update", "memory_bytes", "many_cards"] {
            assert!(json[key].is_object(), "{key}");
        }
        assert!(report.summary().lines().nth(1).unwrap().contains("132.1 ms vs 87.3 ms"));
    }
}
