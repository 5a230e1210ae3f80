//! Tier-up: functions start in the interpreter and move to compiled code when hot, at a
//! call or at a loop header in the middle of a running call (on-stack replacement);
//! compiled code and the interpreter call each other both ways; pauses resume in
//! whichever tier they stopped in, and fuel stops a call where the interpreter stops
//! it.

#![cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]

#[path = "support/require_jit.rs"]
mod require_jit;

use std::sync::Arc;

use require_jit::jit_here;
use stratus_exec::{Outcome, PauseReason};
use stratus_runtime::{
    CompilePolicy, CompiledModule, Extern, FuncAddr, InstanceAddr, Limits, MemoryReservation, Store,
    TierUpThresholds, TrapKind, Val,
};

const PROGRAM: &str = r#"(module
  (func $sum (export "sum") (param $n i32) (result i64) (local $i i32) (local $acc i64)
    (loop $next
      (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))
  ;; The loop carries two values as its parameters: at its header they are operands.
  (func (export "fib_loop") (param $n i32) (result i64)
    (i64.const 0) (i64.const 1)
    (loop $next (param i64 i64) (result i64 i64)
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (call $step)
      (br_if $next (i32.gt_s (local.get $n) (i32.const 0))))
    (drop))
  (func $step (param i64 i64) (result i64 i64) (local.get 1) (i64.add (local.get 0) (local.get 1)))
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  ;; Calls $inner every time round: $outer gets hot by its loop, $inner by its calls.
  (func $outer (export "outer") (param $n i32) (result i64) (local $acc i64)
    (loop $next
      (local.set $acc (i64.add (local.get $acc) (call $inner (local.get $n))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $next (local.get $n)))
    (local.get $acc))
  (func $inner (param $k i32) (result i64) (local $i i32) (local $acc i64)
    (loop $next
      (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (i32.rem_u (local.get $k) (i32.const 37)))))
    (i64.add (local.get $acc) (call $leaf (local.get $k))))
  (func $leaf (param i32) (result i64) (i64.extend_i32_u (i32.mul (local.get 0) (i32.const 3))))
  (func (export "trap_deep") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.div_u (i32.const 1) (i32.const 0)))
      (else (call 7 (i32.sub (local.get $n) (i32.const 1)))))))"#;

fn module() -> Arc<CompiledModule> {
    let bytes = wast::parser::parse::<wast::Wat>(&wast::parser::ParseBuffer::new(PROGRAM).unwrap())
        .unwrap()
        .encode()
        .unwrap();
    CompiledModule::new(bytes).unwrap()
}

/// A store running `compile`, with the guard reservation compiled code expects.
fn setup(compile: CompilePolicy) -> (Store<()>, InstanceAddr) {
    let memory_reservation = MemoryReservation::Whole { guard: stratus_runtime::GUARD_BYTES };
    let mut store = Store::with_limits((), Limits { memory_reservation, ..Limits::default() });
    store.compile = compile;
    let instance = stratus_exec::instantiate(&mut store, &module(), &[]).unwrap();
    (store, instance)
}

fn on_heat(calls: u32, back_edges: u32) -> CompilePolicy {
    CompilePolicy::OnHeat(TierUpThresholds { calls, back_edges })
}

fn export(store: &Store<()>, instance: InstanceAddr, name: &str) -> FuncAddr {
    match store.instance(instance).export(name) {
        Some(Extern::Func(f)) => f,
        _ => panic!("no function {name}"),
    }
}

fn call(store: &mut Store<()>, instance: InstanceAddr, name: &str, args: &[Val]) -> Vec<Val> {
    let func = export(store, instance, name);
    stratus_exec::invoke(store, func, args).unwrap()
}

#[test]
fn a_loop_started_in_the_interpreter_finishes_in_compiled_code() {
    if !jit_here() {
        return;
    }
    let (mut store, instance) = setup(on_heat(1000, 100));
    let n = 1_000_000u64;
    assert_eq!(
        call(&mut store, instance, "sum", &[Val::I32(n as i32)]),
        [Val::I64((n * (n - 1) / 2) as i64)]
    );
    let stats = store.tier_stats;
    assert_eq!((stats.functions_compiled, stats.osr_entries), (1, 1), "{stats:?}");
    assert!(stats.code_bytes > 0 && stats.compile_time > std::time::Duration::ZERO, "{stats:?}");

    // The next call starts compiled: no second entry mid-loop, nothing compiled again.
    assert_eq!(call(&mut store, instance, "sum", &[Val::I32(10)]), [Val::I64(45)]);
    assert_eq!((store.tier_stats.functions_compiled, store.tier_stats.osr_entries), (1, 1));
}

