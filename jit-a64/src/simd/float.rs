//! SIMD group `float` (see the module above). Not compiled yet.

use stratus_decoder::Opcode;

use crate::masm::A64Masm;

pub(crate) fn supports(_op: Opcode) -> bool {
    false
}

/// Emits `op` if it is of this group.
pub(crate) fn emit(_m: &mut A64Masm, _op: Opcode, _dst: u8, _args: &[u8]) -> bool {
    false
}
