//! The AArch64 macro-assembler: the front-end's operations in ARMv8.0-A code.
//!
//! Registers: `x28` holds the VM context, `x27` the frame base (the address of slot 0 of
//! the running frame), `x26` the instance record, `x25` the base of its memory 0, and
//! `x24` the budget counter (written back to the VM context whenever compiled code
//! leaves or calls the runtime); `x14` to `x17` and `v28` to `v31` are scratch. The
//! front-end allocates `x5` to `x13`, `x19` to `x23`, `v0` to `v7` and `v16` to `v27`:
//! none of them is an argument register of the calls compiled code makes, so a call
//! sequence may set its arguments while an operand is still live, and `v8` to `v15`,
//! whose low halves a native callee must keep, stay unused.
//!
//! Every compiled function pushes the frame-pointer pair (`x29`, `x30`) on entry, so
//! `sp` stays 16-byte aligned and debuggers can walk the native stack.

use dynasmrt::aarch64::{self, Assembler};
use dynasmrt::{DynamicLabel, DynasmApi, DynasmLabelApi};
use stratus_decoder::{Opcode, ValType};
use stratus_jit::abi::{self, Libcall};
use stratus_jit::{
    Bounds, Callee, Cond, Convert, DivOp, FCond, FSize, FaultSite, FloatOp, FloatUnop, IntOp, IntUnop, Label,
    LoadOp, MacroAssembler, Reg, RegClass, Src, StoreOp, TrapAt, Width,
};
use stratus_runtime::TrapKind;

use crate::access::{self, Access, IMM, add_imm, mov_imm};

/// General scratch registers.
pub(crate) const T0: u8 = 16;
pub(crate) const T1: u8 = 17;
pub(crate) const T2: u8 = 15;
/// Vector scratch registers.
pub(crate) const V0: u8 = 31;
pub(crate) const V1: u8 = 30;

const fn int(index: u8) -> Reg {
    Reg { class: RegClass::Int, index }
}

const fn float(index: u8) -> Reg {
    Reg { class: RegClass::Float, index }
}

const INT_REGS: &[Reg] = &[
    int(5),
    int(6),
    int(7),
    int(8),
    int(9),
    int(10),
    int(11),
    int(12),
    int(13),
    int(19),
    int(20),
    int(21),
    int(22),
    int(23),
];

const FLOAT_REGS: &[Reg] = &[
    float(0),
    float(1),
    float(2),
    float(3),
    float(4),
    float(5),
    float(6),
    float(7),
    float(16),
    float(17),
    float(18),
    float(19),
    float(20),
    float(21),
    float(22),
    float(23),
    float(24),
    float(25),
    float(26),
    float(27),
];

/// Out-of-line code, emitted after the function's body.
enum Stub {
    /// A trap with a fixed code; `arg` holds the element index for element traps.
    Trap { label: DynamicLabel, code: u32, pc: u32, arg: Option<u8> },
    /// A libcall failed: its return value (in `w0`) is the trap code.
    LibcallTrap { label: DynamicLabel, pc: u32 },
    /// The budget ran out: ask the driver, then go on at `resume` or stop at `at`.
    Budget { label: DynamicLabel, resume: DynamicLabel, at: TrapAt },
    /// An entry from the trampoline at a loop header, whose cached locals `reload`
    /// loads: it makes the frame the function's entry makes.
    Osr { label: DynamicLabel, reload: DynamicLabel },
    /// A call through a function ref found no code: the runtime calls the function
    /// (store address in `w15`, arguments at `offset` from the frame base), then the
    /// code goes on at `done`, or leaves through `trap` (a `LibcallTrap`).
    RuntimeCall { label: DynamicLabel, done: DynamicLabel, trap: DynamicLabel, offset: u32 },
}

/// Module-wide labels of the shared exit paths. Both take the pc in `w0` and the
/// module function index in `w1`; the trap exit its code in `w2` and element index in
/// `w3`, the budget exit the side-table position in `w2` and the height in `w3`.
pub(crate) struct Shared {
    pub trap_exit: DynamicLabel,
    pub budget_exit: DynamicLabel,
}

pub struct A64Masm {
    pub(crate) ops: Assembler,
    labels: Vec<DynamicLabel>,
    stubs: Vec<Stub>,
    bounds: Bounds,
    shared: Shared,
    /// Module index of the function being compiled.
    func: u32,
    /// The defined functions this code unit holds: calls among them are direct, calls
    /// to the others go through their function refs.
    unit: std::ops::Range<u32>,
    /// The entry label of each function of the unit, in order.
    pub(crate) entries: Vec<DynamicLabel>,
    /// The first defined function's module index.
    imported: u32,
    pub(crate) faults: Vec<FaultSite>,
    /// Entries from the interpreter at loop headers: module function index, header
    /// pc, label.
    pub(crate) osr_entries: Vec<(u32, u32, DynamicLabel)>,
}

fn trap_code(kind: TrapKind) -> u32 {
    kind.code().0
}

fn wide(width: Width) -> bool {
    width == Width::W64
}

impl A64Masm {
    /// A macro-assembler for the defined functions `unit` of a module with `imported`
    /// imported functions.
    pub(crate) fn new(
        ops: Assembler,
        bounds: Bounds,
        shared: Shared,
        imported: u32,
        unit: std::ops::Range<u32>,
    ) -> A64Masm {
        let mut masm = A64Masm {
            ops,
            labels: Vec::new(),
            stubs: Vec::new(),
            bounds,
            shared,
            func: 0,
            unit: unit.clone(),
            entries: Vec::new(),
            imported,
            faults: Vec::new(),
            osr_entries: Vec::new(),
        };
        masm.entries = unit.map(|_| masm.ops.new_dynamic_label()).collect();
        masm
    }

    /// The entry label of function `index` (module index), if the unit holds it.
    fn unit_entry(&self, index: u32) -> Option<DynamicLabel> {
        let defined = index - self.imported;
        self.unit.contains(&defined).then(|| self.entries[(defined - self.unit.start) as usize])
    }

    fn label(&self, label: Label) -> DynamicLabel {
        self.labels[label.0 as usize]
    }

    pub(crate) fn trap_stub(&mut self, code: u32, pc: u32, arg: Option<u8>) -> DynamicLabel {
        let label = self.ops.new_dynamic_label();
        self.stubs.push(Stub::Trap { label, code, pc, arg });
        label
    }

    /// A load or store of `rt` at `base + offset`, any offset.
    pub(crate) fn access(&mut self, access: Access, rt: u8, base: u8, offset: u32) {
        access::emit(&mut self.ops, access, rt, base, offset, |_| {});
    }

    fn slot(&mut self, access: Access, rt: u8, slot: u32) {
        self.access(access, rt, 27, slot * 8);
    }

    /// `w{dst}` = the store address of function `index` (module index).
    fn load_func_addr(&mut self, dst: u8, index: u32) {
        self.access(Access::LdrX, dst, 26, abi::instance::FUNCS as u32);
        self.access(Access::LdrW, dst, dst, index * 4);
    }

