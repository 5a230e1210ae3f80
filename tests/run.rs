//! `stratus run` as a command: options, exit statuses, `--invoke`, and the one-line
//! errors for files that cannot be run. The WASI programs themselves are in wasi.rs.

#[path = "programs/harness.rs"]
mod harness;

#[cfg(any(feature = "wasi", feature = "wat"))]
use std::fs;

use harness::*;

#[cfg(feature = "wat")]
const TRAP_WAT: &str = r#"(module
  (func $inner (unreachable))
  (func $_start (export "_start") (call $inner))
  (memory (export "memory") 1))"#;

/// A reactor: `_initialize` must run before `add` is called.
#[cfg(feature = "wat")]
const REACTOR_WAT: &str = r#"(module
  (global $base (mut i32) (i32.const 0))
  (func (export "_initialize") (global.set $base (i32.const 100)))
  (func (export "add") (param i32 i64 f64) (result i32 i64 f64)
    (i32.add (local.get 0) (global.get $base)) (local.get 1) (local.get 2))
  (func (export "floats") (param f32) (result f32 v128) (local.get 0) (v128.const i64x2 1 -1)))"#;

#[test]
#[cfg(feature = "wasi")]
fn hello_prints_and_exits_zero() {
    let dir = scratch("run", "hello");
    let output = stratus(&dir, &["run", &program("hello.wasm")]);
    assert_output(&output, "Hello from WebAssembly!\n");
    assert_eq!(stderr(&output), "(this line went to standard error)\n");
}

#[test]
#[cfg(feature = "wasi")]
fn a_guest_sees_its_own_write_errors_and_keeps_its_status() {
    let dir = scratch("run", "full_guest");
    let output = stratus(&dir, &["run", &program("fullout.wasm")]);
    assert_output(&output, "unbuffered, buffered\n");
    assert_eq!(stderr(&output), "write(1, ...) = 12 OK\nprintf and fflush: OK\n");
    // On a full device the guest's writes fail with ENOSPC, as natively; it does not
    // check, so it exits 0, as the same C program does natively. Stratus keeps none of
    // the guest's output back, so it has nothing of its own that failed to report.
    let output = stratus_to_full_device(&dir, &["run", &program("fullout.wasm")]);
    assert_eq!(stderr(&output), "write(1, ...) = -1 ENOSPC\nprintf and fflush: ENOSPC\n");
    assert_eq!(status(&output), 0);
    let output = stratus_to_full_device(&dir, &["run", &program("hello.wasm")]);
    assert_eq!(stderr(&output), "(this line went to standard error)\n");
    assert_eq!(status(&output), 0);
}

#[test]
#[cfg(feature = "wasi")]
fn args_and_environment_reach_the_guest() {
    // Node's WASI (node:wasi with the same args and env) prints the same lines.
    let dir = scratch("run", "args");
    let file = program("args.wasm");
    let output =
        stratus(&dir, &["run", "--env", "A=1", "--env=B=x=y", &file, "one", "two words", "--env", "-"]);
    let expected = format!(
        "argc=5\nargv[0]={file}\nargv[1]=one\nargv[2]=two words\nargv[3]=--env\nargv[4]=-\n\
         env: A=1\nenv: B=x=y\n"
    );
    assert_output(&output, &expected);
}

#[test]
#[cfg(feature = "wasi")]
fn argv0_is_the_file_as_given_and_no_host_environment_leaks() {
    let dir = scratch("run", "argv0");
    fs::copy(program("args.wasm"), dir.join("args.wasm")).unwrap();
    let output = stratus(&dir, &["run", "args.wasm"]);
    assert_output(&output, "argc=1\nargv[0]=args.wasm\n");
}

