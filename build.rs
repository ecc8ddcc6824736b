//! Ships the card's stylesheet minified by lightningcss: without comments, indentation and long
//! forms, which every page would otherwise download inside the wasm. A syntax error in
//! `static/card.css` fails the build here instead of reaching a browser.

use std::{env, fs, path::Path};

use lightningcss::stylesheet::{MinifyOptions, ParserOptions, PrinterOptions, StyleSheet};

fn main() {
    let source = "static/card.css";
    println!("cargo::rerun-if-changed={source}");
    let css = fs::read_to_string(source).expect("static/card.css is readable");
    let options = ParserOptions {
        filename: source.to_owned(),
        ..ParserOptions::default()
    };
    let mut sheet = StyleSheet::parse(&css, options).unwrap_or_else(|error| panic!("{source}: {error}"));
    // No browser targets: nothing is prefixed or lowered, only written shorter.
    sheet
        .minify(MinifyOptions::default())
        .unwrap_or_else(|error| panic!("{source}: {error}"));
    let minified = sheet
        .to_css(PrinterOptions {
            minify: true,
            ..PrinterOptions::default()
        })
        .unwrap_or_else(|error| panic!("{source}: {error}"))
        .code;
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("card.min.css");
    fs::write(out, minified).expect("OUT_DIR is writable");
}
