//! Differential testing against wasmi: wasm-smith generates Wasm 2.0 modules that are
//! guaranteed to terminate (a fuel global is charged on every loop iteration and call)
//! and that canonicalise NaNs, so two correct engines must agree bit for bit. Every
//! exported function is called with arbitrary arguments in Stratus's interpreter and in
//! wasmi; results, traps, and afterwards every exported global, memory and table must
//! agree.
//!
//! `cargo test -p stratus-exec --release --test differential` runs 512 cases from a
//! fixed seed. For a long campaign raise the count and vary the seed:
//! `PROPTEST_CASES=100000 PROPTEST_RNG_SEED=7 cargo test -p stratus-exec --release
//! --test differential`. A failure prints the module as hex; `wasm2wat` (from wabt)
//! shows it as text, and node runs it as a third opinion. wasmi is not always right:
//! where V8 agrees with Stratus, the module goes to `tests/wasmi-disagreements/` with a
//! test that pins V8's answer (see `wasmi_disagreements` below).
//!
//! Compiled code is checked the same way: generated modules (half of them without
//! SIMD, so that scalar code gets its share) run compiled against wasmi, and compiled
//! against the interpreter, where traps must match word for word, backtrace included.
//!
//! Tiered stores (random small thresholds, so that functions move to compiled code in
//! the middle of calls and loops) must agree with the interpreter the same way.
//!
//! The same modules also check fuel: every call run in random fuel slices, paused and
//! resumed until it ends (in the interpreter, compiled, or tiered), must end as one
//! uninterrupted call does, and the same fuel must stop a call at the same place in
//! every tier.

#[path = "support/require_jit.rs"]
mod require_jit;

use std::fmt::Write as _;
use std::sync::Arc;

use arbitrary::Unstructured;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use require_jit::jit_here;
use stratus_decoder::{ExternKind, ValType};
use stratus_runtime::{
    CompilePolicy, CompiledModule, Extern, InstanceAddr, InstantiateError, Limits, MemoryReservation, Store,
    TierUpThresholds, TrapKind, Val,
};

/// What a call or an instantiation came to, in terms both engines share.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Values(Vec<Value>),
    Trap(TrapClass),
    /// One engine ran out of stack: limits differ, so the module is not compared further.
    Exhausted,
}

/// A value as compared: floats by bits (NaNs are canonical), references by null-ness,
/// since reference identities differ between engines.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Bits(u128),
    Ref { null: bool },
}

/// Trap reasons, merged where the engines draw the line differently: an index past a
/// table's end is "undefined element" in the spec's words and a table bound for wasmi.
#[derive(Debug, Clone, Copy, PartialEq)]
enum TrapClass {
    Unreachable,
    Memory,
    Table,
    NullCall,
    Signature,
    DivideByZero,
    Overflow,
    Conversion,
    /// V8's one message for a null entry and a signature mismatch in `call_indirect`.
    NullOrSignature,
    Other,
}

/// Wasm 2.0 features only. With `avoid_traps`, wasm-smith masks addresses and guards
/// divisions so that code runs long enough to reach stores, loads and arithmetic;
/// otherwise traps are compared too.
fn wasm2_config(avoid_traps: bool) -> wasm_smith::Config {
    wasm_smith::Config {
        disallow_traps: avoid_traps,
        min_memories: u32::from(avoid_traps),
        sign_extension_ops_enabled: true,
        saturating_float_to_int_enabled: true,
        multi_value_enabled: true,
        bulk_memory_enabled: true,
        reference_types_enabled: true,
        simd_enabled: true,
        relaxed_simd_enabled: false,
        threads_enabled: false,
        shared_everything_threads_enabled: false,
        tail_call_enabled: false,
        exceptions_enabled: false,
        gc_enabled: false,
        memory64_enabled: false,
        extended_const_enabled: false,
        custom_page_sizes_enabled: false,
        wide_arithmetic_enabled: false,
        max_memories: 1,
        max_memory32_bytes: 1 << 17,
        max_table_elements: 1_000,
        max_imports: 0,
        min_types: 2,
        min_funcs: 2,
        export_everything: true,
        canonicalize_nans: true,
        ..wasm_smith::Config::default()
    }
}

