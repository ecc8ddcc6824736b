//! Headless Chromium for the bench: chromedriver, driven through `fantoccini`, opens a page and
//! reads back what the page measured (`window.benchResult`).

use std::thread;
use std::time::{Duration, Instant};

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tokio::runtime::Runtime;

use crate::net;
use crate::process::{ChildGuard, command};

/// Headless, as root, and nothing that reaches for the network on its own; precise memory figures
/// and `gc()` for the memory page.
const CHROMIUM_ARGS: [&str; 12] = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1024,768",
    "--enable-precise-memory-info",
    "--js-flags=--expose-gc",
];

/// A running chromedriver; each [`Driver::measure`] uses a new browser, so every run starts cold.
pub struct Driver {
    url: String,
    /// fantoccini is async; the bench is not, so each call blocks on this one-thread runtime.
    runtime: Runtime,
    _process: ChildGuard,
}

impl Driver {
    pub fn start() -> Result<Driver, String> {
        let port = net::free_port()?;
        let process = ChildGuard::spawn("chromedriver", command("chromedriver").arg(format!("--port={port}")))?;
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while net::status(&format!("{url}/status"), Duration::from_millis(500)).is_err() {
            if started.elapsed() > Duration::from_secs(20) {
                return Err("chromedriver did not answer within 20 s".into());
            }
            thread::sleep(Duration::from_millis(100));
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| format!("cannot start the WebDriver client's runtime: {error}"))?;
        Ok(Driver {
            url,
            runtime,
            _process: process,
        })
    }

    /// Opens `page` in a fresh headless browser and returns `window.benchResult` once it is set.
    pub fn measure(&self, page: &str, timeout: Duration) -> Result<Value, String> {
        self.runtime.block_on(async {
            let browser = ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities())
                .connect(&self.url)
                .await
                .map_err(|error| format!("chromedriver gave no session: {error}"))?;
            let result = bench_result(&browser, page, timeout).await;
            // Closing the session ends this browser, so the next measurement starts cold again.
            let _ = browser.close().await;
            result
        })
    }
}

fn capabilities() -> Capabilities {
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": { "args": CHROMIUM_ARGS },
    });
    match capabilities {
        Value::Object(map) => map,
        _ => unreachable!("a JSON object literal"),
    }
}

async fn bench_result(browser: &Client, page: &str, timeout: Duration) -> Result<Value, String> {
    browser
        .goto(page)
        .await
        .map_err(|error| format!("opening {page}: {error}"))?;
    let started = Instant::now();
    loop {
        let result = browser
            .execute("return window.benchResult ?? null;", Vec::new())
            .await
            .map_err(|error| format!("reading window.benchResult on {page}: {error}"))?;
        if !result.is_null() {
            return Ok(result);
        }
        if started.elapsed() > timeout {
            return Err(format!("{page} produced no result within {} s", timeout.as_secs()));
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asks_for_headless_chromium() {
        let capabilities = capabilities();
        assert_eq!(capabilities["browserName"], "chrome");
        let args = &capabilities["goog:chromeOptions"]["args"];
        assert_eq!(args[0], "--headless=new");
        assert_eq!(args.as_array().map(Vec::len), Some(CHROMIUM_ARGS.len()));
    }
}
