//! `--checkpoint FILE` of `stratus run` and `stratus resume`: when asked (a signal, a
//! time, an amount of fuel), the program pauses at its next safepoint, its snapshot is
//! written to FILE, and stratus exits with [`CHECKPOINT_STATUS`]; `stratus resume
//! FILE` goes on from there, here or on another machine.
//!
//! A request rides on the interruption check every tier already makes at function
//! entries and loop headers, so a run that takes no checkpoint costs nothing more.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use stratus::{Error, FrameInfo, InterruptHandle, Interruption, PauseReason, ResumableCall, Snapshot, Store};

use super::sandbox;
use super::signal::Signal;

/// The exit status after a checkpoint: EX_TEMPFAIL of sysexits.h, "try again later",
/// which is what the program is to do, from the snapshot.
pub const CHECKPOINT_STATUS: u8 = 75;

/// The checkpoint options of the command line.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// `--checkpoint FILE`.
    pub file: Option<PathBuf>,
    /// `--checkpoint-on SIGNAL`.
    pub signal: Option<Signal>,
    /// `--checkpoint-after DURATION`.
    pub after: Option<Duration>,
    /// `--checkpoint-at-fuel N`.
    pub at_fuel: Option<u64>,
}

impl Options {
    /// Takes a checkpoint option and its value, if `flag` is one; `Ok(false)` if not.
    pub fn parse(
        &mut self,
        flag: &str,
        value: impl FnOnce(&str) -> Result<String, String>,
    ) -> Result<bool, String> {
        match flag {
            "--checkpoint" => self.file = Some(PathBuf::from(value("FILE")?)),
            "--checkpoint-on" => self.signal = Some(Signal::parse(&value("SIGNAL")?)?),
            "--checkpoint-after" => {
                let text = value("DURATION")?;
                self.after =
                    Some(super::args::parse_duration(&text).map_err(|e| format!("--checkpoint-after: {e}"))?);
            }
            "--checkpoint-at-fuel" => {
                let text = value("N")?;
                let fuel = text.parse::<u64>().ok().filter(|&n| n > 0);
                self.at_fuel = Some(fuel.ok_or_else(|| {
                    format!("--checkpoint-at-fuel: '{text}' is not a positive number of units")
                })?);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The options must go together: a trigger needs a file, and fuel and time do not
    /// mix (the point of fuel is a checkpoint at the same instruction every time).
    pub fn check(&self) -> Result<(), String> {
        let trigger = self.signal.is_some() || self.after.is_some() || self.at_fuel.is_some();
        if self.file.is_none() && trigger {
            return Err(
                "--checkpoint-on, --checkpoint-after and --checkpoint-at-fuel need --checkpoint FILE".into(),
            );
        }
        if self.after.is_some() && self.at_fuel.is_some() {
            return Err("--checkpoint-after and --checkpoint-at-fuel do not go together".into());
        }
        Ok(())
    }

    /// The signal to wait for: the one given, or SIGTERM, what stops a job (`kill`,
    /// `docker stop`, Kubernetes), when no other trigger is.
    fn signal_to_wait_for(&self) -> Option<Signal> {
        self.signal.or((self.after.is_none() && self.at_fuel.is_none()).then(Signal::terminate))
    }

    /// Blocks the checkpoint signal, if there is one: before any thread starts.
    pub fn block_signal(&self) -> Result<(), String> {
        match (&self.file, self.signal_to_wait_for()) {
            (Some(_), Some(signal)) => {
                signal.block().map_err(|e| format!("cannot wait for the checkpoint signal: {e}"))
            }
            _ => Ok(()),
        }
    }

    /// The fuel the store starts with, given the program's own `--fuel`: `None` when
    /// nothing consumes fuel.
    pub fn initial_fuel(&self, program: Option<u64>) -> Option<u64> {
        let trigger = self.file.as_ref().and(self.at_fuel);
        match (program, trigger) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// A checkpoint plan at work: its triggers armed for one store.
pub struct Armed {
    /// Where the snapshot goes; `None` without `--checkpoint`, when pauses only come
    /// from the program's own fuel running out.
    file: Option<PathBuf>,
    /// The program's own fuel (`--fuel`, or what the snapshot had left), and what the
    /// store was given at the start.
    program_fuel: Option<u64>,
    initial_fuel: Option<u64>,
    at_fuel: Option<u64>,
    _cancel_timer: Option<mpsc::Sender<()>>,
}

impl Armed {
    /// Arms `options`' triggers for `store` (which has its initial fuel); with no
    /// `--checkpoint`, there are none.
    pub fn arm<T>(options: &Options, store: &Store<T>, program_fuel: Option<u64>) -> Armed {
        let handle = store.interrupt_handle();
        let mut cancel_timer = None;
        if options.file.is_some() {
            if let Some(signal) = options.signal_to_wait_for() {
                let handle = handle.clone();
                signal.on_arrival(move || handle.interrupt(Interruption::Pause));
            }
            cancel_timer = options.after.map(|after| start_timer(after, handle));
        }
        Armed {
            file: options.file.clone(),
            program_fuel,
            initial_fuel: options.initial_fuel(program_fuel),
            at_fuel: options.file.as_ref().and(options.at_fuel),
            _cancel_timer: cancel_timer,
        }
    }
}

/// `--checkpoint-after`: a thread that asks for a pause when the time is up, unless
/// the program ends first (dropping the sender stops it).
fn start_timer(after: Duration, handle: InterruptHandle) -> mpsc::Sender<()> {
    let (cancel, cancelled) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        if cancelled.recv_timeout(after) == Err(mpsc::RecvTimeoutError::Timeout) {
            handle.interrupt(Interruption::Pause);
        }
    });
    cancel
}

/// How a resumable run of a command ended.
pub enum Ended {
    Finished,
    /// An error: a trap, an exit, running out of the program's own fuel.
    Failed(Error),
    /// A snapshot was written: where, its size, how long it took, and where the program
    /// stopped: at a loop header or a function entry, in compiled code or not, and the
    /// frames.
    Checkpointed {
        file: PathBuf,
        bytes: usize,
        took: Duration,
        place: &'static str,
        backtrace: Vec<FrameInfo>,
    },
    /// The snapshot could not be taken or written.
    CheckpointFailed(String),
}

/// Drives a resumable call of `_start` (its first `step`) to its end or a checkpoint.
pub fn drive(
    mut step: Result<ResumableCall, Error>,
    store: &mut Store<sandbox::Host>,
    armed: &Armed,
) -> Ended {
    loop {
        let paused = match step {
            Ok(ResumableCall::Finished(_)) => return Ended::Finished,
            Err(error) => return Ended::Failed(error),
            Ok(ResumableCall::Paused(paused)) => paused,
        };
        let left = store.fuel().ok();
        let consumed = armed.initial_fuel.zip(left).map_or(0, |(initial, left)| initial - left);
        let program_left = armed.program_fuel.map(|fuel| fuel.saturating_sub(consumed));
        // The program's own fuel ran out: the trap a run without checkpoints gives.
        if paused.reason() == PauseReason::OutOfFuel && (armed.at_fuel.is_none() || program_left == Some(0)) {
            let mut trap = stratus::Trap::new(stratus::TrapKind::OutOfFuel);
            trap.backtrace = paused.backtrace(&*store);
            return Ended::Failed(Error::Trap(trap));
        }
        // Any other pause is a trigger's, which only `--checkpoint` arms.
        let Some(file) = &armed.file else {
            step = paused.resume(&mut *store);
            continue;
        };
        let started = Instant::now();
        let backtrace = paused.backtrace(&*store);
        let place = match (paused.at_loop_header(), paused.in_compiled_code(&*store)) {
            (true, true) => "at a loop header in compiled code",
            (true, false) => "at a loop header in the interpreter",
            (false, true) => "at a function entry in compiled code",
            (false, false) => "at a function entry in the interpreter",
        };
        let written = paused
            .snapshot(&*store)
            .and_then(|mut snapshot| {
                snapshot.set_fuel(program_left);
                sandbox::add_wasi_state(&mut snapshot, store.data())?;
                Ok(snapshot)
            })
            .map_err(|error| error.to_string())
            .and_then(|snapshot| write_atomically(file, &snapshot.to_bytes()));
        return match written {
            Ok(bytes) => {
                Ended::Checkpointed { file: file.clone(), bytes, took: started.elapsed(), place, backtrace }
            }
            Err(message) => Ended::CheckpointFailed(message),
        };
    }
}

/// Writes `bytes` to `file` through a temporary file beside it, so that `file` is
/// either the old content or the whole snapshot, never half of one.
fn write_atomically(file: &Path, bytes: &[u8]) -> Result<usize, String> {
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = file.with_file_name(format!(".{name}.partial"));
    let written = std::fs::File::create(&temporary)
        .and_then(|mut out| out.write_all(bytes).and_then(|()| out.sync_all()))
        .and_then(|()| std::fs::rename(&temporary, file));
    written.map(|()| bytes.len()).map_err(|error| {
        let _ = std::fs::remove_file(&temporary);
        format!("cannot write the checkpoint to '{}': {error}", file.display())
    })
}

/// Reads a snapshot file, saying which file is wrong and how.
pub fn read(file: &Path) -> Result<Snapshot, String> {
    let bytes = std::fs::read(file).map_err(|error| format!("cannot read '{}': {error}", file.display()))?;
    Snapshot::from_bytes(&bytes).map_err(|error| format!("'{}': {error}", file.display()))
}
