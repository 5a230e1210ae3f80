//! Faults in compiled code: the SIGSEGV and SIGBUS handlers.
//!
//! A 32-bit linear memory reserves 4 GiB plus a guard region, so compiled code accesses
//! it without a bounds check: an address out of bounds lands in the guard and faults.
//! Each region of compiled code [`register`]s a [`FaultMap`] that knows which of its
//! instructions are such accesses. When one of them faults, the handler sets the
//! instruction pointer to the map's [`Landing`] (a stub that leaves for the driver with
//! the out-of-bounds trap at the right bytecode position) and its two arguments in the
//! first two argument registers, and returns: the thread continues there, every other
//! register as it was at the faulting instruction.
//!
//! Every other fault is none of ours, and goes where it would have gone without us:
//!
//! - A handler that was installed before ours (Rust's standard library installs one on
//!   the main thread and its own threads, which reports stack overflows) is called
//!   with the same arguments, under its own signal mask; its `SA_RESETHAND` is honoured.
//! - The default action is restored, and the fault re-occurs when the handler returns
//!   and kills the process as before. (A signal sent with `kill` does not re-occur, so
//!   it is raised again.)
//! - An ignored SIGSEGV or SIGBUS caused by a fault kills the process, as the kernel
//!   does when it cannot deliver one; one sent with `kill` stays ignored.
//!
//! Only faults the kernel reports (`si_code > 0`) are looked up: a SIGSEGV sent with
//! `kill` while a thread happens to be at a guarded access is not an access fault.
//!
//! # The registry
//!
//! The handler must find the maps without taking a lock and without allocating: the
//! faulting thread may be anywhere, also inside `register` or the allocator. So the
//! maps live in an immutable snapshot (a boxed `Snapshot`) that the handler reads
//! through one [`AtomicPtr`]. [`register`] and dropping a [`Registration`] build a new
//! snapshot under a mutex (copy on write), swap it in, and free the old one only once
//! no handler can still be reading it: a handler counts itself in `READERS` before it
//! loads the pointer and out after its last use of the snapshot, and the writer waits
//! for that count to be zero after the swap. With sequentially consistent operations
//! this is enough: a handler whose increment comes before the writer's read of the
//! count keeps the count above zero until it is done; one whose increment comes after
//! loads the pointer after the swap, so it sees the new snapshot. Leaking the old
//! snapshots instead would have been simpler, but they hold the maps, and the maps
//! (through their owners) the compiled code, which must be freed with its module.
//!
//! The writer's wait is short (handlers do a few comparisons and one `landing` call) and
//! can never wait on itself: a handler never takes the mutex nor waits, so a thread that
//! faults while it is a writer still finishes its handler. A writer could in principle
//! be held off by threads faulting back to back without pause; faults that land are
//! traps, which are rare and slow by nature.
//!
//! # Limits
//!
//! - The handler runs on the alternate signal stack when the thread has one (Rust's
//!   standard library gives one to the main thread and to threads it spawns; other
//!   threads run it on their own stack, which is fine for a guard fault, but such a
//!   thread's stack overflow is not reported by anyone, with or without us).
//! - [`FaultMap::landing`] runs inside the signal handler: it must not allocate, lock,
//!   block, panic, or register or drop registrations.
//! - A handler installed after ours by someone else replaces ours; if it does not chain
//!   to the previous one, guard faults in compiled code crash the process.
//!
//! Linux on x86-64 and on AArch64 is handled here, for every back-end. Everything that
//! depends on the instruction set and the layout of `ucontext_t` is in `machine`: on
//! x86-64 the handler reads rip and writes rip, rdi and rsi; on AArch64 it reads pc and
//! writes pc, x0 and x1.

use std::ffi::{c_int, c_void};
use std::mem::MaybeUninit;
use std::ops::Range;
use std::ptr;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once, PoisonError};

/// Where a fault in compiled code continues: the handler sets the instruction pointer
/// to `resume_at` and the first two argument registers (rdi, rsi on x86-64; x0, x1 on
/// AArch64) to `args`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Landing {
    pub resume_at: usize,
    pub args: [u64; 2],
}

/// A region of compiled code that knows which of its instructions may fault on purpose.
pub trait FaultMap: Send + Sync {
    /// The code addresses it covers. Read once, by [`register`].
    fn code_range(&self) -> Range<usize>;
    /// The landing for a fault at instruction address `pc`, if `pc` is an access that may
    /// fault on purpose (a memory access checked by the guard region).
    ///
    /// Called from the signal handler, for a `pc` inside [`FaultMap::code_range`]: it must
    /// not allocate, take locks, block or panic, nor register or drop registrations.
    fn landing(&self, pc: usize) -> Option<Landing>;
}

/// Keeps a map registered until dropped.
#[derive(Debug)]
#[must_use = "the map is unregistered when the Registration is dropped"]
pub struct Registration {
    id: u64,
}

