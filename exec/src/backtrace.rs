//! WebAssembly backtraces from the frame stack, which every tier keeps in bytecode
//! positions.

use std::collections::HashMap;

use stratus_decoder::Reader;
use stratus_runtime::{Frame, FrameInfo, FuncKind, Store};

/// The WebAssembly frames of an activation, innermost first: the running function `func`
/// stopped at the instruction at `pc`, then its callers down to `entry_depth`, each at
/// its call instruction.
pub(crate) fn backtrace<T>(store: &Store<T>, func: u32, pc: usize, entry_depth: usize) -> Vec<FrameInfo> {
    backtrace_of(store, func, pc, &store.stack.frames.as_slice()[entry_depth..])
}

/// The frames of `func` stopped at `pc` and of its `callers` (outermost first, as the
/// frame stack keeps them), innermost first.
pub(crate) fn backtrace_of<T>(store: &Store<T>, func: u32, pc: usize, callers: &[Frame]) -> Vec<FrameInfo> {
    // Deep recursion repeats a few call sites thousands of times: find each once.
    let mut call_sites: HashMap<(u32, u32), usize> = HashMap::new();
    let callers = callers.iter().rev().map(|frame| {
        let site = *call_sites
            .entry((frame.func, frame.pc))
            .or_insert_with(|| call_site(store, frame.func, frame.pc as usize));
        (frame.func, site)
    });
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

/// The offset of the instruction that ends at `return_pc` in `func`'s code: the call a
/// frame returns past. Found by decoding the body from its start, since instructions
/// cannot be decoded backwards; only traps pay for it.
pub(crate) fn call_site<T>(store: &Store<T>, func: u32, return_pc: usize) -> usize {
    let FuncKind::Wasm { instance, index } = store.funcs[func as usize].kind else { return return_pc };
    let module = &store.instance(instance).module;
    let range = module.code[(index - module.imported_funcs) as usize].code.clone();
    let mut reader = Reader::new(&module.bytes[range]);
    let mut start = 0;
    while reader.position() < return_pc {
        start = reader.position();
        if reader.read_instr().is_err() {
            return return_pc;
        }
    }
    if reader.position() == return_pc { start } else { return_pc }
}
