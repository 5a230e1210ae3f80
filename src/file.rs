//! Module files: their first bytes are checked before the rest is read, and the rest is
//! read only up to a size limit, so that `/dev/zero`, a pipe that never ends or a large
//! file of something else is refused at once instead of filling memory.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use stratus_decoder::DecodeError;

use crate::error::Error;

/// The largest module file read unless configured otherwise
/// ([`Config::max_module_file_size`](crate::Config::max_module_file_size)): 1 GiB,
/// several times the largest modules compilers produce.
pub const DEFAULT_MAX_MODULE_FILE_SIZE: u64 = 1 << 30;

/// The binary format's magic number and version: `\0asm`, 1.
const HEADER_LEN: usize = 8;

/// Reads the binary or text module in `path`, refusing it without reading further when
/// its first bytes are neither the binary magic number nor text that can start a module,
/// when its binary version is not 1, or when it has more than `limit` bytes.
///
/// Files and other readers (pipes, devices) are treated alike, except that a file whose
/// size is known to be above the limit is refused before its contents are read.
pub fn read_module_file(path: &Path, limit: u64) -> Result<Vec<u8>, Error> {
    let io_error = |error: io::Error| Error::Io { path: path.to_path_buf(), message: io_reason(&error) };
    let file = File::open(path).map_err(io_error)?;
    let metadata = file.metadata().map_err(io_error)?;
    if metadata.is_dir() {
        return Err(Error::Io { path: path.to_path_buf(), message: "is a folder, not a file".to_string() });
    }
    let known_len = metadata.is_file().then_some(metadata.len());
    read_module(file, known_len, limit).map_err(|refusal| match refusal {
        Refusal::Io(error) => io_error(error),
        Refusal::NotAModule => Error::NotAModule { path: path.to_path_buf() },
        Refusal::TooLarge => Error::FileTooLarge { path: path.to_path_buf(), limit },
        Refusal::Header(error) => {
            Error::InvalidModule { offset: error.offset, message: error.kind.to_string(), from_text: false }
        }
    })
}

/// Why [`read_module`] stopped.
#[derive(Debug)]
enum Refusal {
    Io(io::Error),
    NotAModule,
    TooLarge,
    /// The binary header is that of another version, or of a component.
    Header(DecodeError),
}

/// Reads a module from `reader`, which has `known_len` bytes if that is known: checks
/// its first bytes, then reads the rest up to `limit` bytes in all.
fn read_module(mut reader: impl Read, known_len: Option<u64>, limit: u64) -> Result<Vec<u8>, Refusal> {
    let mut bytes = Vec::with_capacity(HEADER_LEN);
    (&mut reader).take(HEADER_LEN as u64).read_to_end(&mut bytes).map_err(Refusal::Io)?;
    check_start(&bytes)?;
    if let Some(len) = known_len {
        if len > limit {
            return Err(Refusal::TooLarge);
        }
        // One allocation of the right size, if it can be had; if not, reading on finds
        // out. (A file can still grow while being read; the limit below holds anyway.)
        let rest = usize::try_from(len).unwrap_or(usize::MAX).saturating_sub(bytes.len());
        let _ = bytes.try_reserve_exact(rest);
    }
    // One byte past the limit tells a reader that has more from one that is at it.
    let room = limit.saturating_add(1).saturating_sub(bytes.len() as u64);
    reader.take(room).read_to_end(&mut bytes).map_err(Refusal::Io)?;
    if bytes.len() as u64 > limit {
        return Err(Refusal::TooLarge);
    }
    Ok(bytes)
}

/// Checks the first bytes of a module file (up to [`HEADER_LEN`] of them; fewer when
/// the file is shorter, which the decoder then reports as truncated).
///
/// A binary module starts with `\0asm`; the text format with a comment, white space or
/// an opening parenthesis. Anything else is no module in either format. The version is
/// checked here too, so that a component or an unknown version is refused at once, with
/// the decoder's message.
fn check_start(start: &[u8]) -> Result<(), Refusal> {
    const MAGIC: &[u8] = b"\0asm";
    match start.first() {
        None => Ok(()),
        Some(0) => {
            let shown = start.len().min(MAGIC.len());
            if start[..shown] != MAGIC[..shown] {
                return Err(Refusal::NotAModule);
            }
            if start.len() < HEADER_LEN {
                return Ok(());
            }
            // Only the header: decoding it checks the version and nothing else.
            stratus_decoder::Module::parse(start).map(drop).map_err(Refusal::Header)
        }
        Some(b'(' | b';' | b' ' | b'\t' | b'\n' | b'\r') => Ok(()),
        Some(_) => Err(Refusal::NotAModule),
    }
}

