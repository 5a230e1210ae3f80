//! Compiled code under the execution core's controls: fuel stops it where it stops the
//! interpreter, interruption stops its loops, pauses resume, host functions call back
//! in, and its traps read as the interpreter's.

#![cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]

#[path = "support/require_jit.rs"]
mod require_jit;

use std::sync::Arc;
use std::time::Duration;

use require_jit::jit_here;
use stratus_exec::Outcome;
use stratus_runtime::{
    CompilePolicy, CompiledModule, Extern, FuncAddr, InstanceAddr, Interruption, Limits, MemoryReservation,
    Store, Trap, Val,
};

const PROGRAM: &str = r#"(module
  (memory 1)
  (func $count (export "count") (param $n i32) (result i64) (local $i i32) (local $sum i64)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $sum (i64.add (local.get $sum) (i64.extend_i32_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $sum))
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "forever") (loop (br 0)))
  (func $load (export "load") (param i32) (result i32) (i32.load offset=4 (local.get 0)))
  (func (export "nested_load") (param i32) (result i32) (call $load (local.get 0)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "trunc") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
  (table 2 funcref)
  (type $v (func))
  (func (export "indirect") (param i32) (call_indirect (type $v) (local.get 0))))"#;

fn module(wat: &str) -> Arc<CompiledModule> {
    let bytes =
        wast::parser::parse::<wast::Wat>(&wast::parser::ParseBuffer::new(wat).unwrap()).unwrap().encode();
    CompiledModule::new(bytes.unwrap()).unwrap()
}

fn store(compiled: bool, guard: bool) -> Store<()> {
    let memory_reservation = if guard {
        MemoryReservation::Whole { guard: stratus_runtime::GUARD_BYTES }
    } else {
        MemoryReservation::default()
    };
    let mut store = Store::with_limits((), Limits { memory_reservation, ..Limits::default() });
    if compiled {
        store.compile = CompilePolicy::Eager;
    }
    store
}

fn export(store: &Store<()>, instance: InstanceAddr, name: &str) -> FuncAddr {
    match store.instance(instance).export(name) {
        Some(Extern::Func(f)) => f,
        _ => panic!("no function {name}"),
    }
}

fn setup(compiled: bool, guard: bool) -> (Store<()>, InstanceAddr) {
    let mut store = store(compiled, guard);
    let instance = stratus_exec::instantiate(&mut store, &module(PROGRAM), &[]).unwrap();
    if compiled {
        assert_eq!(stratus_exec::tier_counts(&store).compiled, 8, "every function compiled");
    }
    (store, instance)
}

fn call(store: &mut Store<()>, instance: InstanceAddr, name: &str, args: &[Val]) -> Result<Vec<Val>, Trap> {
    let func = export(store, instance, name);
    stratus_exec::invoke(store, func, args)
}

#[test]
fn traps_read_as_the_interpreters() {
    if !jit_here() {
        return;
    }
    let cases: &[(&str, &[Val])] = &[
        ("load", &[Val::I32(65533)]),
        ("load", &[Val::I32(-1)]),
        ("nested_load", &[Val::I32(65532)]),
        ("div", &[Val::I32(1), Val::I32(0)]),
        ("div", &[Val::I32(i32::MIN), Val::I32(-1)]),
        ("trunc", &[Val::F64(f64::NAN.to_bits())]),
        ("trunc", &[Val::F64(3e9f64.to_bits())]),
        ("indirect", &[Val::I32(0)]),
        ("indirect", &[Val::I32(5)]),
        ("fib", &[Val::I32(-1)]),
    ];
    for guard in [true, false] {
        let (mut interp, a) = setup(false, guard);
        let (mut jit, b) = setup(true, guard);
        for (name, args) in cases {
            let expected = call(&mut interp, a, name, args).unwrap_err().to_string();
            let found = call(&mut jit, b, name, args).unwrap_err().to_string();
            assert_eq!(found, expected, "{name}{args:?} (guard: {guard})");
        }
        assert!(call(&mut jit, b, "load", &[Val::I32(65528)]).is_ok(), "the last word in bounds");
        assert_eq!(jit.stack.frames.len(), 0);
    }
}

