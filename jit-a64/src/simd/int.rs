//! SIMD group `int` (see the module above): integer lanes and whole-vector bitwise
//! operations, in NEON.
//!
//! Most instructions are one NEON instruction. The others: `ne` (`cmeq` complemented),
//! shifts (NEON
//! shifts by a register do not take the count modulo the lane width, and shift right
//! by shifting left a negative count), `bitmask` (the signs as lane masks, each ANDed
//! with its bit's weight and added up), `all_true`/`any_true` (a reduction to a
//! scalar), `i64x2.mul` (from 32-bit partial products) and `i32x4.dot_i16x8_s`
//! (widening products added in pairs).
//!
//! Scratch: `v31`, `v30`, `x16`; the operands die with the instruction.

use dynasmrt::DynasmApi;
use stratus_decoder::Opcode;
use stratus_jit::Reg;

use crate::access::mov_imm;
use crate::masm::{A64Masm, T0, T1, V0, V1};

/// The weight of each lane's bit in a bitmask, one per byte (`1 << lane`, eight
/// lanes), for the lanes narrowed to bytes.
const BYTE_WEIGHTS: u64 = 0x8040_2010_0804_0201;
/// The same for four lanes narrowed to 16 bits.
const HALF_WEIGHTS: u64 = 0x0008_0004_0002_0001;

