//! The WebAssembly 3.0 proposals Stratus runs, through the API, in every tier: the
//! interpreter, compiled code (which must compile every function), and tiered code that
//! moves to compiled code while it runs; compiled code with its bounds checked by the
//! guard region and explicitly. Each case gives the same results in all of them.

// The modules here are written in the text format.
#![cfg(feature = "wat")]

#[path = "../exec/tests/support/require_jit.rs"]
mod require_jit;

use require_jit::jit_here;
use stratus::{Config, Engine, Instance, MemoryReservation, Module, Store, Tier, Val};

/// The engines to compare: the interpreter, and where this machine compiles, compiled
/// code (guard and explicit bounds checks) and tiered code with thresholds of 1.
fn engines() -> Vec<(&'static str, Engine)> {
    let mut configs = vec![("interp", Config::new().tier(Tier::Interp).clone())];
    if jit_here() {
        configs.push(("jit", Config::new().tier(Tier::Jit).clone()));
        let explicit = MemoryReservation::Maximum { guard: 0 };
        configs.push((
            "jit, explicit bounds",
            Config::new().tier(Tier::Jit).memory_reservation(explicit).clone(),
        ));
        configs.push(("auto", Config::new().tier(Tier::Auto).tier_up_threshold(1).clone()));
    }
    configs.into_iter().map(|(name, config)| (name, Engine::new(&config).unwrap())).collect()
}

/// Calls the export `name` of `text`'s instance with `args` in every tier, and checks
/// each call's results, or trap message, against `expected`.
/// A call of an export: its name, arguments, and results or trap message.
type Call<'a> = (&'a str, &'a [Val], Result<&'a [Val], &'a str>);

