//! The interpreter's side of the execution core: setting up a function's frame and
//! running an activation until it stops. Everything between stops (host calls, budget
//! decisions, traps and their backtraces, results) is the core's (`stratus-exec`).

use stratus_runtime::{FuncAddr, FuncKind, Position, Store, TrapKind};

use crate::exec::{CodeCache, Exec, Stop};

/// Makes the frame of WebAssembly function `func`, whose arguments are in the slots
/// `base..sp`: zeroes its declared locals and returns the registers at its first
/// instruction. Fails when its frame does not fit in the value or frame stack, or when
/// validation is lazy and the function, validated now, is invalid. Charges nothing: the
/// core charges the entry.
pub fn enter<T>(store: &mut Store<T>, func: FuncAddr, base: usize, sp: usize) -> Result<Position, TrapKind> {
    if store.stack.frames.is_full() {
        return Err(TrapKind::CallStackExhausted);
    }
    let info = match store.funcs[func.0 as usize].kind {
        FuncKind::Wasm { instance, index } => {
            let module = &store.instance(instance).module;
            module.func_code(index - module.imported_funcs)?.0
        }
        FuncKind::Host(_) => unreachable!("host functions have no frames"),
    };
    let locals_end = base + info.local_slots as usize;
    if locals_end + info.max_stack_slots as usize > store.stack.slots.len() {
        return Err(TrapKind::CallStackExhausted);
    }
    store.stack.slots.as_mut_slice()[sp..locals_end].fill(0);
    Ok(Position { func: func.0, pc: 0, stp: 0, fp: base, sp: locals_end })
}

/// Runs the activation whose registers are `regs` (its frames below it from
/// `entry_depth` on) until it stops; updates `regs` and returns why it stopped and the
/// offset of the instruction it stopped at (the trapping instruction, for a trap).
pub fn run<T>(
    store: &mut Store<T>,
    regs: &mut Position,
    entry_depth: usize,
    cache: &mut CodeCache,
) -> (Stop, usize) {
    let mut exec = Exec::new(store, *regs, entry_depth, cache);
    let stop = exec.run();
    *regs = exec.regs();
    (stop, exec.trap_pc())
}