#[test]
#[cfg(feature = "wasi")]
fn exit_codes_become_the_process_status() {
    let dir = scratch("run", "exit");
    for code in ["0", "1", "3", "42", "125", "255"] {
        let output = stratus(&dir, &["run", &program("exit.wasm"), code]);
        assert_eq!(stdout(&output), format!("exiting with {code}\natexit handler ran\n"));
        assert_eq!(status(&output).to_string(), code);
    }
    // Returning a status from main goes through proc_exit as well.
    let output = stratus(&dir, &["run", "--env", "EXIT_CODE=7", &program("args.wasm")]);
    assert_eq!(status(&output), 7);
    // A code a process status cannot hold is not cut to its low byte (256 would be 0).
    let output = stratus(&dir, &["run", &program("exit.wasm"), "256"]);
    assert_eq!(status(&output), 1);
}

#[test]
#[cfg(feature = "wasi")]
fn stdin_is_passed_through() {
    let dir = scratch("run", "stdin");
    let input: Vec<u8> = (0..5000u32).map(|i| b'a' + (i % 26) as u8).chain(*b"\nend\n").collect();
    let output = stratus_with_input(&dir, &["run", &program("echo.wasm")], Some(&input));
    assert_eq!(output.stdout, input);
    assert_eq!(stderr(&output), format!("echoed {} bytes\n", input.len()));
    assert_eq!(status(&output), 0);
    let output = stratus(&dir, &["run", &program("echo.wasm")]);
    assert_output(&output, "");
    assert_eq!(stderr(&output), "echoed 0 bytes\n");
}

#[test]
#[cfg(feature = "wat")]
fn a_trap_prints_its_message_and_backtrace() {
    let dir = scratch("run", "trap");
    fs::write(dir.join("trap.wat"), TRAP_WAT).unwrap();
    let output = stratus(&dir, &["run", "trap.wat"]);
    assert_eq!(stdout(&output), "");
    assert_eq!(
        stderr(&output),
        "trap.wat: error: wasm trap: unreachable\nwasm backtrace:\n  0: 0x32 - inner\n  1: 0x36 - _start\n"
    );
    assert_eq!(status(&output), 134);
}

#[test]
#[cfg(feature = "wat")]
fn deep_recursion_prints_a_short_backtrace() {
    let dir = scratch("run", "deep");
    let text = r#"(module
      (func $forever (call $forever))
      (func $start (export "_start") (call $forever)))"#;
    fs::write(dir.join("deep.wat"), text).unwrap();
    let output = stratus(&dir, &["run", "deep.wat"]);
    assert_eq!(status(&output), 134);
    let text = stderr(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    assert_eq!(lines[..2], ["deep.wat: error: wasm trap: call stack exhausted", "wasm backtrace:"]);
    // Every frame of `forever` is at its call instruction, the innermost too (the call
    // that found the stack full).
    assert_eq!(lines[2..4], ["  0: 0x24 - forever", "  1: 0x24 - forever"], "{text}");
    // However deep the stack may be, the count of the folded frames and the number of
    // the frame after them agree.
    let folded =
        lines[4].strip_prefix("  ... ").and_then(|rest| rest.strip_suffix(" more frames of forever"));
    let folded: usize = folded.expect("a folded run").replace(',', "").parse().expect("a count");
    assert!(folded > 1000, "{text}");
    assert_eq!(lines[5], format!("  {}: 0x29 - start", folded + 2), "{text}");
}

#[test]
#[cfg(feature = "wat")]
fn lazy_validation_defers_an_invalid_function_until_it_is_called() {
    let dir = scratch("run", "lazy");
    let text = r#"(module
      (func (export "good") (result i32) i32.const 7)
      (func (export "bad") (result i32) i64.const 1))"#;
    fs::write(dir.join("lazy.wat"), text).unwrap();
    let eager = stratus(&dir, &["run", "--invoke", "good", "lazy.wat"]);
    assert_eq!(status(&eager), 1);
    assert!(stderr(&eager).contains("type mismatch"), "{}", stderr(&eager));
    let good = stratus(&dir, &["run", "--lazy-validation", "--invoke", "good", "lazy.wat"]);
    assert_output(&good, "7\n");
    let bad = stratus(&dir, &["run", "--lazy-validation", "--invoke", "bad", "lazy.wat"]);
    assert_eq!(stdout(&bad), "");
    assert!(
        stderr(&bad).starts_with("lazy.wat: error: wasm trap: function 1 is invalid: 0x"),
        "{}",
        stderr(&bad)
    );
    assert!(stderr(&bad).contains("type mismatch"), "{}", stderr(&bad));
    assert_eq!(status(&bad), 134);
}

