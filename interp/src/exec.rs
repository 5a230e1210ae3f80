//! The interpreter loop: the original bytecode, run in place with the validator's side
//! table. Every row of the instruction table is dispatched by expanding the table: rows
//! with a fixed signature and no immediates call their function in [`crate::num`];
//! every other row calls the method of [`Exec`] named by its semantic name.
//!
//! WebAssembly calls do not recurse on the Rust stack: a call records the caller in a
//! [`Frame`] on the store's frame stack and switches the registers to the callee.
//! Calls to host functions leave the loop ([`Stop::Host`]), so the host gets the whole
//! store, and resume it afterwards; so do budget checks that find the counter empty
//! ([`Stop::Budget`]), at function entries and loop back-edges.

use std::marker::PhantomData;

use stratus_decoder::{IndexType, MEMARG_HAS_MEMORY, NanLanes, Opcode, ValType};

use crate::num::CanonicalNans;
use stratus_runtime::{
    DataSegment, ElemSegment, Frame, Frames, FuncAddr, FuncEntry, FuncKind, FuncRef, Global, Instance,
    Memory, Position, Slots, Store, Table, TierUpThresholds, TrapKind, ref_from_slot, ref_to_slot,
};
use stratus_validator::{FuncInfo, side_table_entries};

use crate::num::{self, OpResult, value_type};
use crate::slot::Slot;

mod fast;

pub use fast::CodeCache;

/// Why the interpreter stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// The function the activation entered has returned; its results are at its frame
    /// base.
    Returned,
    /// A host function is being called; the arguments are on top of the stack and the
    /// registers point past the call.
    Host(FuncAddr),
    /// The running function tail-calls a host function: the arguments have moved down
    /// to its frame base, where the results go, and the call ends the running function
    /// (whose frame the host call replaces).
    TailHost(FuncAddr),
    /// A trap at the instruction [`run`] reports.
    Trap(TrapKind),
    /// A function entry or loop back-edge took the budget counter below zero. The
    /// registers are at the safepoint (the callee's first instruction, or the loop
    /// header); the charge has been made.
    Budget,
    /// The running function may go on in compiled code: it has code, or is hot enough
    /// for the store's [thresholds](stratus_runtime::TierUpThresholds). The registers
    /// are at its first instruction (a call, its frame made and locals zeroed, the
    /// entry's charge not made) or at a loop header (its back-edge charged).
    TierUp,
}

impl From<TrapKind> for Stop {
    fn from(kind: TrapKind) -> Self {
        Stop::Trap(kind)
    }
}

type Step = Result<(), Stop>;

/// The store, split into the parts execution reads and writes, and the registers.
pub(crate) struct Exec<'s, T> {
    funcs: &'s [FuncEntry<T>],
    instances: &'s [Instance],
    memories: &'s mut [Memory],
    tables: &'s mut [Table],
    globals: &'s mut [Global],
    elems: &'s mut [ElemSegment],
    datas: &'s mut [DataSegment],
    /// The value stack, reached only through pointers derived from this base (the
    /// fast loop keeps some in registers while the checked path runs).
    slots_base: *mut u64,
    slots_len: usize,
    slots_borrow: PhantomData<&'s mut Slots>,
    frames: &'s mut Frames,
    /// The budget counter of the VM context.
    budget: &'s mut i64,
    /// Frames below this depth belong to whoever called into this activation.
    entry_depth: usize,
    func: u32,
    inst: &'s Instance,
    info: &'s FuncInfo,
    code: &'s [u8],
    /// Store index of the instance's memory 0, if it has one.
    mem: usize,
    /// Offset of the executing instruction's opcode: branches are relative to it.
    op_pc: usize,
    pc: usize,
    stp: usize,
    fp: usize,
    sp: usize,
    /// The running function's hotness counter: set by the fast loop.
    hotness: &'s std::cell::Cell<u32>,
    /// How compiled code calls each function: whether a function has code.
    func_refs: &'s [FuncRef],
    /// When to stop for [`Stop::TierUp`].
    tier_up: TierUpThresholds,
    /// The fast loop's cache of the functions it calls and returns to.
    known_code: &'s mut CodeCache,
    /// The store runs the deterministic profile ([`Store::deterministic`]): NaN results
    /// are canonicalised (by the checked step and the fast loop alike), and the checked
    /// step, which runs every SIMD instruction, takes the relaxed instructions'
    /// deterministic results.
    pub(super) deterministic: bool,
}

/// The instance, function info and code of a WebAssembly function. Fails only when
/// validation is lazy and the function, validated now, is invalid.
fn wasm_func<'s, T>(
    funcs: &'s [FuncEntry<T>],
    instances: &'s [Instance],
    func: u32,
) -> Result<(&'s Instance, &'s FuncInfo, &'s [u8]), TrapKind> {
    match funcs[func as usize].kind {
        FuncKind::Wasm { instance, index } => {
            let inst = &instances[instance.0 as usize];
            let (info, code) = inst.module.func_code(index - inst.module.imported_funcs)?;
            Ok((inst, info, code))
        }
        FuncKind::Host(_) => unreachable!("host functions have no code"),
    }
}

