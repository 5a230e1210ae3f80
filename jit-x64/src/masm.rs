//! The x86-64 macro-assembler: the front-end's machine operations in SSE4.1 x86-64 code.
//!
//! Registers ([`Fixed`]): `r15` holds the VM context, `r14` the frame base (the address
//! of slot 0 of the running frame), `r13` the instance record, `r12` the base of its
//! memory 0, and `rbp` the budget counter (written back to the VM context whenever
//! compiled code leaves or calls the runtime: a counter in memory would chain every loop
//! iteration through a store and a load); `rax`, `rcx`, `rdx`, `xmm14` and `xmm15` are
//! scratch, and `r8` and `r9` too at safepoints, where nothing is allocated. The rest
//! are the front-end's. Every compiled function keeps `rsp` 16-byte aligned in its body
//! (its entry subtracts 8 from the return address's alignment), so calls out need no
//! adjustment.

use dynasmrt::x64::Assembler;
use dynasmrt::{DynamicLabel, DynasmApi, DynasmLabelApi};
use stratus_decoder::{NanLanes, ValType};
use stratus_jit::unit::Labels;
use stratus_jit::{
    Address, Cond, Convert, DivOp, FCond, FSize, Fixed, FloatOp, FloatUnop, IntOp, IntUnop, Label, LoadOp,
    MacroAssembler, Reg, RegClass, Src, StoreOp, Traps, Width, trunc_range,
};
use stratus_runtime::TrapKind;

use crate::simd;

const INT_REGS: &[Reg] = &Reg::all(RegClass::Int, [3, 6, 7, 8, 9, 10, 11]);
const FLOAT_REGS: &[Reg] = &Reg::all(RegClass::Float, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);

/// Runs the local macro `$asm` on the memory operand `[base + offset]`. Offsets within
/// 128 bytes of the base (the first 16 slots of a frame, most record fields) take an
/// 8-bit displacement (`BYTE`): dynasm makes one computed at run time 32 bits unless
/// told. The frame's and the VM context's registers are constants: dynasm encodes an
/// operand of constant registers when the compiler is built, of others as it runs.
macro_rules! at {
    ($asm:ident, $base:expr, $offset:expr) => {
        match ($base.index, i8::try_from($offset)) {
            (14, Ok(near)) => $asm!([BYTE r14 + near]),
            (15, Ok(near)) => $asm!([BYTE r15 + near]),
            (b, Ok(near)) => $asm!([BYTE Rq(b) + near]),
            (14, Err(_)) => $asm!([r14 + $offset]),
            (15, Err(_)) => $asm!([r15 + $offset]),
            (b, Err(_)) => $asm!([Rq(b) + $offset]),
        }
    };
}

/// The registers the [`Fixed`] roles name.
#[inline(always)]
fn fixed_index(role: Fixed) -> u8 {
    match role {
        Fixed::Vm => 15,
        Fixed::Frame => 14,
        Fixed::Instance => 13,
        Fixed::MemoryBase => 12,
        Fixed::Budget => 5,
        // rax, rcx, rdx, r8, r9.
        Fixed::Scratch(n) => [0, 1, 2, 8, 9][n as usize],
        // rdi, rsi, rdx, rcx, r8: System V's.
        Fixed::Arg(n) => [7, 6, 2, 1, 8][n as usize],
        Fixed::Result => 0,
    }
}

pub struct X64Masm {
    pub(crate) ops: Assembler,
    /// The assembler's label for each of the front-end's, made when first used.
    labels: Labels,
}

impl X64Masm {
    pub(crate) fn new(ops: Assembler) -> X64Masm {
        X64Masm { ops, labels: Labels::default() }
    }

    #[inline(always)]
    pub(crate) fn label(&mut self, label: Label) -> DynamicLabel {
        self.labels.get(&mut self.ops, label)
    }

    /// The index register and displacement of an access at `at`, from `r12`: the
    /// address register itself (its i32 is zero-extended) where the guard region checks
    /// and the offset fits a displacement, else `rax`, holding the whole offset.
    pub(crate) fn operand(&mut self, at: Address) -> (u8, i32) {
        match at {
            Address::Guarded { addr, offset } => match i32::try_from(offset) {
                Ok(offset) => (addr.index, offset),
                Err(_) => {
                    asm!(self.ops
                        ; mov eax, Rd(addr.index)
                        ; mov ecx, offset as i32
                        ; add rax, rcx
                    );
                    (0, 0)
                }
            },
            Address::Checked => (0, 0),
        }
    }

