//! Resource limits: every limit of a store, met and passed by modules that try to take
//! more, through the API and `stratus run`; what hostile modules cost the host (peak
//! RSS of the `stratus` process, printed so the figures can be quoted); and memories
//! under a small address-space limit.

// The modules here, and those given to `stratus run`, are written in the text format.
#![cfg(feature = "wat")]

#[path = "programs/harness.rs"]
mod harness;

use stratus::{
    Config, Engine, Error, Instance, Limits, Memory, MemoryReservation, MemoryType, Module, PAGE_SIZE,
    RefType, Store, StoreLimits, Table, TableType, TrapKind, Val,
};

fn load(engine: &Engine, text: &str) -> Module {
    Module::new(engine, text).unwrap_or_else(|e| panic!("test module does not load: {e}"))
}

/// A module whose `grow` export grows table `$t` by its argument and returns the result.
const TABLE_GROWER: &str = r#"(module
  (table $t (export "t") 10 funcref)
  (func (export "grow") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0))))"#;

/// The same for memory.
const MEMORY_GROWER: &str = r#"(module
  (memory (export "m") 1)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#;

mod api {
    use super::*;

    fn grow(store: &mut Store<()>, instance: Instance, delta: i32) -> i32 {
        let grow = instance.get_typed_func::<i32, i32>(&*store, "grow").unwrap();
        grow.call(store, delta).unwrap()
    }

    #[test]
    fn the_store_total_of_table_elements_bounds_creation_and_growth() {
        let engine = Engine::new(Config::new().max_total_table_elements(100)).unwrap();
        let mut store = Store::new(&engine, ());
        let module = load(&engine, TABLE_GROWER);
        let first = Instance::new(&mut store, &module, &[]).unwrap();
        // 80 elements taken.
        assert_eq!(grow(&mut store, first, 70), 10);
        assert_eq!(grow(&mut store, first, 0), 80);
        let second = Instance::new(&mut store, &module, &[]).unwrap();
        // 90 taken: the second table may grow to 20, not 21.
        assert_eq!(grow(&mut store, second, 11), -1);
        assert_eq!(grow(&mut store, second, 10), 10);
        let error = Instance::new(&mut store, &module, &[]).unwrap_err();
        assert!(matches!(error, Error::Resource(_)), "{error}");
        assert_eq!(
            error.to_string(),
            "out of resources: table 0: a table of 10 elements: the store has 100 table elements, \
             and 10 more would pass its limit of 100"
        );
        let table = first.get_table(&store, "t").unwrap();
        let error = table.grow(&mut store, 1, Val::FuncRef(None)).unwrap_err();
        assert!(matches!(error, Error::Resource(_)), "{error}");
        assert!(
            error.to_string().starts_with("out of resources: cannot grow the table from 80 elements by 1")
        );
        let error = Table::new(
            &mut store,
            TableType::new(RefType::FuncRef, Limits { min: 1, max: None }),
            Val::FuncRef(None),
        )
        .unwrap_err();
        assert!(matches!(error, Error::Resource(_)), "{error}");
    }

    #[test]
    fn the_limit_per_table_bounds_growth_with_minus_one() {
        let engine = Engine::new(Config::new().max_table_elements(15)).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Instance::new(&mut store, &load(&engine, TABLE_GROWER), &[]).unwrap();
        assert_eq!(grow(&mut store, instance, 6), -1);
        assert_eq!(grow(&mut store, instance, 5), 10);
        let big = load(&engine, "(module (table 16 funcref))");
        let error = Instance::new(&mut store, &big, &[]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "out of resources: a table of 16 elements exceeds the store's limit of 15 elements"
        );
    }

