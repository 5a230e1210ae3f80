//! Calling host functions, with their arguments and results in value-stack slots.

use stratus_runtime::{FuncAddr, FuncKind, InstanceAddr, Store, Trap, Val};

/// Argument and result vectors reused by an activation's host calls.
#[derive(Default)]
pub(crate) struct HostBuffers {
    args: Vec<Val>,
    results: Vec<Val>,
}

/// Calls host function `func` with its arguments in the slots from `base`; writes its
/// results there and returns their width in slots.
pub(crate) fn call_host<T>(
    store: &mut Store<T>,
    func: FuncAddr,
    caller: Option<InstanceAddr>,
    base: usize,
    buffers: &mut HostBuffers,
) -> Result<usize, Trap> {
    let entry = &store.funcs[func.0 as usize];
    let FuncKind::Host(host) = &entry.kind else { unreachable!("called as a host function") };
    let (host, ty) = (host.clone(), entry.ty.clone());
    let slots = store.stack.slots.as_slice();
    let mut at = base;
    buffers.args.clear();
    buffers.args.extend(ty.params().iter().map(|&t| {
        let value = Val::from_slots(t, &slots[at..]);
        at += t.slots() as usize;
        value
    }));
    buffers.results.clear();
    buffers.results.extend(ty.results().iter().map(|&t| Val::default_of(t)));
    let saved_top = store.stack.top;
    store.stack.top = store.stack.top.max(at);
    let outcome = host(store, caller, &buffers.args, &mut buffers.results);
    store.stack.top = saved_top;
    outcome?;
    let slots = store.stack.slots.as_mut_slice();
    let mut at = base;
    for (value, &expected) in buffers.results.iter().zip(ty.results()) {
        if value.ty() != expected {
            return Err(Trap::host(format!(
                "host function returned {} where {expected} was expected",
                value.ty()
            )));
        }
        let width = expected.slots() as usize;
        slots[at..at + width].copy_from_slice(&value.to_slots()[..width]);
        at += width;
    }
    Ok(at - base)
}