/// Registers `map`; installs the handlers the first time (idempotent, thread-safe).
///
/// From when this returns until the [`Registration`] is dropped, a SIGSEGV or SIGBUS at
/// an instruction `pc` in `map.code_range()` (as it was when registered) for which
/// `map.landing(pc)` is `Some` continues at that landing. Ranges of different maps may
/// overlap; the first map that has a landing for `pc` wins.
pub fn register(map: Arc<dyn FaultMap>) -> Registration {
    INSTALL.call_once(install_handlers);
    let range = map.code_range();
    let mut writer = WRITER.lock().unwrap_or_else(PoisonError::into_inner);
    writer.next_id += 1;
    let id = writer.next_id;
    let mut entries = current_entries(&writer);
    entries.push(Entry { range, id, map });
    let old = publish(&writer, entries);
    drop(writer);
    retire(old);
    Registration { id }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let writer = WRITER.lock().unwrap_or_else(PoisonError::into_inner);
        let mut entries = current_entries(&writer);
        entries.retain(|entry| entry.id != self.id);
        let old = publish(&writer, entries);
        drop(writer);
        // The map itself may be dropped here, outside the mutex, so that its own drop
        // can register or unregister others.
        retire(old);
    }
}

/// One registered map.
#[derive(Clone)]
struct Entry {
    range: Range<usize>,
    id: u64,
    map: Arc<dyn FaultMap>,
}

/// The registered maps, never changed once published.
struct Snapshot {
    entries: Vec<Entry>,
}

/// The current snapshot; null when no map is registered. Only writers (holding
/// [`WRITER`]) replace it; only [`retire`] frees a replaced one.
static SNAPSHOT: AtomicPtr<Snapshot> = AtomicPtr::new(ptr::null_mut());

/// How many signal handlers may be reading a snapshot right now.
static READERS: AtomicUsize = AtomicUsize::new(0);

/// Serializes the writers: `register` and `Registration::drop`.
static WRITER: Mutex<WriterState> = Mutex::new(WriterState { next_id: 0 });

struct WriterState {
    next_id: u64,
}

/// A copy of the current entries, to build the next snapshot from.
fn current_entries(_writer: &WriterState) -> Vec<Entry> {
    let current = SNAPSHOT.load(Ordering::SeqCst);
    if current.is_null() {
        return Vec::new();
    }
    // SAFETY: `current` came from `Box::into_raw` in `publish`. A snapshot is freed
    // only by `retire`, after a writer replaced it; we are the writer (the caller holds
    // `WRITER`, which `_writer` borrows from), so `current` stays alive while we read it.
    let snapshot = unsafe { &*current };
    snapshot.entries.clone()
}

/// Makes `entries` the current snapshot; returns the one it replaces, for [`retire`].
fn publish(_writer: &WriterState, entries: Vec<Entry>) -> *mut Snapshot {
    let new =
        if entries.is_empty() { ptr::null_mut() } else { Box::into_raw(Box::new(Snapshot { entries })) };
    SNAPSHOT.swap(new, Ordering::SeqCst)
}

/// Frees a snapshot that is no longer current, once no signal handler can be reading it.
fn retire(old: *mut Snapshot) {
    if old.is_null() {
        return;
    }
    // A handler that loaded `old` counted itself in before (see `lookup`); one that
    // counts itself in from now on loads the new pointer.
    while READERS.load(Ordering::SeqCst) != 0 {
        std::thread::yield_now();
    }
    // SAFETY: `old` came from `Box::into_raw` in `publish` and has been swapped out of
    // `SNAPSHOT`, so no writer reads it any more and it is retired exactly once (by the
    // writer that swapped it out). Every handler that could have loaded it has finished
    // with it: READERS was zero after the swap (reasoning in the module documentation).
    drop(unsafe { Box::from_raw(old) });
}

/// The landing for a fault in `signal_info` at the instruction in `context`, if one of
/// the registered maps has one. Async-signal-safe: no locks, no allocation.
///
/// # Safety
///
/// `signal_info` and `context` must be the `siginfo_t` and `ucontext_t` of a signal
/// delivered to this thread (or point to such structures built for a test).
unsafe fn lookup(signal_info: *const libc::siginfo_t, context: *mut c_void) -> Option<Landing> {
    // SAFETY: the caller passes a valid `siginfo_t`.
    let code = unsafe { (*signal_info).si_code };
    if code <= 0 {
        // Sent by a process (kill, tgkill, sigqueue: SI_USER and the negative codes), not
        // by a fault: the instruction pointer says nothing about it.
        return None;
    }
    // SAFETY: the caller passes a valid `ucontext_t`.
    let pc = unsafe { machine::fault_pc(context) };
    READERS.fetch_add(1, Ordering::SeqCst);
    let current = SNAPSHOT.load(Ordering::SeqCst);
    let landing = if current.is_null() {
        None
    } else {
        // SAFETY: `current` came from `Box::into_raw` in `publish`. We counted ourselves
        // in READERS before loading it, so `retire` does not free it until we count
        // ourselves out below, after the last use of `snapshot`.
        let snapshot = unsafe { &*current };
        // A linear scan: there is a map per compiled module, and a fault that lands is
        // a trap, far slower than this.
        snapshot
            .entries
            .iter()
            .filter(|entry| entry.range.contains(&pc))
            .find_map(|entry| entry.map.landing(pc))
    };
    READERS.fetch_sub(1, Ordering::SeqCst);
    landing
}

