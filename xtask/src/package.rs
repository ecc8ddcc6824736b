//! The npm package in `dist/`: `package.json`, the TypeScript typings and the custom-elements
//! manifest, each written from the element's contract (`src/contract.rs`) by `cargo xtask bundle`.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use serde::Serialize;
use serde_json::{Value, json};
use tensorpix_job_card::internals::contract::{
    self, API_TYPES, ATTRIBUTES, Attribute, CLASS, CSS_PARTS, CSS_PROPERTIES, Direction, ENTRY_FILE, ERROR_KINDS,
    EVENTS, Field, MANIFEST_FILE, REACT_TYPES_FILE, STATUSES, TAG, THEMES, TYPES_FILE,
};

/// What `ready` is, in the typings and the manifest.
const READY_DESCRIPTION: &str = "Resolves once the card's WebAssembly is loaded and the element is live.";

/// Writes the three package files into `dir`, beside the entry and its hashed `wasm_file`.
pub fn write(dir: &Path, wasm_file: &str) -> Result<(), String> {
    let files = [
        ("package.json", package_json(wasm_file)),
        (TYPES_FILE, typings()),
        (MANIFEST_FILE, pretty(&manifest())),
        (REACT_TYPES_FILE, react_typings()),
        ("README.md", package_readme()),
    ];
    for (name, text) in files {
        let path = dir.join(name);
        fs::write(&path, text).map_err(|error| format!("cannot write {}: {error}", path.display()))?;
    }
    Ok(())
}

fn pretty(value: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("the files serialize");
    text.push('\n');
    text
}

/// The element's attribute lists as JavaScript array literals, for `element.js`'s placeholders.
pub fn attribute_lists() -> [(&'static str, String); 2] {
    let list = |direction| {
        let names: Vec<&str> = ATTRIBUTES
            .iter()
            .filter(|attribute| attribute.direction == direction)
            .map(|attribute| attribute.name)
            .collect();
        serde_json::to_string(&names).expect("names serialize")
    };
    [
        ("TENSORPIX_INPUT_ATTRIBUTES", list(Direction::Input)),
        ("TENSORPIX_STATE_ATTRIBUTES", list(Direction::State)),
    ]
}

/// `package.json`, fields in the order people read them; in `exports`, `types` must come before
/// `default`, since resolvers take the first condition that matches.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PackageJson<'a> {
    name: &'a str,
    version: &'a str,
    description: &'a str,
    license: &'a str,
    keywords: [&'a str; 4],
    #[serde(rename = "type")]
    module_type: &'a str,
    main: &'a str,
    module: &'a str,
    types: &'a str,
    exports: Exports<'a>,
    custom_elements: &'a str,
    files: [&'a str; 5],
    side_effects: [&'a str; 1],
}

#[derive(Serialize)]
struct Exports<'a> {
    #[serde(rename = ".")]
    entry: Conditions<'a>,
    #[serde(rename = "./react")]
    react: TypesOnly<'a>,
    #[serde(rename = "./custom-elements.json")]
    manifest: &'a str,
    #[serde(rename = "./package.json")]
    package: &'a str,
}

/// An entry with typings and no code: `import type {} from "tensorpix-job-card/react"`.
#[derive(Serialize)]
struct TypesOnly<'a> {
    types: &'a str,
}

#[derive(Serialize)]
struct Conditions<'a> {
    types: &'a str,
    default: &'a str,
}

/// `package.json`: exactly the files a user needs, the entry as the one side effect.
pub fn package_json(wasm_file: &str) -> String {
    let entry = format!("./{ENTRY_FILE}");
    let types = format!("./{TYPES_FILE}");
    let manifest = format!("./{MANIFEST_FILE}");
    let package = PackageJson {
        name: contract::PACKAGE,
        version: contract::VERSION,
        description: contract::DESCRIPTION,
        license: contract::LICENSE,
        keywords: ["tensorpix", "web-component", "custom-element", "webassembly"],
        module_type: "module",
        main: &entry,
        module: &entry,
        types: &types,
        exports: Exports {
            entry: Conditions {
                types: &types,
                default: &entry,
            },
            react: TypesOnly {
                types: &format!("./{REACT_TYPES_FILE}"),
            },
            manifest: &manifest,
            package: "./package.json",
        },
        custom_elements: MANIFEST_FILE,
        files: [ENTRY_FILE, wasm_file, TYPES_FILE, REACT_TYPES_FILE, MANIFEST_FILE],
        side_effects: [&entry],
    };
    pretty(&package)
}

