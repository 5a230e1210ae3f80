//! The interpreter's fast loop: the same instruction table and side table as
//! [`Exec::step`], with the registers the hot instructions use held in local variables
//! (raw pointers into the code, the value stack and linear memory) instead of fields, so
//! the compiler keeps them in machine registers, and with the bounds checks that
//! validation makes redundant left out.
//!
//! Only the frequent instructions are handled here. Everything else takes the slow path:
//! the registers are written back to [`Exec`], [`Exec::step`] runs the instruction
//! (safely, with checked slices), and the registers are read again. Calls and returns,
//! which switch functions, go the same way.
//!
//! # Safety
//!
//! The unchecked accesses rely on these invariants, which the rest of the interpreter and
//! the validator maintain:
//!
//! - `pc` points into the running function's validated body, at an opcode. Validated code
//!   is well formed: every immediate an opcode announces is there, LEB128 numbers are
//!   terminated within their maximum length, and the body ends with `end`, so reading an
//!   instruction and its immediates stays inside the body.
//! - `sp` and `fp` point into the store's value stack. A call checks, before it enters a
//!   function, that its locals plus `max_stack_slots` slots fit in the stack
//!   ([`Exec::call_func`], `invoke::run_wasm`), and validation guarantees the operand
//!   stack never holds more than `max_stack_slots` slots nor pops below the frame's
//!   operands; local indices are below the function's local count. So every slot read or
//!   written lies between `fp` and `fp + local_slots + max_stack_slots`.
//! - Side-table indices come from the validator's entries for this function: `stp` is
//!   the index of the next branch site's entry, and taken branches move it by the entry's
//!   `stp_delta`, so it stays in bounds whenever a branch instruction reads it.
//! - Linear memory is accessed only after an explicit check of the effective address
//!   against `mem_len`, the accessible size; `mem_base..mem_base + mem_len` is the
//!   memory's byte slice, re-read after anything that may grow or change it.
//! - Every pointer into the value stack is derived from one base, the store's
//!   (`Exec::slots_base`, the VM context's `slots`), never from a reference to the
//!   stack; the checked path's slices ([`Exec::slots`]) are made from the same base
//!   and live only while the fast loop's pointers are saved, so they never overlap in
//!   use. Memory pointers are re-derived after every slow-path call.
//! - The [`CodeCache`] holds pointers into the store's instances and function entries,
//!   valid as long as the store's code generation is unchanged: adding an instance or a
//!   function, or swapping an entry, bumps it, and the cache empties itself when it
//!   sees a new generation.

use std::cell::Cell;

use stratus_decoder::{IndexType, MEMARG_HAS_MEMORY, Opcode};
use stratus_runtime::{Frame, FuncAddr, FuncKind, Instance, TrapKind, VmContext};
use stratus_validator::{FuncInfo, SideEntry};

use super::{Exec, Stop, entries, wasm_func};
use crate::num::{self, CanonicalNans, OpResult, value_type};
use crate::slot::Slot;

/// The opcode the fused pair looks for.
const I32_ADD: u8 = 0x6A;

impl<'s, T> Exec<'s, T> {
    /// The value stack, for the checked path.
    #[inline(always)]
    pub(super) fn slots(&mut self) -> &mut [u64] {
        // SAFETY: `slots_base` is the base of the store's value stack of `slots_len`
        // slots, which `slots_borrow` holds exclusively for `'s`; the fast loop's
        // pointers derived from the same base are not used while this slice lives.
        unsafe { std::slice::from_raw_parts_mut(self.slots_base, self.slots_len) }
    }

    /// One instruction through the checked interpreter: the slow path of the fast loop.
    #[inline(never)]
    fn slow_step(&mut self, encoding: u32) -> Result<(), Stop> {
        self.step(encoding)
    }

