//! The proxy's whole URL space, matched on the raw path: one job route and a health check.

use std::fmt;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `/api/jobs/{id}/`
    Job(JobId),
    /// `/healthz`
    Health,
    NotFound,
}

/// Matches the path exactly as received: nothing is decoded or normalised first, so `%2f`,
/// `%2e%2e`, `..` and doubled slashes simply do not match. The query is not part of `path`.
pub fn route(path: &str) -> Route {
    if path == "/healthz" {
        return Route::Health;
    }
    path.strip_prefix("/api/jobs/")
        .and_then(|rest| rest.strip_suffix('/'))
        .and_then(JobId::parse)
        .map_or(Route::NotFound, Route::Job)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_canonical_job_paths_match() {
        assert_eq!(route("/api/jobs/102/"), Route::Job(JobId(102)));
        assert_eq!(
            route("/api/jobs/999999999999999999/"),
            Route::Job(JobId(999_999_999_999_999_999))
        );
        assert_eq!(route("/healthz"), Route::Health);
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
            "/healthz/",
            "/_sim/stats",
            "/media/after.webm",
            "*",
            "",
        ] {
            assert_eq!(route(path), Route::NotFound, "{path}");
        }
    }
}
