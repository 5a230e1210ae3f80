//! The AArch64 macro-assembler: the front-end's machine operations in ARMv8.0-A code.
//!
//! Registers ([`Fixed`]): `x28` holds the VM context, `x27` the frame base (the address
//! of slot 0 of the running frame), `x26` the instance record, `x25` the base of its
//! memory 0, and `x24` the budget counter (written back to the VM context whenever
//! compiled code leaves or calls the runtime); `x14` to `x17` and `v28` to `v31` are
//! scratch (`x14` the one [`access`] and the protocol operations use for themselves),
//! and `x0` and `x1` too at safepoints. The front-end allocates `x5` to `x13`, `x19` to
//! `x23`, `v0` to `v7` and `v16` to `v27`: none of them is an argument register of the
//! calls compiled code makes, so a call sequence may set its arguments while an operand
//! is still live, and `v8` to `v15`, whose low halves a native callee must keep, stay
//! unused.
//!
//! Every compiled function pushes the frame-pointer pair (`x29`, `x30`) on entry, so
//! `sp` stays 16-byte aligned and debuggers can walk the native stack.

use dynasmrt::aarch64::{self, Assembler};
use dynasmrt::{DynamicLabel, DynasmApi, DynasmLabelApi};
use stratus_decoder::{NanLanes, ValType};
use stratus_jit::unit::Labels;
use stratus_jit::{
    Address, Cond, Convert, DivOp, FCond, FSize, Fixed, FloatOp, FloatUnop, IntOp, IntUnop, Label, LoadOp,
    MacroAssembler, Reg, RegClass, Src, StoreOp, Traps, Width, trunc_range,
};
use stratus_runtime::TrapKind;

use crate::access::{self, Access, IMM, add_imm, mov_imm};
use crate::simd;

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

const INT_REGS: &[Reg] = &Reg::all(RegClass::Int, [5, 6, 7, 8, 9, 10, 11, 12, 13, 19, 20, 21, 22, 23]);
const FLOAT_REGS: &[Reg] =
    &Reg::all(RegClass::Float, [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27]);

/// The registers the [`Fixed`] roles name.
#[inline]
fn fixed_index(role: Fixed) -> u8 {
    match role {
        Fixed::Vm => 28,
        Fixed::Frame => 27,
        Fixed::Instance => 26,
        Fixed::MemoryBase => 25,
        Fixed::Budget => 24,
        // x16, x17, x15, then x0 and x1, free at safepoints.
        Fixed::Scratch(n) => [T0, T1, T2, 0, 1][n as usize],
        Fixed::Arg(n) => n,
        Fixed::Result => 0,
    }
}

pub struct A64Masm {
    pub(crate) ops: Assembler,
    /// The assembler's label for each of the front-end's, made when first used.
    labels: Labels,
}

fn wide(width: Width) -> bool {
    width == Width::W64
}

impl A64Masm {
    pub(crate) fn new(ops: Assembler) -> A64Masm {
        A64Masm { ops, labels: Labels::default() }
    }

    #[inline(always)]
    pub(crate) fn label(&mut self, label: Label) -> DynamicLabel {
        self.labels.get(&mut self.ops, label)
    }

    /// A load or store of `rt` at `base + offset`, any offset.
    #[inline(always)]
    pub(crate) fn access(&mut self, access: Access, rt: u8, base: u8, offset: u32) {
        access::emit(&mut self.ops, access, rt, base, offset, |_| {});
    }

    /// Puts the offset from the memory base of an access at `at` in `x16`
    /// ([`Address::Checked`] has it there already).
    fn offset_to_x16(&mut self, at: Address) {
        if let Address::Guarded { addr, offset } = at {
            asm!(self.ops ; mov W(T0), W(addr.index));
            if offset != 0 {
                add_imm(&mut self.ops, true, T0, T0, i64::from(offset));
            }
        }
    }