/// The handler for SIGSEGV and SIGBUS.
///
/// A panic cannot unwind out of it: it is `extern "C"`, so a panic aborts the process.
extern "C" fn on_fault(signal: c_int, signal_info: *mut libc::siginfo_t, context: *mut c_void) {
    // SAFETY: the kernel calls this handler (installed with SA_SIGINFO) with the signal's
    // `siginfo_t` and the interrupted thread's `ucontext_t`.
    if let Some(landing) = unsafe { lookup(signal_info, context) } {
        // SAFETY: as above; the context is the one the thread resumes from when the
        // handler returns, and the map vouched that `landing` is where a fault at this
        // instruction continues.
        unsafe { machine::redirect(context, &landing) };
        return;
    }
    // SAFETY: the arguments are those the kernel passed to this handler.
    unsafe { chain(signal, signal_info, context) }
}

/// Hands a fault that is not ours to what was there before our handler.
///
/// # Safety
///
/// Only from `on_fault`, with its arguments.
unsafe fn chain(signal: c_int, signal_info: *mut libc::siginfo_t, context: *mut c_void) {
    let previous = previous_action(signal);
    // SAFETY: the kernel passed a valid `siginfo_t`.
    let from_fault = unsafe { (*signal_info).si_code } > 0;
    match previous.sa_sigaction {
        libc::SIG_DFL => {
            set_action(signal, &previous);
            if !from_fault {
                // A fault re-occurs when the handler returns; a signal sent by a process
                // does not, so send it again. SA_NODEFER leaves it unblocked: the
                // default action takes place at once.
                // SAFETY: raise is async-signal-safe and has no memory preconditions.
                unsafe { libc::raise(signal) };
            }
        }
        libc::SIG_IGN => {
            if from_fault {
                // The kernel does not let a fault be ignored: it kills the process.
                set_action(signal, &default_action());
            }
        }
        handler => {
            if previous.sa_flags & libc::SA_RESETHAND != 0 {
                set_action(signal, &default_action());
            }
            // The mask the kernel would have applied while the previous handler runs.
            let mut mask = previous.sa_mask;
            let mut saved_mask = MaybeUninit::<libc::sigset_t>::uninit();
            // SAFETY: `mask` and `saved_mask` are live sigset_t the calls write; the
            // signal number is valid. Both calls are async-signal-safe on Linux.
            unsafe {
                if previous.sa_flags & libc::SA_NODEFER == 0 {
                    libc::sigaddset(&mut mask, signal);
                }
                libc::pthread_sigmask(libc::SIG_BLOCK, &mask, saved_mask.as_mut_ptr());
            }
            if previous.sa_flags & libc::SA_SIGINFO != 0 {
                // SAFETY: with SA_SIGINFO, sa_sigaction holds a handler of this type (its
                // installer declared so), and it gets the arguments the kernel gave us.
                let handler: extern "C" fn(c_int, *mut libc::siginfo_t, *mut c_void) =
                    unsafe { std::mem::transmute(handler) };
                handler(signal, signal_info, context);
            } else {
                // SAFETY: without SA_SIGINFO, sa_sigaction holds a plain handler
                // (`sa_handler` shares its storage), neither SIG_DFL nor SIG_IGN here.
                let handler: extern "C" fn(c_int) = unsafe { std::mem::transmute(handler) };
                handler(signal);
            }
            // SAFETY: `saved_mask` was written by the pthread_sigmask call above.
            unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, saved_mask.as_ptr(), ptr::null_mut()) };
        }
    }
}

/// The actions our handler replaced, for SIGSEGV and SIGBUS. Each points to a leaked
/// `sigaction` (two, or four if another thread raced us at install: see
/// `install_handlers`); null only before the handler is installed.
static PREVIOUS: [AtomicPtr<libc::sigaction>; 2] =
    [AtomicPtr::new(ptr::null_mut()), AtomicPtr::new(ptr::null_mut())];

/// The signals we handle, with their slot in [`PREVIOUS`].
const SIGNALS: [c_int; 2] = [libc::SIGSEGV, libc::SIGBUS];

static INSTALL: Once = Once::new();

fn default_action() -> libc::sigaction {
    // SAFETY: sigaction is a plain C struct for which all-zero bytes are valid: handler
    // SIG_DFL (0), no flags, empty mask, no restorer.
    unsafe { MaybeUninit::<libc::sigaction>::zeroed().assume_init() }
}

