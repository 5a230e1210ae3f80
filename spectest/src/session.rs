//! One script's world: its store, the `spectest` host module, the instances it made
//! (the latest, and the named ones), what it registered for import, and its externref
//! host values.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use stratus_decoder::Proposal;
use stratus_runtime::{
    CompilePolicy, CompiledModule, Extern, InstanceAddr, InstantiateError, Store, Trap, Val,
};
use wast::WastInvoke;

use crate::host::spectest_module;
use crate::link::Registry;
use crate::report::FunctionCounts;
use crate::values::{ExternRefs, Profile, arg_val};
use crate::worker::{BoundsChecks, RunOptions};

pub(crate) struct Session {
    store: Store<()>,
    registry: Registry,
    pub(crate) externs: ExternRefs,
    /// Instances named in the script (`(module $name ...)`), by name without the `$`.
    named: HashMap<String, InstanceAddr>,
    /// Modules defined but not yet instantiated (`(module definition $name ...)`).
    definitions: HashMap<String, Arc<CompiledModule>>,
    last_definition: Option<Arc<CompiledModule>>,
    /// The instance directives without a module name act on: the latest one made.
    current: Option<InstanceAddr>,
    /// What was not made for want of a proposal (see [`Session::skip_module`]), so that
    /// the directives that use it are skipped for the same reason.
    skipped: Skipped,
    profile: Profile,
}

/// Modules refused for using a proposal that is switched off or not implemented, by how
/// the script names them.
#[derive(Default)]
struct Skipped {
    current: Option<Proposal>,
    named: HashMap<String, Proposal>,
    last_definition: Option<Proposal>,
    definitions: HashMap<String, Proposal>,
    /// Names under which such a module would have been registered for import.
    registered: HashMap<String, Proposal>,
}

/// Why instantiating a module did not give an instance.
#[derive(Debug)]
pub(crate) enum InstantiateFailure {
    /// An import is missing or does not fit (`assert_unlinkable`).
    Unlinkable(String),
    /// A segment or the start function trapped (`assert_trap` on a module).
    Trap(Trap),
    /// Anything else: out of resources, or a runner bug.
    Other(String),
}

impl fmt::Display for InstantiateFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstantiateFailure::Unlinkable(message) => write!(f, "link error: {message}"),
            InstantiateFailure::Trap(trap) => write!(f, "trap: {}", trap.kind),
            InstantiateFailure::Other(message) => f.write_str(message),
        }
    }
}

impl Session {
    /// Which NaNs the script's NaN patterns admit (see [`RunOptions::strict_nans`]).
    pub(crate) fn profile(&self) -> Profile {
        self.profile
    }

    /// A fresh world whose store compiles functions as `compile` says.
    ///
    /// With guard bounds checks compiled code gets what `Config` gives it by default:
    /// memories that reserve the whole 4 GiB and a guard region, so that the guard
    /// checks its accesses. With explicit ones, memories reserve their maximum only.
    pub(crate) fn new(options: &RunOptions) -> Result<Session, String> {
        let compile = options.compile;
        let mut store = match (compile, options.bounds_checks) {
            (CompilePolicy::Never, _) | (_, BoundsChecks::Explicit) => Store::new(()),
            (CompilePolicy::Eager | CompilePolicy::OnHeat(_), BoundsChecks::Guard) => {
                let memory_reservation =
                    stratus_runtime::MemoryReservation::Whole { guard: stratus_runtime::GUARD_BYTES };
                Store::with_limits((), stratus_runtime::Limits { memory_reservation, ..Default::default() })
            }
        };
        store.compile = compile;
        store.deterministic = options.deterministic;
        let mut registry = Registry::default();
        registry.define("spectest", spectest_module(&mut store)?);
        Ok(Session {
            store,
            registry,
            externs: ExternRefs::default(),
            named: HashMap::new(),
            definitions: HashMap::new(),
            last_definition: None,
            current: None,
            skipped: Skipped::default(),
            profile: match options.deterministic && options.strict_nans {
                true => Profile::Deterministic,
                false => Profile::Full,
            },
        })
    }

    /// Links and instantiates `module`, running its start function. On a trap the
    /// instance and what its segments wrote stay in the store, as the spec says; the
    /// instance is not addressable from the script.
    pub(crate) fn instantiate(
        &mut self,
        module: &Arc<CompiledModule>,
    ) -> Result<InstanceAddr, InstantiateFailure> {
        let imports =
            self.registry.resolve(module).map_err(|e| InstantiateFailure::Unlinkable(e.to_string()))?;
        stratus_exec::instantiate(&mut self.store, module, &imports).map_err(|error| match error {
            InstantiateError::IncompatibleImport { .. } => InstantiateFailure::Unlinkable(error.to_string()),
            InstantiateError::Trap(trap) => InstantiateFailure::Trap(trap),
            InstantiateError::ImportCount { .. } | InstantiateError::Resource(_) => {
                InstantiateFailure::Other(error.to_string())
            }
        })
    }

    /// Makes `instance` the current one, and addressable as `name` if it has one.
    pub(crate) fn set_current(&mut self, name: Option<&str>, instance: InstanceAddr) {
        self.current = Some(instance);
        self.skipped.current = None;
        if let Some(name) = name {
            self.named.insert(name.to_string(), instance);
            self.skipped.named.remove(name);
        }
    }

    /// A module that should have become the current instance did not: later
    /// directives without a module name must fail rather than act on an older one.
    pub(crate) fn clear_current(&mut self) {
        self.current = None;
        self.skipped.current = None;
    }

