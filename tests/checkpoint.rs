//! `stratus run --checkpoint` and `stratus resume`: a program stopped at a checkpoint
//! (at an amount of fuel, a time or a signal) and resumed, in any tier, in another
//! place for its files, and on the other ISA, ends as an uninterrupted run does: the
//! same output, exit status and files. And what cannot be resumed is refused with a
//! clear message.
//!
//! The other ISA: where the tests run as AArch64 code under qemu (tools/test-aarch64),
//! `STRATUS_CROSS_ISA_STRATUS` names an x86-64 `stratus` (tools/test-all sets it, and
//! `STRATUS_REQUIRE_CROSS_ISA=1` so that its absence fails the test): snapshots taken
//! by either binary are resumed by the other.

#![cfg(feature = "wasi")]

#[path = "programs/harness.rs"]
mod harness;

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use harness::*;

const CHECKPOINT_STATUS: i32 = 75;

/// The tiers this build has.
fn tiers() -> &'static [&'static str] {
    if cfg!(feature = "jit") { &["interp", "jit", "auto"] } else { &["interp"] }
}

/// A directory for the journal program: `in.txt` with one number per line, and the
/// empty `out/` it writes into.
fn journal_dir(dir: &Path) {
    fs::create_dir_all(dir.join("out")).unwrap();
    let numbers: String = (1..=3000).map(|n| format!("{n}\n")).collect();
    fs::write(dir.join("in.txt"), numbers).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

fn dir_arg(dir: &Path) -> String {
    format!("{}::/data", dir.display())
}

/// The backtrace a checkpoint printed: where the program stopped.
fn stopped_at(output: &Output) -> String {
    let text = stderr(output);
    assert_eq!(status(output), CHECKPOINT_STATUS, "{text}");
    text.split_once("the program stopped at:").map(|(_, rest)| rest.to_string()).expect("a backtrace")
}

#[test]
fn a_job_with_open_files_finishes_after_its_directory_moves() {
    let dir = scratch("checkpoint", "journal");
    let whole = dir.join("whole");
    journal_dir(&whole);
    let output = stratus(&dir, &["run", "--dir", &dir_arg(&whole), &program("journal.wasm")]);
    assert_output(&output, "3000 lines, last 1b475f31, clock went back 0 times\n");
    let journal = fs::read_to_string(whole.join("out/journal.txt")).unwrap();

    for from in tiers() {
        let before = dir.join(format!("before-{from}"));
        journal_dir(&before);
        let snapshot = dir.join(format!("{from}.snap"));
        let output = stratus(
            &dir,
            &[
                "run",
                "--tier",
                from,
                "--dir",
                &dir_arg(&before),
                "--checkpoint",
                snapshot.to_str().unwrap(),
                "--checkpoint-at-fuel",
                "250000",
                &program("journal.wasm"),
            ],
        );
        assert!(stopped_at(&output).contains("main"), "{}", stderr(&output));
        assert_eq!(stdout(&output), "", "nothing printed before the end");
        let half = fs::read_to_string(before.join("out/journal.txt")).unwrap();
        assert!(!half.is_empty() && half.len() < journal.len() && journal.starts_with(&half));
        for to in tiers() {
            // The directory moves: each resume gets its own copy, elsewhere.
            let after = dir.join(format!("after-{from}-{to}"));
            copy_dir(&before, &after);
            let output = stratus(
                &dir,
                &["resume", "--tier", to, "--dir", &dir_arg(&after), snapshot.to_str().unwrap()],
            );
            assert_output(&output, "3000 lines, last 1b475f31, clock went back 0 times\n");
            assert_eq!(fs::read_to_string(after.join("out/journal.txt")).unwrap(), journal, "{from} -> {to}");
        }
    }
}

#[test]
fn a_checkpoint_at_an_amount_of_fuel_lands_at_the_same_place_in_every_tier() {
    let dir = scratch("checkpoint", "same_place");
    let expected = stdout(&stratus(&dir, &["run", &program("compute.wasm")]));
    // In the deep recursion (thousands of frames), in the short calls, in the loops.
    for fuel in ["60000", "150000", "400000"] {
        let mut places = Vec::new();
        for from in tiers() {
            let snapshot = dir.join(format!("{fuel}-{from}.snap"));
            let output = stratus(
                &dir,
                &[
                    "run",
                    "--tier",
                    from,
                    "--checkpoint",
                    snapshot.to_str().unwrap(),
                    "--checkpoint-at-fuel",
                    fuel,
                    &program("compute.wasm"),
                ],
            );
            places.push(stopped_at(&output));
            // What was printed before the checkpoint went out then.
            let printed_before = stdout(&output);
            for to in tiers() {
                let output = stratus(&dir, &["resume", "--tier", to, snapshot.to_str().unwrap()]);
                assert_eq!(status(&output), 0, "{fuel} {from} -> {to}: {}", stderr(&output));
                assert_eq!(printed_before.clone() + &stdout(&output), expected, "{fuel} {from} -> {to}");
            }
        }
        assert!(places.windows(2).all(|w| w[0] == w[1]), "{fuel}: {places:?}");
    }
}

/// A long run of the journal program (seconds even in compiled code), stopped by
/// `what` (checkpoint options, or a signal sent once it runs), is resumed and
/// checkpointed again after a little more work, twice.
fn stop_and_go(dir: &Path, name: &str, what: &[&str], signal: bool) {
    let data = dir.join(name);
    fs::create_dir_all(data.join("out")).unwrap();
    let numbers: String = (1..=200_000).map(|n| format!("{n}\n")).collect();
    fs::write(data.join("in.txt"), &numbers).unwrap();
    let snapshot = dir.join(format!("{name}.snap"));
    let child = stratus_command()
        .args(["run", "--dir", &dir_arg(&data), "--checkpoint", snapshot.to_str().unwrap()])
        .args(what)
        .args([&program("journal.wasm"), "200000", "20000"])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if signal {
        // Once the program has opened its journal, stratus blocks the signal for its
        // waiting thread (it does so before loading the module), however slow the start.
        let journal = data.join("out/journal.txt");
        let started = std::time::Instant::now();
        while !journal.exists() && started.elapsed() < std::time::Duration::from_secs(60) {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        Command::new("kill").args(["-USR1", &child.id().to_string()]).status().unwrap();
    }
    stopped_at(&child.wait_with_output().unwrap());
    let lines = |text: &str| text.lines().count();
    let mut written = lines(&fs::read_to_string(data.join("out/journal.txt")).unwrap());
    for again in ["again-1.snap", "again-2.snap"] {
        let next = dir.join(format!("{name}-{again}"));
        let output = stratus(
            dir,
            &[
                "resume",
                "--dir",
                &dir_arg(&data),
                "--checkpoint",
                next.to_str().unwrap(),
                "--checkpoint-at-fuel",
                "2000000",
                snapshot.to_str().unwrap(),
            ],
        );
        stopped_at(&output);
        let now = lines(&fs::read_to_string(data.join("out/journal.txt")).unwrap());
        assert!(now >= written, "{name}: {now} lines after {written}");
        written = now;
        fs::rename(&next, &snapshot).unwrap();
    }
}

#[test]
fn a_time_takes_a_checkpoint() {
    stop_and_go(&scratch("checkpoint", "timer"), "timer", &["--checkpoint-after", "100ms"], false);
}

#[test]
fn a_signal_takes_a_checkpoint() {
    stop_and_go(&scratch("checkpoint", "signal"), "signal", &["--checkpoint-on", "USR1"], true);
}

#[test]
fn what_cannot_be_resumed_is_refused_with_the_reason() {
    let dir = scratch("checkpoint", "refused");
    let data = dir.join("data");
    journal_dir(&data);
    let snapshot = dir.join("j.snap");
    let path = snapshot.to_str().unwrap();
    stopped_at(&checkpoint_journal(stratus_command(), &dir, &data, path, "100000"));
    let refused = |args: &[&str], message: &str| {
        let output = stratus(&dir, args);
        assert_eq!(status(&output), 1, "{args:?}: {}", stderr(&output));
        assert!(stderr(&output).contains(message), "{args:?}: {}", stderr(&output));
    };
    refused(&["resume", path], "the snapshot's preopened directory /data was not given (--dir HOST::/data)");
    let empty = dir.join("empty");
    fs::create_dir_all(&empty).unwrap();
    refused(
        &["resume", "--dir", &dir_arg(&empty), path],
        "cannot reopen fd 4, /data/in.txt: No such file or directory",
    );
    let bytes = fs::read(&snapshot).unwrap();
    fs::write(dir.join("cut.snap"), &bytes[..bytes.len() / 2]).unwrap();
    refused(&["resume", "--dir", &dir_arg(&data), "cut.snap"], "the snapshot is corrupt or truncated");
    refused(&["resume", &program("hello.wasm")], "not a Stratus snapshot");
    refused(&["resume", "missing.snap"], "cannot read 'missing.snap'");
    let output = stratus(&dir, &["run", "--checkpoint", path, "--invoke", "f", &program("hello.wasm")]);
    assert_eq!(status(&output), 2);
    let output = stratus(&dir, &["run", "--checkpoint-at-fuel", "5", &program("hello.wasm")]);
    assert_eq!(status(&output), 2);
    assert!(stderr(&output).contains("need --checkpoint FILE"), "{}", stderr(&output));
}

/// The `stratus` of the other ISA, if the environment names one.
fn other_isa() -> Option<Command> {
    let Ok(bin) = std::env::var("STRATUS_CROSS_ISA_STRATUS") else {
        assert!(
            std::env::var("STRATUS_REQUIRE_CROSS_ISA").as_deref() != Ok("1"),
            "STRATUS_REQUIRE_CROSS_ISA=1, but STRATUS_CROSS_ISA_STRATUS names no stratus of the other ISA"
        );
        return None;
    };
    let runner = std::env::var("STRATUS_CROSS_ISA_RUNNER").unwrap_or_default();
    let mut words = runner.split_whitespace();
    let mut command = match words.next() {
        Some(program) => Command::new(program),
        None => return Some(Command::new(bin)),
    };
    command.args(words).arg(bin);
    Some(command)
}

/// The journal program, with its directory `data`, checkpointed into `snapshot` at
/// `fuel` by `command`, a `stratus`.
fn checkpoint_journal(command: Command, dir: &Path, data: &Path, snapshot: &str, fuel: &str) -> Output {
    let journal = program("journal.wasm");
    let args =
        ["run", "--dir", &dir_arg(data), "--checkpoint", snapshot, "--checkpoint-at-fuel", fuel, &journal];
    run_with(command, dir, &args)
}

fn run_with(mut command: Command, dir: &Path, args: &[&str]) -> Output {
    command.args(args).current_dir(dir).stdin(Stdio::null()).output().expect("run the other stratus")
}

#[test]
fn snapshots_move_between_isas_both_ways() {
    let Some(_) = other_isa() else { return };
    let dir = scratch("checkpoint", "cross_isa");
    let here = std::env::consts::ARCH;
    let expected = stdout(&stratus(&dir, &["run", &program("compute.wasm")]));
    // In the deep recursion, and in the loops (entered by OSR under auto).
    for (fuel, tier) in [("60000", "jit"), ("400000", "auto"), ("150000", "interp")] {
        for direction in ["here-to-there", "there-to-here"] {
            let snapshot = dir.join(format!("{fuel}-{direction}.snap"));
            let path = snapshot.to_str().unwrap();
            let take = [
                "run",
                "--deterministic",
                "--tier",
                tier,
                "--checkpoint",
                path,
                "--checkpoint-at-fuel",
                fuel,
                &program("compute.wasm"),
            ];
            let taken = if direction == "here-to-there" {
                stratus(&dir, &take)
            } else {
                run_with(other_isa().unwrap(), &dir, &take)
            };
            stopped_at(&taken);
            let printed_before = stdout(&taken);
            for to in ["interp", "jit", "auto"] {
                let resume = ["resume", "--tier", to, path];
                let resumed = if direction == "here-to-there" {
                    run_with(other_isa().unwrap(), &dir, &resume)
                } else {
                    stratus(&dir, &resume)
                };
                assert_eq!(
                    status(&resumed),
                    0,
                    "{here} {direction}, {fuel} in {tier} -> {to}: {}",
                    stderr(&resumed)
                );
                assert_eq!(
                    printed_before.clone() + &stdout(&resumed),
                    expected,
                    "{here} {direction}, {fuel} {tier} -> {to}"
                );
            }
        }
    }
    // A job with files, there and back.
    let data = dir.join("data");
    journal_dir(&data);
    let snapshot = dir.join("journal.snap");
    let path = snapshot.to_str().unwrap();
    let taken = checkpoint_journal(other_isa().unwrap(), &dir, &data, path, "250000");
    stopped_at(&taken);
    let output = stratus(&dir, &["resume", "--dir", &dir_arg(&data), path]);
    assert_output(&output, "3000 lines, last 1b475f31, clock went back 0 times\n");
}

/// A 4 GiB memory with 2 MiB written in 512 places makes a snapshot of a few KiB, taken
/// without reading the untouched gigabytes; it resumes, and checkpoints again.
#[test]
#[cfg(feature = "wat")]
fn a_large_memory_with_little_written_makes_a_small_snapshot() {
    let dir = scratch("checkpoint", "large_memory");
    let module = r#"(module
      (memory (export "memory") 1)
      (func (export "_start") (local $i i32)
        (drop (memory.grow (i32.const 65535)))
        (loop $touch
          (i32.store (i32.mul (local.get $i) (i32.const 8388608)) (i32.add (local.get $i) (i32.const 1)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $touch (i32.lt_u (local.get $i) (i32.const 512))))
        (loop $spin (br $spin))))"#;
    fs::write(dir.join("large.wat"), module).unwrap();
    let output =
        stratus(&dir, &["run", "--checkpoint", "large.snap", "--checkpoint-at-fuel", "1000", "large.wat"]);
    stopped_at(&output);
    let size = fs::metadata(dir.join("large.snap")).unwrap().len();
    assert!(size < 64 << 10, "{size} bytes");
    let output = stratus(
        &dir,
        &["resume", "--stats", "--checkpoint", "again.snap", "--checkpoint-at-fuel", "1000", "large.snap"],
    );
    stopped_at(&output);
    assert!(stderr(&output).contains("memory 4194304 KiB (2048 KiB not zero)"), "{}", stderr(&output));
}
