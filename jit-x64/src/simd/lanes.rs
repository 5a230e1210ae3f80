//! SIMD: lanes, splats, constants and shuffles. (Filled in group by group.)

use dynasmrt::DynasmApi;
use stratus_decoder::Opcode;

use crate::masm::X64Masm;

pub(crate) fn supports(op: Opcode) -> bool {
    matches!(op, Opcode::V128Const)
}

pub(crate) fn emit(_m: &mut X64Masm, _op: Opcode, _dst: u8, _args: &[u8], _lane: u8) -> bool {
    false
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

/// `i8x16.shuffle`.
pub(crate) fn shuffle(_m: &mut X64Masm, _dst: u8, _a: u8, _b: u8, _lanes: [u8; 16]) {
    unreachable!("i8x16.shuffle is not supported yet");
}
