//! SIMD group `lanes` (see the module above). Not compiled yet.

use stratus_decoder::Opcode;

use crate::masm::A64Masm;

pub(crate) fn supports(_op: Opcode) -> bool {
    false
}

/// Emits `op` if it is of this group.
pub(crate) fn emit(_m: &mut A64Masm, _op: Opcode, _dst: u8, _args: &[u8], _lane: u8) -> bool {
    false
}

pub(crate) fn constant(_m: &mut A64Masm, _dst: u8, _bytes: [u8; 16]) {
    unreachable!("v128.const is not compiled yet (supports() says so)")
}

pub(crate) fn shuffle(_m: &mut A64Masm, _dst: u8, _a: u8, _b: u8, _lanes: [u8; 16]) {
    unreachable!("i8x16.shuffle is not compiled yet (supports() says so)")
}
