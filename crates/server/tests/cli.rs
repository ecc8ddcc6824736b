//! The `tensorpix-server` binary as a shell or a container runs it: exit codes, where the proxy's
//! key comes from, and what it refuses.

use std::process::{Command, Output};

const BINARY: &str = env!("CARGO_BIN_EXE_tensorpix-server");
const KEY_VARIABLE: &str = "TENSORPIX_API_KEY";

/// `tensorpix-server proxy` on a free port, in front of an upstream it never reaches, with no key
/// in its environment unless a test adds one.
fn proxy(extra: &[&str]) -> Command {
    let mut command = Command::new(BINARY);
    command
        .args(["proxy", "--upstream", "http://127.0.0.1:9", "--listen", "127.0.0.1:0"])
        .args(extra)
        .env_remove(KEY_VARIABLE);
    command
}

fn run(command: &mut Command) -> (Option<i32>, String, String) {
    let Output { status, stdout, stderr } = command.output().unwrap();
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
    (status.code(), text(stdout), text(stderr))
}

#[test]
fn help_is_success_and_usage_errors_exit_with_2() {
    let (code, stdout, _) = run(Command::new(BINARY).args(["proxy", "--help"]));
    assert_eq!(code, Some(0));
    assert!(stdout.contains("--cache-ttl <SECS>"), "{stdout}");
    let (code, _, stderr) = run(&mut Command::new(BINARY));
    assert_eq!(code, Some(2), "no command is a usage error");
    assert!(stderr.contains("Commands:"), "{stderr}");
    let (code, _, stderr) = run(&mut proxy(&["--cache-ttl", "0"]));
    assert_eq!(code, Some(2));
    assert!(stderr.contains("above 0"), "{stderr}");
}

#[test]
fn the_proxy_refuses_to_start_without_a_key() {
    let (code, stdout, stderr) = run(&mut proxy(&[]));
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains(KEY_VARIABLE) && stderr.contains("--api-key-file"),
        "{stderr}"
    );
    assert!(!stdout.contains("ready"), "{stdout}");
}

#[test]
fn a_key_on_the_command_line_is_refused_without_echoing_it() {
    for flag in [
        ["--api-key", "sekrit-on-the-line"].as_slice(),
        &["--api-key=sekrit-on-the-line"],
    ] {
        let (code, stdout, stderr) = run(proxy(flag).env(KEY_VARIABLE, "tpx-from-the-environment"));
        assert_eq!(code, Some(2), "{flag:?}");
        assert!(
            stderr.contains(KEY_VARIABLE) && stderr.contains("--api-key-file"),
            "{stderr}"
        );
        assert!(!format!("{stdout}{stderr}").contains("sekrit"), "{stderr}");
    }
}
