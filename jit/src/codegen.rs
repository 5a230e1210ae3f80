//! The protocol of compiled code, written once for every back-end in terms of its
//! machine operations: the entry trampoline, the function's prologue and native
//! frame, calls of every kind
//! with their checks and frame records, returns, budget checks at entries and loop
//! back-edges, entries from the interpreter at loop headers, runtime calls, the
//! out-of-line stubs that trap, stop or call the runtime, and the exit paths a unit's
//! functions share.
//!
//! Registers: the protocol uses the back-end's [`Fixed`] registers only. In stubs and at
//! calls every value is in its slot, so all scratch registers are free there, but an
//! operand a check reads (`call_indirect`'s index, kept for its trap) is read before
//! `Scratch(3)` and `Scratch(4)` are written. The exits take their operands in the
//! first four argument registers (the fault handler sets the first two): the pc, the
//! function's module index, then the trap code and element index, or the side-table
//! position and height.

use std::ops::{Deref, DerefMut, Range};

use stratus_decoder::{IndexType, NanLanes, Opcode, ValType};
use stratus_runtime::{Bounds, ExitKind, TrapKind};

use crate::abi::{self, Libcall};
use crate::code::{CodeKind, CompileError, FaultSite};
use crate::masm::{Address, Callee, Fixed, Label, MacroAssembler, Reg, Src, TrapAt, Traps};
use crate::ops::{Cond, Convert, DivOp, IntOp, LoadOp, StoreOp, Width};

/// Out-of-line code, emitted after the function's body.
pub(crate) enum Stub {
    /// A trap with a fixed code; `index` holds the element index for element traps.
    Trap { label: Label, code: u32, pc: u32, index: Option<Reg> },
    /// A libcall failed: its result is the trap code.
    LibcallTrap { label: Label, pc: u32 },
    /// The budget ran out: ask the driver, then go on at `resume` or stop at `at`.
    Budget { label: Label, resume: Label, at: TrapAt },
    /// An entry from the trampoline at a loop header, whose cached locals `reload`
    /// loads: it makes the native frame the function's entry makes.
    Osr { label: Label, reload: Label },
    /// A call through a function ref found no code: the runtime calls the function
    /// (store address in `Scratch(3)`, arguments at `offset` from the frame base) if it
    /// is a host function, then the code goes on at `done`; otherwise, or on a trap, it
    /// leaves through `trap` (a `LibcallTrap`), and the driver takes over.
    /// A call through the runtime, of the function in `Scratch(3)` with its arguments
    /// at `offset` from the frame base; `record`: the caller's frame record was pushed
    /// (a call, not a tail call), and is popped after.
    RuntimeCall { label: Label, done: Label, trap: Label, offset: i32, record: bool },
    /// A 64-bit address in `addr` at or past 2^31, which the guard region does not
    /// cover: checked against memory 0's length (`end` bytes past it must be in), then
    /// the access at `resume` goes on.
    WideAddress { label: Label, resume: Label, addr: Reg, end: u64, oob: Label },
    /// Some lane of `reg` is a NaN: it becomes the canonical NaN (the deterministic
    /// profile), and the code goes on at `resume`.
    CanonicalNans { label: Label, resume: Label, reg: Reg, lanes: NanLanes },
}

/// The rest of a trap's exit, which a function's traps of one kind share (see `CodeGen`).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum Tail {
    /// A trap with a fixed code, and an element index (in `Arg(3)`) or none (zero).
    Trap { code: u32, index: bool },
    /// A libcall failed: the stub put its result, the trap code, in `Arg(2)`.
    Libcall,
}

/// What a load or store addresses besides its address operand: its memory, that
/// memory's index type, and the memory argument's offset.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct MemoryAccess {
    pub memory: u32,
    pub index_type: IndexType,
    pub offset: u64,
}

/// What a unit's functions recorded, for [`unit`](crate::unit) to resolve.
pub struct UnitRecords {
    /// The entry of each function of the unit, in order of defined index.
    pub entries: Vec<Label>,
    /// The entries at loop headers, in code order: module function index, header pc,
    /// entry.
    pub osr_entries: Vec<(u32, u32, Label)>,
    /// The memory accesses that may fault on purpose.
    pub faults: Vec<FaultSite>,
    /// Where a fault at a guarded access continues (see `unit::compile_unit`).
    pub landing: Label,
    /// The entry trampoline, an [`EntryFn`](crate::abi::EntryFn).
    pub trampoline: Label,
}

/// A back-end driven through the protocol, for one unit of code. The front-end calls
/// the protocol's operations here, and the back-end's instruction selection through
/// `Deref`.
pub struct CodeGen<M> {
    masm: M,
    /// Labels made so far; the next one's number.
    labels: u32,
    stubs: Vec<Stub>,
    bounds: Bounds,
    /// The code runs the deterministic profile: see [`CodeKind`].
    pub deterministic: bool,
    /// Module index of the function being compiled.
    func: u32,
    /// The defined functions this unit holds: calls among them are direct, calls to
    /// the others go through their function refs.
    unit: Range<u32>,
    /// The first defined function's module index.
    imported: u32,
    records: UnitRecords,
    trap_exit: Label,
    budget_exit: Label,
    /// The function's trap tails so far: each sets the exit's operands that the
    /// function's traps of one code share, and goes to `trap_exit`. A trap stub sets
    /// the rest (the pc, and the element index if it has one) and goes on into its
    /// tail, the first of them by falling through, the others by a jump: the stubs are
    /// most of the out-of-line code.
    trap_tails: Vec<(Tail, Label)>,
    /// Where the trampoline returns the exit kind in `Result` to the driver, with the
    /// stack pointer at the VM context's `EXIT_SP`.
    exit: Label,
}

impl<M> Deref for CodeGen<M> {
    type Target = M;
    fn deref(&self) -> &M {
        &self.masm
    }
}

impl<M> DerefMut for CodeGen<M> {
    fn deref_mut(&mut self) -> &mut M {
        &mut self.masm
    }
}

