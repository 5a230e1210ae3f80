//! A module's compiled code, a unit at a time, in a [`CodeUnit`] that
//! `stratus_jit::unit` assembles.

use std::ops::Range;
use std::sync::Arc;

use dynasmrt::DynamicLabel;
use dynasmrt::aarch64::{Aarch64Relocation, Assembler};
use stratus_jit::unit::{CodeUnit, UnitAssembler, compile_unit, new_assembler};
use stratus_jit::{CodeKind, CompileError, Label};
use stratus_runtime::CompiledModule;

use crate::masm::A64Masm;

/// Compiles the functions of `module` with defined indices in `unit` (all of them:
/// `0..module.code.len()`). Calls among them are direct; calls to the module's other
/// functions go through their function refs, so they find whatever code those have
/// when the call runs.
pub fn compile_functions(
    module: &CompiledModule,
    kind: CodeKind,
    unit: Range<u32>,
) -> Result<Arc<CodeUnit>, CompileError> {
    compile_unit(A64Masm::new(new_assembler(module, kind, unit.clone())?), kind, module, unit)
}

impl UnitAssembler for A64Masm {
    type Relocation = Aarch64Relocation;

    fn dynamic_label(&mut self, label: Label) -> DynamicLabel {
        self.label(label)
    }

    fn into_assembler(self) -> Assembler {
        self.ops
    }
}
