//! SIMD group `lanes` (see the module above): constants so far.

use dynasmrt::DynasmApi;
use stratus_decoder::Opcode;

use crate::access::mov_imm;
use crate::masm::{A64Masm, T0};

pub(crate) fn supports(op: Opcode) -> bool {
    matches!(op, Opcode::V128Const)
}

/// Emits `op` if it is of this group.
pub(crate) fn emit(_m: &mut A64Masm, _op: Opcode, _dst: u8, _args: &[u8], _lane: u8) -> bool {
    false
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

pub(crate) fn shuffle(_m: &mut A64Masm, _dst: u8, _a: u8, _b: u8, _lanes: [u8; 16]) {
    unreachable!("i8x16.shuffle is not compiled yet (supports() says so)")
}
