//! Property tests of decoding and validation, with `wasm-smith` generating valid modules
//! and `wasmparser` as the oracle.
//!
//! Properties (each a proptest of its own):
//!
//! - arbitrary bytes, bytes after a valid header, and well-framed sections of random
//!   contents never make `parse_and_validate` panic, and it accepts them exactly when
//!   wasmparser does;
//! - every module wasm-smith generates under a Wasm 2.0 configuration validates (and
//!   wasmparser, limited to the same features, agrees it is valid), and each function's
//!   side table is the one a reference computed here from the control structure gives
//!   (branch targets, side-table continuation, kept slots; `drop`/`select` widths);
//! - modules from wasm-smith with some function bodies of random bytes get wasmparser's
//!   verdict;
//! - modules mutated from valid ones (bits flipped, bytes overwritten, inserted or
//!   deleted, truncation, and instructions replaced, inserted or deleted with the sizes
//!   fixed up; one to four per case) never make us panic, and we accept exactly when
//!   wasmparser with the Wasm 2.0 features accepts. A fixed sample checks that these
//!   reach every stage: some stay valid, many are invalid, many are malformed.
//!
//! On a disagreement the failure shows both verdicts with their errors and the bytes
//! around each error offset, and saves the module under
//! `target/tmp/stratus-fuzz/` (see the message) for `wasm-tools print` or `wasm2wat`.
//!
//! # Reproducibility and long campaigns
//!
//! Every run uses the same RNG seed, so `cargo test` checks the same cases each time and a
//! failure reproduces by running the test again. Failing inputs are also recorded in
//! `tests/fuzz.proptest-regressions` (check that file in: the cases are replayed first).
//! The standard proptest variables tune a run:
//!
//! ```text
//! # Default: 512 cases per property (256 in debug builds) with a fixed seed.
//! cargo test -p stratus-validator --release --test fuzz
//!
//! # A long campaign: many cases, a seed of its own per run.
//! PROPTEST_CASES=200000 PROPTEST_RNG_SEED=$RANDOM \
//!     cargo test -p stratus-validator --release --test fuzz -- --nocapture
//!
//! # One property only.
//! PROPTEST_CASES=50000 cargo test -p stratus-validator --release --test fuzz mutated
//! ```
//!
//! For coverage-guided fuzzing see `fuzz/README.md` at the top of the repository
//! (`cargo +nightly fuzz run parse_and_validate`, `cargo +nightly fuzz run differential`).

mod common;

use arbitrary::Unstructured;
use common::{
    HEADER, InstrEdit, Mutation, Target, apply, describe, resolve, sections, seed_bytes, theirs, verdict_text,
};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, FileFailurePersistence, RngSeed};
use stratus_decoder::{BlockType, Imm, Module, Opcode, ValType};
use stratus_validator::FuncInfo;

/// Cases per property unless `PROPTEST_CASES` says otherwise (debug builds run wasm-smith
/// and wasmparser unoptimized, so they get fewer).
const DEFAULT_CASES: u32 = if cfg!(debug_assertions) { 256 } else { 512 };
/// The RNG seed unless `PROPTEST_RNG_SEED` says otherwise.
const DEFAULT_SEED: u64 = 0x5752_4154_5553;

fn config() -> ProptestConfig {
    // `default()` reads the PROPTEST_* variables; fill in ours where they are unset.
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = DEFAULT_CASES;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(DEFAULT_SEED);
    }
    if std::env::var_os("PROPTEST_MAX_SHRINK_TIME").is_none() {
        config.max_shrink_time = 60_000; // ms: shrinking wasm-smith input is slow
    }
    config.failure_persistence = Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions")));
    config
}

/// A valid Wasm 2.0 module made by wasm-smith from `len` bytes of the stream `seed`.
///
/// Drawing a seed and a length instead of a byte vector keeps proptest's shrinking
/// meaningful: a shorter length is a prefix of the same stream, so wasm-smith makes a
/// smaller module.
fn smith_module(seed: u64, len: usize) -> Option<Vec<u8>> {
    common::smith_module(&mut Unstructured::new(&seed_bytes(seed, len)))
}

fn smith_input() -> impl Strategy<Value = (u64, usize)> {
    (any::<u64>(), 1usize..=64 * 1024)
}

fn check_agreement(bytes: &[u8]) -> Result<(), TestCaseError> {
    common::check_agreement(bytes).map_err(TestCaseError::fail)
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        any::<u32>().prop_map(Target::Anywhere),
        (any::<u8>(), any::<u32>()).prop_map(|(section, at)| Target::InSection { section, at }),
    ]
}