fn union(values: &[&str]) -> String {
    values
        .iter()
        .map(|value| format!("\"{value}\""))
        .collect::<Vec<_>>()
        .join(" | ")
}

fn doc(out: &mut String, indent: &str, text: &str) {
    if !text.is_empty() {
        let _ = writeln!(out, "{indent}/** {text} */");
    }
}

fn fields(out: &mut String, fields: &[Field]) {
    for field in fields {
        doc(out, "  ", field.description);
        let optional = if field.optional { "?" } else { "" };
        let _ = writeln!(out, "  {}{optional}: {};", field.name, field.type_);
    }
}

fn event_map(out: &mut String, indent: &str) {
    for event in EVENTS {
        doc(out, indent, event.description);
        let _ = writeln!(out, "{indent}\"{}\": CustomEvent<{}>;", event.name, event.detail_type);
    }
}

/// `tensorpix-job-card.d.ts`: the element, its events' details through the event maps, the
/// attributes as properties, and the API's job as the events carry it.
pub fn typings() -> String {
    let mut out = format!(
        "// {} {}: typings written from the element's contract by `cargo xtask bundle`.\n\n",
        contract::PACKAGE,
        contract::VERSION
    );
    let status = ATTRIBUTES.iter().find(|attribute| attribute.name == "status");
    doc(&mut out, "", status.map_or("", |attribute| attribute.description));
    let _ = writeln!(out, "export type TensorpixJobCardStatus = {};\n", union(STATUSES));
    doc(
        &mut out,
        "",
        "What went wrong: the `error` attribute and `tensorpix-job-error`'s `kind`.",
    );
    let _ = writeln!(out, "export type TensorpixJobCardErrorKind = {};\n", union(ERROR_KINDS));
    let _ = writeln!(out, "export type TensorpixJobCardTheme = {};\n", union(THEMES));
    for api_type in API_TYPES {
        let _ = writeln!(out, "export interface {} {{", api_type.name);
        fields(&mut out, api_type.fields);
        out.push_str("  /** A field this version of the card does not know, passed on as the API sent it. */\n");
        out.push_str("  [field: string]: unknown;\n}\n\n");
    }
    for event in EVENTS {
        doc(&mut out, "", &format!("`{}`'s `detail`.", event.name));
        let _ = writeln!(out, "export interface {} {{", event.detail_type);
        fields(&mut out, event.detail);
        out.push_str("}\n\n");
    }
    out.push_str("/** The element's events; they bubble and cross the shadow boundary. */\n");
    out.push_str("export interface TensorpixJobCardEventMap {\n");
    event_map(&mut out, "  ");
    out.push_str("}\n\n");
    let _ = writeln!(out, "/** `<{TAG}>`: the live status of a TensorPix job. */");
    let _ = writeln!(out, "export interface {CLASS} extends HTMLElement {{");
    for attribute in ATTRIBUTES {
        let description = format!("`{}`: {}", attribute.name, attribute.description);
        doc(&mut out, "  ", &description);
        let property = attribute.property();
        match attribute.direction {
            Direction::Input => {
                let _ = writeln!(out, "  get {property}(): {};", attribute.read_type);
                doc(&mut out, "  ", &description);
                let write_type = attribute.write_type.unwrap_or(attribute.read_type);
                let _ = writeln!(out, "  set {property}(value: {write_type});");
            }
            Direction::State => {
                let _ = writeln!(out, "  readonly {property}: {};", attribute.read_type);
            }
        }
    }
    out.push_str("}\n\n");
    doc(&mut out, "", READY_DESCRIPTION);
    out.push_str("export declare const ready: Promise<void>;\n\n");
    out.push_str("declare global {\n  interface HTMLElementTagNameMap {\n");
    let _ = writeln!(out, "    \"{TAG}\": {CLASS};");
    out.push_str("  }\n  // Events bubble, so `document` and every ancestor hear them too.\n");
    out.push_str("  interface GlobalEventHandlersEventMap {\n");
    event_map(&mut out, "    ");
    out.push_str("  }\n}\n");
    out
}