fn bits_value(v: &Val) -> Value {
    match *v {
        Val::I32(x) => Value::Bits(u128::from(x as u32)),
        Val::I64(x) => Value::Bits(u128::from(x as u64)),
        Val::F32(x) => Value::Bits(u128::from(x)),
        Val::F64(x) => Value::Bits(u128::from(x)),
        Val::V128(x) => Value::Bits(x),
        Val::FuncRef(r) => Value::Ref { null: r.is_none() },
        Val::ExternRef(r) => Value::Ref { null: r.is_none() },
    }
}

fn wasmi_value(v: &wasmi::Val) -> Value {
    match v {
        wasmi::Val::I32(x) => Value::Bits(u128::from(*x as u32)),
        wasmi::Val::I64(x) => Value::Bits(u128::from(*x as u64)),
        wasmi::Val::F32(x) => Value::Bits(u128::from(x.to_bits())),
        wasmi::Val::F64(x) => Value::Bits(u128::from(x.to_bits())),
        wasmi::Val::V128(x) => Value::Bits(x.as_u128()),
        wasmi::Val::FuncRef(r) => Value::Ref { null: r.is_null() },
        wasmi::Val::ExternRef(r) => Value::Ref { null: r.is_null() },
    }
}

fn our_trap(kind: &TrapKind) -> Outcome {
    Outcome::Trap(match kind {
        TrapKind::Unreachable => TrapClass::Unreachable,
        TrapKind::MemoryOutOfBounds => TrapClass::Memory,
        TrapKind::TableOutOfBounds | TrapKind::UndefinedElement(_) => TrapClass::Table,
        TrapKind::UninitializedElement(_) => TrapClass::NullCall,
        TrapKind::IndirectCallTypeMismatch => TrapClass::Signature,
        TrapKind::IntegerDivideByZero => TrapClass::DivideByZero,
        TrapKind::IntegerOverflow => TrapClass::Overflow,
        TrapKind::InvalidConversionToInteger => TrapClass::Conversion,
        TrapKind::CallStackExhausted => return Outcome::Exhausted,
        TrapKind::Host(_) | TrapKind::InvalidFunction(_) | TrapKind::OutOfFuel | TrapKind::Interrupted => {
            TrapClass::Other
        }
    })
}

fn wasmi_trap(error: &wasmi::Error) -> Outcome {
    use wasmi::TrapCode as C;
    Outcome::Trap(match error.as_trap_code() {
        Some(C::UnreachableCodeReached) => TrapClass::Unreachable,
        Some(C::MemoryOutOfBounds) => TrapClass::Memory,
        Some(C::TableOutOfBounds) => TrapClass::Table,
        Some(C::IndirectCallToNull) => TrapClass::NullCall,
        Some(C::BadSignature) => TrapClass::Signature,
        Some(C::IntegerDivisionByZero) => TrapClass::DivideByZero,
        Some(C::IntegerOverflow) => TrapClass::Overflow,
        Some(C::BadConversionToInteger) => TrapClass::Conversion,
        Some(C::StackOverflow) => return Outcome::Exhausted,
        _ => TrapClass::Other,
    })
}

/// Arbitrary arguments for a function's parameters.
fn arguments(u: &mut Unstructured<'_>, params: &[ValType]) -> Vec<Val> {
    params
        .iter()
        .map(|t| match t {
            ValType::I32 => Val::I32(u.arbitrary().unwrap_or_default()),
            ValType::I64 => Val::I64(u.arbitrary().unwrap_or_default()),
            ValType::F32 => Val::F32(u.arbitrary().unwrap_or_default()),
            ValType::F64 => Val::F64(u.arbitrary().unwrap_or_default()),
            ValType::V128 => Val::V128(u.arbitrary().unwrap_or_default()),
            ValType::FuncRef => Val::FuncRef(None),
            ValType::ExternRef => Val::ExternRef(None),
        })
        .collect()
}

fn to_wasmi(v: &Val) -> wasmi::Val {
    match *v {
        Val::I32(x) => wasmi::Val::I32(x),
        Val::I64(x) => wasmi::Val::I64(x),
        Val::F32(x) => wasmi::Val::F32(wasmi::F32::from_bits(x)),
        Val::F64(x) => wasmi::Val::F64(wasmi::F64::from_bits(x)),
        Val::V128(x) => wasmi::Val::V128(wasmi::V128::from(x)),
        Val::FuncRef(_) => wasmi::Val::FuncRef(wasmi::Nullable::Null),
        Val::ExternRef(_) => wasmi::Val::ExternRef(wasmi::Nullable::Null),
    }
}

