//! stratus-exec: the tier-neutral execution core.
//!
//! Owns: running a call into a store to completion across tiers and host functions
//! ([`invoke`], [`instantiate`]): entering WebAssembly code, calling host functions
//! between its stops without nesting Rust frames for WebAssembly calls, acting on the
//! budget when a tier finds it empty (refill, pause, or trap for lack of fuel or for an
//! interruption), pausing a call and resuming it later ([`invoke_resumable`],
//! [`resume`]), and building traps with their WebAssembly backtraces. The embedding
//! API, the command line and the spec runner all run code through this crate; nothing
//! above it calls a tier directly.
//!
//! Does not own: the store, its objects and the VM context (stratus-runtime), how a
//! tier runs its code (stratus-interp; the JIT crates later), or the typed API.

mod activation;
mod backtrace;
mod host;

pub use activation::{Outcome, PauseReason, PausedCall, instantiate, invoke, invoke_resumable, resume};
