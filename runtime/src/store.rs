//! The store: every runtime object, by address, and the value stack they share.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use stratus_decoder::{FuncType, MemoryType, TableType};

use crate::global::Global;
use crate::instance::Instance;
use crate::memory::{MAX_PAGES, Memory, MemoryReservation, PAGE_SIZE};
use crate::quota::Quota;
use crate::stack::Stack;
use crate::table::Table;
use crate::trap::Trap;
use crate::values::{ExternAddr, FuncAddr, Val};
use crate::vm::{Budget, VmContext};

macro_rules! addr_types {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
        pub struct $name(pub u32);
    )*};
}

addr_types! {
    /// A table in a store.
    TableAddr;
    /// A linear memory in a store.
    MemAddr;
    /// A global in a store.
    GlobalAddr;
    /// An element segment of an instance.
    ElemAddr;
    /// A data segment of an instance.
    DataAddr;
    /// An instance in a store.
    InstanceAddr;
}

/// A function defined by the host. It gets the store, the instance of the WebAssembly
/// function that called it (if any), the arguments, and room for its results.
pub type HostFunc<T> =
    Arc<dyn Fn(&mut Store<T>, Option<InstanceAddr>, &[Val], &mut [Val]) -> Result<(), Trap> + Send + Sync>;

/// How to call a function: every tier goes through these entries.
pub enum FuncKind<T> {
    /// Defined by a module: function `index` of the module of `instance`.
    Wasm {
        instance: InstanceAddr,
        index: u32,
    },
    Host(HostFunc<T>),
}

pub struct FuncEntry<T> {
    pub ty: Arc<FuncType>,
    /// Calls and loop back-edges so far: the tiering policy's measure of heat.
    pub hotness: std::cell::Cell<u32>,
    /// The store-wide id of `ty`: equal types have equal ids, so `call_indirect`
    /// compares numbers.
    pub type_id: u32,
    pub kind: FuncKind<T>,
}

/// How compiled code calls a function: an entry per function of the store, in the
/// order of [`Store::funcs`], that a tier fills in when it has code for the function.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct FuncRef {
    /// Compiled code to call, or null: the function is a host function or not compiled,
    /// and the execution core calls it.
    pub code: *const u8,
    /// The instance the function belongs to; null for host functions.
    pub instance: *const crate::InstanceVm,
    /// Its type's store-wide id, which `call_indirect` compares.
    pub type_id: u32,
    /// Value-stack slots its frame takes beyond its base, locals and operand stack,
    /// when it has code; 0 for the others.
    pub frame_slots: u32,
}

// SAFETY: as for `VmContext`: the pointers lead into the store (or code owned by its
// modules), used only by whoever has the store.
unsafe impl Send for FuncRef {}
// SAFETY: shared references give no access through the pointers.
unsafe impl Sync for FuncRef {}

/// An element segment: its references, until `elem.drop` empties it.
#[derive(Debug, Clone, Default)]
pub struct ElemSegment {
    pub items: Vec<u64>,
}

/// A data segment: its bytes in the module, until `data.drop` empties it.
#[derive(Debug, Clone)]
pub struct DataSegment {
    pub instance: InstanceAddr,
    pub bytes: std::ops::Range<usize>,
}

/// Resource limits of a store.
///
/// The defaults keep what a hostile module can make the host allocate outside linear
/// memory to about 1 GiB at most: 512 MiB of table elements, 32 MiB of value stack, and
/// the store's own records, which grow with the modules instantiated (bounded by their
/// size) and with the number of instances. Linear memory is bounded by its own total.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The most pages any memory may grow to.
    pub memory_pages: u32,
    /// The most elements any table may grow to.
    pub table_elements: u32,
    /// The most bytes of linear memory all the store's memories may have together.
    pub total_memory_bytes: usize,
    /// The most elements all the store's tables may have room for together (8 bytes of
    /// host memory each).
    pub total_table_elements: usize,
    /// The most instances the store may hold.
    pub instances: usize,
    /// How much address space each memory reserves.
    pub memory_reservation: MemoryReservation,
    /// The deepest WebAssembly call nesting before "call stack exhausted".
    pub call_depth: usize,
    /// 64-bit slots of the value stack shared by all frames.
    pub stack_slots: usize,
    /// How deeply calls from the host into WebAssembly may nest (a host function that
    /// calls WebAssembly that calls a host function...). Each level takes native stack,
    /// so past this the call traps with "call stack exhausted" instead.
    pub host_reentry: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_pages: MAX_PAGES,
            table_elements: 10_000_000,
            // One memory of the largest size: whatever one instance may have, all of
            // the store's instances share.
            total_memory_bytes: MAX_PAGES as usize * PAGE_SIZE,
            // 2^26 elements are 512 MiB: room for six tables of the largest size
            // (10 million elements, 80 MB) but not for twenty.
            total_table_elements: 1 << 26,
            instances: 10_000,
            memory_reservation: MemoryReservation::default(),
            call_depth: 20_000,
            stack_slots: 1 << 22,
            host_reentry: 100,
        }
    }
}

