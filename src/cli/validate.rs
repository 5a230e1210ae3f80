//! `stratus validate FILE...`: decode and validate binary or text modules.

use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use wast::Wat;
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};

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
    match text_of(&bytes) {
        None => validate_binary(&bytes).map_err(|(offset, message)| Problem::Binary { offset, message }),
        Some(text) => {
            let encoded = encode_text(text)?;
            validate_binary(&encoded).map_err(|(offset, message)| Problem::Encoded { offset, message })
        }
    }
}

/// The module's text, or `None` when the content is to be decoded as binary: anything
/// starting with a NUL byte (as the `\0asm` magic does, even when truncated), empty, or
/// not UTF-8. Deciding by content, not by extension, means a misnamed file still gets
/// the right diagnostics.
fn text_of(bytes: &[u8]) -> Option<&str> {
    match bytes.first() {
        None | Some(0) => None,
        Some(_) => std::str::from_utf8(bytes).ok(),
    }
}

fn validate_binary(bytes: &[u8]) -> Result<(), (usize, String)> {
    match stratus_validator::parse_and_validate(bytes) {
        Ok(_) => Ok(()),
        Err(error) => Err((error.offset(), error.message())),
    }
}

/// Parses the text format and encodes it as a binary module.
fn encode_text(text: &str) -> Result<Vec<u8>, Problem> {
    let at = |error: wast::Error| {
        let (line, column) = error.span().linecol_in(text);
        Problem::Text { line: line + 1, column: column + 1, message: error.message() }
    };
    // The spec allows any Unicode in strings and comments; `wast` refuses bidirectional
    // overrides unless told.
    let mut lexer = Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    let buffer = ParseBuffer::new_with_lexer(lexer).map_err(at)?;
    let mut wat = parser::parse::<Wat<'_>>(&buffer).map_err(at)?;
    if let Wat::Component(component) = &wat {
        let (line, column) = component.span.linecol_in(text);
        let message = "components are not supported: expected a core WebAssembly module".to_string();
        return Err(Problem::Text { line: line + 1, column: column + 1, message });
    }
    wat.encode().map_err(at)
}

fn io_reason(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::NotFound => "no such file".to_string(),
        io::ErrorKind::IsADirectory => "is a folder, not a file".to_string(),
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::text_of;

    #[test]
    fn binary_or_text_by_content() {
        assert_eq!(text_of(b"\0asm\x01\0\0\0"), None);
        assert_eq!(text_of(b"\0as"), None);
        assert_eq!(text_of(b""), None);
        assert_eq!(text_of(b"\xff\xfe"), None);
        assert_eq!(text_of(b"(module)"), Some("(module)"));
    }
}
