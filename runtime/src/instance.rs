//! Instances and instantiation, in the order the spec gives: imports checked, objects
//! allocated, globals and segments evaluated, exports made, segments applied. The
//! start function is left to the caller, which owns execution.

use std::fmt;
use std::sync::Arc;

use stratus_decoder::{ExternKind, Imm, ImportDesc, IndexType, Limits, Opcode, Reader, ValType};

use crate::global::Global;
use crate::module::{CompiledModule, ConstRange, ElemItems, ElemMode};
use crate::store::{
    DataAddr, DataSegment, ElemAddr, ElemSegment, FuncEntry, FuncKind, GlobalAddr, InstanceAddr, MemAddr,
    Store, TableAddr,
};
use crate::trap::Trap;
use crate::values::{FuncAddr, Val, ref_to_slot};

/// Something an instance exports, or a module imports.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Extern {
    Func(FuncAddr),
    Table(TableAddr),
    Memory(MemAddr),
    Global(GlobalAddr),
}

/// What compiled code reads of an instance, through one register: the addresses of
/// what its index spaces name and its memory 0. Boxed in the [`Instance`], so its
/// address never changes; the arrays it points to are the instance's own vectors, which
/// never change after instantiation.
#[repr(C)]
#[derive(Debug)]
pub struct InstanceVm {
    /// The store address ([`FuncAddr`]) of each function, by index.
    pub funcs: *const u32,
    /// The store address ([`GlobalAddr`]) of each global, by index.
    pub globals: *const u32,
    /// The store-wide type id of each type, by index.
    pub type_ids: *const u32,
    /// Each table's [`TableVm`](crate::TableVm), by index.
    pub tables: *const *const crate::TableVm,
    /// Memory 0's base, which never moves (compiled code keeps it in a register), or
    /// null without memory.
    pub memory_base: *mut u8,
    /// Each memory's [`MemoryVm`](crate::MemoryVm) descriptor, by index.
    pub memories: *const *const crate::MemoryVm,
    /// Memory 0's descriptor (the first of `memories`), one load nearer for the
    /// explicit bounds checks of its accesses; null without memory.
    pub memory0: *const crate::MemoryVm,
    /// The instance's own address in the store.
    pub addr: u32,
    table_vms: Box<[*const crate::TableVm]>,
    memory_vms: Box<[*const crate::MemoryVm]>,
}

// SAFETY: the pointers lead into the store that owns the instance, which moves between
// threads only whole, and only its exclusive user reads through them.
unsafe impl Send for InstanceVm {}
// SAFETY: shared references to the record give no access through its pointers.
unsafe impl Sync for InstanceVm {}

/// A module instance: its module and the store addresses of everything it uses.
#[derive(Debug)]
pub struct Instance {
    pub module: Arc<CompiledModule>,
    /// Store-wide ids of the module's types.
    pub type_ids: Vec<u32>,
    pub funcs: Vec<FuncAddr>,
    pub tables: Vec<TableAddr>,
    pub memories: Vec<MemAddr>,
    pub globals: Vec<GlobalAddr>,
    pub elems: Vec<ElemAddr>,
    pub datas: Vec<DataAddr>,
    /// Made once instantiation has allocated everything.
    pub vm: Option<Box<InstanceVm>>,
}

impl Instance {
    pub fn export(&self, name: &str) -> Option<Extern> {
        let export = self.module.export(name)?;
        let i = export.index as usize;
        Some(match export.kind {
            ExternKind::Func => Extern::Func(self.funcs[i]),
            ExternKind::Table => Extern::Table(self.tables[i]),
            ExternKind::Memory => Extern::Memory(self.memories[i]),
            ExternKind::Global => Extern::Global(self.globals[i]),
        })
    }

    /// The start function, which the caller runs after [`instantiate`].
    pub fn start(&self) -> Option<FuncAddr> {
        self.module.start.map(|f| self.funcs[f as usize])
    }
}

/// Why a module could not be instantiated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstantiateError {
    /// The number of imports given differs from the number the module declares.
    ImportCount { expected: usize, found: usize },
    /// An import is of the wrong kind or type.
    IncompatibleImport { module: String, name: String, reason: String },
    /// A memory, table, segment or the instance itself would pass the store's limits,
    /// or the host has no memory for it: the reason.
    Resource(String),
    /// Applying an element or data segment trapped. Segments before it stay applied.
    Trap(Trap),
}

impl fmt::Display for InstantiateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstantiateError::ImportCount { expected, found } => {
                write!(f, "the module has {expected} imports, but {found} were given")
            }
            InstantiateError::IncompatibleImport { module, name, reason } => {
                write!(f, "incompatible import type for {module}::{name}: {reason}")
            }
            InstantiateError::Resource(reason) => write!(f, "out of resources: {reason}"),
            InstantiateError::Trap(trap) => write!(f, "{trap}"),
        }
    }
}

