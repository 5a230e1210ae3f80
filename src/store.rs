//! The embedder's store, and the contexts through which API calls reach it.
//!
//! A [`Store`] wraps the runtime's store, whose embedder data is a [`StoreState`]: the
//! user's `T` plus what the API itself keeps per store (its identity, its engine, host
//! functions already placed in it, a host error on its way out). Keeping that inside the
//! runtime store means a host function, which only gets the runtime store, still
//! reaches all of it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use stratus_runtime::{FuncAddr, InterruptHandle, Limits, MAX_PAGES, MemoryReservation};

use crate::engine::Engine;
use crate::error::{Error, HostError};

/// The runtime's store, as the API uses it.
pub(crate) type RtStore<T> = stratus_runtime::Store<StoreState<T>>;

/// Identifies a store, so that a handle from one store is refused by another instead of
/// naming an unrelated object there.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct StoreId(u64);

impl StoreId {
    fn fresh() -> StoreId {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        StoreId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// The embedder data of a runtime store: the user's data and the API's own bookkeeping.
pub struct StoreState<T> {
    pub(crate) id: StoreId,
    pub(crate) engine: Engine,
    pub(crate) data: T,
    /// Linker host functions already added to this store, by definition id, so that
    /// instantiating many modules does not add the same function again and again.
    pub(crate) linked_funcs: HashMap<u64, FuncAddr>,
    /// A host function's error, kept here while the trap standing for it unwinds the
    /// WebAssembly frames; the API call that started the execution hands it back as is.
    pub(crate) host_error: Option<HostError>,
}

/// A store: every instance, function, memory, table and global made in it, and the
/// embedder's data `T`. Objects are referred to by handles ([`crate::Func`],
/// [`crate::Memory`], ...) that are only valid with the store they came from.
pub struct Store<T> {
    pub(crate) inner: RtStore<T>,
}

/// The resource limits of a store. Every store gets those of its engine's
/// [`crate::Config`], unless made with [`Store::with_limits`]:
///
/// ```
/// use stratus::{Engine, Store};
///
/// let engine = Engine::default();
/// let mut limits = engine.config().get_store_limits().clone();
/// limits.total_memory_bytes = 64 << 20;
/// let store = Store::with_limits(&engine, (), limits)?;
/// # Ok::<(), stratus::Error>(())
/// ```
///
/// Past a limit, `memory.grow` and `table.grow` return -1, instantiation fails with
/// [`crate::Error::Resource`] ("out of resources: ..." and the reason), and calls trap
/// with "call stack exhausted". The defaults keep what a hostile module can make the
/// host allocate outside linear memory to about 1 GiB at most.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoreLimits {
    /// The most 64 KiB pages any memory may have: 65536 (4 GiB), the most there is.
    pub memory_pages: u32,
    /// The most elements any table may have: 10 million (80 MB).
    pub table_elements: u32,
    /// The most bytes of linear memory all memories may have together: 4 GiB.
    pub total_memory_bytes: usize,
    /// The most elements all tables may have room for together, at 8 bytes of host
    /// memory each: 2^26 (512 MiB).
    pub total_table_elements: usize,
    /// The most instances: 10,000.
    pub instances: usize,
    /// The deepest nesting of WebAssembly calls: 20,000.
    pub call_depth: usize,
    /// 64-bit slots of the value stack: 2^22 (32 MiB); at most 2^27 (1 GiB).
    pub value_stack_slots: usize,
    /// How deeply calls into WebAssembly may nest through host functions: 100.
    pub reentry_depth: usize,
}

/// The largest value stack, in slots: 1 GiB. It is allocated whole when the store is
/// made, so a mistyped size should be an error, not an abort.
const MAX_VALUE_STACK_SLOTS: usize = 1 << 27;

impl Default for StoreLimits {
    fn default() -> StoreLimits {
        let limits = Limits::default();
        StoreLimits {
            memory_pages: limits.memory_pages,
            table_elements: limits.table_elements,
            total_memory_bytes: limits.total_memory_bytes,
            total_table_elements: limits.total_table_elements,
            instances: limits.instances,
            call_depth: limits.call_depth,
            value_stack_slots: limits.stack_slots,
            reentry_depth: limits.host_reentry,
        }
    }
}

impl StoreLimits {
    pub(crate) fn check(&self) -> Result<(), Error> {
        if self.memory_pages > MAX_PAGES {
            return Err(Error::Config(format!(
                "max_memory_pages is {}, but 32-bit memories have at most {MAX_PAGES} pages",
                self.memory_pages
            )));
        }
        if self.value_stack_slots > MAX_VALUE_STACK_SLOTS {
            return Err(Error::Config(format!(
                "the value stack of {} slots is larger than the most, {MAX_VALUE_STACK_SLOTS} slots (1 GiB)",
                self.value_stack_slots
            )));
        }
        Ok(())
    }

