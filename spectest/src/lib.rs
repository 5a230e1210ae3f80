//! stratus-spectest: runs WebAssembly `.wast` spec-test scripts against Stratus.
//!
//! Owns: reading `.wast` scripts (with the `wast` crate's parser), turning their modules
//! (text, `binary` and `quote`) into bytes, checking each directive against the decoder
//! and validator, and the per-file and total counts that `stratus spectest` prints.
//!
//! Does not own: decoding or validation rules (stratus-decoder, stratus-validator), nor
//! execution. Directives that need an instance (`register`, `invoke`, `assert_return`,
//! `assert_trap`, `assert_exhaustion`, `assert_unlinkable`, ...) are counted as skipped
//! until the interpreter exists; their modules are still validated where the script says
//! they must be valid, so a validator that wrongly rejects them is caught now.
//!
//! Entry points: [`run_script`] for one script held in memory, [`run_file`] for one file,
//! [`run_paths`] for files and folders of scripts.

mod check;
mod files;
mod module_bytes;
mod report;
mod script;

pub use files::{ScriptPath, collect_scripts, run_file, run_paths, run_paths_with};
pub use report::{Counts, Failure, FileReport, Location, Mismatch, Phase, Summary, mismatches_text};
pub use script::run_script;
