//! Job tokens: which job a visitor may see. The site's backend mints one per job and page view, a
//! standard JWT (RFC 7519) signed with HS256 under a secret it shares with the proxy, the way
//! hosted video signs playback URLs:
//!
//! - `sub`: the job id as a decimal string (`"4711"`), required;
//! - `exp`: when it expires, in seconds since 1970, required;
//! - `nbf`: not before, optional; any other claim is ignored, except that a token naming an
//!   audience (`aud`) is refused, as RFC 7519 asks of a recipient that is not in it.
//!
//! The signature is checked by `jsonwebtoken` (HMAC compared in constant time) with the algorithm
//! pinned to HS256: `none`, HS384/HS512 and every public-key algorithm are refused before any
//! key is used. The times are checked here, against the proxy's [`Clock`](super::Clock), with
//! [`LEEWAY`] for clock skew between the site's servers and the proxy.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::{HeaderValue, StatusCode};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Map, Value};

use super::routes::JobId;

/// The environment variable the proxy reads its token secret from.
pub const TOKEN_SECRET_VARIABLE: &str = "TENSORPIX_TOKEN_SECRET";

/// RFC 7518 §3.2: an HS256 key must be at least as long as the hash, 256 bits.
pub const MIN_SECRET_BYTES: usize = 32;

/// How far `exp` and `nbf` may be off: the site's clock and the proxy's are never quite equal.
pub const LEEWAY: Duration = Duration::from_secs(5);

/// A bearer token longer than this is not one of ours (ours are about 150 bytes).
const MAX_TOKEN_BYTES: usize = 2048;

/// The secret job tokens are signed with. No `Display`, and its `Debug` hides it, like the API key.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret(Vec<u8>);

impl fmt::Debug for TokenSecret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("TokenSecret(<hidden>)")
    }
}

/// Where a secret came from, for messages that must not contain the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    Environment,
    File(PathBuf),
}

impl fmt::Display for SecretSource {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretSource::Environment => write!(formatter, "the {TOKEN_SECRET_VARIABLE} environment variable"),
            SecretSource::File(path) => write!(formatter, "the file {}", path.display()),
        }
    }
}

/// Why a token secret cannot be used. No message contains the secret.
#[derive(Debug, thiserror::Error)]
pub enum TokenSecretError {
    #[error("cannot read the token secret file {}: {source}", path.display())]
    Unreadable { path: PathBuf, source: std::io::Error },
    #[error("the token secret in {0} is empty")]
    Empty(SecretSource),
    #[error(
        "the token secret in {from} is {length} bytes; HS256 needs at least {MIN_SECRET_BYTES} \
         (RFC 7518 §3.2). Make one with: openssl rand -base64 48"
    )]
    TooShort { from: SecretSource, length: usize },
    #[error("the token secret in {0} is not valid UTF-8")]
    NotUtf8(SecretSource),
}

impl TokenSecret {
    /// Checks a secret: surrounding whitespace (a file's final newline) is dropped, and what is
    /// left must be at least [`MIN_SECRET_BYTES`] long. The bytes are used as they are, the way
    /// every JWT library treats a string secret, so no encoding has to be agreed on.
    pub fn new(text: &str, source: SecretSource) -> Result<TokenSecret, TokenSecretError> {
        let secret = text.trim();
        if secret.is_empty() {
            return Err(TokenSecretError::Empty(source));
        }
        if secret.len() < MIN_SECRET_BYTES {
            return Err(TokenSecretError::TooShort {
                from: source,
                length: secret.len(),
            });
        }
        Ok(TokenSecret(secret.as_bytes().to_vec()))
    }

    pub fn from_file(path: &Path) -> Result<TokenSecret, TokenSecretError> {
        let bytes = std::fs::read(path).map_err(|source| TokenSecretError::Unreadable {
            path: path.to_owned(),
            source,
        })?;
        let source = SecretSource::File(path.to_owned());
        let text = String::from_utf8(bytes).map_err(|_| TokenSecretError::NotUtf8(source.clone()))?;
        TokenSecret::new(&text, source)
    }

    /// The secret from `file` when one is named (it wins over the environment), otherwise from
    /// `environment`, the value of [`TOKEN_SECRET_VARIABLE`]; `None` when neither is set.
    pub fn load(file: Option<&Path>, environment: Option<OsString>) -> Result<Option<TokenSecret>, TokenSecretError> {
        if let Some(path) = file {
            return TokenSecret::from_file(path).map(Some);
        }
        let Some(value) = environment.filter(|value| !value.is_empty()) else {
            return Ok(None);
        };
        let text = value
            .into_string()
            .map_err(|_| TokenSecretError::NotUtf8(SecretSource::Environment))?;
        TokenSecret::new(&text, SecretSource::Environment).map(Some)
    }

