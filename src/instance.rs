//! Instances: a module instantiated in a store, and access to its exports.

use stratus_decoder::ExternKind;
use stratus_runtime::{InstanceAddr, InstantiateError};

use crate::error::Error;
use crate::externals::{Extern, RtExtern};
use crate::func::{Func, enter, trap_to_error};
use crate::global::Global;
use crate::memory::{Memory, check_memory_type};
use crate::module::Module;
use crate::store::{AsContext, AsContextMut, RtStore, StoreId};
use crate::table::{Table, check_table_type};
use crate::typed::{TypedFunc, WasmValues};

/// An instance of a module in a store. A handle; copies name the same instance.
///
/// The export accessors that return an `Option` panic when given a store the instance
/// does not belong to; [`Instance::get_typed_func`] returns [`Error::StoreMismatch`].
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct Instance {
    store: StoreId,
    addr: InstanceAddr,
}

impl Instance {
    /// Instantiates `module` with `imports`, one per import of the module, in its order,
    /// and runs its start function. For imports by name, see [`crate::Linker`].
    pub fn new(mut store: impl AsContextMut, module: &Module, imports: &[Extern]) -> Result<Instance, Error> {
        let store = store.as_context_mut().0;
        let id = store.data.id;
        let imports = imports.iter().map(|import| import.to_rt(id)).collect::<Result<Vec<_>, _>>()?;
        Instance::instantiate(store, module, &imports)
    }

    /// Instantiates `module` with imports already resolved to store objects.
    pub(crate) fn instantiate<T>(
        store: &mut RtStore<T>,
        module: &Module,
        imports: &[RtExtern],
    ) -> Result<Instance, Error> {
        Instance::make(store, module, imports, true)
    }

    /// Instantiates `module` for a snapshot to be restored into: no segment applied and
    /// no start function run.
    pub(crate) fn instantiate_for_restore<T>(
        store: &mut RtStore<T>,
        module: &Module,
        imports: &[RtExtern],
    ) -> Result<Instance, Error> {
        Instance::make(store, module, imports, false)
    }

    /// Instantiates `module`; `initialize` applies its segments and runs its start
    /// function.
    fn make<T>(
        store: &mut RtStore<T>,
        module: &Module,
        imports: &[RtExtern],
        initialize: bool,
    ) -> Result<Instance, Error> {
        if !crate::Engine::same(module.engine(), &store.data.engine) {
            return Err(Error::EngineMismatch);
        }
        let compiled = module.compiled();
        for &ty in &compiled.memories[compiled.imported_memories as usize..] {
            check_memory_type(ty, store.limits.memory_pages)?;
        }
        for &ty in &compiled.tables[compiled.imported_tables as usize..] {
            check_table_type(ty, store.limits.table_elements)?;
        }
        let (outcome, host_error) = enter(store, |store| {
            if initialize {
                stratus_exec::instantiate(store, compiled, imports)
            } else {
                stratus_exec::instantiate_for_restore(store, compiled, imports)
            }
        })?;
        match outcome {
            Ok(addr) => Ok(Instance { store: store.data.id, addr }),
            Err(error) => Err(instantiate_error(error, host_error)),
        }
    }

    pub(crate) fn addr(&self) -> InstanceAddr {
        self.addr
    }

    fn rt<'a, T>(&self, store: &'a RtStore<T>) -> &'a stratus_runtime::Instance {
        assert!(self.store == store.data.id, "Instance used with a store it does not belong to");
        store.instance(self.addr)
    }

    /// The export `name`, if there is one.
    ///
    /// # Panics
    /// If `store` is not the instance's store.
    pub fn get_export(&self, store: impl AsContext, name: &str) -> Option<Extern> {
        let store = store.as_context().0;
        Some(Extern::from_rt(store.data.id, self.rt(store).export(name)?))
    }

    /// Every export, in the order the module declares them.
    ///
    /// # Panics
    /// If `store` is not the instance's store.
    pub fn exports<'a, C: AsContext + ?Sized>(
        &self,
        store: &'a C,
    ) -> impl ExactSizeIterator<Item = (&'a str, Extern)> + 'a {
        let store = store.as_context().0;
        let instance = self.rt(store);
        let id = store.data.id;
        instance.module.exports.iter().map(move |export| {
            let i = export.index as usize;
            let ext = match export.kind {
                ExternKind::Func => RtExtern::Func(instance.funcs[i]),
                ExternKind::Table => RtExtern::Table(instance.tables[i]),
                ExternKind::Memory => RtExtern::Memory(instance.memories[i]),
                ExternKind::Global => RtExtern::Global(instance.globals[i]),
            };
            (export.name.as_str(), Extern::from_rt(id, ext))
        })
    }

    pub fn get_func(&self, store: impl AsContext, name: &str) -> Option<Func> {
        self.get_export(store, name)?.into_func()
    }

    pub fn get_memory(&self, store: impl AsContext, name: &str) -> Option<Memory> {
        self.get_export(store, name)?.into_memory()
    }

    pub fn get_global(&self, store: impl AsContext, name: &str) -> Option<Global> {
        self.get_export(store, name)?.into_global()
    }

    pub fn get_table(&self, store: impl AsContext, name: &str) -> Option<Table> {
        self.get_export(store, name)?.into_table()
    }

    /// The exported function `name` as a [`TypedFunc`]: `get_typed_func::<(i32, i32), i32>`.
    /// Fails, saying why, if there is no such export, if it is not a function, or if its
    /// type is not `Params -> Results`.
    pub fn get_typed_func<Params: WasmValues, Results: WasmValues>(
        &self,
        store: impl AsContext,
        name: &str,
    ) -> Result<TypedFunc<Params, Results>, Error> {
        let store = store.as_context().0;
        if self.store != store.data.id {
            return Err(Error::StoreMismatch);
        }
        let func = match self.rt(store).export(name) {
            None => return Err(Error::MissingExport { name: name.to_string() }),
            Some(RtExtern::Func(addr)) => Func::from_addr(self.store, addr),
            Some(other) => {
                let found = Extern::from_rt(self.store, other).kind_name();
                return Err(Error::WrongExportKind { name: name.to_string(), expected: "function", found });
            }
        };
        TypedFunc::new(func, store, Some(name))
    }
}

/// The API's error for a failed instantiation, given the host error kept meanwhile.
fn instantiate_error(error: InstantiateError, host_error: Option<crate::error::HostError>) -> Error {
    match error {
        InstantiateError::ImportCount { expected, found } => Error::ImportCount { expected, found },
        InstantiateError::IncompatibleImport { module, name, reason } => {
            Error::IncompatibleImport { module, name, reason }
        }
        InstantiateError::Resource(message) => Error::Resource(message),
        InstantiateError::Trap(trap) => Error::Instantiation(Box::new(trap_to_error(trap, host_error))),
    }
}
