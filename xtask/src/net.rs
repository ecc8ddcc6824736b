//! Loopback networking: free ports, port checks, and the one HTTP client (`ureq`) every request of
//! the runner goes through.

use std::io;
use std::net::{Ipv4Addr, TcpListener};
use std::time::Duration;

use serde_json::Value;

/// How long a request to a local server may take before it counts as failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

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

/// The client for servers on loopback: plain HTTP, never through a proxy from the environment,
/// and a 4xx or 5xx is an answer to look at rather than an error.
fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .into()
}

/// The status code of `GET url`; an error only when no HTTP answer came within `timeout`.
pub fn status(url: &str, timeout: Duration) -> Result<u16, ureq::Error> {
    Ok(agent(timeout).get(url).call()?.status().as_u16())
}

/// [`status`], for a request that carries a job token.
pub fn status_with_token(url: &str, token: &str, timeout: Duration) -> Result<u16, ureq::Error> {
    let request = agent(timeout)
        .get(url)
        .header("Authorization", format!("Bearer {token}"));
    Ok(request.call()?.status().as_u16())
}

/// `GET url`, which must answer 2xx with JSON.
pub fn get_json(url: &str) -> Result<Value, String> {
    get_json_authorized(url, None)
}

/// [`get_json`] with an `Authorization` header.
pub fn get_json_authorized(url: &str, authorization: Option<&str>) -> Result<Value, String> {
    let mut request = agent(REQUEST_TIMEOUT).get(url);
    if let Some(authorization) = authorization {
        request = request.header("Authorization", authorization);
    }
    let body = checked_body(url, request.call())?;
    serde_json::from_str(&body).map_err(|error| format!("GET {url}: not JSON ({error}): {body}"))
}

/// `POST url` without a body, which must answer 2xx.
pub fn post(url: &str) -> Result<(), String> {
    checked_body(url, agent(REQUEST_TIMEOUT).post(url).send_empty()).map(drop)
}

fn checked_body(url: &str, response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<String, String> {
    let mut response = response.map_err(|error| format!("{url}: {error}"))?;
    let status = response.status();
    let body = response
        .body_mut()
        .read_to_string()
        .map_err(|error| format!("{url}: reading the body: {error}"))?;
    if status.is_success() {
        Ok(body)
    } else {
        Err(format!("{url} answered {status}: {body}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::static_server::StaticServer;

    #[test]
    fn reports_a_port_in_use() {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let message = ensure_port_free(port, "the test").unwrap_err();
        assert!(message.contains("already in use"), "{message}");
    }

    #[test]
    fn reads_answers_from_a_local_server() {
        let root = std::env::temp_dir().join(format!("xtask-net-{}", std::process::id()));
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("stats.json"), r#"{"total": 12, "jobs": {"102": 12}}"#).unwrap();
        let server = StaticServer::start(vec![("files", root.clone())]).unwrap();
        let url = |path: &str| format!("{}/files/{path}", server.url());
        let timeout = Duration::from_secs(5);
        assert_eq!(status(&url("stats.json"), timeout).unwrap(), 200);
        assert_eq!(status(&url("missing.json"), timeout).unwrap(), 404);
        assert_eq!(get_json(&url("stats.json")).unwrap()["total"], 12);
        let missing = get_json(&url("missing.json")).unwrap_err();
        assert!(missing.contains("404"), "{missing}");
        let refused = post(&url("stats.json")).unwrap_err();
        assert!(refused.contains("405"), "{refused}");
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn nothing_listening_is_an_error_not_a_status() {
        let port = free_port().unwrap();
        assert!(status(&format!("http://127.0.0.1:{port}/"), Duration::from_secs(2)).is_err());
    }
}
