//! The `<tensorpix-job-card>` element's public contract as data: tag, attributes, events, CSS custom
//! properties and parts, and the API object its events carry. The element's code reads its names
//! from here, and `cargo xtask bundle` writes the typings, the custom-elements manifest and the
//! package file from here, so the three cannot drift from the element or from each other.

use crate::api::DEFAULT_API_BASE;

/// The element's tag name.
pub const TAG: &str = "tensorpix-job-card";

/// The element's class name, as the manifest and the typings call it.
pub const CLASS: &str = "TensorpixJobCardElement";

/// The npm package's name and version: the crate's.
pub const PACKAGE: &str = env!("CARGO_PKG_NAME");
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
pub const DESCRIPTION: &str = env!("CARGO_PKG_DESCRIPTION");
pub const LICENSE: &str = env!("CARGO_PKG_LICENSE");

/// The module's one entry file.
pub const ENTRY_FILE: &str = "tensorpix-job-card.js";
pub const TYPES_FILE: &str = "tensorpix-job-card.d.ts";
/// The element in React's JSX, for TypeScript: the package's `./react` export.
pub const REACT_TYPES_FILE: &str = "tensorpix-job-card-react.d.ts";
pub const MANIFEST_FILE: &str = "custom-elements.json";

/// Who writes an attribute: the page (the card follows it) or the card (the page reads it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Set by the page; observed, and applied at once when it changes.
    Input,
    /// Set by the card to reflect its state; read-only for the page.
    State,
}

/// One attribute, and the property of the same name in camelCase that reflects it.
#[derive(Debug, Clone, Copy)]
pub struct Attribute {
    pub name: &'static str,
    pub direction: Direction,
    /// The TypeScript type of the property when read.
    pub read_type: &'static str,
    /// What the property takes when written; `None` for the card's own, which are read-only.
    pub write_type: Option<&'static str>,
    /// The default the card uses when the attribute is absent, as source text.
    pub default: Option<&'static str>,
    pub description: &'static str,
}

impl Attribute {
    /// The reflecting property's name: `job-id` → `jobId`.
    pub fn property(&self) -> String {
        let mut property = String::with_capacity(self.name.len());
        let mut upper = false;
        for character in self.name.chars() {
            match character {
                '-' => upper = true,
                _ if upper => {
                    property.push(character.to_ascii_uppercase());
                    upper = false;
                }
                _ => property.push(character),
            }
        }
        property
    }
}

const TEXT: &str = "string | null";

pub const ATTRIBUTES: &[Attribute] = &[
    Attribute {
        name: "job-id",
        direction: Direction::Input,
        read_type: TEXT,
        write_type: Some("string | number | null"),
        default: None,
        description: "Required: the TensorPix job id, a positive whole number.",
    },
    Attribute {
        name: "api-base",
        direction: Direction::Input,
        read_type: TEXT,
        write_type: Some(TEXT),
        default: Some(DEFAULT_API_BASE),
        description: "Where the card asks for the job: the TensorPix API, or a proxy's base such as `/tensorpix`.",
    },
    Attribute {
        name: "api-key",
        direction: Direction::Input,
        read_type: TEXT,
        write_type: Some(TEXT),
        default: None,
        description: "Sent as `Authorization: Token <key>`. A key in a page is visible to every visitor and never \
                      expires: use a proxy in production.",
    },
    Attribute {
        name: "token",
        direction: Direction::Input,
        read_type: TEXT,
        write_type: Some(TEXT),
        default: None,
        description: "A job token minted by the site's backend for a proxy that requires one, sent as \
                      `Authorization: Bearer <token>`. Set a fresh one on `unauthorized` and the card asks again.",
    },
    Attribute {
        name: "poll-interval",
        direction: Direction::Input,
        read_type: TEXT,
        write_type: Some("string | number | null"),
        default: None,
        description: "Seconds between polls, at least 1. Default: 3 while processing, 10 while queued.",
    },
    Attribute {
        name: "theme",
        direction: Direction::Input,
        read_type: TEXT,
        write_type: Some("TensorpixJobCardTheme | null"),
        default: Some("auto"),
        description: "`auto` (follows `prefers-color-scheme`), `light` or `dark`.",
    },
    Attribute {
        name: "locale",
        direction: Direction::Input,
        read_type: TEXT,
        write_type: Some(TEXT),
        default: None,
        description: "A language tag (`de`, `en-GB`) for texts, numbers and dates. Default: the page's `lang`, \
                      else the browser's language.",
    },
    Attribute {
        name: "status",
        direction: Direction::State,
        read_type: "TensorpixJobCardStatus | null",
        write_type: None,
        default: None,
        description: "Set by the card: where the job is (`loading` until the first answer).",
    },
    Attribute {
        name: "error",
        direction: Direction::State,
        read_type: "TensorpixJobCardErrorKind | null",
        write_type: None,
        default: None,
        description: "Set by the card while it shows an error: the error's kind; absent otherwise.",
    },
];

