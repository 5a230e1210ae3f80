//! The command line: picks the command, and turns its outcome into an exit status.
//!
//! Conventions: results go to standard output, diagnostics to standard error, one line
//! each. Exit status 0 means success, 1 that some input was bad, 2 a usage error.
//! Output that cannot be written (a full disk) makes a command that would have succeeded
//! fail with status 1, reported on standard error once, at the end; a closed pipe (the
//! reader stopped, as `| head` does) is not reported. Nothing panics on a write error.

mod args;
mod checkpoint;
mod help;
mod invoke;
mod output;
mod resume;
mod run;
mod sandbox;
mod signal;
#[cfg(feature = "spectest")]
mod spectest;
mod validate;

use std::ffi::OsString;
use std::io::{self, Write};
use std::process::ExitCode;

use args::UsageError;
use output::CheckedOutput;

/// The outcome of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Success,
    /// Some input was invalid, unreadable, or a test failed.
    Failure,
    Usage,
    /// A status chosen by a guest program (or the trap status of `stratus run`).
    Exit(u8),
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        match status {
            Status::Success => ExitCode::SUCCESS,
            Status::Failure => ExitCode::from(1),
            Status::Usage => ExitCode::from(2),
            Status::Exit(code) => ExitCode::from(code),
        }
    }
}

/// Runs the command named by `args` (the arguments after the program name).
pub fn run(args: Vec<OsString>) -> ExitCode {
    let mut stdout = CheckedOutput::new(io::stdout().lock());
    // Not locked for the whole run: the `--timeout` thread may have to write too.
    let mut stderr = io::stderr();
    let mut status = match dispatch(args, &mut stdout, &mut stderr) {
        Ok(status) => status,
        Err(error) => {
            let _ = writeln!(stderr, "error: {}", error.message);
            let _ = writeln!(stderr, "hint: see '{}'", error.hint);
            Status::Usage
        }
    };
    let _ = stdout.flush();
    if let Some(error) = stdout.failure() {
        let _ = writeln!(stderr, "stratus: error: writing standard output: {}", output::describe(error));
        // A status that already says something went wrong says more than this does.
        if matches!(status, Status::Success | Status::Exit(0)) {
            status = Status::Failure;
        }
    }
    status.into()
}

const MAIN_HINT: &str = "stratus --help";

fn dispatch(args: Vec<OsString>, out: &mut dyn Write, err: &mut dyn Write) -> Result<Status, UsageError> {
    let mut args = args.into_iter();
    let Some(command) = args.next() else {
        let _ = write!(err, "{}", help::MAIN);
        return Ok(Status::Usage);
    };
    let rest: Vec<OsString> = args.collect();
    match command.to_str() {
        Some("run") => run::run(rest, out, err),
        Some("resume") => resume::run(rest, out, err),
        Some("validate") => validate::run(rest, out, err),
        #[cfg(feature = "spectest")]
        Some("spectest") => spectest::run(rest, out, err),
        #[cfg(not(feature = "spectest"))]
        Some("spectest") => Err(spectest_not_built()),
        Some("help") => show_help(rest, out),
        Some("-h" | "--help") => print(out, help::MAIN),
        Some("-V" | "--version") => print(out, &format!("stratus {}\n", env!("CARGO_PKG_VERSION"))),
        Some(option) if option.starts_with('-') => {
            Err(UsageError::new(format!("unknown option '{option}'"), MAIN_HINT))
        }
        _ => Err(UsageError::new(format!("unknown command '{}'", command.to_string_lossy()), MAIN_HINT)),
    }
}

/// `stratus help [COMMAND]`.
fn show_help(args: Vec<OsString>, out: &mut dyn Write) -> Result<Status, UsageError> {
    let mut args = args.iter().map(|arg| arg.to_string_lossy());
    let text = match args.next().as_deref() {
        None => help::MAIN,
        Some("run") => help::RUN,
        Some("resume") => help::RESUME,
        Some("validate") => help::VALIDATE,
        #[cfg(feature = "spectest")]
        Some("spectest") => help::SPECTEST,
        #[cfg(not(feature = "spectest"))]
        Some("spectest") => return Err(spectest_not_built()),
        Some("help") => help::MAIN,
        Some(other) => {
            return Err(UsageError::new(format!("no help for unknown command '{other}'"), MAIN_HINT));
        }
    };
    if let Some(extra) = args.next() {
        return Err(UsageError::new(
            format!("unexpected argument '{extra}' after the command name"),
            MAIN_HINT,
        ));
    }
    print(out, text)
}

/// `stratus spectest` in a build without the spec runner.
#[cfg(not(feature = "spectest"))]
fn spectest_not_built() -> UsageError {
    UsageError::new(
        "the `spectest` command is not in this build (built without the `spectest` feature)",
        MAIN_HINT,
    )
}

fn print(out: &mut dyn Write, text: &str) -> Result<Status, UsageError> {
    let _ = out.write_all(text.as_bytes());
    Ok(Status::Success)
}
