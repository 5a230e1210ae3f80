//! The golden disassembly harness both back-ends' `tests/golden.rs` include (with
//! `#[path]`): what is the same whatever the instruction set. A back-end's test gives an
//! [`Isa`]: how to compile a module or one of its functions, and how to disassemble one
//! function's code, one instruction a line.
//!
//! The inputs are shared: every back-end compiles every `jit/tests/golden/NAME.wat`, so
//! that the ISAs' code for the same function can be read side by side. Each input is
//! compiled with [`Bounds::Guard`] and its disassembly compared with `NAME.EXT` beside it
//! (`EXT` the ISA's: `NAME.x64`, `NAME.a64`). A `.wat` whose first line is
//! `;; bounds: guard, explicit` is also compiled with [`Bounds::Explicit`], compared with
//! `NAME.explicit.EXT`. A `.wat` with a line `;; unit: N` has only its
//! defined function `N` compiled, alone, as it is when it tiers up: its calls to the
//! module's other functions go through their function refs.
//!
//! # Format
//!
//! An expected file starts with a `;;` comment header naming the input and the bounds
//! mode. Then, for each defined function in order, a line `func[INDEX] $NAME:` (the module
//! function index, and the name from the name section when there is one) and one line
//! per instruction: its offset from the function's entry, then the instruction. A
//! function's code runs from its entry to the next function's entry (or to the end of the
//! buffer), so it includes the out-of-line stubs emitted after its body; the alignment
//! padding before the next function is left out.
//!
//! Branch targets and pc-relative addresses print so that the output does not depend on
//! where the code was mapped ([`Layout::name`]): as an offset from the function's entry
//! when they fall in the function (`0x0042`), as `<func[INDEX]+0xN>` when they fall in
//! another function, and as `<shared+0xN>` (an offset from the start of the buffer) when
//! they fall in the entry trampoline and shared exit paths that precede the first
//! function.
//!
//! # Blessing
//!
//! The code generator changes; when it does, the expected files are regenerated with
//! `STRATUS_BLESS=1 cargo test -p CRATE --test golden`, which writes the actual output to
//! each expected file (and removes those whose input is gone) instead of comparing.
//! Review the change with `git diff` before committing it: the diff is the point of these
//! tests. Without the variable, a difference, a missing expected file or a stale one
//! fails the test.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use stratus_jit::unit::CodeUnit;
use stratus_jit::{Bounds, CodeKind, CompileError};
use stratus_runtime::CompiledModule;

/// A back-end's `compile_functions`.
pub type Compile = fn(&CompiledModule, CodeKind, std::ops::Range<u32>) -> Result<Arc<CodeUnit>, CompileError>;

/// Where the inputs and every back-end's expected files are, from a back-end's crate
/// directory.
const GOLDEN_DIR: &str = "../jit/tests/golden";

/// What the harness needs of a back-end.
pub struct Isa {
    /// The back-end's crate directory (`env!("CARGO_MANIFEST_DIR")`).
    pub crate_dir: &'static str,
    /// The crate's package name, for the bless command.
    pub package: &'static str,
    /// The extension of expected files: `x64`, `a64`.
    pub extension: &'static str,
    /// Compiles the module's functions in the range of defined indices.
    pub compile: Compile,
    /// Appends the disassembly of defined function `i` of `code` to `out`, one
    /// `  OFFSET  INSTRUCTION` line per instruction, leaving out the padding at its end.
    pub disassemble: fn(code: &[u8], layout: &Layout, i: usize, out: &mut String),
}

impl Isa {
    fn bless_command(&self) -> String {
        format!("{BLESS_VAR}=1 cargo test -p {} --test golden", self.package)
    }
}

/// The environment variable that turns comparing into writing.
const BLESS_VAR: &str = "STRATUS_BLESS";

fn blessing() -> bool {
    std::env::var(BLESS_VAR).is_ok_and(|v| !v.is_empty() && v != "0")
}

fn bounds_name(kind: CodeKind) -> &'static str {
    match (kind.bounds, kind.deterministic) {
        (Bounds::Guard, false) => "guard",
        (Bounds::Explicit, false) => "explicit",
        (_, true) => "deterministic",
    }
}

const GUARD: CodeKind = CodeKind { bounds: Bounds::Guard, deterministic: false };

/// The modes a `.wat` file asks for in a first line `;; bounds: guard, explicit,
/// deterministic` (the last: guard bounds, the deterministic profile); guard alone
/// without one.
fn modes(text: &str) -> Result<Vec<CodeKind>, String> {
    let first = text.lines().next().unwrap_or("");
    let Some(list) = first.trim().strip_prefix(";;").and_then(|l| l.trim().strip_prefix("bounds:")) else {
        return Ok(vec![GUARD]);
    };
    list.split(',')
        .map(|m| match m.trim() {
            "guard" => Ok(GUARD),
            "explicit" => Ok(CodeKind { bounds: Bounds::Explicit, ..GUARD }),
            "deterministic" => Ok(CodeKind { deterministic: true, ..GUARD }),
            other => Err(format!("unknown mode `{other}` (guard, explicit or deterministic)")),
        })
        .collect()
}

