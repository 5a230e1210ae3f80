//! A decoded and validated module that owns its bytes: what instances are made from.

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use stratus_decoder::{
    ConstExpr, DataMode, ElementItems, ElementMode, ExternKind, FuncType, GlobalType, ImportDesc, MemoryType,
    RefType, TableType,
};
use stratus_decoder::{Features, FuncBody, Reader};
use stratus_validator::{Error, FuncInfo, ModuleContext, RefFacts};

use crate::TrapKind;

/// A constant expression, as a range of the module's bytes.
#[derive(Debug, Clone)]
pub struct ConstRange(pub Range<usize>);

impl ConstRange {
    fn of(expr: &ConstExpr<'_>) -> ConstRange {
        ConstRange(expr.offset..expr.offset + expr.code.len())
    }
}

#[derive(Debug, Clone)]
pub struct Import {
    pub module: String,
    pub name: String,
    pub desc: ImportDesc,
}

#[derive(Debug, Clone)]
pub struct Export {
    pub name: String,
    pub kind: ExternKind,
    pub index: u32,
}

#[derive(Debug, Clone)]
pub enum ElemItems {
    Funcs(Vec<u32>),
    Exprs(Vec<ConstRange>),
}

#[derive(Debug, Clone)]
pub enum ElemMode {
    Passive,
    Declarative,
    Active { table: u32, offset: ConstRange },
}

#[derive(Debug, Clone)]
pub struct Elem {
    pub mode: ElemMode,
    pub ty: RefType,
    pub items: ElemItems,
}

#[derive(Debug, Clone)]
pub struct DataSegment {
    /// `None` for passive segments; else the memory and the offset expression.
    pub active: Option<(u32, ConstRange)>,
    pub bytes: Range<usize>,
}

/// When the bodies of a module's functions are validated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Validation {
    /// All of them, before the module is accepted, as the specification requires.
    #[default]
    Eager,
    /// Each one when it is first called. A large module starts sooner (most programs
    /// call a fraction of their functions), but an invalid body is found only when it
    /// is called, and that call traps; the rest of the module is validated up front.
    Lazy,
}

/// A function the module defines: where its code is and what validation found.
#[derive(Debug)]
pub struct FuncCode {
    /// Its code section entry, from the size prefix: what lazy validation reads.
    pub entry: Range<usize>,
    /// The instructions, up to and including the final `end`.
    pub code: Range<usize>,
    /// Set at creation when validation is eager, at the first call when lazy; holds the
    /// validation error of an invalid body.
    info: OnceLock<Result<FuncInfo, String>>,
}

/// Machine code a compiler made, or why it could not.
pub type MachineCode = OnceLock<Result<Arc<dyn std::any::Any + Send + Sync>, String>>;

/// A validated module with everything instantiation and execution need, owning its
/// bytes; code and constant expressions stay in those bytes and run in place.
#[derive(Debug)]
pub struct CompiledModule {
    pub bytes: Box<[u8]>,
    pub types: Vec<FuncType>,
    pub imports: Vec<Import>,
    /// Type index of every function, imported ones first.
    pub funcs: Vec<u32>,
    pub tables: Vec<TableType>,
    pub memories: Vec<MemoryType>,
    pub globals: Vec<GlobalType>,
    pub global_inits: Vec<ConstRange>,
    pub exports: Vec<Export>,
    pub start: Option<u32>,
    pub elems: Vec<Elem>,
    pub datas: Vec<DataSegment>,
    pub code: Vec<FuncCode>,
    /// For validating function bodies lazily; `None` when all were validated eagerly.
    lazy: Option<LazyContext>,
    pub imported_funcs: u32,
    pub imported_tables: u32,
    pub imported_memories: u32,
    pub imported_globals: u32,
    pub name: Option<String>,
    /// Function names from the `name` section, sorted by index.
    pub func_names: Vec<(u32, String)>,
    /// Machine code a compiler made of the whole module, under the compiler's own keys
    /// (one per kind of code: way of checking bounds, deterministic or not): the module owns it, and its instances share
    /// it. The runtime only keeps it.
    pub machine_code: [MachineCode; 4],
    /// The same, one defined function at a time (as functions get hot).
    pub function_code: [OnceLock<Box<[MachineCode]>>; 4],
}

/// What validating a function body needs beyond the module's index spaces.
#[derive(Debug)]
struct LazyContext {
    refs: RefFacts,
    data_count: Option<u32>,
    features: Features,
}

impl CompiledModule {
    /// Decodes and validates `bytes`, every function body included, allowing every
    /// proposal Stratus implements.
    pub fn new(bytes: impl Into<Box<[u8]>>) -> Result<Arc<CompiledModule>, Error> {
        CompiledModule::with_validation(bytes, Validation::Eager, Features::default())
    }