impl<M: MacroAssembler> CodeGen<M> {
    /// The protocol over `masm`, for the defined functions `unit` of a module with
    /// `imported` imported functions; it starts with the exit paths they share.
    pub fn new(masm: M, kind: CodeKind, imported: u32, unit: Range<u32>) -> CodeGen<M> {
        let (bounds, deterministic) = (kind.bounds, kind.deterministic);
        let mut codegen = CodeGen {
            masm,
            labels: 0,
            stubs: Vec::new(),
            bounds,
            deterministic,
            func: 0,
            unit: unit.clone(),
            imported,
            records: UnitRecords {
                entries: Vec::new(),
                osr_entries: Vec::new(),
                faults: Vec::new(),
                landing: Label(0),
                trampoline: Label(0),
            },
            trap_exit: Label(0),
            budget_exit: Label(0),
            trap_tails: Vec::new(),
            exit: Label(0),
        };
        codegen.records.entries = unit.map(|_| codegen.new_label()).collect();
        codegen.emit_trampoline();
        codegen.emit_exits();
        codegen
    }

    /// The back-end and what the unit's functions recorded.
    pub fn finish(self) -> (M, UnitRecords) {
        (self.masm, self.records)
    }

    #[inline]
    fn r(&self, role: Fixed) -> Reg {
        self.masm.fixed(role)
    }

    #[inline]
    pub fn new_label(&mut self) -> Label {
        self.labels += 1;
        Label(self.labels - 1)
    }

    /// The trap stubs and fault sites of the instruction at `pc`, beside the back-end.
    #[inline]
    fn split(&mut self, pc: u32) -> (&mut M, Traps<'_>) {
        let traps = Traps {
            pc,
            func: self.func,
            guarded: self.bounds == Bounds::Guard,
            stubs: &mut self.stubs,
            labels: &mut self.labels,
            faults: &mut self.records.faults,
        };
        (&mut self.masm, traps)
    }

    #[inline]
    fn trap_label(&mut self, kind: TrapKind, pc: u32, index: Option<Reg>) -> Label {
        let (_, mut traps) = self.split(pc);
        traps.stub(kind, index)
    }

    /// Makes every NaN in the `lanes` of `reg` the positive canonical NaN, out of line
    /// where the back-end tests for NaNs with a branch.
    pub fn canonical_nans(&mut self, reg: Reg, lanes: NanLanes) {
        let slow = self.new_label();
        if self.masm.canonicalize_nans(reg, lanes, slow) {
            let resume = self.new_label();
            self.masm.bind(resume);
            self.stubs.push(Stub::CanonicalNans { label: slow, resume, reg, lanes });
        }
    }

    /// The exit for a libcall at `pc` that failed.
    #[inline]
    fn libcall_trap(&mut self, pc: u32) -> Label {
        let label = self.new_label();
        self.stubs.push(Stub::LibcallTrap { label, pc });
        label
    }

    /// The entry trampoline: `fn(vm, instance, fp, code) -> exit kind` with the C
    /// calling convention. It keeps what a C callee keeps, sets the pinned registers,
    /// saves the outer activation's `EXIT_SP` (a host function may call back in) and
    /// sets its own, calls `code`, and returns `Returned`, or what an exit leaves.
    fn emit_trampoline(&mut self) {
        let [vm, instance, frame, memory, budget] =
            [Fixed::Vm, Fixed::Instance, Fixed::Frame, Fixed::MemoryBase, Fixed::Budget].map(|f| self.r(f));
        let [a0, a1, a2, a3] = [0, 1, 2, 3].map(|n| self.r(Fixed::Arg(n)));
        let (s0, s1, result) = (self.r(Fixed::Scratch(0)), self.r(Fixed::Scratch(1)), self.r(Fixed::Result));
        let saved = self.masm.callee_saved();
        self.records.trampoline = self.new_label();
        self.exit = self.new_label();
        let m = &mut self.masm;
        m.align_entry();
        m.bind(self.records.trampoline);
        m.enter_frame();
        for pair in saved.chunks(2) {
            m.save_pair(pair[0], pair[1]);
        }
        m.mov(vm, a0);
        m.mov(instance, a1);
        m.mov(frame, a2);
        m.load_int(memory, instance, abi::instance::MEMORY_BASE, Width::W64);
        m.load_int(budget, vm, abi::vm::BUDGET, Width::W64);
        m.load_int(s0, vm, abi::vm::EXIT_SP, Width::W64);
        m.save_pair(s0, s0);
        m.read_stack_pointer(s0);
        m.store_int(vm, abi::vm::EXIT_SP, s0, Width::W64);
        m.call_reg(a3);
        m.store_int(vm, abi::vm::BUDGET, budget, Width::W64);
        m.mov_const(result, ExitKind::Returned as u64);
        m.bind(self.exit);
        m.restore_pair(s1, s1);
        m.store_int(vm, abi::vm::EXIT_SP, s1, Width::W64);
        for pair in saved.chunks(2).rev() {
            m.restore_pair(pair[0], pair[1]);
        }
        m.leave_frame_and_return();
    }

    /// Leaves compiled code for the trampoline's exit, which returns `kind`: the native
    /// stack is cut back to the trampoline's.
    fn leave_to_trampoline(&mut self, kind: ExitKind) {
        let (vm, s0, result) = (self.r(Fixed::Vm), self.r(Fixed::Scratch(0)), self.r(Fixed::Result));
        self.masm.load_int(s0, vm, abi::vm::EXIT_SP, Width::W64);
        self.masm.write_stack_pointer(s0);
        self.masm.mov_const(result, kind as u64);
        self.masm.jump(self.exit);
    }

