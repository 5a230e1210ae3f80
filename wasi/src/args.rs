//! Arguments, environment, process control and sockets.

use crate::ctx::{ExitCode, WasiCtx};
use crate::errno::{Errno, WasiResult};
use crate::memory;

/// Writes `strings` NUL-terminated into `buf` and a pointer to each into `ptrs`, as
/// `args_get` and `environ_get` both do.
fn write_strings<'a>(
    mem: &mut [u8],
    strings: impl Iterator<Item = Vec<u8>> + 'a,
    ptrs: u32,
    buf: u32,
) -> WasiResult {
    let (mut ptr_at, mut buf_at) = (ptrs, buf);
    for mut bytes in strings {
        bytes.push(0);
        memory::write_u32(mem, ptr_at, buf_at)?;
        memory::write_bytes(mem, buf_at, &bytes)?;
        ptr_at = ptr_at.checked_add(4).ok_or(Errno::FAULT)?;
        buf_at = buf_at.checked_add(bytes.len() as u32).ok_or(Errno::FAULT)?;
    }
    Ok(())
}

/// The count and the total size (NULs included) of `strings`.
fn sizes(strings: impl Iterator<Item = usize>) -> WasiResult<(u32, u32)> {
    let (mut count, mut size) = (0u32, 0u32);
    for len in strings {
        count += 1;
        size = u32::try_from(len + 1).ok().and_then(|l| size.checked_add(l)).ok_or(Errno::OVERFLOW)?;
    }
    Ok((count, size))
}

pub fn args_get(ctx: &mut WasiCtx, mem: &mut [u8], argv: u32, argv_buf: u32) -> WasiResult {
    write_strings(mem, ctx.args.iter().map(|a| a.as_bytes().to_vec()), argv, argv_buf)
}

pub fn args_sizes_get(ctx: &mut WasiCtx, mem: &mut [u8], argc: u32, argv_buf_size: u32) -> WasiResult {
    let (count, size) = sizes(ctx.args.iter().map(String::len))?;
    memory::write_u32(mem, argc, count)?;
    memory::write_u32(mem, argv_buf_size, size)
}

pub fn environ_get(ctx: &mut WasiCtx, mem: &mut [u8], environ: u32, environ_buf: u32) -> WasiResult {
    let pairs = ctx.env.iter().map(|(k, v)| format!("{k}={v}").into_bytes());
    write_strings(mem, pairs, environ, environ_buf)
}

pub fn environ_sizes_get(ctx: &mut WasiCtx, mem: &mut [u8], count: u32, buf_size: u32) -> WasiResult {
    let (n, size) = sizes(ctx.env.iter().map(|(k, v)| k.len() + 1 + v.len()))?;
    memory::write_u32(mem, count, n)?;
    memory::write_u32(mem, buf_size, size)
}

/// `proc_exit`: the value the glue must stop the guest with. The status is the guest's
/// `u32` taken as the host's `i32`, as other runtimes do.
pub fn proc_exit(rval: u32) -> ExitCode {
    ExitCode(rval as i32)
}

/// `proc_raise` is deprecated (removed after preview1) and wasi-libc no longer calls it;
/// delivering signals to a guest has no meaning here, so it is `ENOSYS`, as in other
/// runtimes.
pub fn proc_raise(_sig: u32) -> WasiResult {
    Err(Errno::NOSYS)
}

pub fn sched_yield() -> WasiResult {
    std::thread::yield_now();
    Ok(())
}

/// Sockets: preview1 cannot create them, and no socket can be preopened through this
/// crate, so no fd is ever a socket. These check the fd as the spec says: `EBADF` if it
/// is not open, `ENOTSOCK` otherwise.
fn socket(ctx: &WasiCtx, fd: u32) -> WasiResult {
    ctx.fds.get(fd)?;
    Err(Errno::NOTSOCK)
}

pub fn sock_accept(ctx: &mut WasiCtx, _mem: &mut [u8], fd: u32, _flags: u32, _result_fd: u32) -> WasiResult {
    socket(ctx, fd)
}

#[allow(clippy::too_many_arguments)]
pub fn sock_recv(
    ctx: &mut WasiCtx,
    _mem: &mut [u8],
    fd: u32,
    _ri_data: u32,
    _ri_data_len: u32,
    _ri_flags: u32,
    _ro_datalen: u32,
    _ro_flags: u32,
) -> WasiResult {
    socket(ctx, fd)
}

pub fn sock_send(
    ctx: &mut WasiCtx,
    _mem: &mut [u8],
    fd: u32,
    _si_data: u32,
    _si_data_len: u32,
    _si_flags: u32,
    _so_datalen: u32,
) -> WasiResult {
    socket(ctx, fd)
}

pub fn sock_shutdown(ctx: &mut WasiCtx, _mem: &mut [u8], fd: u32, _how: u32) -> WasiResult {
    socket(ctx, fd)
}
