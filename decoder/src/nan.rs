//! Which instructions may produce NaNs whose bits the spec leaves open: what the
//! deterministic profile (Wasm 3.0) makes the positive canonical NaN. The others either
//! produce no NaN (comparisons, conversions to integers) or fix its bits (`abs`, `neg`,
//! `copysign`, `pmin`/`pmax`, loads, lane moves: they keep an operand's).

use crate::opcode::Opcode;

/// The float lanes of a result that may be a NaN of open bits.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum NanLanes {
    F32,
    F64,
    /// Each `f32` lane of a `v128`.
    F32x4,
    /// Each `f64` lane of a `v128`.
    F64x2,
}

impl Opcode {
    /// Where the result of this instruction may be a NaN of open bits.
    pub const fn nan_lanes(self) -> Option<NanLanes> {
        use Opcode::*;
        Some(match self {
            F32Add | F32Sub | F32Mul | F32Div | F32Sqrt | F32Min | F32Max | F32Ceil | F32Floor | F32Trunc
            | F32Nearest | F32DemoteF64 => NanLanes::F32,
            F64Add | F64Sub | F64Mul | F64Div | F64Sqrt | F64Min | F64Max | F64Ceil | F64Floor | F64Trunc
            | F64Nearest | F64PromoteF32 => NanLanes::F64,
            F32x4Add | F32x4Sub | F32x4Mul | F32x4Div | F32x4Sqrt | F32x4Min | F32x4Max | F32x4Ceil
            | F32x4Floor | F32x4Trunc | F32x4Nearest | F32x4DemoteF64x2Zero | F32x4RelaxedMadd
            | F32x4RelaxedNmadd | F32x4RelaxedMin | F32x4RelaxedMax => NanLanes::F32x4,
            F64x2Add | F64x2Sub | F64x2Mul | F64x2Div | F64x2Sqrt | F64x2Min | F64x2Max | F64x2Ceil
            | F64x2Floor | F64x2Trunc | F64x2Nearest | F64x2PromoteLowF32x4 | F64x2RelaxedMadd
            | F64x2RelaxedNmadd | F64x2RelaxedMin | F64x2RelaxedMax => NanLanes::F64x2,
            _ => return None,
        })
    }
}

impl Opcode {
    /// The float lanes of this instruction's operands whose NaNs it does not observe
    /// bit by bit: under the deterministic profile its result is the same whatever the
    /// bits of a NaN operand. Those are the instructions that may produce a NaN of
    /// open bits (a NaN operand gives a NaN result, which the profile makes canonical),
    /// comparisons (a NaN is unordered) and truncations (a NaN traps or gives zero).
    /// A compiler may leave a NaN operand of these instructions uncanonicalised.
    pub const fn nan_blind_operands(self) -> Option<NanLanes> {
        use Opcode::*;
        Some(match self {
            F32Eq | F32Ne | F32Lt | F32Gt | F32Le | F32Ge | F64PromoteF32 | I32TruncF32S | I32TruncF32U
            | I64TruncF32S | I64TruncF32U | I32TruncSatF32S | I32TruncSatF32U | I64TruncSatF32S
            | I64TruncSatF32U => NanLanes::F32,
            F64Eq | F64Ne | F64Lt | F64Gt | F64Le | F64Ge | F32DemoteF64 | I32TruncF64S | I32TruncF64U
            | I64TruncF64S | I64TruncF64U | I32TruncSatF64S | I32TruncSatF64U | I64TruncSatF64S
            | I64TruncSatF64U => NanLanes::F64,
            F32x4Eq
            | F32x4Ne
            | F32x4Lt
            | F32x4Gt
            | F32x4Le
            | F32x4Ge
            | F64x2PromoteLowF32x4
            | I32x4TruncSatF32x4S
            | I32x4TruncSatF32x4U
            | I32x4RelaxedTruncF32x4S
            | I32x4RelaxedTruncF32x4U => NanLanes::F32x4,
            F64x2Eq
            | F64x2Ne
            | F64x2Lt
            | F64x2Gt
            | F64x2Le
            | F64x2Ge
            | F32x4DemoteF64x2Zero
            | I32x4TruncSatF64x2SZero
            | I32x4TruncSatF64x2UZero
            | I32x4RelaxedTruncF64x2SZero
            | I32x4RelaxedTruncF64x2UZero => NanLanes::F64x2,
            // Those that produce a NaN of open bits take operands of their own lanes,
            // but for the two conversions, listed above.
            _ => match self.nan_lanes() {
                Some(lanes) => lanes,
                None => return None,
            },
        })
    }
}
