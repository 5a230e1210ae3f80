//! Statically typed values and functions: Rust types that stand for WebAssembly value
//! types, lists of them (a single value or a tuple), and [`TypedFunc`].

use std::fmt;
use std::marker::PhantomData;

use stratus_decoder::{FuncType, ValType};
use stratus_runtime::Trap;

use crate::error::Error;
use crate::func::{Func, invoke};
use crate::store::{AsContextMut, RtStore, StoreId};
use crate::values::{ExternRef, RtVal};

/// A Rust type that stands for a WebAssembly value type: `i32` and `u32` for `i32`,
/// `i64` and `u64` for `i64`, `f32`, `f64`, `u128` for `v128`, `Option<Func>` for
/// `funcref` and `Option<ExternRef>` for `externref`. Sealed.
pub trait WasmTy: sealed::RawTy + Send + 'static {}

/// The parameters or results of a typed function: `()`, a single [`WasmTy`], or a tuple
/// of up to 12 of them. Sealed.
pub trait WasmValues: sealed::RawValues + Send + 'static {}

pub(crate) mod sealed {
    use super::*;

    pub trait RawTy: Sized {
        fn val_type() -> ValType;
        /// The runtime value; references must belong to `store`.
        fn into_raw(self, store: StoreId) -> Result<RtVal, Error>;
        /// `None` if `val` is not of this type.
        fn from_raw(val: RtVal, store: StoreId) -> Option<Self>;
    }

    pub trait RawValues: Sized {
        const COUNT: usize;
        fn types() -> Vec<ValType>;
        /// Writes the values to `out`, which has room for `COUNT`.
        fn write(self, store: StoreId, out: &mut [RtVal]) -> Result<(), Error>;
        /// `None` if `vals` do not have these types.
        fn read(vals: &[RtVal], store: StoreId) -> Option<Self>;
    }
}

use sealed::{RawTy, RawValues};

macro_rules! num_types {
    ($($rust:ty => $variant:ident($repr:ty) $(via $to:expr, $from:expr)?;)*) => {$(
        impl RawTy for $rust {
            fn val_type() -> ValType {
                ValType::$variant
            }

            #[allow(clippy::unnecessary_cast)]
            fn into_raw(self, _: StoreId) -> Result<RtVal, Error> {
                let value = self;
                $(let value = ($to)(value);)?
                Ok(RtVal::$variant(value as $repr))
            }

            #[allow(clippy::unnecessary_cast)]
            fn from_raw(val: RtVal, _: StoreId) -> Option<Self> {
                match val {
                    RtVal::$variant(value) => {
                        $(let value = ($from)(value);)?
                        Some(value as $rust)
                    }
                    _ => None,
                }
            }
        }

        impl WasmTy for $rust {}
    )*};
}

// `as` between same-width integers keeps the bits: `u32` is an `i32` read unsigned.
num_types! {
    i32 => I32(i32);
    u32 => I32(i32);
    i64 => I64(i64);
    u64 => I64(i64);
    f32 => F32(u32) via f32::to_bits, f32::from_bits;
    f64 => F64(u64) via f64::to_bits, f64::from_bits;
    u128 => V128(u128);
}

impl RawTy for Option<Func> {
    fn val_type() -> ValType {
        ValType::FuncRef
    }

    fn into_raw(self, store: StoreId) -> Result<RtVal, Error> {
        Ok(RtVal::FuncRef(self.map(|f| f.addr_in(store)).transpose()?))
    }

    fn from_raw(val: RtVal, store: StoreId) -> Option<Self> {
        match val {
            RtVal::FuncRef(f) => Some(f.map(|addr| Func::from_addr(store, addr))),
            _ => None,
        }
    }
}

impl WasmTy for Option<Func> {}

impl RawTy for Option<ExternRef> {
    fn val_type() -> ValType {
        ValType::ExternRef
    }

    fn into_raw(self, store: StoreId) -> Result<RtVal, Error> {
        crate::values::Val::ExternRef(self).to_rt(store)
    }

    fn from_raw(val: RtVal, store: StoreId) -> Option<Self> {
        match val {
            RtVal::ExternRef(_) => crate::values::Val::from_rt(val, store).externref(),
            _ => None,
        }
    }
}

impl WasmTy for Option<ExternRef> {}

impl<V: WasmTy> RawValues for V {
    const COUNT: usize = 1;

    fn types() -> Vec<ValType> {
        vec![V::val_type()]
    }

    fn write(self, store: StoreId, out: &mut [RtVal]) -> Result<(), Error> {
        if let Some(slot) = out.first_mut() {
            *slot = self.into_raw(store)?;
        }
        Ok(())
    }

    fn read(vals: &[RtVal], store: StoreId) -> Option<Self> {
        match vals {
            [val] => V::from_raw(*val, store),
            _ => None,
        }
    }
}

impl<V: WasmTy> WasmValues for V {}

