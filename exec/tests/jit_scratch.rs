use stratus_runtime::{CompilePolicy, CompiledModule, Extern, Store, Val};
fn module(wat: &str) -> std::sync::Arc<CompiledModule> {
    let bytes = wast::parser::parse::<wast::Wat>(&wast::parser::ParseBuffer::new(wat).unwrap()).unwrap().encode();
    CompiledModule::new(bytes.unwrap()).unwrap()
}
#[test]
fn scratch() {
    let m = module(r#"(module (func (export "f") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
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
              (local.get 1)))"#);
    let mut store = Store::new(());
    store.compile = CompilePolicy::Eager;
    let inst = stratus_exec::instantiate(&mut store, &m, &[]).unwrap();
    let Some(Extern::Func(f)) = store.instance(inst).export("f") else { panic!() };
    eprintln!("budget before {}", store.vm.budget);
    let r = stratus_exec::invoke(&mut store, f, &[Val::I32(41)]);
    eprintln!("{r:?} budget after {}", store.vm.budget);
    let Some(Extern::Func(f)) = store.instance(inst).export("fac") else { panic!() };
    let r = stratus_exec::invoke(&mut store, f, &[Val::I64(5)]);
    eprintln!("{r:?} budget after {}", store.vm.budget);
    let Some(Extern::Func(f)) = store.instance(inst).export("sum") else { panic!() };
    let r = stratus_exec::invoke(&mut store, f, &[Val::I32(100)]);
    eprintln!("{r:?} budget after {}", store.vm.budget);
}
#[test]
fn dump() {
    let m = module(r#"(module (func (export "sum") (param i32) (result i32) (local i32)
              (block (loop
                (br_if 1 (i32.eqz (local.get 0)))
                (local.set 1 (i32.add (local.get 1) (local.get 0)))
                (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
                (br 0)))
              (local.get 1)))"#);
    let code = stratus_jit_x64::compile_module(&m, stratus_jit::Bounds::Guard).unwrap();
    let (bytes, entries) = code.disassembly_input();
    std::fs::write("/tmp/code.bin", bytes).unwrap();
    eprintln!("entries {entries:?}");
}
