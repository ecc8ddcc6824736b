//! Decoding real-shaped payloads: the docs example, every state, the schema's bounds, and bad input.

use proptest::prelude::*;
use serde_json::{Value, json};
use tensorpix_models::{Codec, DecodeError, Job, JobStatus, OutputResolution, Task, decode_error_body, decode_job};

const DOCS_EXAMPLE: &str = include_str!("fixtures/docs-example.json");

/// A finished job as the backend sends it, with a v1.1.0 output.
const FINISHED: &str = r#"{
  "id": 4711, "started": "2026-11-28T10:00:00Z", "preview": false, "description": "Holiday film",
  "cost_usd": "12.5000", "status": 2, "eta_s": 0, "finished": "2026-11-28T10:04:10.250Z",
  "processing_progress": 1.0,
  "input_video": {"id": 9, "name": "holiday.mp4", "width": 960, "height": 540, "created_at": "2026-11-28T09:59:00Z",
    "n_frames": 1500, "framerate": 25.0, "size": 31457280, "file": "https://cdn.example/in.mp4",
    "owner": "someone@example.com", "thumbnail": "https://cdn.example/in.jpg", "external_url": null,
    "bitrate": 5000000, "codec_id": "h264", "bit_depth": 8, "chroma_subsampling": "yuv420p", "color_space": "bt709"},
  "output_video": {"id": 77, "job_id": 4711, "name": "holiday_enhanced.mp4", "created_at": "2026-11-28T10:04:10Z",
    "framerate": 50.0, "n_frames": 3000, "bitrate": 20000000, "codec_id": "hevc", "bit_depth": 10,
    "chroma_subsampling": "yuv420p10le", "color_space": "bt709", "size": 251658240,
    "file": "https://cdn.example/out.mp4", "thumbnail": "https://cdn.example/out.jpg", "deleted": null,
    "width": 1920, "height": 1080, "owner": 42, "quality_score": 4.2,
    "preview_videos": {"before_video": "https://cdn.example/before.mp4", "after_video": "https://cdn.example/after.mp4"}},
  "ml_models": [{"id": 34, "name": "Upscale 2x", "task": 1, "description": "d", "short_description": "s",
    "cost_weight": 1.5, "upscale_factor": 2, "fps_boost_factor": null, "priority": 1, "max_resolution": 2073600}],
  "grain": 0.1, "codec": "libx265", "output_resolution": 1920, "comparison": false, "stabilization_smoothing": 0,
  "fps_interpolation_factor": 2, "playback_speed": 1, "sharpen_strength": 0.5, "start_frame": null, "end_frame": null
}"#;

/// A job waiting for a GPU: no start time, no ETA, no output, and none of the v1.1.0 fields.
const QUEUED: &str = r#"{
  "id": 5, "started": null, "preview": true, "description": "", "cost_usd": "0", "status": 0, "eta_s": null,
  "finished": null, "processing_progress": 0,
  "input_video": {"id": 1, "name": "clip.mov", "width": 640, "height": 360, "created_at": "2026-11-28T09:59:00Z",
    "n_frames": 250, "framerate": 25, "size": 1000, "file": null, "owner": "a@b.c", "thumbnail": null,
    "external_url": null, "bitrate": null, "codec_id": null, "bit_depth": null, "chroma_subsampling": null,
    "color_space": null},
  "output_video": null, "ml_models": [], "grain": 0, "codec": "libx264", "output_resolution": -1,
  "comparison": false, "stabilization_smoothing": 0
}"#;

fn with(base: &str, pointer: &str, value: Value) -> String {
    let mut json: Value = serde_json::from_str(base).unwrap();
    *json.pointer_mut(pointer).unwrap_or_else(|| panic!("no {pointer}")) = value;
    json.to_string()
}

#[test]
fn decodes_the_docs_example() {
    let job = decode_job(DOCS_EXAMPLE).expect("the docs example decodes");
    assert_eq!(job.id, 123);
    assert_eq!(job.status, JobStatus::InQueue);
    assert_eq!(job.codec, Codec::H264);
    assert_eq!(job.output_resolution, Some(OutputResolution::NoResize));
    assert_eq!(job.cost_usd.parse(), None, "\"<string>\" is no number");
    assert_eq!(job.progress_percent(), 100.0, "123 as a ratio is clamped");
    let output = job.output_video.expect("the example has an output");
    assert_eq!(output.bitrate, Some(4_611_686_018_427_388_000));
    assert_eq!(output.size, Some(200_000_000_050));
    assert_eq!(output.quality_score, Some(3.0));
    assert_eq!(output.preview_videos.unwrap().after_video.as_deref(), Some("<string>"));
    assert_eq!(job.ml_models[0].task, Task::SuperResolution);
    assert_eq!(job.ml_models[0].description, None, "v1.1.0 items have no description");
    assert_eq!(job.end_frame, Some(123));
}

