//! Execution tiers: `Tier` and its names, what a tier changes in an engine's
//! configuration, and `--tier`, `--tier-up-threshold` and `--stats` for `stratus run`
//! and `stratus spectest`. Every build runs these: with the `jit` feature the `jit`
//! tier must be accepted, without it refused with a clear message; `auto`, the
//! default, is in every build and compiles where it can.

#[path = "programs/harness.rs"]
mod harness;
#[path = "../exec/tests/support/require_jit.rs"]
mod require_jit;

use std::fs;

use harness::*;
use require_jit::jit_here;
use stratus::{
    CompilePolicy, Config, DEFAULT_TIER_UP_BACK_EDGES, DEFAULT_TIER_UP_CALLS, Engine, GUARD_BYTES,
    MemoryReservation, Tier, TierUpThresholds,
};

/// `(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))`
const ADD_WASM: &[u8] = b"\0asm\x01\0\0\0\
    \x01\x07\x01\x60\x02\x7f\x7f\x01\x7f\
    \x03\x02\x01\x00\
    \x07\x07\x01\x03add\x00\x00\
    \x0a\x09\x01\x07\x00\x20\x00\x20\x01\x6a\x0b";

const JIT_NOT_BUILT: &str =
    "invalid configuration: the `jit` tier is not in this build (built without the `jit` feature)";

/// Whether this build compiles under the `jit` tier on this machine; a build without
/// the JIT must say so.
fn jit_runs_here() -> bool {
    let compiles = jit_here();
    match Tier::Jit.check_available() {
        Ok(()) => assert_eq!(Tier::Jit.compiles_here(), compiles),
        Err(error) => assert_eq!(error.to_string(), JIT_NOT_BUILT),
    }
    compiles
}

mod api {
    use super::*;

    #[test]
    fn tiers_have_names() {
        assert_eq!(Tier::default(), Tier::Auto);
        assert_eq!("interp".parse::<Tier>().unwrap(), Tier::Interp);
        assert_eq!("auto".parse::<Tier>().unwrap(), Tier::Auto);
        assert_eq!(Tier::Interp.to_string(), "interp");
        assert_eq!(Tier::Auto.to_string(), "auto");
        assert_eq!(Tier::Jit.to_string(), "jit");
        let error = |name: &str| name.parse::<Tier>().unwrap_err().to_string();
        assert_eq!(
            error("bogus"),
            "invalid configuration: unknown tier `bogus`: expected interp, auto or jit"
        );
        assert_eq!(error("JIT"), "invalid configuration: unknown tier `JIT`: expected interp, auto or jit");
    }

    #[test]
    fn the_tiered_default_is_in_every_build() {
        assert!(Tier::Auto.check_available().is_ok());
        let engine = Engine::new(&Config::new()).unwrap();
        assert_eq!(engine.config().get_tier(), Tier::Auto);
        assert_eq!(
            engine.config().get_tier_up_thresholds(),
            (DEFAULT_TIER_UP_CALLS, DEFAULT_TIER_UP_BACK_EDGES)
        );
        let policy = engine.config().get_compile_policy();
        if jit_runs_here() {
            let thresholds =
                TierUpThresholds { calls: DEFAULT_TIER_UP_CALLS, back_edges: DEFAULT_TIER_UP_BACK_EDGES };
            assert_eq!(policy, CompilePolicy::OnHeat(thresholds));
        } else {
            assert_eq!(policy, CompilePolicy::Never);
        }
    }

    #[test]
    #[cfg(feature = "jit")]
    fn the_jit_tier_is_in_a_build_with_the_jit_feature() {
        assert_eq!("jit".parse::<Tier>().unwrap(), Tier::Jit);
        // Where the CPU has no compiler, the tier still runs, in the interpreter.
        let engine = Engine::new(Config::new().tier(Tier::Jit));
        assert_eq!(engine.unwrap().config().get_tier(), Tier::Jit);
    }