    /// The secret itself, for tests that search output for it.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

/// Mints a token for `job` that expires at `expires_at` (Unix seconds): what the site's backend
/// does, and what `tensorpix-server token` prints.
pub fn mint(secret: &TokenSecret, job: JobId, issued_at: u64, expires_at: u64) -> String {
    let claims = serde_json::json!({ "sub": job.to_string(), "iat": issued_at, "exp": expires_at });
    let key = EncodingKey::from_secret(&secret.0).expect("an HMAC key can be any bytes");
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key).expect("JSON claims sign")
}

/// Why a request's token does not open the job it asks for. Each has a `detail` saying which,
/// and a `code` a page's script can switch on; neither repeats anything of the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Missing,
    Malformed,
    Algorithm,
    Signature,
    Expired,
    NotYetValid,
    /// `exp`, `sub` or `nbf` missing or of the wrong type, or an `aud` present.
    Claims,
    /// A good token for another job.
    OtherJob,
}

impl Refusal {
    pub fn status(self) -> StatusCode {
        match self {
            Refusal::OtherJob => StatusCode::FORBIDDEN,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Refusal::Missing => "token_missing",
            Refusal::Malformed => "token_malformed",
            Refusal::Algorithm => "token_algorithm",
            Refusal::Signature => "token_signature",
            Refusal::Expired => "token_expired",
            Refusal::NotYetValid => "token_not_yet_valid",
            Refusal::Claims => "token_claims",
            Refusal::OtherJob => "token_other_job",
        }
    }

    pub fn detail(self) -> &'static str {
        match self {
            Refusal::Missing => "A job token is required: send Authorization: Bearer <token>.",
            Refusal::Malformed => "The job token is malformed: expected Authorization: Bearer <a JWT>.",
            Refusal::Algorithm => "The job token must be signed with HS256.",
            Refusal::Signature => "The job token's signature is not valid.",
            Refusal::Expired => "The job token has expired.",
            Refusal::NotYetValid => "The job token is not valid yet.",
            Refusal::Claims => {
                "The job token's claims are not usable: it needs sub (the job id as a decimal string) \
                 and exp (seconds since 1970), and no aud."
            }
            Refusal::OtherJob => "The job token is for another job.",
        }
    }

    /// RFC 6750 §3: `Bearer` alone when no token came, with the error otherwise.
    pub fn www_authenticate(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Refusal::Missing => "Bearer",
            Refusal::OtherJob => "Bearer error=\"insufficient_scope\"",
            _ => "Bearer error=\"invalid_token\"",
        })
    }
}

/// Checks job tokens against one secret.
pub struct JobTokens {
    key: DecodingKey,
    validation: Validation,
}

impl JobTokens {
    pub fn new(secret: &TokenSecret) -> JobTokens {
        let mut validation = Validation::new(Algorithm::HS256);
        // The claims are checked in `check`, on the proxy's clock (tests move it by hand).
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.validate_nbf = false;
        JobTokens {
            key: DecodingKey::from_secret(&secret.0).expect("an HMAC key can be any bytes"),
            validation,
        }
    }

    /// Whether `authorization` (the request's header, if any) holds a token that is valid at
    /// `now_millis` (Unix) for `job`.
    pub fn check(&self, authorization: Option<&HeaderValue>, job: JobId, now_millis: i64) -> Result<(), Refusal> {
        let token = bearer_token(authorization.ok_or(Refusal::Missing)?)?;
        if header_algorithm(token)? != "HS256" {
            return Err(Refusal::Algorithm);
        }
        let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &self.key, &self.validation)
            .map_err(|error| match error.kind() {
                ErrorKind::InvalidSignature => Refusal::Signature,
                ErrorKind::InvalidAlgorithm | ErrorKind::MissingAlgorithm | ErrorKind::UnsupportedAlgorithm => {
                    Refusal::Algorithm
                }
                ErrorKind::InvalidAudience | ErrorKind::InvalidClaimFormat(_) | ErrorKind::MissingRequiredClaim(_) => {
                    Refusal::Claims
                }
                _ => Refusal::Malformed,
            })?
            .claims;
        let now = now_millis as f64 / 1000.0;
        let leeway = LEEWAY.as_secs_f64();
        let expires = numeric_date(claims.get("exp")).ok_or(Refusal::Claims)?;
        if now > expires + leeway {
            return Err(Refusal::Expired);
        }
        match claims.get("nbf") {
            None => {}
            Some(value) => {
                let not_before = numeric_date(Some(value)).ok_or(Refusal::Claims)?;
                if now + leeway < not_before {
                    return Err(Refusal::NotYetValid);
                }
            }
        }
        let subject = claims
            .get("sub")
            .and_then(Value::as_str)
            .and_then(JobId::parse)
            .ok_or(Refusal::Claims)?;
        if subject != job {
            return Err(Refusal::OtherJob);
        }
        Ok(())
    }
}