struct Ours {
    store: Store<()>,
    instance: InstanceAddr,
    module: Arc<CompiledModule>,
}

struct Theirs {
    store: wasmi::Store<()>,
    instance: wasmi::Instance,
}

/// The elements of a table compared one by one; past them only its size is (a module
/// may grow a table to millions of elements).
const TABLE_PREFIX: usize = 4096;

/// Everything exported that holds state, as values to compare.
fn our_state(ours: &Ours) -> Vec<(String, Vec<Value>)> {
    let inst = ours.store.instance(ours.instance);
    let mut state = Vec::new();
    for export in &ours.module.exports {
        let values = match inst.export(&export.name) {
            Some(Extern::Global(g)) => vec![bits_value(&ours.store.globals[g.0 as usize].get())],
            Some(Extern::Memory(m)) => {
                let data = ours.store.memories[m.0 as usize].data();
                vec![Value::Bits(data.len() as u128), Value::Bits(checksum(data))]
            }
            Some(Extern::Table(t)) => {
                let elements = &ours.store.tables[t.0 as usize].elements;
                let prefix = elements.iter().take(TABLE_PREFIX).map(|&e| Value::Ref { null: e == 0 });
                std::iter::once(Value::Bits(elements.len() as u128)).chain(prefix).collect()
            }
            _ => continue,
        };
        state.push((export.name.clone(), values));
    }
    state
}

fn their_state(theirs: &Theirs, names: &[(String, ExternKind)]) -> Vec<(String, Vec<Value>)> {
    let mut state = Vec::new();
    for (name, kind) in names {
        let ext = theirs.instance.get_export(&theirs.store, name).expect("exported");
        let values = match (kind, ext) {
            (ExternKind::Global, wasmi::Extern::Global(g)) => vec![wasmi_value(&g.get(&theirs.store))],
            (ExternKind::Memory, wasmi::Extern::Memory(m)) => {
                let data = m.data(&theirs.store);
                vec![Value::Bits(data.len() as u128), Value::Bits(checksum(data))]
            }
            (ExternKind::Table, wasmi::Extern::Table(t)) => {
                let size = t.size(&theirs.store);
                let prefix = (0..size.min(TABLE_PREFIX as u64)).map(|i| {
                    match t.get(&theirs.store, i).expect("in bounds") {
                        wasmi::Ref::Func(r) => Value::Ref { null: r.is_null() },
                        wasmi::Ref::Extern(r) => Value::Ref { null: r.is_null() },
                    }
                });
                std::iter::once(Value::Bits(u128::from(size))).chain(prefix).collect()
            }
            _ => continue,
        };
        state.push((name.clone(), values));
    }
    state
}