/// How many side-table entries `op`, an instruction other than `br_table`, owns in a
/// function without [sized values](FuncInfo::sized_values) (only `drop` and untyped
/// `select` depend on them; the fast loop runs those itself only in such functions).
/// Evaluated at compile time (`const { entries(..) }`), it costs the handlers nothing.
const fn entries(op: Opcode) -> usize {
    side_table_entries(op, 0, false) as usize
}

/// [`wasm_func`] of a function that has already run, so has passed validation.
fn running_func<'s, T>(
    funcs: &'s [FuncEntry<T>],
    instances: &'s [Instance],
    func: u32,
) -> (&'s Instance, &'s FuncInfo, &'s [u8]) {
    wasm_func(funcs, instances, func).expect("a function that has run is valid")
}

impl<'s, T> Exec<'s, T> {
    pub(crate) fn new(
        store: &'s mut Store<T>,
        regs: Position,
        entry_depth: usize,
        cache: &'s mut CodeCache,
    ) -> Self {
        let (inst, info, code) = running_func(&store.funcs, &store.instances, regs.func);
        cache.check_generation(&store.vm);
        Exec {
            funcs: &store.funcs,
            instances: &store.instances,
            memories: &mut store.memories,
            tables: &mut store.tables,
            globals: &mut store.globals,
            elems: &mut store.elems,
            datas: &mut store.datas,
            slots_base: store.vm.slots,
            slots_len: store.vm.slots_len,
            slots_borrow: PhantomData,
            frames: &mut store.stack.frames,
            budget: &mut store.vm.budget,
            entry_depth,
            func: regs.func,
            inst,
            info,
            code,
            mem: inst.memories.first().map_or(usize::MAX, |m| m.0 as usize),
            op_pc: regs.pc,
            pc: regs.pc,
            stp: regs.stp,
            fp: regs.fp,
            sp: regs.sp,
            hotness: &store.funcs[regs.func as usize].hotness,
            func_refs: &store.func_refs,
            tier_up: store.compile.thresholds(),
            known_code: cache,
            deterministic: store.deterministic,
        }
    }

    /// Takes one unit of budget, as function entries and loop back-edges do.
    #[inline(always)]
    fn charge(&mut self) -> Step {
        *self.budget -= 1;
        if *self.budget < 0 {
            self.op_pc = self.pc;
            return Err(Stop::Budget);
        }
        Ok(())
    }

    pub(crate) fn regs(&self) -> Position {
        Position { func: self.func, pc: self.pc, stp: self.stp, fp: self.fp, sp: self.sp }
    }

    /// Where the executing instruction is, for backtraces.
    pub(crate) fn trap_pc(&self) -> usize {
        self.op_pc
    }

    // Immediates, read in place. The code is validated, so they are well formed.

    #[inline(always)]
    fn read_u8(&mut self) -> u8 {
        let byte = self.code[self.pc];
        self.pc += 1;
        byte
    }

    fn read_u64(&mut self) -> u64 {
        let mut result = 0;
        let mut shift = 0;
        loop {
            let byte = self.read_u8();
            result |= u64::from(byte & 0x7F) << shift;
            if byte & 0x80 == 0 {
                return result;
            }
            shift += 7;
        }
    }

    #[inline(always)]
    fn read_u32(&mut self) -> u32 {
        let byte = self.read_u8();
        if byte & 0x80 == 0 {
            return u32::from(byte);
        }
        let mut result = u32::from(byte & 0x7F);
        let mut shift = 7;
        loop {
            let byte = self.read_u8();
            result |= u32::from(byte & 0x7F) << shift;
            if byte & 0x80 == 0 {
                return result;
            }
            shift += 7;
        }
    }

