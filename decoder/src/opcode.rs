//! Opcodes, immediates and fixed signatures, expanded from the instruction table.

use crate::proposal::Proposal;
use crate::types::ValType;

/// The shape of the immediates that follow an opcode.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum ImmKind {
    None,
    Block,
    Label,
    BrTable,
    Func,
    CallIndirect,
    RefType,
    SelectTypes,
    Local,
    Global,
    Table,
    TableInit,
    Elem,
    TableCopy,
    /// The reserved memory-index byte of `memory.size`, `memory.grow`, `memory.fill`.
    Memory,
    MemoryInit,
    Data,
    MemoryCopy,
    /// A memory argument; `max_align` is the natural alignment as a power of two.
    MemArg {
        max_align: u8,
    },
    /// A memory argument and a lane index below `lanes`.
    MemArgLane {
        max_align: u8,
        lanes: u8,
    },
    /// A lane index below `lanes`.
    Lane {
        lanes: u8,
    },
    I32,
    I64,
    F32,
    F64,
    V128,
    Shuffle,
}

impl ImmKind {
    /// The bytes a memory access reads or writes: its natural alignment, which the
    /// table gives as the access width.
    pub const fn access_bytes(self) -> Option<u32> {
        match self {
            ImmKind::MemArg { max_align } | ImmKind::MemArgLane { max_align, .. } => Some(1 << max_align),
            _ => None,
        }
    }
}

/// The operand and result types of an instruction whose types are fixed, but for the
/// address of a load or store, whose type is its memory's index type.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct Signature {
    /// Whether the first operand is an address in the memory of the instruction's
    /// memory argument (written `addr` in the table), typed by that memory's
    /// [`IndexType`](crate::IndexType); `params` are the operands after it.
    pub address: bool,
    pub params: &'static [ValType],
    pub results: &'static [ValType],
}

