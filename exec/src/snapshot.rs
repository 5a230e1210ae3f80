//! Snapshots of a paused call: its instance's state and its frames, in WebAssembly
//! terms ([`stratus_snapshot::Snapshot`]), and a paused call rebuilt from one in
//! another store, on any tier of any machine.
//!
//! A paused call stops at a safepoint, where every tier has every live value in its
//! value-stack slot and every frame is a record of bytecode positions, so the call is
//! already machine-neutral but for three things this module translates: function
//! addresses (store-wide) become function indices of the instance, side-table positions
//! are dropped (and recomputed from the pcs on the way back), and reference slots,
//! found from the validator's types at each frame's pc, hold function indices.

use std::collections::HashMap;

use stratus_decoder::{Opcode, ValType};
use stratus_runtime::{
    ExternAddr, Frame, FuncAddr, FuncKind, InstanceAddr, Position, Store, Val, ref_from_slot,
};
use stratus_snapshot::{CallState, FrameState, Limits, MemoryImage, Snapshot, StoreState, TableImage};
use stratus_validator::{FrameShape, ModuleContext, RefFacts, frame_shape};

use crate::activation::{PauseReason, PausedCall};

/// Why a snapshot could not be taken or restored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotError(pub String);

impl std::fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SnapshotError {}

type Result<T> = std::result::Result<T, SnapshotError>;

fn error<T>(message: impl Into<String>) -> Result<T> {
    Err(SnapshotError(message.into()))
}

/// How an embedder's `externref`s cross a snapshot: tokens of its own for the host
/// values they name, and back. Without one, only null `externref`s can be captured.
pub trait ExternRefs {
    /// The token for `extern`, or `None` if it cannot be captured.
    fn capture(&mut self, extern_ref: ExternAddr) -> Option<u64>;
    /// The value a token stands for in the store being restored into.
    fn restore(&mut self, token: u64) -> Option<ExternAddr>;
}

/// Captures no non-null `externref`.
pub struct NoExternRefs;

impl ExternRefs for NoExternRefs {
    fn capture(&mut self, _: ExternAddr) -> Option<u64> {
        None
    }

    fn restore(&mut self, _: u64) -> Option<ExternAddr> {
        None
    }
}

/// What a value-stack slot holds, as far as moving it between stores goes.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum SlotKind {
    /// An `i32` or `f32`: the low 32 bits count.
    Bits32,
    /// An `i64`, `f64`, or half a `v128`.
    Bits64,
    FuncRef,
    ExternRef,
}

/// The kinds of the slots a value of type `ty` takes.
fn kinds_of(ty: ValType) -> &'static [SlotKind] {
    match ty {
        ValType::I32 | ValType::F32 => &[SlotKind::Bits32],
        ValType::I64 | ValType::F64 => &[SlotKind::Bits64],
        ValType::V128 => &[SlotKind::Bits64; 2],
        ValType::FuncRef => &[SlotKind::FuncRef],
        ValType::ExternRef => &[SlotKind::ExternRef],
    }
}

/// An instance's functions both ways: store addresses by index, and the index of each
/// address (the first, if the instance names one function twice).
struct FuncIndices {
    addrs: Vec<FuncAddr>,
    indices: HashMap<FuncAddr, u32>,
}

impl FuncIndices {
    fn new(addrs: &[FuncAddr]) -> FuncIndices {
        let mut indices = HashMap::with_capacity(addrs.len());
        for (index, &addr) in addrs.iter().enumerate().rev() {
            indices.insert(addr, index as u32);
        }
        FuncIndices { addrs: addrs.to_vec(), indices }
    }

    /// A slot of `kind` as the snapshot has it.
    fn capture(&self, kind: SlotKind, slot: u64, externs: &mut dyn ExternRefs) -> Result<u64> {
        Ok(match kind {
            SlotKind::Bits32 => slot & 0xffff_ffff,
            SlotKind::Bits64 => slot,
            SlotKind::FuncRef => match ref_from_slot(slot) {
                None => 0,
                Some(addr) => match self.indices.get(&FuncAddr(addr)) {
                    Some(&index) => u64::from(index) + 1,
                    None => {
                        return error(
                            "a funcref names a function outside the instance, which a snapshot cannot hold",
                        );
                    }
                },
            },
            SlotKind::ExternRef => match ref_from_slot(slot) {
                None => 0,
                Some(addr) => match externs.capture(ExternAddr(addr)) {
                    Some(token) => token
                        .checked_add(1)
                        .ok_or_else(|| SnapshotError("an externref token of u64::MAX".into()))?,
                    None => {
                        return error(
                            "a non-null externref is live, and the embedder maps no externref into a snapshot",
                        );
                    }
                },
            },
        })
    }