/// `tensorpix-job-card-react.d.ts`: the element in React's JSX, its attributes as props and its
/// events as `on<event>` props (React 19 passes both to a custom element as they are). A file of
/// its own, since augmenting `react` fails where React's types are not installed.
pub fn react_typings() -> String {
    let mut out = format!(
        "// {} {}: the element in React 19's JSX, written from its contract by `cargo xtask bundle`.\n\
         // Use: import type {{}} from \"{}/react\";\n\n\
         import type {{ DetailedHTMLProps, HTMLAttributes }} from \"react\";\n\
         import type {{ {CLASS}, TensorpixJobCardEventMap, TensorpixJobCardTheme }} from \"{}\";\n\n",
        contract::PACKAGE,
        contract::VERSION,
        contract::PACKAGE,
        contract::PACKAGE,
    );
    out.push_str("/** `<tensorpix-job-card>`'s props in JSX. */\n");
    let _ = writeln!(
        out,
        "export interface TensorpixJobCardProps extends DetailedHTMLProps<HTMLAttributes<{CLASS}>, {CLASS}> {{"
    );
    for attribute in contract::input_attributes() {
        doc(&mut out, "  ", attribute.description);
        let optional = if attribute.name == "job-id" { "" } else { "?" };
        let type_ = attribute
            .write_type
            .unwrap_or(attribute.read_type)
            .trim_end_matches(" | null");
        let _ = writeln!(out, "  \"{}\"{optional}: {type_};", attribute.name);
    }
    for event in EVENTS {
        doc(&mut out, "  ", event.description);
        let _ = writeln!(
            out,
            "  \"on{}\"?: (event: TensorpixJobCardEventMap[\"{}\"]) => void;",
            event.name, event.name
        );
    }
    out.push_str("}\n\ndeclare module \"react\" {\n  namespace JSX {\n    interface IntrinsicElements {\n");
    let _ = writeln!(out, "      \"{TAG}\": TensorpixJobCardProps;");
    out.push_str("    }\n  }\n}\n");
    out
}

/// The package's `README.md`, what npm shows: how to use the element, and its contract as tables.
pub fn package_readme() -> String {
    let mut out = format!(
        "# {}\n\n{}\n\n\
         ```html\n<script type=\"module\" src=\"/assets/{ENTRY_FILE}\"></script>\n\n\
         <{TAG} job-id=\"4711\" api-base=\"/tensorpix\"></{TAG}>\n```\n\n\
         Or `import \"{}\";` from a bundler (Vite and webpack 5 copy the wasm beside the bundle; with \
         esbuild, copy `tensorpix-job-card_bg-*.wasm` yourself). Typings: `{TYPES_FILE}`; for React's \
         JSX, `import type {{}} from \"{}/react\"`. The manifest for editors and tools: `{MANIFEST_FILE}`.\n\n",
        contract::PACKAGE,
        contract::DESCRIPTION,
        contract::PACKAGE,
        contract::PACKAGE,
    );
    out.push_str("## Attributes\n\nEach is also a property in camelCase (`jobId`).\n\n| attribute | default | meaning |\n|---|---|---|\n");
    for attribute in ATTRIBUTES {
        let default = attribute.default.map(|value| format!("`{value}`")).unwrap_or_default();
        let _ = writeln!(out, "| `{}` | {default} | {} |", attribute.name, attribute.description);
    }
    out.push_str(
        "\n## Events\n\nThey bubble and cross the shadow boundary.\n\n| event | `detail` | when |\n|---|---|---|\n",
    );
    for event in EVENTS {
        let fields: Vec<String> = event.detail.iter().map(|field| format!("`{}`", field.name)).collect();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            event.name,
            fields.join(", "),
            event.description
        );
    }
    out.push_str("\n## Styling\n\nCustom properties, on the element or an ancestor:\n\n");
    for property in CSS_PROPERTIES {
        let _ = writeln!(out, "- `{}`: {}", property.name, property.description);
    }
    out.push_str("\nParts, for `::part(name)`:\n\n");
    for part in CSS_PARTS {
        let _ = writeln!(out, "- `{}`: {}", part.name, part.description);
    }
    let _ = writeln!(out, "\nLicence: {}.", contract::LICENSE);
    out
}