    /// A load or store of `rt` in memory 0 at `at`.
    ///
    /// A store that straddles the end of the memory into the guard region may write its
    /// bytes below the end before it faults on AArch64, and WebAssembly says a trapping
    /// store writes nothing: so in the guard region a store of more than one byte is
    /// preceded by a load of the same bytes, which faults instead.
    pub(crate) fn memory_access(&mut self, access: Access, rt: u8, at: Address, traps: &mut Traps) {
        let uxtw = match at {
            Address::Guarded { addr, offset: 0 } => Some(addr.index),
            _ => None,
        };
        if uxtw.is_none() {
            self.offset_to_x16(at);
        }
        let probe = if traps.guarded() { access.probe() } else { None };
        // The first instruction is the one that faults.
        for (k, (access, rt)) in probe.into_iter().chain([(access, rt)]).enumerate() {
            if k == 0 {
                self.fault_site(traps);
            }
            match uxtw {
                Some(index) => access::emit_uxtw(&mut self.ops, access, rt, 25, index),
                None => access::indexed(&mut self.ops, access, rt, 25, T0),
            }
        }
    }

    /// Puts the absolute address of an access at `at` in `x16`: for the instructions
    /// that take a base register only (`ld1`/`st1` of a lane, `ld1r`).
    pub(crate) fn absolute_address(&mut self, at: Address) {
        self.offset_to_x16(at);
        asm!(self.ops ; add x16, membase, x16);
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

    #[inline(always)]
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

    #[inline(always)]
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
        if !sat {
            let (lo, lo_inclusive, hi) = trunc_range(to, signed);
            let invalid = traps.trap(TrapKind::InvalidConversionToInteger);
            let overflow = traps.trap(TrapKind::IntegerOverflow);
            let (invalid, overflow) = (self.label(invalid), self.label(overflow));
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

    #[inline(always)]
    fn fixed(&self, role: Fixed) -> Reg {
        int(fixed_index(role))
    }

    #[inline]
    fn code_len(&self) -> usize {
        self.ops.offset().0
    }

    // x19 to x28: AAPCS64's (compiled code uses none of v8-v15).
    fn callee_saved(&self) -> &'static [Reg] {
        &const { Reg::all(RegClass::Int, [19, 20, 21, 22, 23, 24, 25, 26, 27, 28]) }
    }

    #[inline(always)]
    fn bind(&mut self, label: Label) {
        let label = self.label(label);
        asm!(self.ops ; =>label);
    }

    #[inline(always)]
    fn load_int(&mut self, dst: Reg, base: Reg, offset: i32, width: Width) {
        let access = if wide(width) { Access::LdrX } else { Access::LdrW };
        self.access(access, dst.index, base.index, offset as u32);
    }

    #[inline(always)]
    fn load_int_indexed(&mut self, dst: Reg, base: Reg, index: Reg, width: Width) {
        let (d, b, i) = (dst.index, base.index, index.index);
        match width {
            Width::W32 => asm!(self.ops ; ldr W(d), [X(b), W(i), uxtw 2]),
            Width::W64 => asm!(self.ops ; ldr X(d), [X(b), W(i), uxtw 3]),
        }
    }

    #[inline(always)]
    fn store_int(&mut self, base: Reg, offset: i32, src: Reg, width: Width) {
        let access = if wide(width) { Access::StrX } else { Access::StrW };
        self.access(access, src.index, base.index, offset as u32);
    }

    // Through `x14`: record fields are at offsets and the values added are small enough
    // for `access` and `add_imm` to need no other register.
    #[inline(always)]
    fn add_int_mem(&mut self, base: Reg, offset: i32, value: i32) {
        debug_assert!((0..4096).contains(&offset) && value.unsigned_abs() < 4096);
        self.access(Access::LdrX, IMM, base.index, offset as u32);
        add_imm(&mut self.ops, true, IMM, IMM, i64::from(value));
        self.access(Access::StrX, IMM, base.index, offset as u32);
    }

    #[inline(always)]
    fn int_op_mem(&mut self, op: IntOp, dst: Reg, base: Reg, offset: i32) {
        debug_assert!((0..4096).contains(&offset));
        self.access(Access::LdrX, IMM, base.index, offset as u32);
        match op {
            IntOp::Add => asm!(self.ops ; add X(dst.index), X(dst.index), X(IMM)),
            IntOp::Sub => asm!(self.ops ; sub X(dst.index), X(dst.index), X(IMM)),
            _ => unreachable!("int_op_mem adds or subtracts"),
        }
    }

    #[inline(always)]
    fn branch_cmp_mem(&mut self, cond: Cond, lhs: Reg, base: Reg, offset: i32, target: Label) {
        self.access(Access::LdrX, IMM, base.index, offset as u32);
        asm!(self.ops ; cmp X(lhs.index), X(IMM));
        let target = self.label(target);
        self.branch_if(cond, target);
    }

    // A constant other than zero goes through `x16` (Scratch(0)): `x14` may be needed
    // for the offset.
    #[inline(always)]
    fn store_int_const(&mut self, base: Reg, offset: i32, value: i32, width: Width) {
        let access = if wide(width) { Access::StrX } else { Access::StrW };
        let rt = if value == 0 {
            31
        } else {
            mov_imm(&mut self.ops, wide(width), T0, value as i64 as u64);
            T0
        };
        self.access(access, rt, base.index, offset as u32);
    }

    #[inline(always)]
    fn zero_extend_i32(&mut self, dst: Reg, src: Reg) {
        asm!(self.ops ; mov W(dst.index), W(src.index));
    }

    #[inline(always)]
    fn read_stack_pointer(&mut self, dst: Reg) {
        add_imm(&mut self.ops, true, dst.index, 31, 0);
    }

    #[inline(always)]
    fn budget_tick(&mut self, if_negative: bool, target: Label) {
        let target = self.label(target);
        asm!(self.ops ; subs budget, budget, 1);
        if if_negative {
            asm!(self.ops ; b.lt =>target);
        } else {
            asm!(self.ops ; b.ge =>target);
        }
    }

    fn align_entry(&mut self) {
        self.ops.align(16, 0);
    }

    #[inline(always)]
    fn enter_frame(&mut self) {
        asm!(self.ops
            ; stp x29, x30, [sp, -16]!
            ; mov x29, sp
        );
    }

    #[inline(always)]
    fn leave_frame_and_return(&mut self) {
        asm!(self.ops ; ldp x29, x30, [sp], 16 ; ret);
    }

    #[inline(always)]
    fn call_label(&mut self, target: Label) {
        let target = self.label(target);
        asm!(self.ops ; bl =>target);
    }

    fn leave_frame_and_jump(&mut self, target: Label) {
        let target = self.label(target);
        asm!(self.ops ; ldp x29, x30, [sp], 16 ; b =>target);
    }

    fn leave_frame_and_jump_reg(&mut self, target: Reg) {
        asm!(self.ops ; ldp x29, x30, [sp], 16 ; br X(target.index));
    }

    #[inline(always)]
    fn call_reg(&mut self, target: Reg) {
        asm!(self.ops ; blr X(target.index));
    }

    #[inline(always)]
    fn call_at(&mut self, base: Reg, offset: i32) {
        self.access(Access::LdrX, IMM, base.index, offset as u32);
        asm!(self.ops ; blr X(IMM));
    }

    #[inline(always)]
    fn save_pair(&mut self, a: Reg, b: Reg) {
        asm!(self.ops ; stp X(a.index), X(b.index), [sp, -16]!);
    }

    #[inline(always)]
    fn restore_pair(&mut self, a: Reg, b: Reg) {
        asm!(self.ops ; ldp X(a.index), X(b.index), [sp], 16);
    }

    #[inline(always)]
    fn write_stack_pointer(&mut self, src: Reg) {
        add_imm(&mut self.ops, true, 31, src.index, 0);
    }

    #[inline(always)]
    fn load_value(&mut self, dst: Reg, base: Reg, offset: i32, ty: ValType) {
        let access = match (dst.class, ty) {
            (RegClass::Int, _) => Access::LdrX,
            (RegClass::Float, ValType::V128) => Access::LdrQ,
            (RegClass::Float, _) => Access::LdrD,
        };
        self.access(access, dst.index, base.index, offset as u32);
    }

    // An f32 goes through `w17` (Scratch(1)) to be zero-extended.
    #[inline(always)]
    fn store_value(&mut self, base: Reg, offset: i32, src: Reg, ty: ValType) {
        let (b, offset) = (base.index, offset as u32);
        match (src.class, ty) {
            (RegClass::Int, _) => self.access(Access::StrX, src.index, b, offset),
            (RegClass::Float, ValType::F32) => {
                asm!(self.ops ; fmov W(T1), S(src.index));
                self.access(Access::StrX, T1, b, offset);
            }
            (RegClass::Float, ValType::V128) => self.access(Access::StrQ, src.index, b, offset),
            (RegClass::Float, _) => self.access(Access::StrD, src.index, b, offset),
        }
    }

    #[inline(always)]
    fn mov(&mut self, dst: Reg, src: Reg) {
        let (d, s) = (dst.index, src.index);
        match dst.class {
            RegClass::Int => asm!(self.ops ; mov X(d), X(s)),
            RegClass::Float => asm!(self.ops ; mov V(d).B16, V(s).B16),
        }
    }

    #[inline(always)]
    fn mov_const(&mut self, dst: Reg, bits: u64) {
        match dst.class {
            RegClass::Int => mov_imm(&mut self.ops, true, dst.index, bits),
            RegClass::Float => self.float_const(dst.index, bits),
        }
    }

    #[inline(always)]
    fn int_op_to(&mut self, op: IntOp, width: Width, dst: Reg, lhs: Reg, rhs: Src) {
        self.binop(op, width, dst.index, lhs.index, rhs);
    }

    #[inline(always)]
    fn int_op(&mut self, op: IntOp, width: Width, dst: Reg, rhs: Src) {
        self.binop(op, width, dst.index, dst.index, rhs);
    }

    fn int_div(&mut self, op: DivOp, width: Width, dst: Reg, rhs: Reg) {
        let (d, r) = (dst.index, rhs.index);
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

    fn convert(&mut self, op: Convert, dst: Reg, src: Reg, traps: &mut Traps) {
        let (d, s) = (dst.index, src.index);
        match op {
            Convert::I32WrapI64 | Convert::I64ExtendI32U => asm!(self.ops ; mov W(d), W(s)),
            Convert::I64ExtendI32S => asm!(self.ops ; sxtw X(d), W(s)),
            Convert::Trunc { from, to, signed, sat } => self.truncate(from, to, signed, sat, d, s, traps),
            Convert::FromInt { from, to, signed } => self.convert_int(from, to, signed, d, s),
            Convert::F32DemoteF64 => asm!(self.ops ; fcvt S(d), D(s)),
            Convert::F64PromoteF32 => asm!(self.ops ; fcvt D(d), S(s)),
            Convert::ReinterpretToInt(FSize::F32) => asm!(self.ops ; fmov W(d), S(s)),
            Convert::ReinterpretToInt(FSize::F64) => asm!(self.ops ; fmov X(d), D(s)),
            Convert::ReinterpretToFloat(FSize::F32) => asm!(self.ops ; fmov S(d), W(s)),
            Convert::ReinterpretToFloat(FSize::F64) => asm!(self.ops ; fmov D(d), X(s)),
        }
    }

    #[inline(always)]
    fn jump(&mut self, target: Label) {
        let target = self.label(target);
        asm!(self.ops ; b =>target);
    }

    #[inline(always)]
    fn branch_cmp(&mut self, cond: Cond, width: Width, lhs: Reg, rhs: Src, target: Label) {
        self.cmp(width, lhs.index, rhs);
        let target = self.label(target);
        self.branch_if(cond, target);
    }

    fn canonicalize_nans(&mut self, reg: Reg, lanes: NanLanes, slow: Label) -> bool {
        let r = reg.index;
        match lanes {
            NanLanes::F32 | NanLanes::F64 => {
                let slow = self.label(slow);
                if lanes == NanLanes::F32 {
                    asm!(self.ops ; fcmp S(r), S(r) ; b.vs =>slow);
                } else {
                    asm!(self.ops ; fcmp D(r), D(r) ; b.vs =>slow);
                }
                true
            }
            // Vectors without a branch: four instructions.
            NanLanes::F32x4 | NanLanes::F64x2 => {
                self.set_canonical_nans(reg, lanes);
                false
            }
        }
    }

    fn set_canonical_nans(&mut self, reg: Reg, lanes: NanLanes) {
        let r = reg.index;
        match lanes {
            NanLanes::F32 => asm!(self.ops
                ; movz W(T0), 0x7FC0, lsl 16
                ; fmov S(r), W(T0)
            ),
            NanLanes::F64 => asm!(self.ops
                ; movz X(T0), 0x7FF8, lsl 48
                ; fmov D(r), X(T0)
            ),
            // The lanes equal to themselves (not NaNs, a mask in v31) keep their value;
            // the others take the canonical NaN (in v30).
            NanLanes::F32x4 => asm!(self.ops
                ; movz W(T0), 0x7FC0, lsl 16
                ; dup V(V1).S4, W(T0)
                ; fcmeq V(V0).S4, V(r).S4, V(r).S4
                ; bif V(r).B16, V(V1).B16, V(V0).B16
            ),
            NanLanes::F64x2 => asm!(self.ops
                ; movz X(T0), 0x7FF8, lsl 48
                ; dup V(V1).D2, X(T0)
                ; fcmeq V(V0).D2, V(r).D2, V(r).D2
                ; bif V(r).B16, V(V1).B16, V(V0).B16
            ),
        }
    }

    fn add_branch_carry(&mut self, dst: Reg, rhs: Src, target: Label) {
        let (target, d) = (self.label(target), dst.index);
        match rhs {
            Src::Imm(imm) => asm!(self.ops ; adds X(d), XSP(d), imm as u32),
            Src::Reg(rhs) => asm!(self.ops ; adds X(d), X(d), X(rhs.index)),
        }
        asm!(self.ops ; b.hs =>target);
    }

    fn branch_wide(&mut self, reg: Reg, target: Label) {
        let target = self.label(target);
        asm!(self.ops
            ; tst X(reg.index), 0xFFFF_FFFF_8000_0000
            ; b.ne =>target
        );
    }

    #[inline(always)]
    fn branch_zero(&mut self, width: Width, reg: Reg, if_zero: bool, target: Label) {
        let (target, r) = (self.label(target), reg.index);
        match (width, if_zero) {
            (Width::W32, true) => asm!(self.ops ; cbz W(r), =>target),
            (Width::W32, false) => asm!(self.ops ; cbnz W(r), =>target),
            (Width::W64, true) => asm!(self.ops ; cbz X(r), =>target),
            (Width::W64, false) => asm!(self.ops ; cbnz X(r), =>target),
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

    fn load(&mut self, op: LoadOp, dst: Reg, at: Address, traps: &mut Traps) {
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
        self.memory_access(access, dst.index, at, traps);
    }

    fn store(&mut self, op: StoreOp, value: Reg, at: Address, traps: &mut Traps) {
        let access = match op {
            StoreOp::Int { bytes: 1 } => Access::StrbW,
            StoreOp::Int { bytes: 2 } => Access::StrhW,
            StoreOp::Int { bytes: 4 } => Access::StrW,
            StoreOp::Int { .. } => Access::StrX,
            StoreOp::Float(FSize::F32) => Access::StrS,
            StoreOp::Float(FSize::F64) => Access::StrD,
        };
        self.memory_access(access, value.index, at, traps);
    }

    stratus_jit::simd_methods!();
}
