//! The guest's WASI state ([`WasiCtx`]) and how an embedder sets it up
//! ([`WasiCtxBuilder`]).

use std::fmt;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use cap_std::ambient_authority;
use cap_std::fs::Dir;

use crate::fd::{Entry, Kind, Table, rights};

/// Where the guest's stdin comes from.
pub enum Input {
    /// The host process's stdin.
    Inherit,
    /// Fixed bytes, then end of file (tests, and embedders that feed input).
    Bytes(io::Cursor<Vec<u8>>),
}

impl Input {
    pub(crate) fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Input::Inherit => io::stdin().read(buf),
            Input::Bytes(cursor) => cursor.read(buf),
        }
    }
}

/// Where the guest's stdout or stderr goes.
pub enum Output {
    /// The host process's stdout or stderr, with nothing buffered in between: each of
    /// the guest's writes reaches the host stream (or fails, with its errno) as it is
    /// made.
    Inherit,
    /// Appended to a shared buffer the embedder reads afterwards.
    Capture(Capture),
}

impl Output {
    pub(crate) fn write(&mut self, buf: &[u8], stderr: bool) -> io::Result<usize> {
        match self {
            // A whole write to the host's stderr (unbuffered), so output is not
            // interleaved oddly when both streams go to the same terminal.
            Output::Inherit if stderr => io::stderr().write_all(buf).map(|()| buf.len()),
            // One write(2) on the host's stdout, as a native program's write is: its
            // count or its error (ENOSPC on a full disk) is the guest's. Not through
            // std's line buffer, which keeps a tail it failed to write and sends it
            // later, after the guest was told it failed. What the host process has
            // buffered itself goes out first, to keep the order.
            Output::Inherit => {
                let mut out = io::stdout().lock();
                out.flush()?;
                Ok(rustix::io::write(&out, buf)?)
            }
            Output::Capture(capture) => {
                capture.0.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(buf);
                Ok(buf.len())
            }
        }
    }
}

/// A buffer that collects a guest's output; clones share it.
#[derive(Clone, Default, Debug)]
pub struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    pub fn new() -> Capture {
        Capture::default()
    }

    /// Everything written so far.
    pub fn contents(&self) -> Vec<u8> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// The state of one WASI guest: arguments, environment, its descriptor table, and where
/// its monotonic clock stands.
pub struct WasiCtx {
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) fds: Table,
    /// Nanoseconds added to the host's monotonic clock to give the guest's: zero for a
    /// new guest, and for a resumed one whatever keeps its clock going on from the
    /// snapshot's, on any machine.
    pub(crate) monotonic_offset: i128,
}

impl WasiCtx {
    pub fn builder() -> WasiCtxBuilder {
        WasiCtxBuilder::new()
    }
}

/// Sets up a [`WasiCtx`]: arguments, environment, stdio (inherited by default) and the
/// preopened directories, which are all of the host file system the guest can reach.
#[derive(Default)]
pub struct WasiCtxBuilder {
    args: Vec<String>,
    env: Vec<(String, String)>,
    pub(crate) stdin: Option<Input>,
    pub(crate) stdout: Option<Output>,
    pub(crate) stderr: Option<Output>,
    /// Each directory and its guest name, in the order given.
    pub(crate) preopens: Vec<(Dir, String)>,
}

impl WasiCtxBuilder {
    pub fn new() -> WasiCtxBuilder {
        WasiCtxBuilder::default()
    }

    /// Appends one argument; the first is the program name, by convention.
    pub fn arg(&mut self, arg: impl Into<String>) -> &mut Self {
        self.args.push(arg.into());
        self
    }

    pub fn args<S: Into<String>>(&mut self, args: impl IntoIterator<Item = S>) -> &mut Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn stdin(&mut self, input: Input) -> &mut Self {
        self.stdin = Some(input);
        self
    }

    /// Stdin reads these bytes, then end of file.
    pub fn stdin_bytes(&mut self, bytes: impl Into<Vec<u8>>) -> &mut Self {
        self.stdin(Input::Bytes(io::Cursor::new(bytes.into())))
    }

    pub fn stdout(&mut self, output: Output) -> &mut Self {
        self.stdout = Some(output);
        self
    }

    pub fn stderr(&mut self, output: Output) -> &mut Self {
        self.stderr = Some(output);
        self
    }

    /// Gives the guest the host directory `host_path` under the name `guest_path`.
    /// The directory is opened now, so a missing or unreadable one is reported here,
    /// naming it; this is the one place the host's ambient authority is used: everything
    /// the guest reaches later is resolved beneath these handles.
    pub fn preopened_dir(
        &mut self,
        host_path: impl AsRef<Path>,
        guest_path: impl Into<String>,
    ) -> Result<&mut Self, Error> {
        let host = host_path.as_ref();
        let dir = Dir::open_ambient_dir(host, ambient_authority())
            .map_err(|source| Error { path: host.to_path_buf(), source })?;
        self.preopens.push((dir, guest_path.into()));
        Ok(self)
    }

    /// The context: fds 0, 1, 2 are stdio, 3 onwards the preopens in the order given.
    /// Leaves the builder empty. (Nothing fails here today; the `Result` leaves room for
    /// setup that can, without changing callers.)
    pub fn build(&mut self) -> Result<WasiCtx, Error> {
        let this = std::mem::take(self);
        let mut fds = Table::default();
        let stdio = [
            (Kind::Stdin(this.stdin.unwrap_or(Input::Inherit)), rights::STDIN),
            (Kind::Stdout(this.stdout.unwrap_or(Output::Inherit)), rights::STDOUT),
            (Kind::Stderr(this.stderr.unwrap_or(Output::Inherit)), rights::STDOUT),
        ];
        for (fd, (kind, base)) in stdio.into_iter().enumerate() {
            fds.insert_at(fd as u32, Entry::stdio(kind, base));
        }
        for (i, (dir, guest)) in this.preopens.into_iter().enumerate() {
            fds.insert_at(3 + i as u32, Entry::preopen(dir, guest));
        }
        Ok(WasiCtx { args: this.args, env: this.env, fds, monotonic_offset: 0 })
    }
}

/// A directory that could not be preopened. `Display` gives the reason only, so callers
/// can name the directory in their own words; [`Error::path`] has it.
#[derive(Debug)]
pub struct Error {
    path: PathBuf,
    source: io::Error,
}

impl Error {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// What `proc_exit` returns: the glue stops the guest with it as a host error, and the
/// embedder (the CLI) makes it the process's exit status.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct ExitCode(pub i32);

impl fmt::Display for ExitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the guest exited with status {}", self.0)
    }
}

impl std::error::Error for ExitCode {}
