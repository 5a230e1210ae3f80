//! Unit tests over a plain `Vec<u8>` memory: pointer checks, rights, the sandbox,
//! readdir cookies, file positions, snapshots.

use std::path::Path;

use stratus_snapshot::{FdKind, FdState, Origin, Snapshot, WasiState};

use crate::*;

const PAGE: usize = 65536;
/// Where the tests put a guest string, an output slot, and a scratch buffer.
const STR: u32 = 1024;
const OUT: u32 = 64;
const BUF: u32 = 4096;
const PREOPEN: u32 = 3;

struct Guest {
    ctx: WasiCtx,
    mem: Vec<u8>,
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
    outside: std::path::PathBuf,
}

/// A guest with `<tmp>/sandbox` preopened as `/sandbox`; `<tmp>/outside` is beside it,
/// holding `secret.txt`, for escapes to aim at.
fn guest(stdout: Option<&Capture>) -> Guest {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("sandbox");
    let outside = dir.path().join("outside");
    std::fs::create_dir(&root).unwrap();
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("secret.txt"), "secret").unwrap();
    let mut builder = WasiCtxBuilder::new();
    builder.args(["prog", "a1"]).env("K", "V").preopened_dir(&root, "/sandbox").unwrap();
    if let Some(capture) = stdout {
        builder.stdout(Output::Capture(capture.clone()));
    }
    let ctx = builder.build().unwrap();
    Guest { ctx, mem: vec![0; PAGE], _dir: dir, root, outside }
}

impl Guest {
    fn put(&mut self, at: u32, bytes: &[u8]) -> u32 {
        self.mem[at as usize..at as usize + bytes.len()].copy_from_slice(bytes);
        bytes.len() as u32
    }

    fn u32_at(&self, at: u32) -> u32 {
        memory::read_u32(&self.mem, at).unwrap()
    }

    fn u64_at(&self, at: u32) -> u64 {
        memory::read_u64(&self.mem, at).unwrap()
    }

    fn open(&mut self, dirfd: u32, path: &str, oflags: u32, base: u64) -> Result<u32, Errno> {
        let len = self.put(STR, path.as_bytes());
        path_open(&mut self.ctx, &mut self.mem, dirfd, 1, STR, len, oflags, base, rights::ALL, 0, OUT)?;
        Ok(self.u32_at(OUT))
    }

    /// Writes `data` through one iovec at `BUF`; the count written.
    fn write(&mut self, fd: u32, data: &[u8]) -> Result<u32, Errno> {
        let len = self.put(BUF + 16, data);
        self.put(BUF, &(BUF + 16).to_le_bytes());
        self.put(BUF + 4, &len.to_le_bytes());
        fd_write(&mut self.ctx, &mut self.mem, fd, BUF, 1, OUT)?;
        Ok(self.u32_at(OUT))
    }

    /// Reads up to `len` bytes through one iovec at `BUF`.
    fn read(&mut self, fd: u32, len: u32) -> Result<Vec<u8>, Errno> {
        self.put(BUF, &(BUF + 16).to_le_bytes());
        self.put(BUF + 4, &len.to_le_bytes());
        fd_read(&mut self.ctx, &mut self.mem, fd, BUF, 1, OUT)?;
        let n = self.u32_at(OUT) as usize;
        Ok(self.mem[BUF as usize + 16..BUF as usize + 16 + n].to_vec())
    }

    /// The guest's monotonic clock.
    fn monotonic(&mut self) -> u64 {
        clock_time_get(&self.ctx, &mut self.mem, 1, 0, OUT).unwrap();
        self.u64_at(OUT)
    }

    fn path_op(
        &mut self,
        path: &str,
        op: fn(&mut WasiCtx, &mut [u8], u32, u32, u32) -> WasiResult,
    ) -> WasiResult {
        let len = self.put(STR, path.as_bytes());
        op(&mut self.ctx, &mut self.mem, PREOPEN, STR, len)
    }
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    names
}

const RW: u64 = rights::FD_READ
    | rights::FD_WRITE
    | rights::FD_SEEK
    | rights::FD_TELL
    | rights::FD_FILESTAT_GET
    | rights::FD_FILESTAT_SET_SIZE
    | rights::FD_FILESTAT_SET_TIMES;

#[test]
fn bad_pointers_are_efault() {
    let mut g = guest(Some(&Capture::new()));
    let end = PAGE as u32;
    // The iovec array, an iovec's buffer, and the result slot, each past the end.
    assert_eq!(fd_write(&mut g.ctx, &mut g.mem, 1, end - 4, 1, OUT), Err(Errno::FAULT));
    g.put(BUF, &(end - 2).to_le_bytes());
    g.put(BUF + 4, &16u32.to_le_bytes());
    assert_eq!(fd_write(&mut g.ctx, &mut g.mem, 1, BUF, 1, OUT), Err(Errno::FAULT));
    assert_eq!(fd_write(&mut g.ctx, &mut g.mem, 1, BUF, 0, end), Err(Errno::FAULT));
    // A huge iovec count is refused before anything is allocated for it.
    assert_eq!(fd_write(&mut g.ctx, &mut g.mem, 1, 0, u32::MAX, OUT), Err(Errno::FAULT));
    assert_eq!(fd_read(&mut g.ctx, &mut g.mem, 0, 0, 1 << 28, OUT), Err(Errno::FAULT));
    assert_eq!(args_get(&mut g.ctx, &mut g.mem, end - 2, BUF), Err(Errno::FAULT));
    assert_eq!(args_sizes_get(&mut g.ctx, &mut g.mem, u32::MAX, 0), Err(Errno::FAULT));
    assert_eq!(random_get(&mut g.mem, u32::MAX, 2), Err(Errno::FAULT));
    assert_eq!(clock_time_get(&g.ctx, &mut g.mem, 0, 0, end - 7), Err(Errno::FAULT));
    assert_eq!(poll_oneoff(&mut g.ctx, &mut g.mem, 0, 0, u32::MAX, OUT), Err(Errno::FAULT));
    assert_eq!(
        path_open(&mut g.ctx, &mut g.mem, PREOPEN, 0, end - 1, 5, 0, RW, 0, 0, OUT),
        Err(Errno::FAULT)
    );
    assert_eq!(fd_readdir(&mut g.ctx, &mut g.mem, PREOPEN, end - 10, 100, 0, OUT), Err(Errno::FAULT));
}

