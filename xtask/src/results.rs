//! Reading libtest / wasm-bindgen-test `test result:` lines and adding them up.

use std::fmt;

/// Passed and failed tests, summed over every `test result:` line of a run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TestCounts {
    pub passed: u64,
    pub failed: u64,
    /// How many `test result:` lines were found (one per test binary that ran).
    pub result_lines: u64,
}

impl TestCounts {
    pub fn add(self, other: TestCounts) -> TestCounts {
        TestCounts {
            passed: self.passed + other.passed,
            failed: self.failed + other.failed,
            result_lines: self.result_lines + other.result_lines,
        }
    }
}

impl fmt::Display for TestCounts {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{} passed, {} failed", self.passed, self.failed)
    }
}

/// Sums every `test result: ok. 3 passed; 0 failed; ...` (or `FAILED.`) line in `output`.
pub fn parse_test_results(output: &str) -> TestCounts {
    output
        .lines()
        .filter_map(parse_result_line)
        .fold(TestCounts::default(), TestCounts::add)
}

fn parse_result_line(line: &str) -> Option<TestCounts> {
    let line = strip_ansi(line);
    let (_, rest) = line.split_once("test result:")?;
    let words: Vec<&str> = rest.split_whitespace().collect();
    // `N passed;` / `N failed;`: the number is the word before the label.
    let count_of = |label: &str| {
        words
            .windows(2)
            .find(|pair| pair[1].trim_end_matches([';', ',']) == label)
            .and_then(|pair| pair[0].parse::<u64>().ok())
    };
    Some(TestCounts {
        passed: count_of("passed")?,
        failed: count_of("failed")?,
        result_lines: 1,
    })
}

/// Drops ANSI colour sequences (`ESC [ ... letter`), in case a tool colours its summary.
fn strip_ansi(line: &str) -> String {
    let mut plain = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.next() == Some('[') {
                for end in chars.by_ref() {
                    if end.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_every_result_line() {
        let output = "\
running 3 tests
test a ... ok
test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s

     Running tests/api.rs (target/debug/deps/api-0123)
test result: ok. 54 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 1.20s
";
        assert_eq!(
            parse_test_results(output),
            TestCounts {
                passed: 57,
                failed: 0,
                result_lines: 2
            }
        );
    }

    #[test]
    fn counts_failures() {
        let output = "\
test result: ok. 10 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s
failures:
    card::shows_progress
test result: FAILED. 7 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.30s
";
        let counts = parse_test_results(output);
        assert_eq!((counts.passed, counts.failed, counts.result_lines), (17, 2, 2));
        assert_eq!(counts.to_string(), "17 passed, 2 failed");
    }

    #[test]
    fn reads_the_wasm_bindgen_test_runner_format() {
        let output = "Running headless tests in Chrome on `http://127.0.0.1:41273/`\n\
                      test result: ok. 12 passed; 0 failed; 0 ignored; 0 filtered out; finished in 3.21s\n";
        assert_eq!(parse_test_results(output).passed, 12);
    }

    #[test]
    fn ignores_colours() {
        let output = "test result: \u{1b}[32mok\u{1b}[0m. 4 passed; 1 failed; 0 ignored\n";
        let counts = parse_test_results(output);
        assert_eq!((counts.passed, counts.failed), (4, 1));
    }

    #[test]
    fn output_without_a_result_line_counts_nothing() {
        let output = "   Compiling tensorpix-job-card v0.1.0\nerror[E0425]: cannot find value `x`\n";
        assert_eq!(parse_test_results(output), TestCounts::default());
        assert_eq!(parse_test_results(""), TestCounts::default());
    }

    #[test]
    fn ignores_lines_that_only_mention_test_results() {
        // A test's own output that happens to contain the words, but no counts.
        assert_eq!(
            parse_test_results("println: test result: pending\n"),
            TestCounts::default()
        );
    }
}
