//! The descriptor table: what each guest fd is, and the rights it carries.
//!
//! Rights are preview1's capability bits. Each fd has a base set (what may be done with
//! it) and an inheriting set (the most that fds opened through it may get). Every
//! operation checks its right here first and fails with `ENOTCAPABLE` without it.

use std::collections::BTreeMap;

use cap_std::fs::{Dir, File};
use stratus_snapshot::Origin;

use crate::ctx::{Input, Output};
use crate::errno::{Errno, WasiResult};

/// Rights bits (`__wasi_rights_t`).
pub mod rights {
    pub const FD_DATASYNC: u64 = 1 << 0;
    pub const FD_READ: u64 = 1 << 1;
    pub const FD_SEEK: u64 = 1 << 2;
    pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    pub const FD_SYNC: u64 = 1 << 4;
    pub const FD_TELL: u64 = 1 << 5;
    pub const FD_WRITE: u64 = 1 << 6;
    pub const FD_ADVISE: u64 = 1 << 7;
    pub const FD_ALLOCATE: u64 = 1 << 8;
    pub const PATH_CREATE_DIRECTORY: u64 = 1 << 9;
    pub const PATH_CREATE_FILE: u64 = 1 << 10;
    pub const PATH_LINK_SOURCE: u64 = 1 << 11;
    pub const PATH_LINK_TARGET: u64 = 1 << 12;
    pub const PATH_OPEN: u64 = 1 << 13;
    pub const FD_READDIR: u64 = 1 << 14;
    pub const PATH_READLINK: u64 = 1 << 15;
    pub const PATH_RENAME_SOURCE: u64 = 1 << 16;
    pub const PATH_RENAME_TARGET: u64 = 1 << 17;
    pub const PATH_FILESTAT_GET: u64 = 1 << 18;
    pub const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
    pub const PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
    pub const FD_FILESTAT_GET: u64 = 1 << 21;
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    pub const PATH_SYMLINK: u64 = 1 << 24;
    pub const PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
    pub const PATH_UNLINK_FILE: u64 = 1 << 26;
    pub const POLL_FD_READWRITE: u64 = 1 << 27;
    pub const SOCK_SHUTDOWN: u64 = 1 << 28;
    pub const SOCK_ACCEPT: u64 = 1 << 29;
    pub const ALL: u64 = (1 << 30) - 1;

    /// What makes sense on a regular file (or a stream like stdio).
    pub const FILE: u64 = FD_DATASYNC
        | FD_READ
        | FD_SEEK
        | FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_TELL
        | FD_WRITE
        | FD_ADVISE
        | FD_ALLOCATE
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | POLL_FD_READWRITE;

    /// What makes sense on a directory.
    pub const DIR: u64 = FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_DATASYNC
        | PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_OPEN
        | FD_READDIR
        | PATH_READLINK
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_FILESTAT_GET
        | PATH_FILESTAT_SET_SIZE
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_TIMES
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE;

    /// Stdio streams: no seeking, no sizes; reading or writing and polling.
    pub const STDIN: u64 = FD_READ | FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET | POLL_FD_READWRITE;
    pub const STDOUT: u64 = FD_WRITE | FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET | POLL_FD_READWRITE;
}

/// `__wasi_fdflags_t` bits.
pub mod fdflags {
    pub const APPEND: u16 = 1 << 0;
    pub const DSYNC: u16 = 1 << 1;
    pub const NONBLOCK: u16 = 1 << 2;
    pub const RSYNC: u16 = 1 << 3;
    pub const SYNC: u16 = 1 << 4;
    pub const ALL: u16 = (1 << 5) - 1;
}

/// `__wasi_filetype_t` values.
pub mod filetype {
    pub const UNKNOWN: u8 = 0;
    pub const BLOCK_DEVICE: u8 = 1;
    pub const CHARACTER_DEVICE: u8 = 2;
    pub const DIRECTORY: u8 = 3;
    pub const REGULAR_FILE: u8 = 4;
    pub const SOCKET_DGRAM: u8 = 5;
    pub const SOCKET_STREAM: u8 = 6;
    pub const SYMBOLIC_LINK: u8 = 7;
}

pub enum Kind {
    Stdin(Input),
    Stdout(Output),
    Stderr(Output),
    File(File),
    /// A directory; `preopen` is the guest name it was preopened under, if it was.
    Dir {
        dir: Dir,
        preopen: Option<String>,
    },
}