    #[inline(always)]
    fn read_signed(&mut self) -> i64 {
        let mut result: i64 = 0;
        let mut shift = 0;
        loop {
            let byte = self.read_u8();
            result |= i64::from(byte & 0x7F) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                if shift < 64 && byte & 0x40 != 0 {
                    result |= -1 << shift;
                }
                return result;
            }
        }
    }

    #[inline(always)]
    fn read_bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0; N];
        out.copy_from_slice(&self.code[self.pc..self.pc + N]);
        self.pc += N;
        out
    }

    #[inline(always)]
    fn skip_leb(&mut self) {
        while self.read_u8() & 0x80 != 0 {}
    }

    // The operand stack.

    /// Pops an address, element index or count of index type `ty`, zero-extended.
    #[inline(always)]
    fn pop_as(&mut self, ty: IndexType) -> u64 {
        match ty {
            IndexType::I32 => u64::from(self.pop::<i32>() as u32),
            IndexType::I64 => self.pop::<i64>() as u64,
        }
    }

    /// Pushes a size or grow result as a value of index type `ty` (truncated to it).
    fn push_as(&mut self, ty: IndexType, value: u64) {
        match ty {
            IndexType::I32 => self.push(value as u32 as i32),
            IndexType::I64 => self.push(value as i64),
        }
    }

    #[inline(always)]
    fn push<V: Slot>(&mut self, value: V) {
        let sp = self.sp;
        value.write(self.slots(), sp);
        self.sp += V::SLOTS;
    }

    #[inline(always)]
    fn pop<V: Slot>(&mut self) -> V {
        self.sp -= V::SLOTS;
        let sp = self.sp;
        V::read(self.slots(), sp)
    }

    /// Moves `width` slots from `from` to the top of the stack.
    #[inline(always)]
    fn push_slots(&mut self, from: usize, width: usize) {
        let sp = self.sp;
        self.slots().copy_within(from..from + width, sp);
        self.sp += width;
    }

    /// Moves the top `width` slots to `to`.
    #[inline(always)]
    fn pop_slots(&mut self, to: usize, width: usize) {
        self.sp -= width;
        let sp = self.sp;
        self.slots().copy_within(sp..sp + width, to);
    }

    // Control.

    /// Takes the branch of side-table entry `index`; a back-edge charges the budget.
    #[inline(always)]
    fn branch(&mut self, index: usize) -> Step {
        let entry = self.info.side_table[index];
        if entry.drop != 0 {
            let keep = entry.keep as usize;
            let (sp, drop) = (self.sp, entry.drop as usize);
            let from = sp - keep;
            self.slots().copy_within(from..sp, from - drop);
            self.sp -= drop;
        }
        self.pc = self.op_pc.wrapping_add_signed(entry.pc_delta as isize);
        self.stp = index.wrapping_add_signed(entry.stp_delta as isize);
        if entry.is_back_edge() {
            let hotness = &self.funcs[self.func as usize].hotness;
            hotness.set(hotness.get().wrapping_add(1));
            self.charge()?;
            if hotness.get() > self.tier_up.back_edges {
                self.op_pc = self.pc;
                return Err(Stop::TierUp);
            }
        }
        Ok(())
    }

    /// Whether a call to `func`, whose heat is `hotness` with the call counted, goes to
    /// compiled code (or the compiler) instead.
    #[inline(always)]
    fn tiers_up_at_call(&self, func: u32, hotness: u32) -> bool {
        hotness > self.tier_up.calls || !self.func_refs[func as usize].code.is_null()
    }

    /// The width of the operand of `op`, a `drop` or untyped `select`: its side-table
    /// entry's, where it has one, else one slot.
    #[inline(always)]
    fn value_width(&mut self, op: Opcode) -> usize {
        match side_table_entries(op, 0, self.info.sized_values) as usize {
            0 => 1,
            owned => {
                let width = self.info.side_table[self.stp].drop as usize;
                self.stp += owned;
                width
            }
        }
    }

    fn skip_block_type(&mut self) {
        if self.read_u8() & 0x80 != 0 {
            self.skip_leb();
        }
    }

    /// Calls `func`, with its arguments on top of the stack and `pc` past the call.
    pub(super) fn call_func(&mut self, func: FuncAddr) -> Step {
        let entry = &self.funcs[func.0 as usize];
        entry.hotness.set(entry.hotness.get().wrapping_add(1));
        if let FuncKind::Host(_) = entry.kind {
            return Err(Stop::Host(func));
        }
        if self.frames.is_full() {
            return Err(TrapKind::CallStackExhausted.into());
        }
        let (inst, info, code) = wasm_func(self.funcs, self.instances, func.0)?;
        let base = self.sp - info.param_slots as usize;
        if base + info.local_slots as usize + info.max_stack_slots as usize > self.slots_len {
            return Err(TrapKind::CallStackExhausted.into());
        }
        let frame = Frame { func: self.func, pc: self.pc as u32, stp: self.stp as u32, base: self.fp as u32 };
        self.frames.push(frame);
        self.enter(func, (inst, info, code), base)
    }

    /// Starts `func` (`code`, its instance and side table) with its frame at `base`:
    /// its arguments there and on top of the stack, its locals zeroed; then charges its
    /// entry, or stops for it to tier up.
    #[inline]
    fn enter(
        &mut self,
        func: FuncAddr,
        (inst, info, code): (&'s Instance, &'s FuncInfo, &'s [u8]),
        base: usize,
    ) -> Step {
        let locals_end = base + info.local_slots as usize;
        // Few locals as a rule: a loop beats a call to `memset`.
        let sp = self.sp;
        for slot in &mut self.slots()[sp..locals_end] {
            *slot = 0;
        }
        self.func = func.0;
        self.switch_to(inst, info, code);
        self.pc = 0;
        self.stp = 0;
        self.fp = base;
        self.sp = locals_end;
        if self.tiers_up_at_call(func.0, self.funcs[func.0 as usize].hotness.get()) {
            self.op_pc = 0;
            return Err(Stop::TierUp);
        }
        self.charge()
    }

    /// Tail-calls `func`, with its arguments on top of the stack: they move down to the
    /// running function's frame base, and the callee takes over its frame, so that
    /// tail calls run in constant space; the frame record of the caller's caller stays.
    pub(super) fn tail_call_func(&mut self, func: FuncAddr) -> Step {
        let entry = &self.funcs[func.0 as usize];
        entry.hotness.set(entry.hotness.get().wrapping_add(1));
        if let FuncKind::Host(_) = entry.kind {
            let params = entry.ty.params().iter().map(|t| t.slots() as usize).sum();
            self.move_to_frame_base(params);
            return Err(Stop::TailHost(func));
        }
        let (inst, info, code) = wasm_func(self.funcs, self.instances, func.0)?;
        let base = self.fp;
        if base + info.local_slots as usize + info.max_stack_slots as usize > self.slots_len {
            return Err(TrapKind::CallStackExhausted.into());
        }
        self.move_to_frame_base(info.param_slots as usize);
        self.enter(func, (inst, info, code), base)
    }

    /// Moves the `count` slots on top of the stack down to the frame base, and the top
    /// with them: a return's results, a tail call's arguments.
    #[inline(always)]
    fn move_to_frame_base(&mut self, count: usize) {
        // Few values as a rule: a loop beats a call to `memmove`. They move down (or
        // stay), so copying from the first is overlap-safe.
        let (fp, sp) = (self.fp, self.sp);
        let slots = self.slots();
        for i in 0..count {
            slots[fp + i] = slots[sp - count + i];
        }
        self.sp = fp + count;
    }

    fn switch_to(&mut self, inst: &'s Instance, info: &'s FuncInfo, code: &'s [u8]) {
        self.inst = inst;
        self.info = info;
        self.code = code;
        self.mem = inst.memories.first().map_or(usize::MAX, |m| m.0 as usize);
    }

    /// Returns from the running function: its results move to its frame base.
    pub(super) fn return_from(&mut self) -> Step {
        self.move_to_frame_base(self.info.result_slots as usize);
        if self.frames.len() == self.entry_depth {
            return Err(Stop::Returned);
        }
        let frame = self.frames.pop().expect("deeper than the entry depth");
        let (inst, info, code) = running_func(self.funcs, self.instances, frame.func);
        self.func = frame.func;
        self.switch_to(inst, info, code);
        self.pc = frame.pc as usize;
        self.stp = frame.stp as usize;
        self.fp = frame.base as usize;
        Ok(())
    }

    fn unreachable(&mut self) -> Step {
        Err(TrapKind::Unreachable.into())
    }

    fn block(&mut self) -> Step {
        self.skip_block_type();
        Ok(())
    }

    fn r#loop(&mut self) -> Step {
        self.skip_block_type();
        Ok(())
    }

    fn r#if(&mut self) -> Step {
        if self.pop::<i32>() != 0 {
            self.skip_block_type();
            self.stp += const { entries(Opcode::If) };
            Ok(())
        } else {
            self.branch(self.stp)
        }
    }

    fn r#else(&mut self) -> Step {
        self.branch(self.stp)
    }

    fn end(&mut self) -> Step {
        if self.pc == self.code.len() { self.return_from() } else { Ok(()) }
    }

    fn br(&mut self) -> Step {
        self.branch(self.stp)
    }

    fn br_if(&mut self) -> Step {
        if self.pop::<i32>() != 0 {
            self.branch(self.stp)
        } else {
            self.skip_leb();
            self.stp += const { entries(Opcode::BrIf) };
            Ok(())
        }
    }

    fn br_table(&mut self) -> Step {
        let index = self.pop::<i32>() as u32;
        let count = self.read_u32();
        self.branch(self.stp + index.min(count) as usize)
    }

    fn r#return(&mut self) -> Step {
        self.return_from()
    }

    pub(super) fn call(&mut self) -> Step {
        let index = self.read_u32();
        self.call_func(self.inst.funcs[index as usize])
    }

    fn call_indirect(&mut self) -> Step {
        let func = self.indirect_callee()?;
        self.call_func(func)
    }

    fn return_call(&mut self) -> Step {
        let index = self.read_u32();
        self.tail_call_func(self.inst.funcs[index as usize])
    }

    fn return_call_indirect(&mut self) -> Step {
        let func = self.indirect_callee()?;
        self.tail_call_func(func)
    }

    /// The function a `call_indirect` or `return_call_indirect` calls, checked: its
    /// element is in the table, not null, and of the instruction's type.
    fn indirect_callee(&mut self) -> Result<FuncAddr, Stop> {
        let type_index = self.read_u32();
        let table = self.table();
        let index = self.pop_index(table);
        let table = &self.tables[table];
        // An index past 32 bits is past the end of any table.
        let slot = usize::try_from(index).ok().and_then(|i| table.elements.get(i));
        let index = index as u32;
        let slot = *slot.ok_or(TrapKind::UndefinedElement(index))?;
        let func = ref_from_slot(slot).ok_or(TrapKind::UninitializedElement(index))?;
        if self.funcs[func as usize].type_id != self.inst.type_ids[type_index as usize] {
            return Err(TrapKind::IndirectCallTypeMismatch.into());
        }
        Ok(FuncAddr(func))
    }

    // References and parametric instructions.

    fn ref_null(&mut self) -> Step {
        self.pc += 1;
        self.push(0u64);
        Ok(())
    }

    fn ref_is_null(&mut self) -> Step {
        let reference = self.pop::<u64>();
        self.push(i32::from(reference == 0));
        Ok(())
    }

    fn ref_func(&mut self) -> Step {
        let index = self.read_u32();
        self.push(ref_to_slot(Some(self.inst.funcs[index as usize].0)));
        Ok(())
    }

    fn drop(&mut self) -> Step {
        self.sp -= self.value_width(Opcode::Drop);
        Ok(())
    }

    fn select_values(&mut self, width: usize) {
        let keep_first = self.pop::<i32>() != 0;
        self.sp -= width;
        if !keep_first {
            let sp = self.sp;
            self.slots().copy_within(sp..sp + width, sp - width);
        }
    }

    fn select(&mut self) -> Step {
        let width = self.value_width(Opcode::Select);
        self.select_values(width);
        Ok(())
    }

    fn typed_select(&mut self) -> Step {
        // The type vector's length, always one.
        self.skip_leb();
        let ty = ValType::from_byte(self.read_u8()).expect("validated value type");
        self.select_values(ty.slots() as usize);
        Ok(())
    }

    // Variables.

    /// The slot and width of local `index`.
    #[inline(always)]
    fn local(&mut self) -> (usize, usize) {
        let index = self.read_u32();
        match &self.info.local_offsets {
            None => (self.fp + index as usize, 1),
            Some(offsets) => {
                let width = self.info.locals[index as usize].slots() as usize;
                (self.fp + offsets[index as usize] as usize, width)
            }
        }
    }

    fn local_get(&mut self) -> Step {
        let (slot, width) = self.local();
        self.push_slots(slot, width);
        Ok(())
    }

    fn local_set(&mut self) -> Step {
        let (slot, width) = self.local();
        self.pop_slots(slot, width);
        Ok(())
    }

    fn local_tee(&mut self) -> Step {
        let (slot, width) = self.local();
        let sp = self.sp;
        self.slots().copy_within(sp - width..sp, slot);
        Ok(())
    }

    fn global(&mut self) -> usize {
        let index = self.read_u32();
        self.inst.globals[index as usize].0 as usize
    }

    fn global_get(&mut self) -> Step {
        let global = &self.globals[self.global()];
        let width = global.ty.content.slots() as usize;
        let value = global.slots;
        let sp = self.sp;
        self.slots()[sp..sp + width].copy_from_slice(&value[..width]);
        self.sp += width;
        Ok(())
    }

    fn global_set(&mut self) -> Step {
        let index = self.global();
        let width = self.globals[index].ty.content.slots() as usize;
        self.sp -= width;
        let sp = self.sp;
        let mut value = [0; 2];
        value[..width].copy_from_slice(&self.slots()[sp..sp + width]);
        self.globals[index].slots[..width].copy_from_slice(&value[..width]);
        Ok(())
    }

    // Tables.

    fn table(&mut self) -> usize {
        let index = self.read_u32();
        self.inst.tables[index as usize].0 as usize
    }

    /// Pops an element index or count of table `table` (a store index).
    fn pop_index(&mut self, table: usize) -> u64 {
        self.pop_as(self.tables[table].ty.index_type)
    }

    /// Pushes a size or `table.grow` result as an index of table `table`.
    fn push_index(&mut self, table: usize, value: u64) {
        self.push_as(self.tables[table].ty.index_type, value);
    }

    fn table_get(&mut self) -> Step {
        let table = self.table();
        let index = self.pop_index(table);
        let value = self.tables[table].get(index)?;
        self.push(value);
        Ok(())
    }

    fn table_set(&mut self) -> Step {
        let table = self.table();
        let value = self.pop::<u64>();
        let index = self.pop_index(table);
        self.tables[table].set(index, value)?;
        Ok(())
    }

    fn table_size(&mut self) -> Step {
        let table = self.table();
        self.push_index(table, self.tables[table].size().into());
        Ok(())
    }

    fn table_grow(&mut self) -> Step {
        let table = self.table();
        let delta = self.pop_index(table);
        let init = self.pop::<u64>();
        let old = u32::try_from(delta).ok().and_then(|delta| self.tables[table].grow(delta, init).ok());
        self.push_index(table, old.map_or(u64::MAX, u64::from));
        Ok(())
    }

    fn table_fill(&mut self) -> Step {
        let table = self.table();
        let len = self.pop_index(table);
        let value = self.pop::<u64>();
        let start = self.pop_index(table);
        self.tables[table].fill(start, value, len)?;
        Ok(())
    }

    fn table_copy(&mut self) -> Step {
        let dst_table = self.table();
        let src_table = self.table();
        let len =
            self.pop_as(self.tables[dst_table].ty.index_type.narrower(self.tables[src_table].ty.index_type));
        let src = self.pop_index(src_table);
        let dst = self.pop_index(dst_table);
        stratus_runtime::copy_table_elements(self.tables, dst_table, src_table, dst, src, len)?;
        Ok(())
    }

    fn table_init(&mut self) -> Step {
        let elem = self.read_u32();
        let table = self.table();
        let len = self.pop::<i32>() as u32;
        let src = self.pop::<i32>() as u32;
        let dst = self.pop_index(table);
        let items = &self.elems[self.inst.elems[elem as usize].0 as usize].items;
        self.tables[table].init(dst, items, src, len)?;
        Ok(())
    }

    fn elem_drop(&mut self) -> Step {
        let elem = self.read_u32();
        self.elems[self.inst.elems[elem as usize].0 as usize].items = Vec::new();
        Ok(())
    }

    // Memory.

    /// The store index of the instance's memory `index`.
    fn memory(&self, index: u32) -> usize {
        self.inst.memories[index as usize].0 as usize
    }

    /// Reads a memory index immediate; returns the memory's store index.
    fn read_memory(&mut self) -> usize {
        let index = self.read_u32();
        self.memory(index)
    }

    /// Pops an address into memory `mem` (a store index).
    #[inline(always)]
    fn pop_address(&mut self, mem: usize) -> u64 {
        self.pop_as(self.memories[mem].ty.index_type)
    }

    /// Reads a memory argument and pops the address; returns the memory's store index
    /// and the effective address's two parts.
    #[inline(always)]
    fn address(&mut self) -> (usize, u64, u64) {
        let flags = self.read_u32();
        let mem = if flags & MEMARG_HAS_MEMORY != 0 { self.read_memory() } else { self.mem };
        // A 64-bit memory's offsets take up to ten bytes.
        let offset = self.read_u64();
        (mem, self.pop_address(mem), offset)
    }

    #[inline(always)]
    fn load<const N: usize>(&mut self) -> Result<[u8; N], TrapKind> {
        let (mem, addr, offset) = self.address();
        self.memories[mem].load::<N>(addr, offset)
    }

    /// Stores `bytes`; the value has been popped, the address is next.
    #[inline(always)]
    fn store<const N: usize>(&mut self, bytes: [u8; N]) -> Step {
        let (mem, addr, offset) = self.address();
        self.memories[mem].store(addr, offset, bytes)?;
        Ok(())
    }

    /// Pushes a size or `memory.grow` result as an address of memory `mem`.
    fn push_address(&mut self, mem: usize, value: u64) {
        self.push_as(self.memories[mem].ty.index_type, value);
    }

    fn memory_size(&mut self) -> Step {
        let mem = self.read_memory();
        let pages = self.memories[mem].pages();
        self.push_address(mem, pages.into());
        Ok(())
    }

    fn memory_grow(&mut self) -> Step {
        let mem = self.read_memory();
        let delta = self.pop_address(mem);
        let old = self.memories[mem].grow(delta).ok();
        self.push_address(mem, old.map_or(u64::MAX, u64::from));
        Ok(())
    }

    fn memory_fill(&mut self) -> Step {
        let mem = self.read_memory();
        let len = self.pop_address(mem);
        let value = self.pop::<i32>() as u8;
        let dst = self.pop_address(mem);
        self.memories[mem].fill(dst, value, len)?;
        Ok(())
    }

    fn memory_copy(&mut self) -> Step {
        let dst_mem = self.read_memory();
        let src_mem = self.read_memory();
        let len =
            self.pop_as(self.memories[dst_mem].ty.index_type.narrower(self.memories[src_mem].ty.index_type));
        let src = self.pop_address(src_mem);
        let dst = self.pop_address(dst_mem);
        stratus_runtime::copy_memory(self.memories, dst_mem, dst, src_mem, src, len)?;
        Ok(())
    }

    fn memory_init(&mut self) -> Step {
        let data = self.read_u32();
        let mem = self.read_memory();
        let len = self.pop::<i32>() as u32;
        let src = self.pop::<i32>() as u32;
        let dst = self.pop_address(mem);
        let segment = &self.datas[self.inst.datas[data as usize].0 as usize];
        let bytes = &self.instances[segment.instance.0 as usize].module.bytes[segment.bytes.clone()];
        self.memories[mem].init(dst, bytes, src, len)?;
        Ok(())
    }

    fn data_drop(&mut self) -> Step {
        let data = self.read_u32();
        self.datas[self.inst.datas[data as usize].0 as usize].bytes = 0..0;
        Ok(())
    }

    // Constants.

    fn i32_const(&mut self) -> Step {
        let value = self.read_signed() as i32;
        self.push(value);
        Ok(())
    }

    fn i64_const(&mut self) -> Step {
        let value = self.read_signed();
        self.push(value);
        Ok(())
    }

    fn f32_const(&mut self) -> Step {
        let bits = u32::from_le_bytes(self.read_bytes());
        self.push(f32::from_bits(bits));
        Ok(())
    }

    fn f64_const(&mut self) -> Step {
        let bits = u64::from_le_bytes(self.read_bytes());
        self.push(f64::from_bits(bits));
        Ok(())
    }

    fn v128_const(&mut self) -> Step {
        let value = u128::from_le_bytes(self.read_bytes());
        self.push(value);
        Ok(())
    }

    fn i8x16_shuffle(&mut self) -> Step {
        let lanes = self.read_bytes::<16>();
        let b = self.pop::<u128>();
        let a = self.pop::<u128>();
        self.push(num::i8x16_shuffle(a, b, lanes));
        Ok(())
    }
}

