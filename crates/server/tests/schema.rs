//! Every payload the simulator serves validates against the official schema excerpt (`spec/`),
//! except where the real API is documented to differ: `started`, `eta_s` and `output_video` are
//! null while a job has not started or finished. The catalog's jobs are checked as built, and the
//! bodies a running simulator sends (jobs, a list page, error bodies) as they arrive.

mod common;

use common::request;
use serde_json::{Value, json};
use tensorpix_models::time::parse_rfc3339_millis;
use tensorpix_server::simulator::DEFAULT_API_KEY;
use tensorpix_server::simulator::catalog::{self, Context, Lookup};

const SPEC: &str = include_str!("../../../spec/tensorpix-openapi-1.0.0-schemas.yaml");

/// Job fields the real API leaves null although the schema does not say so (tensorpix-api.md §2.1).
const DOCUMENTED_NULLS: &[&str] = &["started", "eta_s", "output_video"];

/// The job demonstrating forward compatibility sends a status code the v1.0.0 enum lacks.
const UNKNOWN_STATUS_JOB: i64 = 110;

/// Keywords that only describe and never constrain.
const DESCRIPTIVE: &[&str] = &["description", "readOnly", "title", "example"];

struct Validator {
    schemas: Value,
}

impl Validator {
    fn new() -> Self {
        let spec: Value = serde_norway::from_str(SPEC).expect("the spec excerpt is YAML");
        Validator {
            schemas: spec["components"]["schemas"].clone(),
        }
    }

    fn validate(&self, schema_name: &str, instance: &Value) -> Vec<String> {
        let mut errors = Vec::new();
        self.check(
            instance,
            &json!({"$ref": format!("#/components/schemas/{schema_name}")}),
            "$",
            &mut errors,
        );
        errors
    }

    fn check(&self, instance: &Value, schema: &Value, path: &str, errors: &mut Vec<String>) {
        let schema = schema.as_object().expect("schemas are objects");
        if instance.is_null() {
            let nullable = schema.get("nullable") == Some(&Value::Bool(true));
            if !nullable && !is_documented_null(path) {
                errors.push(format!("{path}: null, but not nullable"));
            }
            return;
        }
        for (keyword, value) in schema {
            match keyword.as_str() {
                "$ref" => {
                    let name = value.as_str().unwrap().rsplit('/').next().unwrap();
                    self.check(instance, &self.schemas[name], path, errors);
                }
                "allOf" => value
                    .as_array()
                    .unwrap()
                    .iter()
                    .for_each(|part| self.check(instance, part, path, errors)),
                "type" => {
                    let fits = match value.as_str().unwrap() {
                        "integer" => instance.is_i64() || instance.is_u64(),
                        "number" => instance.is_number(),
                        "string" => instance.is_string(),
                        "boolean" => instance.is_boolean(),
                        "object" => instance.is_object(),
                        "array" => instance.is_array(),
                        other => panic!("unsupported type {other}"),
                    };
                    if !fits {
                        errors.push(format!("{path}: {instance} is not of type {value}"));
                    }
                }
                "format" => check_format(value.as_str().unwrap(), instance, path, errors),
                "enum" => {
                    if !value.as_array().unwrap().contains(instance) {
                        errors.push(format!("{path}: {instance} is not one of {value}"));
                    }
                }
                // Type-specific keywords skip other types; `type` reports those.
                "minimum" | "maximum" if !instance.is_number() => {}
                "maxLength" | "pattern" if !instance.is_string() => {}
                "required" | "properties" if !instance.is_object() => {}
                "minimum" | "maximum" => {
                    let (Some(number), Some(bound)) = (as_i128(instance), as_i128(value)) else {
                        let (number, bound) = (instance.as_f64().unwrap(), value.as_f64().unwrap());
                        if (keyword == "minimum" && number < bound) || (keyword == "maximum" && number > bound) {
                            errors.push(format!("{path}: {number} is out of bounds ({keyword} {bound})"));
                        }
                        continue;
                    };
                    if (keyword == "minimum" && number < bound) || (keyword == "maximum" && number > bound) {
                        errors.push(format!("{path}: {number} is out of bounds ({keyword} {bound})"));
                    }
                }
                "maxLength" => {
                    if instance.as_str().unwrap().chars().count() as u64 > value.as_u64().unwrap() {
                        errors.push(format!("{path}: longer than {value}"));
                    }
                }
                "pattern" => {
                    let pattern = regex_lite::Regex::new(value.as_str().unwrap()).unwrap();
                    if !pattern.is_match(instance.as_str().unwrap()) {
                        errors.push(format!("{path}: {instance} does not match {value}"));
                    }
                }
                "required" => {
                    for field in value.as_array().unwrap() {
                        if instance.get(field.as_str().unwrap()).is_none() {
                            errors.push(format!("{path}: missing required `{field}`"));
                        }
                    }
                }
                "properties" => {
                    for (field, field_schema) in value.as_object().unwrap() {
                        if let Some(field_value) = instance.get(field) {
                            self.check(field_value, field_schema, &format!("{path}.{field}"), errors);
                        }
                    }
                }
                "items" => {
                    for (index, item) in instance.as_array().into_iter().flatten().enumerate() {
                        self.check(item, value, &format!("{path}[{index}]"), errors);
                    }
                }
                "nullable" => {}
                other if DESCRIPTIVE.contains(&other) => {}
                other => panic!("the validator does not know `{other}`; teach it before trusting it"),
            }
        }
    }
}