    #[test]
    #[cfg(not(feature = "jit"))]
    fn a_build_without_the_jit_feature_refuses_the_jit_tier() {
        assert!(!jit_runs_here());
        assert_eq!("jit".parse::<Tier>().unwrap_err().to_string(), JIT_NOT_BUILT);
        let error = Engine::new(Config::new().tier(Tier::Jit)).unwrap_err();
        assert!(matches!(error, stratus::Error::Config(_)));
        assert_eq!(error.to_string(), JIT_NOT_BUILT);
    }

    #[test]
    fn the_interpreter_is_always_there() {
        assert!(Tier::Interp.check_available().is_ok());
        Engine::new(Config::new().tier(Tier::Interp)).unwrap();
    }

    /// Compiled code drops its bounds checks when memories reserve 4 GiB and a guard,
    /// so that is the default of the tiers that compile; a reservation set explicitly
    /// stays.
    #[test]
    fn the_memory_reservation_follows_the_tier_unless_set() {
        let whole = MemoryReservation::Whole { guard: GUARD_BYTES };
        let maximum = MemoryReservation::Maximum { guard: 0 };
        let compiling = if jit_runs_here() { whole } else { maximum };
        let mut config = Config::new();
        assert_eq!(config.get_memory_reservation(), compiling);
        config.tier(Tier::Jit);
        assert_eq!(config.get_memory_reservation(), compiling);
        config.tier(Tier::Interp);
        assert_eq!(config.get_memory_reservation(), maximum);

        // Set explicitly, even to the interpreter's default, it is kept for the JIT.
        let mut config = Config::new();
        config.memory_reservation(maximum).tier(Tier::Jit);
        assert_eq!(config.get_memory_reservation(), maximum);
        let small = MemoryReservation::Whole { guard: 0 };
        config.memory_reservation(small);
        assert_eq!(config.get_memory_reservation(), small);
        config.tier(Tier::Interp);
        assert_eq!(config.get_memory_reservation(), small);
        if jit_runs_here() {
            let engine = Engine::new(Config::new().tier(Tier::Jit)).unwrap();
            assert_eq!(engine.config().get_memory_reservation(), whole);
        }
    }
}

mod cli {
    use super::*;

    #[test]
    fn run_jit_runs_a_program() {
        if !jit_runs_here() {
            return;
        }
        let dir = scratch("tiers", "run_jit");
        fs::write(dir.join("add.wasm"), ADD_WASM).unwrap();
        for tier in [&["--tier", "jit"][..], &["--tier=jit"], &["--tier", "interp"], &["--tier", "auto"], &[]]
        {
            let args = [&["run"][..], tier, &["--invoke", "add", "add.wasm", "40", "2"]].concat();
            let output = stratus(&dir, &args);
            assert_output(&output, "42\n");
            assert_eq!(stderr(&output), "", "{args:?}");
        }
        if cfg!(feature = "wasi") {
            let output = stratus(&dir, &["run", "--tier", "jit", &program("hello.wasm")]);
            assert_output(&output, "Hello from WebAssembly!\n");
        }
    }

    #[test]
    fn run_refuses_a_tier_it_cannot_run_as_a_usage_error() {
        let dir = scratch("tiers", "run_usage");
        fs::write(dir.join("add.wasm"), ADD_WASM).unwrap();
        let mut cases = vec![("bogus", "unknown tier `bogus`: expected interp, auto or jit")];
        if !cfg!(feature = "jit") {
            cases.push(("jit", "the `jit` tier is not in this build (built without the `jit` feature)"));
        }
        for (tier, message) in cases {
            let output = stratus(&dir, &["run", "--tier", tier, "--invoke", "add", "add.wasm", "1", "2"]);
            assert_eq!(
                stderr(&output),
                format!("error: --tier: invalid configuration: {message}\nhint: see 'stratus run --help'\n")
            );
            assert_eq!((stdout(&output).as_str(), status(&output)), ("", 2));
        }
        let output = stratus(&dir, &["run", "--tier"]);
        assert_eq!(
            stderr(&output),
            "error: --tier needs a value: interp, auto or jit\nhint: see 'stratus run --help'\n"
        );
        assert_eq!(status(&output), 2);
        for bad in ["-1", "x", "4294967296"] {
            let output =
                stratus(&dir, &["run", "--tier-up-threshold", bad, "--invoke", "add", "add.wasm", "1", "2"]);
            assert_eq!(
                stderr(&output),
                format!(
                    "error: --tier-up-threshold: '{bad}' is not a count (0 to 4294967295)\n\
                     hint: see 'stratus run --help'\n"
                )
            );
            assert_eq!(status(&output), 2);
        }
    }

