//! The linker: definitions by two-level name, and instantiation that resolves a
//! module's imports against them.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use stratus_decoder::FuncType;
use stratus_runtime::{FuncAddr, HostFunc};

use crate::engine::Engine;
use crate::error::Error;
use crate::externals::{Extern, RtExtern};
use crate::func::Func;
use crate::host::{self, Caller, IntoFunc};
use crate::instance::Instance;
use crate::module::Module;
use crate::store::{AsContext, AsContextMut, RtStore, StoreState};
use crate::values::Val;

/// Definitions of imports by module and name, for stores with data `T`.
///
/// Host functions defined here belong to no store: each store gets its own copy the
/// first time a module instantiated in it imports one, and keeps using that copy, so one
/// linker serves any number of stores and instances.
pub struct Linker<T> {
    engine: Engine,
    definitions: HashMap<String, HashMap<String, Definition<T>>>,
    allow_shadowing: bool,
}

enum Definition<T> {
    Extern(Extern),
    HostFunc(Arc<LinkedFunc<T>>),
}

impl<T> Clone for Definition<T> {
    fn clone(&self) -> Self {
        match self {
            Definition::Extern(ext) => Definition::Extern(*ext),
            Definition::HostFunc(func) => Definition::HostFunc(func.clone()),
        }
    }
}

/// A host function not yet in any store.
struct LinkedFunc<T> {
    /// Unique among all linker functions: the key of each store's copy.
    id: u64,
    ty: FuncType,
    func: HostFunc<StoreState<T>>,
}

impl<T> LinkedFunc<T> {
    fn new(ty: FuncType, func: HostFunc<StoreState<T>>) -> LinkedFunc<T> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        LinkedFunc { id: NEXT.fetch_add(1, Ordering::Relaxed), ty, func }
    }

    /// This function's copy in `store`, made on first use.
    fn in_store(&self, store: &mut RtStore<T>) -> FuncAddr {
        if let Some(&addr) = store.data.linked_funcs.get(&self.id) {
            return addr;
        }
        let addr = store.add_host_func(&self.ty, self.func.clone());
        store.data.linked_funcs.insert(self.id, addr);
        addr
    }
}

impl<T> Clone for Linker<T> {
    fn clone(&self) -> Self {
        Linker {
            engine: self.engine.clone(),
            definitions: self.definitions.clone(),
            allow_shadowing: self.allow_shadowing,
        }
    }
}

impl<T: 'static> Linker<T> {
    pub fn new(engine: &Engine) -> Linker<T> {
        Linker { engine: engine.clone(), definitions: HashMap::new(), allow_shadowing: false }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Whether a definition may replace an earlier one of the same name; by default it
    /// is an error ([`Error::AlreadyDefined`]), which catches typos and double setup.
    pub fn allow_shadowing(&mut self, allow: bool) -> &mut Self {
        self.allow_shadowing = allow;
        self
    }

    fn insert(&mut self, module: &str, name: &str, definition: Definition<T>) -> Result<&mut Self, Error> {
        let names = self.definitions.entry(module.to_string()).or_default();
        if !self.allow_shadowing && names.contains_key(name) {
            return Err(Error::AlreadyDefined { module: module.to_string(), name: name.to_string() });
        }
        names.insert(name.to_string(), definition);
        Ok(self)
    }

    /// Defines `module::name` as a store object (a function, memory, table or global).
    pub fn define(&mut self, module: &str, name: &str, item: impl Into<Extern>) -> Result<&mut Self, Error> {
        self.insert(module, name, Definition::Extern(item.into()))
    }

    /// Defines `module::name` as a host function made from a typed Rust closure, which
    /// may take a [`Caller`] first: see [`IntoFunc`].
    pub fn func_wrap<Params, Results>(
        &mut self,
        module: &str,
        name: &str,
        func: impl IntoFunc<T, Params, Results>,
    ) -> Result<&mut Self, Error> {
        let (ty, func) = func.into_host_func();
        self.insert(module, name, Definition::HostFunc(Arc::new(LinkedFunc::new(ty, func))))
    }

    /// Defines `module::name` as a host function of type `ty` on [`Val`]s, as
    /// [`Func::new`] makes.
    pub fn func_new(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Error> + Send + Sync + 'static,
    ) -> Result<&mut Self, Error> {
        let host = host::dynamic(ty.clone(), func);
        self.insert(module, name, Definition::HostFunc(Arc::new(LinkedFunc::new(ty, host))))
    }

    /// Defines every export of `instance` under `module_name`, so later modules can
    /// import them.
    pub fn instance(
        &mut self,
        store: impl AsContext<Data = T>,
        module_name: &str,
        instance: Instance,
    ) -> Result<&mut Self, Error> {
        let exports: Vec<(String, Extern)> =
            instance.exports(&store).map(|(name, ext)| (name.to_string(), ext)).collect();
        for (name, ext) in exports {
            self.define(module_name, &name, ext)?;
        }
        Ok(self)
    }

    /// Instantiates `module` and defines its exports under `module_name`.
    pub fn module(
        &mut self,
        mut store: impl AsContextMut<Data = T>,
        module_name: &str,
        module: &Module,
    ) -> Result<&mut Self, Error> {
        let instance = self.instantiate(&mut store, module)?;
        self.instance(&store, module_name, instance)
    }

    /// The definition of `module::name`, as an object of `store`.
    pub fn get(&self, mut store: impl AsContextMut<Data = T>, module: &str, name: &str) -> Option<Extern> {
        let definition = self.definitions.get(module)?.get(name)?;
        let store = store.as_context_mut().0;
        Some(match definition {
            Definition::Extern(ext) => *ext,
            Definition::HostFunc(func) => Extern::Func(Func::from_addr(store.data.id, func.in_store(store))),
        })
    }

    /// Instantiates `module`, resolving each import by its module and name, and runs its
    /// start function.
    pub fn instantiate(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
    ) -> Result<Instance, Error> {
        let store = store.as_context_mut().0;
        let imports = self.resolve(store, module)?;
        Instance::instantiate(store, module, &imports)
    }

    /// The store objects `module`'s imports resolve to, in its order.
    pub(crate) fn resolve(&self, store: &mut RtStore<T>, module: &Module) -> Result<Vec<RtExtern>, Error> {
        let id = store.data.id;
        let mut imports = Vec::with_capacity(module.imports().len());
        for import in module.imports() {
            let definition = self.definitions.get(import.module).and_then(|names| names.get(import.name));
            let resolved = match definition {
                Some(Definition::Extern(ext)) => ext.to_rt(id)?,
                Some(Definition::HostFunc(func)) => RtExtern::Func(func.in_store(store)),
                None => {
                    return Err(Error::UnknownImport {
                        module: import.module.to_string(),
                        name: import.name.to_string(),
                        ty: import.ty,
                    });
                }
            };
            imports.push(resolved);
        }
        Ok(imports)
    }
}

impl<T> std::fmt::Debug for Linker<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<String> = self
            .definitions
            .iter()
            .flat_map(|(module, names)| names.keys().map(move |name| format!("{module}::{name}")))
            .collect();
        names.sort();
        f.debug_struct("Linker").field("definitions", &names).finish_non_exhaustive()
    }
}
