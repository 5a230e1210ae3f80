//! The x86-64 macro-assembler: the front-end's operations in SSE4.1 x86-64 code.
//!
//! Registers: `r15` holds the VM context, `r14` the frame base (the address of slot 0
//! of the running frame), `r13` the instance record, `r12` the base of its memory 0,
//! and `rbp` the budget counter (written back to the VM context whenever compiled code
//! leaves or calls the runtime: a counter in memory would chain every loop iteration
//! through a store and a load); `rax`, `rcx`, `rdx`, `xmm14` and `xmm15` are scratch.
//! The rest are the front-end's.
//! Every compiled function keeps `rsp` 16-byte aligned in its body (its entry subtracts
//! 8 from the return address's alignment), so calls out need no adjustment.

use dynasmrt::x64::Assembler;
use dynasmrt::{DynamicLabel, DynasmApi, DynasmLabelApi};
use stratus_decoder::{Opcode, ValType};
use stratus_jit::abi::{self, Libcall};
use stratus_jit::{
    Bounds, Callee, Cond, Convert, DivOp, FCond, FSize, FaultSite, FloatOp, FloatUnop, IntOp, IntUnop, Label,
    LoadOp, MacroAssembler, Reg, RegClass, Src, StoreOp, TrapAt, Width,
};
use stratus_runtime::TrapKind;

const INT_REGS: &[Reg] = &[
    Reg { class: RegClass::Int, index: 3 },
    Reg { class: RegClass::Int, index: 6 },
    Reg { class: RegClass::Int, index: 7 },
    Reg { class: RegClass::Int, index: 8 },
    Reg { class: RegClass::Int, index: 9 },
    Reg { class: RegClass::Int, index: 10 },
    Reg { class: RegClass::Int, index: 11 },
];

const FLOAT_REGS: &[Reg] = &[
    Reg { class: RegClass::Float, index: 0 },
    Reg { class: RegClass::Float, index: 1 },
    Reg { class: RegClass::Float, index: 2 },
    Reg { class: RegClass::Float, index: 3 },
    Reg { class: RegClass::Float, index: 4 },
    Reg { class: RegClass::Float, index: 5 },
    Reg { class: RegClass::Float, index: 6 },
    Reg { class: RegClass::Float, index: 7 },
    Reg { class: RegClass::Float, index: 8 },
    Reg { class: RegClass::Float, index: 9 },
    Reg { class: RegClass::Float, index: 10 },
    Reg { class: RegClass::Float, index: 11 },
    Reg { class: RegClass::Float, index: 12 },
    Reg { class: RegClass::Float, index: 13 },
];

/// Out-of-line code, emitted after the function's body.
enum Stub {
    /// A trap with a fixed code; `arg` holds the element index for element traps.
    Trap { label: DynamicLabel, code: u32, pc: u32, arg: Option<u8> },
    /// A libcall failed: its return value (in `eax`) is the trap code.
    LibcallTrap { label: DynamicLabel, pc: u32 },
    /// The budget ran out: ask the driver, then go on at `resume` or stop at `at`.
    Budget { label: DynamicLabel, resume: DynamicLabel, at: TrapAt },
    /// An entry from the trampoline at a loop header, whose cached locals `reload`
    /// loads: it makes the frame the function's entry makes.
    Osr { label: DynamicLabel, reload: DynamicLabel },
    /// A call through a function ref found no code: the runtime calls the function
    /// (store address in `r8d`, arguments at `offset` from the frame base), then the
    /// code goes on at `done`, or leaves through `trap` (a `LibcallTrap`).
    RuntimeCall { label: DynamicLabel, done: DynamicLabel, trap: DynamicLabel, offset: i32 },
}

/// Module-wide labels of the shared exit paths.
pub(crate) struct Shared {
    pub trap_exit: DynamicLabel,
    pub budget_exit: DynamicLabel,
}