#[test]
fn loop_parameters_cross_into_compiled_code_in_their_slots() {
    if !jit_here() {
        return;
    }
    let expected = [Val::I64(12_586_269_025)];
    let (mut interp, a) = setup(CompilePolicy::Never);
    assert_eq!(call(&mut interp, a, "fib_loop", &[Val::I32(50)]), expected);
    // The loop goes round 49 times: compiled from the 6th back-edge on. Its call of
    // `$step`, which stays interpreted, sends it back to the interpreter each time, and
    // the next back-edge into compiled code again.
    let (mut store, instance) = setup(on_heat(1000, 5));
    assert_eq!(call(&mut store, instance, "fib_loop", &[Val::I32(50)]), expected);
    assert_eq!(store.tier_stats.functions_compiled, 1);
    assert_eq!(store.tier_stats.osr_entries, 45);
}

#[test]
fn hot_functions_are_compiled_at_a_call_and_running_callers_pick_them_up() {
    if !jit_here() {
        return;
    }
    let (mut store, instance) = setup(on_heat(50, 1000));
    // The interpreter runs the first 51 calls; the 52nd compiles $fib, and every call
    // after it, from interpreted callers deeper in the same recursion too, runs
    // compiled.
    assert_eq!(call(&mut store, instance, "fib", &[Val::I32(25)]), [Val::I32(75025)]);
    assert_eq!(store.tier_stats.functions_compiled, 1);
    assert_eq!(store.tier_stats.osr_entries, 0);
    let counts = stratus_exec::tier_counts(&store);
    assert_eq!((counts.compiled, counts.interpreted), (1, 0));
}

#[test]
fn compiled_code_and_the_interpreter_call_each_other_both_ways() {
    if !jit_here() {
        return;
    }
    let expected = {
        let (mut interp, a) = setup(CompilePolicy::Never);
        call(&mut interp, a, "outer", &[Val::I32(300)])
    };
    // $outer moves to compiled code at its 11th back-edge and calls $inner, still
    // interpreted, until $inner's own loops make it hot: then $inner enters compiled
    // code mid-loop, from a call that compiled code made through the runtime, and
    // calls $leaf, which stays interpreted throughout.
    let (mut store, instance) = setup(on_heat(1000, 10));
    assert_eq!(call(&mut store, instance, "outer", &[Val::I32(300)]), expected);
    let stats = store.tier_stats;
    assert_eq!(stats.functions_compiled, 2, "{stats:?}");
    assert!(stats.osr_entries >= 2, "{stats:?}");
    let counts = stratus_exec::tier_counts(&store);
    assert_eq!((counts.compiled, counts.interpreted), (2, 1), "$leaf ran interpreted only");
}

#[test]
fn traps_cross_tiers_with_the_interpreters_backtrace() {
    if !jit_here() {
        return;
    }
    let trap = |compile| {
        let (mut store, instance) = setup(compile);
        let func = export(&store, instance, "trap_deep");
        let trap = stratus_exec::invoke(&mut store, func, &[Val::I32(20)]).unwrap_err();
        (trap.to_string(), store.stack.frames.len())
    };
    let interpreted = trap(CompilePolicy::Never);
    assert!(interpreted.0.contains("integer divide by zero"), "{}", interpreted.0);
    for compile in [on_heat(5, 5), on_heat(0, 0), CompilePolicy::Eager] {
        assert_eq!(trap(compile), interpreted, "{compile:?}");
    }
}

/// Calls `name` with `args`, pausing every `slice` units of fuel and resuming; returns
/// the results, the pauses, and the fuel used in all.
fn call_in_slices(compile: CompilePolicy, name: &str, args: &[Val], slice: u64) -> (Vec<Val>, usize, u64) {
    let (mut store, instance) = setup(compile);
    let func = export(&store, instance, name);
    store.set_fuel(Some(slice));
    let (mut pauses, mut used) = (0, 0);
    let mut step = stratus_exec::invoke_resumable(&mut store, func, args).unwrap();
    loop {
        match step {
            Outcome::Finished(values) => return (values, pauses, used + slice - store.fuel().unwrap()),
            Outcome::Paused(paused) => {
                assert_eq!(paused.reason(), PauseReason::OutOfFuel);
                pauses += 1;
                used += slice - store.fuel().unwrap();
                store.set_fuel(Some(slice));
                step = stratus_exec::resume(&mut store, paused).unwrap();
            }
        }
    }
}

