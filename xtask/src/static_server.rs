//! The file server for the browser tests and the bench: each directory under its own prefix
//! (`/dist/…`, `/axe/…`, `/benches/…`) through tower-http's `ServeDir`, with CORS, so a test page
//! on another loopback port can import the bundle exactly as a host page would.

use std::net::{Ipv4Addr, TcpListener};
use std::path::PathBuf;
use std::thread;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::cors::CorsLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Serves `GET /{prefix}/{path}` from the directory mounted there, until the process ends.
pub struct StaticServer {
    port: u16,
}

impl StaticServer {
    /// Starts serving `mounts` (URL prefix without slashes, directory) on a free loopback port,
    /// on a thread of its own.
    pub fn start(mounts: Vec<(&'static str, PathBuf)>) -> Result<StaticServer, String> {
        // Bound here, so the port is known and taken before this returns.
        let listener =
            TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|error| format!("static server: {error}"))?;
        let port = listener
            .local_addr()
            .map_err(|error| format!("static server: {error}"))?
            .port();
        listener
            .set_nonblocking(true)
            .map_err(|error| format!("static server: {error}"))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| format!("static server: cannot start its runtime: {error}"))?;
        let app = router(mounts);
        thread::Builder::new()
            .name("static-server".into())
            .spawn(move || {
                let served = runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener)?;
                    axum::serve(listener, app).await
                });
                if let Err(error) = served {
                    eprintln!("xtask: the static server on port {port} stopped: {error}");
                }
            })
            .map_err(|error| format!("static server: {error}"))?;
        Ok(StaticServer { port })
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// One `ServeDir` per mount; every answer may be read from any origin and is never cached, so a
/// rebuilt bundle is what the next page gets.
fn router(mounts: Vec<(&'static str, PathBuf)>) -> Router {
    let router = mounts.into_iter().fold(Router::new(), |router, (prefix, directory)| {
        router.nest_service(&format!("/{prefix}"), ServeDir::new(directory))
    });
    router
        .layer(CorsLayer::new().allow_origin(tower_http::cors::Any))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-resource-policy"),
            HeaderValue::from_static("cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    /// A served directory with a JavaScript file, a wasm file and one outside the mount.
    fn fixture(name: &str) -> (PathBuf, StaticServer) {
        let root = std::env::temp_dir().join(format!("xtask-static-{name}-{}", std::process::id()));
        fs::create_dir_all(root.join("dist/sub")).unwrap();
        fs::write(root.join("dist/sub/a.js"), "x".repeat(600_000)).unwrap();
        fs::write(root.join("dist/b.wasm"), b"\0asm").unwrap();
        fs::write(root.join("secret.txt"), "outside").unwrap();
        let server = StaticServer::start(vec![("dist", root.join("dist"))]).unwrap();
        (root, server)
    }

    fn get(url: &str) -> ureq::http::Response<ureq::Body> {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .build()
            .new_agent()
            .get(url)
            .header("Origin", "http://127.0.0.1:1")
            .call()
            .unwrap()
    }

    #[test]
    fn serves_files_whole_with_cors_and_their_content_types() {
        let (root, server) = fixture("serve");
        let mut script = get(&format!("{}/dist/sub/a.js?v=1", server.url()));
        assert_eq!(script.status(), 200);
        let headers = script.headers();
        assert_eq!(headers["access-control-allow-origin"], "*");
        assert_eq!(headers["cross-origin-resource-policy"], "cross-origin");
        assert_eq!(headers["cache-control"], "no-store");
        assert_eq!(headers["content-type"], "text/javascript");
        assert_eq!(script.body_mut().read_to_string().unwrap().len(), 600_000);
        let wasm = get(&format!("{}/dist/b.wasm", server.url()));
        assert_eq!(wasm.headers()["content-type"], "application/wasm");
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn only_files_inside_a_mount_are_served() {
        let (root, server) = fixture("mounts");
        for path in [
            "/dist/../secret.txt",
            "/dist/%2e%2e/secret.txt",
            "/dist/sub/..%2f..%2fsecret.txt",
            "/secret.txt",
            "/other/sub/a.js",
            "/dist/missing.js",
        ] {
            let status = get(&format!("{}{path}", server.url())).status();
            assert!(status.is_client_error(), "{path}: {status}");
        }
        fs::remove_dir_all(root).unwrap();
    }
}