/// True for `$.field` or `$.results[N].field` where `field` is one of [`DOCUMENTED_NULLS`].
fn is_documented_null(path: &str) -> bool {
    let job_field = match path.strip_prefix("$.results[") {
        Some(rest) => rest.split_once("].").map(|(_, field)| field),
        None => path.strip_prefix("$."),
    };
    job_field.is_some_and(|field| DOCUMENTED_NULLS.contains(&field))
}

fn as_i128(value: &Value) -> Option<i128> {
    value
        .as_i64()
        .map(i128::from)
        .or_else(|| value.as_u64().map(i128::from))
}

fn check_format(format: &str, instance: &Value, path: &str, errors: &mut Vec<String>) {
    let valid = match (format, instance) {
        ("int64", number) => number.is_i64() || !number.is_number(),
        ("double", _) => true, // `type: number` already says it
        (_, Value::String(text)) => check_string_format(format, text),
        _ => true, // `type` reports the mismatch
    };
    if !valid {
        errors.push(format!("{path}: {instance} is not a valid {format}"));
    }
}

fn check_string_format(format: &str, text: &str) -> bool {
    match format {
        "date-time" => parse_rfc3339_millis(text).is_some(),
        "uri" => text.split_once(':').is_some_and(|(scheme, _)| {
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }),
        "email" => text
            .split_once('@')
            .is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.')),
        "decimal" => true, // the pattern keyword beside it says what a decimal looks like
        other => panic!("unsupported string format {other}"),
    }
}

fn context(now_millis: i64) -> Context<'static> {
    Context {
        origin: "http://127.0.0.1:8099",
        anchor_millis: 1_790_000_000_000,
        now_millis,
    }
}

fn job_json(id: i64, context: &Context, started: Option<i64>) -> Value {
    match catalog::lookup(id, context, started) {
        Lookup::Found(job) => serde_json::to_value(&job).unwrap(),
        other => panic!("job {id}: {other:?}"),
    }
}

#[test]
fn every_demo_job_validates() {
    let validator = Validator::new();
    let now = context(1_790_000_000_000);
    for id in catalog::DEMO_JOB_IDS {
        let errors = validator.validate("Job", &job_json(*id, &now, None));
        if *id == UNKNOWN_STATUS_JOB {
            assert_eq!(errors, ["$.status: 7 is not one of [0,1,2,-1,-2]"]);
        } else {
            assert!(errors.is_empty(), "job {id}:\n{}", errors.join("\n"));
        }
    }
}

#[test]
fn moving_jobs_validate_in_every_state() {
    let validator = Validator::new();
    let start = 1_790_000_000_000;
    for id in [101, 2000, 2999] {
        for seconds in [0, 3, 6, 30, 59, 61, 600] {
            let job = job_json(id, &context(start + seconds * 1_000), Some(start));
            let errors = validator.validate("Job", &job);
            assert!(errors.is_empty(), "job {id} at {seconds} s:\n{}", errors.join("\n"));
        }
    }
}