#[test]
fn stdout_args_and_environment() {
    let out = Capture::new();
    let mut g = guest(Some(&out));
    assert_eq!(g.write(1, b"hello\n"), Ok(6));
    assert_eq!(out.contents(), b"hello\n");
    args_sizes_get(&mut g.ctx, &mut g.mem, OUT, OUT + 4).unwrap();
    assert_eq!((g.u32_at(OUT), g.u32_at(OUT + 4)), (2, 8));
    args_get(&mut g.ctx, &mut g.mem, BUF, BUF + 64).unwrap();
    assert_eq!(g.u32_at(BUF + 4), BUF + 64 + 5);
    assert_eq!(&g.mem[BUF as usize + 64..BUF as usize + 72], b"prog\0a1\0");
    environ_sizes_get(&mut g.ctx, &mut g.mem, OUT, OUT + 4).unwrap();
    assert_eq!((g.u32_at(OUT), g.u32_at(OUT + 4)), (1, 4));
    environ_get(&mut g.ctx, &mut g.mem, BUF, BUF + 64).unwrap();
    assert_eq!(&g.mem[BUF as usize + 64..BUF as usize + 68], b"K=V\0");
    // The preopen is visible by name, and stdio is not a preopen.
    fd_prestat_get(&mut g.ctx, &mut g.mem, PREOPEN, OUT).unwrap();
    assert_eq!(g.u32_at(OUT + 4), 8);
    fd_prestat_dir_name(&mut g.ctx, &mut g.mem, PREOPEN, BUF, 8).unwrap();
    assert_eq!(&g.mem[BUF as usize..BUF as usize + 8], b"/sandbox");
    assert_eq!(fd_prestat_dir_name(&mut g.ctx, &mut g.mem, PREOPEN, BUF, 7), Err(Errno::NAMETOOLONG));
    assert_eq!(fd_prestat_get(&mut g.ctx, &mut g.mem, 1, OUT), Err(Errno::BADF));
    assert_eq!(fd_prestat_get(&mut g.ctx, &mut g.mem, 4, OUT), Err(Errno::BADF));
    assert_eq!(proc_exit(3), ExitCode(3));
    assert_eq!(proc_raise(2), Err(Errno::NOSYS));
    assert_eq!(sock_shutdown(&mut g.ctx, &mut g.mem, 1, 0), Err(Errno::NOTSOCK));
    assert_eq!(sock_accept(&mut g.ctx, &mut g.mem, 99, 0, OUT), Err(Errno::BADF));
}

#[test]
fn rights_are_enforced() {
    let out = Capture::new();
    let mut g = guest(Some(&out));
    // Rights can be dropped, not regained; without FD_WRITE, writing is refused.
    fd_fdstat_set_rights(&mut g.ctx, 1, rights::FD_FILESTAT_GET, 0).unwrap();
    assert_eq!(g.write(1, b"x"), Err(Errno::NOTCAPABLE));
    assert_eq!(fd_fdstat_set_rights(&mut g.ctx, 1, rights::STDOUT, 0), Err(Errno::NOTCAPABLE));
    assert!(out.contents().is_empty());
    fd_fdstat_get(&mut g.ctx, &mut g.mem, 1, OUT).unwrap();
    assert_eq!(g.u64_at(OUT + 8), rights::FD_FILESTAT_GET);

    // A file opened read-only cannot be written; the directory's inheriting rights cap
    // what a file opened through it gets.
    std::fs::write(g.root.join("f"), "data").unwrap();
    let fd = g.open(PREOPEN, "f", 0, rights::FD_READ).unwrap();
    assert_eq!(g.write(fd, b"x"), Err(Errno::NOTCAPABLE));
    fd_fdstat_set_rights(&mut g.ctx, PREOPEN, rights::DIR, rights::FD_READ).unwrap();
    let fd = g.open(PREOPEN, "f", 0, RW).unwrap();
    fd_fdstat_get(&mut g.ctx, &mut g.mem, fd, OUT).unwrap();
    assert_eq!(g.u64_at(OUT + 8), rights::FD_READ);
    assert_eq!(g.write(fd, b"x"), Err(Errno::NOTCAPABLE));
    assert_eq!(std::fs::read(g.root.join("f")).unwrap(), b"data");

    // Without PATH_CREATE_FILE on the directory, nothing is created.
    fd_fdstat_set_rights(&mut g.ctx, PREOPEN, rights::PATH_OPEN, 0).unwrap();
    assert_eq!(g.open(PREOPEN, "new", 1, RW), Err(Errno::NOTCAPABLE));
    assert!(!g.root.join("new").exists());
    assert_eq!(g.path_op("d", path_create_directory), Err(Errno::NOTCAPABLE));
    assert!(!g.root.join("d").exists());
}

