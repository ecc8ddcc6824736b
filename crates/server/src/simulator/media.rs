//! The thumbnails and before/after clips that demo jobs point at, served from the binary itself.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "input-thumbnail.jpg",
        content_type: "image/jpeg",
        bytes: include_bytes!("../../media/input-thumbnail.jpg"),
    },
    Asset {
        name: "output-thumbnail.jpg",
        content_type: "image/jpeg",
        bytes: include_bytes!("../../media/output-thumbnail.jpg"),
    },
    Asset {
        name: "before.webm",
        content_type: "video/webm",
        bytes: include_bytes!("../../media/before.webm"),
    },
    Asset {
        name: "after.webm",
        content_type: "video/webm",
        bytes: include_bytes!("../../media/after.webm"),
    },
];

/// `GET /media/{name}`: one of the assets above; `output-{job}.webm` downloads the after clip.
pub async fn serve(Path(name): Path<String>) -> Response {
    let download = name
        .strip_prefix("output-")
        .and_then(|rest| rest.strip_suffix(".webm"))
        .is_some_and(|id| !id.is_empty() && id.bytes().all(|byte| byte.is_ascii_digit()));
    let asset_name = if download { "after.webm" } else { name.as_str() };
    let Some(asset) = ASSETS.iter().find(|asset| asset.name == asset_name) else {
        return crate::answer::detail(StatusCode::NOT_FOUND, "Not found.");
    };
    let mut response = (
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
            // Pages isolated with COEP (the test runner's among them) may embed these.
            (
                header::HeaderName::from_static("cross-origin-resource-policy"),
                "cross-origin",
            ),
        ],
        asset.bytes,
    )
        .into_response();
    if download {
        let disposition = format!("attachment; filename=\"{name}\"");
        response.headers_mut().insert(
            header::CONTENT_DISPOSITION,
            disposition.parse().expect("ASCII file name"),
        );
    }
    response
}
