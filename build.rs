//! Ships the card's stylesheet without comments and indentation: a third of its bytes, which every
//! page would otherwise download inside the wasm.

use std::{env, fs, path::Path};

fn main() {
    let source = "static/card.css";
    println!("cargo::rerun-if-changed={source}");
    let css = fs::read_to_string(source).expect("static/card.css is readable");
    let minified = minify(&css);
    assert_eq!(
        css.matches('{').count(),
        minified.matches('{').count(),
        "minifying card.css lost a rule"
    );
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("card.min.css");
    fs::write(out, minified).expect("OUT_DIR is writable");
}

/// Drops comments and collapses whitespace; keeps one space wherever whitespace can mean
/// something (a descendant selector such as `.card :focus-visible`), so rules never change.
fn minify(css: &str) -> String {
    let mut without_comments = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        without_comments.push_str(&rest[..start]);
        rest = rest[start + 2..].split_once("*/").map_or("", |(_, after)| after);
        without_comments.push(' ');
    }
    without_comments.push_str(rest);
    let mut minified = String::with_capacity(without_comments.len());
    for word in without_comments.split_whitespace() {
        let joins = minified.ends_with(['{', '}', ';', ',']) || word.starts_with(['{', '}', ';', ',']);
        if !minified.is_empty() && !joins {
            minified.push(' ');
        }
        minified.push_str(word);
    }
    minified
}