fn check(text: &str, calls: &[Call<'_>]) {
    for (tier, engine) in engines() {
        let module = Module::new(&engine, text).unwrap_or_else(|e| panic!("{tier}: {e}"));
        let mut store = Store::new(&engine, ());
        let instance = Instance::new(&mut store, &module, &[]).unwrap_or_else(|e| panic!("{tier}: {e}"));
        for (name, args, expected) in calls {
            let func = instance.get_func(&store, name).unwrap();
            let mut results = vec![Val::I32(0); func.ty(&store).results().len()];
            let outcome = func.call(&mut store, args, &mut results).map(|()| results);
            match (outcome, expected) {
                (Ok(results), Ok(expected)) => assert_eq!(&results, expected, "{tier}: {name}{args:?}"),
                (Err(error), Err(message)) => {
                    assert!(error.to_string().contains(message), "{tier}: {name}{args:?}: {error}")
                }
                (outcome, _) => panic!("{tier}: {name}{args:?} gave {outcome:?}, expected {expected:?}"),
            }
        }
        if tier.starts_with("jit") {
            let stats = store.tier_stats();
            assert_eq!(stats.functions_interpreted_only, 0, "{tier}: {:?}", stats.declined);
            assert!(stats.functions_compiled > 0, "{tier}: nothing compiled");
        }
    }
}

const OOB: &str = "out of bounds memory access";

#[test]
fn memory64_addresses_offsets_and_sizes() {
    let text = r#"(module
        (memory i64 1 3)
        (func (export "load") (param i64) (result i64) (i64.load (local.get 0)))
        (func (export "load_far") (param i64) (result i32) (i32.load8_u offset=0xffff_ffff_ffff_fff0 (local.get 0)))
        (func (export "load_4g") (param i64) (result i32) (i32.load8_u offset=0x1_0000_0000 (local.get 0)))
        (func (export "store") (param i64 i64) (i64.store offset=8 (local.get 0) (local.get 1)))
        (func (export "size") (result i64) (memory.size))
        (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
        (func (export "fill") (param i64 i32 i64) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
        (func (export "v128") (param i64) (result i64) (i64x2.extract_lane 1 (v128.load (local.get 0)))))"#;
    let i64s = |values: &[i64]| values.iter().map(|&v| Val::I64(v)).collect::<Vec<_>>();
    let page = 65536;
    check(
        text,
        &[
            ("store", &i64s(&[page - 16, 0x1122_3344_5566_7788]), Ok(&[])),
            ("load", &i64s(&[page - 8]), Ok(&i64s(&[0x1122_3344_5566_7788]))),
            ("v128", &i64s(&[page - 16]), Ok(&i64s(&[0x1122_3344_5566_7788]))),
            ("load", &i64s(&[page - 7]), Err(OOB)),
            ("load", &i64s(&[1 << 32]), Err(OOB)),
            ("load", &i64s(&[-8]), Err(OOB)),
            ("store", &i64s(&[page - 16 + 1, 0]), Err(OOB)),
            ("store", &i64s(&[-9, 0]), Err(OOB)),
            // The offset plus the address wraps past 2^64: out of bounds, not address 0.
            ("load_far", &i64s(&[0x10]), Err(OOB)),
            ("load_far", &i64s(&[0x20]), Err(OOB)),
            // An offset of five LEB128 bytes, past 32 bits.
            ("load_4g", &i64s(&[0]), Err(OOB)),
            ("size", &[], Ok(&i64s(&[1]))),
            ("grow", &i64s(&[1 << 32]), Ok(&i64s(&[-1]))),
            ("grow", &i64s(&[2]), Ok(&i64s(&[1]))),
            ("grow", &i64s(&[1]), Ok(&i64s(&[-1]))),
            ("size", &[], Ok(&i64s(&[3]))),
            ("load", &i64s(&[3 * page - 8]), Ok(&i64s(&[0]))),
            ("fill", &[Val::I64(3 * page - 4), Val::I32(0xab), Val::I64(4)], Ok(&[])),
            ("load", &i64s(&[3 * page - 8]), Ok(&i64s(&[0xabab_abab_0000_0000u64 as i64]))),
            ("fill", &[Val::I64(3 * page - 4), Val::I32(0), Val::I64(5)], Err(OOB)),
        ],
    );
}

/// Compiled code leaves the addresses of a 64-bit memory 0 below 2^31 to the guard
/// region and checks the others out of line: both sides of 2^31, in bounds and out.
#[test]
fn memory64_addresses_past_2_gib() {
    let text = r#"(module
        (memory i64 32769)
        (func (export "load") (param i64) (result i64) (i64.load (local.get 0)))
        (func (export "load_high") (param i64) (result i64) (i64.load offset=0x80000000 (local.get 0)))
        (func (export "store") (param i64 i64) (i64.store (local.get 0) (local.get 1))))"#;
    let i64s = |values: &[i64]| values.iter().map(|&v| Val::I64(v)).collect::<Vec<_>>();
    let (two_gib, end) = (1i64 << 31, (1i64 << 31) + 65536);
    check(
        text,
        &[
            ("store", &i64s(&[two_gib - 8, 1]), Ok(&[])),
            ("store", &i64s(&[two_gib, 2]), Ok(&[])),
            ("store", &i64s(&[end - 8, 3]), Ok(&[])),
            ("load", &i64s(&[two_gib - 8]), Ok(&i64s(&[1]))),
            ("load", &i64s(&[two_gib]), Ok(&i64s(&[2]))),
            ("load", &i64s(&[end - 8]), Ok(&i64s(&[3]))),
            ("load_high", &i64s(&[0]), Ok(&i64s(&[2]))),
            ("load_high", &i64s(&[65536 - 8]), Ok(&i64s(&[3]))),
            ("load", &i64s(&[end - 7]), Err(OOB)),
            ("load_high", &i64s(&[65536 - 7]), Err(OOB)),
            ("store", &i64s(&[end, 4]), Err(OOB)),
            ("load", &i64s(&[1 << 32]), Err(OOB)),
            ("load", &i64s(&[i64::MAX]), Err(OOB)),
            ("load", &i64s(&[-1]), Err(OOB)),
        ],
    );
}

#[test]
fn several_memories_each_with_its_own_bounds() {
    let text = r#"(module
        (memory $a 1)
        (memory $b 2)
        (memory $c i64 1)
        (data (memory $b) (i32.const 70000) "\2a")
        (func (export "load_b") (param i32) (result i32) (i32.load8_u $b (local.get 0)))
        (func (export "store_a") (param i32 i32) (i32.store8 $a (local.get 0) (local.get 1)))
        (func (export "load_a") (param i32) (result i32) (i32.load8_u $a (local.get 0)))
        (func (export "store_c") (param i64 i32) (i32.store $c offset=4 (local.get 0) (local.get 1)))
        (func (export "load_c") (param i64) (result i32) (i32.load $c offset=4 (local.get 0)))
        (func (export "copy_b_to_c") (param i64 i32 i32) (memory.copy $c $b (local.get 0) (local.get 1) (local.get 2)))
        (func (export "sizes") (result i32 i32 i64) (memory.size $a) (memory.size $b) (memory.size $c))
        (func (export "grow_a") (param i32) (result i32) (memory.grow $a (local.get 0))))"#;
    let i32s = |values: &[i32]| values.iter().map(|&v| Val::I32(v)).collect::<Vec<_>>();
    check(
        text,
        &[
            ("load_b", &i32s(&[70000]), Ok(&i32s(&[42]))),
            ("load_b", &i32s(&[2 * 65536 - 1]), Ok(&i32s(&[0]))),
            ("load_b", &i32s(&[2 * 65536]), Err(OOB)),
            // Memory 0 has one page: what fits memory 1 is out of its bounds.
            ("store_a", &i32s(&[70000, 7]), Err(OOB)),
            ("store_a", &i32s(&[65535, 7]), Ok(&[])),
            ("load_a", &i32s(&[65535]), Ok(&i32s(&[7]))),
            ("load_b", &i32s(&[65535]), Ok(&i32s(&[0]))),
            ("copy_b_to_c", &[Val::I64(100), Val::I32(70000), Val::I32(1)], Ok(&[])),
            ("load_c", &[Val::I64(96)], Ok(&i32s(&[42]))),
            ("store_c", &[Val::I64(65528), Val::I32(-1)], Ok(&[])),
            ("store_c", &[Val::I64(65529), Val::I32(-1)], Err(OOB)),
            ("copy_b_to_c", &[Val::I64(65536), Val::I32(0), Val::I32(1)], Err(OOB)),
            ("grow_a", &i32s(&[1]), Ok(&i32s(&[1]))),
            ("sizes", &[], Ok(&[Val::I32(2), Val::I32(2), Val::I64(1)])),
            ("store_a", &i32s(&[70000, 9]), Ok(&[])),
            ("load_a", &i32s(&[70000]), Ok(&i32s(&[9]))),
            ("load_b", &i32s(&[70000]), Ok(&i32s(&[42]))),
        ],
    );
}