fn instr_mutation() -> impl Strategy<Value = Mutation> {
    (any::<u32>(), any::<u32>(), 0usize..3, any::<u16>(), any::<u64>()).prop_map(
        |(body, at, edit, op, imm_seed)| {
            let edit = [InstrEdit::Replace, InstrEdit::Insert, InstrEdit::Delete][edit];
            Mutation::Instr { body, at, edit, op, imm_seed }
        },
    )
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (target(), 0u8..8).prop_map(|(at, bit)| Mutation::FlipBit { at, bit }),
        3 => (target(), any::<u8>()).prop_map(|(at, byte)| Mutation::Overwrite { at, byte }),
        2 => (target(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        2 => (target(), 1usize..8).prop_map(|(at, len)| Mutation::Delete { at, len }),
        1 => target().prop_map(|at| Mutation::Truncate { at }),
        4 => instr_mutation(),
    ]
}

/// One to four mutations: half the time instruction edits only, which mostly keep the
/// module decodable and so test validation; otherwise any kind.
fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    prop_oneof![prop::collection::vec(instr_mutation(), 1..=4), prop::collection::vec(mutation(), 1..=4),]
}

/// A section with a plausible id (mostly the known ones) and random contents of the
/// right declared size: gets past the framing into each section's decoder.
fn section() -> impl Strategy<Value = Vec<u8>> {
    let id = prop_oneof![9 => 0u8..=12, 1 => any::<u8>()];
    let contents = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        // Small counts and small numbers, like real sections have.
        prop::collection::vec(0u8..8, 0..64),
    ];
    (id, contents).prop_map(|(id, contents)| {
        let mut out = vec![id];
        let mut len = contents.len();
        loop {
            let byte = (len & 0x7F) as u8;
            len >>= 7;
            out.push(if len == 0 { byte } else { byte | 0x80 });
            if len == 0 {
                break;
            }
        }
        out.extend(contents);
        out
    })
}

// ---------------------------------------------------------------------------------------
// The side table of valid modules, against a reference computed here.

/// What one side-table entry must say, computed from the control structure alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// A branch (or `if`/`else`) at code offset `pc`: where it lands, the entry the
    /// side table continues at, and the slots the label carries.
    Branch { pc: u32, target_pc: u32, target_stp: u32, keep: u32 },
    /// The width entry of a `drop` or untyped `select`.
    Value { pc: u32 },
}

struct RefFrame {
    is_loop: bool,
    is_func: bool,
    /// Where a branch to a loop lands, and its side-table position.
    loop_pc: u32,
    loop_stp: u32,
    /// Slots of the label's values.
    label_slots: u32,
    /// Forward entries waiting for this frame's `end`.
    pending: Vec<usize>,
    /// The `if` entry waiting for `else` or `end`.
    if_entry: Option<usize>,
}

fn slots(types: &[ValType]) -> u32 {
    types.iter().map(|t| t.slots()).sum()
}