    /// The exit paths: a trap, a budget stop, and the landing of a fault, which the
    /// handler enters with the pc and the function in the first two argument registers.
    fn emit_exits(&mut self) {
        let (vm, arg) = (self.r(Fixed::Vm), |n| self.r(Fixed::Arg(n)));
        let (a2, a3) = (arg(2), arg(3));
        self.trap_exit = self.new_label();
        self.budget_exit = self.new_label();
        self.records.landing = self.new_label();

        self.masm.bind(self.trap_exit);
        self.exit_position();
        self.masm.store_int(vm, abi::vm::EXIT_DETAIL, a2, Width::W32);
        self.masm.store_int(vm, abi::vm::EXIT_ARG, a3, Width::W32);
        self.leave_to_trampoline(ExitKind::Trap);

        self.masm.bind(self.budget_exit);
        self.exit_position();
        self.masm.store_int(vm, abi::vm::EXIT_STP, a2, Width::W32);
        self.masm.store_int(vm, abi::vm::EXIT_HEIGHT, a3, Width::W32);
        let frame = self.r(Fixed::Frame);
        self.masm.store_int(vm, abi::vm::EXIT_FP, frame, Width::W64);
        self.leave_to_trampoline(ExitKind::Budget);

        self.masm.bind(self.records.landing);
        self.masm.mov_const(a2, u64::from(TrapKind::MemoryOutOfBounds.code().0));
        self.masm.mov_const(a3, 0);
        self.masm.jump(self.trap_exit);
    }

    /// The part of every exit that writes the budget back and the position (pc in
    /// `Arg(0)`, module function index in `Arg(1)`) to the exit record.
    fn exit_position(&mut self) {
        let (vm, instance, s0) = (self.r(Fixed::Vm), self.r(Fixed::Instance), self.r(Fixed::Scratch(0)));
        let (a0, a1, budget) = (self.r(Fixed::Arg(0)), self.r(Fixed::Arg(1)), self.r(Fixed::Budget));
        self.masm.store_int(vm, abi::vm::BUDGET, budget, Width::W64);
        self.masm.load_int(s0, instance, abi::instance::FUNCS, Width::W64);
        self.masm.load_int_indexed(s0, s0, a1, Width::W32);
        self.masm.store_int(vm, abi::vm::EXIT_FUNC, s0, Width::W32);
        self.masm.store_int(vm, abi::vm::EXIT_PC, a0, Width::W32);
    }

    /// Starts the code of function `index` (module index), whose frame has
    /// `local_slots` slots of locals of which the first `param_slots` are parameters:
    /// its entry zeroes the other locals and charges the budget, stopping at pc 0.
    pub fn begin_function(
        &mut self,
        index: u32,
        param_slots: u32,
        local_slots: u32,
    ) -> Result<(), CompileError> {
        self.func = index;
        let entry = index
            .checked_sub(self.imported)
            .filter(|defined| self.unit.contains(defined))
            .map(|defined| self.records.entries[(defined - self.unit.start) as usize])
            .ok_or_else(|| CompileError::Code(format!("function {index} is not in this unit")))?;
        let frame = self.r(Fixed::Frame);
        self.masm.align_entry();
        self.masm.bind(entry);
        self.masm.enter_frame();
        if local_slots - param_slots <= 8 {
            for slot in param_slots..local_slots {
                self.masm.store_int_const(frame, slot_offset(slot), 0, Width::W64);
            }
        } else {
            let (cursor, end) = (self.r(Fixed::Scratch(0)), self.r(Fixed::Scratch(1)));
            let top = self.new_label();
            self.masm.int_op_to(IntOp::Add, Width::W64, cursor, frame, Src::Imm(slot_offset(param_slots)));
            self.masm.int_op_to(IntOp::Add, Width::W64, end, frame, Src::Imm(slot_offset(local_slots)));
            self.masm.bind(top);
            self.masm.store_int_const(cursor, 0, 0, Width::W64);
            self.masm.int_op(IntOp::Add, Width::W64, cursor, Src::Imm(8));
            self.masm.branch_cmp(Cond::LtU, Width::W64, cursor, Src::Reg(end), top);
        }
        let (label, resume) = (self.new_label(), self.new_label());
        self.stubs.push(Stub::Budget { label, resume, at: TrapAt { pc: 0, stp: 0, height: local_slots } });
        self.masm.budget_tick(true, label);
        self.masm.bind(resume);
        Ok(())
    }

    /// Ends the function's code: out-of-line paths go here. A function with several
    /// budget stubs calls the runtime from them through a subroutine of its own.
    pub fn end_function(&mut self) {
        let mut budget_call = None;
        if self.stubs.iter().filter(|s| matches!(s, Stub::Budget { .. })).nth(1).is_some() {
            let label = self.new_label();
            self.masm.bind(label);
            self.masm.enter_frame();
            self.call_libcall(Libcall::Budget);
            self.masm.leave_frame_and_return();
            budget_call = Some(label);
        }
        for stub in std::mem::take(&mut self.stubs) {
            self.emit_stub(stub, budget_call);
        }
        self.trap_tails.clear();
    }

    /// A loop back-edge: charges the budget and jumps to `header`, or stops there with
    /// every value in its slot (`at` describes the header) when the budget says so. When
    /// the check calls the runtime and may go on, it resumes at `reload`, which restores
    /// the registers the header expects.
    pub fn back_edge(&mut self, header: Label, reload: Label, at: TrapAt) {
        let label = self.new_label();
        self.stubs.push(Stub::Budget { label, resume: reload, at });
        self.masm.budget_tick(false, header);
        self.masm.jump(label);
    }

    /// Returns to the caller; the results are in the slots from the frame base.
    pub fn ret(&mut self) {
        self.masm.leave_frame_and_return();
    }

    /// Makes an entry into the function at the loop header `at` describes, for a
    /// running call that the interpreter started (on-stack replacement): every value is
    /// in its slot there, and the code goes on at `reload`, which loads the locals the
    /// header keeps in registers.
    pub fn osr_entry(&mut self, reload: Label, at: TrapAt) {
        let label = self.new_label();
        self.stubs.push(Stub::Osr { label, reload });
        self.records.osr_entries.push((self.func, at.pc, label));
    }

    /// Traps unconditionally.
    pub fn trap(&mut self, kind: TrapKind, at: TrapAt) {
        let label = self.trap_label(kind, at.pc, None);
        self.masm.jump(label);
    }