/// Emits `dst = op(args)` if `op` is of this group, and returns whether it did.
pub(crate) fn emit(m: &mut A64Masm, op: Opcode, dst: u8, args: &[Reg]) -> bool {
    use Opcode::*;
    let d = dst;
    let a = args[0].index;
    let b = args.get(1).map_or(0, |r| r.index);

    // `dst = a OP b` on lanes of arrangement `$t`.
    macro_rules! binary {
        ($i:ident, $t:ident) => {
            asm!(m.ops ; $i V(d).$t, V(a).$t, V(b).$t)
        };
    }
    // `dst = !(a == b)`.
    macro_rules! not_equal {
        ($t:ident) => {
            asm!(m.ops ; cmeq V(d).$t, V(a).$t, V(b).$t ; mvn V(d).B16, V(d).B16)
        };
    }
    // `dst = OP(a)`.
    macro_rules! unary {
        ($i:ident, $t:ident) => {
            asm!(m.ops ; $i V(d).$t, V(a).$t)
        };
    }
    // `dst = OP(a)` from narrower lanes `$n` to wider ones `$w`.
    macro_rules! widen {
        ($i:ident, $w:ident, $n:ident) => {
            asm!(m.ops ; $i V(d).$w, V(a).$n)
        };
    }
    // `dst = a OP b` from narrower lanes `$n` to wider ones `$w`.
    macro_rules! widen2 {
        ($i:ident, $w:ident, $n:ident) => {
            asm!(m.ops ; $i V(d).$w, V(a).$n, V(b).$n)
        };
    }
    // `dst = extend(a)`: a shift left by 0 of the low (`$i` `sshll`/`ushll`) or high
    // (`sshll2`/`ushll2`) lanes.
    macro_rules! extend {
        ($i:ident, $w:ident, $n:ident) => {
            asm!(m.ops ; $i V(d).$w, V(a).$n, 0)
        };
    }
    // `dst` = `a` narrowed with saturation: the low half from `a`, the high from `b`.
    macro_rules! narrow {
        ($low:ident, $high:ident, $n:ident, $n2:ident, $w:ident) => {
            asm!(m.ops ; $low V(d).$n, V(a).$w ; $high V(d).$n2, V(b).$w)
        };
    }
    // Shift `a` by the count in `w{b}` modulo `$bits`: `$i` (`ushl`/`sshl`) by the
    // count, negated for a right shift, in every lane of `v31` (each lane's low byte is
    // its signed count), which `dup` takes from `$r` (`x` for 64-bit lanes: the low
    // byte is the count all the same).
    macro_rules! shift {
        ($i:ident, $t:ident, $r:ident, $bits:expr, $right:expr) => {{
            asm!(m.ops ; and WSP(T0), W(b), $bits - 1);
            if $right {
                asm!(m.ops ; neg $r(T0), $r(T0));
            }
            asm!(m.ops ; dup V(V0).$t, $r(T0) ; $i V(d).$t, V(a).$t, V(V0).$t)
        }};
    }
    // `dst = (every lane of a is non-zero) as i32`: the minimum of the lanes.
    macro_rules! all_true {
        ($s:ident, $t:ident) => {
            asm!(m.ops
                ; uminv $s(V0), V(a).$t
                ; fmov W(d), S(V0)
                ; cmp WSP(d), 0
                ; cset W(d), ne
            )
        };
    }

    match op {
        // Bitwise.
        V128Not => asm!(m.ops ; mvn V(d).B16, V(a).B16),
        V128And => binary!(and, B16),
        V128Or => binary!(orr, B16),
        V128Xor => binary!(eor, B16),
        V128AndNot => binary!(bic, B16),
        // `bsl` keeps its destination's bits as the selector.
        V128Bitselect => {
            let c = args[2].index;
            asm!(m.ops ; mov V(d).B16, V(c).B16 ; bsl V(d).B16, V(a).B16, V(b).B16)
        }
        // Any non-zero 32-bit lane.
        V128AnyTrue => asm!(m.ops
            ; umaxv S(V0), V(a).S4
            ; fmov W(d), S(V0)
            ; cmp WSP(d), 0
            ; cset W(d), ne
        ),

        // Comparisons (`lt` and `le` are the front-end's, as `gt` and `ge` with the
        // operands swapped).
        I8x16Eq => binary!(cmeq, B16),
        I16x8Eq => binary!(cmeq, H8),
        I32x4Eq => binary!(cmeq, S4),
        I64x2Eq => binary!(cmeq, D2),
        I8x16Ne => not_equal!(B16),
        I16x8Ne => not_equal!(H8),
        I32x4Ne => not_equal!(S4),
        I64x2Ne => not_equal!(D2),
        I8x16GtS => binary!(cmgt, B16),
        I16x8GtS => binary!(cmgt, H8),
        I32x4GtS => binary!(cmgt, S4),
        I64x2GtS => binary!(cmgt, D2),
        I8x16GeS => binary!(cmge, B16),
        I16x8GeS => binary!(cmge, H8),
        I32x4GeS => binary!(cmge, S4),
        I64x2GeS => binary!(cmge, D2),
        I8x16GtU => binary!(cmhi, B16),
        I16x8GtU => binary!(cmhi, H8),
        I32x4GtU => binary!(cmhi, S4),
        I8x16GeU => binary!(cmhs, B16),
        I16x8GeU => binary!(cmhs, H8),
        I32x4GeU => binary!(cmhs, S4),

        // Absolute values, negation, population counts.
        I8x16Abs => unary!(abs, B16),
        I16x8Abs => unary!(abs, H8),
        I32x4Abs => unary!(abs, S4),
        I64x2Abs => unary!(abs, D2),
        I8x16Neg => unary!(neg, B16),
        I16x8Neg => unary!(neg, H8),
        I32x4Neg => unary!(neg, S4),
        I64x2Neg => unary!(neg, D2),
        I8x16Popcnt => unary!(cnt, B16),

        // Reductions to an i32.
        I8x16AllTrue => all_true!(B, B16),
        I16x8AllTrue => all_true!(H, H8),
        I32x4AllTrue => all_true!(S, S4),
        // No `uminv` on 64-bit lanes: whether no lane equals zero.
        I64x2AllTrue => asm!(m.ops
            ; cmeq V(V0).D2, V(a).D2, 0
            ; umaxv S(V0), V(V0).S4
            ; fmov W(d), S(V0)
            ; cmp WSP(d), 0
            ; cset W(d), eq
        ),
        I8x16Bitmask => {
            // Each byte's sign as a mask, ANDed with its bit in its half; the halves
            // interleaved, so that each 16-bit lane holds a bit of the low half and one
            // of the high, and added up.
            mov_imm(&mut m.ops, true, T0, BYTE_WEIGHTS);
            asm!(m.ops
                ; dup V(V1).D2, X(T0)
                ; cmlt V(V0).B16, V(a).B16, 0
                ; and V(V0).B16, V(V0).B16, V(V1).B16
                ; ext V(V1).B16, V(V0).B16, V(V0).B16, 8
                ; zip1 V(V0).B16, V(V0).B16, V(V1).B16
                ; addv H(V0), V(V0).H8
                ; umov W(d), V(V0).H[0]
            )
        }
        I16x8Bitmask => {
            // The lane masks narrowed to bytes, weighted and added up.
            mov_imm(&mut m.ops, true, T0, BYTE_WEIGHTS);
            asm!(m.ops
                ; fmov D(V1), X(T0)
                ; cmlt V(V0).H8, V(a).H8, 0
                ; xtn V(V0).B8, V(V0).H8
                ; and V(V0).B8, V(V0).B8, V(V1).B8
                ; addv B(V0), V(V0).B8
                ; umov W(d), V(V0).B[0]
            )
        }
        I32x4Bitmask => {
            mov_imm(&mut m.ops, true, T0, HALF_WEIGHTS);
            asm!(m.ops
                ; fmov D(V1), X(T0)
                ; cmlt V(V0).S4, V(a).S4, 0
                ; xtn V(V0).H4, V(V0).S4
                ; and V(V0).B8, V(V0).B8, V(V1).B8
                ; addv H(V0), V(V0).H4
                ; umov W(d), V(V0).H[0]
            )
        }
        // The two signs through general registers.
        I64x2Bitmask => asm!(m.ops
            ; umov X(T0), V(a).D[0]
            ; umov X(T1), V(a).D[1]
            ; lsr X(T0), X(T0), 63
            ; lsr X(T1), X(T1), 63
            ; add W(d), W(T0), W(T1), lsl 1
        ),

        // Narrowing with saturation.
        I8x16NarrowI16x8S => narrow!(sqxtn, sqxtn2, B8, B16, H8),
        I8x16NarrowI16x8U => narrow!(sqxtun, sqxtun2, B8, B16, H8),
        I16x8NarrowI32x4S => narrow!(sqxtn, sqxtn2, H4, H8, S4),
        I16x8NarrowI32x4U => narrow!(sqxtun, sqxtun2, H4, H8, S4),

        // Shifts.
        I8x16Shl => shift!(ushl, B16, W, 8, false),
        I8x16ShrS => shift!(sshl, B16, W, 8, true),
        I8x16ShrU => shift!(ushl, B16, W, 8, true),
        I16x8Shl => shift!(ushl, H8, W, 16, false),
        I16x8ShrS => shift!(sshl, H8, W, 16, true),
        I16x8ShrU => shift!(ushl, H8, W, 16, true),
        I32x4Shl => shift!(ushl, S4, W, 32, false),
        I32x4ShrS => shift!(sshl, S4, W, 32, true),
        I32x4ShrU => shift!(ushl, S4, W, 32, true),
        I64x2Shl => shift!(ushl, D2, X, 64, false),
        I64x2ShrS => shift!(sshl, D2, X, 64, true),
        I64x2ShrU => shift!(ushl, D2, X, 64, true),

        // Arithmetic.
        I8x16Add => binary!(add, B16),
        I16x8Add => binary!(add, H8),
        I32x4Add => binary!(add, S4),
        I64x2Add => binary!(add, D2),
        I8x16Sub => binary!(sub, B16),
        I16x8Sub => binary!(sub, H8),
        I32x4Sub => binary!(sub, S4),
        I64x2Sub => binary!(sub, D2),
        I8x16AddSatS => binary!(sqadd, B16),
        I8x16AddSatU => binary!(uqadd, B16),
        I8x16SubSatS => binary!(sqsub, B16),
        I8x16SubSatU => binary!(uqsub, B16),
        I16x8AddSatS => binary!(sqadd, H8),
        I16x8AddSatU => binary!(uqadd, H8),
        I16x8SubSatS => binary!(sqsub, H8),
        I16x8SubSatU => binary!(uqsub, H8),
        I16x8Mul => binary!(mul, H8),
        I32x4Mul => binary!(mul, S4),
        I64x2Mul => {
            // lo(a)·lo(b) + ((lo(a)·hi(b) + hi(a)·lo(b)) << 32): the cross products from
            // `b` with its halves swapped, added in pairs, shifted into place; then the
            // 32×32→64 product of the low halves added.
            asm!(m.ops
                ; rev64 V(V0).S4, V(b).S4
                ; mul V(V0).S4, V(V0).S4, V(a).S4
                ; addp V(V0).S4, V(V0).S4, V(V0).S4
                ; shll V(d).D2, V(V0).S2, 32
                ; xtn V(V0).S2, V(a).D2
                ; xtn V(V1).S2, V(b).D2
                ; umlal V(d).D2, V(V0).S2, V(V1).S2
            )
        }
        I8x16MinS => binary!(smin, B16),
        I8x16MinU => binary!(umin, B16),
        I8x16MaxS => binary!(smax, B16),
        I8x16MaxU => binary!(umax, B16),
        I16x8MinS => binary!(smin, H8),
        I16x8MinU => binary!(umin, H8),
        I16x8MaxS => binary!(smax, H8),
        I16x8MaxU => binary!(umax, H8),
        I32x4MinS => binary!(smin, S4),
        I32x4MinU => binary!(umin, S4),
        I32x4MaxS => binary!(smax, S4),
        I32x4MaxU => binary!(umax, S4),
        I8x16AvgrU => binary!(urhadd, B16),
        I16x8AvgrU => binary!(urhadd, H8),
        // `(2·a·b + 2^15) >> 16`, saturated: WebAssembly's `(a·b + 2^14) >> 15`.
        I16x8Q15MulrSatS => binary!(sqrdmulh, H8),
        // The 32-bit products of the low and the high halves, added in pairs.
        I32x4DotI16x8S => asm!(m.ops
            ; smull V(V0).S4, V(a).H4, V(b).H4
            ; smull2 V(V1).S4, V(a).H8, V(b).H8
            ; addp V(d).S4, V(V0).S4, V(V1).S4
        ),

        // Pairwise sums.
        I16x8ExtAddPairwiseI8x16S => widen!(saddlp, H8, B16),
        I16x8ExtAddPairwiseI8x16U => widen!(uaddlp, H8, B16),
        I32x4ExtAddPairwiseI16x8S => widen!(saddlp, S4, H8),
        I32x4ExtAddPairwiseI16x8U => widen!(uaddlp, S4, H8),

        // Extension.
        I16x8ExtendLowI8x16S => extend!(sshll, H8, B8),
        I16x8ExtendHighI8x16S => extend!(sshll2, H8, B16),
        I16x8ExtendLowI8x16U => extend!(ushll, H8, B8),
        I16x8ExtendHighI8x16U => extend!(ushll2, H8, B16),
        I32x4ExtendLowI16x8S => extend!(sshll, S4, H4),
        I32x4ExtendHighI16x8S => extend!(sshll2, S4, H8),
        I32x4ExtendLowI16x8U => extend!(ushll, S4, H4),
        I32x4ExtendHighI16x8U => extend!(ushll2, S4, H8),
        I64x2ExtendLowI32x4S => extend!(sshll, D2, S2),
        I64x2ExtendHighI32x4S => extend!(sshll2, D2, S4),
        I64x2ExtendLowI32x4U => extend!(ushll, D2, S2),
        I64x2ExtendHighI32x4U => extend!(ushll2, D2, S4),

        // Extending multiplication.
        I16x8ExtMulLowI8x16S => widen2!(smull, H8, B8),
        I16x8ExtMulHighI8x16S => widen2!(smull2, H8, B16),
        I16x8ExtMulLowI8x16U => widen2!(umull, H8, B8),
        I16x8ExtMulHighI8x16U => widen2!(umull2, H8, B16),
        I32x4ExtMulLowI16x8S => widen2!(smull, S4, H4),
        I32x4ExtMulHighI16x8S => widen2!(smull2, S4, H8),
        I32x4ExtMulLowI16x8U => widen2!(umull, S4, H4),
        I32x4ExtMulHighI16x8U => widen2!(umull2, S4, H8),
        I64x2ExtMulLowI32x4S => widen2!(smull, D2, S2),
        I64x2ExtMulHighI32x4S => widen2!(smull2, D2, S4),
        I64x2ExtMulLowI32x4U => widen2!(umull, D2, S2),
        I64x2ExtMulHighI32x4U => widen2!(umull2, D2, S4),

        _ => return false,
    }
    true
}
