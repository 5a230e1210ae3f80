//! The help texts.

/// The main help, with the line of the `spectest` command where the build has it.
macro_rules! main_help {
    ($spectest:literal) => {
        concat!(
            "\
Stratus: a WebAssembly runtime (in-place interpreter, baseline JIT, tiered by default).

Usage: stratus <COMMAND> [ARGS]...

Commands:
  run       Run a WASI program (.wasm or .wat), or call one of its exports
  resume    Go on with a program from a snapshot (stratus run --checkpoint)
  validate  Check that WebAssembly modules (.wasm or .wat) decode and validate
",
            $spectest,
            "  help      Show the help of a command

Options:
  -h, --help     Show this help
  -V, --version  Show the version

Run 'stratus help <COMMAND>' for the details of a command.
"
        )
    };
}

#[cfg(feature = "spectest")]
pub const MAIN: &str = main_help!("  spectest  Run .wast spec-test scripts and count passes and failures\n");
#[cfg(not(feature = "spectest"))]
pub const MAIN: &str = main_help!("");

pub const RUN: &str = "\
Run a WebAssembly program: a WASI command (its `_start`), or one export (--invoke).

Usage: stratus run [OPTIONS] FILE [ARGS]...

FILE is a binary module or a module in the text format (.wat). Options come before
FILE; everything after it goes to the program as its arguments, after argv[0], which
is FILE as written. The program's standard input, output and error are those of
stratus, with nothing buffered in between: the program gets their errors (ENOSPC on a
full disk) as a native one would. It sees no files except in the directories given
with --dir.

