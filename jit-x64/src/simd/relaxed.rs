//! SIMD group `relaxed` (see the module above): the relaxed SIMD instructions, each the
//! one SSE instruction the spec allows for it where there is one (`pshufb`,
//! `cvttps2dq`/`cvttpd2dq`, `minps`/`maxps`, `pmulhrsw`), the multiply-adds unfused (SSE4.1
//! has no FMA), and the others as the deterministic profile's instruction: the
//! interpreter's `relaxed` module makes the same choices.
//!
//! Scratch: `xmm14`, `xmm15`; the operands die with the instruction.

use dynasmrt::DynasmApi;
use stratus_decoder::Opcode;
use stratus_jit::Reg;

use super::{float, int};
use crate::masm::X64Masm;

/// Emits `op` if it is of this group: `dst = op(args)`.
pub(crate) fn emit(m: &mut X64Masm, op: Opcode, dst: u8, args: &[Reg]) -> bool {
    use Opcode::*;
    let d = dst;
    let a = args[0].index;
    let b = args.get(1).map_or(0, |r| r.index);
    let c = args.get(2).map_or(0, |r| r.index);
    match op {
        I8x16RelaxedSwizzle => asm!(m.ops ; movdqa Rx(d), Rx(a) ; pshufb Rx(d), Rx(b)),
        I32x4RelaxedTruncF32x4S => asm!(m.ops ; cvttps2dq Rx(d), Rx(a)),
        I32x4RelaxedTruncF64x2SZero => asm!(m.ops ; cvttpd2dq Rx(d), Rx(a)),
        I32x4RelaxedTruncF32x4U => return float::emit(m, I32x4TruncSatF32x4U, dst, args),
        I32x4RelaxedTruncF64x2UZero => return float::emit(m, I32x4TruncSatF64x2UZero, dst, args),
        // `c - a * b` is `-a * b + c` exactly, zero signs included.
        F32x4RelaxedMadd => asm!(m.ops ; movaps Rx(d), Rx(a) ; mulps Rx(d), Rx(b) ; addps Rx(d), Rx(c)),
        F32x4RelaxedNmadd => asm!(m.ops ; mulps Rx(a), Rx(b) ; movaps Rx(d), Rx(c) ; subps Rx(d), Rx(a)),
        F64x2RelaxedMadd => asm!(m.ops ; movapd Rx(d), Rx(a) ; mulpd Rx(d), Rx(b) ; addpd Rx(d), Rx(c)),
        F64x2RelaxedNmadd => asm!(m.ops ; mulpd Rx(a), Rx(b) ; movapd Rx(d), Rx(c) ; subpd Rx(d), Rx(a)),
        I8x16RelaxedLaneselect | I16x8RelaxedLaneselect | I32x4RelaxedLaneselect | I64x2RelaxedLaneselect => {
            return int::emit(m, V128Bitselect, dst, args);
        }
        F32x4RelaxedMin => asm!(m.ops ; movaps Rx(d), Rx(a) ; minps Rx(d), Rx(b)),
        F32x4RelaxedMax => asm!(m.ops ; movaps Rx(d), Rx(a) ; maxps Rx(d), Rx(b)),
        F64x2RelaxedMin => asm!(m.ops ; movapd Rx(d), Rx(a) ; minpd Rx(d), Rx(b)),
        F64x2RelaxedMax => asm!(m.ops ; movapd Rx(d), Rx(a) ; maxpd Rx(d), Rx(b)),
        I16x8RelaxedQ15mulrS => asm!(m.ops ; movdqa Rx(d), Rx(a) ; pmulhrsw Rx(d), Rx(b)),
        I16x8RelaxedDotI8x16I7x16S => dot(m, d, a, b),
        I32x4RelaxedDotI8x16I7x16AddS => {
            dot(m, d, a, b);
            // Adjacent 16-bit sums added to 32 bits (`pmaddwd` by ones), plus `c`.
            asm!(m.ops
                ; pcmpeqw xmm15, xmm15
                ; psrlw xmm15, 15
                ; pmaddwd Rx(d), xmm15
                ; paddd Rx(d), Rx(c)
            );
        }
        _ => return false,
    }
    true
}

/// `xmm{d}` = the wrapping 16-bit sums of the products of adjacent signed bytes of
/// `xmm{a}` and `xmm{b}`: the bytes sign-extended to 16 bits a half at a time,
/// multiplied, and the products added in pairs (`phaddw`).
fn dot(m: &mut X64Masm, d: u8, a: u8, b: u8) {
    asm!(m.ops
        ; pmovsxbw xmm14, Rx(a)
        ; pmovsxbw xmm15, Rx(b)
        ; pmullw xmm14, xmm15
        ; psrldq Rx(a), 8
        ; psrldq Rx(b), 8
        ; pmovsxbw xmm15, Rx(a)
        ; pmovsxbw Rx(d), Rx(b)
        ; pmullw Rx(d), xmm15
        ; phaddw xmm14, Rx(d)
        ; movdqa Rx(d), xmm14
    );
}
