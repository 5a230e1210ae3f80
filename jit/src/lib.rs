//! stratus-jit: the single-pass baseline compiler's front-end, which every back-end
//! shares.
//!
//! Owns: one pass over a validated function's bytecode ([`compile_function`]) that keeps
//! an abstract value stack (constants, registers, lazy local reads, slots), folds
//! constants into immediates, caches locals in registers (written through to their
//! slots; loop-carried ones kept from the loop header on), fuses comparisons with the
//! branches they decide, spills operands to the shared value-stack slots at every
//! safepoint and merge, and drives a [`MacroAssembler`]; the layout of what compiled code reads at run time ([`abi`]: the
//! VM context, instance records, the exit protocol and the table of runtime functions,
//! the *libcalls*); the description of a module's compiled code that the execution core
//! runs by ([`ModuleCode`]). On x86-64 and AArch64 Linux, what every back-end's
//! compiled code needs besides its instructions: the unit of compiled code (`unit`: one
//! executable buffer with a back-end's entry trampoline, the exit paths, and some of a module's functions, their
//! entries, frame sizes and loop-header entries, compiled by driving the back-end's
//! macro-assembler over them) and the handler that turns faults at its guarded memory
//! accesses into traps (`signals`).
//!
//! The protocol of compiled code is written here once ([`CodeGen`]: prologue, calls and
//! their checks, frame records, budget checks, stubs and exits), in terms of the machine
//! operations each back-end supplies.
//!
//! Does not own: any instruction set (the back-ends, `stratus-jit-x64` and
//! `stratus-jit-a64`: their macro-assemblers' machine operations and instruction
//! selection, and the entry trampoline each emits before a unit's functions), or
//! running code and the libcalls' implementations (`stratus-exec`).
//!
//! # How compiled code runs
//!
//! Compiled functions keep WebAssembly's frames in the interpreter's layout: locals and
//! operands in the value-stack slots from the frame base, a [`Frame`] record pushed on
//! the frame stack for every call. Between safepoints values live in registers; at
//! calls, branch targets, loop headers and budget checks every value is in its slot. So
//! the driver can build a backtrace, or hand a stopped call to the interpreter, from the
//! frame stack and the exit record alone.
//!
//! [`Frame`]: stratus_runtime::Frame

pub mod abi;
mod code;
pub mod codegen;
mod compile;
mod masm;
mod ops;
// Compiled code runs where the fault handler can read and redirect the interrupted
// context: Linux on x86-64 and on AArch64.
#[cfg(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64")))]
pub mod signals;
mod stack;
#[cfg(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64")))]
pub mod unit;

pub use code::{CodeKind, CompileError, FaultSite, ModuleCode};
pub use codegen::CodeGen;
pub use compile::{MAX_FUNCTION_CODE, compile_function};
pub use masm::{
    Address, Callee, Fixed, Label, MacroAssembler, Reg, RegClass, Src, TrapAt, Traps, check_simd_coverage,
};
pub use ops::{
    Cond, Convert, DivOp, FCond, FSize, FloatOp, FloatUnop, IntOp, IntUnop, LoadOp, SimdGroup, StoreOp,
    Width, trunc_range,
};
pub use stratus_runtime::Bounds;