/// Loads: `name: N bytes => value`. Each becomes a function in `load_value` from the
/// bytes read to the value pushed, which the checked step (the method of the same name)
/// and the fast loop both use.
macro_rules! loads {
    ($($name:ident: $n:literal => |$b:ident| $convert:expr;)*) => {
        mod load_value {
            use super::*;
            $(#[inline(always)]
            pub(in crate::exec) fn $name($b: [u8; $n]) -> impl Slot {
                $convert
            })*
        }
        impl<T> Exec<'_, T> {
            $(fn $name(&mut self) -> Step {
                let value = load_value::$name(self.load::<$n>()?);
                self.push(value);
                Ok(())
            })*
        }
    };
}

loads! {
    i32_load: 4 => |b| i32::from_le_bytes(b);
    i64_load: 8 => |b| i64::from_le_bytes(b);
    f32_load: 4 => |b| f32::from_le_bytes(b);
    f64_load: 8 => |b| f64::from_le_bytes(b);
    i32_load8_s: 1 => |b| i32::from(b[0] as i8);
    i32_load8_u: 1 => |b| i32::from(b[0]);
    i32_load16_s: 2 => |b| i32::from(i16::from_le_bytes(b));
    i32_load16_u: 2 => |b| i32::from(u16::from_le_bytes(b));
    i64_load8_s: 1 => |b| i64::from(b[0] as i8);
    i64_load8_u: 1 => |b| i64::from(b[0]);
    i64_load16_s: 2 => |b| i64::from(i16::from_le_bytes(b));
    i64_load16_u: 2 => |b| i64::from(u16::from_le_bytes(b));
    i64_load32_s: 4 => |b| i64::from(i32::from_le_bytes(b));
    i64_load32_u: 4 => |b| i64::from(u32::from_le_bytes(b));
    v128_load: 16 => |b| u128::from_le_bytes(b);
    v128_load8x8_s: 8 => |b| widen::<1, 2>(b, |x| x as i8 as i16 as u16 as u128);
    v128_load8x8_u: 8 => |b| widen::<1, 2>(b, |x| x as u128);
    v128_load16x4_s: 8 => |b| widen::<2, 4>(b, |x| x as i16 as i32 as u32 as u128);
    v128_load16x4_u: 8 => |b| widen::<2, 4>(b, |x| x as u128);
    v128_load32x2_s: 8 => |b| widen::<4, 8>(b, |x| x as i32 as i64 as u64 as u128);
    v128_load32x2_u: 8 => |b| widen::<4, 8>(b, |x| x as u128);
    v128_load8_splat: 1 => |b| splat::<1, 1>(b);
    v128_load16_splat: 2 => |b| splat::<2, 2>(b);
    v128_load32_splat: 4 => |b| splat::<4, 4>(b);
    v128_load64_splat: 8 => |b| splat::<8, 8>(b);
    v128_load32_zero: 4 => |b| u128::from(u32::from_le_bytes(b));
    v128_load64_zero: 8 => |b| u128::from(u64::from_le_bytes(b));
}

