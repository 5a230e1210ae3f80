//! Entering the interpreter from the host, calling host functions from it, and turning
//! stops into results or traps.

use std::sync::Arc;

use stratus_runtime::{
    CompiledModule, Extern, FrameInfo, FuncAddr, FuncKind, InstanceAddr, InstantiateError, Store, Trap,
    TrapKind, Val,
};

use crate::exec::{Exec, Regs, Stop};

/// Calls function `func` with `args`; returns its results.
///
/// The arguments must match the function's parameter types; a mismatch is reported as
/// a host trap. WebAssembly code runs in the interpreter, calling host functions as it
/// goes; those may call back in.
pub fn invoke<T>(store: &mut Store<T>, func: FuncAddr, args: &[Val]) -> Result<Vec<Val>, Trap> {
    let ty = store.funcs[func.0 as usize].ty.clone();
    let arg_types = args.iter().map(Val::ty);
    if !arg_types.eq(ty.params().iter().copied()) {
        let found: Vec<String> = args.iter().map(|a| a.ty().to_string()).collect();
        return Err(Trap::host(format!("expected arguments of type {ty}, found [{}]", found.join(" "))));
    }
    let base = store.stack.top;
    let param_slots: usize = ty.params().iter().map(|t| t.slots() as usize).sum();
    let result_slots: usize = ty.results().iter().map(|t| t.slots() as usize).sum();
    if base + param_slots.max(result_slots) > store.stack.slots.len() {
        return Err(TrapKind::CallStackExhausted.into());
    }
    let mut sp = base;
    for arg in args {
        let slots = arg.to_slots();
        let width = arg.ty().slots() as usize;
        store.stack.slots[sp..sp + width].copy_from_slice(&slots[..width]);
        sp += width;
    }
    if store.stack.activations >= store.limits.host_reentry {
        return Err(TrapKind::CallStackExhausted.into());
    }
    store.stack.activations += 1;
    let result = match store.funcs[func.0 as usize].kind {
        FuncKind::Host(_) => call_host(store, func, None, base).map(drop),
        FuncKind::Wasm { .. } => run_wasm(store, func, base, sp),
    };
    store.stack.activations -= 1;
    store.stack.top = base;
    result?;
    let mut at = base;
    Ok(ty
        .results()
        .iter()
        .map(|&t| {
            let value = Val::from_slots(t, &store.stack.slots[at..]);
            at += t.slots() as usize;
            value
        })
        .collect())
}

/// Instantiates `module` and runs its start function.
pub fn instantiate<T>(
    store: &mut Store<T>,
    module: &Arc<CompiledModule>,
    imports: &[Extern],
) -> Result<InstanceAddr, InstantiateError> {
    let instance = stratus_runtime::instantiate(store, module, imports)?;
    if let Some(start) = store.instance(instance).start() {
        invoke(store, start, &[]).map_err(InstantiateError::Trap)?;
    }
    Ok(instance)
}

/// Runs a WebAssembly function whose arguments are in `base..sp`; leaves its results
/// at `base`.
fn run_wasm<T>(store: &mut Store<T>, func: FuncAddr, base: usize, sp: usize) -> Result<(), Trap> {
    let entry_depth = store.stack.frames.len();
    if entry_depth >= store.stack.max_frames {
        return Err(TrapKind::CallStackExhausted.into());
    }
    let info = func_info(store, func)?;
    let locals_end = base + info.local_slots as usize;
    if locals_end + info.max_stack_slots as usize > store.stack.slots.len() {
        return Err(TrapKind::CallStackExhausted.into());
    }
    store.stack.slots[sp..locals_end].fill(0);
    let mut regs = Regs { func: func.0, pc: 0, stp: 0, fp: base, sp: locals_end };
    loop {
        let mut exec = Exec::new(store, regs, entry_depth);
        let stop = exec.run();
        let trap_pc = exec.trap_pc();
        regs = exec.regs();
        let in_host = matches!(stop, Stop::Host(_));
        let outcome = match stop {
            Stop::Returned => return Ok(()),
            Stop::Host(callee) => {
                let param_slots: usize =
                    store.funcs[callee.0 as usize].ty.params().iter().map(|t| t.slots() as usize).sum();
                let args_base = regs.sp - param_slots;
                store.stack.top = regs.sp;
                let caller = instance_of(store, regs.func);
                let called = call_host(store, callee, caller, args_base);
                called.map(|result_slots| regs.sp = args_base + result_slots)
            }
            Stop::Trap(kind) => Err(Trap::new(kind)),
        };
        if let Err(mut trap) = outcome {
            let pc = if in_host { regs.pc } else { trap_pc };
            trap.backtrace.extend(backtrace(store, regs.func, pc, entry_depth));
            store.stack.frames.truncate(entry_depth);
            return Err(trap);
        }
    }
}

