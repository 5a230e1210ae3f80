//! What instances import and export: [`Extern`] values and their [`ExternType`]s.

use std::fmt;

use stratus_decoder::{FuncType, GlobalType, ImportDesc, Limits, MemoryType, TableType};

use crate::error::Error;
use crate::func::Func;
use crate::global::Global;
use crate::memory::Memory;
use crate::store::{AsContext, StoreId};
use crate::table::Table;

pub(crate) type RtExtern = stratus_runtime::Extern;

/// A function, table, memory or global of a store: what an instance exports and what
/// imports are satisfied with.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum Extern {
    Func(Func),
    Table(Table),
    Memory(Memory),
    Global(Global),
}

impl Extern {
    pub(crate) fn from_rt(store: StoreId, ext: RtExtern) -> Extern {
        match ext {
            RtExtern::Func(addr) => Extern::Func(Func::from_addr(store, addr)),
            RtExtern::Table(addr) => Extern::Table(Table::from_addr(store, addr)),
            RtExtern::Memory(addr) => Extern::Memory(Memory::from_addr(store, addr)),
            RtExtern::Global(addr) => Extern::Global(Global::from_addr(store, addr)),
        }
    }

    pub(crate) fn to_rt(self, store: StoreId) -> Result<RtExtern, Error> {
        Ok(match self {
            Extern::Func(f) => RtExtern::Func(f.addr_in(store)?),
            Extern::Table(t) => RtExtern::Table(t.addr_in(store)?),
            Extern::Memory(m) => RtExtern::Memory(m.addr_in(store)?),
            Extern::Global(g) => RtExtern::Global(g.addr_in(store)?),
        })
    }

    /// "function", "table", "memory" or "global".
    pub fn kind_name(&self) -> &'static str {
        match self {
            Extern::Func(_) => "function",
            Extern::Table(_) => "table",
            Extern::Memory(_) => "memory",
            Extern::Global(_) => "global",
        }
    }

    /// The current type.
    ///
    /// # Panics
    /// If `store` is not the store of this object.
    pub fn ty(&self, store: impl AsContext) -> ExternType {
        match self {
            Extern::Func(f) => ExternType::Func(f.ty(store)),
            Extern::Table(t) => ExternType::Table(t.ty(store)),
            Extern::Memory(m) => ExternType::Memory(m.ty(store)),
            Extern::Global(g) => ExternType::Global(g.ty(store)),
        }
    }

    pub fn into_func(self) -> Option<Func> {
        match self {
            Extern::Func(f) => Some(f),
            _ => None,
        }
    }

    pub fn into_table(self) -> Option<Table> {
        match self {
            Extern::Table(t) => Some(t),
            _ => None,
        }
    }

    pub fn into_memory(self) -> Option<Memory> {
        match self {
            Extern::Memory(m) => Some(m),
            _ => None,
        }
    }

    pub fn into_global(self) -> Option<Global> {
        match self {
            Extern::Global(g) => Some(g),
            _ => None,
        }
    }
}

impl From<Func> for Extern {
    fn from(f: Func) -> Extern {
        Extern::Func(f)
    }
}

impl From<Table> for Extern {
    fn from(t: Table) -> Extern {
        Extern::Table(t)
    }
}

impl From<Memory> for Extern {
    fn from(m: Memory) -> Extern {
        Extern::Memory(m)
    }
}

impl From<Global> for Extern {
    fn from(g: Global) -> Extern {
        Extern::Global(g)
    }
}

/// The type of an import or export.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum ExternType {
    Func(FuncType),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
}

impl ExternType {
    pub(crate) fn of_import(desc: &ImportDesc, types: &[FuncType]) -> ExternType {
        match *desc {
            ImportDesc::Func(ty) => ExternType::Func(types[ty as usize].clone()),
            ImportDesc::Table(ty) => ExternType::Table(ty),
            ImportDesc::Memory(ty) => ExternType::Memory(ty),
            ImportDesc::Global(ty) => ExternType::Global(ty),
        }
    }

    /// "function", "table", "memory" or "global".
    pub fn kind_name(&self) -> &'static str {
        match self {
            ExternType::Func(_) => "function",
            ExternType::Table(_) => "table",
            ExternType::Memory(_) => "memory",
            ExternType::Global(_) => "global",
        }
    }

    pub fn func(&self) -> Option<&FuncType> {
        match self {
            ExternType::Func(ty) => Some(ty),
            _ => None,
        }
    }
}

/// Reads as the noun phrase of an error message: "function [i32] -> []",
/// "memory (min 1, max 2 pages)", "global mut i64".
impl fmt::Display for ExternType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExternType::Func(ty) => write!(f, "function {ty}"),
            ExternType::Table(ty) => write!(f, "table of {} ({} elements)", ty.elem, show_limits(ty.limits)),
            ExternType::Memory(ty) => write!(f, "memory ({} pages)", show_limits(ty.limits)),
            ExternType::Global(ty) => {
                write!(f, "global {}{}", if ty.mutable { "mut " } else { "" }, ty.content)
            }
        }
    }
}

fn show_limits(limits: Limits) -> String {
    match limits.max {
        Some(max) => format!("min {}, max {max}", limits.min),
        None => format!("min {}, no max", limits.min),
    }
}