/// The attributes the page sets, in the order the element observes them.
pub fn input_attributes() -> impl Iterator<Item = &'static Attribute> {
    ATTRIBUTES
        .iter()
        .filter(|attribute| attribute.direction == Direction::Input)
}

/// The values of the `theme` attribute.
pub const THEMES: &[&str] = &["auto", "light", "dark"];

/// The values of the `status` attribute: `loading`, then the job's status.
pub const STATUSES: &[&str] = &[
    "loading",
    "in-queue",
    "processing",
    "finished",
    "failed",
    "canceled",
    "unknown",
];

/// The values of the `error` attribute and of `tensorpix-job-error`'s `kind`.
pub const ERROR_KINDS: &[&str] = &[
    "unauthorized",
    "forbidden",
    "not-found",
    "rate-limited",
    "server",
    "http",
    "network",
    "timeout",
    "invalid-response",
    "invalid-config",
];

/// A field of an object type in the typings.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub type_: &'static str,
    /// The field may be absent (an optional field of the API, or one the proxy drops).
    pub optional: bool,
    pub description: &'static str,
}

const fn field(name: &'static str, type_: &'static str, description: &'static str) -> Field {
    Field {
        name,
        type_,
        optional: false,
        description,
    }
}

const fn optional(name: &'static str, type_: &'static str) -> Field {
    Field {
        name,
        type_,
        optional: true,
        description: "",
    }
}

/// An event the element dispatches; it bubbles and crosses the shadow boundary.
#[derive(Debug, Clone, Copy)]
pub struct Event {
    pub name: &'static str,
    /// The TypeScript interface of its `detail`.
    pub detail_type: &'static str,
    pub detail: &'static [Field],
    pub description: &'static str,
}

pub const UPDATE_EVENT: &str = "tensorpix-job-update";
pub const STATUS_CHANGE_EVENT: &str = "tensorpix-job-status-change";
pub const FINISHED_EVENT: &str = "tensorpix-job-finished";
pub const ERROR_EVENT: &str = "tensorpix-job-error";

const JOB: Field = field(
    "job",
    "TensorpixJob",
    "The API's job object as the browser parsed it, unknown fields included.",
);

pub const EVENTS: &[Event] = &[
    Event {
        name: UPDATE_EVENT,
        detail_type: "TensorpixJobUpdateDetail",
        detail: &[JOB],
        description: "Every applied update of the job.",
    },
    Event {
        name: STATUS_CHANGE_EVENT,
        detail_type: "TensorpixJobStatusChangeDetail",
        detail: &[
            field("oldStatus", "TensorpixJobCardStatus", "The status before."),
            field("newStatus", "TensorpixJobCardStatus", "The status now."),
        ],
        description: "The `status` attribute changed.",
    },
    Event {
        name: FINISHED_EVENT,
        detail_type: "TensorpixJobFinishedDetail",
        detail: &[
            JOB,
            field(
                "downloadUrl",
                "string | null",
                "The output's download link; `null` when it was deleted or is no `http(s)` URL.",
            ),
        ],
        description: "The job finished.",
    },
    Event {
        name: ERROR_EVENT,
        detail_type: "TensorpixJobErrorDetail",
        detail: &[
            field(
                "kind",
                "TensorpixJobCardErrorKind",
                "What went wrong, as in the `error` attribute.",
            ),
            field(
                "status",
                "number | null",
                "The HTTP status, or `null` when there was none.",
            ),
            field("message", "string", "What the card says, in English, for logs."),
        ],
        description: "The card shows a new error (a bad attribute, or a request that failed).",
    },
];

