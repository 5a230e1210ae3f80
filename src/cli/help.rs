//! The help texts.

pub const MAIN: &str = "\
Stratus: a WebAssembly runtime (in-place interpreter, baseline JIT tiers coming).

Usage: stratus <COMMAND> [ARGS]...

Commands:
  validate  Check that WebAssembly modules (.wasm or .wat) decode and validate
  spectest  Run .wast spec-test scripts and count passes and failures
  help      Show the help of a command

Options:
  -h, --help     Show this help
  -V, --version  Show the version

Run 'stratus help <COMMAND>' for the details of a command.
";

pub const VALIDATE: &str = "\
Check that WebAssembly modules decode and validate (WebAssembly 2.0, with SIMD).

Usage: stratus validate [OPTIONS] FILE...

Each FILE is a binary module (it starts with the bytes \\0asm) or a module in the text
format (.wat). For each file, one line:
  FILE: ok                          on standard output, when the module is valid
  FILE:0xOFFSET: error: MESSAGE     on standard error, with the byte offset in the
                                    binary (for text input: in its binary encoding)
  FILE:LINE:COLUMN: error: MESSAGE  on standard error, for text that does not parse

Options:
  -h, --help  Show this help

Exit status: 0 if every module is valid, 1 if any is not (or cannot be read),
2 if the command is used wrongly.
";

pub const SPECTEST: &str = "\
Run WebAssembly spec-test scripts (.wast).

Usage: stratus spectest [OPTIONS] PATH...

Each PATH is a .wast script or a folder, searched recursively for .wast scripts (run in
sorted order). Modules the script expects valid must decode and validate; those in
assert_invalid and assert_malformed must be rejected. Directives that need execution
(invoke, assert_return, assert_trap, register, ...) are counted as skipped until the
interpreter exists.

Prints one line per script with its failures below it, then the total:
  spectest: N passed, M failed, K skipped

A rejected module whose error message does not start with the script's expected text
(or that was rejected as invalid where the script says malformed, or the reverse) is a
message mismatch: counted for information, not a failure.

Options:
  -v, --verbose  List the message mismatches
  -h, --help     Show this help

Exit status: 0 if nothing failed, 1 if anything failed, 2 if the command is used wrongly.
";
