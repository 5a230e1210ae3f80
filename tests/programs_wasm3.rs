//! Real programs built with Debian's clang-19 for the Wasm 3.0 proposals
//! (`tests/programs/wasm3/`, rebuilt by its `build.sh`): a bytecode interpreter whose
//! handlers tail-call each other (`-mtail-call`; the benchmark
//! `benches/programs/tailcall.c` at 1% of its work), a freestanding `--target=wasm64`
//! kernel over a 24 MiB array (memory64), and kernels written with relaxed SIMD
//! intrinsics (`-mrelaxed-simd`). Each prints what its native build printed (the `.out`
//! files) in every tier, and under the deterministic profile.

#[path = "programs/harness.rs"]
mod harness;
#[path = "../exec/tests/support/require_jit.rs"]
mod require_jit;

use harness::*;
use require_jit::jit_here;

/// The `stratus run` options of each tier to compare, where this build and machine
/// have it: the interpreter, compiled code, and tiered code that moves while it runs.
fn tiers() -> Vec<Vec<&'static str>> {
    let mut tiers = vec![vec!["--tier", "interp"]];
    if jit_here() {
        tiers.push(vec!["--tier", "jit"]);
        tiers.push(vec!["--tier", "auto", "--tier-up-threshold", "1"]);
    }
    let deterministic: Vec<Vec<&str>> =
        tiers.iter().map(|tier| [&tier[..], &["--deterministic"]].concat()).collect();
    tiers.extend(deterministic);
    tiers
}

/// Runs program `name` (`wasm3/NAME.wasm`) in every tier with `options` before it and
/// `args` after it; each prints what `wasm3/NAME.out` holds.
fn check(name: &str, options: &[&str], args: &[&str]) {
    let dir = scratch("programs_wasm3", name);
    let path = program(&format!("wasm3/{name}.wasm"));
    let expected_output = expected(&format!("wasm3/{name}.out"));
    for tier in tiers() {
        let command: Vec<&str> = [&["run"][..], &tier, options, &[&path[..]], args].concat();
        let output = stratus(&dir, &command);
        assert_eq!(status(&output), 0, "{tier:?}: {}", stderr(&output));
        assert_eq!(stdout(&output), expected_output, "{tier:?}");
    }
}

/// A WASI command: the builds without WASI cannot run it.
#[test]
#[cfg(feature = "wasi")]
fn a_tail_calling_interpreter_runs_as_natively() {
    check("tailcall", &[], &["percent=1"]);
}

#[test]
fn a_wasm64_kernel_runs_as_natively() {
    check("wasm64", &["--invoke", "run"], &["1"]);
}

#[test]
#[cfg(feature = "wasi")]
fn relaxed_simd_kernels_run_as_natively() {
    check("relaxed", &[], &[]);
}
