//! `stratus validate FILE...`: decode and validate binary or text modules.

use std::ffi::OsString;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use stratus::{DEFAULT_MAX_MODULE_FILE_SIZE, Error, Features};

use super::args::{self, Arg, UsageError};
use super::{Status, help};

const HINT: &str = "stratus validate --help";

pub fn run(args: Vec<OsString>, out: &mut dyn Write, err: &mut dyn Write) -> Result<Status, UsageError> {
    let mut files = Vec::new();
    let mut max_size = DEFAULT_MAX_MODULE_FILE_SIZE;
    let mut features = Features::default();
    let mut args = args::split(args, HINT)?.into_iter();
    while let Some(arg) = args.next() {
        match arg {
            Arg::Option(option) if option == "-h" || option == "--help" => {
                let _ = out.write_all(help::VALIDATE.as_bytes());
                return Ok(Status::Success);
            }
            Arg::Option(option)
                if option == "--max-module-size" || option.starts_with("--max-module-size=") =>
            {
                let value = match option.split_once('=') {
                    Some((_, value)) => value.to_string(),
                    None => match args.next() {
                        Some(Arg::Operand(value)) => value.to_string_lossy().into_owned(),
                        _ => return Err(UsageError::new("--max-module-size needs a value: SIZE", HINT)),
                    },
                };
                max_size = args::parse_size(&value)
                    .map_err(|message| UsageError::new(format!("--max-module-size: {message}"), HINT))?;
            }
            Arg::Option(option) if option.starts_with("-W") => {
                features = args::wasm_features_option(&option, &mut args, features, HINT)?;
            }
            Arg::Option(option) => return Err(UsageError::new(format!("unknown option '{option}'"), HINT)),
            Arg::Operand(file) => files.push(PathBuf::from(file)),
        }
    }
    if files.is_empty() {
        return Err(UsageError::new("no input files: 'stratus validate' needs at least one FILE", HINT));
    }
    let mut status = Status::Success;
    for file in &files {
        match validate_file(file, max_size, features) {
            Ok(()) => {
                let _ = writeln!(out, "{}: ok", file.display());
            }
            Err(problem) => {
                let _ = writeln!(err, "{}{problem}", file.display());
                status = Status::Failure;
            }
        }
    }
    Ok(status)
}

/// Why a file is not a valid module; `Display` gives the line after the file name.
#[derive(Debug, PartialEq, Eq)]
pub enum Problem {
    Unreadable(String),
    /// Refused from its first bytes or its size, before it was read whole.
    Refused(String),
    /// Bad bytes or a broken rule, at an offset in the binary module.
    Binary {
        offset: usize,
        message: String,
    },
    /// Text that parsed, but whose binary encoding is not a valid module. The offset is in
    /// that encoding: the text has no byte offsets of its own.
    Encoded {
        offset: usize,
        message: String,
    },
    /// Text that does not parse or encode, at a 1-based line and column.
    Text {
        line: usize,
        column: usize,
        message: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Unreadable(reason) => write!(f, ": error: cannot read file: {reason}"),
            Problem::Refused(reason) => write!(f, ": error: {reason}"),
            Problem::Binary { offset, message } => write!(f, ":0x{offset:x}: error: {message}"),
            Problem::Encoded { offset, message } => {
                write!(f, ":0x{offset:x}: error: {message} (offset in the binary encoding of the text)")
            }
            Problem::Text { line, column, message } => write!(f, ":{line}:{column}: error: {message}"),
        }
    }
}

/// Reads `path`, if it is a module of at most `max_size` bytes, and checks the module.
pub fn validate_file(path: &Path, max_size: u64, features: Features) -> Result<(), Problem> {
    let bytes = stratus::read_module_file(path, max_size).map_err(|error| match error {
        Error::Io { message, .. } => Problem::Unreadable(message),
        Error::InvalidModule { offset, message, .. } => Problem::Binary { offset, message },
        other => Problem::Refused(other.to_string()),
    })?;
    match stratus::text::as_text(&bytes) {
        None => {
            validate_binary(&bytes, features).map_err(|(offset, message)| Problem::Binary { offset, message })
        }
        Some(text) => {
            let encoded = encode_text(text)?;
            validate_binary(&encoded, features)
                .map_err(|(offset, message)| Problem::Encoded { offset, message })
        }
    }
}

fn validate_binary(bytes: &[u8], features: Features) -> Result<(), (usize, String)> {
    let module = stratus_decoder::Module::parse_with(bytes, features).map_err(stratus_validator::Error::from);
    match module.and_then(|module| stratus_validator::validate(&module)) {
        Ok(_) => Ok(()),
        Err(error) => Err((error.offset(), error.message())),
    }
}

/// Encodes text as a binary module, keeping the text's line and column on failure. A
/// build without the text format refuses the file whole.
fn encode_text(text: &str) -> Result<Vec<u8>, Problem> {
    stratus::text::encode(text).map_err(|error| match error {
        stratus::Error::Text { line, column, message } => Problem::Text { line, column, message },
        other => Problem::Refused(other.to_string()),
    })
}