    /// `x16` = the address of the function ref whose store address is in `w15`.
    fn func_ref_of_addr(&mut self) {
        mov_imm(&mut self.ops, true, T1, abi::func_ref::SIZE as u64);
        self.access(Access::LdrX, T0, 28, abi::vm::FUNC_REFS as u32);
        asm!(self.ops ; madd x16, x15, x17, x16);
    }

    /// Loads the function ref of function `index` (module index) into `x16`, and its
    /// store address into `w15`.
    fn load_func_ref(&mut self, index: u32) {
        self.load_func_addr(T2, index);
        self.func_ref_of_addr();
    }

    /// Calls libcall `call` with `x1`, `w2` and `w3` already set.
    pub(crate) fn call_libcall(&mut self, call: Libcall) {
        asm!(self.ops
            ; mov x0, vmctx
            ; mov x4, inst
            ; str budget, [vmctx, abi::vm::BUDGET as u32]
            ; ldr x16, [vmctx, abi::vm::LIBCALLS as u32]
            ; ldr x16, [x16, (call as u32) * 8]
            ; blr x16
            ; ldr budget, [vmctx, abi::vm::BUDGET as u32]
        );
    }

    /// Checks that a callee whose frame needs `frame_slots` (in `w17` when `None`) from
    /// slot `args_slot` fits, and pushes the caller's frame record for `ret`. Uses `x0`,
    /// `x1`, `x14` and `x17`; keeps `x15` and `x16`.
    fn call_checks_and_frame(&mut self, frame_slots: Option<u32>, args_slot: u32, at: TrapAt, ret: TrapAt) {
        let exhausted = self.trap_stub(trap_code(TrapKind::CallStackExhausted), at.pc, None);
        match frame_slots {
            Some(slots) => add_imm(&mut self.ops, true, 17, 27, i64::from(args_slot + slots) * 8),
            None => {
                asm!(self.ops ; add x17, frame, x17, lsl 3);
                add_imm(&mut self.ops, true, 17, 17, i64::from(args_slot) * 8);
            }
        }
        asm!(self.ops
            ; ldr x0, [vmctx, abi::vm::SLOTS_END as u32]
            ; cmp x17, x0
            ; b.hi =>exhausted
            ; ldr x0, [vmctx, abi::vm::STACK_LIMIT as u32]
            ; mov x1, sp
            ; cmp x1, x0
            ; b.lo =>exhausted
            ; ldr x17, [vmctx, abi::vm::FRAMES_LEN as u32]
            ; ldr x0, [vmctx, abi::vm::FRAMES_MAX as u32]
            ; cmp x17, x0
            ; b.hs =>exhausted
            ; ldr x0, [vmctx, abi::vm::FRAMES as u32]
            ; add x0, x0, x17, lsl 4
            ; add x17, x17, 1
            ; str x17, [vmctx, abi::vm::FRAMES_LEN as u32]
        );
        debug_assert_eq!(abi::frame::SIZE, 16);
        self.load_func_addr(1, self.func);
        asm!(self.ops ; str w1, [x0, abi::frame::FUNC as u32]);
        mov_imm(&mut self.ops, false, 1, u64::from(ret.pc));
        asm!(self.ops ; str w1, [x0, abi::frame::PC as u32]);
        mov_imm(&mut self.ops, false, 1, u64::from(ret.stp));
        asm!(self.ops
            ; str w1, [x0, abi::frame::STP as u32]
            ; ldr x1, [vmctx, abi::vm::SLOTS as u32]
            ; sub x1, frame, x1
            ; lsr x1, x1, 3
            ; str w1, [x0, abi::frame::BASE as u32]
        );
    }

    /// Pops the frame record a call pushed.
    fn pop_frame_record(&mut self) {
        asm!(self.ops
            ; ldr x17, [vmctx, abi::vm::FRAMES_LEN as u32]
            ; sub x17, x17, 1
            ; str x17, [vmctx, abi::vm::FRAMES_LEN as u32]
        );
    }

    /// Calls through the function ref in `x16`, of the function whose store address is
    /// in `w15`: of a function of this instance whose frame takes `frame_slots`, or of
    /// any function (`None`). A function without code is called by the runtime, out of
    /// line, with the caller's frame record pushed all the same: a pause in the
    /// interpreter there unwinds the caller to that record.
    fn call_ref(&mut self, frame_slots: Option<u32>, args_slot: u32, at: TrapAt, ret: TrapAt) {
        let runtime = self.ops.new_dynamic_label();
        let done = self.ops.new_dynamic_label();
        let offset = args_slot * 8;
        let trap = self.libcall_trap(at.pc);
        self.stubs.push(Stub::RuntimeCall { label: runtime, done, trap, offset });
        if frame_slots.is_none() {
            asm!(self.ops ; ldr w17, [x16, abi::func_ref::FRAME_SLOTS as u32]);
        }
        self.call_checks_and_frame(frame_slots, args_slot, at, ret);
        asm!(self.ops
            ; ldr x17, [x16, abi::func_ref::CODE as u32]
            ; cbz x17, =>runtime
        );
        if frame_slots.is_none() {
            // Another instance, maybe: its record and memory, restored after.
            asm!(self.ops
                ; stp inst, membase, [sp, -16]!
                ; ldr inst, [x16, abi::func_ref::INSTANCE as u32]
                ; ldr membase, [inst, abi::instance::MEMORY_BASE as u32]
            );
        }
        add_imm(&mut self.ops, true, 27, 27, i64::from(offset));
        asm!(self.ops ; blr x17);
        add_imm(&mut self.ops, true, 27, 27, -i64::from(offset));
        if frame_slots.is_none() {
            asm!(self.ops ; ldp inst, membase, [sp], 16);
        }
        self.pop_frame_record();
        asm!(self.ops ; =>done);
    }

    pub(crate) fn check_libcall(&mut self, pc: u32) {
        let label = self.libcall_trap(pc);
        asm!(self.ops ; cbnz w0, =>label);
    }

    /// The exit for a libcall at `pc` that failed.
    fn libcall_trap(&mut self, pc: u32) -> DynamicLabel {
        let label = self.ops.new_dynamic_label();
        self.stubs.push(Stub::LibcallTrap { label, pc });
        label
    }

    /// Puts the address of an access of `bytes` at `addr + offset` in `x16`, relative to
    /// the memory base, checking it against the memory's length when bounds are
    /// explicit.
    pub(crate) fn address(&mut self, addr: Reg, offset: u32, bytes: u32, pc: u32) {
        let a = addr.index;
        asm!(self.ops ; mov W(T0), W(a));
        if offset != 0 {
            add_imm(&mut self.ops, true, T0, T0, i64::from(offset));
        }
        if self.bounds == Bounds::Explicit {
            let oob = self.trap_stub(trap_code(TrapKind::MemoryOutOfBounds), pc, None);
            add_imm(&mut self.ops, true, T1, T0, i64::from(bytes));
            asm!(self.ops
                ; ldr x15, [inst, abi::instance::MEMORY as u32]
                ; ldr x15, [x15, abi::memory::LEN as u32]
                ; cmp x17, x15
                ; b.hi =>oob
            );
        }
    }