    /// The code of WebAssembly function `func` if it belongs to the running instance (so
    /// memory, globals and tables stay as they are) and is valid: the calls and returns
    /// the fast loop makes itself. A function that fails lazy validation takes the slow
    /// path, which traps.
    #[inline(always)]
    fn same_instance_code(&mut self, func: u32) -> Option<Code<'s>> {
        match self.known_code.entries[func as usize % KNOWN_CODE] {
            // SAFETY: the cache's generation is the store's (checked when this `Exec`
            // was made, and nothing adds functions or instances while it lives), so
            // the pointers are as valid as when they were cached.
            Some(code) if code.func == func && std::ptr::eq(code.inst, self.inst) => {
                Some(unsafe { code.get() })
            }
            _ => {
                let code = self.look_up_code(func)?;
                self.known_code.entries[func as usize % KNOWN_CODE] = Some(CachedCode::new(code));
                Some(code)
            }
        }
    }

    #[inline(never)]
    fn look_up_code(&self, func: u32) -> Option<Code<'s>> {
        let entry = &self.funcs[func as usize];
        if let FuncKind::Host(_) = entry.kind {
            return None;
        }
        let (inst, info, code) = wasm_func(self.funcs, self.instances, func).ok()?;
        // A function with code is always called through the slow path, which leaves
        // for it.
        let tier_up_at = if self.func_refs[func as usize].code.is_null() { self.tier_up.calls } else { 0 };
        std::ptr::eq(inst, self.inst).then_some(Code {
            func,
            inst,
            info,
            code,
            hotness: &entry.hotness,
            tier_up_at,
            simple: is_simple(info),
        })
    }

    /// Runs until the entry function returns, a host function is called, or a trap.
    pub(crate) fn run(&mut self) -> Stop {
        loop {
            let stop = if is_simple(self.info) { self.run_loop::<true>() } else { self.run_loop::<false>() };
            if let Some(stop) = stop {
                return stop;
            }
        }
    }

    /// The fast loop for functions that are [simple](is_simple) or not: it returns
    /// `None` when a call or return switches to a function of the other kind.
    fn run_loop<const SIMPLE: bool>(&mut self) -> Option<Stop> {
        // Registers. `pc` is the next byte of code to read.
        let mut pc: *const u8;
        let mut sp: *mut u64;
        let mut fp: *mut u64;
        let mut side: &'s [SideEntry];
        let mut stp: usize;
        let mut mem_base: *mut u8;
        let mut mem_len: u64;
        // Memory-argument flags bytes from this one up leave the access to the checked
        // step: those that name a memory (multi-memory), or all if memory 0 is 64-bit.
        let mut mem_flags_limit: u8;
        // The store runs the deterministic profile: float results are canonicalised.
        let deterministic = self.deterministic;

        // Runs `$call`, a method of `Exec` that works on the registers in `self` (the
        // slow path of an instruction, or a call or return that may switch functions),
        // for the instruction at `$op`; leaves this instantiation of the loop if the
        // function now running is not of its kind.
        macro_rules! out_of_line {
            ($op:expr, $call:expr) => {{
                save!($op);
                let result = $call;
                load!();
                if let Err(stop) = result {
                    return Some(stop);
                }
                if is_simple(self.info) != SIMPLE {
                    return None;
                }
            }};
        }

        // Takes one unit of budget at a function entry or loop back-edge, with `pc` at
        // the callee's first instruction or the loop header, where the activation stops
        // if the counter runs out. The counter stays in the VM context rather than in a
        // local: one more register live across the whole loop cost the tight loops of
        // the benchmarks 8-12%, a decrement in memory costs them 1-3%.
        macro_rules! charge {
            () => {{
                *self.budget -= 1;
                if *self.budget < 0 {
                    save!(pc);
                    return Some(Stop::Budget);
                }
            }};
        }

        // Switches the registers to function `callee` (the running function's are in
        // `self`); leaves this instantiation of the loop if the function is not of its
        // kind. A call charges the entry first (`charged`), once the callee is running.
        macro_rules! switch_to {
            ($callee:expr) => { switch_to!(@ $callee, {}) };
            ($callee:expr, charged) => { switch_to!(@ $callee, { charge!() }) };
            (@ $callee:expr, $on_arrival:block) => {{
                let callee: Code<'s> = $callee;
                self.func = callee.func;
                self.info = callee.info;
                self.code = callee.code;
                self.hotness = callee.hotness;
                side = &callee.info.side_table;
                $on_arrival
                if callee.simple != SIMPLE {
                    save!(pc);
                    return None;
                }
            }};
        }

        // Calls `func` with its arguments on top of the stack and `pc` past the call.
        macro_rules! enter {
            ($op:expr, $func:expr) => {{
                let func: u32 = $func;
                let fast = match self.same_instance_code(func) {
                    // The slow path counts the call too, so the threshold is checked
                    // before it.
                    Some(callee) if !self.frames.is_full() && callee.hotness.get() < callee.tier_up_at => {
                        let info = callee.info;
                        let slots = self.slots_base;
                        // SAFETY: `sp` points into the value stack.
                        let top = unsafe { sp.offset_from(slots) } as usize;
                        let base = top - info.param_slots as usize;
                        let locals_end = base + info.local_slots as usize;
                        if locals_end + info.max_stack_slots as usize <= self.slots_len {
                            Some((callee, base, locals_end))
                        } else {
                            None
                        }
                    }
                    _ => None,
                };
                match fast {
                    Some((callee, base, locals_end)) => {
                        callee.hotness.set(callee.hotness.get().wrapping_add(1));
                        let slots = self.slots_base;
                        // SAFETY: the check above: the callee's locals and operands
                        // fit in the value stack, and `code` is its validated body.
                        unsafe {
                            // Few locals as a rule: volatile writes keep this loop from
                            // becoming a call to `memset`, which would spill registers.
                            let end = slots.add(locals_end);
                            while sp < end {
                                sp.write_volatile(0);
                                sp = sp.add(1);
                            }
                            self.frames.push(Frame {
                                func: self.func,
                                pc: pc.offset_from(self.code.as_ptr()) as u32,
                                stp: stp as u32,
                                base: fp.offset_from(slots) as u32,
                            });
                            fp = slots.add(base);
                            pc = callee.code.as_ptr();
                        }
                        stp = 0;
                        switch_to!(callee, charged);
                    }
                    None => out_of_line!($op, self.call_func(FuncAddr(func))),
                }
            }};
        }

        // Returns from the running function: its results move to its frame base.
        macro_rules! ret {
            () => {{
                let caller = match self.frames.last() {
                    Some(frame) if self.frames.len() > self.entry_depth => {
                        self.same_instance_code(frame.func).map(|caller| (frame, caller))
                    }
                    _ => None,
                };
                match caller {
                    Some((frame, caller)) => {
                        self.frames.pop();
                        let results = self.info.result_slots as usize;
                        let slots = self.slots_base;
                        // SAFETY: the results are on top of the stack, the frame base
                        // is below them, and the caller's registers point into its
                        // frame and validated body.
                        unsafe {
                            // One result as a rule.
                            if results == 1 {
                                fp.write(sp.sub(1).read());
                            } else {
                                let from = sp.sub(results);
                                for i in 0..results {
                                    fp.add(i).write(from.add(i).read());
                                }
                            }
                            sp = fp.add(results);
                            fp = slots.add(frame.base as usize);
                            pc = caller.code.as_ptr().add(frame.pc as usize);
                        }
                        stp = frame.stp as usize;
                        switch_to!(caller);
                    }
                    None => out_of_line!(here!(), self.return_from()),
                }
            }};
        }

        // Reads the registers from `self`.
        macro_rules! load {
            () => {{
                let info = self.info;
                // SAFETY: `pc` is inside the code slice.
                pc = unsafe { self.code.as_ptr().add(self.pc) };
                // SAFETY: `sp` and `fp` are slot indices within the value stack.
                sp = unsafe { self.slots_base.add(self.sp) };
                fp = unsafe { self.slots_base.add(self.fp) };
                side = &info.side_table;
                stp = self.stp;
                match self.memories.get_mut(self.mem) {
                    Some(memory) => {
                        mem_flags_limit = match memory.ty.index_type {
                            IndexType::I32 => MEMARG_HAS_MEMORY as u8,
                            IndexType::I64 => 0,
                        };
                        let data = memory.data_mut();
                        mem_base = data.as_mut_ptr();
                        mem_len = data.len() as u64;
                    }
                    None => {
                        mem_base = std::ptr::null_mut();
                        mem_len = 0;
                        mem_flags_limit = 0;
                    }
                }
                let funcs: &'s [stratus_runtime::FuncEntry<T>] = self.funcs;
                self.hotness = &funcs[self.func as usize].hotness;
            }};
        }

        // Writes the registers back to `self`.
        macro_rules! save {
            ($op:expr) => {{
                let op: *const u8 = $op;
                // SAFETY: all three point into (or one past) the same allocation as
                // their base.
                let code_base = self.code.as_ptr();
                let slots_base = self.slots_base;
                unsafe {
                    self.op_pc = op.offset_from(code_base) as usize;
                    self.pc = pc.offset_from(code_base) as usize;
                    self.sp = sp.offset_from(slots_base) as usize;
                    self.fp = fp.offset_from(slots_base) as usize;
                }
                self.stp = stp;
            }};
        }

        load!();

        // The opcode of the executing instruction, while none of its immediates has
        // been read.
        macro_rules! here {
            () => {
                // SAFETY: `pc` is past the opcode.
                unsafe { pc.sub(1) }
            };
        }

        macro_rules! trap {
            ($op:expr, $kind:expr) => {{
                save!($op);
                return Some(Stop::Trap($kind));
            }};
        }

        // The slow path for the instruction with `encoding`, whose opcode (and
        // prefixed subopcode) have been read.
        macro_rules! slow {
            ($op:expr, $encoding:expr) => {{
                let encoding = $encoding;
                out_of_line!($op, self.slow_step(encoding));
            }};
        }

        macro_rules! read_u8 {
            () => {{
                // SAFETY: validated code has every immediate it announces.
                let byte = unsafe { *pc };
                pc = unsafe { pc.add(1) };
                byte
            }};
        }

        macro_rules! read_u32 {
            () => {{
                let byte = read_u8!();
                if byte & 0x80 == 0 {
                    u32::from(byte)
                } else {
                    let mut result = u32::from(byte & 0x7F);
                    let mut shift = 7;
                    loop {
                        let byte = read_u8!();
                        result |= u32::from(byte & 0x7F) << shift;
                        if byte & 0x80 == 0 {
                            break result;
                        }
                        shift += 7;
                    }
                }
            }};
        }

        // A one-byte fast path in front of `read_u32!` for immediates that are used as
        // offsets. Testing the byte before consuming it, and widening it straight
        // from `u8`, saves the sign- and then zero-extension the compiler makes of
        // `read_u32!()`'s byte.
        macro_rules! read_offset {
            ($ty:ty) => {{
                // SAFETY: validated code has every immediate it announces.
                let byte = unsafe { *pc };
                if byte < 0x80 {
                    pc = unsafe { pc.add(1) };
                    <$ty>::from(byte)
                } else {
                    read_u32!() as $ty
                }
            }};
        }

        // `read_u32!` without the loop, for immediates that linkers pad to five bytes
        // so they can be patched in place (function indices of calls, as a rule).
        macro_rules! read_padded_u32 {
            () => {{
                let byte = read_u8!();
                let mut result = u32::from(byte & 0x7F);
                if byte & 0x80 != 0 {
                    let byte = read_u8!();
                    result |= u32::from(byte & 0x7F) << 7;
                    if byte & 0x80 != 0 {
                        let byte = read_u8!();
                        result |= u32::from(byte & 0x7F) << 14;
                        if byte & 0x80 != 0 {
                            let byte = read_u8!();
                            result |= u32::from(byte & 0x7F) << 21;
                            if byte & 0x80 != 0 {
                                // The last byte of a valid u32 has no continuation bit.
                                result |= u32::from(read_u8!()) << 28;
                            }
                        }
                    }
                }
                result
            }};
        }

        macro_rules! read_signed {
            () => {{
                let byte = read_u8!();
                if byte & 0x80 == 0 {
                    // Sign-extend the seven bits.
                    i64::from((byte << 1) as i8 >> 1)
                } else {
                    let mut result = i64::from(byte & 0x7F);
                    let mut shift = 7;
                    loop {
                        let byte = read_u8!();
                        result |= i64::from(byte & 0x7F) << shift;
                        shift += 7;
                        if byte & 0x80 == 0 {
                            if shift < 64 && byte & 0x40 != 0 {
                                result |= -1 << shift;
                            }
                            break result;
                        }
                    }
                }
            }};
        }

        macro_rules! skip_leb {
            () => {{ while read_u8!() & 0x80 != 0 {} }};
        }

        // Skips an immediate that is one byte as a rule: a block type, or the
        // alignment of a load or store.
        macro_rules! skip_short {
            () => {{
                if read_u8!() & 0x80 != 0 {
                    skip_leb!();
                }
            }};
        }

        macro_rules! pop {
            ($ty:ty) => {{
                // SAFETY: validation guarantees the operand is on the stack.
                unsafe {
                    sp = sp.sub(<$ty as Slot>::SLOTS);
                    <$ty as Slot>::load(sp)
                }
            }};
        }

        macro_rules! push {
            ($value:expr) => {{
                let value = $value;
                // SAFETY: the stack has room for `max_stack_slots` operands.
                sp = unsafe { push_raw(sp, value) };
            }};
        }

        // Takes the branch of side-table entry `index`.
        macro_rules! branch {
            ($op:expr, $index:expr) => {{
                let op: *const u8 = $op;
                let index: usize = $index;
                // SAFETY: `index` is the entry of the executing branch site.
                let entry = unsafe { *side.get_unchecked(index) };
                if entry.drop != 0 {
                    let keep = entry.keep as usize;
                    // SAFETY: the `keep + drop` slots are operands of the current
                    // frame; copying forwards to a lower address is overlap-safe.
                    unsafe {
                        let from = sp.sub(keep);
                        let to = from.sub(entry.drop as usize);
                        for i in 0..keep {
                            to.add(i).write(from.add(i).read());
                        }
                        sp = to.add(keep);
                    }
                }
                // SAFETY: branch targets are instructions of this body.
                pc = unsafe { op.offset(entry.pc_delta as isize) };
                stp = index.wrapping_add_signed(entry.stp_delta as isize);
                if entry.is_back_edge() {
                    let hotness = self.hotness.get().wrapping_add(1);
                    self.hotness.set(hotness);
                    charge!();
                    if hotness > self.tier_up.back_edges {
                        save!(pc);
                        return Some(Stop::TierUp);
                    }
                }
            }};
        }

        // Loads and stores of memory 0, when its index type is i32, with an explicit
        // bounds check; the value comes from (or the bytes go to) the function of the
        // same name that the checked step uses. Flags that name another memory, or take
        // more than a byte, and any access to a 64-bit memory 0, leave the access to the
        // checked step.
        macro_rules! memory_0 {
            ($encoding:expr, $access:block) => {{
                // SAFETY: validated code has every immediate it announces.
                if unsafe { *pc } >= mem_flags_limit {
                    slow!(here!(), $encoding);
                } else {
                    // SAFETY: as above: the flags byte is followed by the offset.
                    pc = unsafe { pc.add(1) };
                    $access
                }
            }};
        }

        macro_rules! load_mem {
            ($encoding:expr, $semantic:ident) => {{
                let at_op = here!();
                memory_0!($encoding, {
                    let offset = read_offset!(u64);
                    let addr = pop!(i32) as u32;
                    let start = u64::from(addr) + offset;
                    // SAFETY: `mem_base..mem_base + mem_len` is the memory's byte slice.
                    match unsafe { load_checked(mem_base, mem_len, start) } {
                        Some(bytes) => push!(super::load_value::$semantic(bytes)),
                        None => trap!(at_op, TrapKind::MemoryOutOfBounds),
                    }
                });
            }};
        }

        macro_rules! store_mem {
            ($encoding:expr, $ty:ty, $semantic:ident) => {{
                let at_op = here!();
                memory_0!($encoding, {
                    let offset = read_offset!(u64);
                    let bytes = super::store_bytes::$semantic(pop!($ty));
                    let addr = pop!(i32) as u32;
                    let start = u64::from(addr) + offset;
                    // SAFETY: `mem_base..mem_base + mem_len` is the memory's byte slice.
                    if !unsafe { store_checked(mem_base, mem_len, start, bytes) } {
                        trap!(at_op, TrapKind::MemoryOutOfBounds);
                    }
                });
            }};
        }

        // The instructions the fast loop handles itself, by semantic name.
        macro_rules! special {
            ($encoding:expr, block) => {{
                skip_short!();
            }};
            ($encoding:expr, r#loop) => {{
                skip_short!();
            }};
            ($encoding:expr, r#if) => {{
                if pop!(i32) != 0 {
                    skip_short!();
                    stp += const { entries(Opcode::If) };
                } else {
                    branch!(here!(), stp);
                }
            }};
            ($encoding:expr, r#else) => {{
                branch!(here!(), stp);
            }};
            ($encoding:expr, br) => {{
                branch!(here!(), stp);
            }};
            ($encoding:expr, br_if) => {{
                if pop!(i32) != 0 {
                    branch!(here!(), stp);
                } else {
                    skip_leb!();
                    stp += const { entries(Opcode::BrIf) };
                }
            }};
            ($encoding:expr, br_table) => {{
                let at_op = here!();
                let index = pop!(i32) as u32;
                let count = read_u32!();
                branch!(at_op, stp + index.min(count) as usize);
            }};
            ($encoding:expr, end) => {{
                if pc == self.code.as_ptr_range().end {
                    ret!();
                }
            }};
            ($encoding:expr, r#return) => {{
                ret!();
            }};
            ($encoding:expr, call) => {{
                let at_op = here!();
                let index = read_padded_u32!();
                let func = self.inst.funcs[index as usize].0;
                enter!(at_op, func);
            }};
            ($encoding:expr, drop) => {{
                if !SIMPLE {
                    slow!(here!(), $encoding);
                } else {
                    // SAFETY: the operand is on the stack.
                    sp = unsafe { sp.sub(1) };
                    stp += const { entries(Opcode::Drop) };
                }
            }};
            ($encoding:expr, select) => {{
                if !SIMPLE {
                    slow!(here!(), $encoding);
                } else {
                    let keep_first = pop!(i32) != 0;
                    let second = pop!(u64);
                    if !keep_first {
                        // SAFETY: the first operand is on the stack.
                        unsafe { sp.sub(1).write(second) };
                    }
                    stp += const { entries(Opcode::Select) };
                }
            }};
            ($encoding:expr, local_get) => {{
                if SIMPLE {
                    let index = read_offset!(usize);
                    // SAFETY: the local is in the frame.
                    let value = unsafe { fp.add(index).read() };
                    push!(value);
                } else {
                    slow!(here!(), $encoding);
                }
            }};
            ($encoding:expr, local_set) => {{
                if SIMPLE {
                    let index = read_offset!(usize);
                    let value = pop!(u64);
                    // SAFETY: the local is in the frame.
                    unsafe { fp.add(index).write(value) };
                } else {
                    slow!(here!(), $encoding);
                }
            }};
            ($encoding:expr, local_tee) => {{
                if SIMPLE {
                    let index = read_offset!(usize);
                    // SAFETY: the local is in the frame and the operand on the stack.
                    unsafe { fp.add(index).write(sp.sub(1).read()) };
                } else {
                    slow!(here!(), $encoding);
                }
            }};
            ($encoding:expr, global_get) => {{
                let index = read_u32!();
                let global = &self.globals[self.inst.globals[index as usize].0 as usize];
                let width = global.ty.content.slots() as usize;
                for i in 0..width {
                    push!(global.slots[i]);
                }
            }};
            ($encoding:expr, global_set) => {{
                let index = read_u32!();
                let global = &mut self.globals[self.inst.globals[index as usize].0 as usize];
                let width = global.ty.content.slots() as usize;
                for i in (0..width).rev() {
                    global.slots[i] = pop!(u64);
                }
            }};
            ($encoding:expr, i32_const) => {{
                let value = read_signed!() as i32;
                // `i32.const; i32.add`, the usual address arithmetic, in one step.
                // SAFETY: the code ends with `end`, so the next opcode is there,
                // and the addend is on the stack if the `i32.add` follows.
                if unsafe { *pc } == I32_ADD {
                    pc = unsafe { pc.add(1) };
                    let sum = pop!(i32).wrapping_add(value);
                    push!(sum);
                } else {
                    push!(value);
                }
            }};
            ($encoding:expr, i64_const) => {{
                push!(read_signed!());
            }};
            ($encoding:expr, f32_const) => {{
                // SAFETY: the immediate's four bytes are in the code.
                let bits = unsafe { pc.cast::<[u8; 4]>().read_unaligned() };
                pc = unsafe { pc.add(4) };
                push!(f32::from_bits(u32::from_le_bytes(bits)));
            }};
            ($encoding:expr, f64_const) => {{
                // SAFETY: the immediate's eight bytes are in the code.
                let bits = unsafe { pc.cast::<[u8; 8]>().read_unaligned() };
                pc = unsafe { pc.add(8) };
                push!(f64::from_bits(u64::from_le_bytes(bits)));
            }};
            ($encoding:expr, $other:ident) => {{
                slow!(here!(), $encoding);
            }};
        }

        // One row of the table: a pure operator on typed operands, inline, or the
        // instruction's special case.
        macro_rules! row {
            ($encoding:expr, none, [$($param:ident)* -> $($result:ident)*], $semantic:ident) => {{
                #[allow(unused_mut, unused_variables)]
                // SAFETY: validation guarantees the operands are on the stack.
                let mut at = unsafe { sp.sub(0 $(+ <value_type!($param) as Slot>::SLOTS)*) };
                let base = at;
                let result = num::$semantic($({
                    // SAFETY: as above.
                    let value = unsafe { <value_type!($param) as Slot>::load(at) };
                    at = unsafe { at.add(<value_type!($param) as Slot>::SLOTS) };
                    value
                }),*).into_result();
                match result {
                    Ok(result) => {
                        sp = base;
                        $(
                            let mut value: value_type!($result) = result;
                            // Under the deterministic profile, as the checked step.
                            if let Some(lanes) = const { super::nan_lanes($encoding) } && deterministic {
                                value = value.canonical_nans(lanes);
                            }
                            push!(value);
                        )*
                        #[allow(clippy::let_unit_value)]
                        let _ = result;
                    }
                    Err(kind) => trap!(here!(), kind),
                }
            }};
            // Scalar loads and stores, by the width their immediate names. (Those with
            // a prefix, the vector ones, take the slow path before they get here.)
            ($encoding:expr, mem1, [addr -> $result:ident], $semantic:ident) => { load_mem!($encoding, $semantic) };
            ($encoding:expr, mem2, [addr -> $result:ident], $semantic:ident) => { load_mem!($encoding, $semantic) };
            ($encoding:expr, mem4, [addr -> $result:ident], $semantic:ident) => { load_mem!($encoding, $semantic) };
            ($encoding:expr, mem8, [addr -> $result:ident], $semantic:ident) => { load_mem!($encoding, $semantic) };
            ($encoding:expr, mem1, [addr $value:ident ->], $semantic:ident) => {
                store_mem!($encoding, value_type!($value), $semantic)
            };
            ($encoding:expr, mem2, [addr $value:ident ->], $semantic:ident) => {
                store_mem!($encoding, value_type!($value), $semantic)
            };
            ($encoding:expr, mem4, [addr $value:ident ->], $semantic:ident) => {
                store_mem!($encoding, value_type!($value), $semantic)
            };
            ($encoding:expr, mem8, [addr $value:ident ->], $semantic:ident) => {
                store_mem!($encoding, value_type!($value), $semantic)
            };
            ($encoding:expr, $imm:ident, $sig:tt, $semantic:ident) => {
                special!($encoding, $semantic)
            };
        }

        // An empty assembly comment naming the handler: it emits no code, but keeps
        // the compiler from merging the handlers' identical tails (and with them
        // their copies of the dispatch jump) back into one.
        macro_rules! distinct_tail {
            ($encoding:expr) => {
                #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
                // SAFETY: the assembly is a comment: it has no effect at all.
                unsafe {
                    std::arch::asm!("/* {} */", const $encoding, options(nomem, nostack, preserves_flags));
                }
            };
        }

        macro_rules! dispatch {
            ($($name:ident = $encoding:literal, $semantic:ident, $text:literal, $imm:ident, $sig:tt;)*) => {{
                // Each instruction fetches the next opcode, so that the compiler can
                // give every handler its own copy of the indirect jump.
                let mut byte = read_u8!();
                #[allow(clippy::never_loop)]
                loop {
                    #[allow(unreachable_patterns)]
                    match u32::from(byte) {
                        prefix @ (0xFC | 0xFD) => {
                            let at_op = here!();
                            let sub = read_u32!();
                            slow!(at_op, prefix << 16 | sub);
                            byte = read_u8!();
                        }
                        $($encoding => {
                            row!($encoding, $imm, $sig, $semantic);
                            byte = read_u8!();
                            distinct_tail!($encoding);
                        })*
                        // SAFETY: validated code holds only the opcodes of the table.
                        _ => unsafe { std::hint::unreachable_unchecked() },
                    }
                }
            }};
        }

        stratus_decoder::for_each_instruction!(dispatch)
    }
}

