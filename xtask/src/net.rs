//! Small std-only network helpers: free ports, port checks, and an HTTP status probe.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

/// A port that was free a moment ago: bind port 0, read the port the OS chose, let it go.
pub fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(|error| format!("cannot bind a free port on 127.0.0.1: {error}"))?;
    let port = listener
        .local_addr()
        .map_err(|error| format!("cannot read the bound port: {error}"))?
        .port();
    Ok(port)
}

/// Fails with a clear message when something already listens on 127.0.0.1:`port`.
pub fn ensure_port_free(port: u16, wanted_by: &str) -> Result<(), String> {
    match TcpListener::bind((Ipv4Addr::LOCALHOST, port)) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::AddrInUse => Err(format!(
            "port {port} on 127.0.0.1 is already in use, but {wanted_by} needs it \
             (is an earlier demo still running?). See what holds it with `ss -ltnp 'sport = :{port}'` \
             and stop that process (`kill <pid>`), then try again."
        )),
        Err(error) => Err(format!("cannot check port {port} on 127.0.0.1: {error}")),
    }
}

/// The status code of `GET path` on `address`, through a bare HTTP/1.1 request.
pub fn http_status(address: SocketAddr, path: &str, timeout: Duration) -> io::Result<u16> {
    let mut stream = TcpStream::connect_timeout(&address, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    // One write: `write!` on a bare socket would send the request in several pieces.
    let request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nAccept: */*\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes())?;
    // Only the status line matters: read until its end, not the whole body.
    let mut head = Vec::new();
    let mut chunk = [0u8; 512];
    while !head.windows(2).any(|pair| pair == b"\r\n") && head.len() < 8192 {
        let read = stream.read(&mut chunk)?;
        if read == 0 {
            break;
        }
        head.extend_from_slice(&chunk[..read]);
    }
    parse_status_line(&String::from_utf8_lossy(&head))
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "not an HTTP response"))
}

/// `HTTP/1.1 200 OK` → 200.
fn parse_status_line(head: &str) -> Option<u16> {
    let mut parts = head.lines().next()?.split_whitespace();
    parts.next().filter(|version| version.starts_with("HTTP/"))?;
    parts.next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_status_lines() {
        assert_eq!(
            parse_status_line("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"),
            Some(200)
        );
        assert_eq!(parse_status_line("HTTP/1.1 404 Not Found\r\n"), Some(404));
        assert_eq!(parse_status_line("SSH-2.0-OpenSSH\r\n"), None);
        assert_eq!(parse_status_line(""), None);
    }

    #[test]
    fn probes_a_local_listener() {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let address = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            // Read the whole request head before answering, like a real server.
            let mut request = Vec::new();
            let mut chunk = [0u8; 256];
            while !request.ends_with(b"\r\n\r\n") {
                let read = stream.read(&mut chunk).unwrap();
                assert!(read > 0, "the client closed before finishing its request");
                request.extend_from_slice(&chunk[..read]);
            }
            assert!(request.starts_with(b"GET /_sim/stats HTTP/1.1\r\n"));
            stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                .unwrap();
        });
        assert_eq!(
            http_status(address, "/_sim/stats", Duration::from_secs(5)).unwrap(),
            200
        );
        server.join().unwrap();
    }

    #[test]
    fn reports_a_port_in_use() {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let message = ensure_port_free(port, "the test").unwrap_err();
        assert!(message.contains("already in use"), "{message}");
    }
}
