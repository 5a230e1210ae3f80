//! Values as the host sees them, and their encoding in 64-bit value-stack slots.

use std::fmt;

use stratus_decoder::ValType;

/// A function in a store.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct FuncAddr(pub u32);

/// A host value that WebAssembly code holds as an `externref`.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct ExternAddr(pub u32);

/// A WebAssembly value. Floats are kept as bits, so NaN payloads survive the trip
/// through the host.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Val {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    FuncRef(Option<FuncAddr>),
    ExternRef(Option<ExternAddr>),
}

impl Val {
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::V128(_) => ValType::V128,
            Val::FuncRef(_) => ValType::FuncRef,
            Val::ExternRef(_) => ValType::ExternRef,
        }
    }

    /// The zero value of a type: what locals and new table entries start as.
    pub fn default_of(ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::V128 => Val::V128(0),
            ValType::FuncRef => Val::FuncRef(None),
            ValType::ExternRef => Val::ExternRef(None),
        }
    }

    /// The value-stack encoding: one slot, or two (low half first) for `v128`.
    /// References are their address plus one, so that null is zero.
    pub fn to_slots(self) -> [u64; 2] {
        match self {
            Val::I32(v) => [v as u32 as u64, 0],
            Val::I64(v) => [v as u64, 0],
            Val::F32(v) => [u64::from(v), 0],
            Val::F64(v) => [v, 0],
            Val::V128(v) => [v as u64, (v >> 64) as u64],
            Val::FuncRef(r) => [r.map_or(0, |a| u64::from(a.0) + 1), 0],
            Val::ExternRef(r) => [r.map_or(0, |a| u64::from(a.0) + 1), 0],
        }
    }

    /// Decodes a value of type `ty` from its slots.
    pub fn from_slots(ty: ValType, slots: &[u64]) -> Val {
        let lo = slots[0];
        match ty {
            ValType::I32 => Val::I32(lo as u32 as i32),
            ValType::I64 => Val::I64(lo as i64),
            ValType::F32 => Val::F32(lo as u32),
            ValType::F64 => Val::F64(lo),
            ValType::V128 => Val::V128(u128::from(lo) | u128::from(slots[1]) << 64),
            ValType::FuncRef => Val::FuncRef(ref_from_slot(lo).map(FuncAddr)),
            ValType::ExternRef => Val::ExternRef(ref_from_slot(lo).map(ExternAddr)),
        }
    }
}

/// The slot of a reference: address plus one, zero for null.
#[inline]
pub fn ref_to_slot(addr: Option<u32>) -> u64 {
    addr.map_or(0, |a| u64::from(a) + 1)
}

#[inline]
pub fn ref_from_slot(slot: u64) -> Option<u32> {
    slot.checked_sub(1).map(|a| a as u32)
}

impl fmt::Display for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Val::I32(v) => write!(f, "{v}: i32"),
            Val::I64(v) => write!(f, "{v}: i64"),
            Val::F32(v) => write!(f, "{}: f32", f32::from_bits(*v)),
            Val::F64(v) => write!(f, "{}: f64", f64::from_bits(*v)),
            Val::V128(v) => write!(f, "0x{v:032x}: v128"),
            Val::FuncRef(None) => f.write_str("null: funcref"),
            Val::FuncRef(Some(a)) => write!(f, "func {}: funcref", a.0),
            Val::ExternRef(None) => f.write_str("null: externref"),
            Val::ExternRef(Some(a)) => write!(f, "extern {}: externref", a.0),
        }
    }
}