/// FNV-1a over a memory's bytes: equal memories, equal sums; a difference shows.
fn checksum(data: &[u8]) -> u128 {
    data.iter()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
        .into()
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::new();
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Whether V8's outcome matches ours: the same values, or traps of the same kind.
fn agree(v8: &Outcome, ours: &Outcome) -> bool {
    match (v8, ours) {
        (
            Outcome::Trap(TrapClass::NullOrSignature),
            Outcome::Trap(TrapClass::NullCall | TrapClass::Signature),
        ) => true,
        (a, b) => a == b,
    }
}

/// The trap class of a V8 `RuntimeError` message.
fn v8_trap(message: &str) -> Outcome {
    let classes = [
        ("unreachable", TrapClass::Unreachable),
        ("memory access out of bounds", TrapClass::Memory),
        ("divide by zero", TrapClass::DivideByZero),
        ("remainder by zero", TrapClass::DivideByZero),
        ("divide result unrepresentable", TrapClass::Overflow),
        ("float unrepresentable", TrapClass::Conversion),
        ("table index is out of bounds", TrapClass::Table),
        ("element segment out of bounds", TrapClass::Table),
        ("table access out of bounds", TrapClass::Table),
        ("null function or function signature mismatch", TrapClass::NullOrSignature),
    ];
    if message.contains("Maximum call stack size exceeded") {
        return Outcome::Exhausted;
    }
    let class = classes.iter().find(|(text, _)| message.contains(text)).map(|&(_, class)| class);
    Outcome::Trap(class.unwrap_or(TrapClass::Other))
}

/// Replays `calls` in V8 (node) and returns the last one's outcome, where node is
/// installed and the JavaScript API can make the calls (no `v128` at the boundary).
fn v8_outcome(bytes: &[u8], calls: &[(String, Vec<Val>)], results: &[ValType]) -> Option<Outcome> {
    let js_arg = |v: &Val| match *v {
        Val::I32(x) => Some(x.to_string()),
        Val::I64(x) => Some(format!("{x}n")),
        Val::F32(x) => Some(format!("f32({x})")),
        Val::F64(x) => Some(format!("f64({x}n)")),
        Val::FuncRef(_) | Val::ExternRef(_) => Some("null".to_string()),
        Val::V128(_) => None,
    };
    if results.contains(&ValType::V128) {
        return None;
    }
    let mut script = String::from(
        "const v = new DataView(new ArrayBuffer(8));\n\
         const f32 = b => (v.setUint32(0, b, true), v.getFloat32(0, true));\n\
         const f64 = b => (v.setBigUint64(0, b, true), v.getFloat64(0, true));\n\
         const m = new WebAssembly.Module(require('fs').readFileSync(process.argv[2]));\n\
         let i; try { i = new WebAssembly.Instance(m, {}); } catch (e) { console.log('trap ' + e.message); process.exit(0); }\n\
         class Trapped { constructor(message) { this.message = message; } }\n\
         let r;\n",
    );
    for (name, args) in calls {
        let args: Option<Vec<String>> = args.iter().map(js_arg).collect();
        let _ = writeln!(
            script,
            "try {{ r = i.exports[{name:?}]({}); }} catch (e) {{ r = new Trapped(e.message); }}",
            args?.join(", ")
        );
    }
    let show: Vec<&str> = results
        .iter()
        .map(|t| match t {
            ValType::I32 => "x => String(x >>> 0)",
            ValType::I64 => "x => String(BigInt.asUintN(64, x))",
            ValType::F32 => "x => (v.setFloat32(0, x, true), String(v.getUint32(0, true)))",
            ValType::F64 => "x => (v.setFloat64(0, x, true), String(v.getBigUint64(0, true)))",
            _ => "x => (x === null ? 'null' : 'ref')",
        })
        .collect();
    let _ = writeln!(
        script,
        "const shows = [{}];\nif (r instanceof Trapped) console.log('trap ' + r.message); else {{ const rs = shows.length === 1 ? [r] : (r ?? []); console.log(rs.map((x, k) => shows[k](x)).join(' ')); }}",
        show.join(", ")
    );
    let dir = std::env::temp_dir().join(format!("stratus-differential-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let (module, js) = (dir.join("m.wasm"), dir.join("run.js"));
    std::fs::write(&module, bytes).ok()?;
    std::fs::write(&js, script).ok()?;
    let output = std::process::Command::new("node").arg(&js).arg(&module).output().ok()?;
    let line = String::from_utf8(output.stdout).ok()?;
    let line = line.trim();
    if let Some(message) = line.strip_prefix("trap") {
        return Some(v8_trap(message));
    }
    let values = results
        .iter()
        .zip(line.split(' ').filter(|w| !w.is_empty()))
        .map(|(t, word)| match t {
            ValType::FuncRef | ValType::ExternRef => Some(Value::Ref { null: word == "null" }),
            _ => word.parse().ok().map(Value::Bits),
        })
        .collect::<Option<Vec<Value>>>()?;
    Some(Outcome::Values(values))
}

/// Runs one generated module in both engines; `Err` describes the first disagreement.
/// Which of Stratus's tiers runs a store's code.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum Tier {
    Interp,
    /// Compiled, with bounds checked by the guard region or explicitly.
    Jit {
        guard: bool,
    },
    /// Interpreted until hot, then compiled.
    Auto {
        guard: bool,
        thresholds: TierUpThresholds,
    },
}

impl Tier {
    /// Tiered with small random thresholds, so that functions move to compiled code
    /// in the middle of the generated modules' short runs.
    fn random_auto(u: &mut Unstructured<'_>) -> Tier {
        let calls = u.int_in_range(0..=12).unwrap_or(1);
        let back_edges = u.int_in_range(0..=12).unwrap_or(1);
        Tier::Auto {
            guard: u.arbitrary().unwrap_or(true),
            thresholds: TierUpThresholds { calls, back_edges },
        }
    }
}

fn store_for(tier: Tier) -> Store<()> {
    let (guard, compile) = match tier {
        Tier::Interp => return Store::new(()),
        Tier::Jit { guard } => (guard, CompilePolicy::Eager),
        Tier::Auto { guard, thresholds } => (guard, CompilePolicy::OnHeat(thresholds)),
    };
    let memory_reservation = if guard {
        MemoryReservation::Whole { guard: stratus_runtime::GUARD_BYTES }
    } else {
        MemoryReservation::default()
    };
    let mut store = Store::with_limits((), Limits { memory_reservation, ..Limits::default() });
    store.compile = compile;
    store
}

fn compare(bytes: &[u8], u: &mut Unstructured<'_>, avoid_traps: bool) -> Result<(), String> {
    compare_in(bytes, u, avoid_traps, Tier::Interp)
}

fn compare_in(bytes: &[u8], u: &mut Unstructured<'_>, avoid_traps: bool, tier: Tier) -> Result<(), String> {
    let module =
        CompiledModule::new(bytes.to_vec()).map_err(|e| format!("Stratus rejected the module: {e}"))?;
    let mut store = store_for(tier);
    let our_start = stratus_exec::instantiate(&mut store, &module, &[]);

    let mut config = wasmi::Config::default();
    config.wasm_simd(true);
    let engine = wasmi::Engine::new(&config);
    let their_module =
        wasmi::Module::new(&engine, bytes).map_err(|e| format!("wasmi rejected the module: {e}"))?;
    let mut their_store = wasmi::Store::new(&engine, ());
    let linker = wasmi::Linker::<()>::new(&engine);
    let their_start = linker.instantiate_and_start(&mut their_store, &their_module);

    let (instance, their_instance) = match (our_start, their_start) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(InstantiateError::Trap(trap)), Err(error)) => {
            let (ours, theirs) = (our_trap(&trap.kind), wasmi_trap(&error));
            // wasmi 2.0.0's division by zero in trap-free code again (see below); V8
            // sides with Stratus on the cases seen.
            if avoid_traps && theirs == Outcome::Trap(TrapClass::DivideByZero) {
                eprintln!("wasmi divides by zero in a trap-free start function: Stratus {ours:?}");
                return Ok(());
            }
            if ours != theirs && ours != Outcome::Exhausted && theirs != Outcome::Exhausted {
                return Err(format!("instantiation traps differ: {ours:?} vs {theirs:?}"));
            }
            return Ok(());
        }
        // The start function of code generated without traps: wasmi 2.0.0's division
        // by zero again (see below).
        (Ok(_), Err(error))
            if avoid_traps && wasmi_trap(&error) == Outcome::Trap(TrapClass::DivideByZero) =>
        {
            eprintln!("wasmi divides by zero in a trap-free start function");
            return Ok(());
        }
        (ours, theirs) => {
            return Err(format!("instantiation differs: Stratus {:?}, wasmi {:?}", ours.err(), theirs.err()));
        }
    };
    let mut ours = Ours { store, instance, module: module.clone() };
    let mut theirs = Theirs { store: their_store, instance: their_instance };
    let names: Vec<(String, ExternKind)> = module.exports.iter().map(|e| (e.name.clone(), e.kind)).collect();
    let mut calls: Vec<(String, Vec<Val>)> = Vec::new();

    for (name, kind) in &names {
        if *kind != ExternKind::Func {
            continue;
        }
        let Some(Extern::Func(func)) = ours.store.instance(ours.instance).export(name) else {
            unreachable!()
        };
        let ty = ours.store.func_type(func).clone();
        let args = arguments(u, ty.params());
        let our_outcome = match stratus_exec::invoke(&mut ours.store, func, &args) {
            Ok(values) => Outcome::Values(values.iter().map(bits_value).collect()),
            Err(trap) => our_trap(&trap.kind),
        };
        let their_func = theirs.instance.get_func(&theirs.store, name).expect("exported function");
        let their_args: Vec<wasmi::Val> = args.iter().map(to_wasmi).collect();
        let mut their_results: Vec<wasmi::Val> =
            ty.results().iter().map(|&t| to_wasmi(&Val::default_of(t))).collect();
        let their_outcome = match their_func.call(&mut theirs.store, &their_args, &mut their_results) {
            Ok(()) => Outcome::Values(their_results.iter().map(wasmi_value).collect()),
            Err(error) => wasmi_trap(&error),
        };
        if our_outcome == Outcome::Exhausted || their_outcome == Outcome::Exhausted {
            return Ok(());
        }
        calls.push((name.clone(), args.clone()));
        if our_outcome != their_outcome {
            let difference = format!("{name}{args:?}: Stratus {our_outcome:?}, wasmi {their_outcome:?}");
            return match v8_outcome(bytes, &calls, ty.results()) {
                Some(v8) if agree(&v8, &our_outcome) => {
                    eprintln!("wasmi disagrees and V8 sides with Stratus: {difference}");
                    Ok(())
                }
                // Code generated without traps guards every division, so this trap is
                // wasmi 2.0.0's (see tests/wasmi-disagreements/), where V8 cannot check.
                None if avoid_traps && their_outcome == Outcome::Trap(TrapClass::DivideByZero) => {
                    eprintln!("wasmi divides by zero in trap-free code: {difference}");
                    Ok(())
                }
                v8 => Err(format!("{difference}, V8 {v8:?}")),
            };
        }
        let (our_state, their_state) = (our_state(&ours), their_state(&theirs, &names));
        if our_state != their_state {
            let diff: Vec<_> = our_state.iter().zip(&their_state).filter(|(a, b)| a != b).collect();
            return Err(format!("after {name}{args:?}, state differs: {diff:?}"));
        }
    }
    Ok(())
}

