//! The instruction table checked against two independent implementations.
//!
//! - Every row is encoded (opcode plus sample immediates of the row's shape) and decoded
//!   both by our decoder and by `wasmparser`; both must read the same instruction with the
//!   same immediates and consume exactly the same bytes, and wasmparser must file the
//!   instruction under a Wasm 2.0 proposal.
//! - Every Wasm 2.0 operator wasmparser knows must be some row of the table, and every
//!   opcode byte and every `0xFC`/`0xFD` sub-opcode below `0x200` that wasmparser decodes
//!   as a Wasm 2.0 operator must be in our table under the same name (and the others must
//!   be illegal opcodes for us).
//! - Every row's text name, written in a module and encoded by `wast`, decodes back to
//!   that row.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use stratus_decoder::{BlockType, Features, Imm, ImmKind, Opcode, Proposal, Reader, RefType};
use wasmparser::{
    AbstractHeapType, BinaryReader, FrameKind, FrameStack, HeapType, VisitOperator, VisitSimdOperator,
    WasmFeatures,
};

/// The wasmparser proposals whose operators make up Wasm 2.0.
const WASM2_PROPOSALS: &[&str] =
    &["mvp", "sign_extension", "saturating_float_to_int", "bulk_memory", "reference_types", "simd"];

/// wasmparser operators under a Wasm 2.0 proposal that are not instructions of their own:
/// `select` with a type list of other than one type is malformed in Wasm 2.0; wasmparser
/// decodes it so that it can print it.
const NOT_INSTRUCTIONS: &[&str] = &["visit_typed_select_multi"];

/// Rows whose text name is not wasmparser's operator name, and wasmparser's name for them.
const RENAMED: &[(Opcode, &str)] = &[(Opcode::TypedSelect, "visit_typed_select")];

// ---------------------------------------------------------------------------------------
// wasmparser, driven as a visitor that records which operator it decoded.

/// What wasmparser decoded: the proposal it files the operator under, the name of its
/// visitor method, and the immediates in a normal form shared with our side.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    proposal: &'static str,
    visit: &'static str,
    imms: Vec<String>,
}

/// Immediates brought to one textual form, so ours and wasmparser's compare.
trait Norm {
    fn norm(&self) -> String;
}

impl Norm for u32 {
    fn norm(&self) -> String {
        self.to_string()
    }
}

impl Norm for u8 {
    fn norm(&self) -> String {
        self.to_string()
    }
}

impl Norm for i32 {
    fn norm(&self) -> String {
        self.to_string()
    }
}

impl Norm for i64 {
    fn norm(&self) -> String {
        self.to_string()
    }
}

impl Norm for wasmparser::Ieee32 {
    fn norm(&self) -> String {
        format!("f32:{:#x}", self.bits())
    }
}

impl Norm for wasmparser::Ieee64 {
    fn norm(&self) -> String {
        format!("f64:{:#x}", self.bits())
    }
}

impl Norm for wasmparser::V128 {
    fn norm(&self) -> String {
        format!("v128:{:?}", self.bytes())
    }
}

impl Norm for [u8; 16] {
    fn norm(&self) -> String {
        format!("lanes:{self:?}")
    }
}

impl Norm for wasmparser::MemArg {
    fn norm(&self) -> String {
        let memory = match self.target {
            wasmparser::MemArgTarget::Memory(m) => m.to_string(),
            other => format!("{other:?}"),
        };
        memarg_norm(u32::from(self.align), self.max_align, self.offset, &memory)
    }
}

fn memarg_norm(align: u32, max_align: u8, offset: u64, memory: &str) -> String {
    format!("memarg(align={align}, max_align={max_align}, offset={offset}, memory={memory})")
}

impl Norm for wasmparser::BlockType {
    fn norm(&self) -> String {
        match self {
            wasmparser::BlockType::Empty => "empty".into(),
            wasmparser::BlockType::Type(t) => format!("value:{}", t.norm()),
            wasmparser::BlockType::FuncType(i) => format!("type:{i}"),
        }
    }
}

impl Norm for wasmparser::BrTable<'_> {
    fn norm(&self) -> String {
        match self.targets().collect::<Result<Vec<u32>, _>>() {
            Ok(targets) => format!("br_table({targets:?}, default={})", self.default()),
            Err(e) => format!("br_table(error: {e})"),
        }
    }
}

