//! Host functions: the closures that qualify, the [`Caller`] they get, and how their
//! outcome goes back to the runtime.

use std::marker::PhantomData;
use std::sync::Arc;

use stratus_decoder::{FuncType, ValType};
use stratus_runtime::{HostFunc, InstanceAddr, Trap};

use crate::engine::Engine;
use crate::error::Error;
use crate::externals::Extern;
use crate::store::{AsContext, AsContextMut, RtStore, StoreContext, StoreContextMut, StoreId, StoreState};
use crate::typed::{WasmTy, WasmValues};
use crate::values::{RtVal, Val};

/// What a host function gets besides its arguments: the store (its data, and the means
/// to call back into WebAssembly) and the exports of the instance that called it.
pub struct Caller<'a, T> {
    store: &'a mut RtStore<T>,
    instance: Option<InstanceAddr>,
}

impl<T> Caller<'_, T> {
    pub fn data(&self) -> &T {
        &self.store.data.data
    }

    pub fn data_mut(&mut self) -> &mut T {
        &mut self.store.data.data
    }

    pub fn engine(&self) -> &Engine {
        &self.store.data.engine
    }

    /// The export `name` of the calling instance: how a host function reaches the
    /// caller's `memory`. `None` if there is no such export, or when the host function
    /// was called by the host rather than by WebAssembly code.
    pub fn get_export(&self, name: &str) -> Option<Extern> {
        let export = self.store.instance(self.instance?).export(name)?;
        Some(Extern::from_rt(self.store.data.id, export))
    }
}

impl<T> AsContext for Caller<'_, T> {
    type Data = T;

    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(self.store)
    }
}

impl<T> AsContextMut for Caller<'_, T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut(self.store)
    }
}

/// A Rust closure that can be a host function of a store with data `T`. `Params` and
/// `Results` are only there to tell the implementations apart; type inference fills
/// them in.
///
/// The closure's parameters are, optionally, a [`Caller<'_, T>`] first, then up to 12
/// values of [`WasmTy`] types (`i32`, `u32`, `i64`, `u64`, `f32`, `f64`, `u128` for
/// `v128`, `Option<Func>`, `Option<ExternRef>`). It returns `()`, one such value, a
/// tuple of them, or a `Result` of those with [`Trap`] or [`Error`]: an error stops the
/// WebAssembly code that called the function, and the embedder gets it back.
pub trait IntoFunc<T, Params, Results>:
    sealed::HostClosure<T, Params, Results> + Send + Sync + 'static
{
}

impl<T, Params, Results, F> IntoFunc<T, Params, Results> for F where
    F: sealed::HostClosure<T, Params, Results> + Send + Sync + 'static
{
}

/// What a host closure may return: see [`IntoFunc`].
pub trait HostReturn: sealed::RawReturn {}

impl<R: sealed::RawReturn> HostReturn for R {}

/// Marks the parameter list of host closures that take a [`Caller`] first.
pub struct WithCaller<Params>(PhantomData<Params>);

pub(crate) mod sealed {
    use super::*;

    pub trait HostClosure<T, Params, Results> {
        fn into_host_func(self) -> (FuncType, HostFunc<StoreState<T>>);
    }

    pub trait RawReturn {
        type Values: WasmValues;
        fn into_values(self) -> Result<Self::Values, Error>;
    }
}

impl<V: WasmValues> sealed::RawReturn for V {
    type Values = V;

    fn into_values(self) -> Result<V, Error> {
        Ok(self)
    }
}

impl<V: WasmValues> sealed::RawReturn for Result<V, Trap> {
    type Values = V;

    fn into_values(self) -> Result<V, Error> {
        self.map_err(Error::Trap)
    }
}

impl<V: WasmValues> sealed::RawReturn for Result<V, Error> {
    type Values = V;

    fn into_values(self) -> Result<V, Error> {
        self
    }
}

/// The trap that carries a host function's failure out through the WebAssembly frames.
///
/// A trap from a nested call into WebAssembly passes through unchanged, so the embedder
/// sees the original trap kind and the whole backtrace. Any other error is kept in the
/// store until the API call that started the execution collects it
/// ([`crate::func::invoke`]); the trap only carries its message.
fn host_failure<T>(state: &mut StoreState<T>, error: Error) -> Trap {
    let (error, backtrace) = match error {
        Error::Trap(trap) => return trap,
        Error::Host { error, backtrace } => (error, backtrace),
        other => (other.into(), Vec::new()),
    };
    let mut trap = Trap::host(error.to_string());
    trap.backtrace = backtrace;
    state.host_error = Some(error);
    trap
}

