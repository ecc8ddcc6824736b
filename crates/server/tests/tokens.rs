//! Job tokens and what leaves the proxy, over real HTTP on loopback in front of the simulator:
//! every bad token refused for its reason before anything goes upstream, private answers that
//! vary by token, coalescing after the check, the field allow-list, the secret's secrecy, and the
//! README's minting snippets.

mod common;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{
    Reply, SECRET, add_fault, bearer, capture_logs, get_job, request, start_token_pair, token, upstream_requests,
    upstream_total,
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use tensorpix_models::{Job, decode_job};
use tensorpix_server::proxy::ManualClock;
use tensorpix_server::proxy::TokenSecret;
use tensorpix_server::proxy::fields::{JOB_FIELDS, Keep};
use tensorpix_server::proxy::job_token::{self, SecretSource};
use tensorpix_server::proxy::routes::JobId;

const ORIGIN: &str = "https://shop.example";

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

/// A token with these claims and header, signed with `secret`.
fn signed(header: Header, claims: Value, secret: &str) -> String {
    jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(secret.as_bytes()).unwrap()).unwrap()
}

fn hs256() -> Header {
    Header::new(Algorithm::HS256)
}

async fn with_authorization(proxy: SocketAddr, job: i64, authorization: &str) -> Reply {
    request(
        proxy,
        "GET",
        &format!("/api/jobs/{job}/"),
        &[("Authorization", authorization)],
        "",
    )
    .await
}

