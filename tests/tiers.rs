//! Execution tiers: `Tier` and its names, what a tier changes in an engine's
//! configuration, and `--tier` for `stratus run` and `stratus spectest`. Every build
//! runs these: with the `jit` feature the `jit` tier must be accepted, without it
//! refused with a clear message.
//!
//! Until the compiler is in, functions of the `jit` tier still run in the interpreter,
//! so the tests here check what a program prints, not which tier printed it.

#[path = "programs/harness.rs"]
mod harness;

use std::fs;

use harness::*;
use stratus::{Config, Engine, GUARD_BYTES, MemoryReservation, Tier};

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
    match Tier::Jit.check_available() {
        Ok(()) => Tier::Jit.compiles_here(),
        Err(error) => {
            assert_eq!(error.to_string(), JIT_NOT_BUILT);
            false
        }
    }
}

mod api {
    use super::*;

    #[test]
    fn tiers_have_names() {
        assert_eq!(Tier::default(), Tier::Interp);
        assert_eq!("interp".parse::<Tier>().unwrap(), Tier::Interp);
        assert_eq!(Tier::Interp.to_string(), "interp");
        assert_eq!(Tier::Jit.to_string(), "jit");
        let error = |name: &str| name.parse::<Tier>().unwrap_err().to_string();
        assert_eq!(error("auto"), "invalid configuration: the `auto` tier comes with tier-up, not built yet");
        assert_eq!(error("bogus"), "invalid configuration: unknown tier `bogus`: expected interp or jit");
        assert_eq!(error("JIT"), "invalid configuration: unknown tier `JIT`: expected interp or jit");
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
    /// so that is the default of the `jit` tier; a reservation set explicitly stays.
    #[test]
    fn the_memory_reservation_follows_the_tier_unless_set() {
        let whole = MemoryReservation::Whole { guard: GUARD_BYTES };
        let maximum = MemoryReservation::Maximum { guard: 0 };
        let mut config = Config::new();
        assert_eq!(config.get_memory_reservation(), maximum);
        config.tier(Tier::Jit);
        assert_eq!(config.get_memory_reservation(), whole);
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
        for tier in [&["--tier", "jit"][..], &["--tier=jit"], &["--tier", "interp"]] {
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
        let mut cases = vec![
            ("bogus", "unknown tier `bogus`: expected interp or jit"),
            ("auto", "the `auto` tier comes with tier-up, not built yet"),
        ];
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
            "error: --tier needs a value: interp or jit\nhint: see 'stratus run --help'\n"
        );
        assert_eq!(status(&output), 2);
    }

    /// Two functions run, one never does.
    #[cfg(feature = "spectest")]
    const SCRIPT: &str = r#"(module
          (func (export "f") (result i32) (call $g))
          (func $g (result i32) (i32.const 7))
          (func (export "unused")))
        (assert_return (invoke "f") (i32.const 7))"#;

    /// The counts of a `functions: C compiled, I interpreted` line.
    #[cfg(feature = "spectest")]
    fn functions(line: &str) -> (usize, usize) {
        let counts = line
            .strip_prefix("functions: ")
            .and_then(|rest| rest.strip_suffix(" interpreted"))
            .and_then(|rest| rest.split_once(" compiled, "))
            .unwrap_or_else(|| panic!("not a functions line: {line:?}"));
        (counts.0.parse().unwrap(), counts.1.parse().unwrap())
    }

    #[test]
    #[cfg(feature = "spectest")]
    fn spectest_counts_the_functions_each_tier_ran() {
        let dir = scratch("tiers", "spectest");
        fs::write(dir.join("t.wast"), SCRIPT).unwrap();
        let output = stratus(&dir, &["spectest", "t.wast"]);
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
        // Every function is compiled before it first runs, so a store's functions are
        // either all compiled (3, `unused` too) or, before the compiler exists, all
        // interpreted (the 2 that ran).
        let (compiled, interpreted) = functions(lines[1]);
        assert!((compiled, interpreted) == (3, 0) || (compiled, interpreted) == (0, 2), "{text}");
    }

    #[test]
    #[cfg(feature = "spectest")]
    fn spectest_refuses_a_tier_it_cannot_run_as_a_usage_error() {
        let dir = scratch("tiers", "spectest_usage");
        let mut cases = vec![
            ("bogus", "unknown tier `bogus`: expected interp or jit"),
            ("auto", "the `auto` tier comes with tier-up, not built yet"),
        ];
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
