//! Splitting a command's arguments into options and operands.
//!
//! Hand-written rather than a parser crate: the commands have a handful of flags and
//! few option values, and this keeps the binary (meant for edge boards too) small.

use std::ffi::OsString;
use std::time::Duration;

/// One argument after the command name.
#[derive(Debug, PartialEq, Eq)]
pub enum Arg {
    /// `-x` or `--xyz`, as written.
    Option(String),
    /// Anything else, including everything after `--` and a lone `-`.
    Operand(OsString),
}

/// A mistake in how the command was called: reported with a hint, exit status 2.
#[derive(Debug, PartialEq, Eq)]
pub struct UsageError {
    pub message: String,
    /// The help command to suggest, e.g. `stratus validate --help`.
    pub hint: String,
}

impl UsageError {
    pub fn new(message: impl Into<String>, hint: impl Into<String>) -> UsageError {
        UsageError { message: message.into(), hint: hint.into() }
    }
}

/// Classifies `args`; `hint` is what to suggest if an option is not even text.
pub fn split(args: Vec<OsString>, hint: &str) -> Result<Vec<Arg>, UsageError> {
    let mut split = Vec::with_capacity(args.len());
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--" {
            split.extend(args.by_ref().map(Arg::Operand));
            break;
        }
        let is_option = arg.as_encoded_bytes().starts_with(b"-") && arg != "-";
        if !is_option {
            split.push(Arg::Operand(arg));
            continue;
        }
        match arg.into_string() {
            Ok(option) => split.push(Arg::Option(option)),
            Err(arg) => {
                return Err(UsageError::new(format!("unknown option '{}'", arg.to_string_lossy()), hint));
            }
        }
    }
    Ok(split)
}

/// A size in bytes as `--max-module-size` takes it: a number, optionally followed by
/// `KiB`, `MiB` or `GiB`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let digits = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let scale: u64 = match unit {
        "" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        _ => {
            return Err(format!(
                "'{text}' is not a size: expected a number of bytes, or one with KiB, MiB or GiB (64MiB)"
            ));
        }
    };
    let number: u64 = number.parse().map_err(|_| format!("'{text}' is not a size: it has no number"))?;
    number.checked_mul(scale).ok_or_else(|| format!("'{text}' is too large a size"))
}

/// A tier as `--tier` takes it, refused here when this build does not have it, before
/// any module is read.
pub fn parse_tier(name: &str) -> Result<stratus::Tier, String> {
    let tier = name.parse::<stratus::Tier>().and_then(|tier| tier.check_available().map(|()| tier));
    tier.map_err(|error| format!("--tier: {error}"))
}

/// `-W` settings, as wasmtime takes them: a comma-separated list of `NAME=y|n`
/// (`yes`/`no`, `true`/`false`; a bare `NAME` is `NAME=y`) switching WebAssembly
/// proposals on or off in `features`, `NAME` being a proposal's name (`tail-call`,
/// `memory64`, ...) or `wasm3`, every proposal of WebAssembly 3.0 that Stratus runs.
pub fn parse_wasm_features(text: &str, mut features: stratus::Features) -> Result<stratus::Features, String> {
    for setting in text.split(',') {
        let (name, value) = setting.split_once('=').unwrap_or((setting, "y"));
        let on = match value {
            "y" | "yes" | "true" => true,
            "n" | "no" | "false" => false,
            _ => return Err(format!("-W {setting}: expected {name}=y or {name}=n")),
        };
        let proposals: Vec<stratus::Proposal> = match name {
            "wasm3" => stratus::Proposal::ALL.into_iter().filter(|p| p.is_implemented()).collect(),
            _ => match stratus::Proposal::from_name(name) {
                Some(proposal) if proposal.is_implemented() || !on => vec![proposal],
                Some(proposal) => {
                    return Err(format!("-W {setting}: the {proposal} proposal is not supported"));
                }
                None => {
                    let known: Vec<&str> = stratus::Proposal::ALL
                        .into_iter()
                        .filter(|p| p.is_implemented())
                        .map(|p| p.name())
                        .collect();
                    return Err(format!(
                        "-W {setting}: unknown proposal; known: wasm3, {}",
                        known.join(", ")
                    ));
                }
            },
        };
        for proposal in proposals {
            features = features.with(proposal, on);
        }
    }
    Ok(features)
}

/// The option `-W VALUE` or `-WVALUE` (`option`, and the next argument), applied to
/// `features`, in a command whose help is `hint`.
pub fn wasm_features_option(
    option: &str,
    args: &mut impl Iterator<Item = Arg>,
    features: stratus::Features,
    hint: &str,
) -> Result<stratus::Features, UsageError> {
    let text = match &option[2..] {
        "" => match args.next() {
            Some(Arg::Operand(value)) => value.to_string_lossy().into_owned(),
            _ => return Err(UsageError::new("-W needs a value: NAME=y|n", hint)),
        },
        inline => inline.to_string(),
    };
    parse_wasm_features(&text, features).map_err(|message| UsageError::new(message, hint))
}

/// A count as `--tier-up-threshold` takes it.
pub fn parse_threshold(text: &str) -> Result<u32, String> {
    text.parse().map_err(|_| format!("--tier-up-threshold: '{text}' is not a count (0 to 4294967295)"))
}

/// A duration as `--timeout` takes it: a number (decimals allowed) followed by `ms`,
/// `s`, `m` or `h`: `500ms`, `10s`, `1.5m`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let wrong = || format!("'{text}' is not a duration: expected a number with ms, s, m or h (10s, 500ms)");
    let digits = text.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let seconds_per_unit = match unit {
        "ms" => 0.001,
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        _ => return Err(wrong()),
    };
    let number: f64 = number.parse().map_err(|_| wrong())?;
    Duration::try_from_secs_f64(number * seconds_per_unit)
        .map_err(|_| format!("'{text}' is too long a duration"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("1.5m"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        for bad in ["", "10", "s", "1.2.3s", "-1s", "10 s", "5d", "1e400s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("4KiB"), Ok(4096));
        assert_eq!(parse_size("2MiB"), Ok(2 << 20));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert!(parse_size("").is_err());
        assert!(parse_size("GiB").is_err());
        assert!(parse_size("1 GiB").is_err());
        assert!(parse_size("1GB").is_err());
        assert!(parse_size("-1").is_err());
        assert!(parse_size("99999999999999999999").is_err());
        assert!(parse_size("17179869184GiB").is_err());
    }

    #[test]
    fn options_operands_and_double_dash() {
        let split = split(os(&["-v", "a.wast", "-", "--", "--help"]), "h").unwrap();
        assert_eq!(
            split,
            vec![
                Arg::Option("-v".into()),
                Arg::Operand("a.wast".into()),
                Arg::Operand("-".into()),
                Arg::Operand("--help".into()),
            ]
        );
    }
}
