//! Standard output that keeps track of whether everything written to it arrived.

use std::io::{self, Write};

/// Passes writes on to `inner` and remembers the first that failed, so that one check
/// at the end covers every line the commands wrote (they carry on past a failed write
/// instead of stopping halfway through their work).
///
/// A closed pipe is not counted: the reader stopped on purpose (`stratus ... | head`),
/// and native tools end quietly then too.
pub struct CheckedOutput<W> {
    inner: W,
    failure: Option<io::Error>,
}

impl<W: Write> CheckedOutput<W> {
    pub fn new(inner: W) -> Self {
        CheckedOutput { inner, failure: None }
    }

    /// The first write or flush that failed, other than on a closed pipe.
    pub fn failure(&self) -> Option<&io::Error> {
        self.failure.as_ref()
    }

    fn note<T>(&mut self, result: io::Result<T>) -> io::Result<T> {
        if let Err(error) = &result
            && error.kind() != io::ErrorKind::BrokenPipe
            && self.failure.is_none()
        {
            self.failure = Some(copy(error));
        }
        result
    }
}

impl<W: Write> Write for CheckedOutput<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let result = self.inner.write(buf);
        self.note(result)
    }

    fn flush(&mut self) -> io::Result<()> {
        let result = self.inner.flush();
        self.note(result)
    }
}

/// `io::Error` is not `Clone`: the caller gets the original, this keeps its substance.
fn copy(error: &io::Error) -> io::Error {
    match error.raw_os_error() {
        Some(code) => io::Error::from_raw_os_error(code),
        None => io::Error::new(error.kind(), error.to_string()),
    }
}

/// The error as a sentence part, without the `(os error N)` that `Display` appends.
pub fn describe(error: &io::Error) -> String {
    let text = error.to_string();
    match error.raw_os_error() {
        Some(code) => text.strip_suffix(&format!(" (os error {code})")).unwrap_or(&text).to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Accepts `room` bytes, then fails every write with `error`.
    struct Device {
        written: Vec<u8>,
        room: usize,
        error: fn() -> io::Error,
    }

    impl Write for Device {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.written.len() >= self.room {
                return Err((self.error)());
            }
            let n = buf.len().min(self.room - self.written.len());
            self.written.extend_from_slice(&buf[..n]);
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// ENOSPC (28 on Linux and the BSDs alike).
    fn enospc() -> io::Error {
        io::Error::from_raw_os_error(28)
    }

    #[test]
    fn the_first_failure_is_kept_and_later_writes_still_go_through() {
        let mut out = CheckedOutput::new(Device { written: Vec::new(), room: 4, error: enospc });
        assert!(writeln!(out, "ok").is_ok());
        assert!(out.failure().is_none());
        assert!(writeln!(out, "lost").is_err());
        assert!(writeln!(out, "lost too").is_err());
        assert_eq!(out.failure().and_then(io::Error::raw_os_error), Some(28));
        assert_eq!(out.inner.written, b"ok\nl");
        assert_eq!(describe(out.failure().unwrap()), "No space left on device");
    }

    #[test]
    fn a_closed_pipe_is_not_a_failure() {
        let mut out = CheckedOutput::new(Device {
            written: Vec::new(),
            room: 0,
            error: || io::ErrorKind::BrokenPipe.into(),
        });
        assert!(writeln!(out, "x").is_err());
        assert!(out.failure().is_none());
    }

    #[test]
    fn errors_without_an_os_code_are_described_as_they_are() {
        let error = io::Error::new(io::ErrorKind::WriteZero, "failed to write whole buffer");
        assert_eq!(describe(&error), "failed to write whole buffer");
        assert_eq!(copy(&error).kind(), io::ErrorKind::WriteZero);
    }
}