/// What the fast loop needs to run a function: found once, then kept in a [`CodeCache`].
#[derive(Clone, Copy)]
pub(super) struct Code<'s> {
    func: u32,
    inst: &'s Instance,
    info: &'s FuncInfo,
    code: &'s [u8],
    hotness: &'s Cell<u32>,
    /// The heat at which a call goes to the slow path, for compiled code: the call
    /// threshold, or 0 when the function has code.
    tier_up_at: u32,
    simple: bool,
}

/// Entries of a [`CodeCache`]: a power of two, enough for the callers and callees of a
/// hot call chain.
const KNOWN_CODE: usize = 32;

/// A [`Code`] kept across runs of the loop (host calls, budget checks), as pointers.
#[derive(Clone, Copy)]
struct CachedCode {
    func: u32,
    inst: *const Instance,
    info: *const FuncInfo,
    code: *const [u8],
    hotness: *const Cell<u32>,
    tier_up_at: u32,
    simple: bool,
}

impl CachedCode {
    fn new(code: Code<'_>) -> CachedCode {
        CachedCode {
            func: code.func,
            inst: code.inst,
            info: code.info,
            code: code.code,
            hotness: code.hotness,
            tier_up_at: code.tier_up_at,
            simple: code.simple,
        }
    }

    /// # Safety
    /// The pointers must still lead where they did when cached, for `'s`.
    unsafe fn get<'s>(self) -> Code<'s> {
        // SAFETY: the caller guarantees the pointers are valid for `'s`.
        unsafe {
            Code {
                func: self.func,
                inst: &*self.inst,
                info: &*self.info,
                code: &*self.code,
                hotness: &*self.hotness,
                tier_up_at: self.tier_up_at,
                simple: self.simple,
            }
        }
    }
}

