//! The `path_*` functions. Each path is resolved by cap-std beneath the directory fd it
//! is relative to (see the crate doc): nothing here looks at a host path.

use cap_fs_ext::{DirExt, FollowSymlinks, OpenOptionsFollowExt, OpenOptionsMaybeDirExt};
use cap_std::fs::{Dir, OpenOptions, OpenOptionsExt};

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::fd::{Access, Entry, Kind, fdflags, origin_beneath, rights};
use crate::fs::{time_specs, write_filestat};
use crate::memory;

/// `lookupflags`: follow a symlink in the last component.
const SYMLINK_FOLLOW: u32 = 1;

/// `oflags` bits.
const O_CREAT: u32 = 1 << 0;
const O_DIRECTORY: u32 = 1 << 1;
const O_EXCL: u32 = 1 << 2;
const O_TRUNC: u32 = 1 << 3;

fn follows(lookupflags: u32) -> WasiResult<bool> {
    if lookupflags & !SYMLINK_FOLLOW != 0 {
        return Err(Errno::INVAL);
    }
    Ok(lookupflags & SYMLINK_FOLLOW != 0)
}

/// The directory of `fd` (with `needed` rights) and the path string at `path`.
fn dir_and_path<'c, 'm>(
    ctx: &'c WasiCtx,
    mem: &'m [u8],
    fd: u32,
    needed: u64,
    path: u32,
    path_len: u32,
) -> WasiResult<(&'c Dir, &'m str)> {
    let path = memory::read_str(mem, path, path_len)?;
    Ok((ctx.fds.dir(fd, needed)?, path))
}

pub fn path_create_directory(ctx: &mut WasiCtx, mem: &mut [u8], fd: u32, path: u32, len: u32) -> WasiResult {
    let (dir, path) = dir_and_path(ctx, mem, fd, rights::PATH_CREATE_DIRECTORY, path, len)?;
    Ok(dir.create_dir(path)?)
}

#[allow(clippy::too_many_arguments)]
pub fn path_filestat_get(
    ctx: &mut WasiCtx,
    mem: &mut [u8],
    fd: u32,
    flags: u32,
    path: u32,
    len: u32,
    buf: u32,
) -> WasiResult {
    let (dir, path) = dir_and_path(ctx, mem, fd, rights::PATH_FILESTAT_GET, path, len)?;
    let meta = if follows(flags)? { dir.metadata(path)? } else { dir.symlink_metadata(path)? };
    write_filestat(mem, buf, &meta)
}

#[allow(clippy::too_many_arguments)]
pub fn path_filestat_set_times(
    ctx: &mut WasiCtx,
    mem: &mut [u8],
    fd: u32,
    flags: u32,
    path: u32,
    len: u32,
    atim: u64,
    mtim: u64,
    fst_flags: u32,
) -> WasiResult {
    let (dir, path) = dir_and_path(ctx, mem, fd, rights::PATH_FILESTAT_SET_TIMES, path, len)?;
    let (atime, mtime) = time_specs(atim, mtim, fst_flags)?;
    let from_std = cap_fs_ext::SystemTimeSpec::from_std;
    let (atime, mtime) = (atime.map(from_std), mtime.map(from_std));
    if follows(flags)? {
        dir.set_times(path, atime, mtime)?;
    } else {
        dir.set_symlink_times(path, atime, mtime)?;
    }
    Ok(())
}

/// `path_link`. Following a symlink at `old_path` is `EINVAL`: the host's `linkat`
/// follows it without the sandbox's checks, and the link would then name the target
/// outside.
#[allow(clippy::too_many_arguments)]
pub fn path_link(
    ctx: &mut WasiCtx,
    mem: &mut [u8],
    old_fd: u32,
    old_flags: u32,
    old_path: u32,
    old_len: u32,
    new_fd: u32,
    new_path: u32,
    new_len: u32,
) -> WasiResult {
    let (old_dir, old_path) = dir_and_path(ctx, mem, old_fd, rights::PATH_LINK_SOURCE, old_path, old_len)?;
    let (new_dir, new_path) = dir_and_path(ctx, mem, new_fd, rights::PATH_LINK_TARGET, new_path, new_len)?;
    if follows(old_flags)? {
        return Err(Errno::INVAL);
    }
    Ok(old_dir.hard_link(old_path, new_dir, new_path)?)
}