/// The action before ours for `signal` (SIG_DFL if, impossibly, there is none yet).
fn previous_action(signal: c_int) -> libc::sigaction {
    let slot = SIGNALS.iter().position(|&s| s == signal);
    let previous = slot.map_or(ptr::null_mut(), |slot| PREVIOUS[slot].load(Ordering::Acquire));
    if previous.is_null() {
        return default_action();
    }
    // SAFETY: non-null pointers in PREVIOUS come from `Box::into_raw` in
    // `install_handlers` and are never freed.
    unsafe { *previous }
}

/// Sets the action for `signal`. Async-signal-safe.
fn set_action(signal: c_int, action: &libc::sigaction) {
    // SAFETY: `action` is a valid sigaction; no old action is asked for.
    unsafe { libc::sigaction(signal, action, ptr::null_mut()) };
}

/// Installs `on_fault` for SIGSEGV and SIGBUS, keeping the actions it replaces.
fn install_handlers() {
    for (slot, &signal) in SIGNALS.iter().enumerate() {
        // The previous action is stored before ours is installed, so that the handler
        // always finds it (a signal may arrive at once, on any thread).
        let mut before = default_action();
        // SAFETY: `before` is a valid sigaction to write the current action into.
        let status = unsafe { libc::sigaction(signal, ptr::null(), &mut before) };
        assert_eq!(status, 0, "sigaction({signal}) failed: {}", std::io::Error::last_os_error());
        PREVIOUS[slot].store(Box::into_raw(Box::new(before)), Ordering::Release);

        let mut ours = default_action();
        ours.sa_sigaction = on_fault as *const () as libc::sighandler_t;
        // SA_SIGINFO: we need the context. SA_ONSTACK: run on the alternate stack if the
        // thread has one, so that a stack overflow still reaches the previous handler.
        // SA_NODEFER: the handler is reentrant and never relies on the signal being
        // blocked; a fault inside it (a faulty map) goes through the same chaining, and
        // a signal raised again by `chain` is delivered at once.
        ours.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
        let mut displaced = default_action();
        // SAFETY: `ours` is a valid sigaction whose handler has the SA_SIGINFO signature;
        // `displaced` is a valid sigaction to write the old action into.
        let status = unsafe { libc::sigaction(signal, &ours, &mut displaced) };
        assert_eq!(status, 0, "sigaction({signal}) failed: {}", std::io::Error::last_os_error());
        if displaced.sa_sigaction != before.sa_sigaction || displaced.sa_flags != before.sa_flags {
            // Someone installed a handler between our two calls: chain to that one. The
            // first record is leaked, as are both, by design.
            PREVIOUS[slot].store(Box::into_raw(Box::new(displaced)), Ordering::Release);
        }
    }
}

/// What depends on the instruction set and the layout of `ucontext_t`.
#[cfg(target_arch = "x86_64")]
mod machine {
    use super::Landing;
    use std::ffi::c_void;

    /// The address of the instruction that faulted.
    ///
    /// # Safety
    ///
    /// `context` points to a valid `ucontext_t`.
    pub(super) unsafe fn fault_pc(context: *mut c_void) -> usize {
        let context = context.cast::<libc::ucontext_t>();
        // SAFETY: the caller guarantees `context` is a valid ucontext_t.
        unsafe { (*context).uc_mcontext.gregs[libc::REG_RIP as usize] as usize }
    }

    /// Makes the thread continue at `landing` when the handler returns: rip, and the
    /// first two System V argument registers, rdi and rsi.
    ///
    /// # Safety
    ///
    /// `context` points to a valid `ucontext_t` that the thread will resume from.
    pub(super) unsafe fn redirect(context: *mut c_void, landing: &Landing) {
        let context = context.cast::<libc::ucontext_t>();
        // SAFETY: the caller guarantees `context` is a valid, writable ucontext_t.
        let registers = unsafe { &mut (*context).uc_mcontext.gregs };
        registers[libc::REG_RIP as usize] = landing.resume_at as libc::greg_t;
        registers[libc::REG_RDI as usize] = landing.args[0] as libc::greg_t;
        registers[libc::REG_RSI as usize] = landing.args[1] as libc::greg_t;
    }
}

/// What depends on the instruction set and the layout of `ucontext_t`: the kernel's
/// `struct sigcontext` (`fault_address`, `regs[31]`, `sp`, `pc`, `pstate`, then the
/// extension records), which glibc's `mcontext_t` and the libc crate's mirror.
#[cfg(target_arch = "aarch64")]
mod machine {
    use super::Landing;
    use std::ffi::c_void;

    /// The address of the instruction that faulted.
    ///
    /// # Safety
    ///
    /// `context` points to a valid `ucontext_t`.
    pub(super) unsafe fn fault_pc(context: *mut c_void) -> usize {
        let context = context.cast::<libc::ucontext_t>();
        // SAFETY: the caller guarantees `context` is a valid ucontext_t.
        unsafe { (*context).uc_mcontext.pc as usize }
    }

