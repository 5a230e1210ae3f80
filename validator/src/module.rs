//! Module-level validation: index spaces, limits, constant expressions, segments,
//! exports and start, and every function body.

use std::collections::HashSet;

use stratus_decoder::{
    ConstExpr, DataMode, ElementItems, ElementMode, ExternKind, GlobalType, Imm, ImmKind, IndexType, Limits,
    Module, Opcode, Proposal, ValType,
};

use crate::ValidatedModule;
use crate::context::{ModuleContext, RefFacts};
use crate::error::{Error, Expected, ValidationError, ValidationErrorKind as Kind};
use crate::func::{FuncValidator, FuncValidatorAllocations};
use crate::side_table::FuncInfo;

/// The most pages a 32-bit memory can have (4 GiB), and a 64-bit one (2^64 bytes).
const MAX_PAGES: u64 = 1 << 16;
const MAX_PAGES_64: u64 = 1 << 48;

/// Validates a decoded module, and every function body in it.
pub fn validate(module: &Module<'_>) -> Result<ValidatedModule, Error> {
    let refs = validate_declarations(module)?;
    let ctx = ModuleContext::new(module, &refs);
    let mut funcs = Vec::with_capacity(module.bodies.len());
    // One set of working buffers for all the bodies.
    let mut allocations = FuncValidatorAllocations::default();
    for (i, body) in module.bodies.iter().enumerate() {
        let type_index = module.funcs[module.imported_funcs as usize + i];
        let (info, recycled) = validate_function_with(&ctx, type_index, body, allocations)?;
        allocations = recycled;
        funcs.push(info);
    }
    Ok(ValidatedModule { funcs })
}

/// Validates everything but the function bodies, and returns what validating those
/// needs besides the module's index spaces. With [`validate_function`] on each body
/// this is [`validate`]; a runtime may instead validate each body when it is first
/// called, which starts a large module much sooner.
pub fn validate_declarations(module: &Module<'_>) -> Result<RefFacts, Error> {
    check_declarations(module)?;
    let refs = RefFacts::new(module);
    check_segments(module, &ModuleContext::new(module, &refs))?;
    Ok(refs)
}

/// Validates one function body of type `type_index`.
pub fn validate_function(
    ctx: &ModuleContext<'_>,
    type_index: u32,
    body: &stratus_decoder::FuncBody<'_>,
) -> Result<FuncInfo, Error> {
    validate_function_with(ctx, type_index, body, FuncValidatorAllocations::default()).map(|(info, _)| info)
}

/// [`validate_function`] in the buffers left from another function, giving them back.
pub fn validate_function_with(
    ctx: &ModuleContext<'_>,
    type_index: u32,
    body: &stratus_decoder::FuncBody<'_>,
    allocations: FuncValidatorAllocations,
) -> Result<(FuncInfo, FuncValidatorAllocations), Error> {
    let mut validator = FuncValidator::with_allocations(ctx, type_index, body, allocations)?;
    let mut reader = body.reader().with_features(ctx.features);
    while !validator.is_done() {
        let pc = reader.position();
        let op = reader.read_opcode()?;
        // Read the immediates and check the instruction in one arm per common shape of
        // immediates: `read_imm` and `visit_open` are inlined, so each arm reads only its
        // shape and checks only the instructions that have it, instead of building an
        // `Imm` of any shape and matching on it again. (The loop condition checked that
        // a frame is open.)
        macro_rules! read_and_visit {
            ($kind:expr) => {{
                let imm = reader.read_imm($kind)?;
                validator.visit_open(pc, reader.position(), op, &imm)?;
            }};
        }
        match op.imm_kind() {
            ImmKind::None => read_and_visit!(ImmKind::None),
            ImmKind::Local => read_and_visit!(ImmKind::Local),
            ImmKind::I32 => read_and_visit!(ImmKind::I32),
            ImmKind::Label => read_and_visit!(ImmKind::Label),
            ImmKind::Block => read_and_visit!(ImmKind::Block),
            ImmKind::Func => read_and_visit!(ImmKind::Func),
            ImmKind::Global => read_and_visit!(ImmKind::Global),
            ImmKind::I64 => read_and_visit!(ImmKind::I64),
            kind @ ImmKind::MemArg { .. } => read_and_visit!(kind),
            kind => read_and_visit!(kind),
        }
    }
    if !reader.eof() {
        let kind = Kind::OperatorsAfterEnd;
        return Err(ValidationError { offset: reader.offset(), kind }.into());
    }
    validator.finish_and_recycle()
}

fn invalid(offset: usize, kind: Kind) -> Error {
    Error::Invalid(ValidationError { offset, kind })
}

