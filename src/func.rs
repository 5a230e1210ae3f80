//! Functions: calling them with checked arguments, and making host functions.

use stratus_decoder::FuncType;
use stratus_runtime::{FuncAddr, Trap, TrapKind};

use crate::error::{Error, HostError};
use crate::host::{self, Caller, IntoFunc};
use crate::store::{AsContext, AsContextMut, RtStore, StoreId};
use crate::typed::{TypedFunc, WasmValues};
use crate::values::{RtVal, Val};

/// A function in a store: defined by a module or by the host. A handle; copies name the
/// same function.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct Func {
    store: StoreId,
    addr: FuncAddr,
}

impl Func {
    pub(crate) fn from_addr(store: StoreId, addr: FuncAddr) -> Func {
        Func { store, addr }
    }

    pub(crate) fn addr_in(&self, store: StoreId) -> Result<FuncAddr, Error> {
        if self.store == store { Ok(self.addr) } else { Err(Error::StoreMismatch) }
    }

    /// A host function of type `ty` that takes and returns [`Val`]s, for when the type is
    /// only known at run time. `func` gets one result slot per result type, preset to
    /// zeros; results of the wrong type are an error.
    pub fn new<T: 'static>(
        mut store: impl AsContextMut<Data = T>,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Error> + Send + Sync + 'static,
    ) -> Func {
        let store = store.as_context_mut().0;
        let host = host::dynamic(ty.clone(), func);
        Func { store: store.data.id, addr: store.add_host_func(&ty, host) }
    }

    /// A host function from a Rust closure whose parameter and result types give the
    /// function's type: `Func::wrap(&mut store, |x: i32, y: i32| x + y)`. See
    /// [`IntoFunc`] for the closures that qualify.
    pub fn wrap<T: 'static, Params, Results>(
        mut store: impl AsContextMut<Data = T>,
        func: impl IntoFunc<T, Params, Results>,
    ) -> Func {
        let store = store.as_context_mut().0;
        let (ty, host) = func.into_host_func();
        Func { store: store.data.id, addr: store.add_host_func(&ty, host) }
    }

    /// The function's type.
    ///
    /// # Panics
    /// If `store` is not the function's store.
    pub fn ty(&self, store: impl AsContext) -> FuncType {
        let store = store.as_context().0;
        let addr = self.addr_in(store.data.id).expect("Func used with a store it does not belong to");
        store.func_type(addr).clone()
    }

    /// Calls the function with `params`, and writes its results to `results`.
    ///
    /// The number and types of `params` and the length of `results` are checked against
    /// the function's type first; a mismatch is an error, and nothing runs.
    pub fn call(
        &self,
        mut store: impl AsContextMut,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<(), Error> {
        let store = store.as_context_mut().0;
        let id = store.data.id;
        let addr = self.addr_in(id)?;
        let ty = store.funcs[addr.0 as usize].ty.clone();
        if results.len() != ty.results().len() {
            return Err(Error::ResultCount { ty: (*ty).clone(), found: results.len() });
        }
        let args = checked_args(&ty, params, id)?;
        let values = invoke(store, addr, &args)?;
        for (slot, value) in results.iter_mut().zip(values) {
            *slot = Val::from_rt(value, id);
        }
        Ok(())
    }

    /// Calls the function with `params` so that it pauses instead of trapping when the
    /// store's fuel runs out or an [`InterruptHandle`](crate::InterruptHandle) asks for
    /// a pause: the [`PausedCall`] resumes it, after more fuel has been added, and the
    /// results are then those of an uninterrupted call. Inside a host function (a call
    /// nested in another), the stop is a trap all the same, since the host function's
    /// native frame cannot be paused.
    ///
    /// ```
    /// # #[cfg(feature = "wat")] { // The module is text.
    /// use stratus::{Config, Engine, Instance, Module, ResumableCall, Store, Val};
    ///
    /// let engine = Engine::new(Config::new().consume_fuel(true))?;
    /// let module = Module::new(&engine, r#"(module (func (export "spin") (param i32)
    ///   (loop (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))))"#)?;
    /// let mut store = Store::new(&engine, ());
    /// let instance = Instance::new(&mut store, &module, &[])?;
    /// let spin = instance.get_func(&store, "spin").unwrap();
    /// store.set_fuel(1_000)?;
    /// let mut call = spin.call_resumable(&mut store, &[Val::I32(10_000)])?;
    /// let mut pauses = 0;
    /// while let ResumableCall::Paused(paused) = call {
    ///     pauses += 1;
    ///     store.set_fuel(1_000)?;
    ///     call = paused.resume(&mut store)?;
    /// }
    /// // One unit for the call and one per iteration but the last: 10,000 in all,
    /// // so nine slices run out and the tenth is used up exactly.
    /// assert_eq!((pauses, store.fuel()?), (9, 0));
    /// # }
    /// # Ok::<(), stratus::Error>(())
    /// ```
    pub fn call_resumable(
        &self,
        mut store: impl AsContextMut,
        params: &[Val],
    ) -> Result<ResumableCall, Error> {
        let store = store.as_context_mut().0;
        let id = store.data.id;
        let addr = self.addr_in(id)?;
        let ty = store.funcs[addr.0 as usize].ty.clone();
        let args = checked_args(&ty, params, id)?;
        let (outcome, host_error) = enter(store, |store| stratus_exec::invoke_resumable(store, addr, &args))?;
        ResumableCall::new(outcome.map_err(|trap| trap_to_error(trap, host_error))?, id)
    }

    /// A view of the function with static types: `Params` and `Results` are a type like
    /// `i32` or a tuple like `(i32, f64)`, and must be the function's type.
    pub fn typed<Params: WasmValues, Results: WasmValues>(
        &self,
        store: impl AsContext,
    ) -> Result<TypedFunc<Params, Results>, Error> {
        TypedFunc::new(*self, store.as_context().0, None)
    }
}