#[test]
fn truncate_with_append() {
    let mut g = guest(None);
    std::fs::write(g.root.join("log"), "the old contents").unwrap();
    let len = g.put(STR, b"log");
    let (creat_trunc, append) = (1 | 8, fdflags::APPEND as u32);
    path_open(&mut g.ctx, &mut g.mem, PREOPEN, 0, STR, len, creat_trunc, RW, 0, append, OUT).unwrap();
    let fd = g.u32_at(OUT);
    assert_eq!(std::fs::read(g.root.join("log")).unwrap(), b"");
    assert_eq!(g.write(fd, b"new"), Ok(3));
    // Appending: the write goes to the end, not to the position sought.
    fd_seek(&mut g.ctx, &mut g.mem, fd, 0, 0, OUT).unwrap();
    assert_eq!(g.write(fd, b"+end"), Ok(4));
    assert_eq!(std::fs::read(g.root.join("log")).unwrap(), b"new+end");
}

#[test]
fn directories_are_not_opened_for_writing() {
    let mut g = guest(None);
    std::fs::create_dir(g.root.join("d")).unwrap();
    std::fs::write(g.root.join("f"), "").unwrap();
    let (directory, creat, trunc) = (2, 1, 8);
    for base in [rights::FD_WRITE, rights::FD_ALLOCATE, rights::FD_FILESTAT_SET_SIZE, RW] {
        assert_eq!(g.open(PREOPEN, "d", directory, base), Err(Errno::ISDIR), "rights {base:#x}");
        assert_eq!(g.open(PREOPEN, "d", 0, base), Err(Errno::ISDIR), "rights {base:#x}");
    }
    assert_eq!(g.open(PREOPEN, "d", directory | trunc, rights::FD_READDIR), Err(Errno::ISDIR));
    // The path is looked up before the rights are judged, as open(2) does.
    assert_eq!(g.open(PREOPEN, "missing", directory, rights::FD_WRITE), Err(Errno::NOENT));
    assert_eq!(g.open(PREOPEN, "f", directory, rights::FD_WRITE), Err(Errno::NOTDIR));
    assert_eq!(g.open(PREOPEN, "d", directory | creat, rights::FD_READDIR), Err(Errno::INVAL));
    // Reading a directory is what O_DIRECTORY is for.
    let fd = g.open(PREOPEN, "d", directory, rights::FD_READDIR | rights::PATH_OPEN).unwrap();
    assert_eq!(fd_readdir(&mut g.ctx, &mut g.mem, fd, BUF, 1024, 0, OUT), Ok(()));
}

#[test]
fn sandbox_refuses_escapes() {
    let mut g = guest(None);
    let outside = g.outside.clone();
    std::fs::create_dir(g.root.join("sub")).unwrap();
    // `..` past the root, absolute paths, via a subdirectory too.
    for path in ["../outside/secret.txt", "sub/../../outside/secret.txt", "/etc/passwd", "/"] {
        assert_eq!(g.open(PREOPEN, path, 0, RW), Err(Errno::NOTCAPABLE), "{path}");
    }
    assert_eq!(g.open(PREOPEN, "../outside/new", 1, RW), Err(Errno::NOTCAPABLE));
    assert_eq!(g.path_op("../outside/dir", path_create_directory), Err(Errno::NOTCAPABLE));
    assert_eq!(g.path_op("../outside/secret.txt", path_unlink_file), Err(Errno::NOTCAPABLE));
    // `..` that stays inside is fine.
    let fd = g.open(PREOPEN, "sub/../inside", 1, RW).unwrap();
    assert!(fd > PREOPEN);
    assert!(g.root.join("inside").exists());

    // Symlinks made by the host, pointing out: absolute and relative.
    std::os::unix::fs::symlink(&outside, g.root.join("abs")).unwrap();
    std::os::unix::fs::symlink("../outside", g.root.join("rel")).unwrap();
    std::os::unix::fs::symlink("rel", g.root.join("chain")).unwrap();
    for path in ["abs/secret.txt", "rel/secret.txt", "chain/secret.txt", "abs/new", "chain/new"] {
        let oflags = if path.ends_with("new") { 1 } else { 0 };
        assert_eq!(g.open(PREOPEN, path, oflags, RW), Err(Errno::NOTCAPABLE), "{path}");
    }
    // A dangling link whose target is outside: creating through it must not create it.
    std::os::unix::fs::symlink("../outside/created", g.root.join("dangling")).unwrap();
    std::os::unix::fs::symlink(outside.join("created"), g.root.join("dangling_abs")).unwrap();
    assert_eq!(g.open(PREOPEN, "dangling", 1, RW), Err(Errno::NOTCAPABLE));
    assert_eq!(g.open(PREOPEN, "dangling_abs", 1, RW), Err(Errno::NOTCAPABLE));
    // Without following, the link itself is found: ELOOP, as O_NOFOLLOW gives.
    let len = g.put(STR, b"dangling");
    let opened = path_open(&mut g.ctx, &mut g.mem, PREOPEN, 0, STR, len, 1, RW, 0, 0, OUT);
    assert_eq!(opened, Err(Errno::LOOP));
    // Symlinks made by the guest: an absolute target is refused outright; a relative one
    // that climbs out can exist, but nothing resolves through it.
    let target = g.put(BUF, b"/etc");
    let link = g.put(STR, b"guest_abs");
    assert_eq!(path_symlink(&mut g.ctx, &mut g.mem, BUF, target, PREOPEN, STR, link), Err(Errno::NOTCAPABLE));
    let target = g.put(BUF, b"sub/../../outside");
    let link = g.put(STR, b"guest_rel");
    path_symlink(&mut g.ctx, &mut g.mem, BUF, target, PREOPEN, STR, link).unwrap();
    assert_eq!(g.open(PREOPEN, "guest_rel/secret.txt", 0, RW), Err(Errno::NOTCAPABLE));
    assert_eq!(g.open(PREOPEN, "guest_rel/created", 1 | 4, RW), Err(Errno::NOTCAPABLE));
    assert_eq!(g.open(PREOPEN, "guest_rel", 2, 0), Err(Errno::NOTCAPABLE));
    // Renames and links out are refused too.
    let old = g.put(STR, b"inside");
    let new = g.put(BUF, b"../outside/moved");
    assert_eq!(
        path_rename(&mut g.ctx, &mut g.mem, PREOPEN, STR, old, PREOPEN, BUF, new),
        Err(Errno::NOTCAPABLE)
    );
    assert_eq!(
        path_link(&mut g.ctx, &mut g.mem, PREOPEN, 0, STR, old, PREOPEN, BUF, new),
        Err(Errno::NOTCAPABLE)
    );
    // Nothing outside changed, and the secret is intact.
    assert_eq!(entries(&outside), ["secret.txt"]);
    assert_eq!(std::fs::read(outside.join("secret.txt")).unwrap(), b"secret");
    // readlink reports a link's text without following it.
    let path = g.put(STR, b"guest_rel");
    path_readlink(&mut g.ctx, &mut g.mem, PREOPEN, STR, path, BUF, 100, OUT).unwrap();
    assert_eq!(&g.mem[BUF as usize..BUF as usize + g.u32_at(OUT) as usize], b"sub/../../outside");
}

