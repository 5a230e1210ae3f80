//! SIMD: float lanes (`f32x4`, `f64x2`) and the conversions between float and integer
//! vectors, in SSE4.1.
//!
//! Where SSE's behaviour differs from WebAssembly's (min/max with NaNs and zeros,
//! float-to-int overflow, unsigned conversions), the sequences below fix it up with
//! masks built in the scratch registers `xmm14` and `xmm15` (through `rax`).
//!
//! NaNs: arithmetic instructions produce either the quieted NaN operand or the default
//! NaN (`0xFFC0_0000`, a canonical NaN), so their results are arithmetic NaNs, and
//! canonical ones when every NaN operand is canonical, as the spec asks.

use dynasmrt::DynasmApi;
use stratus_decoder::Opcode;
use stratus_jit::Reg;

use crate::masm::X64Masm;

/// `2^31` as an `f32`.
const F32_2POW31: u32 = 0x4F00_0000;
/// `2^52` as an `f64`: added to an integer below `2^52`, its bits are the integer's.
const F64_2POW52: u64 = 0x4330_0000_0000_0000;
/// `i32::MAX` as an `f64`.
const F64_I32_MAX: u64 = 0x41DF_FFFF_FFC0_0000;
/// `u32::MAX` as an `f64`.
const F64_U32_MAX: u64 = 0x41EF_FFFF_FFE0_0000;

/// Loads `bits` into every 32-bit lane of `xmm{reg}` (through `eax`).
fn splat32(m: &mut X64Masm, reg: u8, bits: u32) {
    asm!(m.ops
        ; mov eax, bits as i32
        ; movd Rx(reg), eax
        ; pshufd Rx(reg), Rx(reg), 0
    );
}

/// Loads `bits` into both 64-bit lanes of `xmm{reg}` (through `rax`).
fn splat64(m: &mut X64Masm, reg: u8, bits: u64) {
    asm!(m.ops
        ; mov rax, QWORD bits as i64
        ; movq Rx(reg), rax
        ; punpcklqdq Rx(reg), Rx(reg)
    );
}

