//! A small static file server for the browser tests: the built `dist/` and axe-core, with CORS, so
//! a test page on another loopback port can import the bundle exactly as a host page would.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::{fs, thread};

/// Serves `GET /{mount}/{path}` from the directory mounted there, until the process ends.
pub struct StaticServer {
    port: u16,
}

impl StaticServer {
    /// Starts serving `mounts` (URL prefix without slashes, directory) on a free loopback port.
    pub fn start(mounts: Vec<(&'static str, PathBuf)>) -> Result<StaticServer, String> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|error| format!("static server: {error}"))?;
        let port = listener.local_addr().map_err(|error| error.to_string())?.port();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mounts = mounts.clone();
                thread::spawn(move || {
                    let _ = serve(stream, &mounts);
                });
            }
        });
        Ok(StaticServer { port })
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

fn serve(mut stream: TcpStream, mounts: &[(&'static str, PathBuf)]) -> std::io::Result<()> {
    let mut request_line = String::new();
    let mut reader = BufReader::new(stream.try_clone()?);
    reader.read_line(&mut request_line)?;
    // Drain the headers; nothing in them changes the answer.
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    let mut words = request_line.split_whitespace();
    let (method, target) = (words.next().unwrap_or_default(), words.next().unwrap_or_default());
    let file = (method == "GET").then(|| resolve(target, mounts)).flatten();
    let (status, content_type, body) = match file.and_then(|path| Some((content_type(&path), fs::read(&path).ok()?))) {
        Some((content_type, body)) => ("200 OK", content_type, body),
        None => ("404 Not Found", "text/plain", b"not found".to_vec()),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Access-Control-Allow-Origin: *\r\nCross-Origin-Resource-Policy: cross-origin\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(&body)
}

/// Maps a request target to a file under one of the mounts; `..` and other tricks map to nothing.
fn resolve(target: &str, mounts: &[(&'static str, PathBuf)]) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next()?.strip_prefix('/')?;
    let (mount, rest) = path.split_once('/')?;
    let (_, root) = mounts.iter().find(|(name, _)| *name == mount)?;
    let relative = Path::new(rest);
    if rest.contains('%') || !relative.components().all(|part| matches!(part, Component::Normal(_))) {
        return None;
    }
    let file = root.join(relative);
    file.is_file().then_some(file)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|extension| extension.to_str()) {
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn serves_large_files_whole_with_cors() {
        let root = std::env::temp_dir().join(format!("xtask-serve-{}", std::process::id()));
        fs::create_dir_all(&root).unwrap();
        let big = "x".repeat(600_000);
        fs::write(root.join("big.js"), &big).unwrap();
        let server = StaticServer::start(vec![("files", root.clone())]).unwrap();
        let mut stream = TcpStream::connect(server.url().trim_start_matches("http://")).unwrap();
        stream
            .write_all(b"GET /files/big.js HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n")
            .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
        assert!(head.contains("Access-Control-Allow-Origin: *"));
        assert!(head.contains("Content-Type: text/javascript"));
        assert_eq!(body.len(), big.len());
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn only_files_inside_a_mount_resolve() {
        let root = std::env::temp_dir().join(format!("xtask-static-{}", std::process::id()));
        fs::create_dir_all(root.join("sub")).unwrap();
        fs::write(root.join("sub/a.js"), "x").unwrap();
        let mounts = vec![("dist", root.clone())];
        assert_eq!(resolve("/dist/sub/a.js?v=1", &mounts), Some(root.join("sub/a.js")));
        for bad in [
            "/dist/../Cargo.toml",
            "/dist/sub/../../x",
            "/dist/%2e%2e/x",
            "/other/sub/a.js",
            "/dist/sub",
            "dist/a",
        ] {
            assert_eq!(resolve(bad, &mounts), None, "{bad}");
        }
        assert_eq!(content_type(Path::new("x.wasm")), "application/wasm");
        fs::remove_dir_all(root).unwrap();
    }
}
