//! WASI preview1 for modules run by Stratus: links the host functions of
//! [`stratus_wasi`] under `wasi_snapshot_preview1`.
//!
//! ```no_run
//! use stratus::{Engine, Linker, Module, Store};
//! use stratus_wasi::{WasiCtx, WasiCtxBuilder};
//!
//! let engine = Engine::default();
//! let module = Module::from_file(&engine, "app.wasm")?;
//! let mut linker = Linker::new(&engine);
//! stratus::wasi::add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx)?;
//! let wasi = WasiCtxBuilder::new().arg("app.wasm").build().expect("preopens");
//! let mut store = Store::new(&engine, wasi);
//! let instance = linker.instantiate(&mut store, &module)?;
//! let start = instance.get_typed_func::<(), ()>(&store, "_start")?;
//! match start.call(&mut store, ()) {
//!     Ok(()) => {}
//!     Err(e) => match stratus::wasi::exit_code(&e) {
//!         Some(code) => std::process::exit(code),
//!         None => return Err(e),
//!     },
//! }
//! # Ok::<(), stratus::Error>(())
//! ```

use stratus_wasi::{Errno, ExitCode, WasiCtx, WasiResult};

use crate::{Caller, Error, Linker};

/// The import module name of WASI preview1.
pub const MODULE: &str = "wasi_snapshot_preview1";

/// The exit status a guest asked for with `proc_exit`, if that is what stopped it.
pub fn exit_code(error: &Error) -> Option<i32> {
    error.downcast_ref::<ExitCode>().map(|code| code.0)
}

/// Runs `f` on the guest's WASI state and its exported `memory`, and turns the outcome
/// into the errno the ABI returns. A guest without a memory export gets an empty memory,
/// so functions that need none still work and the others fail with `EFAULT`.
fn call<T>(
    caller: &mut Caller<'_, T>,
    get: impl Fn(&mut T) -> &mut WasiCtx,
    f: impl FnOnce(&mut WasiCtx, &mut [u8]) -> WasiResult,
) -> i32 {
    let outcome = match caller.get_export("memory").and_then(|e| e.into_memory()) {
        Some(memory) => {
            let (mem, data) = memory.data_and_store_mut(caller);
            f(get(data), mem)
        }
        None => f(get(caller.data_mut()), &mut []),
    };
    match outcome {
        Ok(()) => 0,
        Err(Errno(errno)) => i32::from(errno),
    }
}

