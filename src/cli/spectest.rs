//! `stratus spectest PATH...`: run `.wast` scripts with the stratus-spectest library
//! (the `spectest` feature).

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use stratus::Tier;
use stratus_spectest::{
    BoundsChecks, CompilePolicy, FileReport, RunOptions, mismatches_text, run_paths_with,
};

use super::args::{self, Arg, UsageError};
use super::{Status, help};

const HINT: &str = "stratus spectest --help";

pub fn run(args: Vec<OsString>, out: &mut dyn Write, _err: &mut dyn Write) -> Result<Status, UsageError> {
    let mut verbose = false;
    let mut options = RunOptions::default();
    let mut tier = Tier::default();
    let mut threshold = None;
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
                _ if option == "--deterministic" => options.deterministic = true,
                Some(("--timeout", text)) => options.directive_time_limit = timeout(text)?,
                None if option == "--timeout" => {
                    let Some(Arg::Operand(text)) = args.next() else {
                        return Err(UsageError::new("--timeout needs a DURATION", HINT));
                    };
                    options.directive_time_limit = timeout(&text.to_string_lossy())?;
                }
                _ if option.starts_with("-W") => {
                    options.features =
                        args::wasm_features_option(&option, &mut args, options.features, HINT)?;
                }
                Some(("--tier", name)) => tier = parse_tier(name)?,
                None if option == "--tier" => {
                    let Some(Arg::Operand(name)) = args.next() else {
                        return Err(UsageError::new("--tier needs a TIER: interp, auto or jit", HINT));
                    };
                    tier = parse_tier(&name.to_string_lossy())?;
                }
                Some(("--tier-up-threshold", text)) => threshold = Some(parse_threshold(text)?),
                None if option == "--tier-up-threshold" => {
                    let Some(Arg::Operand(text)) = args.next() else {
                        return Err(UsageError::new("--tier-up-threshold needs a count N", HINT));
                    };
                    threshold = Some(parse_threshold(&text.to_string_lossy())?);
                }
                Some(("--bounds-checks", name)) => options.bounds_checks = parse_bounds_checks(name)?,
                None if option == "--bounds-checks" => {
                    let Some(Arg::Operand(name)) = args.next() else {
                        return Err(UsageError::new("--bounds-checks needs guard or explicit", HINT));
                    };
                    options.bounds_checks = parse_bounds_checks(&name.to_string_lossy())?;
                }
                _ => return Err(UsageError::new(format!("unknown option '{option}'"), HINT)),
            },
            Arg::Operand(path) => paths.push(PathBuf::from(path)),
        }
    }
    if paths.is_empty() {
        return Err(UsageError::new("no scripts: 'stratus spectest' needs at least one PATH", HINT));
    }
    options.compile = compile_policy(tier, threshold);

    // The report is the command's result, so all of it goes to standard output, each
    // script's lines as soon as it has run.
    let summary = run_paths_with(&paths, &options, |report| print_file(out, report, verbose));
    let mismatches = summary.mismatch_count();
    if mismatches > 0 {
        let listed = if verbose { "" } else { "; -v lists them" };
        let _ = writeln!(out, "{} (informational{listed})", mismatches_text(mismatches));
    }
    let folders = summary.folders();
    if folders.len() > 1 {
        for (folder, counts) in &folders {
            let name = if folder.is_empty() { "." } else { folder };
            let _ = writeln!(out, "{name}/: {counts}");
        }
    }
    let _ = writeln!(out, "{}", summary.functions());
    let _ = writeln!(out, "{summary}");
    Ok(if summary.has_failures() { Status::Failure } else { Status::Success })
}

/// `--bounds-checks`: how compiled code checks memory accesses.
fn parse_bounds_checks(name: &str) -> Result<BoundsChecks, UsageError> {
    match name {
        "guard" => Ok(BoundsChecks::Guard),
        "explicit" => Ok(BoundsChecks::Explicit),
        _ => Err(UsageError::new(format!("unknown bounds checks '{name}': guard or explicit"), HINT)),
    }
}

/// `--tier`, as `stratus run --tier` takes it.
fn parse_tier(name: &str) -> Result<Tier, UsageError> {
    args::parse_tier(name).map_err(|message| UsageError::new(message, HINT))
}

/// `--tier-up-threshold`, as `stratus run` takes it.
fn parse_threshold(text: &str) -> Result<u32, UsageError> {
    args::parse_threshold(text).map_err(|message| UsageError::new(message, HINT))
}

/// How the scripts' stores run their functions: as a store of the `stratus` API with
/// this tier and threshold would.
fn compile_policy(tier: Tier, threshold: Option<u32>) -> CompilePolicy {
    let mut config = stratus::Config::new();
    config.tier(tier);
    if let Some(threshold) = threshold {
        config.tier_up_threshold(threshold);
    }
    config.get_compile_policy()
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
