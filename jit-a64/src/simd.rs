//! WebAssembly's SIMD instructions on NEON. None is compiled yet: functions that use
//! them run in the interpreter (the front-end asks [`supports`] before anything else).

use stratus_decoder::Opcode;
use stratus_jit::{Reg, TrapAt};

use crate::masm::A64Masm;

pub(crate) fn supports(_op: Opcode) -> bool {
    false
}

const GATED: &str = "SIMD instructions are not compiled on AArch64 yet (supports() says so)";

pub(crate) fn constant(_masm: &mut A64Masm, _dst: u8, _bytes: [u8; 16]) {
    unreachable!("{GATED}")
}

pub(crate) fn emit(_masm: &mut A64Masm, _op: Opcode, _dst: u8, _args: &[u8], _lane: u8) {
    unreachable!("{GATED}")
}

pub(crate) fn shuffle(_masm: &mut A64Masm, _dst: u8, _a: u8, _b: u8, _lanes: [u8; 16]) {
    unreachable!("{GATED}")
}

pub(crate) fn load(
    _masm: &mut A64Masm,
    _op: Opcode,
    _dst: u8,
    _addr: Reg,
    _offset: u32,
    _into: Option<(u8, u8)>,
    _at: TrapAt,
) {
    unreachable!("{GATED}")
}

pub(crate) fn store(
    _masm: &mut A64Masm,
    _op: Opcode,
    _addr: Reg,
    _value: u8,
    _offset: u32,
    _lane: u8,
    _at: TrapAt,
) {
    unreachable!("{GATED}")
}