/// Defines every function of `wasi_snapshot_preview1` in `linker`. `get` finds the
/// [`WasiCtx`] in the store's data.
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: impl Fn(&mut T) -> &mut WasiCtx + Send + Sync + Copy + 'static,
) -> Result<(), Error> {
    use stratus_wasi as w;

    // Each function: its name, its parameters as the ABI has them, and the call.
    macro_rules! define {
        ($($name:ident ($($arg:ident : $ty:ty),*) => |$ctx:ident, $mem:ident| $body:expr;)*) => {
            $(
                linker.func_wrap(MODULE, stringify!($name),
                    move |mut caller: Caller<'_, T>, $($arg: $ty),*| -> i32 {
                        #[allow(unused_variables)]
                        call(&mut caller, get, |$ctx, $mem| $body)
                    })?;
            )*
        };
    }

    define! {
        args_get(argv: u32, buf: u32) => |ctx, mem| w::args_get(ctx, mem, argv, buf);
        args_sizes_get(argc: u32, size: u32) => |ctx, mem| w::args_sizes_get(ctx, mem, argc, size);
        environ_get(env: u32, buf: u32) => |ctx, mem| w::environ_get(ctx, mem, env, buf);
        environ_sizes_get(n: u32, size: u32) => |ctx, mem| w::environ_sizes_get(ctx, mem, n, size);
        clock_res_get(id: u32, res: u32) => |ctx, mem| w::clock_res_get(mem, id, res);
        clock_time_get(id: u32, precision: u64, time: u32) =>
            |ctx, mem| w::clock_time_get(ctx, mem, id, precision, time);
        fd_advise(fd: u32, offset: u64, len: u64, advice: u32) =>
            |ctx, mem| w::fd_advise(ctx, fd, offset, len, advice);
        fd_allocate(fd: u32, offset: u64, len: u64) => |ctx, mem| w::fd_allocate(ctx, fd, offset, len);
        fd_close(fd: u32) => |ctx, mem| w::fd_close(ctx, fd);
        fd_datasync(fd: u32) => |ctx, mem| w::fd_datasync(ctx, fd);
        fd_fdstat_get(fd: u32, buf: u32) => |ctx, mem| w::fd_fdstat_get(ctx, mem, fd, buf);
        fd_fdstat_set_flags(fd: u32, flags: u32) => |ctx, mem| w::fd_fdstat_set_flags(ctx, fd, flags);
        fd_fdstat_set_rights(fd: u32, base: u64, inheriting: u64) =>
            |ctx, mem| w::fd_fdstat_set_rights(ctx, fd, base, inheriting);
        fd_filestat_get(fd: u32, buf: u32) => |ctx, mem| w::fd_filestat_get(ctx, mem, fd, buf);
        fd_filestat_set_size(fd: u32, size: u64) => |ctx, mem| w::fd_filestat_set_size(ctx, fd, size);
        fd_filestat_set_times(fd: u32, atim: u64, mtim: u64, flags: u32) =>
            |ctx, mem| w::fd_filestat_set_times(ctx, fd, atim, mtim, flags);
        fd_pread(fd: u32, iovs: u32, n: u32, offset: u64, nread: u32) =>
            |ctx, mem| w::fd_pread(ctx, mem, fd, iovs, n, offset, nread);
        fd_prestat_get(fd: u32, buf: u32) => |ctx, mem| w::fd_prestat_get(ctx, mem, fd, buf);
        fd_prestat_dir_name(fd: u32, path: u32, len: u32) =>
            |ctx, mem| w::fd_prestat_dir_name(ctx, mem, fd, path, len);
        fd_pwrite(fd: u32, iovs: u32, n: u32, offset: u64, nwritten: u32) =>
            |ctx, mem| w::fd_pwrite(ctx, mem, fd, iovs, n, offset, nwritten);
        fd_read(fd: u32, iovs: u32, n: u32, nread: u32) => |ctx, mem| w::fd_read(ctx, mem, fd, iovs, n, nread);
        fd_readdir(fd: u32, buf: u32, len: u32, cookie: u64, used: u32) =>
            |ctx, mem| w::fd_readdir(ctx, mem, fd, buf, len, cookie, used);
        fd_renumber(from: u32, to: u32) => |ctx, mem| w::fd_renumber(ctx, from, to);
        fd_seek(fd: u32, offset: i64, whence: u32, new: u32) =>
            |ctx, mem| w::fd_seek(ctx, mem, fd, offset, whence, new);
        fd_sync(fd: u32) => |ctx, mem| w::fd_sync(ctx, fd);
        fd_tell(fd: u32, offset: u32) => |ctx, mem| w::fd_tell(ctx, mem, fd, offset);
        fd_write(fd: u32, iovs: u32, n: u32, nwritten: u32) =>
            |ctx, mem| w::fd_write(ctx, mem, fd, iovs, n, nwritten);
        path_create_directory(fd: u32, path: u32, len: u32) =>
            |ctx, mem| w::path_create_directory(ctx, mem, fd, path, len);
        path_filestat_get(fd: u32, flags: u32, path: u32, len: u32, buf: u32) =>
            |ctx, mem| w::path_filestat_get(ctx, mem, fd, flags, path, len, buf);
        path_filestat_set_times(fd: u32, flags: u32, path: u32, len: u32, atim: u64, mtim: u64, fst: u32) =>
            |ctx, mem| w::path_filestat_set_times(ctx, mem, fd, flags, path, len, atim, mtim, fst);
        path_link(old_fd: u32, old_flags: u32, old: u32, old_len: u32, new_fd: u32, new: u32, new_len: u32) =>
            |ctx, mem| w::path_link(ctx, mem, old_fd, old_flags, old, old_len, new_fd, new, new_len);
        path_open(fd: u32, dirflags: u32, path: u32, len: u32, oflags: u32, base: u64, inheriting: u64,
                  fdflags: u32, opened: u32) =>
            |ctx, mem| w::path_open(ctx, mem, fd, dirflags, path, len, oflags, base, inheriting, fdflags, opened);
        path_readlink(fd: u32, path: u32, len: u32, buf: u32, buf_len: u32, used: u32) =>
            |ctx, mem| w::path_readlink(ctx, mem, fd, path, len, buf, buf_len, used);
        path_remove_directory(fd: u32, path: u32, len: u32) =>
            |ctx, mem| w::path_remove_directory(ctx, mem, fd, path, len);
        path_rename(fd: u32, old: u32, old_len: u32, new_fd: u32, new: u32, new_len: u32) =>
            |ctx, mem| w::path_rename(ctx, mem, fd, old, old_len, new_fd, new, new_len);
        path_symlink(old: u32, old_len: u32, fd: u32, new: u32, new_len: u32) =>
            |ctx, mem| w::path_symlink(ctx, mem, old, old_len, fd, new, new_len);
        path_unlink_file(fd: u32, path: u32, len: u32) => |ctx, mem| w::path_unlink_file(ctx, mem, fd, path, len);
        poll_oneoff(subs: u32, events: u32, n: u32, nevents: u32) =>
            |ctx, mem| w::poll_oneoff(ctx, mem, subs, events, n, nevents);
        proc_raise(sig: u32) => |ctx, mem| w::proc_raise(sig);
        sched_yield() => |ctx, mem| w::sched_yield();
        random_get(buf: u32, len: u32) => |ctx, mem| w::random_get(mem, buf, len);
        sock_accept(fd: u32, flags: u32, result: u32) => |ctx, mem| w::sock_accept(ctx, mem, fd, flags, result);
        sock_recv(fd: u32, data: u32, data_len: u32, flags: u32, len_out: u32, flags_out: u32) =>
            |ctx, mem| w::sock_recv(ctx, mem, fd, data, data_len, flags, len_out, flags_out);
        sock_send(fd: u32, data: u32, data_len: u32, flags: u32, len_out: u32) =>
            |ctx, mem| w::sock_send(ctx, mem, fd, data, data_len, flags, len_out);
        sock_shutdown(fd: u32, how: u32) => |ctx, mem| w::sock_shutdown(ctx, mem, fd, how);
    }
    // proc_exit does not return: the error carries the status out to the embedder.
    linker.func_wrap(MODULE, "proc_exit", |_: Caller<'_, T>, code: u32| -> Result<(), Error> {
        Err(Error::host(w::proc_exit(code)))
    })?;
    Ok(())
}

