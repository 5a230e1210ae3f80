//! The 256 SIMD instructions on NEON (Advanced SIMD, part of every AArch64), by group:
//! integer lanes and whole-vector bitwise operations (`int`), float lanes and
//! conversions (`float`), lanes, splats, constants and shuffles (`lanes`), and memory
//! (`memory`): one module for each of the front-end's [`SimdGroup`]s, which says which
//! instructions are whose.
//!
//! Operands arrive in vector (or general) registers the instruction may overwrite, and
//! the result goes to `dst`, a register of its own. `v28` to `v31` and `x14` to `x17`
//! are scratch (`crate::masm`'s constants name them).
//!
//! [`SimdGroup`]: stratus_jit::SimdGroup

pub(crate) mod float;
pub(crate) mod int;
pub(crate) mod lanes;
pub(crate) mod memory;
pub(crate) mod relaxed;

#[cfg(test)]
mod tests {
    use dynasmrt::aarch64::Assembler;

    use crate::masm::A64Masm;

    #[test]
    fn compiles_every_simd_instruction() {
        stratus_jit::check_simd_coverage(&mut A64Masm::new(Assembler::new().unwrap()));
    }
}
