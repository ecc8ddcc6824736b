//! The file server for the browser tests and the bench: each directory under its own prefix
//! (`/dist/…`, `/axe/…`, `/benches/…`) through tower-http's `ServeDir`, with CORS, so a test page
//! on another loopback port can import the bundle exactly as a host page would; and
//! `/strict-csp.html`, a host page under the strict Content-Security-Policy the README gives.

use std::net::{Ipv4Addr, TcpListener};
use std::path::PathBuf;
use std::thread;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::cors::CorsLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::{SetResponseHeader, SetResponseHeaderLayer};

/// The mount of pages the browser tests open in a frame (the React and Vue pages).
pub const EMBEDDED_PAGES: &str = "embeds";

/// The test runner's page is cross-origin isolated (COEP `require-corp`), and a page framed in it
/// must be too, or the browser refuses to show it: the strict-CSP page and the embedded pages.
const EMBEDDER_POLICY: HeaderName = HeaderName::from_static("cross-origin-embedder-policy");
const REQUIRE_CORP: HeaderValue = HeaderValue::from_static("require-corp");

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
    let router = Router::new().route("/strict-csp.html", get(strict_csp_page));
    let router = mounts.into_iter().fold(router, |router, (prefix, directory)| {
        let files = ServeDir::new(directory);
        if prefix == EMBEDDED_PAGES {
            let isolated = SetResponseHeader::overriding(files, EMBEDDER_POLICY, REQUIRE_CORP);
            router.nest_service(&format!("/{prefix}"), isolated)
        } else {
            router.nest_service(&format!("/{prefix}"), files)
        }
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

/// A host page that allows only what the README's policy allows, delivered as a real response
/// header: scripts and the wasm from this server (`'self'`, `'wasm-unsafe-eval'`), the API and its
/// media from `?api=` (an `http://` origin), no inline script or style anywhere. `/csp/csp-probe.js`
/// (from `tests/`) records violations and errors, adds the card, and reports to the parent page.
async fn strict_csp_page(uri: Uri) -> Response {
    let api = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("api="))
        .unwrap_or_default()
        .replace("%3A", ":")
        .replace("%2F", "/");
    let is_origin = api.strip_prefix("http://").is_some_and(|host| {
        !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == ':')
    });
    if !is_origin {
        return (StatusCode::BAD_REQUEST, "?api= must be an http:// origin").into_response();
    }
    let policy = strict_csp(&api);
    let page = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Strict CSP host</title>\
                <script src=\"/csp/csp-probe.js\"></script></head><body><main><h1>Strict CSP host</h1></main>\
                <script type=\"module\" src=\"/dist/tensorpix-job-card.js\"></script></body></html>";
    (
        [
            (header::CONTENT_SECURITY_POLICY, policy),
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
        ],
        [(EMBEDDER_POLICY, REQUIRE_CORP)],
        page,
    )
        .into_response()
}

/// The policy a host page needs for the card (README, "Content-Security-Policy"), with the bundle
/// on the page's own origin and the API (and its media) on `api`.
pub fn strict_csp(api: &str) -> String {
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         connect-src 'self' {api}; img-src {api} data:; media-src {api}"
    )
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
    fn the_strict_csp_page_comes_with_its_policy_as_a_header() {
        let (root, server) = fixture("csp");
        let page = get(&format!(
            "{}/strict-csp.html?api=http%3A%2F%2F127.0.0.1%3A9",
            server.url()
        ));
        assert_eq!(page.status(), 200);
        assert_eq!(
            page.headers()["content-security-policy"],
            "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
             connect-src 'self' http://127.0.0.1:9; img-src http://127.0.0.1:9 data:; media-src http://127.0.0.1:9"
        );
        for api in ["", "?api=javascript:1", "?api=http://a;%20script-src%20*"] {
            let status = get(&format!("{}/strict-csp.html{api}", server.url())).status();
            assert_eq!(status, 400, "{api}");
        }
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
