//! Decoding errors: a byte offset and what was wrong there.

use std::fmt;

use crate::proposal::Proposal;

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

/// What was malformed. The `Display` texts start with the WebAssembly reference
/// interpreter's, so spec-test `assert_malformed` messages compare by prefix; where the
/// bytes are those of a known later proposal, the text goes on to name it.
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
    /// The version word found.
    UnknownBinaryVersion([u8; 4]),
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
    /// A memory index, reserved in 2.0, that is not a single zero byte: the byte found.
    ZeroByteExpected(u8),
    IllegalOpcode(u32),
    /// The memory-argument flags have bits set that no enabled proposal defines.
    MalformedMemopFlags(u32),
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

impl DecodeErrorKind {
    /// The proposal beyond 2.0 whose encoding this is, when it is one: one Stratus does
    /// not implement, or one the module's [`Features`](crate::Features) switch off.
    pub fn proposal(&self) -> Option<Proposal> {
        use DecodeErrorKind::*;
        match *self {
            UnknownBinaryVersion(version) => Proposal::of_version(version),
            MalformedSectionId(id) => Proposal::of_section_id(id),
            // A table type starting 0x40 is a table with an initialiser.
            MalformedReferenceType(0x40) => Some(Proposal::FunctionReferences),
            MalformedValueType(byte) | MalformedReferenceType(byte) => Proposal::of_type_byte(byte),
            MalformedFunctionType(form) => Proposal::of_type_form(form),
            MalformedImportKind(kind) | MalformedExportKind(kind) => Proposal::of_extern_kind(kind),
            MalformedLimitsFlags(flags) => Proposal::of_limits_flags(flags),
            ZeroByteExpected(byte) => Proposal::of_memory_index_byte(byte),
            IllegalOpcode(code) => Proposal::of_opcode(code),
            MalformedMemopFlags(flags) => Proposal::of_memarg_flags(flags),
            _ => None,
        }
    }

    /// The reference interpreter's message, with the specifics.
    fn write_spec_message(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use DecodeErrorKind::*;
        match self {
            UnexpectedEnd => f.write_str("unexpected end"),
            UnexpectedEndOfSection => f.write_str("unexpected end of section or function"),
            LengthOutOfBounds => f.write_str("length out of bounds"),
            IntegerRepresentationTooLong => f.write_str("integer representation too long"),
            IntegerTooLarge => f.write_str("integer too large"),
            MagicHeaderNotDetected => f.write_str("magic header not detected"),
            UnknownBinaryVersion(version) => {
                write!(f, "unknown binary version 0x{:x}", u32::from_le_bytes(*version))
            }
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
            ZeroByteExpected(_) => f.write_str("zero byte expected"),
            IllegalOpcode(code) => {
                if *code > 0xFF {
                    write!(f, "illegal opcode 0x{:02x} {}", code >> 16, code & 0xFFFF)
                } else {
                    write!(f, "illegal opcode 0x{code:02x}")
                }
            }
            MalformedMemopFlags(flags) => write!(f, "malformed memop flags 0x{flags:x}"),
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

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_spec_message(f)?;
        match self.proposal() {
            Some(proposal) => write!(f, " ({})", proposal.refusal()),
            None => Ok(()),
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
