//! Turning a panic in Stratus into a failure of one directive rather than the end of
//! the run.

use std::panic::{self, AssertUnwindSafe};

/// Runs `f`; a panic becomes `Err` with its message.
///
/// Unwind safety is asserted: after a panic the caller either discards what `f` touched
/// or resets it (the session clears its value stack), and reports the panic as a bug.
pub(crate) fn catch_panic<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    panic::catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        if let Some(text) = payload.downcast_ref::<&str>() {
            (*text).to_string()
        } else if let Some(text) = payload.downcast_ref::<String>() {
            text.clone()
        } else {
            "unknown panic payload".to_string()
        }
    })
}
