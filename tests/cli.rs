//! End-to-end tests of the `stratus` binary: exit statuses and the exact lines users see.

#[path = "programs/harness.rs"]
mod harness;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use harness::stratus_command;

/// `(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))`
const ADD_WASM: &[u8] = b"\0asm\x01\0\0\0\
    \x01\x07\x01\x60\x02\x7f\x7f\x01\x7f\
    \x03\x02\x01\x00\
    \x07\x07\x01\x03add\x00\x00\
    \x0a\x09\x01\x07\x00\x20\x00\x20\x01\x6a\x0b";

/// `(module (func (result i32) i64.const 1))`: the body's type is wrong at offset 0x1a.
const TYPE_MISMATCH_WASM: &[u8] = b"\0asm\x01\0\0\0\
    \x01\x05\x01\x60\x00\x01\x7f\
    \x03\x02\x01\x00\
    \x0a\x06\x01\x04\x00\x42\x01\x0b";

/// A fresh folder for one test's files, under Cargo's scratch space for integration tests.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli").join(test);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create scratch folder");
    dir
}

fn write(dir: &Path, name: &str, contents: &[u8]) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("create folder");
    }
    fs::write(&path, contents).expect("write test file");
    path
}

/// Runs `stratus` in `dir` (so file names in its output are as given).
fn stratus(dir: &Path, args: &[&str]) -> Output {
    stratus_command().args(args).current_dir(dir).output().expect("run stratus")
}

