//! Child-process helpers: the shared environment, running and teeing commands, and a guard that
//! stops a background child, and everything it started, on every path.

use std::ffi::OsString;
use std::io::{self, BufRead, BufReader, IsTerminal, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use crate::stop::{self, Group, Registration};

/// The workspace root (the parent of `xtask/`); every command runs there.
pub fn repo_root() -> &'static Path {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir)
}

/// Where `cargo install` puts binaries: `$CARGO_HOME/bin`, by default `$HOME/.cargo/bin`.
pub fn cargo_bin_dir() -> PathBuf {
    match std::env::var_os("CARGO_HOME") {
        Some(home) if !home.is_empty() => PathBuf::from(home).join("bin"),
        _ => PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo/bin"),
    }
}

/// `PATH` for every child, with cargo's bin dir first so freshly installed tools (trunk,
/// wasm-bindgen, geckodriver) are found even when the caller's shell does not have it.
pub fn search_path() -> &'static OsString {
    static PATH: OnceLock<OsString> = OnceLock::new();
    PATH.get_or_init(|| {
        let inherited = std::env::var_os("PATH").unwrap_or_default();
        let dirs = std::iter::once(cargo_bin_dir()).chain(std::env::split_paths(&inherited));
        std::env::join_paths(dirs).unwrap_or(inherited)
    })
}

/// The first executable file called `name` on [`search_path`], like `which`.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(search_path())
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    path.metadata()
        .map(|metadata| metadata.is_file() && metadata.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// A command that runs at the repo root with the shared environment.
pub fn command(program: impl Into<OsString>) -> Command {
    let program = program.into();
    // Resolve against our PATH here, so the binary run is the one `find_on_path` (and setup) saw.
    let resolved = program
        .to_str()
        .filter(|name| !name.contains('/'))
        .and_then(find_on_path)
        .map(OsString::from)
        .unwrap_or(program);
    let mut command = Command::new(resolved);
    command
        .current_dir(repo_root())
        .env("PATH", search_path())
        // trunk's update check and tool downloads go to crates.io/GitHub, which are not
        // reachable here: skip the check, and fail clearly instead of trying to download.
        .env("TRUNK_SKIP_VERSION_CHECK", "true")
        .env("TRUNK_OFFLINE", "true");
    command
}

/// `trunk build --release`, for messages.
pub fn describe(command: &Command) -> String {
    let program = Path::new(command.get_program())
        .file_name()
        .unwrap_or(command.get_program())
        .to_string_lossy()
        .into_owned();
    std::iter::once(program)
        .chain(command.get_args().map(|arg| arg.to_string_lossy().into_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}

fn spawn_error(command: &Command, error: io::Error) -> String {
    let hint = if error.kind() == io::ErrorKind::NotFound {
        " (not installed? `cargo xtask setup` installs the tools)"
    } else {
        ""
    };
    format!("could not start `{}`: {error}{hint}", describe(command))
}

/// Runs a command with inherited stdio and fails unless it exits successfully.
pub fn run(command: &mut Command) -> Result<(), String> {
    let (mut child, _registration) =
        stop::spawn(command, Group::Foreground).map_err(|error| spawn_error(command, error))?;
    let status = child
        .wait()
        .map_err(|error| format!("waiting for `{}`: {error}", describe(command)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(command)))
    }
}

/// The stdout of a quick command (a `--version` query), or `None` if it cannot run or fails.
pub fn stdout_of(command: &mut Command) -> Option<String> {
    let output = command.stdin(Stdio::null()).stderr(Stdio::null()).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Runs a command, echoing its stdout and stderr live while also capturing both, so the output
/// can be parsed afterwards (the `test result:` lines) without hiding progress from the user.
pub fn run_tee(command: &mut Command) -> Result<(ExitStatus, String), String> {
    // Piped output is not a terminal, so cargo would drop its colours; keep them when we have one.
    if io::stdout().is_terminal() && std::env::var_os("CARGO_TERM_COLOR").is_none() {
        command.env("CARGO_TERM_COLOR", "always");
    }
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let (mut child, _registration) =
        stop::spawn(command, Group::Foreground).map_err(|error| spawn_error(command, error))?;
    let captured = Arc::new(Mutex::new(String::new()));
    let (done_sender, done) = mpsc::channel();
    if let Some(stdout) = child.stdout.take() {
        pump(stdout, io::stdout, Arc::clone(&captured), done_sender.clone());
    }
    if let Some(stderr) = child.stderr.take() {
        pump(stderr, io::stderr, Arc::clone(&captured), done_sender);
    }
    let status = child
        .wait()
        .map_err(|error| format!("waiting for `{}`: {error}", describe(command)))?;
    // A leftover grandchild (a webdriver, a browser) can keep the pipes open after the command
    // exits; don't hang on it: give the readers a moment to drain, then use what they have.
    let deadline = Instant::now() + Duration::from_secs(5);
    for _ in 0..2 {
        let left = deadline.saturating_duration_since(Instant::now());
        if done.recv_timeout(left).is_err() {
            break;
        }
    }
    let text = captured.lock().map(|text| text.clone()).unwrap_or_default();
    Ok((status, text))
}

/// Copies `reader` to `echo` line by line, appending each line to `captured`; reports on `done`.
fn pump<R, W>(reader: R, echo: fn() -> W, captured: Arc<Mutex<String>>, done: mpsc::Sender<()>)
where
    R: Read + Send + 'static,
    W: Write + 'static,
{
    thread::spawn(move || {
        let mut reader = BufReader::new(reader);
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let mut out = echo();
                    let _ = out.write_all(&line);
                    let _ = out.flush();
                    if let Ok(mut text) = captured.lock() {
                        text.push_str(&String::from_utf8_lossy(&line));
                    }
                }
            }
        }
        let _ = done.send(());
    });
}