    /// `dst = dst op rhs`, trapping as WebAssembly says: on a zero divisor, and on
    /// `MIN / -1`, whose quotient does not fit.
    pub fn int_div(&mut self, op: DivOp, width: Width, dst: Reg, rhs: Reg, at: TrapAt) {
        let div0 = self.trap_label(TrapKind::IntegerDivideByZero, at.pc, None);
        self.masm.branch_zero(width, rhs, true, div0);
        if op == DivOp::DivS {
            let (overflow, normal) =
                (self.trap_label(TrapKind::IntegerOverflow, at.pc, None), self.new_label());
            self.masm.branch_cmp(Cond::Ne, width, rhs, Src::Imm(-1), normal);
            let min = match width {
                Width::W32 => Src::Imm(i32::MIN),
                // Not an immediate: one sign-extended from 32 bits.
                Width::W64 => {
                    let s0 = self.r(Fixed::Scratch(0));
                    self.masm.mov_const(s0, i64::MIN as u64);
                    Src::Reg(s0)
                }
            };
            self.masm.branch_cmp(Cond::Eq, width, dst, min, overflow);
            self.masm.bind(normal);
        }
        self.masm.int_div(op, width, dst, rhs);
    }

    pub fn convert(&mut self, op: Convert, dst: Reg, src: Reg, at: TrapAt) {
        let (masm, mut traps) = self.split(at.pc);
        masm.convert(op, dst, src, &mut traps);
    }

    /// Where an access of `bytes` at the address in `addr` plus the memory argument's
    /// offset goes: left to the guard region (memory 0, in a guarded unit: a 32-bit
    /// address, or a 64-bit one below 2^31, past which an out-of-line check takes
    /// over), or checked against the memory's length here, its offset from memory 0's
    /// base left in `Scratch(0)`. A 64-bit address plus offset that overflows traps.
    fn address(&mut self, addr: Reg, access: MemoryAccess, bytes: u32, at: TrapAt) -> Address {
        let MemoryAccess { memory, index_type, offset } = access;
        let narrow = index_type == IndexType::I32;
        if self.bounds == Bounds::Guard && memory == 0 && narrow {
            // The validator bounds a 32-bit memory's offsets by 2^32.
            return Address::Guarded { addr, offset: offset as u32 };
        }
        let oob = self.trap_label(TrapKind::MemoryOutOfBounds, at.pc, None);
        // The end of the access, past which it is out of bounds.
        let Some(end) = offset.checked_add(bytes.into()) else {
            self.masm.jump(oob);
            return Address::Checked;
        };
        if self.bounds == Bounds::Guard
            && memory == 0
            && !narrow
            && let Ok(offset) = u32::try_from(offset)
        {
            // A 64-bit memory in a guarded unit reserves as much as a 32-bit one, so an
            // address below 2^31 plus an offset below 2^32 lands in its reservation.
            let (label, resume) = (self.new_label(), self.new_label());
            self.masm.branch_wide(addr, label);
            self.masm.bind(resume);
            self.stubs.push(Stub::WideAddress { label, resume, addr, end, oob });
            return Address::Guarded { addr, offset };
        }
        let [s0, s1, s2] = [0, 1, 2].map(|n| self.r(Fixed::Scratch(n)));
        // The end in s1.
        if narrow {
            // At most 2^32 + 2^32 + 16: no overflow.
            let m = &mut self.masm;
            m.zero_extend_i32(s0, addr);
            add_const(m, s0, offset, s1);
            m.int_op_to(IntOp::Add, Width::W64, s1, s0, Src::Imm(bytes as i32));
        } else {
            self.wide_end(addr, end, oob);
            self.masm.int_op_to(IntOp::Sub, Width::W64, s0, s1, Src::Imm(bytes as i32));
        }
        self.load_memory_descriptor(s2, memory);
        let base = self.r(Fixed::MemoryBase);
        let m = &mut self.masm;
        m.branch_cmp_mem(Cond::GtU, s1, s2, abi::memory::LEN, oob);
        if memory != 0 {
            m.load_int(s1, s2, abi::memory::BASE, Width::W64);
            m.int_op(IntOp::Add, Width::W64, s0, Src::Reg(s1));
            m.int_op(IntOp::Sub, Width::W64, s0, Src::Reg(base));
        }
        Address::Checked
    }

    /// `Scratch(1)` = the 64-bit address in `addr` plus `end`, or a jump to `oob` if that
    /// overflows (one carry check covers the offset and the width).
    fn wide_end(&mut self, addr: Reg, end: u64, oob: Label) {
        let [s1, s2] = [1, 2].map(|n| self.r(Fixed::Scratch(n)));
        let m = &mut self.masm;
        m.mov(s1, addr);
        let end = match i32::try_from(end) {
            Ok(end) if end < 4096 => Src::Imm(end),
            _ => {
                m.mov_const(s2, end);
                Src::Reg(s2)
            }
        };
        m.add_branch_carry(s1, end, oob);
    }

    /// `dst` = the address of memory `memory`'s descriptor: memory 0's in one load.
    fn load_memory_descriptor(&mut self, dst: Reg, memory: u32) {
        let instance = self.r(Fixed::Instance);
        let m = &mut self.masm;
        if memory == 0 {
            m.load_int(dst, instance, abi::instance::MEMORY0, Width::W64);
        } else {
            m.load_int(dst, instance, abi::instance::MEMORIES, Width::W64);
            m.load_int(dst, dst, memory as i32 * 8, Width::W64);
        }
    }

    #[inline]
    pub fn load(&mut self, op: LoadOp, dst: Reg, addr: Reg, access: MemoryAccess, at: TrapAt) {
        let address = self.address(addr, access, op.bytes(), at);
        let (masm, mut traps) = self.split(at.pc);
        masm.load(op, dst, address, &mut traps);
    }

    #[inline]
    pub fn store(&mut self, op: StoreOp, addr: Reg, value: Reg, access: MemoryAccess, at: TrapAt) {
        let address = self.address(addr, access, op.bytes(), at);
        let (masm, mut traps) = self.split(at.pc);
        masm.store(op, value, address, &mut traps);
    }

    /// A SIMD load, if the back-end compiles `op` (see [`MacroAssembler::simd`]).
    pub fn simd_load(
        &mut self,
        op: Opcode,
        dst: Reg,
        addr: Reg,
        access: MemoryAccess,
        into: Option<(Reg, u8)>,
        at: TrapAt,
    ) -> bool {
        let Some(bytes) = op.imm_kind().access_bytes() else { return false };
        let address = self.address(addr, access, bytes, at);
        let (masm, mut traps) = self.split(at.pc);
        masm.simd_load(op, dst, address, into, &mut traps)
    }

