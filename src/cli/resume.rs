//! `stratus resume [OPTIONS] FILE`: go on with a program from the snapshot `stratus run
//! --checkpoint` wrote, on this machine or another (x86-64 or AArch64), in any tier.
//!
//! The snapshot carries the module, its arguments and environment, its memory and
//! open files (by guest path), its fuel and limits; the host directories are given
//! again with `--dir`, since they may live elsewhere now. Exit statuses are those of
//! `stratus run`.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use stratus::{Config, Engine, Linker, Store, Tier};

use super::args::{UsageError, parse_duration, parse_threshold, parse_tier};
use super::checkpoint::{self, Armed};
use super::run::{Deadline, Failure, conclude, ended, load, stats_text};
use super::sandbox;
use super::{Status, help};

const HINT: &str = "stratus resume --help";

/// The command line of `stratus resume`.
#[derive(Debug, Default)]
struct Options {
    file: PathBuf,
    dirs: Vec<sandbox::Preopen>,
    tier: Option<Tier>,
    tier_up_threshold: Option<u32>,
    stats: bool,
    /// `--fuel`: the fuel the program has from here, instead of what the snapshot says.
    fuel: Option<u64>,
    timeout: Option<Duration>,
    checkpoint: checkpoint::Options,
}

pub fn run(args: Vec<OsString>, out: &mut dyn Write, err: &mut dyn Write) -> Result<Status, UsageError> {
    let Some(options) = parse(args)? else {
        let _ = out.write_all(help::RESUME.as_bytes());
        return Ok(Status::Success);
    };
    let name = options.file.display().to_string();
    let mut stats = None;
    let status = execute(&options, &mut stats);
    Ok(conclude(status, stats, &name, options.timeout, out, err))
}

fn parse(args: Vec<OsString>) -> Result<Option<Options>, UsageError> {
    let mut options = Options::default();
    let mut file = None;
    let mut args = args.into_iter();
    let usage = |message: String| UsageError::new(message, HINT);
    while let Some(arg) = args.next() {
        let Some(text) = arg.to_str().filter(|text| text.starts_with('-') && *text != "-") else {
            if file.replace(PathBuf::from(&arg)).is_some() {
                return Err(usage(format!("unexpected argument '{}': resume takes one FILE", arg.display())));
            }
            continue;
        };
        let (flag, inline) = match text.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_string())),
            _ => (text, None),
        };
        let mut value = |what: &str| -> Result<String, String> {
            match inline.clone() {
                Some(value) => Ok(value),
                None => args
                    .next()
                    .ok_or_else(|| format!("{flag} needs a value: {what}"))?
                    .into_string()
                    .map_err(|_| format!("{flag} needs UTF-8")),
            }
        };
        match flag {
            "-h" | "--help" => return Ok(None),
            "--dir" => {
                let dir = value("HOST[::GUEST]").map_err(usage)?;
                options.dirs.push(sandbox::parse_dir(dir.into()).map_err(usage)?);
            }
            "--tier" => {
                options.tier = Some(parse_tier(&value("interp, auto or jit").map_err(usage)?).map_err(usage)?)
            }
            "--tier-up-threshold" => {
                options.tier_up_threshold =
                    Some(parse_threshold(&value("N").map_err(usage)?).map_err(usage)?);
            }
            "--stats" if inline.is_none() => options.stats = true,
            "--fuel" => {
                let text = value("N").map_err(usage)?;
                let fuel = text
                    .parse::<u64>()
                    .map_err(|_| usage(format!("--fuel: '{text}' is not a number of units")))?;
                options.fuel = Some(fuel);
            }
            "--timeout" => {
                let text = value("DURATION").map_err(usage)?;
                options.timeout =
                    Some(parse_duration(&text).map_err(|message| usage(format!("--timeout: {message}")))?);
            }
            _ if flag.starts_with("--checkpoint") => {
                if !options.checkpoint.parse(flag, value).map_err(usage)? {
                    return Err(usage(format!("unknown option '{flag}'")));
                }
            }
            _ => return Err(usage(format!("unknown option '{flag}'"))),
        }
    }
    options.file = file.ok_or_else(|| usage("no snapshot: 'stratus resume' needs a FILE".into()))?;
    options.checkpoint.check().map_err(usage)?;
    Ok(Some(options))
}

fn execute(options: &Options, stats: &mut Option<String>) -> Result<Status, Failure> {
    options.checkpoint.block_signal().map_err(Failure::Load)?;
    let started = Instant::now();
    let snapshot = checkpoint::read(&options.file).map_err(Failure::Load)?;
    let program_fuel = options.fuel.or(snapshot.fuel());
    let initial_fuel = options.checkpoint.initial_fuel(program_fuel);
    let mut config = Config::new();
    if let Some(tier) = options.tier {
        config.tier(tier);
    }
    if let Some(threshold) = options.tier_up_threshold {
        config.tier_up_threshold(threshold);
    }
    // The program goes on as it ran: with its profile and its limits.
    config.deterministic(snapshot.deterministic());
    config.store_limits(snapshot.limits());
    config.consume_fuel(initial_fuel.is_some());
    let engine = Engine::new(&config).map_err(|error| Failure::Load(error.to_string()))?;
    let module = snapshot.module(&engine).map_err(load)?;
    let host = sandbox::restored_host(&snapshot, &options.dirs).map_err(Failure::Load)?;
    let mut store = Store::new(&engine, host);
    let mut linker = Linker::new(&engine);
    sandbox::link(&mut linker).map_err(load)?;
    let (_, paused) = snapshot.restore(&mut store, &linker, &module).map_err(load)?;
    let restored = started.elapsed();
    if let Some(fuel) = initial_fuel {
        store.set_fuel(fuel).map_err(load)?;
    }
    let deadline = options.timeout.map(|limit| Deadline::start(limit, &store));
    let armed = Armed::arm(&options.checkpoint, &store, program_fuel);
    let first = paused.resume(&mut store);
    let status = ended(checkpoint::drive(first, &mut store, &armed), deadline.as_ref());
    if options.stats {
        let (pages, nonzero) =
            snapshot.memory_sizes().iter().fold((0, 0), |(bytes, nonzero), m| (bytes + m.0, nonzero + m.1));
        let mut text = format!(
            "stats: snapshot: {} frames, memory {} KiB ({} KiB not zero); read and restored in {:.1} ms\n",
            snapshot.frames(),
            pages >> 10,
            nonzero >> 10,
            restored.as_secs_f64() * 1000.0
        );
        text += &stats_text(&store.tier_stats(), initial_fuel.zip(store.fuel().ok()));
        *stats = Some(text);
    }
    status
}