#[test]
fn readdir_resumes_from_cookies_with_small_buffers() {
    let mut g = guest(None);
    let names: Vec<String> = (0..20).map(|i| format!("file-with-a-long-name-{i:02}")).collect();
    for name in &names {
        std::fs::write(g.root.join(name), "").unwrap();
    }
    // A buffer smaller than one entry: every call fills it with the truncated entry,
    // which tells the guest to grow its buffer; entries must stay whole otherwise.
    fd_readdir(&mut g.ctx, &mut g.mem, PREOPEN, BUF, 10, 0, OUT).unwrap();
    assert_eq!(g.u32_at(OUT), 10);
    let mut seen = Vec::new();
    let mut cookie = 0u64;
    loop {
        let len = 100; // room for two entries at most
        fd_readdir(&mut g.ctx, &mut g.mem, PREOPEN, BUF, len, cookie, OUT).unwrap();
        let used = g.u32_at(OUT) as usize;
        let buf = g.mem[BUF as usize..BUF as usize + used].to_vec();
        let mut at = 0;
        let mut progressed = false;
        while at + 24 <= used {
            let next = u64::from_le_bytes(buf[at..at + 8].try_into().unwrap());
            let namelen = u32::from_le_bytes(buf[at + 16..at + 20].try_into().unwrap()) as usize;
            if at + 24 + namelen > used {
                break; // cut off: read again from the last whole entry's cookie
            }
            seen.push(String::from_utf8(buf[at + 24..at + 24 + namelen].to_vec()).unwrap());
            cookie = next;
            at += 24 + namelen;
            progressed = true;
        }
        if used < len as usize {
            break;
        }
        assert!(progressed, "a buffer of {len} bytes holds at least one entry");
    }
    let mut expected = vec![".".to_string(), "..".to_string()];
    expected.extend(names);
    assert_eq!(seen, expected);
    // Past the end: nothing.
    fd_readdir(&mut g.ctx, &mut g.mem, PREOPEN, BUF, 100, 1000, OUT).unwrap();
    assert_eq!(g.u32_at(OUT), 0);
}