#[test]
fn tables_with_64_bit_indices() {
    let text = r#"(module
        (type $ret (func (result i32)))
        (table $t i64 3 funcref)
        (elem (table $t) (i64.const 1) func $seven)
        (func $seven (result i32) (i32.const 7))
        (func (export "call") (param i64) (result i32) (call_indirect $t (type $ret) (local.get 0)))
        (func (export "size") (result i64) (table.size $t))
        (func (export "grow") (param i64) (result i64) (table.grow $t (ref.null func) (local.get 0)))
        (func (export "is_null") (param i64) (result i32) (ref.is_null (table.get $t (local.get 0)))))"#;
    let i64s = |values: &[i64]| values.iter().map(|&v| Val::I64(v)).collect::<Vec<_>>();
    check(
        text,
        &[
            ("call", &i64s(&[1]), Ok(&[Val::I32(7)])),
            // An index that is 1 in its low 32 bits is no element.
            ("call", &i64s(&[(1 << 32) + 1]), Err("undefined element")),
            ("call", &i64s(&[0]), Err("uninitialized element")),
            ("is_null", &i64s(&[1]), Ok(&[Val::I32(0)])),
            ("is_null", &i64s(&[(1 << 32) + 1]), Err("out of bounds table access")),
            ("size", &[], Ok(&i64s(&[3]))),
            ("grow", &i64s(&[1 << 32]), Ok(&i64s(&[-1]))),
            ("grow", &i64s(&[2]), Ok(&i64s(&[3]))),
            ("size", &[], Ok(&i64s(&[5]))),
        ],
    );
}

#[test]
fn proposals_switched_off_refuse_modules_by_name() {
    let engine = Engine::new(Config::new().wasm_multi_memory(false)).unwrap();
    let error = Module::new(&engine, "(module (memory 1) (memory 1))").unwrap_err();
    assert!(error.to_string().contains("the multi-memory proposal is disabled"), "{error}");
    let engine = Engine::new(Config::new().wasm_memory64(false)).unwrap();
    let error = Module::new(&engine, "(module (memory i64 1))").unwrap_err();
    assert!(error.to_string().contains("the memory64 proposal is disabled"), "{error}");
    let engine = Engine::new(Config::new().wasm_extended_const(false)).unwrap();
    let error =
        Module::new(&engine, "(module (global i32 (i32.add (i32.const 1) (i32.const 2))))").unwrap_err();
    assert!(error.to_string().contains("the extended-const proposal is disabled"), "{error}");
    let mut config = Config::new();
    assert!(config.wasm_feature(stratus::Proposal::Gc, true).is_err());
    Engine::new(&config).unwrap();
}

