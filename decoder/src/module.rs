//! The module: every section decoded into ranges and small tables over the input bytes.

use crate::error::{DecodeError, DecodeErrorKind, Result};
use crate::limits::*;
use crate::opcode::Opcode;
use crate::proposal::{Features, Proposal};
use crate::reader::Reader;
use crate::types::{FuncType, GlobalType, IndexType, Limits, MemoryType, RefType, TableType, ValType};

/// A decoded (not yet validated) module. Code bodies, constant expressions, data and
/// names stay in the caller's bytes.
#[derive(Debug, Default)]
pub struct Module<'a> {
    pub types: Vec<FuncType>,
    pub imports: Vec<Import<'a>>,
    /// The type index of every function, imported ones first.
    pub funcs: Vec<u32>,
    /// Where each function's type index is in the bytes, as `funcs`, for errors about it.
    pub func_type_offsets: Vec<usize>,
    /// Every table, imported ones first.
    pub tables: Vec<TableType>,
    /// Where each table's limits are in the bytes, as `tables`.
    pub table_limits_offsets: Vec<usize>,
    /// Every memory, imported ones first.
    pub memories: Vec<MemoryType>,
    /// Where each memory's limits are in the bytes, as `memories`.
    pub memory_limits_offsets: Vec<usize>,
    /// Every global's type, imported ones first.
    pub globals: Vec<GlobalType>,
    /// Initialisers of the globals the module defines (after the imported ones).
    pub global_inits: Vec<ConstExpr<'a>>,
    pub exports: Vec<Export<'a>>,
    pub start: Option<Start>,
    pub elements: Vec<Element<'a>>,
    pub data_count: Option<u32>,
    /// Bodies of the functions the module defines (after the imported ones).
    pub bodies: Vec<FuncBody<'a>>,
    pub data: Vec<Data<'a>>,
    pub customs: Vec<CustomSection<'a>>,
    pub names: Names<'a>,
    pub imported_funcs: u32,
    pub imported_tables: u32,
    pub imported_memories: u32,
    pub imported_globals: u32,
    /// The proposals the module was decoded with, which validation goes on with.
    pub features: Features,
}

#[derive(Debug, Clone)]
pub struct Import<'a> {
    pub module: &'a str,
    pub name: &'a str,
    pub desc: ImportDesc,
    pub offset: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportDesc {
    Func(u32),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExternKind {
    Func,
    Table,
    Memory,
    Global,
}

impl ExternKind {
    pub fn name(self) -> &'static str {
        match self {
            ExternKind::Func => "function",
            ExternKind::Table => "table",
            ExternKind::Memory => "memory",
            ExternKind::Global => "global",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Export<'a> {
    pub name: &'a str,
    pub kind: ExternKind,
    pub index: u32,
    /// Where the entry starts (its name).
    pub offset: usize,
    /// Where the index is.
    pub index_offset: usize,
}

#[derive(Debug, Clone, Copy)]
pub struct Start {
    pub func: u32,
    pub offset: usize,
}

/// A constant expression: its instructions up to and including the final `end`.
#[derive(Debug, Clone, Copy)]
pub struct ConstExpr<'a> {
    pub code: &'a [u8],
    /// Absolute offset of `code[0]`.
    pub offset: usize,
}

impl<'a> ConstExpr<'a> {
    pub fn reader(&self) -> Reader<'a> {
        Reader::nested(self.code, self.offset)
    }
}

#[derive(Debug, Clone)]
pub enum ElementMode<'a> {
    Passive,
    Declarative,
    Active { table: u32, offset: ConstExpr<'a> },
}

#[derive(Debug, Clone)]
pub enum ElementItems<'a> {
    Funcs(Vec<u32>),
    Exprs(Vec<ConstExpr<'a>>),
}

impl ElementItems<'_> {
    pub fn len(&self) -> usize {
        match self {
            ElementItems::Funcs(f) => f.len(),
            ElementItems::Exprs(e) => e.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Debug, Clone)]
