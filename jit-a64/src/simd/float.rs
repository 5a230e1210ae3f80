//! SIMD group `float` (see the module above): float lanes (`f32x4`, `f64x2`) and the
//! conversions between float and integer vectors.
//!
//! NEON matches WebAssembly here almost instruction for instruction: `fmin`/`fmax`
//! propagate NaNs and order -0 below +0, `frint*` round in each direction, and the
//! float-to-int conversions saturate and give 0 for NaN. NaN results are the quieted
//! NaN operand or the default NaN (`0x7FC0_0000`), so arithmetic NaNs, and canonical ones
//! when every NaN operand is canonical. `fabs`/`fneg` change the sign bit only.

use dynasmrt::DynasmApi;
use stratus_decoder::Opcode;
use stratus_jit::Reg;

use crate::masm::A64Masm;

/// Emits `op` if it is of this group: `dst = op(args)`.
pub(crate) fn emit(m: &mut A64Masm, op: Opcode, dst: u8, args: &[Reg]) -> bool {
    use Opcode::*;
    let d = dst;
    let a = args[0].index;
    let b = args.get(1).map_or(0, |r| r.index);
    match op {
        // Comparisons: all-ones lanes where true, false when unordered (`lt` and `le`
        // are the front-end's, as `gt` and `ge` with the operands swapped), and `ne`
        // the complement of `eq` (true when unordered).
        F32x4Eq => asm!(m.ops ; fcmeq V(d).S4, V(a).S4, V(b).S4),
        F32x4Ne => asm!(m.ops ; fcmeq V(d).S4, V(a).S4, V(b).S4 ; mvn V(d).B16, V(d).B16),
        F32x4Gt => asm!(m.ops ; fcmgt V(d).S4, V(a).S4, V(b).S4),
        F32x4Ge => asm!(m.ops ; fcmge V(d).S4, V(a).S4, V(b).S4),
        F64x2Eq => asm!(m.ops ; fcmeq V(d).D2, V(a).D2, V(b).D2),
        F64x2Ne => asm!(m.ops ; fcmeq V(d).D2, V(a).D2, V(b).D2 ; mvn V(d).B16, V(d).B16),
        F64x2Gt => asm!(m.ops ; fcmgt V(d).D2, V(a).D2, V(b).D2),
        F64x2Ge => asm!(m.ops ; fcmge V(d).D2, V(a).D2, V(b).D2),

        // Rounding: toward +inf, -inf, zero, and to nearest with ties to even.
        F32x4Ceil => asm!(m.ops ; frintp V(d).S4, V(a).S4),
        F32x4Floor => asm!(m.ops ; frintm V(d).S4, V(a).S4),
        F32x4Trunc => asm!(m.ops ; frintz V(d).S4, V(a).S4),
        F32x4Nearest => asm!(m.ops ; frintn V(d).S4, V(a).S4),
        F64x2Ceil => asm!(m.ops ; frintp V(d).D2, V(a).D2),
        F64x2Floor => asm!(m.ops ; frintm V(d).D2, V(a).D2),
        F64x2Trunc => asm!(m.ops ; frintz V(d).D2, V(a).D2),
        F64x2Nearest => asm!(m.ops ; frintn V(d).D2, V(a).D2),

        F32x4Abs => asm!(m.ops ; fabs V(d).S4, V(a).S4),
        F32x4Neg => asm!(m.ops ; fneg V(d).S4, V(a).S4),
        F32x4Sqrt => asm!(m.ops ; fsqrt V(d).S4, V(a).S4),
        F64x2Abs => asm!(m.ops ; fabs V(d).D2, V(a).D2),
        F64x2Neg => asm!(m.ops ; fneg V(d).D2, V(a).D2),
        F64x2Sqrt => asm!(m.ops ; fsqrt V(d).D2, V(a).D2),

        F32x4Add => asm!(m.ops ; fadd V(d).S4, V(a).S4, V(b).S4),
        F32x4Sub => asm!(m.ops ; fsub V(d).S4, V(a).S4, V(b).S4),
        F32x4Mul => asm!(m.ops ; fmul V(d).S4, V(a).S4, V(b).S4),
        F32x4Div => asm!(m.ops ; fdiv V(d).S4, V(a).S4, V(b).S4),
        F64x2Add => asm!(m.ops ; fadd V(d).D2, V(a).D2, V(b).D2),
        F64x2Sub => asm!(m.ops ; fsub V(d).D2, V(a).D2, V(b).D2),
        F64x2Mul => asm!(m.ops ; fmul V(d).D2, V(a).D2, V(b).D2),
        F64x2Div => asm!(m.ops ; fdiv V(d).D2, V(a).D2, V(b).D2),
        F32x4Min => asm!(m.ops ; fmin V(d).S4, V(a).S4, V(b).S4),
        F32x4Max => asm!(m.ops ; fmax V(d).S4, V(a).S4, V(b).S4),
        F64x2Min => asm!(m.ops ; fmin V(d).D2, V(a).D2, V(b).D2),
        F64x2Max => asm!(m.ops ; fmax V(d).D2, V(a).D2, V(b).D2),

        // `pmin(a, b)` is `b < a ? b : a`, `pmax(a, b)` is `a < b ? b : a`: the mask of
        // the lanes that take `b`, then `bsl` picks bitwise (NaNs as they are; an
        // unordered lane takes `a`).
        F32x4PMin => asm!(m.ops ; fcmgt V(d).S4, V(a).S4, V(b).S4 ; bsl V(d).B16, V(b).B16, V(a).B16),
        F32x4PMax => asm!(m.ops ; fcmgt V(d).S4, V(b).S4, V(a).S4 ; bsl V(d).B16, V(b).B16, V(a).B16),
        F64x2PMin => asm!(m.ops ; fcmgt V(d).D2, V(a).D2, V(b).D2 ; bsl V(d).B16, V(b).B16, V(a).B16),
        F64x2PMax => asm!(m.ops ; fcmgt V(d).D2, V(b).D2, V(a).D2 ; bsl V(d).B16, V(b).B16, V(a).B16),

        // The narrowing forms write the low half and zero the high half.
        F32x4DemoteF64x2Zero => asm!(m.ops ; fcvtn V(d).S2, V(a).D2),
        F64x2PromoteLowF32x4 => asm!(m.ops ; fcvtl V(d).D2, V(a).S2),
        // Saturating, NaN to 0, as `trunc_sat` asks.
        I32x4TruncSatF32x4S => asm!(m.ops ; fcvtzs V(d).S4, V(a).S4),
        I32x4TruncSatF32x4U => asm!(m.ops ; fcvtzu V(d).S4, V(a).S4),
        F32x4ConvertI32x4S => asm!(m.ops ; scvtf V(d).S4, V(a).S4),
        F32x4ConvertI32x4U => asm!(m.ops ; ucvtf V(d).S4, V(a).S4),
        // To 64-bit integers (saturated, NaN to 0), then narrowed with saturation into
        // the low half.
        I32x4TruncSatF64x2SZero => asm!(m.ops ; fcvtzs V(a).D2, V(a).D2 ; sqxtn V(d).S2, V(a).D2),
        I32x4TruncSatF64x2UZero => asm!(m.ops ; fcvtzu V(a).D2, V(a).D2 ; uqxtn V(d).S2, V(a).D2),
        // Widened to 64 bits, then converted exactly.
        F64x2ConvertLowI32x4S => asm!(m.ops ; sxtl V(d).D2, V(a).S2 ; scvtf V(d).D2, V(d).D2),
        F64x2ConvertLowI32x4U => asm!(m.ops ; uxtl V(d).D2, V(a).S2 ; ucvtf V(d).D2, V(d).D2),

        _ => return false,
    }
    true
}
