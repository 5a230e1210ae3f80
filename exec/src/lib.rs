//! stratus-exec: the tier-neutral execution core.
//!
//! Owns: running a call into a store to completion across tiers and host functions
//! ([`invoke`], [`instantiate`]): entering WebAssembly code, calling host functions
//! between its stops without nesting Rust frames for WebAssembly calls, acting on the
//! budget when a tier finds it empty (refill, pause, or trap for lack of fuel or for an
//! interruption), pausing a call and resuming it later ([`invoke_resumable`],
//! [`resume`]), taking a paused call and its instance's state as a snapshot in
//! WebAssembly terms and rebuilding a paused call from one in another store
//! ([`capture`], [`restore`]), and building traps with their WebAssembly backtraces. With the `jit`
//! feature also the tiering: compiling a module ahead of time or a function when it
//! gets hot (the store's [`CompilePolicy`](stratus_runtime::CompilePolicy)), moving a
//! running call from the interpreter into compiled code at a call or a loop header
//! (on-stack replacement) and back at returns, and the runtime functions compiled
//! code calls. The embedding API, the command line and the spec runner all run code
//! through this crate; nothing above it calls a tier directly.
//!
//! Does not own: the store, its objects and the VM context (stratus-runtime), how a
//! tier runs its code (stratus-interp, stratus-jit and its back-ends), or the typed
//! API.

mod activation;
mod backtrace;
mod host;
#[cfg(all(feature = "jit", any(target_arch = "x86_64", target_arch = "aarch64")))]
mod jit;
mod snapshot;

pub use activation::{
    Outcome, PauseReason, PausedCall, instantiate, instantiate_for_restore, invoke, invoke_resumable, resume,
};
pub use snapshot::{ExternRefs, NoExternRefs, SnapshotError, capture, restore};

use stratus_runtime::{FuncKind, Store};

/// Whether this build has a compiler for this machine, and the CPU runs its code.
pub fn jit_available() -> bool {
    #[cfg(all(feature = "jit", any(target_arch = "x86_64", target_arch = "aarch64")))]
    return jit::available();
    #[cfg(not(all(feature = "jit", any(target_arch = "x86_64", target_arch = "aarch64"))))]
    return false;
}

/// How many of a store's WebAssembly functions have compiled code, how many without it
/// have run in the interpreter, and how many running calls moved into compiled code at
/// a loop header.
#[derive(Copy, Clone, PartialEq, Eq, Debug, Default)]
pub struct TierCounts {
    pub compiled: usize,
    pub interpreted: usize,
    pub osr_entries: u64,
}

/// Counts the store's functions by the tier that runs them.
pub fn tier_counts<T>(store: &Store<T>) -> TierCounts {
    let mut counts = TierCounts { osr_entries: store.tier_stats.osr_entries, ..TierCounts::default() };
    for (entry, func_ref) in store.funcs.iter().zip(&store.func_refs) {
        if let FuncKind::Host(_) = entry.kind {
            continue;
        }
        if !func_ref.code.is_null() {
            counts.compiled += 1;
        } else if entry.hotness.get() > 0 {
            counts.interpreted += 1;
        }
    }
    counts
}
