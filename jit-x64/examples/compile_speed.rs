//! Compile throughput: `cargo run --release -p stratus-jit-x64 --example compile_speed --
//! FILE.wasm [ROUNDS]` compiles the module's code section `ROUNDS` times (5 by default)
//! with each way of checking bounds and prints the best MB/s of code section compiled.

#[cfg(not(target_arch = "x86_64"))]
fn main() {
    eprintln!("compile_speed: the x86-64 back-end compiles on x86-64 only");
}

#[cfg(target_arch = "x86_64")]
fn main() {
    use std::io::Write;
    use std::time::Instant;

    use stratus_jit::{Bounds, ModuleCode};
    use stratus_runtime::CompiledModule;

    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: compile_speed FILE.wasm [ROUNDS]");
    let rounds: usize = args.next().map_or(5, |r| r.parse().expect("a number of rounds"));
    let bytes = std::fs::read(&path).expect("a readable file");
    let module = CompiledModule::new(bytes).expect("a valid module");
    let code_bytes: usize = module.code.iter().map(|c| c.entry.len()).sum();
    for bounds in [Bounds::Guard, Bounds::Explicit] {
        let mut best = f64::MAX;
        let mut size = 0;
        for _ in 0..rounds {
            let start = Instant::now();
            let all = 0..module.code.len() as u32;
            let code = stratus_jit_x64::compile_functions(
                &module,
                stratus_jit::CodeKind { bounds, deterministic: false },
                all,
            )
            .expect("compiled");
            best = best.min(start.elapsed().as_secs_f64());
            size = code.code_size();
        }
        // A closed pipe (`| head`) ends the output, not in a panic.
        let _ = writeln!(
            std::io::stdout(),
            "{path}: {bounds:?}: {} functions, {code_bytes} bytes of code section in {:.2} ms: {:.1} MB/s; {size} bytes of machine code ({:.2}x)",
            module.code.len(),
            best * 1e3,
            code_bytes as f64 / best / 1e6,
            size as f64 / code_bytes as f64
        );
    }
}