fn code(reply: &Reply) -> String {
    let body: Value = serde_json::from_str(&reply.body).unwrap();
    body["code"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn every_bad_token_is_refused_for_its_reason_before_anything_goes_upstream() {
    let (simulator, proxy) = start_token_pair(Arc::new(ManualClock::new()), |_| {}).await;
    let now = now();
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(json!({"sub": "102", "exp": now + 600}).to_string())
    );
    let other_secret = "another-secret-0123456789abcdef-0123456789";
    let cases: Vec<(String, u16, &str, &str)> = vec![
        ("Token tpx-demo-key".into(), 401, "token_malformed", "malformed"),
        ("Bearer".into(), 401, "token_malformed", "malformed"),
        ("Bearer not-a-jwt".into(), 401, "token_malformed", "malformed"),
        ("Bearer a.b.c".into(), 401, "token_malformed", "malformed"),
        (format!("Bearer {unsigned}"), 401, "token_algorithm", "HS256"),
        (
            format!(
                "Bearer {}",
                signed(
                    Header::new(Algorithm::HS512),
                    json!({"sub": "102", "exp": now + 600}),
                    SECRET
                )
            ),
            401,
            "token_algorithm",
            "HS256",
        ),
        (
            format!(
                "Bearer {}",
                signed(hs256(), json!({"sub": "102", "exp": now + 600}), other_secret)
            ),
            401,
            "token_signature",
            "signature",
        ),
        (
            format!(
                "Bearer {}",
                signed(hs256(), json!({"sub": "102", "exp": now - 60}), SECRET)
            ),
            401,
            "token_expired",
            "expired",
        ),
        (
            format!(
                "Bearer {}",
                signed(
                    hs256(),
                    json!({"sub": "102", "exp": now + 600, "nbf": now + 60}),
                    SECRET
                )
            ),
            401,
            "token_not_yet_valid",
            "not valid yet",
        ),
        (
            format!("Bearer {}", signed(hs256(), json!({"sub": "102"}), SECRET)),
            401,
            "token_claims",
            "exp",
        ),
        (
            format!(
                "Bearer {}",
                signed(hs256(), json!({"sub": 102, "exp": now + 600}), SECRET)
            ),
            401,
            "token_claims",
            "decimal string",
        ),
        (bearer(103), 403, "token_other_job", "another job"),
    ];
    let missing = request(proxy, "GET", "/api/jobs/102/", &[], "").await;
    assert_eq!((missing.status, code(&missing).as_str()), (401, "token_missing"));
    assert!(missing.detail().contains("Authorization: Bearer"), "{}", missing.body);
    assert_eq!(missing.header("www-authenticate"), Some("Bearer"));
    assert_eq!(missing.header("cache-control"), Some("no-store"));
    for (authorization, status, expected_code, said) in &cases {
        let reply = with_authorization(proxy, 102, authorization).await;
        assert_eq!(
            (reply.status, code(&reply).as_str()),
            (*status, *expected_code),
            "{authorization}: {}",
            reply.body
        );
        assert!(reply.detail().contains(said), "{authorization}: {}", reply.detail());
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        let challenge = reply.header("www-authenticate").unwrap();
        assert!(challenge.starts_with("Bearer error="), "{challenge}");
        let token = authorization.rsplit(' ').next().unwrap();
        assert!(
            token.len() < 8 || !reply.raw.contains(token),
            "the token is not echoed: {}",
            reply.raw
        );
    }
    let doubled = request(
        proxy,
        "GET",
        "/api/jobs/102/",
        &[("Authorization", &bearer(102)), ("Authorization", &bearer(102))],
        "",
    )
    .await;
    assert_eq!((doubled.status, code(&doubled).as_str()), (401, "token_malformed"));
    assert_eq!(
        upstream_total(simulator).await,
        0,
        "no refused request reached upstream"
    );

    // Within the leeway for clock skew, a just-expired token still works.
    let just_expired = signed(hs256(), json!({"sub": "102", "exp": now - 2}), SECRET);
    assert_eq!(
        with_authorization(proxy, 102, &format!("Bearer {just_expired}"))
            .await
            .status,
        200
    );
    assert_eq!(upstream_total(simulator).await, 1);
}

#[tokio::test]
async fn answers_are_private_to_each_token_and_one_upstream_request_serves_them_all() {
    let clock = Arc::new(ManualClock::new());
    let (simulator, proxy) = start_token_pair(Arc::clone(&clock), |config| {
        config.allowed_origins.add(ORIGIN).unwrap();
        config.cache_ttl = Duration::from_secs(3);
    })
    .await;
    // Two visitors of one job, each with a token of their own.
    let first = with_authorization(proxy, 102, &bearer(102)).await;
    let second = request(
        proxy,
        "GET",
        "/api/jobs/102/",
        &[("Authorization", &format!("Bearer {}", token(102))), ("Origin", ORIGIN)],
        "",
    )
    .await;
    for reply in [&first, &second] {
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("cache-control"), Some("private, max-age=3"));
        assert_eq!(reply.header("vary"), Some("authorization, origin"));
    }
    assert_eq!(second.body, first.body);
    assert_eq!(
        (second.header("age"), upstream_requests(simulator, 102).await),
        (Some("0"), 1)
    );
    // A token for another job gets nothing, not even from the cache.
    let other = with_authorization(proxy, 102, &bearer(103)).await;
    assert_eq!(other.status, 403);
    assert!(!other.body.contains("wedding"), "{}", other.body);
    clock.advance(Duration::from_secs(3));
    assert_eq!(get_job(proxy, "/api/jobs/102/").await.status, 200);
    assert_eq!(upstream_requests(simulator, 102).await, 2);
}

