//! Decode + validate throughput: Stratus against wasmparser on the same large module.
//!
//! ```text
//! cargo bench -p stratus-validator --bench decode_validate
//! ```
//!
//! The module (at least 1 MiB, almost all of it function bodies) is made by wasm-smith
//! from a fixed seed with only Wasm 2.0 features, so every run measures the same bytes.
//! Each round times `stratus_validator::parse_and_validate` and then wasmparser's
//! `Validator::validate_all` (Wasm 2.0 features; it parses and validates every function
//! body too), both from the raw bytes; rounds alternate the two so that machine noise
//! hits both alike. It prints the module size, the median throughput of each in MB/s
//! (10^6 bytes per second) and their ratio: above 1 means Stratus is faster. For
//! orientation it also times Stratus's module decoding alone (`Module::parse`, which
//! leaves function bodies to be decoded during validation).
//!
//! Environment:
//! - `STRATUS_BENCH_MODULE=path.wasm` measures that module instead of the generated one;
//! - `STRATUS_BENCH_ROUNDS=n` sets the number of timed rounds (default 21);
//! - `STRATUS_BENCH_SAVE=path.wasm` writes the generated module there.

use std::hint::black_box;
use std::time::{Duration, Instant};

use arbitrary::Unstructured;
use wasmparser::{Validator, WasmFeatures};

const SEED: u64 = 0x0053_5452_4154_5553; // "STRATUS"
const MIN_SIZE: usize = 1 << 20;
const WARMUP_ROUNDS: usize = 3;
const DEFAULT_ROUNDS: usize = 21;

/// `len` pseudo-random bytes from `seed` (splitmix64).
fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        out.extend((z ^ (z >> 31)).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// A wasm-smith configuration for a big, code-heavy Wasm 2.0 module.
fn config(funcs: usize) -> wasm_smith::Config {
    wasm_smith::Config {
        // Wasm 2.0 and nothing later.
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
        compact_imports_enabled: false,
        custom_descriptors_enabled: false,
        max_memories: 1,
        // Shape: many functions with long bodies, little else.
        min_types: 20,
        max_types: 60,
        min_funcs: funcs,
        max_funcs: funcs,
        max_instructions: 4000,
        max_imports: 10,
        max_globals: 20,
        max_exports: 40,
        max_tables: 2,
        max_element_segments: 4,
        max_elements: 50,
        max_data_segments: 2,
        ..wasm_smith::Config::default()
    }
}

/// Deterministically generates a Wasm 2.0 module of at least [`MIN_SIZE`] bytes.
fn generate_module() -> Vec<u8> {
    let mut funcs = 400;
    loop {
        // wasm-smith draws every choice from this input; when it runs out, the rest of
        // the module is as small as allowed, so make plenty.
        let data = random_bytes(SEED, funcs * 16 * 1024);
        let mut u = Unstructured::new(&data);
        let module = wasm_smith::Module::new(config(funcs), &mut u).expect("wasm-smith makes a module");
        let bytes = module.to_bytes();
        if bytes.len() >= MIN_SIZE {
            return bytes;
        }
        funcs = funcs * 3 / 2;
        assert!(funcs < 100_000, "wasm-smith does not make a module of {MIN_SIZE} bytes");
    }
}

fn stratus(bytes: &[u8]) -> Duration {
    let start = Instant::now();
    let result = stratus_validator::parse_and_validate(black_box(bytes));
    let elapsed = start.elapsed();
    assert!(result.is_ok(), "Stratus rejects the benchmark module: {}", result.err().unwrap());
    drop(black_box(result));
    elapsed
}

/// Decoding alone (function bodies are decoded lazily, during validation).
fn stratus_decode(bytes: &[u8]) -> Duration {
    let start = Instant::now();
    let result = stratus_decoder::Module::parse(black_box(bytes));
    let elapsed = start.elapsed();
    assert!(result.is_ok(), "Stratus cannot decode the benchmark module");
    drop(black_box(result));
    elapsed
}

fn wasmparser(bytes: &[u8]) -> Duration {
    let start = Instant::now();
    let result = Validator::new_with_features(WasmFeatures::WASM2).validate_all(black_box(bytes));
    let elapsed = start.elapsed();
    assert!(result.is_ok(), "wasmparser rejects the benchmark module: {}", result.err().unwrap());
    drop(black_box(result));
    elapsed
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn mb_per_s(bytes: usize, time: Duration) -> f64 {
    bytes as f64 / time.as_secs_f64() / 1e6
}

fn main() {
    let (bytes, origin) = match std::env::var_os("STRATUS_BENCH_MODULE") {
        Some(path) => {
            let bytes = std::fs::read(&path).expect("read STRATUS_BENCH_MODULE");
            (bytes, format!("{}", path.to_string_lossy()))
        }
        None => (generate_module(), format!("wasm-smith, seed {SEED:#x}")),
    };
    if let Some(path) = std::env::var_os("STRATUS_BENCH_SAVE") {
        std::fs::write(&path, &bytes).expect("write STRATUS_BENCH_SAVE");
    }
    let rounds: usize = std::env::var("STRATUS_BENCH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_ROUNDS)
        .max(1);

    let (module, validated) =
        stratus_validator::parse_and_validate(&bytes).expect("Stratus validates the module");
    let code_bytes: usize = module.bodies.iter().map(|b| b.code.len()).sum();
    println!(
        "decode_validate: module {} bytes ({:.2} MiB; {} functions, {:.1}% code) from {origin}",
        bytes.len(),
        bytes.len() as f64 / (1 << 20) as f64,
        validated.funcs.len(),
        100.0 * code_bytes as f64 / bytes.len() as f64
    );
    drop((module, validated));

    for _ in 0..WARMUP_ROUNDS {
        stratus(&bytes);
        wasmparser(&bytes);
    }
    let mut ours = Vec::with_capacity(rounds);
    let mut theirs = Vec::with_capacity(rounds);
    let mut decode = Vec::with_capacity(rounds);
    for round in 0..rounds {
        decode.push(stratus_decode(&bytes));
        // Alternate which goes first, so neither always runs on a warm cache.
        if round % 2 == 0 {
            ours.push(stratus(&bytes));
            theirs.push(wasmparser(&bytes));
        } else {
            theirs.push(wasmparser(&bytes));
            ours.push(stratus(&bytes));
        }
    }
    let (ours, theirs) = (median(ours), median(theirs));
    let (ours_mbs, theirs_mbs) = (mb_per_s(bytes.len(), ours), mb_per_s(bytes.len(), theirs));
    println!("decode_validate: {rounds} rounds, median times: Stratus {ours:.2?}, wasmparser {theirs:.2?}");
    println!("decode_validate: Stratus    {ours_mbs:8.1} MB/s");
    println!("decode_validate: wasmparser {theirs_mbs:8.1} MB/s");
    let decode = median(decode);
    println!(
        "decode_validate: (Stratus module decoding alone, function bodies left for validation: {decode:.2?}, \
         {:.0} MB/s)",
        mb_per_s(bytes.len(), decode)
    );
    println!(
        "decode_validate: ratio Stratus/wasmparser {:.2} (above 1: Stratus is faster)",
        ours_mbs / theirs_mbs
    );
}