#[allow(clippy::too_many_arguments)]
pub fn path_open(
    ctx: &mut WasiCtx,
    mem: &mut [u8],
    fd: u32,
    dirflags: u32,
    path: u32,
    path_len: u32,
    oflags: u32,
    base: u64,
    inheriting: u64,
    fdflags: u32,
    opened: u32,
) -> WasiResult {
    memory::range(mem, opened, 4)?;
    let path = memory::read_str(mem, path, path_len)?;
    let follow = follows(dirflags)?;
    let flags = u16::try_from(fdflags).ok().filter(|f| f & !fdflags::ALL == 0).ok_or(Errno::INVAL)?;
    if oflags & !(O_CREAT | O_DIRECTORY | O_EXCL | O_TRUNC) != 0 {
        return Err(Errno::INVAL);
    }
    let mut needed = rights::PATH_OPEN;
    if oflags & O_CREAT != 0 {
        needed |= rights::PATH_CREATE_FILE;
    }
    if oflags & O_TRUNC != 0 {
        needed |= rights::PATH_FILESTAT_SET_SIZE;
    }
    let parent = ctx.fds.get(fd)?;
    let Kind::Dir { dir, .. } = &parent.kind else { return Err(Errno::NOTDIR) };
    parent.check(needed)?;
    let origin = parent.origin.as_ref().map(|dir| origin_beneath(dir, path));
    let write_rights = rights::FD_WRITE | rights::FD_ALLOCATE | rights::FD_FILESTAT_SET_SIZE;
    // As for open(2), truncating counts as writing. Judged on the rights asked for, not
    // those granted below: the answer to "open this directory for writing" is EISDIR
    // whatever the parent passes on.
    let asks_to_write = base & write_rights != 0 || oflags & O_TRUNC != 0;
    // The new fd gets what was asked for, within what the directory passes on.
    let (base, inheriting) = (base & parent.inheriting, inheriting & parent.inheriting);

    let (kind, access) = if oflags & O_DIRECTORY != 0 {
        // Directories are made by path_create_directory; Linux refuses this pair too.
        if oflags & O_CREAT != 0 {
            return Err(Errno::INVAL);
        }
        let dir = if follow { dir.open_dir(path)? } else { dir.open_dir_nofollow(path)? };
        // Only after the lookup, so that a missing path is ENOENT and a file ENOTDIR,
        // as on Linux.
        if asks_to_write {
            return Err(Errno::ISDIR);
        }
        (Kind::Dir { dir, preopen: None }, Access::default())
    } else {
        let append = flags & fdflags::APPEND != 0;
        // Creating or truncating needs a host fd open for writing even when the guest
        // asked for no write rights; the guest's fd still has none.
        let write = base & write_rights != 0 || oflags & (O_CREAT | O_TRUNC) != 0;
        // O_TRUNC goes in as a raw flag: cap-std, like std, refuses `truncate` together
        // with `append`, a pair POSIX allows (a log restarted on each run).
        let mut custom_flags = 0;
        if oflags & O_TRUNC != 0 {
            custom_flags |= libc::O_TRUNC;
        }
        if flags & fdflags::NONBLOCK != 0 {
            custom_flags |= libc::O_NONBLOCK;
        }
        let read = base & (rights::FD_READ | rights::FD_READDIR) != 0 || !write;
        let mut options = OpenOptions::new();
        options
            .read(read)
            .write(write && !append)
            .append(append)
            .create(oflags & O_CREAT != 0)
            .create_new(oflags & (O_CREAT | O_EXCL) == O_CREAT | O_EXCL)
            .custom_flags(custom_flags)
            .maybe_dir(true)
            .follow(if follow { FollowSymlinks::Yes } else { FollowSymlinks::No });
        let file = dir.open_with(path, &options)?;
        if file.metadata()?.is_dir() {
            (Kind::Dir { dir: Dir::from_std_file(file.into_std()), preopen: None }, Access::default())
        } else {
            // Appending opens the host file for writing, as std's and cap-std's
            // OpenOptions do.
            (Kind::File(file), Access { read, write: write || append })
        }
    };
    let mask = if matches!(kind, Kind::Dir { .. }) { rights::DIR } else { rights::FILE };
    let new = ctx.fds.insert(Entry { kind, base: base & mask, inheriting, flags, origin, access })?;
    memory::write_u32(mem, opened, new)
}

