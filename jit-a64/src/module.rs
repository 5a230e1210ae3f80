//! A module's compiled code, a unit at a time: the AArch64 entry trampoline and the
//! exit paths its functions share, before the functions themselves.

use std::ops::Range;
use std::sync::Arc;

use dynasmrt::aarch64::{Aarch64Relocation, Assembler};
use dynasmrt::{AssemblyOffset, DynamicLabel, DynasmApi, DynasmLabelApi};
use stratus_jit::abi;
use stratus_jit::unit::{CodeUnit, Prelude, UnitAssembler, UnitParts, compile_unit, new_assembler};
use stratus_jit::{Bounds, CompileError};
use stratus_runtime::{CompiledModule, ExitKind, TrapKind};

use crate::access::mov_imm;
use crate::masm::{A64Masm, Shared};

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
    let trap_exit = ops.new_dynamic_label();
    let budget_exit = ops.new_dynamic_label();
    let landing = ops.new_dynamic_label();
    let trampoline = emit_prelude(&mut ops, trap_exit, budget_exit, landing);
    let masm =
        A64Masm::new(ops, bounds, Shared { trap_exit, budget_exit }, module.imported_funcs, unit.clone());
    compile_unit(masm, module, unit, Prelude { trampoline, landing })
}

impl UnitAssembler for A64Masm {
    type Relocation = Aarch64Relocation;

    fn into_parts(self) -> UnitParts<Aarch64Relocation> {
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
    // w0: pc, w1: module function index, w2: trap code, w3: element index.
    asm!(ops
        ; =>trap_exit
        ; str budget, [vmctx, abi::vm::BUDGET as u32]
        ; ldr x16, [inst, abi::instance::FUNCS as u32]
        ; ldr w16, [x16, w1, uxtw 2]
        ; str w16, [vmctx, abi::vm::EXIT_FUNC as u32]
        ; str w0, [vmctx, abi::vm::EXIT_PC as u32]
        ; str w2, [vmctx, abi::vm::EXIT_DETAIL as u32]
        ; str w3, [vmctx, abi::vm::EXIT_ARG as u32]
    );
    mov_imm(ops, false, 0, ExitKind::Trap as u64);
    asm!(ops
        ; ldr x16, [vmctx, abi::vm::EXIT_SP as u32]
        ; mov sp, x16
        ; b =>exit
    );
    // w0: pc, w1: module function index, w2: side-table position, w3: height.
    asm!(ops
        ; =>budget_exit
        ; str budget, [vmctx, abi::vm::BUDGET as u32]
        ; ldr x16, [inst, abi::instance::FUNCS as u32]
        ; ldr w16, [x16, w1, uxtw 2]
        ; str w16, [vmctx, abi::vm::EXIT_FUNC as u32]
        ; str w0, [vmctx, abi::vm::EXIT_PC as u32]
        ; str w2, [vmctx, abi::vm::EXIT_STP as u32]
        ; str w3, [vmctx, abi::vm::EXIT_HEIGHT as u32]
        ; str frame, [vmctx, abi::vm::EXIT_FP as u32]
    );
    mov_imm(ops, false, 0, ExitKind::Budget as u64);
    asm!(ops
        ; ldr x16, [vmctx, abi::vm::EXIT_SP as u32]
        ; mov sp, x16
        ; b =>exit
    );
    // A fault in a memory access: the signal handler puts the pc in w0 and the
    // function in w1.
    asm!(ops ; =>landing ; mov w3, wzr);
    mov_imm(ops, false, 2, u64::from(TrapKind::MemoryOutOfBounds.code().0));
    asm!(ops ; b =>trap_exit);
    trampoline
}