/// Types, imports, functions, tables, memories, globals, exports and start.
fn check_declarations(module: &Module<'_>) -> Result<(), Error> {
    let type_count = module.types.len() as u32;
    let check_type = |index: u32, offset: usize| {
        if index >= type_count {
            return Err(invalid(offset, Kind::Unknown { what: "type", index }));
        }
        Ok(())
    };
    // Imported functions, tables and memories come first in their index spaces, so
    // these check the imports first, each at the byte of the type index or limits.
    for (i, &ty) in module.funcs.iter().enumerate() {
        check_type(ty, offset_at(&module.func_type_offsets, i))?;
    }
    for (i, table) in module.tables.iter().enumerate() {
        let offset = offset_at(&module.table_limits_offsets, i);
        let bound = match table.index_type {
            IndexType::I32 => u32::MAX.into(),
            IndexType::I64 => u64::MAX,
        };
        check_limits(table.limits, bound, Kind::TableSizeTooLarge(table.index_type), offset)?;
    }
    for (i, memory) in module.memories.iter().enumerate() {
        let offset = offset_at(&module.memory_limits_offsets, i);
        let bound = match memory.index_type {
            IndexType::I32 => MAX_PAGES,
            IndexType::I64 => MAX_PAGES_64,
        };
        check_limits(memory.limits, bound, Kind::MemorySizeTooLarge(memory.index_type), offset)?;
    }
    if module.memories.len() > 1 && !module.features.allows(Proposal::MultiMemory) {
        return Err(invalid(offset_at(&module.memory_limits_offsets, 1), Kind::MultipleMemories));
    }
    // Initialisers see the imported globals, and in 3.0 the globals defined before.
    let imported = module.imported_globals as usize;
    for (i, (global, init)) in module.globals[imported..].iter().zip(&module.global_inits).enumerate() {
        check_const_expr(
            module,
            &module.globals[..visible_globals(module, imported + i)],
            init,
            global.content,
        )?;
    }
    let mut names = HashSet::with_capacity(module.exports.len());
    for export in &module.exports {
        if !names.insert(export.name) {
            return Err(invalid(export.offset, Kind::DuplicateExportName(export.name.to_string())));
        }
        let (count, what) = match export.kind {
            ExternKind::Func => (module.funcs.len(), "function"),
            ExternKind::Table => (module.tables.len(), "table"),
            ExternKind::Memory => (module.memories.len(), "memory"),
            ExternKind::Global => (module.globals.len(), "global"),
        };
        if export.index as usize >= count {
            return Err(invalid(export.index_offset, Kind::Unknown { what, index: export.index }));
        }
    }
    if let Some(start) = module.start {
        let ty = module.func_type(start.func);
        let ty =
            ty.ok_or_else(|| invalid(start.offset, Kind::Unknown { what: "function", index: start.func }))?;
        if !ty.params().is_empty() || !ty.results().is_empty() {
            return Err(invalid(start.offset, Kind::StartFunctionType));
        }
    }
    Ok(())
}

/// How many globals a constant expression placed after the first `defined_before`
/// globals may read: in 2.0, the imported ones; in 3.0 (which Stratus switches with
/// extended constant expressions), all of those before it.
fn visible_globals(module: &Module<'_>, defined_before: usize) -> usize {
    if module.features.allows(Proposal::ExtendedConst) {
        defined_before
    } else {
        module.imported_globals as usize
    }
}

/// Entry `i` of a table of offsets. A module built other than by the decoder may have
/// left the table short: its errors point at the start of the module rather than
/// going unreported.
fn offset_at(offsets: &[usize], i: usize) -> usize {
    offsets.get(i).copied().unwrap_or(0)
}

fn check_limits(limits: Limits, bound: u64, too_large: Kind, offset: usize) -> Result<(), Error> {
    if limits.min > bound || limits.max.is_some_and(|max| max > bound) {
        return Err(invalid(offset, too_large));
    }
    if limits.max.is_some_and(|max| limits.min > max) {
        return Err(invalid(offset, Kind::MinGreaterThanMax));
    }
    Ok(())
}