/// Every key of `value`, at every level, as `a.b.c` paths (array items as `a[]`).
fn paths(value: &Value, prefix: &str, into: &mut BTreeSet<String>) {
    match value {
        Value::Object(object) => {
            for (key, inner) in object {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                into.insert(path.clone());
                paths(inner, &path, into);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| paths(item, &format!("{prefix}[]"), into)),
        _ => {}
    }
}

/// Every path the allow-list lets through.
fn allowed_paths(fields: &[(&str, Keep)], prefix: &str, into: &mut BTreeSet<String>) {
    for (name, keep) in fields {
        let path = if prefix.is_empty() {
            (*name).to_owned()
        } else {
            format!("{prefix}.{name}")
        };
        into.insert(path.clone());
        match keep {
            Keep::Value => {}
            Keep::Object(inner) => allowed_paths(inner, &path, into),
            Keep::List(inner) => allowed_paths(inner, &format!("{path}[]"), into),
        }
    }
}

/// The job as the card would decode it from the API, minus what the allow-list drops.
fn without_private_fields(mut job: Job) -> Job {
    let input = &mut job.input_video;
    (input.file, input.owner, input.external_url, input.created_at) = (None, None, None, None);
    if let Some(output) = job.output_video.as_mut() {
        (output.owner, output.job_id, output.created_at) = (None, None, None);
    }
    for model in &mut job.ml_models {
        (model.description, model.short_description) = (None, None);
        (model.cost_weight, model.priority, model.max_resolution) = (None, None, None);
    }
    job
}

#[tokio::test]
async fn only_allow_listed_fields_leave_and_the_card_loses_nothing_it_shows() {
    let (simulator, proxy) = start_token_pair(Arc::new(ManualClock::new()), |_| {}).await;
    let mut allowed = BTreeSet::new();
    allowed_paths(JOB_FIELDS, "", &mut allowed);
    for job in [101, 102, 105, 106, 107, 111] {
        let direct = request(
            simulator,
            "GET",
            &format!("/api/jobs/{job}/"),
            &[("Authorization", "Token tpx-demo-key")],
            "",
        )
        .await;
        assert!(
            direct.body.contains("anna.novak@novak-film.example"),
            "the simulator has an owner to drop"
        );
        let reply = get_job(proxy, &format!("/api/jobs/{job}/")).await;
        assert_eq!(reply.status, 200, "{job}");
        for private in [
            "anna.novak",
            "novak-film",
            "owner",
            "external_url",
            "created_at",
            "job_id",
        ] {
            assert!(!reply.body.contains(private), "{job}: {private} in {}", reply.body);
        }
        let body: Value = serde_json::from_str(&reply.body).unwrap();
        let mut seen = BTreeSet::new();
        paths(&body, "", &mut seen);
        let extra: Vec<_> = seen.difference(&allowed).collect();
        assert!(extra.is_empty(), "{job}: not on the allow-list: {extra:?}");
        assert!(
            body["input_video"].get("file").is_none(),
            "{job}: the source video's pre-signed URL left"
        );
        assert_eq!(
            decode_job(&reply.body).unwrap(),
            without_private_fields(decode_job(&direct.body).unwrap()),
            "{job}: the card decodes everything it shows"
        );
    }
    let finished = get_job(proxy, "/api/jobs/102/").await;
    let output: Value = serde_json::from_str(&finished.body).unwrap();
    assert!(
        output["output_video"]["file"]
            .as_str()
            .unwrap()
            .ends_with("/media/output-102.webm"),
        "the download link stays: the card shows it"
    );

    // Fields a later API version adds stay here until they are listed; so does `__proto__`.
    add_fault(simulator, 103, "extended", 1).await;
    let extended = get_job(proxy, "/api/jobs/103/").await;
    assert!(
        !extended.body.contains("__proto__") && !extended.body.contains("future_field"),
        "{}",
        extended.body
    );
    // An error keeps its status and detail only.
    add_fault(simulator, 104, "403", 1).await;
    let refused = get_job(proxy, "/api/jobs/104/").await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        serde_json::from_str::<Value>(&refused.body).unwrap(),
        json!({"detail": "You do not have permission to perform this action."})
    );
    // A success that is not a job is not passed on.
    add_fault(simulator, 108, "truncated", 1).await;
    let broken = get_job(proxy, "/api/jobs/108/").await;
    assert_eq!(
        (broken.status, broken.detail().as_str()),
        (502, "The TensorPix API sent a broken answer.")
    );
}

