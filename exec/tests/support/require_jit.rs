//! Whether the tests of compiled code can run here; shared (with `#[path]`) by every
//! test that has a compiled half.
//!
//! Where this build has no compiler, or the CPU is not one it targets, such tests return
//! early or run their interpreted half only. A regression in CPU detection would then
//! make the whole compiled half pass while testing nothing, so with
//! `STRATUS_REQUIRE_JIT=1` in the environment (`tools/test-all` sets it) a missing
//! compiler is a failure instead.

/// The environment variable that makes a missing compiler a test failure.
const REQUIRE_JIT: &str = "STRATUS_REQUIRE_JIT";

/// Whether compiled code runs here ([`stratus_exec::jit_available`]); where it does not,
/// panics if [`REQUIRE_JIT`] is set (to anything but nothing or `0`).
pub fn jit_here() -> bool {
    if stratus_exec::jit_available() {
        return true;
    }
    let required = std::env::var_os(REQUIRE_JIT).is_some_and(|v| !v.is_empty() && v != "0");
    assert!(
        !required,
        "{REQUIRE_JIT} is set, but nothing compiles here: this build has no `jit` feature, or \
         the compiler does not target this CPU (x86-64 with SSE4.1, or AArch64)"
    );
    false
}