/// A CSS custom property the host page may set on the element or an ancestor.
#[derive(Debug, Clone, Copy)]
pub struct CssProperty {
    pub name: &'static str,
    pub syntax: &'static str,
    pub description: &'static str,
}

const fn css_property(name: &'static str, syntax: &'static str, description: &'static str) -> CssProperty {
    CssProperty {
        name,
        syntax,
        description,
    }
}

pub const CSS_PROPERTIES: &[CssProperty] = &[
    css_property("--tpx-accent", "<color>", "Accent: progress, buttons, focus rings."),
    css_property("--tpx-on-accent", "<color>", "Text on the accent colour."),
    css_property("--tpx-bg", "<color>", "The card's background."),
    css_property("--tpx-fg", "<color>", "The card's text."),
    css_property("--tpx-muted", "<color>", "Secondary text."),
    css_property("--tpx-border", "<color>", "Borders and rules."),
    css_property(
        "--tpx-subtle",
        "<color>",
        "Quiet backgrounds: badges, the progress track.",
    ),
    css_property("--tpx-radius", "<length>", "The card's corner radius (default 12px)."),
    css_property(
        "--tpx-font",
        "*",
        "The card's font family (default: the system UI font).",
    ),
];

/// A part of the card's shadow tree that `::part(name)` styles.
#[derive(Debug, Clone, Copy)]
pub struct CssPart {
    pub name: &'static str,
    pub description: &'static str,
}

const fn css_part(name: &'static str, description: &'static str) -> CssPart {
    CssPart { name, description }
}

pub const CSS_PARTS: &[CssPart] = &[
    css_part("card", "The card itself."),
    css_part("status", "The status badge."),
    css_part("progress", "The progress bar while processing."),
    css_part("eta", "The time left and elapsed beside the progress bar."),
    css_part("error", "An error message, or the quiet line when a refresh failed."),
    css_part("retry", "The \"Try again\" button."),
    css_part("download", "The download link of a finished job."),
    css_part("thumbnail", "The input video's thumbnail."),
    css_part("input", "The input video's details."),
    css_part("output", "The enhanced video's details."),
    css_part("models", "The AI models applied."),
    css_part("comparison", "The before/after preview with its slider."),
];

/// An object type of the API, as the events carry it.
#[derive(Debug, Clone, Copy)]
pub struct ApiType {
    /// The TypeScript interface's name.
    pub name: &'static str,
    /// The model it mirrors, in `tensorpix_models`.
    pub model: &'static str,
    pub fields: &'static [Field],
}

const ID: Field = field("id", "number", "");
const NAME: Field = field("name", "string", "");
const OPTIONAL_TEXT: &str = "string | null";
const OPTIONAL_NUMBER: &str = "number | null";