#[test]
fn seek_tell_pread_pwrite() {
    let mut g = guest(None);
    let fd = g.open(PREOPEN, "data", 1 | 8, RW).unwrap();
    assert_eq!(g.write(fd, b"hello world"), Ok(11));
    fd_tell(&mut g.ctx, &mut g.mem, fd, OUT).unwrap();
    assert_eq!(g.u64_at(OUT), 11);
    fd_seek(&mut g.ctx, &mut g.mem, fd, -5, 2, OUT).unwrap();
    assert_eq!(g.u64_at(OUT), 6);
    assert_eq!(fd_seek(&mut g.ctx, &mut g.mem, fd, -100, 1, OUT), Err(Errno::INVAL));
    assert_eq!(fd_seek(&mut g.ctx, &mut g.mem, fd, 0, 7, OUT), Err(Errno::INVAL));
    // pwrite and pread leave the position alone.
    g.put(BUF + 16, b"W");
    g.put(BUF, &(BUF + 16).to_le_bytes());
    g.put(BUF + 4, &1u32.to_le_bytes());
    fd_pwrite(&mut g.ctx, &mut g.mem, fd, BUF, 1, 0, OUT).unwrap();
    assert_eq!(g.u32_at(OUT), 1);
    // Two iovecs for pread, 3 and 4 bytes, from offset 4.
    for (i, (ptr, len)) in [(BUF + 100, 3u32), (BUF + 200, 4)].into_iter().enumerate() {
        g.put(BUF + 8 * i as u32, &ptr.to_le_bytes());
        g.put(BUF + 8 * i as u32 + 4, &len.to_le_bytes());
    }
    fd_pread(&mut g.ctx, &mut g.mem, fd, BUF, 2, 4, OUT).unwrap();
    assert_eq!(g.u32_at(OUT), 7);
    assert_eq!(&g.mem[BUF as usize + 100..BUF as usize + 103], b"o w");
    assert_eq!(&g.mem[BUF as usize + 200..BUF as usize + 204], b"orld");
    fd_tell(&mut g.ctx, &mut g.mem, fd, OUT).unwrap();
    assert_eq!(g.u64_at(OUT), 6);
    // fd_read from the position, then at the end of file, 0 bytes.
    fd_read(&mut g.ctx, &mut g.mem, fd, BUF, 2, OUT).unwrap();
    assert_eq!(g.u32_at(OUT), 5);
    assert_eq!(&g.mem[BUF as usize + 100..BUF as usize + 103], b"wor");
    fd_read(&mut g.ctx, &mut g.mem, fd, BUF, 2, OUT).unwrap();
    assert_eq!(g.u32_at(OUT), 0);
    assert_eq!(std::fs::read(g.root.join("data")).unwrap(), b"Wello world");
    // Truncation and size.
    fd_filestat_set_size(&mut g.ctx, fd, 5).unwrap();
    fd_filestat_get(&mut g.ctx, &mut g.mem, fd, BUF).unwrap();
    assert_eq!(g.mem[BUF as usize + 16], filetype::REGULAR_FILE);
    assert_eq!(g.u64_at(BUF + 32), 5);
    // Timestamps: set mtime to a fixed value and read it back through the path.
    fd_filestat_set_times(&mut g.ctx, fd, 0, 1_000_000_000_123, 4).unwrap();
    let len = g.put(STR, b"data");
    path_filestat_get(&mut g.ctx, &mut g.mem, PREOPEN, 1, STR, len, BUF).unwrap();
    assert_eq!(g.u64_at(BUF + 48), 1_000_000_000_123);
    assert_eq!(fd_filestat_set_times(&mut g.ctx, fd, 0, 0, 1 | 2), Err(Errno::INVAL));
    // Stdio cannot seek; closed fds are EBADF.
    assert_eq!(fd_seek(&mut g.ctx, &mut g.mem, 0, 1, 0, OUT), Err(Errno::NOTCAPABLE));
    assert_eq!(fd_tell(&mut g.ctx, &mut g.mem, 1, OUT), Err(Errno::NOTCAPABLE));
    fd_close(&mut g.ctx, fd).unwrap();
    assert_eq!(fd_tell(&mut g.ctx, &mut g.mem, fd, OUT), Err(Errno::BADF));
    assert_eq!(fd_close(&mut g.ctx, fd), Err(Errno::BADF));
}

#[test]
fn poll_sleeps_on_a_clock_and_reports_ready_fds() {
    let mut g = guest(Some(&Capture::new()));
    // One relative monotonic clock of 20 ms.
    let mut sub = memory::Struct::<48>::new();
    sub.u64(0, 7).u8(8, 0).u32(16, 1).u64(24, 20_000_000);
    g.put(BUF, &sub.0);
    let start = std::time::Instant::now();
    poll_oneoff(&mut g.ctx, &mut g.mem, BUF, BUF + 512, 1, OUT).unwrap();
    assert!(start.elapsed() >= std::time::Duration::from_millis(20));
    assert_eq!(g.u32_at(OUT), 1);
    assert_eq!(g.u64_at(BUF + 512), 7);
    // A clock and stdout-writable: stdout is ready, no sleeping.
    let mut fdsub = memory::Struct::<48>::new();
    fdsub.u64(0, 9).u8(8, 2).u32(16, 1);
    sub.u64(24, 10_000_000_000);
    g.put(BUF, &sub.0);
    g.put(BUF + 48, &fdsub.0);
    let start = std::time::Instant::now();
    poll_oneoff(&mut g.ctx, &mut g.mem, BUF, BUF + 512, 2, OUT).unwrap();
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(g.u32_at(OUT), 1);
    assert_eq!(g.u64_at(BUF + 512), 9);
    assert_eq!(g.mem[BUF as usize + 512 + 10], 2);
    assert_eq!(poll_oneoff(&mut g.ctx, &mut g.mem, BUF, BUF + 512, 0, OUT), Err(Errno::INVAL));
}

#[test]
fn directories_rename_link_and_remove() {
    let mut g = guest(None);
    g.path_op("a", path_create_directory).unwrap();
    g.path_op("b", path_create_directory).unwrap();
    assert_eq!(g.path_op("a", path_create_directory), Err(Errno::EXIST));
    let fd = g.open(PREOPEN, "a/f", 1, RW).unwrap();
    g.write(fd, b"x").unwrap();
    let old = g.put(STR, b"a/f");
    let new = g.put(BUF, b"b/g");
    path_rename(&mut g.ctx, &mut g.mem, PREOPEN, STR, old, PREOPEN, BUF, new).unwrap();
    assert!(g.root.join("b/g").exists() && !g.root.join("a/f").exists());
    let old = g.put(STR, b"b/g");
    let new = g.put(BUF, b"a/h");
    path_link(&mut g.ctx, &mut g.mem, PREOPEN, 0, STR, old, PREOPEN, BUF, new).unwrap();
    assert_eq!(std::fs::read(g.root.join("a/h")).unwrap(), b"x");
    assert_eq!(g.path_op("b", path_remove_directory), Err(Errno::NOTEMPTY));
    g.path_op("b/g", path_unlink_file).unwrap();
    g.path_op("b", path_remove_directory).unwrap();
    assert_eq!(entries(&g.root), ["a"]);
    // A directory opened by path is a directory fd with directory rights, of all those
    // asked for (but none to write: that is EISDIR).
    let writing = rights::FD_WRITE | rights::FD_ALLOCATE | rights::FD_FILESTAT_SET_SIZE;
    let dir = g.open(PREOPEN, "a", 2, rights::ALL & !writing).unwrap();
    fd_fdstat_get(&mut g.ctx, &mut g.mem, dir, OUT).unwrap();
    assert_eq!(g.mem[OUT as usize], filetype::DIRECTORY);
    assert_eq!(g.u64_at(OUT + 8), rights::DIR);
    let fd2 = g.open(dir, "h", 0, RW).unwrap();
    fd_renumber(&mut g.ctx, fd2, dir).unwrap();
    assert_eq!(fd_renumber(&mut g.ctx, fd2, dir), Err(Errno::BADF));
    fd_fdstat_get(&mut g.ctx, &mut g.mem, dir, OUT).unwrap();
    assert_eq!(g.mem[OUT as usize], filetype::REGULAR_FILE);
}