    #[test]
    fn the_store_total_of_linear_memory_bounds_creation_and_growth() {
        let engine = Engine::new(Config::new().max_total_memory_bytes(4 * PAGE_SIZE)).unwrap();
        let mut store = Store::new(&engine, ());
        let module = load(&engine, MEMORY_GROWER);
        let first = Instance::new(&mut store, &module, &[]).unwrap();
        assert_eq!(grow(&mut store, first, 2), 1);
        let second = Instance::new(&mut store, &module, &[]).unwrap();
        // Four pages in all: neither may grow.
        assert_eq!(grow(&mut store, second, 1), -1);
        assert_eq!(grow(&mut store, first, 1), -1);
        assert_eq!(grow(&mut store, first, 0), 3);
        let error = Instance::new(&mut store, &module, &[]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "out of resources: memory 0: a memory of 1 pages: the store has 262144 bytes of linear \
             memory, and 65536 more would pass its limit of 262144"
        );
        let memory = first.get_memory(&store, "m").unwrap();
        let error = memory.grow(&mut store, 1).unwrap_err();
        assert!(matches!(error, Error::Resource(_)), "{error}");
        let error = Memory::new(&mut store, MemoryType::new(Limits { min: 1, max: None })).unwrap_err();
        assert!(matches!(error, Error::Resource(_)), "{error}");
    }

    #[test]
    fn a_module_that_does_not_fit_uses_up_nothing() {
        // The first table fits and the second does not: the first must be given back,
        // or the third attempt would fail too.
        let engine = Engine::new(Config::new().max_total_table_elements(150)).unwrap();
        let mut store = Store::new(&engine, ());
        let two_tables = load(&engine, "(module (table 100 funcref) (table 100 funcref))");
        for _ in 0..3 {
            let error = Instance::new(&mut store, &two_tables, &[]).unwrap_err();
            assert!(error.to_string().starts_with("out of resources: table 1: "), "{error}");
        }
        Instance::new(&mut store, &load(&engine, "(module (table 150 funcref))"), &[]).unwrap();
    }

    #[test]
    fn the_instance_limit_refuses_one_more() {
        let engine = Engine::new(Config::new().max_instances(3)).unwrap();
        let mut store = Store::new(&engine, ());
        let module = load(&engine, MEMORY_GROWER);
        for _ in 0..3 {
            Instance::new(&mut store, &module, &[]).unwrap();
        }
        let error = Instance::new(&mut store, &module, &[]).unwrap_err();
        assert_eq!(error.to_string(), "out of resources: the store already has 3 instances, its limit");
    }

    #[test]
    fn many_memories_stop_at_the_default_instance_limit() {
        let engine = Engine::default();
        let mut store = Store::new(&engine, ());
        let module = load(&engine, MEMORY_GROWER);
        let instances =
            (0..).map_while(|_| Instance::new(&mut store, &module, &[]).ok()).take(20_000).count();
        assert_eq!(instances, 10_000);
    }