impl std::error::Error for InstantiateError {}

/// Instantiates `module` with `imports` (one per import, in order) and returns the
/// instance. Its start function, if any, has not run.
pub fn instantiate<T>(
    store: &mut Store<T>,
    module: &Arc<CompiledModule>,
    imports: &[Extern],
) -> Result<InstanceAddr, InstantiateError> {
    let addr = instantiate_without_segments(store, module, imports)?;
    apply_segments(store, addr).map_err(InstantiateError::Trap)?;
    Ok(addr)
}

/// Instantiates `module` as [`instantiate`] does but applies no segment: its memories
/// and tables stay as allocated and every segment stays in the store. What restoring a
/// snapshot starts from, which then sets them as they were.
pub fn instantiate_without_segments<T>(
    store: &mut Store<T>,
    module: &Arc<CompiledModule>,
    imports: &[Extern],
) -> Result<InstanceAddr, InstantiateError> {
    if imports.len() != module.imports.len() {
        return Err(InstantiateError::ImportCount { expected: module.imports.len(), found: imports.len() });
    }
    if store.instances.len() >= store.limits.instances {
        let limit = store.limits.instances;
        return Err(InstantiateError::Resource(format!(
            "the store already has {limit} instances, its limit"
        )));
    }
    let addr = InstanceAddr(store.instances.len() as u32);
    let mut inst = Instance {
        module: module.clone(),
        type_ids: module.types.iter().map(|t| store.intern_type(t).0).collect(),
        funcs: Vec::with_capacity(module.funcs.len()),
        tables: Vec::with_capacity(module.tables.len()),
        memories: Vec::with_capacity(module.memories.len()),
        globals: Vec::with_capacity(module.globals.len()),
        elems: Vec::with_capacity(module.elems.len()),
        datas: Vec::with_capacity(module.datas.len()),
        vm: None,
    };
    for (import, &ext) in module.imports.iter().zip(imports) {
        check_import(store, module, import, ext)?;
        match ext {
            Extern::Func(f) => inst.funcs.push(f),
            Extern::Table(t) => inst.tables.push(t),
            Extern::Memory(m) => inst.memories.push(m),
            Extern::Global(g) => inst.globals.push(g),
        }
    }
    // A module that does not fit leaves nothing behind, so its failed attempts do not
    // use up the store's quota.
    let before = store.object_counts();
    let allocated = allocate(store, module, &mut inst, addr);
    store.invalidate_code();
    if let Err(error) = allocated {
        store.truncate_objects(before);
        return Err(error);
    }
    inst.vm = Some(instance_vm(store, &inst, addr));
    for &func in &inst.funcs[module.imported_funcs as usize..] {
        store.func_refs[func.0 as usize].instance = &**inst.vm.as_ref().expect("just made");
    }
    store.instances.push(inst);
    Ok(addr)
}

fn instance_vm<T>(store: &Store<T>, inst: &Instance, addr: InstanceAddr) -> Box<InstanceVm> {
    let table_vms: Box<[_]> = inst.tables.iter().map(|t| store.tables[t.0 as usize].vm()).collect();
    let memory_vms: Box<[_]> = inst.memories.iter().map(|m| store.memories[m.0 as usize].vm()).collect();
    Box::new(InstanceVm {
        funcs: inst.funcs.as_ptr().cast(),
        globals: inst.globals.as_ptr().cast(),
        type_ids: inst.type_ids.as_ptr(),
        tables: table_vms.as_ptr(),
        memory_base: memory_vms.first().map_or(std::ptr::null_mut(), |&m| {
            // SAFETY: the record lives as long as the memory, which the store keeps.
            unsafe { (*m).base }
        }),
        memories: memory_vms.as_ptr(),
        memory0: memory_vms.first().copied().unwrap_or(std::ptr::null()),
        addr: addr.0,
        table_vms,
        memory_vms,
    })
}

