//! Arbitrary bytes into `parse_and_validate`: it must return, never panic, and agree
//! with wasmparser (Wasm 2.0 features) on whether the bytes are a valid module.
//!
//! `cargo +nightly fuzz run parse_and_validate` (see ../README.md).

#![no_main]

#[path = "../../validator/tests/common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Most inputs are not even close to a module: also try them behind a valid header,
    // so the fuzzer need not discover the magic number first.
    let with_header = [common::HEADER, data].concat();
    for bytes in [data, &with_header[..]] {
        if let Err(report) = common::check_agreement(bytes) {
            panic!("{report}");
        }
    }
});
