//! SIMD group `memory` (see the module above). Not compiled yet.

use stratus_decoder::Opcode;
use stratus_jit::{Reg, TrapAt};

use crate::masm::A64Masm;

pub(crate) fn supports(_op: Opcode) -> bool {
    false
}

pub(crate) fn load(
    _m: &mut A64Masm,
    op: Opcode,
    _dst: u8,
    _addr: Reg,
    _offset: u32,
    _into: Option<(u8, u8)>,
    _at: TrapAt,
) {
    unreachable!("{op} is not compiled yet (supports() says so)")
}

pub(crate) fn store(
    _m: &mut A64Masm,
    op: Opcode,
    _addr: Reg,
    _value: u8,
    _offset: u32,
    _lane: u8,
    _at: TrapAt,
) {
    unreachable!("{op} is not compiled yet (supports() says so)")
}