/// When the store's WebAssembly functions are compiled.
#[derive(Copy, Clone, PartialEq, Eq, Debug, Default)]
pub enum CompilePolicy {
    /// Never: the interpreter runs everything.
    #[default]
    Never,
    /// Every function of a module before any of them first runs (where the machine has
    /// a compiler and the compiler takes the module).
    Eager,
    /// Each function once it is hot: it starts in the interpreter, and is compiled
    /// when its heat (calls and loop back-edges, [`FuncEntry::hotness`]) passes a
    /// threshold: at a call (which then enters the compiled code) or at a loop
    /// back-edge (which continues in the compiled code at that loop's header).
    OnHeat(TierUpThresholds),
}

/// The heat past which a function is compiled: `calls` is checked when it is called,
/// `back_edges` when one of its loops goes round. Both compare the one count of calls
/// and back-edges; 0 compiles a function before it first runs.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct TierUpThresholds {
    pub calls: u32,
    pub back_edges: u32,
}

impl CompilePolicy {
    /// The thresholds the interpreter checks: a compiling store also sends functions
    /// that have code from the interpreter to it (at once), a store that never
    /// compiles never.
    pub fn thresholds(self) -> TierUpThresholds {
        match self {
            CompilePolicy::Never => TierUpThresholds { calls: u32::MAX, back_edges: u32::MAX },
            CompilePolicy::Eager => TierUpThresholds { calls: 0, back_edges: 0 },
            CompilePolicy::OnHeat(thresholds) => thresholds,
        }
    }
}

/// What the tiers did in a store, so far.
#[derive(Copy, Clone, PartialEq, Eq, Debug, Default)]
pub struct TierStats {
    /// Functions compiled for this store (ahead of time or as they got hot); a
    /// function whose module's code another store made counts too.
    pub functions_compiled: u64,
    /// Running calls that moved from the interpreter into compiled code at a loop
    /// header (on-stack replacement).
    pub osr_entries: u64,
    /// Time spent compiling, in this store's threads.
    pub compile_time: std::time::Duration,
    /// Bytes of machine code made for this store.
    pub code_bytes: u64,
}

/// Everything a set of instances owns, addressed by index, and the data `T` the
/// embedder keeps with it.
/// A store's name, unique in the process: what a paused call remembers its store by.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct StoreId(u64);

pub struct Store<T> {
    pub data: T,
    pub funcs: Vec<FuncEntry<T>>,
    /// One per function: what compiled code calls it by. Changed only through
    /// [`Store::push_func`] and by the tiers.
    pub func_refs: Vec<FuncRef>,
    pub tables: Vec<Table>,
    pub memories: Vec<Memory>,
    pub globals: Vec<Global>,
    pub elems: Vec<ElemSegment>,
    pub datas: Vec<DataSegment>,
    pub instances: Vec<Instance>,
    pub externs: Vec<Box<dyn Any + Send + Sync>>,
    pub stack: Stack,
    pub limits: Limits,
    /// The fuel and interrupt flag behind the VM context's budget counter.
    pub budget: Budget,
    /// Boxed so that its address, which compiled code keeps, never changes.
    pub vm: Box<VmContext>,
    /// What the store's memories and tables take, and may take, together.
    pub quota: Arc<Quota>,
    /// Which tier runs the store's functions; the execution core reads it.
    pub compile: CompilePolicy,
    /// Whether the store runs the spec's deterministic profile: every NaN a float
    /// instruction produces is the positive canonical NaN, and each relaxed SIMD
    /// instruction gives the profile's result; every tier honours it.
    pub deterministic: bool,
    /// What the tiers did; the execution core keeps it.
    pub tier_stats: TierStats,
    /// The functions a compiler declined, and why: they stay in the interpreter, and
    /// tier-up does not try them again.
    pub declined: HashMap<FuncAddr, String>,
    type_ids: HashMap<Arc<FuncType>, u32>,
    id: StoreId,
}

impl<T> Store<T> {
    pub fn id(&self) -> StoreId {
        self.id
    }

    pub fn new(data: T) -> Self {
        Store::with_limits(data, Limits::default())
    }

    pub fn with_limits(data: T, limits: Limits) -> Self {
        let budget = Budget::new();
        let mut store = Store {
            data,
            funcs: Vec::new(),
            func_refs: Vec::new(),
            tables: Vec::new(),
            memories: Vec::new(),
            globals: Vec::new(),
            elems: Vec::new(),
            datas: Vec::new(),
            instances: Vec::new(),
            externs: Vec::new(),
            stack: Stack::new(limits.stack_slots, limits.call_depth),
            limits,
            vm: Box::new(VmContext::new()),
            budget,
            quota: Arc::new(Quota::new(limits.total_memory_bytes, limits.total_table_elements)),
            compile: CompilePolicy::Never,
            deterministic: false,
            tier_stats: TierStats::default(),
            declined: HashMap::new(),
            type_ids: HashMap::new(),
            id: {
                static NEXT: AtomicU64 = AtomicU64::new(0);
                StoreId(NEXT.fetch_add(1, Ordering::Relaxed))
            },
        };
        store.vm.slots = store.stack.slots.base();
        store.vm.slots_len = store.stack.slots.len();
        store.vm.frames = store.stack.frames.base();
        store.vm.frames_max = store.stack.frames.capacity();
        // SAFETY: `slots_len` slots from `slots` are the value stack's allocation.
        store.vm.slots_end = unsafe { store.vm.slots.add(store.vm.slots_len) };
        store.refresh_vm();
        store
    }