#[test]
fn fuel_stops_compiled_code_where_it_stops_the_interpreter() {
    if !jit_here() {
        return;
    }
    for (name, arg, cost) in [("count", 10, 11), ("fib", 10, 177)] {
        for fuel in [cost - 1, cost] {
            let mut outcomes = Vec::new();
            for compiled in [false, true] {
                let (mut store, instance) = setup(compiled, true);
                store.set_fuel(Some(fuel));
                let result = call(&mut store, instance, name, &[Val::I32(arg)]);
                outcomes.push((result.map_err(|t| t.to_string()), store.fuel()));
            }
            assert_eq!(outcomes[0], outcomes[1], "{name}({arg}) with {fuel} units");
            assert_eq!(outcomes[1].0.is_ok(), fuel == cost);
        }
    }
}

#[test]
fn paused_compiled_calls_resume_to_the_right_result() {
    if !jit_here() {
        return;
    }
    let (mut store, instance) = setup(true, true);
    let func = export(&store, instance, "count");
    for slice in [1, 7, 1000, 5000] {
        store.set_fuel(Some(slice));
        let mut step = stratus_exec::invoke_resumable(&mut store, func, &[Val::I32(10_000)]).unwrap();
        let mut pauses = 0;
        let results = loop {
            match step {
                Outcome::Finished(values) => break values,
                Outcome::Paused(paused) => {
                    pauses += 1;
                    store.set_fuel(Some(slice));
                    step = stratus_exec::resume(&mut store, paused).unwrap();
                }
            }
        };
        assert_eq!(results, [Val::I64(49_995_000)], "slices of {slice}");
        assert_eq!(pauses, 10_001usize.div_ceil(slice as usize) - 1, "slices of {slice}");
    }
}

#[test]
fn interruption_stops_a_compiled_loop() {
    if !jit_here() {
        return;
    }
    let (mut store, instance) = setup(true, true);
    let handle = store.budget.interrupt_handle();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        handle.interrupt(Interruption::Trap);
    });
    let trap = call(&mut store, instance, "forever", &[]).unwrap_err();
    stopper.join().unwrap();
    assert_eq!(trap.to_string().lines().next(), Some("interrupted"));
    assert_eq!(call(&mut store, instance, "fib", &[Val::I32(20)]).unwrap(), [Val::I32(6765)]);
}

#[test]
fn host_functions_call_back_into_compiled_code() {
    if !jit_here() {
        return;
    }
    let m = module(
        r#"(module
            (import "host" "twice" (func $twice (param i32) (result i32)))
            (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
            (func (export "go") (param i32) (result i32) (i32.mul (call $twice (local.get 0)) (i32.const 10)))
            (func (export "fail") (param i32) (result i32) (call $twice (i32.const -1))))"#,
    );
    let mut store = store(true, true);
    let ty =
        stratus_decoder::FuncType::new(&[stratus_decoder::ValType::I32], &[stratus_decoder::ValType::I32]);
    let inc: Arc<std::sync::OnceLock<FuncAddr>> = Arc::default();
    let inc_in_host = inc.clone();
    let twice = store.add_host_func(
        &ty,
        Arc::new(move |store, _, args, results| {
            let Val::I32(n) = args[0] else { unreachable!() };
            if n < 0 {
                return Err(Trap::host("no negatives"));
            }
            let once = stratus_exec::invoke(store, *inc_in_host.get().unwrap(), &[Val::I32(n)])?;
            let again = stratus_exec::invoke(store, *inc_in_host.get().unwrap(), &once)?;
            results[0] = again[0];
            Ok(())
        }),
    );
    let instance = stratus_exec::instantiate(&mut store, &m, &[Extern::Func(twice)]).unwrap();
    inc.set(export(&store, instance, "inc")).unwrap();
    assert_eq!(call(&mut store, instance, "go", &[Val::I32(5)]).unwrap(), [Val::I32(70)]);
    let trap = call(&mut store, instance, "fail", &[Val::I32(0)]).unwrap_err();
    assert_eq!(trap.to_string().lines().next(), Some("no negatives"));
    assert_eq!(trap.backtrace.len(), 1);
    assert_eq!(store.stack.frames.len(), 0);
}