/// The defined function a `.wat` file asks to compile alone, in a line `;; unit: N`.
fn unit(text: &str) -> Result<Option<u32>, String> {
    let line =
        text.lines().find_map(|l| l.trim().strip_prefix(";;").and_then(|l| l.trim().strip_prefix("unit:")));
    line.map(|n| n.trim().parse().map_err(|_| format!("`;; unit: {n}` is not a defined function index")))
        .transpose()
}

/// The expected file for `stem` compiled as `kind`.
fn expected_name(isa: &Isa, stem: &str, kind: CodeKind) -> String {
    match bounds_name(kind) {
        "guard" => format!("{stem}.{}", isa.extension),
        mode => format!("{stem}.{mode}.{}", isa.extension),
    }
}

/// Where the functions are in the code buffer, for naming branch targets.
#[derive(Clone)]
pub struct Layout {
    /// Entry offset of each defined function, in order.
    entries: Vec<usize>,
    /// Module index of each defined function.
    indices: Vec<u32>,
    len: usize,
}

impl Layout {
    /// The code of defined function `i`: from its entry to the next one's, or the end.
    pub fn range(&self, i: usize) -> std::ops::Range<usize> {
        let end = self.entries.get(i + 1).copied().unwrap_or(self.len);
        self.entries[i]..end
    }

    /// How an address (an offset in the buffer) prints from inside function `current`.
    pub fn name(&self, current: usize, address: u64) -> String {
        let address = address as usize;
        let here = self.range(current);
        if here.contains(&address) {
            return format!("{:#06x}", address - here.start);
        }
        if address < self.entries[0] {
            return format!("<shared+{address:#x}>");
        }
        match (0..self.entries.len()).find(|&i| self.range(i).contains(&address)) {
            Some(i) if address == self.entries[i] => format!("<func[{}]>", self.indices[i]),
            Some(i) => format!("<func[{}]+{:#x}>", self.indices[i], address - self.entries[i]),
            None => format!("<outside+{address:#x}>"),
        }
    }
}

/// The golden text for one input and bounds mode.
fn render(isa: &Isa, file_name: &str, wat: &str, bounds: CodeKind) -> Result<String, String> {
    let buffer = wast::parser::ParseBuffer::new(wat).map_err(|e| format!("lexing {file_name}: {e}"))?;
    let mut module =
        wast::parser::parse::<wast::Wat>(&buffer).map_err(|e| format!("parsing {file_name}: {e}"))?;
    let bytes = module.encode().map_err(|e| format!("encoding {file_name}: {e}"))?;
    let module = CompiledModule::new(bytes).map_err(|e| format!("loading {file_name}: {e}"))?;
    let unit = unit(wat).map_err(|e| format!("{file_name}: {e}"))?;
    let functions = match unit {
        Some(first) => first..first + 1,
        None => 0..module.code.len() as u32,
    };
    let code = (isa.compile)(&module, bounds, functions);
    let code = code.map_err(|e| format!("compiling {file_name}: {e}"))?;
    let (bytes, entries) = code.disassembly_input();
    let first = unit.unwrap_or(0);
    let layout = Layout {
        indices: (0..entries.len() as u32).map(|i| module.imported_funcs + first + i).collect(),
        entries,
        len: bytes.len(),
    };

    let mut out = String::new();
    writeln!(out, ";; Golden disassembly of {file_name}, bounds: {}.", bounds_name(bounds)).unwrap();
    writeln!(out, ";; Generated by {}/tests/golden.rs; regenerate with", crate_name(isa)).unwrap();
    writeln!(out, ";; {}", isa.bless_command()).unwrap();
    for (i, &index) in layout.indices.iter().enumerate() {
        out.push('\n');
        match module.func_names.iter().find(|(f, _)| *f == index) {
            Some((_, name)) => writeln!(out, "func[{index}] ${name}:").unwrap(),
            None => writeln!(out, "func[{index}]:").unwrap(),
        }
        (isa.disassemble)(bytes, &layout, i, &mut out);
    }
    Ok(out)
}

/// The back-end's directory name in the workspace (`jit-x64`).
fn crate_name(isa: &Isa) -> String {
    Path::new(isa.crate_dir).file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

/// One change of a line diff.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Edit {
    Same,
    Removed,
    Added,
}