#[test]
fn decodes_a_finished_job() {
    let job = decode_job(FINISHED).unwrap();
    assert_eq!(job.status, JobStatus::Finished);
    assert!(job.status.is_terminal());
    assert_eq!(job.codec, Codec::Hevc);
    assert_eq!(job.output_resolution, Some(OutputResolution::P1080));
    assert_eq!(job.eta_seconds(), None, "an ETA of zero is no ETA");
    assert_eq!(job.progress_percent(), 100.0);
    assert_eq!(job.input_video.duration_seconds(), Some(60.0));
    let output = job.output_video.unwrap();
    assert!(!output.is_deleted());
    assert_eq!(output.duration_seconds(), Some(60.0));
    assert_eq!(
        output.preview_videos.unwrap().before_video.as_deref(),
        Some("https://cdn.example/before.mp4")
    );
    assert_eq!(job.ml_models[0].upscale_factor, Some(2));
    assert_eq!(job.ml_models[0].fps_boost_factor, None);
    let cost = job.cost_usd.parse().unwrap();
    assert_eq!((cost.units.as_str(), cost.fraction.as_str()), ("12", "5"));
}

#[test]
fn decodes_a_queued_job_with_nulls_and_missing_v1_1_fields() {
    let job = decode_job(QUEUED).unwrap();
    assert_eq!(job.status, JobStatus::InQueue);
    assert_eq!(job.started, None);
    assert_eq!(job.eta_seconds(), None);
    assert_eq!(job.output_video, None);
    assert_eq!(job.playback_speed, None);
    assert_eq!(job.input_video.bitrate, None);
    assert!(job.preview);
}

#[test]
fn tolerates_missing_optional_fields_and_ignores_unknown_ones() {
    let minimal = r#"{"id": 1, "status": 1, "input_video": {"id": 2, "name": "x"}, "brand_new_field": [1, {"a": 2}]}"#;
    let job = decode_job(minimal).unwrap();
    assert_eq!(job.status, JobStatus::Processing);
    assert_eq!(job.progress_percent(), 0.0);
    assert_eq!(job.codec, Codec::Unknown(String::new()));
    assert!(job.ml_models.is_empty());
}

#[test]
fn keeps_the_schema_bounds_exact() {
    let mut json: Value = serde_json::from_str(FINISHED).unwrap();
    let output = json.pointer_mut("/output_video").unwrap();
    output["width"] = json!(8192);
    output["height"] = json!(8192);
    output["framerate"] = json!(1000);
    output["bit_depth"] = json!(30);
    output["size"] = json!(400_000_000_000_i64);
    output["bitrate"] = json!(i64::MAX);
    output["n_frames"] = json!(2_147_483_647);
    let text = json.to_string();
    assert!(text.contains("9223372036854775807"));
    let job = decode_job(&text).unwrap();
    let output = job.output_video.as_ref().unwrap();
    assert_eq!(output.bitrate, Some(i64::MAX));
    assert_eq!(output.size, Some(400_000_000_000));
    assert_eq!(
        (output.width, output.height, output.bit_depth),
        (Some(8192), Some(8192), Some(30))
    );
    assert_eq!(output.framerate, Some(1000.0));
    // Encoding again writes the same digits: nothing went through a float.
    assert!(
        serde_json::to_string(&job)
            .unwrap()
            .contains("\"bitrate\":9223372036854775807")
    );
}

#[test]
fn decodes_unknown_codes_instead_of_failing() {
    let text = with(
        &with(&with(FINISHED, "/status", json!(7)), "/codec", json!("prores_ks")),
        "/output_resolution",
        json!(1234),
    );
    let text = with(&text, "/ml_models/0/task", json!(15));
    let job = decode_job(&text).unwrap();
    assert_eq!(job.status, JobStatus::Unknown(7));
    assert!(!job.status.is_terminal());
    assert_eq!(job.codec, Codec::Unknown("prores_ks".into()));
    assert_eq!(job.output_resolution, Some(OutputResolution::Unknown(1234)));
    assert_eq!(job.ml_models[0].task, Task::Unknown(15));
    let encoded = serde_json::to_value(&job).unwrap();
    assert_eq!(
        (encoded["status"].clone(), encoded["codec"].clone()),
        (json!(7), json!("prores_ks"))
    );
}

