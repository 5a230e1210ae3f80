//! Shared by the tests that run the `stratus` binary (tests/cli.rs, run.rs, tiers.rs,
//! limits.rs, wasi*.rs): scratch folders, running the binary, and reading its output.

#![allow(dead_code)]

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The folder of the test programs, their sources and expected outputs.
pub fn programs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("programs")
}

/// A program's path, absolute, so tests can run from any folder.
pub fn program(name: &str) -> String {
    programs().join(name).to_str().expect("UTF-8 path").to_string()
}

/// The output a program is expected to print, checked in next to it.
pub fn expected(name: &str) -> String {
    fs::read_to_string(programs().join(name)).expect("read expected output")
}

/// A fresh folder for one test, under Cargo's scratch space for integration tests.
pub fn scratch(suite: &str, test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(suite).join(test);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create scratch folder");
    dir
}

/// The runner the tests themselves run under, as words: where they are built for
/// AArch64 and run on another machine through `CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER`
/// (qemu-user, see tools/test-aarch64), which cargo leaves in their environment. Empty
/// when they run natively.
pub fn runner() -> Vec<String> {
    if !cfg!(target_arch = "aarch64") {
        return Vec::new();
    }
    match std::env::var("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER") {
        Ok(runner) => runner.split_whitespace().map(str::to_string).collect(),
        Err(_) => Vec::new(),
    }
}

/// A command that starts the `stratus` binary built with these tests: through the
/// tests' own runner when they have one, since the binary is for the same machine as
/// they are (and the host may not run it by itself).
pub fn stratus_command() -> Command {
    let bin = env!("CARGO_BIN_EXE_stratus");
    let runner = runner();
    let Some((program, args)) = runner.split_first() else { return Command::new(bin) };
    let mut command = Command::new(program);
    command.args(args).arg(bin);
    command
}

/// Runs `stratus` in `dir` with `stdin` as its standard input (empty if `None`).
pub fn stratus_with_input(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = stratus_command()
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run stratus");
    let mut input = child.stdin.take().expect("stdin");
    let bytes = stdin.unwrap_or_default().to_vec();
    // Written from another thread so a program that writes before reading all of its
    // input cannot deadlock the test on full pipes.
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&bytes);
    });
    let output = child.wait_with_output().expect("wait for stratus");
    writer.join().expect("stdin writer");
    output
}

pub fn stratus(dir: &Path, args: &[&str]) -> Output {
    stratus_with_input(dir, args, None)
}

/// Runs `stratus` in `dir` with its standard output on /dev/full, where every write
/// fails with ENOSPC.
pub fn stratus_to_full_device(dir: &Path, args: &[&str]) -> Output {
    let full = fs::OpenOptions::new().write(true).open("/dev/full").expect("open /dev/full");
    stratus_command()
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .expect("run stratus")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn status(output: &Output) -> i32 {
    output.status.code().expect("exited normally, not by a signal")
}

/// Asserts a run succeeded with exactly `out` on standard output.
#[track_caller]
pub fn assert_output(output: &Output, out: &str) {
    assert_eq!(stdout(output), out, "stderr: {}", stderr(output));
    assert_eq!(status(output), 0, "stderr: {}", stderr(output));
}

/// Every path under `dir`, relative and sorted, with `/` after folders and ` -> TARGET`
/// after symlinks: a picture of a tree to compare before and after a run.
pub fn tree(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        let mut entries: Vec<_> =
            fs::read_dir(dir).expect("list folder").map(|e| e.unwrap().path()).collect();
        entries.sort();
        for path in entries {
            let name = path.strip_prefix(root).unwrap().display().to_string();
            let meta = fs::symlink_metadata(&path).expect("stat");
            if meta.file_type().is_symlink() {
                out.push(format!("{name} -> {}", fs::read_link(&path).unwrap().display()));
            } else if meta.is_dir() {
                out.push(format!("{name}/"));
                walk(root, &path, out);
            } else {
                out.push(format!("{name} ({} bytes)", meta.len()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out
}

/// `value` in unsigned LEB128.
pub fn leb128(mut value: u64) -> Vec<u8> {
    let mut bytes = Vec::new();
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            bytes.push(byte);
            return bytes;
        }
        bytes.push(byte | 0x80);
    }
}

/// A function body for [`binary_module`]: its local declarations (count, type byte)
/// and its instructions without the final `end`.
pub type Body<'a> = (&'a [(u32, u8)], &'a [u8]);

/// A binary module of functions of type `[] -> []`, the first exported as `_start`.
/// For modules too large, or too odd, for the text format.
pub fn binary_module(bodies: &[Body<'_>]) -> Vec<u8> {
    let section = |id: u8, payload: Vec<u8>| [vec![id], leb128(payload.len() as u64), payload].concat();
    let count = leb128(bodies.len() as u64);
    let mut code = count.clone();
    for (locals, instructions) in bodies {
        let mut body = leb128(locals.len() as u64);
        for &(n, ty) in *locals {
            body.extend(leb128(u64::from(n)));
            body.push(ty);
        }
        body.extend_from_slice(instructions);
        body.push(0x0b);
        code.extend(leb128(body.len() as u64));
        code.extend(body);
    }
    [
        b"\0asm\x01\0\0\0".to_vec(),
        section(1, vec![1, 0x60, 0, 0]),
        section(3, [count, vec![0; bodies.len()]].concat()),
        section(7, [vec![1, 6], b"_start".to_vec(), vec![0, 0]].concat()),
        section(10, code),
    ]
    .concat()
}
