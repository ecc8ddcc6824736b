//! The small answers both servers give, in the TensorPix API's shapes: JSON bodies, and errors
//! as `{"detail": "..."}`, the way Django REST Framework words them.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

/// `body`, which already is JSON, as `application/json`.
pub fn json(status: StatusCode, body: impl Into<Body>) -> Response {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// An error with the API's `{"detail": ...}` body.
pub fn detail(status: StatusCode, text: &str) -> Response {
    let body = tensorpix_models::ErrorBody {
        detail: text.to_owned(),
    };
    json(status, serde_json::to_vec(&body).expect("a string serializes"))
}

/// An error the proxy gives itself: a `detail` for people and a `code` for scripts, the way
/// djangorestframework-simplejwt words its token errors (`{"detail": ..., "code": ...}`).
pub fn detail_with_code(status: StatusCode, text: &str, code: &str) -> Response {
    let body = serde_json::json!({ "detail": text, "code": code });
    json(status, serde_json::to_vec(&body).expect("strings serialize"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_detail_is_the_apis_error_body() {
        let response = detail(StatusCode::NOT_FOUND, "Not \"found\".");
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        assert_eq!(&body[..], br#"{"detail":"Not \"found\"."}"#);
    }
}