    /// A load or store of `rt` in memory 0 at `addr + offset`, which may fault on
    /// purpose (the guard region) or trap after a check (explicit bounds).
    ///
    /// A store that straddles the end of the memory into the guard region may write its
    /// bytes below the end before it faults on AArch64, and WebAssembly says a trapping
    /// store writes nothing: so in the guard region a store of more than one byte is
    /// preceded by a load of the same bytes, which faults instead.
    pub(crate) fn memory_access(&mut self, access: Access, rt: u8, addr: Reg, offset: u32, pc: u32) {
        let uxtw = self.bounds == Bounds::Guard && offset == 0;
        if !uxtw {
            self.address(addr, offset, access.bytes(), pc);
        }
        let probe = match self.bounds {
            Bounds::Guard => access.probe(),
            Bounds::Explicit => None,
        };
        // The first instruction is the one that faults.
        for (k, (access, rt)) in probe.into_iter().chain([(access, rt)]).enumerate() {
            if k == 0 {
                self.fault_site(pc);
            }
            match uxtw {
                true => access::emit_uxtw(&mut self.ops, access, rt, 25, addr.index),
                false => access::emit_indexed(&mut self.ops, access, rt, 25, T0),
            }
        }
    }

    /// Puts the absolute address of an access of `bytes` at `addr + offset` in `x16`,
    /// checked as [`address`](Self::address) checks it: for the instructions that take
    /// a base register only (`ld1`/`st1` of a lane, `ld1r`).
    pub(crate) fn absolute_address(&mut self, addr: Reg, offset: u32, bytes: u32, pc: u32) {
        self.address(addr, offset, bytes, pc);
        asm!(self.ops ; add x16, membase, x16);
    }

    /// Whether memory accesses are left to the guard region (and may fault).
    pub(crate) fn guarded(&self) -> bool {
        self.bounds == Bounds::Guard
    }

    /// Notes that the next instruction is a memory access that may fault on purpose, at
    /// bytecode position `pc` (a no-op when bounds are explicit).
    pub(crate) fn fault_site(&mut self, pc: u32) {
        if self.bounds == Bounds::Guard {
            let native = self.ops.offset().0 as u32;
            self.faults.push(FaultSite { native, pc, func: self.func });
        }
    }

    fn emit_stubs(&mut self) {
        for stub in std::mem::take(&mut self.stubs) {
            self.emit_stub(stub);
        }
    }

    /// Sets `w0` (pc) and `w1` (function) for the shared exits.
    fn exit_position(&mut self, pc: u32) {
        mov_imm(&mut self.ops, false, 0, u64::from(pc));
        mov_imm(&mut self.ops, false, 1, u64::from(self.func));
    }

    fn emit_stub(&mut self, stub: Stub) {
        match stub {
            Stub::Trap { label, code, pc, arg } => {
                asm!(self.ops ; =>label);
                match arg {
                    Some(reg) => asm!(self.ops ; mov w3, W(reg)),
                    None => asm!(self.ops ; mov w3, wzr),
                }
                mov_imm(&mut self.ops, false, 2, u64::from(code));
                self.exit_position(pc);
                asm!(self.ops ; b =>self.shared.trap_exit);
            }
            Stub::LibcallTrap { label, pc } => {
                asm!(self.ops
                    ; =>label
                    ; mov w2, w0
                    ; ldr w3, [vmctx, abi::vm::EXIT_ARG as u32]
                );
                self.exit_position(pc);
                asm!(self.ops ; b =>self.shared.trap_exit);
            }
            Stub::Budget { label, resume, at } => {
                asm!(self.ops
                    ; =>label
                    ; mov x1, xzr
                    ; mov w2, wzr
                    ; mov w3, wzr
                );
                self.call_libcall(Libcall::Budget);
                asm!(self.ops ; cbz w0, =>resume);
                mov_imm(&mut self.ops, false, 2, u64::from(at.stp));
                mov_imm(&mut self.ops, false, 3, u64::from(at.height));
                self.exit_position(at.pc);
                asm!(self.ops ; b =>self.shared.budget_exit);
            }
            Stub::Osr { label, reload } => {
                asm!(self.ops
                    ; =>label
                    ; stp x29, x30, [sp, -16]!
                    ; mov x29, sp
                    ; b =>reload
                );
            }
            Stub::RuntimeCall { label, done, trap, offset } => {
                asm!(self.ops ; =>label);
                add_imm(&mut self.ops, true, 1, 27, i64::from(offset));
                asm!(self.ops
                    ; mov w2, w15
                    ; mov w3, wzr
                );
                self.call_libcall(Libcall::Call);
                self.pop_frame_record();
                asm!(self.ops
                    ; cbnz w0, =>trap
                    ; b =>done
                );
            }
        }
    }

    fn cset(&mut self, cond: Cond, dst: u8) {
        match cond {
            Cond::Eq => asm!(self.ops ; cset W(dst), eq),
            Cond::Ne => asm!(self.ops ; cset W(dst), ne),
            Cond::LtS => asm!(self.ops ; cset W(dst), lt),
            Cond::LtU => asm!(self.ops ; cset W(dst), lo),
            Cond::GtS => asm!(self.ops ; cset W(dst), gt),
            Cond::GtU => asm!(self.ops ; cset W(dst), hi),
            Cond::LeS => asm!(self.ops ; cset W(dst), le),
            Cond::LeU => asm!(self.ops ; cset W(dst), ls),
            Cond::GeS => asm!(self.ops ; cset W(dst), ge),
            Cond::GeU => asm!(self.ops ; cset W(dst), hs),
        }
    }

    fn branch_if(&mut self, cond: Cond, target: DynamicLabel) {
        match cond {
            Cond::Eq => asm!(self.ops ; b.eq =>target),
            Cond::Ne => asm!(self.ops ; b.ne =>target),
            Cond::LtS => asm!(self.ops ; b.lt =>target),
            Cond::LtU => asm!(self.ops ; b.lo =>target),
            Cond::GtS => asm!(self.ops ; b.gt =>target),
            Cond::GtU => asm!(self.ops ; b.hi =>target),
            Cond::LeS => asm!(self.ops ; b.le =>target),
            Cond::LeU => asm!(self.ops ; b.ls =>target),
            Cond::GeS => asm!(self.ops ; b.ge =>target),
            Cond::GeU => asm!(self.ops ; b.hs =>target),
        }
    }

    fn cmp(&mut self, width: Width, lhs: u8, rhs: Src) {
        match (width, rhs) {
            (Width::W32, Src::Reg(r)) => asm!(self.ops ; cmp W(lhs), W(r.index)),
            (Width::W64, Src::Reg(r)) => asm!(self.ops ; cmp X(lhs), X(r.index)),
            (Width::W32, Src::Imm(i)) if (0..4096).contains(&i) => asm!(self.ops ; cmp WSP(lhs), i as u32),
            (Width::W64, Src::Imm(i)) if (0..4096).contains(&i) => asm!(self.ops ; cmp XSP(lhs), i as u32),
            (Width::W32, Src::Imm(i)) if (-4095..0).contains(&i) => {
                asm!(self.ops ; cmn WSP(lhs), (-i) as u32)
            }
            (Width::W64, Src::Imm(i)) if (-4095..0).contains(&i) => {
                asm!(self.ops ; cmn XSP(lhs), (-i) as u32)
            }
            (Width::W32, Src::Imm(i)) => {
                mov_imm(&mut self.ops, false, IMM, i as u32 as u64);
                asm!(self.ops ; cmp W(lhs), W(IMM));
            }
            (Width::W64, Src::Imm(i)) => {
                mov_imm(&mut self.ops, true, IMM, i as i64 as u64);
                asm!(self.ops ; cmp X(lhs), X(IMM));
            }
        }
    }

