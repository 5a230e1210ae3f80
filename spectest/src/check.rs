//! Asking Stratus about one module's bytes.

use std::sync::Arc;

use stratus_decoder::{Features, Proposal};
use stratus_runtime::{CompiledModule, Validation};

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
        /// The proposal beyond 2.0 it was refused for using, when that is why.
        proposal: Option<Proposal>,
    },
    /// The decoder or validator panicked: always a bug, reported as a failure with the
    /// panic's message so one bad module does not end the whole run.
    Panicked(String),
}

/// Decodes and validates `bytes`, which may use the proposals `features` allows.
pub(crate) fn check_module(bytes: Vec<u8>, features: Features) -> Verdict {
    let outcome = catch_panic(|| match CompiledModule::with_validation(bytes, Validation::Eager, features) {
        Ok(module) => Verdict::Accepted(module),
        Err(error) => {
            let phase = match error {
                stratus_validator::Error::Malformed(_) => Phase::Malformed,
                stratus_validator::Error::Invalid(_) => Phase::Invalid,
            };
            let proposal = error.proposal();
            Verdict::Rejected { phase, offset: error.offset(), message: error.message(), proposal }
        }
    });
    outcome.unwrap_or_else(Verdict::Panicked)
}