    /// A SIMD store, if the back-end compiles `op`.
    pub fn simd_store(
        &mut self,
        op: Opcode,
        addr: Reg,
        value: Reg,
        access: MemoryAccess,
        lane: u8,
        at: TrapAt,
    ) -> bool {
        let Some(bytes) = op.imm_kind().access_bytes() else { return false };
        let address = self.address(addr, access, bytes, at);
        let (masm, mut traps) = self.split(at.pc);
        masm.simd_store(op, value, address, lane, &mut traps)
    }

    /// `dst` = the size of memory `memory` in pages.
    pub fn memory_size(&mut self, dst: Reg, memory: u32) {
        self.load_memory_descriptor(dst, memory);
        self.masm.load_int(dst, dst, abi::memory::LEN, Width::W64);
        self.masm.int_op(IntOp::ShrU, Width::W64, dst, Src::Imm(16));
    }

    /// Loads a value of type `ty` from its slots (two for `v128`).
    #[inline]
    pub fn load_slot(&mut self, dst: Reg, slot: u32, ty: ValType) {
        let frame = self.r(Fixed::Frame);
        self.masm.load_value(dst, frame, slot_offset(slot), ty);
    }

    #[inline]
    pub fn store_slot(&mut self, slot: u32, src: Reg, ty: ValType) {
        let frame = self.r(Fixed::Frame);
        self.masm.store_value(frame, slot_offset(slot), src, ty);
    }

    /// Writes the bits of a constant (not `v128`) to a slot.
    #[inline]
    pub fn store_slot_const(&mut self, slot: u32, bits: u64) {
        let frame = self.r(Fixed::Frame);
        match i32::try_from(bits as i64) {
            Ok(value) => self.masm.store_int_const(frame, slot_offset(slot), value, Width::W64),
            Err(_) => {
                let s0 = self.r(Fixed::Scratch(0));
                self.masm.mov_const(s0, bits);
                self.masm.store_int(frame, slot_offset(slot), s0, Width::W64);
            }
        }
    }

    #[inline]
    pub fn copy_slot(&mut self, dst: u32, src: u32) {
        let (frame, s0) = (self.r(Fixed::Frame), self.r(Fixed::Scratch(0)));
        self.masm.load_int(s0, frame, slot_offset(src), Width::W64);
        self.masm.store_int(frame, slot_offset(dst), s0, Width::W64);
    }

    /// `Scratch(0)` = the address of global `index` (module index) in the store.
    fn global_address(&mut self, index: u32) {
        let s0 = self.r(Fixed::Scratch(0));
        let (vm, instance) = (self.r(Fixed::Vm), self.r(Fixed::Instance));
        let m = &mut self.masm;
        m.load_int(s0, instance, abi::instance::GLOBALS, Width::W64);
        m.load_int(s0, s0, (index * 4) as i32, Width::W32);
        m.int_op(IntOp::Mul, Width::W64, s0, Src::Imm(abi::global::SIZE));
        m.int_op_mem(IntOp::Add, s0, vm, abi::vm::GLOBALS);
    }

    pub fn global_get(&mut self, dst: Reg, index: u32, ty: ValType) {
        self.global_address(index);
        let s0 = self.r(Fixed::Scratch(0));
        self.masm.load_value(dst, s0, abi::global::VALUE, ty);
    }

    pub fn global_set(&mut self, index: u32, src: Reg, ty: ValType) {
        self.global_address(index);
        let s0 = self.r(Fixed::Scratch(0));
        self.masm.store_value(s0, abi::global::VALUE, src, ty);
    }

    /// `dst` = the reference to function `index` (module index): its store address
    /// plus one, null being zero.
    pub fn ref_func(&mut self, dst: Reg, index: u32) {
        let instance = self.r(Fixed::Instance);
        self.masm.load_int(dst, instance, abi::instance::FUNCS, Width::W64);
        self.masm.load_int(dst, dst, (index * 4) as i32, Width::W32);
        self.masm.int_op(IntOp::Add, Width::W64, dst, Src::Imm(1));
    }

    /// Calls `callee`, whose arguments are in the slots from `args_slot`, where its
    /// results will be; `at` is the call's own position, `ret` the position after it.
    /// Every value is in its slot; allocated registers do not survive.
    pub fn call(&mut self, callee: Callee, args_slot: u32, at: TrapAt, ret: TrapAt) {
        match callee {
            Callee::Defined { index, frame_slots } => {
                let defined = index - self.imported;
                if self.unit.contains(&defined) {
                    let entry = self.records.entries[(defined - self.unit.start) as usize];
                    let frame = self.r(Fixed::Frame);
                    self.call_checks_and_frame(Some(frame_slots), args_slot, at, ret);
                    self.masm.int_op(IntOp::Add, Width::W64, frame, Src::Imm(slot_offset(args_slot)));
                    self.masm.call_label(entry);
                    self.masm.int_op(IntOp::Sub, Width::W64, frame, Src::Imm(slot_offset(args_slot)));
                    self.pop_frame_record();
                } else {
                    self.load_func_ref(index);
                    self.call_ref(Some(frame_slots), args_slot, at, ret);
                }
            }
            Callee::Imported { index } => {
                self.load_func_ref(index);
                self.call_ref(None, args_slot, at, ret);
            }
            Callee::Indirect { table, type_index, index_reg, index_type } => {
                self.check_indirect(table, type_index, index_reg, index_type, at);
                self.call_ref(None, args_slot, at, ret);
            }
        }
    }