/// The reason a file cannot be read, in the words the command line uses.
fn io_reason(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::NotFound => "no such file".to_string(),
        io::ErrorKind::IsADirectory => "is a folder, not a file".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => error.to_string(),
    }
}

/// `limit` bytes in the largest binary unit that divides it: "1 GiB", "3 KiB", "100 bytes".
pub(crate) fn format_size(limit: u64) -> String {
    for (unit, name) in [(1u64 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")] {
        if limit >= unit && limit.is_multiple_of(unit) {
            return format!("{} {name}", limit / unit);
        }
    }
    match limit {
        1 => "1 byte".to_string(),
        _ => format!("{limit} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_bytes_decide() {
        assert!(check_start(b"").is_ok(), "empty: left to the decoder");
        assert!(check_start(b"\0as").is_ok(), "truncated magic: left to the decoder");
        assert!(check_start(b"\0asm\x01\0\0\0").is_ok());
        assert!(check_start(b"(module").is_ok());
        assert!(check_start(b";; a module\n").is_ok());
        assert!(check_start(b"\n  (mod").is_ok());
        assert!(matches!(check_start(&[0; 8]), Err(Refusal::NotAModule)));
        assert!(matches!(check_start(b"\0ASM\x01\0\0\0"), Err(Refusal::NotAModule)));
        assert!(matches!(check_start(b"\x7fELF\x02\x01\x01\0"), Err(Refusal::NotAModule)));
        assert!(matches!(check_start(b"module"), Err(Refusal::NotAModule)));
    }

    #[test]
    fn a_component_or_unknown_version_is_refused_with_the_decoder_message() {
        let Err(Refusal::Header(error)) = check_start(b"\0asm\x0d\0\x01\0") else {
            panic!("a component was accepted");
        };
        assert_eq!(error.offset, 4);
        let message = error.kind.to_string();
        assert!(message.ends_with("(components are not supported, only core modules)"), "{message}");
        assert!(matches!(check_start(b"\0asm\x02\0\0\0"), Err(Refusal::Header(_))));
    }

    #[test]
    fn endless_readers_stop_at_the_limit() {
        let binary = io::Read::chain(&b"\0asm\x01\0\0\0"[..], io::repeat(0));
        assert!(matches!(read_module(binary, None, 1000), Err(Refusal::TooLarge)));
        assert!(matches!(read_module(io::repeat(b'('), None, 1000), Err(Refusal::TooLarge)));
        // Refused from the first bytes, before reading on.
        assert!(matches!(read_module(io::repeat(0), None, u64::MAX), Err(Refusal::NotAModule)));
        let short = b"(module)";
        assert_eq!(read_module(&short[..], Some(8), u64::MAX).unwrap(), short);
    }

    #[test]
    fn a_module_of_exactly_the_limit_is_read() {
        let module = b"\0asm\x01\0\0\0\0\x01\x00";
        assert_eq!(read_module(&module[..], None, 11).unwrap(), module);
        assert!(matches!(read_module(&module[..], None, 10), Err(Refusal::TooLarge)));
        // A known size over the limit is refused before the rest is read.
        assert!(matches!(read_module(&module[..], Some(1 << 40), 1 << 30), Err(Refusal::TooLarge)));
    }

    #[test]
    fn sizes_in_the_largest_unit_that_divides_them() {
        assert_eq!(format_size(DEFAULT_MAX_MODULE_FILE_SIZE), "1 GiB");
        assert_eq!(format_size(3 << 20), "3 MiB");
        assert_eq!(format_size(1536), "1536 bytes");
        assert_eq!(format_size(2048), "2 KiB");
        assert_eq!(format_size(1), "1 byte");
        assert_eq!(format_size(0), "0 bytes");
    }
}
