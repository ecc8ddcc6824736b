//! Stopping on SIGINT, SIGTERM or SIGHUP with every child process.
//!
//! Background children (servers, chromedriver, `trunk serve`) run in process groups of their own,
//! so the signal reaches them only through here, and with them whatever they started (trunk's
//! cargo and wasm-bindgen, chromedriver's browsers). On the first signal every registered child
//! gets SIGTERM and the task winds down, dropping its guards; whatever is still there after a
//! grace period, or on a second signal, gets SIGKILL and the runner exits with 128 + the signal.

use std::io;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Duration;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// How long the task gets to stop its children and print its last words after a signal.
const GRACE: Duration = Duration::from_secs(5);

/// The running children, as `kill`'s first argument: a process id, or a negated process group.
static TARGETS: Mutex<Vec<i32>> = Mutex::new(Vec::new());
/// The signal that is stopping the runner, or 0.
static STOPPED_BY: AtomicI32 = AtomicI32::new(0);

/// The signal that is stopping the runner, if one arrived.
pub fn stop_signal() -> Option<i32> {
    Some(STOPPED_BY.load(Ordering::SeqCst)).filter(|&signal| signal != 0)
}

/// Catches SIGINT, SIGTERM and SIGHUP from now on (see the module comment).
pub fn handle_signals() -> Result<(), String> {
    let mut signals =
        Signals::new([SIGINT, SIGTERM, SIGHUP]).map_err(|error| format!("cannot handle stop signals: {error}"))?;
    thread::Builder::new()
        .name("stop-signals".into())
        .spawn(move || {
            let mut signals = signals.forever();
            let Some(signal) = signals.next() else {
                return;
            };
            {
                let targets = targets();
                STOPPED_BY.store(signal, Ordering::SeqCst);
                send(&targets, libc::SIGTERM);
            }
            thread::spawn(move || {
                thread::sleep(GRACE);
                kill_all_and_exit(signal);
            });
            if signals.next().is_some() {
                kill_all_and_exit(signal);
            }
        })
        .map_err(|error| format!("cannot handle stop signals: {error}"))?;
    Ok(())
}

fn kill_all_and_exit(signal: i32) -> ! {
    // Holding the lock, so no child can start between the kill and the exit.
    let targets = targets();
    send(&targets, libc::SIGKILL);
    std::process::exit(128 + signal);
}

fn targets() -> MutexGuard<'static, Vec<i32>> {
    TARGETS.lock().unwrap_or_else(PoisonError::into_inner)
}

fn send(targets: &[i32], signal: i32) {
    for &target in targets {
        kill(target, signal);
    }
}

/// `kill(2)`; a target that is already gone is no error worth reporting.
pub fn kill(target: i32, signal: i32) {
    // SAFETY: kill(2) takes plain integers and touches no memory of ours.
    unsafe {
        libc::kill(target, signal);
    }
}

/// Whether a spawned child runs in the runner's process group (and sees the terminal's Ctrl-C
/// itself) or in a group of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Foreground,
    Own,
}

/// A registered child: it is signalled on a stop until this drops.
pub struct Registration(i32);

impl Registration {
    /// The process group, for a child spawned with [`Group::Own`].
    pub fn group(&self) -> Option<i32> {
        (self.0 < 0).then_some(-self.0)
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut targets = targets();
        if let Some(index) = targets.iter().position(|&target| target == self.0) {
            targets.swap_remove(index);
        }
    }
}

/// Spawns `command` and registers it for a stop; refuses once a stop signal has arrived.
pub fn spawn(command: &mut Command, group: Group) -> io::Result<(Child, Registration)> {
    use std::os::unix::process::CommandExt;

    let mut targets = targets();
    if let Some(signal) = stop_signal() {
        return Err(io::Error::new(
            io::ErrorKind::Interrupted,
            format!("stopping on signal {signal}"),
        ));
    }
    if group == Group::Own {
        command.process_group(0);
    }
    let child = command.spawn()?;
    let id = i32::try_from(child.id()).map_err(io::Error::other)?;
    let target = match group {
        Group::Foreground => id,
        Group::Own => -id,
    };
    targets.push(target);
    Ok((child, Registration(target)))
}
