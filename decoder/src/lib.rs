//! stratus-decoder: the WebAssembly binary format, decoded in place.
//!
//! Owns the one instruction table ([`for_each_instruction!`]) that every other part of
//! Stratus expands, the value and module types, and a zero-copy decoder: a [`Module`]
//! holds ranges into the caller's bytes, and function bodies are decoded instruction
//! by instruction on demand with [`Reader::read_instr`]. Every error is a
//! [`DecodeError`] with the byte offset it applies to; limits are checked before
//! anything is allocated.
//!
//! Does not own: validation (stratus-validator), or anything about running code.

mod error;
mod instr;
#[macro_use]
mod instructions;
pub mod limits;
mod module;
mod nan;
mod opcode;
mod proposal;
mod reader;
mod types;

pub use error::{DecodeError, DecodeErrorKind, Result};
pub use instr::{BrTable, Imm, MEMARG_HAS_MEMORY, MemArg};
pub use module::{
    ConstExpr, CustomSection, Data, DataMode, Element, ElementItems, ElementMode, Export, ExternKind,
    FuncBody, Import, ImportDesc, Module, Names, Start,
};
pub use nan::NanLanes;
pub use opcode::{ImmKind, Opcode, PREFIX_MISC, PREFIX_SIMD, Signature};
pub use proposal::{Features, Proposal};
pub use reader::Reader;
pub use types::{
    BlockType, FuncType, GlobalType, IndexType, Limits, MemoryType, RefType, TableType, ValType,
};