/// Runs `stratus` in `dir` with its standard output on /dev/full, where every write
/// fails with ENOSPC.
fn stratus_to_full_device(dir: &Path, args: &[&str]) -> Output {
    let full = fs::OpenOptions::new().write(true).open("/dev/full").expect("open /dev/full");
    stratus_command().args(args).current_dir(dir).stdout(full).output().expect("run stratus")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn status(output: &Output) -> i32 {
    output.status.code().expect("exited normally, not by a signal")
}

#[test]
#[cfg(feature = "wat")]
fn valid_binary_and_text_modules_are_ok() {
    let dir = scratch("valid");
    write(&dir, "add.wasm", ADD_WASM);
    write(
        &dir,
        "add.wat",
        b"(module (func (export \"add\") (param i32 i32) (result i32)\n  local.get 0 local.get 1 i32.add))\n",
    );
    let output = stratus(&dir, &["validate", "add.wasm", "add.wat"]);
    assert_eq!(stdout(&output), "add.wasm: ok\nadd.wat: ok\n");
    assert_eq!(stderr(&output), "");
    assert_eq!(status(&output), 0);
}

#[test]
#[cfg(feature = "wat")]
fn content_decides_binary_or_text_not_the_extension() {
    let dir = scratch("misnamed");
    write(&dir, "binary.wat", ADD_WASM);
    write(&dir, "text.wasm", b"(module)");
    let output = stratus(&dir, &["validate", "binary.wat", "text.wasm"]);
    assert_eq!(stdout(&output), "binary.wat: ok\ntext.wasm: ok\n");
    assert_eq!(status(&output), 0);
}

#[test]
fn truncated_module_reports_the_offset() {
    let dir = scratch("truncated");
    write(&dir, "truncated.wasm", &ADD_WASM[..20]);
    let output = stratus(&dir, &["validate", "truncated.wasm"]);
    let line = stderr(&output);
    assert!(line.starts_with("truncated.wasm:0x"), "{line}");
    assert!(line.contains(": error: "), "{line}");
    assert_eq!(line.lines().count(), 1, "{line}");
    assert_eq!(stdout(&output), "");
    assert_eq!(status(&output), 1);
}

#[test]
fn empty_file_is_an_unexpected_end() {
    let dir = scratch("empty");
    write(&dir, "empty.wasm", b"");
    let output = stratus(&dir, &["validate", "empty.wasm"]);
    assert_eq!(stderr(&output), "empty.wasm:0x0: error: unexpected end\n");
    assert_eq!(status(&output), 1);
}

#[test]
fn a_file_of_something_else_is_refused_from_its_first_bytes() {
    let dir = scratch("magic");
    write(&dir, "elf.wasm", b"\x7fELF\x02\x01\x01\x00\xff\xfe");
    write(&dir, "zeros.wasm", &[0; 64]);
    let output = stratus(&dir, &["validate", "elf.wasm", "zeros.wasm"]);
    assert_eq!(
        stderr(&output),
        "elf.wasm: error: not a WebAssembly module (bad magic number)\n\
         zeros.wasm: error: not a WebAssembly module (bad magic number)\n"
    );
    assert_eq!(status(&output), 1);
}

/// An endless device is refused after its first bytes, not read until memory runs out.
#[cfg(unix)]
#[test]
fn dev_zero_is_refused_at_once() {
    let dir = scratch("dev_zero");
    for command in ["validate", "run"] {
        let output = stratus(&dir, &[command, "/dev/zero"]);
        assert_eq!(stderr(&output), "/dev/zero: error: not a WebAssembly module (bad magic number)\n");
        assert_eq!(status(&output), 1);
    }
}

#[test]
fn a_truncated_header_is_an_unexpected_end() {
    let dir = scratch("truncated_header");
    write(&dir, "header.wasm", b"\0asm\x01\0");
    let output = stratus(&dir, &["validate", "header.wasm"]);
    assert_eq!(stderr(&output), "header.wasm:0x6: error: unexpected end\n");
    assert_eq!(status(&output), 1);
}

#[test]
fn a_component_is_refused_as_one() {
    let dir = scratch("component");
    // A component's header, then an empty core-module section.
    write(&dir, "component.wasm", b"\0asm\x0d\0\x01\0\x01\x00");
    let output = stratus(&dir, &["validate", "component.wasm"]);
    assert_eq!(
        stderr(&output),
        "component.wasm:0x4: error: unknown binary version 0x1000d \
         (components are not supported, only core modules)\n"
    );
    assert_eq!(status(&output), 1);
}

#[test]
#[cfg(feature = "wat")]
fn a_file_over_the_size_limit_is_refused() {
    let dir = scratch("size_limit");
    let mut big = b"(module)".to_vec();
    big.resize(1025, b' ');
    write(&dir, "big.wat", &big);
    write(&dir, "small.wat", &big[..1024]);
    let output = stratus(&dir, &["validate", "--max-module-size=1KiB", "big.wat", "small.wat"]);
    assert_eq!(stderr(&output), "big.wat: error: larger than the limit of 1 KiB\n");
    assert_eq!(stdout(&output), "small.wat: ok\n");
    let output = stratus(&dir, &["run", "--max-module-size", "1024", "big.wat"]);
    assert_eq!(stderr(&output), "big.wat: error: larger than the limit of 1 KiB\n");
    assert_eq!(status(&output), 1);
    let output = stratus(&dir, &["validate", "--max-module-size=1KB", "big.wat"]);
    assert_eq!(status(&output), 2);
}

/// `stratus validate ARGS` with `input` written to its standard input until it stops
/// reading (or all of it is written).
#[cfg(unix)]
fn validate_stdin(dir: &Path, args: &[&str], input: impl std::io::Read + Send + 'static) -> Output {
    use std::process::Stdio;
    let mut child = stratus_command()
        .arg("validate")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run stratus");
    let mut stdin = child.stdin.take().expect("piped standard input");
    let mut input = input;
    // Writing fails with a broken pipe once stratus stops reading: that is the point.
    let writer = std::thread::spawn(move || std::io::copy(&mut input, &mut stdin).map(drop));
    let output = child.wait_with_output().expect("wait for stratus");
    let _ = writer.join();
    output
}

/// A pipe is read like a file: a genuine module is fine, and an endless one stops at
/// the size limit.
#[cfg(unix)]
#[test]
fn pipes_are_read_up_to_the_size_limit() {
    let dir = scratch("pipes");
    let output = validate_stdin(&dir, &["/dev/stdin"], ADD_WASM);
    assert_eq!(stdout(&output), "/dev/stdin: ok\n");
    assert_eq!(status(&output), 0);
    let endless = std::io::repeat(b'(');
    let output = validate_stdin(&dir, &["--max-module-size=64KiB", "/dev/stdin"], endless);
    assert_eq!(stderr(&output), "/dev/stdin: error: larger than the limit of 64 KiB\n");
    assert_eq!(status(&output), 1);
}

#[test]
fn invalid_binary_module_names_the_rule_and_offset() {
    let dir = scratch("invalid_binary");
    write(&dir, "bad.wasm", TYPE_MISMATCH_WASM);
    let output = stratus(&dir, &["validate", "bad.wasm"]);
    let line = stderr(&output);
    assert!(line.starts_with("bad.wasm:0x1a: error: type mismatch"), "{line}");
    assert_eq!(status(&output), 1);
}

/// Declarations are reported at the byte they are about, not at the start of the module.
#[test]
fn declaration_errors_point_at_the_offending_byte() {
    let dir = scratch("declaration_offsets");
    // Two functions of types 0 and 9: the 9 is at 0x12.
    write(
        &dir,
        "type.wasm",
        b"\0asm\x01\0\0\0\x01\x04\x01\x60\0\0\x03\x03\x02\x00\x09\x0a\x07\x02\x02\0\x0b\x02\0\x0b",
    );
    // Two memories: the second is at 0x0d.
    write(&dir, "memories.wasm", b"\0asm\x01\0\0\0\x05\x05\x02\x00\x01\x00\x01");
    // A memory of minimum 2 and maximum 1, its limits at 0x0b.
    write(&dir, "limits.wasm", b"\0asm\x01\0\0\0\x05\x04\x01\x01\x02\x01");
    // As WebAssembly 2.0, which has one memory at most.
    let output = stratus(&dir, &["validate", "-W", "wasm3=n", "type.wasm", "memories.wasm", "limits.wasm"]);
    assert_eq!(
        stderr(&output),
        "type.wasm:0x12: error: unknown type 9\n\
         memories.wasm:0xd: error: multiple memories (the multi-memory proposal is disabled; -W \
         multi-memory=y enables it)\n\
         limits.wasm:0xb: error: size minimum must not be greater than maximum\n"
    );
    assert_eq!(status(&output), 1);
}

/// `-W NAME=y|n` switches proposals, for `validate` and `run` alike; unknown and
/// unimplemented ones are usage errors.
#[test]
fn proposals_are_switched_with_w() {
    let dir = scratch("proposal_switches");
    // Two memories of one page each.
    write(&dir, "memories.wasm", b"\0asm\x01\0\0\0\x05\x05\x02\x00\x01\x00\x01");
    assert_eq!(stdout(&stratus(&dir, &["validate", "memories.wasm"])), "memories.wasm: ok\n");
    for switch in
        [&["-W", "multi-memory=n"][..], &["-Wmulti-memory=no"], &["-W", "memory64=y,multi-memory=n"]]
    {
        let output = stratus(&dir, &[&["validate"], switch, &["memories.wasm"]].concat());
        assert_eq!(status(&output), 1, "{switch:?}");
        assert!(stderr(&output).contains("(the multi-memory proposal is disabled"), "{switch:?}");
    }
    let output = stratus(&dir, &["run", "-W", "multi-memory=n", "memories.wasm"]);
    assert_eq!(status(&output), 1);
    assert!(stderr(&output).contains("(the multi-memory proposal is disabled"), "{}", stderr(&output));
    let output = stratus(&dir, &["validate", "-W", "gc=y", "memories.wasm"]);
    assert_eq!(status(&output), 2);
    assert!(stderr(&output).contains("-W gc=y: the gc proposal is not supported"), "{}", stderr(&output));
    let output = stratus(&dir, &["validate", "-W", "threads=maybe", "memories.wasm"]);
    assert_eq!(status(&output), 2);
    assert!(stderr(&output).contains("expected threads=y or threads=n"), "{}", stderr(&output));
    let output = stratus(&dir, &["run", "-W", "simd=n", "memories.wasm"]);
    assert_eq!(status(&output), 2);
    assert!(
        stderr(&output).contains("-W simd=n: unknown proposal; known: wasm3, tail-call, extended-const"),
        "{}",
        stderr(&output)
    );
}

#[test]
#[cfg(feature = "wat")]
fn invalid_text_module_reports_the_offset_in_its_encoding() {
    let dir = scratch("invalid_text");
    write(&dir, "bad.wat", b"(module (func (result i32) i64.const 1))");
    let output = stratus(&dir, &["validate", "bad.wat"]);
    let line = stderr(&output);
    assert!(line.starts_with("bad.wat:0x1a: error: type mismatch"), "{line}");
    assert!(line.trim_end().ends_with("(offset in the binary encoding of the text)"), "{line}");
    assert_eq!(status(&output), 1);
}

#[test]
#[cfg(feature = "wat")]
fn text_syntax_error_reports_line_and_column() {
    let dir = scratch("syntax");
    write(&dir, "syntax.wat", b"(module\n  (func (i32.bogus)))\n");
    let output = stratus(&dir, &["validate", "syntax.wat"]);
    let line = stderr(&output);
    assert!(line.starts_with("syntax.wat:2:10: error: "), "{line}");
    assert_eq!(status(&output), 1);
}

#[test]
fn missing_file_is_one_clear_line() {
    let dir = scratch("missing");
    let output = stratus(&dir, &["validate", "nowhere.wasm"]);
    assert_eq!(stderr(&output), "nowhere.wasm: error: cannot read file: no such file\n");
    assert_eq!(status(&output), 1);
}

#[test]
fn every_file_is_checked_even_after_an_error() {
    let dir = scratch("several");
    write(&dir, "add.wasm", ADD_WASM);
    let output = stratus(&dir, &["validate", "nowhere.wasm", "add.wasm"]);
    assert_eq!(stdout(&output), "add.wasm: ok\n");
    assert_eq!(stderr(&output).lines().count(), 1);
    assert_eq!(status(&output), 1);
}

#[test]
fn usage_errors_exit_with_2_and_a_hint() {
    let dir = scratch("usage");
    let mut cases: Vec<(&[&str], &str)> = vec![
        (
            &["validate", "--bogus", "x.wasm"],
            "error: unknown option '--bogus'\nhint: see 'stratus validate --help'\n",
        ),
        (
            &["validate"],
            "error: no input files: 'stratus validate' needs at least one FILE\nhint: see 'stratus validate --help'\n",
        ),
        (&["frobnicate"], "error: unknown command 'frobnicate'\nhint: see 'stratus --help'\n"),
        (&["--frobnicate"], "error: unknown option '--frobnicate'\nhint: see 'stratus --help'\n"),
        (
            &["help", "frobnicate"],
            "error: no help for unknown command 'frobnicate'\nhint: see 'stratus --help'\n",
        ),
    ];
    if cfg!(feature = "spectest") {
        cases
            .push((&["spectest", "-x"], "error: unknown option '-x'\nhint: see 'stratus spectest --help'\n"));
        cases.push((
            &["spectest", "--tier", "bogus", "x.wast"],
            "error: --tier: invalid configuration: unknown tier `bogus`: expected interp, auto or jit\n\
             hint: see 'stratus spectest --help'\n",
        ));
    }
    for (args, expected) in cases {
        let output = stratus(&dir, args);
        assert_eq!(stderr(&output), expected, "stratus {args:?}");
        assert_eq!(stdout(&output), "", "stratus {args:?}");
        assert_eq!(status(&output), 2, "stratus {args:?}");
    }
}

#[test]
fn no_arguments_prints_usage_and_exits_with_2() {
    let output = stratus(&scratch("no_args"), &[]);
    assert!(stderr(&output).contains("Usage: stratus <COMMAND>"));
    assert_eq!(status(&output), 2);
}

#[test]
fn double_dash_ends_options() {
    let dir = scratch("double_dash");
    write(&dir, "--help", ADD_WASM);
    let output = stratus(&dir, &["validate", "--", "--help"]);
    assert_eq!(stdout(&output), "--help: ok\n");
    assert_eq!(status(&output), 0);
}

#[test]
fn help_explains_each_command() {
    let dir = scratch("help");
    for args in [&["--help"][..], &["-h"], &["help"]] {
        let output = stratus(&dir, args);
        let text = stdout(&output);
        assert!(text.contains("Usage: stratus <COMMAND>"), "{args:?}: {text}");
        assert!(text.contains("validate"), "{args:?}: {text}");
        // The spec runner is listed where the build has it.
        assert_eq!(text.contains("spectest"), cfg!(feature = "spectest"), "{args:?}: {text}");
        assert_eq!(status(&output), 0);
    }
    for args in [&["help", "validate"][..], &["validate", "--help"], &["validate", "-h"]] {
        let output = stratus(&dir, args);
        let text = stdout(&output);
        assert!(text.contains("Usage: stratus validate [OPTIONS] FILE..."), "{args:?}: {text}");
        assert!(text.contains("FILE:0xOFFSET: error: MESSAGE"), "{args:?}: {text}");
        assert_eq!(status(&output), 0);
    }
    #[cfg(feature = "spectest")]
    for args in [&["help", "spectest"][..], &["spectest", "--help"]] {
        let output = stratus(&dir, args);
        let text = stdout(&output);
        assert!(text.contains("Usage: stratus spectest [OPTIONS] PATH..."), "{args:?}: {text}");
        assert!(text.contains("spectest: N passed, M failed, K skipped"), "{args:?}: {text}");
        assert_eq!(status(&output), 0);
    }
}

#[test]
fn version() {
    let dir = scratch("version");
    for flag in ["--version", "-V"] {
        let output = stratus(&dir, &[flag]);
        assert_eq!(stdout(&output), format!("stratus {}\n", env!("CARGO_PKG_VERSION")), "{flag}");
        assert_eq!(stderr(&output), "", "{flag}");
        assert_eq!(status(&output), 0, "{flag}");
    }
    let help = stdout(&stratus(&dir, &["--help"]));
    assert!(help.contains("\n  -V, --version  Show the version\n"), "{help}");
}

#[test]
fn output_that_cannot_be_written_is_an_error() {
    let dir = scratch("full");
    write(&dir, "add.wasm", ADD_WASM);
    write(&dir, "bad.wasm", TYPE_MISMATCH_WASM);
    let message = "stratus: error: writing standard output: No space left on device\n";
    for args in [&["--version"][..], &["--help"], &["help", "run"], &["validate", "add.wasm"]] {
        let output = stratus_to_full_device(&dir, args);
        assert_eq!(stderr(&output), message, "{args:?}");
        assert_eq!(status(&output), 1, "{args:?}");
    }
    // The diagnostics come first, the write error once at the end; the status was 1
    // already.
    let output = stratus_to_full_device(&dir, &["validate", "add.wasm", "bad.wasm", "add.wasm"]);
    let lines: Vec<String> = stderr(&output).lines().map(String::from).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("bad.wasm:0x1a: error: type mismatch"), "{lines:?}");
    assert_eq!(format!("{}\n", lines[1]), message);
    assert_eq!(status(&output), 1);
    // A usage error keeps its status 2 and writes nothing to standard output.
    let output = stratus_to_full_device(&dir, &["--bogus"]);
    assert!(!stderr(&output).contains("writing standard output"), "{}", stderr(&output));
    assert_eq!(status(&output), 2);
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    // The reader is gone before stratus writes, as after `| head` has read its fill.
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let output = stratus_command()
        .arg("--version")
        .current_dir(scratch("closed_pipe"))
        .stdout(writer)
        .output()
        .expect("run stratus");
    assert_eq!(stderr(&output), "");
    assert_eq!(status(&output), 0);
}

