//! Tables, seen from the host.

use stratus_decoder::{Limits, TableType, ValType};
use stratus_runtime::{GrowError, TableAddr};

use crate::error::Error;
use crate::store::{AsContext, AsContextMut, RtStore, StoreId};
use crate::values::{RtVal, Val};

type RtTable = stratus_runtime::Table;

/// A table of references in a store. A handle; copies name the same table.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct Table {
    store: StoreId,
    addr: TableAddr,
}

impl Table {
    pub(crate) fn from_addr(store: StoreId, addr: TableAddr) -> Table {
        Table { store, addr }
    }

    pub(crate) fn addr_in(&self, store: StoreId) -> Result<TableAddr, Error> {
        if self.store == store { Ok(self.addr) } else { Err(Error::StoreMismatch) }
    }

    /// A new table of type `ty`, `ty.limits.min` elements long, every element `init`.
    pub fn new(mut store: impl AsContextMut, ty: TableType, init: Val) -> Result<Table, Error> {
        let store = store.as_context_mut().0;
        check_table_type(ty, store.limits.table_elements)?;
        let init = element_slot(store.data.id, ValType::from(ty.elem), init, "Table::new")?;
        let addr = store.new_table(ty, init).map_err(Error::Resource)?;
        Ok(Table { store: store.data.id, addr })
    }

    fn get_rt<'a, T>(&self, store: &'a RtStore<T>) -> &'a RtTable {
        let addr = self.addr_in(store.data.id).expect("Table used with a store it does not belong to");
        &store.tables[addr.0 as usize]
    }

    /// The type, with the current size as the minimum: what import matching sees.
    ///
    /// # Panics
    /// If `store` is not the table's store.
    pub fn ty(&self, store: impl AsContext) -> TableType {
        let table = self.get_rt(store.as_context().0);
        TableType { limits: Limits { min: table.size().into(), max: table.ty.limits.max }, ..table.ty }
    }

    /// The number of elements.
    ///
    /// # Panics
    /// If `store` is not the table's store.
    pub fn size(&self, store: impl AsContext) -> u32 {
        self.get_rt(store.as_context().0).size()
    }

    /// Element `index`, or `None` past the end.
    ///
    /// # Panics
    /// If `store` is not the table's store.
    pub fn get(&self, store: impl AsContext, index: u32) -> Option<Val> {
        let store = store.as_context().0;
        let table = self.get_rt(store);
        let slot = table.get(index.into()).ok()?;
        Some(Val::from_rt(RtVal::from_slots(ValType::from(table.ty.elem), &[slot]), store.data.id))
    }

    /// Sets element `index` to `value`, a reference of the table's element type.
    pub fn set(&self, mut store: impl AsContextMut, index: u32, value: Val) -> Result<(), Error> {
        let store = store.as_context_mut().0;
        let id = store.data.id;
        let table = &mut store.tables[self.addr_in(id)?.0 as usize];
        let slot = element_slot(id, ValType::from(table.ty.elem), value, "Table::set")?;
        let size = table.size();
        table.set(index.into(), slot).map_err(|_| Error::TableAccess { index, size })
    }

    /// Grows the table by `delta` elements set to `init`, and returns the old size.
    /// Fails past its maximum ([`Error::Grow`]: the declared one, capped by the store's
    /// limit per table), or past the store's total or when the host has no memory for
    /// it ([`Error::Resource`]).
    pub fn grow(&self, mut store: impl AsContextMut, delta: u32, init: Val) -> Result<u32, Error> {
        let store = store.as_context_mut().0;
        let id = store.data.id;
        let table = &mut store.tables[self.addr_in(id)?.0 as usize];
        let slot = element_slot(id, ValType::from(table.ty.elem), init, "Table::grow")?;
        table.grow(delta, slot).map_err(|error| match error {
            GrowError::Maximum(max) => {
                Error::Grow { what: "table", delta: delta.into(), size: table.size(), max }
            }
            error => Error::Resource(format!(
                "cannot grow the table from {} elements by {delta}: {error}",
                table.size()
            )),
        })
    }
}

/// The table slot of reference `value`, which must be of type `elem`.
fn element_slot(store: StoreId, elem: ValType, value: Val, context: &'static str) -> Result<u64, Error> {
    if value.ty() != elem {
        return Err(Error::ValueType { context, expected: elem, found: value.ty() });
    }
    Ok(value.to_rt(store)?.to_slots()[0])
}

/// Checks a table type against its own maximum and the store's limit: the runtime
/// allocates `min` elements without checking.
pub(crate) fn check_table_type(ty: TableType, limit: u32) -> Result<(), Error> {
    let Limits { min, max } = ty.limits;
    if max.is_some_and(|max| max < min) {
        return Err(Error::Resource(format!("table minimum {min} is larger than its maximum")));
    }
    if min > limit.into() {
        return Err(Error::Resource(format!(
            "a table of {min} elements exceeds the store's limit of {limit} elements"
        )));
    }
    Ok(())
}
