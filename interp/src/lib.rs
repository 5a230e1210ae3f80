//! stratus-interp: the in-place interpreter.
//!
//! Owns: running WebAssembly functions from their original bytecode, guided by the
//! validator's side table ([`exec`]), with no translation pass: a fast loop that keeps
//! its registers in locals and handles the frequent instructions itself (`exec::fast`,
//! where the interpreter's unchecked accesses live), over the checked `Exec::step` for
//! everything else; the semantics of the numeric and SIMD operators ([`num`]); calls
//! into host functions and back; traps with their WebAssembly backtrace; the
//! per-function hotness counters tiering reads.
//!
//! Does not own: the store and its objects (stratus-runtime), decoding and validation,
//! compiled code, or the typed embedding API (the `stratus` package).

mod exec;
mod invoke;
pub mod num;
mod slot;

pub use exec::{CodeCache, Regs, Stop};
pub use invoke::{enter, run};