    /// A slot of `kind` from the snapshot, as this store has it.
    fn restore(&self, kind: SlotKind, slot: u64, externs: &mut dyn ExternRefs) -> Result<u64> {
        Ok(match kind {
            SlotKind::Bits32 => slot & 0xffff_ffff,
            SlotKind::Bits64 => slot,
            SlotKind::FuncRef => match slot.checked_sub(1) {
                None => 0,
                Some(index) => match usize::try_from(index).ok().and_then(|i| self.addrs.get(i)) {
                    Some(addr) => u64::from(addr.0) + 1,
                    None => {
                        return error(format!(
                            "a funcref names function {index}, which the module does not have"
                        ));
                    }
                },
            },
            SlotKind::ExternRef => match slot.checked_sub(1) {
                None => 0,
                Some(token) => match externs.restore(token) {
                    Some(addr) => u64::from(addr.0) + 1,
                    None => return error(format!("the embedder has no externref for token {token}")),
                },
            },
        })
    }
}

/// The frame shapes of one module's functions, found by validating each body up to a
/// pc, once per function and pc.
struct Shapes<'m> {
    module: &'m stratus_runtime::CompiledModule,
    decoded: stratus_decoder::Module<'m>,
    refs: RefFacts,
    found: HashMap<(u32, u32), (Vec<SlotKind>, FrameShape)>,
}

