//! Function-body validation: the spec's algorithm (an operand stack of types and a
//! control stack), emitting the side table and stack height as it goes.

use stratus_decoder::{
    BlockType, FuncBody, FuncType, Imm, ImmKind, IndexType, MemArg, Opcode, RefType, ValType,
};

use crate::context::ModuleContext;
use crate::error::{Error, Expected, ValidationError, ValidationErrorKind as Kind};
use crate::side_table::{FuncInfo, SideEntry};

/// An operand's type; `None` is the unknown type of values popped from the
/// polymorphic stack in unreachable code.
pub type Operand = Option<ValType>;

/// Marks the end of a frame's list of branch entries still waiting for their target.
const NO_PENDING: u32 = u32::MAX;

#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum FrameKind {
    Func,
    Block,
    Loop,
    If,
    Else,
}

#[derive(Debug)]
struct Frame<'m> {
    kind: FrameKind,
    params: &'m [ValType],
    results: &'m [ValType],
    /// Operand count and slot count below this frame's operands.
    height: usize,
    slot_height: u32,
    unreachable: bool,
    /// For loops, where a branch lands: the first instruction of the body and the
    /// side-table position there.
    loop_pc: u32,
    loop_stp: u32,
    /// Head of the list, threaded through the entries' `stp_delta`, of forward branches
    /// to this frame's end.
    pending: u32,
    /// The `if` entry that the false condition takes, until `else` or `end` fixes it.
    if_entry: u32,
}

impl<'m> Frame<'m> {
    /// The types a branch to this frame carries.
    fn label_types(&self) -> &'m [ValType] {
        if self.kind == FrameKind::Loop { self.params } else { self.results }
    }
}

/// Validates one function body an instruction at a time.
///
/// Drive it with [`visit`](Self::visit) for every instruction in order (the decoder's
/// [`Reader::read_instr`](stratus_decoder::Reader::read_instr) gives them), and
/// [`finish`](Self::finish) after the final `end`. Between instructions,
/// [`operands`](Self::operands) tells the type of every value on the operand stack.
#[derive(Debug)]
pub struct FuncValidator<'m> {
    ctx: &'m ModuleContext<'m>,
    type_index: u32,
    locals: Vec<ValType>,
    param_count: u32,
    code_offset: usize,
    operands: Vec<Operand>,
    slots: u32,
    max_slots: u32,
    frames: Vec<Frame<'m>>,
    /// The innermost frame's `height`, kept here because every pop compares with it.
    height: usize,
    side_table: Vec<SideEntry>,
    /// Entries made for `drop` and untyped `select`, dropped at the end if no `v128`
    /// operand ever appears.
    value_sites: Vec<u32>,
    saw_v128: bool,
    /// The side-table position at each instruction, as in
    /// [`FuncInfo::side_table_positions`] but before the value sites are stripped.
    #[cfg(debug_assertions)]
    positions: Vec<(u32, u32)>,
    /// The offset of the instruction being visited, for errors.
    offset: usize,
}

/// The working buffers of a [`FuncValidator`]. Validating many functions, pass the
/// ones [`FuncValidator::finish_and_recycle`] gives back to the next
/// [`FuncValidator::with_allocations`], so they are allocated once rather than per
/// function.
#[derive(Debug, Default)]
pub struct FuncValidatorAllocations {
    operands: Vec<Operand>,
    frames: Vec<Frame<'static>>,
    side_table: Vec<SideEntry>,
    value_sites: Vec<u32>,
}

impl<'m> FuncValidator<'m> {
    /// Starts validating the body of a function of type `type_index`, whose locals are
    /// declared in `body`.
    pub fn new(ctx: &'m ModuleContext<'m>, type_index: u32, body: &FuncBody<'_>) -> Result<Self, Error> {
        Self::with_allocations(ctx, type_index, body, FuncValidatorAllocations::default())
    }

    /// [`new`](Self::new), working in buffers left from validating another function.
    pub fn with_allocations(
        ctx: &'m ModuleContext<'m>,
        type_index: u32,
        body: &FuncBody<'_>,
        allocations: FuncValidatorAllocations,
    ) -> Result<Self, Error> {
        let FuncValidatorAllocations { mut operands, frames, mut side_table, mut value_sites } = allocations;
        operands.clear();
        side_table.clear();
        value_sites.clear();
        let mut frames: Vec<Frame<'m>> = frames;
        frames.clear();
        let ty = ctx.types.get(type_index as usize).ok_or(ValidationError {
            offset: body.offset,
            kind: Kind::Unknown { what: "type", index: type_index },
        })?;
        // The decoder bounds both counts, so this cannot overflow.
        let mut locals = Vec::with_capacity(ty.params().len() + body.local_count as usize);
        locals.extend_from_slice(ty.params());
        for &(count, ty) in &body.locals {
            locals.extend(std::iter::repeat_n(ty, count as usize));
        }
        let mut v = FuncValidator {
            ctx,
            type_index,
            locals,
            param_count: ty.params().len() as u32,
            code_offset: body.code_offset,
            operands,
            slots: 0,
            max_slots: 0,
            frames,
            height: 0,
            side_table,
            value_sites,
            saw_v128: false,
            #[cfg(debug_assertions)]
            positions: Vec::new(),
            offset: body.code_offset,
        };
        // Parameters are locals, not operands: the function's frame starts empty.
        v.push_frame(FrameKind::Func, &[], ty.results(), 0);
        Ok(v)
    }