#[test]
#[cfg(feature = "wat")]
fn invoke_calls_an_export_with_typed_arguments() {
    let dir = scratch("run", "invoke");
    fs::write(dir.join("reactor.wat"), REACTOR_WAT).unwrap();
    let output = stratus(&dir, &["run", "--invoke", "add", "reactor.wat", "1", "-5", "2.5"]);
    assert_output(&output, "101\n-5\n2.5\n");
    let output = stratus(&dir, &["run", "--invoke=add", "reactor.wat", "4294967295", "0x10", "-inf"]);
    assert_output(&output, "99\n16\n-inf\n");
    let output = stratus(&dir, &["run", "--invoke", "floats", "reactor.wat", "nan"]);
    assert_output(&output, "NaN\n0xffffffffffffffff0000000000000001\n");
}

#[test]
#[cfg(feature = "wat")]
fn results_that_cannot_be_written_are_an_error() {
    let dir = scratch("run", "invoke_full");
    fs::write(dir.join("reactor.wat"), REACTOR_WAT).unwrap();
    let message = "stratus: error: writing standard output: No space left on device\n";
    let output = stratus_to_full_device(&dir, &["run", "--invoke", "add", "reactor.wat", "1", "-5", "2.5"]);
    assert_eq!(stderr(&output), message);
    assert_eq!(status(&output), 1);
    let output = stratus_to_full_device(&dir, &["run", "--help"]);
    assert_eq!(stderr(&output), message);
    assert_eq!(status(&output), 1);
}

#[test]
#[cfg(feature = "wat")]
fn invoke_mistakes_are_one_line_each() {
    let dir = scratch("run", "invoke_errors");
    fs::write(dir.join("reactor.wat"), REACTOR_WAT).unwrap();
    let cases: [(&[&str], &str); 4] = [
        (&["1", "x", "2"], "reactor.wat: error: argument 1 of `add`: 'x' is not a valid i64 value\n"),
        (
            &["1"],
            "reactor.wat: error: `add` has type [i32 i64 f64] -> [i32 i64 f64]: it takes 3 arguments, \
             but 1 was given\n",
        ),
        (
            &["4294967296", "0", "0"],
            "reactor.wat: error: argument 0 of `add`: '4294967296' is not a valid i32 value\n",
        ),
        (&["1", "2", "1.5.5"], "reactor.wat: error: argument 2 of `add`: '1.5.5' is not a valid f64 value\n"),
    ];
    for (values, message) in cases {
        let mut args = vec!["run", "--invoke", "add", "reactor.wat"];
        args.extend_from_slice(values);
        let output = stratus(&dir, &args);
        assert_eq!((stderr(&output).as_str(), status(&output)), (message, 1));
    }
    let output = stratus(&dir, &["run", "--invoke", "nope", "reactor.wat"]);
    assert_eq!(stderr(&output), "reactor.wat: error: the module exports no function named `nope`\n");
    let output = stratus(&dir, &["run", "reactor.wat"]);
    assert_eq!(
        stderr(&output),
        "reactor.wat: error: the module exports no `_start` function: use --invoke NAME to call an export\n"
    );
    assert_eq!(status(&output), 1);
}