    #[test]
    fn a_small_value_stack_is_call_stack_exhausted() {
        let engine = Engine::new(Config::new().value_stack_slots(1000)).unwrap();
        let mut store = Store::new(&engine, ());
        let module = load(
            &engine,
            r#"(module (func $down (export "down") (param i32) (result i32) (local i64 i64 i64)
                (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
                  (else (call $down (i32.sub (local.get 0) (i32.const 1)))))))"#,
        );
        let instance = Instance::new(&mut store, &module, &[]).unwrap();
        let down = instance.get_typed_func::<i32, i32>(&store, "down").unwrap();
        // Each frame takes its four locals and an operand or two.
        assert_eq!(down.call(&mut store, 100).unwrap(), 0);
        let error = down.call(&mut store, 1000).unwrap_err();
        assert_eq!(error.trap_kind(), Some(&TrapKind::CallStackExhausted));
    }

    #[test]
    fn each_store_may_have_its_own_limits() {
        let engine = Engine::default();
        let module = load(&engine, MEMORY_GROWER);
        let mut limits = StoreLimits::default();
        limits.total_memory_bytes = 2 * PAGE_SIZE;
        let mut small = Store::with_limits(&engine, (), limits).unwrap();
        let mut large = Store::new(&engine, ());
        let in_small = Instance::new(&mut small, &module, &[]).unwrap();
        let in_large = Instance::new(&mut large, &module, &[]).unwrap();
        assert_eq!(grow(&mut small, in_small, 2), -1);
        assert_eq!(grow(&mut large, in_large, 2), 1);
        assert_eq!(engine.config().get_store_limits(), &StoreLimits::default());
    }

    #[test]
    fn limits_that_cannot_be_honoured_are_refused() {
        let error = Engine::new(Config::new().value_stack_slots(1 << 40)).unwrap_err();
        assert!(matches!(error, Error::Config(_)), "{error}");
        let mut limits = StoreLimits::default();
        limits.memory_pages = 65537;
        let error = Store::with_limits(&Engine::default(), (), limits).unwrap_err();
        assert!(matches!(error, Error::Config(_)), "{error}");
    }

    #[test]
    fn each_reservation_setting_takes_the_address_space_it_says() {
        let settings = [
            ("default (maximum, no guard)", MemoryReservation::default()),
            ("maximum + 64 KiB guard", MemoryReservation::Maximum { guard: 64 << 10 }),
            ("whole 4 GiB + 4 GiB 64 KiB guard", MemoryReservation::Whole { guard: stratus::GUARD_BYTES }),
            ("whole 4 GiB, no guard", MemoryReservation::Whole { guard: 0 }),
        ];
        let reserved = |reservation, text| {
            let engine = Engine::new(Config::new().memory_reservation(reservation)).unwrap();
            let mut store = Store::new(&engine, ());
            let instance = Instance::new(&mut store, &load(&engine, text), &[]).unwrap();
            instance.get_memory(&store, "m").unwrap().reserved_bytes(&store)
        };
        let mut figures = Vec::new();
        for (name, reservation) in settings {
            let bounded = reserved(reservation, r#"(module (memory (export "m") 1 1))"#);
            let unbounded = reserved(reservation, r#"(module (memory (export "m") 1))"#);
            eprintln!(
                "address space of one instance with a 1-page memory, {name}: {bounded} bytes with \
                 (memory 1 1), {unbounded} bytes with (memory 1)"
            );
            figures.push((bounded, unbounded));
        }
        let gib = 1usize << 30;
        assert_eq!(
            figures,
            [
                (PAGE_SIZE, 4 * gib),
                (2 * PAGE_SIZE, 4 * gib + PAGE_SIZE),
                (8 * gib + PAGE_SIZE, 8 * gib + PAGE_SIZE),
                (4 * gib, 4 * gib)
            ]
        );
    }
}

#[cfg(target_os = "linux")]
mod cli {
    use std::io::Read;
    use std::path::Path;
    use std::process::{Command, Stdio};

    use super::harness::{scratch, status, stderr, stdout, stratus, stratus_command};

    /// What a run of `stratus` did, and the most memory it had resident at once.
    struct Run {
        status: i32,
        stdout: String,
        stderr: String,
        peak_rss: usize,
    }

    /// Runs `stratus` with `args` in `dir` and measures its peak resident set size.
    #[expect(
        clippy::zombie_processes,
        reason = "the child is reaped by wait4, which also reports its peak RSS; std's wait does not"
    )]
    fn measured(dir: &Path, args: &[&str]) -> Run {
        let mut child = stratus_command()
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run stratus");
        let mut err_pipe = child.stderr.take().expect("stderr");
        let errors = std::thread::spawn(move || {
            let mut text = String::new();
            err_pipe.read_to_string(&mut text).map(|_| text)
        });
        let mut stdout = String::new();
        child.stdout.take().expect("stdout").read_to_string(&mut stdout).expect("read stdout");
        let stderr = errors.join().expect("stderr reader").expect("read stderr");
        let (status, peak_rss) = wait_with_peak_rss(child.id());
        Run { status, stdout, stderr, peak_rss }
    }

    /// Waits for child `pid` and returns its exit status and peak RSS in bytes.
    fn wait_with_peak_rss(pid: u32) -> (i32, usize) {
        let pid = pid as libc::pid_t;
        let mut wait_status = 0;
        // SAFETY: `rusage` is a C struct of integers, for which all zeroes is a value.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `pid` is our own child, not yet waited for (std's `Child` is only
        // dropped, which does not wait), and both pointers are to live locals.
        let waited = unsafe { libc::wait4(pid, &mut wait_status, 0, &mut usage) };
        assert_eq!(waited, pid, "wait4: {}", std::io::Error::last_os_error());
        assert!(libc::WIFEXITED(wait_status), "stratus was killed: status {wait_status:#x}");
        // Linux reports the peak in KiB.
        (libc::WEXITSTATUS(wait_status), usage.ru_maxrss as usize * 1024)
    }

    const MIB: usize = 1 << 20;

    /// Twenty tables of 10 million elements: 1.6 GB of host memory if they were made.
    fn twenty_large_tables() -> String {
        let tables = "(table 10000000 funcref)".repeat(20);
        format!(r#"(module {tables} (func (export "_start")))"#)
    }

    /// Eight tables, each grown by a million elements until `table.grow` fails; prints
    /// their sizes' sum.
    fn table_grow_loops() -> String {
        let mut tables = String::new();
        let mut loops = String::new();
        for t in 0..8 {
            tables.push_str(&format!("(table $t{t} 0 funcref)"));
            loops.push_str(&format!(
                "(block $done{t} (loop $again{t}
                   (br_if $done{t} (i32.eq (table.grow $t{t} (ref.null func) (i32.const 1000000)) (i32.const -1)))
                   (br $again{t})))
                 (local.set $sum (i32.add (local.get $sum) (table.size $t{t})))"
            ));
        }
        format!(
            r#"(module {tables} (func (export "grow") (result i32) (local $sum i32) {loops} (local.get $sum)))"#
        )
    }

    /// One memory, grown by 1 MiB at a time until `memory.grow` fails, writing every
    /// page it gets when `touch` is set; prints its size in pages.
    fn memory_grow_loop(touch: bool) -> String {
        let fill = if touch {
            "(memory.fill (i32.mul (i32.sub (memory.size) (i32.const 16)) (i32.const 65536))
                          (i32.const 1) (i32.const 1048576))"
        } else {
            ""
        };
        format!(
            r#"(module (memory 0)
              (func (export "grow") (result i32)
                (block $done (loop $again
                  (br_if $done (i32.eq (memory.grow (i32.const 16)) (i32.const -1)))
                  {fill}
                  (br $again)))
                (memory.size)))"#
        )
    }

    fn write(dir: &Path, name: &str, text: &str) -> String {
        std::fs::write(dir.join(name), text).expect("write module");
        name.to_string()
    }

    #[test]
    fn hostile_modules_stay_bounded_with_the_default_limits() {
        let dir = scratch("limits", "hostile_default");
        let tables = write(&dir, "tables.wat", &twenty_large_tables());
        let run = measured(&dir, &["run", &tables]);
        eprintln!("20 tables of 10M elements, default limits: peak RSS {} MiB", run.peak_rss / MIB);
        assert_eq!(run.status, 1, "{}", run.stderr);
        assert_eq!(
            run.stderr,
            "tables.wat: error: out of resources: table 6: a table of 10000000 elements: the store \
             has 60000000 table elements, and 10000000 more would pass its limit of 67108864\n"
        );
        assert!(run.peak_rss < 600 * MIB, "peak RSS {} MiB", run.peak_rss / MIB);

        let grow = write(&dir, "grow.wat", &table_grow_loops());
        let run = measured(&dir, &["run", "--invoke", "grow", &grow]);
        eprintln!("table.grow loops over 8 tables, default limits: peak RSS {} MiB", run.peak_rss / MIB);
        // Six tables of the largest size, and 7 million elements in a seventh: the last
        // million that fits under 2^26 elements.
        assert_eq!((run.status, run.stdout.as_str()), (0, "67000000\n"), "{}", run.stderr);
        assert!(run.peak_rss < 600 * MIB, "peak RSS {} MiB", run.peak_rss / MIB);

        let memory = write(&dir, "memory.wat", &memory_grow_loop(false));
        let run = measured(&dir, &["run", "--invoke", "grow", &memory]);
        eprintln!(
            "memory.grow loop to 4 GiB, untouched, default limits: peak RSS {} MiB",
            run.peak_rss / MIB
        );
        assert_eq!((run.status, run.stdout.as_str()), (0, "65536\n"), "{}", run.stderr);
        assert!(run.peak_rss < 100 * MIB, "peak RSS {} MiB", run.peak_rss / MIB);
    }

    #[test]
    fn hostile_modules_stay_within_small_limits() {
        let dir = scratch("limits", "hostile_small");
        let tables = write(&dir, "tables.wat", &twenty_large_tables());
        let run = measured(&dir, &["run", "--max-table-elements", "1000000", &tables]);
        eprintln!(
            "20 tables of 10M elements, --max-table-elements 1000000: peak RSS {} MiB",
            run.peak_rss / MIB
        );
        assert_eq!(run.status, 1, "{}", run.stderr);
        assert_eq!(
            run.stderr,
            "tables.wat: error: out of resources: a table of 10000000 elements exceeds the store's \
             limit of 1000000 elements\n"
        );
        assert!(run.peak_rss < 64 * MIB, "peak RSS {} MiB", run.peak_rss / MIB);

        let grow = write(&dir, "grow.wat", &table_grow_loops());
        let run = measured(&dir, &["run", "--max-table-elements", "3000000", "--invoke", "grow", &grow]);
        eprintln!("table.grow loops, --max-table-elements 3000000: peak RSS {} MiB", run.peak_rss / MIB);
        assert_eq!((run.status, run.stdout.as_str()), (0, "3000000\n"), "{}", run.stderr);
        assert!(run.peak_rss < 100 * MIB, "peak RSS {} MiB", run.peak_rss / MIB);

        let memory = write(&dir, "memory.wat", &memory_grow_loop(true));
        let run = measured(&dir, &["run", "--max-memory", "64MiB", "--invoke", "grow", &memory]);
        eprintln!(
            "memory.grow loop writing every page, --max-memory 64MiB: peak RSS {} MiB",
            run.peak_rss / MIB
        );
        assert_eq!((run.status, run.stdout.as_str()), (0, "1024\n"), "{}", run.stderr);
        assert!(run.peak_rss < 128 * MIB, "peak RSS {} MiB", run.peak_rss / MIB);
    }

    #[test]
    fn the_value_stack_size_is_a_flag() {
        let dir = scratch("limits", "stack");
        let module = write(
            &dir,
            "down.wat",
            r#"(module (func $down (export "down") (param i32) (result i32)
                (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
                  (else (call $down (i32.sub (local.get 0) (i32.const 1)))))))"#,
        );
        let output = stratus(&dir, &["run", "--max-wasm-stack", "64KiB", "--invoke", "down", &module, "100"]);
        assert_eq!((status(&output), stdout(&output).as_str()), (0, "0\n"), "{}", stderr(&output));
        let output =
            stratus(&dir, &["run", "--max-wasm-stack", "64KiB", "--invoke", "down", &module, "100000"]);
        assert_eq!(status(&output), 134);
        assert!(stderr(&output).contains("call stack exhausted"), "{}", stderr(&output));
        let output = stratus(&dir, &["run", "--max-wasm-stack", "64kb", "--invoke", "down", &module, "1"]);
        assert_eq!(status(&output), 2);
        assert_eq!(
            stderr(&output),
            "error: --max-wasm-stack: '64kb' is not a size: expected a number of bytes, or one with \
             KiB, MiB or GiB (64MiB)\nhint: see 'stratus run --help'\n"
        );
    }

    /// Runs `stratus` under `ulimit -v` (KiB of address space).
    fn under_address_space_limit(dir: &Path, kib: usize, args: &str) -> std::process::Output {
        let bin = env!("CARGO_BIN_EXE_stratus");
        let runner: String = super::harness::runner().iter().map(|word| format!("'{word}' ")).collect();
        Command::new("sh")
            .args(["-c", &format!("ulimit -v {kib} && exec {runner}'{bin}' {args}")])
            .current_dir(dir)
            .output()
            .expect("run sh")
    }

    #[test]
    fn a_value_stack_larger_than_the_address_space_falls_back_to_a_smaller_one() {
        let dir = scratch("limits", "ulimit_stack");
        let module = write(&dir, "one.wat", r#"(module (func (export "one") (result i32) (i32.const 1)))"#);
        let args = format!("run --max-wasm-stack 1GiB --invoke one {module}");
        let output = under_address_space_limit(&dir, 512 << 10, &args);
        assert_eq!((status(&output), stdout(&output).as_str()), (0, "1\n"), "{}", stderr(&output));
    }

    #[test]
    fn a_memory_runs_in_4_gib_of_address_space() {
        let dir = scratch("limits", "ulimit");
        // Without a maximum, the memory would reserve 4 GiB: more than the process has.
        // It falls back to half, 2 GiB, and cannot grow past that.
        let memory = write(
            &dir,
            "memory.wat",
            r#"(module (memory 1)
                 (func (export "run") (result i32 i32 i32)
                   (memory.grow (i32.const 1))
                   (memory.grow (i32.const 40000))
                   (i32.store (i32.const 70000) (i32.const 42))
                   (i32.load (i32.const 70000))))"#,
        );
        let output = under_address_space_limit(&dir, 4 << 20, &format!("run --invoke run {memory}"));
        assert_eq!((status(&output), stdout(&output).as_str()), (0, "1\n-1\n42\n"), "{}", stderr(&output));
    }

    #[test]
    fn a_memory_whose_minimum_has_no_address_space_is_an_error() {
        let dir = scratch("limits", "ulimit_minimum");
        let memory = write(&dir, "memory.wat", r#"(module (memory 30000) (func (export "_start")))"#);
        let output = under_address_space_limit(&dir, 1 << 20, &format!("run {memory}"));
        assert_eq!(status(&output), 1, "{}", stderr(&output));
        assert!(
            stderr(&output).starts_with(
                "memory.wat: error: out of resources: memory 0: reserving a linear memory of 30000 pages: "
            ),
            "{}",
            stderr(&output)
        );
    }

    /// Four functions of one `br_table` with 7.6 million targets each (the most a
    /// function's size allows): 30 MB, whose side tables and machine code would take
    /// more than 500 MB.
    fn huge_br_tables() -> Vec<u8> {
        let targets = 7_600_000;
        // block (br_table 0 0 ... 0 (i32.const 0)) end
        let mut body = vec![0x02, 0x40, 0x41, 0x00, 0x0e];
        body.extend(super::harness::leb128(targets));
        body.extend(std::iter::repeat_n(0, targets as usize + 1));
        body.push(0x0b);
        let one: super::harness::Body = (&[], &body);
        super::harness::binary_module(&[one; 4])
    }

    #[test]
    fn huge_br_tables_under_500_mb_of_address_space_are_an_error_or_run_never_an_abort() {
        let dir = scratch("limits", "huge_br_tables");
        std::fs::write(dir.join("tables.wasm"), huge_br_tables()).unwrap();
        let kib = 500 << 10;
        let mut commands = vec!["validate tables.wasm".to_string()];
        for tier in ["interp", "jit", "auto"] {
            if tier == "jit" && !stratus::Tier::Jit.compiles_here() {
                continue;
            }
            commands.push(format!("run --tier {tier} tables.wasm"));
        }
        for command in commands {
            let output = under_address_space_limit(&dir, kib, &command);
            let text = stderr(&output);
            match status(&output) {
                0 => {}
                1 => assert!(text.contains("the host is out of memory"), "{command}: {text}"),
                other => panic!("{command}: exit status {other}: {text}"),
            }
        }
    }

    #[test]
    fn a_host_out_of_memory_is_an_error_or_minus_one_not_an_abort() {
        let dir = scratch("limits", "host_oom");
        // With the limits lifted, only the host can refuse: 1 GiB of address space.
        let no_limit = "--max-table-elements 4294967295";
        let tables = write(&dir, "tables.wat", &twenty_large_tables());
        let output = under_address_space_limit(&dir, 1 << 20, &format!("run {no_limit} {tables}"));
        assert_eq!(status(&output), 1, "{}", stderr(&output));
        assert!(stderr(&output).ends_with("the host is out of memory\n"), "{}", stderr(&output));

        let grow = write(
            &dir,
            "grow.wat",
            r#"(module (table $t 1 funcref)
                 (func (export "grow") (result i32 i32)
                   (table.grow $t (ref.null func) (i32.const 200000000))
                   (table.grow $t (ref.null func) (i32.const 1))))"#,
        );
        let output =
            under_address_space_limit(&dir, 1 << 20, &format!("run {no_limit} --invoke grow {grow}"));
        assert_eq!((status(&output), stdout(&output).as_str()), (0, "-1\n1\n"), "{}", stderr(&output));
    }
}