    /// The types on the operand stack, bottom first.
    pub fn operands(&self) -> &[Operand] {
        &self.operands
    }

    /// Whether the next instruction is unreachable: it follows a branch, `return` or
    /// `unreachable` in its block.
    pub(crate) fn is_unreachable(&self) -> bool {
        self.frames.last().is_some_and(|frame| frame.unreachable)
    }

    /// The types of the parameters and declared locals.
    pub fn locals(&self) -> &[ValType] {
        &self.locals
    }

    /// Whether the function's final `end` has been visited.
    pub fn is_done(&self) -> bool {
        self.frames.is_empty()
    }

    /// Checks one instruction and applies it to the type stacks. `pc` is the offset of
    /// its opcode and `next_pc` of the instruction after it, both relative to the start
    /// of the body's instructions.
    #[inline(always)]
    pub fn visit(&mut self, pc: usize, next_pc: usize, op: Opcode, imm: &Imm<'_>) -> Result<(), Error> {
        if self.frames.is_empty() {
            self.offset = self.code_offset + pc;
            return Err(self.error(Kind::OperatorsAfterEnd));
        }
        self.visit_open(pc, next_pc, op, imm)
    }

    /// [`visit`](Self::visit) while a frame is open: until the final `end`
    /// ([`is_done`](Self::is_done) is false).
    #[inline(always)]
    pub(crate) fn visit_open(
        &mut self,
        pc: usize,
        next_pc: usize,
        op: Opcode,
        imm: &Imm<'_>,
    ) -> Result<(), Error> {
        #[cfg(debug_assertions)]
        let position = self.side_table.len() as u32;
        self.check_instr(pc, next_pc, op, imm)?;
        #[cfg(debug_assertions)]
        {
            self.positions.push((pc as u32, position));
            // Value sites get entries here until `finish` knows whether they keep them.
            let targets = if let Imm::BrTable(table) = imm { table.len() } else { 0 };
            let entries = crate::side_table::side_table_entries(op, targets, true);
            assert_eq!(
                self.side_table.len() as u32 - position,
                entries,
                "side-table entries of {op} at {pc}"
            );
        }
        Ok(())
    }

    /// Checks one instruction and applies it to the type stacks and the side table.
    #[inline(always)]
    fn check_instr(&mut self, pc: usize, next_pc: usize, op: Opcode, imm: &Imm<'_>) -> Result<(), Error> {
        self.offset = self.code_offset + pc;
        // The most frequent instructions are checked here, inline; the rest of the
        // instructions without a fixed signature go to `visit_special`.
        match (op, imm) {
            (Opcode::LocalGet, &Imm::Local(index)) => {
                let ty = self.local(index)?;
                self.push(Some(ty));
                return Ok(());
            }
            (Opcode::LocalSet, &Imm::Local(index)) => {
                let ty = self.local(index)?;
                return self.pop_expect(ty).map(drop);
            }
            (Opcode::LocalTee, &Imm::Local(index)) => {
                let ty = self.local(index)?;
                self.pop_expect(ty)?;
                self.push(Some(ty));
                return Ok(());
            }
            _ => {}
        }
        if let Some(sig) = op.signature() {
            match *imm {
                Imm::None | Imm::I32(_) | Imm::I64(_) | Imm::F32(_) | Imm::F64(_) | Imm::V128(_) => {}
                Imm::MemArg(arg) => self.check_mem_arg(op, arg)?,
                _ => self.check_immediates(op, imm)?,
            }
            self.pop_types(sig.params)?;
            if sig.address {
                let (Imm::MemArg(arg) | Imm::MemArgLane(arg, _)) = *imm else {
                    unreachable!("{op:?} has an address and no memory argument")
                };
                self.pop_expect(self.memory(arg.memory)?.val_type())?;
            }
            self.push_types(sig.results);
            return Ok(());
        }
        self.visit_special(pc as u32, next_pc as u32, op, imm)
    }

    /// Ends validation: the function's final `end` must have been visited.
    pub fn finish(self) -> Result<FuncInfo, Error> {
        self.finish_and_recycle().map(|(info, _)| info)
    }