pub struct Element<'a> {
    pub mode: ElementMode<'a>,
    pub ty: RefType,
    pub items: ElementItems<'a>,
    /// Where the segment starts.
    pub offset: usize,
    /// Where the table index is, or the segment start when the index is implicit.
    pub table_offset: usize,
    /// Where each function index of `ElementItems::Funcs` is; empty for expressions,
    /// which carry their own offsets.
    pub func_offsets: Vec<usize>,
}

#[derive(Debug, Clone)]
pub enum DataMode<'a> {
    Passive,
    Active { memory: u32, offset: ConstExpr<'a> },
}

#[derive(Debug, Clone)]
pub struct Data<'a> {
    pub mode: DataMode<'a>,
    pub bytes: &'a [u8],
    /// Where the segment starts.
    pub offset: usize,
    /// Where the memory index is, or the segment start when the index is implicit.
    pub memory_offset: usize,
}

/// A function body: its local declarations, decoded, and its code, left in place.
#[derive(Debug, Clone)]
pub struct FuncBody<'a> {
    /// Runs of declared locals: (count, type).
    pub locals: Vec<(u32, ValType)>,
    /// Number of declared locals (not counting parameters).
    pub local_count: u32,
    /// The instructions, up to and including the final `end`.
    pub code: &'a [u8],
    /// Absolute offset of `code[0]`.
    pub code_offset: usize,
    /// Absolute offset of the body's size prefix.
    pub offset: usize,
}

impl<'a> FuncBody<'a> {
    /// Reads one entry of the code section: the size prefix, the local declarations
    /// and the instructions. The instructions are not decoded here.
    pub fn read(s: &mut Reader<'a>) -> Result<FuncBody<'a>> {
        let offset = s.offset();
        let mut body = s.read_sized()?;
        if body.remaining() > MAX_FUNCTION_SIZE {
            let kind =
                DecodeErrorKind::LimitExceeded { what: "bytes in a function body", limit: MAX_FUNCTION_SIZE };
            return Err(DecodeError::new(offset, kind));
        }
        let groups = body.read_count(2, MAX_FUNCTION_LOCALS as usize, "local declarations")?;
        let mut locals = Vec::with_capacity(groups as usize);
        let mut total: u64 = 0;
        for _ in 0..groups {
            let at = body.offset();
            let n = body.read_u32()?;
            total += u64::from(n);
            if total > MAX_FUNCTION_LOCALS {
                return Err(DecodeError::new(at, DecodeErrorKind::TooManyLocals));
            }
            locals.push((n, body.read_val_type()?));
        }
        let code_offset = body.offset();
        let code = body.read_bytes(body.remaining())?;
        Ok(FuncBody { locals, local_count: total as u32, code, code_offset, offset })
    }

    pub fn reader(&self) -> Reader<'a> {
        Reader::nested(self.code, self.code_offset)
    }
}

#[derive(Debug, Clone)]
pub struct CustomSection<'a> {
    pub name: &'a str,
    pub data: &'a [u8],
    pub offset: usize,
}

/// What the `name` custom section says, where it is well formed. A malformed name
/// section is ignored, as the spec allows.
#[derive(Debug, Clone, Default)]
pub struct Names<'a> {
    pub module: Option<&'a str>,
    /// Function names, sorted by function index.
    pub funcs: Vec<(u32, &'a str)>,
}

impl<'a> Names<'a> {
    pub fn func(&self, index: u32) -> Option<&'a str> {
        self.funcs.binary_search_by_key(&index, |&(i, _)| i).ok().map(|i| self.funcs[i].1)
    }
}

/// Section ids in the order the binary format requires them.
const SECTION_ORDER: [u8; 12] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 10, 11];