    /// Tail-calls `callee`, whose arguments are in the slots from the frame base: the
    /// callee takes this function's frame and native frame and returns to its caller,
    /// so that tail calls run in constant space. A callee of this unit is jumped to; one reached through
    /// its function ref too, when it has code and belongs to this instance (whose
    /// record and memory stay in their registers); the others are called by the
    /// runtime, which the driver runs in its stead (a host function's results go to the
    /// frame base, and this function returns them).
    pub fn tail_call(&mut self, callee: Callee, at: TrapAt) {
        match callee {
            Callee::Defined { index, frame_slots } if self.unit.contains(&(index - self.imported)) => {
                let entry = self.records.entries[(index - self.imported - self.unit.start) as usize];
                self.tail_call_checks(Some(frame_slots), at);
                self.masm.leave_frame_and_jump(entry);
            }
            Callee::Defined { index, .. } | Callee::Imported { index } => {
                self.load_func_ref(index);
                self.tail_call_ref(at);
            }
            Callee::Indirect { table, type_index, index_reg, index_type } => {
                self.check_indirect(table, type_index, index_reg, index_type, at);
                self.tail_call_ref(at);
            }
        }
    }

    /// A tail call through the function ref whose address is in `Scratch(4)`, of the
    /// function whose store address is in `Scratch(3)`.
    fn tail_call_ref(&mut self, at: TrapAt) {
        let (runtime, returned) = (self.new_label(), self.new_label());
        let trap = self.libcall_trap(at.pc);
        self.stubs.push(Stub::RuntimeCall { label: runtime, done: returned, trap, offset: 0, record: false });
        let [s0, s1, s2, s4] = [0, 1, 2, 4].map(|n| self.r(Fixed::Scratch(n)));
        let instance = self.r(Fixed::Instance);
        let m = &mut self.masm;
        m.load_int(s0, s4, abi::func_ref::CODE, Width::W64);
        m.branch_cmp(Cond::Eq, Width::W64, s0, Src::Imm(0), runtime);
        m.load_int(s1, s4, abi::func_ref::INSTANCE, Width::W64);
        m.branch_cmp(Cond::Ne, Width::W64, s1, Src::Reg(instance), runtime);
        m.load_int(s2, s4, abi::func_ref::FRAME_SLOTS, Width::W32);
        self.tail_call_checks(None, at);
        self.masm.leave_frame_and_jump_reg(s0);
        self.masm.bind(returned);
        self.masm.leave_frame_and_return();
    }

    /// Checks that the frame of a tail-called function, which takes `frame_slots` (in
    /// `Scratch(2)` when `None`) from this frame's base, fits in the value stack. Uses
    /// `Scratch(1)` and `Scratch(2)`.
    fn tail_call_checks(&mut self, frame_slots: Option<u32>, at: TrapAt) {
        let exhausted = self.trap_label(TrapKind::CallStackExhausted, at.pc, None);
        self.check_frame_fits(frame_slots, 0, exhausted);
    }

    /// Jumps to `exhausted` unless a frame of `frame_slots` (in `Scratch(2)` when `None`)
    /// from slot `from` of this frame fits in the value stack. Uses `Scratch(1)` and
    /// `Scratch(2)`.
    fn check_frame_fits(&mut self, frame_slots: Option<u32>, from: u32, exhausted: Label) {
        let [s1, s2] = [1, 2].map(|n| self.r(Fixed::Scratch(n)));
        let (vm, frame) = (self.r(Fixed::Vm), self.r(Fixed::Frame));
        let m = &mut self.masm;
        match frame_slots {
            Some(slots) => {
                m.int_op_to(IntOp::Add, Width::W64, s1, frame, Src::Imm(slot_offset(from + slots)))
            }
            None => {
                m.int_op(IntOp::Shl, Width::W64, s2, Src::Imm(3));
                if from == 0 {
                    m.int_op_to(IntOp::Add, Width::W64, s1, s2, Src::Reg(frame));
                } else {
                    m.int_op(IntOp::Add, Width::W64, s2, Src::Reg(frame));
                    m.int_op_to(IntOp::Add, Width::W64, s1, s2, Src::Imm(slot_offset(from)));
                }
            }
        }
        m.branch_cmp_mem(Cond::GtU, s1, vm, abi::vm::SLOTS_END, exhausted);
    }

    /// `call_indirect`'s checks of the element `index` of `table`: in bounds, not null,
    /// of type `type_index`. Leaves its store address in `Scratch(3)` and its function
    /// ref's address in `Scratch(4)`.
    fn check_indirect(&mut self, table: u32, type_index: u32, index: Reg, index_type: IndexType, at: TrapAt) {
        let undefined = self.trap_label(TrapKind::UndefinedElement(0), at.pc, Some(index));
        let uninitialized = self.trap_label(TrapKind::UninitializedElement(0), at.pc, Some(index));
        let mismatch = self.trap_label(TrapKind::IndirectCallTypeMismatch, at.pc, None);
        let [s0, s1, s2, s3] = [0, 1, 2, 3].map(|n| self.r(Fixed::Scratch(n)));
        let instance = self.r(Fixed::Instance);
        let m = &mut self.masm;
        m.load_int(s0, instance, abi::instance::TABLES, Width::W64);
        m.load_int(s0, s0, (table * 8) as i32, Width::W64);
        match index_type {
            IndexType::I32 => m.zero_extend_i32(s2, index),
            IndexType::I64 => m.mov(s2, index),
        }
        m.load_int(s1, s0, abi::table::LEN, Width::W64);
        m.branch_cmp(Cond::GeU, Width::W64, s2, Src::Reg(s1), undefined);
        m.load_int(s0, s0, abi::table::ELEMENTS, Width::W64);
        m.load_int_indexed(s0, s0, s2, Width::W64);
        m.branch_cmp(Cond::Eq, Width::W64, s0, Src::Imm(0), uninitialized);
        m.int_op_to(IntOp::Sub, Width::W64, s3, s0, Src::Imm(1));
        self.func_ref_of_addr();
        let s4 = self.r(Fixed::Scratch(4));
        let m = &mut self.masm;
        m.load_int(s1, instance, abi::instance::TYPE_IDS, Width::W64);
        m.load_int(s1, s1, (type_index * 4) as i32, Width::W32);
        m.load_int(s2, s4, abi::func_ref::TYPE_ID, Width::W32);
        m.branch_cmp(Cond::Ne, Width::W32, s1, Src::Reg(s2), mismatch);
    }