/// Stores: `name: value type, N bytes => bytes`. Each becomes a function in
/// `store_bytes`, shared like `load_value`.
macro_rules! stores {
    ($($name:ident: $ty:ty, $n:literal => |$v:ident| $bytes:expr;)*) => {
        mod store_bytes {
            $(#[inline(always)]
            pub(in crate::exec) fn $name($v: $ty) -> [u8; $n] {
                $bytes
            })*
        }
        impl<T> Exec<'_, T> {
            $(fn $name(&mut self) -> Step {
                let value = self.pop::<$ty>();
                self.store(store_bytes::$name(value))
            })*
        }
    };
}

stores! {
    i32_store: i32, 4 => |v| v.to_le_bytes();
    i64_store: i64, 8 => |v| v.to_le_bytes();
    f32_store: f32, 4 => |v| v.to_le_bytes();
    f64_store: f64, 8 => |v| v.to_le_bytes();
    i32_store8: i32, 1 => |v| [v as u8];
    i32_store16: i32, 2 => |v| (v as u16).to_le_bytes();
    i64_store8: i64, 1 => |v| [v as u8];
    i64_store16: i64, 2 => |v| (v as u16).to_le_bytes();
    i64_store32: i64, 4 => |v| (v as u32).to_le_bytes();
    v128_store: u128, 16 => |v| v.to_le_bytes();
}

