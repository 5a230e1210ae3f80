//! Decoding one instruction: its opcode and immediates, read in place.

use crate::error::{DecodeErrorKind, Result};
use crate::opcode::{ImmKind, Opcode, PREFIX_MISC, PREFIX_SIMD, UNGATED_SINGLE_BYTE};
use crate::proposal::Proposal;
use crate::reader::Reader;
use crate::types::{BlockType, RefType, ValType};

/// A memory access's alignment (as a power of two), memory and constant offset. The
/// memory is 0 but under multi-memory, and the offset below 2^32 but under memory64
/// (where the validator checks it against the memory's index type).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct MemArg {
    pub align: u32,
    pub memory: u32,
    pub offset: u64,
}

/// The bit of a memory argument's flags that says a memory index follows them (the
/// multi-memory proposal); the bits below it are the alignment.
pub const MEMARG_HAS_MEMORY: u32 = 0x40;

/// The targets of a `br_table`, left encoded in the code bytes.
#[derive(Clone, Debug)]
pub struct BrTable<'a> {
    /// The targets' LEB128 encodings.
    targets: &'a [u8],
    count: u32,
    pub default: u32,
}

impl<'a> BrTable<'a> {
    /// Number of targets, not counting the default.
    pub fn len(&self) -> u32 {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The targets, not counting the default. They were checked when the instruction
    /// was decoded, so reading them again cannot fail.
    pub fn targets(&self) -> impl Iterator<Item = u32> + 'a {
        let mut reader = Reader::new(self.targets);
        (0..self.count).map_while(move |_| reader.read_u32().ok())
    }
}

/// The immediates of one instruction; which variant follows from [`Opcode::imm_kind`].
#[derive(Clone, Debug)]
pub enum Imm<'a> {
    None,
    Block(BlockType),
    Label(u32),
    BrTable(BrTable<'a>),
    Func(u32),
    CallIndirect { type_index: u32, table: u32 },
    RefType(RefType),
    SelectType(ValType),
    Local(u32),
    Global(u32),
    Table(u32),
    TableInit { elem: u32, table: u32 },
    Elem(u32),
    TableCopy { dst: u32, src: u32 },
    Memory(u32),
    MemoryInit { data: u32, memory: u32 },
    Data(u32),
    MemoryCopy { dst: u32, src: u32 },
    MemArg(MemArg),
    MemArgLane(MemArg, u8),
    Lane(u8),
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128([u8; 16]),
    Shuffle([u8; 16]),
}

impl<'a> Reader<'a> {
    /// Reads an opcode, including the LEB128 sub-opcode of prefixed instructions.
    #[inline]
    pub fn read_opcode(&mut self) -> Result<Opcode> {
        let at = self.position();
        let byte = self.read_u8()?;
        if let Some(op) = UNGATED_SINGLE_BYTE[usize::from(byte)] {
            return Ok(op);
        }
        let code = match byte {
            PREFIX_MISC | PREFIX_SIMD => {
                let sub = self.read_u32()?;
                if sub > 0xFFFF { u32::MAX } else { u32::from(byte) << 16 | sub }
            }
            _ => u32::from(byte),
        };
        match Opcode::from_encoding(code) {
            Some(op) if Proposal::of_opcode(code).is_none_or(|p| self.features().allows(p)) => Ok(op),
            _ => Err(self.error_at(at, DecodeErrorKind::IllegalOpcode(code))),
        }
    }

    /// Reads one instruction: its opcode and its immediates. Inlined into the loops
    /// that walk code, so the immediates are built in place rather than copied out.
    #[inline(always)]
    pub fn read_instr(&mut self) -> Result<(Opcode, Imm<'a>)> {
        let op = self.read_opcode()?;
        let imm = self.read_imm(op.imm_kind())?;
        Ok((op, imm))
    }

