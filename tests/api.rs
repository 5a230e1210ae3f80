//! Tests of the embedding API as an embedder uses it: modules from text and binary, host
//! functions, imports and exports, typed and untyped calls, memories, globals, tables,
//! traps with their backtrace, reentrancy, and the errors every misuse gets.

// The modules here are written in the text format.
#![cfg(feature = "wat")]

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use stratus::{
    Caller, Config, Engine, Error, Extern, ExternRef, ExternType, Func, FuncType, Global, GlobalType,
    IndexType, Instance, Limits, Linker, Memory, MemoryReservation, MemoryType, Module, PAGE_SIZE, Store,
    Table, TableType, Trap, TrapKind, Val, ValType,
};

/// `(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))`
const ADD_WASM: &[u8] = b"\0asm\x01\0\0\0\
    \x01\x07\x01\x60\x02\x7f\x7f\x01\x7f\
    \x03\x02\x01\x00\
    \x07\x07\x01\x03add\x00\x00\
    \x0a\x09\x01\x07\x00\x20\x00\x20\x01\x6a\x0b";

fn load(engine: &Engine, text: &str) -> Module {
    Module::new(engine, text).unwrap_or_else(|e| panic!("test module does not load: {e}"))
}

/// Instantiates a module that needs no imports.
fn instantiate<T: 'static>(store: &mut Store<T>, text: &str) -> Instance {
    let module = load(store.engine(), text);
    Instance::new(store, &module, &[]).unwrap_or_else(|e| panic!("instantiation failed: {e}"))
}

mod loading {
    use super::*;

    /// `bad` returns an i64 where its type says i32; `good` is fine and calls nothing.
    const ONE_BAD_FUNCTION: &str = r#"(module
        (func (export "good") (result i32) i32.const 7)
        (func (export "bad") (result i32) i64.const 1)
        (func (export "calls_bad") (result i32) call 1))"#;

    #[test]
    fn eager_validation_rejects_a_module_with_an_invalid_function() {
        let error = Module::new(&Engine::default(), ONE_BAD_FUNCTION).unwrap_err();
        assert!(matches!(error, Error::InvalidModule { .. }), "{error}");
        assert!(error.to_string().contains("type mismatch"), "{error}");
    }

    #[test]
    fn lazy_validation_finds_an_invalid_function_when_it_is_called() {
        let engine = Engine::new(Config::new().lazy_validation(true)).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = instantiate(&mut store, ONE_BAD_FUNCTION);
        let good = instance.get_typed_func::<(), i32>(&store, "good").unwrap();
        assert_eq!(good.call(&mut store, ()).unwrap(), 7);
        for name in ["bad", "calls_bad", "bad"] {
            let func = instance.get_typed_func::<(), i32>(&store, name).unwrap();
            let error = func.call(&mut store, ()).unwrap_err();
            let Some(TrapKind::InvalidFunction(message)) = error.trap_kind() else {
                panic!("{name}: expected an invalid-function trap, got {error}");
            };
            assert!(
                message.starts_with("function 1 is invalid: ") && message.contains("type mismatch"),
                "{message}"
            );
        }
        // The failed calls leave the store usable.
        assert_eq!(good.call(&mut store, ()).unwrap(), 7);
    }

    #[test]
    fn lazy_validation_still_checks_everything_outside_function_bodies() {
        let engine = Engine::new(Config::new().lazy_validation(true)).unwrap();
        let error = Module::new(&engine, r#"(module (func) (export "f" (func 3)))"#).unwrap_err();
        assert!(error.to_string().contains("unknown function"), "{error}");
    }

    #[test]
    fn lazy_validation_runs_valid_code_as_eager_does() {
        let text = r#"(module
            (func $fib (export "fib") (param i32) (result i32)
                (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
                    (then (local.get 0))
                    (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                                   (call $fib (i32.sub (local.get 0) (i32.const 2))))))))"#;
        for lazy in [false, true] {
            let engine = Engine::new(Config::new().lazy_validation(lazy)).unwrap();
            let mut store = Store::new(&engine, ());
            let fib = instantiate(&mut store, text).get_typed_func::<i32, i32>(&store, "fib").unwrap();
            assert_eq!(fib.call(&mut store, 20).unwrap(), 6765, "lazy: {lazy}");
        }
    }

    #[test]
    fn binary_and_text_modules_both_load_and_run() {
        let engine = Engine::default();
        let mut store = Store::new(&engine, ());
        let binary = Module::new(&engine, ADD_WASM).unwrap();
        let text = Module::new(
            &engine,
            r#"(module (func (export "add") (param i32 i32) (result i32)
                 (i32.add (local.get 0) (local.get 1))))"#,
        )
        .unwrap();
        for module in [&binary, &text] {
            let instance = Instance::new(&mut store, module, &[]).unwrap();
            let add = instance.get_typed_func::<(i32, i32), i32>(&store, "add").unwrap();
            assert_eq!(add.call(&mut store, (40, 2)).unwrap(), 42);
        }
        assert!(Module::from_binary(&engine, ADD_WASM).is_ok());
    }

    #[test]
    fn modules_load_from_files_of_either_format() {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("api");
        std::fs::create_dir_all(&dir).unwrap();
        let wasm = dir.join("add.wasm");
        let wat = dir.join("add.wat");
        std::fs::write(&wasm, ADD_WASM).unwrap();
        std::fs::write(&wat, r#"(module (func (export "f") (result i32) (i32.const 7)))"#).unwrap();
        let engine = Engine::default();
        let mut store = Store::new(&engine, ());
        for (path, export) in [(&wasm, "add"), (&wat, "f")] {
            let module = Module::from_file(&engine, path).unwrap();
            let instance = Instance::new(&mut store, &module, &[]).unwrap();
            assert!(instance.get_func(&store, export).is_some());
        }
        let missing = dir.join("missing.wasm");
        let error = Module::from_file(&engine, &missing).unwrap_err();
        assert!(matches!(error, Error::Io { .. }));
        assert!(error.to_string().starts_with(&format!("cannot read {}: ", missing.display())), "{error}");
        let zeros = dir.join("zeros.wasm");
        std::fs::write(&zeros, [0; 16]).unwrap();
        let error = Module::from_file(&engine, &zeros).unwrap_err();
        assert!(matches!(error, Error::NotAModule { .. }), "{error}");
        assert_eq!(error.to_string(), "not a WebAssembly module (bad magic number)");
        let small = Engine::new(Config::new().max_module_file_size(ADD_WASM.len() as u64 - 1)).unwrap();
        let error = Module::from_file(&small, &wasm).unwrap_err();
        assert!(matches!(error, Error::FileTooLarge { .. }), "{error}");
        assert_eq!(error.to_string(), format!("larger than the limit of {} bytes", ADD_WASM.len() - 1));
    }

    #[test]
    fn modules_list_their_imports_and_exports_with_types() {
        let engine = Engine::default();
        let module = load(
            &engine,
            r#"(module $named
                (import "env" "log" (func (param i32 i32)))
                (import "env" "mem" (memory 1 2))
                (import "env" "g" (global (mut i64)))
                (table (export "t") 3 funcref)
                (global (export "answer") i32 (i32.const 42))
                (func (export "f") (param f32) (result f64 v128) (f64.const 0) (v128.const i64x2 0 0))
                (export "memory" (memory 0)))"#,
        );
        assert_eq!(module.name(), Some("named"));
        let imports: Vec<String> =
            module.imports().map(|i| format!("{}::{}: {}", i.module, i.name, i.ty)).collect();
        assert_eq!(
            imports,
            [
                "env::log: function [i32 i32] -> []",
                "env::mem: memory (min 1, max 2 pages)",
                "env::g: global mut i64",
            ]
        );
        let exports: Vec<String> = module.exports().map(|e| format!("{}: {}", e.name, e.ty)).collect();
        assert_eq!(
            exports,
            [
                "t: table of funcref (min 3, no max elements)",
                "answer: global i32",
                "f: function [f32] -> [f64 v128]",
                "memory: memory (min 1, max 2 pages)",
            ]
        );
        let f = module.exports().find(|e| e.name == "f").unwrap();
        assert_eq!(f.ty, ExternType::Func(FuncType::new(&[ValType::F32], &[ValType::F64, ValType::V128])));
    }
}