/// Lane loads and stores: `name: lane width in bytes`.
macro_rules! lane_memory {
    ($($load:ident, $store:ident: $n:literal;)*) => {
        impl<T> Exec<'_, T> {
            $(
                fn $load(&mut self) -> Step {
                    // The lane index follows the memory argument; the vector is above
                    // the address.
                    let vector = self.pop::<u128>();
                    let (mem, addr, offset) = self.address();
                    let lane = self.read_u8() as usize;
                    let loaded = self.memories[mem].load::<$n>(addr, offset)?;
                    let mut bytes = vector.to_le_bytes();
                    bytes[lane * $n..lane * $n + $n].copy_from_slice(&loaded);
                    self.push(u128::from_le_bytes(bytes));
                    Ok(())
                }

                fn $store(&mut self) -> Step {
                    let bytes = self.pop::<u128>().to_le_bytes();
                    let (mem, addr, offset) = self.address();
                    let lane = self.read_u8() as usize;
                    let mut out = [0u8; $n];
                    out.copy_from_slice(&bytes[lane * $n..lane * $n + $n]);
                    self.memories[mem].store(addr, offset, out)?;
                    Ok(())
                }
            )*
        }
    };
}

lane_memory! {
    v128_load8_lane, v128_store8_lane: 1;
    v128_load16_lane, v128_store16_lane: 2;
    v128_load32_lane, v128_store32_lane: 4;
    v128_load64_lane, v128_store64_lane: 8;
}