/// Mutual recursion by tail calls, direct (`even`/`odd`) and through a table
/// (`even_indirect`/`odd_indirect`), `n` deep.
const EVEN_ODD: &str = r#"(module
    (type $pred (func (param i64) (result i32)))
    (table 2 funcref)
    (elem (i32.const 0) $even_indirect $odd_indirect)
    (func $even (export "even") (param i64) (result i32)
      (if (result i32) (i64.eqz (local.get 0))
        (then (i32.const 1))
        (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
    (func $odd (export "odd") (param i64) (result i32)
      (if (result i32) (i64.eqz (local.get 0))
        (then (i32.const 0))
        (else (return_call $even (i64.sub (local.get 0) (i64.const 1))))))
    (func $even_indirect (export "even_indirect") (param i64) (result i32)
      (if (result i32) (i64.eqz (local.get 0))
        (then (i32.const 1))
        (else (return_call_indirect (type $pred) (i64.sub (local.get 0) (i64.const 1)) (i32.const 1)))))
    (func $odd_indirect (param i64) (result i32)
      (if (result i32) (i64.eqz (local.get 0))
        (then (i32.const 0))
        (else (return_call_indirect (type $pred) (i64.sub (local.get 0) (i64.const 1)) (i32.const 0))))))"#;

/// Tail calls run in constant space in every tier: a value stack of 4,096 slots and 20
/// frames suffice for ten million calls, moving between the interpreter and compiled
/// code while they run under `auto`.
#[test]
fn tail_calls_run_in_constant_space() {
    let n: i64 = 10_000_000;
    let mut configs = vec![("interp", Config::new().tier(Tier::Interp).clone())];
    if jit_here() {
        configs.push(("jit", Config::new().tier(Tier::Jit).clone()));
        configs.push(("auto", Config::new().tier(Tier::Auto).tier_up_threshold(1000).clone()));
    }
    for (tier, mut config) in configs {
        config.value_stack_slots(4096).max_call_depth(20);
        let engine = Engine::new(&config).unwrap();
        let module = Module::new(&engine, EVEN_ODD).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Instance::new(&mut store, &module, &[]).unwrap();
        for (name, expected) in [("even", 1), ("odd", 0), ("even_indirect", 1)] {
            let func = instance.get_typed_func::<i64, i32>(&store, name).unwrap();
            assert_eq!(func.call(&mut store, n).unwrap(), expected, "{tier}: {name}");
            assert_eq!(func.call(&mut store, n + 1).unwrap(), 1 - expected, "{tier}: {name}");
        }
        if tier != "interp" {
            assert!(store.tier_stats().functions_compiled > 0, "{tier}");
        }
    }
}

/// Between instances a compiled tail call goes through the driver (the callee's
/// instance differs), in constant space all the same: two instances tail-call each
/// other through a table they share, ten million times.
#[test]
fn tail_calls_between_instances_run_in_constant_space() {
    let ping = r#"(module
        (type $count (func (param i64) (result i64)))
        (table (export "table") 2 funcref)
        (elem (i32.const 0) $ping)
        (func $ping (export "ping") (param i64) (result i64)
          (if (result i64) (i64.eqz (local.get 0))
            (then (i64.const 42))
            (else (return_call_indirect (type $count) (i64.sub (local.get 0) (i64.const 1)) (i32.const 1))))))"#;
    let pong = r#"(module
        (type $count (func (param i64) (result i64)))
        (import "ping" "table" (table 2 funcref))
        (elem (i32.const 1) $pong)
        (func $pong (param i64) (result i64)
          (return_call_indirect (type $count) (local.get 0) (i32.const 0))))"#;
    for (tier, engine) in engines() {
        let mut config = engine.config().clone();
        config.value_stack_slots(4096).max_call_depth(20);
        let engine = Engine::new(&config).unwrap();
        let mut store = Store::new(&engine, ());
        let mut linker = stratus::Linker::new(&engine);
        let ping_instance = linker.instantiate(&mut store, &Module::new(&engine, ping).unwrap()).unwrap();
        linker.instance(&mut store, "ping", ping_instance).unwrap();
        linker.instantiate(&mut store, &Module::new(&engine, pong).unwrap()).unwrap();
        let ping = ping_instance.get_typed_func::<i64, i64>(&store, "ping").unwrap();
        assert_eq!(ping.call(&mut store, 10_000_000).unwrap(), 42, "{tier}");
    }
}

