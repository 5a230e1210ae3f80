//! The core's side of compiled code: compiling a module when an instance of it is made
//! ([`prepare_instance`]), entering compiled code and acting on how it left ([`run`]).
//! The libcalls compiled code makes into the store are in `libcalls`.

mod libcalls;
mod native_stack;

use std::any::Any;
use std::sync::Arc;

use stratus_jit::{Bounds, ModuleCode};
use stratus_jit_x64::X64Code;
use stratus_runtime::{
    BudgetStop, CompilePolicy, ExitKind, FuncAddr, FuncKind, GUARD_BYTES, InstanceAddr, MAX_PAGES, PAGE_SIZE,
    Store, Trap, TrapKind,
};

use crate::host::HostBuffers;

/// Whether this build and this CPU can run compiled code.
pub fn available() -> bool {
    stratus_jit_x64::supported()
}

/// The state compiled code's libcalls reach through the VM context while a call runs.
pub(crate) struct JitHost<T> {
    store: *mut Store<T>,
    /// A trap the libcalls hold for the driver: a host function's, or a callee's.
    trap: Option<Trap>,
    /// Why the budget stopped the guest.
    budget_stop: Option<BudgetStop>,
    buffers: HostBuffers,
}

/// How compiled code left.
pub(crate) enum Exit {
    Returned,
    /// A trap in function `func` at `pc`.
    Trap {
        trap: Trap,
        func: u32,
        pc: usize,
    },
    /// The budget stopped it at a safepoint, given in the interpreter's registers.
    Budget {
        why: BudgetStop,
        regs: stratus_interp::Regs,
    },
}

/// How compiled code of an instance checks bounds: by the guard region when its memory
/// reserved all of it, explicitly otherwise.
fn bounds_of<T>(store: &Store<T>, instance: InstanceAddr) -> Bounds {
    let whole = MAX_PAGES as usize * PAGE_SIZE + GUARD_BYTES;
    match store.instance(instance).memories.first() {
        Some(memory) if store.memories[memory.0 as usize].reserved_bytes() < whole => Bounds::Explicit,
        _ => Bounds::Guard,
    }
}

/// Which of the module's machine-code slots holds code for `bounds`.
fn code_slot(bounds: Bounds) -> usize {
    match bounds {
        Bounds::Guard => 0,
        Bounds::Explicit => 1,
    }
}

fn code_of(code: &Arc<dyn Any + Send + Sync>) -> &X64Code {
    code.downcast_ref::<X64Code>().expect("machine code made by this back-end")
}

/// Compiles the module of a new instance when the store compiles eagerly (once per
/// module and way of checking bounds), and points the instance's function refs at the
/// code. A module the compiler does not take runs in the interpreter.
pub(crate) fn prepare_instance<T>(store: &mut Store<T>, instance: InstanceAddr) {
    if store.compile != CompilePolicy::Eager || !available() {
        return;
    }
    let bounds = bounds_of(store, instance);
    let module = store.instance(instance).module.clone();
    let compiled = module.machine_code[code_slot(bounds)].get_or_init(|| {
        stratus_jit_x64::compile_module(&module, bounds)
            .map(|code| code as Arc<dyn Any + Send + Sync>)
            .map_err(|e| e.to_string())
    });
    let Ok(code) = compiled else { return };
    let code = code_of(code);
    let imported = module.imported_funcs as usize;
    for (defined, &func) in store.instance(instance).funcs[imported..].to_vec().iter().enumerate() {
        let func_ref = &mut store.func_refs[func.0 as usize];
        func_ref.code = code.entry(defined as u32);
        func_ref.frame_slots = code.frame_slots(defined as u32);
    }
    store.invalidate_code();
}

/// Whether `func` has compiled code.
pub(crate) fn is_compiled<T>(store: &Store<T>, func: FuncAddr) -> bool {
    !store.func_refs[func.0 as usize].code.is_null()
}

/// Runs compiled function `func`, whose frame is at slot `fp` (arguments in place,
/// frame checked and pushed as the interpreter's entry does), until it leaves.
pub(crate) fn run<T>(store: &mut Store<T>, func: FuncAddr, fp: usize) -> Exit {
    let FuncKind::Wasm { instance, .. } = store.funcs[func.0 as usize].kind else {
        unreachable!("host functions have no code")
    };
    let module = store.instance(instance).module.clone();
    let Some(Ok(code)) = module.machine_code[code_slot(bounds_of(store, instance))].get() else {
        unreachable!("compiled functions have code")
    };
    let trampoline = code_of(code).trampoline();
    let instance_vm: *const _ = &**store.instance(instance).vm.as_ref().expect("instantiated");
    let entry = store.func_refs[func.0 as usize].code;
    store.refresh_vm(Some(instance));
    let mut host = JitHost { store, trap: None, budget_stop: None, buffers: HostBuffers::default() };
    let host_ptr: *mut JitHost<T> = &mut host;
    // SAFETY: `host.store` is the store we were given, which nothing else uses until the
    // trampoline returns; the VM context is boxed in it.
    let vm = unsafe { &mut *(*host_ptr).store }.vm.as_mut() as *mut stratus_runtime::VmContext;
    // SAFETY: `vm` points to the store's boxed VM context; the fields set here are read
    // by compiled code and libcalls during the call, and restored after it, so an inner
    // activation (a host function calling back in) leaves the outer one's in place.
    let kind = unsafe {
        let saved = ((*vm).host, (*vm).libcalls, (*vm).stack_limit);
        (*vm).host = host_ptr.cast();
        (*vm).libcalls = libcalls::table::<T>().as_ptr().cast();
        (*vm).stack_limit = native_stack::limit();
        let fp = (*vm).slots.add(fp);
        let kind = trampoline(vm, instance_vm, fp, entry);
        ((*vm).host, (*vm).libcalls, (*vm).stack_limit) = saved;
        kind
    };
    // SAFETY: the call has returned: the store is ours again.
    let store = unsafe { &mut *host.store };
    store.stack.frames.set_len(store.vm.frames_len);
    let exit = store.vm.exit;
    match kind {
        k if k == ExitKind::Returned as u32 => Exit::Returned,
        k if k == ExitKind::Trap as u32 => {
            let trap = match TrapKind::from_code(exit.detail, exit.arg) {
                Some(kind) => Trap::new(kind),
                None => host.trap.take().expect("a libcall that failed left its trap"),
            };
            Exit::Trap { trap, func: exit.func, pc: exit.pc as usize }
        }
        _ => {
            let base = (exit.fp - store.vm.slots as usize) / 8;
            let regs = stratus_interp::Regs {
                func: exit.func,
                pc: exit.pc as usize,
                stp: exit.stp as usize,
                fp: base,
                sp: base + exit.height as usize,
            };
            Exit::Budget { why: host.budget_stop.take().expect("the budget libcall said why"), regs }
        }
    }
}
