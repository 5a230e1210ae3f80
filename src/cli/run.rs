//! `stratus run [OPTIONS] FILE [ARGS...]`: run a WASI command, or call one export.
//!
//! Exit status: the guest's own (`proc_exit`, or 0 when `_start` returns); 1 when the
//! module cannot be loaded, linked or called as asked; 2 for a usage error; and
//! [`TRAP_STATUS`] when WebAssembly traps; [`TIMEOUT_STATUS`] when `--timeout` stops it.

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use stratus::{Config, Engine, Error, Linker, MAX_PAGES, Module, PAGE_SIZE, Store, Tier, TierStats, Val};

use super::args::{UsageError, parse_duration, parse_size, parse_threshold, parse_tier, parse_wasm_features};
use super::checkpoint::{self, Armed, Ended};
use super::sandbox::{self, Grants};
use super::{Status, help, invoke};

const HINT: &str = "stratus run --help";

/// The status after a trap: 128 + SIGABRT, what a native program that aborts reports,
/// and what other runtimes use, so scripts can tell a trap from an exit code the guest
/// chose (WASI exit codes are meant to stay below 126).
pub const TRAP_STATUS: u8 = 134;

/// The status after `--timeout` stopped the program: 128 + SIGALRM, what a native
/// program ended by its alarm clock reports; above the codes WASI programs choose.
pub const TIMEOUT_STATUS: u8 = 142;

/// How long a timed-out guest stuck in a host call (a sleep, a read) gets to reach a
/// budget check before `stratus` exits without it.
const TIMEOUT_GRACE: Duration = Duration::from_secs(1);

/// The command line of `stratus run`.
#[derive(Debug, Default)]
struct Options {
    file: OsString,
    /// Everything after FILE.
    rest: Vec<OsString>,
    dirs: Vec<sandbox::Preopen>,
    env: Vec<(String, String)>,
    invoke: Option<String>,
    tier: Option<Tier>,
    /// `--tier-up-threshold`.
    tier_up_threshold: Option<u32>,
    /// `--stats`: print what the tiers did.
    stats: bool,
    lazy_validation: bool,
    max_module_size: Option<u64>,
    /// `--max-memory`: bytes of linear memory in all.
    max_memory: Option<usize>,
    /// `--max-table-elements`: table elements in all.
    max_table_elements: Option<usize>,
    /// `--max-wasm-stack`: bytes of value stack.
    max_wasm_stack: Option<usize>,
    /// `--fuel`: units of fuel the program may use.
    fuel: Option<u64>,
    /// `--timeout`: how long the program may run.
    timeout: Option<Duration>,
    /// `-W`: the proposals modules may use.
    features: stratus::Features,
    /// `--deterministic`: the spec's deterministic profile.
    deterministic: bool,
    /// `--checkpoint` and its triggers.
    checkpoint: checkpoint::Options,
}

/// The largest `--max-wasm-stack`: the API's largest value stack, 2^27 slots.
const MAX_WASM_STACK: usize = 1 << 30;

pub fn run(args: Vec<OsString>, out: &mut dyn Write, err: &mut dyn Write) -> Result<Status, UsageError> {
    let Some(options) = parse(args)? else {
        let _ = out.write_all(help::RUN.as_bytes());
        return Ok(Status::Success);
    };
    let file = Path::new(&options.file);
    let name = file.display().to_string();
    let mut stats = None;
    let status = execute(&options, out, &mut stats);
    Ok(conclude(status, stats, &name, options.timeout, out, err))
}