impl<'a> Module<'a> {
    /// Decodes a binary module that may use every proposal Stratus implements. Nothing
    /// is validated beyond what decoding needs.
    pub fn parse(bytes: &'a [u8]) -> Result<Module<'a>> {
        Module::parse_with(bytes, Features::default())
    }

    /// Decodes a binary module that may use the proposals `features` allows.
    pub fn parse_with(bytes: &'a [u8], features: Features) -> Result<Module<'a>> {
        let mut r = Reader::new(bytes).with_features(features);
        if r.read_array::<4>()? != *b"\0asm" {
            return Err(DecodeError::new(0, DecodeErrorKind::MagicHeaderNotDetected));
        }
        let version = r.read_array::<4>()?;
        if version != [1, 0, 0, 0] {
            return Err(DecodeError::new(4, DecodeErrorKind::UnknownBinaryVersion(version)));
        }
        let mut module = Module { features, ..Module::default() };
        let mut func_count: Option<u32> = None;
        // Where the function and data counts are, for a missing code or data section.
        let mut func_count_at = 0;
        let mut data_count_at = 0;
        let mut saw_code = false;
        let mut saw_data = false;
        let mut last_order = 0;
        while !r.eof() {
            let id_at = r.offset();
            let id = r.read_u8()?;
            if id > 12 {
                return Err(DecodeError::new(id_at, DecodeErrorKind::MalformedSectionId(id)));
            }
            let mut s = r.read_sized()?;
            if id != 0 {
                let order = SECTION_ORDER.iter().position(|&x| x == id).unwrap_or(0) + 1;
                if order <= last_order {
                    return Err(DecodeError::new(id_at, DecodeErrorKind::UnexpectedContentAfterLastSection));
                }
                last_order = order;
            }
            match id {
                0 => module.read_custom(&mut s)?,
                1 => module.read_types(&mut s)?,
                2 => module.read_imports(&mut s)?,
                3 => {
                    func_count_at = s.offset();
                    let count = s.read_count(1, MAX_FUNCTIONS, "functions")?;
                    module.funcs.reserve(count as usize);
                    module.func_type_offsets.reserve(count as usize);
                    for _ in 0..count {
                        module.func_type_offsets.push(s.offset());
                        module.funcs.push(s.read_u32()?);
                    }
                    func_count = Some(count);
                }
                4 => {
                    let count = s.read_count(3, MAX_TABLES, "tables")?;
                    for _ in 0..count {
                        let (ty, limits_offset) = read_table_type(&mut s)?;
                        module.tables.push(ty);
                        module.table_limits_offsets.push(limits_offset);
                    }
                }
                5 => {
                    let count = s.read_count(2, MAX_MEMORIES, "memories")?;
                    for _ in 0..count {
                        module.memory_limits_offsets.push(s.offset());
                        module.memories.push(read_memory_type(&mut s)?);
                    }
                }
                6 => {
                    let count = s.read_count(3, MAX_GLOBALS, "globals")?;
                    module.global_inits.reserve(count as usize);
                    for _ in 0..count {
                        module.globals.push(read_global_type(&mut s)?);
                        module.global_inits.push(read_const_expr(&mut s)?);
                    }
                }
                7 => module.read_exports(&mut s)?,
                8 => {
                    let offset = s.offset();
                    module.start = Some(Start { func: s.read_u32()?, offset });
                }
                9 => module.read_elements(&mut s)?,
                12 => {
                    data_count_at = s.offset();
                    module.data_count = Some(s.read_u32()?);
                }
                10 => {
                    module.read_code(&mut s, func_count.unwrap_or(0))?;
                    saw_code = true;
                }
                11 => {
                    module.read_data(&mut s)?;
                    saw_data = true;
                }
                _ => unreachable!("section ids above 12 were refused"),
            }
            if !s.eof() {
                return Err(s.error(DecodeErrorKind::SectionSizeMismatch));
            }
        }
        if !saw_code && func_count.unwrap_or(0) != 0 {
            return Err(DecodeError::new(func_count_at, DecodeErrorKind::FunctionAndCodeInconsistent));
        }
        // With a data section, `read_data` compared the counts.
        if !saw_data && module.data_count.is_some_and(|count| count != 0) {
            return Err(DecodeError::new(data_count_at, DecodeErrorKind::DataCountAndDataInconsistent));
        }
        Ok(module)
    }

    /// Number of functions the module defines itself.
    pub fn defined_funcs(&self) -> usize {
        self.funcs.len() - self.imported_funcs as usize
    }

    /// The type of function `index`, if both exist.
    pub fn func_type(&self, index: u32) -> Option<&FuncType> {
        let ty = *self.funcs.get(index as usize)?;
        self.types.get(ty as usize)
    }

    fn read_custom(&mut self, s: &mut Reader<'a>) -> Result<()> {
        let offset = s.offset();
        let name = s.read_name()?;
        let data = s.read_bytes(s.remaining())?;
        if name == "name" {
            let base = offset + (s.data().len() - data.len());
            // A malformed name section is ignored; the module is still valid.
            if let Ok(names) = read_names(Reader::nested(data, base)) {
                self.names = names;
            }
        }
        self.customs.push(CustomSection { name, data, offset });
        Ok(())
    }

    fn read_types(&mut self, s: &mut Reader<'a>) -> Result<()> {
        let count = s.read_count(3, MAX_TYPES, "types")?;
        self.types.reserve(count as usize);
        for _ in 0..count {
            let at = s.offset();
            let form = s.read_u8()?;
            if form != 0x60 {
                return Err(DecodeError::new(at, DecodeErrorKind::MalformedFunctionType(form)));
            }
            let params = read_val_types(s, MAX_FUNCTION_PARAMS, "parameters")?;
            let results = read_val_types(s, MAX_FUNCTION_RESULTS, "results")?;
            self.types.push(FuncType::new(&params, &results));
        }
        Ok(())
    }

    fn read_imports(&mut self, s: &mut Reader<'a>) -> Result<()> {
        let count = s.read_count(4, MAX_IMPORTS, "imports")?;
        self.imports.reserve(count as usize);
        for _ in 0..count {
            let offset = s.offset();
            let module = s.read_name()?;
            let name = s.read_name()?;
            let at = s.offset();
            let desc = match s.read_u8()? {
                0x00 => {
                    self.func_type_offsets.push(s.offset());
                    let ty = s.read_u32()?;
                    self.funcs.push(ty);
                    self.imported_funcs += 1;
                    ImportDesc::Func(ty)
                }
                0x01 => {
                    let (ty, limits_offset) = read_table_type(s)?;
                    self.tables.push(ty);
                    self.table_limits_offsets.push(limits_offset);
                    self.imported_tables += 1;
                    ImportDesc::Table(ty)
                }
                0x02 => {
                    self.memory_limits_offsets.push(s.offset());
                    let ty = read_memory_type(s)?;
                    self.memories.push(ty);
                    self.imported_memories += 1;
                    ImportDesc::Memory(ty)
                }
                0x03 => {
                    let ty = read_global_type(s)?;
                    self.globals.push(ty);
                    self.imported_globals += 1;
                    ImportDesc::Global(ty)
                }
                kind => return Err(DecodeError::new(at, DecodeErrorKind::MalformedImportKind(kind))),
            };
            self.imports.push(Import { module, name, desc, offset });
        }
        Ok(())
    }

    fn read_exports(&mut self, s: &mut Reader<'a>) -> Result<()> {
        let count = s.read_count(3, MAX_EXPORTS, "exports")?;
        self.exports.reserve(count as usize);
        for _ in 0..count {
            let offset = s.offset();
            let name = s.read_name()?;
            let at = s.offset();
            let kind = match s.read_u8()? {
                0x00 => ExternKind::Func,
                0x01 => ExternKind::Table,
                0x02 => ExternKind::Memory,
                0x03 => ExternKind::Global,
                kind => return Err(DecodeError::new(at, DecodeErrorKind::MalformedExportKind(kind))),
            };
            let index_offset = s.offset();
            let index = s.read_u32()?;
            self.exports.push(Export { name, kind, index, offset, index_offset });
        }
        Ok(())
    }

    fn read_elements(&mut self, s: &mut Reader<'a>) -> Result<()> {
        let count = s.read_count(2, MAX_ELEMENT_SEGMENTS, "element segments")?;
        self.elements.reserve(count as usize);
        for _ in 0..count {
            let offset = s.offset();
            let flags = s.read_u32()?;
            if flags > 7 {
                return Err(DecodeError::new(offset, DecodeErrorKind::MalformedElementKind(flags)));
            }
            let passive_or_declarative = flags & 0b001 != 0;
            let explicit_table = flags & 0b010 != 0;
            let uses_exprs = flags & 0b100 != 0;
            let mut table_offset = offset;
            let mode = if passive_or_declarative {
                if explicit_table { ElementMode::Declarative } else { ElementMode::Passive }
            } else {
                let table = if explicit_table {
                    table_offset = s.offset();
                    s.read_u32()?
                } else {
                    0
                };
                ElementMode::Active { table, offset: read_const_expr(s)? }
            };
            // Flags 0 and 4 imply funcref; the others name the kind or type.
            let has_type = passive_or_declarative || explicit_table;
            let ty = match (has_type, uses_exprs) {
                (false, _) => RefType::FuncRef,
                (true, true) => s.read_ref_type()?,
                (true, false) => {
                    let at = s.offset();
                    match s.read_u8()? {
                        0x00 => RefType::FuncRef,
                        kind => return Err(DecodeError::new(at, DecodeErrorKind::MalformedElemKind(kind))),
                    }
                }
            };
            let mut func_offsets = Vec::new();
            let items = if uses_exprs {
                // An expression of only `end` is one byte: well formed, though invalid.
                let n = s.read_count(1, MAX_ELEMENT_ITEMS, "elements in a segment")?;
                let mut exprs = Vec::with_capacity(n as usize);
                for _ in 0..n {
                    exprs.push(read_const_expr(s)?);
                }
                ElementItems::Exprs(exprs)
            } else {
                let n = s.read_count(1, MAX_ELEMENT_ITEMS, "elements in a segment")?;
                let mut funcs = Vec::with_capacity(n as usize);
                func_offsets.reserve(n as usize);
                for _ in 0..n {
                    func_offsets.push(s.offset());
                    funcs.push(s.read_u32()?);
                }
                ElementItems::Funcs(funcs)
            };
            self.elements.push(Element { mode, ty, items, offset, table_offset, func_offsets });
        }
        Ok(())
    }

    fn read_code(&mut self, s: &mut Reader<'a>, func_count: u32) -> Result<()> {
        let count_at = s.offset();
        let count = s.read_count(2, MAX_FUNCTIONS, "function bodies")?;
        if count != func_count {
            return Err(DecodeError::new(count_at, DecodeErrorKind::FunctionAndCodeInconsistent));
        }
        self.bodies.reserve(count as usize);
        let mut module_locals: u64 = 0;
        for _ in 0..count {
            let body = FuncBody::read(s)?;
            module_locals += u64::from(body.local_count);
            if module_locals > MAX_MODULE_LOCALS {
                let kind = DecodeErrorKind::LimitExceeded {
                    what: "locals in all functions",
                    limit: MAX_MODULE_LOCALS as usize,
                };
                return Err(DecodeError::new(body.offset, kind));
            }
            self.bodies.push(body);
        }
        Ok(())
    }

    fn read_data(&mut self, s: &mut Reader<'a>) -> Result<()> {
        let count_at = s.offset();
        let count = s.read_count(2, MAX_DATA_SEGMENTS, "data segments")?;
        if self.data_count.is_some_and(|declared| declared != count) {
            return Err(DecodeError::new(count_at, DecodeErrorKind::DataCountAndDataInconsistent));
        }
        self.data.reserve(count as usize);
        for _ in 0..count {
            let offset = s.offset();
            let mut memory_offset = offset;
            let mode = match s.read_u32()? {
                0 => DataMode::Active { memory: 0, offset: read_const_expr(s)? },
                1 => DataMode::Passive,
                2 => {
                    memory_offset = s.offset();
                    let memory = s.read_u32()?;
                    DataMode::Active { memory, offset: read_const_expr(s)? }
                }
                kind => return Err(DecodeError::new(offset, DecodeErrorKind::MalformedDataKind(kind))),
            };
            let bytes = s.read_byte_vec()?;
            self.data.push(Data { mode, bytes, offset, memory_offset });
        }
        Ok(())
    }
}

fn read_val_types(s: &mut Reader<'_>, limit: usize, what: &'static str) -> Result<Vec<ValType>> {
    let count = s.read_count(1, limit, what)?;
    let mut types = Vec::with_capacity(count as usize);
    for _ in 0..count {
        types.push(s.read_val_type()?);
    }
    Ok(types)
}

/// The limits of a memory or table, and the type of its addresses or indices: 64-bit
/// ones (flags 4 and 5) under memory64, whose limits are 64-bit numbers.
fn read_limits(s: &mut Reader<'_>) -> Result<(IndexType, Limits)> {
    let at = s.offset();
    let flags = s.read_u8()?;
    let index_type = match flags {
        0x00 | 0x01 => IndexType::I32,
        0x04 | 0x05 if s.features().allows(Proposal::Memory64) => IndexType::I64,
        _ => return Err(DecodeError::new(at, DecodeErrorKind::MalformedLimitsFlags(flags))),
    };
    // 3.0 encodes the limits of every memory and table in 64 bits (the validator
    // bounds them by the index type); 2.0 in 32.
    let wide = s.features().allows(Proposal::Memory64);
    let mut read = || if wide { s.read_u64() } else { s.read_u32().map(u64::from) };
    let min = read()?;
    let max = if flags & 1 != 0 { Some(read()?) } else { None };
    Ok((index_type, Limits { min, max }))
}

fn read_memory_type(s: &mut Reader<'_>) -> Result<MemoryType> {
    let (index_type, limits) = read_limits(s)?;
    Ok(MemoryType { index_type, limits })
}

/// A table type, and where its limits are.
fn read_table_type(s: &mut Reader<'_>) -> Result<(TableType, usize)> {
    let elem = s.read_ref_type()?;
    let limits_offset = s.offset();
    let (index_type, limits) = read_limits(s)?;
    Ok((TableType { elem, index_type, limits }, limits_offset))
}

fn read_global_type(s: &mut Reader<'_>) -> Result<GlobalType> {
    let content = s.read_val_type()?;
    let at = s.offset();
    let mutable = match s.read_u8()? {
        0 => false,
        1 => true,
        m => return Err(DecodeError::new(at, DecodeErrorKind::MalformedMutability(m))),
    };
    Ok(GlobalType { content, mutable })
}

/// Reads instructions up to the first `end`; the validator checks that only constant
/// instructions appear.
fn read_const_expr<'a>(s: &mut Reader<'a>) -> Result<ConstExpr<'a>> {
    let start = s.position();
    let offset = s.offset();
    loop {
        let (op, _) = s.read_instr()?;
        if op == Opcode::End {
            break;
        }
    }
    Ok(ConstExpr { code: &s.data()[start..s.position()], offset })
}

fn read_names(mut r: Reader<'_>) -> Result<Names<'_>> {
    let mut names = Names::default();
    let mut last_id = None;
    while !r.eof() {
        let id = r.read_u8()?;
        if last_id.is_some_and(|last| id <= last) {
            return Err(r.error(DecodeErrorKind::UnexpectedContentAfterLastSection));
        }
        last_id = Some(id);
        let mut sub = r.read_sized()?;
        match id {
            0 => names.module = Some(sub.read_name()?),
            1 => {
                let count = sub.read_count(2, MAX_FUNCTIONS, "function names")?;
                names.funcs.reserve(count as usize);
                for _ in 0..count {
                    let index = sub.read_u32()?;
                    let name = sub.read_name()?;
                    if names.funcs.last().is_some_and(|&(last, _)| index <= last) {
                        return Err(sub.error(DecodeErrorKind::UnexpectedContentAfterLastSection));
                    }
                    names.funcs.push((index, name));
                }
            }
            // Local, label and other names are not used yet.
            _ => {}
        }
    }
    Ok(names)
}
