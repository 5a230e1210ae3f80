//! Hostile programs: escapes from the preopened directory (tests/programs/escape.c,
//! raw WASI calls so libc cannot refuse first), and pointers and lengths outside
//! linear memory (tests/programs/hostile.wat). Each must be refused with the spec's
//! errno, and the host file system outside the sandbox must be as it was.

#![cfg(feature = "wasi")]

#[path = "programs/harness.rs"]
mod harness;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use harness::*;

/// `root/box` is the sandbox; next to it, things the guest must not reach. Symlinks
/// inside point out in every way: relative, absolute, a chain, a folder.
fn escape_fixture(test: &str) -> PathBuf {
    let root = scratch("wasi_sandbox", test);
    let inside = root.join("box");
    fs::create_dir_all(inside.join("sub")).unwrap();
    fs::create_dir(root.join("outside_dir")).unwrap();
    fs::write(root.join("outside.txt"), "secret\n").unwrap();
    fs::write(inside.join("inside.txt"), "inside\n").unwrap();
    symlink("../outside.txt", inside.join("link_out")).unwrap();
    symlink(root.join("outside.txt"), inside.join("link_abs")).unwrap();
    symlink("chain2", inside.join("chain1")).unwrap();
    symlink("../outside.txt", inside.join("chain2")).unwrap();
    symlink("..", inside.join("dir_out")).unwrap();
    // Up and back down, staying inside: must keep working.
    symlink("../inside.txt", inside.join("sub/up")).unwrap();
    symlink("box/inside.txt", root.join("outside_link")).unwrap();
    root
}

/// The tree outside `box`, with `box`'s own entries, as the fixture made them.
fn snapshot(root: &Path) -> (Vec<String>, Vec<u8>, std::time::SystemTime) {
    let outside = root.join("outside.txt");
    (tree(root), fs::read(&outside).unwrap(), fs::metadata(&outside).unwrap().modified().unwrap())
}

#[test]
fn escapes_are_refused_and_nothing_outside_changes() {
    let root = escape_fixture("escape");
    let (before, secret, mtime) = snapshot(&root);
    let output = stratus(&root, &["run", "--dir", "box::/", &program("escape.wasm")]);
    assert_output(&output, &expected("escape.out"));
    assert!(!stdout(&output).contains("secret"));
    // The one thing the guest may add is its symlink that points out (creating it is
    // allowed; following it is not).
    let mut after = tree(&root);
    after.retain(|entry| entry != "box/guest_link -> ../outside.txt");
    assert_eq!(after, before);
    assert_eq!(fs::read(root.join("outside.txt")).unwrap(), secret);
    assert_eq!(fs::metadata(root.join("outside.txt")).unwrap().modified().unwrap(), mtime);
    for never in ["created.txt", "newdir", "moved.txt", "hardlink.txt", "symlink_out"] {
        assert!(fs::symlink_metadata(root.join(never)).is_err(), "{never} was created outside");
    }
}

#[test]
fn the_escape_lines_refuse_with_enotcapable() {
    // A readable summary of escape.out's rule: every attempt to go outside gets the
    // capability errno, not a generic one such as ENOENT that would hide the reason.
    let out = expected("escape.out");
    for line in out.lines().filter(|l| l.contains("outside") || l.contains("/etc") || l.contains("dir_out")) {
        if line.starts_with("link_out says") || line.contains("guest_link\")") {
            continue;
        }
        assert!(line.ends_with("ENOTCAPABLE") || line.ends_with("ENOENT"), "{line}");
    }
}

/// Each export of hostile.wat and the errno it must return: EFAULT (21) for memory out
/// of bounds, EILSEQ (25) for a path that is not UTF-8, EBADF (8) for a closed fd.
#[cfg(feature = "wat")]
const HOSTILE: &[(&str, &str)] = &[
    ("iovec_array_past_end", "21"),
    ("iovec_buffer_past_end", "21"),
    ("iovec_count_wraps", "21"),
    ("iovec_count_huge", "21"),
    ("nwritten_past_end", "21"),
    ("buffer_length_wraps", "21"),
    ("read_buffer_past_end", "21"),
    ("pwrite_buffer_past_end", "21"),
    ("args_pointers_past_end", "21"),
    ("environ_sizes_past_end", "21"),
    ("random_past_end", "21"),
    ("random_wraps", "21"),
    ("clock_result_past_end", "21"),
    ("poll_subscriptions_huge", "21"),
    ("prestat_name_past_end", "21"),
    ("readdir_buffer_past_end", "21"),
    ("path_past_end", "21"),
    ("path_length_huge", "21"),
    ("path_not_utf8", "25"),
    ("bad_fd", "8"),
];

#[test]
#[cfg(feature = "wat")]
fn pointers_outside_memory_are_efault_and_touch_nothing() {
    let root = scratch("wasi_sandbox", "pointers");
    let sandbox = root.join("box");
    fs::create_dir(&sandbox).unwrap();
    fs::write(sandbox.join("victim.txt"), "original\n").unwrap();
    let before = tree(&root);
    let wat = program("hostile.wat");
    for (export, errno) in HOSTILE {
        let output =
            stratus_with_input(&root, &["run", "--dir", "box", "--invoke", export, &wat], Some(b"input"));
        // Only the errno: nothing the bad calls pointed at was written to stdout.
        assert_eq!(stdout(&output), format!("{errno}\n"), "{export}: {}", stderr(&output));
        assert_eq!(status(&output), 0, "{export}");
    }
    assert_eq!(tree(&root), before);
    assert_eq!(fs::read(sandbox.join("victim.txt")).unwrap(), b"original\n");
}
