//! SIMD: integer lanes and bitwise operations, in SSE4.1 (with SSSE3).
//!
//! What SSE4.1 lacks is emulated: signed 64-bit comparisons (no `pcmpgtq`), 8-bit
//! shifts (done on 16-bit lanes, then masked or re-packed), 64-bit arithmetic right
//! shifts (no `psraq`), 64-bit multiplication (from `pmuludq` partial products) and
//! byte population counts (a nibble table through `pshufb`).
//!
//! Scratch: `xmm14`, `xmm15`, `rax`, `rcx`; the operands die with the instruction and
//! are overwritten where that saves a move.

use dynasmrt::DynasmApi;
use stratus_decoder::Opcode;
use stratus_jit::Reg;

use crate::masm::X64Masm;

/// `pshufd` selectors.
const HIGH_QWORD: i8 = 0b11_10_11_10u8 as i8; // dwords 2, 3, 2, 3
const LOW_PAIRS: i8 = 0b01_01_00_00; // dwords 0, 0, 1, 1
const HIGH_PAIRS: i8 = 0b11_11_10_10u8 as i8; // dwords 2, 2, 3, 3
const ODD_DWORDS: i8 = 0b11_11_01_01u8 as i8; // dwords 1, 1, 3, 3

/// Emits `dst = op(args)` if `op` is of this group, and returns whether it did.
pub(crate) fn emit(m: &mut X64Masm, op: Opcode, dst: u8, args: &[Reg]) -> bool {
    use Opcode::*;
    let d = dst;
    let a = args[0].index;
    let b = args.get(1).map_or(0, |r| r.index);

    // `dst = a OP b` for a two-operand SSE instruction.
    macro_rules! binary {
        ($i:ident) => {
            asm!(m.ops ; movdqa Rx(d), Rx(a) ; $i Rx(d), Rx(b))
        };
    }
    // `dst = !dst` after `$e`: the comparisons that complement another.
    macro_rules! complemented {
        ($e:expr) => {{
            $e;
            not(m, d)
        }};
    }
    // `dst = (OP(a, b) == a)`: with min/max, the `<=` and `>=` comparisons.
    macro_rules! equal_after {
        ($i:ident, $eq:ident) => {
            asm!(m.ops ; movdqa Rx(d), Rx(a) ; $i Rx(d), Rx(b) ; $eq Rx(d), Rx(a))
        };
    }
    // `dst = 0 - a`.
    macro_rules! negate {
        ($sub:ident) => {
            asm!(m.ops ; pxor Rx(d), Rx(d) ; $sub Rx(d), Rx(a))
        };
    }
    // `dst = OP(a)` for a one-operand widening or absolute value.
    macro_rules! unary {
        ($i:ident) => {
            asm!(m.ops ; $i Rx(d), Rx(a))
        };
    }
    // `dst = OP(high half of a)`.
    macro_rules! unary_high {
        ($i:ident) => {
            asm!(m.ops ; pshufd Rx(a), Rx(a), HIGH_QWORD ; $i Rx(d), Rx(a))
        };
    }
    // `dst = (every lane of a is non-zero) as i32`, `dst` a general register.
    macro_rules! all_true {
        ($eq:ident) => {
            asm!(m.ops
                ; xor Rd(d), Rd(d)
                ; pxor xmm15, xmm15
                ; $eq xmm15, Rx(a)
                ; ptest xmm15, xmm15
                ; setz Rb(d)
            )
        };
    }
    // Shift `dst = a` by `xmm15`, the count in `b` modulo `bits` (left in `ecx`).
    macro_rules! shift {
        ($i:ident, $bits:expr) => {
            asm!(m.ops
                ; mov ecx, Rd(b)
                ; and ecx, $bits - 1
                ; movd xmm15, ecx
                ; movdqa Rx(d), Rx(a)
                ; $i Rx(d), xmm15
            )
        };
    }
    // `dst` = the sum of each pair of lanes: the odd ones shifted down by `$bits` (`$shr`
    // extending), plus the even ones shifted up and back.
    macro_rules! add_pairwise {
        ($shl:ident, $shr:ident, $add:ident, $bits:expr) => {
            asm!(m.ops
                ; movdqa Rx(d), Rx(a)
                ; $shr Rx(d), $bits
                ; $shl Rx(a), $bits
                ; $shr Rx(a), $bits
                ; $add Rx(d), Rx(a)
            )
        };
    }
    // `dst` = the 16-bit products of the low (or `$high`) eight bytes, extended.
    macro_rules! ext_mul_bytes {
        ($extend:ident, $high:expr) => {{
            if $high {
                asm!(m.ops ; pshufd Rx(a), Rx(a), HIGH_QWORD ; pshufd Rx(b), Rx(b), HIGH_QWORD);
            }
            asm!(m.ops ; $extend Rx(d), Rx(a) ; $extend xmm15, Rx(b) ; pmullw Rx(d), xmm15)
        }};
    }
    // `dst` = the 64-bit products of two dwords, which `pmuldq`/`pmuludq` take from
    // dwords 0 and 2: the lanes are moved there.
    macro_rules! ext_mul_dwords {
        ($pairs:expr, $mul:ident) => {
            asm!(m.ops
                ; pshufd Rx(d), Rx(a), $pairs
                ; pshufd xmm15, Rx(b), $pairs
                ; $mul Rx(d), xmm15
            )
        };
    }

    match op {
        // Bitwise.
        V128Not => asm!(m.ops ; pcmpeqd Rx(d), Rx(d) ; pxor Rx(d), Rx(a)),
        V128And => binary!(pand),
        V128Or => binary!(por),
        V128Xor => binary!(pxor),
        // `a & !b`: `pandn` complements its destination.
        V128AndNot => asm!(m.ops ; movdqa Rx(d), Rx(b) ; pandn Rx(d), Rx(a)),
        V128Bitselect => {
            let c = args[2].index;
            asm!(m.ops
                ; movdqa Rx(d), Rx(a)
                ; pand Rx(d), Rx(c)
                ; pandn Rx(c), Rx(b)
                ; por Rx(d), Rx(c)
            )
        }
        V128AnyTrue => asm!(m.ops ; xor Rd(d), Rd(d) ; ptest Rx(a), Rx(a) ; setnz Rb(d)),

        // Equality.
        I8x16Eq => binary!(pcmpeqb),
        I16x8Eq => binary!(pcmpeqw),
        I32x4Eq => binary!(pcmpeqd),
        I64x2Eq => binary!(pcmpeqq),
        I8x16Ne => complemented!(binary!(pcmpeqb)),
        I16x8Ne => complemented!(binary!(pcmpeqw)),
        I32x4Ne => complemented!(binary!(pcmpeqd)),
        I64x2Ne => complemented!(binary!(pcmpeqq)),

        // Order (`lt` and `le` are the front-end's, as `gt` and `ge` with the operands
        // swapped): `pcmpgt`, and min/max for the inclusive ones.
        I8x16GtS => binary!(pcmpgtb),
        I16x8GtS => binary!(pcmpgtw),
        I32x4GtS => binary!(pcmpgtd),
        I8x16GeS => equal_after!(pmaxsb, pcmpeqb),
        I16x8GeS => equal_after!(pmaxsw, pcmpeqw),
        I32x4GeS => equal_after!(pmaxsd, pcmpeqd),

        // Unsigned order: min/max, complemented for the strict ones.
        I8x16GeU => equal_after!(pmaxub, pcmpeqb),
        I16x8GeU => equal_after!(pmaxuw, pcmpeqw),
        I32x4GeU => equal_after!(pmaxud, pcmpeqd),
        I8x16GtU => complemented!(equal_after!(pminub, pcmpeqb)),
        I16x8GtU => complemented!(equal_after!(pminuw, pcmpeqw)),
        I32x4GtU => complemented!(equal_after!(pminud, pcmpeqd)),

        // Signed 64-bit order, without `pcmpgtq`.
        I64x2GtS => i64_less(m, d, b, a),
        I64x2GeS => complemented!(i64_less(m, d, a, b)),

        // Absolute values and negation.
        I8x16Abs => unary!(pabsb),
        I16x8Abs => unary!(pabsw),
        I32x4Abs => unary!(pabsd),
        I64x2Abs => {
            // `(a ^ s) - s`, `s` the sign of each lane spread over it.
            asm!(m.ops
                ; pshufd xmm15, Rx(a), ODD_DWORDS
                ; psrad xmm15, 31
                ; movdqa Rx(d), Rx(a)
                ; pxor Rx(d), xmm15
                ; psubq Rx(d), xmm15
            )
        }
        I8x16Neg => negate!(psubb),
        I16x8Neg => negate!(psubw),
        I32x4Neg => negate!(psubd),
        I64x2Neg => negate!(psubq),

        I8x16Popcnt => popcnt(m, d, a),

        // Reductions to an i32.
        I8x16AllTrue => all_true!(pcmpeqb),
        I16x8AllTrue => all_true!(pcmpeqw),
        I32x4AllTrue => all_true!(pcmpeqd),
        I64x2AllTrue => all_true!(pcmpeqq),
        I8x16Bitmask => asm!(m.ops ; pmovmskb Rd(d), Rx(a)),
        // Signed saturation keeps the signs: the eight words become the low eight bytes.
        I16x8Bitmask => asm!(m.ops
            ; pxor xmm15, xmm15
            ; packsswb Rx(a), xmm15
            ; pmovmskb Rd(d), Rx(a)
        ),
        I32x4Bitmask => asm!(m.ops ; movmskps Rd(d), Rx(a)),
        I64x2Bitmask => asm!(m.ops ; movmskpd Rd(d), Rx(a)),

        // Narrowing: the packs saturate signed inputs as WebAssembly does.
        I8x16NarrowI16x8S => binary!(packsswb),
        I8x16NarrowI16x8U => binary!(packuswb),
        I16x8NarrowI32x4S => binary!(packssdw),
        I16x8NarrowI32x4U => binary!(packusdw),

        // Shifts.
        I16x8Shl => shift!(psllw, 16),
        I16x8ShrS => shift!(psraw, 16),
        I16x8ShrU => shift!(psrlw, 16),
        I32x4Shl => shift!(pslld, 32),
        I32x4ShrS => shift!(psrad, 32),
        I32x4ShrU => shift!(psrld, 32),
        I64x2Shl => shift!(psllq, 64),
        I64x2ShrU => shift!(psrlq, 64),
        // Shift the words, then clear the bits that crossed into the next byte: keep
        // `0xFF << count` (or `>>`) of each byte.
        I8x16Shl => {
            shift!(psllw, 8);
            asm!(m.ops ; mov eax, 0xFF ; shl eax, cl);
            byte_mask(m, d);
        }
        I8x16ShrU => {
            shift!(psrlw, 8);
            asm!(m.ops ; mov eax, 0xFF ; shr eax, cl);
            byte_mask(m, d);
        }
        I8x16ShrS => {
            // Each byte into the high half of a word (`punpck` of `a` with itself),
            // shifted by 8 more, and packed back (the results fit a byte).
            asm!(m.ops
                ; mov eax, Rd(b)
                ; and eax, 7
                ; add eax, 8
                ; movd xmm15, eax
                ; movdqa Rx(d), Rx(a)
                ; punpcklbw Rx(d), Rx(a)
                ; psraw Rx(d), xmm15
                ; punpckhbw Rx(a), Rx(a)
                ; psraw Rx(a), xmm15
                ; packsswb Rx(d), Rx(a)
            )
        }
        I64x2ShrS => {
            // `((a >>u n) ^ s) - s` with `s = (1 << 63) >>u n`: extends the shifted sign.
            asm!(m.ops
                ; mov eax, Rd(b)
                ; and eax, 63
                ; movd xmm15, eax
                ; mov rax, QWORD i64::MIN
                ; movq xmm14, rax
                ; punpcklqdq xmm14, xmm14
                ; psrlq xmm14, xmm15
                ; movdqa Rx(d), Rx(a)
                ; psrlq Rx(d), xmm15
                ; pxor Rx(d), xmm14
                ; psubq Rx(d), xmm14
            )
        }

        // Arithmetic.
        I8x16Add => binary!(paddb),
        I16x8Add => binary!(paddw),
        I32x4Add => binary!(paddd),
        I64x2Add => binary!(paddq),
        I8x16Sub => binary!(psubb),
        I16x8Sub => binary!(psubw),
        I32x4Sub => binary!(psubd),
        I64x2Sub => binary!(psubq),
        I8x16AddSatS => binary!(paddsb),
        I8x16AddSatU => binary!(paddusb),
        I8x16SubSatS => binary!(psubsb),
        I8x16SubSatU => binary!(psubusb),
        I16x8AddSatS => binary!(paddsw),
        I16x8AddSatU => binary!(paddusw),
        I16x8SubSatS => binary!(psubsw),
        I16x8SubSatU => binary!(psubusw),
        I16x8Mul => binary!(pmullw),
        I32x4Mul => binary!(pmulld),
        I64x2Mul => {
            // lo(a)·lo(b) + ((hi(a)·lo(b) + lo(a)·hi(b)) << 32), each product 32×32→64.
            asm!(m.ops
                ; movdqa xmm14, Rx(a)
                ; psrlq xmm14, 32
                ; pmuludq xmm14, Rx(b)
                ; movdqa xmm15, Rx(b)
                ; psrlq xmm15, 32
                ; pmuludq xmm15, Rx(a)
                ; paddq xmm14, xmm15
                ; psllq xmm14, 32
                ; movdqa Rx(d), Rx(a)
                ; pmuludq Rx(d), Rx(b)
                ; paddq Rx(d), xmm14
            )
        }
        I8x16MinS => binary!(pminsb),
        I8x16MinU => binary!(pminub),
        I8x16MaxS => binary!(pmaxsb),
        I8x16MaxU => binary!(pmaxub),
        I16x8MinS => binary!(pminsw),
        I16x8MinU => binary!(pminuw),
        I16x8MaxS => binary!(pmaxsw),
        I16x8MaxU => binary!(pmaxuw),
        I32x4MinS => binary!(pminsd),
        I32x4MinU => binary!(pminud),
        I32x4MaxS => binary!(pmaxsd),
        I32x4MaxU => binary!(pmaxud),
        I8x16AvgrU => binary!(pavgb),
        I16x8AvgrU => binary!(pavgw),
        I16x8Q15MulrSatS => {
            // `pmulhrsw` rounds the same way but wraps the one overflow,
            // -32768 · -32768, to -32768 (0x8000, which no other product gives): flip
            // it to 0x7FFF.
            binary!(pmulhrsw);
            splat32(m, 15, 0x8000_8000);
            asm!(m.ops
                ; pcmpeqw xmm15, Rx(d)
                ; pxor Rx(d), xmm15
            )
        }
        I32x4DotI16x8S => binary!(pmaddwd),

        // Pairwise sums: the odd lanes shifted down, plus the even lanes extended.
        I16x8ExtAddPairwiseI8x16S => add_pairwise!(psllw, psraw, paddw, 8),
        I16x8ExtAddPairwiseI8x16U => add_pairwise!(psllw, psrlw, paddw, 8),
        I32x4ExtAddPairwiseI16x8S => add_pairwise!(pslld, psrad, paddd, 16),
        I32x4ExtAddPairwiseI16x8U => add_pairwise!(pslld, psrld, paddd, 16),

        // Extension.
        I16x8ExtendLowI8x16S => unary!(pmovsxbw),
        I16x8ExtendLowI8x16U => unary!(pmovzxbw),
        I32x4ExtendLowI16x8S => unary!(pmovsxwd),
        I32x4ExtendLowI16x8U => unary!(pmovzxwd),
        I64x2ExtendLowI32x4S => unary!(pmovsxdq),
        I64x2ExtendLowI32x4U => unary!(pmovzxdq),
        I16x8ExtendHighI8x16S => unary_high!(pmovsxbw),
        I16x8ExtendHighI8x16U => unary_high!(pmovzxbw),
        I32x4ExtendHighI16x8S => unary_high!(pmovsxwd),
        I32x4ExtendHighI16x8U => unary_high!(pmovzxwd),
        I64x2ExtendHighI32x4S => unary_high!(pmovsxdq),
        I64x2ExtendHighI32x4U => unary_high!(pmovzxdq),

        // Extending multiplication.
        I16x8ExtMulLowI8x16S => ext_mul_bytes!(pmovsxbw, false),
        I16x8ExtMulLowI8x16U => ext_mul_bytes!(pmovzxbw, false),
        I16x8ExtMulHighI8x16S => ext_mul_bytes!(pmovsxbw, true),
        I16x8ExtMulHighI8x16U => ext_mul_bytes!(pmovzxbw, true),
        // The low and high halves of the 32-bit products, interleaved.
        I32x4ExtMulLowI16x8S => {
            ext_mul_words(m, d, a, b, true);
            asm!(m.ops ; punpcklwd Rx(d), xmm15)
        }
        I32x4ExtMulHighI16x8S => {
            ext_mul_words(m, d, a, b, true);
            asm!(m.ops ; punpckhwd Rx(d), xmm15)
        }
        I32x4ExtMulLowI16x8U => {
            ext_mul_words(m, d, a, b, false);
            asm!(m.ops ; punpcklwd Rx(d), xmm15)
        }
        I32x4ExtMulHighI16x8U => {
            ext_mul_words(m, d, a, b, false);
            asm!(m.ops ; punpckhwd Rx(d), xmm15)
        }
        I64x2ExtMulLowI32x4S => ext_mul_dwords!(LOW_PAIRS, pmuldq),
        I64x2ExtMulHighI32x4S => ext_mul_dwords!(HIGH_PAIRS, pmuldq),
        I64x2ExtMulLowI32x4U => ext_mul_dwords!(LOW_PAIRS, pmuludq),
        I64x2ExtMulHighI32x4U => ext_mul_dwords!(HIGH_PAIRS, pmuludq),

        _ => return false,
    }
    true
}

