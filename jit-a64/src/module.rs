//! A module's compiled code, a unit at a time: the AArch64 entry trampoline before the
//! functions, in a [`CodeUnit`] that `stratus_jit::unit` assembles.

use std::ops::Range;
use std::sync::Arc;

use dynasmrt::aarch64::{Aarch64Relocation, Assembler};
use dynasmrt::{AssemblyOffset, DynamicLabel, DynasmApi, DynasmLabelApi};
use stratus_jit::abi;
use stratus_jit::unit::{CodeUnit, UnitAssembler, compile_unit, new_assembler};
use stratus_jit::{Bounds, CompileError, Label};
use stratus_runtime::{CompiledModule, ExitKind};

use crate::access::mov_imm;
use crate::masm::A64Masm;

/// Compiles every function `module` defines, into one unit whose functions call each
/// other directly.
pub fn compile_module(module: &CompiledModule, bounds: Bounds) -> Result<Arc<CodeUnit>, CompileError> {
    compile_functions(module, bounds, 0..module.code.len() as u32)
}

/// Compiles the functions of `module` with defined indices in `unit`. Calls among
/// them are direct; calls to the module's other functions go through their function
/// refs, so they find whatever code those have when the call runs.
pub fn compile_functions(
    module: &CompiledModule,
    bounds: Bounds,
    unit: Range<u32>,
) -> Result<Arc<CodeUnit>, CompileError> {
    let mut ops: Assembler = new_assembler()?;
    let exit = ops.new_dynamic_label();
    let trampoline = emit_trampoline(&mut ops, exit);
    compile_unit(A64Masm::new(ops, exit), bounds, module, unit, trampoline)
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

/// The entry trampoline, which `exit` ends: compiled code leaves there with `sp` at
/// `EXIT_SP` and the exit kind in `w0`.
fn emit_trampoline(ops: &mut Assembler, exit: DynamicLabel) -> AssemblyOffset {
    let trampoline = ops.offset();
    // fn(vm: x0, instance: x1, fp: x2, code: x3) -> exit kind, keeping the registers
    // AAPCS64 says a callee keeps (compiled code uses none of v8-v15).
    asm!(ops
        ; stp x29, x30, [sp, -96]!
        ; mov x29, sp
        ; stp x19, x20, [sp, 16]
        ; stp x21, x22, [sp, 32]
        ; stp x23, x24, [sp, 48]
        ; stp x25, x26, [sp, 64]
        ; stp x27, x28, [sp, 80]
        ; mov vmctx, x0
        ; mov inst, x1
        ; mov frame, x2
        ; ldr membase, [inst, abi::instance::MEMORY_BASE as u32]
        ; ldr budget, [vmctx, abi::vm::BUDGET as u32]
        // An inner activation (a host function calling back in) saves the outer one's.
        ; ldr x16, [vmctx, abi::vm::EXIT_SP as u32]
        ; stp x16, xzr, [sp, -16]!
        ; mov x16, sp
        ; str x16, [vmctx, abi::vm::EXIT_SP as u32]
        ; blr x3
        ; str budget, [vmctx, abi::vm::BUDGET as u32]
    );
    mov_imm(ops, false, 0, ExitKind::Returned as u64);
    asm!(ops
        ; =>exit
        ; ldr x16, [sp], 16
        ; str x16, [vmctx, abi::vm::EXIT_SP as u32]
        ; ldp x27, x28, [sp, 80]
        ; ldp x25, x26, [sp, 64]
        ; ldp x23, x24, [sp, 48]
        ; ldp x21, x22, [sp, 32]
        ; ldp x19, x20, [sp, 16]
        ; ldp x29, x30, [sp], 96
        ; ret
    );
    trampoline
}
