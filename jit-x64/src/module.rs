//! A module's compiled code, a unit at a time: this back-end's prelude (the entry
//! trampoline and the exit paths the unit's functions share) before the functions, in a
//! [`CodeUnit`] that `stratus_jit::unit` assembles.

use std::ops::Range;
use std::sync::Arc;

use dynasmrt::x64::{Assembler, X64Relocation};
use dynasmrt::{AssemblyOffset, DynamicLabel, DynasmApi, DynasmLabelApi};
use stratus_jit::abi;
use stratus_jit::unit::{self, CodeUnit, Prelude, UnitAssembler, UnitParts};
use stratus_jit::{Bounds, CompileError};
use stratus_runtime::{CompiledModule, ExitKind, TrapKind};

use crate::masm::{Shared, X64Masm};

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
    let trap_exit = ops.new_dynamic_label();
    let budget_exit = ops.new_dynamic_label();
    let landing = ops.new_dynamic_label();
    let trampoline = emit_prelude(&mut ops, trap_exit, budget_exit, landing);
    let masm =
        X64Masm::new(ops, bounds, Shared { trap_exit, budget_exit }, module.imported_funcs, unit.clone());
    unit::compile_unit(masm, module, unit, Prelude { trampoline, landing })
}

impl UnitAssembler for X64Masm {
    type Relocation = X64Relocation;

    fn into_parts(self) -> UnitParts<X64Relocation> {
        UnitParts { ops: self.ops, entries: self.entries, osr_entries: self.osr_entries, faults: self.faults }
    }
}

/// The entry trampoline and the paths out of compiled code that every function shares.
fn emit_prelude(
    ops: &mut Assembler,
    trap_exit: DynamicLabel,
    budget_exit: DynamicLabel,
    landing: DynamicLabel,
) -> AssemblyOffset {
    let exit = ops.new_dynamic_label();
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
    // ecx: trap code, edx: pc, esi: module function index, r8d: element index.
    asm!(ops
        ; =>trap_exit
        ; mov [r15 + abi::vm::BUDGET], rbp
        ; mov rax, [r13 + abi::instance::FUNCS]
        ; mov eax, [rax + rsi * 4]
        ; mov [r15 + abi::vm::EXIT_FUNC], eax
        ; mov [r15 + abi::vm::EXIT_PC], edx
        ; mov [r15 + abi::vm::EXIT_DETAIL], ecx
        ; mov [r15 + abi::vm::EXIT_ARG], r8d
        ; mov rsp, [r15 + abi::vm::EXIT_SP]
        ; mov eax, ExitKind::Trap as i32
        ; jmp =>exit
    );
    // edx: pc, ecx: side-table position, esi: module function index, r8d: height.
    asm!(ops
        ; =>budget_exit
        ; mov [r15 + abi::vm::BUDGET], rbp
        ; mov rax, [r13 + abi::instance::FUNCS]
        ; mov eax, [rax + rsi * 4]
        ; mov [r15 + abi::vm::EXIT_FUNC], eax
        ; mov [r15 + abi::vm::EXIT_PC], edx
        ; mov [r15 + abi::vm::EXIT_STP], ecx
        ; mov [r15 + abi::vm::EXIT_HEIGHT], r8d
        ; mov [r15 + abi::vm::EXIT_FP], r14
        ; mov rsp, [r15 + abi::vm::EXIT_SP]
        ; mov eax, ExitKind::Budget as i32
        ; jmp =>exit
    );
    // A fault in a memory access: the signal handler puts the pc in rdi and the
    // function in rsi (`Prelude::landing`).
    asm!(ops
        ; =>landing
        ; mov edx, edi
        ; mov ecx, TrapKind::MemoryOutOfBounds.code().0 as i32
        ; xor r8d, r8d
        ; jmp =>trap_exit
    );
    trampoline
}