#[test]
#[cfg(feature = "spectest")]
fn spectest_passing_folder() {
    let dir = scratch("spectest_pass");
    write(
        &dir,
        "suite/sub/good.wast",
        br#"(module (func (export "f") (result i32) (i32.const 1)))
            (assert_return (invoke "f") (i32.const 1))
            (assert_invalid (module (func (result i32))) "type mismatch")
            (assert_malformed (module binary "\00asm" "\02\00\00\00") "unknown binary version")"#,
    );
    write(&dir, "suite/notes.txt", b"not a script");
    let output = stratus(&dir, &["spectest", "suite"]);
    assert_eq!(
        stdout(&output),
        "sub/good.wast: 4 passed, 0 failed, 0 skipped; functions: 0 compiled, 1 interpreted\n\
         functions: 0 compiled, 1 interpreted\n\
         spectest: 4 passed, 0 failed, 0 skipped\n"
    );
    assert_eq!(status(&output), 0);
}

#[test]
#[cfg(feature = "spectest")]
fn spectest_failures_are_listed_with_their_location() {
    let dir = scratch("spectest_fail");
    write(&dir, "a.wast", b"(module)\n  (assert_invalid (module) \"type mismatch\")\n");
    write(&dir, "b.wast", b"(module");
    let output = stratus(&dir, &["spectest", "b.wast", "a.wast"]);
    assert_eq!(
        stdout(&output),
        "b.wast: 0 passed, 1 failed, 0 skipped; functions: 0 compiled, 0 interpreted\n\
         \x20 b.wast:1:8: script: not a valid .wast script: expected `)`\n\
         a.wast: 1 passed, 1 failed, 0 skipped; functions: 0 compiled, 0 interpreted\n\
         \x20 a.wast:2:4: assert_invalid: module was accepted, expected \"type mismatch\"\n\
         functions: 0 compiled, 0 interpreted\n\
         spectest: 1 passed, 2 failed, 0 skipped\n"
    );
    assert_eq!(status(&output), 1);
}

