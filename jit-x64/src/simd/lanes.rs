//! SIMD: lanes, splats, constants and shuffles.
//!
//! Splats broadcast with `pshufb` (bytes), `pshuflw` + `pshufd` (words) or `pshufd`;
//! lanes go in and out with SSE4.1's `pinsr*`/`pextr*` and `insertps`; swizzles and
//! shuffles are `pshufb` with indices saturated or masks built as constants.

use dynasmrt::DynasmApi;
use stratus_decoder::Opcode;
use stratus_jit::Reg;

use crate::masm::X64Masm;

pub(crate) fn emit(m: &mut X64Masm, op: Opcode, dst: u8, args: &[Reg], lane: u8) -> bool {
    use Opcode::*;
    let d = dst;
    let a = args[0].index;
    let b = args.get(1).map_or(0, |r| r.index);
    let lane_i = lane as i8;
    match op {
        // Splats: ints come in a general register, floats in the low bits of an xmm.
        I8x16Splat => asm!(m.ops
            ; movd Rx(d), Rd(a)
            ; pxor xmm15, xmm15
            ; pshufb Rx(d), xmm15
        ),
        I16x8Splat => asm!(m.ops
            ; movd Rx(d), Rd(a)
            ; pshuflw Rx(d), Rx(d), 0
            ; pshufd Rx(d), Rx(d), 0
        ),
        I32x4Splat => asm!(m.ops
            ; movd Rx(d), Rd(a)
            ; pshufd Rx(d), Rx(d), 0
        ),
        I64x2Splat => asm!(m.ops
            ; movq Rx(d), Rq(a)
            ; punpcklqdq Rx(d), Rx(d)
        ),
        F32x4Splat => asm!(m.ops ; pshufd Rx(d), Rx(a), 0),
        F64x2Splat => asm!(m.ops ; pshufd Rx(d), Rx(a), 0x44),

        // Extractions: i32 results zero-extended to 64 bits (32-bit writes do it).
        I8x16ExtractLaneS => asm!(m.ops
            ; pextrb Rd(d), Rx(a), lane_i
            ; movsx Rd(d), Rb(d)
        ),
        I8x16ExtractLaneU => asm!(m.ops ; pextrb Rd(d), Rx(a), lane_i),
        I16x8ExtractLaneS => asm!(m.ops
            ; pextrw Rd(d), Rx(a), lane_i
            ; movsx Rd(d), Rw(d)
        ),
        I16x8ExtractLaneU => asm!(m.ops ; pextrw Rd(d), Rx(a), lane_i),
        I32x4ExtractLane => asm!(m.ops ; pextrd Rd(d), Rx(a), lane_i),
        I64x2ExtractLane => asm!(m.ops ; pextrq Rq(d), Rx(a), lane_i),
        // The lane goes to the low bits, the rest is zeroed: the bits stay exact (NaNs).
        F32x4ExtractLane => {
            let imm = ((lane << 6) | 0b1110) as i8;
            asm!(m.ops ; insertps Rx(d), Rx(a), imm)
        }
        F64x2ExtractLane => {
            if lane == 0 {
                asm!(m.ops ; movq Rx(d), Rx(a))
            } else {
                asm!(m.ops
                    ; movdqa Rx(d), Rx(a)
                    ; psrldq Rx(d), 8
                )
            }
        }

        // Replacements: `a` the vector, `b` the scalar.
        I8x16ReplaceLane => asm!(m.ops ; movdqa Rx(d), Rx(a) ; pinsrb Rx(d), Rd(b), lane_i),
        I16x8ReplaceLane => asm!(m.ops ; movdqa Rx(d), Rx(a) ; pinsrw Rx(d), Rd(b), lane_i),
        I32x4ReplaceLane => asm!(m.ops ; movdqa Rx(d), Rx(a) ; pinsrd Rx(d), Rd(b), lane_i),
        I64x2ReplaceLane => asm!(m.ops ; movdqa Rx(d), Rx(a) ; pinsrq Rx(d), Rq(b), lane_i),
        F32x4ReplaceLane => {
            let imm = (lane << 4) as i8;
            asm!(m.ops
                ; movdqa Rx(d), Rx(a)
                ; insertps Rx(d), Rx(b), imm
            )
        }
        F64x2ReplaceLane => {
            asm!(m.ops ; movdqa Rx(d), Rx(a));
            if lane == 0 { asm!(m.ops ; movsd Rx(d), Rx(b)) } else { asm!(m.ops ; movlhps Rx(d), Rx(b)) }
        }

        // `pshufb` zeroes a byte only for an index with the top bit set: adding 0x70
        // with unsigned saturation keeps 0..15 in the low nibble and sends 16 and more
        // to 0x80 and above.
        I8x16Swizzle => asm!(m.ops
            ; mov eax, 0x7070_7070
            ; movd xmm15, eax
            ; pshufd xmm15, xmm15, 0
            ; paddusb xmm15, Rx(b)
            ; movdqa Rx(d), Rx(a)
            ; pshufb Rx(d), xmm15
        ),
        _ => return false,
    }
    true
}

/// `v128.const`.
pub(crate) fn constant(m: &mut X64Masm, dst: u8, bytes: [u8; 16]) {
    let value = u128::from_le_bytes(bytes);
    let (lo, hi) = (value as u64, (value >> 64) as u64);
    if value == 0 {
        asm!(m.ops ; pxor Rx(dst), Rx(dst));
        return;
    }
    asm!(m.ops
        ; mov rax, QWORD lo as i64
        ; movq Rx(dst), rax
        ; mov rax, QWORD hi as i64
        ; pinsrq Rx(dst), rax, 1
    );
}

/// `dst = pshufb(src, mask)`, the mask built in `xmm15`; `src` may be `dst`.
fn shuffle_bytes(m: &mut X64Masm, dst: u8, src: u8, mask: [u8; 16]) {
    constant(m, 15, mask);
    if dst != src {
        asm!(m.ops ; movdqa Rx(dst), Rx(src));
    }
    asm!(m.ops ; pshufb Rx(dst), xmm15);
}

/// `i8x16.shuffle`: lanes 0..15 pick from `a`, 16..31 from `b`. Each side is a
/// `pshufb` whose mask zeroes (top bit set) the bytes the other side provides; `por`
/// joins them.
pub(crate) fn shuffle(m: &mut X64Masm, dst: u8, a: u8, b: u8, lanes: [u8; 16]) {
    const ZERO: u8 = 0x80;
    if a == b {
        shuffle_bytes(m, dst, a, lanes.map(|l| l & 15));
        return;
    }
    let from_a = lanes.map(|l| if l < 16 { l } else { ZERO });
    let from_b = lanes.map(|l| if l >= 16 { l - 16 } else { ZERO });
    let uses_a = lanes.iter().any(|&l| l < 16);
    let uses_b = lanes.iter().any(|&l| l >= 16);
    match (uses_a, uses_b) {
        (true, false) => shuffle_bytes(m, dst, a, from_a),
        (false, true) => shuffle_bytes(m, dst, b, from_b),
        _ => {
            shuffle_bytes(m, dst, a, from_a);
            // `b` dies here: shuffle it in place.
            shuffle_bytes(m, b, b, from_b);
            asm!(m.ops ; por Rx(dst), Rx(b));
        }
    }
}
