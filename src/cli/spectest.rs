//! `stratus spectest PATH...`: run `.wast` scripts with the stratus-spectest library.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use stratus_spectest::{FileReport, RunOptions, mismatches_text, run_paths_with};

use super::args::{self, Arg, UsageError};
use super::{Status, help};

const HINT: &str = "stratus spectest --help";

pub fn run(args: Vec<OsString>, out: &mut dyn Write, _err: &mut dyn Write) -> Result<Status, UsageError> {
    let mut verbose = false;
    let mut options = RunOptions::default();
    let mut paths = Vec::new();
    let mut args = args::split(args, HINT)?.into_iter();
    while let Some(arg) = args.next() {
        match arg {
            Arg::Option(option) => match option.split_once('=') {
                _ if option == "-h" || option == "--help" => {
                    let _ = out.write_all(help::SPECTEST.as_bytes());
                    return Ok(Status::Success);
                }
                _ if option == "-v" || option == "--verbose" => verbose = true,
                Some(("--timeout", text)) => options.directive_time_limit = timeout(text)?,
                None if option == "--timeout" => {
                    let Some(Arg::Operand(text)) = args.next() else {
                        return Err(UsageError::new("--timeout needs a DURATION", HINT));
                    };
                    options.directive_time_limit = timeout(&text.to_string_lossy())?;
                }
                _ => return Err(UsageError::new(format!("unknown option '{option}'"), HINT)),
            },
            Arg::Operand(path) => paths.push(PathBuf::from(path)),
        }
    }
    if paths.is_empty() {
        return Err(UsageError::new("no scripts: 'stratus spectest' needs at least one PATH", HINT));
    }

    // The report is the command's result, so all of it goes to standard output, each
    // script's lines as soon as it has run.
    let summary = run_paths_with(&paths, &options, |report| print_file(out, report, verbose));
    let mismatches = summary.mismatch_count();
    if mismatches > 0 {
        let listed = if verbose { "" } else { "; -v lists them" };
        let _ = writeln!(out, "{} (informational{listed})", mismatches_text(mismatches));
    }
    let _ = writeln!(out, "{summary}");
    Ok(if summary.has_failures() { Status::Failure } else { Status::Success })
}

fn timeout(text: &str) -> Result<std::time::Duration, UsageError> {
    args::parse_duration(text).map_err(|message| UsageError::new(format!("--timeout: {message}"), HINT))
}

fn print_file(out: &mut dyn Write, report: &FileReport, verbose: bool) {
    let _ = writeln!(out, "{report}");
    for failure in &report.failures {
        let _ = writeln!(out, "  {}", failure.line_in(&report.name));
    }
    if verbose {
        for mismatch in &report.mismatches {
            let _ = writeln!(out, "  {}:{mismatch} (mismatch)", report.name);
        }
    }
}