mod host_functions {
    use super::*;

    #[test]
    fn typed_closures_with_a_caller_read_and_change_the_store_data() {
        let engine = Engine::default();
        let module = load(
            &engine,
            r#"(module
                (import "host" "count" (func $count (param i32) (result i32)))
                (import "host" "pair" (func $pair (param i64) (result i64 i32)))
                (import "host" "nothing" (func $nothing))
                (func (export "run") (param i32) (result i32)
                  (call $nothing)
                  (drop (call $count (local.get 0)))
                  (call $count (i32.const 10)))
                (func (export "pair") (param i64) (result i64 i32) (call $pair (local.get 0))))"#,
        );
        let mut linker = Linker::<Vec<i32>>::new(&engine);
        linker
            .func_wrap("host", "count", |mut caller: Caller<'_, Vec<i32>>, x: i32| {
                caller.data_mut().push(x);
                caller.data().len() as i32
            })
            .unwrap()
            .func_wrap("host", "pair", |x: i64| (x * 2, x as i32))
            .unwrap()
            .func_wrap("host", "nothing", || {})
            .unwrap();
        let mut store = Store::new(&engine, Vec::new());
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
        assert_eq!(run.call(&mut store, 5).unwrap(), 2);
        assert_eq!(store.data(), &[5, 10]);
        let pair = instance.get_typed_func::<i64, (i64, i32)>(&store, "pair").unwrap();
        assert_eq!(pair.call(&mut store, 21).unwrap(), (42, 21));
        assert_eq!(store.into_data(), [5, 10]);
    }

    #[test]
    fn every_value_type_passes_both_ways() {
        let engine = Engine::default();
        let module = load(
            &engine,
            r#"(module
                (import "host" "echo" (func $echo (param i32 i64 f32 f64 v128) (result i32 i64 f32 f64 v128)))
                (func (export "echo") (param i32 i64 f32 f64 v128) (result i32 i64 f32 f64 v128)
                  (call $echo (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4))))"#,
        );
        let mut linker = Linker::new(&engine);
        linker
            .func_wrap("host", "echo", |a: i32, b: i64, c: f32, d: f64, e: u128| {
                (a + 1, b + 1, c * 2.0, d * 2.0, !e)
            })
            .unwrap();
        let mut store = Store::new(&engine, ());
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let echo =
            instance.get_typed_func::<(i32, i64, f32, f64, u128), (i32, i64, f32, f64, u128)>(&store, "echo");
        let v = 0x0123_4567_89ab_cdef_0011_2233_4455_6677_u128;
        assert_eq!(echo.unwrap().call(&mut store, (1, 2, 1.5, -0.25, v)).unwrap(), (2, 3, 3.0, -0.5, !v));

        // The same through untyped values, with unsigned integers as well.
        let func = instance.get_func(&store, "echo").unwrap();
        let mut results = [Val::I32(0); 5];
        let args = [Val::I32(-1), Val::I64(7), Val::from(0.5f32), Val::from(8.0f64), Val::V128(0)];
        func.call(&mut store, &args, &mut results).unwrap();
        assert_eq!(results, [Val::I32(0), Val::I64(8), Val::from(1.0f32), Val::from(16.0f64), Val::V128(!0)]);
        assert_eq!(results[2].f32(), Some(1.0));
        let unsigned = func.typed::<(u32, u64, f32, f64, u128), (u32, u64, f32, f64, u128)>(&store).unwrap();
        assert_eq!(unsigned.call(&mut store, (u32::MAX - 1, 1, 0.0, 0.0, 0)).unwrap().0, u32::MAX);
    }

    #[test]
    fn nan_payloads_survive_the_host() {
        let engine = Engine::default();
        let mut store = Store::new(&engine, ());
        let instance = instantiate(
            &mut store,
            r#"(module (func (export "id") (param f32) (result f32) (local.get 0)))"#,
        );
        let id = instance.get_func(&store, "id").unwrap();
        let nan = 0x7fa0_0001;
        let mut out = [Val::F32(0)];
        id.call(&mut store, &[Val::F32(nan)], &mut out).unwrap();
        assert_eq!(out, [Val::F32(nan)]);
    }

    #[test]
    fn host_functions_reach_the_callers_memory_through_its_exports() {
        let engine = Engine::default();
        let module = load(
            &engine,
            r#"(module
                (import "wasi" "print" (func $print (param i32 i32) (result i32)))
                (import "wasi" "fill" (func $fill (param i32 i32)))
                (memory (export "memory") 1)
                (data (i32.const 16) "hello from wasm")
                (func (export "run") (result i32)
                  (drop (call $print (i32.const 16) (i32.const 15)))
                  (call $fill (i32.const 100) (i32.const 4))
                  (i32.load (i32.const 100))))"#,
        );
        let mut linker = Linker::<String>::new(&engine);
        linker
            .func_wrap(
                "wasi",
                "print",
                |mut caller: Caller<'_, String>, ptr: u32, len: u32| -> Result<i32, Error> {
                    let Some(Extern::Memory(memory)) = caller.get_export("memory") else {
                        return Err(Error::host("no memory export"));
                    };
                    let mut bytes = vec![0; len as usize];
                    memory.read(&caller, ptr as usize, &mut bytes)?;
                    caller.data_mut().push_str(&String::from_utf8_lossy(&bytes));
                    Ok(len as i32)
                },
            )
            .unwrap()
            .func_wrap("wasi", "fill", |mut caller: Caller<'_, String>, ptr: u32, len: u32| {
                let memory = caller.get_export("memory").and_then(Extern::into_memory).unwrap();
                let (data, text) = memory.data_and_store_mut(&mut caller);
                data[ptr as usize..][..len as usize].copy_from_slice(&text.as_bytes()[..len as usize]);
            })
            .unwrap();
        let mut store = Store::new(&engine, String::new());
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let run = instance.get_typed_func::<(), i32>(&store, "run").unwrap();
        assert_eq!(run.call(&mut store, ()).unwrap(), i32::from_le_bytes(*b"hell"));
        assert_eq!(store.data(), "hello from wasm");
    }

    #[test]
    fn func_wrap_and_func_new_make_store_functions_for_positional_imports() {
        let engine = Engine::default();
        let mut store = Store::new(&engine, 100i64);
        let add = Func::wrap(&mut store, |caller: Caller<'_, i64>, x: i64| x + *caller.data());
        let ty = FuncType::new(&[ValType::I64], &[ValType::I64]);
        let double = Func::new(&mut store, ty.clone(), |_caller, args, results| {
            results[0] = Val::I64(args[0].i64().unwrap() * 2);
            Ok(())
        });
        assert_eq!(add.ty(&store), ty);
        let module = load(
            &engine,
            r#"(module
                (import "" "add" (func $add (param i64) (result i64)))
                (import "" "double" (func $double (param i64) (result i64)))
                (func (export "run") (param i64) (result i64) (call $double (call $add (local.get 0)))))"#,
        );
        let instance = Instance::new(&mut store, &module, &[add.into(), double.into()]).unwrap();
        let run = instance.get_typed_func::<i64, i64>(&store, "run").unwrap();
        assert_eq!(run.call(&mut store, 1).unwrap(), 202);
        // Host functions can be called directly too.
        assert_eq!(add.typed::<i64, i64>(&store).unwrap().call(&mut store, 5).unwrap(), 105);
    }

    #[test]
    fn one_linker_serves_many_stores_and_instances() {
        let engine = Engine::default();
        let module = load(
            &engine,
            r#"(module (import "" "tick" (func $tick (result i32)))
                 (func (export "run") (result i32) (call $tick)))"#,
        );
        let calls = Arc::new(AtomicU32::new(0));
        let mut linker = Linker::new(&engine);
        let counter = calls.clone();
        linker
            .func_wrap("", "tick", move |mut caller: Caller<'_, i32>| {
                counter.fetch_add(1, Ordering::Relaxed);
                *caller.data_mut() += 1;
                *caller.data()
            })
            .unwrap();
        for _ in 0..2 {
            let mut store = Store::new(&engine, 0);
            for expected in 1..=3 {
                let instance = linker.instantiate(&mut store, &module).unwrap();
                let run = instance.get_typed_func::<(), i32>(&store, "run").unwrap();
                assert_eq!(run.call(&mut store, ()).unwrap(), expected);
            }
            // One copy of the host function per store, however many instances import it.
            let a = linker.get(&mut store, "", "tick").unwrap();
            assert_eq!(linker.get(&mut store, "", "tick"), Some(a));
        }
        assert_eq!(calls.load(Ordering::Relaxed), 6);
    }

    #[test]
    fn externrefs_carry_host_values_through_wasm() {
        let engine = Engine::default();
        let mut store = Store::new(&engine, ());
        let instance = instantiate(
            &mut store,
            r#"(module
                (table $t (export "refs") 2 externref)
                (func (export "keep") (param externref) (table.set $t (i32.const 1) (local.get 0)))
                (func (export "id") (param externref) (result externref) (local.get 0)))"#,
        );
        let value = ExternRef::new(&mut store, String::from("host value"));
        let id = instance.get_typed_func::<Option<ExternRef>, Option<ExternRef>>(&store, "id").unwrap();
        let back = id.call(&mut store, Some(value)).unwrap().unwrap();
        assert_eq!(back.data(&store).downcast_ref::<String>().unwrap(), "host value");
        assert_eq!(id.call(&mut store, None).unwrap(), None);
        let keep = instance.get_func(&store, "keep").unwrap();
        keep.call(&mut store, &[Val::ExternRef(Some(value))], &mut []).unwrap();
        let table = instance.get_table(&store, "refs").unwrap();
        assert_eq!(table.get(&store, 1), Some(Val::ExternRef(Some(value))));
        assert_eq!(table.get(&store, 0), Some(Val::ExternRef(None)));
    }
}

