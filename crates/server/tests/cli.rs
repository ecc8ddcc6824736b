//! The `tensorpix-server` binary as a shell or a container runs it: exit codes, where the proxy's
//! key and token secret come from, what it refuses, the `token` command, and that SIGTERM stops it
//! cleanly.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BINARY: &str = env!("CARGO_BIN_EXE_tensorpix-server");
const KEY_VARIABLE: &str = "TENSORPIX_API_KEY";
const SECRET_VARIABLE: &str = "TENSORPIX_TOKEN_SECRET";
const SECRET: &str = "cli-tests-secret-0123456789abcdef-0123456789";

/// `tensorpix-server proxy` on a free port, in front of an upstream it never reaches, with no key
/// or token secret in its environment unless a test adds them.
fn proxy(extra: &[&str]) -> Command {
    let mut command = Command::new(BINARY);
    command
        .args(["proxy", "--upstream", "http://127.0.0.1:9", "--listen", "127.0.0.1:0"])
        .args(extra)
        .env_remove(KEY_VARIABLE)
        .env_remove(SECRET_VARIABLE);
    command
}

/// A file holding `text`, removed when dropped.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(name: &str, text: &str) -> TempFile {
        let path = std::env::temp_dir().join(format!("tensorpix-cli-{name}-{}", std::process::id()));
        std::fs::write(&path, text).unwrap();
        TempFile(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn run(command: &mut Command) -> (Option<i32>, String, String) {
    let Output { status, stdout, stderr } = command.output().unwrap();
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
    (status.code(), text(stdout), text(stderr))
}

/// Kills the process (by its handle) if a test fails before it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
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
fn the_proxy_refuses_to_start_without_a_token_secret_unless_told_any_job_is_fine() {
    let (code, stdout, stderr) = run(proxy(&[]).env(KEY_VARIABLE, "tpx-from-the-environment"));
    assert_eq!(code, Some(2));
    for expected in [SECRET_VARIABLE, "--token-secret-file", "--allow-any-job", "every job"] {
        assert!(stderr.contains(expected), "{expected} in {stderr}");
    }
    assert!(!stdout.contains("ready"), "{stdout}");
    let short = TempFile::new("short-secret", "too-short\n");
    let (code, _, stderr) = run(proxy(&["--token-secret-file", short.path()]).env(KEY_VARIABLE, "tpx-key"));
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("at least 32") && !stderr.contains("too-short"),
        "{stderr}"
    );
    let (code, _, stderr) = run(proxy(&["--allow-any-job"])
        .env(KEY_VARIABLE, "tpx-key")
        .env(SECRET_VARIABLE, SECRET));
    assert_eq!(code, Some(2));
    assert!(stderr.contains("contradict"), "{stderr}");
    assert!(!stderr.contains(SECRET), "{stderr}");
}

#[test]
fn allow_any_job_is_logged_loudly_at_start() {
    let (running, lines) = start(proxy(&["--allow-any-job"]).env(KEY_VARIABLE, "tpx-key"));
    let first: Vec<String> = (0..2)
        .map(|_| lines.recv_timeout(Duration::from_secs(60)).expect("a log line"))
        .collect();
    assert!(
        first[0].contains("TensorPix proxy ready") && first[0].contains("any job"),
        "{first:?}"
    );
    assert!(
        first[1].contains("WARN") && first[1].contains("--allow-any-job") && first[1].contains("every job"),
        "{first:?}"
    );
    assert_eq!(terminate(running), Some(0));
}

#[test]
fn token_prints_one_token_for_the_job() {
    let secret = TempFile::new("token-secret", &format!("{SECRET}\n"));
    let (code, stdout, stderr) =
        run(Command::new(BINARY).args(["token", "--job", "4711", "--ttl", "600", "--secret-file", secret.path()]));
    assert_eq!(code, Some(0), "{stderr}");
    let token = stdout.trim_end_matches('\n');
    assert_eq!(token.lines().count(), 1, "{stdout}");
    let key = jsonwebtoken::DecodingKey::from_secret(SECRET.as_bytes()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.set_required_spec_claims(&["exp", "sub"]);
    let claims = jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation)
        .unwrap()
        .claims;
    assert_eq!(claims["sub"], "4711");
    let now = jsonwebtoken::get_current_timestamp();
    let exp = claims["exp"].as_u64().unwrap();
    assert!(
        (now + 590..=now + 600).contains(&exp),
        "{exp} is not ten minutes from {now}"
    );

    let short = TempFile::new("token-short", "short");
    let (code, stdout, stderr) =
        run(Command::new(BINARY).args(["token", "--job", "4711", "--ttl", "600", "--secret-file", short.path()]));
    assert_eq!((code, stdout.as_str()), (Some(2), ""));
    assert!(
        stderr.contains("at least 32") && !stderr.contains("short\n"),
        "{stderr}"
    );
    let (code, _, stderr) = run(Command::new(BINARY).args([
        "token",
        "--job",
        "4711",
        "--ttl",
        "600",
        "--secret-file",
        "/nonexistent/secret",
    ]));
    assert_eq!(code, Some(2));
    assert!(stderr.contains("/nonexistent/secret"), "{stderr}");
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

/// Starts `command` with its output captured, and returns it with its standard output's lines.
fn start(command: &mut Command) -> (Running, mpsc::Receiver<String>) {
    let mut running = Running(command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap());
    let (lines, received) = mpsc::channel();
    let stdout = BufReader::new(running.0.stdout.take().unwrap());
    std::thread::spawn(move || {
        for line in stdout.lines() {
            let _ = lines.send(line.unwrap());
        }
    });
    (running, received)
}

/// Sends SIGTERM as `docker stop` does, at once, and waits for the exit status.
fn terminate(mut running: Running) -> Option<i32> {
    let signal = Command::new("kill")
        .args(["-TERM", &running.0.id().to_string()])
        .status()
        .unwrap();
    assert!(signal.success());
    running.0.wait().unwrap().code()
}

#[test]
fn the_key_comes_from_the_environment_and_sigterm_stops_the_proxy_cleanly() {
    const KEY: &str = "tpx-from-the-environment";
    let (running, lines) = start(proxy(&[]).env(KEY_VARIABLE, KEY).env(SECRET_VARIABLE, SECRET));
    let ready = lines.recv_timeout(Duration::from_secs(60)).expect("a first log line");
    assert!(
        ready.contains("TensorPix proxy ready") && ready.contains("job tokens"),
        "{ready}"
    );
    assert!(!ready.contains(KEY) && !ready.contains(SECRET), "{ready}");
    // Right after it said it is ready: the signal handlers must already be in place.
    assert_eq!(terminate(running), Some(0), "a graceful stop is a success");
    let rest: Vec<String> = lines.iter().collect();
    assert!(rest.iter().any(|line| line.contains("shutting down")), "{rest:?}");
    assert!(
        !rest.iter().any(|line| line.contains(KEY) || line.contains(SECRET)),
        "{rest:?}"
    );
}

#[test]
fn sigterm_stops_the_simulator_cleanly() {
    let (running, lines) = start(Command::new(BINARY).args(["simulate", "--listen", "127.0.0.1:0", "--quiet"]));
    let ready = lines.recv_timeout(Duration::from_secs(60)).expect("a first line");
    assert!(
        ready.contains("TensorPix API simulator on http://127.0.0.1:"),
        "{ready}"
    );
    assert_eq!(terminate(running), Some(0));
}
