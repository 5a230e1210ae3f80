//! wasm-smith modules (Wasm 2.0 features only), then mutations of them, compared with
//! wasmparser: every generated module must validate with both, and every mutated one
//! must be accepted by Stratus exactly when wasmparser accepts it. Some inputs instead
//! make modules with function bodies of raw bytes, and compare only the verdicts.
//!
//! `cargo +nightly fuzz run differential` (see ../README.md).

#![no_main]

#[path = "../../validator/tests/common/mod.rs"]
mod common;

use arbitrary::Unstructured;
use common::Mutation;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    // One input in eight: function bodies of raw bytes, only the verdicts compared.
    if data.first().is_some_and(|b| b & 7 == 0) {
        u.bytes(1).ok();
        if let Some(module) = common::smith_module_with_raw_bodies(&mut u)
            && let Err(report) = common::check_agreement(&module)
        {
            panic!("raw function bodies: {report}");
        }
        return;
    }
    let Some(module) = common::smith_module(&mut u) else { return };
    if let Err(e) = common::theirs(&module) {
        panic!(
            "{}",
            common::describe(&module, &format!("wasm-smith made a module wasmparser rejects: {e:?}"))
        );
    }
    if let Err(report) = common::check_agreement(&module) {
        panic!("a valid wasm-smith module: {report}");
    }
    let Ok(mutations) = Mutation::arbitrary_list(&mut u) else { return };
    let mutated = common::apply(&module, &mutations);
    if let Err(report) = common::check_agreement(&mutated) {
        panic!("mutations {mutations:?}: {report}");
    }
});
