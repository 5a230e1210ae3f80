//! stratus-interp: the in-place interpreter.
//!
//! Owns: running WebAssembly functions from their original bytecode, guided by the
//! validator's side table ([`exec`]), with no translation pass: a fast loop that keeps
//! its registers in locals and handles the frequent instructions itself (`exec::fast`,
//! where the interpreter's unchecked accesses live), over the checked `Exec::step` for
//! everything else; the semantics of the numeric and SIMD operators ([`num`]); calls
//! into host functions and back; traps with their WebAssembly backtrace; counting
//! each function's heat (calls and loop back-edges) and stopping where a function may
//! go on in compiled code (`Stop::TierUp`: a call to a hot or compiled function, a
//! hot loop's header).
//!
//! Does not own: the store and its objects (stratus-runtime), decoding and validation,
//! compiled code or the decision to compile (stratus-exec), or the typed embedding API
//! (the `stratus` package).

mod exec;
mod invoke;
pub mod num;
mod slot;

pub use exec::{CodeCache, Stop};
pub use invoke::{enter, run};
