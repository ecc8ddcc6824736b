//! The job route's guard: axum routes `/api/jobs/{id}/`, and then only a canonical id, matched
//! on the raw path, gets through to the handler.

use std::fmt;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

use crate::answer::detail;

/// A job id as the proxy accepts it: 1 to 18 ASCII digits without a leading zero, so it is
/// positive, fits an `i64`, and each job has exactly one URL (one cache entry, one CDN key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct JobId(i64);

/// The most digits an id may have: every 18-digit number fits an `i64`.
const MAX_DIGITS: usize = 18;

impl JobId {
    pub fn parse(text: &str) -> Option<JobId> {
        let bytes = text.as_bytes();
        let well_formed =
            (1..=MAX_DIGITS).contains(&bytes.len()) && bytes.iter().all(u8::is_ascii_digit) && bytes[0] != b'0';
        well_formed.then(|| JobId(text.parse().expect("at most 18 digits fit an i64")))
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(formatter)
    }
}

/// The job a path names, matched exactly as received: nothing is decoded or normalised first, so
/// `%2f`, `%2e%2e`, `..` and doubled slashes simply do not match. The query is not part of `path`.
pub fn job_id(path: &str) -> Option<JobId> {
    path.strip_prefix("/api/jobs/")
        .and_then(|rest| rest.strip_suffix('/'))
        .and_then(JobId::parse)
}

/// Middleware on the job route, in front of its methods: a path that is not a canonical job
/// gets the same 404 as any unknown path, whatever the method (axum's `{id}` matches `%31` or
/// `0102` too, and its `Path` extractor would decode them). The handler finds the [`JobId`] in
/// the request's extensions.
pub async fn canonical_job(mut request: Request, next: Next) -> Response {
    match job_id(request.uri().path()) {
        Some(job) => {
            request.extensions_mut().insert(job);
            next.run(request).await
        }
        None => detail(StatusCode::NOT_FOUND, "Not found."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_canonical_job_paths_match() {
        assert_eq!(job_id("/api/jobs/102/"), Some(JobId(102)));
        assert_eq!(
            job_id("/api/jobs/999999999999999999/"),
            Some(JobId(999_999_999_999_999_999))
        );
        for path in [
            "/api/jobs/",
            "/api/jobs//",
            "/api/jobs/102",
            "/api/jobs/102//",
            "/api/jobs/0/",
            "/api/jobs/0102/",
            "/api/jobs/-1/",
            "/api/jobs/+1/",
            "/api/jobs/1e3/",
            "/api/jobs/%31/",
            "/api/jobs/1%2f/",
            "/api/jobs/..%2f..%2f_sim/stats/",
            "/api/jobs/%2e%2e/",
            "/api/jobs/1/../../_sim/reset",
            "/api/jobs/1/extra/",
            "/api/jobs/１２/",
            "/api/jobs/9999999999999999999/",
            "/api/jobs/99999999999999999999/",
            "//api/jobs/1/",
            "/API/jobs/1/",
            "/healthz",
            "/healthz/",
            "/_sim/stats",
            "/media/after.webm",
            "*",
            "",
        ] {
            assert_eq!(job_id(path), None, "{path}");
        }
    }
}
