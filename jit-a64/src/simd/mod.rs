//! The 236 SIMD instructions on NEON (Advanced SIMD, part of every AArch64), by group:
//! integer lanes and whole-vector bitwise operations (`int`), float lanes and
//! conversions (`float`), lanes, splats, constants and shuffles (`lanes`), and memory
//! (`memory`): one module for each of the front-end's [`SimdGroup`]s, which says which
//! instructions are whose.
//!
//! Operands arrive in vector (or general) registers the instruction may overwrite, and
//! the result goes to `dst`, a register of its own. `v28` to `v31` and `x14` to `x17`
//! are scratch (`crate::masm`'s constants name them).

pub(crate) mod float;
pub(crate) mod int;
pub(crate) mod lanes;
pub(crate) mod memory;

use stratus_decoder::Opcode;
use stratus_jit::SimdGroup;

use crate::masm::A64Masm;

pub(crate) use lanes::{constant, shuffle};
pub(crate) use memory::{load, store};

/// Emits `op`, a SIMD instruction without memory access: `dst = op(args)`; `false`
/// when `op` is none this back-end compiles.
pub(crate) fn emit(m: &mut A64Masm, op: Opcode, dst: u8, args: &[u8], lane: u8) -> bool {
    match SimdGroup::of(op) {
        Some(SimdGroup::Int) => int::emit(m, op, dst, args),
        Some(SimdGroup::Float) => float::emit(m, op, dst, args),
        Some(SimdGroup::Lanes) => lanes::emit(m, op, dst, args, lane),
        Some(SimdGroup::Memory) | None => false,
    }
}