mod reentrancy {
    use super::*;

    /// `ping(n)` calls the host's `pong(n)`, which calls `ping(n - 1)` back, down to 0.
    const PING_PONG: &str = r#"(module
        (import "host" "pong" (func $pong (param i32) (result i32)))
        (func $ping (export "ping") (param i32) (result i32)
          (if (result i32) (i32.eqz (local.get 0))
            (then (i32.const 0))
            (else (i32.add (i32.const 1) (call $pong (local.get 0))))))
        (func $crash (export "crash") (param i32) (result i32) (unreachable)))"#;

    fn linker(engine: &Engine, target: &'static str) -> Linker<u32> {
        let mut linker = Linker::new(engine);
        linker
            .func_wrap("host", "pong", move |mut caller: Caller<'_, u32>, n: i32| -> Result<i32, Error> {
                *caller.data_mut() += 1;
                let ping = caller.get_export(target).and_then(Extern::into_func).unwrap();
                let ping = ping.typed::<i32, i32>(&caller)?;
                Ok(ping.call(&mut caller, n - 1)?.wrapping_mul(10))
            })
            .unwrap();
        linker
    }

    #[test]
    fn host_calls_wasm_calls_host() {
        let engine = Engine::default();
        let module = load(&engine, PING_PONG);
        let mut store = Store::new(&engine, 0);
        let instance = linker(&engine, "ping").instantiate(&mut store, &module).unwrap();
        let ping = instance.get_typed_func::<i32, i32>(&store, "ping").unwrap();
        // 1 + 10 * (1 + 10 * (1 + 10 * 0))
        assert_eq!(ping.call(&mut store, 3).unwrap(), 111);
        assert_eq!(*store.data(), 3);
        // Deep enough to show nested entries clean up after themselves.
        ping.call(&mut store, 50).unwrap();
        assert_eq!(*store.data(), 53);
        assert_eq!(ping.call(&mut store, 1).unwrap(), 1);
    }

    #[test]
    fn deep_reentry_is_call_stack_exhausted_not_a_native_stack_overflow() {
        for (config, deepest) in [(Config::new(), 99), (Config::new().max_reentry_depth(5).clone(), 4)] {
            let engine = Engine::new(&config).unwrap();
            let module = load(&engine, PING_PONG);
            let mut store = Store::new(&engine, 0);
            let instance = linker(&engine, "ping").instantiate(&mut store, &module).unwrap();
            let ping = instance.get_typed_func::<i32, i32>(&store, "ping").unwrap();
            assert!(ping.call(&mut store, deepest).is_ok());
            let error = ping.call(&mut store, deepest + 1).unwrap_err();
            assert_eq!(error.trap_kind(), Some(&TrapKind::CallStackExhausted));
            assert_eq!(error.backtrace().len(), deepest as usize + 1);
            let error = ping.call(&mut store, 100_000).unwrap_err();
            assert_eq!(error.trap_kind(), Some(&TrapKind::CallStackExhausted));
            assert_eq!(ping.call(&mut store, 1).unwrap(), 1);
        }
    }

    #[test]
    fn a_trap_in_a_nested_call_reaches_the_embedder_with_every_frame() {
        let engine = Engine::default();
        let module = load(&engine, PING_PONG);
        let mut store = Store::new(&engine, 0);
        let instance = linker(&engine, "crash").instantiate(&mut store, &module).unwrap();
        let ping = instance.get_typed_func::<i32, i32>(&store, "ping").unwrap();
        let error = ping.call(&mut store, 5).unwrap_err();
        assert_eq!(error.trap_kind(), Some(&TrapKind::Unreachable));
        let names: Vec<_> = error.backtrace().iter().map(|f| f.func_name.as_deref().unwrap()).collect();
        assert_eq!(names, ["crash", "ping"]);
        // The store still works.
        let ping = linker(&engine, "ping").instantiate(&mut store, &module).unwrap();
        let ping = ping.get_typed_func::<i32, i32>(&store, "ping").unwrap();
        assert_eq!(ping.call(&mut store, 2).unwrap(), 11);
    }
}

