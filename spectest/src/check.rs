//! Asking Stratus about one module's bytes.

use std::panic::{self, AssertUnwindSafe};

use crate::report::Phase;

/// Stratus's answer for a module.
pub(crate) enum Verdict {
    Accepted,
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
pub(crate) fn check_module(bytes: &[u8]) -> Verdict {
    let outcome =
        panic::catch_unwind(AssertUnwindSafe(|| match stratus_validator::parse_and_validate(bytes) {
            Ok(_) => Verdict::Accepted,
            Err(error) => {
                let phase = match error {
                    stratus_validator::Error::Malformed(_) => Phase::Malformed,
                    stratus_validator::Error::Invalid(_) => Phase::Invalid,
                };
                Verdict::Rejected { phase, offset: error.offset(), message: error.message() }
            }
        }));
    outcome.unwrap_or_else(|payload| {
        let message = if let Some(text) = payload.downcast_ref::<&str>() {
            (*text).to_string()
        } else if let Some(text) = payload.downcast_ref::<String>() {
            text.clone()
        } else {
            "unknown panic payload".to_string()
        };
        Verdict::Panicked(message)
    })
}