    fn to_rt(&self, memory_reservation: MemoryReservation) -> Limits {
        Limits {
            memory_pages: self.memory_pages,
            table_elements: self.table_elements,
            total_memory_bytes: self.total_memory_bytes,
            total_table_elements: self.total_table_elements,
            instances: self.instances,
            memory_reservation,
            call_depth: self.call_depth,
            stack_slots: self.value_stack_slots,
            host_reentry: self.reentry_depth,
        }
    }
}

impl<T> Store<T> {
    /// An empty store whose limits come from `engine`'s configuration. With the
    /// [`Tier::Jit`](crate::Tier::Jit) tier, the store compiles each function before it first runs; with
    /// [`Tier::Auto`](crate::Tier::Auto), each as it gets hot.
    pub fn new(engine: &Engine, data: T) -> Store<T> {
        let config = engine.config();
        // `Engine::new` has checked them.
        Store::with_checked_limits(engine, data, config.get_store_limits())
    }

    /// An empty store with `limits` instead of those of `engine`'s configuration.
    /// Fails if they cannot be honoured (a memory limit above 4 GiB, a value stack
    /// above 1 GiB).
    pub fn with_limits(engine: &Engine, data: T, limits: StoreLimits) -> Result<Store<T>, Error> {
        limits.check()?;
        Ok(Store::with_checked_limits(engine, data, &limits))
    }

    fn with_checked_limits(engine: &Engine, data: T, limits: &StoreLimits) -> Store<T> {
        let limits = limits.to_rt(engine.config().get_memory_reservation());
        let state = StoreState {
            id: StoreId::fresh(),
            engine: engine.clone(),
            data,
            linked_funcs: HashMap::new(),
            host_error: None,
        };
        let mut inner = RtStore::with_limits(state, limits);
        inner.compile = engine.config().get_compile_policy();
        inner.deterministic = engine.config().get_deterministic();
        if engine.config().get_consume_fuel() {
            inner.set_fuel(Some(0));
        }
        Store { inner }
    }

    /// Sets the fuel left for WebAssembly code to `fuel` units. An error unless the
    /// engine was configured to [consume fuel](crate::Config::consume_fuel).
    pub fn set_fuel(&mut self, fuel: u64) -> Result<(), Error> {
        self.fuel()?;
        self.inner.set_fuel(Some(fuel));
        Ok(())
    }

    /// The fuel left. An error unless the engine was configured to
    /// [consume fuel](crate::Config::consume_fuel).
    pub fn fuel(&self) -> Result<u64, Error> {
        self.inner.fuel().ok_or_else(|| Error::Config("fuel is not enabled: see Config::consume_fuel".into()))
    }

    /// A handle through which another thread stops the WebAssembly code running in this
    /// store at its next budget check (within a few thousand function entries and loop
    /// back-edges), as a trap ("interrupted") or as a pause of a
    /// [resumable call](crate::Func::call_resumable). A request made while nothing
    /// runs applies to the next call.
    pub fn interrupt_handle(&self) -> InterruptHandle {
        self.inner.budget.interrupt_handle()
    }

    pub fn engine(&self) -> &Engine {
        &self.inner.data.engine
    }

