//! Compile time is linear in a function's size, however its loops nest and however
//! many operands and locals are live in front of them: doubling each of these
//! multiplies the time the `jit` tier takes to compile the function by about 2, where
//! a compiler with work quadratic in them takes 4 times as long. The test compares the
//! two sizes' times, each the best of a few runs taken in turn, so that it does not
//! depend on how fast the machine is; the times are of the compiling thread's CPU, one
//! test at a time, and a test measures up to five times before it fails, so that it
//! holds on a loaded machine (where page faults and caches shared with other processes
//! make even CPU times vary by a third), while a quadratic compiler fails every time.

#[path = "programs/harness.rs"]
mod harness;

use std::sync::Mutex;
use std::time::Duration;

use harness::binary_module;
use stratus::{Config, Engine, Instance, Module, Store, Tier};

/// Runs per size, of which the best counts.
const RUNS: usize = 7;
/// Measurements before a test fails.
const ATTEMPTS: usize = 5;
/// What doubling the size may multiply the time by.
const MAX_RATIO: f64 = 2.5;

const LOOP: [u8; 3] = [0x03, 0x40, 0x0b];
const I32_CONST_0: [u8; 2] = [0x41, 0x00];
const DROP: u8 = 0x1a;

/// Taken by each test while it measures.
static MEASURING: Mutex<()> = Mutex::new(());

/// The CPU time the calling thread has used.
fn thread_cpu_time() -> Duration {
    let mut time = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `time` is a valid `timespec` for the call to write.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut time) };
    assert_eq!(status, 0, "clock_gettime");
    Duration::new(time.tv_sec as u64, time.tv_nsec as u32)
}

/// The CPU time the `jit` tier takes to compile the one function of `bytes`, which it
/// does as the module is instantiated, in the instantiating thread.
fn compile_time(engine: &Engine, bytes: &[u8]) -> Duration {
    let module = Module::new(engine, bytes).expect("a valid module");
    let mut store = Store::new(engine, ());
    let start = thread_cpu_time();
    Instance::new(&mut store, &module, &[]).expect("instantiated");
    let time = thread_cpu_time() - start;
    let stats = store.tier_stats();
    assert_eq!(stats.functions_compiled, 1, "{stats:?}");
    time
}

/// Checks that the function `module(2 * n)` makes takes at most [`MAX_RATIO`] times as
/// long to compile as `module(n)`'s. The sizes are large enough that the time is
/// mostly the compiler's work, not a fixed cost, and small enough that the compiler's
/// data stays in a core's cache (a few MiB) for both: past it, each step costs more.
fn assert_linear(what: &str, n: usize, module: impl Fn(usize) -> Vec<u8>) {
    if !Tier::Jit.compiles_here() {
        return;
    }
    let engine = Engine::new(Config::new().tier(Tier::Jit)).unwrap();
    let (small, large) = (module(n), module(2 * n));
    let _measuring = MEASURING.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    // Once first, so that the allocator has the memory the measured runs take.
    compile_time(&engine, &large);
    let mut ratios = Vec::new();
    for _ in 0..ATTEMPTS {
        let (mut best_small, mut best_large) = (Duration::MAX, Duration::MAX);
        for _ in 0..RUNS {
            best_small = best_small.min(compile_time(&engine, &small));
            best_large = best_large.min(compile_time(&engine, &large));
        }
        let ratio = best_large.as_secs_f64() / best_small.as_secs_f64();
        eprintln!("{what}: {n}: {best_small:?}, {}: {best_large:?}, ratio {ratio:.2}", 2 * n);
        if ratio <= MAX_RATIO {
            return;
        }
        ratios.push(ratio);
    }
    panic!("{what}: doubling {n} multiplies the compile time by {ratios:.2?}");
}

#[test]
fn nested_loops_compile_in_linear_time() {
    assert_linear("nested empty loops", 12_500, |n| {
        let body = [[0x03, 0x40].repeat(n), vec![0x0b; n]].concat();
        binary_module(&[(&[], &body)])
    });
}

#[test]
fn operands_in_front_of_loops_compile_in_linear_time() {
    assert_linear("operands in front of as many loops", 12_500, |n| {
        let body = [I32_CONST_0.repeat(n), LOOP.repeat(n), vec![DROP; n]].concat();
        binary_module(&[(&[], &body)])
    });
}

#[test]
fn locals_in_front_of_loops_compile_in_linear_time() {
    // Up to 25,000 locals, half the most a function may have.
    assert_linear("locals in front of twice as many loops", 12_500, |n| {
        let locals = [(n as u32, 0x7f)];
        binary_module(&[(&locals, &LOOP.repeat(2 * n))])
    });
}