    /// Makes the thread continue at `landing` when the handler returns: pc, and the
    /// first two AAPCS64 argument registers, x0 and x1.
    ///
    /// # Safety
    ///
    /// `context` points to a valid `ucontext_t` that the thread will resume from.
    pub(super) unsafe fn redirect(context: *mut c_void, landing: &Landing) {
        let context = context.cast::<libc::ucontext_t>();
        // SAFETY: the caller guarantees `context` is a valid, writable ucontext_t.
        let machine = unsafe { &mut (*context).uc_mcontext };
        machine.pc = landing.resume_at as u64;
        machine.regs[0] = landing.args[0];
        machine.regs[1] = landing.args[1];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dynasmrt::{AssemblyOffset, DynasmApi, ExecutableBuffer, dynasm};
    use std::hint::black_box;
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Output};
    use std::sync::Barrier;
    use std::sync::atomic::{AtomicBool, AtomicUsize};

    const MARKER: u64 = 0x5afe_1a4d_1a4d_5afe;

    /// One of the test functions: takes an address and returns a u64 (in rax on
    /// x86-64, x0 on AArch64).
    type Load = extern "C" fn(*const u8) -> u64;

    /// Two functions that load a u64 from their argument, and a landing stub. None of
    /// them touches the stack (nor, on AArch64, the link register), so at a fault the
    /// return address is where the caller left it and the stub can return to the caller.
    struct Code {
        buffer: ExecutableBuffer,
        /// Loads from `[arg]`: its load is listed in the map.
        checked: AssemblyOffset,
        /// Loads from `[arg + 8]`: inside the map's range, but not listed.
        unchecked: AssemblyOffset,
        /// Returns the landing's first argument to the caller.
        stub: AssemblyOffset,
    }

    impl Code {
        #[cfg(target_arch = "x86_64")]
        fn new() -> Code {
            let mut ops = dynasmrt::x64::Assembler::new().unwrap();
            let checked = ops.offset();
            dynasm!(ops
                ; .arch x64
                ; mov rax, QWORD [rdi]
                ; ret
            );
            let unchecked = ops.offset();
            dynasm!(ops
                ; .arch x64
                ; mov rax, QWORD [rdi + 8]
                ; ret
            );
            let stub = ops.offset();
            dynasm!(ops
                ; .arch x64
                ; mov rax, rdi
                ; ret
            );
            let buffer = ops.finalize().unwrap();
            Code { buffer, checked, unchecked, stub }
        }

        #[cfg(target_arch = "aarch64")]
        fn new() -> Code {
            let mut ops = dynasmrt::aarch64::Assembler::new().unwrap();
            let checked = ops.offset();
            dynasm!(ops
                ; .arch aarch64
                ; ldr x0, [x0]
                ; ret
            );
            let unchecked = ops.offset();
            dynasm!(ops
                ; .arch aarch64
                ; ldr x0, [x0, #8]
                ; ret
            );
            // The first argument register is also the result register.
            let stub = ops.offset();
            dynasm!(ops
                ; .arch aarch64
                ; ret
            );
            let buffer = ops.finalize().unwrap();
            Code { buffer, checked, unchecked, stub }
        }

        fn address(&self, offset: AssemblyOffset) -> usize {
            self.buffer.ptr(offset) as usize
        }

        fn function(&self, offset: AssemblyOffset) -> Load {
            // SAFETY: at `offset` the buffer (executable, alive as long as `self`) holds a
            // function with the C calling convention that takes one pointer and returns
            // a u64.
            unsafe { std::mem::transmute::<*const u8, Load>(self.buffer.ptr(offset)) }
        }

        fn checked(&self) -> Load {
            self.function(self.checked)
        }

        fn unchecked(&self) -> Load {
            self.function(self.unchecked)
        }

        /// The map of this code: the checked load lands on the stub with `[MARKER, 0]`.
        fn map(&self) -> Arc<TestMap> {
            let start = self.address(AssemblyOffset(0));
            Arc::new(TestMap {
                range: start..start + self.buffer.len(),
                load: self.address(self.checked),
                landing: Landing { resume_at: self.address(self.stub), args: [MARKER, 0] },
                lookups: AtomicUsize::new(0),
            })
        }
    }

    struct TestMap {
        range: Range<usize>,
        load: usize,
        landing: Landing,
        lookups: AtomicUsize,
    }

    impl FaultMap for TestMap {
        fn code_range(&self) -> Range<usize> {
            self.range.clone()
        }

        fn landing(&self, pc: usize) -> Option<Landing> {
            self.lookups.fetch_add(1, Ordering::Relaxed);
            (pc == self.load).then_some(self.landing)
        }
    }

    /// A map of nothing, to register and drop while other threads fault.
    struct EmptyMap;

    impl FaultMap for EmptyMap {
        fn code_range(&self) -> Range<usize> {
            0..0
        }

        fn landing(&self, _pc: usize) -> Option<Landing> {
            None
        }
    }

