//! The snapshot API: a paused call written to bytes and resumed in a new store of
//! another tier; `externref`s through the embedder's tokens; and what is refused.

#![cfg(feature = "wat")]

use stratus::{Config, Engine, ExternRef, Linker, Module, ResumableCall, Snapshot, Store, Tier, Val};

/// Keeps an `externref` in a global and a table while it loops, then returns it.
const KEEPER: &str = r#"(module
  (global $kept (mut externref) (ref.null extern))
  (table $t 2 externref)
  (func (export "keep") (param $r externref) (param $n i32) (result externref i32)
    (local $sum i32)
    (global.set $kept (local.get $r))
    (table.set $t (i32.const 1) (local.get $r))
    (loop $l
      (local.set $sum (i32.add (local.get $sum) (local.get $n)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (global.get $kept) (local.get $sum)))"#;

fn fuel_engine(tier: Tier) -> Engine {
    let mut config = Config::new();
    config.consume_fuel(true).tier(tier);
    Engine::new(&config).unwrap()
}

fn paused_keeper(engine: &Engine, value: &'static str) -> (Store<()>, stratus::PausedCall) {
    let module = Module::new(engine, KEEPER).unwrap();
    let mut store = Store::new(engine, ());
    let instance = Linker::new(engine).instantiate(&mut store, &module).unwrap();
    let keep = instance.get_func(&store, "keep").unwrap();
    store.set_fuel(50).unwrap();
    let arg = Val::ExternRef(Some(ExternRef::new(&mut store, value)));
    let Ok(ResumableCall::Paused(paused)) = keep.call_resumable(&mut store, &[arg, Val::I32(1000)]) else {
        panic!("1000 iterations take more than 50 units of fuel")
    };
    (store, paused)
}

#[test]
fn externrefs_cross_a_snapshot_through_the_embedders_tokens() {
    let engine = fuel_engine(Tier::Interp);
    let (store, paused) = paused_keeper(&engine, "the host's value");
    let error = paused.snapshot(&store).unwrap_err();
    assert_eq!(
        error.to_string(),
        "snapshot: a non-null externref is live, and the embedder maps no externref into a snapshot"
    );
    let snapshot = paused.snapshot_with_externrefs(&store, |r| {
        assert_eq!(r.data(&store).downcast_ref::<&str>(), Some(&"the host's value"));
        Some(42)
    });
    let bytes = snapshot.unwrap().to_bytes();

    for tier in [Tier::Interp, Tier::Jit, Tier::Auto] {
        if tier.check_available().is_err() {
            continue;
        }
        let engine = fuel_engine(tier);
        let snapshot = Snapshot::from_bytes(&bytes).unwrap();
        let module = snapshot.module(&engine).unwrap();
        let mut store = Store::new(&engine, ());
        let replacement = ExternRef::new(&mut store, "the new host's value");
        let linker = Linker::new(&engine);
        let (_, paused) = snapshot
            .restore_with_externrefs(&mut store, &linker, &module, |token| {
                (token == 42).then_some(replacement)
            })
            .unwrap();
        store.set_fuel(1_000_000).unwrap();
        let ResumableCall::Finished(results) = paused.resume(&mut store).unwrap() else { panic!("finished") };
        let Val::ExternRef(Some(r)) = results[0] else { panic!("{results:?}") };
        assert_eq!(r.data(&store).downcast_ref::<&str>(), Some(&"the new host's value"));
        assert_eq!(results[1], Val::I32(500_500));
    }
}

#[test]
fn a_snapshot_is_refused_by_another_module_and_when_corrupt() {
    let engine = fuel_engine(Tier::Interp);
    let (store, paused) = paused_keeper(&engine, "x");
    let snapshot = paused.snapshot_with_externrefs(&store, |_| Some(1)).unwrap();
    let other = Module::new(&engine, "(module)").unwrap();
    let mut fresh = Store::new(&engine, ());
    let error = snapshot.restore(&mut fresh, &Linker::new(&engine), &other).unwrap_err();
    assert_eq!(error.to_string(), "snapshot: the snapshot was taken of another module (its sha256 differs)");
    let mut bytes = snapshot.to_bytes();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    let error = Snapshot::from_bytes(&bytes).unwrap_err().to_string();
    assert!(error.contains("checksum does not match"), "{error}");
    // Fuel and limits travel with it.
    assert_eq!(snapshot.fuel(), Some(0));
    assert_eq!(snapshot.limits(), engine.config().get_store_limits().clone());
    assert_eq!(snapshot.memory_sizes(), vec![]);
}

/// A pause asked for while a host function runs WebAssembly (a nested call, which
/// cannot pause) waits for the host function to return: the nested call finishes, and
/// the outer call pauses at its next check, where its snapshot can be taken.
#[test]
fn a_pause_under_a_host_function_waits_for_it_to_return() {
    let engine = fuel_engine(Tier::Interp);
    let module = Module::new(
        &engine,
        r#"(module
          (import "host" "nest" (func $nest (result i32)))
          (func $spin (export "spin") (param $n i32) (result i32) (local $sum i32)
            (loop $l
              (local.set $sum (i32.add (local.get $sum) (local.get $n)))
              (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
            (local.get $sum))
          (func (export "outer") (result i32)
            (i32.add (call $nest) (call $spin (i32.const 100000)))))"#,
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    let handle = std::sync::Arc::new(std::sync::Mutex::new(None::<stratus::InterruptHandle>));
    let asked = handle.clone();
    linker
        .func_wrap(
            "host",
            "nest",
            move |mut caller: stratus::Caller<'_, ()>| -> Result<i32, stratus::Error> {
                // The request comes while WebAssembly runs under this host function.
                asked.lock().unwrap().as_ref().unwrap().interrupt(stratus::Interruption::Pause);
                let spin = caller.get_export("spin").unwrap().into_func().unwrap();
                let mut result = [Val::I32(0)];
                spin.call(&mut caller, &[Val::I32(50_000)], &mut result)?;
                Ok(result[0].i32().unwrap())
            },
        )
        .unwrap();
    let mut store = Store::new(&engine, ());
    *handle.lock().unwrap() = Some(store.interrupt_handle());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    store.set_fuel(u64::MAX / 2).unwrap();
    let outer = instance.get_func(&store, "outer").unwrap();
    let ResumableCall::Paused(paused) = outer.call_resumable(&mut store, &[]).unwrap() else {
        panic!("the outer call pauses once the host function has returned")
    };
    assert_eq!(paused.reason(), stratus::PauseReason::Interrupted);
    let mut file = Vec::new();
    paused.snapshot(&store).unwrap().write(&mut file).unwrap();
    let snapshot = Snapshot::read(&file[..]).unwrap();
    let mut store = Store::new(&engine, ());
    let (_, paused) = snapshot.restore(&mut store, &linker, &module).unwrap();
    store.set_fuel(u64::MAX / 2).unwrap();
    let ResumableCall::Finished(results) = paused.resume(&mut store).unwrap() else { panic!("finished") };
    let sum = |n: i64| (n * (n + 1) / 2) as i32;
    assert_eq!(results, [Val::I32(sum(50_000).wrapping_add(sum(100_000)))]);
}
