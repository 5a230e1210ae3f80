//! A unit of compiled code, whatever the instruction set: one executable buffer holding
//! the entry trampoline, the exit paths its functions share, and some of a module's
//! functions (all of them when compiled ahead of time, one when a function tiers up),
//! with the map from its guarded memory accesses to their traps.
//!
//! A back-end compiles a unit by handing [`compile_unit`] a macro-assembler built
//! around an assembler ([`new_assembler`]), which implements [`UnitAssembler`]. Then
//! [`compile_unit`] emits the trampoline, the exit paths and every function of the unit
//! through the protocol ([`CodeGen`]), resolves the entries, finalizes the code and
//! registers its faults with [`signals`].
//!
//! # Instruction caches
//!
//! AArch64's instruction fetch is not coherent with its data stores: code written as
//! data must be cleaned from the data caches, invalidated in the instruction caches, and
//! then every core that runs it must discard what it may have fetched before, with a
//! context synchronization event (`isb`, an exception return). The first two are done,
//! for every core, by the thread that compiles a unit: dynasmrt's assembler cleans and
//! invalidates the code (`dc cvau`, `ic ivau`, `dsb ish`) when it copies it into the
//! buffer, before the buffer is made executable, and `isb`s when it finalizes. The last
//! one matters on the other threads, which may get the unit later (the execution core
//! shares a module's code among stores on any thread): there, every method of
//! [`CodeUnit`] that hands out a code address first runs `isb` on the calling thread
//! (`dynasmrt::cache_control::prepare_for_execution`, nothing on x86-64). That is the
//! Arm ARM's sequence for code another core wrote: observe that the writer finished
//! (here, through the `Arc` that publishes the unit, after its `dsb ish`), then `isb`,
//! then branch to the code. It covers every way into a unit: Rust enters compiled code
//! only through [`ModuleCode::trampoline`], once per entry; code called from compiled
//! code was reached through an address a [`ModuleCode`] method handed out to the thread
//! that stored it (a function ref), or is in the unit already running. A thread moved
//! to another core passes through the kernel, an exception return, on the way.
//!
//! So no `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE)` is needed, which
//! would make every core running one of the process's threads take an interrupt for
//! each unit made (a function, when tiering up), and which kernels without it, seccomp
//! filters and emulators may refuse. It would be needed if code were patched while
//! other threads might run it, which nothing here does: a unit's code is never written
//! once finalized, and a new unit is new memory.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use dynasmrt::relocations::Relocation;
use dynasmrt::{Assembler, AssemblyOffset, DynamicLabel, ExecutableBuffer};
use stratus_runtime::CompiledModule;

use crate::abi::EntryFn;
use crate::signals::{self, FaultMap, Landing, Registration};
use crate::{
    Bounds, CodeGen, CodeKind, CompileError, FaultSite, Label, MacroAssembler, ModuleCode, compile_function,
};

/// A back-end's macro-assembler for a unit of code.
pub trait UnitAssembler: MacroAssembler {
    /// The relocations of the back-end's instruction set.
    type Relocation: Relocation;

    /// The back-end's own label for the front-end's `label`.
    fn dynamic_label(&mut self, label: Label) -> DynamicLabel;
    /// The assembler, holding the prelude and the functions, after the unit's last
    /// function.
    fn into_assembler(self) -> Assembler<Self::Relocation>;
}

/// A back-end's own label for each of the front-end's, made when first asked for.
#[derive(Default)]
pub struct Labels(Vec<DynamicLabel>);

impl Labels {
    #[inline(always)]
    pub fn get<R: Relocation>(&mut self, ops: &mut Assembler<R>, label: Label) -> DynamicLabel {
        while self.0.len() <= label.0 as usize {
            self.0.push(ops.new_dynamic_label());
        }
        self.0[label.0 as usize]
    }
}

/// Bytes of machine code made per byte of code section, about, by way of checking
/// bounds: SQLite's make 5.2 and 8.9 on x86-64.
fn expected_expansion(bounds: Bounds) -> usize {
    match bounds {
        Bounds::Guard => 6,
        Bounds::Explicit => 10,
    }
}

/// The most bytes an assembler reserves up front; a larger unit grows its buffers.
const MAX_RESERVED_CODE: usize = 256 << 20;

/// An empty assembler for the code of the functions of `module` with defined indices
/// in `unit`, its buffers sized for what they will likely make: a buffer grown by
/// doubling copies what it holds each time, and faults in fresh pages for the copy.
pub fn new_assembler<R: Relocation>(
    module: &CompiledModule,
    kind: CodeKind,
    unit: Range<u32>,
) -> Result<Assembler<R>, CompileError> {
    let bytecode: usize = module
        .code
        .get(unit.start as usize..unit.end as usize)
        .map_or(0, |funcs| funcs.iter().map(|f| f.entry.len()).sum());
    let capacity = bytecode.saturating_mul(expected_expansion(kind.bounds)).saturating_add(4096);
    Assembler::new_with_capacity(capacity.min(MAX_RESERVED_CODE))
        .map_err(|e| CompileError::Code(format!("code memory: {e}")))
}