    /// Anonymous memory, unmapped on drop.
    struct Mapping {
        base: *mut u8,
        len: usize,
    }

    // SAFETY: the mapping is plain memory; the tests only pass its address around.
    unsafe impl Send for Mapping {}
    // SAFETY: as above; nothing is written through a shared Mapping.
    unsafe impl Sync for Mapping {}

    impl Mapping {
        /// A page no access is allowed to: a guard region.
        fn guard() -> Mapping {
            let len = page_size();
            // SAFETY: a fresh anonymous mapping at an address of the kernel's choosing
            // touches no existing memory.
            let base = unsafe {
                libc::mmap(
                    ptr::null_mut(),
                    len,
                    libc::PROT_NONE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                    -1,
                    0,
                )
            };
            assert_ne!(base, libc::MAP_FAILED, "mmap: {}", std::io::Error::last_os_error());
            Mapping { base: base.cast(), len }
        }

        /// A readable page of an empty file: reading it raises SIGBUS (past end of file).
        fn past_end_of_file() -> Mapping {
            let len = page_size();
            // SAFETY: the name is a NUL-terminated string; the flags are valid.
            let fd = unsafe { libc::memfd_create(c"stratus-sigbus".as_ptr(), libc::MFD_CLOEXEC) };
            assert!(fd >= 0, "memfd_create: {}", std::io::Error::last_os_error());
            // SAFETY: a fresh shared mapping of our own file at an address of the kernel's
            // choosing touches no existing memory.
            let base = unsafe { libc::mmap(ptr::null_mut(), len, libc::PROT_READ, libc::MAP_SHARED, fd, 0) };
            assert_ne!(base, libc::MAP_FAILED, "mmap: {}", std::io::Error::last_os_error());
            // SAFETY: `fd` is ours; the mapping keeps the file alive.
            unsafe { libc::close(fd) };
            Mapping { base: base.cast(), len }
        }

        fn ptr(&self) -> *const u8 {
            self.base
        }
    }

    impl Drop for Mapping {
        fn drop(&mut self) {
            // SAFETY: `base..base + len` is the mapping the constructor made, and nothing
            // refers to it any more.
            unsafe { libc::munmap(self.base.cast(), self.len) };
        }
    }

    fn page_size() -> usize {
        // SAFETY: sysconf has no memory preconditions.
        usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap()
    }

    /// Writes to a PROT_NONE page from Rust code, outside every map.
    fn fault_in_rust(guard: &Mapping) {
        // SAFETY: the page is PROT_NONE, so the write faults before it changes any memory;
        // the child processes that call this are meant to die of the fault.
        unsafe { ptr::write_volatile(guard.base, 1) };
    }

    const CHILD: &str = "STRATUS_SIGNALS_CHILD";