/// The job and the objects in it, field for field as the API sends them. Integers are JavaScript
/// numbers (past 2^53 approximately, as `JSON.parse` reads them). Fields are optional where the
/// API may leave them out or the proxy drops them; each type also admits fields it does not know.
pub const API_TYPES: &[ApiType] = &[
    ApiType {
        name: "TensorpixJob",
        model: "Job",
        fields: &[
            ID,
            optional("started", OPTIONAL_TEXT),
            optional("preview", "boolean"),
            optional("description", "string"),
            optional("cost_usd", "string"),
            field(
                "status",
                "number",
                "0 in queue, 1 processing, 2 finished, -1 failed, -2 canceled.",
            ),
            optional("eta_s", OPTIONAL_NUMBER),
            optional("finished", OPTIONAL_TEXT),
            optional("processing_progress", OPTIONAL_NUMBER),
            field("input_video", "TensorpixVideo", ""),
            optional("output_video", "TensorpixRestoredVideo | null"),
            optional("ml_models", "TensorpixMlModel[]"),
            optional("grain", OPTIONAL_NUMBER),
            optional("codec", "string"),
            optional("output_resolution", "number | null"),
            optional("comparison", "boolean"),
            optional("stabilization_smoothing", OPTIONAL_NUMBER),
            optional("fps_interpolation_factor", OPTIONAL_NUMBER),
            optional("playback_speed", OPTIONAL_NUMBER),
            optional("sharpen_strength", OPTIONAL_NUMBER),
            optional("start_frame", OPTIONAL_NUMBER),
            optional("end_frame", OPTIONAL_NUMBER),
        ],
    },
    ApiType {
        name: "TensorpixVideo",
        model: "Video",
        fields: &[
            ID,
            NAME,
            optional("width", OPTIONAL_NUMBER),
            optional("height", OPTIONAL_NUMBER),
            optional("created_at", OPTIONAL_TEXT),
            optional("n_frames", OPTIONAL_NUMBER),
            optional("framerate", OPTIONAL_NUMBER),
            optional("size", OPTIONAL_NUMBER),
            optional("file", OPTIONAL_TEXT),
            optional("owner", OPTIONAL_TEXT),
            optional("thumbnail", OPTIONAL_TEXT),
            optional("external_url", OPTIONAL_TEXT),
            optional("bitrate", OPTIONAL_NUMBER),
            optional("codec_id", OPTIONAL_TEXT),
            optional("bit_depth", OPTIONAL_NUMBER),
            optional("chroma_subsampling", OPTIONAL_TEXT),
            optional("color_space", OPTIONAL_TEXT),
        ],
    },
    ApiType {
        name: "TensorpixRestoredVideo",
        model: "RestoredVideo",
        fields: &[
            ID,
            optional("job_id", OPTIONAL_NUMBER),
            NAME,
            optional("created_at", OPTIONAL_TEXT),
            optional("framerate", OPTIONAL_NUMBER),
            optional("n_frames", OPTIONAL_NUMBER),
            optional("bitrate", OPTIONAL_NUMBER),
            optional("codec_id", OPTIONAL_TEXT),
            optional("bit_depth", OPTIONAL_NUMBER),
            optional("chroma_subsampling", OPTIONAL_TEXT),
            optional("color_space", OPTIONAL_TEXT),
            optional("size", OPTIONAL_NUMBER),
            optional("file", OPTIONAL_TEXT),
            optional("thumbnail", OPTIONAL_TEXT),
            optional("deleted", OPTIONAL_TEXT),
            optional("width", OPTIONAL_NUMBER),
            optional("height", OPTIONAL_NUMBER),
            optional("owner", OPTIONAL_NUMBER),
            optional("preview_videos", "TensorpixPreviewVideos | null"),
            optional("quality_score", OPTIONAL_NUMBER),
        ],
    },
    ApiType {
        name: "TensorpixPreviewVideos",
        model: "PreviewVideos",
        fields: &[
            optional("before_video", OPTIONAL_TEXT),
            optional("after_video", OPTIONAL_TEXT),
        ],
    },
    ApiType {
        name: "TensorpixMlModel",
        model: "MlModel",
        fields: &[
            ID,
            optional("name", "string"),
            field("task", "number", ""),
            optional("description", OPTIONAL_TEXT),
            optional("short_description", OPTIONAL_TEXT),
            optional("cost_weight", OPTIONAL_NUMBER),
            optional("upscale_factor", OPTIONAL_NUMBER),
            optional("fps_boost_factor", OPTIONAL_NUMBER),
            optional("priority", OPTIONAL_NUMBER),
            optional("max_resolution", OPTIONAL_NUMBER),
        ],
    },
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde::Serialize;
    use tensorpix_models::{Job, JobStatus, MlModel, PreviewVideos, RestoredVideo, Video};

    use super::*;
    use crate::api::FetchError;

    fn names<'a>(names: impl IntoIterator<Item = &'a str>) -> BTreeSet<&'a str> {
        names.into_iter().collect()
    }

    #[test]
    fn properties_are_the_attributes_in_camel_case() {
        let properties: Vec<String> = ATTRIBUTES.iter().map(Attribute::property).collect();
        assert_eq!(
            properties,
            [
                "jobId",
                "apiBase",
                "apiKey",
                "token",
                "pollInterval",
                "theme",
                "locale",
                "status",
                "error"
            ]
        );
    }

    #[test]
    fn statuses_are_loading_and_every_job_status() {
        let mut expected = vec!["loading"];
        expected.extend(JobStatus::KNOWN.iter().map(|status| status.slug()));
        expected.push(JobStatus::Unknown(7).slug());
        assert_eq!(names(STATUSES.iter().copied()), names(expected));
    }

    #[test]
    fn error_kinds_are_every_fetch_error_and_a_bad_attribute() {
        let errors = [
            FetchError::Unauthorized { detail: None },
            FetchError::TokenRejected { detail: None },
            FetchError::Forbidden { detail: None },
            FetchError::NotFound { detail: None },
            FetchError::RateLimited {
                detail: None,
                retry_after: None,
            },
            FetchError::Server {
                status: 500,
                detail: None,
            },
            FetchError::UnexpectedStatus {
                status: 418,
                detail: None,
            },
            FetchError::Network,
            FetchError::Timeout,
            FetchError::InvalidResponse(tensorpix_models::DecodeError::Syntax),
        ];
        // A new variant must be added above (and so to the contract): this match will not compile.
        for error in &errors {
            match error {
                FetchError::Unauthorized { .. }
                | FetchError::TokenRejected { .. }
                | FetchError::Forbidden { .. }
                | FetchError::NotFound { .. }
                | FetchError::RateLimited { .. }
                | FetchError::Server { .. }
                | FetchError::UnexpectedStatus { .. }
                | FetchError::Network
                | FetchError::Timeout
                | FetchError::InvalidResponse(_) => {}
            }
        }
        let mut expected: BTreeSet<&str> = errors.iter().map(FetchError::kind).collect();
        expected.insert("invalid-config");
        assert_eq!(names(ERROR_KINDS.iter().copied()), expected);
    }

    #[test]
    fn themes_are_exactly_the_card_themes() {
        use crate::options::Theme;
        let slugs = [Theme::Auto, Theme::Light, Theme::Dark].map(Theme::slug);
        assert_eq!(THEMES, slugs);
        for slug in slugs {
            assert_eq!(Theme::parse(slug).map(Theme::slug), Some(slug), "{slug} reads back");
        }
        assert_eq!(Theme::parse("sepia"), None, "a name outside the list is refused");
    }

    /// The keys a model serializes to: every field, since `None` is written as `null` (but for the
    /// fields some versions leave out, which are skipped when absent, so the models below set them).
    fn keys(model: impl Serialize) -> BTreeSet<String> {
        match serde_json::to_value(model).unwrap() {
            serde_json::Value::Object(map) => map.keys().cloned().collect(),
            other => panic!("not an object: {other}"),
        }
    }

    #[test]
    fn the_api_types_have_exactly_the_models_fields() {
        let models = [
            (
                "Job",
                keys(Job {
                    fps_interpolation_factor: Some(2.0),
                    playback_speed: Some(1.0),
                    sharpen_strength: Some(0.5),
                    start_frame: Some(0),
                    end_frame: Some(100),
                    ..Job::default()
                }),
            ),
            ("Video", keys(Video::default())),
            (
                "RestoredVideo",
                keys(RestoredVideo {
                    preview_videos: Some(PreviewVideos::default()),
                    quality_score: Some(0.9),
                    ..RestoredVideo::default()
                }),
            ),
            ("PreviewVideos", keys(PreviewVideos::default())),
            (
                "MlModel",
                keys(MlModel {
                    description: Some(String::new()),
                    short_description: Some(String::new()),
                    ..MlModel::default()
                }),
            ),
        ];
        assert_eq!(models.len(), API_TYPES.len());
        for (model, fields) in models {
            let api_type = API_TYPES.iter().find(|api_type| api_type.model == model).unwrap();
            let declared: BTreeSet<String> = api_type.fields.iter().map(|field| field.name.to_owned()).collect();
            assert_eq!(declared, fields, "{} against {model}", api_type.name);
        }
    }

    #[test]
    fn the_css_properties_are_those_the_stylesheet_reads() {
        let css = include_str!("../static/card.css");
        let read: BTreeSet<&str> = css
            .match_indices("var(--tpx-")
            .map(|(start, _)| {
                let name = &css[start + 4..];
                &name[..name.find([',', ')']).unwrap()]
            })
            .collect();
        assert_eq!(read, names(CSS_PROPERTIES.iter().map(|property| property.name)));
    }

    #[test]
    fn event_names_are_prefixed_and_distinct() {
        let events = names(EVENTS.iter().map(|event| event.name));
        assert_eq!(events.len(), EVENTS.len());
        assert!(events.iter().all(|name| name.starts_with("tensorpix-job-")));
        assert_eq!(
            events,
            names([UPDATE_EVENT, STATUS_CHANGE_EVENT, FINISHED_EVENT, ERROR_EVENT])
        );
    }
}
