//! A module's compiled code: one executable buffer holding the entry trampoline, the
//! shared exit paths and every function.

use std::sync::Arc;

use dynasmrt::x64::Assembler;
use dynasmrt::{AssemblyOffset, DynasmApi, DynasmLabelApi, ExecutableBuffer};
use stratus_jit::abi::{self, EntryFn};
use stratus_jit::{Bounds, CompileError, FaultSite, ModuleCode, compile_function};
use stratus_runtime::{CompiledModule, ExitKind, TrapKind};

use crate::masm::{Shared, X64Masm};
use crate::signals::{FaultMap, Landing, Registration};

/// The compiled code of a module, for one way of checking bounds. Dropping it frees
/// the code (the execution core keeps it alive while any instance may run it).
pub struct X64Code {
    buffer: ExecutableBuffer,
    trampoline: AssemblyOffset,
    entries: Vec<AssemblyOffset>,
    frame_slots: Vec<u32>,
    _registration: Option<Registration>,
}

impl std::fmt::Debug for X64Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("X64Code")
            .field("bytes", &self.buffer.len())
            .field("funcs", &self.entries.len())
            .finish()
    }
}

/// Where faults in a module's code land.
struct Faults {
    start: usize,
    len: usize,
    /// Sorted by native offset.
    sites: Vec<FaultSite>,
    landing: usize,
}

impl FaultMap for Faults {
    fn code_range(&self) -> std::ops::Range<usize> {
        self.start..self.start + self.len
    }

    fn landing(&self, pc: usize) -> Option<Landing> {
        let offset = pc.checked_sub(self.start)? as u32;
        let index = self.sites.binary_search_by_key(&offset, |s| s.native).ok()?;
        let site = self.sites[index];
        Some(Landing { resume_at: self.landing, args: [u64::from(site.pc), u64::from(site.func)] })
    }
}

/// Compiles every function `module` defines.
pub fn compile_module(module: &CompiledModule, bounds: Bounds) -> Result<Arc<X64Code>, CompileError> {
    let mut ops = Assembler::new().map_err(|e| CompileError::Unsupported(format!("code memory: {e}")))?;
    let trap_exit = ops.new_dynamic_label();
    let budget_exit = ops.new_dynamic_label();
    let landing = ops.new_dynamic_label();
    let trampoline = emit_prelude(&mut ops, trap_exit, budget_exit, landing);
    let defined = module.code.len() as u32;
    let mut masm =
        X64Masm::new(ops, bounds, Shared { trap_exit, budget_exit }, module.imported_funcs, defined);
    let mut frame_slots = Vec::with_capacity(defined as usize);
    for index in 0..defined {
        compile_function(&mut masm, module, index)?;
        let (info, _) = module.func_code(index).map_err(|e| CompileError::Invalid(e.to_string()))?;
        frame_slots.push(info.local_slots + info.max_stack_slots);
    }
    let entry_labels = std::mem::take(&mut masm.entries);
    let mut sites = std::mem::take(&mut masm.faults);
    let ops = masm.ops;
    let landing_offset =
        ops.labels().resolve_dynamic(landing).map_err(|e| CompileError::Unsupported(e.to_string()))?;
    let entries = entry_labels
        .iter()
        .map(|&l| ops.labels().resolve_dynamic(l))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CompileError::Unsupported(e.to_string()))?;
    let buffer = ops.finalize().map_err(|_| CompileError::Unsupported("finalizing code".into()))?;
    sites.sort_by_key(|s| s.native);
    let registration = (!sites.is_empty()).then(|| {
        crate::signals::register(Arc::new(Faults {
            start: buffer.ptr(AssemblyOffset(0)) as usize,
            len: buffer.len(),
            sites,
            landing: buffer.ptr(landing_offset) as usize,
        }))
    });
    Ok(Arc::new(X64Code { buffer, trampoline, entries, frame_slots, _registration: registration }))
}

/// The entry trampoline and the paths out of compiled code that every function shares.
fn emit_prelude(
    ops: &mut Assembler,
    trap_exit: dynasmrt::DynamicLabel,
    budget_exit: dynasmrt::DynamicLabel,
    landing: dynasmrt::DynamicLabel,
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
        ; mov DWORD [r15 + abi::vm::EXIT_KIND], ExitKind::Trap as i32
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
        ; mov DWORD [r15 + abi::vm::EXIT_KIND], ExitKind::Budget as i32
        ; mov rsp, [r15 + abi::vm::EXIT_SP]
        ; mov eax, ExitKind::Budget as i32
        ; jmp =>exit
    );
    // A fault in a memory access: the signal handler puts the pc in rdi and the
    // function in rsi.
    asm!(ops
        ; =>landing
        ; mov edx, edi
        ; mov ecx, TrapKind::MemoryOutOfBounds.code().0 as i32
        ; xor r8d, r8d
        ; jmp =>trap_exit
    );
    trampoline
}

impl X64Code {
    /// The machine code, and the offset of each defined function's entry in it.
    pub fn disassembly_input(&self) -> (&[u8], Vec<usize>) {
        (&self.buffer, self.entries.iter().map(|e| e.0).collect())
    }
}

impl ModuleCode for X64Code {
    fn entry(&self, defined: u32) -> *const u8 {
        self.buffer.ptr(self.entries[defined as usize])
    }

    fn frame_slots(&self, defined: u32) -> u32 {
        self.frame_slots[defined as usize]
    }

    fn trampoline(&self) -> EntryFn {
        // SAFETY: the trampoline was emitted at this offset with the `EntryFn` calling
        // convention (System V: arguments in rdi, rsi, rdx, rcx; callee-saved registers
        // restored; result in eax), and the buffer lives as long as `self`.
        unsafe { std::mem::transmute::<*const u8, EntryFn>(self.buffer.ptr(self.trampoline)) }
    }

    fn code_size(&self) -> usize {
        self.buffer.len()
    }
}