/// Compiles the functions of `module` with defined indices in `unit` with `masm` into
/// one unit of code, with the entry trampoline (an [`EntryFn`]) and the exit paths the
/// functions share: the fault handler continues a fault at a guarded memory access at their landing, with
/// the access's bytecode position ([`FaultSite::pc`]) in the first argument register
/// and the function's module index ([`FaultSite::func`]) in the second, and every other
/// register as it was at the access.
pub fn compile_unit<M: UnitAssembler>(
    masm: M,
    kind: CodeKind,
    module: &CompiledModule,
    unit: Range<u32>,
) -> Result<Arc<CodeUnit>, CompileError> {
    let mut codegen = CodeGen::new(masm, kind, module.imported_funcs, unit.clone());
    let mut frame_slots = Vec::with_capacity(unit.len());
    for index in unit.clone() {
        compile_function(&mut codegen, module, index)?;
        let (info, _) = module
            .func_code(index)
            .map_err(|e| CompileError::Invalid { func: module.imported_funcs + index, why: e.to_string() })?;
        frame_slots.push(info.local_slots + info.max_stack_slots);
    }
    let (mut masm, records) = codegen.finish();
    let landing = masm.dynamic_label(records.landing);
    let trampoline = masm.dynamic_label(records.trampoline);
    let entries: Vec<DynamicLabel> = records.entries.iter().map(|&l| masm.dynamic_label(l)).collect();
    let osr_entries: Vec<(u32, u32, DynamicLabel)> =
        records.osr_entries.iter().map(|&(func, pc, l)| (func, pc, masm.dynamic_label(l))).collect();
    let mut sites = records.faults;
    let mut ops = masm.into_assembler();
    let resolve = |label| ops.labels().resolve_dynamic(label).map_err(|e| CompileError::Code(e.to_string()));
    let landing = resolve(landing)?;
    let trampoline = resolve(trampoline)?;
    let entries = entries.iter().map(|&l| resolve(l)).collect::<Result<Vec<_>, _>>()?;
    let osr_entries = osr_entries
        .iter()
        .map(|&(func, pc, label)| Ok((func - module.imported_funcs, pc, resolve(label)?)))
        .collect::<Result<Vec<_>, CompileError>>()?;
    // Made in code order: by function, then by header.
    debug_assert!(osr_entries.is_sorted_by_key(|&(func, pc, _)| (func, pc)));
    // Committed first: a branch whose target is out of its range (AArch64's conditional
    // branches reach 1 MiB) is an error here, where `finalize` would panic.
    ops.commit().map_err(|e| CompileError::Code(format!("code too large: {e}")))?;
    let buffer = ops.finalize().map_err(|_| CompileError::Code("finalizing code".into()))?;
    sites.sort_by_key(|s| s.native);
    let registration = (!sites.is_empty()).then(|| {
        signals::register(Arc::new(Faults {
            start: buffer.ptr(AssemblyOffset(0)) as usize,
            len: buffer.len(),
            sites,
            landing: buffer.ptr(landing) as usize,
        }))
    });
    Ok(Arc::new(CodeUnit {
        buffer,
        trampoline,
        first: unit.start,
        entries,
        frame_slots,
        osr_entries,
        _registration: registration,
    }))
}

/// Compiled code of some of a module's functions (a range of defined indices), for one
/// way of checking bounds. Dropping it frees the code (the execution core keeps it
/// alive while any instance may run it).
pub struct CodeUnit {
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

impl fmt::Debug for CodeUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeUnit")
            .field("bytes", &self.buffer.len())
            .field("funcs", &(self.first..self.first + self.entries.len() as u32))
            .finish()
    }
}

impl CodeUnit {
    /// The machine code, and the offset of each of its functions' entry in it.
    pub fn disassembly_input(&self) -> (&[u8], Vec<usize>) {
        (&self.buffer, self.entries.iter().map(|e| e.0).collect())
    }

    /// The address of `offset` in the code, ready to run on the calling thread (see
    /// the module documentation: on AArch64 this is an `isb`).
    fn code_address(&self, offset: AssemblyOffset) -> *const u8 {
        dynasmrt::cache_control::prepare_for_execution(&self.buffer);
        self.buffer.ptr(offset)
    }

    fn position(&self, defined: u32) -> usize {
        let position = defined.checked_sub(self.first).map_or(usize::MAX, |p| p as usize);
        assert!(position < self.entries.len(), "function {defined} is not in this unit");
        position
    }
}

impl ModuleCode for CodeUnit {
    fn entry(&self, defined: u32) -> *const u8 {
        self.code_address(self.entries[self.position(defined)])
    }

    fn frame_slots(&self, defined: u32) -> u32 {
        self.frame_slots[self.position(defined)]
    }

    fn osr_entry(&self, defined: u32, header_pc: u32) -> Option<*const u8> {
        let index =
            self.osr_entries.binary_search_by_key(&(defined, header_pc), |&(f, pc, _)| (f, pc)).ok()?;
        Some(self.code_address(self.osr_entries[index].2))
    }

    fn trampoline(&self) -> EntryFn {
        // SAFETY: the back-end emitted the trampoline at this offset with the `EntryFn`
        // calling convention (the C one: System V on x86-64, AAPCS64 on AArch64), and
        // the buffer lives as long as `self`.
        unsafe { std::mem::transmute::<*const u8, EntryFn>(self.code_address(self.trampoline)) }
    }

    fn code_size(&self) -> usize {
        self.buffer.len()
    }
}

/// Where faults in a unit's code land.
struct Faults {
    start: usize,
    len: usize,
    /// Sorted by native offset.
    sites: Vec<FaultSite>,
    landing: usize,
}

impl FaultMap for Faults {
    fn code_range(&self) -> Range<usize> {
        self.start..self.start + self.len
    }

    fn landing(&self, pc: usize) -> Option<Landing> {
        let offset = pc.checked_sub(self.start)? as u32;
        let index = self.sites.binary_search_by_key(&offset, |s| s.native).ok()?;
        let site = self.sites[index];
        Some(Landing { resume_at: self.landing, args: [u64::from(site.pc), u64::from(site.func)] })
    }
}