    /// Loads the store address of function `index` (module index) into `Scratch(3)`
    /// and the address of its function ref into `Scratch(4)`.
    fn load_func_ref(&mut self, index: u32) {
        let (s0, s3, instance) =
            (self.r(Fixed::Scratch(0)), self.r(Fixed::Scratch(3)), self.r(Fixed::Instance));
        self.masm.load_int(s0, instance, abi::instance::FUNCS, Width::W64);
        self.masm.load_int(s3, s0, (index * 4) as i32, Width::W32);
        self.func_ref_of_addr();
    }

    /// `Scratch(4)` = the address of the function ref whose store address is in
    /// `Scratch(3)`.
    fn func_ref_of_addr(&mut self) {
        let (s3, s4, vm) = (self.r(Fixed::Scratch(3)), self.r(Fixed::Scratch(4)), self.r(Fixed::Vm));
        self.masm.int_op_to(IntOp::Mul, Width::W64, s4, s3, Src::Imm(abi::func_ref::SIZE));
        self.masm.int_op_mem(IntOp::Add, s4, vm, abi::vm::FUNC_REFS);
    }

    /// Checks that a callee whose frame needs `frame_slots` (in `Scratch(2)` when
    /// `None`) from slot `args_slot` fits, and pushes the caller's frame record for
    /// `ret`. Uses `Scratch(0)` to `Scratch(2)`.
    fn call_checks_and_frame(&mut self, frame_slots: Option<u32>, args_slot: u32, at: TrapAt, ret: TrapAt) {
        let exhausted = self.trap_label(TrapKind::CallStackExhausted, at.pc, None);
        self.check_frame_fits(frame_slots, args_slot, exhausted);
        let [s0, s1, s2] = [0, 1, 2].map(|n| self.r(Fixed::Scratch(n)));
        let (vm, frame, instance) = (self.r(Fixed::Vm), self.r(Fixed::Frame), self.r(Fixed::Instance));
        let func = self.func;
        let m = &mut self.masm;
        m.read_stack_pointer(s1);
        m.branch_cmp_mem(Cond::LtU, s1, vm, abi::vm::STACK_LIMIT, exhausted);
        m.load_int(s1, vm, abi::vm::FRAMES_LEN, Width::W64);
        m.branch_cmp_mem(Cond::GeU, s1, vm, abi::vm::FRAMES_MAX, exhausted);
        m.add_int_mem(vm, abi::vm::FRAMES_LEN, 1);
        debug_assert_eq!(abi::frame::SIZE, 16);
        m.int_op(IntOp::Shl, Width::W64, s1, Src::Imm(4));
        m.int_op_mem(IntOp::Add, s1, vm, abi::vm::FRAMES);
        m.load_int(s0, instance, abi::instance::FUNCS, Width::W64);
        m.load_int(s0, s0, (func * 4) as i32, Width::W32);
        m.store_int(s1, abi::frame::FUNC, s0, Width::W32);
        m.store_int_const(s1, abi::frame::PC, ret.pc as i32, Width::W32);
        m.store_int_const(s1, abi::frame::STP, ret.stp as i32, Width::W32);
        m.mov(s2, frame);
        m.int_op_mem(IntOp::Sub, s2, vm, abi::vm::SLOTS);
        m.int_op(IntOp::ShrU, Width::W64, s2, Src::Imm(3));
        m.store_int(s1, abi::frame::BASE, s2, Width::W32);
    }

    /// Pops the frame record a call pushed.
    #[inline]
    fn pop_frame_record(&mut self) {
        let vm = self.r(Fixed::Vm);
        self.masm.add_int_mem(vm, abi::vm::FRAMES_LEN, -1);
    }

    /// Calls through the function ref whose address is in `Scratch(4)`, of the function
    /// whose store address is in `Scratch(3)`: of a function of this instance whose
    /// frame takes `frame_slots`, or of any function (`None`). A function without code
    /// is called by the runtime, out of line, with the caller's frame record pushed all
    /// the same: a pause in the interpreter there unwinds the caller to that record.
    fn call_ref(&mut self, frame_slots: Option<u32>, args_slot: u32, at: TrapAt, ret: TrapAt) {
        let (runtime, done) = (self.new_label(), self.new_label());
        let offset = slot_offset(args_slot);
        let trap = self.libcall_trap(at.pc);
        self.stubs.push(Stub::RuntimeCall { label: runtime, done, trap, offset, record: true });
        let [s0, s2, s4] = [0, 2, 4].map(|n| self.r(Fixed::Scratch(n)));
        if frame_slots.is_none() {
            self.masm.load_int(s2, s4, abi::func_ref::FRAME_SLOTS, Width::W32);
        }
        self.call_checks_and_frame(frame_slots, args_slot, at, ret);
        let (frame, instance, memory) =
            (self.r(Fixed::Frame), self.r(Fixed::Instance), self.r(Fixed::MemoryBase));
        let m = &mut self.masm;
        m.load_int(s0, s4, abi::func_ref::CODE, Width::W64);
        m.branch_cmp(Cond::Eq, Width::W64, s0, Src::Imm(0), runtime);
        if frame_slots.is_none() {
            // Another instance, maybe: its record and memory, restored after.
            m.save_pair(instance, memory);
            m.load_int(instance, s4, abi::func_ref::INSTANCE, Width::W64);
            m.load_int(memory, instance, abi::instance::MEMORY_BASE, Width::W64);
        }
        m.int_op(IntOp::Add, Width::W64, frame, Src::Imm(offset));
        m.call_reg(s0);
        m.int_op(IntOp::Sub, Width::W64, frame, Src::Imm(offset));
        if frame_slots.is_none() {
            m.restore_pair(instance, memory);
        }
        self.pop_frame_record();
        self.masm.bind(done);
    }

    /// Calls a runtime function with its operands in the slots from `args_slot`,
    /// where it leaves its results. Every value is in its slot.
    pub fn libcall(&mut self, call: Libcall, args_slot: u32, a: u32, b: u32, at: TrapAt) {
        let (frame, result) = (self.r(Fixed::Frame), self.r(Fixed::Result));
        let [a1, a2, a3] = [1, 2, 3].map(|n| self.r(Fixed::Arg(n)));
        self.masm.int_op_to(IntOp::Add, Width::W64, a1, frame, Src::Imm(slot_offset(args_slot)));
        self.masm.mov_const(a2, u64::from(a));
        self.masm.mov_const(a3, u64::from(b));
        self.call_libcall(call);
        let trap = self.libcall_trap(at.pc);
        self.masm.branch_zero(Width::W32, result, false, trap);
    }