/// Allocates the objects `module` defines for instance `inst` at `addr`, in the order
/// the specification gives: functions, tables, memories, globals, segments.
fn allocate<T>(
    store: &mut Store<T>,
    module: &CompiledModule,
    inst: &mut Instance,
    addr: InstanceAddr,
) -> Result<(), InstantiateError> {
    for index in module.imported_funcs..module.funcs.len() as u32 {
        let (type_id, ty) = store.intern_type(module.func_type(index));
        let kind = FuncKind::Wasm { instance: addr, index };
        store.push_func(FuncEntry { ty, type_id, hotness: Default::default(), kind });
        inst.funcs.push(FuncAddr(store.funcs.len() as u32 - 1));
    }
    for (index, ty) in module.tables.iter().enumerate().skip(module.imported_tables as usize) {
        let table =
            store.new_table(*ty, 0).map_err(|e| InstantiateError::Resource(format!("table {index}: {e}")))?;
        inst.tables.push(table);
    }
    for (index, ty) in module.memories.iter().enumerate().skip(module.imported_memories as usize) {
        let memory =
            store.new_memory(*ty).map_err(|e| InstantiateError::Resource(format!("memory {index}: {e}")))?;
        inst.memories.push(memory);
    }
    let defined_globals = module.globals[module.imported_globals as usize..].iter();
    for (ty, init) in defined_globals.zip(&module.global_inits) {
        let value = eval_const(store, inst, init);
        inst.globals.push(store.add_global(Global::new(*ty, value)));
    }
    for (index, elem) in module.elems.iter().enumerate() {
        let count = match &elem.items {
            ElemItems::Funcs(funcs) => funcs.len(),
            ElemItems::Exprs(exprs) => exprs.len(),
        };
        let mut items = Vec::new();
        items.try_reserve_exact(count).map_err(|_| {
            InstantiateError::Resource(format!(
                "the host has no memory for element segment {index} of {count} items"
            ))
        })?;
        match &elem.items {
            ElemItems::Funcs(funcs) => {
                items.extend(funcs.iter().map(|&f| ref_to_slot(Some(inst.funcs[f as usize].0))))
            }
            ElemItems::Exprs(exprs) => {
                items.extend(exprs.iter().map(|e| eval_const(store, inst, e).to_slots()[0]))
            }
        }
        store.elems.push(ElemSegment { items });
        inst.elems.push(ElemAddr(store.elems.len() as u32 - 1));
    }
    for data in &module.datas {
        store.datas.push(DataSegment { instance: addr, bytes: data.bytes.clone() });
        inst.datas.push(DataAddr(store.datas.len() as u32 - 1));
    }
    Ok(())
}

/// Applies active element and data segments, then drops them and declarative ones.
fn apply_segments<T>(store: &mut Store<T>, addr: InstanceAddr) -> Result<(), Trap> {
    let inst = &store.instances[addr.0 as usize];
    let module = inst.module.clone();
    for (i, elem) in module.elems.iter().enumerate() {
        let seg = inst.elems[i];
        match &elem.mode {
            ElemMode::Passive => {}
            ElemMode::Declarative => store.elems[seg.0 as usize].items.clear(),
            ElemMode::Active { table, offset } => {
                // An i32 or i64 offset, as the table's index type has it, zero-extended.
                let dst = eval_const(store, inst, offset).to_slots()[0];
                let items = std::mem::take(&mut store.elems[seg.0 as usize].items);
                let table = &mut store.tables[inst.tables[*table as usize].0 as usize];
                table.init(dst, &items, 0, items.len() as u32)?;
            }
        }
    }
    for (i, data) in module.datas.iter().enumerate() {
        if let Some((memory, offset)) = &data.active {
            // An i32 or i64 offset, as the memory's index type has it, zero-extended.
            let dst = eval_const(store, inst, offset).to_slots()[0];
            let seg = &mut store.datas[inst.datas[i].0 as usize];
            let bytes = &module.bytes[std::mem::replace(&mut seg.bytes, 0..0)];
            let memory = &mut store.memories[inst.memories[*memory as usize].0 as usize];
            memory.init(dst, bytes, 0, bytes.len() as u32)?;
        }
    }
    Ok(())
}

fn check_import<T>(
    store: &Store<T>,
    module: &CompiledModule,
    import: &crate::module::Import,
    ext: Extern,
) -> Result<(), InstantiateError> {
    let mismatch = |reason: String| InstantiateError::IncompatibleImport {
        module: import.module.clone(),
        name: import.name.clone(),
        reason,
    };
    match (import.desc, ext) {
        (ImportDesc::Func(ty), Extern::Func(f)) => {
            let expected = &module.types[ty as usize];
            let actual = store.func_type(f);
            if actual != expected {
                return Err(mismatch(format!("expected a function of type {expected}, found {actual}")));
            }
        }
        (ImportDesc::Table(ty), Extern::Table(t)) => {
            let table = &store.tables[t.0 as usize];
            if table.ty.elem != ty.elem {
                return Err(mismatch(format!(
                    "expected a table of {}, found one of {}",
                    ty.elem, table.ty.elem
                )));
            }
            check_index_type("table", ty.index_type, table.ty.index_type).map_err(mismatch)?;
            let actual = Limits { min: table.size().into(), max: table.ty.limits.max };
            check_limits(ty.limits, actual).map_err(mismatch)?;
        }
        (ImportDesc::Memory(ty), Extern::Memory(m)) => {
            let memory = &store.memories[m.0 as usize];
            check_index_type("memory", ty.index_type, memory.ty.index_type).map_err(mismatch)?;
            let actual = Limits { min: memory.pages().into(), max: memory.ty.limits.max };
            check_limits(ty.limits, actual).map_err(mismatch)?;
        }
        (ImportDesc::Global(ty), Extern::Global(g)) => {
            let actual = store.globals[g.0 as usize].ty;
            if actual != ty {
                let show = |t: stratus_decoder::GlobalType| {
                    format!("{}{}", if t.mutable { "mut " } else { "" }, t.content)
                };
                return Err(mismatch(format!(
                    "expected a global of type {}, found {}",
                    show(ty),
                    show(actual)
                )));
            }
        }
        (desc, ext) => {
            let wanted = match desc {
                ImportDesc::Func(_) => "function",
                ImportDesc::Table(_) => "table",
                ImportDesc::Memory(_) => "memory",
                ImportDesc::Global(_) => "global",
            };
            let given = match ext {
                Extern::Func(_) => "function",
                Extern::Table(_) => "table",
                Extern::Memory(_) => "memory",
                Extern::Global(_) => "global",
            };
            return Err(mismatch(format!("expected a {wanted}, found a {given}")));
        }
    }
    Ok(())
}