pub struct Entry {
    pub kind: Kind,
    pub base: u64,
    pub inheriting: u64,
    pub flags: u16,
    /// Where a directory or a file was opened, so that a resumed snapshot can open it
    /// again; stdio has none.
    pub origin: Option<Origin>,
    /// For a file, how its host file was opened, which opening it again must repeat.
    pub access: Access,
}

/// Whether a host file was opened for reading and for writing.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Access {
    pub read: bool,
    pub write: bool,
}

impl Entry {
    /// A stdio stream with the rights `base`.
    pub fn stdio(kind: Kind, base: u64) -> Entry {
        Entry { kind, base, inheriting: 0, flags: 0, origin: None, access: Access::default() }
    }

    /// The preopened directory `dir`, of guest name `guest`, with every right.
    pub fn preopen(dir: Dir, guest: String) -> Entry {
        let origin = Origin { preopen: guest.clone(), path: String::new() };
        let kind = Kind::Dir { dir, preopen: Some(guest) };
        Entry {
            kind,
            base: rights::DIR,
            inheriting: rights::ALL,
            flags: 0,
            origin: Some(origin),
            access: Access::default(),
        }
    }

    /// `ENOTCAPABLE` unless this fd has all of `needed`.
    pub fn check(&self, needed: u64) -> WasiResult {
        if self.base & needed == needed { Ok(()) } else { Err(Errno::NOTCAPABLE) }
    }

    pub fn filetype(&self) -> u8 {
        match &self.kind {
            Kind::Stdin(_) | Kind::Stdout(_) | Kind::Stderr(_) => filetype::CHARACTER_DEVICE,
            Kind::File(file) => file.metadata().map(|m| crate::fs::filetype_of(&m.file_type())).unwrap_or(0),
            Kind::Dir { .. } => filetype::DIRECTORY,
        }
    }
}

/// The origin of `path` beneath a directory of origin `dir`: the guest's path joined on
/// as the guest gave it, which cap-std resolves again, and refuses again, on a resume.
pub fn origin_beneath(dir: &Origin, path: &str) -> Origin {
    let path = if dir.path.is_empty() { path.to_string() } else { format!("{}/{path}", dir.path) };
    Origin { preopen: dir.preopen.clone(), path }
}

/// Guest fds to their entries. Lowest free number first, as POSIX does, which guests
/// (wasi-libc included) are written to expect.
#[derive(Default)]
pub struct Table {
    entries: BTreeMap<u32, Entry>,
}

impl Table {
    /// The most fds one guest may hold: beyond it, `EMFILE`, as a process limit would.
    pub const MAX: usize = 1 << 14;

    pub fn get(&self, fd: u32) -> WasiResult<&Entry> {
        self.entries.get(&fd).ok_or(Errno::BADF)
    }

    pub fn get_mut(&mut self, fd: u32) -> WasiResult<&mut Entry> {
        self.entries.get_mut(&fd).ok_or(Errno::BADF)
    }

    /// The entry of `fd` after checking it has the rights `needed`.
    pub fn with(&mut self, fd: u32, needed: u64) -> WasiResult<&mut Entry> {
        let entry = self.get_mut(fd)?;
        entry.check(needed)?;
        Ok(entry)
    }

    /// The directory `fd` names, with the rights `needed`: `ENOTDIR` for other fds.
    pub fn dir(&self, fd: u32, needed: u64) -> WasiResult<&Dir> {
        let entry = self.get(fd)?;
        match &entry.kind {
            Kind::Dir { dir, .. } => {
                entry.check(needed)?;
                Ok(dir)
            }
            _ => Err(Errno::NOTDIR),
        }
    }

    pub fn insert(&mut self, entry: Entry) -> WasiResult<u32> {
        if self.entries.len() >= Self::MAX {
            return Err(Errno::MFILE);
        }
        let mut fd = 0;
        for &used in self.entries.keys() {
            if used != fd {
                break;
            }
            fd += 1;
        }
        self.entries.insert(fd, entry);
        Ok(fd)
    }

    pub fn insert_at(&mut self, fd: u32, entry: Entry) {
        self.entries.insert(fd, entry);
    }

    pub fn remove(&mut self, fd: u32) -> WasiResult<Entry> {
        self.entries.remove(&fd).ok_or(Errno::BADF)
    }

    pub fn contains(&self, fd: u32) -> bool {
        self.entries.contains_key(&fd)
    }

    /// Every fd and its entry, in increasing order of fd.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &Entry)> {
        self.entries.iter().map(|(&fd, entry)| (fd, entry))
    }
}
