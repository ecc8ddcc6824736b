//! Which URLs from the API may become links, images or video sources: only `http(s)` ones.

/// Returns the URL if it is an absolute `http:` or `https:` URL, else `None`.
///
/// The API's strings are untrusted: a `javascript:`, `data:` or protocol-relative URL must never
/// reach an `href` or `src`. Whitespace and control characters anywhere are refused too, since
/// browsers strip some of them and could read a different scheme than the one checked here.
pub fn safe_http_url(candidate: &str) -> Option<&str> {
    if candidate.is_empty() || candidate.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let (scheme, rest) = candidate.split_once(':')?;
    let is_http = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
    let host = rest
        .strip_prefix("//")?
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    (is_http && !host.is_empty() && !host.starts_with('@')).then_some(candidate)
}

/// The last path segment of a URL, for a download's file name: `https://x/a/b.mp4?sig=1` → `b.mp4`.
pub fn file_name(url: &str) -> Option<&str> {
    let path = url.split(['?', '#']).next()?;
    let (_, name) = path.rsplit_once('/')?;
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_and_https_urls_pass() {
        for url in [
            "https://cdn.example/out.mp4",
            "http://127.0.0.1:8099/media/a.webm",
            "HTTPS://X.EXAMPLE/a?b=c#d",
        ] {
            assert_eq!(safe_http_url(url), Some(url));
        }
    }

    #[test]
    fn every_other_scheme_and_shape_is_refused() {
        for url in [
            "",
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "data:image/svg+xml,<svg onload=alert(1)>",
            "vbscript:msgbox(1)",
            "file:///etc/passwd",
            "//evil.example/x.webm",
            "/relative/path.mp4",
            "https:/one-slash",
            "https://",
            "https://@evil",
            "http ://x",
            "https://exa mple.com",
            "https://example.com/\u{0}",
            "<string>",
        ] {
            assert_eq!(safe_http_url(url), None, "{url:?}");
        }
    }

    #[test]
    fn file_names_come_from_the_path() {
        assert_eq!(file_name("https://x/a/b.mp4?sig=1&x=/y"), Some("b.mp4"));
        assert_eq!(file_name("https://x/a/b.mp4#t=1"), Some("b.mp4"));
        assert_eq!(file_name("https://x/"), None);
    }
}