    /// [`finish`](Self::finish), and give back the working buffers for the next
    /// function's [`with_allocations`](Self::with_allocations).
    pub fn finish_and_recycle(mut self) -> Result<(FuncInfo, FuncValidatorAllocations), Error> {
        if !self.frames.is_empty() {
            return Err(self.error(Kind::BodyEndsEarly));
        }
        if !self.saw_v128 {
            #[cfg(debug_assertions)]
            for (_, position) in &mut self.positions {
                *position -= self.value_sites.partition_point(|&site| site < *position) as u32;
            }
            self.strip_value_sites();
        }
        let result_slots = self.ctx.types[self.type_index as usize].results().iter().map(|t| t.slots()).sum();
        let local_offsets = if self.locals.iter().any(|t| t.slots() != 1) {
            let mut next = 0;
            let offsets = self.locals.iter().map(|t| {
                let slot = next;
                next += t.slots();
                slot
            });
            Some(offsets.collect())
        } else {
            None
        };
        let slots_of = |types: &[ValType]| types.iter().map(|t| t.slots()).sum::<u32>();
        let mut side_table = Vec::new();
        side_table
            .try_reserve_exact(self.side_table.len())
            .map_err(|_| self.error(Kind::OutOfMemory("a side table")))?;
        side_table.extend_from_slice(&self.side_table);
        let side_table = side_table.into_boxed_slice();
        let info = FuncInfo {
            type_index: self.type_index,
            param_count: self.param_count,
            param_slots: slots_of(&self.locals[..self.param_count as usize]),
            local_slots: slots_of(&self.locals),
            local_offsets,
            locals: self.locals.into_boxed_slice(),
            max_stack_slots: self.max_slots,
            result_slots,
            sized_values: self.saw_v128,
            // Copied out at its exact size; the buffer goes on to the next function.
            side_table,
            #[cfg(debug_assertions)]
            side_table_positions: self.positions.into_boxed_slice(),
        };
        let allocations = FuncValidatorAllocations {
            operands: self.operands,
            frames: recycle_frames(self.frames),
            side_table: self.side_table,
            value_sites: self.value_sites,
        };
        Ok((info, allocations))
    }

    #[cold]
    #[inline(never)]
    fn error(&self, kind: Kind) -> Error {
        Error::Invalid(ValidationError { offset: self.offset, kind })
    }

    // The operand stack.

    #[inline(always)]
    fn push(&mut self, ty: Operand) {
        // Every operand takes one slot but `v128` (two); unknown ones count as one.
        let wide = ty == Some(ValType::V128);
        self.saw_v128 |= wide;
        self.operands.push(ty);
        self.slots += 1 + u32::from(wide);
        self.max_slots = self.max_slots.max(self.slots);
    }

    #[inline]
    fn push_types(&mut self, types: &[ValType]) {
        for &t in types {
            self.push(Some(t));
        }
    }

    #[inline]
    fn pop(&mut self) -> Result<Operand, Error> {
        if self.operands.len() == self.height {
            let frame = self.frames.last().expect("visit checks a frame is open");
            if frame.unreachable {
                return Ok(None);
            }
            return Err(self.error(Kind::TypeMismatch { expected: Expected::Any, found: None }));
        }
        let ty = self.operands.pop().expect("height checked above");
        self.slots -= ty.map_or(1, ValType::slots);
        Ok(ty)
    }

    #[inline(always)]
    fn pop_expect(&mut self, expected: ValType) -> Result<Operand, Error> {
        // Fast path: the top operand is there and has the expected type.
        let len = self.operands.len();
        if len > self.height && self.operands[len - 1] == Some(expected) {
            self.operands.truncate(len - 1);
            self.slots -= expected.slots();
            return Ok(Some(expected));
        }
        self.pop_expect_slow(expected)
    }

    #[inline(never)]
    fn pop_expect_slow(&mut self, expected: ValType) -> Result<Operand, Error> {
        let frame = self.frames.last().expect("visit checks a frame is open");
        if self.operands.len() == self.height && !frame.unreachable {
            return Err(self.error(Kind::TypeMismatch { expected: Expected::Type(expected), found: None }));
        }
        match self.pop()? {
            Some(found) if found != expected => {
                Err(self.error(Kind::TypeMismatch { expected: Expected::Type(expected), found: Some(found) }))
            }
            ty => Ok(ty),
        }
    }

    #[inline(always)]
    fn pop_types(&mut self, types: &[ValType]) -> Result<(), Error> {
        match *types {
            [] => Ok(()),
            [t] => self.pop_expect(t).map(drop),
            // Binary operators and stores: both operands there, of exactly these types.
            [a, b] => {
                let len = self.operands.len();
                if len >= self.height + 2
                    && self.operands[len - 2] == Some(a)
                    && self.operands[len - 1] == Some(b)
                {
                    self.operands.truncate(len - 2);
                    self.slots -= a.slots() + b.slots();
                    return Ok(());
                }
                self.pop_types_slow(types)
            }
            _ => self.pop_types_slow(types),
        }
    }

