//! Small end-to-end runs of every tier: calls, branches, memory, host calls, traps.

#[path = "support/require_jit.rs"]
mod require_jit;

use std::sync::Arc;

use require_jit::jit_here;
use stratus_runtime::{
    CompilePolicy, CompiledModule, Extern, Limits, MemoryReservation, Store, TrapKind, Val,
};

fn module(wat: &str) -> Arc<CompiledModule> {
    let bytes =
        wast::parser::parse::<wast::Wat>(&wast::parser::ParseBuffer::new(wat).unwrap()).unwrap().encode();
    CompiledModule::new(bytes.unwrap()).unwrap()
}

fn call(
    store: &mut Store<()>,
    instance: stratus_runtime::InstanceAddr,
    name: &str,
    args: &[Val],
) -> Result<Vec<Val>, stratus_runtime::Trap> {
    let Some(Extern::Func(f)) = store.instance(instance).export(name) else { panic!("no function {name}") };
    stratus_exec::invoke(store, f, args)
}

/// Stores for every tier: the interpreter, and where the machine has one, compiled code
/// with bounds checked by the guard region and checked explicitly.
fn stores() -> Vec<Store<()>> {
    let mut stores = vec![Store::new(())];
    if jit_here() {
        for memory_reservation in
            [MemoryReservation::Whole { guard: stratus_runtime::GUARD_BYTES }, MemoryReservation::default()]
        {
            let mut store = Store::with_limits((), Limits { memory_reservation, ..Limits::default() });
            store.compile = CompilePolicy::Eager;
            stores.push(store);
        }
    }
    stores
}

#[test]
fn recursion_loops_and_memory() {
    for store in stores() {
        recursion_loops_and_memory_in(store);
    }
}

fn recursion_loops_and_memory_in(mut store: Store<()>) {
    let m = module(
        r#"(module
            (memory 1)
            (func $fac (export "fac") (param i64) (result i64)
              (if (result i64) (i64.eqz (local.get 0))
                (then (i64.const 1))
                (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
            (func (export "sum") (param i32) (result i32) (local i32)
              (block (loop
                (br_if 1 (i32.eqz (local.get 0)))
                (local.set 1 (i32.add (local.get 1) (local.get 0)))
                (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
                (br 0)))
              (local.get 1))
            (func (export "mem") (result i32)
              (i32.store (i32.const 8) (i32.const 0x01020304))
              (i32.load8_u (i32.const 9)))
            (func (export "oob") (result i32) (i32.load (i32.const 65534)))
            (func $inf (export "inf") (call $inf)))"#,
    );
    let inst = stratus_exec::instantiate(&mut store, &m, &[]).unwrap();
    assert_eq!(call(&mut store, inst, "fac", &[Val::I64(20)]).unwrap(), [Val::I64(2432902008176640000)]);
    assert_eq!(call(&mut store, inst, "sum", &[Val::I32(100)]).unwrap(), [Val::I32(5050)]);
    assert_eq!(call(&mut store, inst, "mem", &[]).unwrap(), [Val::I32(3)]);
    let trap = call(&mut store, inst, "oob", &[]).unwrap_err();
    assert_eq!(trap.kind, TrapKind::MemoryOutOfBounds);
    assert_eq!(trap.backtrace.len(), 1);
    assert_eq!(call(&mut store, inst, "inf", &[]).unwrap_err().kind, TrapKind::CallStackExhausted);
    assert_eq!(store.stack.frames.len(), 0, "frames unwound after a trap");
    assert_eq!(call(&mut store, inst, "sum", &[Val::I32(3)]).unwrap(), [Val::I32(6)]);
}

#[test]
fn host_functions_and_reentrancy() {
    for store in stores() {
        host_functions_and_reentrancy_in(store);
    }
}

fn host_functions_and_reentrancy_in(mut store: Store<()>) {
    let m = module(
        r#"(module
            (import "host" "twice" (func $twice (param i32) (result i32)))
            (func (export "run") (param i32) (result i32) (i32.add (call $twice (local.get 0)) (i32.const 1)))
            (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))"#,
    );

    let ty = m.types[0].clone();
    // The host function calls back into the instance's "inc" export.
    let twice = store.add_host_func(
        &ty,
        Arc::new(|store: &mut Store<()>, caller, args: &[Val], results: &mut [Val]| {
            let Val::I32(x) = args[0] else { unreachable!() };
            let inst = caller.expect("called from wasm");
            let Some(Extern::Func(inc)) = store.instance(inst).export("inc") else { unreachable!() };
            let r = stratus_exec::invoke(store, inc, &[Val::I32(x * 2)])?;
            results[0] = r[0];
            Ok(())
        }),
    );
    let inst = stratus_exec::instantiate(&mut store, &m, &[Extern::Func(twice)]).unwrap();
    assert_eq!(call(&mut store, inst, "run", &[Val::I32(20)]).unwrap(), [Val::I32(42)]);
}
