//! A module's compiled code, a unit at a time: one executable buffer holding an entry
//! trampoline, the exit paths its functions share, and some of the module's functions
//! (all of them when compiled ahead of time, one when a function tiers up).

use std::ops::Range;
use std::sync::Arc;

use dynasmrt::x64::Assembler;
use dynasmrt::{AssemblyOffset, DynasmApi, DynasmLabelApi, ExecutableBuffer};
use stratus_jit::abi::{self, EntryFn};
use stratus_jit::{Bounds, CompileError, FaultSite, ModuleCode, compile_function};
use stratus_runtime::{CompiledModule, ExitKind, TrapKind};

use crate::masm::{Shared, X64Masm};
use stratus_jit::signals::{self, FaultMap, Landing, Registration};

/// Compiled code of some of a module's functions (a range of defined indices), for one
/// way of checking bounds. Dropping it frees the code (the execution core keeps it
/// alive while any instance may run it).
pub struct X64Code {
    buffer: ExecutableBuffer,
    trampoline: AssemblyOffset,
    /// The defined index of the first function.
    first: u32,
    entries: Vec<AssemblyOffset>,
    frame_slots: Vec<u32>,
    /// Entries at loop headers: defined index, header pc, entry; sorted.
    osr_entries: Vec<(u32, u32, AssemblyOffset)>,
    _registration: Option<Registration>,
}

impl std::fmt::Debug for X64Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("X64Code")
            .field("bytes", &self.buffer.len())
            .field("funcs", &(self.first..self.first + self.entries.len() as u32))
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

/// Compiles every function `module` defines, into one unit whose functions call each
/// other directly.
pub fn compile_module(module: &CompiledModule, bounds: Bounds) -> Result<Arc<X64Code>, CompileError> {
    compile_functions(module, bounds, 0..module.code.len() as u32)
}

/// Compiles the functions of `module` with defined indices in `unit`. Calls among
/// them are direct; calls to the module's other functions go through their function
/// refs, so they find whatever code those have when the call runs.
pub fn compile_functions(
    module: &CompiledModule,
    bounds: Bounds,
    unit: Range<u32>,
) -> Result<Arc<X64Code>, CompileError> {
    let unsupported = |e: &dyn std::fmt::Display| CompileError::Unsupported(e.to_string());
    let mut ops = Assembler::new().map_err(|e| CompileError::Unsupported(format!("code memory: {e}")))?;
    let trap_exit = ops.new_dynamic_label();
    let budget_exit = ops.new_dynamic_label();
    let landing = ops.new_dynamic_label();
    let trampoline = emit_prelude(&mut ops, trap_exit, budget_exit, landing);
    let mut masm =
        X64Masm::new(ops, bounds, Shared { trap_exit, budget_exit }, module.imported_funcs, unit.clone());
    let mut frame_slots = Vec::with_capacity(unit.len());
    for index in unit.clone() {
        compile_function(&mut masm, module, index)?;
        let (info, _) = module.func_code(index).map_err(|e| CompileError::Invalid(e.to_string()))?;
        frame_slots.push(info.local_slots + info.max_stack_slots);
    }
    let entry_labels = std::mem::take(&mut masm.entries);
    let osr_labels = std::mem::take(&mut masm.osr_entries);
    let mut sites = std::mem::take(&mut masm.faults);
    let ops = masm.ops;
    let resolve = |label| ops.labels().resolve_dynamic(label).map_err(|e| unsupported(&e));
    let landing_offset = resolve(landing)?;
    let entries = entry_labels.iter().map(|&l| resolve(l)).collect::<Result<Vec<_>, _>>()?;
    let osr_entries = osr_labels
        .iter()
        .map(|&(func, pc, label)| Ok((func - module.imported_funcs, pc, resolve(label)?)))
        .collect::<Result<Vec<_>, CompileError>>()?;
    // Made in code order: by function, then by header.
    debug_assert!(osr_entries.is_sorted_by_key(|&(func, pc, _)| (func, pc)));
    let buffer = ops.finalize().map_err(|_| CompileError::Unsupported("finalizing code".into()))?;
    sites.sort_by_key(|s| s.native);
    let registration = (!sites.is_empty()).then(|| {
        signals::register(Arc::new(Faults {
            start: buffer.ptr(AssemblyOffset(0)) as usize,
            len: buffer.len(),
            sites,
            landing: buffer.ptr(landing_offset) as usize,
        }))
    });
    Ok(Arc::new(X64Code {
        buffer,
        trampoline,
        first: unit.start,
        entries,
        frame_slots,
        osr_entries,
        _registration: registration,
    }))
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
    /// The machine code, and the offset of each of its functions' entry in it.
    pub fn disassembly_input(&self) -> (&[u8], Vec<usize>) {
        (&self.buffer, self.entries.iter().map(|e| e.0).collect())
    }

    fn position(&self, defined: u32) -> usize {
        let position = defined.checked_sub(self.first).map_or(usize::MAX, |p| p as usize);
        assert!(position < self.entries.len(), "function {defined} is not in this unit");
        position
    }
}

impl ModuleCode for X64Code {
    fn entry(&self, defined: u32) -> *const u8 {
        self.buffer.ptr(self.entries[self.position(defined)])
    }

    fn frame_slots(&self, defined: u32) -> u32 {
        self.frame_slots[self.position(defined)]
    }

    fn osr_entry(&self, defined: u32, header_pc: u32) -> Option<*const u8> {
        let index =
            self.osr_entries.binary_search_by_key(&(defined, header_pc), |&(f, pc, _)| (f, pc)).ok()?;
        Some(self.buffer.ptr(self.osr_entries[index].2))
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