#[test]
fn the_validator_catches_what_breaks_the_schema() {
    let validator = Validator::new();
    let valid = job_json(102, &context(1_790_000_000_000), None);
    let broken = |pointer: &str, value: Value| {
        let mut job = valid.clone();
        *job.pointer_mut(pointer).unwrap() = value;
        validator.validate("Job", &job)
    };
    let expect_error = |errors: Vec<String>, needle: &str| {
        assert!(
            errors.iter().any(|error| error.contains(needle)),
            "expected `{needle}` in {errors:?}"
        );
    };
    expect_error(broken("/output_video/width", json!(8193)), "out of bounds");
    expect_error(
        broken("/output_video/bitrate", json!("9223372036854775807")),
        "not of type",
    );
    expect_error(broken("/output_video/size", json!(99)), "out of bounds");
    expect_error(broken("/cost_usd", json!("12.34567")), "does not match");
    expect_error(broken("/status", json!(3)), "is not one of");
    expect_error(broken("/codec", json!("prores")), "is not one of");
    expect_error(broken("/input_video/created_at", json!("yesterday")), "date-time");
    expect_error(broken("/input_video/owner", json!("nobody")), "email");
    expect_error(broken("/preview", json!(null)), "not nullable");
    expect_error(broken("/ml_models/0/task", json!(15)), "is not one of");
    expect_error(
        broken("/output_video/bitrate", json!(9_223_372_036_854_775_808_u64)),
        "out of bounds",
    );
    expect_error(broken("/output_video/framerate", json!(1000.5)), "out of bounds");
    expect_error(broken("/output_video/name", json!("n".repeat(501))), "longer than");
    let mut missing = valid.clone();
    missing.as_object_mut().unwrap().remove("comparison");
    expect_error(validator.validate("Job", &missing), "missing required");
    // The documented exceptions stay narrow: `finished` may be null by the schema itself, but a
    // null `id` is still an error.
    assert!(broken("/finished", json!(null)).is_empty());
    expect_error(broken("/id", json!(null)), "not nullable");
}

#[test]
fn error_bodies_and_lists_validate() {
    let validator = Validator::new();
    for schema in [
        "UnauthenticatedError",
        "ForbiddenError",
        "NotFoundError",
        "RateLimitError",
        "GenericError",
    ] {
        assert!(validator.validate(schema, &json!({"detail": "Not found."})).is_empty());
        assert!(!validator.validate(schema, &json!({"message": "Not found."})).is_empty());
    }
    let now = context(1_790_000_000_000);
    let results: Vec<Value> = catalog::DEMO_JOB_IDS
        .iter()
        .filter(|id| **id != UNKNOWN_STATUS_JOB)
        .map(|id| job_json(*id, &now, None))
        .collect();
    let list = json!({"count": results.len(), "next": null, "previous": null, "results": results});
    let errors = validator.validate("PaginatedJobList", &list);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// The status error the catalog's forward-compatibility job always has.
const UNKNOWN_STATUS: &str = "status: 7 is not one of [0,1,2,-1,-2]";

#[tokio::test]
async fn what_a_running_simulator_serves_validates() {
    let validator = Validator::new();
    let simulator = common::start_simulator(DEFAULT_API_KEY).await;
    let auth = [("Authorization", "Token tpx-demo-key")];
    let served = |path: String, status: u16| async move {
        let reply = request(simulator, "GET", &path, &auth, "").await;
        assert_eq!(reply.status, status, "{path}: {}", reply.body);
        serde_json::from_str::<Value>(&reply.body).unwrap_or_else(|error| panic!("{path}: {error}"))
    };

    for id in catalog::DEMO_JOB_IDS {
        let errors = validator.validate("Job", &served(format!("/api/jobs/{id}/"), 200).await);
        if *id == UNKNOWN_STATUS_JOB {
            assert_eq!(errors, [format!("$.{UNKNOWN_STATUS}")]);
        } else {
            assert!(errors.is_empty(), "job {id}:\n{}", errors.join("\n"));
        }
    }

    let all = served("/api/jobs/".to_owned(), 200).await;
    let unknown = catalog::DEMO_JOB_IDS
        .iter()
        .position(|id| *id == UNKNOWN_STATUS_JOB)
        .unwrap();
    assert_eq!(
        validator.validate("PaginatedJobList", &all),
        [format!("$.results[{unknown}].{UNKNOWN_STATUS}")]
    );
    let page = served("/api/jobs/?limit=5&offset=5".to_owned(), 200).await;
    assert!(page["next"].is_string() && page["previous"].is_string(), "{page}");
    assert_eq!(
        validator.validate("PaginatedJobList", &page),
        [format!("$.results[{}].{UNKNOWN_STATUS}", unknown - 5)]
    );

    for (path, status, schema) in [
        ("/api/jobs/403/", 403, "ForbiddenError"),
        ("/api/jobs/999999/", 404, "NotFoundError"),
        ("/_fault/429/api/jobs/102/", 429, "RateLimitError"),
        ("/_fault/500/api/jobs/102/", 500, "GenericError"),
        ("/_fault/503/api/jobs/102/", 503, "GenericError"),
    ] {
        let errors = validator.validate(schema, &served(path.to_owned(), status).await);
        assert!(errors.is_empty(), "{path}: {errors:?}");
    }
    let unauthenticated = request(simulator, "GET", "/api/jobs/102/", &[], "").await;
    assert_eq!(unauthenticated.status, 401);
    let body: Value = serde_json::from_str(&unauthenticated.body).unwrap();
    assert!(validator.validate("UnauthenticatedError", &body).is_empty(), "{body}");
}
