//! Snapshots of paused calls: taken in one tier at fuel points spread over a run (deep
//! in recursion, inside loops compiled on the fly and entered by OSR), written, read
//! back and restored into a fresh store of every tier, they end as the uninterrupted
//! run does, with the same memory, globals, tables and segments; and what does not fit
//! the module is refused with the reason.

#[path = "support/require_jit.rs"]
mod require_jit;

use std::sync::Arc;

use require_jit::jit_here;
use stratus_exec::{NoExternRefs, Outcome};
use stratus_runtime::{
    CompilePolicy, CompiledModule, Extern, FuncAddr, InstanceAddr, Limits, MemoryReservation, Store,
    TierUpThresholds, TrapKind, Val,
};
use stratus_snapshot::Snapshot;

const PROGRAM: &str = r#"(module
  (memory 1 100)
  (table $t 4 funcref)
  (global $g (mut i64) (i64.const 0))
  (global $f (mut funcref) (ref.null func))
  (elem $e func $sq $cube)
  (data $d "hello, snapshot")
  (func $sq (param i64) (result i64) (i64.mul (local.get 0) (local.get 0)))
  (func $cube (param i64) (result i64) (i64.mul (local.get 0) (call $sq (local.get 0))))
  ;; Each level of the recursion keeps a funcref, a v128 and an f64 live across its
  ;; loop and its calls.
  (func $deep (param $n i32) (result i64) (local $acc i64) (local $i i32) (local $v v128)
    (if (i32.eqz (local.get $n)) (then (return (i64.const 1))))
    (ref.func $cube)
    (f64.const 0.5)
    (loop $l
      (local.set $v (i32x4.add (local.get $v) (i32x4.splat (local.get $i))))
      (local.set $acc (i64.add (local.get $acc)
        (call_indirect (param i64) (result i64)
          (i64.extend_i32_u (local.get $i)) (i32.and (local.get $i) (i32.const 1)))))
      (i64.store (i32.mul (i32.and (local.get $i) (i32.const 255)) (i32.const 8)) (local.get $acc))
      (global.set $g (i64.add (global.get $g) (local.get $acc)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 50))))
    (i64.trunc_f64_s)
    (i64.add (local.get $acc))
    (i64.add (i64.extend_i32_u (i32x4.extract_lane 2 (local.get $v))))
    (i64.add (call $deep (i32.sub (local.get $n) (i32.const 1))))
    (local.set $acc)
    (global.set $f)
    (local.get $acc))
  (func (export "run") (param $n i32) (result i64)
    (table.init $t $e (i32.const 0) (i32.const 0) (i32.const 2))
    (elem.drop $e)
    (memory.init $d (i32.const 4096) (i32.const 0) (i32.const 15))
    (data.drop $d)
    (drop (memory.grow (i32.const 2)))
    (i64.add (call $deep (local.get $n)) (i64.load (i32.const 4096))))
  ;; What the run left behind, in one number.
  (func (export "state") (result i64) (local $i i32) (local $sum i64)
    (loop $l
      (local.set $sum (i64.add (local.get $sum)
        (i64.mul (i64.load (local.get $i)) (i64.extend_i32_u (i32.add (local.get $i) (i32.const 1))))))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 8192))))
    (i64.add (local.get $sum) (global.get $g))
    (i64.add (call_indirect (param i64) (result i64) (i64.const 3) (i32.const 1)))
    (i64.add (call_indirect (param i64) (result i64) (i64.const 5) (i32.const 0)))
    (i64.add (i64.extend_i32_u (memory.size)))
    (i64.add (i64.extend_i32_u (ref.is_null (global.get $f)))))
  (func (export "use_dropped_data") (memory.init $d (i32.const 0) (i32.const 0) (i32.const 1)))
  (func (export "use_dropped_elem") (table.init $t $e (i32.const 0) (i32.const 0) (i32.const 1))))"#;

const DEPTH: i32 = 20;

fn wat(text: &str) -> Vec<u8> {
    wast::parser::parse::<wast::Wat>(&wast::parser::ParseBuffer::new(text).unwrap())
        .unwrap()
        .encode()
        .unwrap()
}

fn module() -> Arc<CompiledModule> {
    CompiledModule::new(wat(PROGRAM)).unwrap()
}

#[derive(Copy, Clone, Debug)]
enum Tier {
    Interp,
    Jit,
    /// Low thresholds: loops are compiled and entered mid-run.
    Auto,
}

const TIERS: [Tier; 3] = [Tier::Interp, Tier::Jit, Tier::Auto];

fn store(tier: Tier) -> Store<()> {
    let memory_reservation = MemoryReservation::Whole { guard: stratus_runtime::GUARD_BYTES };
    let mut store = Store::with_limits((), Limits { memory_reservation, ..Limits::default() });
    store.compile = match tier {
        Tier::Interp => CompilePolicy::Never,
        Tier::Jit if jit_here() => CompilePolicy::Eager,
        Tier::Auto if jit_here() => CompilePolicy::OnHeat(TierUpThresholds { calls: 3, back_edges: 5 }),
        _ => CompilePolicy::Never,
    };
    store
}