mod traps {
    use super::*;

    const TRAPPING: &str = r#"(module
        (import "host" "fail" (func $fail (param i32)))
        (func $divide (export "divide") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
        (func $middle (param i32) (result i32) (call $divide (i32.const 1) (local.get 0)))
        (func $outer (export "outer") (param i32) (result i32) (call $middle (local.get 0)))
        (func $calls_host (export "calls_host") (call $fail (i32.const 3))))"#;

    #[derive(Debug, PartialEq)]
    struct Exit(i32);

    impl std::fmt::Display for Exit {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "exit with status {}", self.0)
        }
    }

    impl std::error::Error for Exit {}

    fn setup() -> (Store<()>, Instance) {
        let engine = Engine::default();
        let module = load(&engine, TRAPPING);
        let mut linker = Linker::new(&engine);
        linker
            .func_wrap("host", "fail", |code: i32| -> Result<(), Error> { Err(Error::host(Exit(code))) })
            .unwrap();
        let mut store = Store::new(&engine, ());
        let instance = linker.instantiate(&mut store, &module).unwrap();
        (store, instance)
    }

    #[test]
    fn traps_carry_their_kind_and_a_backtrace_with_function_names() {
        let (mut store, instance) = setup();
        let outer = instance.get_typed_func::<i32, i32>(&store, "outer").unwrap();
        let error = outer.call(&mut store, 0).unwrap_err();
        let trap: &Trap = error.as_trap().unwrap();
        assert_eq!(trap.kind, TrapKind::IntegerDivideByZero);
        let names: Vec<_> = trap.backtrace.iter().map(|f| f.func_name.as_deref().unwrap()).collect();
        assert_eq!(names, ["divide", "middle", "outer"]);
        let message = error.to_string();
        assert!(
            message.starts_with("wasm trap: integer divide by zero\nwasm backtrace:\n  0: 0x"),
            "{message}"
        );
        assert!(message.contains(" - divide\n  1: 0x") && message.ends_with(" - outer"), "{message}");
        // The same instance goes on working after a trap.
        assert_eq!(outer.call(&mut store, 1).unwrap(), 1);
        let divide = instance.get_typed_func::<(i32, i32), i32>(&store, "divide").unwrap();
        assert_eq!(
            divide.call(&mut store, (i32::MIN, -1)).unwrap_err().trap_kind(),
            Some(&TrapKind::IntegerOverflow)
        );
    }

    #[test]
    fn host_errors_come_back_as_they_were_with_a_backtrace() {
        let (mut store, instance) = setup();
        let calls_host = instance.get_typed_func::<(), ()>(&store, "calls_host").unwrap();
        let error = calls_host.call(&mut store, ()).unwrap_err();
        assert_eq!(error.downcast_ref::<Exit>(), Some(&Exit(3)));
        assert!(error.as_trap().is_none());
        assert_eq!(error.backtrace().len(), 1);
        assert!(
            error
                .to_string()
                .starts_with("host function failed: exit with status 3\nwasm backtrace:\n  0: 0x")
        );
        assert!(error.to_string().ends_with(" - calls_host"), "{error}");
    }

    #[test]
    fn host_traps_keep_their_message() {
        let engine = Engine::default();
        let mut store = Store::new(&engine, ());
        let fail = Func::wrap(&mut store, || -> Result<i32, Trap> { Err(Trap::host("refused")) });
        let error = fail.typed::<(), i32>(&store).unwrap().call(&mut store, ()).unwrap_err();
        assert_eq!(error.trap_kind(), Some(&TrapKind::Host("refused".into())));
        assert_eq!(error.to_string(), "wasm trap: refused");
    }

    #[test]
    fn deep_recursion_is_call_stack_exhausted_at_the_configured_depth() {
        let engine = Engine::new(Config::new().max_call_depth(50)).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = instantiate(
            &mut store,
            r#"(module (func $down (export "down") (param i32) (result i32)
                (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
                  (else (call $down (i32.sub (local.get 0) (i32.const 1)))))))"#,
        );
        let down = instance.get_typed_func::<i32, i32>(&store, "down").unwrap();
        assert_eq!(down.call(&mut store, 40).unwrap(), 0);
        let error = down.call(&mut store, 1000).unwrap_err();
        assert_eq!(error.trap_kind(), Some(&TrapKind::CallStackExhausted));
    }

    #[test]
    fn a_trap_during_instantiation_is_reported_as_such() {
        let engine = Engine::default();
        let mut store = Store::new(&engine, ());
        let module = load(&engine, r#"(module (func $start (unreachable)) (start $start))"#);
        let error = Instance::new(&mut store, &module, &[]).unwrap_err();
        assert!(matches!(error, Error::Instantiation(_)));
        assert_eq!(error.trap_kind(), Some(&TrapKind::Unreachable));
        assert!(
            error.to_string().starts_with("instantiation failed: wasm trap: unreachable\nwasm backtrace:")
        );
        assert!(error.to_string().ends_with(" - start"), "{error}");

        let module = load(&engine, r#"(module (memory 1) (data (i32.const 65535) "ab"))"#);
        let error = Instance::new(&mut store, &module, &[]).unwrap_err();
        assert_eq!(error.trap_kind(), Some(&TrapKind::MemoryOutOfBounds));
        assert_eq!(error.to_string(), "instantiation failed: wasm trap: out of bounds memory access");
    }
}

mod memories {
    use super::*;

    const GROWING: &str = r#"(module
        (memory (export "memory") 1 4)
        (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
        (func (export "size") (result i32) (memory.size))
        (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))"#;

    #[test]
    fn memory_grows_from_wasm_and_from_the_host_without_moving() {
        let engine = Engine::default();
        let mut store = Store::new(&engine, ());
        let instance = instantiate(&mut store, GROWING);
        let memory = instance.get_memory(&store, "memory").unwrap();
        let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
        let size = instance.get_typed_func::<(), i32>(&store, "size").unwrap();
        let load = instance.get_typed_func::<i32, i32>(&store, "load").unwrap();
        let base = memory.data(&store).as_ptr();

        assert_eq!(grow.call(&mut store, 1).unwrap(), 1);
        assert_eq!(memory.size(&store), 2);
        assert_eq!(memory.data_size(&store), 2 * PAGE_SIZE);

        assert_eq!(memory.grow(&mut store, 1).unwrap(), 2);
        assert_eq!(size.call(&mut store, ()).unwrap(), 3);
        assert_eq!(memory.data(&store).as_ptr(), base);

        // The host writes where only the grown memory reaches; Wasm reads it.
        let offset = 3 * PAGE_SIZE - 4;
        memory.write(&mut store, offset, &7i32.to_le_bytes()).unwrap();
        assert_eq!(load.call(&mut store, offset as i32).unwrap(), 7);
        memory.data_mut(&mut store)[0] = 9;
        assert_eq!(load.call(&mut store, 0).unwrap(), 9);

        // Past the declared maximum: -1 in Wasm, an error for the host.
        assert_eq!(grow.call(&mut store, 2).unwrap(), -1);
        let error = memory.grow(&mut store, 2).unwrap_err();
        assert_eq!(error.to_string(), "cannot grow the memory from 3 by 2: its maximum is 4");
        assert_eq!(memory.ty(&store), MemoryType::new(Limits { min: 3, max: Some(4) }));
    }

    #[test]
    fn the_store_limit_caps_growth_and_initial_size() {
        let engine = Engine::new(Config::new().max_memory_pages(2)).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = instantiate(&mut store, GROWING);
        let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
        assert_eq!(grow.call(&mut store, 1).unwrap(), 1);
        assert_eq!(grow.call(&mut store, 1).unwrap(), -1);

        let big = load(&engine, "(module (memory 3))");
        let error = Instance::new(&mut store, &big, &[]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "out of resources: a memory of 3 pages (196608 bytes) exceeds the store's limit of 2 pages"
        );
        let error = Memory::new(&mut store, MemoryType::new(Limits { min: 5, max: None })).unwrap_err();
        assert!(matches!(error, Error::Resource(_)), "{error}");
    }

    #[test]
    fn memories_and_tables_with_64_bit_indices_link_by_index_type() {
        let engine = Engine::default();
        let mut store = Store::new(&engine, ());
        let limits = Limits { min: 1, max: Some(10) };
        let memory = Memory::new(&mut store, MemoryType { index_type: IndexType::I64, limits }).unwrap();
        // It reserves as a 32-bit memory does, so that compiled code leaves its addresses
        // below 2^31 to the guard region; without a guard, its maximum.
        let narrow = Memory::new(&mut store, MemoryType { index_type: IndexType::I32, limits }).unwrap();
        assert_eq!(memory.reserved_bytes(&store), narrow.reserved_bytes(&store));
        let unguarded =
            Engine::new(Config::new().memory_reservation(MemoryReservation::Maximum { guard: 0 })).unwrap();
        let mut unguarded = Store::new(&unguarded, ());
        let small = Memory::new(&mut unguarded, MemoryType { index_type: IndexType::I64, limits }).unwrap();
        assert_eq!(small.reserved_bytes(&unguarded), 10 * PAGE_SIZE);
        let ty = TableType { elem: stratus::RefType::FuncRef, index_type: IndexType::I64, limits };
        let table = Table::new(&mut store, ty, Val::FuncRef(None)).unwrap();
        let module = load(
            &engine,
            r#"(module
                (import "host" "mem" (memory i64 1))
                (import "host" "tab" (table i64 1 funcref))
                (func (export "store") (param i64 i32) (i32.store (local.get 0) (local.get 1)))
                (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
                (func (export "table_size") (result i64) (table.size)))"#,
        );
        let imports = [Extern::Memory(memory), Extern::Table(table)];
        let instance = Instance::new(&mut store, &module, &imports).unwrap();
        let store_i32 = instance.get_typed_func::<(i64, i32), ()>(&store, "store").unwrap();
        store_i32.call(&mut store, (65532, 0x2a)).unwrap();
        assert_eq!(memory.data(&store)[65532], 0x2a);
        let error = store_i32.call(&mut store, (1 << 40, 1)).unwrap_err();
        assert!(error.to_string().contains("out of bounds memory access"), "{error}");
        let grow = instance.get_typed_func::<i64, i64>(&store, "grow").unwrap();
        assert_eq!(grow.call(&mut store, 9).unwrap(), 1);
        assert_eq!(grow.call(&mut store, 1).unwrap(), -1);
        assert_eq!(grow.call(&mut store, 1 << 40).unwrap(), -1);
        let table_size = instance.get_typed_func::<(), i64>(&store, "table_size").unwrap();
        assert_eq!(table_size.call(&mut store, ()).unwrap(), 1);

        // A memory or table of the other index type does not fit the import.
        let narrow = Memory::new(&mut store, MemoryType::new(Limits { min: 1, max: None })).unwrap();
        let error =
            Instance::new(&mut store, &module, &[Extern::Memory(narrow), Extern::Table(table)]).unwrap_err();
        assert!(
            error.to_string().contains("expected a memory indexed by i64, found one indexed by i32"),
            "{error}"
        );
    }

    #[test]
    fn host_reads_and_writes_are_bounds_checked() {
        let engine = Engine::default();
        let mut store = Store::new(&engine, ());
        let memory = Memory::new(&mut store, MemoryType::new(Limits { min: 1, max: Some(1) })).unwrap();
        let mut buf = [0u8; 4];
        memory.read(&store, PAGE_SIZE - 4, &mut buf).unwrap();
        let error = memory.read(&store, PAGE_SIZE - 3, &mut buf).unwrap_err();
        assert_eq!(
            error.to_string(),
            "out of bounds memory access: 4 bytes at offset 65533 in a memory of 65536 bytes"
        );
        let error = memory.write(&mut store, usize::MAX, &[1]).unwrap_err();
        assert!(matches!(error, Error::MemoryAccess { offset: usize::MAX, len: 1, size: 65536 }));
    }

    #[test]
    fn modules_share_a_memory_through_the_linker() {
        let engine = Engine::default();
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        let provider = load(&engine, r#"(module (memory (export "mem") 1) (data (i32.const 0) "\2a"))"#);
        linker.module(&mut store, "provider", &provider).unwrap();
        let user = load(
            &engine,
            r#"(module (import "provider" "mem" (memory 1))
                (func (export "first") (result i32) (i32.load8_u (i32.const 0))))"#,
        );
        let instance = linker.instantiate(&mut store, &user).unwrap();
        let first = instance.get_typed_func::<(), i32>(&store, "first").unwrap();
        assert_eq!(first.call(&mut store, ()).unwrap(), 42);

        // And a host memory given to a module by the linker.
        let host_memory = Memory::new(&mut store, MemoryType::new(Limits { min: 1, max: None })).unwrap();
        host_memory.write(&mut store, 0, &[5]).unwrap();
        let mut linker = Linker::new(&engine);
        linker.define("provider", "mem", host_memory).unwrap();
        let instance = linker.instantiate(&mut store, &user).unwrap();
        let first = instance.get_typed_func::<(), i32>(&store, "first").unwrap();
        assert_eq!(first.call(&mut store, ()).unwrap(), 5);
    }
}

mod globals_and_tables {
    use super::*;

    #[test]
    fn globals_are_read_and_set_from_the_host() {
        let engine = Engine::default();
        let mut store = Store::new(&engine, ());
        let base =
            Global::new(&mut store, GlobalType { content: ValType::I32, mutable: false }, Val::I32(40))
                .unwrap();
        let module = load(
            &engine,
            r#"(module
                (import "env" "base" (global $base i32))
                (global $counter (export "counter") (mut i64) (i64.const 0))
                (global (export "const") f64 (f64.const 1.5))
                (func (export "bump") (result i32)
                  (global.set $counter (i64.add (global.get $counter) (i64.const 1)))
                  (i32.add (global.get $base) (i32.wrap_i64 (global.get $counter)))))"#,
        );
        let instance = Instance::new(&mut store, &module, &[base.into()]).unwrap();
        let counter = instance.get_global(&store, "counter").unwrap();
        let bump = instance.get_typed_func::<(), i32>(&store, "bump").unwrap();
        assert_eq!(bump.call(&mut store, ()).unwrap(), 41);
        assert_eq!(counter.get(&store), Val::I64(1));
        counter.set(&mut store, Val::I64(10)).unwrap();
        assert_eq!(bump.call(&mut store, ()).unwrap(), 51);
        assert_eq!(counter.ty(&store), GlobalType { content: ValType::I64, mutable: true });

        let constant = instance.get_global(&store, "const").unwrap();
        assert_eq!(constant.get(&store).f64(), Some(1.5));
        assert_eq!(
            constant.set(&mut store, Val::from(2.0f64)).unwrap_err().to_string(),
            "cannot set an immutable global"
        );
        let error = counter.set(&mut store, Val::I32(1)).unwrap_err();
        assert_eq!(error.to_string(), "Global::set: expected a value of type i64, found i32");
        let error = Global::new(&mut store, GlobalType { content: ValType::F32, mutable: true }, Val::I32(0));
        assert_eq!(error.unwrap_err().to_string(), "Global::new: expected a value of type f32, found i32");
    }

    /// Wasm 3.0's extended constant expressions: `i32`/`i64` `add`, `sub` and `mul` in
    /// global initialisers, segment offsets and element expressions, evaluated with
    /// wrapping arithmetic at instantiation, whatever the tier.
    #[test]
    fn extended_constant_expressions_compute_at_instantiation() {
        let engine = Engine::default();
        let mut store = Store::new(&engine, ());
        let base =
            Global::new(&mut store, GlobalType { content: ValType::I32, mutable: false }, Val::I32(10))
                .unwrap();
        let module = load(
            &engine,
            r#"(module
                (import "env" "base" (global $base i32))
                (global (export "sum") i32 (i32.add (global.get $base) (i32.const 5)))
                (global (export "wrapped") i32 (i32.mul (i32.const 0x10000) (i32.const 0x10001)))
                (global (export "wide") i64 (i64.sub (i64.mul (i64.const 3) (i64.const 7)) (i64.const 25)))
                (memory (export "memory") 1)
                (data (i32.sub (i32.mul (global.get $base) (i32.const 4)) (i32.const 1)) "\2a")
                (table (export "table") 20 funcref)
                (elem (i32.add (global.get $base) (i32.const 2)) func $f)
                (func $f))"#,
        );
        let instance = Instance::new(&mut store, &module, &[base.into()]).unwrap();
        let global = |name: &str| instance.get_global(&store, name).unwrap().get(&store);
        assert_eq!(global("sum"), Val::I32(15));
        assert_eq!(global("wrapped"), Val::I32(0x10000));
        assert_eq!(global("wide"), Val::I64(-4));
        let mut byte = [0u8];
        instance.get_memory(&store, "memory").unwrap().read(&store, 39, &mut byte).unwrap();
        assert_eq!(byte, [42]);
        let table = instance.get_table(&store, "table").unwrap();
        assert!(matches!(table.get(&store, 12), Some(Val::FuncRef(Some(_)))));
        assert_eq!(table.get(&store, 11), Some(Val::FuncRef(None)));

        let error = |text: &str| Module::new(&engine, text).unwrap_err().to_string();
        assert!(
            error("(module (global i32 (i32.add (i32.const 1) (i64.const 2))))").contains("type mismatch"),
            "operands of the wrong type"
        );
        assert!(
            error("(module (global i32 (i32.div_s (i32.const 1) (i32.const 2))))")
                .contains("constant expression required"),
            "division is not a constant instruction"
        );
        // As many values at once as the validator allows (65,536 ones, then their sum),
        // and one more.
        let deep = |values: usize| {
            let ones = "(i32.const 1)".repeat(values);
            let adds = " i32.add".repeat(values - 1);
            format!("(module (global (export \"sum\") i32 {ones}{adds}))")
        };
        let mut store = Store::new(&engine, ());
        let instance = Instance::new(&mut store, &load(&engine, &deep(65_536)), &[]).unwrap();
        assert_eq!(instance.get_global(&store, "sum").unwrap().get(&store), Val::I32(65_536));
        assert!(
            error(&deep(65_537))
                .contains("constant expression too deep: more than 65536 values on its stack"),
            "{}",
            error(&deep(65_537))
        );
    }

    #[test]
    fn tables_hold_functions_the_host_can_call_and_change() {
        let engine = Engine::default();
        let mut store = Store::new(&engine, ());
        let instance = instantiate(
            &mut store,
            r#"(module
                (type $unary (func (param i32) (result i32)))
                (table $t (export "table") 2 10 funcref)
                (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
                (func $neg (export "neg") (param i32) (result i32) (i32.sub (i32.const 0) (local.get 0)))
                (elem (i32.const 0) $inc)
                (func (export "apply") (param i32 i32) (result i32)
                  (call_indirect (type $unary) (local.get 1) (local.get 0))))"#,
        );
        let table = instance.get_table(&store, "table").unwrap();
        let apply = instance.get_typed_func::<(i32, i32), i32>(&store, "apply").unwrap();
        assert_eq!(table.size(&store), 2);
        assert_eq!(apply.call(&mut store, (0, 41)).unwrap(), 42);

        let Some(Val::FuncRef(Some(inc))) = table.get(&store, 0) else { panic!("no function in slot 0") };
        assert_eq!(inc.typed::<i32, i32>(&store).unwrap().call(&mut store, 1).unwrap(), 2);
        assert_eq!(table.get(&store, 1), Some(Val::FuncRef(None)));
        assert_eq!(table.get(&store, 2), None);
        let error = apply.call(&mut store, (1, 0)).unwrap_err();
        assert_eq!(error.trap_kind(), Some(&TrapKind::UninitializedElement(1)));

        let neg = instance.get_func(&store, "neg").unwrap();
        table.set(&mut store, 1, neg.into()).unwrap();
        assert_eq!(apply.call(&mut store, (1, 5)).unwrap(), -5);

        let host = Func::wrap(&mut store, |x: i32| x * 100);
        assert_eq!(table.grow(&mut store, 3, host.into()).unwrap(), 2);
        assert_eq!(apply.call(&mut store, (4, 3)).unwrap(), 300);
        assert_eq!(
            table.ty(&store),
            TableType::new(stratus::RefType::FuncRef, Limits { min: 5, max: Some(10) })
        );

        let error = table.set(&mut store, 5, Val::FuncRef(None)).unwrap_err();
        assert_eq!(error.to_string(), "out of bounds table access: index 5 in a table of 5 elements");
        let error = table.set(&mut store, 0, Val::I32(0)).unwrap_err();
        assert_eq!(error.to_string(), "Table::set: expected a value of type funcref, found i32");
        let error = table.grow(&mut store, 6, Val::FuncRef(None)).unwrap_err();
        assert_eq!(error.to_string(), "cannot grow the table from 5 by 6: its maximum is 10");
        let own = Table::new(
            &mut store,
            TableType::new(stratus::RefType::ExternRef, Limits { min: 1, max: None }),
            Val::ExternRef(None),
        );
        assert_eq!(own.unwrap().size(&store), 1);
    }

    #[test]
    fn instances_list_their_exports() {
        let engine = Engine::default();
        let mut store = Store::new(&engine, ());
        let instance = instantiate(
            &mut store,
            r#"(module (memory (export "m") 1) (func (export "f")) (global (export "g") i32 (i32.const 1))
                (table (export "t") 1 funcref))"#,
        );
        let exports: Vec<(&str, &str)> =
            instance.exports(&store).map(|(name, ext)| (name, ext.kind_name())).collect();
        assert_eq!(exports, [("m", "memory"), ("f", "function"), ("g", "global"), ("t", "table")]);
        let types: Vec<String> =
            instance.exports(&store).map(|(_, ext)| ext.ty(&store).to_string()).collect();
        assert_eq!(types[1], "function [] -> []");
    }
}

