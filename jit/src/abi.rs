//! What compiled code reads and calls at run time, as offsets and numbers: the contract
//! between the back-ends, which emit the accesses, and the execution core, which lays
//! out the records and implements the libcalls.

use std::mem::{offset_of, size_of};

use stratus_runtime::{ExitRecord, Frame, FuncRef, Global, InstanceVm, MemoryVm, TableVm, VmContext};

/// Offsets in [`VmContext`].
pub mod vm {
    use super::*;
    pub const SLOTS: i32 = offset_of!(VmContext, slots) as i32;
    pub const SLOTS_END: i32 = offset_of!(VmContext, slots_end) as i32;
    pub const FRAMES: i32 = offset_of!(VmContext, frames) as i32;
    pub const FRAMES_LEN: i32 = offset_of!(VmContext, frames_len) as i32;
    pub const FRAMES_MAX: i32 = offset_of!(VmContext, frames_max) as i32;
    pub const GLOBALS: i32 = offset_of!(VmContext, globals) as i32;
    pub const FUNC_REFS: i32 = offset_of!(VmContext, func_refs) as i32;
    pub const BUDGET: i32 = offset_of!(VmContext, budget) as i32;
    pub const EXIT_SP: i32 = offset_of!(VmContext, exit_sp) as i32;
    pub const STACK_LIMIT: i32 = offset_of!(VmContext, stack_limit) as i32;
    pub const LIBCALLS: i32 = offset_of!(VmContext, libcalls) as i32;
    const EXIT: usize = offset_of!(VmContext, exit);
    pub const EXIT_FUNC: i32 = (EXIT + offset_of!(ExitRecord, func)) as i32;
    pub const EXIT_PC: i32 = (EXIT + offset_of!(ExitRecord, pc)) as i32;
    pub const EXIT_STP: i32 = (EXIT + offset_of!(ExitRecord, stp)) as i32;
    pub const EXIT_DETAIL: i32 = (EXIT + offset_of!(ExitRecord, detail)) as i32;
    pub const EXIT_ARG: i32 = (EXIT + offset_of!(ExitRecord, arg)) as i32;
    pub const EXIT_HEIGHT: i32 = (EXIT + offset_of!(ExitRecord, height)) as i32;
    pub const EXIT_FP: i32 = (EXIT + offset_of!(ExitRecord, fp)) as i32;
}

/// Offsets in [`InstanceVm`].
pub mod instance {
    use super::*;
    pub const FUNCS: i32 = offset_of!(InstanceVm, funcs) as i32;
    pub const GLOBALS: i32 = offset_of!(InstanceVm, globals) as i32;
    pub const TYPE_IDS: i32 = offset_of!(InstanceVm, type_ids) as i32;
    pub const TABLES: i32 = offset_of!(InstanceVm, tables) as i32;
    pub const MEMORY_BASE: i32 = offset_of!(InstanceVm, memory_base) as i32;
    pub const MEMORIES: i32 = offset_of!(InstanceVm, memories) as i32;
    pub const MEMORY0: i32 = offset_of!(InstanceVm, memory0) as i32;
}

/// Offsets in [`MemoryVm`] and [`TableVm`].
pub mod memory {
    use super::*;
    pub const BASE: i32 = offset_of!(MemoryVm, base) as i32;
    pub const LEN: i32 = offset_of!(MemoryVm, len) as i32;
}

pub mod table {
    use super::*;
    pub const ELEMENTS: i32 = offset_of!(TableVm, elements) as i32;
    pub const LEN: i32 = offset_of!(TableVm, len) as i32;
}

/// Offsets in [`FuncRef`], and its size.
pub mod func_ref {
    use super::*;
    pub const SIZE: i32 = size_of::<FuncRef>() as i32;
    pub const CODE: i32 = offset_of!(FuncRef, code) as i32;
    pub const INSTANCE: i32 = offset_of!(FuncRef, instance) as i32;
    pub const TYPE_ID: i32 = offset_of!(FuncRef, type_id) as i32;
    pub const FRAME_SLOTS: i32 = offset_of!(FuncRef, frame_slots) as i32;
}

/// Offsets in [`Frame`], and its size.
pub mod frame {
    use super::*;
    pub const SIZE: i32 = size_of::<Frame>() as i32;
    pub const FUNC: i32 = offset_of!(Frame, func) as i32;
    pub const PC: i32 = offset_of!(Frame, pc) as i32;
    pub const STP: i32 = offset_of!(Frame, stp) as i32;
    pub const BASE: i32 = offset_of!(Frame, base) as i32;
}

/// The size of a [`Global`] in the store's vector, and where its value is.
pub mod global {
    use super::*;
    pub const SIZE: i32 = size_of::<Global>() as i32;
    pub const VALUE: i32 = offset_of!(Global, slots) as i32;
}

/// The runtime functions compiled code calls, by their index in the table the VM
/// context's `libcalls` points to. Each is an `extern "C"` function
/// `fn(vm: *mut VmContext, args: *mut u64, a: u32, b: u32, instance: *const InstanceVm)
/// -> u32`: `args` points to its operands in the value stack, where it leaves its
/// results; `a` and `b` are immediates; `instance` is the caller's instance. It returns 0, or a trap code ([`TrapKind::code`], with the element
/// index in the exit record's `arg`), or [`TRAP_PENDING`] when the driver holds a trap
/// of its own (a host function's). All values are in their slots when it is called, and
/// it may move the store's vectors: compiled code reloads what it read from them.
///
/// [`TrapKind::code`]: stratus_runtime::TrapKind::code
#[repr(u32)]
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Libcall {
    /// The budget counter went below zero: returns 0 to go on, 1 to stop (the driver
    /// knows why).
    Budget = 0,
    /// Calls function `a` (a store address) that has no compiled code, its arguments
    /// at `args`, with the caller's frame record pushed as for a compiled callee. A
    /// host function is called here. A WebAssembly function is left to the driver, so
    /// that WebAssembly calls never nest on the native stack: the libcall returns
    /// non-zero, the compiled code leaves, and the driver runs the callee in the
    /// interpreter and resumes each compiled caller there from its frame record.
    Call,
    MemoryGrow,
    MemoryFill,
    MemoryCopy,
    /// `a` is the data segment.
    MemoryInit,
    DataDrop,
    /// `a` is the table.
    TableGet,
    TableSet,
    TableSize,
    TableGrow,
    TableFill,
    /// `a` is the destination table, `b` the source.
    TableCopy,
    /// `a` is the table, `b` the element segment.
    TableInit,
    ElemDrop,
}

/// How many libcalls there are: the length of the table.
pub const LIBCALLS: usize = Libcall::ElemDrop as usize + 1;

/// A libcall's return value when the driver holds the trap.
pub const TRAP_PENDING: u32 = u32::MAX;

/// The signature every libcall has.
pub type LibcallFn = unsafe extern "C" fn(
    vm: *mut VmContext,
    args: *mut u64,
    a: u32,
    b: u32,
    instance: *const InstanceVm,
) -> u32;

/// The entry trampoline's signature: enters the compiled function at `code` with the
/// frame base `fp`, in the instance `instance`, and returns an
/// [`ExitKind`](stratus_runtime::ExitKind) when it leaves.
pub type EntryFn = unsafe extern "C" fn(
    vm: *mut VmContext,
    instance: *const InstanceVm,
    fp: *mut u64,
    code: *const u8,
) -> u32;
