//! What compiling a module produces, as the execution core sees it.

use std::fmt;

/// Why a function could not be compiled: the module then runs in the interpreter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompileError {
    /// The function uses what this compiler does not compile yet.
    Unsupported(String),
    /// The function is invalid (found when validation is lazy).
    Invalid(String),
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompileError::Unsupported(what) => write!(f, "not compiled: {what}"),
            CompileError::Invalid(why) => write!(f, "invalid function: {why}"),
        }
    }
}

/// A memory access that may fault on purpose: the instruction's offset in the code and
/// the bytecode position it traps at.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct FaultSite {
    pub native: u32,
    pub pc: u32,
    /// Module index of the function.
    pub func: u32,
}

/// Compiled code of some of a module's functions, behind an executable buffer (a
/// `unit::CodeUnit`). The functions are named by their defined index; asking about one
/// the code does not hold panics. A code address a method hands out is ready to run on
/// the calling thread: on AArch64 the thread's instruction fetch has caught up with the
/// code, whichever thread compiled it.
pub trait ModuleCode: Send + Sync + fmt::Debug {
    /// The address of the entry of defined function `defined`.
    fn entry(&self, defined: u32) -> *const u8;
    /// What the frame of defined function `defined` takes.
    fn frame_slots(&self, defined: u32) -> u32;
    /// The entry of defined function `defined` at the loop whose header is at
    /// `header_pc` in its code, entered through the trampoline with the frame the
    /// interpreter left there ([`MacroAssembler::osr_entry`](crate::MacroAssembler::osr_entry)).
    /// `None` where the compiler made none (a loop in unreachable code).
    fn osr_entry(&self, defined: u32, header_pc: u32) -> Option<*const u8>;
    /// The entry trampoline ([`EntryFn`](crate::abi::EntryFn)).
    fn trampoline(&self) -> crate::abi::EntryFn;
    /// Bytes of machine code.
    fn code_size(&self) -> usize;
}