/// The side table of defined function `index` as DESIGN.md and `SideEntry` describe it.
fn reference_side_table(
    module: &Module<'_>,
    index: usize,
    sized_values: bool,
) -> Result<Vec<Expect>, String> {
    let body = &module.bodies[index];
    let func_type = &module.types[module.funcs[module.imported_funcs as usize + index] as usize];
    let block_types = |ty: BlockType| -> (u32, u32) {
        match ty {
            BlockType::Empty => (0, 0),
            BlockType::Value(t) => (0, t.slots()),
            BlockType::Func(i) => {
                let ft = &module.types[i as usize];
                (slots(ft.params()), slots(ft.results()))
            }
        }
    };
    let mut table: Vec<Expect> = Vec::new();
    let mut frames = vec![RefFrame {
        is_loop: false,
        is_func: true,
        loop_pc: 0,
        loop_stp: 0,
        label_slots: slots(func_type.results()),
        pending: Vec::new(),
        if_entry: None,
    }];
    let mut reader = stratus_decoder::Reader::nested(body.code, body.code_offset);
    let placeholder = |pc| Expect::Branch { pc, target_pc: u32::MAX, target_stp: u32::MAX, keep: 0 };
    let resolve = |table: &mut Vec<Expect>, entry: usize, pc_to: u32, stp_to: u32| {
        if let Expect::Branch { target_pc, target_stp, .. } = &mut table[entry] {
            *target_pc = pc_to;
            *target_stp = stp_to;
        }
    };
    while !reader.eof() {
        let pc = reader.position() as u32;
        let (op, imm) = reader.read_instr().map_err(|e| e.to_string())?;
        let next_pc = reader.position() as u32;
        let branch = |table: &mut Vec<Expect>, frames: &mut Vec<RefFrame>, depth: u32| {
            let frame_index = frames.len() - 1 - depth as usize;
            let frame = &mut frames[frame_index];
            let keep = frame.label_slots;
            if frame.is_loop {
                let (target_pc, target_stp) = (frame.loop_pc, frame.loop_stp);
                table.push(Expect::Branch { pc, target_pc, target_stp, keep });
            } else {
                frame.pending.push(table.len());
                table.push(Expect::Branch { pc, target_pc: u32::MAX, target_stp: u32::MAX, keep });
            }
        };
        match (op, imm) {
            (Opcode::Block | Opcode::Loop | Opcode::If, Imm::Block(ty)) => {
                let (params, results) = block_types(ty);
                let if_entry = (op == Opcode::If).then(|| {
                    table.push(placeholder(pc));
                    table.len() - 1
                });
                frames.push(RefFrame {
                    is_loop: op == Opcode::Loop,
                    is_func: false,
                    loop_pc: next_pc,
                    loop_stp: table.len() as u32,
                    label_slots: if op == Opcode::Loop { params } else { results },
                    pending: Vec::new(),
                    if_entry,
                });
            }
            (Opcode::Else, _) => {
                let else_entry = table.len();
                table.push(placeholder(pc));
                let frame = frames.last_mut().ok_or("else outside a frame")?;
                let if_entry = frame.if_entry.take().ok_or("else without if")?;
                resolve(&mut table, if_entry, next_pc, else_entry as u32 + 1);
                frame.pending.push(else_entry);
            }
            (Opcode::End, _) => {
                let frame = frames.pop().ok_or("end outside a frame")?;
                let target_pc = if frame.is_func { pc } else { next_pc };
                let target_stp = table.len() as u32;
                for entry in frame.pending.into_iter().chain(frame.if_entry) {
                    resolve(&mut table, entry, target_pc, target_stp);
                }
            }
            (Opcode::Br | Opcode::BrIf, Imm::Label(depth)) => branch(&mut table, &mut frames, depth),
            (Opcode::BrTable, Imm::BrTable(targets)) => {
                for depth in targets.targets().chain([targets.default]) {
                    branch(&mut table, &mut frames, depth);
                }
            }
            (Opcode::Drop | Opcode::Select, _) if sized_values => table.push(Expect::Value { pc }),
            _ => {}
        }
    }
    Ok(table)
}

/// Compares a function's side table with the reference; `Err` describes the first
/// difference.
fn check_side_table(module: &Module<'_>, index: usize, info: &FuncInfo) -> Result<(), String> {
    let expected = reference_side_table(module, index, info.sized_values)?;
    if expected.len() != info.side_table.len() {
        return Err(format!(
            "{} side-table entries, expected {} ({} branch sites{})",
            info.side_table.len(),
            expected.len(),
            expected.iter().filter(|e| matches!(e, Expect::Branch { .. })).count(),
            if info.sized_values { " plus drop/select widths" } else { "" }
        ));
    }
    for (i, (want, got)) in expected.iter().zip(info.side_table.iter()).enumerate() {
        let ok = match *want {
            Expect::Branch { pc, target_pc, target_stp, keep } => {
                i64::from(pc) + i64::from(got.pc_delta) == i64::from(target_pc)
                    && i as i64 + i64::from(got.stp_delta) == i64::from(target_stp)
                    && got.keep == keep
            }
            Expect::Value { .. } => {
                got.pc_delta == 0 && got.stp_delta == 1 && got.keep == 0 && matches!(got.drop, 1 | 2)
            }
        };
        if !ok {
            return Err(format!("entry {i} is {got:?}, expected {want:?} (pc and targets are code offsets)"));
        }
    }
    Ok(())
}