impl Norm for HeapType {
    fn norm(&self) -> String {
        match self {
            HeapType::Abstract { shared: false, ty: AbstractHeapType::Func } => "func".into(),
            HeapType::Abstract { shared: false, ty: AbstractHeapType::Extern } => "extern".into(),
            other => format!("{other:?}"),
        }
    }
}

impl Norm for wasmparser::ValType {
    fn norm(&self) -> String {
        use wasmparser::ValType as V;
        match *self {
            V::I32 => "i32".into(),
            V::I64 => "i64".into(),
            V::F32 => "f32".into(),
            V::F64 => "f64".into(),
            V::V128 => "v128".into(),
            V::Ref(r) if r == wasmparser::RefType::FUNCREF => "funcref".into(),
            V::Ref(r) if r == wasmparser::RefType::EXTERNREF => "externref".into(),
            other => format!("{other:?}"),
        }
    }
}

impl Norm for Vec<wasmparser::ValType> {
    fn norm(&self) -> String {
        let types: Vec<String> = self.iter().map(Norm::norm).collect();
        format!("types[{}]", types.join(" "))
    }
}

/// Immediates of proposals beyond Wasm 2.0: only their shape matters (never compared).
macro_rules! norm_by_debug {
    ($($t:ty),*) => {
        $(impl Norm for $t {
            fn norm(&self) -> String {
                format!("{self:?}")
            }
        })*
    };
}
norm_by_debug!(wasmparser::RefType, wasmparser::Ordering, wasmparser::TryTable, wasmparser::ResumeTable);

struct Probe;

macro_rules! define_probe {
    ($(@$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $(
            fn $visit(&mut self $($(, $arg: $argty)*)?) -> Seen {
                Seen {
                    proposal: stringify!($proposal),
                    visit: stringify!($visit),
                    imms: vec![$($($arg.norm()),*)?],
                }
            }
        )*
    };
}

impl<'a> VisitOperator<'a> for Probe {
    type Output = Seen;

    fn simd_visitor(&mut self) -> Option<&mut dyn VisitSimdOperator<'a, Output = Self::Output>> {
        Some(self)
    }

    wasmparser::for_each_visit_operator!(define_probe);
}

impl VisitSimdOperator<'_> for Probe {
    wasmparser::for_each_visit_simd_operator!(define_probe);
}

impl FrameStack for Probe {
    // Inside an `if`, so that `else` decodes too.
    fn current_frame(&self) -> Option<FrameKind> {
        Some(FrameKind::If)
    }
}

/// Decodes one operator at the start of `bytes` with wasmparser (every feature on, so
/// that it names every operator it knows); returns it and how many bytes it used.
fn wasmparser_decode(bytes: &[u8]) -> Result<(Seen, usize), String> {
    let mut reader = BinaryReader::new_features(bytes, 0, WasmFeatures::all());
    let seen = reader.visit_operator(&mut Probe).map_err(|e| e.to_string())?;
    Ok((seen, reader.original_position() as usize))
}