/// `xmm{x} = !xmm{x}`.
fn not(m: &mut X64Masm, x: u8) {
    asm!(m.ops
        ; pcmpeqd xmm15, xmm15
        ; pxor Rx(x), xmm15
    );
}

/// `xmm{x}` = the 32-bit `value` in every lane.
fn splat32(m: &mut X64Masm, x: u8, value: u32) {
    asm!(m.ops
        ; mov eax, value as i32
        ; movd Rx(x), eax
        ; pshufd Rx(x), Rx(x), 0
    );
}

/// `dst &= the low byte of eax, in every byte`.
fn byte_mask(m: &mut X64Masm, d: u8) {
    asm!(m.ops
        ; movzx eax, al
        ; imul eax, eax, 0x0101_0101
        ; movd xmm15, eax
        ; pshufd xmm15, xmm15, 0
        ; pand Rx(d), xmm15
    );
}

/// `dst = (a < b)` on signed 64-bit lanes: the sign of `a - b`, corrected where the
/// subtraction overflows (Hacker's Delight 2-12): `t ^ ((a ^ b) & (t ^ a))`, `t = a - b`,
/// spread over each lane. Clobbers `b`.
fn i64_less(m: &mut X64Masm, d: u8, a: u8, b: u8) {
    asm!(m.ops
        ; movdqa xmm15, Rx(a)
        ; psubq xmm15, Rx(b)
        ; pxor Rx(b), Rx(a)
        ; movdqa Rx(d), xmm15
        ; pxor Rx(d), Rx(a)
        ; pand Rx(d), Rx(b)
        ; pxor Rx(d), xmm15
        ; psrad Rx(d), 31
        ; pshufd Rx(d), Rx(d), ODD_DWORDS
    );
}