    /// The register holding `rhs`: its own, or `x14` with the constant in it (sign-
    /// extended to 64 bits, as x86-64's immediates are).
    fn rhs_reg(&mut self, width: Width, rhs: Src) -> u8 {
        match rhs {
            Src::Reg(r) => r.index,
            Src::Imm(i) => {
                mov_imm(&mut self.ops, wide(width), IMM, i as i64 as u64);
                IMM
            }
        }
    }

    fn binop(&mut self, op: IntOp, width: Width, d: u8, l: u8, rhs: Src) {
        let bits = if wide(width) { 64 } else { 32 };
        match (op, rhs) {
            (IntOp::Add, Src::Imm(i)) => return add_imm(&mut self.ops, wide(width), d, l, i64::from(i)),
            (IntOp::Sub, Src::Imm(i)) => return add_imm(&mut self.ops, wide(width), d, l, -i64::from(i)),
            (IntOp::Shl | IntOp::ShrS | IntOp::ShrU | IntOp::Rotl | IntOp::Rotr, Src::Imm(i)) => {
                let amount = (i as u32) & (bits - 1);
                return self.shift_imm(op, width, d, l, amount);
            }
            (IntOp::And | IntOp::Or | IntOp::Xor, Src::Imm(i)) => {
                let value = if wide(width) { i as i64 as u64 } else { i as u32 as u64 };
                let encodable = if wide(width) {
                    aarch64::encode_logical_immediate_64bit(value).is_some()
                } else {
                    aarch64::encode_logical_immediate_32bit(value as u32).is_some()
                };
                if encodable {
                    return self.logical_imm(op, width, d, l, value);
                }
            }
            _ => {}
        }
        let r = self.rhs_reg(width, rhs);
        macro_rules! three {
            ($ins:ident) => {
                match width {
                    Width::W32 => asm!(self.ops ; $ins W(d), W(l), W(r)),
                    Width::W64 => asm!(self.ops ; $ins X(d), X(l), X(r)),
                }
            };
        }
        match op {
            IntOp::Add => three!(add),
            IntOp::Sub => three!(sub),
            IntOp::Mul => three!(mul),
            IntOp::And => three!(and),
            IntOp::Or => three!(orr),
            IntOp::Xor => three!(eor),
            IntOp::Shl => three!(lsl),
            IntOp::ShrS => three!(asr),
            IntOp::ShrU => three!(lsr),
            IntOp::Rotr => three!(ror),
            IntOp::Rotl => {
                // Rotating left by n is rotating right by -n (the count is modulo the width).
                asm!(self.ops ; neg W(T0), W(r));
                match width {
                    Width::W32 => asm!(self.ops ; ror W(d), W(l), W(T0)),
                    Width::W64 => asm!(self.ops ; ror X(d), X(l), X(T0)),
                }
            }
        }
    }

    fn shift_imm(&mut self, op: IntOp, width: Width, d: u8, l: u8, amount: u32) {
        let bits = if wide(width) { 64 } else { 32 };
        match (op, width) {
            (IntOp::Shl, Width::W32) => asm!(self.ops ; lsl W(d), W(l), amount),
            (IntOp::Shl, Width::W64) => asm!(self.ops ; lsl X(d), X(l), amount),
            (IntOp::ShrS, Width::W32) => asm!(self.ops ; asr W(d), W(l), amount),
            (IntOp::ShrS, Width::W64) => asm!(self.ops ; asr X(d), X(l), amount),
            (IntOp::ShrU, Width::W32) => asm!(self.ops ; lsr W(d), W(l), amount),
            (IntOp::ShrU, Width::W64) => asm!(self.ops ; lsr X(d), X(l), amount),
            (IntOp::Rotr, Width::W32) => asm!(self.ops ; ror W(d), W(l), amount),
            (IntOp::Rotr, Width::W64) => asm!(self.ops ; ror X(d), X(l), amount),
            (IntOp::Rotl, _) => self.shift_imm(IntOp::Rotr, width, d, l, (bits - amount) & (bits - 1)),
            _ => unreachable!("{op:?} is not a shift"),
        }
    }

    fn logical_imm(&mut self, op: IntOp, width: Width, d: u8, l: u8, value: u64) {
        let v32 = value as u32;
        match (op, width) {
            (IntOp::And, Width::W32) => asm!(self.ops ; and WSP(d), W(l), v32),
            (IntOp::And, Width::W64) => asm!(self.ops ; and XSP(d), X(l), value),
            (IntOp::Or, Width::W32) => asm!(self.ops ; orr WSP(d), W(l), v32),
            (IntOp::Or, Width::W64) => asm!(self.ops ; orr XSP(d), X(l), value),
            (IntOp::Xor, Width::W32) => asm!(self.ops ; eor WSP(d), W(l), v32),
            (IntOp::Xor, Width::W64) => asm!(self.ops ; eor XSP(d), X(l), value),
            _ => unreachable!("{op:?} is not a logical operation"),
        }
    }

    /// Float to integer: `sat` saturates (as `fcvtz*` does), otherwise NaN and
    /// out-of-range values trap.
    #[allow(clippy::too_many_arguments)]
    fn truncate(&mut self, from: FSize, to: Width, signed: bool, sat: bool, dst: u8, src: u8, at: TrapAt) {
        if !sat {
            // The range that converts, as exclusive f64 bounds (inclusive where marked).
            let (lo, lo_inclusive, hi): (f64, bool, f64) = match (to, signed) {
                (Width::W32, true) => (-2147483649.0, false, 2147483648.0),
                (Width::W32, false) => (-1.0, false, 4294967296.0),
                (Width::W64, true) => (-9223372036854775808.0, true, 9223372036854775808.0),
                (Width::W64, false) => (-1.0, false, 18446744073709551616.0),
            };
            let invalid = self.trap_stub(trap_code(TrapKind::InvalidConversionToInteger), at.pc, None);
            let overflow = self.trap_stub(trap_code(TrapKind::IntegerOverflow), at.pc, None);
            match from {
                FSize::F32 => asm!(self.ops ; fcvt D(V0), S(src)),
                FSize::F64 => asm!(self.ops ; fmov D(V0), D(src)),
            }
            asm!(self.ops ; fcmp D(V0), D(V0) ; b.vs =>invalid);
            self.float_const(V1, lo.to_bits());
            asm!(self.ops ; fcmp D(V0), D(V1));
            if lo_inclusive {
                asm!(self.ops ; b.mi =>overflow);
            } else {
                asm!(self.ops ; b.ls =>overflow);
            }
            self.float_const(V1, hi.to_bits());
            asm!(self.ops ; fcmp D(V0), D(V1) ; b.ge =>overflow);
        }
        match (from, to, signed) {
            (FSize::F32, Width::W32, true) => asm!(self.ops ; fcvtzs W(dst), S(src)),
            (FSize::F32, Width::W32, false) => asm!(self.ops ; fcvtzu W(dst), S(src)),
            (FSize::F32, Width::W64, true) => asm!(self.ops ; fcvtzs X(dst), S(src)),
            (FSize::F32, Width::W64, false) => asm!(self.ops ; fcvtzu X(dst), S(src)),
            (FSize::F64, Width::W32, true) => asm!(self.ops ; fcvtzs W(dst), D(src)),
            (FSize::F64, Width::W32, false) => asm!(self.ops ; fcvtzu W(dst), D(src)),
            (FSize::F64, Width::W64, true) => asm!(self.ops ; fcvtzs X(dst), D(src)),
            (FSize::F64, Width::W64, false) => asm!(self.ops ; fcvtzu X(dst), D(src)),
        }
    }