    /// Loads a float constant's bits into `xmm{dst}` through `rax`.
    pub(crate) fn float_const(&mut self, dst: u8, bits: u64) {
        asm!(self.ops
            ; mov rax, QWORD bits as i64
            ; movq Rx(dst), rax
        );
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

    #[inline(always)]
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

    #[inline(always)]
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
    fn truncate(
        &mut self,
        from: FSize,
        to: Width,
        signed: bool,
        sat: bool,
        dst: u8,
        src: u8,
        traps: &mut Traps,
    ) {
        let (lo, lo_inclusive, hi) = trunc_range(to, signed);
        self.widen_to_scratch(from, src);
        let done = self.ops.new_dynamic_label();
        let (nan, below, above) = if sat {
            (self.ops.new_dynamic_label(), self.ops.new_dynamic_label(), self.ops.new_dynamic_label())
        } else {
            let invalid = traps.trap(TrapKind::InvalidConversionToInteger);
            let overflow = traps.trap(TrapKind::IntegerOverflow);
            let (invalid, overflow) = (self.label(invalid), self.label(overflow));
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

    #[inline(always)]
    fn fixed(&self, role: Fixed) -> Reg {
        Reg { class: RegClass::Int, index: fixed_index(role) }
    }

    #[inline]
    fn code_len(&self) -> usize {
        self.ops.offset().0
    }

    // rbp, rbx, r12 to r15: System V's.
    fn callee_saved(&self) -> &'static [Reg] {
        &const { Reg::all(RegClass::Int, [5, 3, 12, 13, 14, 15]) }
    }

    #[inline(always)]
    fn bind(&mut self, label: Label) {
        let label = self.label(label);
        asm!(self.ops ; =>label);
    }

    // The protocol's accesses are to records, at small offsets: those take an 8-bit
    // displacement, and most are based at the VM context or the frame (see `at!`).

    #[inline(always)]
    fn load_int(&mut self, dst: Reg, base: Reg, offset: i32, width: Width) {
        let d = dst.index;
        macro_rules! load { ($m:tt) => { match width {
            Width::W32 => asm!(self.ops ; mov Rd(d), $m),
            Width::W64 => asm!(self.ops ; mov Rq(d), $m),
        }}}
        at!(load, base, offset)
    }

    #[inline(always)]
    fn load_int_indexed(&mut self, dst: Reg, base: Reg, index: Reg, width: Width) {
        let (d, b, i) = (dst.index, base.index, index.index);
        match width {
            Width::W32 => asm!(self.ops ; mov Rd(d), [Rq(b) + Rq(i) * 4]),
            Width::W64 => asm!(self.ops ; mov Rq(d), [Rq(b) + Rq(i) * 8]),
        }
    }

    #[inline(always)]
    fn store_int(&mut self, base: Reg, offset: i32, src: Reg, width: Width) {
        let r = src.index;
        macro_rules! store { ($m:tt) => { match width {
            Width::W32 => asm!(self.ops ; mov $m, Rd(r)),
            Width::W64 => asm!(self.ops ; mov $m, Rq(r)),
        }}}
        at!(store, base, offset)
    }

    #[inline(always)]
    fn add_int_mem(&mut self, base: Reg, offset: i32, value: i32) {
        macro_rules! add { ($m:tt) => { match i8::try_from(value) {
            Ok(byte) => asm!(self.ops ; add QWORD $m, BYTE i32::from(byte)),
            Err(_) => asm!(self.ops ; add QWORD $m, value),
        }}}
        at!(add, base, offset)
    }

    #[inline(always)]
    fn int_op_mem(&mut self, op: IntOp, dst: Reg, base: Reg, offset: i32) {
        let d = dst.index;
        macro_rules! op { ($m:tt) => { match op {
            IntOp::Add => asm!(self.ops ; add Rq(d), $m),
            IntOp::Sub => asm!(self.ops ; sub Rq(d), $m),
            _ => unreachable!("int_op_mem adds or subtracts"),
        }}}
        at!(op, base, offset)
    }

    #[inline(always)]
    fn branch_cmp_mem(&mut self, cond: Cond, lhs: Reg, base: Reg, offset: i32, target: Label) {
        let l = lhs.index;
        macro_rules! cmp { ($m:tt) => { asm!(self.ops ; cmp Rq(l), $m) }}
        at!(cmp, base, offset);
        let target = self.label(target);
        self.jcc(cond, target);
    }

    #[inline(always)]
    fn store_int_const(&mut self, base: Reg, offset: i32, value: i32, width: Width) {
        macro_rules! store { ($m:tt) => { match width {
            Width::W32 => asm!(self.ops ; mov DWORD $m, value),
            Width::W64 => asm!(self.ops ; mov QWORD $m, value),
        }}}
        at!(store, base, offset)
    }

    #[inline(always)]
    fn zero_extend_i32(&mut self, dst: Reg, src: Reg) {
        asm!(self.ops ; mov Rd(dst.index), Rd(src.index));
    }

    #[inline(always)]
    fn read_stack_pointer(&mut self, dst: Reg) {
        asm!(self.ops ; mov Rq(dst.index), rsp);
    }

    #[inline(always)]
    fn budget_tick(&mut self, if_negative: bool, target: Label) {
        let target = self.label(target);
        asm!(self.ops ; sub rbp, 1);
        if if_negative {
            asm!(self.ops ; jl =>target);
        } else {
            asm!(self.ops ; jge =>target);
        }
    }

    fn align_entry(&mut self) {
        self.ops.align(16, 0xCC);
    }

    // The return address leaves `rsp` 8 bytes off the 16-byte alignment the body keeps.
    #[inline(always)]
    fn enter_frame(&mut self) {
        asm!(self.ops ; sub rsp, 8);
    }

    #[inline(always)]
    fn leave_frame_and_return(&mut self) {
        asm!(self.ops ; add rsp, 8 ; ret);
    }

    #[inline(always)]
    fn call_label(&mut self, target: Label) {
        let target = self.label(target);
        asm!(self.ops ; call =>target);
    }

    fn leave_frame_and_jump(&mut self, target: Label) {
        let target = self.label(target);
        asm!(self.ops ; add rsp, 8 ; jmp =>target);
    }

    fn leave_frame_and_jump_reg(&mut self, target: Reg) {
        asm!(self.ops ; add rsp, 8 ; jmp Rq(target.index));
    }

    #[inline(always)]
    fn call_reg(&mut self, target: Reg) {
        asm!(self.ops ; call Rq(target.index));
    }

    #[inline(always)]
    fn call_at(&mut self, base: Reg, offset: i32) {
        asm!(self.ops ; call QWORD [Rq(base.index) + offset]);
    }

    #[inline(always)]
    fn save_pair(&mut self, a: Reg, b: Reg) {
        asm!(self.ops ; push Rq(a.index) ; push Rq(b.index));
    }

    #[inline(always)]
    fn restore_pair(&mut self, a: Reg, b: Reg) {
        asm!(self.ops ; pop Rq(b.index) ; pop Rq(a.index));
    }

    #[inline(always)]
    fn write_stack_pointer(&mut self, src: Reg) {
        asm!(self.ops ; mov rsp, Rq(src.index));
    }

    #[inline(always)]
    fn load_value(&mut self, dst: Reg, base: Reg, offset: i32, ty: ValType) {
        let d = dst.index;
        macro_rules! load { ($m:tt) => { match (dst.class, ty) {
            (RegClass::Int, _) => asm!(self.ops ; mov Rq(d), $m),
            (RegClass::Float, ValType::V128) => asm!(self.ops ; movdqu Rx(d), $m),
            (RegClass::Float, _) => asm!(self.ops ; movq Rx(d), $m),
        }}}
        at!(load, base, offset)
    }

    // An f32 goes through `ecx` (Scratch(1)) to be zero-extended.
    #[inline(always)]
    fn store_value(&mut self, base: Reg, offset: i32, src: Reg, ty: ValType) {
        let r = src.index;
        macro_rules! store { ($m:tt) => { match (src.class, ty) {
            (RegClass::Int, _) => asm!(self.ops ; mov $m, Rq(r)),
            (RegClass::Float, ValType::F32) => asm!(self.ops ; movd ecx, Rx(r) ; mov $m, rcx),
            (RegClass::Float, ValType::V128) => asm!(self.ops ; movdqu $m, Rx(r)),
            (RegClass::Float, _) => asm!(self.ops ; movq $m, Rx(r)),
        }}}
        at!(store, base, offset)
    }

    #[inline(always)]
    fn mov(&mut self, dst: Reg, src: Reg) {
        match dst.class {
            RegClass::Int => asm!(self.ops ; mov Rq(dst.index), Rq(src.index)),
            RegClass::Float => asm!(self.ops ; movaps Rx(dst.index), Rx(src.index)),
        }
    }

    #[inline(always)]
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

    #[inline(always)]
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

    #[inline]
    fn int_op(&mut self, op: IntOp, width: Width, dst: Reg, rhs: Src) {
        let d = dst.index;
        // A constant that fits a byte takes the sign-extended 8-bit form: dynasm gives a
        // constant computed at run time 32 bits unless told.
        macro_rules! binop {
            ($ins:ident) => {
                match (width, rhs) {
                    (Width::W32, Src::Reg(r)) => asm!(self.ops ; $ins Rd(d), Rd(r.index)),
                    (Width::W64, Src::Reg(r)) => asm!(self.ops ; $ins Rq(d), Rq(r.index)),
                    (Width::W32, Src::Imm(i)) => match i8::try_from(i) {
                        Ok(byte) => asm!(self.ops ; $ins Rd(d), BYTE byte),
                        Err(_) => asm!(self.ops ; $ins Rd(d), i),
                    },
                    (Width::W64, Src::Imm(i)) => match i8::try_from(i) {
                        Ok(byte) => asm!(self.ops ; $ins Rq(d), BYTE byte),
                        Err(_) => asm!(self.ops ; $ins Rq(d), i),
                    },
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

    // `idiv` faults on `MIN % -1` (the quotient does not fit), whose remainder is 0.
    fn int_div(&mut self, op: DivOp, width: Width, dst: Reg, rhs: Reg) {
        let (d, r) = (dst.index, rhs.index);
        let done = self.ops.new_dynamic_label();
        if op == DivOp::RemS {
            let normal = self.ops.new_dynamic_label();
            match width {
                Width::W32 => asm!(self.ops ; cmp Rd(r), -1 ; jne =>normal),
                Width::W64 => asm!(self.ops ; cmp Rq(r), -1 ; jne =>normal),
            }
            asm!(self.ops ; xor Rd(d), Rd(d) ; jmp =>done ; =>normal);
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

    fn convert(&mut self, op: Convert, dst: Reg, src: Reg, traps: &mut Traps) {
        let (d, s) = (dst.index, src.index);
        match op {
            Convert::I32WrapI64 | Convert::I64ExtendI32U => asm!(self.ops ; mov Rd(d), Rd(s)),
            Convert::I64ExtendI32S => asm!(self.ops ; movsxd Rq(d), Rd(s)),
            Convert::Trunc { from, to, signed, sat } => self.truncate(from, to, signed, sat, d, s, traps),
            Convert::FromInt { from, to, signed } => self.convert_int(from, to, signed, d, s),
            Convert::F32DemoteF64 => asm!(self.ops ; cvtsd2ss Rx(d), Rx(s)),
            Convert::F64PromoteF32 => asm!(self.ops ; cvtss2sd Rx(d), Rx(s)),
            Convert::ReinterpretToInt(FSize::F32) => asm!(self.ops ; movd Rd(d), Rx(s)),
            Convert::ReinterpretToInt(FSize::F64) => asm!(self.ops ; movq Rq(d), Rx(s)),
            Convert::ReinterpretToFloat(FSize::F32) => asm!(self.ops ; movd Rx(d), Rd(s)),
            Convert::ReinterpretToFloat(FSize::F64) => asm!(self.ops ; movq Rx(d), Rq(s)),
        }
    }

    #[inline(always)]
    fn jump(&mut self, target: Label) {
        let target = self.label(target);
        asm!(self.ops ; jmp =>target);
    }

    #[inline(always)]
    fn branch_cmp(&mut self, cond: Cond, width: Width, lhs: Reg, rhs: Src, target: Label) {
        self.cmp(width, lhs.index, rhs);
        let target = self.label(target);
        self.jcc(cond, target);
    }

    fn canonicalize_nans(&mut self, reg: Reg, lanes: NanLanes, slow: Label) -> bool {
        let (r, slow) = (reg.index, self.label(slow));
        match lanes {
            NanLanes::F32 => asm!(self.ops ; ucomiss Rx(r), Rx(r)),
            NanLanes::F64 => asm!(self.ops ; ucomisd Rx(r), Rx(r)),
            NanLanes::F32x4 => asm!(self.ops
                ; movaps xmm15, Rx(r)
                ; cmpunordps xmm15, Rx(r)
                ; ptest xmm15, xmm15
            ),
            NanLanes::F64x2 => asm!(self.ops
                ; movapd xmm15, Rx(r)
                ; cmpunordpd xmm15, Rx(r)
                ; ptest xmm15, xmm15
            ),
        }
        match lanes {
            NanLanes::F32 | NanLanes::F64 => asm!(self.ops ; jp =>slow),
            NanLanes::F32x4 | NanLanes::F64x2 => asm!(self.ops ; jnz =>slow),
        }
        true
    }

    fn set_canonical_nans(&mut self, reg: Reg, lanes: NanLanes) {
        let r = reg.index;
        match lanes {
            NanLanes::F32 => asm!(self.ops
                ; mov eax, 0x7FC0_0000
                ; movd Rx(r), eax
            ),
            NanLanes::F64 => asm!(self.ops
                ; mov rax, QWORD 0x7FF8_0000_0000_0000
                ; movq Rx(r), rax
            ),
            // The lanes that are NaNs (a mask in xmm15) take the canonical NaN.
            NanLanes::F32x4 => asm!(self.ops
                ; movaps xmm15, Rx(r)
                ; cmpunordps xmm15, Rx(r)
                ; mov eax, 0x7FC0_0000
                ; movd xmm14, eax
                ; pshufd xmm14, xmm14, 0
                ; andps xmm14, xmm15
                ; andnps xmm15, Rx(r)
                ; orps xmm15, xmm14
                ; movaps Rx(r), xmm15
            ),
            NanLanes::F64x2 => asm!(self.ops
                ; movapd xmm15, Rx(r)
                ; cmpunordpd xmm15, Rx(r)
                ; mov rax, QWORD 0x7FF8_0000_0000_0000
                ; movq xmm14, rax
                ; punpcklqdq xmm14, xmm14
                ; andpd xmm14, xmm15
                ; andnpd xmm15, Rx(r)
                ; orpd xmm15, xmm14
                ; movapd Rx(r), xmm15
            ),
        }
    }

    fn add_branch_carry(&mut self, dst: Reg, rhs: Src, target: Label) {
        let target = self.label(target);
        match rhs {
            Src::Imm(imm) => asm!(self.ops ; add Rq(dst.index), imm),
            Src::Reg(rhs) => asm!(self.ops ; add Rq(dst.index), Rq(rhs.index)),
        }
        asm!(self.ops ; jc =>target);
    }

    fn branch_wide(&mut self, reg: Reg, target: Label) {
        let target = self.label(target);
        // The immediate sign-extends: bits 31 to 63.
        asm!(self.ops
            ; test Rq(reg.index), i32::MIN
            ; jnz =>target
        );
    }

    #[inline(always)]
    fn branch_zero(&mut self, width: Width, reg: Reg, if_zero: bool, target: Label) {
        let (target, r) = (self.label(target), reg.index);
        match width {
            Width::W32 => asm!(self.ops ; test Rd(r), Rd(r)),
            Width::W64 => asm!(self.ops ; test Rq(r), Rq(r)),
        }
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

    fn load(&mut self, op: LoadOp, dst: Reg, at: Address, traps: &mut Traps) {
        let (ix, disp) = self.operand(at);
        let d = dst.index;
        self.fault_site(traps);
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

    fn store(&mut self, op: StoreOp, value: Reg, at: Address, traps: &mut Traps) {
        let (ix, disp) = self.operand(at);
        let v = value.index;
        self.fault_site(traps);
        match op {
            StoreOp::Int { bytes: 1 } => asm!(self.ops ; mov BYTE [r12 + Rq(ix) + disp], Rb(v)),
            StoreOp::Int { bytes: 2 } => asm!(self.ops ; mov WORD [r12 + Rq(ix) + disp], Rw(v)),
            StoreOp::Int { bytes: 4 } => asm!(self.ops ; mov DWORD [r12 + Rq(ix) + disp], Rd(v)),
            StoreOp::Int { .. } => asm!(self.ops ; mov QWORD [r12 + Rq(ix) + disp], Rq(v)),
            StoreOp::Float(FSize::F32) => asm!(self.ops ; movd DWORD [r12 + Rq(ix) + disp], Rx(v)),
            StoreOp::Float(FSize::F64) => asm!(self.ops ; movq QWORD [r12 + Rq(ix) + disp], Rx(v)),
        }
    }

    stratus_jit::simd_methods!();
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
}
