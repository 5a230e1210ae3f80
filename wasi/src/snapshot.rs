//! A guest's WASI state in a snapshot: [`WasiCtx::snapshot`] describes it as a
//! [`WasiState`], and [`WasiCtxBuilder::restore`] builds it again, maybe on another
//! machine, by opening each directory and file again beneath the preopened directory of
//! the same guest name, wherever the user has put that directory now.
//!
//! A snapshot comes from a file that may have been tampered with, so restoring trusts
//! none of it: paths are resolved by cap-std beneath the preopens given again (which
//! refuses absolute paths and escapes), and a state this crate could not have written is
//! refused with a [`RestoreError`].

use std::fmt;
use std::io::{self, Seek, SeekFrom};

use cap_std::fs::{Dir, File, OpenOptions, OpenOptionsExt};
use stratus_snapshot::{FdKind, FdState, Origin, WasiState};

use crate::clock;
use crate::ctx::{Input, Output, WasiCtx, WasiCtxBuilder};
use crate::fd::{Access, Entry, Kind, Table, fdflags, rights};

impl WasiCtx {
    /// The guest's WASI state: arguments, environment, the guest's monotonic clock now,
    /// and every fd in increasing order, with its rights, flags and how to open it
    /// again. An fd that cannot be described, or a file whose position the host cannot
    /// tell, is an error naming it.
    pub fn snapshot(&self) -> Result<WasiState, String> {
        let mut fds = Vec::new();
        for (fd, entry) in self.fds.iter() {
            let kind = describe(fd, entry)?;
            fds.push(FdState {
                fd,
                rights: entry.base,
                inheriting: entry.inheriting,
                flags: entry.flags,
                kind,
            });
        }
        Ok(WasiState {
            args: self.args.clone(),
            env: self.env.clone(),
            monotonic_ns: clock::guest_monotonic(self),
            fds,
        })
    }
}

fn describe(fd: u32, entry: &Entry) -> Result<FdKind, String> {
    let origin = || {
        entry
            .origin
            .clone()
            .ok_or_else(|| format!("fd {fd} cannot be snapshotted: where it was opened is unknown"))
    };
    Ok(match &entry.kind {
        Kind::Stdin(_) => FdKind::Stdin,
        Kind::Stdout(_) => FdKind::Stdout,
        Kind::Stderr(_) => FdKind::Stderr,
        Kind::Dir { .. } => FdKind::Dir(origin()?),
        Kind::File(file) => {
            let origin = origin()?;
            let mut file: &File = file;
            let offset = file.stream_position().map_err(|error| {
                format!("cannot tell the position of fd {fd}, {}: {error}", guest_path(&origin))
            })?;
            FdKind::File { origin, read: entry.access.read, write: entry.access.write, offset }
        }
    })
}

/// The path the guest knows an origin by, for messages: the preopen's name, then the
/// path beneath it.
fn guest_path(origin: &Origin) -> String {
    let Origin { preopen, path } = origin;
    let joined = if path.is_empty() {
        preopen.clone()
    } else if preopen.ends_with('/') {
        format!("{preopen}{path}")
    } else {
        format!("{preopen}/{path}")
    };
    printable(&joined)
}

/// `text` with control characters escaped: a forged snapshot's paths must not send
/// escape sequences to the user's terminal through an error message.
fn printable(text: &str) -> String {
    if text.contains(char::is_control) { text.escape_debug().to_string() } else { text.to_string() }
}

impl WasiCtxBuilder {
    /// The context of a snapshot's guest, built again: its arguments and environment
    /// (the builder's are not used), every fd at its number with its rights and flags,
    /// and a monotonic clock that goes on from the snapshot's, never back. Stdio is the
    /// builder's; each directory and file is opened again beneath the builder's
    /// preopened directory of the same guest name, with the access it had and never
    /// created or truncated, and each file continues from its position. Leaves the
    /// builder empty.
    pub fn restore(&mut self, state: &WasiState) -> Result<WasiCtx, RestoreError> {
        let this = std::mem::take(self);
        if state.fds.len() > Table::MAX {
            let count = state.fds.len();
            return Err(RestoreError::Invalid(format!(
                "{count} fds, more than a guest may hold ({})",
                Table::MAX
            )));
        }
        let mut stdio = Stdio {
            stdin: Some(this.stdin.unwrap_or(Input::Inherit)),
            stdout: Some(this.stdout.unwrap_or(Output::Inherit)),
            stderr: Some(this.stderr.unwrap_or(Output::Inherit)),
        };
        let mut fds = Table::default();
        for saved in &state.fds {
            let fd = saved.fd;
            if fd as usize >= Table::MAX {
                return Err(RestoreError::Invalid(format!(
                    "fd {fd} is beyond the {} a guest may hold",
                    Table::MAX
                )));
            }
            if fds.contains(fd) {
                return Err(RestoreError::Invalid(format!("fd {fd} appears twice")));
            }
            if saved.rights & !rights::ALL != 0 || saved.inheriting & !rights::ALL != 0 {
                return Err(RestoreError::Invalid(format!("fd {fd} has rights that do not exist")));
            }
            if saved.flags & !fdflags::ALL != 0 {
                return Err(RestoreError::Invalid(format!("fd {fd} has fdflags that do not exist")));
            }
            let (kind, access, origin) = reopen(saved, &mut stdio, &this.preopens)?;
            let entry = Entry {
                kind,
                base: saved.rights,
                inheriting: saved.inheriting,
                flags: saved.flags,
                origin,
                access,
            };
            fds.insert_at(fd, entry);
        }
        // The offset that makes the guest's clock read the snapshot's time now.
        let monotonic_offset = i128::from(state.monotonic_ns) - i128::from(clock::host_monotonic());
        Ok(WasiCtx { args: state.args.clone(), env: state.env.clone(), fds, monotonic_offset })
    }
}

