//! SIMD group `lanes` (see the module above): splats (`dup`), lanes in and out
//! (`smov`/`umov`, `ins`), constants, and the byte permutations (`tbl`, which gives 0
//! for an index past its table, as `i8x16.swizzle` asks).

use dynasmrt::DynasmApi;
use stratus_decoder::Opcode;
use stratus_jit::Reg;

use crate::access::mov_imm;
use crate::masm::{A64Masm, T0, V0, V1};

/// Emits `op` if it is of this group: `dst = op(args)`, `lane` the lane index of the
/// extract and replace instructions.
pub(crate) fn emit(m: &mut A64Masm, op: Opcode, dst: u8, args: &[Reg], lane: u8) -> bool {
    use Opcode::*;
    let d = dst;
    let a = args[0].index;
    let b = args.get(1).map_or(0, |r| r.index);
    // Below the lane count: the validator checks it.
    let lane = u32::from(lane);
    match op {
        // Splats: integers from a general register, floats from lane 0 of a vector.
        I8x16Splat => asm!(m.ops ; dup V(d).B16, W(a)),
        I16x8Splat => asm!(m.ops ; dup V(d).H8, W(a)),
        I32x4Splat => asm!(m.ops ; dup V(d).S4, W(a)),
        I64x2Splat => asm!(m.ops ; dup V(d).D2, X(a)),
        F32x4Splat => asm!(m.ops ; dup V(d).S4, V(a).S[0]),
        F64x2Splat => asm!(m.ops ; dup V(d).D2, V(a).D[0]),

        // Extractions: an i32 result zero-extended to 64 bits (a `w` write does it),
        // a float result alone in its vector register (the scalar `dup` clears the
        // rest), its bits exact.
        I8x16ExtractLaneS => asm!(m.ops ; smov W(d), V(a).B[lane]),
        I8x16ExtractLaneU => asm!(m.ops ; umov W(d), V(a).B[lane]),
        I16x8ExtractLaneS => asm!(m.ops ; smov W(d), V(a).H[lane]),
        I16x8ExtractLaneU => asm!(m.ops ; umov W(d), V(a).H[lane]),
        I32x4ExtractLane => asm!(m.ops ; umov W(d), V(a).S[lane]),
        I64x2ExtractLane => asm!(m.ops ; umov X(d), V(a).D[lane]),
        F32x4ExtractLane => asm!(m.ops ; dup S(d), V(a).S[lane]),
        F64x2ExtractLane => asm!(m.ops ; dup D(d), V(a).D[lane]),

        // Replacements: `args[0]` the vector, `args[1]` the scalar.
        I8x16ReplaceLane => asm!(m.ops ; mov V(d).B16, V(a).B16 ; ins V(d).B[lane], W(b)),
        I16x8ReplaceLane => asm!(m.ops ; mov V(d).B16, V(a).B16 ; ins V(d).H[lane], W(b)),
        I32x4ReplaceLane => asm!(m.ops ; mov V(d).B16, V(a).B16 ; ins V(d).S[lane], W(b)),
        I64x2ReplaceLane => asm!(m.ops ; mov V(d).B16, V(a).B16 ; ins V(d).D[lane], X(b)),
        F32x4ReplaceLane => asm!(m.ops ; mov V(d).B16, V(a).B16 ; ins V(d).S[lane], V(b).S[0]),
        F64x2ReplaceLane => asm!(m.ops ; mov V(d).B16, V(a).B16 ; ins V(d).D[lane], V(b).D[0]),

        I8x16Swizzle => asm!(m.ops ; tbl V(d).B16, {V(a).B16 * 1}, V(b).B16),
        _ => return false,
    }
    true
}

/// `dst = bytes`: each half through a general register (or `movi` for zero halves).
pub(crate) fn constant(m: &mut A64Masm, dst: u8, bytes: [u8; 16]) {
    let low = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
    let high = u64::from_le_bytes(bytes[8..].try_into().expect("8 bytes"));
    m.float_const(dst, low);
    if high != 0 {
        mov_imm(&mut m.ops, true, T0, high);
        asm!(m.ops ; mov V(dst).D[1], X(T0));
    }
}

/// `i8x16.shuffle`: lanes 0..15 pick from `a`, 16..31 from `b`. The indices go in
/// `dst` as a constant, and `tbl` looks them up in `a` alone, `b` alone, or both, which
/// a two-register `tbl` needs in consecutive registers (`v30`, `v31` unless they are).
pub(crate) fn shuffle(m: &mut A64Masm, dst: u8, a: u8, b: u8, lanes: [u8; 16]) {
    let d = dst;
    let uses_a = lanes.iter().any(|&l| l < 16);
    let uses_b = lanes.iter().any(|&l| l >= 16);
    if a == b || !uses_b {
        constant(m, d, lanes.map(|l| l & 15));
        asm!(m.ops ; tbl V(d).B16, {V(a).B16 * 1}, V(d).B16);
    } else if !uses_a {
        constant(m, d, lanes.map(|l| l - 16));
        asm!(m.ops ; tbl V(d).B16, {V(b).B16 * 1}, V(d).B16);
    } else {
        constant(m, d, lanes);
        let table = if b == a + 1 {
            a
        } else {
            asm!(m.ops
                ; mov V(V1).B16, V(a).B16
                ; mov V(V0).B16, V(b).B16
            );
            V1
        };
        asm!(m.ops ; tbl V(d).B16, {V(table).B16 * 2}, V(d).B16);
    }
}