/// Calls host function `func` with its arguments in the slots from `base`; writes its
/// results there and returns their width.
fn call_host<T>(
    store: &mut Store<T>,
    func: FuncAddr,
    caller: Option<InstanceAddr>,
    base: usize,
) -> Result<usize, Trap> {
    let entry = &store.funcs[func.0 as usize];
    let FuncKind::Host(host) = &entry.kind else { unreachable!("called as a host function") };
    let (host, ty) = (host.clone(), entry.ty.clone());
    let mut at = base;
    let args: Vec<Val> = ty
        .params()
        .iter()
        .map(|&t| {
            let value = Val::from_slots(t, &store.stack.slots[at..]);
            at += t.slots() as usize;
            value
        })
        .collect();
    let mut results: Vec<Val> = ty.results().iter().map(|&t| Val::default_of(t)).collect();
    let saved_top = store.stack.top;
    store.stack.top = store.stack.top.max(at);
    let outcome = host(store, caller, &args, &mut results);
    store.stack.top = saved_top;
    outcome?;
    let mut at = base;
    for (value, &expected) in results.iter().zip(ty.results()) {
        if value.ty() != expected {
            return Err(Trap::host(format!(
                "host function returned {} where {expected} was expected",
                value.ty()
            )));
        }
        let width = expected.slots() as usize;
        store.stack.slots[at..at + width].copy_from_slice(&value.to_slots()[..width]);
        at += width;
    }
    Ok(at - base)
}

/// Fails only when validation is lazy and the function, validated now, is invalid.
fn func_info<T>(store: &Store<T>, func: FuncAddr) -> Result<&stratus_validator::FuncInfo, TrapKind> {
    match store.funcs[func.0 as usize].kind {
        FuncKind::Wasm { instance, index } => {
            let module = &store.instance(instance).module;
            Ok(module.func_code(index - module.imported_funcs)?.0)
        }
        FuncKind::Host(_) => unreachable!("host functions have no code"),
    }
}

fn instance_of<T>(store: &Store<T>, func: u32) -> Option<InstanceAddr> {
    match store.funcs[func as usize].kind {
        FuncKind::Wasm { instance, .. } => Some(instance),
        FuncKind::Host(_) => None,
    }
}

/// The WebAssembly frames of this activation, innermost first: the running function at
/// `pc`, then its callers down to `entry_depth`.
fn backtrace<T>(store: &Store<T>, func: u32, pc: usize, entry_depth: usize) -> Vec<FrameInfo> {
    let callers = store.stack.frames[entry_depth..].iter().rev().map(|f| (f.func, f.pc as usize));
    std::iter::once((func, pc))
        .chain(callers)
        .filter_map(|(func, pc)| match store.funcs[func as usize].kind {
            FuncKind::Wasm { instance, index } => {
                let module = &store.instance(instance).module;
                let code = &module.code[(index - module.imported_funcs) as usize].code;
                Some(FrameInfo {
                    func_index: index,
                    func_name: module.func_name(index).map(str::to_string),
                    module_offset: code.start + pc,
                })
            }
            FuncKind::Host(_) => None,
        })
        .collect()
}
