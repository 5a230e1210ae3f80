//! stratus-jit-x64: the x86-64 back-end of the baseline compiler.
//!
//! Owns: the [`MacroAssembler`](stratus_jit::MacroAssembler) for x86-64 (`masm`: the
//! machine operations and the instruction selection that differs by ISA), its entry
//! trampoline, compiling a whole module, or some of its functions, into a
//! `stratus_jit::unit::CodeUnit` ([`compile_functions`]), and the CPU check ([`supported`]).
//!
//! Does not own: what to emit for each instruction, or the protocol of compiled code
//! (calls, checks, frame records, stubs, exits: the front-end, `stratus-jit`), the
//! unit of code itself and the signal handler that turns faults in it into traps
//! (`stratus_jit::unit`, `stratus_jit::signals`), or running code (`stratus-exec`).

// dynasm expands dynamic registers `Rq(r)` into `r.into()`, whatever the type of `r`.
#![allow(clippy::useless_conversion)]

/// dynasm's macro for x86-64, as every module of this crate writes it.
#[cfg(target_arch = "x86_64")]
macro_rules! asm {
    ($ops:expr; $($t:tt)*) => {
        dynasmrt::dynasm!($ops ; .arch x64 ; $($t)*)
    };
}

// The workspace builds for every target (the AArch64 half of the tests too); on other
// machines this crate is empty, and the execution core does not use it.
#[cfg(target_arch = "x86_64")]
mod masm;
#[cfg(target_arch = "x86_64")]
mod module;
#[cfg(target_arch = "x86_64")]
mod simd;

#[cfg(target_arch = "x86_64")]
pub use module::compile_functions;

/// Whether this CPU runs the code this back-end emits: SSE4.1, the baseline (and the
/// SSSE3 it implies). Newer instructions (POPCNT) are used where the CPU has them.
#[cfg(target_arch = "x86_64")]
pub fn supported() -> bool {
    std::is_x86_feature_detected!("sse4.1")
}