/// Fuel runs out in every tier: in compiled code, in the interpreter, and in an
/// interpreted callee of compiled code, whose compiled callers unwind to their frame
/// records and resume in the interpreter (then move back to compiled code at their
/// next loop header). Every way, the call ends as it does in the interpreter alone,
/// having used the same fuel, pausing at the same points.
#[test]
fn paused_calls_resume_whichever_tier_they_stopped_in() {
    if !jit_here() {
        return;
    }
    for (name, arg) in [("outer", 120), ("fib", 15), ("fib_loop", 3000), ("sum", 5000)] {
        let args = [Val::I32(arg)];
        for slice in [7, 100, 1009] {
            let expected = call_in_slices(CompilePolicy::Never, name, &args, slice);
            assert!(expected.1 > 0, "{name}: never paused with slices of {slice}");
            for compile in [on_heat(1000, 10), on_heat(3, 3), on_heat(0, 0), CompilePolicy::Eager] {
                let found = call_in_slices(compile, name, &args, slice);
                assert_eq!(found, expected, "{name}({arg}) in slices of {slice}, {compile:?}");
            }
        }
    }
}

/// The pause inside the interpreted callee unwinds compiled frames: after it, the
/// frame stack holds nothing of the paused call, and the store runs other calls.
#[test]
fn a_pause_under_compiled_callers_leaves_the_store_clean() {
    if !jit_here() {
        return;
    }
    let (mut store, instance) = setup(on_heat(1000, 10));
    let outer = export(&store, instance, "outer");
    // Enough fuel for $outer to move to compiled code and then run out inside $inner.
    store.set_fuel(Some(400));
    let Outcome::Paused(paused) =
        stratus_exec::invoke_resumable(&mut store, outer, &[Val::I32(300)]).unwrap()
    else {
        panic!("300 rounds take more than 400 units")
    };
    assert!(store.tier_stats.osr_entries >= 1);
    assert_eq!(store.stack.frames.len(), 0);
    store.set_fuel(Some(u64::MAX / 2));
    assert_eq!(call(&mut store, instance, "fib", &[Val::I32(10)]), [Val::I32(55)]);
    let Outcome::Finished(values) = stratus_exec::resume(&mut store, paused).unwrap() else {
        panic!("plenty of fuel")
    };
    let (mut interp, a) = setup(CompilePolicy::Never);
    assert_eq!(values, call(&mut interp, a, "outer", &[Val::I32(300)]));
}

/// `$a` gets hot by its loop and is compiled; `$b` has no loop and calls never make a
/// function hot under the thresholds below, so it stays interpreted.
const ALTERNATING: &str = r#"(module
  (func $a (export "a") (param $n i32) (result i32) (local $i i32)
    (loop $once (br_if $once (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 2))))
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      (else (i32.add (call $b (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))))
  (func $b (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      (else (i32.add (call $a (i32.sub (local.get $n) (i32.const 1))) (i32.const 1))))))"#;

/// The deepest recursion `$a` of [`ALTERNATING`] reaches under `compile`, and how many
/// functions were compiled on the way.
fn deepest_alternating_recursion(compile: CompilePolicy) -> (u32, u64) {
    let bytes = wast::parser::parse::<wast::Wat>(&wast::parser::ParseBuffer::new(ALTERNATING).unwrap())
        .unwrap()
        .encode()
        .unwrap();
    let memory_reservation = MemoryReservation::Whole { guard: stratus_runtime::GUARD_BYTES };
    let mut store = Store::with_limits((), Limits { memory_reservation, ..Limits::default() });
    store.compile = compile;
    let instance = stratus_exec::instantiate(&mut store, &CompiledModule::new(bytes).unwrap(), &[]).unwrap();
    let a = export(&store, instance, "a");
    // The call depth limit is 20,000 frames: the deepest recursion is below 100,000.
    let (mut reached, mut failed) = (0, 100_000);
    while failed - reached > 1 {
        let n = (reached + failed) / 2;
        match stratus_exec::invoke(&mut store, a, &[Val::I32(n as i32)]) {
            Ok(values) => {
                assert_eq!(values, [Val::I32(n as i32)]);
                reached = n;
            }
            Err(trap) => {
                assert_eq!(trap.kind, TrapKind::CallStackExhausted, "at depth {n}");
                failed = n;
            }
        }
    }
    (reached, store.tier_stats.functions_compiled)
}

/// A call from compiled code into a function without code enters the interpreter
/// through the driver, as every WebAssembly call does, not by nesting on the native
/// stack: recursion through such calls goes as deep as in either tier alone.
#[test]
fn recursion_between_compiled_and_interpreted_code_is_as_deep_as_in_one_tier() {
    if !jit_here() {
        return;
    }
    let (interpreted, none) = deepest_alternating_recursion(CompilePolicy::Never);
    let (compiled, all) = deepest_alternating_recursion(CompilePolicy::Eager);
    let (alternating, some) = deepest_alternating_recursion(on_heat(u32::MAX, 0));
    assert_eq!((none, all, some), (0, 2, 1), "functions compiled");
    assert!(interpreted > 10_000, "{interpreted}");
    assert_eq!(compiled, interpreted);
    assert_eq!(alternating, interpreted);
}