/// The status of a run of `name` that ended as `status`, after `--stats`' text (if
/// asked for) and the report of a failure.
pub(super) fn conclude(
    status: Result<Status, Failure>,
    stats: Option<String>,
    name: &str,
    timeout: Option<Duration>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Status {
    if let Some(stats) = stats {
        let _ = out.flush();
        let _ = err.write_all(stats.as_bytes());
    }
    match status {
        Ok(status) => status,
        Err(failure) => report(failure, name, timeout, out, err),
    }
}

/// Reports how a run that did not end normally ended, on `err`, and gives the status.
fn report(
    failure: Failure,
    name: &str,
    timeout: Option<Duration>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Status {
    let _ = out.flush();
    match failure {
        Failure::Load(message) => {
            let _ = writeln!(err, "{name}: error: {message}");
            Status::Failure
        }
        Failure::Text { line, column, message } => {
            let _ = writeln!(err, "{name}:{line}:{column}: error: {message}");
            Status::Failure
        }
        Failure::Trap(error) => {
            let _ = writeln!(err, "{name}: error: {error}");
            Status::Exit(TRAP_STATUS)
        }
        Failure::TimedOut(error) => {
            let limit = timeout.map(|t| format!(" after {t:?}")).unwrap_or_default();
            let _ = writeln!(err, "{name}: error: timed out{limit}: {error}");
            Status::Exit(TIMEOUT_STATUS)
        }
        Failure::Checkpointed(message) => {
            let _ = writeln!(err, "{name}: {message}");
            Status::Exit(checkpoint::CHECKPOINT_STATUS)
        }
        Failure::CheckpointFailed(message) => {
            let _ = writeln!(err, "{name}: error: {message}");
            Status::Failure
        }
    }
}

/// Options come first; the first operand is FILE and ends them, so that the guest's own
/// options (`app.wasm --verbose`) reach the guest.
fn parse(args: Vec<OsString>) -> Result<Option<Options>, UsageError> {
    let mut options = Options::default();
    let mut args = args.into_iter();
    let usage = |message: String| UsageError::new(message, HINT);
    while let Some(arg) = args.next() {
        let bytes = arg.as_encoded_bytes();
        if arg == "--" {
            options.file = args.next().ok_or_else(|| usage("no FILE after '--'".into()))?;
            break;
        }
        if !bytes.starts_with(b"-") || arg == "-" {
            options.file = arg;
            break;
        }
        let text = arg.to_str().ok_or_else(|| usage(format!("unknown option '{}'", arg.display())))?;
        // Both `--dir X` and `--dir=X`.
        let (flag, inline) = match text.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(OsString::from(value))),
            // `-W NAME=n` and `-WNAME=n`.
            _ if text.starts_with("-W") && text.len() > 2 => ("-W", Some(OsString::from(&text[2..]))),
            _ => (text, None),
        };
        let mut value = |what: &str| match inline.clone() {
            Some(value) => Ok(value),
            None => args.next().ok_or_else(|| usage(format!("{flag} needs a value: {what}"))),
        };
        match flag {
            "-h" | "--help" => return Ok(None),
            "-W" => {
                let text = value("NAME=y|n")?;
                let features = parse_wasm_features(&text.to_string_lossy(), options.features);
                options.features = features.map_err(usage)?;
            }
            "--dir" => options.dirs.push(sandbox::parse_dir(value("HOST[::GUEST]")?).map_err(usage)?),
            "--env" => options.env.push(sandbox::parse_env(value("KEY=VALUE")?).map_err(usage)?),
            "--invoke" => {
                let name = value("the name of an exported function")?;
                options.invoke = Some(name.into_string().map_err(|_| usage("--invoke needs UTF-8".into()))?);
            }
            "--tier" => {
                let name = value("interp, auto or jit")?;
                options.tier = Some(parse_tier(name.to_str().unwrap_or("")).map_err(usage)?);
            }
            "--tier-up-threshold" => {
                let text = value("N")?;
                let threshold = parse_threshold(&text.to_string_lossy()).map_err(usage)?;
                options.tier_up_threshold = Some(threshold);
            }
            "--stats" if inline.is_none() => options.stats = true,
            "--lazy-validation" if inline.is_none() => options.lazy_validation = true,
            "--deterministic" if inline.is_none() => options.deterministic = true,
            "--fuel" => {
                let text = value("N")?;
                let fuel = text.to_str().and_then(|text| text.parse::<u64>().ok());
                options.fuel = Some(fuel.ok_or_else(|| {
                    usage(format!("--fuel: '{}' is not a number of units", text.display()))
                })?);
            }
            "--timeout" => {
                let text = value("DURATION")?;
                let duration = text.to_str().ok_or_else(|| "not text".to_string()).and_then(parse_duration);
                options.timeout = Some(duration.map_err(|message| usage(format!("--timeout: {message}")))?);
            }
            "--max-module-size" => {
                options.max_module_size = Some(size(flag, value("SIZE")?).map_err(usage)? as u64);
            }
            "--max-memory" => options.max_memory = Some(size(flag, value("SIZE")?).map_err(usage)?),
            "--max-table-elements" => {
                let text = value("N")?;
                let count = text.to_str().and_then(|text| text.parse::<usize>().ok());
                let count = count.ok_or_else(|| {
                    usage(format!("--max-table-elements: '{}' is not a number of elements", text.display()))
                })?;
                options.max_table_elements = Some(count);
            }
            "--max-wasm-stack" => {
                let bytes = size(flag, value("SIZE")?).map_err(usage)?;
                if bytes > MAX_WASM_STACK {
                    return Err(usage(format!(
                        "--max-wasm-stack: {bytes} bytes is more than the most, 1GiB"
                    )));
                }
                options.max_wasm_stack = Some(bytes);
            }
            _ if flag.starts_with("--checkpoint") => {
                let text = |what: &str| match value(what) {
                    Ok(text) => text.into_string().map_err(|_| format!("{flag} needs UTF-8")),
                    Err(error) => Err(error.message),
                };
                if !options.checkpoint.parse(flag, text).map_err(usage)? {
                    return Err(usage(format!("unknown option '{flag}'")));
                }
            }
            _ => return Err(usage(format!("unknown option '{flag}'"))),
        }
    }
    if options.file.is_empty() {
        return Err(usage("no module: 'stratus run' needs a FILE".into()));
    }
    options.checkpoint.check().map_err(usage)?;
    if options.checkpoint.file.is_some() && options.invoke.is_some() {
        return Err(usage("--checkpoint takes snapshots of a command's `_start`, not of --invoke".into()));
    }
    options.rest = args.collect();
    Ok(Some(options))
}

