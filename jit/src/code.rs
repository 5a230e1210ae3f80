//! What compiling a module produces, as the execution core sees it.

use std::fmt;

/// Why a function could not be compiled: it then runs in the interpreter. Functions
/// are named by their index in the module (imports first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompileError {
    /// Function `func` uses `instruction`, which this compiler does not compile.
    Unsupported { func: u32, instruction: &'static str },
    /// Function `func`'s machine code would pass `limit` bytes
    /// ([`MAX_FUNCTION_CODE`](crate::MAX_FUNCTION_CODE)).
    TooLarge { func: u32, limit: usize },
    /// The host had no memory for compiling function `func`: for `what`.
    OutOfMemory { func: u32, what: &'static str },
    /// Function `func` is invalid (found when validation is lazy).
    Invalid { func: u32, why: String },
    /// The unit's executable memory could not be had, or its code laid out: no
    /// function of the unit is to blame.
    Code(String),
}

impl CompileError {
    /// The function that could not be compiled, when the failure is that function's
    /// alone: the unit's other functions can be compiled without it.
    pub fn func(&self) -> Option<u32> {
        match *self {
            CompileError::Unsupported { func, .. }
            | CompileError::TooLarge { func, .. }
            | CompileError::OutOfMemory { func, .. }
            | CompileError::Invalid { func, .. } => Some(func),
            CompileError::Code(_) => None,
        }
    }

    /// Why, without naming the function.
    pub fn reason(&self) -> String {
        match self {
            CompileError::Unsupported { instruction, .. } => {
                format!("it uses {instruction}, which this compiler does not compile")
            }
            CompileError::TooLarge { limit, .. } => {
                format!("its machine code would pass the limit of {limit} bytes")
            }
            CompileError::OutOfMemory { what, .. } => format!("out of memory for {what}"),
            CompileError::Invalid { why, .. } => format!("invalid: {why}"),
            CompileError::Code(why) => format!("no code made: {why}"),
        }
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.func() {
            Some(func) => write!(f, "function {func} not compiled: {}", self.reason()),
            None => f.write_str(&self.reason()),
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

/// What a unit of machine code was made for, besides its functions: how it checks
/// memory accesses, and whether it runs the deterministic profile (canonical NaNs and
/// the relaxed instructions' deterministic results). A module keeps code of each kind
/// apart ([`CodeKind::slot`]).
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct CodeKind {
    pub bounds: stratus_runtime::Bounds,
    pub deterministic: bool,
}

impl CodeKind {
    /// Kinds there are: the module's slots for machine code.
    pub const COUNT: usize = 4;

    /// This kind's slot, below [`CodeKind::COUNT`].
    pub fn slot(self) -> usize {
        let bounds = match self.bounds {
            stratus_runtime::Bounds::Guard => 0,
            stratus_runtime::Bounds::Explicit => 1,
        };
        bounds + 2 * usize::from(self.deterministic)
    }
}