/// `cases` cases from the fixed seed, or `PROPTEST_RNG_SEED`.
fn campaign(cases: u32) -> ProptestConfig {
    let seed = std::env::var("PROPTEST_RNG_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    ProptestConfig {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(seed),
        ..ProptestConfig::default()
    }
}

/// The module wasm-smith makes of `u`, with its loops and calls bounded; `None` when
/// `u` makes no module.
fn generate(u: &mut Unstructured<'_>, avoid_traps: bool) -> Option<Vec<u8>> {
    let mut module = wasm_smith::Module::new(wasm2_config(avoid_traps), u).ok()?;
    module.ensure_termination(5_000).ok()?;
    Some(module.to_bytes())
}

proptest! {
    #![proptest_config(campaign(512))]

    #[test]
    fn interpreter_agrees_with_wasmi(seed in proptest::collection::vec(any::<u8>(), 1024..16384)) {
        let mut u = Unstructured::new(&seed);
        let avoid_traps = seed[0] & 1 == 0;
        let Some(bytes) = generate(&mut u, avoid_traps) else { return Ok(()) };
        if let Err(difference) = compare(&bytes, &mut u, avoid_traps) {
            prop_assert!(false, "{difference}\nmodule: {}", hex(&bytes));
        }
    }
}

/// Runs every export of `bytes` in the interpreter and in `tier`, `rounds` times over
/// with the same arguments: results, traps (message and backtrace) and exported state
/// must be equal.
fn compare_tiers(bytes: &[u8], u: &mut Unstructured<'_>, tier: Tier, rounds: usize) -> Result<(), String> {
    let module =
        CompiledModule::new(bytes.to_vec()).map_err(|e| format!("Stratus rejected the module: {e}"))?;
    let mut interp = store_for(Tier::Interp);
    let mut jit = store_for(tier);
    let (a, b) = (
        stratus_exec::instantiate(&mut interp, &module, &[]),
        stratus_exec::instantiate(&mut jit, &module, &[]),
    );
    let (a, b) = match (a, b) {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => {
            let (a, b) = (a.err().map(|e| e.to_string()), b.err().map(|e| e.to_string()));
            return if a == b { Ok(()) } else { Err(format!("instantiation differs: {a:?} vs {b:?}")) };
        }
    };
    let mut interp = Ours { store: interp, instance: a, module: module.clone() };
    let mut jit = Ours { store: jit, instance: b, module: module.clone() };
    let exports = module.exports.iter().cycle().take(module.exports.len() * rounds);
    for export in exports {
        let Some(Extern::Func(func)) = interp.store.instance(interp.instance).export(&export.name) else {
            continue;
        };
        let Some(Extern::Func(jit_func)) = jit.store.instance(jit.instance).export(&export.name) else {
            unreachable!()
        };
        let args = arguments(u, interp.store.func_type(func).clone().params());
        let show = |r: Result<Vec<Val>, stratus_runtime::Trap>| match r {
            Ok(values) => format!("{:?}", values.iter().map(bits_value).collect::<Vec<_>>()),
            Err(trap) => trap.to_string(),
        };
        let (ours, compiled) = (
            show(stratus_exec::invoke(&mut interp.store, func, &args)),
            show(stratus_exec::invoke(&mut jit.store, jit_func, &args)),
        );
        if ours != compiled {
            return Err(format!("{}{args:?}: interpreter {ours}, {tier:?} {compiled}", export.name));
        }
        if our_state(&interp) != our_state(&jit) {
            return Err(format!("after {}{args:?}, state differs", export.name));
        }
    }
    Ok(())
}

