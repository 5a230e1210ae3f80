//! Asking Stratus about one module's bytes.

use std::sync::Arc;

use stratus_runtime::CompiledModule;

use crate::panics::catch_panic;
use crate::report::Phase;

/// Stratus's answer for a module.
pub(crate) enum Verdict {
    /// Decoded and validated, ready to instantiate.
    Accepted(Arc<CompiledModule>),
    Rejected {
        phase: Phase,
        offset: usize,
        message: String,
    },
    /// The decoder or validator panicked: always a bug, reported as a failure with the
    /// panic's message so one bad module does not end the whole run.
    Panicked(String),
}

/// Decodes and validates `bytes`.
pub(crate) fn check_module(bytes: Vec<u8>) -> Verdict {
    let outcome = catch_panic(|| match CompiledModule::new(bytes) {
        Ok(module) => Verdict::Accepted(module),
        Err(error) => {
            let phase = match error {
                stratus_validator::Error::Malformed(_) => Phase::Malformed,
                stratus_validator::Error::Invalid(_) => Phase::Invalid,
            };
            Verdict::Rejected { phase, offset: error.offset(), message: error.message() }
        }
    });
    outcome.unwrap_or_else(Verdict::Panicked)
}
