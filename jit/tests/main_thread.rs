//! Rust's stack-overflow report on the main thread still works once the fault handlers
//! are installed: the handler runs on the main thread's alternate stack and chains to
//! the standard library's.
//!
//! A test without the libtest harness (libtest runs every test on a thread of its own):
//! `main` spawns this binary again with `STRATUS_MAIN_THREAD_CHILD` set, and the child
//! overflows the stack of its main thread.

#[cfg(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64")))]
fn main() {
    use std::hint::black_box;
    use std::ops::Range;
    use std::os::unix::process::ExitStatusExt;
    use std::process::Command;
    use std::sync::Arc;
    use stratus_jit::signals::{FaultMap, Landing, register};

    struct EmptyMap;

    impl FaultMap for EmptyMap {
        fn code_range(&self) -> Range<usize> {
            0..0
        }

        fn landing(&self, _pc: usize) -> Option<Landing> {
            None
        }
    }

    fn recurse(depth: u64) -> u64 {
        let frame = black_box([depth; 64]);
        if depth == u64::MAX { 0 } else { recurse(depth + 1).wrapping_add(frame[depth as usize % 64]) }
    }

    const CHILD: &str = "STRATUS_MAIN_THREAD_CHILD";
    if std::env::var_os(CHILD).is_some() {
        let _registration = register(Arc::new(EmptyMap));
        black_box(recurse(0));
        return;
    }
    // Under AArch64, through the runner cargo was given (qemu-user when the tests are
    // cross-run): the convention the workspace's tests share.
    let runner = if cfg!(target_arch = "aarch64") {
        std::env::var("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER").unwrap_or_default()
    } else {
        String::new()
    };
    // `ulimit -c 0`: the crash leaves no core file.
    let output = Command::new("sh")
        .args(["-c", "ulimit -c 0; exec \"$@\"", "sh"])
        .args(runner.split_whitespace())
        .arg(std::env::current_exe().unwrap())
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.signal(),
        Some(libc::SIGABRT),
        "the child ended with {:?}\n{stderr}",
        output.status
    );
    assert!(
        stderr.contains("thread 'main'") && stderr.contains("has overflowed its stack"),
        "stderr:\n{stderr}"
    );
    println!("main_thread: a stack overflow on the main thread is still reported: ok");
}

#[cfg(not(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64"))))]
fn main() {}