/// A generated module, without SIMD when `scalar`.
fn generate_for_jit(u: &mut Unstructured<'_>, avoid_traps: bool, scalar: bool) -> Option<Vec<u8>> {
    let config = wasm_smith::Config { simd_enabled: !scalar, ..wasm2_config(avoid_traps) };
    let mut module = wasm_smith::Module::new(config, u).ok()?;
    module.ensure_termination(5_000).ok()?;
    Some(module.to_bytes())
}

proptest! {
    #![proptest_config(campaign(256))]

    #[test]
    fn compiled_code_agrees_with_wasmi(seed in proptest::collection::vec(any::<u8>(), 1024..16384)) {
        if !jit_here() {
            return Ok(());
        }
        let mut u = Unstructured::new(&seed);
        let avoid_traps = seed[0] & 1 == 0;
        let Some(bytes) = generate_for_jit(&mut u, avoid_traps, seed[1] & 1 == 0) else { return Ok(()) };
        let tier = Tier::Jit { guard: seed[2] & 1 == 0 };
        if let Err(difference) = compare_in(&bytes, &mut u, avoid_traps, tier) {
            prop_assert!(false, "{difference}\nmodule: {}", hex(&bytes));
        }
    }

    #[test]
    fn compiled_code_agrees_with_the_interpreter(seed in proptest::collection::vec(any::<u8>(), 1024..16384)) {
        if !jit_here() {
            return Ok(());
        }
        let mut u = Unstructured::new(&seed);
        let Some(bytes) = generate_for_jit(&mut u, seed[0] & 1 == 0, seed[2] & 1 == 0) else { return Ok(()) };
        if let Err(difference) = compare_tiers(&bytes, &mut u, Tier::Jit { guard: seed[1] & 1 == 0 }, 1) {
            prop_assert!(false, "{difference}\nmodule: {}", hex(&bytes));
        }
    }

    /// Each export is called three times, so that functions get hot in the middle of
    /// calls (their loops entered in compiled code, their callers finding them
    /// compiled) and later calls start compiled.
    #[test]
    fn tiered_code_agrees_with_the_interpreter(seed in proptest::collection::vec(any::<u8>(), 1024..16384)) {
        if !jit_here() {
            return Ok(());
        }
        let mut u = Unstructured::new(&seed);
        let Some(bytes) = generate_for_jit(&mut u, seed[0] & 1 == 0, seed[1] & 1 == 0) else { return Ok(()) };
        let tier = Tier::random_auto(&mut u);
        if let Err(difference) = compare_tiers(&bytes, &mut u, tier, 3) {
            prop_assert!(false, "{difference}\nmodule: {}", hex(&bytes));
        }
    }
}