    /// Runs the test `name` again, in a child process, where `child` runs instead
    /// (and the process exits 0 if `child` returns). In the parent, returns how the
    /// child ended.
    fn in_child(name: &str, child: impl FnOnce()) -> Output {
        if std::env::var(CHILD).as_deref() == Ok(name) {
            // SAFETY: prctl(PR_SET_DUMPABLE, 0) only clears a flag of this process: the
            // child's crash leaves no core file.
            unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) };
            child();
            std::process::exit(0);
        }
        let module = module_path!().split_once("::").unwrap().1;
        let test = format!("{module}::{name}");
        runner_command(std::env::current_exe().unwrap())
            .args([test.as_str(), "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD, name)
            .output()
            .unwrap()
    }

    /// A command that runs `program`, this test binary, the way cargo ran it: under
    /// AArch64 the runner cargo was given (qemu-user, when the tests are cross-run) comes
    /// first. The convention the workspace's tests share.
    fn runner_command(program: std::path::PathBuf) -> Command {
        let runner = if cfg!(target_arch = "aarch64") {
            std::env::var("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER").unwrap_or_default()
        } else {
            String::new()
        };
        let mut runner = runner.split_whitespace();
        match runner.next() {
            Some(first) => {
                let mut command = Command::new(first);
                command.args(runner).arg(program);
                command
            }
            None => Command::new(program),
        }
    }

    /// Asserts that the child ended with `expected`, as `ended` (its exit status's signal
    /// or code) says.
    fn assert_ended(output: &Output, ended: Option<i32>, expected: i32) {
        assert_eq!(
            ended,
            Some(expected),
            "the child ended with {:?}\nstdout:\n{}\nstderr:\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Code whose map is registered, and a guard page: its checked load from the page
    /// lands.
    fn landing_code() -> (Code, Mapping, Registration) {
        let code = Code::new();
        let guard = Mapping::guard();
        let registration = register(code.map());
        assert_eq!(code.checked()(guard.ptr()), MARKER);
        (code, guard, registration)
    }

    #[test]
    fn a_guarded_load_lands() {
        let code = Code::new();
        let guard = Mapping::guard();
        let map = code.map();
        let registration = register(map.clone());
        let in_bounds = 0x1122_3344_5566_7788u64;
        assert_eq!(code.checked()(ptr::from_ref(&in_bounds).cast()), in_bounds);
        assert_eq!(code.checked()(guard.ptr()), MARKER);
        assert_eq!(code.checked()(guard.ptr().wrapping_add(100)), MARKER);
        assert_eq!(map.lookups.load(Ordering::Relaxed), 2);
        // Registering twice is fine (the handlers are installed once).
        let again = register(map.clone());
        assert_eq!(code.checked()(guard.ptr()), MARKER);
        drop(registration);
        assert_eq!(code.checked()(guard.ptr()), MARKER);
        drop(again);
    }

    #[test]
    fn a_bus_error_lands() {
        let code = Code::new();
        let file = Mapping::past_end_of_file();
        let _registration = register(code.map());
        assert_eq!(code.checked()(file.ptr()), MARKER);
    }

    #[test]
    fn concurrent_faults_land() {
        const FAULTS: usize = 20_000;
        let code = Code::new();
        let guard = Mapping::guard();
        let _registration = register(code.map());
        let start = Barrier::new(3);
        let done = AtomicBool::new(false);
        std::thread::scope(|scope| {
            let faulters: Vec<_> = (0..2)
                .map(|_| {
                    scope.spawn(|| {
                        start.wait();
                        (0..FAULTS).filter(|_| code.checked()(guard.ptr()) == MARKER).count()
                    })
                })
                .collect();
            // Meanwhile snapshots are replaced and freed under the handlers' feet.
            let churn = scope.spawn(|| {
                start.wait();
                let mut rounds = 0;
                while !done.load(Ordering::Relaxed) {
                    let registrations: Vec<_> = (0..4).map(|_| register(Arc::new(EmptyMap))).collect();
                    drop(registrations);
                    rounds += 1;
                }
                rounds
            });
            for faulter in faulters {
                assert_eq!(faulter.join().unwrap(), FAULTS);
            }
            done.store(true, Ordering::Relaxed);
            assert!(churn.join().unwrap() > 0);
        });
    }

    /// Calls `lookup` as the handler would, with a made-up siginfo and context.
    fn lookup_at(pc: usize, code: c_int) -> Option<Landing> {
        // SAFETY: both are plain C structs for which all-zero bytes are valid.
        let mut info: libc::siginfo_t = unsafe { MaybeUninit::zeroed().assume_init() };
        // SAFETY: as above.
        let mut context: libc::ucontext_t = unsafe { MaybeUninit::zeroed().assume_init() };
        info.si_signo = libc::SIGSEGV;
        info.si_code = code;
        let context = ptr::from_mut(&mut context).cast();
        // SAFETY: valid structures, built for the test; `redirect` sets the pc.
        unsafe {
            machine::redirect(context, &Landing { resume_at: pc, args: [0; 2] });
            lookup(&info, context)
        }
    }

    /// si_code of SIGSEGV for an unmapped address and for a forbidden access
    /// (`<asm-generic/siginfo.h>`; the libc crate does not have them).
    const SEGV_MAPERR: c_int = 1;
    const SEGV_ACCERR: c_int = 2;

    #[test]
    fn only_faults_are_looked_up() {
        let code = Code::new();
        let map = code.map();
        let _registration = register(map.clone());
        let load = code.address(code.checked);
        assert_eq!(lookup_at(load, SEGV_ACCERR), Some(map.landing));
        assert_eq!(lookup_at(load, SEGV_MAPERR), Some(map.landing));
        assert_eq!(lookup_at(load, libc::SI_KERNEL), Some(map.landing));
        // Sent by kill, tgkill, sigqueue: not a fault, whatever the thread is doing.
        assert_eq!(lookup_at(load, libc::SI_USER), None);
        assert_eq!(lookup_at(load, libc::SI_TKILL), None);
        assert_eq!(lookup_at(load, libc::SI_QUEUE), None);
        // In the range, but not a listed access; outside every range (the page at 0 is
        // never mapped, so no other test's code is there).
        assert_eq!(lookup_at(code.address(code.unchecked), SEGV_ACCERR), None);
        assert_eq!(lookup_at(0x10, SEGV_ACCERR), None);
    }

    #[test]
    fn a_fault_after_the_registration_is_dropped_crashes() {
        let output = in_child("a_fault_after_the_registration_is_dropped_crashes", || {
            let (code, guard, registration) = landing_code();
            drop(registration);
            black_box(code.checked()(guard.ptr()));
        });
        assert_ended(&output, output.status.signal(), libc::SIGSEGV);
    }

    #[test]
    fn an_unlisted_access_in_a_map_crashes() {
        let output = in_child("an_unlisted_access_in_a_map_crashes", || {
            let (code, guard, _registration) = landing_code();
            black_box(code.unchecked()(guard.ptr()));
        });
        assert_ended(&output, output.status.signal(), libc::SIGSEGV);
    }

    #[test]
    fn a_fault_in_rust_code_crashes() {
        let output = in_child("a_fault_in_rust_code_crashes", || {
            let (_code, guard, _registration) = landing_code();
            fault_in_rust(&guard);
        });
        assert_ended(&output, output.status.signal(), libc::SIGSEGV);
    }

    #[test]
    fn a_bus_error_in_rust_code_crashes() {
        let output = in_child("a_bus_error_in_rust_code_crashes", || {
            let code = Code::new();
            let file = Mapping::past_end_of_file();
            let _registration = register(code.map());
            assert_eq!(code.checked()(file.ptr()), MARKER);
            // SAFETY: the page is past the end of the file, so the read faults (SIGBUS)
            // before it returns anything; this child is meant to die of it.
            black_box(unsafe { ptr::read_volatile(file.ptr()) });
        });
        assert_ended(&output, output.status.signal(), libc::SIGBUS);
    }

    #[test]
    fn a_stack_overflow_is_still_reported() {
        let output = in_child("a_stack_overflow_is_still_reported", || {
            let _registration = register(Arc::new(EmptyMap));
            let thread = std::thread::Builder::new().name("deep".into()).stack_size(256 * 1024);
            thread.spawn(|| black_box(recurse(0))).unwrap().join().unwrap();
        });
        assert_ended(&output, output.status.signal(), libc::SIGABRT);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("thread 'deep'") && stderr.contains("has overflowed its stack"),
            "stderr:\n{stderr}"
        );
    }

    fn recurse(depth: u64) -> u64 {
        let frame = black_box([depth; 64]);
        if depth == u64::MAX { 0 } else { recurse(depth + 1).wrapping_add(frame[depth as usize % 64]) }
    }

    /// The address a chained handler expects to be told about, and what it was told.
    static EXPECTED_ADDRESS: AtomicUsize = AtomicUsize::new(0);

    extern "C" fn siginfo_handler(signal: c_int, info: *mut libc::siginfo_t, context: *mut c_void) {
        // SAFETY: called (through our chaining) with the kernel's siginfo_t.
        let address = unsafe { (*info).si_addr() } as usize;
        let same = signal == libc::SIGSEGV
            && address == EXPECTED_ADDRESS.load(Ordering::Relaxed)
            && !context.is_null();
        // SAFETY: _exit is async-signal-safe.
        unsafe { libc::_exit(if same { 42 } else { 41 }) };
    }

    extern "C" fn plain_handler(signal: c_int) {
        // SAFETY: _exit is async-signal-safe.
        unsafe { libc::_exit(if signal == libc::SIGSEGV { 43 } else { 44 }) };
    }

    /// Installs `handler` for SIGSEGV with `flags`, before ours.
    fn install_before_ours(handler: libc::sighandler_t, flags: c_int) {
        assert!(!INSTALL.is_completed(), "the child must install its handler first");
        let mut action = default_action();
        action.sa_sigaction = handler;
        action.sa_flags = flags;
        // SAFETY: `action` is valid and its handler has the signature `flags` announce.
        assert_eq!(unsafe { libc::sigaction(libc::SIGSEGV, &action, ptr::null_mut()) }, 0);
    }

    #[test]
    fn chains_to_a_siginfo_handler() {
        let output = in_child("chains_to_a_siginfo_handler", || {
            install_before_ours(siginfo_handler as *const () as libc::sighandler_t, libc::SA_SIGINFO);
            let (_code, guard, _registration) = landing_code();
            EXPECTED_ADDRESS.store(guard.base as usize, Ordering::Relaxed);
            fault_in_rust(&guard);
        });
        assert_ended(&output, output.status.code(), 42);
    }

    #[test]
    fn chains_to_a_plain_handler() {
        let output = in_child("chains_to_a_plain_handler", || {
            install_before_ours(plain_handler as *const () as libc::sighandler_t, 0);
            let (_code, guard, _registration) = landing_code();
            fault_in_rust(&guard);
        });
        assert_ended(&output, output.status.code(), 43);
    }

    #[test]
    fn a_fault_ignored_before_still_crashes() {
        let output = in_child("a_fault_ignored_before_still_crashes", || {
            install_before_ours(libc::SIG_IGN, 0);
            let guard = Mapping::guard();
            let _registration = register(Arc::new(EmptyMap));
            fault_in_rust(&guard);
        });
        assert_ended(&output, output.status.signal(), libc::SIGSEGV);
    }

    #[test]
    fn a_raised_signal_takes_the_default_action() {
        let output = in_child("a_raised_signal_takes_the_default_action", || {
            install_before_ours(libc::SIG_DFL, 0);
            let _registration = register(Arc::new(EmptyMap));
            // SAFETY: raise has no memory preconditions.
            unsafe { libc::raise(libc::SIGSEGV) };
        });
        assert_ended(&output, output.status.signal(), libc::SIGSEGV);
    }
}