    /// Calls libcall `call` with `Arg(1)` to `Arg(3)` already set.
    fn call_libcall(&mut self, call: Libcall) {
        let (vm, instance, budget, s0) =
            (self.r(Fixed::Vm), self.r(Fixed::Instance), self.r(Fixed::Budget), self.r(Fixed::Scratch(0)));
        let (a0, a4) = (self.r(Fixed::Arg(0)), self.r(Fixed::Arg(4)));
        let m = &mut self.masm;
        m.mov(a0, vm);
        m.mov(a4, instance);
        m.store_int(vm, abi::vm::BUDGET, budget, Width::W64);
        m.load_int(s0, vm, abi::vm::LIBCALLS, Width::W64);
        m.call_at(s0, call as i32 * 8);
        m.load_int(budget, vm, abi::vm::BUDGET, Width::W64);
    }

    /// Sets the exits' position operands: `pc` and the running function.
    #[inline]
    fn exit_operands(&mut self, pc: u32) {
        let (a0, a1) = (self.r(Fixed::Arg(0)), self.r(Fixed::Arg(1)));
        self.masm.mov_const(a0, u64::from(pc));
        self.masm.mov_const(a1, u64::from(self.func));
    }

    /// Ends a trap stub: goes to the function's trap tail `tail`, which is emitted
    /// here if the function has none yet (it has a few kinds of traps: a search is
    /// quicker than a map). The tail sets the exit's operands but the pc, which the stub
    /// set (with the element index, for a trap that has one, and a libcall's trap code).
    fn trap_tail(&mut self, tail: Tail) {
        if let Some(&(_, label)) = self.trap_tails.iter().find(|(t, _)| *t == tail) {
            self.masm.jump(label);
            return;
        }
        let label = self.new_label();
        self.trap_tails.push((tail, label));
        let [a1, a2, a3] = [1, 2, 3].map(|n| self.r(Fixed::Arg(n)));
        let vm = self.r(Fixed::Vm);
        self.masm.bind(label);
        match tail {
            Tail::Trap { code, index } => {
                if !index {
                    self.masm.mov_const(a3, 0);
                }
                self.masm.mov_const(a2, u64::from(code));
            }
            Tail::Libcall => self.masm.load_int(a3, vm, abi::vm::EXIT_ARG, Width::W32),
        }
        self.masm.mov_const(a1, u64::from(self.func));
        self.masm.jump(self.trap_exit);
    }

    /// Emits `stub`; a budget stub calls the runtime through `budget_call` if it is set.
    fn emit_stub(&mut self, stub: Stub, budget_call: Option<Label>) {
        let [a0, a1, a2, a3] = [0, 1, 2, 3].map(|n| self.r(Fixed::Arg(n)));
        let result = self.r(Fixed::Result);
        match stub {
            Stub::Trap { label, code, pc, index } => {
                self.masm.bind(label);
                // The index first: it may be in an argument register.
                if let Some(reg) = index {
                    self.masm.mov(a3, reg);
                }
                self.masm.mov_const(a0, u64::from(pc));
                self.trap_tail(Tail::Trap { code, index: index.is_some() });
            }
            Stub::LibcallTrap { label, pc } => {
                self.masm.bind(label);
                // The code first: the result may be an argument register.
                self.masm.mov(a2, result);
                self.masm.mov_const(a0, u64::from(pc));
                self.trap_tail(Tail::Libcall);
            }
            Stub::Budget { label, resume, at } => {
                self.masm.bind(label);
                // The budget libcall has no operands.
                match budget_call {
                    Some(call) => self.masm.call_label(call),
                    None => self.call_libcall(Libcall::Budget),
                }
                self.masm.branch_zero(Width::W32, result, true, resume);
                self.masm.mov_const(a2, u64::from(at.stp));
                self.masm.mov_const(a3, u64::from(at.height));
                self.exit_operands(at.pc);
                self.masm.jump(self.budget_exit);
            }
            Stub::Osr { label, reload } => {
                self.masm.bind(label);
                self.masm.enter_frame();
                self.masm.jump(reload);
            }
            Stub::RuntimeCall { label, done, trap, offset, record } => {
                let (frame, s3) = (self.r(Fixed::Frame), self.r(Fixed::Scratch(3)));
                self.masm.bind(label);
                self.masm.int_op_to(IntOp::Add, Width::W64, a1, frame, Src::Imm(offset));
                self.masm.mov(a2, s3);
                self.masm.mov_const(a3, u64::from(!record));
                self.call_libcall(Libcall::Call);
                if record {
                    self.pop_frame_record();
                }
                self.masm.branch_zero(Width::W32, result, false, trap);
                self.masm.jump(done);
            }
            Stub::WideAddress { label, resume, addr, end, oob } => {
                let [s1, s2] = [1, 2].map(|n| self.r(Fixed::Scratch(n)));
                self.masm.bind(label);
                self.wide_end(addr, end, oob);
                self.load_memory_descriptor(s2, 0);
                self.masm.branch_cmp_mem(Cond::GtU, s1, s2, abi::memory::LEN, oob);
                self.masm.jump(resume);
            }
            Stub::CanonicalNans { label, resume, reg, lanes } => {
                self.masm.bind(label);
                self.masm.set_canonical_nans(reg, lanes);
                self.masm.jump(resume);
            }
        }
    }
}

/// `reg += value` in 64 bits, through `tmp` when `value` is no 32-bit immediate.
fn add_const<M: MacroAssembler>(m: &mut M, reg: Reg, value: u64, tmp: Reg) {
    match i32::try_from(value) {
        Ok(0) => {}
        Ok(value) => m.int_op(IntOp::Add, Width::W64, reg, Src::Imm(value)),
        Err(_) => {
            m.mov_const(tmp, value);
            m.int_op(IntOp::Add, Width::W64, reg, Src::Reg(tmp));
        }
    }
}

/// The byte offset of slot `slot` from the frame base.
fn slot_offset(slot: u32) -> i32 {
    (slot * 8) as i32
}
