//! stratus-spectest: runs WebAssembly `.wast` spec-test scripts against Stratus.
//!
//! Owns: reading `.wast` scripts (with the `wast` crate's parser), turning their modules
//! (text, `binary` and `quote`) into bytes, and carrying out every directive of a Wasm
//! 2.0 script: modules decoded, validated and instantiated, imports linked against
//! registered instances and the `spectest` host module, calls and their results, traps,
//! exhaustion and link errors checked against the script. Functions run in the tier
//! [`RunOptions::compile`] asks for. Also the per-file and total counts that
//! `stratus spectest` prints, of directives and of functions by tier.
//!
//! Does not own: decoding, validation or execution (stratus-decoder, stratus-validator,
//! stratus-runtime, stratus-interp); this crate only drives them and compares.
//!
//! Entry points: [`run_script`] for one script held in memory, [`run_file`] for one file,
//! [`run_paths`] for files and folders of scripts.

mod check;
mod files;
mod host;
mod link;
mod module_bytes;
mod panics;
mod report;
mod script;
mod session;
mod values;
mod worker;

pub use files::{ScriptPath, collect_scripts, run_file, run_paths, run_paths_with};
pub use report::{
    Counts, Failure, FileReport, FunctionCounts, Location, Mismatch, Phase, Summary, mismatches_text,
};
pub use stratus_runtime::CompilePolicy;
pub use worker::{BoundsChecks, RunOptions, run_script, run_script_with};