Options:
      --dir HOST[::GUEST]  Let the program use the host directory HOST, under the name
                           GUEST (by default HOST as written); repeatable
      --env KEY=VALUE      Set an environment variable of the program; repeatable. The
                           program inherits none from stratus
      --invoke NAME        Call the exported function NAME instead of `_start`, with
                           ARGS as its arguments, read by its parameter types (integers
                           in decimal or 0x hex, floats like 1.5, inf, nan); print its
                           results one per line. A reactor's `_initialize` runs first
      --tier TIER          Execution tier: auto (the default): functions start in
                           the interpreter and move to compiled code when hot, at
                           a call or in the middle of a running loop; interp: the
                           interpreter only; jit: every function compiled before
                           it first runs (needs a build with the jit feature).
                           x86-64 (SSE4.1) and AArch64 compile, others interpret
      --tier-up-threshold N
                           With --tier auto, compile a function once its calls
                           and loop iterations together pass N (default 100);
                           0 compiles each function at its first call
      --deterministic      Run the spec's deterministic profile: every NaN a float
                           instruction makes is the canonical NaN, and relaxed SIMD
                           gives its deterministic results, so a program gives the
                           same bits on x86-64 and AArch64 in every tier
      --stats              When the program ends, print what the tiers did to
                           standard error: functions compiled, compile time and
                           code size, entries into compiled loops (OSR)
      --lazy-validation    Validate each function when it is first called, not all
                           before the program starts: a large module starts sooner,
                           but an invalid function is found only if called (a trap)
      --fuel N             Stop the program once it has used N units of fuel: one
                           unit per function call and per loop iteration (a trap:
                           \"all fuel consumed\", exit status 134)
      --timeout DURATION   Stop the program after DURATION (500ms, 10s, 2m, 1h): a
                           clear message and exit status 142
      --max-module-size SIZE
                           Refuse a FILE of more than SIZE bytes (or KiB, MiB, GiB:
                           4MiB) without reading it whole; 1GiB by default
      --max-memory SIZE    The most linear memory the program may have, all memories
                           together (default 4GiB); memory.grow past it returns -1
      --max-table-elements N
                           The most table elements, all tables together (default
                           67108864, 512 MiB of host memory; at most 10000000 in one
                           table unless N is larger); table.grow past it returns -1
  -W NAME=y|n              Switch a WebAssembly 3.0 proposal on (y) or off (n);
                           NAME is tail-call, extended-const, multi-memory,
                           memory64, relaxed-simd, or wasm3 for all of them (all
                           on by default); a module using one that is off is
                           refused, naming it. Comma-separated lists and repeats
                           are allowed: -W tail-call=n,memory64=n
      --max-wasm-stack SIZE
                           The size of the value stack that holds locals and operands
                           (default 32MiB, at most 1GiB); deeper calls trap with
                           \"call stack exhausted\"
      --checkpoint FILE    When asked (below; by default on SIGTERM), pause the
                           program at its next function entry or loop iteration,
                           write its snapshot to FILE and exit with status 75: its
                           memory, open files, arguments, fuel and the module
                           itself, for `stratus resume FILE` here or on another
                           machine (x86-64 or AArch64), in any tier
      --checkpoint-on SIGNAL
                           Take the checkpoint on SIGNAL: TERM, INT, HUP, USR1 or
                           USR2
      --checkpoint-after DURATION
                           Take the checkpoint after DURATION (10s, 2m)
      --checkpoint-at-fuel N
                           Take the checkpoint once the program has used N units of
                           fuel: at the same instruction on every run and machine
  -h, --help               Show this help

SIZE is a number of bytes, or a number followed by KiB, MiB or GiB: 1048576, 512KiB,
64MiB, 1GiB. A module that needs more than a limit to begin with is not run (exit
status 1, \"out of resources\" and the reason).

Exit status:
  the program's own     the code it passed to proc_exit (0 if `_start` returns); a
                        code above 255 becomes 1
  1                     the module cannot be read, is invalid, has an import stratus
                        does not provide, or cannot be called as asked; or stratus
                        cannot write the results of --invoke
  2                     the command is used wrongly
  134 (128 + SIGABRT)   WebAssembly trapped: the message and the Wasm backtrace are
                        printed on standard error
  75 (EX_TEMPFAIL)      --checkpoint wrote the snapshot: where, its size, and the
                        Wasm backtrace of where the program stopped are printed on
                        standard error
  142 (128 + SIGALRM)   --timeout stopped the program
";

pub const RESUME: &str = "\
Go on with a program from the snapshot `stratus run --checkpoint` wrote.

Usage: stratus resume [OPTIONS] FILE

The snapshot carries the module, the program's arguments, environment, memory, open
files (by their path in the program's directories), fuel and limits. It resumes on
any machine (x86-64 or AArch64) in any tier, where it stopped. The program's
directories are given again with --dir, under the names the program knows them by:
their host paths may differ; each file it had open is opened again there and
positioned where it was, and a file that is gone is an error naming it. The
program's monotonic clock goes on from where it was, never backwards.

Options:
      --dir HOST[::GUEST]  The host directory HOST for the program's directory GUEST;
                           repeatable; every directory the program had must be given
      --tier TIER          Execution tier: auto (the default), interp or jit, as for
                           stratus run
      --tier-up-threshold N
                           As for stratus run
      --stats              When the program ends, print what the tiers did
      --fuel N             The fuel the program has from here on (by default what it
                           had left, if it ran with --fuel)
      --timeout DURATION   Stop the program after DURATION from here
      --checkpoint FILE, --checkpoint-on SIGNAL, --checkpoint-after DURATION,
      --checkpoint-at-fuel N
                           Checkpoint again, as stratus run does
  -h, --help               Show this help

Exit status: as for stratus run; 1 also when FILE is no snapshot, is corrupt, or its
program's files or directories cannot be opened again.
";

pub const VALIDATE: &str = "\
Check that WebAssembly modules decode and validate (WebAssembly 3.0 as far as Stratus
runs it: 2.0, tail calls, extended constant expressions, multi-memory, memory64 and
relaxed SIMD; typed function references, exception handling and GC are refused, named).

Usage: stratus validate [OPTIONS] FILE...

Each FILE is a binary module (it starts with the bytes \\0asm) or a module in the text
format (.wat). For each file, one line:
  FILE: ok                          on standard output, when the module is valid
  FILE:0xOFFSET: error: MESSAGE     on standard error, with the byte offset in the
                                    binary (for text input: in its binary encoding)
  FILE:LINE:COLUMN: error: MESSAGE  on standard error, for text that does not parse
  FILE: error: MESSAGE              on standard error, for a file that is not a
                                    module (by its first bytes), is too large, or
                                    cannot be read

Options:
      --max-module-size SIZE  Refuse a FILE of more than SIZE bytes (or KiB, MiB,
                              GiB: 4MiB) without reading it whole; 1GiB by default
  -W NAME=y|n                 Switch a proposal on or off, as 'stratus run' does;
                              -W wasm3=n validates as WebAssembly 2.0
  -h, --help                  Show this help

Exit status: 0 if every module is valid, 1 if any is not (or cannot be read),
2 if the command is used wrongly.
";

#[cfg(feature = "spectest")]
pub const SPECTEST: &str = "\
Run WebAssembly spec-test scripts (.wast).

Usage: stratus spectest [OPTIONS] PATH...

Each PATH is a .wast script or a folder, searched recursively for .wast scripts (run in
sorted order). Modules the script expects valid must decode and validate; those in
assert_invalid and assert_malformed must be rejected; every other directive (invoke,
assert_return, assert_trap, register, ...) runs and is checked.

Prints one line per script with its failures below it, then the counts of each folder
(when the scripts are in more than one) and the totals:
  NAME: N passed, M failed, K skipped; functions: C compiled, I interpreted
  ...
  FOLDER/: N passed, M failed, K skipped
  functions: C compiled, I interpreted
  spectest: N passed, M failed, K skipped
where the functions are those of the scripts' stores that had compiled code (C) and
those without it that ran in the interpreter (I). The scripts are WebAssembly 3.0's:
a directive that needs a proposal Stratus does not run (typed function references,
exceptions, GC), or one switched off with -W, is skipped, and the skips are counted by
proposal: K skipped (gc 12, exceptions 3). With -W wasm3=n the scripts are 2.0's, and
every module using a later proposal must be refused.

A rejected module whose error message does not start with the script's expected text
(or that was rejected as invalid where the script says malformed, or the reverse) is a
message mismatch: counted for information, not a failure.

Options:
  -v, --verbose         List the message mismatches
      --tier TIER       How functions run: auto (the default): in the
                        interpreter, compiled once hot (at a call, or in the
                        middle of a running loop); interp: the interpreter only;
                        jit: every function compiled before it first runs (needs
                        a build with the jit feature). x86-64 CPUs with SSE4.1
                        and AArch64 CPUs compile, others interpret
      --tier-up-threshold N
                        With --tier auto, compile a function once its calls and
                        loop iterations together pass N (default 100); 1 makes
                        every function move to compiled code while it runs
      --bounds-checks guard|explicit
                        How compiled code checks memory accesses: guard (the
                        default): memories reserve 4 GiB and a guard region
                        whose faults are the traps; explicit: memories reserve
                        their maximum and every access is checked
      --timeout DURATION
                        The longest one directive may run (500ms, 10s, 2m; 60s by
                        default): past it, it is interrupted and counted as failed,
                        and the script goes on
  -W NAME=y|n           Switch a proposal on or off, as 'stratus run' does
      --deterministic   Run the scripts under the deterministic profile, as
                        'stratus run --deterministic' runs a program
  -h, --help            Show this help

Exit status: 0 if nothing failed, 1 if anything failed, 2 if the command is used wrongly.
";