    /// The module that should have become the current instance (named `name`) was
    /// not made, for want of `proposal`: the directives that act on it are skipped.
    pub(crate) fn skip_module(&mut self, name: Option<&str>, proposal: Proposal) {
        self.current = None;
        self.skipped.current = Some(proposal);
        if let Some(name) = name {
            self.named.remove(name);
            self.skipped.named.insert(name.to_string(), proposal);
        }
    }

    /// The proposal for want of which the instance `name` (or the current one) was not
    /// made, if it was not.
    pub(crate) fn skipped_instance(&self, name: Option<&str>) -> Option<Proposal> {
        match name {
            Some(name) => self.skipped.named.get(name).copied(),
            None => self.skipped.current,
        }
    }

    pub(crate) fn define(&mut self, name: Option<&str>, module: Arc<CompiledModule>) {
        if let Some(name) = name {
            self.definitions.insert(name.to_string(), module.clone());
            self.skipped.definitions.remove(name);
        }
        self.last_definition = Some(module);
        self.skipped.last_definition = None;
    }

    /// A module definition refused for using `proposal`.
    pub(crate) fn skip_definition(&mut self, name: Option<&str>, proposal: Proposal) {
        if let Some(name) = name {
            self.definitions.remove(name);
            self.skipped.definitions.insert(name.to_string(), proposal);
        }
        self.last_definition = None;
        self.skipped.last_definition = Some(proposal);
    }

    pub(crate) fn skipped_definition(&self, name: Option<&str>) -> Option<Proposal> {
        match name {
            Some(name) => self.skipped.definitions.get(name).copied(),
            None => self.skipped.last_definition,
        }
    }

    /// `register "as" $name?` of an instance that was not made for want of `proposal`.
    pub(crate) fn skip_registration(&mut self, as_name: &str, proposal: Proposal) {
        self.skipped.registered.insert(as_name.to_string(), proposal);
    }

    /// The proposal for want of which a module `module` imports from was not made.
    pub(crate) fn skipped_import(&self, module: &CompiledModule) -> Option<Proposal> {
        module.imports.iter().find_map(|import| self.skipped.registered.get(&import.module).copied())
    }

    /// The module `(module instance $i $m)` instantiates: the named definition, or the
    /// latest one.
    pub(crate) fn definition(&self, name: Option<&str>) -> Result<Arc<CompiledModule>, String> {
        match name {
            Some(name) => {
                self.definitions.get(name).cloned().ok_or_else(|| format!("no module definition ${name}"))
            }
            None => self.last_definition.clone().ok_or_else(|| "no module has been defined".to_string()),
        }
    }

    /// The instance called `name`, or the current one.
    fn instance(&self, name: Option<&str>) -> Result<InstanceAddr, String> {
        match name {
            Some(name) => self.named.get(name).copied().ok_or_else(|| format!("no module named ${name}")),
            None => self.current.ok_or_else(|| "no module has been instantiated".to_string()),
        }
    }

    /// `register "as" $name?`.
    pub(crate) fn register(&mut self, as_name: &str, module: Option<&str>) -> Result<(), String> {
        let instance = self.instance(module)?;
        self.registry.register(as_name, self.store.instance(instance));
        self.skipped.registered.remove(as_name);
        Ok(())
    }

    /// Runs an `invoke`. The outer error is a script that cannot be carried out (no
    /// such module or export, bad arguments); the inner result is the call's.
    pub(crate) fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Result<Result<Vec<Val>, Trap>, String> {
        let instance = self.instance(invoke.module.map(|id| id.name()))?;
        let func = match self.store.instance(instance).export(invoke.name) {
            Some(Extern::Func(func)) => func,
            Some(_) => return Err(format!("export {:?} is not a function", invoke.name)),
            None => return Err(format!("no export named {:?}", invoke.name)),
        };
        let args = invoke
            .args
            .iter()
            .map(|arg| arg_val(arg, &mut self.store, &mut self.externs))
            .collect::<Result<Vec<Val>, String>>()?;
        let ty = self.store.func_type(func);
        let types_fit = args.iter().map(Val::ty).eq(ty.params().iter().copied());
        if !types_fit {
            let given: Vec<String> = args.iter().map(|arg| arg.ty().to_string()).collect();
            return Err(format!(
                "{:?} has type {ty}, but the script passes [{}]",
                invoke.name,
                given.join(" ")
            ));
        }
        Ok(stratus_exec::invoke(&mut self.store, func, &args))
    }

    /// The value of an exported global (`get`).
    pub(crate) fn get(&self, module: Option<&str>, name: &str) -> Result<Val, String> {
        let instance = self.instance(module)?;
        match self.store.instance(instance).export(name) {
            Some(Extern::Global(global)) => Ok(self.store.globals[global.0 as usize].get()),
            Some(_) => Err(format!("export {name:?} is not a global")),
            None => Err(format!("no export named {name:?}")),
        }
    }

    /// The store's functions by the tier that ran them, so far.
    pub(crate) fn function_counts(&self) -> FunctionCounts {
        stratus_exec::tier_counts(&self.store).into()
    }

    pub(crate) fn interrupt_handle(&self) -> stratus_runtime::InterruptHandle {
        self.store.budget.interrupt_handle()
    }

    /// After a panic inside Stratus, drops whatever frames and operands the unwound
    /// call left, so the next directive starts from an empty value stack.
    pub(crate) fn recover_after_panic(&mut self) {
        self.store.stack.frames.truncate(0);
        self.store.stack.top = 0;
    }
}