#[test]
fn wrong_types_give_a_schema_error_naming_the_field() {
    let cases = [
        ("/status", json!("2"), "status"),
        ("/input_video/size", json!("big"), "input_video.size"),
        ("/output_video/bitrate", json!(1.5), "output_video.bitrate"),
        ("/ml_models", json!({}), "ml_models"),
        ("/ml_models/0/task", json!(null), "ml_models[0].task"),
        ("/id", json!(-0.5), "id"),
    ];
    for (pointer, value, expected_path) in cases {
        match decode_job(&with(FINISHED, pointer, value.clone())) {
            Err(DecodeError::Schema { path, .. }) => assert_eq!(path, expected_path, "{pointer} = {value}"),
            other => panic!("{pointer} = {value}: expected a schema error, got {other:?}"),
        }
    }
}

#[test]
fn schema_errors_name_the_field_in_pretty_printed_text_and_nested_objects() {
    let mut job: Value = serde_json::from_str(FINISHED).unwrap();
    job["ml_models"][0]["name"] = json!("a \"quoted\", [bracketed] {name}");
    job["ml_models"][0]["task"] = json!("denoise");
    let compact = job.to_string();
    let pretty = serde_json::to_string_pretty(&job).unwrap();
    for text in [&compact, &pretty] {
        match decode_job(text) {
            Err(DecodeError::Schema { path, .. }) => assert_eq!(path, "ml_models[0].task"),
            other => panic!("expected a schema error, got {other:?}"),
        }
    }
    job["ml_models"][0]["task"] = json!(1);
    job["output_video"].as_object_mut().unwrap().remove("id");
    match decode_job(&serde_json::to_string_pretty(&job).unwrap()) {
        Err(DecodeError::Schema { path, message }) => {
            assert_eq!(path, "output_video");
            assert!(message.contains("missing field `id`"), "{message}");
        }
        other => panic!("expected a schema error, got {other:?}"),
    }
}

