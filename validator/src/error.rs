//! Validation errors, and the one error type for "this module is not usable".

use std::fmt;

use stratus_decoder::{DecodeError, IndexType, Proposal, ValType};

/// A module that decodes but breaks a validation rule: where, and which rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    pub offset: usize,
    pub kind: ValidationErrorKind,
}

/// The rule broken. `Display` texts start with the WebAssembly reference interpreter's
/// messages (`type mismatch`, `unknown local`, ...) so spec-test messages compare by
/// prefix, and go on with the specifics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValidationErrorKind {
    TypeMismatch {
        expected: Expected,
        found: Option<ValType>,
    },
    /// Values left on the stack at the end of a block, or too few for its results.
    StackHeightMismatch {
        expected: usize,
        found: usize,
    },
    Unknown {
        what: &'static str,
        index: u32,
    },
    UnknownLabel(u32),
    /// `memory.init` or `data.drop` without a data count section.
    DataCountRequired,
    ElseWithoutIf,
    /// The function body has instructions after its final `end`, or none.
    OperatorsAfterEnd,
    BodyEndsEarly,
    AlignmentTooLarge {
        align: u32,
        natural: u32,
    },
    InvalidLaneIndex {
        lane: u8,
        lanes: u8,
    },
    GlobalIsImmutable(u32),
    ConstantExpressionRequired,
    DuplicateExportName(String),
    MultipleMemories,
    MultipleTables,
    /// A memory or table with more pages or elements than its index type allows.
    MemorySizeTooLarge(IndexType),
    TableSizeTooLarge(IndexType),
    /// A constant expression uses arithmetic, and the extended-const proposal is off.
    ExtendedConstDisabled,
    /// A tail call of a function whose results are not the calling function's.
    TailCallResults,
    /// A memory argument's offset does not fit its memory's index type.
    OffsetOutOfRange(u64),
    MinGreaterThanMax,
    StartFunctionType,
    UndeclaredFunctionReference(u32),
    /// `select` without a type on reference operands.
    SelectNeedsType,
    /// The host had no memory for what validating the function needs, named here: the
    /// module may be valid, but cannot be used on this host now.
    OutOfMemory(&'static str),
    /// More values at once on a constant expression's stack than Stratus evaluates.
    ConstantExpressionTooDeep,
}

/// What an operand had to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    Type(ValType),
    AnyNum,
    AnyRef,
    /// Any value type (the operand was missing).
    Any,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Type(t) => f.write_str(t.name()),
            Expected::AnyNum => f.write_str("a number or vector"),
            Expected::AnyRef => f.write_str("a reference"),
            Expected::Any => f.write_str("a value"),
        }
    }
}

impl fmt::Display for ValidationErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ValidationErrorKind::*;
        match self {
            TypeMismatch { expected, found: Some(found) } => {
                write!(f, "type mismatch: expected {expected}, found {found}")
            }
            TypeMismatch { expected, found: None } => {
                write!(f, "type mismatch: expected {expected}, found an empty stack")
            }
            StackHeightMismatch { expected, found } => {
                write!(f, "type mismatch: expected {expected} values on the stack, found {found}")
            }
            Unknown { what, index } => write!(f, "unknown {what} {index}"),
            UnknownLabel(depth) => write!(f, "unknown label {depth}"),
            DataCountRequired => f.write_str("data count section required"),
            ElseWithoutIf => f.write_str("type mismatch: else without a matching if"),
            OperatorsAfterEnd => f.write_str("operators remaining after end of function"),
            BodyEndsEarly => f.write_str("unexpected end of section or function"),
            AlignmentTooLarge { align, natural } => {
                write!(f, "alignment must not be larger than natural: 2^{align} is more than 2^{natural}")
            }
            InvalidLaneIndex { lane, lanes } => {
                write!(f, "invalid lane index: {lane} is not below {lanes}")
            }
            GlobalIsImmutable(index) => write!(f, "global is immutable: global {index}"),
            ConstantExpressionRequired => f.write_str("constant expression required"),
            DuplicateExportName(name) => write!(f, "duplicate export name {name:?}"),
            MultipleMemories => write!(f, "multiple memories ({})", Proposal::MultiMemory.refusal()),
            MultipleTables => f.write_str("multiple tables"),
            MemorySizeTooLarge(IndexType::I32) => {
                f.write_str("memory size must be at most 65536 pages (4GiB)")
            }
            MemorySizeTooLarge(IndexType::I64) => {
                f.write_str("memory size must be at most 2^48 pages (2^64 bytes)")
            }
            TableSizeTooLarge(IndexType::I32) => f.write_str("table size must be at most 2^32-1"),
            TableSizeTooLarge(IndexType::I64) => f.write_str("table size must be at most 2^64-1"),
            ExtendedConstDisabled => {
                write!(f, "constant expression required ({})", Proposal::ExtendedConst.refusal())
            }
            TailCallResults => {
                f.write_str("type mismatch: a tail call's callee must have the calling function's results")
            }
            OffsetOutOfRange(offset) => {
                write!(f, "offset out of range: {offset} does not fit a 32-bit memory's addresses")
            }
            MinGreaterThanMax => f.write_str("size minimum must not be greater than maximum"),
            StartFunctionType => f.write_str("start function must have type [] -> []"),
            UndeclaredFunctionReference(index) => {
                write!(f, "undeclared function reference: function {index}")
            }
            SelectNeedsType => f.write_str("type mismatch: select on references needs a type annotation"),
            OutOfMemory(what) => write!(f, "the host is out of memory for {what}"),
            ConstantExpressionTooDeep => write!(
                f,
                "constant expression too deep: more than {} values on its stack",
                stratus_decoder::limits::MAX_CONST_EXPR_HEIGHT
            ),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:x}: {}", self.offset, self.kind)
    }
}

impl std::error::Error for ValidationError {}

/// Why a module cannot be used: malformed bytes or a broken validation rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    Malformed(DecodeError),
    Invalid(ValidationError),
}

impl Error {
    /// The byte offset in the module that the error applies to.
    pub fn offset(&self) -> usize {
        match self {
            Error::Malformed(e) => e.offset,
            Error::Invalid(e) => e.offset,
        }
    }

    /// The proposal beyond Wasm 2.0 the module was refused for using, when that is
    /// why: one Stratus does not implement, or one switched off.
    pub fn proposal(&self) -> Option<Proposal> {
        match self {
            Error::Malformed(e) => e.kind.proposal(),
            Error::Invalid(ValidationError { kind: ValidationErrorKind::MultipleMemories, .. }) => {
                Some(Proposal::MultiMemory)
            }
            Error::Invalid(ValidationError { kind: ValidationErrorKind::ExtendedConstDisabled, .. }) => {
                Some(Proposal::ExtendedConst)
            }
            Error::Invalid(_) => None,
        }
    }

    /// The message without the offset.
    pub fn message(&self) -> String {
        match self {
            Error::Malformed(e) => e.kind.to_string(),
            Error::Invalid(e) => e.kind.to_string(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Malformed(e) => e.fmt(f),
            Error::Invalid(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Error::Malformed(e)
    }
}

impl From<ValidationError> for Error {
    fn from(e: ValidationError) -> Self {
        Error::Invalid(e)
    }
}