/// The token of `Authorization: Bearer <token>`; the scheme is case-insensitive (RFC 9110 §11.1).
fn bearer_token(value: &HeaderValue) -> Result<&str, Refusal> {
    let text = value.to_str().map_err(|_| Refusal::Malformed)?;
    let (scheme, token) = text.trim().split_once(' ').ok_or(Refusal::Malformed)?;
    let token = token.trim_start_matches(' ');
    let well_formed = scheme.eq_ignore_ascii_case("bearer")
        && (1..=MAX_TOKEN_BYTES).contains(&token.len())
        && token
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-_.".contains(&byte))
        && token.bytes().filter(|byte| *byte == b'.').count() == 2;
    if well_formed {
        Ok(token)
    } else {
        Err(Refusal::Malformed)
    }
}

/// The `alg` of a token's header, read before any key is involved, so that `none` and the
/// public-key algorithms are named as what they are rather than as a broken token.
fn header_algorithm(token: &str) -> Result<String, Refusal> {
    let encoded = token.split('.').next().unwrap_or_default();
    let bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| Refusal::Malformed)?;
    let header: Map<String, Value> = serde_json::from_slice(&bytes).map_err(|_| Refusal::Malformed)?;
    match header.get("alg") {
        Some(Value::String(algorithm)) => Ok(algorithm.clone()),
        _ => Err(Refusal::Malformed),
    }
}