/// A line diff of `expected` and `actual` (longest common subsequence), as a list of
/// edits and the line each is about.
fn diff_lines<'a>(expected: &[&'a str], actual: &[&'a str]) -> Vec<(Edit, &'a str)> {
    let (n, m) = (expected.len(), actual.len());
    // lcs[i][j]: the longest common subsequence of expected[i..] and actual[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if expected[i] == actual[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut edits = Vec::new();
    while i < n || j < m {
        if i < n && j < m && expected[i] == actual[j] {
            edits.push((Edit::Same, expected[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            edits.push((Edit::Removed, expected[i]));
            i += 1;
        } else {
            edits.push((Edit::Added, actual[j]));
            j += 1;
        }
    }
    edits
}

/// A unified-style diff: the changed lines with three lines of context, `-` for the
/// expected file and `+` for the actual output, cut after `max_lines` lines.
fn unified_diff(expected: &str, actual: &str, max_lines: usize) -> String {
    const CONTEXT: usize = 3;
    let expected: Vec<&str> = expected.lines().collect();
    let actual: Vec<&str> = actual.lines().collect();
    let edits = diff_lines(&expected, &actual);
    // Which edits to show: the changes and the context around them.
    let mut shown = vec![false; edits.len()];
    for (k, &(edit, _)) in edits.iter().enumerate() {
        if edit != Edit::Same {
            let from = k.saturating_sub(CONTEXT);
            let to = (k + CONTEXT + 1).min(edits.len());
            shown[from..to].iter_mut().for_each(|s| *s = true);
        }
    }
    let mut out = String::new();
    let mut lines = 0;
    let (mut old_line, mut new_line) = (1, 1);
    let mut in_hunk = false;
    for (k, &(edit, text)) in edits.iter().enumerate() {
        if shown[k] {
            if !in_hunk {
                writeln!(out, "@@ expected line {old_line}, actual line {new_line} @@").unwrap();
                in_hunk = true;
            }
            if lines == max_lines {
                out.push_str("... (diff cut short)\n");
                return out;
            }
            let sign = match edit {
                Edit::Same => ' ',
                Edit::Removed => '-',
                Edit::Added => '+',
            };
            writeln!(out, "{sign}{text}").unwrap();
            lines += 1;
        } else {
            in_hunk = false;
        }
        match edit {
            Edit::Same => {
                old_line += 1;
                new_line += 1;
            }
            Edit::Removed => old_line += 1,
            Edit::Added => new_line += 1,
        }
    }
    out
}

/// A back-end's golden tests, for the back-end the [`Isa`] `$isa` describes.
macro_rules! golden_tests {
    ($isa:expr) => {
        #[test]
        fn golden_disassembly() {
            golden::check(&$isa);
        }

        #[test]
        fn diff_shows_changes_with_context() {
            golden::check_diff();
        }
    };
}

/// Compares (or, blessing, writes) every expected file of `isa`; panics with the
/// differences.
pub fn check(isa: &Isa) {
    let dir = Path::new(isa.crate_dir).join(GOLDEN_DIR);
    let bless = blessing();
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "wat"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no .wat inputs in {}", dir.display());

    let mut failures = Vec::new();
    let mut produced = Vec::new();
    for input in &inputs {
        let file_name = input.file_name().unwrap().to_string_lossy().into_owned();
        let stem = input.file_stem().unwrap().to_string_lossy().into_owned();
        let wat = std::fs::read_to_string(input).unwrap_or_else(|e| panic!("reading {file_name}: {e}"));
        let modes = match modes(&wat) {
            Ok(modes) => modes,
            Err(e) => {
                failures.push(format!("{file_name}: {e}"));
                continue;
            }
        };
        for bounds in modes {
            let expected_file = expected_name(isa, &stem, bounds);
            produced.push(expected_file.clone());
            let path = dir.join(&expected_file);
            let actual = match render(isa, &file_name, &wat, bounds) {
                Ok(text) => text,
                Err(e) => {
                    failures.push(e);
                    continue;
                }
            };
            if bless {
                std::fs::write(&path, &actual).unwrap_or_else(|e| panic!("writing {expected_file}: {e}"));
                continue;
            }
            match std::fs::read_to_string(&path) {
                Ok(expected) if expected == actual => {}
                Ok(expected) => failures.push(format!(
                    "{expected_file} differs from what {file_name} compiles to ({} bounds):\n{}",
                    bounds_name(bounds),
                    unified_diff(&expected, &actual, 60).trim_end()
                )),
                Err(e) => failures.push(format!("{expected_file}: missing expected output ({e})")),
            }
        }
    }

    // Expected files whose input is gone.
    let mut stale: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(&format!(".{}", isa.extension)) && !produced.contains(name))
        .collect();
    stale.sort();
    for name in stale {
        if bless {
            std::fs::remove_file(dir.join(&name)).unwrap_or_else(|e| panic!("removing {name}: {e}"));
            eprintln!("removed {name}: no input produces it");
        } else {
            failures.push(format!("{name}: no input produces it (blessing removes it)"));
        }
    }

    if !failures.is_empty() {
        panic!(
            "{} golden disassembly check(s) failed:\n\n{}\n\nIf the new code is intended, run\n    {}\n\
             and review the change with `git diff jit/tests/golden`.",
            failures.len(),
            failures.join("\n\n"),
            isa.bless_command(),
        );
    }
}

/// The diff the harness prints: checked by each back-end's test.
pub fn check_diff() {
    let expected = "a\nb\nc\nd\ne\nf\ng\nh\n";
    let actual = "a\nb\nc\nd\nE\nf\ng\nh\ni\n";
    let diff = unified_diff(expected, actual, 60);
    assert_eq!(diff, "@@ expected line 2, actual line 2 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n+i\n");
    assert_eq!(unified_diff("x\n", "x\n", 60), "");
}
