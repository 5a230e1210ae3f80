//! How deep compiled code may go on the native stack: compiled WebAssembly calls are
//! native calls, so the call depth limit alone does not bound the stack they take when
//! frames are large or the thread's stack is small.

/// Room left below the limit for the runtime functions compiled code calls (host
/// functions included, which may call back into WebAssembly).
const RESERVE: usize = 256 << 10;

/// The lowest stack pointer compiled code may call at on this thread.
pub(super) fn limit() -> usize {
    thread_local! {
        static LIMIT: usize = compute();
    }
    LIMIT.with(|limit| *limit)
}

fn compute() -> usize {
    // SAFETY: `attr` is initialized by `pthread_getattr_np` before it is read and
    // destroyed once; the out-pointers point to locals.
    let (low, size) = unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return fallback();
        }
        let mut addr: *mut libc::c_void = std::ptr::null_mut();
        let mut size = 0;
        let got = libc::pthread_attr_getstack(&attr, &mut addr, &mut size);
        libc::pthread_attr_destroy(&mut attr);
        if got != 0 {
            return fallback();
        }
        (addr as usize, size)
    };
    let here = &size as *const usize as usize;
    // The main thread's reported size may be its limit rather than what is mapped;
    // either way the guard pages are at the low end.
    if here < low || here > low + size {
        return fallback();
    }
    low + RESERVE.min(size / 2)
}

/// Without the thread's bounds: 1 MiB below where we are.
fn fallback() -> usize {
    let here = 0usize;
    (&here as *const usize as usize).saturating_sub(1 << 20)
}
