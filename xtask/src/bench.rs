//! `cargo xtask bench`: what the widget costs a host page, as figures (never pass/fail): bytes,
//! the first card against a hand-written JavaScript card, DOM mutations per update, memory over
//! 10,000 updates, and 100 cards on one page. Printed as a table and written to `target/bench/bench.json`.

use std::fmt::Write as _;
use std::fs;
use std::time::Duration;

use serde_json::Value;

use crate::process::{self, command, repo_root};
use crate::simulator::{self, DEFAULT_API_KEY};
use crate::static_server::StaticServer;
use crate::webdriver::Driver;
use crate::{Failure, bundle_size, header, net, setup};

/// Cold loads of each first-card page; the median is reported.
const FIRST_CARD_RUNS: usize = 15;

pub fn run() -> Result<(), Failure> {
    setup::run(true)?;
    header("trunk build --release");
    process::run(command("trunk").args(["build", "--release"]))?;

    header("1. bytes a page downloads for the first card");
    let sizes = bundle_size::measure()?;
    print!("{}", bundle_size::table(&sizes));
    println!("{}", bundle_size::check_budget(&sizes).unwrap_or_else(|over| over));
    let css = bundle_size::measure_css()?;
    println!(
        "of which the card's CSS, minified inside the wasm: raw {}, gzip {}, brotli {} (alone)",
        css.raw, css.gzip, css.brotli
    );

    simulator::build()?;
    let simulator = simulator::start(net::free_port()?, DEFAULT_API_KEY)?;
    let root = repo_root();
    let pages = StaticServer::start(vec![("dist", root.join("dist")), ("benches", root.join("benches"))])?;
    let driver = Driver::start()?;
    let api = simulator.url();
    let page = |name: &str, query: &str| format!("{}/benches/{name}?api={api}{query}", pages.url());

    header(&format!(
        "2. first card: cold loads, median of {FIRST_CARD_RUNS} (wasm widget vs the JavaScript baseline)"
    ));
    let mut widget = Vec::new();
    let mut baseline = Vec::new();
    for _ in 0..FIRST_CARD_RUNS {
        widget.push(milliseconds(
            &driver.measure(&page("first-card.html", "&impl=wasm"), Duration::from_secs(30))?,
        )?);
        baseline.push(milliseconds(
            &driver.measure(&page("first-card.html", "&impl=js"), Duration::from_secs(30))?,
        )?);
    }
    let (widget, baseline) = (median(&mut widget), median(&mut baseline));
    println!(
        "widget {widget:.1} ms, JavaScript baseline {baseline:.1} ms, ratio {:.2}",
        widget / baseline
    );

    header("3. DOM mutations per update (median of 4 steady updates)");
    let identical = mutation_counts(&driver.measure(&page("updates.html", "&job=110"), Duration::from_secs(30))?);
    let progress_only =
        mutation_counts(&driver.measure(&page("updates.html", "&job=101&status=1"), Duration::from_secs(60))?);
    println!("identical data: {identical:?}; progress and ETA only: {progress_only:?}");

    header("4. memory: one card, after 100 updates and after 10,000 more (virtual clock)");
    let memory = driver.measure(&page("memory.html", "&job=109"), Duration::from_secs(300))?;
    let memory_figure = |name: &str| number(&memory, name);
    let (wasm_before, wasm_growth) = (memory_figure("wasm_after_100")?, memory_figure("wasm_growth")?);
    let (js_before, js_growth) = (memory_figure("js_after_100")?, memory_figure("js_growth")?);
    println!(
        "wasm memory {} → grew by {} bytes; JS heap {} → grew by {} bytes",
        thousands(wasm_before),
        thousands(wasm_growth),
        thousands(js_before),
        thousands(js_growth)
    );
    // The JS heap grows while the engine warms up; the same 10,000 updates after 10,000 others
    // show whether anything is kept.
    let steady = driver.measure(&page("memory.html", "&job=109&warm=10000"), Duration::from_secs(300))?;
    let steady_js_growth = number(&steady, "js_growth")?;
    println!(
        "after 10,000 updates of warm-up, 10,000 more grow the JS heap by {} bytes",
        thousands(steady_js_growth)
    );

    header("5. many cards: 100 cards (20 jobs × 5) on one page");
    simulator::reset(&api)?;
    let many = driver.measure(&page("many-cards.html", ""), Duration::from_secs(60))?;
    let many_ms = number(&many, "ms")?;
    let requests = simulator::requests(&api)?;
    println!("all 100 cards show their job after {many_ms:.0} ms; the simulator saw {requests} requests");

    let total = bundle_size::total(&sizes);
    let rows = [
        (
            "1. bytes for one card (wasm + JS, brotli)".to_owned(),
            format!(
                "{} B (raw {} B, gzip {} B); the CSS inside the wasm is {} B brotli alone",
                thousands(total.brotli as f64),
                thousands(total.raw as f64),
                thousands(total.gzip as f64),
                thousands(css.brotli as f64)
            ),
        ),
        (
            format!("2. first card, cold, median of {FIRST_CARD_RUNS}"),
            format!(
                "{widget:.1} ms vs {baseline:.1} ms for the JS baseline: ratio {:.2}",
                widget / baseline
            ),
        ),
        (
            "3. DOM mutations per update (median)".to_owned(),
            format!(
                "{} for identical data, {} for progress and ETA",
                median_count(&identical),
                median_count(&progress_only)
            ),
        ),
        (
            "4. memory growth, 100 → 10,100 updates".to_owned(),
            format!(
                "wasm {} B (of {} B), JS heap {} B ({} B after a 10,000-update warm-up)",
                thousands(wasm_growth),
                thousands(wasm_before),
                thousands(js_growth),
                thousands(steady_js_growth)
            ),
        ),
        (
            "5. 100 cards for 20 jobs".to_owned(),
            format!("all shown after {many_ms:.0} ms, {requests} requests"),
        ),
    ];
    header("summary");
    for (figure, value) in rows {
        println!("{figure:<44} {value}");
    }

    let mut json = String::from("{\n");
    let _ = writeln!(
        json,
        "  \"bytes\": {},",
        bundle_size::json(&sizes).trim_end().replace('\n', "\n  ")
    );
    let _ = writeln!(
        json,
        "  \"css_inside_wasm\": {{\"raw\": {}, \"gzip\": {}, \"brotli\": {}}},",
        css.raw, css.gzip, css.brotli
    );
    let _ = writeln!(
        json,
        "  \"first_card_ms\": {{\"widget\": {widget:.1}, \"javascript_baseline\": {baseline:.1}, \"ratio\": {:.3}}},",
        widget / baseline
    );
    let _ = writeln!(
        json,
        "  \"mutations_per_update\": {{\"identical\": {}, \"progress_only\": {}}},",
        median_count(&identical),
        median_count(&progress_only)
    );
    let _ = writeln!(
        json,
        "  \"memory_bytes\": {{\"updates\": 10000, \"wasm_after_100\": {wasm_before}, \"wasm_growth\": {wasm_growth}, \"js_heap_after_100\": {js_before}, \"js_heap_growth\": {js_growth}, \"js_heap_growth_after_warm_up\": {steady_js_growth}}},"
    );
    let _ = writeln!(
        json,
        "  \"many_cards\": {{\"cards\": 100, \"ms\": {many_ms:.0}, \"requests\": {requests}}}"
    );
    json.push_str("}\n");
    let out = root.join("target/bench");
    fs::create_dir_all(&out).map_err(|error| format!("cannot create {}: {error}", out.display()))?;
    let file = out.join("bench.json");
    fs::write(&file, json).map_err(|error| format!("cannot write {}: {error}", file.display()))?;
    println!("written to {}", file.display());
    drop(simulator);
    Ok(())
}

/// `1234567` as `1,234,567` (negative growth keeps its sign).
fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if value < 0.0 { format!("-{grouped}") } else { grouped }
}

fn milliseconds(result: &Value) -> Result<f64, String> {
    number(result, "ms")
}

/// The number `name` in a page's result.
fn number(result: &Value, name: &str) -> Result<f64, String> {
    result[name]
        .as_f64()
        .ok_or_else(|| format!("no number `{name}` in {result}"))
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The `counts` array of an updates page's result.
fn mutation_counts(result: &Value) -> Vec<u64> {
    result["counts"]
        .as_array()
        .map(|counts| counts.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default()
}

fn median_count(counts: &[u64]) -> u64 {
    let mut sorted = counts.to_vec();
    sorted.sort_unstable();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}
