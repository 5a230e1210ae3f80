//! Guests under control: fuel (its cost model, pauses and resumption), interruption from
//! another thread (of loops, recursion and host re-entry, in the interpreter's fast and
//! checked paths), and what stays of a paused call once it is dropped.

// The modules here are written in the text format.
#![cfg(feature = "wat")]

use std::thread;
use std::time::Duration;

use stratus::{
    Caller, Config, Engine, Error, Extern, Instance, Interruption, Linker, Module, PauseReason,
    ResumableCall, Store, TrapKind, Val,
};

fn engine(fuel: bool) -> Engine {
    Engine::new(Config::new().consume_fuel(fuel)).unwrap()
}

fn instantiate(store: &mut Store<()>, text: &str) -> Instance {
    let module = Module::new(store.engine(), text).unwrap();
    Instance::new(&mut *store, &module, &[]).unwrap()
}

/// `count(n)` loops `n` times and returns the sum 0 + 1 + ... + (n - 1); `fib(n)` is
/// doubly recursive; `wide(n)` and `fib_wide(n)` are `count` and `fib` with a `v128`
/// local, which keeps them out of the fast loop's simple functions (the checked path
/// runs their locals and calls).
const PROGRAMS: &str = r#"(module
  (func $count (export "count") (param $n i32) (result i64)
    (local $i i32) (local $sum i64)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $sum (i64.add (local.get $sum) (i64.extend_i32_u (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum))
  (func $fib (export "fib") (param $n i32) (result i64)
    (if (result i64) (i32.lt_u (local.get $n) (i32.const 2))
      (then (i64.extend_i32_u (local.get $n)))
      (else (i64.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func $wide (export "wide") (param $n i32) (result i64)
    (local $i i32) (local $sum i64) (local $v v128)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $v (i64x2.splat (i64.extend_i32_u (local.get $i))))
        (local.set $sum (i64.add (local.get $sum) (i64x2.extract_lane 0 (local.get $v))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum))
  (func $fib_wide (export "fib_wide") (param $n i32) (result i64) (local $v v128)
    (if (result i64) (i32.lt_u (local.get $n) (i32.const 2))
      (then (i64.extend_i32_u (local.get $n)))
      (else (i64.add (call $fib_wide (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib_wide (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "forever") (loop $l (br $l))))"#;

fn sum_below(n: u64) -> i64 {
    (n * n.saturating_sub(1) / 2) as i64
}

/// Calls `name(arg)` resumably, adding `slice` units whenever it pauses for fuel; the
/// result and the number of pauses.
fn run_in_slices(
    store: &mut Store<()>,
    instance: Instance,
    name: &str,
    arg: i32,
    slice: u64,
) -> (Val, usize) {
    let func = instance.get_func(&*store, name).unwrap();
    store.set_fuel(slice).unwrap();
    let mut outcome = func.call_resumable(&mut *store, &[Val::I32(arg)]).unwrap();
    let mut pauses = 0;
    loop {
        match outcome {
            ResumableCall::Finished(results) => return (results[0], pauses),
            ResumableCall::Paused(paused) => {
                assert_eq!(paused.reason(), PauseReason::OutOfFuel);
                assert_eq!(store.fuel().unwrap(), 0);
                pauses += 1;
                store.set_fuel(slice).unwrap();
                outcome = paused.resume(&mut *store).unwrap();
            }
        }
    }
}

mod fuel {
    use super::*;

    #[test]
    fn a_unit_per_function_entry_and_per_loop_back_edge() {
        let mut store = Store::new(&engine(true), ());
        let instance = instantiate(&mut store, PROGRAMS);
        let count = instance.get_typed_func::<i32, i64>(&store, "count").unwrap();
        let fib = instance.get_typed_func::<i32, i64>(&store, "fib").unwrap();
        for (name, n, cost) in [("count", 10u64, 1 + 10), ("wide", 10, 1 + 10), ("count", 0, 1)] {
            store.set_fuel(1000).unwrap();
            let func = instance.get_typed_func::<i32, i64>(&store, name).unwrap();
            assert_eq!(func.call(&mut store, n as i32).unwrap(), sum_below(n));
            assert_eq!(store.fuel().unwrap(), 1000 - cost, "{name}({n})");
        }
        // fib(10) makes 177 calls and has no loops.
        store.set_fuel(1000).unwrap();
        assert_eq!(fib.call(&mut store, 10).unwrap(), 55);
        assert_eq!(store.fuel().unwrap(), 1000 - 177);
        // Exactly enough fuel is enough; one unit less is not.
        store.set_fuel(11).unwrap();
        assert_eq!(count.call(&mut store, 10).unwrap(), sum_below(10));
        store.set_fuel(10).unwrap();
        let error = count.call(&mut store, 10).unwrap_err();
        assert_eq!(error.trap_kind(), Some(&TrapKind::OutOfFuel), "{error}");
        assert!(error.to_string().contains("all fuel consumed"), "{error}");
    }

    #[test]
    fn a_store_starts_without_fuel_and_fuel_needs_the_config() {
        let mut store = Store::new(&engine(true), ());
        assert_eq!(store.fuel().unwrap(), 0);
        let instance = instantiate(&mut store, PROGRAMS);
        let count = instance.get_typed_func::<i32, i64>(&store, "count").unwrap();
        assert_eq!(count.call(&mut store, 1).unwrap_err().trap_kind(), Some(&TrapKind::OutOfFuel));

        let mut store = Store::new(&engine(false), ());
        assert!(matches!(store.set_fuel(5), Err(Error::Config(_))));
        assert!(matches!(store.fuel(), Err(Error::Config(_))));
    }

    #[test]
    fn the_same_fuel_stops_at_the_same_instruction() {
        let stop = |fuel: u64, name: &str| {
            let mut store = Store::new(&engine(true), ());
            let instance = instantiate(&mut store, PROGRAMS);
            let func = instance.get_typed_func::<i32, i64>(&store, name).unwrap();
            store.set_fuel(fuel).unwrap();
            let error = func.call(&mut store, 1_000_000).unwrap_err();
            assert_eq!(error.trap_kind(), Some(&TrapKind::OutOfFuel));
            error.as_trap().unwrap().backtrace.clone()
        };
        for name in ["count", "wide", "fib"] {
            for fuel in [1, 2, 500, 4096, 4097, 12_345] {
                assert_eq!(stop(fuel, name), stop(fuel, name), "{name} with {fuel}");
            }
        }
        // A loop stops at its header, in the function it runs in.
        let trace = stop(500, "count");
        assert_eq!(trace.len(), 1);
        assert_eq!(trace[0].func_name.as_deref(), Some("count"));
        // Recursion stops at the entry of the call that found no fuel, the 501st.
        assert_eq!(stop(500, "fib").len(), 501);
    }

    #[test]
    fn a_call_run_in_fuel_slices_ends_as_an_uninterrupted_one() {
        let mut store = Store::new(&engine(true), ());
        let instance = instantiate(&mut store, PROGRAMS);
        let cases = [
            ("count", 100_000, sum_below(100_000)),
            ("wide", 50_000, sum_below(50_000)),
            ("fib", 20, 6765),
            ("fib_wide", 15, 610),
        ];
        for (name, n, expected) in cases {
            for slice in [1, 7, 1000, 4096, 100_000] {
                let (result, pauses) = run_in_slices(&mut store, instance, name, n, slice);
                assert_eq!(result, Val::I64(expected), "{name} in slices of {slice}");
                if slice < 1000 {
                    assert!(pauses > 10, "{name} in slices of {slice}: {pauses} pauses");
                }
            }
        }
    }

    #[test]
    fn a_dropped_pause_leaves_the_store_usable() {
        let mut store = Store::new(&engine(true), ());
        let instance = instantiate(&mut store, PROGRAMS);
        let fib = instance.get_func(&store, "fib").unwrap();
        store.set_fuel(100).unwrap();
        let ResumableCall::Paused(first) = fib.call_resumable(&mut store, &[Val::I32(25)]).unwrap() else {
            panic!("fib(25) finished on 100 units");
        };
        // Another call runs while the first is paused, and pauses too.
        store.set_fuel(50).unwrap();
        let ResumableCall::Paused(second) = fib.call_resumable(&mut store, &[Val::I32(20)]).unwrap() else {
            panic!("fib(20) finished on 50 units");
        };
        drop(first);
        store.set_fuel(1_000_000).unwrap();
        let ResumableCall::Finished(results) = second.resume(&mut store).unwrap() else {
            panic!("paused again")
        };
        assert_eq!(results, [Val::I64(6765)]);
        let count = instance.get_typed_func::<i32, i64>(&store, "count").unwrap();
        assert_eq!(count.call(&mut store, 10).unwrap(), sum_below(10));
    }

    #[test]
    fn a_pause_cannot_be_resumed_in_another_store() {
        let engine = engine(true);
        let mut store = Store::new(&engine, ());
        let instance = instantiate(&mut store, PROGRAMS);
        let count = instance.get_func(&store, "count").unwrap();
        let ResumableCall::Paused(paused) = count.call_resumable(&mut store, &[Val::I32(10)]).unwrap() else {
            panic!("ran without fuel");
        };
        let mut other = Store::new(&engine, ());
        assert!(matches!(paused.resume(&mut other), Err(Error::StoreMismatch)));
    }
}

mod interruption {
    use super::*;

    /// Interrupts `store` as `how` says after a moment, from another thread.
    fn interrupt_soon(store: &Store<()>, how: Interruption) -> thread::JoinHandle<()> {
        let handle = store.interrupt_handle();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(50));
            handle.interrupt(how);
        })
    }

    fn assert_interrupted(result: Result<Vec<Val>, Error>) {
        let error = result.unwrap_err();
        assert_eq!(error.trap_kind(), Some(&TrapKind::Interrupted), "{error}");
        assert!(error.to_string().starts_with("wasm trap: interrupted"), "{error}");
    }

    /// Runs `name(arg)`, which would run for minutes, until another thread interrupts it.
    fn interrupt_call(fuel: bool, name: &str, arg: &[Val]) {
        let mut store = Store::new(&engine(fuel), ());
        if fuel {
            store.set_fuel(u64::MAX / 2).unwrap();
        }
        let instance = instantiate(&mut store, PROGRAMS);
        let func = instance.get_func(&store, name).unwrap();
        let interrupter = interrupt_soon(&store, Interruption::Trap);
        let mut results = vec![Val::I64(0); func.ty(&store).results().len()];
        assert_interrupted(func.call(&mut store, arg, &mut results).map(|()| results));
        interrupter.join().unwrap();
    }

    #[test]
    fn a_runaway_loop_stops_in_the_fast_and_the_checked_path() {
        for fuel in [false, true] {
            interrupt_call(fuel, "forever", &[]);
            interrupt_call(fuel, "count", &[Val::I32(-1)]);
            interrupt_call(fuel, "wide", &[Val::I32(-1)]);
        }
    }

    #[test]
    fn a_runaway_recursion_stops_in_the_fast_and_the_checked_path() {
        for fuel in [false, true] {
            interrupt_call(fuel, "fib", &[Val::I32(60)]);
            interrupt_call(fuel, "fib_wide", &[Val::I32(60)]);
        }
    }

    #[test]
    fn a_runaway_host_reentry_stops() {
        // `spin` calls the host, which calls `spin` again, for ever; each level loops a
        // while first.
        let text = r#"(module
          (import "host" "again" (func $again))
          (func (export "spin") (local $i i32)
            (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1)))
                     (br_if $l (i32.lt_u (local.get $i) (i32.const 100000))))
            (call $again)))"#;
        let engine = engine(false);
        let mut linker = Linker::new(&engine);
        linker
            .func_wrap("host", "again", |mut caller: Caller<'_, ()>| -> Result<(), Error> {
                let spin = caller.get_export("spin").and_then(Extern::into_func).unwrap();
                // Past the re-entry limit, start over from the top instead.
                loop {
                    match spin.call(&mut caller, &[], &mut []) {
                        Err(error) if error.trap_kind() == Some(&TrapKind::CallStackExhausted) => continue,
                        other => return other,
                    }
                }
            })
            .unwrap();
        let mut store = Store::new(&engine, ());
        let module = Module::new(&engine, text).unwrap();
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let spin = instance.get_func(&store, "spin").unwrap();
        let interrupter = interrupt_soon(&store, Interruption::Trap);
        assert_interrupted(spin.call(&mut store, &[], &mut []).map(|()| Vec::new()));
        interrupter.join().unwrap();
    }

    /// `count` and `wide` loop until the global `stop` is set, summing 0, 1, 2, ...;
    /// they return the sum and how many times they went round. `wide` has a `v128`
    /// local, which keeps it out of the interpreter's fast path.
    const UNTIL_STOPPED: &str = r#"(module
      (global $stop (export "stop") (mut i32) (i32.const 0))
      (func (export "count") (result i64 i64) (local $i i64) (local $sum i64)
        (block $done
          (loop $next
            (br_if $done (global.get $stop))
            (local.set $sum (i64.add (local.get $sum) (local.get $i)))
            (local.set $i (i64.add (local.get $i) (i64.const 1)))
            (br $next)))
        (local.get $sum) (local.get $i))
      (func (export "wide") (result i64 i64) (local $i i64) (local $sum i64) (local $v v128)
        (block $done
          (loop $next
            (br_if $done (global.get $stop))
            (local.set $v (i64x2.splat (local.get $i)))
            (local.set $sum (i64.add (local.get $sum) (i64x2.extract_lane 0 (local.get $v))))
            (local.set $i (i64.add (local.get $i) (i64.const 1)))
            (br $next)))
        (local.get $sum) (local.get $i)))"#;

    #[test]
    fn an_interruption_can_pause_a_call_that_then_resumes() {
        let mut store = Store::new(&engine(false), ());
        let instance = instantiate(&mut store, UNTIL_STOPPED);
        let stop = instance.get_global(&store, "stop").unwrap();
        // The calls run until paused, however fast this machine runs them (emulated
        // ones too), and end soon after they resume.
        for name in ["count", "wide"] {
            let func = instance.get_func(&store, name).unwrap();
            stop.set(&mut store, Val::I32(0)).unwrap();
            let interrupter = interrupt_soon(&store, Interruption::Pause);
            let outcome = func.call_resumable(&mut store, &[]).unwrap();
            interrupter.join().unwrap();
            let ResumableCall::Paused(paused) = outcome else { panic!("{name} ended without being stopped") };
            assert_eq!(paused.reason(), PauseReason::Interrupted);
            // What changed while it was paused, the call sees when it resumes.
            stop.set(&mut store, Val::I32(1)).unwrap();
            let ResumableCall::Finished(results) = paused.resume(&mut store).unwrap() else {
                panic!("paused again without a request");
            };
            let [Val::I64(sum), Val::I64(rounds)] = results[..] else { panic!("{name}: {results:?}") };
            assert!(rounds > 0, "{name} did not go round before it was paused");
            let expected = (u128::from(rounds as u64) * u128::from(rounds as u64 - 1) / 2) as u64 as i64;
            assert_eq!(sum, expected, "{name} after {rounds} rounds");
        }
        // A pause asked of a plain call is a trap.
        let programs = instantiate(&mut store, PROGRAMS);
        let interrupter = interrupt_soon(&store, Interruption::Pause);
        let forever = programs.get_func(&store, "forever").unwrap();
        assert_interrupted(forever.call(&mut store, &[], &mut []).map(|()| Vec::new()));
        interrupter.join().unwrap();
    }

    #[test]
    fn a_request_made_while_idle_stops_the_next_call_and_can_be_withdrawn() {
        let mut store = Store::new(&engine(false), ());
        let instance = instantiate(&mut store, PROGRAMS);
        let fib = instance.get_typed_func::<i32, i64>(&store, "fib").unwrap();
        let handle = store.interrupt_handle();
        handle.interrupt(Interruption::Trap);
        assert_eq!(fib.call(&mut store, 3).unwrap_err().trap_kind(), Some(&TrapKind::Interrupted));
        assert_eq!(fib.call(&mut store, 3).unwrap(), 2);
        handle.interrupt(Interruption::Trap);
        handle.clear();
        assert_eq!(fib.call(&mut store, 3).unwrap(), 2);
    }

    #[test]
    fn handles_are_send_and_sync() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<stratus::InterruptHandle>();
    }
}