/// A tail call to a host function returns the host's results to the caller's caller;
/// the host sees the tail-calling function's instance as its caller; a trap in the
/// host has the replaced frame gone from its backtrace, as in wasmtime.
#[test]
fn tail_calls_to_host_functions() {
    let text = r#"(module
        (import "host" "twice" (func $twice (param i32) (result i32)))
        (import "host" "fail" (func $fail (param i32) (result i32)))
        (memory (export "memory") 1)
        (func $tail_twice (export "tail_twice") (param i32) (result i32)
          (return_call $twice (i32.add (local.get 0) (i32.const 1))))
        (func $outer (export "outer") (param i32) (result i32)
          (i32.add (call $tail_twice (local.get 0)) (i32.const 1000)))
        (func $tail_fail (param i32) (result i32) (return_call $fail (local.get 0)))
        (func $calls_fail (export "calls_fail") (result i32)
          (call $tail_fail (i32.const 7))))"#;
    for (tier, engine) in engines() {
        let mut store = Store::new(&engine, ());
        let mut linker = stratus::Linker::new(&engine);
        linker
            .func_wrap("host", "twice", |caller: stratus::Caller<'_, ()>, x: i32| {
                // The caller is the tail-calling function's instance, memory and all.
                let memory = caller.get_export("memory").and_then(|e| e.into_memory());
                assert!(memory.is_some(), "the host sees no caller instance");
                x * 2
            })
            .unwrap();
        linker
            .func_wrap("host", "fail", |_: i32| -> Result<i32, stratus::Error> {
                Err(stratus::Error::host(std::io::Error::other("refused")))
            })
            .unwrap();
        let instance = linker.instantiate(&mut store, &Module::new(&engine, text).unwrap()).unwrap();
        let tail_twice = instance.get_typed_func::<i32, i32>(&store, "tail_twice").unwrap();
        assert_eq!(tail_twice.call(&mut store, 20).unwrap(), 42, "{tier}");
        let outer = instance.get_typed_func::<i32, i32>(&store, "outer").unwrap();
        assert_eq!(outer.call(&mut store, 20).unwrap(), 1042, "{tier}");
        let calls_fail = instance.get_typed_func::<(), i32>(&store, "calls_fail").unwrap();
        let error = calls_fail.call(&mut store, ()).unwrap_err();
        let names: Vec<_> = error.backtrace().iter().map(|f| f.func_name.as_deref().unwrap_or("?")).collect();
        assert_eq!(names, ["calls_fail"], "{tier}: {error}");
    }
}

/// A trap in a tail-called function has the replaced frame gone from its backtrace.
#[test]
fn tail_called_frames_replace_their_callers_in_backtraces() {
    let text = r#"(module
        (func $c (result i32) unreachable)
        (func $b (result i32) (return_call $c))
        (func $a (export "a") (result i32) (i32.add (call $b) (i32.const 1))))"#;
    for (tier, engine) in engines() {
        let mut store = Store::new(&engine, ());
        let instance = Instance::new(&mut store, &Module::new(&engine, text).unwrap(), &[]).unwrap();
        let a = instance.get_typed_func::<(), i32>(&store, "a").unwrap();
        let error = a.call(&mut store, ()).unwrap_err();
        let names: Vec<_> = error.backtrace().iter().map(|f| f.func_name.as_deref().unwrap_or("?")).collect();
        assert_eq!(names, ["c", "a"], "{tier}: {error}");
    }
}

/// Fuel charges a tail call as a call: one unit at the callee's entry.
#[test]
fn tail_calls_consume_fuel_as_calls() {
    for (tier, engine) in engines() {
        let mut config = engine.config().clone();
        config.consume_fuel(true);
        let engine = Engine::new(&config).unwrap();
        let module = Module::new(&engine, EVEN_ODD).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Instance::new(&mut store, &module, &[]).unwrap();
        let even = instance.get_typed_func::<i64, i32>(&store, "even").unwrap();
        store.set_fuel(1000).unwrap();
        assert_eq!(even.call(&mut store, 100).unwrap(), 1, "{tier}");
        // 101 entries: the call from the host and 100 tail calls.
        assert_eq!(store.fuel().unwrap(), 1000 - 101, "{tier}");
        store.set_fuel(50).unwrap();
        let error = even.call(&mut store, 100).unwrap_err();
        assert!(error.to_string().contains("all fuel consumed"), "{tier}: {error}");
    }
}