/// `dst` = the low halves of the 16-bit lane products of `a` and `b`, `xmm15` the high
/// halves (signed or unsigned), ready to interleave into 32-bit products.
fn ext_mul_words(m: &mut X64Masm, d: u8, a: u8, b: u8, signed: bool) {
    asm!(m.ops
        ; movdqa Rx(d), Rx(a)
        ; pmullw Rx(d), Rx(b)
        ; movdqa xmm15, Rx(a)
    );
    if signed {
        asm!(m.ops ; pmulhw xmm15, Rx(b));
    } else {
        asm!(m.ops ; pmulhuw xmm15, Rx(b));
    }
}

/// `i8x16.popcnt`: each nibble's count from a 16-byte table through `pshufb`.
fn popcnt(m: &mut X64Masm, d: u8, a: u8) {
    // The population counts of 0..=15, one per byte.
    const LOW: u64 = 0x0302_0201_0201_0100;
    const HIGH: u64 = 0x0403_0302_0302_0201;
    splat32(m, 15, 0x0F0F_0F0F);
    asm!(m.ops
        ; movdqa xmm14, Rx(a)
        ; psrlw xmm14, 4
        ; pand xmm14, xmm15
        ; pand Rx(a), xmm15
        ; mov rax, QWORD LOW as i64
        ; movq Rx(d), rax
        ; mov rax, QWORD HIGH as i64
        ; pinsrq Rx(d), rax, 1
        ; movdqa xmm15, Rx(d)
        ; pshufb Rx(d), Rx(a)
        ; pshufb xmm15, xmm14
        ; paddb Rx(d), xmm15
    );
}