    fn convert_int(&mut self, from: Width, to: FSize, signed: bool, dst: u8, src: u8) {
        match (from, to, signed) {
            (Width::W32, FSize::F32, true) => asm!(self.ops ; scvtf S(dst), W(src)),
            (Width::W32, FSize::F32, false) => asm!(self.ops ; ucvtf S(dst), W(src)),
            (Width::W32, FSize::F64, true) => asm!(self.ops ; scvtf D(dst), W(src)),
            (Width::W32, FSize::F64, false) => asm!(self.ops ; ucvtf D(dst), W(src)),
            (Width::W64, FSize::F32, true) => asm!(self.ops ; scvtf S(dst), X(src)),
            (Width::W64, FSize::F32, false) => asm!(self.ops ; ucvtf S(dst), X(src)),
            (Width::W64, FSize::F64, true) => asm!(self.ops ; scvtf D(dst), X(src)),
            (Width::W64, FSize::F64, false) => asm!(self.ops ; ucvtf D(dst), X(src)),
        }
    }

    /// Puts a float constant's bits in `d{dst}` (the rest of the vector cleared).
    pub(crate) fn float_const(&mut self, dst: u8, bits: u64) {
        if bits == 0 {
            asm!(self.ops ; movi D(dst), 0);
        } else {
            mov_imm(&mut self.ops, true, T0, bits);
            asm!(self.ops ; fmov D(dst), X(T0));
        }
    }

    /// `x16` = the address of global `index` (module index).
    fn global_address(&mut self, index: u32) {
        self.access(Access::LdrX, T0, 26, abi::instance::GLOBALS as u32);
        self.access(Access::LdrW, T0, T0, index * 4);
        mov_imm(&mut self.ops, true, T1, abi::global::SIZE as u64);
        self.access(Access::LdrX, T2, 28, abi::vm::GLOBALS as u32);
        asm!(self.ops ; madd x16, x16, x17, x15);
    }

    /// Counts the set bits of `d` with the vector unit's byte counts.
    fn popcount(&mut self, width: Width, d: u8) {
        match width {
            Width::W32 => asm!(self.ops ; fmov S(V0), W(d)),
            Width::W64 => asm!(self.ops ; fmov D(V0), X(d)),
        }
        asm!(self.ops
            ; cnt V(V0).B8, V(V0).B8
            ; addv B(V0), V(V0).B8
            ; fmov W(d), S(V0)
        );
    }
}