#[test]
#[cfg(feature = "wat")]
fn files_that_cannot_run_get_one_line() {
    let dir = scratch("run", "bad_files");
    fs::write(
        dir.join("imports.wat"),
        r#"(module (import "env" "missing" (func)) (func (export "_start")))"#,
    )
    .unwrap();
    fs::write(dir.join("bad.wat"), "(module (func").unwrap();
    fs::write(dir.join("truncated.wasm"), b"\0asm\x01\0\0\0\x01").unwrap();
    fs::create_dir(dir.join("folder.wasm")).unwrap();
    let cases = [
        ("missing.wasm", "missing.wasm: error: cannot read file: no such file\n"),
        ("folder.wasm", "folder.wasm: error: cannot read file: is a folder, not a file\n"),
        (
            "imports.wat",
            "imports.wat: error: unknown import: `env::missing` is not defined (the module expects a \
             function [] -> [])\n",
        ),
        ("bad.wat", "bad.wat:1:14: error: expected `)`\n"),
        ("truncated.wasm", "truncated.wasm: error: invalid module at offset 0x9: unexpected end\n"),
    ];
    for (file, message) in cases {
        let output = stratus(&dir, &["run", file]);
        assert_eq!((stdout(&output).as_str(), stderr(&output).as_str(), status(&output)), ("", message, 1));
    }
}

#[test]
fn usage_errors_exit_2_with_a_hint() {
    let dir = scratch("run", "usage");
    let hint = "hint: see 'stratus run --help'\n";
    let cases: [(&[&str], &str); 6] = [
        (&["run"], "error: no module: 'stratus run' needs a FILE\n"),
        (&["run", "--bogus", "a.wasm"], "error: unknown option '--bogus'\n"),
        (&["run", "--dir"], "error: --dir needs a value: HOST[::GUEST]\n"),
        (
            &["run", "--env", "NOEQUALS", "a.wasm"],
            "error: --env 'NOEQUALS': expected KEY=VALUE with a non-empty KEY\n",
        ),
        (
            &["run", "--dir", "::x", "a.wasm"],
            "error: --dir '::x': expected HOST or HOST::GUEST, with neither empty\n",
        ),
        (
            &["run", "--tier", "fast", "a.wasm"],
            "error: --tier: invalid configuration: unknown tier `fast`: expected interp, auto or jit\n",
        ),
    ];
    for (args, message) in cases {
        let output = stratus(&dir, args);
        assert_eq!(stderr(&output), format!("{message}{hint}"), "{args:?}");
        assert_eq!(status(&output), 2);
    }
}

#[test]
#[cfg(feature = "wasi")]
fn a_missing_preopen_is_one_line() {
    let dir = scratch("run", "missing_dir");
    let output = stratus(&dir, &["run", "--dir", "nowhere", &program("hello.wasm")]);
    let err = stderr(&output);
    assert!(err.contains("error: cannot open directory 'nowhere' for --dir: "), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!((stdout(&output).as_str(), status(&output)), ("", 1));
}

#[test]
fn help_describes_run() {
    let dir = scratch("run", "help");
    let output = stratus(&dir, &["help", "run"]);
    assert!(stdout(&output).starts_with("Run a WebAssembly program"));
    assert!(stdout(&output).contains("134 (128 + SIGABRT)"));
    let output = stratus(&dir, &["run", "--help"]);
    assert!(stdout(&output).contains("--dir HOST[::GUEST]"));
    assert!(stdout(&stratus(&dir, &["--help"])).contains("  run  "));
}

#[test]
#[cfg(not(feature = "wasi"))]
fn without_wasi_imports_are_unknown_and_dir_is_refused() {
    let dir = scratch("run", "no_wasi");
    let output = stratus(&dir, &["run", &program("hello.wasm")]);
    assert!(
        stderr(&output).contains("error: unknown import: `wasi_snapshot_preview1::"),
        "{}",
        stderr(&output)
    );
    assert_eq!(status(&output), 1);
    let output = stratus(&dir, &["run", "--dir", ".", &program("hello.wasm")]);
    assert!(stderr(&output).ends_with("--dir and --env need WASI, and this stratus was built without it\n"));
}

/// Programs that would run for ever: a loop in the fast path, a loop in the checked path
/// (a `v128` local keeps the function out of the fast loop's simple ones), a doubly
/// recursive function, and a program asleep in a host call.
#[cfg(feature = "wat")]
const RUNAWAY_WAT: &str = r#"(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func $loop (export "loop") (loop $l (br $l)))
  (func $wide (export "wide") (local $v v128)
    (loop $l (local.set $v (i64x2.add (local.get $v) (local.get $v))) (br $l)))
  (func $fib (export "fib") (param $n i64) (result i64)
    (if (result i64) (i64.lt_u (local.get $n) (i64.const 2))
      (then (local.get $n))
      (else (i64.add (call $fib (i64.sub (local.get $n) (i64.const 1)))
                     (call $fib (i64.sub (local.get $n) (i64.const 2)))))))
  (func (export "sleep") (result i32)
    ;; One relative clock subscription of an hour at 0; the event goes to 64.
    (i32.store8 (i32.const 8) (i32.const 0))
    (i32.store (i32.const 16) (i32.const 1))
    (i64.store (i32.const 24) (i64.const 3600000000000))
    (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128))))"#;