/// Element and data segments.
fn check_segments(module: &Module<'_>, ctx: &ModuleContext<'_>) -> Result<(), Error> {
    let globals = &module.globals[..visible_globals(module, module.globals.len())];
    for elem in &module.elements {
        if let ElementMode::Active { table, offset } = &elem.mode {
            let table_ty = module.tables.get(*table as usize);
            let table_ty = table_ty
                .ok_or_else(|| invalid(elem.table_offset, Kind::Unknown { what: "table", index: *table }))?;
            check_const_expr(module, globals, offset, table_ty.index_type.val_type())?;
            if table_ty.elem != elem.ty {
                let kind = Kind::TypeMismatch {
                    expected: Expected::Type(table_ty.elem.into()),
                    found: Some(elem.ty.into()),
                };
                return Err(invalid(elem.offset, kind));
            }
        }
        match &elem.items {
            ElementItems::Funcs(funcs) => {
                if let Some(i) = funcs.iter().position(|&f| f as usize >= module.funcs.len()) {
                    let kind = Kind::Unknown { what: "function", index: funcs[i] };
                    return Err(invalid(offset_at(&elem.func_offsets, i), kind));
                }
            }
            ElementItems::Exprs(exprs) => {
                for expr in exprs {
                    check_const_expr(module, globals, expr, elem.ty.into())?;
                }
            }
        }
    }
    for data in &module.data {
        if let DataMode::Active { memory, offset } = &data.mode {
            let Some(memory_ty) = ctx.memories.get(*memory as usize) else {
                return Err(invalid(data.memory_offset, Kind::Unknown { what: "memory", index: *memory }));
            };
            check_const_expr(module, globals, offset, memory_ty.index_type.val_type())?;
        }
    }
    Ok(())
}

/// The two operands of a binary operator on `ty` in a constant expression, popped;
/// returns the result's type.
fn pop_pair(stack: &mut Vec<ValType>, ty: ValType, offset: usize) -> Result<ValType, Error> {
    for _ in 0..2 {
        match stack.pop() {
            Some(found) if found == ty => {}
            found => return Err(invalid(offset, Kind::TypeMismatch { expected: Expected::Type(ty), found })),
        }
    }
    Ok(ty)
}

/// A constant expression: constants, `ref.null`, `ref.func` and `global.get` of an
/// immutable global it may see, producing exactly one value of type `expected`.
fn check_const_expr(
    module: &Module<'_>,
    globals: &[GlobalType],
    expr: &ConstExpr<'_>,
    expected: ValType,
) -> Result<(), Error> {
    let mut reader = expr.reader().with_features(module.features);
    let extended = module.features.allows(Proposal::ExtendedConst);
    let mut stack: Vec<ValType> = Vec::new();
    loop {
        let offset = reader.offset();
        let (op, imm) = reader.read_instr()?;
        let ty = match (op, imm) {
            (Opcode::End, _) => break,
            (Opcode::I32Const, _) => ValType::I32,
            (Opcode::I64Const, _) => ValType::I64,
            (Opcode::F32Const, _) => ValType::F32,
            (Opcode::F64Const, _) => ValType::F64,
            (Opcode::V128Const, _) => ValType::V128,
            (Opcode::RefNull, Imm::RefType(t)) => t.into(),
            (Opcode::RefFunc, Imm::Func(index)) => {
                if index as usize >= module.funcs.len() {
                    return Err(invalid(offset, Kind::Unknown { what: "function", index }));
                }
                ValType::FuncRef
            }
            (Opcode::GlobalGet, Imm::Global(index)) => {
                let global = globals.get(index as usize);
                let global =
                    global.ok_or_else(|| invalid(offset, Kind::Unknown { what: "global", index }))?;
                if global.mutable {
                    return Err(invalid(offset, Kind::ConstantExpressionRequired));
                }
                global.content
            }
            // Extended constant expressions (Wasm 3.0).
            (Opcode::I32Add | Opcode::I32Sub | Opcode::I32Mul, _) if extended => {
                pop_pair(&mut stack, ValType::I32, offset)?
            }
            (Opcode::I64Add | Opcode::I64Sub | Opcode::I64Mul, _) if extended => {
                pop_pair(&mut stack, ValType::I64, offset)?
            }
            (
                Opcode::I32Add
                | Opcode::I32Sub
                | Opcode::I32Mul
                | Opcode::I64Add
                | Opcode::I64Sub
                | Opcode::I64Mul,
                _,
            ) => {
                return Err(invalid(offset, Kind::ExtendedConstDisabled));
            }
            _ => return Err(invalid(offset, Kind::ConstantExpressionRequired)),
        };
        if stack.len() == stratus_decoder::limits::MAX_CONST_EXPR_HEIGHT {
            return Err(invalid(offset, Kind::ConstantExpressionTooDeep));
        }
        stack.push(ty);
    }
    match stack.as_slice() {
        [ty] if *ty == expected => Ok(()),
        [ty] => Err(invalid(
            expr.offset,
            Kind::TypeMismatch { expected: Expected::Type(expected), found: Some(*ty) },
        )),
        [] => {
            Err(invalid(expr.offset, Kind::TypeMismatch { expected: Expected::Type(expected), found: None }))
        }
        many => Err(invalid(expr.offset, Kind::StackHeightMismatch { expected: 1, found: many.len() })),
    }
}