/// `params` as the runtime's values, if they fit the parameters of `ty`.
fn checked_args(ty: &FuncType, params: &[Val], id: StoreId) -> Result<Vec<RtVal>, Error> {
    if params.len() != ty.params().len() {
        return Err(Error::ArgumentCount { ty: ty.clone(), found: params.len() });
    }
    let mut args = Vec::with_capacity(params.len());
    for (index, (param, &expected)) in params.iter().zip(ty.params()).enumerate() {
        if param.ty() != expected {
            let found = param.ty();
            return Err(Error::ArgumentType { ty: ty.clone(), index, expected, found });
        }
        args.push(param.to_rt(id)?);
    }
    Ok(args)
}

/// How a [resumable call](Func::call_resumable) ended.
#[derive(Debug)]
pub enum ResumableCall {
    /// The function returned these results.
    Finished(Vec<Val>),
    /// It paused; [`PausedCall::resume`] continues it.
    Paused(PausedCall),
}

impl ResumableCall {
    fn new(outcome: stratus_exec::Outcome, store: StoreId) -> Result<ResumableCall, Error> {
        Ok(match outcome {
            stratus_exec::Outcome::Finished(values) => {
                ResumableCall::Finished(values.into_iter().map(|v| Val::from_rt(v, store)).collect())
            }
            stratus_exec::Outcome::Paused(paused) => ResumableCall::Paused(PausedCall::new(paused, store)),
        })
    }
}

/// A call paused by lack of fuel or by an interruption. Its frames are kept here, not in
/// the store, so the store can run other calls meanwhile; dropping it abandons the call.
#[derive(Debug)]
pub struct PausedCall {
    pub(crate) paused: stratus_exec::PausedCall,
    pub(crate) store: StoreId,
}

impl PausedCall {
    pub(crate) fn new(paused: stratus_exec::PausedCall, store: StoreId) -> PausedCall {
        PausedCall { paused, store }
    }

    /// Why the call paused.
    pub fn reason(&self) -> stratus_exec::PauseReason {
        self.paused.reason()
    }

    /// Continues the call where it stopped. A call paused for lack of fuel pauses
    /// again at once unless fuel was added.
    pub fn resume(self, mut store: impl AsContextMut) -> Result<ResumableCall, Error> {
        let store = store.as_context_mut().0;
        if store.data.id != self.store {
            return Err(Error::StoreMismatch);
        }
        let (outcome, host_error) = enter(store, |store| stratus_exec::resume(store, self.paused))?;
        ResumableCall::new(outcome.map_err(|trap| trap_to_error(trap, host_error))?, self.store)
    }
}

/// Runs `func` through the execution core, and turns a trap into an error: the host error it
/// stands for if a host function failed, the trap itself otherwise.
///
/// Every API entry into execution goes through here or [`enter`], so a host error kept
/// in the store is always collected by the entry whose execution it stopped.
pub(crate) fn invoke<T>(store: &mut RtStore<T>, func: FuncAddr, args: &[RtVal]) -> Result<Vec<RtVal>, Error> {
    let (outcome, host_error) = enter(store, |store| stratus_exec::invoke(store, func, args))?;
    outcome.map_err(|trap| trap_to_error(trap, host_error))
}

/// Runs `execute`, an entry into WebAssembly code (the runtime limits how deeply these
/// nest); returns its outcome and the host error that ended it, if any.
pub(crate) fn enter<T, R>(
    store: &mut RtStore<T>,
    execute: impl FnOnce(&mut RtStore<T>) -> R,
) -> Result<(R, Option<HostError>), Error> {
    let outcome = execute(store);
    Ok((outcome, store.data.host_error.take()))
}

/// The error for a trap that ended an execution, given the host error kept meanwhile.
pub(crate) fn trap_to_error(trap: Trap, host_error: Option<HostError>) -> Error {
    match (&trap.kind, host_error) {
        (TrapKind::Host(_), Some(error)) => Error::Host { error, backtrace: trap.backtrace },
        _ => Error::Trap(trap),
    }
}