#[test]
fn symlinks_flags_and_file_space() {
    let mut g = guest(None);
    std::fs::write(g.root.join("target"), "0123456789").unwrap();
    let target = g.put(BUF, b"target");
    let link = g.put(STR, b"link");
    path_symlink(&mut g.ctx, &mut g.mem, BUF, target, PREOPEN, STR, link).unwrap();
    // Not following: the link itself; following: the file.
    path_filestat_get(&mut g.ctx, &mut g.mem, PREOPEN, 0, STR, link, BUF).unwrap();
    assert_eq!(g.mem[BUF as usize + 16], filetype::SYMBOLIC_LINK);
    path_filestat_get(&mut g.ctx, &mut g.mem, PREOPEN, 1, STR, link, BUF).unwrap();
    assert_eq!((g.mem[BUF as usize + 16], g.u64_at(BUF + 32)), (filetype::REGULAR_FILE, 10));
    // readlink into a short buffer is cut to it.
    path_readlink(&mut g.ctx, &mut g.mem, PREOPEN, STR, link, BUF, 3, OUT).unwrap();
    assert_eq!((g.u32_at(OUT), &g.mem[BUF as usize..BUF as usize + 3]), (3, &b"tar"[..]));
    // Opening the link without following it is ELOOP, as O_NOFOLLOW is.
    let len = g.put(STR, b"link");
    let opened = path_open(&mut g.ctx, &mut g.mem, PREOPEN, 0, STR, len, 0, RW, 0, 0, OUT);
    assert_eq!(opened, Err(Errno::LOOP));

    let fd = g.open(PREOPEN, "link", 0, RW | rights::FD_ALLOCATE | rights::FD_FDSTAT_SET_FLAGS).unwrap();
    // Append mode: writes land at the end whatever the position.
    fd_fdstat_set_flags(&mut g.ctx, fd, u32::from(fdflags::APPEND)).unwrap();
    fd_fdstat_get(&mut g.ctx, &mut g.mem, fd, OUT).unwrap();
    assert_eq!(memory::read_u16(&g.mem, OUT + 2).unwrap(), fdflags::APPEND);
    g.write(fd, b"AB").unwrap();
    assert_eq!(std::fs::read(g.root.join("target")).unwrap(), b"0123456789AB");
    assert_eq!(fd_fdstat_set_flags(&mut g.ctx, fd, 1 << 7), Err(Errno::INVAL));
    // fd_allocate grows a file, never shrinks it.
    fd_allocate(&mut g.ctx, fd, 10, 10).unwrap();
    assert_eq!(std::fs::metadata(g.root.join("target")).unwrap().len(), 20);
    fd_allocate(&mut g.ctx, fd, 0, 1).unwrap();
    assert_eq!(std::fs::metadata(g.root.join("target")).unwrap().len(), 20);
    // Without the rights, sync and advise are refused; with them they work.
    assert_eq!(fd_sync(&mut g.ctx, fd), Err(Errno::NOTCAPABLE));
    assert_eq!(fd_advise(&mut g.ctx, fd, 0, 0, 0), Err(Errno::NOTCAPABLE));
    let fd = g.open(PREOPEN, "target", 0, rights::FILE).unwrap();
    fd_sync(&mut g.ctx, fd).unwrap();
    fd_datasync(&mut g.ctx, fd).unwrap();
    fd_advise(&mut g.ctx, fd, 0, 0, 1).unwrap();
    assert_eq!(fd_advise(&mut g.ctx, fd, 0, 0, 6), Err(Errno::INVAL));
    // Clocks.
    clock_time_get(&g.ctx, &mut g.mem, 1, 0, OUT).unwrap();
    assert!(g.u64_at(OUT) > 0);
    clock_res_get(&mut g.mem, 0, OUT).unwrap();
    assert!(g.u64_at(OUT) > 0);
    assert_eq!(clock_time_get(&g.ctx, &mut g.mem, 4, 0, OUT), Err(Errno::INVAL));
}

#[test]
fn times_can_be_set_to_now() {
    let mut g = guest(None);
    std::fs::write(g.root.join("f"), "").unwrap();
    let len = g.put(STR, b"f");
    path_filestat_set_times(&mut g.ctx, &mut g.mem, PREOPEN, 1, STR, len, 0, 0, 2 | 8).unwrap();
    path_filestat_set_times(&mut g.ctx, &mut g.mem, PREOPEN, 0, STR, len, 0, 0, 2 | 8).unwrap();
}

/// A context restored from `state` with `host` preopened as `/sandbox` (if given) and
/// arguments of its own, which the snapshot's must override.
fn restore(state: &WasiState, host: Option<&Path>) -> Result<WasiCtx, RestoreError> {
    let mut builder = WasiCtxBuilder::new();
    builder.arg("not-the-snapshot's").stdout(Output::Capture(Capture::new()));
    if let Some(host) = host {
        builder.preopened_dir(host, "/sandbox").unwrap();
    }
    builder.restore(state)
}

