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
use stratus_jit::{Bounds, CodeKind, CompileError, ModuleCode};
#[cfg(target_arch = "aarch64")]
use stratus_jit_a64 as backend;
#[cfg(target_arch = "x86_64")]
use stratus_jit_x64 as backend;
use stratus_runtime::{
    BudgetStop, CompilePolicy, CompiledModule, ExitKind, FuncAddr, FuncKind, InstanceAddr, Position, Store,
    Trap, TrapKind,
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
    /// A tail call of a host function, its arguments from this slot (the tail-calling
    /// function's frame base), by a function of this instance: the driver calls it in
    /// place of the tail-calling function.
    tail_host: Option<(FuncAddr, usize, InstanceAddr)>,
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
    /// A function of instance `caller` tail-called `callee`, a host function, with its
    /// arguments in the slots from `base`, its frame base; its callers' frame records
    /// are on the frame stack.
    TailHost {
        callee: FuncAddr,
        base: usize,
        caller: InstanceAddr,
    },
}

/// The kind of code an instance runs: checking bounds as its memory 0's descriptor says
/// (by the guard region when the memory reserved all of it, explicitly otherwise), and
/// the deterministic profile if its store runs it.
fn code_kind<T>(store: &Store<T>, instance: InstanceAddr) -> CodeKind {
    let bounds = match store.instance(instance).memories.first() {
        Some(memory) => store.memories[memory.0 as usize].bounds(),
        None => Bounds::Guard,
    };
    CodeKind { bounds, deterministic: store.deterministic }
}

/// The unit of code a machine-code slot of the module holds (one a function at a time
/// holds one unit).
fn unit_in(code: &Arc<dyn Any + Send + Sync>) -> Arc<CodeUnit> {
    code.clone().downcast::<CodeUnit>().expect("machine code made by this back-end")
}

/// A whole module's code, made before its first instance runs: the unit holding each
/// function's code, or why the compiler declined the function. Consecutive functions
/// share a unit and call each other directly; a function the compiler declines ends a
/// unit, so it keeps no other function from being compiled.
struct ModuleUnits {
    /// By defined index.
    functions: Vec<Result<Arc<CodeUnit>, CompileError>>,
}

impl ModuleUnits {
    /// Compiles every function of `module`: each at most twice (a unit that fails at a
    /// function is compiled again without it) and the declined ones at most once, so
    /// the time stays linear in the module's size.
    fn compile(module: &CompiledModule, kind: CodeKind) -> ModuleUnits {
        let count = module.code.len() as u32;
        let mut functions: Vec<Option<Result<Arc<CodeUnit>, CompileError>>> = vec![None; count as usize];
        let mut start = 0;
        while start < count {
            let mut end = count;
            loop {
                match backend::compile_functions(module, kind, start..end) {
                    Ok(unit) => {
                        functions[start as usize..end as usize].fill(Some(Ok(unit)));
                        start = end;
                        break;
                    }
                    Err(error) => match error.func().map(|func| func - module.imported_funcs) {
                        Some(declined) if (start..end).contains(&declined) => {
                            functions[declined as usize] = Some(Err(error));
                            if declined == start {
                                break;
                            }
                            end = declined;
                        }
                        // Nothing more can be compiled.
                        _ => {
                            for function in functions[start as usize..].iter_mut().filter(|f| f.is_none()) {
                                *function = Some(Err(error.clone()));
                            }
                            start = count;
                            break;
                        }
                    },
                }
            }
            while start < count && functions[start as usize].is_some() {
                start += 1;
            }
        }
        ModuleUnits { functions: functions.into_iter().map(|f| f.expect("every function visited")).collect() }
    }

    /// Bytes of machine code in its units.
    fn code_size(&self) -> usize {
        let mut units: Vec<&Arc<CodeUnit>> = self.functions.iter().filter_map(|f| f.as_ref().ok()).collect();
        units.dedup_by(|a, b| Arc::ptr_eq(a, b));
        units.iter().map(|unit| unit.code_size()).sum()
    }
}

/// Compiles the module of a new instance when the store compiles eagerly (once per
/// module and way of checking bounds), and points the instance's function refs at the
/// code. The functions the compiler declines run in the interpreter.
pub(crate) fn prepare_instance<T>(store: &mut Store<T>, instance: InstanceAddr) {
    if store.compile != CompilePolicy::Eager || !available() {
        return;
    }
    let kind = code_kind(store, instance);
    let module = store.instance(instance).module.clone();
    let Ok(code) = made(store, &module.machine_code[kind.slot()], || {
        let units = ModuleUnits::compile(&module, kind);
        let bytes = units.code_size();
        Ok((Arc::new(units), bytes))
    }) else {
        return;
    };
    let units = code.downcast_ref::<ModuleUnits>().expect("a module's code is in units");
    let imported = module.imported_funcs as usize;
    for (defined, &func) in store.instance(instance).funcs[imported..].to_vec().iter().enumerate() {
        match &units.functions[defined] {
            Ok(unit) => {
                let func_ref = &mut store.func_refs[func.0 as usize];
                func_ref.code = unit.entry(defined as u32);
                func_ref.frame_slots = unit.frame_slots(defined as u32);
                store.tier_stats.functions_compiled += 1;
            }
            Err(error) => {
                store.declined.insert(func, error.reason());
            }
        }
    }
    store.invalidate_code();
}

