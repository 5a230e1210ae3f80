//! Values as the embedder sees them, and host objects WebAssembly holds as `externref`.

use std::any::Any;
use std::fmt;

use stratus_decoder::ValType;
use stratus_runtime::ExternAddr;

use crate::error::Error;
use crate::func::Func;
use crate::store::{AsContext, AsContextMut, StoreId};

/// The runtime's value: references by bare store address.
pub(crate) type RtVal = stratus_runtime::Val;

/// A WebAssembly value. Floats are kept as their bits, so NaN payloads survive the trip
/// through the host; [`Val::f32`] and [`Val::f64`] convert. References are handles that
/// know their store.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum Val {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    FuncRef(Option<Func>),
    ExternRef(Option<ExternRef>),
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

    /// The zero value of `ty` (null for references).
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

    pub fn i32(&self) -> Option<i32> {
        match *self {
            Val::I32(v) => Some(v),
            _ => None,
        }
    }

    pub fn i64(&self) -> Option<i64> {
        match *self {
            Val::I64(v) => Some(v),
            _ => None,
        }
    }

    pub fn f32(&self) -> Option<f32> {
        match *self {
            Val::F32(bits) => Some(f32::from_bits(bits)),
            _ => None,
        }
    }

    pub fn f64(&self) -> Option<f64> {
        match *self {
            Val::F64(bits) => Some(f64::from_bits(bits)),
            _ => None,
        }
    }

    pub fn v128(&self) -> Option<u128> {
        match *self {
            Val::V128(v) => Some(v),
            _ => None,
        }
    }

    /// The function reference (`Some(None)` for a null `funcref`).
    pub fn funcref(&self) -> Option<Option<Func>> {
        match *self {
            Val::FuncRef(f) => Some(f),
            _ => None,
        }
    }

    pub fn externref(&self) -> Option<Option<ExternRef>> {
        match *self {
            Val::ExternRef(r) => Some(r),
            _ => None,
        }
    }

    /// The runtime's value, after checking that references belong to `store`.
    pub(crate) fn to_rt(self, store: StoreId) -> Result<RtVal, Error> {
        Ok(match self {
            Val::I32(v) => RtVal::I32(v),
            Val::I64(v) => RtVal::I64(v),
            Val::F32(v) => RtVal::F32(v),
            Val::F64(v) => RtVal::F64(v),
            Val::V128(v) => RtVal::V128(v),
            Val::FuncRef(None) => RtVal::FuncRef(None),
            Val::FuncRef(Some(f)) => RtVal::FuncRef(Some(f.addr_in(store)?)),
            Val::ExternRef(None) => RtVal::ExternRef(None),
            Val::ExternRef(Some(r)) => RtVal::ExternRef(Some(r.addr_in(store)?)),
        })
    }

    pub(crate) fn from_rt(val: RtVal, store: StoreId) -> Val {
        match val {
            RtVal::I32(v) => Val::I32(v),
            RtVal::I64(v) => Val::I64(v),
            RtVal::F32(v) => Val::F32(v),
            RtVal::F64(v) => Val::F64(v),
            RtVal::V128(v) => Val::V128(v),
            RtVal::FuncRef(f) => Val::FuncRef(f.map(|addr| Func::from_addr(store, addr))),
            RtVal::ExternRef(r) => Val::ExternRef(r.map(|addr| ExternRef { store, addr })),
        }
    }
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
            Val::FuncRef(Some(_)) => f.write_str("func: funcref"),
            Val::ExternRef(None) => f.write_str("null: externref"),
            Val::ExternRef(Some(_)) => f.write_str("extern: externref"),
        }
    }
}

impl From<i32> for Val {
    fn from(v: i32) -> Val {
        Val::I32(v)
    }
}

impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::I64(v)
    }
}

impl From<f32> for Val {
    fn from(v: f32) -> Val {
        Val::F32(v.to_bits())
    }
}

impl From<f64> for Val {
    fn from(v: f64) -> Val {
        Val::F64(v.to_bits())
    }
}

impl From<u128> for Val {
    fn from(v: u128) -> Val {
        Val::V128(v)
    }
}

impl From<Func> for Val {
    fn from(f: Func) -> Val {
        Val::FuncRef(Some(f))
    }
}

impl From<ExternRef> for Val {
    fn from(r: ExternRef) -> Val {
        Val::ExternRef(Some(r))
    }
}

/// A host value that WebAssembly code can hold as an `externref`, kept in a store.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct ExternRef {
    store: StoreId,
    addr: ExternAddr,
}

impl ExternRef {
    /// Keeps `value` in the store; it lives as long as the store.
    pub fn new(mut store: impl AsContextMut, value: impl Any + Send + Sync) -> ExternRef {
        let store = store.as_context_mut().0;
        let addr = store.add_extern(Box::new(value));
        ExternRef { store: store.data.id, addr }
    }

    /// The host value.
    ///
    /// # Panics
    /// If `store` is not the store the reference was made in.
    pub fn data<'a, C: AsContext + ?Sized>(&self, store: &'a C) -> &'a (dyn Any + Send + Sync) {
        let store = store.as_context().0;
        let addr = self.addr_in(store.data.id).expect("ExternRef used with a store it does not belong to");
        &*store.externs[addr.0 as usize]
    }

    pub(crate) fn addr_in(&self, store: StoreId) -> Result<ExternAddr, Error> {
        if self.store == store { Ok(self.addr) } else { Err(Error::StoreMismatch) }
    }

    pub(crate) fn from_addr(store: StoreId, addr: ExternAddr) -> ExternRef {
        ExternRef { store, addr }
    }
}