/// A size in bytes as the limit flags take it: a number of bytes, or a number followed
/// by KiB, MiB or GiB (`512KiB`, `64MiB`, `1GiB`).
fn size(flag: &str, text: OsString) -> Result<usize, String> {
    let bytes =
        text.to_str().ok_or_else(|| format!("'{}' is not a size", text.display())).and_then(parse_size);
    bytes
        .and_then(|bytes| usize::try_from(bytes).map_err(|_| "too large a size".to_string()))
        .map_err(|message| format!("{flag}: {message}"))
}

/// Why a run ended early.
pub(super) enum Failure {
    /// The module could not be read, compiled, linked or called: one line.
    Load(String),
    /// The module's text does not parse, at a 1-based line and column: reported as
    /// `stratus validate` does.
    Text { line: usize, column: usize, message: String },
    /// WebAssembly trapped (or a host function failed): the message and backtrace.
    Trap(Error),
    /// `--timeout` interrupted the program: the trap it stopped with.
    TimedOut(Error),
    /// `--checkpoint` wrote a snapshot: what to print.
    Checkpointed(String),
    /// The program paused for a checkpoint, but the snapshot could not be taken or
    /// written: why.
    CheckpointFailed(String),
}

fn execute(options: &Options, out: &mut dyn Write, stats: &mut Option<String>) -> Result<Status, Failure> {
    let mut config = Config::new();
    if let Some(tier) = options.tier {
        config.tier(tier);
    }
    if let Some(threshold) = options.tier_up_threshold {
        config.tier_up_threshold(threshold);
    }
    config.lazy_validation(options.lazy_validation);
    config.wasm_features(options.features);
    config.deterministic(options.deterministic);
    if let Some(size) = options.max_module_size {
        config.max_module_file_size(size);
    }
    if let Some(bytes) = options.max_memory {
        // A memory reserves address space for the most it may grow to: no more than
        // the store may have.
        let pages = bytes / PAGE_SIZE;
        config
            .max_total_memory_bytes(bytes)
            .max_memory_pages(u32::try_from(pages).unwrap_or(u32::MAX).min(MAX_PAGES));
    }
    if let Some(elements) = options.max_table_elements {
        config
            .max_total_table_elements(elements)
            .max_table_elements(u32::try_from(elements).unwrap_or(u32::MAX));
    }
    if let Some(bytes) = options.max_wasm_stack {
        config.value_stack_slots(bytes / 8);
    }
    // Before any thread starts (compiling, --timeout), so that none takes the signal.
    options.checkpoint.block_signal().map_err(Failure::Load)?;
    let initial_fuel = options.checkpoint.initial_fuel(options.fuel);
    config.consume_fuel(initial_fuel.is_some());
    let engine = Engine::new(&config).map_err(|error| Failure::Load(error.to_string()))?;
    let max_size = engine.config().get_max_module_file_size();
    let bytes =
        stratus::read_module_file(Path::new(&options.file), max_size).map_err(|error| match error {
            Error::Io { message, .. } => Failure::Load(format!("cannot read file: {message}")),
            error => Failure::Load(error.to_string()),
        })?;
    let module = Module::new(&engine, bytes).map_err(load)?;

    let grants = grants(options)?;
    let mut store = Store::new(&engine, sandbox::host(&grants).map_err(Failure::Load)?);
    if let Some(fuel) = initial_fuel {
        store.set_fuel(fuel).map_err(load)?;
    }
    let status = run_module(options, &engine, &module, &mut store, out);
    if options.stats {
        *stats = Some(stats_text(&store.tier_stats(), initial_fuel.zip(store.fuel().ok())));
    }
    status
}