/// Every operator wasmparser knows: (proposal, visitor method name).
fn wasmparser_operators() -> Vec<(&'static str, &'static str)> {
    macro_rules! list {
        ($(@$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
            vec![$((stringify!($proposal), stringify!($visit)),)*]
        };
    }
    wasmparser::for_each_operator!(list)
}

/// Whether wasmparser's `proposal` is one whose operators make up our table: Wasm 2.0,
/// or a later proposal Stratus implements.
fn is_ours(proposal: &str) -> bool {
    WASM2_PROPOSALS.contains(&proposal)
        || Proposal::ALL
            .into_iter()
            .any(|p| p.is_implemented() && wasmparser_proposals(p).contains(&proposal))
}

// ---------------------------------------------------------------------------------------
// Our side.

/// Names compared without case, `.`, `_` or wasmparser's `visit_` prefix.
fn normalize(name: &str) -> String {
    name.strip_prefix("visit_").unwrap_or(name).chars().filter(|c| *c != '.' && *c != '_').collect()
}

/// wasmparser's visitor name for `op`, normalized.
fn expected_wasmparser_name(op: Opcode) -> String {
    match RENAMED.iter().find(|(renamed, _)| *renamed == op) {
        Some((_, name)) => normalize(name),
        None => normalize(op.text()),
    }
}

fn uleb(value: u64, out: &mut Vec<u8>) {
    leb128::write::unsigned(out, value).expect("writing to a Vec cannot fail");
}

fn sleb(value: i64, out: &mut Vec<u8>) {
    leb128::write::signed(out, value).expect("writing to a Vec cannot fail");
}

/// The opcode bytes: one byte, or the prefix and the LEB128 sub-opcode (padded to
/// `sub_len` bytes when given, an over-long but valid encoding).
fn encode_opcode(encoding: u32, sub_len: Option<usize>) -> Vec<u8> {
    if encoding <= 0xFF {
        return vec![encoding as u8];
    }
    let mut out = vec![(encoding >> 16) as u8];
    let sub = encoding & 0xFFFF;
    match sub_len {
        None => uleb(u64::from(sub), &mut out),
        Some(len) => {
            let mut value = sub;
            for i in 0..len {
                let more = if i + 1 < len { 0x80 } else { 0 };
                out.push((value & 0x7F) as u8 | more);
                value >>= 7;
            }
        }
    }
    out
}

const BIG: u32 = 300; // two LEB128 bytes: catches an immediate read as a single byte.
const OFFSET: u32 = 100_000;
const I32_SAMPLE: i32 = -123_456;
const I64_SAMPLE: i64 = -1_234_567_890_123;
const F32_SAMPLE: u32 = 0x4049_0FDB;
const F64_SAMPLE: u64 = 0x4009_21FB_5444_2D18;
const V128_SAMPLE: [u8; 16] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
const SHUFFLE_SAMPLE: [u8; 16] = [0, 17, 2, 19, 4, 21, 6, 23, 8, 25, 10, 27, 12, 29, 14, 31];

/// Sample immediates of the given shape: their encoding, and their normal form.
fn sample_immediates(kind: ImmKind) -> (Vec<u8>, Vec<String>) {
    let mut bytes = Vec::new();
    let imms: Vec<String> = match kind {
        ImmKind::None => vec![],
        ImmKind::Block => {
            sleb(5, &mut bytes);
            vec!["type:5".into()]
        }
        ImmKind::Label
        | ImmKind::Func
        | ImmKind::Local
        | ImmKind::Global
        | ImmKind::Table
        | ImmKind::Elem
        | ImmKind::Data => {
            uleb(BIG.into(), &mut bytes);
            vec![BIG.to_string()]
        }
        ImmKind::BrTable => {
            for v in [2, 1, BIG, 7] {
                uleb(v.into(), &mut bytes);
            }
            vec![format!("br_table([1, {BIG}], default=7)")]
        }
        ImmKind::CallIndirect => {
            uleb(BIG.into(), &mut bytes);
            uleb(2, &mut bytes);
            vec![BIG.to_string(), "2".into()]
        }
        ImmKind::RefType => {
            bytes.push(0x6F);
            vec!["extern".into()]
        }
        ImmKind::SelectTypes => {
            bytes.extend([1, 0x7B]);
            vec!["v128".into()]
        }
        ImmKind::TableInit => {
            uleb(BIG.into(), &mut bytes);
            uleb(2, &mut bytes);
            vec![BIG.to_string(), "2".into()]
        }
        ImmKind::TableCopy => {
            uleb(2, &mut bytes);
            uleb(3, &mut bytes);
            vec!["2".into(), "3".into()]
        }
        ImmKind::Memory => {
            bytes.push(0);
            vec!["0".into()]
        }
        ImmKind::MemoryInit => {
            uleb(BIG.into(), &mut bytes);
            bytes.push(0);
            vec![BIG.to_string(), "0".into()]
        }
        ImmKind::MemoryCopy => {
            bytes.extend([0, 0]);
            vec!["0".into(), "0".into()]
        }
        ImmKind::MemArg { max_align } => {
            uleb(max_align.into(), &mut bytes);
            uleb(OFFSET.into(), &mut bytes);
            vec![memarg_norm(max_align.into(), max_align, OFFSET.into(), "0")]
        }
        ImmKind::MemArgLane { max_align, lanes } => {
            uleb(max_align.into(), &mut bytes);
            uleb(OFFSET.into(), &mut bytes);
            bytes.push(lanes - 1);
            vec![memarg_norm(max_align.into(), max_align, OFFSET.into(), "0"), (lanes - 1).to_string()]
        }
        ImmKind::Lane { lanes } => {
            bytes.push(lanes - 1);
            vec![(lanes - 1).to_string()]
        }
        ImmKind::I32 => {
            sleb(I32_SAMPLE.into(), &mut bytes);
            vec![I32_SAMPLE.to_string()]
        }
        ImmKind::I64 => {
            sleb(I64_SAMPLE, &mut bytes);
            vec![I64_SAMPLE.to_string()]
        }
        ImmKind::F32 => {
            bytes.extend(F32_SAMPLE.to_le_bytes());
            vec![format!("f32:{F32_SAMPLE:#x}")]
        }
        ImmKind::F64 => {
            bytes.extend(F64_SAMPLE.to_le_bytes());
            vec![format!("f64:{F64_SAMPLE:#x}")]
        }
        ImmKind::V128 => {
            bytes.extend(V128_SAMPLE);
            vec![format!("v128:{V128_SAMPLE:?}")]
        }
        ImmKind::Shuffle => {
            bytes.extend(SHUFFLE_SAMPLE);
            vec![format!("lanes:{SHUFFLE_SAMPLE:?}")]
        }
    };
    (bytes, imms)
}

fn ref_type_norm(r: RefType) -> String {
    match r {
        RefType::FuncRef => "func".into(),
        RefType::ExternRef => "extern".into(),
    }
}

/// Our decoded immediates in the normal form. The natural alignment of memory accesses
/// comes from the table row (wasmparser's `max_align` comes from its own decoder).
fn our_imm_norm(kind: ImmKind, imm: &Imm<'_>) -> Vec<String> {
    let max_align = match kind {
        ImmKind::MemArg { max_align } | ImmKind::MemArgLane { max_align, .. } => max_align,
        _ => 0,
    };
    match imm {
        Imm::None => vec![],
        Imm::Block(BlockType::Empty) => vec!["empty".into()],
        Imm::Block(BlockType::Value(t)) => vec![format!("value:{}", t.name())],
        Imm::Block(BlockType::Func(i)) => vec![format!("type:{i}")],
        Imm::BrTable(table) => {
            let targets: Vec<u32> = table.targets().collect();
            assert_eq!(targets.len() as u32, table.len(), "br_table target count");
            vec![format!("br_table({targets:?}, default={})", table.default)]
        }
        Imm::Label(i)
        | Imm::Func(i)
        | Imm::Local(i)
        | Imm::Global(i)
        | Imm::Table(i)
        | Imm::Elem(i)
        | Imm::Data(i) => vec![i.to_string()],
        Imm::CallIndirect { type_index, table } => vec![type_index.to_string(), table.to_string()],
        Imm::RefType(r) => vec![ref_type_norm(*r)],
        Imm::SelectType(t) => vec![t.name().to_string()],
        Imm::TableInit { elem, table } => vec![elem.to_string(), table.to_string()],
        Imm::TableCopy { dst, src } => vec![dst.to_string(), src.to_string()],
        Imm::Memory(memory) => vec![memory.to_string()],
        Imm::MemoryInit { data, memory } => vec![data.to_string(), memory.to_string()],
        Imm::MemoryCopy { dst, src } => vec![dst.to_string(), src.to_string()],
        Imm::MemArg(m) => vec![memarg_norm(m.align, max_align, m.offset, &m.memory.to_string())],
        Imm::MemArgLane(m, lane) => {
            vec![memarg_norm(m.align, max_align, m.offset, &m.memory.to_string()), lane.to_string()]
        }
        Imm::Lane(lane) => vec![lane.to_string()],
        Imm::I32(v) => vec![v.to_string()],
        Imm::I64(v) => vec![v.to_string()],
        Imm::F32(bits) => vec![format!("f32:{bits:#x}")],
        Imm::F64(bits) => vec![format!("f64:{bits:#x}")],
        Imm::V128(bytes) => vec![format!("v128:{bytes:?}")],
        Imm::Shuffle(lanes) => vec![format!("lanes:{lanes:?}")],
    }
}

/// Decodes one instruction at the start of `bytes` with our decoder.
fn our_decode(bytes: &[u8]) -> Result<(Opcode, Vec<String>, usize), String> {
    let mut reader = Reader::new(bytes);
    let (op, imm) = reader.read_instr().map_err(|e| e.to_string())?;
    Ok((op, our_imm_norm(op.imm_kind(), &imm), reader.position()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")
}

/// One failure line per problem, so a broken table shows every bad row at once.
fn report(problems: &[String]) {
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
}

// ---------------------------------------------------------------------------------------
// Tests.

#[test]
fn table_is_not_trivially_small() {
    // Wasm 2.0 has 437 instructions with an encoding of their own: 183 single-byte ones
    // (MVP 172 including `else` and `end`, sign extension 5, reference types 6 including
    // the typed `select`), 18 after 0xFC (saturating conversions, bulk memory, tables)
    // and 236 SIMD ones after 0xFD; tail calls add 2, relaxed SIMD 20. The oracle tests pin the
    // exact set; this only guards against an empty table making them vacuous.
    assert_eq!(Opcode::ALL.len(), 459, "rows in the table");
}

#[test]
fn encodings_are_unique_and_round_trip() {
    let mut problems = Vec::new();
    let mut by_encoding: HashMap<u32, Opcode> = HashMap::new();
    for &op in Opcode::ALL {
        if let Some(other) = by_encoding.insert(op.encoding(), op) {
            problems.push(format!("{op:?} and {other:?} share encoding {:#x}", op.encoding()));
        }
        if Opcode::from_encoding(op.encoding()) != Some(op) {
            problems.push(format!("from_encoding({:#x}) is not {op:?}", op.encoding()));
        }
        let enc = op.encoding();
        let prefix = enc >> 16;
        let plausible = enc <= 0xFF && enc != 0xFC && enc != 0xFD
            || (prefix == 0xFC || prefix == 0xFD) && enc & 0xFFFF <= 0x1FF;
        if !plausible {
            problems.push(format!("{op:?} has an encoding of no known shape: {enc:#x}"));
        }
    }
    // Text names are unique except the two forms of `select`.
    let mut by_text: BTreeMap<&str, Vec<Opcode>> = BTreeMap::new();
    for &op in Opcode::ALL {
        by_text.entry(op.text()).or_default().push(op);
    }
    for (text, ops) in by_text {
        let expected_dup = text == "select" && ops == [Opcode::Select, Opcode::TypedSelect];
        if ops.len() > 1 && !expected_dup {
            problems.push(format!("text name {text:?} used by {ops:?}"));
        }
    }
    report(&problems);
}

/// Every row, encoded with sample immediates, decodes as the same instruction with the
/// same immediates in wasmparser and in our decoder, using exactly the encoded bytes.
#[test]
fn every_row_matches_wasmparser() {
    let mut problems = Vec::new();
    for &op in Opcode::ALL {
        let (imm_bytes, expected_imms) = sample_immediates(op.imm_kind());
        // The shortest encoding of the sub-opcode, and a padded five-byte one.
        let paddings: &[Option<usize>] = if op.encoding() > 0xFF { &[None, Some(5)] } else { &[None] };
        for &padding in paddings {
            let mut bytes = encode_opcode(op.encoding(), padding);
            bytes.extend(&imm_bytes);
            // Trailing bytes must be left alone by both decoders.
            let mut input = bytes.clone();
            input.extend([0x0B, 0x0B, 0x0B]);
            let at = format!("{op:?} ({}) as [{}]", op.text(), hex(&bytes));

            match wasmparser_decode(&input) {
                Err(e) => problems.push(format!("{at}: wasmparser fails: {e}")),
                Ok((seen, used)) => {
                    if normalize(seen.visit) != expected_wasmparser_name(op) {
                        problems.push(format!("{at}: wasmparser decodes it as {}", seen.visit));
                    }
                    if !is_ours(seen.proposal) {
                        problems.push(format!("{at}: wasmparser files it under @{}", seen.proposal));
                    }
                    if used != bytes.len() {
                        problems.push(format!(
                            "{at}: wasmparser reads {used} bytes, the row's immediates make {}",
                            bytes.len()
                        ));
                    }
                    if seen.imms != expected_imms {
                        problems.push(format!(
                            "{at}: wasmparser reads immediates {:?}, expected {expected_imms:?}",
                            seen.imms
                        ));
                    }
                }
            }

            match our_decode(&input) {
                Err(e) => problems.push(format!("{at}: our decoder fails: {e}")),
                Ok((decoded, imms, used)) => {
                    if decoded != op {
                        problems.push(format!("{at}: our decoder reads {decoded:?}"));
                    }
                    if used != bytes.len() {
                        problems.push(format!("{at}: our decoder reads {used} bytes, not {}", bytes.len()));
                    }
                    if imms != expected_imms {
                        problems
                            .push(format!("{at}: our decoder reads {imms:?}, expected {expected_imms:?}"));
                    }
                }
            }
        }
    }
    report(&problems);
}

/// The set of operators of Wasm 2.0 and of the later proposals Stratus implements is
/// exactly wasmparser's.
#[test]
fn every_operator_of_our_proposals_in_wasmparser_is_a_row() {
    let theirs: BTreeSet<String> = wasmparser_operators()
        .into_iter()
        .filter(|(proposal, visit)| is_ours(proposal) && !NOT_INSTRUCTIONS.contains(visit))
        .map(|(_, visit)| normalize(visit))
        .collect();
    let ours: BTreeSet<String> = Opcode::ALL.iter().map(|&op| expected_wasmparser_name(op)).collect();
    assert!(theirs.len() > 400, "wasmparser lists only {} Wasm 2.0 operators?", theirs.len());
    let missing: Vec<_> = theirs.difference(&ours).collect();
    let extra: Vec<_> = ours.difference(&theirs).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "operators of wasmparser missing from our table: {missing:?}\n\
         rows wasmparser does not know under our proposals: {extra:?}"
    );
    assert_eq!(ours.len(), Opcode::ALL.len(), "normalized names must be unique");
}

/// Every single-byte opcode and every `0xFC`/`0xFD` sub-opcode below `0x200`: where
/// wasmparser decodes a Wasm 2.0 operator, we have that row under that encoding; where
/// we have no row, our decoder rejects the opcode.
#[test]
fn opcode_space_agrees_with_wasmparser() {
    // Immediates that let most operators decode: zeros (LEB128 0, alignment 0, lane 0,
    // block type 0), then `funcref` for `ref.null`, then the empty block type.
    let fillers: [Vec<u8>; 3] =
        [vec![0; 40], [vec![0x70], vec![0; 39]].concat(), [vec![0x40], vec![0; 39]].concat()];
    let mut candidates: Vec<u32> = (0..=0xFFu32).filter(|b| *b != 0xFC && *b != 0xFD).collect();
    for prefix in [0xFCu32, 0xFD] {
        candidates.extend((0..=0x1FF).map(|sub| prefix << 16 | sub));
    }
    let mut problems = Vec::new();
    let mut wasm2_seen = 0;
    for encoding in candidates {
        let opcode = encode_opcode(encoding, None);
        let ours = Opcode::from_encoding(encoding);

        // Our decoder's opcode reader agrees with the table.
        let mut reader = Reader::new(&opcode);
        match (reader.read_opcode(), ours) {
            (Ok(read), Some(op)) if read == op => {}
            (Err(_), None) => {}
            (read, _) => problems.push(format!(
                "{encoding:#x} [{}]: read_opcode gives {read:?}, the table has {ours:?}",
                hex(&opcode)
            )),
        }

        // A row is probed with its own sample immediates, anything else with the fillers.
        let decoded = match ours {
            Some(op) => wasmparser_decode(&[&opcode[..], &sample_immediates(op.imm_kind()).0].concat()).ok(),
            None => fillers.iter().find_map(|filler| wasmparser_decode(&[&opcode[..], filler].concat()).ok()),
        };
        match (decoded, ours) {
            (Some((seen, _)), Some(op)) => {
                wasm2_seen += 1;
                if normalize(seen.visit) != expected_wasmparser_name(op) || !is_ours(seen.proposal) {
                    problems.push(format!(
                        "{encoding:#x}: wasmparser decodes @{} {}, our table has {op:?}",
                        seen.proposal, seen.visit
                    ));
                }
            }
            (Some((seen, _)), None) => {
                if is_ours(seen.proposal) && !NOT_INSTRUCTIONS.contains(&seen.visit) {
                    problems.push(format!(
                        "{encoding:#x}: wasmparser decodes Wasm 2.0 operator @{} {}, our table has no row",
                        seen.proposal, seen.visit
                    ));
                }
            }
            (None, Some(op)) => {
                problems.push(format!("{encoding:#x}: wasmparser decodes nothing, our table has {op:?}"))
            }
            (None, None) => {}
        }
    }
    report(&problems);
    assert_eq!(wasm2_seen, Opcode::ALL.len(), "every row is reached by the scan");
}

/// Prefixed opcodes whose sub-opcode does not fit in 32 bits are malformed for both.
#[test]
fn oversized_subopcodes_are_rejected() {
    for prefix in [0xFCu8, 0xFD] {
        for sub in [vec![0x80, 0x80, 0x80, 0x80, 0x80, 0x00], vec![0xFF, 0xFF, 0xFF, 0xFF, 0x7F]] {
            let bytes = [&[prefix][..], &sub, &[0; 8]].concat();
            assert!(Reader::new(&bytes).read_opcode().is_err(), "we accept [{}]", hex(&bytes));
            assert!(wasmparser_decode(&bytes).is_err(), "wasmparser accepts [{}]", hex(&bytes));
        }
    }
}

/// The wasmparser proposals whose operators our decoder refuses by proposal name.
fn wasmparser_proposals(proposal: Proposal) -> &'static [&'static str] {
    match proposal {
        Proposal::TailCalls => &["tail_call"],
        Proposal::ExceptionHandling => &["exceptions", "legacy_exceptions"],
        // Later proposals extend the atomics under the same prefix.
        Proposal::Threads => &["threads", "shared_everything_threads", "acquire_release_atomics"],
        // Custom descriptors extend GC under its prefix.
        Proposal::Gc => &["gc", "custom_descriptors"],
        Proposal::FunctionReferences => &["function_references"],
        Proposal::RelaxedSimd => &["relaxed_simd"],
        Proposal::Components | Proposal::ExtendedConst | Proposal::Memory64 | Proposal::MultiMemory => &[],
    }
}

const NAMED_PROPOSALS: [Proposal; 6] = [
    Proposal::TailCalls,
    Proposal::ExceptionHandling,
    Proposal::Threads,
    Proposal::Gc,
    Proposal::FunctionReferences,
    Proposal::RelaxedSimd,
];

/// Every opcode we refuse that wasmparser files under a proposal we recognise is refused
/// with that proposal's name, and every proposal we name is the one wasmparser gives.
#[test]
fn refused_opcodes_name_the_proposal_wasmparser_files_them_under() {
    let fillers: [Vec<u8>; 3] =
        [vec![0; 40], [vec![0x70], vec![0; 39]].concat(), [vec![0x40], vec![0; 39]].concat()];
    let mut candidates: Vec<u32> = (0..=0xFFu32).filter(|b| ![0xFB, 0xFC, 0xFD, 0xFE].contains(b)).collect();
    for prefix in [0xFBu32, 0xFC, 0xFD, 0xFE] {
        candidates.extend((0..=0x1FF).map(|sub| prefix << 16 | sub));
    }
    // Legacy exception handling's `catch`, `delegate` and `catch_all`, which wasmparser
    // decodes only inside a `try`.
    let only_inside_try = [0x07, 0x18, 0x19];
    let mut problems = Vec::new();
    let mut named = 0;
    for encoding in candidates {
        let opcode = encode_opcode(encoding, None);
        let Err(error) = Reader::new(&opcode).with_features(Features::WASM2).read_opcode() else { continue };
        let ours = error.kind.proposal();
        let theirs =
            fillers.iter().find_map(|filler| wasmparser_decode(&[&opcode[..], filler].concat()).ok());
        let theirs = theirs.map(|(seen, _)| seen.proposal);
        let recognised = |proposal: &str| {
            NAMED_PROPOSALS.into_iter().find(|p| wasmparser_proposals(*p).contains(&proposal))
        };
        match (ours, theirs) {
            (Some(ours), Some(theirs)) if wasmparser_proposals(ours).contains(&theirs) => named += 1,
            (None, None) => {}
            (None, Some(theirs)) if recognised(theirs).is_none() => {}
            // A prefix is refused whole, whatever follows it.
            (Some(_), None) if matches!(encoding >> 16, 0xFB | 0xFE) => named += 1,
            (Some(Proposal::ExceptionHandling), None) if only_inside_try.contains(&encoding) => named += 1,
            (ours, theirs) => problems.push(format!(
                "{encoding:#x} [{}]: we say {ours:?} ({error}), wasmparser says {theirs:?}",
                hex(&opcode)
            )),
        }
    }
    report(&problems);
    assert!(named > 100, "only {named} refused opcodes were named");
}

/// Text and immediates in the text format for one row, inside a function body.
fn text_snippet(op: Opcode) -> String {
    let text = op.text();
    match op.imm_kind() {
        ImmKind::None => match op {
            Opcode::Else => "if else end".into(),
            Opcode::End => "block end".into(),
            _ => text.into(),
        },
        ImmKind::Block => format!("{text} end"),
        ImmKind::Label
        | ImmKind::Func
        | ImmKind::Local
        | ImmKind::Global
        | ImmKind::Table
        | ImmKind::Elem
        | ImmKind::Data
        | ImmKind::MemoryInit => format!("{text} 0"),
        ImmKind::BrTable => format!("{text} 0 0"),
        ImmKind::CallIndirect => format!("{text} (type 0)"),
        ImmKind::RefType => format!("{text} extern"),
        ImmKind::SelectTypes => format!("{text} (result i32)"),
        ImmKind::TableInit | ImmKind::TableCopy => format!("{text} 0 0"),
        ImmKind::Memory | ImmKind::MemoryCopy => text.into(),
        ImmKind::MemArg { .. } => format!("{text} offset=16"),
        ImmKind::MemArgLane { lanes, .. } | ImmKind::Lane { lanes } => format!("{text} {}", lanes - 1),
        ImmKind::I32 | ImmKind::I64 => format!("{text} -7"),
        ImmKind::F32 | ImmKind::F64 => format!("{text} 1.5"),
        ImmKind::V128 => format!("{text} i32x4 1 2 3 4"),
        ImmKind::Shuffle => format!("{text} 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15"),
    }
}

/// The code bytes (after the locals) of the first function body in `module`.
fn first_body_code(module: &[u8]) -> Vec<u8> {
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        if let wasmparser::Payload::CodeSectionEntry(body) = payload.expect("wast output parses") {
            let ops = body.get_operators_reader().expect("locals parse");
            let start = ops.original_position() as usize;
            return module[start..body.range().end as usize].to_vec();
        }
    }
    panic!("no code section");
}

