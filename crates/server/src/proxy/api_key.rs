//! The TensorPix API key the proxy adds upstream: read from the environment or a file, never shown.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

use http::HeaderValue;

/// The environment variable the proxy reads its key from.
pub const API_KEY_VARIABLE: &str = "TENSORPIX_API_KEY";

/// A TensorPix API key. It has no `Display`, and its `Debug` hides the key, so no format string,
/// log line or panic message can print it by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl fmt::Debug for ApiKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("ApiKey(<hidden>)")
    }
}

/// Where a key came from, for messages that must not contain the key itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Environment,
    File(PathBuf),
}

impl fmt::Display for KeySource {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySource::Environment => write!(formatter, "the {API_KEY_VARIABLE} environment variable"),
            KeySource::File(path) => write!(formatter, "the file {}", path.display()),
        }
    }
}

/// Why the proxy has no usable key. No message contains the key itself.
#[derive(Debug, thiserror::Error)]
pub enum ApiKeyError {
    #[error(
        "no API key: set the {API_KEY_VARIABLE} environment variable or pass --api-key-file PATH \
         (the proxy never takes a key on the command line, where `ps` and shell history show it)"
    )]
    Missing,
    #[error("cannot read the API key file {}: {source}", path.display())]
    Unreadable { path: PathBuf, source: std::io::Error },
    #[error("the API key in {0} is empty")]
    Empty(KeySource),
    /// Spaces, control characters or non-ASCII: it could not go in an `Authorization` header as-is.
    #[error("the API key in {0} contains spaces, control or non-ASCII characters")]
    Malformed(KeySource),
}

impl ApiKey {
    /// Checks a key's text; surrounding whitespace (a file's final newline) is dropped.
    pub fn new(text: &str, source: KeySource) -> Result<ApiKey, ApiKeyError> {
        let key = text.trim();
        if key.is_empty() {
            return Err(ApiKeyError::Empty(source));
        }
        if !key.bytes().all(|byte| byte.is_ascii_graphic()) {
            return Err(ApiKeyError::Malformed(source));
        }
        Ok(ApiKey(key.to_owned()))
    }

    /// The key from `file` when one is named (an explicit file wins over the environment),
    /// otherwise from `environment`, the value of [`API_KEY_VARIABLE`].
    pub fn load(file: Option<&Path>, environment: Option<OsString>) -> Result<ApiKey, ApiKeyError> {
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|source| ApiKeyError::Unreadable {
                path: path.to_owned(),
                source,
            })?;
            return ApiKey::new(&text, KeySource::File(path.to_owned()));
        }
        let Some(value) = environment.filter(|value| !value.is_empty()) else {
            return Err(ApiKeyError::Missing);
        };
        let text = value
            .into_string()
            .map_err(|_| ApiKeyError::Malformed(KeySource::Environment))?;
        ApiKey::new(&text, KeySource::Environment)
    }

    /// `Token KEY`, marked sensitive so HTTP libraries leave it out of their debug output.
    pub fn authorization(&self) -> HeaderValue {
        let mut value = HeaderValue::try_from(format!("Token {}", self.0)).expect("checked to be visible ASCII");
        value.set_sensitive(true);
        value
    }

    /// The key itself, for the one place that needs it: tests that search output for it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_supplies_the_key() {
        let key = ApiKey::load(None, Some("tpx-demo-key\n".into())).unwrap();
        assert_eq!(key.expose(), "tpx-demo-key");
        assert_eq!(key.authorization(), "Token tpx-demo-key");
        assert!(key.authorization().is_sensitive());
    }

    #[test]
    fn a_named_file_wins_over_the_environment() {
        let path = std::env::temp_dir().join(format!("tensorpix-key-test-{}", std::process::id()));
        std::fs::write(&path, "from-the-file\n").unwrap();
        let key = ApiKey::load(Some(&path), Some("from-the-environment".into())).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(key.expose(), "from-the-file");
    }

    #[test]
    fn a_missing_or_bad_key_is_explained_without_echoing_it() {
        let missing = ApiKey::load(None, None).unwrap_err().to_string();
        assert!(
            missing.contains("TENSORPIX_API_KEY") && missing.contains("--api-key-file"),
            "{missing}"
        );
        assert!(matches!(ApiKey::load(None, Some("".into())), Err(ApiKeyError::Missing)));
        assert!(matches!(
            ApiKey::load(None, Some("  \n".into())),
            Err(ApiKeyError::Empty(KeySource::Environment))
        ));
        let spaced = ApiKey::load(None, Some("secret with spaces".into()))
            .unwrap_err()
            .to_string();
        assert!(!spaced.contains("secret"), "{spaced}");
        let unreadable = ApiKey::load(Some(Path::new("/nonexistent/key")), None).unwrap_err();
        assert!(unreadable.to_string().contains("/nonexistent/key"));
    }

    #[test]
    fn debug_output_hides_the_key() {
        let key = ApiKey::new("super-secret", KeySource::Environment).unwrap();
        assert_eq!(format!("{key:?}"), "ApiKey(<hidden>)");
        assert!(!format!("{:?}", key.authorization()).contains("super-secret"));
    }
}