/// The builder's standard streams, each given to the one fd of its kind.
struct Stdio {
    stdin: Option<Input>,
    stdout: Option<Output>,
    stderr: Option<Output>,
}

/// What `saved` is on this host: its stdio stream, or its directory or file opened again.
fn reopen(
    saved: &FdState,
    stdio: &mut Stdio,
    preopens: &[(Dir, String)],
) -> Result<(Kind, Access, Option<Origin>), RestoreError> {
    let fd = saved.fd;
    // Preview1 has no dup: only one fd can be each stream.
    let again = |stream| RestoreError::Invalid(format!("fd {fd} is {stream}, and so is an fd before it"));
    let none = Access::default();
    Ok(match &saved.kind {
        FdKind::Stdin => (Kind::Stdin(stdio.stdin.take().ok_or_else(|| again("stdin"))?), none, None),
        FdKind::Stdout => (Kind::Stdout(stdio.stdout.take().ok_or_else(|| again("stdout"))?), none, None),
        FdKind::Stderr => (Kind::Stderr(stdio.stderr.take().ok_or_else(|| again("stderr"))?), none, None),
        FdKind::Dir(origin) => {
            let beneath = preopened(origin, preopens)?;
            let failed = |source| RestoreError::Reopen { fd, path: guest_path(origin), source };
            let kind = if origin.path.is_empty() {
                Kind::Dir { dir: beneath.try_clone().map_err(failed)?, preopen: Some(origin.preopen.clone()) }
            } else {
                Kind::Dir { dir: beneath.open_dir(&origin.path).map_err(failed)?, preopen: None }
            };
            (kind, none, Some(origin.clone()))
        }
        &FdKind::File { ref origin, read, write, offset } => {
            let beneath = preopened(origin, preopens)?;
            let access = Access { read, write };
            let file = reopen_file(beneath, &origin.path, access, saved.flags, offset)
                .map_err(|source| RestoreError::Reopen { fd, path: guest_path(origin), source })?;
            (Kind::File(file), access, Some(origin.clone()))
        }
    })
}

/// The builder's preopened directory that `origin` is beneath.
fn preopened<'p>(origin: &Origin, preopens: &'p [(Dir, String)]) -> Result<&'p Dir, RestoreError> {
    preopens
        .iter()
        .find(|(_, guest)| *guest == origin.preopen)
        .map(|(dir, _)| dir)
        .ok_or_else(|| RestoreError::MissingPreopen(printable(&origin.preopen)))
}

/// The file at `path` beneath `dir`, opened with `access` and at `offset`. Never created
/// or truncated: it is the file the guest had, as far as it had written it.
fn reopen_file(dir: &Dir, path: &str, access: Access, flags: u16, offset: u64) -> io::Result<File> {
    // The host's status flags follow the fdflags, as fd_fdstat_set_flags keeps them;
    // O_APPEND as a raw flag, since cap-std's `append` would also open for writing.
    let mut custom_flags = 0;
    if flags & fdflags::APPEND != 0 {
        custom_flags |= libc::O_APPEND;
    }
    if flags & fdflags::NONBLOCK != 0 {
        custom_flags |= libc::O_NONBLOCK;
    }
    let mut options = OpenOptions::new();
    options.read(access.read).write(access.write).custom_flags(custom_flags);
    let mut file = dir.open_with(path, &options)?;
    // Opening a directory read-only succeeds, and would make a file fd of it.
    if file.metadata()?.is_dir() {
        return Err(io::Error::new(io::ErrorKind::IsADirectory, "a directory now, not a file"));
    }
    file.seek(SeekFrom::Start(offset))?;
    Ok(file)
}

/// Why a snapshot's WASI state could not be restored. `Display` names the fd, path or
/// directory concerned.
#[derive(Debug)]
pub enum RestoreError {
    /// The snapshot has fds beneath the preopened directory of this guest name (its
    /// control characters escaped), and the builder was given none of that name.
    MissingPreopen(String),
    /// A directory or a file could not be opened again; `path` is the guest's.
    Reopen { fd: u32, path: String, source: io::Error },
    /// The state is not one a guest could be in (a damaged or forged snapshot).
    Invalid(String),
}

impl fmt::Display for RestoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RestoreError::MissingPreopen(guest) => {
                write!(f, "the snapshot's preopened directory {guest} was not given (--dir HOST::{guest})")
            }
            RestoreError::Reopen { fd, path, source } => write!(f, "cannot reopen fd {fd}, {path}: {source}"),
            RestoreError::Invalid(reason) => write!(f, "the snapshot's WASI state is invalid: {reason}"),
        }
    }
}

impl std::error::Error for RestoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RestoreError::Reopen { source, .. } => Some(source),
            _ => None,
        }
    }
}