/// The next argument of a typed host function. The runtime has checked the arguments
/// against the function's type, so `None` means a runtime bug; it traps, not panics.
fn next_arg<A: WasmTy>(args: &mut std::slice::Iter<'_, RtVal>, store: StoreId) -> Result<A, Trap> {
    args.next()
        .and_then(|&arg| A::from_raw(arg, store))
        .ok_or_else(|| Trap::host("internal error: a host function got an argument of the wrong type"))
}

/// The host function behind [`crate::Func::new`].
pub(crate) fn dynamic<T: 'static>(
    ty: FuncType,
    func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Error> + Send + Sync + 'static,
) -> HostFunc<StoreState<T>> {
    Arc::new(move |store: &mut RtStore<T>, instance, args: &[RtVal], results: &mut [RtVal]| {
        let id = store.data.id;
        let params: Vec<Val> = args.iter().map(|&arg| Val::from_rt(arg, id)).collect();
        let mut values: Vec<Val> = ty.results().iter().map(|&t| Val::default_of(t)).collect();
        let outcome = func(Caller { store: &mut *store, instance }, &params, &mut values)
            .and_then(|()| write_results(&ty, &values, id, results));
        outcome.map_err(|error| host_failure(&mut store.data, error))
    })
}

fn write_results(ty: &FuncType, values: &[Val], store: StoreId, results: &mut [RtVal]) -> Result<(), Error> {
    for ((slot, value), &expected) in results.iter_mut().zip(values).zip(ty.results()) {
        if value.ty() != expected {
            return Err(Error::ValueType { context: "host function result", expected, found: value.ty() });
        }
        *slot = value.to_rt(store)?;
    }
    Ok(())
}

/// The type of a host closure with parameters of types `params` that returns an `R`.
fn func_type<R: sealed::RawReturn>(params: &[ValType]) -> FuncType {
    use crate::typed::sealed::RawValues;
    FuncType::new(params, &R::Values::types())
}

macro_rules! impl_host_closures {
    ($($A:ident $a:ident),*) => {
        impl<T: 'static, F, R, $($A,)*> sealed::HostClosure<T, ($($A,)*), R> for F
        where
            F: Fn($($A),*) -> R + Send + Sync + 'static,
            $($A: WasmTy,)*
            R: HostReturn,
        {
            fn into_host_func(self) -> (FuncType, HostFunc<StoreState<T>>) {
                // The same as a closure that takes a `Caller` and ignores it.
                let with_caller = move |_: Caller<'_, T>, $($a: $A),*| self($($a),*);
                sealed::HostClosure::<T, WithCaller<($($A,)*)>, R>::into_host_func(with_caller)
            }
        }

        impl<T: 'static, F, R, $($A,)*> sealed::HostClosure<T, WithCaller<($($A,)*)>, R> for F
        where
            F: Fn(Caller<'_, T>, $($A),*) -> R + Send + Sync + 'static,
            $($A: WasmTy,)*
            R: HostReturn,
        {
            fn into_host_func(self) -> (FuncType, HostFunc<StoreState<T>>) {
                use crate::typed::sealed::RawValues;
                let ty = func_type::<R>(&[$($A::val_type()),*]);
                let host = move |store: &mut RtStore<T>,
                                 instance: Option<InstanceAddr>,
                                 args: &[RtVal],
                                 results: &mut [RtVal]| {
                    let id = store.data.id;
                    #[allow(unused_mut, unused_variables)]
                    let mut args = args.iter();
                    $(let $a = next_arg::<$A>(&mut args, id)?;)*
                    let caller = Caller { store: &mut *store, instance };
                    let outcome = self(caller, $($a),*).into_values();
                    let outcome = outcome.and_then(|values| values.write(id, results));
                    outcome.map_err(|error| host_failure(&mut store.data, error))
                };
                (ty, Arc::new(host))
            }
        }
    };
}

crate::typed::for_each_arity!(impl_host_closures);
