//! Running a script on a worker thread, watched by a deadline per directive.
//!
//! A hostile (or mistaken) script can loop forever in WebAssembly. The script runs on
//! its own thread and reports each directive as it starts and ends; when one directive
//! takes longer than the limit, the caller interrupts the script's store (the guest
//! traps at its next budget check), reports the directive as a failure, and the script
//! goes on. Should the directive still not end (stuck outside WebAssembly code), the
//! caller stops waiting and leaves the thread behind (it ends with the process, and
//! stops at its next directive if it ever gets there). The caller never hangs.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::Duration;

use stratus_decoder::Features;
use stratus_runtime::{CompilePolicy, InterruptHandle, Interruption};

use crate::panics::catch_panic;
use crate::report::{Failure, FileReport, FunctionCounts, Location, Mismatch};
use crate::script::execute;

/// Settings for running scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// The longest one directive may run before it is reported as a failure and the
    /// rest of its script is given up. Generous, so that debug builds never hit it on
    /// the official suite; it exists only to end runaway loops.
    pub directive_time_limit: Duration,
    /// When each script's store compiles its functions: [`CompilePolicy::Never`] (the
    /// default) runs them all in the interpreter; [`CompilePolicy::Eager`] compiles every
    /// function before it first runs, where the build and the machine have a compiler.
    /// Each report's [`FileReport::functions`](crate::FileReport::functions) says which
    /// tier ran them.
    pub compile: CompilePolicy,
    /// How the memories of stores that compile check their bounds: by a guard region
    /// (the default, as `Config` gives compiled code), or explicitly.
    pub bounds_checks: BoundsChecks,
    /// The proposals modules may use: by default all that Stratus implements, and the
    /// scripts are those of WebAssembly 3.0, whose directives that need a proposal
    /// switched off or not implemented are skipped, naming it. With
    /// [`Features::WASM2`] the scripts are those of 2.0, and a module refused for using
    /// a later proposal is refused as 2.0 says.
    pub features: Features,
    /// Stores run the spec's deterministic profile (canonical NaNs, the relaxed
    /// instructions' deterministic results).
    pub deterministic: bool,
    /// With `deterministic`: the patterns `nan:canonical` and `nan:arithmetic` admit the
    /// positive canonical NaN alone, the one every NaN-producing instruction gives under
    /// the profile. Stricter than the scripts, whose `nan:canonical` admits either sign
    /// because an instruction that only flips the sign (`neg`) may come after: for tests
    /// that list those directives.
    pub strict_nans: bool,
}

/// How compiled code checks its memory accesses, through the memories' reservations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BoundsChecks {
    /// Memories reserve 4 GiB and a guard region, whose faults are the traps.
    #[default]
    Guard,
    /// Memories reserve only their maximum, and compiled code checks every access.
    Explicit,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            directive_time_limit: Duration::from_secs(60),
            compile: CompilePolicy::Never,
            bounds_checks: BoundsChecks::Guard,
            features: Features::default(),
            deterministic: false,
            strict_nans: false,
        }
    }
}

/// Deeply nested text needs a deep stack in the `wast` parser; the default for spawned
/// threads (2 MiB) is less than the main thread's.
const WORKER_STACK: usize = 64 << 20;

/// How long an interrupted directive gets to end before the script is given up.
const INTERRUPT_GRACE: Duration = Duration::from_secs(10);

/// What the worker tells the caller, in order.
pub(crate) enum Event {
    /// The script's store, to interrupt a directive that overruns.
    Store(InterruptHandle),
    /// A directive starts: the deadline restarts, and a timeout is blamed on it.
    Start {
        location: Location,
        directive: &'static str,
    },
    Pass,
    /// Not run, for want of the proposal named.
    Skip(&'static str),
    Fail(Failure),
    Mismatch(Mismatch),
    /// The script is done: its store's functions by tier.
    Functions(FunctionCounts),
    Done,
}

/// The worker's side of the channel. Sending fails once the caller has given up; the
/// worker then stops at the next directive.
pub(crate) struct Events {
    sender: Sender<Event>,
}

impl Events {
    /// Announces a directive; `false` when the caller has stopped listening.
    pub(crate) fn start(&self, location: Location, directive: &'static str) -> bool {
        self.sender.send(Event::Start { location, directive }).is_ok()
    }

