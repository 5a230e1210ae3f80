//! The types of the binary format: value, reference, function, limits, and the
//! table, memory and global types built from them.

use std::fmt;

/// A value type. `V128` occupies two 64-bit slots on the value stack, every other
/// type one.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
    V128,
    FuncRef,
    ExternRef,
}

impl ValType {
    /// The type encoded by `byte`, if any.
    pub const fn from_byte(byte: u8) -> Option<ValType> {
        Some(match byte {
            0x7F => ValType::I32,
            0x7E => ValType::I64,
            0x7D => ValType::F32,
            0x7C => ValType::F64,
            0x7B => ValType::V128,
            0x70 => ValType::FuncRef,
            0x6F => ValType::ExternRef,
            _ => return None,
        })
    }

    pub const fn is_ref(self) -> bool {
        matches!(self, ValType::FuncRef | ValType::ExternRef)
    }

    pub const fn is_num(self) -> bool {
        matches!(self, ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64)
    }

    /// How many 64-bit value-stack slots a value of this type occupies.
    #[inline]
    pub const fn slots(self) -> u32 {
        match self {
            ValType::V128 => 2,
            _ => 1,
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::V128 => "v128",
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
        }
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A reference type: what tables hold and `ref.null` names.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum RefType {
    FuncRef,
    ExternRef,
}

impl RefType {
    pub const fn from_byte(byte: u8) -> Option<RefType> {
        match byte {
            0x70 => Some(RefType::FuncRef),
            0x6F => Some(RefType::ExternRef),
            _ => None,
        }
    }
}

impl From<RefType> for ValType {
    fn from(r: RefType) -> ValType {
        match r {
            RefType::FuncRef => ValType::FuncRef,
            RefType::ExternRef => ValType::ExternRef,
        }
    }
}

impl fmt::Display for RefType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(ValType::from(*self).name())
    }
}

/// A function type; parameters and results share one allocation.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct FuncType {
    types: Box<[ValType]>,
    param_count: usize,
}

impl FuncType {
    pub fn new(params: &[ValType], results: &[ValType]) -> Self {
        let types = params.iter().chain(results).copied().collect();
        FuncType { types, param_count: params.len() }
    }

    #[inline]
    pub fn params(&self) -> &[ValType] {
        &self.types[..self.param_count]
    }

    #[inline]
    pub fn results(&self) -> &[ValType] {
        &self.types[self.param_count..]
    }
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        write_types(f, self.params())?;
        f.write_str("] -> [")?;
        write_types(f, self.results())?;
        f.write_str("]")
    }
}

fn write_types(f: &mut fmt::Formatter<'_>, types: &[ValType]) -> fmt::Result {
    for (i, t) in types.iter().enumerate() {
        if i > 0 {
            f.write_str(" ")?;
        }
        f.write_str(t.name())?;
    }
    Ok(())
}

/// The size limits of a table (in elements) or a memory (in 64 KiB pages): 32-bit
/// numbers but for 64-bit memories and tables.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct Limits {
    pub min: u64,
    pub max: Option<u64>,
}

/// The type of the addresses of a memory, or of the element indices of a table: `i32`,
/// or `i64` under the memory64 proposal.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Default)]
pub enum IndexType {
    #[default]
    I32,
    I64,
}

impl IndexType {
    /// The value type of an address or element index.
    pub const fn val_type(self) -> ValType {
        match self {
            IndexType::I32 => ValType::I32,
            IndexType::I64 => ValType::I64,
        }
    }

    /// The index type of a copy's length between two memories or tables of index types
    /// `self` and `other`: the narrower of the two.
    pub const fn narrower(self, other: IndexType) -> IndexType {
        match (self, other) {
            (IndexType::I64, IndexType::I64) => IndexType::I64,
            _ => IndexType::I32,
        }
    }
}

#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct TableType {
    pub elem: RefType,
    pub index_type: IndexType,
    pub limits: Limits,
}

#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct MemoryType {
    pub index_type: IndexType,
    pub limits: Limits,
}

impl TableType {
    /// A table indexed by `i32`.
    pub const fn new(elem: RefType, limits: Limits) -> TableType {
        TableType { elem, index_type: IndexType::I32, limits }
    }
}

impl MemoryType {
    /// A memory addressed by `i32`.
    pub const fn new(limits: Limits) -> MemoryType {
        MemoryType { index_type: IndexType::I32, limits }
    }
}

#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct GlobalType {
    pub content: ValType,
    pub mutable: bool,
}

/// The type of a `block`, `loop` or `if`.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum BlockType {
    Empty,
    Value(ValType),
    /// An index into the type section.
    Func(u32),
}
