//! `stratus validate FILE...`: decode and validate binary or text modules.

use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::args::{self, Arg, UsageError};
use super::{Status, help};

const HINT: &str = "stratus validate --help";

pub fn run(args: Vec<OsString>, out: &mut dyn Write, err: &mut dyn Write) -> Result<Status, UsageError> {
    let mut files = Vec::new();
    for arg in args::split(args, HINT)? {
        match arg {
            Arg::Option(option) if option == "-h" || option == "--help" => {
                let _ = out.write_all(help::VALIDATE.as_bytes());
                return Ok(Status::Success);
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
        match validate_file(file) {
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
            Problem::Binary { offset, message } => write!(f, ":0x{offset:x}: error: {message}"),
            Problem::Encoded { offset, message } => {
                write!(f, ":0x{offset:x}: error: {message} (offset in the binary encoding of the text)")
            }
            Problem::Text { line, column, message } => write!(f, ":{line}:{column}: error: {message}"),
        }
    }
}

/// Reads `path` and checks the module in it.
pub fn validate_file(path: &Path) -> Result<(), Problem> {
    let bytes = fs::read(path).map_err(|error| Problem::Unreadable(io_reason(&error)))?;
    match stratus::text::as_text(&bytes) {
        None => validate_binary(&bytes).map_err(|(offset, message)| Problem::Binary { offset, message }),
        Some(text) => {
            let encoded = encode_text(text)?;
            validate_binary(&encoded).map_err(|(offset, message)| Problem::Encoded { offset, message })
        }
    }
}

fn validate_binary(bytes: &[u8]) -> Result<(), (usize, String)> {
    match stratus_validator::parse_and_validate(bytes) {
        Ok(_) => Ok(()),
        Err(error) => Err((error.offset(), error.message())),
    }
}

/// Encodes text as a binary module, keeping the text's line and column on failure.
fn encode_text(text: &str) -> Result<Vec<u8>, Problem> {
    stratus::text::encode(text).map_err(|error| match error {
        stratus::Error::Text { line, column, message } => Problem::Text { line, column, message },
        other => Problem::Text { line: 1, column: 1, message: other.to_string() },
    })
}

fn io_reason(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::NotFound => "no such file".to_string(),
        io::ErrorKind::IsADirectory => "is a folder, not a file".to_string(),
        _ => error.to_string(),
    }
}