fn attribute_entry(attribute: &Attribute) -> Value {
    let mut entry = json!({
        "name": attribute.name,
        "description": attribute.description,
        "type": { "text": attribute.read_type },
        "fieldName": attribute.property(),
    });
    if let Some(default) = attribute.default {
        entry["default"] = json!(format!("\"{default}\""));
    }
    entry
}

fn member_entry(attribute: &Attribute) -> Value {
    let mut member = attribute_entry(attribute);
    member["kind"] = json!("field");
    member["name"] = json!(attribute.property());
    member["attribute"] = json!(attribute.name);
    member["reflects"] = json!(true);
    if let Value::Object(member) = &mut member {
        member.remove("fieldName");
    }
    if attribute.direction == Direction::State {
        member["readonly"] = json!(true);
    }
    member
}

/// `custom-elements.json`, Custom Elements Manifest 2.1.
pub fn manifest() -> Value {
    let mut members: Vec<Value> = ATTRIBUTES.iter().map(member_entry).collect();
    members.push(json!({
        "kind": "field",
        "name": "ready",
        "static": true,
        "readonly": true,
        "type": { "text": "Promise<void>" },
        "description": READY_DESCRIPTION,
    }));
    let events: Vec<Value> = EVENTS
        .iter()
        .map(|event| {
            json!({
                "name": event.name,
                "type": { "text": format!("CustomEvent<{}>", event.detail_type) },
                "description": event.description,
            })
        })
        .collect();
    let css_properties: Vec<Value> = CSS_PROPERTIES
        .iter()
        .map(
            |property| json!({ "name": property.name, "syntax": property.syntax, "description": property.description }),
        )
        .collect();
    let css_parts: Vec<Value> = CSS_PARTS
        .iter()
        .map(|part| json!({ "name": part.name, "description": part.description }))
        .collect();
    json!({
        "schemaVersion": "2.1.0",
        "modules": [{
            "kind": "javascript-module",
            "path": ENTRY_FILE,
            "declarations": [
                {
                    "kind": "class",
                    "name": CLASS,
                    "description": "The live status of a TensorPix video-enhancement job, in an open shadow root.",
                    "customElement": true,
                    "tagName": TAG,
                    "superclass": { "name": "HTMLElement", "package": "global:" },
                    "attributes": ATTRIBUTES.iter().map(attribute_entry).collect::<Vec<_>>(),
                    "members": members,
                    "events": events,
                    "cssProperties": css_properties,
                    "cssParts": css_parts,
                },
                {
                    "kind": "variable",
                    "name": "ready",
                    "type": { "text": "Promise<void>" },
                    "description": READY_DESCRIPTION,
                },
            ],
            "exports": [
                {
                    "kind": "custom-element-definition",
                    "name": TAG,
                    "declaration": { "name": CLASS, "module": ENTRY_FILE },
                },
                {
                    "kind": "js",
                    "name": "ready",
                    "declaration": { "name": "ready", "module": ENTRY_FILE },
                },
            ],
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_package_lists_the_entry_its_wasm_and_the_descriptions() {
        let text = package_json("tensorpix-job-card_bg-0123456789abcdef.wasm");
        assert!(text.starts_with("{\n  \"name\": \"tensorpix-job-card\",\n  \"version\": "));
        assert!(
            text.find("\"types\": \"./").unwrap() < text.find("\"default\": \"./").unwrap(),
            "resolvers take the first matching condition, so types come first"
        );
        let package: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(package["name"], "tensorpix-job-card");
        assert_eq!(package["version"], contract::VERSION);
        assert_eq!(package["type"], "module");
        assert_eq!(
            package["files"],
            json!([
                "tensorpix-job-card.js",
                "tensorpix-job-card_bg-0123456789abcdef.wasm",
                "tensorpix-job-card.d.ts",
                "tensorpix-job-card-react.d.ts",
                "custom-elements.json"
            ])
        );
        assert_eq!(package["exports"]["."]["types"], "./tensorpix-job-card.d.ts");
        assert_eq!(package["customElements"], "custom-elements.json");
    }

    #[test]
    fn the_element_observes_exactly_the_input_attributes() {
        let [(inputs, observed), (states, reflected)] = attribute_lists();
        assert_eq!(inputs, "TENSORPIX_INPUT_ATTRIBUTES");
        assert_eq!(
            observed,
            r#"["job-id","api-base","api-key","token","poll-interval","theme","locale"]"#
        );
        assert_eq!(
            (states, reflected.as_str()),
            ("TENSORPIX_STATE_ATTRIBUTES", r#"["status","error"]"#)
        );
    }

    #[test]
    fn the_typings_declare_every_event_attribute_and_status() {
        let typings = typings();
        for event in EVENTS {
            assert_eq!(
                typings
                    .matches(&format!("\"{}\": CustomEvent<{}>;", event.name, event.detail_type))
                    .count(),
                2,
                "{} in the element's map and the global one",
                event.name
            );
        }
        assert!(typings.contains("  get jobId(): string | null;\n"));
        assert!(typings.contains("  set jobId(value: string | number | null);\n"));
        assert!(typings.contains("  readonly status: TensorpixJobCardStatus | null;\n"));
        assert!(typings.contains("\"tensorpix-job-card\": TensorpixJobCardElement;"));
        assert!(typings.contains("export type TensorpixJobCardStatus = \"loading\" | \"in-queue\""));
    }

    #[test]
    fn the_react_typings_make_the_attributes_props_and_the_events_handlers() {
        let typings = react_typings();
        assert!(
            typings.contains("  \"job-id\": string | number;\n"),
            "the job id is required"
        );
        assert!(typings.contains("  \"theme\"?: TensorpixJobCardTheme;\n"));
        assert!(
            !typings.contains("\"status\""),
            "the card's own attributes are not props"
        );
        for event in EVENTS {
            assert!(typings.contains(&format!("\"on{}\"?: (event: TensorpixJobCardEventMap", event.name)));
        }
        assert!(typings.contains("\"tensorpix-job-card\": TensorpixJobCardProps;"));
    }

    #[test]
    fn the_package_readme_lists_the_contract() {
        let readme = package_readme();
        assert!(readme.starts_with("# tensorpix-job-card\n"));
        for attribute in ATTRIBUTES {
            assert!(
                readme.contains(&format!("| `{}` |", attribute.name)),
                "{}",
                attribute.name
            );
        }
        for event in EVENTS {
            assert!(readme.contains(&format!("| `{}` |", event.name)), "{}", event.name);
        }
        assert!(readme.contains("| `api-base` | `https://backend.tensorpix.ai` |"));
        assert!(readme.contains("- `--tpx-accent`: ") && readme.contains("- `comparison`: "));
    }

    #[test]
    fn the_manifest_describes_the_element() {
        let manifest = manifest();
        let element = &manifest["modules"][0]["declarations"][0];
        assert_eq!(element["tagName"], TAG);
        assert_eq!(element["attributes"].as_array().unwrap().len(), ATTRIBUTES.len());
        assert_eq!(element["attributes"][1]["default"], "\"https://backend.tensorpix.ai\"");
        assert_eq!(element["members"][0]["name"], "jobId");
        assert_eq!(element["members"][7]["readonly"], true, "status is the card's");
        assert_eq!(element["events"].as_array().unwrap().len(), EVENTS.len());
        assert_eq!(element["cssParts"].as_array().unwrap().len(), CSS_PARTS.len());
        assert_eq!(element["cssProperties"][0]["name"], "--tpx-accent");
    }
}