    /// Brings the VM context's *refreshed* fields up to date: the store's vectors and
    /// the frames in use.
    pub fn refresh_vm(&mut self) {
        let vm = &mut *self.vm;
        vm.frames_len = self.stack.frames.len();
        vm.func_refs = self.func_refs.as_ptr();
        vm.globals = self.globals.as_mut_ptr().cast();
    }

    /// Records that function entries may have changed (an instance was added, or a
    /// tier swapped an entry), so that every cache of callee code is dropped.
    pub fn invalidate_code(&mut self) {
        self.vm.generation += 1;
    }

    /// The fuel left, or `None` when fuel is not consumed.
    pub fn fuel(&self) -> Option<u64> {
        self.budget.fuel(self.vm.budget)
    }

    /// Sets the fuel left; `None` stops consuming fuel.
    pub fn set_fuel(&mut self, fuel: Option<u64>) {
        self.vm.budget = self.budget.set_fuel(fuel);
    }

    /// The store-wide id of a function type, and the shared copy of it.
    pub fn intern_type(&mut self, ty: &FuncType) -> (u32, Arc<FuncType>) {
        if let Some((shared, &id)) = self.type_ids.get_key_value(ty) {
            return (id, shared.clone());
        }
        let id = self.type_ids.len() as u32;
        let shared = Arc::new(ty.clone());
        self.type_ids.insert(shared.clone(), id);
        (id, shared)
    }

    /// Adds a host function.
    pub fn add_host_func(&mut self, ty: &FuncType, func: HostFunc<T>) -> FuncAddr {
        let (type_id, ty) = self.intern_type(ty);
        self.push_func(FuncEntry { ty, type_id, hotness: Default::default(), kind: FuncKind::Host(func) });
        self.invalidate_code();
        FuncAddr(self.funcs.len() as u32 - 1)
    }

    /// Adds a function entry and its [`FuncRef`], not yet compiled.
    pub(crate) fn push_func(&mut self, entry: FuncEntry<T>) {
        let type_id = entry.type_id;
        self.funcs.push(entry);
        self.func_refs.push(FuncRef {
            code: std::ptr::null(),
            instance: std::ptr::null(),
            type_id,
            // The runtime checks the frames of the functions it calls itself.
            frame_slots: 0,
        });
    }

    /// Keeps a host value that WebAssembly code can hold as an `externref`.
    pub fn add_extern(&mut self, value: Box<dyn Any + Send + Sync>) -> ExternAddr {
        self.externs.push(value);
        ExternAddr(self.externs.len() as u32 - 1)
    }

    /// Makes a table of type `ty` filled with `init`, within the store's limits. Fails,
    /// saying why, past them or if the host has no memory for it.
    pub fn new_table(&mut self, ty: TableType, init: u64) -> Result<TableAddr, String> {
        let table = Table::new(ty, init, self.limits.table_elements, &self.quota)?;
        self.tables.push(table);
        Ok(TableAddr(self.tables.len() as u32 - 1))
    }

    /// Makes a memory of type `ty`, within the store's limits. Fails, saying why, past
    /// them or if the system cannot reserve even its minimum size.
    pub fn new_memory(&mut self, ty: MemoryType) -> Result<MemAddr, String> {
        let memory = Memory::new(ty, self.limits.memory_pages, self.limits.memory_reservation, &self.quota)?;
        self.memories.push(memory);
        Ok(MemAddr(self.memories.len() as u32 - 1))
    }

    pub fn add_global(&mut self, global: Global) -> GlobalAddr {
        self.globals.push(global);
        GlobalAddr(self.globals.len() as u32 - 1)
    }

    /// How many functions, tables, memories, globals, element and data segments the
    /// store holds: what [`Store::truncate_objects`] goes back to.
    pub(crate) fn object_counts(&self) -> [usize; 6] {
        [
            self.funcs.len(),
            self.tables.len(),
            self.memories.len(),
            self.globals.len(),
            self.elems.len(),
            self.datas.len(),
        ]
    }

    /// Drops the objects made since `counts` was taken, giving their memory back to
    /// the host and the quota.
    pub(crate) fn truncate_objects(&mut self, counts: [usize; 6]) {
        let [funcs, tables, memories, globals, elems, datas] = counts;
        self.funcs.truncate(funcs);
        self.func_refs.truncate(funcs);
        self.tables.truncate(tables);
        self.memories.truncate(memories);
        self.globals.truncate(globals);
        self.elems.truncate(elems);
        self.datas.truncate(datas);
    }

    pub fn func_type(&self, func: FuncAddr) -> &FuncType {
        &self.funcs[func.0 as usize].ty
    }

    pub fn instance(&self, addr: InstanceAddr) -> &Instance {
        &self.instances[addr.0 as usize]
    }
}
