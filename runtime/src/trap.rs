//! Traps: why execution stopped, and where.

use std::fmt;

/// Why a trap happened. `Display` gives the WebAssembly reference interpreter's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrapKind {
    Unreachable,
    MemoryOutOfBounds,
    TableOutOfBounds,
    /// `call_indirect` through an index past the end of the table.
    UndefinedElement(u32),
    /// `call_indirect` through a null entry.
    UninitializedElement(u32),
    IndirectCallTypeMismatch,
    IntegerDivideByZero,
    IntegerOverflow,
    InvalidConversionToInteger,
    CallStackExhausted,
    /// The store's fuel ran out where the call could not pause.
    OutOfFuel,
    /// Another thread interrupted the guest.
    Interrupted,
    /// A host function failed.
    Host(String),
    /// A function validated lazily, when first called, is invalid.
    InvalidFunction(String),
}

impl fmt::Display for TrapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TrapKind::UndefinedElement(index) => return write!(f, "undefined element {index}"),
            TrapKind::UninitializedElement(index) => return write!(f, "uninitialized element {index}"),
            TrapKind::Unreachable => "unreachable",
            TrapKind::MemoryOutOfBounds => "out of bounds memory access",
            TrapKind::TableOutOfBounds => "out of bounds table access",
            TrapKind::IndirectCallTypeMismatch => "indirect call type mismatch",
            TrapKind::IntegerDivideByZero => "integer divide by zero",
            TrapKind::IntegerOverflow => "integer overflow",
            TrapKind::InvalidConversionToInteger => "invalid conversion to integer",
            TrapKind::CallStackExhausted => "call stack exhausted",
            TrapKind::OutOfFuel => "all fuel consumed",
            TrapKind::Interrupted => "interrupted",
            TrapKind::Host(message) | TrapKind::InvalidFunction(message) => message,
        })
    }
}

/// One frame of a trap's WebAssembly backtrace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameInfo {
    /// The function's index in its module.
    pub func_index: u32,
    /// Its name from the module's `name` section, if it has one.
    pub func_name: Option<String>,
    /// Offset of the executing instruction in the module's bytes.
    pub module_offset: usize,
}

/// A trap: its kind and the WebAssembly frames active when it happened, innermost first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trap {
    pub kind: TrapKind,
    pub backtrace: Vec<FrameInfo>,
}

impl Trap {
    pub fn new(kind: TrapKind) -> Self {
        Trap { kind, backtrace: Vec::new() }
    }

    pub fn host(message: impl Into<String>) -> Self {
        Trap::new(TrapKind::Host(message.into()))
    }
}

impl From<TrapKind> for Trap {
    fn from(kind: TrapKind) -> Self {
        Trap::new(kind)
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        if !self.backtrace.is_empty() {
            f.write_str("\nwasm backtrace:")?;
            for (i, frame) in self.backtrace.iter().enumerate() {
                write!(f, "\n  {i}: 0x{:x} - ", frame.module_offset)?;
                match &frame.func_name {
                    Some(name) => write!(f, "{name}")?,
                    None => write!(f, "<func {}>", frame.func_index)?,
                }
            }
        }
        Ok(())
    }
}

impl std::error::Error for Trap {}
