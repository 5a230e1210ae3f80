//! `wasi_snapshot_preview1` for Stratus: the host side of the WASI system interface, as
//! plain Rust functions over a [`WasiCtx`] and the guest's linear memory (`&mut [u8]`).
//!
//! Owns: the WASI functions, their errno values and struct layouts (as in wasi-libc's
//! `wasi/api.h`), the descriptor table with its rights, the file-system sandbox, and the
//! guest's WASI state in a snapshot ([`WasiCtx::snapshot`], [`WasiCtxBuilder::restore`]).
//! Does not own: linking these functions into a module (`stratus::wasi` does that, and
//! turns [`ExitCode`] into the error that stops the guest) or the command line.
//!
//! Every function takes its arguments as the ABI passes them (`u32` pointers, lengths and
//! fds, `u64` offsets) and returns `Result<(), Errno>`: `Ok` is errno 0. Guest pointers
//! are checked against the memory ([`memory`]): out of range is `EFAULT`, never a panic,
//! and counts the guest gives (iovecs, subscriptions) are bounded by what the memory can
//! hold before anything is allocated.
//!
//! # The sandbox
//!
//! The guest reaches the host file system only through preopened directories. Paths are
//! resolved with [`cap_std`] (Bytecode Alliance), which is built exactly for this: every
//! lookup starts at a directory handle and walks the path component by component with
//! `openat`-style calls, refusing `..` past the handle's root, absolute paths, and
//! symlinks (also chains of them, and ones the guest made) that lead outside. No path is
//! ever joined to a host path as a string. Such an escape is `ENOTCAPABLE`.

mod args;
mod clock;
mod ctx;
mod errno;
mod fd;
pub(crate) mod fs;
pub mod memory;
mod path;
mod poll;
mod random;
mod snapshot;

pub use args::*;
pub use clock::{clock_res_get, clock_time_get};
pub use ctx::{Capture, Error, ExitCode, Input, Output, WasiCtx, WasiCtxBuilder};
pub use errno::{Errno, WasiResult};
pub use fd::{fdflags, filetype, rights};
pub use fs::*;
pub use path::*;
pub use poll::poll_oneoff;
pub use random::random_get;
pub use snapshot::RestoreError;

#[cfg(test)]
mod tests;