    /// What the tiers have done in this store so far: functions compiled, calls moved
    /// into compiled code mid-loop, compile time and code size, how many functions
    /// ran in each tier, and which functions the compiler declined and why.
    pub fn tier_stats(&self) -> TierStats {
        let stats = self.inner.tier_stats;
        let counts = stratus_exec::tier_counts(&self.inner);
        let mut declined: Vec<(FuncAddr, DeclinedFunction)> = self
            .inner
            .declined
            .iter()
            .filter_map(|(&func, reason)| {
                let stratus_runtime::FuncKind::Wasm { instance, index } =
                    self.inner.funcs[func.0 as usize].kind
                else {
                    return None;
                };
                let names = &self.inner.instance(instance).module.func_names;
                let name = names.binary_search_by_key(&index, |(i, _)| *i).ok().map(|i| names[i].1.clone());
                Some((func, DeclinedFunction { index, name, reason: reason.clone() }))
            })
            .collect();
        declined.sort_by_key(|(func, _)| func.0);
        TierStats {
            functions_compiled: stats.functions_compiled,
            osr_entries: stats.osr_entries,
            compile_time: stats.compile_time,
            code_bytes: stats.code_bytes,
            functions_with_code: counts.compiled as u64,
            functions_interpreted_only: counts.interpreted as u64,
            declined: declined.into_iter().map(|(_, declined)| declined).collect(),
        }
    }

    pub fn data(&self) -> &T {
        &self.inner.data.data
    }

    pub fn data_mut(&mut self) -> &mut T {
        &mut self.inner.data.data
    }

    pub fn into_data(self) -> T {
        self.inner.data.data
    }
}

impl<T> std::fmt::Debug for Store<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("id", &self.inner.data.id).finish_non_exhaustive()
    }
}

/// Shared access to a store, borrowed from a [`Store`] or a [`crate::Caller`].
pub struct StoreContext<'a, T>(pub(crate) &'a RtStore<T>);

/// Exclusive access to a store, borrowed from a [`Store`] or a [`crate::Caller`].
pub struct StoreContextMut<'a, T>(pub(crate) &'a mut RtStore<T>);

impl<T> StoreContext<'_, T> {
    pub fn data(&self) -> &T {
        &self.0.data.data
    }
}

impl<T> StoreContextMut<'_, T> {
    pub fn data(&self) -> &T {
        &self.0.data.data
    }

    pub fn data_mut(&mut self) -> &mut T {
        &mut self.0.data.data
    }
}

/// Anything that gives shared access to a store: `&Store<T>`, `&Caller<T>`, ... Every
/// API function that reads store objects takes one, so that host functions can use
/// the same calls through their [`crate::Caller`] as the embedder does with its store.
pub trait AsContext {
    /// The embedder data `T` of the store.
    type Data;

    fn as_context(&self) -> StoreContext<'_, Self::Data>;
}

/// Anything that gives exclusive access to a store: `&mut Store<T>`,
/// `&mut Caller<T>`, ... Needed to run code or change store objects.
pub trait AsContextMut: AsContext {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, Self::Data>;
}

impl<T> AsContext for Store<T> {
    type Data = T;

    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(&self.inner)
    }
}

impl<T> AsContextMut for Store<T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut(&mut self.inner)
    }
}

impl<T> AsContext for StoreContext<'_, T> {
    type Data = T;

    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(self.0)
    }
}

impl<T> AsContext for StoreContextMut<'_, T> {
    type Data = T;

    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(self.0)
    }
}

impl<T> AsContextMut for StoreContextMut<'_, T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut(self.0)
    }
}

impl<C: AsContext + ?Sized> AsContext for &C {
    type Data = C::Data;

    fn as_context(&self) -> StoreContext<'_, C::Data> {
        (**self).as_context()
    }
}

impl<C: AsContext + ?Sized> AsContext for &mut C {
    type Data = C::Data;

    fn as_context(&self) -> StoreContext<'_, C::Data> {
        (**self).as_context()
    }
}

impl<C: AsContextMut + ?Sized> AsContextMut for &mut C {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, C::Data> {
        (**self).as_context_mut()
    }
}