/// The code of functions the fast loop has called or returned to, by function address
/// (direct-mapped): a call or return looks here before it walks from the function's
/// address through its instance and module to its code. The execution core keeps one
/// per activation, so host calls and budget checks do not empty it; it empties itself
/// when the store's code generation changes (an instance or function was added, or a
/// tier swapped a function's entry).
pub struct CodeCache {
    /// The VM context of the store the entries point into.
    store: *const VmContext,
    generation: u64,
    entries: [Option<CachedCode>; KNOWN_CODE],
}

// SAFETY: the pointers lead into the store the cache is used with, and are only
// dereferenced by an `Exec` holding that store exclusively.
unsafe impl Send for CodeCache {}

impl Default for CodeCache {
    fn default() -> Self {
        CodeCache { store: std::ptr::null(), generation: 0, entries: [None; KNOWN_CODE] }
    }
}

impl CodeCache {
    /// Empties the cache unless it was filled for the store of `vm` in its current
    /// generation.
    pub(super) fn check_generation(&mut self, vm: &VmContext) {
        if !std::ptr::eq(self.store, vm) || self.generation != vm.generation {
            self.entries = [None; KNOWN_CODE];
            self.store = vm;
            self.generation = vm.generation;
        }
    }
}

/// The `N` bytes of linear memory at `start`, or `None` if they are not all within the
/// first `mem_len` bytes.
///
/// # Safety
/// `mem_base..mem_base + mem_len` must be readable.
#[inline(always)]
unsafe fn load_checked<const N: usize>(mem_base: *const u8, mem_len: u64, start: u64) -> Option<[u8; N]> {
    if start + N as u64 > mem_len {
        return None;
    }
    // SAFETY: `start + N` is within the readable bytes.
    Some(unsafe { mem_base.add(start as usize).cast::<[u8; N]>().read_unaligned() })
}