/// Instantiates `module` in `store` and runs it: its `_start`, or the export
/// `--invoke` names.
fn run_module(
    options: &Options,
    engine: &Engine,
    module: &Module,
    mut store: &mut Store<sandbox::Host>,
    out: &mut dyn Write,
) -> Result<Status, Failure> {
    let deadline = options.timeout.map(|limit| Deadline::start(limit, &*store));
    let stopped = |error| stopped(error, deadline.as_ref());
    let mut linker = Linker::new(engine);
    sandbox::link(&mut linker).map_err(load)?;
    let instance = match linker.instantiate(&mut store, module) {
        Ok(instance) => instance,
        // The start function ran and trapped or exited.
        Err(error @ Error::Instantiation(_)) => return stopped(error),
        Err(error) => return Err(load(error)),
    };

    let Some(name) = &options.invoke else {
        let Some(start) = instance.get_func(&store, "_start") else {
            return Err(Failure::Load(
                "the module exports no `_start` function: use --invoke NAME to call an export".into(),
            ));
        };
        if options.checkpoint.file.is_none() {
            return match start.call(&mut store, &[], &mut []) {
                Ok(()) => Ok(Status::Success),
                Err(error) => stopped(error),
            };
        }
        let armed = Armed::arm(&options.checkpoint, store, options.fuel);
        let first = start.call_resumable(&mut store, &[]);
        return ended(checkpoint::drive(first, store, &armed), deadline.as_ref());
    };
    // A WASI reactor sets itself up in `_initialize` before any export may be called.
    if let Some(init) = instance.get_func(&store, "_initialize")
        && let Err(error) = init.call(&mut store, &[], &mut [])
    {
        return stopped(error);
    }
    let Some(func) = instance.get_func(&store, name) else {
        return Err(Failure::Load(format!("the module exports no function named `{name}`")));
    };
    let ty = func.ty(&store);
    if options.rest.len() != ty.params().len() {
        let count = ty.params().len();
        return Err(Failure::Load(format!(
            "`{name}` has type {ty}: it takes {count} argument{}, but {} {} given",
            if count == 1 { "" } else { "s" },
            options.rest.len(),
            if options.rest.len() == 1 { "was" } else { "were" }
        )));
    }
    let mut params = Vec::with_capacity(ty.params().len());
    for (index, (text, &param)) in options.rest.iter().zip(ty.params()).enumerate() {
        let text = text.to_string_lossy();
        let value = invoke::parse(&text, param)
            .map_err(|message| Failure::Load(format!("argument {index} of `{name}`: {message}")))?;
        params.push(value);
    }
    let mut results: Vec<Val> = ty.results().iter().map(|&ty| Val::default_of(ty)).collect();
    if let Err(error) = func.call(&mut store, &params, &mut results) {
        return stopped(error);
    }
    for result in &results {
        let _ = writeln!(out, "{}", invoke::format(result));
    }
    Ok(Status::Success)
}