    #[inline(never)]
    fn pop_types_slow(&mut self, types: &[ValType]) -> Result<(), Error> {
        // Fast path: the operands are all there, of exactly these types.
        let height = self.height;
        let len = self.operands.len();
        if len >= height + types.len()
            && self.operands[len - types.len()..].iter().zip(types).all(|(&found, &t)| found == Some(t))
        {
            self.operands.truncate(len - types.len());
            self.slots -= types.iter().map(|t| t.slots()).sum::<u32>();
            return Ok(());
        }
        for &t in types.iter().rev() {
            self.pop_expect(t)?;
        }
        Ok(())
    }

    fn pop_ref(&mut self) -> Result<Operand, Error> {
        match self.pop()? {
            Some(t) if !t.is_ref() => {
                Err(self.error(Kind::TypeMismatch { expected: Expected::AnyRef, found: Some(t) }))
            }
            ty => Ok(ty),
        }
    }

    fn set_unreachable(&mut self) {
        let frame = self.frames.last_mut().expect("visit checks a frame is open");
        self.operands.truncate(frame.height);
        self.slots = frame.slot_height;
        frame.unreachable = true;
    }

    // The control stack.

    fn push_frame(&mut self, kind: FrameKind, params: &'m [ValType], results: &'m [ValType], pc: u32) {
        let slot_height = self.slots;
        self.frames.push(Frame {
            kind,
            params,
            results,
            height: self.operands.len(),
            slot_height,
            unreachable: false,
            loop_pc: pc,
            loop_stp: self.side_table.len() as u32,
            pending: NO_PENDING,
            if_entry: NO_PENDING,
        });
        self.height = self.operands.len();
        self.push_types(params);
    }

