//! Globals, seen from the host.

use stratus_decoder::GlobalType;
use stratus_runtime::GlobalAddr;

use crate::error::Error;
use crate::store::{AsContext, AsContextMut, RtStore, StoreId};
use crate::values::Val;

type RtGlobal = stratus_runtime::Global;

/// A global in a store. A handle; copies name the same global.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct Global {
    store: StoreId,
    addr: GlobalAddr,
}

impl Global {
    pub(crate) fn from_addr(store: StoreId, addr: GlobalAddr) -> Global {
        Global { store, addr }
    }

    pub(crate) fn addr_in(&self, store: StoreId) -> Result<GlobalAddr, Error> {
        if self.store == store { Ok(self.addr) } else { Err(Error::StoreMismatch) }
    }

    /// A new global of type `ty` holding `value`, to import into modules.
    pub fn new(mut store: impl AsContextMut, ty: GlobalType, value: Val) -> Result<Global, Error> {
        let store = store.as_context_mut().0;
        if value.ty() != ty.content {
            return Err(Error::ValueType { context: "Global::new", expected: ty.content, found: value.ty() });
        }
        let value = value.to_rt(store.data.id)?;
        Ok(Global { store: store.data.id, addr: store.add_global(RtGlobal::new(ty, value)) })
    }

    fn get_rt<'a, T>(&self, store: &'a RtStore<T>) -> &'a RtGlobal {
        let addr = self.addr_in(store.data.id).expect("Global used with a store it does not belong to");
        &store.globals[addr.0 as usize]
    }

    /// # Panics
    /// If `store` is not the global's store.
    pub fn ty(&self, store: impl AsContext) -> GlobalType {
        self.get_rt(store.as_context().0).ty
    }

    /// The value.
    ///
    /// # Panics
    /// If `store` is not the global's store.
    pub fn get(&self, store: impl AsContext) -> Val {
        let store = store.as_context().0;
        Val::from_rt(self.get_rt(store).get(), store.data.id)
    }

    /// Sets the value; the global must be mutable and `value` of its type.
    pub fn set(&self, mut store: impl AsContextMut, value: Val) -> Result<(), Error> {
        let store = store.as_context_mut().0;
        let id = store.data.id;
        let global = &mut store.globals[self.addr_in(id)?.0 as usize];
        if !global.ty.mutable {
            return Err(Error::ImmutableGlobal);
        }
        if value.ty() != global.ty.content {
            return Err(Error::ValueType {
                context: "Global::set",
                expected: global.ty.content,
                found: value.ty(),
            });
        }
        global.set(value.to_rt(id)?);
        Ok(())
    }
}
