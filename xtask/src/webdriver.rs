//! Just enough of the WebDriver protocol to open a page in headless Chromium and read back what
//! the page measured (`window.benchResult`), over a bare HTTP/1.1 connection to chromedriver.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use crate::net;
use crate::process::{ChildGuard, command};

/// A running chromedriver; each [`Driver::measure`] uses a new browser, so every run starts cold.
pub struct Driver {
    address: SocketAddr,
    _process: ChildGuard,
}

impl Driver {
    pub fn start() -> Result<Driver, String> {
        let port = net::free_port()?;
        let process = ChildGuard::spawn("chromedriver", command("chromedriver").arg(format!("--port={port}")))?;
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let started = Instant::now();
        while net::status(&format!("http://{address}/status"), Duration::from_millis(500)).is_err() {
            if started.elapsed() > Duration::from_secs(20) {
                return Err("chromedriver did not answer within 20 s".into());
            }
            thread::sleep(Duration::from_millis(100));
        }
        Ok(Driver {
            address,
            _process: process,
        })
    }

    /// Opens `url` in a fresh headless browser and returns `window.benchResult` as JSON text.
    pub fn measure(&self, url: &str, timeout: Duration) -> Result<String, String> {
        let capabilities = r#"{"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {"args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1024,768", "--enable-precise-memory-info", "--js-flags=--expose-gc"]}}}}"#;
        let session = self.request("POST", "/session", capabilities)?;
        let id =
            string_field(&session, "sessionId").ok_or_else(|| format!("no session from chromedriver: {session}"))?;
        let result = self.measure_in(&id, url, timeout);
        let _ = self.request("DELETE", &format!("/session/{id}"), "");
        result
    }

    fn measure_in(&self, id: &str, url: &str, timeout: Duration) -> Result<String, String> {
        self.request(
            "POST",
            &format!("/session/{id}/url"),
            &format!("{{\"url\": \"{url}\"}}"),
        )?;
        let started = Instant::now();
        loop {
            let script =
                r#"{"script": "return window.benchResult ? JSON.stringify(window.benchResult) : null", "args": []}"#;
            let answer = self.request("POST", &format!("/session/{id}/execute/sync"), script)?;
            if let Some(result) = string_field(&answer, "value") {
                return Ok(result);
            }
            if started.elapsed() > timeout {
                return Err(format!("{url} produced no result within {} s", timeout.as_secs()));
            }
            thread::sleep(Duration::from_millis(25));
        }
    }

    fn request(&self, method: &str, path: &str, body: &str) -> Result<String, String> {
        let mut stream = TcpStream::connect(self.address).map_err(|error| format!("chromedriver: {error}"))?;
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            self.address,
            body.len()
        );
        stream
            .write_all(request.as_bytes())
            .map_err(|error| format!("chromedriver: {error}"))?;
        read_response(&mut stream).map_err(|error| format!("chromedriver: {error}"))
    }
}

/// Reads one response: chromedriver keeps the connection open whatever `Connection: close` says,
/// so the body ends where `Content-Length` (or the last chunk) says, not at end of stream.
fn read_response(stream: &mut TcpStream) -> std::io::Result<String> {
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut raw = Vec::new();
    let mut buffer = [0_u8; 8192];
    loop {
        let read = stream.read(&mut buffer)?;
        raw.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&raw);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let head = head.to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|length| length.trim().parse::<usize>().ok());
            match length {
                Some(length) if body.len() >= length => return Ok(body[..length].to_owned()),
                None if head.contains("transfer-encoding: chunked") && body.contains("\r\n0\r\n") => {
                    return Ok(dechunk(body));
                }
                _ => {}
            }
        }
        if read == 0 {
            return Ok(String::from_utf8_lossy(&raw)
                .split_once("\r\n\r\n")
                .map(|(_, body)| body.to_owned())
                .unwrap_or_default());
        }
    }
}

fn dechunk(mut rest: &str) -> String {
    let mut body = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || after.len() < size {
            break;
        }
        body += &after[..size];
        rest = after[size..].trim_start_matches("\r\n");
    }
    body
}

/// The string value of `"name": "..."` in a JSON text, unescaped; `None` when absent or not a string.
pub fn string_field(json: &str, name: &str) -> Option<String> {
    let key = format!("\"{name}\"");
    let after_key = &json[json.find(&key)? + key.len()..];
    let value = after_key
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    let mut text = String::new();
    let mut characters = value.chars();
    while let Some(character) = characters.next() {
        match character {
            '"' => return Some(text),
            '\\' => match characters.next()? {
                'n' => text.push('\n'),
                't' => text.push('\t'),
                other => text.push(other),
            },
            other => text.push(other),
        }
    }
    None
}

/// The number at `"name": N` in a JSON text.
pub fn number_field(json: &str, name: &str) -> Option<f64> {
    let key = format!("\"{name}\"");
    let after_key = &json[json.find(&key)? + key.len()..];
    let value = after_key.trim_start().strip_prefix(':')?.trim_start();
    let end = value
        .find(|c: char| !(c.is_ascii_digit() || "+-.eE".contains(c)))
        .unwrap_or(value.len());
    value[..end].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_read_from_webdriver_answers() {
        let answer = r#"{"value": "{\"ms\":123.5,\"counts\":[0,0]}"}"#;
        let result = string_field(answer, "value").unwrap();
        assert_eq!(result, r#"{"ms":123.5,"counts":[0,0]}"#);
        assert_eq!(number_field(&result, "ms"), Some(123.5));
        assert_eq!(string_field(r#"{"value": null}"#, "value"), None);
        assert_eq!(
            string_field(r#"{"value":{"sessionId":"abc","capabilities":{}}}"#, "sessionId").as_deref(),
            Some("abc")
        );
        assert_eq!(dechunk("5\r\nhello\r\n0\r\n\r\n"), "hello");
    }
}