/// Writes `bytes` to linear memory at `start`; false, writing nothing, if they are not
/// all within the first `mem_len` bytes.
///
/// # Safety
/// `mem_base..mem_base + mem_len` must be writable.
#[inline(always)]
unsafe fn store_checked<const N: usize>(mem_base: *mut u8, mem_len: u64, start: u64, bytes: [u8; N]) -> bool {
    if start + N as u64 > mem_len {
        return false;
    }
    // SAFETY: `start + N` is within the writable bytes.
    unsafe { mem_base.add(start as usize).cast::<[u8; N]>().write_unaligned(bytes) };
    true
}

/// Writes `value` at `sp`; returns the slot after it.
///
/// # Safety
/// `sp` must point to `V::SLOTS` writable slots.
#[inline(always)]
unsafe fn push_raw<V: Slot>(sp: *mut u64, value: V) -> *mut u64 {
    // SAFETY: the caller guarantees the slots are writable.
    unsafe {
        value.store(sp);
        sp.add(V::SLOTS)
    }
}

/// Whether every local of the function with `info` and every operand of its `drop`s and
/// `select`s is one slot wide, which the fast loop's local and parametric instructions
/// take for granted.
fn is_simple(info: &FuncInfo) -> bool {
    info.local_slots as usize == info.locals.len() && !info.sized_values
}