    /// Hands the caller the means to interrupt the script's WebAssembly code.
    pub(crate) fn watch(&self, handle: InterruptHandle) {
        let _ = self.sender.send(Event::Store(handle));
    }

    pub(crate) fn pass(&self) {
        let _ = self.sender.send(Event::Pass);
    }

    pub(crate) fn skip(&self, reason: &'static str) {
        let _ = self.sender.send(Event::Skip(reason));
    }

    pub(crate) fn fail(&self, location: Option<Location>, directive: &'static str, reason: String) {
        let _ = self.sender.send(Event::Fail(Failure { location, directive, reason }));
    }

    pub(crate) fn mismatch(&self, mismatch: Mismatch) {
        let _ = self.sender.send(Event::Mismatch(mismatch));
    }

    pub(crate) fn functions(&self, counts: FunctionCounts) {
        let _ = self.sender.send(Event::Functions(counts));
    }
}

/// Runs every directive of the script `source`, reported under `name`.
///
/// A script that does not parse as `.wast` is one failure of the file, located where the
/// parser stopped.
pub fn run_script(name: &str, source: &str) -> FileReport {
    run_script_with(name, source, &RunOptions::default())
}

/// [`run_script`] with explicit [`RunOptions`].
pub fn run_script_with(name: &str, source: &str, options: &RunOptions) -> FileReport {
    let (sender, receiver) = mpsc::channel();
    let source = source.to_string();
    let options = *options;
    // A fixed thread name: the script's could hold a NUL byte, on which spawning panics.
    let worker =
        thread::Builder::new().name("spectest".to_string()).stack_size(WORKER_STACK).spawn(move || {
            let events = Events { sender };
            if let Err(message) = catch_panic(|| execute(&source, &options, &events)) {
                events.fail(None, "script", format!("the runner panicked: {message}"));
            }
            let _ = events.sender.send(Event::Done);
        });
    match worker {
        Ok(handle) => {
            let (report, finished) = collect(name, &receiver, options.directive_time_limit);
            if finished {
                // The worker has nothing left to do but return; joining frees it now.
                let _ = handle.join();
            }
            report
        }
        Err(error) => FileReport::unrunnable(name, None, format!("could not start a thread: {error}")),
    }
}

/// Builds the report from the worker's events; `true` if the worker finished.
fn collect(name: &str, receiver: &Receiver<Event>, limit: Duration) -> (FileReport, bool) {
    let mut report = FileReport::new(name);
    let mut running: Option<(Location, &'static str)> = None;
    let mut store: Option<InterruptHandle> = None;
    // The directive that overran and was interrupted: its own outcome is not counted,
    // the overrun was.
    let mut interrupted = false;
    loop {
        let wait = if interrupted { INTERRUPT_GRACE } else { limit };
        match receiver.recv_timeout(wait) {
            Ok(Event::Store(handle)) => store = Some(handle),
            Ok(Event::Start { location, directive }) => {
                running = Some((location, directive));
                interrupted = false;
            }
            Ok(Event::Pass | Event::Skip(_) | Event::Fail(_)) if interrupted => interrupted = false,
            Ok(Event::Pass) => report.pass(),
            Ok(Event::Skip(reason)) => report.skip(reason),
            Ok(Event::Fail(failure)) => report.fail(failure.location, failure.directive, failure.reason),
            Ok(Event::Mismatch(mismatch)) => report.mismatches.push(mismatch),
            Ok(Event::Functions(counts)) => report.functions = counts,
            Ok(Event::Done) => return (report, true),
            Err(RecvTimeoutError::Timeout) => {
                let (location, directive) = running.map_or((None, "script"), |(l, d)| (Some(l), d));
                let seconds = limit.as_secs_f64();
                match &store {
                    Some(handle) if !interrupted => {
                        handle.interrupt(Interruption::Trap);
                        interrupted = true;
                        let reason =
                            format!("did not finish within {seconds} s (an endless loop?): interrupted");
                        report.fail(location, directive, reason);
                    }
                    _ => {
                        let reason = format!(
                            "did not finish within {seconds} s, nor end when interrupted; the rest of the \
                             script was not run"
                        );
                        report.fail(location, directive, reason);
                        return (report, false);
                    }
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                let location = running.map(|(location, _)| location);
                report.fail(location, "script", "the runner thread ended unexpectedly".to_string());
                return (report, false);
            }
        }
    }
}