/// `text` instantiated under the deterministic profile in each tier's store.
fn deterministic_instances(text: &str) -> Vec<(&'static str, Store<()>, Instance)> {
    let instantiate = |(tier, engine): (&'static str, Engine)| {
        let mut config = engine.config().clone();
        config.deterministic(true);
        let engine = Engine::new(&config).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Instance::new(&mut store, &Module::new(&engine, text).unwrap(), &[]).unwrap();
        (tier, store, instance)
    };
    engines().into_iter().map(instantiate).collect()
}

/// The deterministic profile: every NaN a float instruction makes is the positive
/// canonical NaN, in scalar and vector lanes, and relaxed SIMD gives the profile's
/// results, the same bits in every tier (and on every host); `neg` keeps its operand's
/// NaN bits, which the spec fixes.
#[test]
fn the_deterministic_profile_gives_the_same_bits_everywhere() {
    let text = r#"(module
        (func (export "div") (param f32 f32) (result i32) (i32.reinterpret_f32 (f32.div (local.get 0) (local.get 1))))
        (func (export "sqrt") (param f64) (result i64) (i64.reinterpret_f64 (f64.sqrt (local.get 0))))
        (func (export "add_payload") (result i64)
          (i64.reinterpret_f64 (f64.add (f64.const nan:0x1234) (f64.const 1))))
        (func (export "neg_payload") (result i32) (i32.reinterpret_f32 (f32.neg (f32.const nan:0x1234))))
        (func (export "mul_lanes") (result v128)
          (f32x4.mul (v128.const f32x4 nan:0x1234 -nan 1 0) (v128.const f32x4 1 1 2 0)))
        (func (export "swizzle") (result v128)
          (i8x16.relaxed_swizzle (v128.const i8x16 7 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)
            (v128.const i8x16 0x20 0x80 0x10 0 0 0 0 0 0 0 0 0 0 0 0 0)))
        (func (export "trunc") (result v128)
          (i32x4.relaxed_trunc_f32x4_s (v128.const f32x4 nan 3e9 -3e9 -1.5)))
        (func (export "madd") (result v128)
          (f32x4.relaxed_madd (v128.const f32x4 0x1.000002p+0 0 0 0) (v128.const f32x4 0x1.000002p+0 0 0 0)
            (v128.const f32x4 -1 0 0 0)))
        (func (export "min") (result v128)
          (f32x4.relaxed_min (v128.const f32x4 nan 0 -0 1) (v128.const f32x4 1 -0 0 nan))))"#;
    let v128 = |lanes: [u32; 4]| Val::V128(lanes.iter().rev().fold(0u128, |v, &l| v << 32 | u128::from(l)));
    let canonical = 0x7FC0_0000;
    let calls: &[Call<'_>] = &[
        ("div", &[Val::F32(0), Val::F32(0)], Ok(&[Val::I32(canonical as i32)])),
        ("sqrt", &[Val::F64((-1.0f64).to_bits())], Ok(&[Val::I64(0x7FF8_0000_0000_0000)])),
        ("add_payload", &[], Ok(&[Val::I64(0x7FF8_0000_0000_0000)])),
        ("neg_payload", &[], Ok(&[Val::I32(0xFF80_1234u32 as i32)])),
        ("mul_lanes", &[], Ok(&[v128([canonical, canonical, 2.0f32.to_bits(), 0])])),
        // Indices past 15 give 0, as `i8x16.swizzle`.
        ("swizzle", &[], Ok(&[v128([0x0700_0000, 0x0707_0707, 0x0707_0707, 0x0707_0707])])),
        // Saturating, NaN to 0, as `i32x4.trunc_sat_f32x4_s`.
        ("trunc", &[], Ok(&[v128([0, i32::MAX as u32, i32::MIN as u32, -1i32 as u32])])),
        // Unfused: (1 + 2^-23)^2 rounds to 1 + 2^-22 before the -1.
        ("madd", &[], Ok(&[v128([(2.0f32 * f32::EPSILON).to_bits(), 0, 0, 0])])),
        // `f32x4.min`: NaNs propagate (canonical), -0 below +0.
        ("min", &[], Ok(&[v128([canonical, (-0.0f32).to_bits(), (-0.0f32).to_bits(), canonical])])),
    ];
    for (tier, mut store, instance) in deterministic_instances(text) {
        for (name, args, expected) in calls {
            let func = instance.get_func(&store, name).unwrap();
            let mut results = vec![Val::I32(0); 1];
            func.call(&mut store, args, &mut results).unwrap();
            assert_eq!(Ok(&results[..]), *expected, "{tier}: {name}");
        }
    }
}

