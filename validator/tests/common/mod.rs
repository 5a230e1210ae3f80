//! What the property tests (`tests/fuzz.rs`) and the cargo-fuzz targets (`fuzz/`) share:
//! the Wasm 2.0 generator configuration, the two verdicts, mutations, and failure
//! reports. The fuzz targets include this file by path, so it depends on nothing but
//! `arbitrary`, `wasm-smith`, `wasmparser` and Stratus.

#![allow(dead_code)] // each user needs only part of it

use std::fmt::Write as _;
use std::ops::Range;

use arbitrary::Unstructured;
use stratus_decoder::{ImmKind, Module, Opcode};
use wasmparser::{Validator, WasmFeatures};

/// Exactly the features of WebAssembly 2.0: MVP, mutable globals, sign extension,
/// saturating float-to-int, multi-value, bulk memory, reference types, 128-bit SIMD.
pub fn wasm2_features() -> WasmFeatures {
    WasmFeatures::WASM2
}

/// `len` deterministic pseudo-random bytes from `seed` (splitmix64 seeding an
/// xorshift64* stream).
pub fn seed_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    state = (state ^ (state >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    state = (state ^ (state >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    state = (state ^ (state >> 31)) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        out.extend(state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// A wasm-smith configuration limited to Wasm 2.0. Half the time the sizes and
/// instruction kinds are drawn from the input (swarm testing), otherwise wasm-smith's
/// defaults; the proposals are always exactly Wasm 2.0's.
pub fn wasm2_config(u: &mut Unstructured<'_>) -> arbitrary::Result<wasm_smith::Config> {
    let mut config = if u.arbitrary()? { u.arbitrary()? } else { wasm_smith::Config::default() };
    // wasm-smith adds optional items while a coin comes up heads, so with uniform input
    // most modules would hold a function or two; ask for more.
    config.max_types = config.max_types.max(1);
    config.max_funcs = config.max_funcs.max(1);
    config.min_types = u.int_in_range(1..=config.max_types.min(12))?;
    config.min_funcs = u.int_in_range(0..=config.max_funcs.min(24))?;
    config.min_globals = u.int_in_range(0..=config.max_globals.min(6))?;
    config.min_exports = u.int_in_range(0..=config.max_exports.min(6))?;
    config.min_element_segments = u.int_in_range(0..=config.max_element_segments.min(3))?;
    config.min_data_segments = u.int_in_range(0..=config.max_data_segments.min(3))?;
    // Wasm 2.0 proposals on.
    config.sign_extension_ops_enabled = true;
    config.saturating_float_to_int_enabled = true;
    config.multi_value_enabled = true;
    config.bulk_memory_enabled = true;
    config.reference_types_enabled = true;
    config.simd_enabled = true;
    // Everything later off.
    config.relaxed_simd_enabled = false;
    config.threads_enabled = false;
    config.shared_everything_threads_enabled = false;
    config.tail_call_enabled = false;
    config.exceptions_enabled = false;
    config.gc_enabled = false;
    config.memory64_enabled = false;
    config.extended_const_enabled = false;
    config.custom_page_sizes_enabled = false;
    config.wide_arithmetic_enabled = false;
    config.compact_imports_enabled = false;
    config.custom_descriptors_enabled = false;
    config.acquire_release_atomics_enabled = false;
    config.multibyte_array_access_enabled = false;
    config.max_memories = config.max_memories.min(1); // no multi-memory
    config.min_memories = 0;
    config.max_memory32_bytes = config.max_memory32_bytes.min(1 << 32);
    config.allow_invalid_funcs = false;
    Ok(config)
}

/// A valid Wasm 2.0 module made by wasm-smith from `u`, or `None` if wasm-smith gave up.
pub fn smith_module(u: &mut Unstructured<'_>) -> Option<Vec<u8>> {
    let config = wasm2_config(u).ok()?;
    let module = wasm_smith::Module::new(config, u).ok()?;
    Some(module.to_bytes())
}

/// A Wasm 2.0 module whose declarations are valid but some of whose function bodies
/// (about half) are raw bytes from `u`.
pub fn smith_module_with_raw_bodies(u: &mut Unstructured<'_>) -> Option<Vec<u8>> {
    let mut config = wasm2_config(u).ok()?;
    config.allow_invalid_funcs = true;
    let module = wasm_smith::Module::new(config, u).ok()?;
    Some(module.to_bytes())
}

// ---------------------------------------------------------------------------------------
// Verdicts and reports.

pub type Verdict = Result<(), (usize, String)>;

pub fn ours(bytes: &[u8]) -> Verdict {
    stratus_validator::parse_and_validate(bytes).map(|_| ()).map_err(|e| (e.offset(), e.message()))
}

pub fn theirs(bytes: &[u8]) -> Verdict {
    Validator::new_with_features(wasm2_features())
        .validate_all(bytes)
        .map(|_| ())
        .map_err(|e| (e.offset() as usize, e.message().to_string()))
}

pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (i, chunk) in bytes.chunks(32).enumerate() {
        let _ = write!(out, "\n  {:06x}:", i * 32);
        for b in chunk {
            let _ = write!(out, " {b:02x}");
        }
    }
    out
}

/// The bytes around `offset`, the byte at `offset` in brackets.
pub fn around(bytes: &[u8], offset: usize) -> String {
    let start = offset.saturating_sub(12).min(bytes.len());
    let end = offset.saturating_add(12).min(bytes.len());
    let mut out = String::new();
    for (i, b) in bytes[start..end].iter().enumerate() {
        if start + i == offset {
            let _ = write!(out, " [{b:02x}]");
        } else {
            let _ = write!(out, " {b:02x}");
        }
    }
    if offset >= bytes.len() {
        out.push_str(" [end]");
    }
    format!("{start:#x}:{out}")
}

pub fn verdict_text(verdict: &Verdict, bytes: &[u8]) -> String {
    match verdict {
        Ok(()) => "accepts".into(),
        Err((offset, message)) => {
            format!("rejects at {offset:#x}: {message}\n    bytes {}", around(bytes, *offset))
        }
    }
}

/// Saves `bytes` where a developer can look at them (`wasm-tools print FILE`,
/// `wasm2wat FILE`, `cargo run -- validate FILE`), and says where.
pub fn save(bytes: &[u8]) -> String {
    // FNV-1a, for a stable file name.
    let hash =
        bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3));
    let base = match option_env!("CARGO_TARGET_TMPDIR") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => std::env::temp_dir(),
    };
    let dir = base.join("stratus-fuzz");
    let path = dir.join(format!("{hash:016x}.wasm"));
    match std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, bytes)) {
        Ok(()) => path.display().to_string(),
        Err(e) => format!("(could not save to {}: {e})", path.display()),
    }
}