/// `apt-get update` and `apt-get install` of `packages`, non-interactive, through `sudo` when we
/// are not root.
pub fn apt_install(packages: &[&str]) -> Result<(), String> {
    let apt_get = || -> Result<Command, String> {
        if is_root() {
            let mut apt = command("apt-get");
            apt.env("DEBIAN_FRONTEND", "noninteractive");
            return Ok(apt);
        }
        if find_on_path("sudo").is_none() {
            return Err(format!(
                "installing {0} needs root or sudo; install it yourself: apt-get install {0}",
                packages.join(" ")
            ));
        }
        // sudo resets the environment, so pass DEBIAN_FRONTEND through `env`.
        let mut apt = command("sudo");
        apt.args(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
        Ok(apt)
    };
    run(apt_get()?.args(["update", "-qq"]))?;
    run(apt_get()?.args(["install", "-y", "-qq"]).args(packages))
}

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    // /proc/self belongs to the process's effective user; `id -u` where there is no /proc.
    match std::fs::metadata("/proc/self") {
        Ok(metadata) => metadata.uid() == 0,
        Err(_) => stdout_of(Command::new("id").arg("-u")).is_some_and(|uid| uid.trim() == "0"),
    }
}

/// A background child in a process group of its own, killed with that group and reaped when the
/// guard drops, so neither it nor anything it started outlives the task, whether the task
/// succeeds, fails with an error, unwinds or is stopped by a signal (see [`stop`]).
pub struct ChildGuard {
    name: String,
    child: Child,
    registration: Registration,
}

impl ChildGuard {
    /// Starts `command` with no stdin: in a background group, reading the terminal would stop it.
    pub fn spawn(name: &str, command: &mut Command) -> Result<Self, String> {
        command.stdin(Stdio::null());
        let (child, registration) = stop::spawn(command, Group::Own).map_err(|error| spawn_error(command, error))?;
        Ok(ChildGuard {
            name: name.to_owned(),
            child,
            registration,
        })
    }

    /// `Some(status)` once the child has exited on its own.
    pub fn exited(&mut self) -> Result<Option<ExitStatus>, String> {
        self.child
            .try_wait()
            .map_err(|error| format!("checking on {}: {error}", self.name))
    }

    /// Blocks until the child exits (`Some(status)`) or a stop signal arrives (`None`).
    pub fn wait_or_stop(&mut self) -> Result<Option<ExitStatus>, String> {
        loop {
            if stop::stop_signal().is_some() {
                return Ok(None);
            }
            if let Some(status) = self.exited()? {
                // The signal's SIGTERM may be why it exited.
                return Ok(stop::stop_signal().is_none().then_some(status));
            }
            thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Some(group) = self.registration.group() {
            stop::kill(-group, libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use std::io::BufRead;

    use super::*;

    /// Set for the copy of this test binary that runs [`supervised_children`].
    const SUPERVISED: &str = "XTASK_TEST_SUPERVISED_CHILDREN";

    /// Runs `supervised_children` in a process of its own, sends that process SIGTERM, and
    /// checks that its children and grandchild are gone.
    #[test]
    fn sigterm_stops_every_background_child_and_what_it_started() {
        let mut supervisor = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "process::tests::supervised_children",
                "--ignored",
                "--nocapture",
            ])
            .env(SUPERVISED, "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(supervisor.stdout.take().unwrap()).lines();
        let mut pids = Vec::new();
        let mut ready = false;
        while !(ready && pids.len() == 3) {
            let line = lines.next().expect("the supervisor ended before it was ready").unwrap();
            match line.strip_prefix("pid ") {
                Some(pid) => pids.push(pid.trim().parse::<i32>().unwrap()),
                None => ready |= line == "ready",
            }
        }
        assert!(pids.iter().all(|&pid| is_running(pid)), "{pids:?} should all run");

        stop::kill(i32::try_from(supervisor.id()).unwrap(), libc::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(status) = supervisor.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "the supervisor did not stop within 10 s");
            thread::sleep(Duration::from_millis(20));
        };
        loop {
            let running: Vec<i32> = pids.iter().copied().filter(|&pid| is_running(pid)).collect();
            if running.is_empty() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "still running after 10 s: {running:?} of {pids:?}"
            );
            thread::sleep(Duration::from_millis(20));
        }
        // Only now: a child still alive would hold the pipe open.
        let rest: String = lines.map_while(Result::ok).collect::<Vec<_>>().join("\n");
        assert!(status.success(), "{status}: {rest}");
        assert!(rest.contains("stopped by signal 15"), "{rest}");
    }

    /// The supervised side: two background children, one of which starts a grandchild in its
    /// group, then waiting as `cargo xtask demo` waits for `trunk serve`.
    #[test]
    #[ignore = "run by sigterm_stops_every_background_child_and_what_it_started"]
    fn supervised_children() {
        if std::env::var_os(SUPERVISED).is_none() {
            return;
        }
        stop::handle_signals().unwrap();
        let mut first = ChildGuard::spawn("sleep", Command::new("sleep").arg("300")).unwrap();
        let second = ChildGuard::spawn("sh", Command::new("sh").args(["-c", "sleep 300 & echo pid $!; wait"])).unwrap();
        println!("pid {}\npid {}\nready", first.child.id(), second.child.id());
        let ended = first.wait_or_stop().unwrap();
        assert_eq!(ended, None, "the child should not have exited on its own");
        println!("stopped by signal {}", stop::stop_signal().unwrap());
    }

    /// Running, as opposed to gone or a zombie nobody has reaped yet.
    fn is_running(pid: i32) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|stat| Some(stat.rsplit_once(')')?.1.split_whitespace().next()? != "Z"))
            .unwrap_or(false)
    }
}
