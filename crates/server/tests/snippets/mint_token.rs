// Cargo.toml: jsonwebtoken = { version = "12", features = ["rust_crypto"] }, serde (derive)
use jsonwebtoken::{EncodingKey, Header, encode, get_current_timestamp};
use serde::Serialize;

#[derive(Serialize)]
struct JobClaims {
    sub: String, // the job id, as a decimal string
    exp: u64,    // expiry, in seconds since 1970
}

fn job_token(job_id: i64, secret: &[u8]) -> String {
    let claims = JobClaims { sub: job_id.to_string(), exp: get_current_timestamp() + 600 };
    let key = EncodingKey::from_secret(secret).expect("any bytes make an HMAC key");
    encode(&Header::default(), &claims, &key).expect("claims serialize") // HS256
}
