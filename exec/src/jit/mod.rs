//! The core's side of compiled code: compiling a module when an instance of it is made
//! ([`prepare_instance`]) or a function when it gets hot ([`tier_up`]), entering
//! compiled code at a function's entry or a loop header and acting on how it left
//! ([`run`]). The libcalls compiled code makes into the store are in `libcalls`.

mod libcalls;
mod native_stack;

use std::any::Any;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use stratus_jit::unit::CodeUnit;
// The back-end for this machine: both make the same `CodeUnit`s.
use stratus_jit::{Bounds, ModuleCode};
#[cfg(target_arch = "aarch64")]
use stratus_jit_a64 as backend;
#[cfg(target_arch = "x86_64")]
use stratus_jit_x64 as backend;
use stratus_runtime::{
    BudgetStop, CompilePolicy, CompiledModule, ExitKind, FuncAddr, FuncKind, GUARD_BYTES, InstanceAddr,
    MAX_PAGES, PAGE_SIZE, Position, Store, Trap, TrapKind,
};

use crate::host::HostBuffers;

/// Whether this build and this CPU can run compiled code.
pub fn available() -> bool {
    backend::supported()
}

/// The state compiled code's libcalls reach through the VM context while a call runs.
pub(crate) struct JitHost<T> {
    store: *mut Store<T>,
    /// A trap the libcalls hold for the driver: a host function's, or a callee's.
    trap: Option<Trap>,
    /// Why the budget stopped the guest.
    budget_stop: Option<BudgetStop>,
    /// A call of a WebAssembly function without code: the compiled code leaves for the
    /// driver, which runs the callee (its arguments from this slot) in the interpreter.
    call: Option<(FuncAddr, usize)>,
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
        regs: Position,
    },
    /// It called `callee`, a WebAssembly function without code, with its arguments in
    /// the slots from `base`; the frame records of its callers, compiled functions all,
    /// are on the frame stack.
    Call {
        callee: FuncAddr,
        base: usize,
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

fn code_of(code: &Arc<dyn Any + Send + Sync>) -> &CodeUnit {
    code.downcast_ref::<CodeUnit>().expect("machine code made by this back-end")
}

/// Compiles the module of a new instance when the store compiles eagerly (once per
/// module and way of checking bounds), and points the instance's function refs at the
/// code. A module the compiler does not take runs in the interpreter, or in code made
/// function by function where the compiler takes those.
pub(crate) fn prepare_instance<T>(store: &mut Store<T>, instance: InstanceAddr) {
    if store.compile != CompilePolicy::Eager || !available() {
        return;
    }
    let bounds = bounds_of(store, instance);
    let module = store.instance(instance).module.clone();
    let Ok(code) =
        made(store, &module.machine_code[code_slot(bounds)], || backend::compile_module(&module, bounds))
    else {
        return;
    };
    let code = code_of(&code);
    let imported = module.imported_funcs as usize;
    for (defined, &func) in store.instance(instance).funcs[imported..].to_vec().iter().enumerate() {
        let func_ref = &mut store.func_refs[func.0 as usize];
        func_ref.code = code.entry(defined as u32);
        func_ref.frame_slots = code.frame_slots(defined as u32);
    }
    store.tier_stats.functions_compiled += module.code.len() as u64;
    store.invalidate_code();
}

/// The code in `slot`, made by `compile` unless it is there already (made for
/// another instance or store); the time and size of what is made here count in the
/// store's statistics.
fn made<T>(
    store: &mut Store<T>,
    slot: &stratus_runtime::MachineCode,
    compile: impl FnOnce() -> Result<Arc<CodeUnit>, stratus_jit::CompileError>,
) -> Result<Arc<dyn Any + Send + Sync>, ()> {
    let started = Instant::now();
    let mut fresh = None;
    let code = slot.get_or_init(|| {
        let code = compile();
        fresh = Some(code.as_ref().map_or(0, |code| code.code_size()));
        code.map(|code| code as Arc<dyn Any + Send + Sync>).map_err(|e| e.to_string())
    });
    if let Some(bytes) = fresh {
        store.tier_stats.compile_time += started.elapsed();
        store.tier_stats.code_bytes += bytes as u64;
    }
    code.clone().map_err(drop)
}

/// Where compiled code takes over a call: an address in a unit of code, which the
/// entry keeps alive.
pub(crate) struct Entry {
    unit: Arc<dyn Any + Send + Sync>,
    at: *const u8,
}

/// Where compiled code takes over the call whose running function is at `regs`, a
/// safepoint: its entry (`regs.pc` 0) or a loop header. A function without code is
/// compiled here when it is hot enough for the store's policy. `None` leaves it to the
/// interpreter.
pub(crate) fn tier_up<T>(store: &mut Store<T>, regs: &Position) -> Option<Entry> {
    if store.compile == CompilePolicy::Never || !available() {
        return None;
    }
    let func = FuncAddr(regs.func);
    if !is_compiled(store, func) {
        let thresholds = store.compile.thresholds();
        let threshold = if regs.pc == 0 { thresholds.calls } else { thresholds.back_edges };
        if store.funcs[func.0 as usize].hotness.get() <= threshold {
            return None;
        }
        if !compile_function(store, func) {
            // Not again before it has been as hot once more.
            store.funcs[func.0 as usize].hotness.set(1);
            return None;
        }
    }
    let (unit, defined) = unit_of(store, func);
    if regs.pc == 0 {
        return Some(Entry { at: store.func_refs[func.0 as usize].code, unit });
    }
    let at = code_of(&unit).osr_entry(defined, regs.pc as u32)?;
    store.tier_stats.osr_entries += 1;
    Some(Entry { unit, at })
}

/// Compiles function `func` (of its module, for this way of checking bounds, unless
/// that was done for another instance or store) and swaps its entry; `false` if the
/// compiler does not take it.
fn compile_function<T>(store: &mut Store<T>, func: FuncAddr) -> bool {
    let FuncKind::Wasm { instance, index } = store.funcs[func.0 as usize].kind else { return false };
    let bounds = bounds_of(store, instance);
    let module = store.instance(instance).module.clone();
    let defined = index - module.imported_funcs;
    let slot = code_slot(bounds);
    let code = match module.machine_code[slot].get() {
        // A store that compiled the whole module ahead of time made this.
        Some(Ok(code)) => code.clone(),
        _ => {
            let funcs = function_slots(&module, slot);
            match made(store, &funcs[defined as usize], || {
                backend::compile_functions(&module, bounds, defined..defined + 1)
            }) {
                Ok(code) => code,
                Err(()) => return false,
            }
        }
    };
    let code = code_of(&code);
    let func_ref = &mut store.func_refs[func.0 as usize];
    func_ref.code = code.entry(defined);
    func_ref.frame_slots = code.frame_slots(defined);
    store.tier_stats.functions_compiled += 1;
    store.invalidate_code();
    true
}

/// The module's slots for code made a function at a time, for one way of checking
/// bounds.
fn function_slots(module: &CompiledModule, slot: usize) -> &[stratus_runtime::MachineCode] {
    module.function_code[slot].get_or_init(|| (0..module.code.len()).map(|_| OnceLock::new()).collect())
}

/// The code holding compiled function `func`'s, and its defined index.
fn unit_of<T>(store: &Store<T>, func: FuncAddr) -> (Arc<dyn Any + Send + Sync>, u32) {
    let FuncKind::Wasm { instance, index } = store.funcs[func.0 as usize].kind else {
        unreachable!("host functions have no code")
    };
    let module = &store.instance(instance).module;
    let defined = index - module.imported_funcs;
    let slot = code_slot(bounds_of(store, instance));
    let entry = store.func_refs[func.0 as usize].code;
    let whole = module.machine_code[slot].get().and_then(|code| code.as_ref().ok());
    let single = module.function_code[slot]
        .get()
        .and_then(|funcs| funcs[defined as usize].get())
        .and_then(|code| code.as_ref().ok());
    let code = whole
        .into_iter()
        .chain(single)
        .find(|code| std::ptr::eq(code_of(code).entry(defined), entry))
        .expect("compiled functions have code");
    (code.clone(), defined)
}

/// Whether `func` has compiled code.
pub(crate) fn is_compiled<T>(store: &Store<T>, func: FuncAddr) -> bool {
    !store.func_refs[func.0 as usize].code.is_null()
}

/// Runs compiled function `func`, whose frame is at slot `fp` (its frame record
/// pushed, its arguments in place; at a loop header, the whole frame as the
/// interpreter left it), from `entry` (its entry or a loop header's) until it leaves.
pub(crate) fn run<T>(store: &mut Store<T>, func: FuncAddr, fp: usize, entry: Entry) -> Exit {
    let FuncKind::Wasm { instance, .. } = store.funcs[func.0 as usize].kind else {
        unreachable!("host functions have no code")
    };
    let trampoline = code_of(&entry.unit).trampoline();
    let instance_vm: *const _ = &**store.instance(instance).vm.as_ref().expect("instantiated");
    store.refresh_vm();
    let mut host =
        JitHost { store, trap: None, budget_stop: None, call: None, buffers: HostBuffers::default() };
    let host_ptr: *mut JitHost<T> = &mut host;
    // SAFETY: `host.store` is the store we were given, which nothing else uses until the
    // trampoline returns; the VM context is boxed in it.
    let vm = unsafe { &mut *(*host_ptr).store }.vm.as_mut() as *mut stratus_runtime::VmContext;
    // SAFETY: `vm` points to the store's boxed VM context; the fields set here are read
    // by compiled code and libcalls during the call, and restored after it, so an inner
    // activation (a host function calling back in) leaves the outer one's in place.
    // `entry` keeps the code alive for the call.
    let kind = unsafe {
        let saved = ((*vm).host, (*vm).libcalls, (*vm).stack_limit);
        (*vm).host = host_ptr.cast();
        (*vm).libcalls = libcalls::table::<T>().as_ptr().cast();
        (*vm).stack_limit = native_stack::limit();
        let fp = (*vm).slots.add(fp);
        let kind = trampoline(vm, instance_vm, fp, entry.at);
        ((*vm).host, (*vm).libcalls, (*vm).stack_limit) = saved;
        kind
    };
    drop(entry);
    // SAFETY: the call has returned: the store is ours again.
    let store = unsafe { &mut *host.store };
    if let Some((callee, base)) = host.call.take() {
        // The frame stack is as the libcall left it, the compiled callers' records on
        // it (the calling code popped its own from the VM context's count only).
        return Exit::Call { callee, base };
    }
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
            let regs = Position {
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