/// Calls `$mac!` once for each tuple arity from 0 to 12, with a type and a variable
/// name per element.
macro_rules! for_each_arity {
    ($mac:ident) => {
        $mac!();
        $mac!(A1 a1);
        $mac!(A1 a1, A2 a2);
        $mac!(A1 a1, A2 a2, A3 a3);
        $mac!(A1 a1, A2 a2, A3 a3, A4 a4);
        $mac!(A1 a1, A2 a2, A3 a3, A4 a4, A5 a5);
        $mac!(A1 a1, A2 a2, A3 a3, A4 a4, A5 a5, A6 a6);
        $mac!(A1 a1, A2 a2, A3 a3, A4 a4, A5 a5, A6 a6, A7 a7);
        $mac!(A1 a1, A2 a2, A3 a3, A4 a4, A5 a5, A6 a6, A7 a7, A8 a8);
        $mac!(A1 a1, A2 a2, A3 a3, A4 a4, A5 a5, A6 a6, A7 a7, A8 a8, A9 a9);
        $mac!(A1 a1, A2 a2, A3 a3, A4 a4, A5 a5, A6 a6, A7 a7, A8 a8, A9 a9, A10 a10);
        $mac!(A1 a1, A2 a2, A3 a3, A4 a4, A5 a5, A6 a6, A7 a7, A8 a8, A9 a9, A10 a10, A11 a11);
        $mac!(A1 a1, A2 a2, A3 a3, A4 a4, A5 a5, A6 a6, A7 a7, A8 a8, A9 a9, A10 a10, A11 a11, A12 a12);
    };
}

pub(crate) use for_each_arity;

/// 1, whatever the type: counts a macro repetition.
macro_rules! one {
    ($A:ident) => {
        1
    };
}

macro_rules! impl_values_for_tuple {
    ($($A:ident $a:ident),*) => {
        impl<$($A: WasmTy),*> RawValues for ($($A,)*) {
            const COUNT: usize = 0 $(+ one!($A))*;

            fn types() -> Vec<ValType> {
                vec![$($A::val_type()),*]
            }

            #[allow(unused_variables, unused_mut)]
            fn write(self, store: StoreId, out: &mut [RtVal]) -> Result<(), Error> {
                let ($($a,)*) = self;
                let mut slots = out.iter_mut();
                $(if let Some(slot) = slots.next() {
                    *slot = $a.into_raw(store)?;
                })*
                Ok(())
            }

            #[allow(unused_variables, unused_mut)]
            fn read(vals: &[RtVal], store: StoreId) -> Option<Self> {
                if vals.len() != Self::COUNT {
                    return None;
                }
                let mut vals = vals.iter();
                Some(($($A::from_raw(*vals.next()?, store)?,)*))
            }
        }

        impl<$($A: WasmTy),*> WasmValues for ($($A,)*) {}
    };
}

for_each_arity!(impl_values_for_tuple);

/// A function whose type is known statically: `Params` and `Results` are
/// [`WasmValues`]. Made by [`Func::typed`] or [`crate::Instance::get_typed_func`], which
/// check the type once, so calls need no checks.
pub struct TypedFunc<Params, Results> {
    func: Func,
    types: PhantomData<fn(Params) -> Results>,
}

impl<Params, Results> Clone for TypedFunc<Params, Results> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<Params, Results> Copy for TypedFunc<Params, Results> {}

impl<Params, Results> fmt::Debug for TypedFunc<Params, Results> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TypedFunc").field(&self.func).finish()
    }
}

impl<Params: WasmValues, Results: WasmValues> TypedFunc<Params, Results> {
    /// Checks that `func`, known as `name` if it is an export, has the type
    /// `Params -> Results`.
    pub(crate) fn new<T>(func: Func, store: &RtStore<T>, name: Option<&str>) -> Result<Self, Error> {
        let addr = func.addr_in(store.data.id)?;
        let found = store.func_type(addr);
        let expected = FuncType::new(&Params::types(), &Results::types());
        if *found != expected {
            return Err(Error::SignatureMismatch {
                name: name.map(str::to_string),
                expected,
                found: found.clone(),
            });
        }
        Ok(TypedFunc { func, types: PhantomData })
    }

    /// The function, untyped.
    pub fn func(&self) -> Func {
        self.func
    }

    /// Calls the function with `params` and returns its results.
    pub fn call(&self, mut store: impl AsContextMut, params: Params) -> Result<Results, Error> {
        let store = store.as_context_mut().0;
        let id = store.data.id;
        let addr = self.func.addr_in(id)?;
        let mut args = vec![RtVal::I32(0); Params::COUNT];
        params.write(id, &mut args)?;
        let results = invoke(store, addr, &args)?;
        Results::read(&results, id)
            .ok_or_else(|| Error::Trap(Trap::host("internal error: results of the wrong type")))
    }
}