#[test]
fn files_continue_after_their_directory_moves() {
    let mut g = guest(None);
    std::fs::create_dir(g.root.join("sub")).unwrap();
    let (creat, directory, creat_trunc) = (1, 2, 1 | 8);
    let out = g.open(PREOPEN, "out.txt", creat_trunc, RW).unwrap();
    let sub = g.open(PREOPEN, "sub", directory, rights::DIR).unwrap();
    let log = g.open(sub, "log.txt", creat, RW).unwrap();
    // Moved to another number, as shells do with redirections: the origin goes along.
    let scratch = g.open(sub, "scratch", creat, RW).unwrap();
    fd_renumber(&mut g.ctx, log, scratch).unwrap();
    let log = scratch;
    // A file in append mode keeps appending after the resume, wherever it was sought.
    std::fs::write(g.root.join("sub/journal"), "old;").unwrap();
    let journal = g.open(sub, "journal", 0, RW | rights::FD_FDSTAT_SET_FLAGS).unwrap();
    fd_fdstat_set_flags(&mut g.ctx, journal, u32::from(fdflags::APPEND)).unwrap();

    let (content, log_content) = (b"the whole content of out.txt".as_slice(), b"line 1\nline 2\n".as_slice());
    let (half, log_half) = (content.len() / 2, log_content.len() / 2);
    g.write(out, &content[..half]).unwrap();
    g.write(log, &log_content[..log_half]).unwrap();
    g.write(journal, b"first;").unwrap();
    let state = g.ctx.snapshot().unwrap();
    let kind_of = |fd| state.fds.iter().find(|f| f.fd == fd).map(|f| f.kind.clone());
    assert_eq!(kind_of(PREOPEN), Some(FdKind::Dir(Origin { preopen: "/sandbox".into(), path: "".into() })));
    assert_eq!(kind_of(sub), Some(FdKind::Dir(Origin { preopen: "/sandbox".into(), path: "sub".into() })));
    let log_origin = Origin { preopen: "/sandbox".into(), path: "sub/log.txt".into() };
    let log_state = FdKind::File { origin: log_origin, read: true, write: true, offset: log_half as u64 };
    assert_eq!(kind_of(log), Some(log_state));

    // The whole preopened directory moves elsewhere, as it would to another machine.
    drop(std::mem::replace(&mut g.ctx, WasiCtx::builder().build().unwrap()));
    let elsewhere = tempfile::tempdir().unwrap();
    let moved = elsewhere.path().join("moved");
    std::fs::rename(&g.root, &moved).unwrap();
    g.ctx = restore(&state, Some(&moved)).unwrap();
    // Every fd is back as it was: number, rights, flags, origin, access and offset.
    assert_eq!(g.ctx.snapshot().unwrap().fds, state.fds);

    g.write(out, &content[half..]).unwrap();
    g.write(log, &log_content[log_half..]).unwrap();
    fd_seek(&mut g.ctx, &mut g.mem, journal, 0, 0, OUT).unwrap();
    g.write(journal, b"second").unwrap();
    assert_eq!(std::fs::read(moved.join("out.txt")).unwrap(), content);
    assert_eq!(std::fs::read(moved.join("sub/log.txt")).unwrap(), log_content);
    assert_eq!(std::fs::read(moved.join("sub/journal")).unwrap(), b"old;first;second");
    // The preopen keeps its name, the directory fd still opens files, and the arguments
    // are the snapshot's.
    fd_prestat_dir_name(&mut g.ctx, &mut g.mem, PREOPEN, BUF, 8).unwrap();
    assert_eq!(&g.mem[BUF as usize..BUF as usize + 8], b"/sandbox");
    assert_eq!(g.open(sub, "log.txt", 0, rights::FD_READ).map(|_| ()), Ok(()));
    assert_eq!(g.ctx.args, ["prog", "a1"]);
}

#[test]
fn a_read_only_file_continues_from_its_offset() {
    let mut g = guest(None);
    std::fs::write(g.root.join("in.txt"), "0123456789").unwrap();
    let fd = g.open(PREOPEN, "in.txt", 0, rights::FD_READ | rights::FD_SEEK | rights::FD_TELL).unwrap();
    assert_eq!(g.read(fd, 4).unwrap(), b"0123");
    let state = g.ctx.snapshot().unwrap();
    let saved = state.fds.iter().find(|f| f.fd == fd).unwrap();
    assert!(matches!(saved.kind, FdKind::File { read: true, write: false, offset: 4, .. }));
    g.ctx = restore(&state, Some(&g.root)).unwrap();
    assert_eq!(g.read(fd, 3).unwrap(), b"456");
    assert_eq!(g.write(fd, b"x"), Err(Errno::NOTCAPABLE));
    assert_eq!(std::fs::read(g.root.join("in.txt")).unwrap(), b"0123456789");
}

#[test]
fn restoring_names_a_file_that_is_gone() {
    let mut g = guest(None);
    std::fs::create_dir(g.root.join("sub")).unwrap();
    let sub = g.open(PREOPEN, "sub", 2, rights::DIR).unwrap();
    let fd = g.open(sub, "log.txt", 1, RW).unwrap();
    let state = g.ctx.snapshot().unwrap();
    std::fs::remove_file(g.root.join("sub/log.txt")).unwrap();
    let error = restore(&state, Some(&g.root)).err().unwrap();
    let message = error.to_string();
    assert!(message.starts_with(&format!("cannot reopen fd {fd}, /sandbox/sub/log.txt: ")), "{message}");
    assert!(message.contains("No such file"), "{message}");
    // Reopening never creates.
    assert!(!g.root.join("sub/log.txt").exists());
    // Nor does it take a directory for the file.
    std::fs::create_dir(g.root.join("sub/log.txt")).unwrap();
    assert!(matches!(restore(&state, Some(&g.root)), Err(RestoreError::Reopen { .. })));
}