// The guest is written in the text format.
#[cfg(all(test, feature = "wat"))]
mod tests {
    use stratus_wasi::{Capture, Output, WasiCtxBuilder};

    use crate::{Engine, Linker, Module, Store};

    /// A module that prints through `fd_write`, checks an errno, then exits with 7.
    const HELLO: &str = r#"(module
      (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (data (i32.const 16) "hi\n")
      (func (export "_start")
        (i32.store (i32.const 0) (i32.const 16))
        (i32.store (i32.const 4) (i32.const 3))
        (if (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))
          (then unreachable))
        ;; An iovec array past the end of memory is EFAULT (21), not a trap.
        (if (i32.ne (call $write (i32.const 1) (i32.const 65535) (i32.const 1) (i32.const 8)) (i32.const 21))
          (then unreachable))
        (call $exit (i32.const 7))
        unreachable))"#;

    #[test]
    fn runs_a_guest_and_reports_its_exit_code() {
        let engine = Engine::default();
        let module = Module::new(&engine, HELLO).unwrap();
        let mut linker = Linker::new(&engine);
        super::add_to_linker(&mut linker, |ctx| ctx).unwrap();
        let out = Capture::new();
        let ctx = WasiCtxBuilder::new().arg("hello").stdout(Output::Capture(out.clone())).build().unwrap();
        let mut store = Store::new(&engine, ctx);
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let start = instance.get_typed_func::<(), ()>(&store, "_start").unwrap();
        let error = start.call(&mut store, ()).unwrap_err();
        assert_eq!(super::exit_code(&error), Some(7), "{error}");
        assert_eq!(out.contents(), b"hi\n");
    }

    /// With several memories, WASI reads and writes the one exported as `memory`, here
    /// memory 1; memory 0 holds other bytes at the same addresses.
    #[test]
    fn uses_the_memory_exported_as_memory() {
        let text = r#"(module
          (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
          (memory $other 1)
          (memory $io (export "memory") 1)
          (data (memory $other) (i32.const 16) "no\n")
          (data (memory $io) (i32.const 16) "yes\n")
          (func (export "_start")
            (i32.store $io (i32.const 0) (i32.const 16))
            (i32.store $io (i32.const 4) (i32.const 4))
            (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#;
        let engine = Engine::default();
        let module = Module::new(&engine, text).unwrap();
        let mut linker = Linker::new(&engine);
        super::add_to_linker(&mut linker, |ctx| ctx).unwrap();
        let out = Capture::new();
        let ctx = WasiCtxBuilder::new().stdout(Output::Capture(out.clone())).build().unwrap();
        let mut store = Store::new(&engine, ctx);
        let instance = linker.instantiate(&mut store, &module).unwrap();
        instance.get_typed_func::<(), ()>(&store, "_start").unwrap().call(&mut store, ()).unwrap();
        assert_eq!(out.contents(), b"yes\n");
    }
}
