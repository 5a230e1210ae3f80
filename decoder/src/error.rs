//! Decoding errors: a byte offset and what was wrong there.

use std::fmt;

/// A malformed binary: where decoding stopped and why.
///
/// `offset` is relative to the start of the bytes given to [`Module::parse`](crate::Module::parse).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub offset: usize,
    pub kind: DecodeErrorKind,
}

impl DecodeError {
    pub fn new(offset: usize, kind: DecodeErrorKind) -> Self {
        DecodeError { offset, kind }
    }
}

/// What was malformed. The `Display` texts follow the WebAssembly reference
/// interpreter's, so spec-test `assert_malformed` messages can be compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// The input ended inside a construct.
    UnexpectedEnd,
    /// A section or function body ended inside a construct.
    UnexpectedEndOfSection,
    /// A length prefix points past the end of the enclosing bytes.
    LengthOutOfBounds,
    /// A LEB128 number uses more bytes than its type allows.
    IntegerRepresentationTooLong,
    /// A LEB128 number's final byte has bits set beyond its type's width.
    IntegerTooLarge,
    MagicHeaderNotDetected,
    UnknownBinaryVersion,
    MalformedSectionId(u8),
    /// A section's contents did not use exactly its declared size.
    SectionSizeMismatch,
    /// Sections out of order, or a non-custom section twice.
    UnexpectedContentAfterLastSection,
    MalformedUtf8,
    MalformedValueType(u8),
    MalformedReferenceType(u8),
    MalformedFunctionType(u8),
    MalformedImportKind(u8),
    MalformedExportKind(u8),
    MalformedMutability(u8),
    MalformedLimitsFlags(u8),
    MalformedElementKind(u32),
    MalformedDataKind(u32),
    MalformedElemKind(u8),
    /// A reserved byte that must be zero (memory index, table index in `call_indirect`).
    ZeroByteExpected,
    IllegalOpcode(u32),
    /// The memory-argument flags have bits set that no enabled proposal defines.
    MalformedMemopFlags,
    /// A function declares more locals than the limit (or than fits in 32 bits).
    TooManyLocals,
    FunctionAndCodeInconsistent,
    DataCountAndDataInconsistent,
    DataCountSectionRequired,
    /// A function body did not end with `end`, or has bytes after its final `end`.
    EndOpcodeExpected,
    /// `select` with a type list of other than one type.
    InvalidResultArity,
    /// An implementation limit was exceeded (counts, sizes).
    LimitExceeded {
        what: &'static str,
        limit: usize,
    },
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use DecodeErrorKind::*;
        match self {
            UnexpectedEnd => f.write_str("unexpected end"),
            UnexpectedEndOfSection => f.write_str("unexpected end of section or function"),
            LengthOutOfBounds => f.write_str("length out of bounds"),
            IntegerRepresentationTooLong => f.write_str("integer representation too long"),
            IntegerTooLarge => f.write_str("integer too large"),
            MagicHeaderNotDetected => f.write_str("magic header not detected"),
            UnknownBinaryVersion => f.write_str("unknown binary version"),
            MalformedSectionId(id) => write!(f, "malformed section id {id}"),
            SectionSizeMismatch => f.write_str("section size mismatch"),
            UnexpectedContentAfterLastSection => f.write_str("unexpected content after last section"),
            MalformedUtf8 => f.write_str("malformed UTF-8 encoding"),
            MalformedValueType(b) => write!(f, "malformed value type 0x{b:02x}"),
            MalformedReferenceType(b) => write!(f, "malformed reference type 0x{b:02x}"),
            MalformedFunctionType(b) => {
                write!(f, "malformed function type: expected 0x60, found 0x{b:02x}")
            }
            MalformedImportKind(b) => write!(f, "malformed import kind 0x{b:02x}"),
            MalformedExportKind(b) => write!(f, "malformed export kind 0x{b:02x}"),
            MalformedMutability(b) => write!(f, "malformed mutability 0x{b:02x}"),
            // The reference interpreter reads the flags as a one-byte LEB128 number.
            MalformedLimitsFlags(b) if b & 0x80 != 0 => {
                write!(f, "integer representation too long: limits flags 0x{b:02x}")
            }
            MalformedLimitsFlags(b) => write!(f, "integer too large: limits flags 0x{b:02x}"),
            MalformedElementKind(k) => write!(f, "malformed elements segment kind {k}"),
            MalformedDataKind(k) => write!(f, "malformed data segment kind {k}"),
            MalformedElemKind(b) => write!(f, "malformed element kind 0x{b:02x}"),
            ZeroByteExpected => f.write_str("zero byte expected"),
            IllegalOpcode(code) => {
                if *code > 0xFF {
                    write!(f, "illegal opcode 0x{:02x} {}", code >> 16, code & 0xFFFF)
                } else {
                    write!(f, "illegal opcode 0x{code:02x}")
                }
            }
            MalformedMemopFlags => f.write_str("malformed memop flags"),
            TooManyLocals => f.write_str("too many locals"),
            FunctionAndCodeInconsistent => f.write_str("function and code section have inconsistent lengths"),
            DataCountAndDataInconsistent => {
                f.write_str("data count and data section have inconsistent lengths")
            }
            DataCountSectionRequired => f.write_str("data count section required"),
            EndOpcodeExpected => f.write_str("END opcode expected"),
            InvalidResultArity => f.write_str("invalid result arity"),
            LimitExceeded { what, limit } => {
                write!(f, "implementation limit exceeded: more than {limit} {what}")
            }
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:x}: {}", self.offset, self.kind)
    }
}

impl std::error::Error for DecodeError {}

pub type Result<T, E = DecodeError> = std::result::Result<T, E>;