/// The code in `slot`, made by `compile` (the code and its size in bytes) unless it is
/// there already (made for another instance or store); the time and size of what is
/// made here count in the store's statistics. Fails with why the compiler declined
/// ([`CompileError::reason`]).
fn made<T>(
    store: &mut Store<T>,
    slot: &stratus_runtime::MachineCode,
    compile: impl FnOnce() -> Result<(Arc<dyn Any + Send + Sync>, usize), CompileError>,
) -> Result<Arc<dyn Any + Send + Sync>, String> {
    let started = Instant::now();
    let mut fresh = None;
    let code = slot.get_or_init(|| {
        let code = compile();
        fresh = Some(code.as_ref().map_or(0, |&(_, bytes)| bytes));
        code.map(|(code, _)| code).map_err(|e| e.reason())
    });
    if let Some(bytes) = fresh {
        store.tier_stats.compile_time += started.elapsed();
        store.tier_stats.code_bytes += bytes as u64;
    }
    code.clone()
}

/// Where compiled code takes over a call: an address in a unit of code, which the
/// entry keeps alive.
pub(crate) struct Entry {
    unit: Arc<CodeUnit>,
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
        if store.declined.contains_key(&func) || !compile_function(store, func) {
            // It stays in the interpreter, which asks again (for nothing, at the cost
            // of a lookup) only once it is as hot once more.
            store.funcs[func.0 as usize].hotness.set(1);
            return None;
        }
    }
    let (unit, defined) = unit_of(store, func);
    if regs.pc == 0 {
        return Some(Entry { at: store.func_refs[func.0 as usize].code, unit });
    }
    let at = unit.osr_entry(defined, regs.pc as u32)?;
    store.tier_stats.osr_entries += 1;
    Some(Entry { unit, at })
}

/// Compiles function `func` (of its module, for this way of checking bounds, unless
/// that was done for another instance or store) and swaps its entry; `false`, and the
/// function declined with the reason, if the compiler does not take it.
fn compile_function<T>(store: &mut Store<T>, func: FuncAddr) -> bool {
    let FuncKind::Wasm { instance, index } = store.funcs[func.0 as usize].kind else { return false };
    let kind = code_kind(store, instance);
    let module = store.instance(instance).module.clone();
    let defined = index - module.imported_funcs;
    let slot = kind.slot();
    let made_ahead = module.machine_code[slot].get().and_then(|code| code.as_ref().ok());
    let code = match made_ahead.and_then(|code| code.downcast_ref::<ModuleUnits>()) {
        // A store that compiled the whole module ahead of time made this.
        Some(units) => units.functions[defined as usize].clone().map_err(|e| e.reason()),
        None => {
            let funcs = function_slots(&module, slot);
            made(store, &funcs[defined as usize], || {
                let unit = backend::compile_functions(&module, kind, defined..defined + 1)?;
                let bytes = unit.code_size();
                Ok((unit, bytes))
            })
            .map(|code| unit_in(&code))
        }
    };
    let unit = match code {
        Ok(unit) => unit,
        Err(reason) => {
            store.declined.insert(func, reason);
            return false;
        }
    };
    let func_ref = &mut store.func_refs[func.0 as usize];
    func_ref.code = unit.entry(defined);
    func_ref.frame_slots = unit.frame_slots(defined);
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
fn unit_of<T>(store: &Store<T>, func: FuncAddr) -> (Arc<CodeUnit>, u32) {
    let FuncKind::Wasm { instance, index } = store.funcs[func.0 as usize].kind else {
        unreachable!("host functions have no code")
    };
    let module = &store.instance(instance).module;
    let defined = index - module.imported_funcs;
    let slot = code_kind(store, instance).slot();
    let entry = store.func_refs[func.0 as usize].code;
    let whole = module.machine_code[slot]
        .get()
        .and_then(|code| code.as_ref().ok())
        .and_then(|code| code.downcast_ref::<ModuleUnits>())
        .and_then(|units| units.functions[defined as usize].clone().ok());
    let single = module.function_code[slot]
        .get()
        .and_then(|funcs| funcs[defined as usize].get())
        .and_then(|code| code.as_ref().ok())
        .map(unit_in);
    let unit = whole
        .into_iter()
        .chain(single)
        .find(|unit| std::ptr::eq(unit.entry(defined), entry))
        .expect("compiled functions have code");
    (unit, defined)
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
    let trampoline = entry.unit.trampoline();
    let instance_vm: *const _ = &**store.instance(instance).vm.as_ref().expect("instantiated");
    store.refresh_vm();
    let mut host = JitHost {
        store,
        trap: None,
        budget_stop: None,
        call: None,
        tail_host: None,
        buffers: HostBuffers::default(),
    };
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
    if let Some((callee, base, caller)) = host.tail_host.take() {
        return Exit::TailHost { callee, base, caller };
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
