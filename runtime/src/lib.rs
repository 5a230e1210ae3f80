//! stratus-runtime: the objects of a store and how they are laid out for every tier.
//!
//! Owns: the [`Store`] and its objects by address (functions, tables, memories,
//! globals, segments, instances, host values); linear memory reserved once so its base
//! never moves; the value stack and frame records the interpreter and the compilers
//! share, and the [`Position`] of a call stopped at a safepoint in any tier; the
//! [`VmContext`] through which every tier sees its store, and the budget
//! (fuel, interruption) they all charge; [`Trap`]s; instantiation up to (not
//! including) the start function; the interface every tier uses to call host functions
//! ([`HostFunc`]).
//!
//! Does not own: decoding or validation (it uses their results), executing code (the
//! interpreter and compilers), or the typed embedding API (the `stratus` package).

mod global;
mod instance;
mod memory;
mod module;
mod quota;
mod reservation;
mod stack;
mod store;
mod table;
mod trap;
mod values;
mod vm;

pub use global::Global;
pub use instance::{
    Extern, Instance, InstanceVm, InstantiateError, eval_const, instantiate, instantiate_without_segments,
};
pub use memory::{
    Bounds, GUARD_BYTES, MAX_PAGES, Memory, MemoryReservation, MemoryVm, PAGE_SIZE, copy_memory,
};
pub use module::{
    CompiledModule, ConstRange, DataSegment as ModuleDataSegment, Elem, ElemItems, ElemMode, Export,
    FuncCode, Import, MachineCode, Validation,
};
pub use quota::{GrowError, Quota, QuotaExceeded};
pub use stack::{Frame, Frames, Position, Slots, Stack};
pub use store::{
    CompilePolicy, DataAddr, DataSegment, ElemAddr, ElemSegment, FuncEntry, FuncKind, FuncRef, GlobalAddr,
    HostFunc, InstanceAddr, Limits, MemAddr, Store, StoreId, TableAddr, TierStats, TierUpThresholds,
};
pub use table::{Table, TableVm, copy_elements as copy_table_elements};
pub use trap::{FrameInfo, Trap, TrapKind, write_backtrace};
pub use values::{ExternAddr, FuncAddr, Val, ref_from_slot, ref_to_slot};
pub use vm::{
    Budget, BudgetStop, CHECK_PERIOD, ExitKind, ExitRecord, InterruptHandle, Interruption, VmContext,
};