#[test]
#[cfg(feature = "spectest")]
fn spectest_message_mismatches_are_counted_and_listed_with_verbose() {
    let dir = scratch("spectest_mismatch");
    write(&dir, "m.wast", br#"(assert_malformed (module binary "\00asm" "\02\00\00\00") "some other text")"#);
    let output = stratus(&dir, &["spectest", "m.wast"]);
    let text = stdout(&output);
    assert!(
        text.contains(
            "m.wast: 1 passed, 0 failed, 0 skipped (1 message mismatch); functions: 0 compiled, 0 interpreted\n\
             1 message mismatch (informational; -v lists them)\n"
        ),
        "{text}"
    );
    assert!(text.ends_with("spectest: 1 passed, 0 failed, 0 skipped\n"), "{text}");
    assert_eq!(status(&output), 0);

    let output = stratus(&dir, &["spectest", "-v", "m.wast"]);
    let text = stdout(&output);
    assert!(text.contains("m.wast:1:2: assert_malformed: expected malformed \"some other text\""), "{text}");
    assert_eq!(status(&output), 0);
}

#[test]
#[cfg(feature = "spectest")]
fn spectest_missing_path_fails() {
    let dir = scratch("spectest_missing");
    let output = stratus(&dir, &["spectest", "nowhere"]);
    assert_eq!(
        stdout(&output),
        "nowhere: 0 passed, 1 failed, 0 skipped; functions: 0 compiled, 0 interpreted\n\
         \x20 nowhere: script: no such file or folder\n\
         functions: 0 compiled, 0 interpreted\n\
         spectest: 0 passed, 1 failed, 0 skipped\n"
    );
    assert_eq!(status(&output), 1);
}

/// Without the `wat` feature, text is refused whole with one clear line, by every
/// command that reads modules.
#[test]
#[cfg(not(feature = "wat"))]
fn a_build_without_the_text_format_says_so() {
    let dir = scratch("no_wat");
    write(&dir, "add.wat", b"(module (func (export \"f\") (result i32) (i32.const 7)))");
    write(&dir, "add.wasm", ADD_WASM);
    let message =
        "add.wat: error: this build reads binary modules only: the text format needs the `wat` feature\n";
    let output = stratus(&dir, &["validate", "add.wat", "add.wasm"]);
    assert_eq!(stderr(&output), message);
    assert_eq!(stdout(&output), "add.wasm: ok\n");
    assert_eq!(status(&output), 1);
    let output = stratus(&dir, &["run", "--invoke", "f", "add.wat"]);
    assert_eq!(stderr(&output), message);
    assert_eq!(status(&output), 1);
    let output = stratus(&dir, &["run", "--invoke", "add", "add.wasm", "1", "2"]);
    assert_eq!(stdout(&output), "3\n");
}

/// Without the `spectest` feature, the command is a usage error that says why.
#[test]
#[cfg(not(feature = "spectest"))]
fn a_build_without_the_spec_runner_says_so() {
    let dir = scratch("no_spectest");
    let message = "error: the `spectest` command is not in this build (built without the `spectest` feature)\n\
                   hint: see 'stratus --help'\n";
    for args in [&["spectest", "a.wast"][..], &["help", "spectest"]] {
        let output = stratus(&dir, args);
        assert_eq!(stderr(&output), message, "{args:?}");
        assert_eq!(status(&output), 2, "{args:?}");
    }
}
