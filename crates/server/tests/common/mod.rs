//! Test helpers shared by the HTTP test files: a tiny raw HTTP/1.1 client and a simulator on a
//! free loopback port.

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

use std::net::SocketAddr;

use tensorpix_models::decode_error_body;
use tensorpix_server::simulator::{self, SimulatorConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// False when the connection ended before the body did.
    pub complete: bool,
    /// Everything the server sent, headers and all.
    pub raw: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    pub fn detail(&self) -> String {
        decode_error_body(&self.body).unwrap_or_else(|| panic!("no detail in {:?}", self.body))
    }
}

/// Starts the simulator on a free loopback port, accepting `api_key`.
pub async fn start_simulator(api_key: &str) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let config = SimulatorConfig {
        listen: address,
        api_key: api_key.into(),
        quiet: true,
    };
    // Until the test's runtime ends: no process-wide signal handler is involved.
    tokio::spawn(simulator::serve(listener, config, std::future::pending()));
    address
}

/// A deliberately small HTTP/1.1 client: one request per connection, `Connection: close`.
pub async fn request(address: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    for (name, value) in headers {
        text += &format!("{name}: {value}\r\n");
    }
    if !body.is_empty() {
        text += &format!("Content-Type: application/json\r\nContent-Length: {}\r\n", body.len());
    }
    text += "\r\n";
    text += body;
    raw_request(address, text.as_bytes()).await
}

/// Sends `bytes` exactly as given and reads the reply until the server closes the connection.
pub async fn raw_request(address: SocketAddr, bytes: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(address).await.unwrap();
    // A server may answer and close before reading everything (a 431): that is its reply.
    let _ = stream.write_all(bytes).await;
    let mut raw = Vec::new();
    let read_ok = stream.read_to_end(&mut raw).await.is_ok();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let Some((head, rest)) = raw.split_once("\r\n\r\n") else {
        return Reply {
            status: 0,
            headers: Vec::new(),
            body: String::new(),
            complete: false,
            raw,
        };
    };
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(": "))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(name, value)| name.eq_ignore_ascii_case("transfer-encoding") && value == "chunked");
    let (body, complete) = if chunked {
        dechunk(rest)
    } else {
        (rest.to_owned(), read_ok)
    };
    Reply {
        status,
        headers,
        body,
        complete,
        raw,
    }
}

fn dechunk(mut rest: &str) -> (String, bool) {
    let mut body = String::new();
    loop {
        let Some((size, after)) = rest.split_once("\r\n") else {
            return (body, false);
        };
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            return (body, false);
        };
        if size == 0 {
            return (body, true);
        }
        if after.len() < size {
            return (body + after, false);
        }
        body += &after[..size];
        rest = after[size..].trim_start_matches("\r\n");
    }
}