/// Fuel enough for any start function or call of a generated module: wasm-smith's own
/// fuel global ends every module's loops and recursion long before.
const PLENTY: u64 = 1 << 40;

/// An instance of `module` in a store of its own running `tier`, consuming fuel or not.
fn fresh(module: &Arc<CompiledModule>, tier: Tier, fuel: bool) -> Option<Ours> {
    let mut store = store_for(tier);
    if fuel {
        store.set_fuel(Some(PLENTY));
    }
    let instance = stratus_exec::instantiate(&mut store, module, &[]).ok()?;
    Some(Ours { store, instance, module: module.clone() })
}

fn our_outcome(result: Result<Vec<Val>, stratus_runtime::Trap>) -> Outcome {
    match result {
        Ok(values) => Outcome::Values(values.iter().map(bits_value).collect()),
        Err(trap) => our_trap(&trap.kind),
    }
}

/// Calls `func` in `ours`, pausing every time a slice of fuel (drawn from `u`, from one
/// unit up) runs out and resuming with the next.
fn call_in_slices(
    ours: &mut Ours,
    func: stratus_runtime::FuncAddr,
    args: &[Val],
    u: &mut Unstructured<'_>,
) -> Outcome {
    // Mostly small slices, so that calls pause many times; some up to 65,535 units.
    let mut slice = || {
        let most = if u.ratio(3, 4).unwrap_or(true) { 16 } else { u64::from(u16::MAX) };
        u.int_in_range(1..=most).unwrap_or(1)
    };
    ours.store.set_fuel(Some(slice()));
    let mut step = stratus_exec::invoke_resumable(&mut ours.store, func, args);
    loop {
        match step {
            Ok(stratus_exec::Outcome::Finished(values)) => return our_outcome(Ok(values)),
            Ok(stratus_exec::Outcome::Paused(paused)) => {
                ours.store.set_fuel(Some(slice()));
                step = stratus_exec::resume(&mut ours.store, paused);
            }
            Err(trap) => return our_outcome(Err(trap)),
        }
    }
}