fn export(store: &Store<()>, instance: InstanceAddr, name: &str) -> FuncAddr {
    match store.instance(instance).export(name) {
        Some(Extern::Func(func)) => func,
        _ => panic!("no export {name}"),
    }
}

fn call(
    store: &mut Store<()>,
    instance: InstanceAddr,
    name: &str,
    args: &[Val],
) -> Result<Vec<Val>, TrapKind> {
    let func = export(store, instance, name);
    stratus_exec::invoke(store, func, args).map_err(|trap| trap.kind)
}

/// The results of `run` and `state` after an uninterrupted run, and the fuel it took.
fn uninterrupted() -> (Vec<Val>, Vec<Val>, u64) {
    let mut store = store(Tier::Interp);
    let instance = stratus_exec::instantiate(&mut store, &module(), &[]).unwrap();
    store.set_fuel(Some(u64::MAX / 2));
    let run = call(&mut store, instance, "run", &[Val::I32(DEPTH)]).unwrap();
    let used = u64::MAX / 2 - store.fuel().unwrap();
    let state = call(&mut store, instance, "state", &[]).unwrap();
    (run, state, used)
}

/// Runs `run` in `tier` with `fuel`, and returns the snapshot of the call it paused,
/// in the binary format, with whether it had entered compiled code at a loop header.
fn paused_at(tier: Tier, fuel: u64) -> (Vec<u8>, bool) {
    let mut store = store(tier);
    let instance = stratus_exec::instantiate(&mut store, &module(), &[]).unwrap();
    store.set_fuel(Some(fuel));
    let func = export(&store, instance, "run");
    let Ok(Outcome::Paused(paused)) = stratus_exec::invoke_resumable(&mut store, func, &[Val::I32(DEPTH)])
    else {
        panic!("{tier:?} with {fuel} units of fuel did not pause")
    };
    let snapshot = stratus_exec::capture(&store, &paused, &mut NoExternRefs).unwrap();
    (snapshot.to_bytes(), store.tier_stats.osr_entries > 0)
}

/// A fresh store of `tier` with the snapshot restored: the store, the instance and the
/// outcome of the resumed call.
fn resumed(bytes: &[u8], tier: Tier) -> (Store<()>, InstanceAddr, Vec<Val>) {
    let snapshot = Snapshot::from_bytes(bytes).unwrap();
    let mut store = store(tier);
    // Other functions first, so that function addresses differ from the first store's.
    let filler = CompiledModule::new(wat("(module (func) (func))")).unwrap();
    stratus_exec::instantiate(&mut store, &filler, &[]).unwrap();
    let instance = stratus_exec::instantiate_for_restore(&mut store, &module(), &[]).unwrap();
    let paused = stratus_exec::restore(&mut store, instance, &snapshot, &mut NoExternRefs).unwrap();
    assert_eq!(paused.reason(), stratus_exec::PauseReason::Restored);
    let Ok(Outcome::Finished(results)) = stratus_exec::resume(&mut store, paused) else {
        panic!("the resumed call did not finish")
    };
    (store, instance, results)
}

#[test]
fn snapshots_resume_in_every_tier_as_the_run_would_have_gone_on() {
    let (run, state, used) = uninterrupted();
    // The first charge, early ones in the first levels, the deepest level, and the rest
    // spread over the run.
    let mut points = vec![1, 2, 3, 40, 200];
    points.extend((1..8).map(|k| used * k / 8));
    points.push(used - 1);
    let mut osr_pauses = 0;
    for &fuel in &points {
        for from in TIERS {
            let (bytes, entered_by_osr) = paused_at(from, fuel);
            osr_pauses += usize::from(entered_by_osr);
            for to in TIERS {
                let (mut store, instance, results) = resumed(&bytes, to);
                let context = format!("paused in {from:?} after {fuel} units, resumed in {to:?}");
                assert_eq!(results, run, "{context}");
                assert_eq!(call(&mut store, instance, "state", &[]).unwrap(), state, "{context}");
                // The segments the run dropped stay dropped.
                assert_eq!(
                    call(&mut store, instance, "use_dropped_data", &[]),
                    Err(TrapKind::MemoryOutOfBounds)
                );
                assert_eq!(
                    call(&mut store, instance, "use_dropped_elem", &[]),
                    Err(TrapKind::TableOutOfBounds)
                );
            }
        }
    }
    if jit_here() {
        assert!(osr_pauses > 0, "no pause came after an entry into compiled code at a loop header");
    }
}

/// Snapshots at most points of the run are small: only the pages written are kept.
#[test]
fn only_written_memory_is_kept() {
    let (_, _, used) = uninterrupted();
    let (bytes, _) = paused_at(Tier::Interp, used - 1);
    let snapshot = Snapshot::from_bytes(&bytes).unwrap();
    let memory = &snapshot.memories[0];
    assert_eq!(memory.pages, 3);
    // Bytes 0..2048 (the stores of the loop) and the copied data at 4096.
    assert_eq!(memory.nonzero_bytes(), 8192);
    assert!(bytes.len() < 4096, "{} bytes", bytes.len());
}