/// A JWT NumericDate: seconds since 1970, a whole number or not (RFC 7519 §2).
fn numeric_date(value: Option<&Value>) -> Option<f64> {
    value?.as_f64().filter(|seconds| seconds.is_finite())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const SECRET: &str = "a-test-secret-that-is-long-enough-for-hs256";
    /// 2026-12-02T07:00:00Z.
    const NOW: i64 = 1_796_194_800;

    fn secret() -> TokenSecret {
        TokenSecret::new(SECRET, SecretSource::Environment).unwrap()
    }

    fn job(id: &str) -> JobId {
        JobId::parse(id).unwrap()
    }

    fn sign(header: Value, claims: Value, secret: &[u8]) -> String {
        let part = |value: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap());
        let message = format!("{}.{}", part(&header), part(&claims));
        let algorithm = match header["alg"].as_str() {
            Some("HS384") => Algorithm::HS384,
            Some("HS512") => Algorithm::HS512,
            _ => Algorithm::HS256,
        };
        let key = EncodingKey::from_secret(secret).unwrap();
        let signature = jsonwebtoken::crypto::sign(message.as_bytes(), &key, algorithm).unwrap();
        format!("{message}.{signature}")
    }

    fn check(token: &str, job_id: &str, now: i64) -> Result<(), Refusal> {
        let value = HeaderValue::try_from(format!("Bearer {token}")).unwrap();
        JobTokens::new(&secret()).check(Some(&value), job(job_id), now * 1000)
    }

    #[test]
    fn a_minted_token_opens_its_job_until_it_expires() {
        let token = mint(&secret(), job("102"), NOW as u64, NOW as u64 + 60);
        assert_eq!(check(&token, "102", NOW), Ok(()));
        assert_eq!(check(&token, "102", NOW + 65), Ok(()), "within the leeway");
        assert_eq!(check(&token, "102", NOW + 66), Err(Refusal::Expired));
        assert_eq!(check(&token, "103", NOW), Err(Refusal::OtherJob));
    }

    #[test]
    fn every_broken_token_is_refused_for_its_own_reason() {
        let hs256 = json!({"alg": "HS256", "typ": "JWT"});
        let good = json!({"sub": "102", "exp": NOW + 60});
        let secret = SECRET.as_bytes();
        let other_secret = b"another-secret-that-is-long-enough-for-hs256";
        let unsigned = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&good).unwrap())
        );
        let cases = [
            (sign(hs256.clone(), good.clone(), other_secret), Refusal::Signature),
            (sign(json!({"alg": "HS512"}), good.clone(), secret), Refusal::Algorithm),
            (sign(json!({"alg": "HS384"}), good.clone(), secret), Refusal::Algorithm),
            (unsigned.clone(), Refusal::Algorithm),
            (unsigned + "c2ln", Refusal::Algorithm),
            (sign(json!({"typ": "JWT"}), good.clone(), secret), Refusal::Malformed),
            (sign(hs256.clone(), json!({"sub": "102"}), secret), Refusal::Claims),
            (sign(hs256.clone(), json!({"exp": NOW + 60}), secret), Refusal::Claims),
            (
                sign(hs256.clone(), json!({"sub": 102, "exp": NOW + 60}), secret),
                Refusal::Claims,
            ),
            (
                sign(hs256.clone(), json!({"sub": "0102", "exp": NOW + 60}), secret),
                Refusal::Claims,
            ),
            (
                sign(hs256.clone(), json!({"sub": "102", "exp": "soon"}), secret),
                Refusal::Claims,
            ),
            (
                sign(
                    hs256.clone(),
                    json!({"sub": "102", "exp": NOW + 60, "aud": "x"}),
                    secret,
                ),
                Refusal::Claims,
            ),
            (
                sign(
                    hs256.clone(),
                    json!({"sub": "102", "exp": NOW + 60, "nbf": NOW + 30}),
                    secret,
                ),
                Refusal::NotYetValid,
            ),
            (
                sign(hs256.clone(), json!({"sub": "102", "exp": NOW - 30}), secret),
                Refusal::Expired,
            ),
            ("a.b".to_owned(), Refusal::Malformed),
            ("a.b.c".to_owned(), Refusal::Malformed),
            ("not a token".to_owned(), Refusal::Malformed),
        ];
        for (token, refusal) in cases {
            assert_eq!(check(&token, "102", NOW), Err(refusal), "{token}");
        }
        let fractional = sign(
            hs256.clone(),
            json!({"sub": "102", "exp": NOW as f64 + 0.5, "nbf": NOW - 1}),
            secret,
        );
        assert_eq!(
            check(&fractional, "102", NOW),
            Ok(()),
            "NumericDates may have fractions"
        );
    }

    #[test]
    fn the_header_must_be_bearer_and_a_token() {
        let tokens = JobTokens::new(&secret());
        let token = mint(&secret(), job("102"), NOW as u64, NOW as u64 + 60);
        let with = |value: String| tokens.check(Some(&HeaderValue::try_from(value).unwrap()), job("102"), NOW * 1000);
        assert_eq!(tokens.check(None, job("102"), NOW * 1000), Err(Refusal::Missing));
        assert_eq!(with(format!("bearer {token}")), Ok(()));
        assert_eq!(with(format!("Bearer  {token}")), Ok(()));
        for bad in [
            format!("Token {token}"),
            format!("Bearer {token} extra"),
            format!("Bearer{token}"),
            "Bearer".to_owned(),
            "Bearer ".to_owned(),
            format!("Bearer {}", "a.b.c".repeat(1000)),
        ] {
            assert_eq!(with(bad.clone()), Err(Refusal::Malformed), "{bad}");
        }
    }

    #[test]
    fn secrets_must_be_long_enough_and_are_never_shown() {
        assert!(matches!(
            TokenSecret::new(" \n", SecretSource::Environment),
            Err(TokenSecretError::Empty(_))
        ));
        let short = TokenSecret::new("short-secret", SecretSource::Environment).unwrap_err();
        assert!(matches!(short, TokenSecretError::TooShort { length: 12, .. }));
        let message = short.to_string();
        assert!(
            message.contains("at least 32") && !message.contains("short-secret"),
            "{message}"
        );
        assert_eq!(format!("{:?}", secret()), "TokenSecret(<hidden>)");
        assert_eq!(TokenSecret::load(None, None).unwrap(), None);
        assert_eq!(
            TokenSecret::load(None, Some(format!("{SECRET}\n").into())).unwrap(),
            Some(secret())
        );
        let missing = TokenSecret::load(Some(Path::new("/nonexistent/secret")), None).unwrap_err();
        assert!(missing.to_string().contains("/nonexistent/secret"));
    }
}