#[test]
#[cfg(feature = "wat")]
fn timeout_stops_runaway_loops_and_recursion_with_its_own_status() {
    let dir = scratch("run", "timeout");
    fs::write(dir.join("runaway.wat"), RUNAWAY_WAT).unwrap();
    for (export, args) in [("loop", &[][..]), ("wide", &[][..]), ("fib", &["90"][..])] {
        let mut command = vec!["run", "--timeout", "200ms", "--invoke", export, "runaway.wat"];
        command.extend(args);
        let started = std::time::Instant::now();
        let output = stratus(&dir, &command);
        assert_eq!(status(&output), 142, "{export}: {}", stderr(&output));
        let text = stderr(&output);
        assert!(
            text.starts_with(
                "runaway.wat: error: timed out after 200ms: wasm trap: interrupted\nwasm backtrace:\n"
            ),
            "{export}: {text}"
        );
        assert!(text.contains(&format!(" - {export}\n")), "{export}: {text}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "{export} took {:?}",
            started.elapsed()
        );
    }
}

#[test]
#[cfg(all(feature = "wasi", feature = "wat"))]
fn timeout_does_not_wait_for_a_guest_asleep_in_a_host_call() {
    let dir = scratch("run", "timeout-host");
    fs::write(dir.join("runaway.wat"), RUNAWAY_WAT).unwrap();
    let output = stratus(&dir, &["run", "--timeout", "100ms", "--invoke", "sleep", "runaway.wat"]);
    assert_eq!(status(&output), 142);
    assert_eq!(
        stderr(&output),
        "stratus: error: timed out after 100ms, in a host call that did not return\n"
    );
}

#[test]
#[cfg(feature = "wat")]
fn fuel_stops_a_program_at_the_same_place_every_time() {
    let dir = scratch("run", "fuel");
    fs::write(dir.join("runaway.wat"), RUNAWAY_WAT).unwrap();
    // fib(10) makes 177 calls, one unit each.
    let output = stratus(&dir, &["run", "--fuel", "177", "--invoke", "fib", "runaway.wat", "10"]);
    assert_eq!((status(&output), stdout(&output)), (0, "55\n".to_string()), "{}", stderr(&output));
    let stop = || stratus(&dir, &["run", "--fuel", "176", "--invoke", "fib", "runaway.wat", "10"]);
    let output = stop();
    assert_eq!(status(&output), 134);
    let text = stderr(&output);
    assert!(
        text.starts_with("runaway.wat: error: wasm trap: all fuel consumed\nwasm backtrace:\n"),
        "{text}"
    );
    assert_eq!(stderr(&stop()), text);
    let output = stratus(&dir, &["run", "--fuel", "1000", "--invoke", "loop", "runaway.wat"]);
    assert_eq!(status(&output), 134);
    for bad in [["--fuel", "-1"], ["--fuel", "lots"], ["--timeout", "10"], ["--timeout", "soon"]] {
        let output = stratus(&dir, &["run", bad[0], bad[1], "runaway.wat"]);
        assert_eq!(status(&output), 2, "{bad:?}");
    }
}