/// A snapshot restored into a module it was not taken of, or changed so that its frames
/// do not fit the module's code, is refused with the reason.
#[test]
fn refuses_snapshots_that_do_not_fit_the_module() {
    let (bytes, _) = paused_at(Tier::Interp, 500);
    let snapshot = Snapshot::from_bytes(&bytes).unwrap();
    let restore = |snapshot: &Snapshot, module: &Arc<CompiledModule>| {
        let mut store = store(Tier::Interp);
        let instance = stratus_exec::instantiate_for_restore(&mut store, module, &[]).unwrap();
        stratus_exec::restore(&mut store, instance, snapshot, &mut NoExternRefs).map(drop).map_err(|e| e.0)
    };
    let other =
        CompiledModule::new(wat("(module (func (export \"run\") (param i32) (result i64) (i64.const 0)))"))
            .unwrap();
    assert_eq!(restore(&snapshot, &other), Err("the module has 0 memories, the snapshot 1".into()));

    let mut changed = snapshot.clone();
    changed.call.running.pc += 1;
    let message = restore(&changed, &module()).unwrap_err();
    assert!(
        message.contains("no instruction starts at") || message.contains("not at a safepoint"),
        "{message}"
    );

    let mut changed = snapshot.clone();
    changed.call.slots.pop();
    let message = restore(&changed, &module()).unwrap_err();
    assert!(
        message.contains("holds") && message.contains("slots, but its place on the stack has"),
        "{message}"
    );

    let mut changed = snapshot.clone();
    changed.call.frames[1].pc = 0;
    let message = restore(&changed, &module()).unwrap_err();
    assert!(message.contains("is not after a call at pc 0"), "{message}");

    let mut changed = snapshot.clone();
    changed.call.running.func = 99;
    let message = restore(&changed, &module()).unwrap_err();
    assert!(message.contains("runs function 99, which the module does not define"), "{message}");

    let mut changed = snapshot.clone();
    changed.tables[0].entries[0].1 = 1000;
    assert_eq!(
        restore(&changed, &module()),
        Err("a funcref names function 999, which the module does not have".into())
    );

    let mut changed = snapshot;
    changed.memories[0].pages = 101;
    let message = restore(&changed, &module()).unwrap_err();
    assert!(message.starts_with("memory 0 cannot grow to the snapshot's 101 pages"), "{message}");
}

/// A live non-null `externref` cannot be captured unless the embedder maps it.
#[test]
fn refuses_live_externrefs() {
    let module = CompiledModule::new(wat(r#"(module (global $x (mut externref) (ref.null extern))
             (func (export "hold") (param externref)
               (global.set $x (local.get 0))
               (loop $l (br $l))))"#))
    .unwrap();
    let mut store = store(Tier::Interp);
    let instance = stratus_exec::instantiate(&mut store, &module, &[]).unwrap();
    store.set_fuel(Some(10));
    let func = export(&store, instance, "hold");
    let arg = Val::ExternRef(Some(stratus_runtime::ExternAddr(7)));
    let Ok(Outcome::Paused(paused)) = stratus_exec::invoke_resumable(&mut store, func, &[arg]) else {
        panic!("did not pause")
    };
    let error = stratus_exec::capture(&store, &paused, &mut NoExternRefs).unwrap_err();
    assert_eq!(error.0, "a non-null externref is live, and the embedder maps no externref into a snapshot");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 300, failure_persistence: None, ..Default::default() })]

    /// A snapshot whose call is changed at random (frames, pcs, bases, slots, the
    /// entry) is refused or restored; a restored one runs to an end or a trap, in
    /// compiled code too, and never takes the runtime down.
    #[test]
    fn changed_calls_are_refused_or_run_safely(
        fuel in 1u64..2000,
        edits in proptest::collection::vec((0u8..6, proptest::prelude::any::<u32>(), proptest::prelude::any::<u64>()), 1..4),
        jit in proptest::prelude::any::<bool>(),
    ) {
        let (bytes, _) = paused_at(Tier::Interp, fuel);
        let mut snapshot = Snapshot::from_bytes(&bytes).unwrap();
        let call = &mut snapshot.call;
        for (what, small, big) in edits {
            let frames = call.frames.len() + 1;
            let frame = match small as usize % frames {
                i if i + 1 == frames => &mut call.running,
                i => &mut call.frames[i],
            };
            match what {
                0 => frame.pc = small % 200,
                1 => frame.func = small % 9,
                2 => frame.base = frame.base.wrapping_add(small % 5).wrapping_sub(2),
                3 => { let n = call.slots.len(); if n > 0 { call.slots[small as usize % n] = big; } }
                4 => { if small & 1 == 0 { call.slots.pop(); } else { call.slots.push(big); } }
                _ => call.entry = small % 9,
            }
        }
        let mut store = store(if jit { Tier::Jit } else { Tier::Interp });
        let instance = stratus_exec::instantiate_for_restore(&mut store, &module(), &[]).unwrap();
        if let Ok(paused) = stratus_exec::restore(&mut store, instance, &snapshot, &mut NoExternRefs) {
            store.set_fuel(Some(1_000_000));
            let _ = stratus_exec::resume(&mut store, paused);
        }
    }
}