/// The status of a run that `checkpoint::drive` ran, or how it failed.
pub(super) fn ended(ended: Ended, deadline: Option<&Deadline>) -> Result<Status, Failure> {
    match ended {
        Ended::Finished => Ok(Status::Success),
        Ended::Failed(error) => stopped(error, deadline),
        Ended::Checkpointed { file, bytes, took, place, backtrace } => Err(Failure::Checkpointed(format!(
            "checkpoint written to {} ({bytes} bytes, in {:.1} ms), {place}; the program stopped at:{}",
            file.display(),
            took.as_secs_f64() * 1000.0,
            Backtrace(&backtrace)
        ))),
        Ended::CheckpointFailed(message) => Err(Failure::CheckpointFailed(message)),
    }
}

/// A backtrace as traps print theirs.
struct Backtrace<'a>(&'a [stratus::FrameInfo]);

impl std::fmt::Display for Backtrace<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        stratus::write_backtrace(f, self.0)
    }
}

/// What `--stats` prints, on standard error once the program has ended; `fuel` is the
/// fuel the store started with and has left, when it consumed fuel.
pub(super) fn stats_text(stats: &TierStats, fuel: Option<(u64, u64)>) -> String {
    let mut text = format!(
        "stats: functions compiled: {} ({} bytes of code in {:.3} ms)\n\
         stats: entries into compiled code at loop headers (OSR): {}\n\
         stats: functions: {} with compiled code, {} run in the interpreter only\n",
        stats.functions_compiled,
        stats.code_bytes,
        stats.compile_time.as_secs_f64() * 1000.0,
        stats.osr_entries,
        stats.functions_with_code,
        stats.functions_interpreted_only,
    );
    for declined in &stats.declined {
        let name = declined.name.as_ref().map(|name| format!(" (${name})")).unwrap_or_default();
        text += &format!(
            "stats: function {}{name} stays in the interpreter: {}\n",
            declined.index, declined.reason
        );
    }
    if let Some((initial, left)) = fuel {
        text += &format!("stats: fuel consumed: {}\n", initial - left);
    }
    text
}

pub(super) fn load(error: Error) -> Failure {
    match error {
        Error::Text { line, column, message } => Failure::Text { line, column, message },
        error => Failure::Load(error.to_string()),
    }
}

/// `argv` is FILE as given, then the rest, as a native program would see it.
fn grants(options: &Options) -> Result<Grants, Failure> {
    let mut args = Vec::with_capacity(options.rest.len() + 1);
    for arg in std::iter::once(&options.file).chain(&options.rest) {
        let arg = arg.to_str().ok_or_else(|| {
            Failure::Load(format!("argument '{}' is not UTF-8, which WASI requires", arg.display()))
        })?;
        args.push(arg.to_string());
    }
    Ok(Grants { args, env: options.env.clone(), dirs: options.dirs.clone() })
}

/// What an error from running code means: a `proc_exit` is a normal end with the
/// guest's status; an interruption after the deadline is a timeout; anything else is a
/// trap.
pub(super) fn stopped(error: Error, deadline: Option<&Deadline>) -> Result<Status, Failure> {
    if let Some(code) = sandbox::exit_code(&error) {
        return Ok(Status::Exit(exit_status(code)));
    }
    let timed_out = deadline.is_some_and(|d| d.passed.load(Ordering::Relaxed));
    if timed_out && error.trap_kind() == Some(&stratus::TrapKind::Interrupted) {
        return Err(Failure::TimedOut(error));
    }
    Err(Failure::Trap(error))
}

/// `--timeout`: a thread that interrupts the guest when the time is up. A guest that
/// does not reach a budget check within [`TIMEOUT_GRACE`] (it is blocked in a host
/// call) is not waited for: the process exits with [`TIMEOUT_STATUS`]. Dropping the
/// deadline (the program ended) stops the thread.
pub(super) struct Deadline {
    passed: Arc<AtomicBool>,
    _cancel: mpsc::Sender<()>,
}