impl MacroAssembler for A64Masm {
    fn allocatable(&self, class: RegClass) -> &'static [Reg] {
        match class {
            RegClass::Int => INT_REGS,
            RegClass::Float => FLOAT_REGS,
        }
    }

    fn new_label(&mut self) -> Label {
        self.labels.push(self.ops.new_dynamic_label());
        Label(self.labels.len() as u32 - 1)
    }

    fn code_len(&self) -> usize {
        self.ops.offset().0
    }

    fn bind(&mut self, label: Label) {
        let label = self.label(label);
        asm!(self.ops ; =>label);
    }

    fn begin_function(&mut self, index: u32, param_slots: u32, local_slots: u32) {
        self.func = index;
        self.labels.clear();
        let entry = self.unit_entry(index).expect("a function of this unit");
        self.ops.align(16, 0);
        asm!(self.ops
            ; =>entry
            ; stp x29, x30, [sp, -16]!
            ; mov x29, sp
        );
        if local_slots - param_slots <= 8 {
            for slot in param_slots..local_slots {
                self.slot(Access::StrX, 31, slot);
            }
        } else {
            let top = self.ops.new_dynamic_label();
            add_imm(&mut self.ops, true, T0, 27, i64::from(param_slots) * 8);
            add_imm(&mut self.ops, true, T1, 27, i64::from(local_slots) * 8);
            asm!(self.ops
                ; =>top
                ; str xzr, [x16], 8
                ; cmp x16, x17
                ; b.lo =>top
            );
        }
        let label = self.ops.new_dynamic_label();
        let resume = self.ops.new_dynamic_label();
        self.stubs.push(Stub::Budget { label, resume, at: TrapAt { pc: 0, stp: 0, height: local_slots } });
        asm!(self.ops
            ; subs budget, budget, 1
            ; b.lt =>label
            ; =>resume
        );
    }

    fn end_function(&mut self) {
        self.emit_stubs();
    }

    fn load_slot(&mut self, dst: Reg, slot: u32, ty: ValType) {
        let access = match (dst.class, ty) {
            (RegClass::Int, _) => Access::LdrX,
            (RegClass::Float, ValType::V128) => Access::LdrQ,
            (RegClass::Float, _) => Access::LdrD,
        };
        self.slot(access, dst.index, slot);
    }

    fn store_slot(&mut self, slot: u32, src: Reg, ty: ValType) {
        match (src.class, ty) {
            (RegClass::Int, _) => self.slot(Access::StrX, src.index, slot),
            // An f32's slot holds its bits zero-extended, as the interpreter leaves it.
            (RegClass::Float, ValType::F32) => {
                asm!(self.ops ; fmov W(T1), S(src.index));
                self.slot(Access::StrX, T1, slot);
            }
            (RegClass::Float, ValType::V128) => self.slot(Access::StrQ, src.index, slot),
            (RegClass::Float, _) => self.slot(Access::StrD, src.index, slot),
        }
    }

    fn store_slot_const(&mut self, slot: u32, bits: u64, _ty: ValType) {
        if bits == 0 {
            self.slot(Access::StrX, 31, slot);
        } else {
            mov_imm(&mut self.ops, true, T1, bits);
            self.slot(Access::StrX, T1, slot);
        }
    }

    fn copy_slot(&mut self, dst: u32, src: u32) {
        self.slot(Access::LdrX, T1, src);
        self.slot(Access::StrX, T1, dst);
    }

    fn mov(&mut self, dst: Reg, src: Reg) {
        let (d, s) = (dst.index, src.index);
        match dst.class {
            RegClass::Int => asm!(self.ops ; mov X(d), X(s)),
            RegClass::Float => asm!(self.ops ; mov V(d).B16, V(s).B16),
        }
    }

    fn mov_const(&mut self, dst: Reg, bits: u64) {
        match dst.class {
            RegClass::Int => mov_imm(&mut self.ops, true, dst.index, bits),
            RegClass::Float => self.float_const(dst.index, bits),
        }
    }

    fn int_op_to(&mut self, op: IntOp, width: Width, dst: Reg, lhs: Reg, rhs: Src) {
        self.binop(op, width, dst.index, lhs.index, rhs);
    }

    fn int_op(&mut self, op: IntOp, width: Width, dst: Reg, rhs: Src) {
        self.binop(op, width, dst.index, dst.index, rhs);
    }

    fn int_div(&mut self, op: DivOp, width: Width, dst: Reg, rhs: Reg, at: TrapAt) {
        let (d, r) = (dst.index, rhs.index);
        let div0 = self.trap_stub(trap_code(TrapKind::IntegerDivideByZero), at.pc, None);
        match width {
            Width::W32 => asm!(self.ops ; cbz W(r), =>div0),
            Width::W64 => asm!(self.ops ; cbz X(r), =>div0),
        }
        if op == DivOp::DivS {
            // MIN / -1 overflows; `sdiv` would give MIN. `d - 1` overflows only for MIN.
            let overflow = self.trap_stub(trap_code(TrapKind::IntegerOverflow), at.pc, None);
            let normal = self.ops.new_dynamic_label();
            match width {
                Width::W32 => {
                    asm!(self.ops ; cmn WSP(r), 1 ; b.ne =>normal ; cmp WSP(d), 1 ; b.vs =>overflow)
                }
                Width::W64 => {
                    asm!(self.ops ; cmn XSP(r), 1 ; b.ne =>normal ; cmp XSP(d), 1 ; b.vs =>overflow)
                }
            }
            asm!(self.ops ; =>normal);
        }
        // The remainder is `d - (d / r) * r`; MIN % -1 comes out 0 as it should.
        match (width, op) {
            (Width::W32, DivOp::DivS) => asm!(self.ops ; sdiv W(d), W(d), W(r)),
            (Width::W32, DivOp::DivU) => asm!(self.ops ; udiv W(d), W(d), W(r)),
            (Width::W32, DivOp::RemS) => {
                asm!(self.ops ; sdiv W(T0), W(d), W(r) ; msub W(d), W(T0), W(r), W(d))
            }
            (Width::W32, DivOp::RemU) => {
                asm!(self.ops ; udiv W(T0), W(d), W(r) ; msub W(d), W(T0), W(r), W(d))
            }
            (Width::W64, DivOp::DivS) => asm!(self.ops ; sdiv X(d), X(d), X(r)),
            (Width::W64, DivOp::DivU) => asm!(self.ops ; udiv X(d), X(d), X(r)),
            (Width::W64, DivOp::RemS) => {
                asm!(self.ops ; sdiv X(T0), X(d), X(r) ; msub X(d), X(T0), X(r), X(d))
            }
            (Width::W64, DivOp::RemU) => {
                asm!(self.ops ; udiv X(T0), X(d), X(r) ; msub X(d), X(T0), X(r), X(d))
            }
        }
    }

    fn int_unop(&mut self, op: IntUnop, width: Width, dst: Reg) {
        let d = dst.index;
        match (op, width) {
            (IntUnop::Clz, Width::W32) => asm!(self.ops ; clz W(d), W(d)),
            (IntUnop::Clz, Width::W64) => asm!(self.ops ; clz X(d), X(d)),
            (IntUnop::Ctz, Width::W32) => asm!(self.ops ; rbit W(d), W(d) ; clz W(d), W(d)),
            (IntUnop::Ctz, Width::W64) => asm!(self.ops ; rbit X(d), X(d) ; clz X(d), X(d)),
            (IntUnop::Popcnt, width) => self.popcount(width, d),
            (IntUnop::Extend8S, Width::W32) => asm!(self.ops ; sxtb W(d), W(d)),
            (IntUnop::Extend8S, Width::W64) => asm!(self.ops ; sxtb X(d), W(d)),
            (IntUnop::Extend16S, Width::W32) => asm!(self.ops ; sxth W(d), W(d)),
            (IntUnop::Extend16S, Width::W64) => asm!(self.ops ; sxth X(d), W(d)),
            (IntUnop::Extend32S, _) => asm!(self.ops ; sxtw X(d), W(d)),
        }
    }

    fn int_cmp(&mut self, cond: Cond, width: Width, dst: Reg, lhs: Reg, rhs: Src) {
        self.cmp(width, lhs.index, rhs);
        self.cset(cond, dst.index);
    }

    fn eqz(&mut self, width: Width, dst: Reg, src: Reg) {
        self.cmp(width, src.index, Src::Imm(0));
        self.cset(Cond::Eq, dst.index);
    }

    fn select(&mut self, dst: Reg, other: Reg, cond: Reg) {
        let (d, o) = (dst.index, other.index);
        match dst.class {
            RegClass::Int => {
                self.cmp(Width::W32, cond.index, Src::Imm(0));
                asm!(self.ops ; csel X(d), X(d), X(o), ne);
            }
            RegClass::Float => {
                // The value may be a vector, which `fcsel` does not move whole.
                let keep = self.ops.new_dynamic_label();
                asm!(self.ops ; cbnz W(cond.index), =>keep ; mov V(d).B16, V(o).B16 ; =>keep);
            }
        }
    }

    fn float_op(&mut self, op: FloatOp, size: FSize, dst: Reg, rhs: Reg) {
        let (d, r) = (dst.index, rhs.index);
        // `fmin`/`fmax` already give NaN for a NaN operand and order -0 below +0.
        match (op, size) {
            (FloatOp::Add, FSize::F32) => asm!(self.ops ; fadd S(d), S(d), S(r)),
            (FloatOp::Add, FSize::F64) => asm!(self.ops ; fadd D(d), D(d), D(r)),
            (FloatOp::Sub, FSize::F32) => asm!(self.ops ; fsub S(d), S(d), S(r)),
            (FloatOp::Sub, FSize::F64) => asm!(self.ops ; fsub D(d), D(d), D(r)),
            (FloatOp::Mul, FSize::F32) => asm!(self.ops ; fmul S(d), S(d), S(r)),
            (FloatOp::Mul, FSize::F64) => asm!(self.ops ; fmul D(d), D(d), D(r)),
            (FloatOp::Div, FSize::F32) => asm!(self.ops ; fdiv S(d), S(d), S(r)),
            (FloatOp::Div, FSize::F64) => asm!(self.ops ; fdiv D(d), D(d), D(r)),
            (FloatOp::Min, FSize::F32) => asm!(self.ops ; fmin S(d), S(d), S(r)),
            (FloatOp::Min, FSize::F64) => asm!(self.ops ; fmin D(d), D(d), D(r)),
            (FloatOp::Max, FSize::F32) => asm!(self.ops ; fmax S(d), S(d), S(r)),
            (FloatOp::Max, FSize::F64) => asm!(self.ops ; fmax D(d), D(d), D(r)),
            // The sign of `r` with the other bits of `d`.
            (FloatOp::Copysign, FSize::F32) => asm!(self.ops
                ; fmov W(T0), S(d) ; fmov W(T1), S(r)
                ; bfxil W(T1), W(T0), 0, 31
                ; fmov S(d), W(T1)),
            (FloatOp::Copysign, FSize::F64) => asm!(self.ops
                ; fmov X(T0), D(d) ; fmov X(T1), D(r)
                ; bfxil X(T1), X(T0), 0, 63
                ; fmov D(d), X(T1)),
        }
    }

    fn float_unop(&mut self, op: FloatUnop, size: FSize, dst: Reg) {
        let d = dst.index;
        match (op, size) {
            (FloatUnop::Abs, FSize::F32) => asm!(self.ops ; fabs S(d), S(d)),
            (FloatUnop::Abs, FSize::F64) => asm!(self.ops ; fabs D(d), D(d)),
            (FloatUnop::Neg, FSize::F32) => asm!(self.ops ; fneg S(d), S(d)),
            (FloatUnop::Neg, FSize::F64) => asm!(self.ops ; fneg D(d), D(d)),
            (FloatUnop::Sqrt, FSize::F32) => asm!(self.ops ; fsqrt S(d), S(d)),
            (FloatUnop::Sqrt, FSize::F64) => asm!(self.ops ; fsqrt D(d), D(d)),
            (FloatUnop::Nearest, FSize::F32) => asm!(self.ops ; frintn S(d), S(d)),
            (FloatUnop::Nearest, FSize::F64) => asm!(self.ops ; frintn D(d), D(d)),
            (FloatUnop::Floor, FSize::F32) => asm!(self.ops ; frintm S(d), S(d)),
            (FloatUnop::Floor, FSize::F64) => asm!(self.ops ; frintm D(d), D(d)),
            (FloatUnop::Ceil, FSize::F32) => asm!(self.ops ; frintp S(d), S(d)),
            (FloatUnop::Ceil, FSize::F64) => asm!(self.ops ; frintp D(d), D(d)),
            (FloatUnop::Trunc, FSize::F32) => asm!(self.ops ; frintz S(d), S(d)),
            (FloatUnop::Trunc, FSize::F64) => asm!(self.ops ; frintz D(d), D(d)),
        }
    }

    fn float_cmp(&mut self, cond: FCond, size: FSize, dst: Reg, lhs: Reg, rhs: Reg) {
        let (d, l, r) = (dst.index, lhs.index, rhs.index);
        match size {
            FSize::F32 => asm!(self.ops ; fcmp S(l), S(r)),
            FSize::F64 => asm!(self.ops ; fcmp D(l), D(r)),
        }
        // Unordered sets C and V: `ne` holds, `mi`, `ls`, `gt` and `ge` do not.
        match cond {
            FCond::Eq => asm!(self.ops ; cset W(d), eq),
            FCond::Ne => asm!(self.ops ; cset W(d), ne),
            FCond::Lt => asm!(self.ops ; cset W(d), mi),
            FCond::Le => asm!(self.ops ; cset W(d), ls),
            FCond::Gt => asm!(self.ops ; cset W(d), gt),
            FCond::Ge => asm!(self.ops ; cset W(d), ge),
        }
    }

    fn convert(&mut self, op: Convert, dst: Reg, src: Reg, at: TrapAt) {
        let (d, s) = (dst.index, src.index);
        match op {
            Convert::I32WrapI64 | Convert::I64ExtendI32U => asm!(self.ops ; mov W(d), W(s)),
            Convert::I64ExtendI32S => asm!(self.ops ; sxtw X(d), W(s)),
            Convert::Trunc { from, to, signed, sat } => self.truncate(from, to, signed, sat, d, s, at),
            Convert::FromInt { from, to, signed } => self.convert_int(from, to, signed, d, s),
            Convert::F32DemoteF64 => asm!(self.ops ; fcvt S(d), D(s)),
            Convert::F64PromoteF32 => asm!(self.ops ; fcvt D(d), S(s)),
            Convert::ReinterpretToInt(FSize::F32) => asm!(self.ops ; fmov W(d), S(s)),
            Convert::ReinterpretToInt(FSize::F64) => asm!(self.ops ; fmov X(d), D(s)),
            Convert::ReinterpretToFloat(FSize::F32) => asm!(self.ops ; fmov S(d), W(s)),
            Convert::ReinterpretToFloat(FSize::F64) => asm!(self.ops ; fmov D(d), X(s)),
        }
    }

    fn jump(&mut self, target: Label) {
        let target = self.label(target);
        asm!(self.ops ; b =>target);
    }

    fn branch_cmp(&mut self, cond: Cond, width: Width, lhs: Reg, rhs: Src, target: Label) {
        self.cmp(width, lhs.index, rhs);
        let target = self.label(target);
        self.branch_if(cond, target);
    }

    fn branch_zero(&mut self, reg: Reg, if_zero: bool, target: Label) {
        let (target, r) = (self.label(target), reg.index);
        if if_zero {
            asm!(self.ops ; cbz W(r), =>target);
        } else {
            asm!(self.ops ; cbnz W(r), =>target);
        }
    }

    fn jump_table(&mut self, index: Reg, targets: &[Label], default: Label) {
        let default = self.label(default);
        let table = self.ops.new_dynamic_label();
        let count = i32::try_from(targets.len()).unwrap_or(i32::MAX);
        self.cmp(Width::W32, index.index, Src::Imm(count));
        let i = index.index;
        asm!(self.ops
            ; b.hs =>default
            ; adr x16, =>table
            ; add x16, x16, W(i), uxtw 2
            ; br x16
            ; =>table
        );
        for &target in targets {
            let target = self.label(target);
            asm!(self.ops ; b =>target);
        }
    }

    fn back_edge(&mut self, header: Label, reload: Label, at: TrapAt) {
        let (header, reload) = (self.label(header), self.label(reload));
        let label = self.ops.new_dynamic_label();
        self.stubs.push(Stub::Budget { label, resume: reload, at });
        asm!(self.ops
            ; subs budget, budget, 1
            ; b.ge =>header
            ; b =>label
        );
    }

    fn ret(&mut self) {
        asm!(self.ops ; ldp x29, x30, [sp], 16 ; ret);
    }

    fn osr_entry(&mut self, reload: Label, at: TrapAt) {
        let label = self.ops.new_dynamic_label();
        self.stubs.push(Stub::Osr { label, reload: self.label(reload) });
        self.osr_entries.push((self.func, at.pc, label));
    }

    fn trap(&mut self, code: u32, at: TrapAt) {
        let stub = self.trap_stub(code, at.pc, None);
        asm!(self.ops ; b =>stub);
    }

    fn load(&mut self, op: LoadOp, dst: Reg, addr: Reg, offset: u32, at: TrapAt) {
        let access = match op {
            LoadOp::Int { bytes: 1, signed: false, .. } => Access::LdrbW,
            LoadOp::Int { bytes: 1, signed: true, to: Width::W32 } => Access::LdrsbW,
            LoadOp::Int { bytes: 1, signed: true, .. } => Access::LdrsbX,
            LoadOp::Int { bytes: 2, signed: false, .. } => Access::LdrhW,
            LoadOp::Int { bytes: 2, signed: true, to: Width::W32 } => Access::LdrshW,
            LoadOp::Int { bytes: 2, signed: true, .. } => Access::LdrshX,
            LoadOp::Int { bytes: 4, signed: true, to: Width::W64 } => Access::LdrswX,
            LoadOp::Int { bytes: 4, .. } => Access::LdrW,
            LoadOp::Int { .. } => Access::LdrX,
            LoadOp::Float(FSize::F32) => Access::LdrS,
            LoadOp::Float(FSize::F64) => Access::LdrD,
        };
        self.memory_access(access, dst.index, addr, offset, at.pc);
    }

    fn store(&mut self, op: StoreOp, addr: Reg, value: Reg, offset: u32, at: TrapAt) {
        let access = match op {
            StoreOp::Int { bytes: 1 } => Access::StrbW,
            StoreOp::Int { bytes: 2 } => Access::StrhW,
            StoreOp::Int { bytes: 4 } => Access::StrW,
            StoreOp::Int { .. } => Access::StrX,
            StoreOp::Float(FSize::F32) => Access::StrS,
            StoreOp::Float(FSize::F64) => Access::StrD,
        };
        self.memory_access(access, value.index, addr, offset, at.pc);
    }

    fn memory_size(&mut self, dst: Reg) {
        let d = dst.index;
        asm!(self.ops
            ; ldr x16, [inst, abi::instance::MEMORY as u32]
            ; ldr X(d), [x16, abi::memory::LEN as u32]
            ; lsr X(d), X(d), 16
        );
    }

    fn global_get(&mut self, dst: Reg, index: u32, ty: ValType) {
        self.global_address(index);
        let access = match (dst.class, ty) {
            (RegClass::Int, _) => Access::LdrX,
            (RegClass::Float, ValType::V128) => Access::LdrQ,
            (RegClass::Float, _) => Access::LdrD,
        };
        self.access(access, dst.index, T0, abi::global::VALUE as u32);
    }

    fn global_set(&mut self, index: u32, src: Reg, ty: ValType) {
        self.global_address(index);
        let value = abi::global::VALUE as u32;
        match (src.class, ty) {
            (RegClass::Int, _) => self.access(Access::StrX, src.index, T0, value),
            (RegClass::Float, ValType::F32) => {
                asm!(self.ops ; fmov W(T1), S(src.index));
                self.access(Access::StrX, T1, T0, value);
            }
            (RegClass::Float, ValType::V128) => self.access(Access::StrQ, src.index, T0, value),
            (RegClass::Float, _) => self.access(Access::StrD, src.index, T0, value),
        }
    }

    fn ref_func(&mut self, dst: Reg, index: u32) {
        let d = dst.index;
        self.load_func_addr(d, index);
        add_imm(&mut self.ops, true, d, d, 1);
    }

    fn call(&mut self, callee: Callee, args_slot: u32, at: TrapAt, ret: TrapAt) {
        match callee {
            Callee::Defined { index, frame_slots } => match self.unit_entry(index) {
                Some(entry) => {
                    self.call_checks_and_frame(Some(frame_slots), args_slot, at, ret);
                    let offset = i64::from(args_slot) * 8;
                    add_imm(&mut self.ops, true, 27, 27, offset);
                    asm!(self.ops ; bl =>entry);
                    add_imm(&mut self.ops, true, 27, 27, -offset);
                    self.pop_frame_record();
                }
                None => {
                    self.load_func_ref(index);
                    self.call_ref(Some(frame_slots), args_slot, at, ret);
                }
            },
            Callee::Imported { index } => {
                self.load_func_ref(index);
                self.call_ref(None, args_slot, at, ret);
            }
            Callee::Indirect { table, type_index, index_reg } => {
                let i = index_reg.index;
                let undefined = self.trap_stub(trap_code(TrapKind::UndefinedElement(0)), at.pc, Some(i));
                let uninitialized =
                    self.trap_stub(trap_code(TrapKind::UninitializedElement(0)), at.pc, Some(i));
                let mismatch = self.trap_stub(trap_code(TrapKind::IndirectCallTypeMismatch), at.pc, None);
                self.access(Access::LdrX, T0, 26, abi::instance::TABLES as u32);
                self.access(Access::LdrX, T0, T0, table * 8);
                asm!(self.ops
                    ; ldr x17, [x16, abi::table::LEN as u32]
                    ; mov W(T2), W(i)
                    ; cmp x15, x17
                    ; b.hs =>undefined
                    ; ldr x16, [x16, abi::table::ELEMENTS as u32]
                    ; ldr x16, [x16, x15, lsl 3]
                    ; cbz x16, =>uninitialized
                    ; sub x15, x16, 1
                );
                self.func_ref_of_addr();
                self.access(Access::LdrX, T1, 26, abi::instance::TYPE_IDS as u32);
                self.access(Access::LdrW, T1, T1, type_index * 4);
                asm!(self.ops
                    ; ldr w0, [x16, abi::func_ref::TYPE_ID as u32]
                    ; cmp w17, w0
                    ; b.ne =>mismatch
                );
                self.call_ref(None, args_slot, at, ret);
            }
        }
    }

    fn v128_const(&mut self, dst: Reg, bytes: [u8; 16]) {
        crate::simd::constant(self, dst.index, bytes);
    }

    fn simd(&mut self, op: Opcode, dst: Reg, args: &[Reg], lane: u8) -> bool {
        let mut indices = [0u8; 3];
        for (index, arg) in indices.iter_mut().zip(args) {
            *index = arg.index;
        }
        crate::simd::emit(self, op, dst.index, &indices[..args.len()], lane)
    }

    fn shuffle(&mut self, dst: Reg, a: Reg, b: Reg, lanes: [u8; 16]) {
        crate::simd::shuffle(self, dst.index, a.index, b.index, lanes);
    }

    fn simd_load(
        &mut self,
        op: Opcode,
        dst: Reg,
        addr: Reg,
        offset: u32,
        into: Option<(Reg, u8)>,
        at: TrapAt,
    ) -> bool {
        crate::simd::load(self, op, dst.index, addr, offset, into.map(|(r, lane)| (r.index, lane)), at)
    }

    fn simd_store(&mut self, op: Opcode, addr: Reg, value: Reg, offset: u32, lane: u8, at: TrapAt) -> bool {
        crate::simd::store(self, op, addr, value.index, offset, lane, at)
    }

    fn libcall(&mut self, call: Libcall, args_slot: u32, a: u32, b: u32, at: TrapAt) {
        add_imm(&mut self.ops, true, 1, 27, i64::from(args_slot) * 8);
        mov_imm(&mut self.ops, false, 2, u64::from(a));
        mov_imm(&mut self.ops, false, 3, u64::from(b));
        self.call_libcall(call);
        self.check_libcall(at.pc);
    }
}
