//! SIMD: float. (Filled in group by group.)

use stratus_decoder::Opcode;

use crate::masm::X64Masm;

pub(crate) fn supports(_op: Opcode) -> bool {
    false
}

pub(crate) fn emit(_m: &mut X64Masm, _op: Opcode, _dst: u8, _args: &[u8]) -> bool {
    false
}