    /// Decodes and validates `bytes`, the function bodies as `validation` says, allowing
    /// the proposals `features` allows.
    pub fn with_validation(
        bytes: impl Into<Box<[u8]>>,
        validation: Validation,
        features: Features,
    ) -> Result<Arc<CompiledModule>, Error> {
        let bytes = bytes.into();
        let m = stratus_decoder::Module::parse_with(&bytes, features)?;
        let (infos, lazy) = match validation {
            Validation::Eager => (stratus_validator::validate(&m)?.funcs, None),
            Validation::Lazy => {
                let refs = stratus_validator::validate_declarations(&m)?;
                (Vec::new(), Some(LazyContext { refs, data_count: m.data_count, features }))
            }
        };
        let mut infos = infos.into_iter();
        let b: &[u8] = &bytes;
        // Decoded slices point into `bytes`; keep them as ranges.
        let range = |s: &[u8]| {
            let start = s.as_ptr() as usize - b.as_ptr() as usize;
            start..start + s.len()
        };
        let mut compiled = CompiledModule {
            types: m.types.clone(),
            imports: m
                .imports
                .iter()
                .map(|i| Import { module: i.module.to_string(), name: i.name.to_string(), desc: i.desc })
                .collect(),
            funcs: m.funcs.clone(),
            tables: m.tables.clone(),
            memories: m.memories.clone(),
            globals: m.globals.clone(),
            global_inits: m.global_inits.iter().map(ConstRange::of).collect(),
            exports: m
                .exports
                .iter()
                .map(|e| Export { name: e.name.to_string(), kind: e.kind, index: e.index })
                .collect(),
            start: m.start.map(|s| s.func),
            elems: m
                .elements
                .iter()
                .map(|e| Elem {
                    mode: match &e.mode {
                        ElementMode::Passive => ElemMode::Passive,
                        ElementMode::Declarative => ElemMode::Declarative,
                        ElementMode::Active { table, offset } => {
                            ElemMode::Active { table: *table, offset: ConstRange::of(offset) }
                        }
                    },
                    ty: e.ty,
                    items: match &e.items {
                        ElementItems::Funcs(f) => ElemItems::Funcs(f.clone()),
                        ElementItems::Exprs(x) => ElemItems::Exprs(x.iter().map(ConstRange::of).collect()),
                    },
                })
                .collect(),
            datas: m
                .data
                .iter()
                .map(|d| DataSegment {
                    active: match &d.mode {
                        DataMode::Passive => None,
                        DataMode::Active { memory, offset } => Some((*memory, ConstRange::of(offset))),
                    },
                    bytes: range(d.bytes),
                })
                .collect(),
            code: m
                .bodies
                .iter()
                .map(|body| FuncCode {
                    entry: body.offset..body.code_offset + body.code.len(),
                    code: range(body.code),
                    info: infos.next().map(|info| OnceLock::from(Ok(info))).unwrap_or_default(),
                })
                .collect(),
            lazy,
            imported_funcs: m.imported_funcs,
            imported_tables: m.imported_tables,
            imported_memories: m.imported_memories,
            imported_globals: m.imported_globals,
            name: m.names.module.map(str::to_string),
            func_names: m.names.funcs.iter().map(|&(i, n)| (i, n.to_string())).collect(),
            machine_code: Default::default(),
            function_code: Default::default(),
            bytes: Box::default(),
        };
        // The decoded module borrows the bytes; once it is gone they can move in.
        drop(m);
        compiled.bytes = bytes;
        Ok(Arc::new(compiled))
    }

    /// What validation found about defined function `defined` (its index less the
    /// imported functions), and its instructions; validates it now if validation is
    /// lazy and this is the first time it is needed. An invalid body is a trap.
    #[inline(always)]
    pub fn func_code(&self, defined: u32) -> Result<(&FuncInfo, &[u8]), TrapKind> {
        let code = &self.code[defined as usize];
        // Calls take this path on every call: keep it a load and a compare.
        let info = match code.info.get() {
            Some(Ok(info)) => info,
            _ => self.first_func_info(defined)?,
        };
        Ok((info, &self.bytes[code.code.clone()]))
    }

    #[cold]
    #[inline(never)]
    fn first_func_info(&self, defined: u32) -> Result<&FuncInfo, TrapKind> {
        match self.code[defined as usize].info.get_or_init(|| self.validate_lazily(defined)) {
            Ok(info) => Ok(info),
            Err(message) => Err(TrapKind::InvalidFunction(message.clone())),
        }
    }

    fn validate_lazily(&self, defined: u32) -> Result<FuncInfo, String> {
        let lazy = self.lazy.as_ref().expect("eager validation sets every function's info");
        let ctx = ModuleContext {
            types: &self.types,
            funcs: &self.funcs,
            tables: &self.tables,
            memories: &self.memories,
            globals: &self.globals,
            data_count: lazy.data_count,
            refs: &lazy.refs,
            features: lazy.features,
        };
        let entry = self.code[defined as usize].entry.clone();
        let index = self.imported_funcs + defined;
        let mut reader = Reader::nested(&self.bytes[entry.clone()], entry.start);
        FuncBody::read(&mut reader)
            .map_err(Error::from)
            .and_then(|body| stratus_validator::validate_function(&ctx, self.funcs[index as usize], &body))
            .map_err(|error| format!("function {index} is invalid: {error}"))
    }

    /// The name of function `index` from the `name` section.
    pub fn func_name(&self, index: u32) -> Option<&str> {
        let i = self.func_names.binary_search_by_key(&index, |(i, _)| *i).ok()?;
        Some(&self.func_names[i].1)
    }

    pub fn func_type(&self, index: u32) -> &FuncType {
        &self.types[self.funcs[index as usize] as usize]
    }

    pub fn export(&self, name: &str) -> Option<&Export> {
        self.exports.iter().find(|e| e.name == name)
    }
}