#[tokio::test]
async fn the_secret_and_the_tokens_appear_in_no_answer_and_no_log_line() {
    let logs = capture_logs();
    let (simulator, proxy) = start_token_pair(Arc::new(ManualClock::new()), |config| {
        config.allowed_origins.add(ORIGIN).unwrap();
    })
    .await;
    add_fault(simulator, 104, "500", 1).await;
    let good = token(102);
    let forged = signed(
        hs256(),
        json!({"sub": "102", "exp": now() + 600}),
        "forged-secret-0123456789abcdef-0123456789",
    );
    let expired = signed(hs256(), json!({"sub": "102", "exp": now() - 600}), SECRET);
    let mut replies = Vec::new();
    for (job, token) in [
        (102, &good),
        (102, &forged),
        (102, &expired),
        (103, &good),
        (104, &token(104)),
    ] {
        let authorization = format!("Bearer {token}");
        replies.push(
            request(
                proxy,
                "GET",
                &format!("/api/jobs/{job}/?token={token}"),
                &[("Authorization", &authorization), ("Origin", ORIGIN)],
                "",
            )
            .await,
        );
    }
    let statuses: Vec<u16> = replies.iter().map(|reply| reply.status).collect();
    assert_eq!(statuses, [200, 401, 401, 403, 500]);
    let logs = logs.buffer.text();
    assert!(
        logs.contains("denied=token_signature") && logs.contains("denied=token_expired"),
        "{logs}"
    );
    for secret in [SECRET, good.as_str(), forged.as_str(), expired.as_str()] {
        for reply in &replies {
            assert!(!reply.raw.contains(secret), "{secret} in {}", reply.raw);
        }
        assert!(!logs.contains(secret), "{secret} in {logs}");
    }
    // Nor any part of a token that carries its signature.
    for token in [&good, &forged, &expired] {
        let signature = token.rsplit('.').next().unwrap();
        assert!(!logs.contains(signature), "{logs}");
    }
}

#[tokio::test]
async fn tokens_minted_by_the_library_and_by_the_command_open_their_job() {
    let (_, proxy) = start_token_pair(Arc::new(ManualClock::new()), |_| {}).await;
    let secret = TokenSecret::new(SECRET, SecretSource::Environment).unwrap();
    let now = now();
    let minted = job_token::mint(&secret, JobId::parse("106").unwrap(), now, now + 60);
    assert_eq!(
        with_authorization(proxy, 106, &format!("Bearer {minted}")).await.status,
        200
    );
    assert_eq!(
        with_authorization(proxy, 107, &format!("Bearer {minted}")).await.status,
        403
    );
}

const README: &str = include_str!("../../../README.md");

#[test]
fn the_readme_shows_the_minting_snippets_that_are_tested() {
    for snippet in [
        include_str!("snippets/mint_token.rs"),
        include_str!("snippets/mint_token.js"),
        include_str!("snippets/mint_token.py"),
    ] {
        assert!(README.contains(snippet), "the README lacks, word for word:\n{snippet}");
    }
}

/// The README's Python and Node snippets against a running proxy. They need PyJWT and the
/// `jsonwebtoken` npm package, which this workspace does not install:
///
/// ```sh
/// python3 -m venv /tmp/pyjwt && /tmp/pyjwt/bin/pip install PyJWT
/// mkdir -p /tmp/node-jwt && (cd /tmp/node-jwt && npm install jsonwebtoken)
/// TENSORPIX_TEST_PYTHON=/tmp/pyjwt/bin/python NODE_PATH=/tmp/node-jwt/node_modules \
///     cargo test -p tensorpix-server --test tokens -- --ignored
/// ```
#[tokio::test]
#[ignore = "needs PyJWT and Node's jsonwebtoken (see the doc comment)"]
async fn the_python_and_node_snippets_mint_tokens_the_proxy_accepts() {
    let (_, proxy) = start_token_pair(Arc::new(ManualClock::new()), |_| {}).await;
    let python = std::env::var("TENSORPIX_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let python_code = format!(
        "{}\nprint(job_token(109, {SECRET:?}))\n",
        include_str!("snippets/mint_token.py")
    );
    let node_code = format!(
        "{}\nconsole.log(jobToken(109, {SECRET:?}));\n",
        include_str!("snippets/mint_token.js")
    );
    for (program, flag, code) in [(python.as_str(), "-c", python_code), ("node", "-e", node_code)] {
        let output = std::process::Command::new(program)
            .args([flag, &code])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{program}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let token = String::from_utf8(output.stdout).unwrap();
        let reply = with_authorization(proxy, 109, &format!("Bearer {}", token.trim())).await;
        assert_eq!(reply.status, 200, "{program}: {}", reply.body);
        assert_eq!(
            with_authorization(proxy, 110, &format!("Bearer {}", token.trim()))
                .await
                .status,
            403
        );
    }
}