/// A store's [tier statistics](Store::tier_stats).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[non_exhaustive]
pub struct TierStats {
    /// Functions compiled for the store: all of each module's with [`Tier::Jit`](crate::Tier::Jit), each
    /// as it got hot with [`Tier::Auto`](crate::Tier::Auto).
    pub functions_compiled: u64,
    /// Running calls that moved from the interpreter into compiled code at a loop
    /// header (on-stack replacement).
    pub osr_entries: u64,
    /// Time spent compiling. Code another store made for the same module is not
    /// compiled again, and not counted.
    pub compile_time: std::time::Duration,
    /// Bytes of machine code compiled, counted as for `compile_time`.
    pub code_bytes: u64,
    /// Functions of the store with compiled code now.
    pub functions_with_code: u64,
    /// Functions without code that have run (in the interpreter).
    pub functions_interpreted_only: u64,
    /// The functions the compiler declined (they run in the interpreter), in the order
    /// of their instances.
    pub declined: Vec<DeclinedFunction>,
}

/// A function the compiler declined: it runs in the interpreter.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub struct DeclinedFunction {
    /// Its index in its module (imports first).
    pub index: u32,
    /// Its name in the module's `name` section.
    pub name: Option<String>,
    /// Why: an instruction the compiler does not compile, code past the size limit, no
    /// memory.
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use stratus_runtime::{CompilePolicy, GUARD_BYTES, MemoryReservation, TierUpThresholds};

    use crate::engine::{DEFAULT_TIER_UP_BACK_EDGES, DEFAULT_TIER_UP_CALLS};
    use crate::require_jit::jit_here;
    use crate::{Config, Engine, Store, Tier};

    #[test]
    fn the_interpreter_tier_never_compiles() {
        let store = Store::new(&Engine::new(Config::new().tier(Tier::Interp)).unwrap(), ());
        assert_eq!(store.inner.compile, CompilePolicy::Never);
        assert_eq!(store.inner.limits.memory_reservation, MemoryReservation::Maximum { guard: 0 });
    }

    #[test]
    fn the_default_tier_compiles_hot_functions_where_it_can() {
        let store = Store::new(&Engine::default(), ());
        if !jit_here() {
            assert_eq!(store.inner.compile, CompilePolicy::Never);
            return;
        }
        let thresholds =
            TierUpThresholds { calls: DEFAULT_TIER_UP_CALLS, back_edges: DEFAULT_TIER_UP_BACK_EDGES };
        assert_eq!(store.inner.compile, CompilePolicy::OnHeat(thresholds));
        assert_eq!(store.inner.limits.memory_reservation, MemoryReservation::Whole { guard: GUARD_BYTES });

        let engine = Engine::new(Config::new().tier_up_thresholds(7, 9)).unwrap();
        let store = Store::new(&engine, ());
        assert_eq!(store.inner.compile, CompilePolicy::OnHeat(TierUpThresholds { calls: 7, back_edges: 9 }));
    }

    #[test]
    fn the_jit_tier_compiles_every_function_with_a_guard_unless_told_otherwise() {
        if !jit_here() {
            // Where there is no compiler (no `jit` feature, another CPU), it interprets.
            if Tier::Jit.check_available().is_ok() {
                let store = Store::new(&Engine::new(Config::new().tier(Tier::Jit)).unwrap(), ());
                assert_eq!(store.inner.compile, CompilePolicy::Never);
            }
            return;
        }
        let engine = Engine::new(Config::new().tier(Tier::Jit)).unwrap();
        let store = Store::new(&engine, ());
        assert_eq!(store.inner.compile, CompilePolicy::Eager);
        assert_eq!(store.inner.limits.memory_reservation, MemoryReservation::Whole { guard: GUARD_BYTES });

        let small = MemoryReservation::Maximum { guard: 0 };
        let engine = Engine::new(Config::new().tier(Tier::Jit).memory_reservation(small)).unwrap();
        let store = Store::with_limits(&engine, (), engine.config().get_store_limits().clone()).unwrap();
        assert_eq!(store.inner.compile, CompilePolicy::Eager);
        assert_eq!(store.inner.limits.memory_reservation, small);
    }
}