/// Every exported function of `bytes`, called whole in the interpreter and called in
/// fuel slices in a twin instance running `tier` (so pausing and resuming in every
/// tier), must end the same way and leave the same state; and a call given too little
/// fuel must stop at the same place in two more twins, one interpreted and one in
/// `tier`.
fn compare_fuel_slices(bytes: &[u8], u: &mut Unstructured<'_>, tier: Tier) -> Result<(), String> {
    let module =
        CompiledModule::new(bytes.to_vec()).map_err(|e| format!("Stratus rejected the module: {e}"))?;
    let (Some(mut whole), Some(mut sliced)) =
        (fresh(&module, Tier::Interp, false), fresh(&module, tier, true))
    else {
        return Ok(());
    };
    for export in &module.exports {
        let Some(Extern::Func(func)) = whole.store.instance(whole.instance).export(&export.name) else {
            continue;
        };
        let args = arguments(u, whole.store.func_type(func).params());
        let expected = our_outcome(stratus_exec::invoke(&mut whole.store, func, &args));
        let found = call_in_slices(&mut sliced, func, &args, u);
        if expected == Outcome::Exhausted || found == Outcome::Exhausted {
            return Ok(());
        }
        if expected != found {
            return Err(format!(
                "{}{args:?}: whole {expected:?}, in slices ({tier:?}) {found:?}",
                export.name
            ));
        }
        if our_state(&whole) != our_state(&sliced) {
            return Err(format!("after {}{args:?}, the state differs", export.name));
        }
        let fuel = u.int_in_range(0..=5_000u64).unwrap_or(0);
        let stop = |ours: Option<Ours>| {
            let mut ours = ours?;
            ours.store.set_fuel(Some(fuel));
            let outcome = stratus_exec::invoke(&mut ours.store, func, &args);
            Some((outcome.map_err(|trap| (trap.kind, trap.backtrace)), ours.store.fuel(), our_state(&ours)))
        };
        let (first, second) = (stop(fresh(&module, Tier::Interp, true)), stop(fresh(&module, tier, true)));
        if first != second {
            return Err(format!(
                "{}{args:?} with {fuel} units: {first:?}, in {tier:?} {second:?}",
                export.name
            ));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(campaign(256))]

    #[test]
    fn calls_in_fuel_slices_end_as_whole_calls(seed in proptest::collection::vec(any::<u8>(), 1024..16384)) {
        let mut u = Unstructured::new(&seed);
        let Some(bytes) = generate(&mut u, seed[0] & 1 == 0) else { return Ok(()) };
        // A third each: the interpreter, compiled code, tiers changing mid-call.
        let tier = match seed[1] % 3 {
            0 => Tier::Interp,
            1 => Tier::Jit { guard: seed[2] & 1 == 0 },
            _ => Tier::random_auto(&mut u),
        };
        if let Err(difference) = compare_fuel_slices(&bytes, &mut u, tier) {
            prop_assert!(false, "{difference}\nmodule: {}", hex(&bytes));
        }
    }
}

/// Modules where wasmi 2.0.0 disagrees with Stratus and V8 sides with Stratus: Stratus
/// must keep V8's answer.
#[test]
fn wasmi_disagreements() {
    let wat = include_str!("wasmi-disagreements/div-s-after-local-tee.wat");
    let bytes =
        wast::parser::parse::<wast::Wat>(&wast::parser::ParseBuffer::new(wat).unwrap()).unwrap().encode();
    let module = CompiledModule::new(bytes.unwrap()).unwrap();
    let mut store = Store::new(());
    let instance = stratus_exec::instantiate(&mut store, &module, &[]).unwrap();
    let Some(Extern::Func(f)) = store.instance(instance).export("f") else { panic!("no export f") };
    let results = stratus_exec::invoke(&mut store, f, &[]).unwrap();
    assert_eq!(results, [Val::I64(0), Val::FuncRef(None), Val::I32(0)]);
}