/// Every misuse is an error with a message that says what was expected and what was
/// found; none panics.
mod errors {
    use super::*;

    #[test]
    fn api_objects_can_move_between_threads() {
        fn send_sync<T: Send + Sync>() {}
        fn send<T: Send>() {}
        send_sync::<Engine>();
        send_sync::<Module>();
        send_sync::<Linker<()>>();
        send_sync::<Error>();
        send_sync::<Func>();
        send::<Store<()>>();
    }

    fn add_instance() -> (Store<()>, Instance) {
        let engine = Engine::default();
        let mut store = Store::new(&engine, ());
        let instance = instantiate(
            &mut store,
            r#"(module
                (memory (export "memory") 1)
                (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))"#,
        );
        (store, instance)
    }

    #[test]
    fn calls_with_wrong_argument_types_or_counts() {
        let (mut store, instance) = add_instance();
        let add = instance.get_func(&store, "add").unwrap();
        let mut results = [Val::I32(0)];

        let error = add.call(&mut store, &[Val::I32(1), Val::I64(2)], &mut results).unwrap_err();
        assert!(matches!(
            error,
            Error::ArgumentType { index: 1, expected: ValType::I32, found: ValType::I64, .. }
        ));
        assert_eq!(
            error.to_string(),
            "argument 1 has the wrong type: expected i32, found i64 (the function's type is [i32 i32] -> [i32])"
        );

        let error = add.call(&mut store, &[Val::I32(1)], &mut results).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the function of type [i32 i32] -> [i32] takes 2 arguments, but 1 was given"
        );
        let error = add.call(&mut store, &[Val::I32(1); 3], &mut results).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the function of type [i32 i32] -> [i32] takes 2 arguments, but 3 were given"
        );

        let error = add.call(&mut store, &[Val::I32(1), Val::I32(2)], &mut []).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the function of type [i32 i32] -> [i32] returns 1 result, but room for 0 was given"
        );

        add.call(&mut store, &[Val::I32(1), Val::I32(2)], &mut results).unwrap();
        assert_eq!(results, [Val::I32(3)]);
    }

    #[test]
    fn missing_exports_and_exports_of_the_wrong_kind() {
        let (store, instance) = add_instance();
        let error = instance.get_typed_func::<(), ()>(&store, "nope").unwrap_err();
        assert!(matches!(&error, Error::MissingExport { name } if name == "nope"));
        assert_eq!(error.to_string(), "the instance has no export named `nope`");
        assert!(instance.get_func(&store, "nope").is_none());

        let error = instance.get_typed_func::<(), ()>(&store, "memory").unwrap_err();
        assert_eq!(error.to_string(), "the export `memory` is a memory, not a function");
        assert!(instance.get_func(&store, "memory").is_none());
        assert!(instance.get_memory(&store, "add").is_none());
    }

    #[test]
    fn typed_functions_check_the_signature() {
        let (store, instance) = add_instance();
        let error = instance.get_typed_func::<(i64, i64), i64>(&store, "add").unwrap_err();
        assert_eq!(
            error.to_string(),
            "function type mismatch for `add`: expected [i64 i64] -> [i64], found [i32 i32] -> [i32]"
        );
        let error = instance.get_typed_func::<(i32, i32), ()>(&store, "add").unwrap_err();
        assert!(matches!(error, Error::SignatureMismatch { .. }));
        let add = instance.get_func(&store, "add").unwrap();
        let error = add.typed::<i32, i32>(&store).unwrap_err();
        assert_eq!(
            error.to_string(),
            "function type mismatch: expected [i32] -> [i32], found [i32 i32] -> [i32]"
        );
    }

    #[test]
    fn unknown_and_incompatible_imports() {
        let engine = Engine::default();
        let mut store = Store::new(&engine, ());
        let module = load(
            &engine,
            r#"(module (import "env" "log" (func (param i32))) (import "env" "g" (global (mut i32))))"#,
        );
        let mut linker = Linker::new(&engine);
        let error = linker.instantiate(&mut store, &module).unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown import: `env::log` is not defined (the module expects a function [i32] -> [])"
        );

        linker.func_wrap("env", "log", |_: i64| {}).unwrap();
        let mutable =
            Global::new(&mut store, GlobalType { content: ValType::I32, mutable: true }, Val::I32(0));
        linker.define("env", "g", mutable.unwrap()).unwrap();
        let error = linker.instantiate(&mut store, &module).unwrap_err();
        let Error::IncompatibleImport { module: import_module, name, .. } = &error else { panic!("{error}") };
        assert_eq!((import_module.as_str(), name.as_str()), ("env", "log"));
        assert_eq!(
            error.to_string(),
            "incompatible import type for `env::log`: expected a function of type [i32] -> [], found [i64] -> []"
        );

        let mut linker = Linker::new(&engine);
        linker.func_wrap("env", "log", |_: i32| {}).unwrap();
        let immutable =
            Global::new(&mut store, GlobalType { content: ValType::I32, mutable: false }, Val::I32(0));
        linker.define("env", "g", immutable.unwrap()).unwrap();
        let error = linker.instantiate(&mut store, &module).unwrap_err();
        assert_eq!(
            error.to_string(),
            "incompatible import type for `env::g`: expected a global of type mut i32, found i32"
        );

        let mut linker = Linker::new(&engine);
        linker.func_wrap("env", "log", |_: i32| {}).unwrap().func_wrap("env", "g", || {}).unwrap();
        let error = linker.instantiate(&mut store, &module).unwrap_err();
        assert_eq!(
            error.to_string(),
            "incompatible import type for `env::g`: expected a global, found a function"
        );

        let memory_module = load(&engine, r#"(module (import "env" "m" (memory 2 3)))"#);
        let small = Memory::new(&mut store, MemoryType::new(Limits { min: 1, max: Some(3) })).unwrap();
        let error = Instance::new(&mut store, &memory_module, &[small.into()]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "incompatible import type for `env::m`: expected at least 2 as the minimum size, found 1"
        );
        let error = Instance::new(&mut store, &memory_module, &[]).unwrap_err();
        assert_eq!(error.to_string(), "the module has 1 imports, but 0 were given");
    }

    #[test]
    fn linker_definitions_do_not_shadow_unless_allowed() {
        let engine = Engine::default();
        let mut linker = Linker::<()>::new(&engine);
        linker.func_wrap("env", "f", || {}).unwrap();
        let error = linker.func_wrap("env", "f", |_: i32| {}).unwrap_err();
        assert_eq!(error.to_string(), "`env::f` is already defined in the linker");
        linker.allow_shadowing(true).func_wrap("env", "f", |_: i32| {}).unwrap();
    }

    #[test]
    fn malformed_invalid_and_unparsable_modules_say_where() {
        let engine = Engine::default();
        let error = Module::new(&engine, b"\0asm\x02\0\0\0").unwrap_err();
        assert!(matches!(error, Error::InvalidModule { offset: 4, from_text: false, .. }), "{error:?}");
        assert!(error.to_string().starts_with("invalid module at offset 0x4: "), "{error}");

        let error = Module::new(&engine, &ADD_WASM[..ADD_WASM.len() - 1]).unwrap_err();
        assert!(error.to_string().starts_with("invalid module at offset 0x"), "{error}");

        let error = Module::new(&engine, "(module\n  (func (result i32) (i64.const 1)))").unwrap_err();
        assert!(matches!(error, Error::InvalidModule { from_text: true, .. }));
        assert!(error.to_string().contains("type mismatch"), "{error}");
        assert!(error.to_string().ends_with("(offset in the binary encoding of the text)"), "{error}");

        let error = Module::new(&engine, "(module\n  (func (i32.bogus)))").unwrap_err();
        assert!(matches!(error, Error::Text { line: 2, column: 10, .. }), "{error:?}");
        assert!(error.to_string().starts_with("2:10: "), "{error}");
    }

    #[test]
    fn handles_from_another_store_are_refused() {
        let (mut store, instance) = add_instance();
        let (mut other, _) = add_instance();
        let add = instance.get_func(&store, "add").unwrap();
        let error = add.call(&mut other, &[Val::I32(1), Val::I32(2)], &mut [Val::I32(0)]).unwrap_err();
        assert_eq!(error.to_string(), "an object was used with a store it does not belong to");
        assert!(matches!(instance.get_typed_func::<(), ()>(&other, "add"), Err(Error::StoreMismatch)));
        let memory = instance.get_memory(&store, "memory").unwrap();
        assert!(matches!(memory.write(&mut other, 0, &[1]), Err(Error::StoreMismatch)));
        // A reference from another store cannot be passed in as an argument either.
        let table_owner = instantiate(&mut other, r#"(module (func (export "take") (param funcref)))"#);
        let take = table_owner.get_func(&other, "take").unwrap();
        let error = take.call(&mut other, &[Val::FuncRef(Some(add))], &mut []).unwrap_err();
        assert!(matches!(error, Error::StoreMismatch));
        assert_eq!(
            add.call(&mut store, &[Val::I32(1), Val::I32(2)], &mut [Val::I32(0)]).map(drop).ok(),
            Some(())
        );
    }

    #[test]
    fn modules_of_another_engine_are_refused() {
        let engine = Engine::default();
        let module = load(&Engine::default(), "(module)");
        let mut store = Store::new(&engine, ());
        let error = Instance::new(&mut store, &module, &[]).unwrap_err();
        assert_eq!(error.to_string(), "the module was compiled with another engine than the store's");
    }

    #[test]
    fn host_functions_returning_the_wrong_type_fail_cleanly() {
        let engine = Engine::default();
        let mut store = Store::new(&engine, ());
        let ty = FuncType::new(&[], &[ValType::I32]);
        let bad = Func::new(&mut store, ty, |_, _, results| {
            results[0] = Val::I64(1);
            Ok(())
        });
        let error = bad.call(&mut store, &[], &mut [Val::I32(0)]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "host function failed: host function result: expected a value of type i32, found i64"
        );
    }

    #[test]
    fn configuration_errors() {
        // Tiers: tests/tiers.rs.
        let error = Engine::new(Config::new().max_memory_pages(70_000)).unwrap_err();
        assert!(matches!(error, Error::Config(_)));
    }
}