#[doc(hidden)]
#[macro_export]
macro_rules! __imm_kind {
    (none) => {
        $crate::ImmKind::None
    };
    (block) => {
        $crate::ImmKind::Block
    };
    (label) => {
        $crate::ImmKind::Label
    };
    (br_table) => {
        $crate::ImmKind::BrTable
    };
    (func) => {
        $crate::ImmKind::Func
    };
    (call_indirect) => {
        $crate::ImmKind::CallIndirect
    };
    (ref_type) => {
        $crate::ImmKind::RefType
    };
    (select_types) => {
        $crate::ImmKind::SelectTypes
    };
    (local) => {
        $crate::ImmKind::Local
    };
    (global) => {
        $crate::ImmKind::Global
    };
    (table) => {
        $crate::ImmKind::Table
    };
    (table_init) => {
        $crate::ImmKind::TableInit
    };
    (elem) => {
        $crate::ImmKind::Elem
    };
    (table_copy) => {
        $crate::ImmKind::TableCopy
    };
    (memory) => {
        $crate::ImmKind::Memory
    };
    (memory_init) => {
        $crate::ImmKind::MemoryInit
    };
    (data) => {
        $crate::ImmKind::Data
    };
    (memory_copy) => {
        $crate::ImmKind::MemoryCopy
    };
    (mem1) => {
        $crate::ImmKind::MemArg { max_align: 0 }
    };
    (mem2) => {
        $crate::ImmKind::MemArg { max_align: 1 }
    };
    (mem4) => {
        $crate::ImmKind::MemArg { max_align: 2 }
    };
    (mem8) => {
        $crate::ImmKind::MemArg { max_align: 3 }
    };
    (mem16) => {
        $crate::ImmKind::MemArg { max_align: 4 }
    };
    (mem1_lane16) => {
        $crate::ImmKind::MemArgLane { max_align: 0, lanes: 16 }
    };
    (mem2_lane8) => {
        $crate::ImmKind::MemArgLane { max_align: 1, lanes: 8 }
    };
    (mem4_lane4) => {
        $crate::ImmKind::MemArgLane { max_align: 2, lanes: 4 }
    };
    (mem8_lane2) => {
        $crate::ImmKind::MemArgLane { max_align: 3, lanes: 2 }
    };
    (lane16) => {
        $crate::ImmKind::Lane { lanes: 16 }
    };
    (lane8) => {
        $crate::ImmKind::Lane { lanes: 8 }
    };
    (lane4) => {
        $crate::ImmKind::Lane { lanes: 4 }
    };
    (lane2) => {
        $crate::ImmKind::Lane { lanes: 2 }
    };
    (i32) => {
        $crate::ImmKind::I32
    };
    (i64) => {
        $crate::ImmKind::I64
    };
    (f32) => {
        $crate::ImmKind::F32
    };
    (f64) => {
        $crate::ImmKind::F64
    };
    (v128) => {
        $crate::ImmKind::V128
    };
    (shuffle) => {
        $crate::ImmKind::Shuffle
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __val_type {
    (i32) => {
        $crate::ValType::I32
    };
    (i64) => {
        $crate::ValType::I64
    };
    (f32) => {
        $crate::ValType::F32
    };
    (f64) => {
        $crate::ValType::F64
    };
    (v128) => {
        $crate::ValType::V128
    };
    (funcref) => {
        $crate::ValType::FuncRef
    };
    (externref) => {
        $crate::ValType::ExternRef
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __signature {
    (special) => { None };
    ([addr $($param:ident)* -> $($result:ident)*]) => {
        Some($crate::Signature {
            address: true,
            params: &[$($crate::__val_type!($param)),*],
            results: &[$($crate::__val_type!($result)),*],
        })
    };
    ([$($param:ident)* -> $($result:ident)*]) => {
        Some($crate::Signature {
            address: false,
            params: &[$($crate::__val_type!($param)),*],
            results: &[$($crate::__val_type!($result)),*],
        })
    };
}

macro_rules! define_opcodes {
    ($($name:ident = $encoding:literal, $snake:ident, $text:literal, $imm:ident, $sig:tt;)*) => {
        /// Every instruction, one variant per row of the instruction table.
        #[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
        #[repr(u16)]
        pub enum Opcode {
            $($name,)*
        }

        /// Per-opcode facts as arrays indexed by the opcode, so that the decoder's and
        /// validator's lookups are one load rather than a large `match`.
        const ENCODINGS: &[u32] = &[$($encoding,)*];
        const TEXTS: &[&str] = &[$($text,)*];
        const IMM_KINDS: &[ImmKind] = &[$($crate::__imm_kind!($imm),)*];
        const SIGNATURES: &[Option<Signature>] = &[$($crate::__signature!($sig),)*];

        impl Opcode {
            /// All opcodes, in table order.
            pub const ALL: &'static [Opcode] = &[$(Opcode::$name,)*];

            /// The proposal beyond Wasm 2.0 that the instruction belongs to.
            #[inline]
            pub const fn proposal(self) -> Option<Proposal> {
                Proposal::of_opcode(self.encoding())
            }

            /// The opcode byte, or `(prefix << 16) | subopcode` for prefixed instructions.
            #[inline]
            pub const fn encoding(self) -> u32 {
                ENCODINGS[self as usize]
            }

            /// The instruction's name in the text format.
            #[inline]
            pub const fn text(self) -> &'static str {
                TEXTS[self as usize]
            }

            #[inline]
            pub const fn imm_kind(self) -> ImmKind {
                IMM_KINDS[self as usize]
            }

            /// The fixed operand and result types, or `None` where they depend on
            /// context or immediates.
            #[inline]
            pub const fn signature(self) -> Option<Signature> {
                SIGNATURES[self as usize]
            }

            pub const fn from_encoding(encoding: u32) -> Option<Opcode> {
                let prefix = encoding >> 16;
                let index = (encoding & 0xFFFF) as usize;
                match prefix {
                    0 if index < 256 => SINGLE_BYTE[index],
                    0xFC if index < MISC.len() => MISC[index],
                    0xFD if index < SIMD.len() => SIMD[index],
                    _ => None,
                }
            }
        }
    };
}

crate::for_each_instruction!(define_opcodes);

/// Prefix bytes that introduce a LEB128 sub-opcode.
pub const PREFIX_MISC: u8 = 0xFC;
pub const PREFIX_SIMD: u8 = 0xFD;

/// Opcodes by encoding: single bytes, and the sub-opcodes of the two prefixes.
static SINGLE_BYTE: [Option<Opcode>; 256] = by_encoding(0, true);
static MISC: [Option<Opcode>; 32] = by_encoding(0xFC, true);
static SIMD: [Option<Opcode>; 0x114] = by_encoding(0xFD, true);
/// The single-byte opcodes of no proposal, which the decoder reads without asking
/// whether a proposal is switched on.
pub(crate) static UNGATED_SINGLE_BYTE: [Option<Opcode>; 256] = by_encoding(0, false);

/// The opcodes with `prefix` (0 for single bytes), indexed by (sub-)opcode; those of
/// proposals beyond 2.0 only if `gated` is set.
const fn by_encoding<const N: usize>(prefix: u32, gated: bool) -> [Option<Opcode>; N] {
    let mut table = [None; N];
    let mut i = 0;
    while i < Opcode::ALL.len() {
        let op = Opcode::ALL[i];
        let encoding = op.encoding();
        if encoding >> 16 == prefix && (gated || Proposal::of_opcode(encoding).is_none()) {
            table[(encoding & 0xFFFF) as usize] = Some(op);
        }
        i += 1;
    }
    table
}

impl std::fmt::Display for Opcode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text())
    }
}
