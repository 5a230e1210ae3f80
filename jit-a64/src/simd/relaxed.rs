//! SIMD group `relaxed` (see the module above): the relaxed SIMD instructions. NEON's
//! instructions give the deterministic profile's results for all of them (`tbl`,
//! saturating conversions, `fmin`/`fmax`, `bsl`, `sqrdmulh`), but for the multiply-adds,
//! which fuse (`fmla`/`fmls`): the interpreter's `relaxed` module makes the same choices.

use dynasmrt::DynasmApi;
use stratus_decoder::Opcode;
use stratus_jit::Reg;

use super::{float, int, lanes};
use crate::masm::{A64Masm, V0, V1};

/// Emits `op` if it is of this group: `dst = op(args)`.
pub(crate) fn emit(m: &mut A64Masm, op: Opcode, dst: u8, args: &[Reg]) -> bool {
    use Opcode::*;
    let d = dst;
    let a = args[0].index;
    let b = args.get(1).map_or(0, |r| r.index);
    let c = args.get(2).map_or(0, |r| r.index);
    match op {
        I8x16RelaxedSwizzle => return lanes::emit(m, I8x16Swizzle, dst, args, 0),
        I32x4RelaxedTruncF32x4S => return float::emit(m, I32x4TruncSatF32x4S, dst, args),
        I32x4RelaxedTruncF32x4U => return float::emit(m, I32x4TruncSatF32x4U, dst, args),
        I32x4RelaxedTruncF64x2SZero => return float::emit(m, I32x4TruncSatF64x2SZero, dst, args),
        I32x4RelaxedTruncF64x2UZero => return float::emit(m, I32x4TruncSatF64x2UZero, dst, args),
        F32x4RelaxedMadd => asm!(m.ops ; mov V(d).B16, V(c).B16 ; fmla V(d).S4, V(a).S4, V(b).S4),
        F32x4RelaxedNmadd => asm!(m.ops ; mov V(d).B16, V(c).B16 ; fmls V(d).S4, V(a).S4, V(b).S4),
        F64x2RelaxedMadd => asm!(m.ops ; mov V(d).B16, V(c).B16 ; fmla V(d).D2, V(a).D2, V(b).D2),
        F64x2RelaxedNmadd => asm!(m.ops ; mov V(d).B16, V(c).B16 ; fmls V(d).D2, V(a).D2, V(b).D2),
        I8x16RelaxedLaneselect | I16x8RelaxedLaneselect | I32x4RelaxedLaneselect | I64x2RelaxedLaneselect => {
            return int::emit(m, V128Bitselect, dst, args);
        }
        F32x4RelaxedMin => return float::emit(m, F32x4Min, dst, args),
        F32x4RelaxedMax => return float::emit(m, F32x4Max, dst, args),
        F64x2RelaxedMin => return float::emit(m, F64x2Min, dst, args),
        F64x2RelaxedMax => return float::emit(m, F64x2Max, dst, args),
        I16x8RelaxedQ15mulrS => return int::emit(m, I16x8Q15MulrSatS, dst, args),
        I16x8RelaxedDotI8x16I7x16S => dot(m, d, a, b),
        I32x4RelaxedDotI8x16I7x16AddS => {
            dot(m, d, a, b);
            asm!(m.ops ; saddlp V(d).S4, V(d).H8 ; add V(d).S4, V(d).S4, V(c).S4);
        }
        _ => return false,
    }
    true
}

/// `v{d}` = the wrapping 16-bit sums of the products of adjacent signed bytes of `v{a}`
/// and `v{b}`.
fn dot(m: &mut A64Masm, d: u8, a: u8, b: u8) {
    asm!(m.ops
        ; smull V(V0).H8, V(a).B8, V(b).B8
        ; smull2 V(V1).H8, V(a).B16, V(b).B16
        ; addp V(d).H8, V(V0).H8, V(V1).H8
    );
}