/// `path_readlink`: the link's contents as they are, cut to the buffer (the spec's
/// behaviour, which guests detect by a full buffer). Reading a link that points outside
/// reveals only its text, not what it names.
#[allow(clippy::too_many_arguments)]
pub fn path_readlink(
    ctx: &mut WasiCtx,
    mem: &mut [u8],
    fd: u32,
    path: u32,
    len: u32,
    buf: u32,
    buf_len: u32,
    bufused: u32,
) -> WasiResult {
    memory::range(mem, buf, buf_len)?;
    memory::range(mem, bufused, 4)?;
    let (dir, path) = dir_and_path(ctx, mem, fd, rights::PATH_READLINK, path, len)?;
    let target = dir.read_link_contents(path)?.into_os_string().into_encoded_bytes();
    let n = target.len().min(buf_len as usize);
    memory::write_bytes(mem, buf, &target[..n])?;
    memory::write_u32(mem, bufused, n as u32)
}

pub fn path_remove_directory(ctx: &mut WasiCtx, mem: &mut [u8], fd: u32, path: u32, len: u32) -> WasiResult {
    let (dir, path) = dir_and_path(ctx, mem, fd, rights::PATH_REMOVE_DIRECTORY, path, len)?;
    Ok(dir.remove_dir(path)?)
}

#[allow(clippy::too_many_arguments)]
pub fn path_rename(
    ctx: &mut WasiCtx,
    mem: &mut [u8],
    fd: u32,
    old_path: u32,
    old_len: u32,
    new_fd: u32,
    new_path: u32,
    new_len: u32,
) -> WasiResult {
    let (old_dir, old_path) = dir_and_path(ctx, mem, fd, rights::PATH_RENAME_SOURCE, old_path, old_len)?;
    let (new_dir, new_path) = dir_and_path(ctx, mem, new_fd, rights::PATH_RENAME_TARGET, new_path, new_len)?;
    Ok(old_dir.rename(old_path, new_dir, new_path)?)
}

/// `path_symlink`. cap-std refuses an absolute target (`ENOTCAPABLE`): it could only ever
/// name something outside the sandbox. A relative target that climbs out may be created,
/// as on any file system, but every lookup through it is refused.
pub fn path_symlink(
    ctx: &mut WasiCtx,
    mem: &mut [u8],
    old_path: u32,
    old_len: u32,
    fd: u32,
    new_path: u32,
    new_len: u32,
) -> WasiResult {
    let target = memory::read_str(mem, old_path, old_len)?;
    let (dir, link) = dir_and_path(ctx, mem, fd, rights::PATH_SYMLINK, new_path, new_len)?;
    Ok(dir.symlink(target, link)?)
}

pub fn path_unlink_file(ctx: &mut WasiCtx, mem: &mut [u8], fd: u32, path: u32, len: u32) -> WasiResult {
    let (dir, path) = dir_and_path(ctx, mem, fd, rights::PATH_UNLINK_FILE, path, len)?;
    Ok(dir.remove_file(path)?)
}