#[test]
fn missing_required_fields_are_schema_errors() {
    let error = decode_job(r#"{"id": 1, "status": 0}"#).unwrap_err();
    assert!(
        matches!(&error, DecodeError::Schema { message, .. } if message.contains("input_video")),
        "{error}"
    );
    for body in ["[]", "null", "7"] {
        let error = decode_job(body).unwrap_err();
        assert!(
            matches!(&error, DecodeError::Schema { path, .. } if path.is_empty()),
            "{body}: {error:?}"
        );
        assert!(
            error
                .to_string()
                .starts_with("The response does not match the job schema (invalid "),
            "a wrong body as a whole names no field: {error}"
        );
    }
}

#[test]
fn whole_numbers_past_two_to_the_53_are_read_not_refused() {
    // What a JavaScript parse makes of 9223372036854775807: the double 2^63.
    let text = with(
        FINISHED,
        "/output_video/bitrate",
        json!(9_223_372_036_854_775_808.0_f64),
    );
    assert_eq!(decode_job(&text).unwrap().output_video.unwrap().bitrate, Some(i64::MAX));
    let text = with(FINISHED, "/input_video/size", json!(u64::MAX));
    assert_eq!(decode_job(&text).unwrap().input_video.size, Some(i64::MAX));
    let text = with(FINISHED, "/status", json!(2.0));
    assert_eq!(decode_job(&text).unwrap().status, JobStatus::Finished);
    let text = with(FINISHED, "/status", json!(1e20));
    assert_eq!(decode_job(&text).unwrap().status, JobStatus::Unknown(i64::MAX));
}

#[test]
fn a_repeated_field_counts_once_with_its_last_value_as_in_a_browser() {
    let text = FINISHED.replacen("\"status\": 2", "\"status\": 1, \"status\": 2", 1);
    assert_ne!(text, FINISHED);
    assert_eq!(decode_job(&text).unwrap().status, JobStatus::Finished);
}

#[test]
fn a_hostile_string_does_not_fill_the_message() {
    let long = "x".repeat(10_000);
    let text = with(FINISHED, "/status", json!(long));
    match decode_job(&text) {
        Err(DecodeError::Schema { path, message }) => {
            assert_eq!(path, "status");
            assert!(message.starts_with("invalid type: string \"xxx"), "{message}");
            assert!(message.chars().count() <= 161 && message.ends_with('…'), "{message}");
        }
        other => panic!("expected a schema error, got {other:?}"),
    }
    let multibyte = with(FINISHED, "/codec", json!(["ü".repeat(500)]));
    let error = decode_job(&multibyte).unwrap_err().to_string();
    assert!(error.chars().count() < 260, "{error}");
}

#[test]
fn text_that_is_not_json_is_a_syntax_error() {
    for text in [
        "",
        "<html><body>502 Bad Gateway</body></html>",
        &FINISHED[..FINISHED.len() / 2],
        "{\"id\": 1,}",
    ] {
        let error = decode_job(text).unwrap_err();
        assert_eq!(error, DecodeError::Syntax, "{text:?}");
        let shown = error.to_string();
        assert!(
            !shown.contains("byte") && !shown.contains(char::is_numeric),
            "positions are noise to a user: {shown}"
        );
    }
}

#[test]
fn error_bodies_yield_their_detail() {
    assert_eq!(
        decode_error_body(r#"{"detail": "Invalid token."}"#).as_deref(),
        Some("Invalid token.")
    );
    assert_eq!(decode_error_body(r#"{"detail": "  "}"#), None);
    assert_eq!(decode_error_body("<html>oops</html>"), None);
    assert_eq!(decode_error_body(r#"{"errors": {}}"#), None);
}

/// JSON of every kind, floats included, nested a few levels.
fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |n| n.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

const JOB_POINTERS: &[&str] = &[
    "/id",
    "/status",
    "/started",
    "/eta_s",
    "/processing_progress",
    "/cost_usd",
    "/codec",
    "/output_resolution",
    "/input_video",
    "/input_video/name",
    "/input_video/size",
    "/output_video",
    "/output_video/bitrate",
    "/output_video/preview_videos",
    "/ml_models",
    "/ml_models/0",
    "/ml_models/0/task",
    "/grain",
];

/// `/ml_models/0/task` as the error names it: `ml_models[0].task`.
fn field_path(pointer: &str) -> String {
    pointer[1..].split('/').fold(String::new(), |path, segment| {
        if segment.bytes().all(|byte| byte.is_ascii_digit()) {
            format!("{path}[{segment}]")
        } else if path.is_empty() {
            segment.to_owned()
        } else {
            format!("{path}.{segment}")
        }
    })
}

/// A valid job with its typed fields set to values from the whole of their range.
fn arbitrary_job() -> impl Strategy<Value = Job> {
    (
        (any::<i64>(), any::<i64>(), any::<i64>(), any::<i64>()),
        (
            prop::option::of(any::<i64>()),
            prop::option::of(any::<i64>()),
            0..=1000_u32,
        ),
        ("\\PC{0,16}", "-?[0-9]{0,8}(\\.[0-9]{0,6})?", "\\PC{0,8}"),
    )
        .prop_map(
            |((id, status, task, resolution), (size, bitrate, per_mille), (name, cost, codec))| {
                let mut job = decode_job(FINISHED).unwrap();
                job.id = id;
                job.status = JobStatus::from(status);
                job.ml_models[0].task = Task::from(task);
                job.output_resolution = Some(OutputResolution::from(resolution));
                job.input_video.size = size;
                job.output_video.as_mut().unwrap().bitrate = bitrate;
                job.processing_progress = Some(f64::from(per_mille) / 1000.0);
                job.input_video.name = name;
                job.cost_usd = tensorpix_models::Credits(cost);
                job.codec = Codec::from(codec);
                job
            },
        )
}

proptest! {
    #[test]
    fn any_json_is_a_job_or_a_schema_error_never_a_syntax_error(value in arbitrary_json()) {
        let result = decode_job(&value.to_string());
        prop_assert!(!matches!(result, Err(DecodeError::Syntax)), "{value}");
    }

    #[test]
    fn text_is_a_syntax_error_exactly_when_it_is_not_json(text in "\\PC{0,64}") {
        let is_json = serde_json::from_str::<Value>(&text).is_ok();
        prop_assert_eq!(matches!(decode_job(&text), Err(DecodeError::Syntax)), !is_json);
        if !is_json {
            prop_assert_eq!(decode_error_body(&text), None);
        }
    }

    #[test]
    fn a_replaced_field_is_read_or_named_in_the_error(index in 0..JOB_POINTERS.len(), value in arbitrary_json()) {
        let pointer = JOB_POINTERS[index];
        match decode_job(&with(FINISHED, pointer, value.clone())) {
            Ok(job) => prop_assert!((0.0..=100.0).contains(&job.progress_percent())),
            Err(DecodeError::Schema { path, .. }) => prop_assert!(
                path.starts_with(&field_path(pointer)),
                "{pointer} = {value} was reported at `{path}`"
            ),
            Err(DecodeError::Syntax) => prop_assert!(false, "{pointer} = {value}: valid JSON is no syntax error"),
        }
    }

    #[test]
    fn every_job_reads_back_as_written(job in arbitrary_job()) {
        let text = serde_json::to_string(&job).unwrap();
        prop_assert_eq!(decode_job(&text), Ok(job));
    }

    #[test]
    fn any_cut_of_a_valid_payload_is_a_syntax_error(cut in 0..FINISHED.len()) {
        prop_assume!(FINISHED.is_char_boundary(cut));
        prop_assert_eq!(decode_job(&FINISHED[..cut]), Err(DecodeError::Syntax));
    }
}
