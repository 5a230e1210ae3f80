//! The 256 SIMD instructions in SSE4.1 (with SSSE3's byte shuffles and absolute
//! values), by group: integer lanes (`int`), float lanes and conversions (`float`),
//! lanes, splats, constants and shuffles (`lanes`), and memory (`memory`): one module
//! for each of the front-end's [`SimdGroup`]s, which says which instructions are whose.
//!
//! Operands arrive in xmm (or general) registers the instruction may overwrite, and
//! the result goes to `dst`, a register of its own. `xmm14`, `xmm15`, `rax`, `rcx` and
//! `rdx` are scratch.
//!
//! [`SimdGroup`]: stratus_jit::SimdGroup

pub(crate) mod float;
pub(crate) mod int;
pub(crate) mod lanes;
pub(crate) mod memory;
pub(crate) mod relaxed;

#[cfg(test)]
mod tests {
    use dynasmrt::x64::Assembler;

    use crate::masm::X64Masm;

    #[test]
    fn compiles_every_simd_instruction() {
        stratus_jit::check_simd_coverage(&mut X64Masm::new(Assembler::new().unwrap()));
    }
}