/// Compiled code under the deterministic profile leaves a NaN of open bits in its
/// register until something observes its bits: each way of observing one is here, with
/// NaNs of the two kinds x86-64 and AArch64 hardware makes (a new one from `0/0`, which
/// x86-64 makes negative, and one carried from an operand with a payload), and each
/// must see the positive canonical NaN, in every tier (values cross tiers in slots).
#[test]
fn the_deterministic_profile_canonicalises_where_nans_are_observed() {
    // Every export takes `p` = 0 and `q` = -nan:0x1234 and returns bits.
    let text = r#"(module
        (memory 1)
        (global $g (mut f64) (f64.const 0))
        (table 1 funcref)
        (elem (i32.const 0) $bits)
        (func $nop)
        (func $bits (param f64) (result i64) (i64.reinterpret_f64 (local.get 0)))
        (func (export "store") (param $p f64) (param $q f64) (result i64)
          (f64.store (i32.const 8) (f64.div (local.get $p) (local.get $p)))
          (i64.load (i32.const 8)))
        (func (export "store_lane") (param $p f64) (param $q f64) (result i64)
          (v128.store64_lane 0 (i32.const 8) (f64x2.splat (f64.add (local.get $q) (local.get $p))))
          (i64.load (i32.const 8)))
        (func (export "local") (param $p f64) (param $q f64) (result i64)
          (local $x f64)
          (local.set $x (f64.add (local.get $q) (f64.const 1)))
          (i64.reinterpret_f64 (local.get $x)))
        (func (export "tee") (param $p f64) (param $q f64) (result i64)
          (local $x f64)
          (drop (local.tee $x (f64.div (local.get $p) (local.get $p))))
          (i64.reinterpret_f64 (local.get $x)))
        (func (export "global") (param $p f64) (param $q f64) (result i64)
          (global.set $g (f64.mul (local.get $q) (local.get $p)))
          (i64.reinterpret_f64 (global.get $g)))
        (func (export "across_call") (param $p f64) (param $q f64) (result i64)
          local.get $p
          local.get $p
          f64.div
          call $nop
          i64.reinterpret_f64)
        (func (export "argument") (param $p f64) (param $q f64) (result i64)
          (call $bits (f64.sub (local.get $q) (local.get $p))))
        (func (export "indirect_argument") (param $p f64) (param $q f64) (result i64)
          (call_indirect (param f64) (result i64) (f64.div (local.get $p) (local.get $p)) (i32.const 0)))
        (func (export "tail_argument") (param $p f64) (param $q f64) (result i64)
          (return_call $bits (f64.sqrt (local.get $q))))
        (func (export "result") (param $p f64) (param $q f64) (result f64)
          (f64.div (local.get $p) (local.get $p)))
        (func (export "block") (param $p f64) (param $q f64) (result i64)
          (i64.reinterpret_f64 (block (result f64) (br 0 (f64.div (local.get $p) (local.get $p))))))
        (func (export "br_if") (param $p f64) (param $q f64) (result i64)
          (i64.reinterpret_f64 (block (result f64)
            (br_if 0 (f64.add (local.get $q) (local.get $p)) (i32.const 1)))))
        (func (export "br_table") (param $p f64) (param $q f64) (result i64)
          (i64.reinterpret_f64 (block (result f64) (block (result f64)
            (br_table 0 1 (f64.div (local.get $p) (local.get $p)) (i32.const 1))))))
        (func (export "if") (param $p f64) (param $q f64) (result i64)
          (i64.reinterpret_f64 (if (result f64) (i32.const 1)
            (then (f64.div (local.get $p) (local.get $p))) (else (local.get $p)))))
        (func (export "loop") (param $p f64) (param $q f64) (result i64)
          (local $x f64) (local $n i32)
          (loop $again
            (local.set $x (f64.add (local.get $x) (f64.div (local.get $p) (local.get $p))))
            (br_if $again (i32.lt_u (local.tee $n (i32.add (local.get $n) (i32.const 1))) (i32.const 3))))
          (i64.reinterpret_f64 (local.get $x)))
        (func (export "select") (param $p f64) (param $q f64) (result i64)
          (i64.reinterpret_f64 (select (f64.div (local.get $p) (local.get $p)) (local.get $p) (i32.const 1))))
        (func (export "neg") (param $p f64) (param $q f64) (result i64)
          (i64.reinterpret_f64 (f64.neg (f64.div (local.get $p) (local.get $p)))))
        (func (export "abs") (param $p f64) (param $q f64) (result i64)
          (i64.reinterpret_f64 (f64.abs (f64.add (local.get $q) (local.get $p)))))
        (func (export "copysign") (param $p f64) (param $q f64) (result i64)
          (i64.reinterpret_f64 (f64.copysign (f64.div (local.get $p) (local.get $p)) (f64.const 1))))
        (func (export "demote") (param $p f64) (param $q f64) (result i64)
          (i64.extend_i32_u (i32.reinterpret_f32 (f32.demote_f64 (f64.add (local.get $q) (local.get $p))))))
        (func (export "chain") (param $p f64) (param $q f64) (result i64)
          (i64.reinterpret_f64 (f64.max (f64.floor (f64.mul (f64.add (local.get $q) (f64.const 2))
            (f64.const 3))) (local.get $p))))
        (func (export "compare") (param $p f64) (param $q f64) (result i64)
          (i64.extend_i32_u (i32.add (f64.ne (f64.div (local.get $p) (local.get $p)) (local.get $p))
            (i32.trunc_sat_f64_s (f64.add (local.get $q) (local.get $p))))))
        (func (export "splat") (param $p f64) (param $q f64) (result i64)
          (i64x2.extract_lane 1 (f64x2.splat (f64.div (local.get $p) (local.get $p)))))
        (func (export "replace_lane") (param $p f64) (param $q f64) (result i64)
          (i64x2.extract_lane 0 (f64x2.replace_lane 0 (v128.const i64x2 0 0) (f64.add (local.get $q) (local.get $p)))))
        (func (export "extract_lane") (param $p f64) (param $q f64) (result i64)
          (i64.reinterpret_f64 (f64x2.extract_lane 1 (f64x2.div (f64x2.splat (local.get $p)) (f64x2.splat (local.get $p))))))
        (func (export "bitwise") (param $p f64) (param $q f64) (result i64)
          (i64x2.extract_lane 0 (v128.or (f64x2.add (f64x2.splat (local.get $q)) (f64x2.splat (local.get $p)))
            (v128.const i64x2 0 0))))
        (func (export "lanes_as_other_lanes") (param $p f64) (param $q f64) (result i64)
          (i64.extend_i32_u (i32x4.extract_lane 0 (f32x4.add
            (f64x2.add (f64x2.splat (local.get $q)) (f64x2.splat (local.get $p))) (v128.const i64x2 0 0))))))"#;
    let canonical = Val::I64(0x7FF8_0000_0000_0000);
    let args = [Val::F64(0), Val::F64(0xFFF8_0000_0000_1234)];
    // The canonical f64 NaN read as f32 lanes: 0 and a NaN. Were the payload that
    // f64x2.add carries left in, lane 0 would be a subnormal, which f32x4.add keeps.
    let calls: Vec<(&str, Val)> = vec![
        ("store", canonical),
        ("store_lane", canonical),
        ("local", canonical),
        ("tee", canonical),
        ("global", canonical),
        ("across_call", canonical),
        ("argument", canonical),
        ("indirect_argument", canonical),
        ("tail_argument", canonical),
        ("result", Val::F64(0x7FF8_0000_0000_0000)),
        ("block", canonical),
        ("br_if", canonical),
        ("br_table", canonical),
        ("if", canonical),
        ("loop", canonical),
        ("select", canonical),
        ("neg", Val::I64(0xFFF8_0000_0000_0000u64 as i64)),
        ("abs", canonical),
        ("copysign", canonical),
        ("demote", Val::I64(0x7FC0_0000)),
        ("chain", canonical),
        ("compare", Val::I64(1)),
        ("splat", canonical),
        ("replace_lane", canonical),
        ("extract_lane", canonical),
        ("bitwise", canonical),
        ("lanes_as_other_lanes", Val::I64(0)),
    ];
    for (tier, mut store, instance) in deterministic_instances(text) {
        for (name, expected) in &calls {
            let func = instance.get_func(&store, name).unwrap();
            let mut results = vec![Val::I32(0); 1];
            func.call(&mut store, &args, &mut results).unwrap();
            assert_eq!(results[0], *expected, "{tier}: {name}: {:#x?}", results[0]);
        }
    }
}
