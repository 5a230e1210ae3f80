//! A module's compiled code, a unit at a time: this back-end's entry trampoline before
//! the functions, in a [`CodeUnit`] that `stratus_jit::unit` assembles.

use std::ops::Range;
use std::sync::Arc;

use dynasmrt::x64::{Assembler, X64Relocation};
use dynasmrt::{AssemblyOffset, DynamicLabel, DynasmApi, DynasmLabelApi};
use stratus_jit::abi;
use stratus_jit::unit::{self, CodeUnit, UnitAssembler};
use stratus_jit::{Bounds, CompileError, Label};
use stratus_runtime::{CompiledModule, ExitKind};

use crate::masm::X64Masm;

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
    let mut ops = unit::new_assembler()?;
    let exit = ops.new_dynamic_label();
    let trampoline = emit_trampoline(&mut ops, exit);
    unit::compile_unit(X64Masm::new(ops, exit), bounds, module, unit, trampoline)
}

impl UnitAssembler for X64Masm {
    type Relocation = X64Relocation;

    fn dynamic_label(&mut self, label: Label) -> DynamicLabel {
        self.label(label)
    }

    fn into_assembler(self) -> Assembler {
        self.ops
    }
}

/// The entry trampoline, which `exit` ends: compiled code leaves there with `rsp` at
/// `EXIT_SP` and the exit kind in `eax`.
fn emit_trampoline(ops: &mut Assembler, exit: DynamicLabel) -> AssemblyOffset {
    let trampoline = ops.offset();
    // fn(vm: rdi, instance: rsi, fp: rdx, code: rcx) -> exit kind.
    asm!(ops
        ; push rbp
        ; push rbx
        ; push r12
        ; push r13
        ; push r14
        ; push r15
        ; mov r15, rdi
        ; mov r13, rsi
        ; mov r14, rdx
        ; mov r12, [r13 + abi::instance::MEMORY_BASE]
        ; mov rbp, [r15 + abi::vm::BUDGET]
        // An inner activation (a host function calling back in) saves the outer one's.
        ; push QWORD [r15 + abi::vm::EXIT_SP]
        ; mov [r15 + abi::vm::EXIT_SP], rsp
        ; call rcx
        ; mov [r15 + abi::vm::BUDGET], rbp
        ; mov eax, ExitKind::Returned as i32
        ; =>exit
        ; pop QWORD [r15 + abi::vm::EXIT_SP]
        ; pop r15
        ; pop r14
        ; pop r13
        ; pop r12
        ; pop rbx
        ; pop rbp
        ; ret
    );
    trampoline
}