/// Lane reads and writes whose lane index is an immediate: `name(operand types) -> result`.
macro_rules! lane_ops {
    ($($name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {
        impl<T> Exec<'_, T> {
            $(fn $name(&mut self) -> Step {
                let lane = self.read_u8();
                lane_ops!(@pop self $($arg: $ty),*);
                let result: $ret = num::$name($($arg,)* lane);
                self.push(result);
                Ok(())
            })*
        }
    };
    (@pop $self:ident $v:ident: $vt:ty) => { let $v = $self.pop::<$vt>(); };
    (@pop $self:ident $v:ident: $vt:ty, $x:ident: $xt:ty) => {
        let $x = $self.pop::<$xt>();
        let $v = $self.pop::<$vt>();
    };
}

lane_ops! {
    i8x16_extract_lane_s(v: u128) -> i32;
    i8x16_extract_lane_u(v: u128) -> i32;
    i16x8_extract_lane_s(v: u128) -> i32;
    i16x8_extract_lane_u(v: u128) -> i32;
    i32x4_extract_lane(v: u128) -> i32;
    i64x2_extract_lane(v: u128) -> i64;
    f32x4_extract_lane(v: u128) -> f32;
    f64x2_extract_lane(v: u128) -> f64;
    i8x16_replace_lane(v: u128, x: i32) -> u128;
    i16x8_replace_lane(v: u128, x: i32) -> u128;
    i32x4_replace_lane(v: u128, x: i32) -> u128;
    i64x2_replace_lane(v: u128, x: i64) -> u128;
    f32x4_replace_lane(v: u128, x: f32) -> u128;
    f64x2_replace_lane(v: u128, x: f64) -> u128;
}

/// Widens the `8 / FROM` lanes of `bytes` to lanes of `TO` bytes with `extend`.
#[inline(always)]
fn widen<const FROM: usize, const TO: usize>(bytes: [u8; 8], extend: impl Fn(u64) -> u128) -> u128 {
    let mut out = 0u128;
    for (i, lane) in bytes.chunks_exact(FROM).enumerate() {
        let mut raw = [0u8; 8];
        raw[..FROM].copy_from_slice(lane);
        let wide = extend(u64::from_le_bytes(raw)) & (u128::MAX >> (128 - TO * 8));
        out |= wide << (i * TO * 8);
    }
    out
}

/// Repeats the `N`-byte lane `bytes` across a vector.
#[inline(always)]
fn splat<const N: usize, const M: usize>(bytes: [u8; M]) -> u128 {
    let mut out = [0u8; 16];
    for lane in out.chunks_exact_mut(N) {
        lane.copy_from_slice(&bytes[..N]);
    }
    u128::from_le_bytes(out)
}

/// One row of the table: a pure operator on typed operands, or a method. Under the
/// deterministic profile a relaxed instruction computes the profile's result, and a
/// result that may be a NaN of open bits is canonicalised.
macro_rules! row {
    ($self:ident, $encoding:expr, none, [$($param:ident)* -> $($result:ident)*], $semantic:ident) => {{
        #[allow(unused_mut, unused_variables)]
        let mut at = $self.sp - (0 $(+ <value_type!($param) as Slot>::SLOTS)*);
        let base = at;
        let relaxed = const { matches!(Opcode::from_encoding($encoding), Some(op) if op.proposal().is_some()) };
        let result = if relaxed && $self.deterministic {
            row!(@call $self, at, num::deterministic::$semantic, $($param)*)
        } else {
            row!(@call $self, at, num::$semantic, $($param)*)
        };
        $self.sp = base;
        $(
            let mut value: value_type!($result) = result;
            if let Some(lanes) = const { nan_lanes($encoding) } && $self.deterministic {
                value = value.canonical_nans(lanes);
            }
            $self.push(value);
        )*
        #[allow(clippy::let_unit_value)]
        let _ = result;
        Ok(())
    }};
    (@call $self:ident, $at:ident, $f:path, $($param:ident)*) => {
        $f($({
            let value = <value_type!($param) as Slot>::read($self.slots(), $at);
            $at += <value_type!($param) as Slot>::SLOTS;
            value
        }),*).into_result()?
    };
    ($self:ident, $encoding:expr, $imm:ident, $sig:tt, $semantic:ident) => {
        $self.$semantic()
    };
}

/// Where the result of the instruction with `encoding` may be a NaN of open bits.
const fn nan_lanes(encoding: u32) -> Option<NanLanes> {
    match Opcode::from_encoding(encoding) {
        Some(op) => op.nan_lanes(),
        None => None,
    }
}

macro_rules! dispatch {
    ($($name:ident = $encoding:literal, $semantic:ident, $text:literal, $imm:ident, $sig:tt;)*) => {
        impl<T> Exec<'_, T> {
            /// Executes the instruction with `encoding` (`(prefix << 16) | subopcode`
            /// for prefixed ones); `pc` is past the opcode.
            #[inline(always)]
            #[allow(unused_assignments)]
            fn step(&mut self, encoding: u32) -> Step {
                match encoding {
                    $($encoding => row!(self, $encoding, $imm, $sig, $semantic),)*
                    _ => unreachable!("validated code has no opcode 0x{encoding:x}"),
                }
            }
        }
    };
}

stratus_decoder::for_each_instruction!(dispatch);