pub struct X64Masm {
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

impl X64Masm {
    /// A macro-assembler for the defined functions `unit` of a module with `imported`
    /// imported functions.
    pub(crate) fn new(
        ops: Assembler,
        bounds: Bounds,
        shared: Shared,
        imported: u32,
        unit: std::ops::Range<u32>,
    ) -> X64Masm {
        let mut masm = X64Masm {
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

    /// Loads the function's store address (from the instance record) into `eax`.
    fn load_func_addr(&mut self, index: u32) {
        asm!(self.ops
            ; mov rax, [r13 + abi::instance::FUNCS]
            ; mov eax, [rax + (index * 4) as i32]
        );
    }

    /// Loads the function ref of function `index` (module index) into `rax`, and its
    /// store address into `r8d`.
    fn load_func_ref(&mut self, index: u32) {
        self.load_func_addr(index);
        asm!(self.ops
            ; mov r8d, eax
            ; imul rax, rax, abi::func_ref::SIZE
            ; add rax, [r15 + abi::vm::FUNC_REFS]
        );
    }

    /// Calls libcall `call` with `rsi` and `edx`/`ecx` already set.
    pub(crate) fn call_libcall(&mut self, call: Libcall) {
        asm!(self.ops
            ; mov rdi, r15
            ; mov r8, r13
            ; mov [r15 + abi::vm::BUDGET], rbp
            ; mov rax, [r15 + abi::vm::LIBCALLS]
            ; call QWORD [rax + (call as i32) * 8]
            ; mov rbp, [r15 + abi::vm::BUDGET]
        );
    }

    /// Checks that a callee whose frame needs `frame_slots` (in `edx` when `None`) from
    /// slot `args_slot` fits, and pushes the caller's frame record for `ret`.
    fn call_checks_and_frame(&mut self, frame_slots: Option<u32>, args_slot: u32, at: TrapAt, ret: TrapAt) {
        let exhausted = self.trap_stub(trap_code(TrapKind::CallStackExhausted), at.pc, None);
        match frame_slots {
            Some(slots) => asm!(self.ops ; lea rdx, [r14 + ((args_slot + slots) * 8) as i32]),
            None => asm!(self.ops ; lea rdx, [r14 + rdx * 8 + (args_slot * 8) as i32]),
        }
        let func = self.func;
        asm!(self.ops
            ; cmp rdx, [r15 + abi::vm::SLOTS_END]
            ; ja =>exhausted
            ; cmp rsp, [r15 + abi::vm::STACK_LIMIT]
            ; jb =>exhausted
            ; mov rdx, [r15 + abi::vm::FRAMES_LEN]
            ; cmp rdx, [r15 + abi::vm::FRAMES_MAX]
            ; jae =>exhausted
            ; shl rdx, 4
            ; add rdx, [r15 + abi::vm::FRAMES]
            ; mov r9, [r13 + abi::instance::FUNCS]
            ; mov r9d, [r9 + (func * 4) as i32]
            ; mov [rdx + abi::frame::FUNC], r9d
            ; mov DWORD [rdx + abi::frame::PC], ret.pc as i32
            ; mov DWORD [rdx + abi::frame::STP], ret.stp as i32
            ; mov r9, r14
            ; sub r9, [r15 + abi::vm::SLOTS]
            ; shr r9, 3
            ; mov [rdx + abi::frame::BASE], r9d
            ; add QWORD [r15 + abi::vm::FRAMES_LEN], 1
        );
    }

    /// Calls through the function ref in `rax`, of the function whose store address is
    /// in `r8d`: of a function of this instance whose frame takes `frame_slots`, or of
    /// any function (`None`). A function without code is called by the runtime, out of
    /// line, with the caller's frame record pushed all the same: a pause in the
    /// interpreter there unwinds the caller to that record.
    fn call_ref(&mut self, frame_slots: Option<u32>, args_slot: u32, at: TrapAt, ret: TrapAt) {
        let runtime = self.ops.new_dynamic_label();
        let done = self.ops.new_dynamic_label();
        let offset = (args_slot * 8) as i32;
        let trap = self.libcall_trap(at.pc);
        self.stubs.push(Stub::RuntimeCall { label: runtime, done, trap, offset });
        if frame_slots.is_none() {
            asm!(self.ops ; mov edx, [rax + abi::func_ref::FRAME_SLOTS]);
        }
        self.call_checks_and_frame(frame_slots, args_slot, at, ret);
        asm!(self.ops
            ; mov rcx, [rax + abi::func_ref::CODE]
            ; test rcx, rcx
            ; jz =>runtime
        );
        if frame_slots.is_some() {
            // The same instance: its record and memory stay.
            asm!(self.ops
                ; add r14, offset
                ; call rcx
                ; sub r14, offset
            );
        } else {
            asm!(self.ops
                ; push r13
                ; push r12
                ; mov r13, [rax + abi::func_ref::INSTANCE]
                ; mov r12, [r13 + abi::instance::MEMORY_BASE]
                ; add r14, offset
                ; call rcx
                ; sub r14, offset
                ; pop r12
                ; pop r13
            );
        }
        asm!(self.ops
            ; sub QWORD [r15 + abi::vm::FRAMES_LEN], 1
            ; =>done
        );
    }

    pub(crate) fn check_libcall(&mut self, pc: u32) {
        let label = self.libcall_trap(pc);
        asm!(self.ops
            ; test eax, eax
            ; jnz =>label
        );
    }

    /// The exit for a libcall at `pc` that failed.
    fn libcall_trap(&mut self, pc: u32) -> DynamicLabel {
        let label = self.ops.new_dynamic_label();
        self.stubs.push(Stub::LibcallTrap { label, pc });
        label
    }

    /// Puts the effective address of an access of `bytes` at `addr + offset` in `rax`
    /// (relative to the memory base), checking it against the memory's length when
    /// bounds are explicit.
    pub(crate) fn address(&mut self, addr: Reg, offset: u32, bytes: u32, pc: u32) {
        let a = addr.index;
        asm!(self.ops ; mov eax, Rd(a));
        if offset > i32::MAX as u32 || self.bounds == Bounds::Explicit {
            asm!(self.ops
                ; mov ecx, offset as i32
                ; add rax, rcx
            );
        }
        if self.bounds == Bounds::Explicit {
            let oob = self.trap_stub(trap_code(TrapKind::MemoryOutOfBounds), pc, None);
            asm!(self.ops
                ; lea rcx, [rax + bytes as i32]
                ; mov rdx, [r13 + abi::instance::MEMORY]
                ; cmp rcx, [rdx + abi::memory::LEN]
                ; ja =>oob
            );
        }
    }

    /// The index register and displacement of a scalar access: the address register
    /// itself (its i32 is zero-extended) when the guard region checks and the offset fits
    /// a displacement, else `rax` as [`address`](Self::address) leaves it.
    fn index(&mut self, addr: Reg, offset: u32, bytes: u32, pc: u32) -> (u8, i32) {
        if self.bounds == Bounds::Guard && offset <= i32::MAX as u32 {
            return (addr.index, offset as i32);
        }
        self.address(addr, offset, bytes, pc);
        (0, self.displacement(offset))
    }

    /// The displacement left for the access instruction after [`address`](Self::address).
    pub(crate) fn displacement(&self, offset: u32) -> i32 {
        if offset > i32::MAX as u32 || self.bounds == Bounds::Explicit { 0 } else { offset as i32 }
    }

    pub(crate) fn fault_site(&mut self, pc: u32) {
        if self.bounds == Bounds::Guard {
            let native = self.ops.offset().0 as u32;
            self.faults.push(FaultSite { native, pc, func: self.func });
        }
    }

    /// Loads a float constant's bits into `xmm{dst}` through `rax`.
    pub(crate) fn float_const(&mut self, dst: u8, bits: u64) {
        asm!(self.ops
            ; mov rax, QWORD bits as i64
            ; movq Rx(dst), rax
        );
    }

    fn emit_stubs(&mut self) {
        for stub in std::mem::take(&mut self.stubs) {
            self.emit_stub(stub);
        }
    }

    fn emit_stub(&mut self, stub: Stub) {
        let func = self.func;
        match stub {
            Stub::Trap { label, code, pc, arg } => {
                asm!(self.ops ; =>label);
                match arg {
                    Some(reg) => asm!(self.ops ; mov r8d, Rd(reg)),
                    None => asm!(self.ops ; xor r8d, r8d),
                }
                asm!(self.ops
                    ; mov ecx, code as i32
                    ; mov edx, pc as i32
                    ; mov esi, func as i32
                    ; jmp =>self.shared.trap_exit
                );
            }
            Stub::LibcallTrap { label, pc } => {
                asm!(self.ops
                    ; =>label
                    ; mov ecx, eax
                    ; mov r8d, [r15 + abi::vm::EXIT_ARG]
                    ; mov edx, pc as i32
                    ; mov esi, func as i32
                    ; jmp =>self.shared.trap_exit
                );
            }
            Stub::Budget { label, resume, at } => {
                asm!(self.ops
                    ; =>label
                    ; xor esi, esi
                    ; xor edx, edx
                    ; xor ecx, ecx
                );
                self.call_libcall(Libcall::Budget);
                asm!(self.ops
                    ; test eax, eax
                    ; jz =>resume
                    ; mov edx, at.pc as i32
                    ; mov ecx, at.stp as i32
                    ; mov esi, func as i32
                    ; mov r8d, at.height as i32
                    ; jmp =>self.shared.budget_exit
                );
            }
            Stub::Osr { label, reload } => {
                asm!(self.ops
                    ; =>label
                    ; sub rsp, 8
                    ; jmp =>reload
                );
            }
            Stub::RuntimeCall { label, done, trap, offset } => {
                asm!(self.ops
                    ; =>label
                    ; lea rsi, [r14 + offset]
                    ; mov edx, r8d
                    ; xor ecx, ecx
                );
                self.call_libcall(Libcall::Call);
                asm!(self.ops
                    ; sub QWORD [r15 + abi::vm::FRAMES_LEN], 1
                    ; test eax, eax
                    ; jnz =>trap
                    ; jmp =>done
                );
            }
        }
    }

    fn setcc(&mut self, cond: Cond, dst: u8) {
        match cond {
            Cond::Eq => asm!(self.ops ; sete Rb(dst)),
            Cond::Ne => asm!(self.ops ; setne Rb(dst)),
            Cond::LtS => asm!(self.ops ; setl Rb(dst)),
            Cond::LtU => asm!(self.ops ; setb Rb(dst)),
            Cond::GtS => asm!(self.ops ; setg Rb(dst)),
            Cond::GtU => asm!(self.ops ; seta Rb(dst)),
            Cond::LeS => asm!(self.ops ; setle Rb(dst)),
            Cond::LeU => asm!(self.ops ; setbe Rb(dst)),
            Cond::GeS => asm!(self.ops ; setge Rb(dst)),
            Cond::GeU => asm!(self.ops ; setae Rb(dst)),
        }
    }

    fn jcc(&mut self, cond: Cond, target: DynamicLabel) {
        match cond {
            Cond::Eq => asm!(self.ops ; je =>target),
            Cond::Ne => asm!(self.ops ; jne =>target),
            Cond::LtS => asm!(self.ops ; jl =>target),
            Cond::LtU => asm!(self.ops ; jb =>target),
            Cond::GtS => asm!(self.ops ; jg =>target),
            Cond::GtU => asm!(self.ops ; ja =>target),
            Cond::LeS => asm!(self.ops ; jle =>target),
            Cond::LeU => asm!(self.ops ; jbe =>target),
            Cond::GeS => asm!(self.ops ; jge =>target),
            Cond::GeU => asm!(self.ops ; jae =>target),
        }
    }

    fn cmp(&mut self, width: Width, lhs: u8, rhs: Src) {
        match (width, rhs) {
            (Width::W32, Src::Reg(r)) => asm!(self.ops ; cmp Rd(lhs), Rd(r.index)),
            (Width::W64, Src::Reg(r)) => asm!(self.ops ; cmp Rq(lhs), Rq(r.index)),
            (Width::W32, Src::Imm(i)) => asm!(self.ops ; cmp Rd(lhs), i),
            (Width::W64, Src::Imm(i)) => asm!(self.ops ; cmp Rq(lhs), i),
        }
    }

    /// Puts a float operand in `xmm15` as an `f64`.
    fn widen_to_scratch(&mut self, size: FSize, src: u8) {
        match size {
            FSize::F32 => asm!(self.ops ; cvtss2sd xmm15, Rx(src)),
            FSize::F64 => asm!(self.ops ; movaps xmm15, Rx(src)),
        }
    }

    /// Float to integer: `sat` saturates, otherwise NaN and out-of-range values trap.
    #[allow(clippy::too_many_arguments)]
    fn truncate(&mut self, from: FSize, to: Width, signed: bool, sat: bool, dst: u8, src: u8, at: TrapAt) {
        // The range that converts, as exclusive f64 bounds (inclusive where marked).
        let (lo, lo_inclusive, hi): (f64, bool, f64) = match (to, signed) {
            (Width::W32, true) => (-2147483649.0, false, 2147483648.0),
            (Width::W32, false) => (-1.0, false, 4294967296.0),
            (Width::W64, true) => (-9223372036854775808.0, true, 9223372036854775808.0),
            (Width::W64, false) => (-1.0, false, 18446744073709551616.0),
        };
        self.widen_to_scratch(from, src);
        let done = self.ops.new_dynamic_label();
        let (nan, below, above) = if sat {
            (self.ops.new_dynamic_label(), self.ops.new_dynamic_label(), self.ops.new_dynamic_label())
        } else {
            let invalid = self.trap_stub(trap_code(TrapKind::InvalidConversionToInteger), at.pc, None);
            let overflow = self.trap_stub(trap_code(TrapKind::IntegerOverflow), at.pc, None);
            (invalid, overflow, overflow)
        };
        asm!(self.ops ; ucomisd xmm15, xmm15 ; jp =>nan);
        self.float_const(14, lo.to_bits());
        asm!(self.ops ; ucomisd xmm15, xmm14);
        if lo_inclusive {
            asm!(self.ops ; jb =>below);
        } else {
            asm!(self.ops ; jbe =>below);
        }
        self.float_const(14, hi.to_bits());
        asm!(self.ops ; ucomisd xmm15, xmm14 ; jae =>above);
        match (to, signed) {
            (Width::W32, true) => asm!(self.ops ; cvttsd2si Rd(dst), xmm15),
            (Width::W32, false) => asm!(self.ops ; cvttsd2si Rq(dst), xmm15 ; mov Rd(dst), Rd(dst)),
            (Width::W64, true) => asm!(self.ops ; cvttsd2si Rq(dst), xmm15),
            (Width::W64, false) => {
                let big = self.ops.new_dynamic_label();
                self.float_const(14, 9223372036854775808.0f64.to_bits());
                asm!(self.ops
                    ; ucomisd xmm15, xmm14
                    ; jae =>big
                    ; cvttsd2si Rq(dst), xmm15
                    ; jmp =>done
                    ; =>big
                    ; subsd xmm15, xmm14
                    ; cvttsd2si Rq(dst), xmm15
                    ; mov rax, QWORD i64::MIN
                    ; xor Rq(dst), rax
                );
            }
        }
        if sat {
            let (min, max): (i64, i64) = match (to, signed) {
                (Width::W32, true) => (i32::MIN as u32 as i64, i32::MAX as i64),
                (Width::W32, false) => (0, u32::MAX as i64),
                (Width::W64, true) => (i64::MIN, i64::MAX),
                (Width::W64, false) => (0, -1),
            };
            asm!(self.ops
                ; jmp =>done
                ; =>nan
                ; xor Rd(dst), Rd(dst)
                ; jmp =>done
                ; =>below
                ; mov Rq(dst), QWORD min
                ; jmp =>done
                ; =>above
                ; mov Rq(dst), QWORD max
            );
        }
        asm!(self.ops ; =>done);
    }

    fn convert_int(&mut self, from: Width, to: FSize, signed: bool, dst: u8, src: u8) {
        asm!(self.ops ; xorps Rx(dst), Rx(dst));
        match (from, signed, to) {
            (Width::W32, true, FSize::F32) => asm!(self.ops ; cvtsi2ss Rx(dst), Rd(src)),
            (Width::W32, true, FSize::F64) => asm!(self.ops ; cvtsi2sd Rx(dst), Rd(src)),
            (Width::W32, false, FSize::F32) => asm!(self.ops ; mov eax, Rd(src) ; cvtsi2ss Rx(dst), rax),
            (Width::W32, false, FSize::F64) => asm!(self.ops ; mov eax, Rd(src) ; cvtsi2sd Rx(dst), rax),
            (Width::W64, true, FSize::F32) => asm!(self.ops ; cvtsi2ss Rx(dst), Rq(src)),
            (Width::W64, true, FSize::F64) => asm!(self.ops ; cvtsi2sd Rx(dst), Rq(src)),
            (Width::W64, false, _) => {
                let big = self.ops.new_dynamic_label();
                let done = self.ops.new_dynamic_label();
                asm!(self.ops ; test Rq(src), Rq(src) ; js =>big);
                match to {
                    FSize::F32 => asm!(self.ops ; cvtsi2ss Rx(dst), Rq(src)),
                    FSize::F64 => asm!(self.ops ; cvtsi2sd Rx(dst), Rq(src)),
                }
                // Halve (keeping the lost bit, so rounding is right), convert, double.
                asm!(self.ops
                    ; jmp =>done
                    ; =>big
                    ; mov rax, Rq(src)
                    ; shr rax, 1
                    ; mov rcx, Rq(src)
                    ; and ecx, 1
                    ; or rax, rcx
                );
                match to {
                    FSize::F32 => asm!(self.ops ; cvtsi2ss Rx(dst), rax ; addss Rx(dst), Rx(dst)),
                    FSize::F64 => asm!(self.ops ; cvtsi2sd Rx(dst), rax ; addsd Rx(dst), Rx(dst)),
                }
                asm!(self.ops ; =>done);
            }
        }
    }
}

impl MacroAssembler for X64Masm {
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
        self.ops.align(16, 0xCC);
        asm!(self.ops
            ; =>entry
            ; sub rsp, 8
        );
        if local_slots > param_slots {
            asm!(self.ops ; xor eax, eax);
            if local_slots - param_slots <= 8 {
                for slot in param_slots..local_slots {
                    asm!(self.ops ; mov [r14 + (slot * 8) as i32], rax);
                }
            } else {
                let top = self.ops.new_dynamic_label();
                asm!(self.ops
                    ; mov ecx, (param_slots * 8) as i32
                    ; =>top
                    ; mov [r14 + rcx], rax
                    ; add ecx, 8
                    ; cmp ecx, (local_slots * 8) as i32
                    ; jb =>top
                );
            }
        }
        let label = self.ops.new_dynamic_label();
        let resume = self.ops.new_dynamic_label();
        self.stubs.push(Stub::Budget { label, resume, at: TrapAt { pc: 0, stp: 0, height: local_slots } });
        asm!(self.ops
            ; sub rbp, 1
            ; jl =>label
            ; =>resume
        );
    }

    fn end_function(&mut self) {
        self.emit_stubs();
    }

    // Slots within 128 bytes of the frame base take an 8-bit displacement (`[BYTE ..]`):
    // dynasm gives a displacement computed at run time 32 bits unless told, and these
    // are the commonest instructions.

    fn load_slot(&mut self, dst: Reg, slot: u32, ty: ValType) {
        let (at, d) = ((slot * 8) as i32, dst.index);
        let near = at < 128;
        match (dst.class, ty) {
            (RegClass::Int, _) if near => asm!(self.ops ; mov Rq(d), [BYTE r14 + at as i8]),
            (RegClass::Int, _) => asm!(self.ops ; mov Rq(d), [r14 + at]),
            (RegClass::Float, ValType::V128) if near => asm!(self.ops ; movdqu Rx(d), [BYTE r14 + at as i8]),
            (RegClass::Float, ValType::V128) => asm!(self.ops ; movdqu Rx(d), [r14 + at]),
            (RegClass::Float, _) if near => asm!(self.ops ; movq Rx(d), [BYTE r14 + at as i8]),
            (RegClass::Float, _) => asm!(self.ops ; movq Rx(d), [r14 + at]),
        }
    }

    fn store_slot(&mut self, slot: u32, src: Reg, ty: ValType) {
        let (at, r) = ((slot * 8) as i32, src.index);
        let near = at < 128;
        match (src.class, ty) {
            (RegClass::Int, _) if near => asm!(self.ops ; mov [BYTE r14 + at as i8], Rq(r)),
            (RegClass::Int, _) => asm!(self.ops ; mov [r14 + at], Rq(r)),
            (RegClass::Float, ValType::F32) if near => {
                asm!(self.ops ; movd eax, Rx(r) ; mov [BYTE r14 + at as i8], rax)
            }
            (RegClass::Float, ValType::F32) => asm!(self.ops ; movd eax, Rx(r) ; mov [r14 + at], rax),
            (RegClass::Float, ValType::V128) if near => asm!(self.ops ; movdqu [BYTE r14 + at as i8], Rx(r)),
            (RegClass::Float, ValType::V128) => asm!(self.ops ; movdqu [r14 + at], Rx(r)),
            (RegClass::Float, _) if near => asm!(self.ops ; movq [BYTE r14 + at as i8], Rx(r)),
            (RegClass::Float, _) => asm!(self.ops ; movq [r14 + at], Rx(r)),
        }
    }

    fn store_slot_const(&mut self, slot: u32, bits: u64, _ty: ValType) {
        let at = (slot * 8) as i32;
        let near = at < 128;
        match i32::try_from(bits as i64) {
            Ok(imm) if near => asm!(self.ops ; mov QWORD [BYTE r14 + at as i8], imm),
            Ok(imm) => asm!(self.ops ; mov QWORD [r14 + at], imm),
            Err(_) if near => asm!(self.ops ; mov rax, QWORD bits as i64 ; mov [BYTE r14 + at as i8], rax),
            Err(_) => asm!(self.ops ; mov rax, QWORD bits as i64 ; mov [r14 + at], rax),
        }
    }

    fn copy_slot(&mut self, dst: u32, src: u32) {
        let (from, to) = ((src * 8) as i32, (dst * 8) as i32);
        if from < 128 {
            asm!(self.ops ; mov rax, [BYTE r14 + from as i8]);
        } else {
            asm!(self.ops ; mov rax, [r14 + from]);
        }
        if to < 128 {
            asm!(self.ops ; mov [BYTE r14 + to as i8], rax);
        } else {
            asm!(self.ops ; mov [r14 + to], rax);
        }
    }

    fn mov(&mut self, dst: Reg, src: Reg) {
        match dst.class {
            RegClass::Int => asm!(self.ops ; mov Rq(dst.index), Rq(src.index)),
            RegClass::Float => asm!(self.ops ; movaps Rx(dst.index), Rx(src.index)),
        }
    }

    fn mov_const(&mut self, dst: Reg, bits: u64) {
        let d = dst.index;
        match dst.class {
            RegClass::Int if bits == 0 => asm!(self.ops ; xor Rd(d), Rd(d)),
            RegClass::Int if bits <= u32::MAX as u64 => asm!(self.ops ; mov Rd(d), bits as i32),
            RegClass::Int => asm!(self.ops ; mov Rq(d), QWORD bits as i64),
            RegClass::Float if bits == 0 => asm!(self.ops ; xorps Rx(d), Rx(d)),
            RegClass::Float => self.float_const(d, bits),
        }
    }

    fn int_op_to(&mut self, op: IntOp, width: Width, dst: Reg, lhs: Reg, rhs: Src) {
        match (op, width, rhs) {
            (IntOp::Add, Width::W32, Src::Imm(i)) => asm!(self.ops ; lea Rd(dst.index), [Rq(lhs.index) + i]),
            (IntOp::Add, Width::W64, Src::Imm(i)) => asm!(self.ops ; lea Rq(dst.index), [Rq(lhs.index) + i]),
            (IntOp::Add, Width::W32, Src::Reg(r)) => {
                asm!(self.ops ; lea Rd(dst.index), [Rq(lhs.index) + Rq(r.index)])
            }
            (IntOp::Add, Width::W64, Src::Reg(r)) => {
                asm!(self.ops ; lea Rq(dst.index), [Rq(lhs.index) + Rq(r.index)])
            }
            (IntOp::Sub, Width::W32, Src::Imm(i)) if i != i32::MIN => {
                asm!(self.ops ; lea Rd(dst.index), [Rq(lhs.index) - i])
            }
            (IntOp::Sub, Width::W64, Src::Imm(i)) if i != i32::MIN => {
                asm!(self.ops ; lea Rq(dst.index), [Rq(lhs.index) - i])
            }
            _ => {
                self.mov(dst, lhs);
                self.int_op(op, width, dst, rhs);
            }
        }
    }

    fn int_op(&mut self, op: IntOp, width: Width, dst: Reg, rhs: Src) {
        let d = dst.index;
        macro_rules! binop {
            ($ins:ident) => {
                match (width, rhs) {
                    (Width::W32, Src::Reg(r)) => asm!(self.ops ; $ins Rd(d), Rd(r.index)),
                    (Width::W64, Src::Reg(r)) => asm!(self.ops ; $ins Rq(d), Rq(r.index)),
                    (Width::W32, Src::Imm(i)) => asm!(self.ops ; $ins Rd(d), i),
                    (Width::W64, Src::Imm(i)) => asm!(self.ops ; $ins Rq(d), i),
                }
            };
        }
        macro_rules! shift {
            ($ins:ident) => {
                match (width, rhs) {
                    (Width::W32, Src::Reg(r)) => asm!(self.ops ; mov ecx, Rd(r.index) ; $ins Rd(d), cl),
                    (Width::W64, Src::Reg(r)) => asm!(self.ops ; mov ecx, Rd(r.index) ; $ins Rq(d), cl),
                    (Width::W32, Src::Imm(i)) => asm!(self.ops ; $ins Rd(d), (i & 31) as i8),
                    (Width::W64, Src::Imm(i)) => asm!(self.ops ; $ins Rq(d), (i & 63) as i8),
                }
            };
        }
        match op {
            IntOp::Add => binop!(add),
            IntOp::Sub => binop!(sub),
            IntOp::And => binop!(and),
            IntOp::Or => binop!(or),
            IntOp::Xor => binop!(xor),
            IntOp::Mul => match (width, rhs) {
                (Width::W32, Src::Reg(r)) => asm!(self.ops ; imul Rd(d), Rd(r.index)),
                (Width::W64, Src::Reg(r)) => asm!(self.ops ; imul Rq(d), Rq(r.index)),
                (Width::W32, Src::Imm(i)) => asm!(self.ops ; imul Rd(d), Rd(d), i),
                (Width::W64, Src::Imm(i)) => asm!(self.ops ; imul Rq(d), Rq(d), i),
            },
            IntOp::Shl => shift!(shl),
            IntOp::ShrS => shift!(sar),
            IntOp::ShrU => shift!(shr),
            IntOp::Rotl => shift!(rol),
            IntOp::Rotr => shift!(ror),
        }
    }

    fn int_div(&mut self, op: DivOp, width: Width, dst: Reg, rhs: Reg, at: TrapAt) {
        let (d, r) = (dst.index, rhs.index);
        let div0 = self.trap_stub(trap_code(TrapKind::IntegerDivideByZero), at.pc, None);
        let done = self.ops.new_dynamic_label();
        match width {
            Width::W32 => asm!(self.ops ; test Rd(r), Rd(r) ; jz =>div0),
            Width::W64 => asm!(self.ops ; test Rq(r), Rq(r) ; jz =>div0),
        }
        if matches!(op, DivOp::DivS | DivOp::RemS) {
            let normal = self.ops.new_dynamic_label();
            match width {
                Width::W32 => asm!(self.ops ; cmp Rd(r), -1 ; jne =>normal),
                Width::W64 => asm!(self.ops ; cmp Rq(r), -1 ; jne =>normal),
            }
            if op == DivOp::DivS {
                let overflow = self.trap_stub(trap_code(TrapKind::IntegerOverflow), at.pc, None);
                match width {
                    Width::W32 => asm!(self.ops ; cmp Rd(d), i32::MIN ; je =>overflow),
                    Width::W64 => asm!(self.ops ; mov rax, QWORD i64::MIN ; cmp Rq(d), rax ; je =>overflow),
                }
                // x / -1 is -x.
                match width {
                    Width::W32 => asm!(self.ops ; neg Rd(d)),
                    Width::W64 => asm!(self.ops ; neg Rq(d)),
                }
            } else {
                asm!(self.ops ; xor Rd(d), Rd(d));
            }
            asm!(self.ops ; jmp =>done ; =>normal);
        }
        match (width, op) {
            (Width::W32, DivOp::DivS | DivOp::RemS) => asm!(self.ops ; mov eax, Rd(d) ; cdq ; idiv Rd(r)),
            (Width::W32, _) => asm!(self.ops ; mov eax, Rd(d) ; xor edx, edx ; div Rd(r)),
            (Width::W64, DivOp::DivS | DivOp::RemS) => asm!(self.ops ; mov rax, Rq(d) ; cqo ; idiv Rq(r)),
            (Width::W64, _) => asm!(self.ops ; mov rax, Rq(d) ; xor edx, edx ; div Rq(r)),
        }
        match (width, op) {
            (Width::W32, DivOp::DivS | DivOp::DivU) => asm!(self.ops ; mov Rd(d), eax),
            (Width::W32, _) => asm!(self.ops ; mov Rd(d), edx),
            (Width::W64, DivOp::DivS | DivOp::DivU) => asm!(self.ops ; mov Rq(d), rax),
            (Width::W64, _) => asm!(self.ops ; mov Rq(d), rdx),
        }
        asm!(self.ops ; =>done);
    }

    fn int_unop(&mut self, op: IntUnop, width: Width, dst: Reg) {
        let d = dst.index;
        let nonzero = self.ops.new_dynamic_label();
        match (op, width) {
            (IntUnop::Clz, Width::W32) => asm!(self.ops
                ; bsr eax, Rd(d) ; jnz =>nonzero ; mov eax, -1 ; =>nonzero
                ; mov Rd(d), 31 ; sub Rd(d), eax),
            (IntUnop::Clz, Width::W64) => asm!(self.ops
                ; bsr rax, Rq(d) ; jnz =>nonzero ; mov rax, -1 ; =>nonzero
                ; mov Rd(d), 63 ; sub Rq(d), rax),
            (IntUnop::Ctz, Width::W32) => asm!(self.ops
                ; bsf eax, Rd(d) ; jnz =>nonzero ; mov eax, 32 ; =>nonzero ; mov Rd(d), eax),
            (IntUnop::Ctz, Width::W64) => asm!(self.ops
                ; bsf rax, Rq(d) ; jnz =>nonzero ; mov eax, 64 ; =>nonzero ; mov Rq(d), rax),
            (IntUnop::Popcnt, width) if !std::is_x86_feature_detected!("popcnt") => self.popcount(width, d),
            (IntUnop::Popcnt, Width::W32) => asm!(self.ops ; popcnt Rd(d), Rd(d)),
            (IntUnop::Popcnt, Width::W64) => asm!(self.ops ; popcnt Rq(d), Rq(d)),
            (IntUnop::Extend8S, Width::W32) => asm!(self.ops ; movsx Rd(d), Rb(d)),
            (IntUnop::Extend8S, Width::W64) => asm!(self.ops ; movsx Rq(d), Rb(d)),
            (IntUnop::Extend16S, Width::W32) => asm!(self.ops ; movsx Rd(d), Rw(d)),
            (IntUnop::Extend16S, Width::W64) => asm!(self.ops ; movsx Rq(d), Rw(d)),
            (IntUnop::Extend32S, _) => asm!(self.ops ; movsxd Rq(d), Rd(d)),
        }
    }

    fn int_cmp(&mut self, cond: Cond, width: Width, dst: Reg, lhs: Reg, rhs: Src) {
        self.cmp(width, lhs.index, rhs);
        self.setcc(cond, dst.index);
        asm!(self.ops ; movzx Rd(dst.index), Rb(dst.index));
    }

    fn eqz(&mut self, width: Width, dst: Reg, src: Reg) {
        match width {
            Width::W32 => asm!(self.ops ; test Rd(src.index), Rd(src.index)),
            Width::W64 => asm!(self.ops ; test Rq(src.index), Rq(src.index)),
        }
        asm!(self.ops ; sete Rb(dst.index) ; movzx Rd(dst.index), Rb(dst.index));
    }

    fn select(&mut self, dst: Reg, other: Reg, cond: Reg) {
        asm!(self.ops ; test Rd(cond.index), Rd(cond.index));
        match dst.class {
            RegClass::Int => asm!(self.ops ; cmovz Rq(dst.index), Rq(other.index)),
            RegClass::Float => {
                let keep = self.ops.new_dynamic_label();
                asm!(self.ops ; jnz =>keep ; movaps Rx(dst.index), Rx(other.index) ; =>keep);
            }
        }
    }

    fn float_op(&mut self, op: FloatOp, size: FSize, dst: Reg, rhs: Reg) {
        let (d, r) = (dst.index, rhs.index);
        match (op, size) {
            (FloatOp::Add, FSize::F32) => asm!(self.ops ; addss Rx(d), Rx(r)),
            (FloatOp::Add, FSize::F64) => asm!(self.ops ; addsd Rx(d), Rx(r)),
            (FloatOp::Sub, FSize::F32) => asm!(self.ops ; subss Rx(d), Rx(r)),
            (FloatOp::Sub, FSize::F64) => asm!(self.ops ; subsd Rx(d), Rx(r)),
            (FloatOp::Mul, FSize::F32) => asm!(self.ops ; mulss Rx(d), Rx(r)),
            (FloatOp::Mul, FSize::F64) => asm!(self.ops ; mulsd Rx(d), Rx(r)),
            (FloatOp::Div, FSize::F32) => asm!(self.ops ; divss Rx(d), Rx(r)),
            (FloatOp::Div, FSize::F64) => asm!(self.ops ; divsd Rx(d), Rx(r)),
            (FloatOp::Min | FloatOp::Max, _) => {
                // minss/maxss return the second operand for NaNs and for zeros of either
                // sign; WebAssembly wants the NaN and orders -0 below +0.
                let (nan, equal, done) = (
                    self.ops.new_dynamic_label(),
                    self.ops.new_dynamic_label(),
                    self.ops.new_dynamic_label(),
                );
                match size {
                    FSize::F32 => asm!(self.ops ; ucomiss Rx(d), Rx(r)),
                    FSize::F64 => asm!(self.ops ; ucomisd Rx(d), Rx(r)),
                }
                asm!(self.ops ; jp =>nan ; je =>equal);
                match (op, size) {
                    (FloatOp::Min, FSize::F32) => asm!(self.ops ; minss Rx(d), Rx(r)),
                    (FloatOp::Min, FSize::F64) => asm!(self.ops ; minsd Rx(d), Rx(r)),
                    (_, FSize::F32) => asm!(self.ops ; maxss Rx(d), Rx(r)),
                    (_, FSize::F64) => asm!(self.ops ; maxsd Rx(d), Rx(r)),
                }
                asm!(self.ops ; jmp =>done ; =>equal);
                match op {
                    FloatOp::Min => asm!(self.ops ; orps Rx(d), Rx(r)),
                    _ => asm!(self.ops ; andps Rx(d), Rx(r)),
                }
                asm!(self.ops ; jmp =>done ; =>nan);
                match size {
                    FSize::F32 => asm!(self.ops ; addss Rx(d), Rx(r)),
                    FSize::F64 => asm!(self.ops ; addsd Rx(d), Rx(r)),
                }
                asm!(self.ops ; =>done);
            }
            (FloatOp::Copysign, FSize::F32) => asm!(self.ops
                ; movd eax, Rx(d) ; movd ecx, Rx(r)
                ; and eax, 0x7FFF_FFFF ; and ecx, i32::MIN ; or eax, ecx
                ; movd Rx(d), eax),
            (FloatOp::Copysign, FSize::F64) => asm!(self.ops
                ; movq rax, Rx(d) ; movq rcx, Rx(r)
                ; btr rax, 63 ; shr rcx, 63 ; shl rcx, 63 ; or rax, rcx
                ; movq Rx(d), rax),
        }
    }

    fn float_unop(&mut self, op: FloatUnop, size: FSize, dst: Reg) {
        let d = dst.index;
        match (op, size) {
            (FloatUnop::Abs, FSize::F32) => {
                asm!(self.ops ; movd eax, Rx(d) ; and eax, 0x7FFF_FFFF ; movd Rx(d), eax)
            }
            (FloatUnop::Abs, FSize::F64) => asm!(self.ops ; movq rax, Rx(d) ; btr rax, 63 ; movq Rx(d), rax),
            (FloatUnop::Neg, FSize::F32) => {
                asm!(self.ops ; movd eax, Rx(d) ; xor eax, i32::MIN ; movd Rx(d), eax)
            }
            (FloatUnop::Neg, FSize::F64) => asm!(self.ops ; movq rax, Rx(d) ; btc rax, 63 ; movq Rx(d), rax),
            (FloatUnop::Sqrt, FSize::F32) => asm!(self.ops ; sqrtss Rx(d), Rx(d)),
            (FloatUnop::Sqrt, FSize::F64) => asm!(self.ops ; sqrtsd Rx(d), Rx(d)),
            (FloatUnop::Nearest, FSize::F32) => asm!(self.ops ; roundss Rx(d), Rx(d), 0),
            (FloatUnop::Nearest, FSize::F64) => asm!(self.ops ; roundsd Rx(d), Rx(d), 0),
            (FloatUnop::Floor, FSize::F32) => asm!(self.ops ; roundss Rx(d), Rx(d), 1),
            (FloatUnop::Floor, FSize::F64) => asm!(self.ops ; roundsd Rx(d), Rx(d), 1),
            (FloatUnop::Ceil, FSize::F32) => asm!(self.ops ; roundss Rx(d), Rx(d), 2),
            (FloatUnop::Ceil, FSize::F64) => asm!(self.ops ; roundsd Rx(d), Rx(d), 2),
            (FloatUnop::Trunc, FSize::F32) => asm!(self.ops ; roundss Rx(d), Rx(d), 3),
            (FloatUnop::Trunc, FSize::F64) => asm!(self.ops ; roundsd Rx(d), Rx(d), 3),
        }
    }

    fn float_cmp(&mut self, cond: FCond, size: FSize, dst: Reg, lhs: Reg, rhs: Reg) {
        let (d, l, r) = (dst.index, lhs.index, rhs.index);
        // `a < b` is `b > a`: `seta`/`setae` are false when unordered.
        let (first, second) = match cond {
            FCond::Lt | FCond::Le => (r, l),
            _ => (l, r),
        };
        match size {
            FSize::F32 => asm!(self.ops ; ucomiss Rx(first), Rx(second)),
            FSize::F64 => asm!(self.ops ; ucomisd Rx(first), Rx(second)),
        }
        match cond {
            FCond::Eq => asm!(self.ops ; sete Rb(d) ; setnp al ; and Rb(d), al),
            FCond::Ne => asm!(self.ops ; setne Rb(d) ; setp al ; or Rb(d), al),
            FCond::Lt | FCond::Gt => asm!(self.ops ; seta Rb(d)),
            FCond::Le | FCond::Ge => asm!(self.ops ; setae Rb(d)),
        }
        asm!(self.ops ; movzx Rd(d), Rb(d));
    }

    fn convert(&mut self, op: Convert, dst: Reg, src: Reg, at: TrapAt) {
        let (d, s) = (dst.index, src.index);
        match op {
            Convert::I32WrapI64 | Convert::I64ExtendI32U => asm!(self.ops ; mov Rd(d), Rd(s)),
            Convert::I64ExtendI32S => asm!(self.ops ; movsxd Rq(d), Rd(s)),
            Convert::Trunc { from, to, signed, sat } => self.truncate(from, to, signed, sat, d, s, at),
            Convert::FromInt { from, to, signed } => self.convert_int(from, to, signed, d, s),
            Convert::F32DemoteF64 => asm!(self.ops ; cvtsd2ss Rx(d), Rx(s)),
            Convert::F64PromoteF32 => asm!(self.ops ; cvtss2sd Rx(d), Rx(s)),
            Convert::ReinterpretToInt(FSize::F32) => asm!(self.ops ; movd Rd(d), Rx(s)),
            Convert::ReinterpretToInt(FSize::F64) => asm!(self.ops ; movq Rq(d), Rx(s)),
            Convert::ReinterpretToFloat(FSize::F32) => asm!(self.ops ; movd Rx(d), Rd(s)),
            Convert::ReinterpretToFloat(FSize::F64) => asm!(self.ops ; movq Rx(d), Rq(s)),
        }
    }

    fn jump(&mut self, target: Label) {
        let target = self.label(target);
        asm!(self.ops ; jmp =>target);
    }

    fn branch_cmp(&mut self, cond: Cond, width: Width, lhs: Reg, rhs: Src, target: Label) {
        self.cmp(width, lhs.index, rhs);
        let target = self.label(target);
        self.jcc(cond, target);
    }

    fn branch_zero(&mut self, reg: Reg, if_zero: bool, target: Label) {
        let target = self.label(target);
        asm!(self.ops ; test Rd(reg.index), Rd(reg.index));
        if if_zero {
            asm!(self.ops ; jz =>target);
        } else {
            asm!(self.ops ; jnz =>target);
        }
    }

    fn jump_table(&mut self, index: Reg, targets: &[Label], default: Label) {
        let default = self.label(default);
        let table = self.ops.new_dynamic_label();
        asm!(self.ops
            ; mov ecx, Rd(index.index)
            ; cmp ecx, targets.len() as i32
            ; jae =>default
            ; lea rax, [=>table]
            ; lea rax, [rax + rcx * 8]
            ; jmp rax
        );
        self.ops.align(8, 0xCC);
        asm!(self.ops ; =>table);
        for &target in targets {
            let start = self.ops.offset().0;
            let target = self.label(target);
            asm!(self.ops ; jmp =>target);
            while self.ops.offset().0 - start < 8 {
                asm!(self.ops ; int3);
            }
        }
    }

    fn back_edge(&mut self, header: Label, reload: Label, at: TrapAt) {
        let (header, reload) = (self.label(header), self.label(reload));
        let label = self.ops.new_dynamic_label();
        self.stubs.push(Stub::Budget { label, resume: reload, at });
        asm!(self.ops
            ; sub rbp, 1
            ; jge =>header
            ; jmp =>label
        );
    }

    fn ret(&mut self) {
        asm!(self.ops ; add rsp, 8 ; ret);
    }

    fn osr_entry(&mut self, reload: Label, at: TrapAt) {
        let label = self.ops.new_dynamic_label();
        self.stubs.push(Stub::Osr { label, reload: self.label(reload) });
        self.osr_entries.push((self.func, at.pc, label));
    }

    fn trap(&mut self, code: u32, at: TrapAt) {
        let stub = self.trap_stub(code, at.pc, None);
        asm!(self.ops ; jmp =>stub);
    }

    fn load(&mut self, op: LoadOp, dst: Reg, addr: Reg, offset: u32, at: TrapAt) {
        let (ix, disp) = self.index(addr, offset, op.bytes(), at.pc);
        let d = dst.index;
        self.fault_site(at.pc);
        match op {
            LoadOp::Int { bytes: 1, signed: false, .. } => {
                asm!(self.ops ; movzx Rd(d), BYTE [r12 + Rq(ix) + disp])
            }
            LoadOp::Int { bytes: 1, signed: true, to: Width::W32 } => {
                asm!(self.ops ; movsx Rd(d), BYTE [r12 + Rq(ix) + disp])
            }
            LoadOp::Int { bytes: 1, signed: true, .. } => {
                asm!(self.ops ; movsx Rq(d), BYTE [r12 + Rq(ix) + disp])
            }
            LoadOp::Int { bytes: 2, signed: false, .. } => {
                asm!(self.ops ; movzx Rd(d), WORD [r12 + Rq(ix) + disp])
            }
            LoadOp::Int { bytes: 2, signed: true, to: Width::W32 } => {
                asm!(self.ops ; movsx Rd(d), WORD [r12 + Rq(ix) + disp])
            }
            LoadOp::Int { bytes: 2, signed: true, .. } => {
                asm!(self.ops ; movsx Rq(d), WORD [r12 + Rq(ix) + disp])
            }
            LoadOp::Int { bytes: 4, signed: true, .. } => {
                asm!(self.ops ; movsxd Rq(d), DWORD [r12 + Rq(ix) + disp])
            }
            LoadOp::Int { bytes: 4, .. } => asm!(self.ops ; mov Rd(d), DWORD [r12 + Rq(ix) + disp]),
            LoadOp::Int { .. } => asm!(self.ops ; mov Rq(d), QWORD [r12 + Rq(ix) + disp]),
            LoadOp::Float(FSize::F32) => asm!(self.ops ; movd Rx(d), DWORD [r12 + Rq(ix) + disp]),
            LoadOp::Float(FSize::F64) => asm!(self.ops ; movq Rx(d), QWORD [r12 + Rq(ix) + disp]),
        }
    }

    fn store(&mut self, op: StoreOp, addr: Reg, value: Reg, offset: u32, at: TrapAt) {
        let (ix, disp) = self.index(addr, offset, op.bytes(), at.pc);
        let v = value.index;
        self.fault_site(at.pc);
        match op {
            StoreOp::Int { bytes: 1 } => asm!(self.ops ; mov BYTE [r12 + Rq(ix) + disp], Rb(v)),
            StoreOp::Int { bytes: 2 } => asm!(self.ops ; mov WORD [r12 + Rq(ix) + disp], Rw(v)),
            StoreOp::Int { bytes: 4 } => asm!(self.ops ; mov DWORD [r12 + Rq(ix) + disp], Rd(v)),
            StoreOp::Int { .. } => asm!(self.ops ; mov QWORD [r12 + Rq(ix) + disp], Rq(v)),
            StoreOp::Float(FSize::F32) => asm!(self.ops ; movd DWORD [r12 + Rq(ix) + disp], Rx(v)),
            StoreOp::Float(FSize::F64) => asm!(self.ops ; movq QWORD [r12 + Rq(ix) + disp], Rx(v)),
        }
    }

    fn memory_size(&mut self, dst: Reg) {
        asm!(self.ops
            ; mov rax, [r13 + abi::instance::MEMORY]
            ; mov Rq(dst.index), [rax + abi::memory::LEN]
            ; shr Rq(dst.index), 16
        );
    }

    fn global_get(&mut self, dst: Reg, index: u32, ty: ValType) {
        self.global_address(index);
        match (dst.class, ty) {
            (RegClass::Int, _) => asm!(self.ops ; mov Rq(dst.index), [rax + abi::global::VALUE]),
            (RegClass::Float, ValType::V128) => {
                asm!(self.ops ; movdqu Rx(dst.index), [rax + abi::global::VALUE])
            }
            (RegClass::Float, _) => asm!(self.ops ; movq Rx(dst.index), [rax + abi::global::VALUE]),
        }
    }

    fn global_set(&mut self, index: u32, src: Reg, ty: ValType) {
        self.global_address(index);
        match (src.class, ty) {
            (RegClass::Int, _) => asm!(self.ops ; mov [rax + abi::global::VALUE], Rq(src.index)),
            (RegClass::Float, ValType::F32) => {
                asm!(self.ops ; movd ecx, Rx(src.index) ; mov [rax + abi::global::VALUE], rcx)
            }
            (RegClass::Float, ValType::V128) => {
                asm!(self.ops ; movdqu [rax + abi::global::VALUE], Rx(src.index))
            }
            (RegClass::Float, _) => asm!(self.ops ; movq [rax + abi::global::VALUE], Rx(src.index)),
        }
    }

    fn ref_func(&mut self, dst: Reg, index: u32) {
        asm!(self.ops
            ; mov rax, [r13 + abi::instance::FUNCS]
            ; mov Rd(dst.index), [rax + (index * 4) as i32]
            ; add Rq(dst.index), 1
        );
    }

    fn call(&mut self, callee: Callee, args_slot: u32, at: TrapAt, ret: TrapAt) {
        match callee {
            Callee::Defined { index, frame_slots } => match self.unit_entry(index) {
                Some(entry) => {
                    self.call_checks_and_frame(Some(frame_slots), args_slot, at, ret);
                    let offset = (args_slot * 8) as i32;
                    asm!(self.ops
                        ; add r14, offset
                        ; call =>entry
                        ; sub r14, offset
                        ; sub QWORD [r15 + abi::vm::FRAMES_LEN], 1
                    );
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
                asm!(self.ops
                    ; mov rax, [r13 + abi::instance::TABLES]
                    ; mov rax, [rax + (table * 8) as i32]
                    ; mov ecx, Rd(i)
                    ; cmp rcx, [rax + abi::table::LEN]
                    ; jae =>undefined
                    ; mov rax, [rax + abi::table::ELEMENTS]
                    ; mov rax, [rax + rcx * 8]
                    ; test rax, rax
                    ; jz =>uninitialized
                    ; sub rax, 1
                    ; mov r8d, eax
                    ; imul rax, rax, abi::func_ref::SIZE
                    ; add rax, [r15 + abi::vm::FUNC_REFS]
                    ; mov rdx, [r13 + abi::instance::TYPE_IDS]
                    ; mov edx, [rdx + (type_index * 4) as i32]
                    ; cmp edx, [rax + abi::func_ref::TYPE_ID]
                    ; jne =>mismatch
                );
                self.call_ref(None, args_slot, at, ret);
            }
        }
    }

    fn v128_const(&mut self, dst: Reg, bytes: [u8; 16]) {
        crate::simd::lanes::constant(self, dst.index, bytes);
    }

    fn simd(&mut self, op: Opcode, dst: Reg, args: &[Reg], lane: u8) -> bool {
        let mut indices = [0u8; 3];
        for (index, arg) in indices.iter_mut().zip(args) {
            *index = arg.index;
        }
        crate::simd::emit(self, op, dst.index, &indices[..args.len()], lane)
    }

    fn shuffle(&mut self, dst: Reg, a: Reg, b: Reg, lanes: [u8; 16]) {
        crate::simd::lanes::shuffle(self, dst.index, a.index, b.index, lanes);
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
        crate::simd::memory::load(
            self,
            op,
            dst.index,
            addr,
            offset,
            into.map(|(r, lane)| (r.index, lane)),
            at,
        )
    }

    fn simd_store(&mut self, op: Opcode, addr: Reg, value: Reg, offset: u32, lane: u8, at: TrapAt) -> bool {
        crate::simd::memory::store(self, op, addr, value.index, offset, lane, at)
    }

    fn libcall(&mut self, call: Libcall, args_slot: u32, a: u32, b: u32, at: TrapAt) {
        asm!(self.ops
            ; lea rsi, [r14 + (args_slot * 8) as i32]
            ; mov edx, a as i32
            ; mov ecx, b as i32
        );
        self.call_libcall(call);
        self.check_libcall(at.pc);
    }
}

impl X64Masm {
    /// Counts the set bits of `d` without POPCNT, which SSE4.1 does not promise: sums of
    /// bit pairs, nibbles and bytes, then all bytes at once by a multiplication.
    fn popcount(&mut self, width: Width, d: u8) {
        let (shift, bits) = match width {
            Width::W32 => (24, 32),
            Width::W64 => (56, 64),
        };
        let mask = |pattern: u64| if bits == 32 { pattern as u32 as u64 } else { pattern };
        asm!(self.ops
            ; mov rax, Rq(d)
            ; shr rax, 1
            ; mov rcx, QWORD mask(0x5555_5555_5555_5555) as i64
            ; and rax, rcx
            ; sub Rq(d), rax
            ; mov rcx, QWORD mask(0x3333_3333_3333_3333) as i64
            ; mov rax, Rq(d)
            ; and rax, rcx
            ; shr Rq(d), 2
            ; and Rq(d), rcx
            ; add Rq(d), rax
            ; mov rax, Rq(d)
            ; shr rax, 4
            ; add Rq(d), rax
            ; mov rcx, QWORD mask(0x0F0F_0F0F_0F0F_0F0F) as i64
            ; and Rq(d), rcx
            ; mov rcx, QWORD mask(0x0101_0101_0101_0101) as i64
            ; imul Rq(d), rcx
        );
        match width {
            Width::W32 => asm!(self.ops ; shr Rd(d), shift),
            Width::W64 => asm!(self.ops ; shr Rq(d), shift),
        }
    }

    /// Puts the address of global `index` (module index) in `rax`.
    fn global_address(&mut self, index: u32) {
        asm!(self.ops
            ; mov rax, [r13 + abi::instance::GLOBALS]
            ; mov eax, [rax + (index * 4) as i32]
            ; imul rax, rax, abi::global::SIZE
            ; add rax, [r15 + abi::vm::GLOBALS]
        );
    }
}