/// `what`, then where the module was saved, then its bytes if it is short.
pub fn describe(bytes: &[u8], what: &str) -> String {
    let mut text = format!("{what}\nmodule: {} bytes, saved to {}", bytes.len(), save(bytes));
    if bytes.len() <= 4096 {
        text.push_str(&hex(bytes));
    } else {
        text.push_str(" (too long to print)");
    }
    text
}

/// We accept exactly when wasmparser (Wasm 2.0 features) accepts; otherwise a report.
pub fn check_agreement(bytes: &[u8]) -> Result<(), String> {
    let ours = ours(bytes);
    let theirs = theirs(bytes);
    if ours.is_ok() != theirs.is_ok() {
        let what = format!(
            "Stratus and wasmparser disagree\n  Stratus    {}\n  wasmparser {}",
            verdict_text(&ours, bytes),
            verdict_text(&theirs, bytes)
        );
        return Err(describe(bytes, &what));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Mutations.

#[derive(Clone, Debug)]
pub enum Mutation {
    FlipBit {
        at: Target,
        bit: u8,
    },
    Overwrite {
        at: Target,
        byte: u8,
    },
    Insert {
        at: Target,
        bytes: Vec<u8>,
    },
    Delete {
        at: Target,
        len: usize,
    },
    Truncate {
        at: Target,
    },
    /// An edit at instruction granularity inside a function body, with the body and
    /// code-section sizes fixed up: keeps the framing intact, so the result mostly
    /// decodes and exercises validation.
    Instr {
        body: u32,
        at: u32,
        edit: InstrEdit,
        op: u16,
        imm_seed: u64,
    },
}

#[derive(Clone, Copy, Debug)]
pub enum InstrEdit {
    /// Replace the instruction with instruction `op` (an index into `Opcode::ALL`).
    Replace,
    /// Insert instruction `op` before it.
    Insert,
    Delete,
}

/// Where a mutation applies: anywhere, or inside the `n`th section (modulo the count)
/// so that every section gets its share, not only the largest.
#[derive(Clone, Debug)]
pub enum Target {
    Anywhere(u32),
    InSection { section: u8, at: u32 },
}

impl Target {
    pub fn arbitrary(u: &mut Unstructured<'_>) -> arbitrary::Result<Target> {
        Ok(if u.arbitrary()? {
            Target::Anywhere(u.arbitrary()?)
        } else {
            Target::InSection { section: u.arbitrary()?, at: u.arbitrary()? }
        })
    }
}

impl Mutation {
    /// One to four mutations drawn from fuzzer input: half the time instruction edits
    /// only (which mostly keep the module decodable), otherwise any kind. The proptests
    /// draw the same mix with a strategy of their own.
    pub fn arbitrary_list(u: &mut Unstructured<'_>) -> arbitrary::Result<Vec<Mutation>> {
        let instr_only: bool = u.arbitrary()?;
        let count = u.int_in_range(1..=4)?;
        (0..count)
            .map(|_| if instr_only { Mutation::arbitrary_instr(u) } else { Mutation::arbitrary(u) })
            .collect()
    }

    pub fn arbitrary_instr(u: &mut Unstructured<'_>) -> arbitrary::Result<Mutation> {
        Ok(Mutation::Instr {
            body: u.arbitrary()?,
            at: u.arbitrary()?,
            edit: match u.int_in_range(0..=2u8)? {
                0 => InstrEdit::Replace,
                1 => InstrEdit::Insert,
                _ => InstrEdit::Delete,
            },
            op: u.arbitrary()?,
            imm_seed: u.arbitrary()?,
        })
    }

    /// A mutation of any kind drawn from fuzzer input.
    pub fn arbitrary(u: &mut Unstructured<'_>) -> arbitrary::Result<Mutation> {
        let at = Target::arbitrary(u)?;
        Ok(match u.int_in_range(0..=14u8)? {
            11..=14 => Mutation::arbitrary_instr(u)?,
            0..=2 => Mutation::FlipBit { at, bit: u.int_in_range(0..=7)? },
            3..=5 => Mutation::Overwrite { at, byte: u.arbitrary()? },
            6..=7 => {
                let len = u.int_in_range(1..=8)?;
                Mutation::Insert { at, bytes: u.bytes(len)?.to_vec() }
            }
            8..=9 => Mutation::Delete { at, len: u.int_in_range(1..=8)? },
            _ => Mutation::Truncate { at },
        })
    }
}

/// The byte ranges of the sections of `module` (id and size included), as far as the
/// framing goes.
pub fn sections(module: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut pos = 8;
    while pos < module.len() {
        let start = pos;
        pos += 1;
        let mut size = 0usize;
        let mut shift = 0;
        loop {
            let Some(&b) = module.get(pos) else { return out };
            pos += 1;
            size |= usize::from(b & 0x7F) << shift;
            shift += 7;
            if b & 0x80 == 0 || shift > 28 {
                break;
            }
        }
        pos = pos.saturating_add(size).min(module.len());
        out.push(start..pos);
    }
    out
}

pub fn resolve(target: &Target, len: usize, sections: &[Range<usize>]) -> usize {
    let pick = |at: u32, range: &Range<usize>| range.start + at as usize % range.len().max(1);
    let pos = match target {
        Target::Anywhere(at) => pick(*at, &(0..len)),
        Target::InSection { section, at } if !sections.is_empty() => {
            pick(*at, &sections[usize::from(*section) % sections.len()])
        }
        Target::InSection { at, .. } => pick(*at, &(0..len)),
    };
    pos.min(len)
}

/// `module` with `mutations` applied in order (positions are resolved against the
/// sections of the original module, clamped to the current length).
pub fn apply(module: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let sections = sections(module);
    let mut bytes = module.to_vec();
    // Instruction edits first, while the module still decodes.
    for m in mutations {
        if let Mutation::Instr { body, at, edit, op, imm_seed } = m
            && let Some(edited) = edit_instruction(&bytes, *body, *at, *edit, *op, *imm_seed)
        {
            bytes = edited;
        }
    }
    for m in mutations {
        let len = bytes.len();
        match m {
            Mutation::FlipBit { at, bit } if len > 0 => {
                let pos = resolve(at, len, &sections).min(len - 1);
                bytes[pos] ^= 1 << (bit & 7);
            }
            Mutation::Overwrite { at, byte } if len > 0 => {
                let pos = resolve(at, len, &sections).min(len - 1);
                bytes[pos] = *byte;
            }
            Mutation::Insert { at, bytes: new } => {
                let pos = resolve(at, len, &sections);
                bytes.splice(pos..pos, new.iter().copied());
            }
            Mutation::Delete { at, len: n } => {
                let pos = resolve(at, len, &sections);
                bytes.drain(pos..pos.saturating_add(*n).min(len));
            }
            Mutation::Truncate { at } => {
                let pos = resolve(at, len, &sections);
                bytes.truncate(pos);
            }
            _ => {}
        }
    }
    bytes
}

pub const HEADER: &[u8] = b"\0asm\x01\0\0\0";

fn uleb(value: u64, out: &mut Vec<u8>) {
    leb128::write::unsigned(out, value).expect("writing to a Vec cannot fail");
}

fn sleb(value: i64, out: &mut Vec<u8>) {
    leb128::write::signed(out, value).expect("writing to a Vec cannot fail");
}

/// A small deterministic generator for immediates (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value below `n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The encoding of instruction `op` with immediates that are mostly in range for a
/// small module (indices below 4 or so, lanes and alignments at most one too large).
/// `block`, `loop` and `if` come with their `end`, half the time.
pub fn encode_instruction(op: Opcode, rng_seed: u64) -> Vec<u8> {
    let mut rng = Rng(rng_seed | 1);
    let mut out = Vec::new();
    let enc = op.encoding();
    if enc <= 0xFF {
        out.push(enc as u8);
    } else {
        out.push((enc >> 16) as u8);
        uleb(u64::from(enc & 0xFFFF), &mut out);
    }
    const VAL_TYPES: [u8; 7] = [0x7F, 0x7E, 0x7D, 0x7C, 0x7B, 0x70, 0x6F];
    let small = |rng: &mut Rng, out: &mut Vec<u8>, n: u64| uleb(rng.below(n), out);
    match op.imm_kind() {
        ImmKind::None => {}
        ImmKind::Block => {
            match rng.below(3) {
                0 => out.push(0x40),
                1 => out.push(VAL_TYPES[rng.below(7) as usize]),
                _ => sleb(rng.below(4) as i64, &mut out),
            }
            if rng.below(2) == 0 {
                out.push(0x0B);
            }
        }
        ImmKind::Label => small(&mut rng, &mut out, 4),
        ImmKind::BrTable => {
            let n = rng.below(4);
            uleb(n, &mut out);
            for _ in 0..=n {
                small(&mut rng, &mut out, 4);
            }
        }
        ImmKind::Func => small(&mut rng, &mut out, 8),
        ImmKind::CallIndirect => {
            small(&mut rng, &mut out, 4);
            small(&mut rng, &mut out, 2);
        }
        ImmKind::RefType => out.push(if rng.below(2) == 0 { 0x70 } else { 0x6F }),
        ImmKind::SelectTypes => {
            out.push(1);
            out.push(VAL_TYPES[rng.below(7) as usize]);
        }
        ImmKind::Local => small(&mut rng, &mut out, 6),
        ImmKind::Global | ImmKind::Elem | ImmKind::Data => small(&mut rng, &mut out, 4),
        ImmKind::Table => small(&mut rng, &mut out, 2),
        ImmKind::TableInit => {
            small(&mut rng, &mut out, 4);
            small(&mut rng, &mut out, 2);
        }
        ImmKind::TableCopy => {
            small(&mut rng, &mut out, 2);
            small(&mut rng, &mut out, 2);
        }
        ImmKind::Memory => out.push(0),
        ImmKind::MemoryInit => {
            small(&mut rng, &mut out, 4);
            out.push(0);
        }
        ImmKind::MemoryCopy => out.extend([0, 0]),
        ImmKind::MemArg { max_align } => {
            small(&mut rng, &mut out, u64::from(max_align) + 2);
            small(&mut rng, &mut out, 1 << 20);
        }
        ImmKind::MemArgLane { max_align, lanes } => {
            small(&mut rng, &mut out, u64::from(max_align) + 2);
            small(&mut rng, &mut out, 1 << 20);
            out.push(rng.below(u64::from(lanes) + 1) as u8);
        }
        ImmKind::Lane { lanes } => out.push(rng.below(u64::from(lanes) + 1) as u8),
        ImmKind::I32 => sleb(i64::from(rng.next() as i32), &mut out),
        ImmKind::I64 => sleb(rng.next() as i64, &mut out),
        ImmKind::F32 => out.extend((rng.next() as u32).to_le_bytes()),
        ImmKind::F64 => out.extend(rng.next().to_le_bytes()),
        ImmKind::V128 => {
            out.extend(rng.next().to_le_bytes());
            out.extend(rng.next().to_le_bytes());
        }
        ImmKind::Shuffle => out.extend((0..16).map(|_| rng.below(33) as u8)),
    }
    out
}

/// Applies one instruction edit to function body `body` (modulo the count) of `module`,
/// at instruction `at` (modulo the body's length), and fixes up the sizes. `None` if
/// the module has no bodies or does not decode.
fn edit_instruction(
    module: &[u8],
    body: u32,
    at: u32,
    edit: InstrEdit,
    op: u16,
    seed: u64,
) -> Option<Vec<u8>> {
    let decoded = Module::parse(module).ok()?;
    if decoded.bodies.is_empty() {
        return None;
    }
    let target = body as usize % decoded.bodies.len();
    // Instruction boundaries in the chosen body (absolute offsets).
    let chosen = &decoded.bodies[target];
    let mut reader = chosen.reader();
    let mut starts = Vec::new();
    while !reader.eof() {
        starts.push(reader.offset());
        reader.read_instr().ok()?;
    }
    let end = chosen.code_offset + chosen.code.len();
    if starts.is_empty() {
        starts.push(end); // an empty body: insert at its end
    }
    starts.push(end);
    let i = at as usize % (starts.len() - 1);
    let (start, next) = (starts[i], starts[i + 1]);
    let new_instr = encode_instruction(Opcode::ALL[usize::from(op) % Opcode::ALL.len()], seed);
    let replacement: &[u8] = match edit {
        InstrEdit::Replace => &new_instr,
        InstrEdit::Insert => &[&new_instr[..], &module[start..next]].concat(),
        InstrEdit::Delete => &[],
    };
    let replacement = replacement.to_vec();

    // The code section: id, size, count, then each body as size and contents.
    let first = decoded.bodies.first()?;
    let last = decoded.bodies.last()?;
    let section = sections(module).into_iter().find(|r| r.contains(&first.offset))?;
    let mut size_end = section.start + 1;
    while module[size_end] & 0x80 != 0 {
        size_end += 1;
    }
    size_end += 1;
    let mut contents = module[size_end..first.offset].to_vec(); // the count
    for (j, b) in decoded.bodies.iter().enumerate() {
        let body_end = b.code_offset + b.code.len();
        if j != target {
            contents.extend(&module[b.offset..body_end]);
            continue;
        }
        let mut locals_start = b.offset;
        while module[locals_start] & 0x80 != 0 {
            locals_start += 1;
        }
        locals_start += 1;
        let mut new_body = module[locals_start..start].to_vec();
        new_body.extend(&replacement);
        new_body.extend(&module[next..body_end]);
        uleb(new_body.len() as u64, &mut contents);
        contents.extend(new_body);
    }
    let last_end = last.code_offset + last.code.len();
    contents.extend(&module[last_end..section.end]); // nothing, in a well-formed module
    let mut out = module[..section.start].to_vec();
    out.push(module[section.start]);
    uleb(contents.len() as u64, &mut out);
    out.extend(contents);
    out.extend(&module[section.end..]);
    Some(out)
}