fn check_valid_module(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Err(e) = theirs(bytes) {
        // Our generator configuration let a later feature in: a bug of this test.
        return Err(TestCaseError::fail(describe(
            bytes,
            &format!("wasm-smith made a module wasmparser rejects with Wasm 2.0 features: {e:?}"),
        )));
    }
    let (module, validated) = match stratus_validator::parse_and_validate(bytes) {
        Ok(ok) => ok,
        Err(e) => {
            let what = format!(
                "Stratus rejects a valid wasm-smith module\n  Stratus {}",
                verdict_text(&Err((e.offset(), e.message())), bytes)
            );
            return Err(TestCaseError::fail(describe(bytes, &what)));
        }
    };
    prop_assert_eq!(validated.funcs.len(), module.bodies.len(), "one FuncInfo per body");
    for (i, (info, body)) in validated.funcs.iter().zip(&module.bodies).enumerate() {
        if let Err(e) = check_side_table(&module, i, info) {
            return Err(TestCaseError::fail(describe(
                bytes,
                &format!("side table of defined function {i}: {e}"),
            )));
        }
        let locals = info.param_count as usize + body.locals.iter().map(|(n, _)| *n as usize).sum::<usize>();
        prop_assert_eq!(info.locals.len(), locals, "defined function {}: locals", i);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The properties.

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_agree(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        check_agreement(&bytes)?;
    }

    #[test]
    fn bytes_after_header_agree(tail in prop::collection::vec(any::<u8>(), 0..2048)) {
        let bytes = [HEADER, &tail].concat();
        check_agreement(&bytes)?;
    }

    #[test]
    fn random_sections_agree(sections in prop::collection::vec(section(), 0..8)) {
        let bytes = [HEADER.to_vec(), sections.concat()].concat();
        check_agreement(&bytes)?;
    }

    #[test]
    fn wasm_smith_modules_validate((seed, len) in smith_input()) {
        let Some(module) = smith_module(seed, len) else {
            return Err(TestCaseError::reject("wasm-smith needs more input"));
        };
        check_valid_module(&module)?;
    }

    #[test]
    fn raw_function_bodies_agree((seed, len) in smith_input()) {
        let data = seed_bytes(seed, len);
        let Some(module) = common::smith_module_with_raw_bodies(&mut Unstructured::new(&data)) else {
            return Err(TestCaseError::reject("wasm-smith needs more input"));
        };
        check_agreement(&module)?;
    }

    #[test]
    fn mutated_modules_agree(
        (seed, len) in smith_input(),
        mutations in mutations(),
    ) {
        let Some(module) = smith_module(seed, len) else {
            return Err(TestCaseError::reject("wasm-smith needs more input"));
        };
        let mutated = apply(&module, &mutations);
        check_agreement(&mutated)?;
    }
}

/// The mutation machinery itself: each kind changes the module, and the section
/// ranges tile the module after the header.
#[test]
fn mutations_mutate() {
    let module = smith_module(7, 4096).expect("wasm-smith makes a module from 4 KiB");
    let ranges = sections(&module);
    assert!(!ranges.is_empty());
    assert_eq!(ranges[0].start, 8);
    assert_eq!(ranges.last().unwrap().end, module.len());
    assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
    let at = Target::InSection { section: 1, at: 5 };
    for m in [
        Mutation::FlipBit { at: at.clone(), bit: 3 },
        Mutation::Overwrite { at: at.clone(), byte: !module[resolve(&at, module.len(), &ranges)] },
        Mutation::Insert { at: at.clone(), bytes: vec![1, 2] },
        Mutation::Delete { at: at.clone(), len: 2 },
        Mutation::Truncate { at: at.clone() },
    ] {
        assert_ne!(apply(&module, std::slice::from_ref(&m)), module, "{m:?} changed nothing");
    }
}

/// The mutation differential is only worth something if mutated modules reach every
/// stage: some stay valid, some decode but are invalid, some are malformed. This pins
/// a floor under each share, over a fixed sample.
#[test]
fn mutated_modules_reach_every_stage() {
    let (mut valid, mut invalid, mut malformed) = (0, 0, 0);
    let samples = if cfg!(debug_assertions) { 200 } else { 400 };
    for seed in 0..samples {
        let data = seed_bytes(seed, 64 * 1024);
        let mut u = Unstructured::new(&data);
        let Some(module) = common::smith_module(&mut u) else { continue };
        let Ok(mutations) = Mutation::arbitrary_list(&mut u) else { continue };
        match stratus_validator::parse_and_validate(&apply(&module, &mutations)) {
            Ok(_) => valid += 1,
            Err(stratus_validator::Error::Invalid(_)) => invalid += 1,
            Err(stratus_validator::Error::Malformed(_)) => malformed += 1,
        }
    }
    eprintln!("mutated modules: {valid} valid, {invalid} invalid, {malformed} malformed");
    // Instruction edits rarely leave a module valid; the shares seen at the time of
    // writing were about 5% valid, 60% invalid, 35% malformed.
    let (valid_floor, floor) = (samples as usize / 40, samples as usize / 10);
    assert!(
        valid >= valid_floor && invalid >= floor && malformed >= floor,
        "mutated modules: {valid} valid, {invalid} invalid, {malformed} malformed \
         (at least {valid_floor}, {floor}, {floor} expected)"
    );
}