    /// A loop that starts in the interpreter and finishes in compiled code, as
    /// `--stats` shows.
    #[cfg(feature = "wat")]
    const LOOP_WASM_TEXT: &str = r#"(module
      (func (export "sum") (param $n i32) (result i64) (local $i i32) (local $acc i64)
        (loop $next
          (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $i))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $acc)))"#;

    /// The figures of `--stats`, by the start of their line.
    #[cfg(feature = "wat")]
    fn stat(text: &str, line: &str) -> String {
        let found = text.lines().find_map(|l| l.strip_prefix(line));
        found.unwrap_or_else(|| panic!("no {line:?} in {text:?}")).to_string()
    }

    #[test]
    #[cfg(feature = "wat")]
    fn run_stats_show_a_loop_moving_to_compiled_code() {
        let dir = scratch("tiers", "run_stats");
        fs::write(dir.join("loop.wat"), LOOP_WASM_TEXT).unwrap();
        let run = |extra: &[&str]| {
            let args = [&["run", "--stats"][..], extra, &["--invoke", "sum", "loop.wat", "100000"]].concat();
            let output = stratus(&dir, &args);
            assert_output(&output, "4999950000\n");
            stderr(&output)
        };
        let interp = run(&["--tier", "interp"]);
        assert_eq!(stat(&interp, "stats: functions compiled: "), "0 (0 bytes of code in 0.000 ms)");
        assert_eq!(stat(&interp, "stats: entries into compiled code at loop headers (OSR): "), "0");
        assert_eq!(
            stat(&interp, "stats: functions: "),
            "0 with compiled code, 1 run in the interpreter only"
        );
        if !jit_runs_here() {
            return;
        }
        for auto in [&["--tier-up-threshold", "1000"][..], &["--tier", "auto", "--tier-up-threshold=1"], &[]]
        {
            let text = run(auto);
            assert!(stat(&text, "stats: functions compiled: ").starts_with("1 ("), "{text}");
            assert_eq!(
                stat(&text, "stats: entries into compiled code at loop headers (OSR): "),
                "1",
                "{text}"
            );
            assert_eq!(
                stat(&text, "stats: functions: "),
                "1 with compiled code, 0 run in the interpreter only"
            );
        }
        // Compiled at its first call: no entry mid-loop.
        let text = run(&["--tier-up-threshold", "0"]);
        assert_eq!(stat(&text, "stats: entries into compiled code at loop headers (OSR): "), "0", "{text}");
        assert!(stat(&text, "stats: functions compiled: ").starts_with("1 ("), "{text}");
    }

    /// `sum` calls a function before and one after `$pop`, the one that uses
    /// `i64.popcnt`.
    #[cfg(any(feature = "wat", feature = "spectest"))]
    const DECLINED_WASM_TEXT: &str = r#"(module
      (func $twice (param i64) (result i64) (i64.shl (local.get 0) (i64.const 1)))
      (func $pop (export "pop") (param i64) (result i64) (i64.popcnt (local.get 0)))
      (func (export "sum") (param $n i32) (result i64) (local $i i32) (local $acc i64)
        (loop $next
          (local.set $acc
            (i64.add (local.get $acc) (call $twice (call $pop (i64.extend_i32_u (local.get $i))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $acc)))"#;

    /// Runs `stratus` in `dir` with its compiler declining `instruction` (the switch
    /// for tests that `stratus_jit` reads), as it declines an instruction it has no
    /// lowering for.
    #[cfg(any(feature = "wat", feature = "spectest"))]
    fn stratus_hiding(dir: &std::path::Path, instruction: &str, args: &[&str]) -> std::process::Output {
        stratus_command()
            .args(args)
            .current_dir(dir)
            .env("STRATUS_TEST_HIDE_FROM_JIT", instruction)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run stratus")
    }

    #[test]
    #[cfg(feature = "wat")]
    fn run_keeps_a_function_the_compiler_declines_in_the_interpreter_and_says_why() {
        if !jit_runs_here() {
            return;
        }
        let dir = scratch("tiers", "run_declined");
        fs::write(dir.join("m.wat"), DECLINED_WASM_TEXT).unwrap();
        for tier in [&["--tier", "jit"][..], &["--tier", "auto", "--tier-up-threshold", "100"]] {
            let args = [&["run", "--stats"][..], tier, &["--invoke", "sum", "m.wat", "100000"]].concat();
            let output = stratus_hiding(&dir, "i64.popcnt", &args);
            assert_output(&output, "1630048\n");
            let text = stderr(&output);
            assert!(stat(&text, "stats: functions compiled: ").starts_with("2 ("), "{text}");
            assert_eq!(
                stat(&text, "stats: functions: "),
                "2 with compiled code, 1 run in the interpreter only",
                "{text}"
            );
            assert_eq!(
                stat(&text, "stats: function 1 ($pop) stays in the interpreter: "),
                "it uses i64.popcnt, which this compiler does not compile",
                "{text}"
            );
        }
        // Without the switch, all three are compiled.
        let output =
            stratus(&dir, &["run", "--stats", "--tier", "jit", "--invoke", "sum", "m.wat", "100000"]);
        assert_output(&output, "1630048\n");
        let text = stderr(&output);
        assert_eq!(stat(&text, "stats: functions: "), "3 with compiled code, 0 run in the interpreter only");
        assert!(!text.contains("stays in the interpreter"), "{text}");
    }

    #[test]
    #[cfg(feature = "spectest")]
    fn spectest_counts_a_function_the_compiler_declines_as_interpreted() {
        if !jit_runs_here() {
            return;
        }
        let dir = scratch("tiers", "spectest_declined");
        let script = format!(
            "{DECLINED_WASM_TEXT}\n(assert_return (invoke \"sum\" (i32.const 10)) (i64.const 30))\n\
             (assert_return (invoke \"pop\" (i64.const -1)) (i64.const 64))"
        );
        fs::write(dir.join("t.wast"), script).unwrap();
        let output = stratus_hiding(&dir, "i64.popcnt", &["spectest", "--tier", "jit", "t.wast"]);
        let text = stdout(&output);
        assert_eq!(status(&output), 0, "{text}");
        assert!(text.ends_with("spectest: 3 passed, 0 failed, 0 skipped\n"), "{text}");
        // Each call of `$pop` from compiled code leaves for the interpreter, which runs
        // `sum` on to its loop's next back-edge, where it enters compiled code again: 9
        // of them in 10 rounds.
        assert_eq!(functions(text.lines().nth(1).expect("the functions line")), (2, 1, 9), "{text}");
    }

    /// Two functions run, one never does.
    #[cfg(feature = "spectest")]
    const SCRIPT: &str = r#"(module
          (func (export "f") (result i32) (call $g))
          (func $g (result i32) (i32.const 7))
          (func (export "unused")))
        (assert_return (invoke "f") (i32.const 7))"#;

    /// The counts of a `functions: C compiled, I interpreted[, K OSR entries]` line.
    #[cfg(feature = "spectest")]
    fn functions(line: &str) -> (usize, usize, usize) {
        let parts: Option<Vec<&str>> =
            line.strip_prefix("functions: ").map(|rest| rest.split(", ").collect());
        let count = |part: Option<&&str>, unit: &str| {
            part.and_then(|part| part.strip_suffix(unit)).and_then(|n| n.parse().ok())
        };
        let parts = parts.unwrap_or_else(|| panic!("not a functions line: {line:?}"));
        let compiled = count(parts.first(), " compiled").unwrap_or_else(|| panic!("{line:?}"));
        let interpreted = count(parts.get(1), " interpreted").unwrap_or_else(|| panic!("{line:?}"));
        let osr = if parts.len() > 2 {
            count(parts.get(2), " OSR entries").unwrap_or_else(|| panic!("{line:?}"))
        } else {
            0
        };
        (compiled, interpreted, osr)
    }

    /// One function called once, whose loop goes round 50 times.
    #[cfg(feature = "spectest")]
    const LOOP_SCRIPT: &str = r#"(module
          (func (export "count") (param $n i32) (result i32) (local $i i32)
            (loop $next
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
            (local.get $i)))
        (assert_return (invoke "count" (i32.const 50)) (i32.const 50))"#;

    #[test]
    #[cfg(feature = "spectest")]
    fn spectest_counts_entries_into_compiled_loops() {
        let dir = scratch("tiers", "spectest_osr");
        fs::write(dir.join("t.wast"), LOOP_SCRIPT).unwrap();
        let counts = |args: &[&str]| {
            let output = stratus(&dir, &[&["spectest"][..], args, &["t.wast"]].concat());
            let text = stdout(&output);
            assert_eq!(status(&output), 0, "{text}");
            assert!(text.ends_with("spectest: 2 passed, 0 failed, 0 skipped\n"), "{text}");
            functions(text.lines().nth(1).expect("the functions line"))
        };
        assert_eq!(counts(&["--tier", "interp"]), (0, 1, 0));
        if !jit_runs_here() {
            assert_eq!(counts(&["--tier-up-threshold", "1"]), (0, 1, 0));
            return;
        }
        // Hot at its second back-edge: the call finishes compiled.
        assert_eq!(counts(&["--tier-up-threshold", "1"]), (1, 0, 1));
        assert_eq!(counts(&["--tier", "auto", "--tier-up-threshold=1"]), (1, 0, 1));
        // Not hot enough: interpreted throughout.
        assert_eq!(counts(&["--tier-up-threshold", "100"]), (0, 1, 0));
        // Compiled at its call.
        assert_eq!(counts(&["--tier-up-threshold", "0"]), (1, 0, 0));
        assert_eq!(counts(&["--tier", "jit"]), (1, 0, 0));
    }

    #[test]
    #[cfg(feature = "spectest")]
    fn spectest_counts_the_functions_each_tier_ran() {
        let dir = scratch("tiers", "spectest");
        fs::write(dir.join("t.wast"), SCRIPT).unwrap();
        let output = stratus(&dir, &["spectest", "--tier", "interp", "t.wast"]);
        assert_output(
            &output,
            "t.wast: 2 passed, 0 failed, 0 skipped; functions: 0 compiled, 2 interpreted\n\
             functions: 0 compiled, 2 interpreted\n\
             spectest: 2 passed, 0 failed, 0 skipped\n",
        );
        let output = stratus(&dir, &["spectest", "--tier=interp", "t.wast"]);
        assert!(stdout(&output).contains("\nfunctions: 0 compiled, 2 interpreted\n"), "{}", stdout(&output));

        if !jit_runs_here() {
            return;
        }
        let output = stratus(&dir, &["spectest", "--tier", "jit", "t.wast"]);
        assert_eq!(status(&output), 0, "{}", stdout(&output));
        let text = stdout(&output);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert_eq!(lines[2], "spectest: 2 passed, 0 failed, 0 skipped");
        let (script, counts) = lines[0].split_once("; ").expect("the script's counts");
        assert_eq!(script, "t.wast: 2 passed, 0 failed, 0 skipped");
        assert_eq!(counts, lines[1], "one script: its counts are the total");
        // Every function is compiled before it first runs, `unused` too.
        assert_eq!(functions(lines[1]), (3, 0, 0), "{text}");
    }

    #[test]
    #[cfg(feature = "spectest")]
    fn spectest_refuses_a_tier_it_cannot_run_as_a_usage_error() {
        let dir = scratch("tiers", "spectest_usage");
        let mut cases = vec![("bogus", "unknown tier `bogus`: expected interp, auto or jit")];
        if !cfg!(feature = "jit") {
            cases.push(("jit", "the `jit` tier is not in this build (built without the `jit` feature)"));
        }
        for (tier, message) in cases {
            let output = stratus(&dir, &["spectest", "--tier", tier, "t.wast"]);
            assert_eq!(
                stderr(&output),
                format!(
                    "error: --tier: invalid configuration: {message}\nhint: see 'stratus spectest --help'\n"
                )
            );
            assert_eq!((stdout(&output).as_str(), status(&output)), ("", 2));
        }
    }
}