    #[inline(always)]
    pub fn read_imm(&mut self, kind: ImmKind) -> Result<Imm<'a>> {
        Ok(match kind {
            ImmKind::None => Imm::None,
            ImmKind::Block => Imm::Block(self.read_block_type()?),
            ImmKind::Label => Imm::Label(self.read_u32()?),
            ImmKind::BrTable => Imm::BrTable(self.read_br_table()?),
            ImmKind::Func => Imm::Func(self.read_u32()?),
            ImmKind::CallIndirect => {
                let type_index = self.read_u32()?;
                let table = self.read_u32()?;
                Imm::CallIndirect { type_index, table }
            }
            ImmKind::RefType => Imm::RefType(self.read_ref_type()?),
            ImmKind::SelectTypes => {
                let at = self.position();
                let count = self.read_u32()?;
                if count != 1 {
                    return Err(self.error_at(at, DecodeErrorKind::InvalidResultArity));
                }
                Imm::SelectType(self.read_val_type()?)
            }
            ImmKind::Local => Imm::Local(self.read_u32()?),
            ImmKind::Global => Imm::Global(self.read_u32()?),
            ImmKind::Table => Imm::Table(self.read_u32()?),
            ImmKind::TableInit => {
                let elem = self.read_u32()?;
                let table = self.read_u32()?;
                Imm::TableInit { elem, table }
            }
            ImmKind::Elem => Imm::Elem(self.read_u32()?),
            ImmKind::TableCopy => {
                let dst = self.read_u32()?;
                let src = self.read_u32()?;
                Imm::TableCopy { dst, src }
            }
            ImmKind::Memory => Imm::Memory(self.read_memory_index()?),
            ImmKind::MemoryInit => {
                let data = self.read_u32()?;
                Imm::MemoryInit { data, memory: self.read_memory_index()? }
            }
            ImmKind::Data => Imm::Data(self.read_u32()?),
            ImmKind::MemoryCopy => {
                let dst = self.read_memory_index()?;
                Imm::MemoryCopy { dst, src: self.read_memory_index()? }
            }
            ImmKind::MemArg { .. } => Imm::MemArg(self.read_mem_arg()?),
            ImmKind::MemArgLane { .. } => {
                let arg = self.read_mem_arg()?;
                Imm::MemArgLane(arg, self.read_u8()?)
            }
            ImmKind::Lane { .. } => Imm::Lane(self.read_u8()?),
            ImmKind::I32 => Imm::I32(self.read_i32()?),
            ImmKind::I64 => Imm::I64(self.read_i64()?),
            ImmKind::F32 => Imm::F32(self.read_f32_bits()?),
            ImmKind::F64 => Imm::F64(self.read_f64_bits()?),
            ImmKind::V128 => Imm::V128(self.read_array()?),
            ImmKind::Shuffle => Imm::Shuffle(self.read_array()?),
        })
    }

    pub fn read_val_type(&mut self) -> Result<ValType> {
        let at = self.position();
        let byte = self.read_u8()?;
        ValType::from_byte(byte).ok_or_else(|| self.error_at(at, DecodeErrorKind::MalformedValueType(byte)))
    }

    pub fn read_ref_type(&mut self) -> Result<RefType> {
        let at = self.position();
        let byte = self.read_u8()?;
        RefType::from_byte(byte)
            .ok_or_else(|| self.error_at(at, DecodeErrorKind::MalformedReferenceType(byte)))
    }

    pub fn read_block_type(&mut self) -> Result<BlockType> {
        let byte = self.peek_u8()?;
        if byte == 0x40 {
            self.read_u8()?;
            return Ok(BlockType::Empty);
        }
        if let Some(ty) = ValType::from_byte(byte) {
            self.read_u8()?;
            return Ok(BlockType::Value(ty));
        }
        let at = self.position();
        let index = self.read_i33()?;
        if index < 0 {
            // A one-byte negative number that is not a value type.
            return Err(self.error_at(at, DecodeErrorKind::MalformedValueType(byte)));
        }
        // A non-negative i33 is at most 2^32 - 1.
        Ok(BlockType::Func(index as u32))
    }

    fn read_br_table(&mut self) -> Result<BrTable<'a>> {
        let count = self.read_count(1, crate::limits::MAX_BR_TABLE_TARGETS, "br_table targets")?;
        let start = self.position();
        for _ in 0..count {
            self.read_u32()?;
        }
        let targets = &self.data()[start..self.position()];
        let default = self.read_u32()?;
        Ok(BrTable { targets, count, default })
    }

    fn read_mem_arg(&mut self) -> Result<MemArg> {
        let at = self.position();
        let flags = self.read_u32()?;
        let features = self.features();
        let (align, memory) = if flags & MEMARG_HAS_MEMORY != 0 && features.allows(Proposal::MultiMemory) {
            (flags & !MEMARG_HAS_MEMORY, self.read_u32()?)
        } else {
            (flags, 0)
        };
        if align >= 32 {
            return Err(self.error_at(at, DecodeErrorKind::MalformedMemopFlags(flags)));
        }
        // 3.0 encodes every offset in 64 bits; 2.0 in 32.
        let offset =
            if features.allows(Proposal::Memory64) { self.read_u64()? } else { self.read_u32()?.into() };
        Ok(MemArg { align, memory, offset })
    }

    /// The memory index of a memory instruction other than a load or store: a zero byte
    /// in 2.0, which multi-memory turns into an index.
    fn read_memory_index(&mut self) -> Result<u32> {
        if self.features().allows(Proposal::MultiMemory) {
            return self.read_u32();
        }
        let at = self.position();
        let byte = self.read_u8()?;
        if byte != 0 {
            return Err(self.error_at(at, DecodeErrorKind::ZeroByteExpected(byte)));
        }
        Ok(0)
    }
}
