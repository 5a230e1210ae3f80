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
//! runs by ([`ModuleCode`]); the handler that turns faults at guarded memory accesses
//! in compiled code into traps, for every back-end (`signals`, on x86-64 and AArch64
//! Linux).
//!
//! Does not own: any instruction set (the back-ends, `stratus-jit-x64`), executable
//! memory (the back-ends), or running code and the libcalls' implementations
//! (`stratus-exec`).
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
mod compile;
mod masm;
mod ops;
// Faults in compiled code are handled where the handler can read and redirect the
// interrupted context; elsewhere there is no compiled code to run.
#[cfg(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64")))]
pub mod signals;
mod stack;

pub use code::{CompileError, FaultSite, ModuleCode};
pub use compile::{Bounds, compile_function};
pub use masm::{Callee, Label, MacroAssembler, Reg, RegClass, Src, TrapAt};
pub use ops::{
    Cond, Convert, DivOp, FCond, FSize, FloatOp, FloatUnop, IntOp, IntUnop, LoadOp, StoreOp, Width,
};