/// Import subtyping of limits: at least as large, and at most as large a maximum.
/// An imported memory or table must have the index type the import declares.
fn check_index_type(what: &str, expected: IndexType, actual: IndexType) -> Result<(), String> {
    if expected != actual {
        let name = |t: IndexType| t.val_type().name();
        return Err(format!(
            "expected a {what} indexed by {}, found one indexed by {}",
            name(expected),
            name(actual)
        ));
    }
    Ok(())
}

fn check_limits(expected: Limits, actual: Limits) -> Result<(), String> {
    if actual.min < expected.min {
        return Err(format!("expected at least {} as the minimum size, found {}", expected.min, actual.min));
    }
    if let Some(max) = expected.max {
        match actual.max {
            Some(actual_max) if actual_max <= max => {}
            Some(actual_max) => {
                return Err(format!("expected a maximum of at most {max}, found {actual_max}"));
            }
            None => return Err(format!("expected a maximum of at most {max}, found none")),
        }
    }
    Ok(())
}

/// Evaluates a validated constant expression of `inst`'s module.
pub fn eval_const<T>(store: &Store<T>, inst: &Instance, expr: &ConstRange) -> Val {
    let bytes = &inst.module.bytes[expr.0.clone()];
    let mut reader = Reader::nested(bytes, expr.0.start);
    // Validation guarantees well-typed constant instructions leaving one value, then
    // `end`.
    let mut stack = Vec::new();
    while let Ok((op, imm)) = reader.read_instr() {
        let value = match (op, imm) {
            (Opcode::I32Const, Imm::I32(v)) => Val::I32(v),
            (Opcode::I64Const, Imm::I64(v)) => Val::I64(v),
            (Opcode::F32Const, Imm::F32(v)) => Val::F32(v),
            (Opcode::F64Const, Imm::F64(v)) => Val::F64(v),
            (Opcode::V128Const, Imm::V128(v)) => Val::V128(u128::from_le_bytes(v)),
            (Opcode::RefNull, Imm::RefType(t)) => Val::default_of(ValType::from(t)),
            (Opcode::RefFunc, Imm::Func(f)) => Val::FuncRef(Some(inst.funcs[f as usize])),
            (Opcode::GlobalGet, Imm::Global(g)) => store.globals[inst.globals[g as usize].0 as usize].get(),
            (Opcode::End, _) => break,
            // Extended constant expressions: wrapping arithmetic on the two values below.
            (op, _) => {
                let (Some(rhs), Some(lhs)) = (stack.pop(), stack.pop()) else { break };
                match (op, lhs, rhs) {
                    (Opcode::I32Add, Val::I32(a), Val::I32(b)) => Val::I32(a.wrapping_add(b)),
                    (Opcode::I32Sub, Val::I32(a), Val::I32(b)) => Val::I32(a.wrapping_sub(b)),
                    (Opcode::I32Mul, Val::I32(a), Val::I32(b)) => Val::I32(a.wrapping_mul(b)),
                    (Opcode::I64Add, Val::I64(a), Val::I64(b)) => Val::I64(a.wrapping_add(b)),
                    (Opcode::I64Sub, Val::I64(a), Val::I64(b)) => Val::I64(a.wrapping_sub(b)),
                    (Opcode::I64Mul, Val::I64(a), Val::I64(b)) => Val::I64(a.wrapping_mul(b)),
                    _ => break,
                }
            }
        };
        stack.push(value);
    }
    stack.pop().unwrap_or(Val::I32(0))
}
