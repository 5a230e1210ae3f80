//! stratus-jit-a64: the AArch64 back-end of the baseline compiler.
//!
//! Owns: the [`MacroAssembler`](stratus_jit::MacroAssembler) for AArch64 (`masm`: the
//! machine operations and the instruction selection that differs by ISA, with the
//! loads and stores at any offset in `access`), its entry trampoline, and compiling a
//! whole module, or some of its functions, into one unit ([`compile_functions`]).
//!
//! Does not own: what to emit for each instruction, or the protocol of compiled code
//! (calls, checks, frame records, stubs, exits: the front-end, `stratus-jit`), the
//! unit's executable memory, its instruction-cache maintenance and the fault handler
//! that turns guard-region faults into traps (`stratus-jit`), or running code
//! (`stratus-exec`, which uses this crate on AArch64 hosts only). The crate itself builds
//! on every host: it only emits bytes, so its golden disassembly tests run anywhere.

// dynasm expands dynamic registers `X(r)` into `r.into()`, whatever the type of `r`.
#![allow(clippy::useless_conversion)]

/// dynasm's macro for AArch64 with the names of the registers the back-end pins, as
/// every module of this crate writes it.
macro_rules! asm {
    ($ops:expr; $($t:tt)*) => {
        dynasmrt::dynasm!($ops
            ; .arch aarch64
            ; .alias vmctx, x28
            ; .alias frame, x27
            ; .alias inst, x26
            ; .alias membase, x25
            ; .alias budget, x24
            ; $($t)*)
    };
}

mod access;
mod masm;
mod module;
mod simd;

pub use module::compile_functions;

/// Whether this CPU runs the code this back-end emits: the base ARMv8.0-A instruction
/// set with Advanced SIMD, which every AArch64 Linux system has.
pub fn supported() -> bool {
    true
}