/// Emits `op` if it is one of this group's: `dst = op(args)`.
pub(crate) fn emit(m: &mut X64Masm, op: Opcode, dst: u8, args: &[Reg]) -> bool {
    use Opcode::*;
    let d = dst;
    let a = args[0].index;
    let b = args.get(1).map_or(0, |r| r.index);
    // `min` and `max` (below), from the instructions of one lane size; the mask that
    // clears a NaN's payload is all ones shifted right by `$shift`.
    macro_rules! min {
        ($mov:ident, $min:ident, $or:ident, $cmp:ident, $shr:ident, $shift:expr, $andn:ident) => {
            asm!(m.ops
                ; $mov xmm15, Rx(b)
                ; $min xmm15, Rx(a)
                ; $mov Rx(d), Rx(a)
                ; $min Rx(d), Rx(b)
                ; $or xmm15, Rx(d)
                ; $mov Rx(d), xmm15
                ; $cmp Rx(d), xmm15, 3 // unordered
                ; $or xmm15, Rx(d)
                ; $shr Rx(d), $shift
                ; $andn Rx(d), xmm15
            )
        };
    }
    macro_rules! max {
        ($mov:ident, $max:ident, $xor:ident, $or:ident, $sub:ident, $cmp:ident, $shr:ident, $shift:expr, $andn:ident) => {
            asm!(m.ops
                ; $mov xmm15, Rx(b)
                ; $max xmm15, Rx(a)
                ; $mov Rx(d), Rx(a)
                ; $max Rx(d), Rx(b)
                ; $xor Rx(d), xmm15
                ; $or xmm15, Rx(d)
                ; $sub xmm15, Rx(d)
                ; $mov Rx(d), xmm15
                ; $cmp Rx(d), xmm15, 3
                ; $shr Rx(d), $shift
                ; $andn Rx(d), xmm15
            )
        };
    }
    match op {
        // Comparisons (`lt` and `le` are the front-end's, as `gt` and `ge` with the
        // operands swapped). `cmpps` predicates: 0 eq (ordered), 1 lt, 2 le (false when
        // unordered), 4 neq (true when unordered); `a > b` is `b < a`.
        F32x4Eq => asm!(m.ops ; movaps Rx(d), Rx(a) ; cmpps Rx(d), Rx(b), 0),
        F32x4Ne => asm!(m.ops ; movaps Rx(d), Rx(a) ; cmpps Rx(d), Rx(b), 4),
        F32x4Gt => asm!(m.ops ; movaps Rx(d), Rx(b) ; cmpps Rx(d), Rx(a), 1),
        F32x4Ge => asm!(m.ops ; movaps Rx(d), Rx(b) ; cmpps Rx(d), Rx(a), 2),
        F64x2Eq => asm!(m.ops ; movapd Rx(d), Rx(a) ; cmppd Rx(d), Rx(b), 0),
        F64x2Ne => asm!(m.ops ; movapd Rx(d), Rx(a) ; cmppd Rx(d), Rx(b), 4),
        F64x2Gt => asm!(m.ops ; movapd Rx(d), Rx(b) ; cmppd Rx(d), Rx(a), 1),
        F64x2Ge => asm!(m.ops ; movapd Rx(d), Rx(b) ; cmppd Rx(d), Rx(a), 2),

        // Rounding: immediate 0 nearest (even), 1 down, 2 up, 3 toward zero.
        F32x4Nearest => asm!(m.ops ; roundps Rx(d), Rx(a), 0),
        F32x4Floor => asm!(m.ops ; roundps Rx(d), Rx(a), 1),
        F32x4Ceil => asm!(m.ops ; roundps Rx(d), Rx(a), 2),
        F32x4Trunc => asm!(m.ops ; roundps Rx(d), Rx(a), 3),
        F64x2Nearest => asm!(m.ops ; roundpd Rx(d), Rx(a), 0),
        F64x2Floor => asm!(m.ops ; roundpd Rx(d), Rx(a), 1),
        F64x2Ceil => asm!(m.ops ; roundpd Rx(d), Rx(a), 2),
        F64x2Trunc => asm!(m.ops ; roundpd Rx(d), Rx(a), 3),

        // Sign bits: all-ones shifted into the mask, so no constant to load.
        F32x4Abs => asm!(m.ops
            ; pcmpeqd Rx(d), Rx(d) ; psrld Rx(d), 1 ; andps Rx(d), Rx(a)),
        F64x2Abs => asm!(m.ops
            ; pcmpeqd Rx(d), Rx(d) ; psrlq Rx(d), 1 ; andpd Rx(d), Rx(a)),
        F32x4Neg => asm!(m.ops
            ; pcmpeqd Rx(d), Rx(d) ; pslld Rx(d), 31 ; xorps Rx(d), Rx(a)),
        F64x2Neg => asm!(m.ops
            ; pcmpeqd Rx(d), Rx(d) ; psllq Rx(d), 63 ; xorpd Rx(d), Rx(a)),
        F32x4Sqrt => asm!(m.ops ; sqrtps Rx(d), Rx(a)),
        F64x2Sqrt => asm!(m.ops ; sqrtpd Rx(d), Rx(a)),

        F32x4Add => asm!(m.ops ; movaps Rx(d), Rx(a) ; addps Rx(d), Rx(b)),
        F32x4Sub => asm!(m.ops ; movaps Rx(d), Rx(a) ; subps Rx(d), Rx(b)),
        F32x4Mul => asm!(m.ops ; movaps Rx(d), Rx(a) ; mulps Rx(d), Rx(b)),
        F32x4Div => asm!(m.ops ; movaps Rx(d), Rx(a) ; divps Rx(d), Rx(b)),
        F64x2Add => asm!(m.ops ; movapd Rx(d), Rx(a) ; addpd Rx(d), Rx(b)),
        F64x2Sub => asm!(m.ops ; movapd Rx(d), Rx(a) ; subpd Rx(d), Rx(b)),
        F64x2Mul => asm!(m.ops ; movapd Rx(d), Rx(a) ; mulpd Rx(d), Rx(b)),
        F64x2Div => asm!(m.ops ; movapd Rx(d), Rx(a) ; divpd Rx(d), Rx(b)),

        // `minps x, y` is `x < y ? x : y`: it gives `y` when either is NaN or both are
        // zeros. Both orders, OR-ed, keep a NaN (with some payload) and -0 over +0;
        // then NaN lanes are made canonical: all ones, then payload cleared.
        F32x4Min => min!(movaps, minps, orps, cmpps, psrld, 10, andnps),
        F64x2Min => min!(movapd, minpd, orpd, cmppd, psrlq, 13, andnpd),
        // Both orders of `maxps` differ only where there is a NaN or the zeros differ
        // in sign; their XOR `x` is then that NaN's bits, or -0. `m | x` keeps a NaN,
        // and `(m | x) - x` turns -0/+0 into +0 (and a NaN quiet). NaN lanes are then
        // made canonical by clearing the payload.
        F32x4Max => max!(movaps, maxps, xorps, orps, subps, cmpps, psrld, 10, andnps),
        F64x2Max => max!(movapd, maxpd, xorpd, orpd, subpd, cmppd, psrlq, 13, andnpd),
        // `pmin(a, b)` is `b < a ? b : a`, `minps b, a`; `pmax(a, b)` is `a < b ? b : a`,
        // `maxps b, a`.
        F32x4PMin => asm!(m.ops ; movaps Rx(d), Rx(b) ; minps Rx(d), Rx(a)),
        F32x4PMax => asm!(m.ops ; movaps Rx(d), Rx(b) ; maxps Rx(d), Rx(a)),
        F64x2PMin => asm!(m.ops ; movapd Rx(d), Rx(b) ; minpd Rx(d), Rx(a)),
        F64x2PMax => asm!(m.ops ; movapd Rx(d), Rx(b) ; maxpd Rx(d), Rx(a)),

        F32x4DemoteF64x2Zero => asm!(m.ops ; cvtpd2ps Rx(d), Rx(a)),
        F64x2PromoteLowF32x4 => asm!(m.ops ; cvtps2pd Rx(d), Rx(a)),
        F32x4ConvertI32x4S => asm!(m.ops ; cvtdq2ps Rx(d), Rx(a)),
        F64x2ConvertLowI32x4S => asm!(m.ops ; cvtdq2pd Rx(d), Rx(a)),

        // Unsigned: the low 16 bits and the rest are each exact as floats (the rest
        // halved to fit a signed conversion, then doubled), and their sum is rounded
        // once.
        F32x4ConvertI32x4U => asm!(m.ops
            ; pxor xmm15, xmm15
            ; pblendw xmm15, Rx(a), 0x55 // the low halves of the lanes
            ; psubd Rx(a), xmm15
            ; cvtdq2ps xmm15, xmm15
            ; psrld Rx(a), 1
            ; cvtdq2ps Rx(d), Rx(a)
            ; addps Rx(d), Rx(d)
            ; addps Rx(d), xmm15
        ),
        // Unsigned, low lanes: `0x4330_0000` above each becomes `2^52 + x`, exactly.
        F64x2ConvertLowI32x4U => {
            splat32(m, 15, 0x4330_0000);
            asm!(m.ops
                ; movaps Rx(d), Rx(a)
                ; unpcklps Rx(d), xmm15
            );
            splat64(m, 15, F64_2POW52);
            asm!(m.ops ; subpd Rx(d), xmm15);
        }

        // `cvttps2dq` gives `0x8000_0000` for NaN and out of range: NaN lanes are
        // zeroed first, and lanes at or above 2^31 flipped to `0x7FFF_FFFF`.
        I32x4TruncSatF32x4S => {
            splat32(m, 14, F32_2POW31);
            asm!(m.ops
                ; movaps xmm15, Rx(a)
                ; cmpps xmm15, Rx(a), 7 // ordered
                ; andps Rx(a), xmm15
                ; cmpps xmm14, Rx(a), 2 // 2^31 <= a
                ; cvttps2dq Rx(d), Rx(a)
                ; pxor Rx(d), xmm14
            );
        }
        // Clamped below at 0 (NaN too: `maxps` gives its second operand), converted as
        // is (`0x8000_0000` from 2^31 up), plus the conversion of `a - 2^31` where that
        // is not negative (`0x7FFF_FFFF` when it overflows too).
        I32x4TruncSatF32x4U => {
            asm!(m.ops
                ; pxor xmm15, xmm15
                ; maxps Rx(a), xmm15
            );
            splat32(m, 15, F32_2POW31);
            asm!(m.ops
                ; movaps xmm14, Rx(a)
                ; subps xmm14, xmm15
                ; cmpps xmm15, xmm14, 2 // 2^31 <= a - 2^31
                ; cvttps2dq xmm14, xmm14
                ; pxor xmm14, xmm15
                ; pxor xmm15, xmm15
                ; pmaxsd xmm14, xmm15
                ; cvttps2dq Rx(d), Rx(a)
                ; paddd Rx(d), xmm14
            );
        }
        // NaN lanes become 0 (`minpd` gives its second operand), the rest are clamped
        // above at `i32::MAX`; below, `cvttpd2dq` gives `i32::MIN`. The upper lanes
        // of the result are zero.
        I32x4TruncSatF64x2SZero => {
            splat64(m, 14, F64_I32_MAX);
            asm!(m.ops
                ; movapd xmm15, Rx(a)
                ; cmppd xmm15, Rx(a), 7 // ordered
                ; andpd xmm14, xmm15
                ; minpd Rx(a), xmm14
                ; cvttpd2dq Rx(d), Rx(a)
            );
        }
        // Clamped to [0, u32::MAX] (NaN to 0), truncated, then `2^52` added so the low
        // 32 bits of each lane are the integer, and those two picked.
        I32x4TruncSatF64x2UZero => {
            splat64(m, 14, F64_U32_MAX);
            asm!(m.ops
                ; pxor xmm15, xmm15
                ; maxpd Rx(a), xmm15
                ; minpd Rx(a), xmm14
                ; roundpd Rx(d), Rx(a), 3
            );
            splat64(m, 14, F64_2POW52);
            asm!(m.ops
                ; addpd Rx(d), xmm14
                ; shufps Rx(d), xmm15, 0x88_u8 as i8
            );
        }

        _ => return false,
    }
    true
}