    /// Checks the frame's results are exactly what is on its part of the stack, and
    /// closes it.
    fn pop_frame(&mut self) -> Result<Frame<'m>, Error> {
        let results = self.frames.last().expect("visit checks a frame is open").results;
        self.pop_types(results)?;
        if self.operands.len() != self.height {
            let found = self.operands.len() - self.height + results.len();
            return Err(self.error(Kind::StackHeightMismatch { expected: results.len(), found }));
        }
        let frame = self.frames.pop().expect("visit checks a frame is open");
        self.height = self.frames.last().map_or(0, |f| f.height);
        Ok(frame)
    }

    fn label(&self, depth: u32) -> Result<&Frame<'m>, Error> {
        let index = self.frames.len().checked_sub(depth as usize + 1);
        index.map(|i| &self.frames[i]).ok_or_else(|| self.error(Kind::UnknownLabel(depth)))
    }

    fn block_type(&self, ty: BlockType) -> Result<(&'m [ValType], &'m [ValType]), Error> {
        Ok(match ty {
            BlockType::Empty => (&[], &[]),
            BlockType::Value(t) => (&[], single(t)),
            BlockType::Func(index) => {
                let ft = self.ctx.types.get(index as usize);
                let ft = ft.ok_or_else(|| self.error(Kind::Unknown { what: "type", index }))?;
                (ft.params(), ft.results())
            }
        })
    }

    // The side table.

    /// Adds the entry for a branch at `pc` to the frame `depth` labels out, with the
    /// label's values on top of the operand stack.
    fn branch_entry(&mut self, pc: u32, depth: u32) -> Result<(), Error> {
        let index = self.side_table.len() as u32;
        let frame_index = self.frames.len() - 1 - depth as usize;
        let frame = &self.frames[frame_index];
        let keep: u32 = frame.label_types().iter().map(|t| t.slots()).sum();
        // In unreachable code the stack may be shorter than the label needs; such a
        // branch never runs, so its counts do not matter.
        let drop = self.slots.saturating_sub(frame.slot_height).saturating_sub(keep);
        let entry = if frame.kind == FrameKind::Loop {
            SideEntry {
                pc_delta: frame.loop_pc as i32 - pc as i32,
                stp_delta: frame.loop_stp as i32 - index as i32,
                keep,
                drop,
            }
        } else {
            // Forward: remember the branch's pc and link the entry into the frame's
            // pending list until its `end` is reached.
            let link = frame.pending;
            self.frames[frame_index].pending = index;
            SideEntry { pc_delta: pc as i32, stp_delta: link as i32, keep, drop }
        };
        self.push_entry(entry)
    }

    /// Adds `entry` to the side table, which grows with the function, so that a host
    /// without the memory for it makes an error.
    fn push_entry(&mut self, entry: SideEntry) -> Result<(), Error> {
        if self.side_table.len() == self.side_table.capacity() {
            self.side_table.try_reserve(1).map_err(|_| self.error(Kind::OutOfMemory("a side table")))?;
        }
        self.side_table.push(entry);
        Ok(())
    }

    /// Points an entry made at a forward branch to `target_pc`, with the side table
    /// continuing at `target_stp`.
    fn resolve(&mut self, index: u32, target_pc: u32, target_stp: u32) {
        let entry = &mut self.side_table[index as usize];
        entry.pc_delta = target_pc as i32 - entry.pc_delta;
        entry.stp_delta = target_stp as i32 - index as i32;
    }

    /// Adds the entry giving the width of a `drop` or untyped `select` operand.
    fn value_site(&mut self, ty: Operand) -> Result<(), Error> {
        self.value_sites.push(self.side_table.len() as u32);
        let width = ty.map_or(1, ValType::slots);
        self.push_entry(SideEntry { pc_delta: 0, stp_delta: 1, keep: 0, drop: width })
    }

    /// Removes the `drop` and `select` entries, renumbering the targets of the others.
    fn strip_value_sites(&mut self) {
        if self.value_sites.is_empty() {
            return;
        }
        // An entry's new index is its old one less the value sites before it; a kept
        // entry's is the count of entries kept before it. Compact in place: the entry
        // kept `k`-th moves to index `k`, at or before where it was, so no entry is
        // overwritten before it is read.
        let sites = &self.value_sites;
        let renumber = |i: u32| i - sites.partition_point(|&site| site < i) as u32;
        let mut kept = 0;
        let mut next_site = 0;
        for i in 0..self.side_table.len() {
            if sites.get(next_site) == Some(&(i as u32)) {
                next_site += 1;
                continue;
            }
            let entry = self.side_table[i];
            let target = (i as i64 + i64::from(entry.stp_delta)) as u32;
            let stp_delta = renumber(target) as i32 - kept as i32;
            self.side_table[kept] = SideEntry { stp_delta, ..entry };
            kept += 1;
        }
        self.side_table.truncate(kept);
    }

    fn resolve_pending(&mut self, mut head: u32, target_pc: u32, target_stp: u32) {
        while head != NO_PENDING {
            let next = self.side_table[head as usize].stp_delta as u32;
            self.resolve(head, target_pc, target_stp);
            head = next;
        }
    }

    // Instructions.

    fn check_immediates(&self, op: Opcode, imm: &Imm<'_>) -> Result<(), Error> {
        match *imm {
            Imm::MemArg(arg) => self.check_mem_arg(op, arg),
            Imm::MemArgLane(arg, lane) => {
                self.check_mem_arg(op, arg)?;
                self.check_lane(op, lane)
            }
            Imm::Lane(lane) => self.check_lane(op, lane),
            Imm::Shuffle(lanes) => match lanes.iter().find(|&&l| l >= 32) {
                Some(&lane) => Err(self.error(Kind::InvalidLaneIndex { lane, lanes: 32 })),
                None => Ok(()),
            },
            Imm::Data(data) => self.check_data(data),
            Imm::Elem(elem) => self.elem(elem).map(drop),
            Imm::Func(index) => {
                // Only `ref.func` has a signature and a function immediate.
                match self.ctx.refs.declared.get(index as usize) {
                    None => Err(self.error(Kind::Unknown { what: "function", index })),
                    Some(false) => Err(self.error(Kind::UndeclaredFunctionReference(index))),
                    Some(true) => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }

    /// The type a `call_indirect` or `return_call_indirect` calls, its element index
    /// popped: the table must hold function references.
    fn indirect_call_type(&mut self, type_index: u32, table: u32) -> Result<&'m FuncType, Error> {
        let (elem, index) = self.table(table)?;
        self.check_same_ref(elem, RefType::FuncRef)?;
        let ty = self.ctx.types.get(type_index as usize);
        let ty = ty.ok_or_else(|| self.error(Kind::Unknown { what: "type", index: type_index }))?;
        self.pop_expect(index.val_type())?;
        Ok(ty)
    }

    /// A tail call of a function of type `ty`: its results must be the calling
    /// function's, as it returns them; its arguments are popped, and nothing follows.
    fn tail_call(&mut self, ty: &FuncType) -> Result<(), Error> {
        if ty.results() != self.frames[0].results {
            return Err(self.error(Kind::TailCallResults));
        }
        self.pop_types(ty.params())?;
        self.set_unreachable();
        Ok(())
    }

    #[inline]
    fn check_mem_arg(&self, op: Opcode, arg: MemArg) -> Result<(), Error> {
        let index_type = self.memory(arg.memory)?;
        let natural = match op.imm_kind() {
            ImmKind::MemArg { max_align } | ImmKind::MemArgLane { max_align, .. } => u32::from(max_align),
            _ => 0,
        };
        if arg.align > natural {
            return Err(self.error(Kind::AlignmentTooLarge { align: arg.align, natural }));
        }
        if index_type == IndexType::I32 && arg.offset > u32::MAX.into() {
            return Err(self.error(Kind::OffsetOutOfRange(arg.offset)));
        }
        Ok(())
    }

    fn check_lane(&self, op: Opcode, lane: u8) -> Result<(), Error> {
        let lanes = match op.imm_kind() {
            ImmKind::Lane { lanes } | ImmKind::MemArgLane { lanes, .. } => lanes,
            _ => 0,
        };
        if lane >= lanes {
            return Err(self.error(Kind::InvalidLaneIndex { lane, lanes }));
        }
        Ok(())
    }

    #[inline]
    /// The index type of memory `index`.
    fn memory(&self, index: u32) -> Result<IndexType, Error> {
        match self.ctx.memories.get(index as usize) {
            Some(m) => Ok(m.index_type),
            None => Err(self.error(Kind::Unknown { what: "memory", index })),
        }
    }

    fn check_data(&self, index: u32) -> Result<(), Error> {
        match self.ctx.data_count {
            None => Err(self.error(Kind::DataCountRequired)),
            Some(count) if index >= count => Err(self.error(Kind::Unknown { what: "data segment", index })),
            Some(_) => Ok(()),
        }
    }

    /// The element type and index type of table `index`.
    fn table(&self, index: u32) -> Result<(RefType, IndexType), Error> {
        match self.ctx.tables.get(index as usize) {
            Some(t) => Ok((t.elem, t.index_type)),
            None => Err(self.error(Kind::Unknown { what: "table", index })),
        }
    }

    fn elem(&self, index: u32) -> Result<RefType, Error> {
        match self.ctx.refs.elem_types.get(index as usize) {
            Some(&t) => Ok(t),
            None => Err(self.error(Kind::Unknown { what: "elem segment", index })),
        }
    }

    fn check_same_ref(&self, found: RefType, expected: RefType) -> Result<(), Error> {
        if found != expected {
            let kind =
                Kind::TypeMismatch { expected: Expected::Type(expected.into()), found: Some(found.into()) };
            return Err(self.error(kind));
        }
        Ok(())
    }

    #[inline]
    fn local(&self, index: u32) -> Result<ValType, Error> {
        match self.locals.get(index as usize) {
            Some(&t) => Ok(t),
            None => Err(self.error(Kind::Unknown { what: "local", index })),
        }
    }

    fn global(&self, index: u32) -> Result<stratus_decoder::GlobalType, Error> {
        match self.ctx.globals.get(index as usize) {
            Some(&g) => Ok(g),
            None => Err(self.error(Kind::Unknown { what: "global", index })),
        }
    }

    fn visit_special(&mut self, pc: u32, next_pc: u32, op: Opcode, imm: &Imm<'_>) -> Result<(), Error> {
        match (op, imm) {
            (Opcode::Unreachable, _) => self.set_unreachable(),
            (Opcode::Block | Opcode::Loop | Opcode::If, &Imm::Block(ty)) => {
                let (params, results) = self.block_type(ty)?;
                if op == Opcode::If {
                    self.pop_expect(ValType::I32)?;
                }
                self.pop_types(params)?;
                let kind = match op {
                    Opcode::Block => FrameKind::Block,
                    Opcode::Loop => FrameKind::Loop,
                    _ => FrameKind::If,
                };
                let if_entry = self.side_table.len() as u32;
                if op == Opcode::If {
                    // Where a false condition goes is fixed at `else` or `end`.
                    self.push_entry(SideEntry { pc_delta: pc as i32, ..SideEntry::default() })?;
                }
                self.push_frame(kind, params, results, next_pc);
                if op == Opcode::If {
                    self.frames.last_mut().expect("just pushed").if_entry = if_entry;
                }
            }
            (Opcode::Else, _) => {
                if self.frames.last().map(|f| f.kind) != Some(FrameKind::If) {
                    return Err(self.error(Kind::ElseWithoutIf));
                }
                let frame = self.pop_frame()?;
                // The true arm jumps from here to the end, carrying exactly the results.
                let else_entry = self.side_table.len() as u32;
                self.push_entry(SideEntry {
                    pc_delta: pc as i32,
                    stp_delta: frame.pending as i32,
                    keep: 0,
                    drop: 0,
                })?;
                // The false condition lands just past `else`.
                self.resolve(frame.if_entry, next_pc, else_entry + 1);
                self.push_frame(FrameKind::Else, frame.params, frame.results, 0);
                self.frames.last_mut().expect("just pushed").pending = else_entry;
            }
            (Opcode::End, _) => {
                let frame = self.pop_frame()?;
                if frame.kind == FrameKind::If && frame.params != frame.results {
                    // Without `else`, the false arm passes the parameters through as results.
                    let kind = Kind::TypeMismatch {
                        expected: Expected::Type(frame.results.first().copied().unwrap_or(ValType::I32)),
                        found: frame.params.first().copied(),
                    };
                    return Err(self.error(kind));
                }
                // Branches to a block land after its `end`; to the function, on it.
                let target_pc = if frame.kind == FrameKind::Func { pc } else { next_pc };
                let target_stp = self.side_table.len() as u32;
                if frame.kind == FrameKind::If {
                    self.resolve(frame.if_entry, target_pc, target_stp);
                }
                self.resolve_pending(frame.pending, target_pc, target_stp);
                if frame.kind != FrameKind::Func {
                    self.push_types(frame.results);
                }
            }
            (Opcode::Br, &Imm::Label(depth)) => {
                let types = self.label(depth)?.label_types();
                self.pop_types(types)?;
                self.push_types(types);
                self.branch_entry(pc, depth)?;
                self.set_unreachable();
            }
            (Opcode::BrIf, &Imm::Label(depth)) => {
                self.pop_expect(ValType::I32)?;
                let types = self.label(depth)?.label_types();
                self.pop_types(types)?;
                self.push_types(types);
                self.branch_entry(pc, depth)?;
            }
            (Opcode::BrTable, Imm::BrTable(table)) => {
                self.pop_expect(ValType::I32)?;
                let arity = self.label(table.default)?.label_types().len();
                // One entry a target: its size is known, and may be more than the host has.
                let entries = table.len() as usize + 1;
                self.side_table
                    .try_reserve(entries)
                    .map_err(|_| self.error(Kind::OutOfMemory("a br_table's side-table entries")))?;
                for depth in table.targets().chain(std::iter::once(table.default)) {
                    let types = self.label(depth)?.label_types();
                    if types.len() != arity {
                        let kind = Kind::TypeMismatch {
                            expected: Expected::Type(types.first().copied().unwrap_or(ValType::I32)),
                            found: None,
                        };
                        return Err(self.error(kind));
                    }
                    // Check the operands against this label without consuming them.
                    let popped = self.pop_values(types)?;
                    for ty in popped.into_iter().rev() {
                        self.push(ty);
                    }
                    self.branch_entry(pc, depth)?;
                }
                self.set_unreachable();
            }
            (Opcode::Return, _) => {
                let results = self.frames[0].results;
                self.pop_types(results)?;
                self.set_unreachable();
            }
            (Opcode::Call, &Imm::Func(index)) => {
                let ty = self.ctx.func_type(index);
                let ty = ty.ok_or_else(|| self.error(Kind::Unknown { what: "function", index }))?;
                self.pop_types(ty.params())?;
                self.push_types(ty.results());
            }
            (Opcode::CallIndirect, &Imm::CallIndirect { type_index, table }) => {
                let ty = self.indirect_call_type(type_index, table)?;
                self.pop_types(ty.params())?;
                self.push_types(ty.results());
            }
            (Opcode::ReturnCall, &Imm::Func(index)) => {
                let ty = self.ctx.func_type(index);
                let ty = ty.ok_or_else(|| self.error(Kind::Unknown { what: "function", index }))?;
                self.tail_call(ty)?;
            }
            (Opcode::ReturnCallIndirect, &Imm::CallIndirect { type_index, table }) => {
                let ty = self.indirect_call_type(type_index, table)?;
                self.tail_call(ty)?;
            }
            (Opcode::RefNull, &Imm::RefType(ty)) => self.push(Some(ty.into())),
            (Opcode::RefIsNull, _) => {
                self.pop_ref()?;
                self.push(Some(ValType::I32));
            }
            (Opcode::Drop, _) => {
                let ty = self.pop()?;
                self.value_site(ty)?;
            }
            (Opcode::Select, _) => {
                self.pop_expect(ValType::I32)?;
                let first = self.pop()?;
                let second = self.pop()?;
                for ty in [first, second].into_iter().flatten() {
                    if ty.is_ref() {
                        return Err(self.error(Kind::SelectNeedsType));
                    }
                }
                let ty = match (first, second) {
                    (Some(a), Some(b)) if a != b => {
                        let kind = Kind::TypeMismatch { expected: Expected::Type(a), found: Some(b) };
                        return Err(self.error(kind));
                    }
                    (known @ Some(_), _) | (None, known) => known,
                };
                self.value_site(ty)?;
                self.push(ty);
            }
            (Opcode::TypedSelect, &Imm::SelectType(ty)) => {
                self.pop_expect(ValType::I32)?;
                self.pop_expect(ty)?;
                self.pop_expect(ty)?;
                self.push(Some(ty));
            }
            (Opcode::GlobalGet, &Imm::Global(index)) => {
                let global = self.global(index)?;
                self.push(Some(global.content));
            }
            (Opcode::GlobalSet, &Imm::Global(index)) => {
                let global = self.global(index)?;
                if !global.mutable {
                    return Err(self.error(Kind::GlobalIsImmutable(index)));
                }
                self.pop_expect(global.content)?;
            }
            (Opcode::TableGet, &Imm::Table(table)) => {
                let (elem, index) = self.table(table)?;
                self.pop_expect(index.val_type())?;
                self.push(Some(elem.into()));
            }
            (Opcode::TableSet, &Imm::Table(table)) => {
                let (elem, index) = self.table(table)?;
                self.pop_expect(elem.into())?;
                self.pop_expect(index.val_type())?;
            }
            (Opcode::TableSize, &Imm::Table(table)) => {
                let (_, index) = self.table(table)?;
                self.push(Some(index.val_type()));
            }
            (Opcode::TableGrow, &Imm::Table(table)) => {
                let (elem, index) = self.table(table)?;
                self.pop_expect(index.val_type())?;
                self.pop_expect(elem.into())?;
                self.push(Some(index.val_type()));
            }
            (Opcode::TableFill, &Imm::Table(table)) => {
                let (elem, index) = self.table(table)?;
                self.pop_expect(index.val_type())?;
                self.pop_expect(elem.into())?;
                self.pop_expect(index.val_type())?;
            }
            (Opcode::TableInit, &Imm::TableInit { elem, table }) => {
                let (table_elem, index) = self.table(table)?;
                let elem_ty = self.elem(elem)?;
                self.check_same_ref(elem_ty, table_elem)?;
                self.pop_types(&[index.val_type(), ValType::I32, ValType::I32])?;
            }
            (Opcode::TableCopy, &Imm::TableCopy { dst, src }) => {
                let (dst_elem, dst_index) = self.table(dst)?;
                let (src_elem, src_index) = self.table(src)?;
                self.check_same_ref(src_elem, dst_elem)?;
                self.pop_types(&[
                    dst_index.val_type(),
                    src_index.val_type(),
                    dst_index.narrower(src_index).val_type(),
                ])?;
            }
            (Opcode::MemorySize, &Imm::Memory(memory)) => {
                let index = self.memory(memory)?.val_type();
                self.push(Some(index));
            }
            (Opcode::MemoryGrow, &Imm::Memory(memory)) => {
                let index = self.memory(memory)?.val_type();
                self.pop_expect(index)?;
                self.push(Some(index));
            }
            (Opcode::MemoryFill, &Imm::Memory(memory)) => {
                let index = self.memory(memory)?.val_type();
                self.pop_types(&[index, ValType::I32, index])?;
            }
            (Opcode::MemoryCopy, &Imm::MemoryCopy { dst, src }) => {
                let (dst_index, src_index) = (self.memory(dst)?, self.memory(src)?);
                self.pop_types(&[
                    dst_index.val_type(),
                    src_index.val_type(),
                    dst_index.narrower(src_index).val_type(),
                ])?;
            }
            (Opcode::MemoryInit, &Imm::MemoryInit { data, memory }) => {
                let index = self.memory(memory)?.val_type();
                self.check_data(data)?;
                self.pop_types(&[index, ValType::I32, ValType::I32])?;
            }
            // `local.*` are checked in `visit`.
            _ => unreachable!("{op:?} has no signature and no rule, or the decoder gave it wrong immediates"),
        }
        Ok(())
    }

    /// Pops operands matching `types` (top last), returning them top first.
    fn pop_values(&mut self, types: &[ValType]) -> Result<Vec<Operand>, Error> {
        let mut popped = Vec::with_capacity(types.len());
        for &t in types.iter().rev() {
            popped.push(self.pop_expect(t)?);
        }
        Ok(popped)
    }
}

/// Empties `frames` and gives back its buffer, no longer borrowing from the module.
// `filter` could not change the element type's lifetime; the empty iteration is
// collected in place, so the buffer is kept.
#[allow(clippy::unnecessary_filter_map)]
fn recycle_frames(mut frames: Vec<Frame<'_>>) -> Vec<Frame<'static>> {
    frames.clear();
    frames.into_iter().filter_map(|_| None).collect()
}

/// The one-type result list of a block typed by a value type.
fn single(ty: ValType) -> &'static [ValType] {
    match ty {
        ValType::I32 => &[ValType::I32],
        ValType::I64 => &[ValType::I64],
        ValType::F32 => &[ValType::F32],
        ValType::F64 => &[ValType::F64],
        ValType::V128 => &[ValType::V128],
        ValType::FuncRef => &[ValType::FuncRef],
        ValType::ExternRef => &[ValType::ExternRef],
    }
}