/// The text name of every row, encoded by `wast`, decodes to that row with our decoder,
/// and our decoder and wasmparser read the whole body alike.
#[test]
fn text_names_encode_to_our_rows() {
    let mut problems = Vec::new();
    for &op in Opcode::ALL {
        let snippet = text_snippet(op);
        let wat = format!(
            "(module (type (func)) (table 1 funcref) (memory 1) (global (mut i32) (i32.const 0)) \
             (func (local i32) {snippet}) (elem func 0) (data \"\"))"
        );
        let module = match wast::parser::ParseBuffer::new(&wat)
            .and_then(|buf| wast::parser::parse::<wast::Wat>(&buf).and_then(|mut w| w.encode()))
        {
            Ok(module) => module,
            Err(e) => {
                problems.push(format!("{op:?}: wast rejects `{snippet}`: {e}"));
                continue;
            }
        };
        let code = first_body_code(&module);
        let mut ours = Vec::new();
        let mut reader = Reader::new(&code);
        while !reader.eof() {
            match reader.read_instr() {
                Ok((decoded, imm)) => ours.push((decoded, our_imm_norm(decoded.imm_kind(), &imm))),
                Err(e) => {
                    problems.push(format!("{op:?}: we fail on `{snippet}` = [{}]: {e}", hex(&code)));
                    break;
                }
            }
        }
        if !ours.iter().any(|(decoded, _)| *decoded == op) {
            problems.push(format!("{op:?}: `{snippet}` = [{}] decodes to {ours:?}", hex(&code)));
        }
        // The same body through wasmparser, operator by operator.
        let mut reader = BinaryReader::new_features(&code, 0, WasmFeatures::all());
        let mut theirs = Vec::new();
        while !reader.eof() {
            match reader.visit_operator(&mut Probe) {
                Ok(seen) => theirs.push(seen),
                Err(e) => {
                    problems.push(format!("{op:?}: wasmparser fails on [{}]: {e}", hex(&code)));
                    break;
                }
            }
        }
        let ours_named: Vec<(String, Vec<String>)> =
            ours.iter().map(|(o, imms)| (expected_wasmparser_name(*o), imms.clone())).collect();
        let theirs_named: Vec<(String, Vec<String>)> =
            theirs.iter().map(|s| (normalize(s.visit), s.imms.clone())).collect();
        if ours_named != theirs_named {
            problems.push(format!(
                "{op:?}: `{snippet}` = [{}]\n  ours:       {ours_named:?}\n  wasmparser: {theirs_named:?}",
                hex(&code)
            ));
        }
    }
    report(&problems);
}