#[test]
fn restoring_names_a_preopen_not_given() {
    let g = guest(None);
    let state = g.ctx.snapshot().unwrap();
    let error = restore(&state, None).err().unwrap();
    assert_eq!(
        error.to_string(),
        "the snapshot's preopened directory /sandbox was not given (--dir HOST::/sandbox)"
    );
}

#[test]
fn the_monotonic_clock_never_goes_back_across_a_restore() {
    let mut g = guest(None);
    let before = g.monotonic();
    let mut state = g.ctx.snapshot().unwrap();
    assert!(state.monotonic_ns >= before);
    // A snapshot from a machine that had been up far longer than this one.
    state.monotonic_ns = u64::MAX / 2;
    g.ctx = restore(&state, Some(&g.root)).unwrap();
    let first = g.monotonic();
    assert!(first >= state.monotonic_ns);
    std::thread::sleep(std::time::Duration::from_millis(2));
    let second = g.monotonic();
    assert!(second > first);
    assert!(g.ctx.snapshot().unwrap().monotonic_ns >= second);
    // An absolute timeout is on the guest's clock: 20 ms from its now, not a time this
    // host's clock would take centuries to reach.
    let mut sub = memory::Struct::<48>::new();
    sub.u64(0, 7).u8(8, 0).u32(16, 1).u64(24, g.monotonic() + 20_000_000).u16(40, 1);
    g.put(BUF, &sub.0);
    let start = std::time::Instant::now();
    poll_oneoff(&mut g.ctx, &mut g.mem, BUF, BUF + 512, 1, OUT).unwrap();
    assert!(start.elapsed() >= std::time::Duration::from_millis(15));
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!((g.u32_at(OUT), g.u64_at(BUF + 512)), (1, 7));
}

#[test]
fn the_wasi_state_round_trips_through_snapshot_bytes() {
    let mut g = guest(None);
    std::fs::create_dir(g.root.join("sub")).unwrap();
    let sub = g.open(PREOPEN, "sub", 2, rights::DIR).unwrap();
    let fd = g.open(sub, "f", 1, RW).unwrap();
    g.write(fd, b"12345").unwrap();
    fd_fdstat_set_rights(&mut g.ctx, fd, rights::FD_WRITE, 0).unwrap();
    let state = g.ctx.snapshot().unwrap();
    let kinds: Vec<&FdKind> = state.fds.iter().map(|f| &f.kind).collect();
    assert!(matches!(
        kinds[..],
        [FdKind::Stdin, FdKind::Stdout, FdKind::Stderr, FdKind::Dir(_), FdKind::Dir(_), _]
    ));
    assert_eq!((state.fds[5].rights, state.fds[5].inheriting), (rights::FD_WRITE, 0));
    assert_eq!(state.env, [("K".to_string(), "V".to_string())]);
    let snapshot = Snapshot { wasi: Some(state), ..Default::default() };
    assert_eq!(Snapshot::from_bytes(&snapshot.to_bytes()), Ok(snapshot));
}

#[test]
fn restoring_refuses_forged_states() {
    let g = guest(None);
    let state = g.ctx.snapshot().unwrap();
    let with = |fds: Vec<FdState>| WasiState { fds, ..state.clone() };
    let file = |fd, path: &str| FdState {
        fd,
        rights: RW,
        inheriting: 0,
        flags: 0,
        kind: FdKind::File {
            origin: Origin { preopen: "/sandbox".into(), path: path.into() },
            read: true,
            write: true,
            offset: 0,
        },
    };
    let invalid = |fds| matches!(restore(&with(fds), Some(&g.root)), Err(RestoreError::Invalid(_)));
    let reopen = |fds| matches!(restore(&with(fds), Some(&g.root)), Err(RestoreError::Reopen { .. }));
    std::fs::write(g.root.join("f"), "").unwrap();
    assert!(restore(&with(vec![file(9, "f")]), Some(&g.root)).is_ok());
    assert!(invalid(vec![file(5, "f"), file(5, "f")]));
    assert!(invalid(vec![file(u32::MAX, "f")]));
    assert!(invalid(vec![file(1 << 14, "f")]));
    assert!(invalid(vec![FdState { rights: u64::MAX, ..file(5, "f") }]));
    assert!(invalid(vec![FdState { flags: u16::MAX, ..file(5, "f") }]));
    let stdin = FdState { kind: FdKind::Stdin, ..file(0, "") };
    assert!(invalid(vec![stdin.clone(), FdState { fd: 1, ..stdin }]));
    // Paths that lead outside the preopen, or nowhere, reach nothing.
    let secret = g.outside.join("secret.txt");
    for path in ["../outside/secret.txt", secret.to_str().unwrap(), "/etc/passwd", "", "f/..", "f\0"] {
        assert!(reopen(vec![file(5, path)]), "{path}");
        let dir = FdState {
            kind: FdKind::Dir(Origin { preopen: "/sandbox".into(), path: path.into() }),
            ..file(6, "")
        };
        if !path.is_empty() {
            assert!(reopen(vec![dir]), "{path}");
        }
    }
    assert_eq!(std::fs::read(&secret).unwrap(), b"secret");
    // Offsets beyond what a file can have are refused, not wrapped.
    let far = FdState {
        kind: FdKind::File {
            origin: Origin { preopen: "/sandbox".into(), path: "f".into() },
            read: true,
            write: false,
            offset: u64::MAX,
        },
        ..file(5, "")
    };
    assert!(reopen(vec![far]));
}