impl<'m> Shapes<'m> {
    fn new(module: &'m stratus_runtime::CompiledModule) -> Result<Shapes<'m>> {
        let decoded = stratus_decoder::Module::parse(&module.bytes)
            .map_err(|e| SnapshotError(format!("the module does not decode again: {e}")))?;
        let refs = RefFacts::new(&decoded);
        Ok(Shapes { module, decoded, refs, found: HashMap::new() })
    }

    /// The slot kinds of defined function `defined`'s locals, and its shape at `pc`.
    fn frame(&mut self, defined: u32, pc: u32) -> Result<(Vec<SlotKind>, FrameShape)> {
        if let Some(found) = self.found.get(&(defined, pc)) {
            return Ok(found.clone());
        }
        let index = self.module.imported_funcs + defined;
        let (info, _) =
            self.module.func_code(defined).map_err(|e| SnapshotError(format!("function {index}: {e}")))?;
        let locals = info.locals.iter().flat_map(|&ty| kinds_of(ty)).copied().collect();
        let ctx = ModuleContext::new(&self.decoded, &self.refs);
        let body = &self.decoded.bodies[defined as usize];
        let shape = frame_shape(&ctx, info.type_index, body, info.sized_values, pc as usize)
            .map_err(|e| SnapshotError(format!("function {index}: {e}")))?;
        let found = (locals, shape);
        self.found.insert((defined, pc), found.clone());
        Ok(found)
    }
}

/// One frame of the call, in terms of function indices: where it is and which slots
/// (from `base` up to `top`) it owns.
struct FrameSpan {
    func: u32,
    pc: u32,
    base: usize,
    top: usize,
}

/// The spans of `frames` (callers, then the running one), each up to where the next
/// begins and the last up to `top`.
fn spans(frames: &[FrameState], top: usize) -> Vec<FrameSpan> {
    let tops = frames.iter().skip(1).map(|next| next.base as usize).chain([top]);
    frames
        .iter()
        .zip(tops)
        .map(|(frame, top)| FrameSpan { func: frame.func, pc: frame.pc, base: frame.base as usize, top })
        .collect()
}

/// The kind of every slot of the call's frames, checking that the frames tile the
/// slots: each one's locals and operands (below the arguments of its callee, for a
/// caller) end where the next one's begin, and the running one's at the top. A caller
/// must be just after a call, and the running function at its entry or a loop header.
/// Also each frame's side-table position at its pc.
fn slot_kinds(shapes: &mut Shapes<'_>, entry: u32, spans: &[FrameSpan]) -> Result<(Vec<SlotKind>, Vec<u32>)> {
    let module = shapes.module;
    let defined =
        |func: u32| func.checked_sub(module.imported_funcs).filter(|&d| (d as usize) < module.code.len());
    if let Some((i, span)) = spans.iter().enumerate().find(|(_, span)| defined(span.func).is_none()) {
        return error(format!("frame {i} runs function {}, which the module does not define", span.func));
    }
    let (mut kinds, mut stps) = (Vec::new(), Vec::with_capacity(spans.len()));
    let mut expected_base = 0;
    for (i, span) in spans.iter().enumerate() {
        let running = i + 1 == spans.len();
        let defined = defined(span.func).expect("checked above");
        if span.base != expected_base {
            return error(format!("frame {i} starts at slot {}, not at slot {expected_base}", span.base));
        }
        if i == 0
            && span.func != entry
            && module.func_type(span.func).results() != module.func_type(entry).results()
        {
            return error("the outermost frame's results are not the entry function's");
        }
        let (mut frame, shape) = shapes.frame(defined, span.pc)?;
        let live = if running {
            if !(span.pc == 0 || shape.previous == Some(Opcode::Loop)) {
                return error(format!(
                    "the running function {} is not at a safepoint at pc {}",
                    span.func, span.pc
                ));
            }
            &shape.operands[..]
        } else {
            if !matches!(shape.previous, Some(Opcode::Call | Opcode::CallIndirect)) {
                return error(format!(
                    "frame {i} (function {}) is not after a call at pc {}",
                    span.func, span.pc
                ));
            }
            // The callee's results are on top of the operands after the call; below
            // them are this frame's own, whose slots end where the callee's begin.
            let results = module.func_type(spans[i + 1].func).results().len();
            let Some(own) = shape.operands.len().checked_sub(results) else {
                return error(format!("frame {i} has fewer operands than its callee's results"));
            };
            &shape.operands[..own]
        };
        for &ty in live {
            frame.extend_from_slice(kinds_of(ty));
        }
        if span.base + frame.len() != span.top {
            return error(format!(
                "frame {i} (function {} at pc {}) holds {} slots, but its place on the stack has {}",
                span.func,
                span.pc,
                frame.len(),
                span.top.saturating_sub(span.base)
            ));
        }
        kinds.extend(frame);
        stps.push(shape.stp);
        expected_base = span.top;
    }
    Ok((kinds, stps))
}

/// The instance whose function `func` is, if WebAssembly defines it.
fn instance_of<T>(store: &Store<T>, func: u32) -> Option<InstanceAddr> {
    match store.funcs.get(func as usize)?.kind {
        FuncKind::Wasm { instance, .. } => Some(instance),
        FuncKind::Host(_) => None,
    }
}

/// A snapshot of `paused`, a call paused in `store`, and of its instance; the module's
/// identity is left for the caller to fill in.
pub fn capture<T>(store: &Store<T>, paused: &PausedCall, externs: &mut dyn ExternRefs) -> Result<Snapshot> {
    if paused.store != store.id() {
        return error("the paused call belongs to another store");
    }
    let Some(instance) = instance_of(store, paused.func.0) else {
        return error("the paused call entered a host function");
    };
    let inst = store.instance(instance);
    let module = &*inst.module;
    let funcs = FuncIndices::new(&inst.funcs);
    let index_of = |addr: u32| -> Result<u32> {
        if instance_of(store, addr) != Some(instance) {
            return error("the paused call runs functions of more than one instance");
        }
        funcs
            .indices
            .get(&FuncAddr(addr))
            .copied()
            .ok_or_else(|| SnapshotError("a frame's function is not the instance's".into()))
    };

    let mut frames = Vec::with_capacity(paused.frames.len() + 1);
    for frame in &paused.frames {
        frames.push(FrameState { func: index_of(frame.func)?, pc: frame.pc, base: frame.base });
    }
    let regs = &paused.regs;
    frames.push(FrameState { func: index_of(regs.func)?, pc: regs.pc as u32, base: regs.fp as u32 });
    let spans = spans(&frames, regs.sp);
    let entry = index_of(paused.func.0)?;
    let mut shapes = Shapes::new(module)?;
    let (kinds, _) = slot_kinds(&mut shapes, entry, &spans)
        .map_err(|SnapshotError(e)| SnapshotError(format!("the paused call's frames do not check: {e}")))?;
    let slots = kinds
        .iter()
        .zip(&paused.slots)
        .map(|(&kind, &slot)| funcs.capture(kind, slot, externs))
        .collect::<Result<Vec<u64>>>()?;
    let running = frames.pop().expect("the running frame");
    let call = CallState { entry, slots, frames, running };

    let memories = inst
        .memories
        .iter()
        .map(|m| {
            let memory = &store.memories[m.0 as usize];
            let touched = memory.touched(stratus_snapshot::GRANULE);
            MemoryImage::of(memory.pages().into(), memory.data(), touched.as_deref())
        })
        .collect();
    let mut tables = Vec::with_capacity(inst.tables.len());
    for t in &inst.tables {
        let table = &store.tables[t.0 as usize];
        let kind = kinds_of(table.ty.elem.into())[0];
        let mut entries = Vec::new();
        for (index, &element) in table.elements.iter().enumerate() {
            if element != 0 {
                entries.push((index as u64, funcs.capture(kind, element, externs)?));
            }
        }
        tables.push(TableImage { size: table.elements.len() as u64, entries });
    }
    let mut globals = Vec::with_capacity(inst.globals.len());
    for g in &inst.globals {
        let global = &store.globals[g.0 as usize];
        let mut value = [0; 2];
        for (i, &kind) in kinds_of(global.ty.content).iter().enumerate() {
            value[i] = funcs.capture(kind, global.slots[i], externs)?;
        }
        globals.push(value);
    }
    let dropped = |empty: &mut dyn Iterator<Item = bool>| {
        empty.enumerate().filter(|&(_, empty)| empty).map(|(i, _)| i as u32).collect()
    };
    let limits = &store.limits;
    Ok(Snapshot {
        module: Default::default(),
        store: StoreState {
            fuel: store.fuel(),
            deterministic: store.deterministic,
            limits: Limits {
                memory_pages: limits.memory_pages.into(),
                table_elements: limits.table_elements.into(),
                total_memory_bytes: limits.total_memory_bytes as u64,
                total_table_elements: limits.total_table_elements as u64,
                instances: limits.instances as u64,
                call_depth: limits.call_depth as u64,
                stack_slots: limits.stack_slots as u64,
                host_reentry: limits.host_reentry as u64,
            },
        },
        memories,
        tables,
        globals,
        dropped_elems: dropped(&mut inst.elems.iter().map(|e| store.elems[e.0 as usize].items.is_empty())),
        dropped_datas: dropped(&mut inst.datas.iter().map(|d| store.datas[d.0 as usize].bytes.is_empty())),
        call,
        wasi: None,
    })
}

/// Sets `instance` (instantiated without segments, from the module the snapshot was
/// taken of) to the snapshot's state, and returns its paused call, which
/// [`resume`](crate::resume) continues in whatever tier the store runs. Everything the
/// snapshot says is checked against the module first: a snapshot of another module, or
/// a corrupt one, is an error, never a call in a state the module cannot reach. The
/// fuel and limits are the caller's to apply.
pub fn restore<T>(
    store: &mut Store<T>,
    instance: InstanceAddr,
    snapshot: &Snapshot,
    externs: &mut dyn ExternRefs,
) -> Result<PausedCall> {
    let inst = store.instance(instance);
    let module = inst.module.clone();
    let funcs = FuncIndices::new(&inst.funcs);
    let (memories, tables, globals) = (inst.memories.clone(), inst.tables.clone(), inst.globals.clone());
    let (elems, datas) = (inst.elems.clone(), inst.datas.clone());
    let counts = [
        ("memories", memories.len(), snapshot.memories.len()),
        ("tables", tables.len(), snapshot.tables.len()),
        ("globals", globals.len(), snapshot.globals.len()),
    ];
    for (what, module_has, snapshot_has) in counts {
        if module_has != snapshot_has {
            return error(format!("the module has {module_has} {what}, the snapshot {snapshot_has}"));
        }
    }

    // The call first: it is what checks most of the snapshot against the module.
    let call = &snapshot.call;
    let frames: Vec<FrameState> = call.frames.iter().chain([&call.running]).copied().collect();
    let spans = spans(&frames, call.slots.len());
    if call.entry as usize >= module.funcs.len() || call.entry < module.imported_funcs {
        return error(format!("the entry function {} is not one the module defines", call.entry));
    }
    let mut shapes = Shapes::new(&module)?;
    let (kinds, stps) = slot_kinds(&mut shapes, call.entry, &spans)?;
    let slots = kinds
        .iter()
        .zip(&call.slots)
        .map(|(&kind, &slot)| funcs.restore(kind, slot, externs))
        .collect::<Result<Vec<u64>>>()?;
    let mut frames: Vec<Frame> = spans
        .iter()
        .zip(stps)
        .map(|(span, stp)| Frame {
            func: funcs.addrs[span.func as usize].0,
            pc: span.pc,
            stp,
            base: span.base as u32,
        })
        .collect();
    let running = frames.pop().expect("the running frame");
    let regs = Position {
        func: running.func,
        pc: running.pc as usize,
        stp: running.stp as usize,
        fp: running.base as usize,
        sp: slots.len(),
    };
    let paused = PausedCall {
        func: funcs.addrs[call.entry as usize],
        store: store.id(),
        reason: PauseReason::Restored,
        regs,
        slots,
        frames,
    };

    for (index, (&addr, image)) in memories.iter().zip(&snapshot.memories).enumerate() {
        let memory = &mut store.memories[addr.0 as usize];
        let pages = u64::from(memory.pages());
        let Some(more) = image.pages.checked_sub(pages) else {
            return error(format!(
                "memory {index} has {pages} pages already, more than the snapshot's {}",
                image.pages
            ));
        };
        memory.grow(more).map_err(|e| {
            SnapshotError(format!("memory {index} cannot grow to the snapshot's {} pages: {e}", image.pages))
        })?;
        // Only an imported memory can hold anything yet.
        if index < module.imported_memories as usize {
            memory.data_mut().fill(0);
        }
        let data = memory.data_mut();
        for chunk in &image.chunks {
            // The reader checked that each chunk lies within the image's pages.
            let start = chunk.offset as usize;
            data[start..start + chunk.bytes.len()].copy_from_slice(&chunk.bytes);
        }
    }
    for (index, (&addr, image)) in tables.iter().zip(&snapshot.tables).enumerate() {
        let table = &mut store.tables[addr.0 as usize];
        let kind = kinds_of(table.ty.elem.into())[0];
        let size = u64::from(table.size());
        let more = image.size.checked_sub(size).and_then(|more| u32::try_from(more).ok());
        let Some(more) = more else {
            return error(format!("table {index} has {size} elements, the snapshot {}", image.size));
        };
        table.grow(more, 0).map_err(|e| {
            SnapshotError(format!("table {index} cannot grow to the snapshot's {} elements: {e}", image.size))
        })?;
        table.elements.fill(0);
        for &(at, value) in &image.entries {
            table.elements[at as usize] = funcs.restore(kind, value, externs)?;
        }
    }
    for (index, (&addr, value)) in globals.iter().zip(&snapshot.globals).enumerate() {
        let global = &mut store.globals[addr.0 as usize];
        let mut slots = [0; 2];
        for (i, &kind) in kinds_of(global.ty.content).iter().enumerate() {
            slots[i] = funcs.restore(kind, value[i], externs)?;
        }
        if global.ty.mutable {
            global.set(Val::from_slots(global.ty.content, &slots));
        } else if global.slots != slots {
            return error(format!("immutable global {index} has another value here than in the snapshot"));
        }
    }
    for &i in &snapshot.dropped_elems {
        let Some(elem) = elems.get(i as usize) else {
            return error(format!("the snapshot drops element segment {i}, which the module does not have"));
        };
        store.elems[elem.0 as usize].items.clear();
    }
    for &i in &snapshot.dropped_datas {
        let Some(data) = datas.get(i as usize) else {
            return error(format!("the snapshot drops data segment {i}, which the module does not have"));
        };
        store.datas[data.0 as usize].bytes = 0..0;
    }
    Ok(paused)
}