impl Deadline {
    pub(super) fn start<T>(limit: Duration, store: &Store<T>) -> Deadline {
        let handle = store.interrupt_handle();
        let passed = Arc::new(AtomicBool::new(false));
        let (cancel, cancelled) = mpsc::channel::<()>();
        let flag = passed.clone();
        std::thread::spawn(move || {
            if cancelled.recv_timeout(limit) != Err(mpsc::RecvTimeoutError::Timeout) {
                return;
            }
            flag.store(true, Ordering::Relaxed);
            handle.interrupt(stratus::Interruption::Trap);
            if cancelled.recv_timeout(TIMEOUT_GRACE) == Err(mpsc::RecvTimeoutError::Timeout) {
                eprintln!("stratus: error: timed out after {limit:?}, in a host call that did not return");
                std::process::exit(i32::from(TIMEOUT_STATUS));
            }
        });
        Deadline { passed, _cancel: cancel }
    }
}

/// A process status is 8 bits; a WASI exit code that does not fit becomes 1 rather than
/// being cut to its low byte (256 would read as success).
pub(super) fn exit_status(code: i32) -> u8 {
    u8::try_from(code).unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn options_stop_at_the_file() {
        let options = parse(os(&["--dir=a::/b", "--env", "K=V", "app.wasm", "--dir", "x"])).unwrap().unwrap();
        assert_eq!(options.file, "app.wasm");
        assert_eq!(options.rest, os(&["--dir", "x"]));
        assert_eq!(options.dirs[0].guest, "/b");
        assert_eq!(options.env, vec![("K".to_string(), "V".to_string())]);
    }

    #[test]
    fn limits_take_sizes_with_binary_units() {
        let options = parse(os(&[
            "--max-memory",
            "64MiB",
            "--max-table-elements=1000",
            "--max-wasm-stack=512KiB",
            "a.wasm",
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(options.max_memory, Some(64 << 20));
        assert_eq!(options.max_table_elements, Some(1000));
        assert_eq!(options.max_wasm_stack, Some(512 << 10));
        let size = |text: &str| size("--max-memory", text.into());
        assert_eq!(size("1048576"), Ok(1 << 20));
        assert_eq!(size("1GiB"), Ok(1 << 30));
        assert_eq!(size("0"), Ok(0));
        assert_eq!(
            size("1.5GiB"),
            Err("--max-memory: '1.5GiB' is not a size: expected a number of bytes, or one with KiB, MiB or GiB \
                 (64MiB)"
                .into())
        );
        assert!(size("").is_err());
        assert!(size("99999999999999999999GiB").is_err());
        assert_eq!(size("17179869184GiB"), Err("--max-memory: '17179869184GiB' is too large a size".into()));
    }

    #[test]
    fn usage_errors() {
        assert!(parse(os(&[])).is_err());
        assert!(parse(os(&["--dir"])).is_err());
        assert!(parse(os(&["--bogus", "a.wasm"])).is_err());
        assert!(parse(os(&["--env", "novalue", "a.wasm"])).is_err());
        assert!(parse(os(&["--help"])).unwrap().is_none());
        assert!(parse(os(&["--max-module-size", "1GB", "a.wasm"])).is_err());
        let options = parse(os(&["--max-module-size=2KiB", "a.wasm"])).unwrap().unwrap();
        assert_eq!(options.max_module_size, Some(2048));
        assert!(parse(os(&["--max-memory", "64MB", "a.wasm"])).is_err());
        assert!(parse(os(&["--max-memory", "MiB", "a.wasm"])).is_err());
        assert!(parse(os(&["--max-memory", "-1", "a.wasm"])).is_err());
        assert!(parse(os(&["--max-table-elements", "1k", "a.wasm"])).is_err());
        assert!(parse(os(&["--max-wasm-stack", "2GiB", "a.wasm"])).is_err());
        assert_eq!(exit_status(300), 1);
        assert_eq!(exit_status(7), 7);
    }
}
