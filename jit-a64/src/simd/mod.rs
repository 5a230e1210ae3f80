//! The 236 SIMD instructions on NEON (Advanced SIMD, part of every AArch64), by group:
//! integer lanes and whole-vector bitwise operations (`int`), float lanes and
//! conversions (`float`), lanes, splats, constants and shuffles (`lanes`), and memory
//! (`memory`). Each group says which instructions it compiles; the front-end compiles
//! no function with others.
//!
//! Operands arrive in vector (or general) registers the instruction may overwrite, and
//! the result goes to `dst`, a register of its own. `v28` to `v31` and `x14` to `x17`
//! are scratch (`crate::masm`'s constants name them).

pub(crate) mod float;
pub(crate) mod int;
pub(crate) mod lanes;
pub(crate) mod memory;

use stratus_decoder::Opcode;

use crate::masm::A64Masm;

pub(crate) use lanes::{constant, shuffle};
pub(crate) use memory::{load, store};

pub(crate) fn supports(op: Opcode) -> bool {
    int::supports(op) || float::supports(op) || lanes::supports(op) || memory::supports(op)
}

/// Emits `op`, a SIMD instruction without memory access: `dst = op(args)`.
pub(crate) fn emit(m: &mut A64Masm, op: Opcode, dst: u8, args: &[u8], lane: u8) {
    let done =
        int::emit(m, op, dst, args) || float::emit(m, op, dst, args) || lanes::emit(m, op, dst, args, lane);
    assert!(done, "{op} is not supported by this back-end");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_simd_instruction_is_compiled() {
        let simd: Vec<Opcode> =
            Opcode::ALL.iter().copied().filter(|op| op.encoding() >> 16 == 0xFD).collect();
        assert_eq!(simd.len(), 236, "Wasm 2.0 has 236 SIMD instructions");
        let missing: Vec<Opcode> = simd.into_iter().filter(|&op| !supports(op)).collect();
        assert!(missing.is_empty(), "not compiled: {missing:?}");
    }
}
