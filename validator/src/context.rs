//! What function bodies may refer to: the module's index spaces, gathered once.

use stratus_decoder::{ElementItems, FuncType, GlobalType, Module, Opcode, RefType, TableType};

/// The module-level facts function validation needs, built once per module.
#[derive(Debug)]
pub struct ModuleContext<'m> {
    pub(crate) types: &'m [FuncType],
    pub(crate) funcs: &'m [u32],
    pub(crate) tables: &'m [TableType],
    pub(crate) memories: usize,
    pub(crate) globals: &'m [GlobalType],
    pub(crate) elem_types: Vec<RefType>,
    pub(crate) data_count: Option<u32>,
    /// Functions a `ref.func` in code may name: those referenced outside function
    /// bodies (element segments, global initialisers, exports).
    pub(crate) declared_refs: Vec<bool>,
}

impl<'m> ModuleContext<'m> {
    pub fn new(module: &'m Module<'_>) -> Self {
        let mut declared_refs = vec![false; module.funcs.len()];
        let mut declare = |index: u32| {
            if let Some(slot) = declared_refs.get_mut(index as usize) {
                *slot = true;
            }
        };
        for elem in &module.elements {
            match &elem.items {
                ElementItems::Funcs(funcs) => funcs.iter().for_each(|&f| declare(f)),
                ElementItems::Exprs(exprs) => {
                    for expr in exprs {
                        ref_funcs_in(expr.reader(), &mut declare);
                    }
                }
            }
        }
        for init in &module.global_inits {
            ref_funcs_in(init.reader(), &mut declare);
        }
        for export in &module.exports {
            if export.kind == stratus_decoder::ExternKind::Func {
                declare(export.index);
            }
        }
        ModuleContext {
            types: &module.types,
            funcs: &module.funcs,
            tables: &module.tables,
            memories: module.memories.len(),
            globals: &module.globals,
            elem_types: module.elements.iter().map(|e| e.ty).collect(),
            data_count: module.data_count,
            declared_refs,
        }
    }

    pub(crate) fn func_type(&self, index: u32) -> Option<&'m FuncType> {
        self.types.get(*self.funcs.get(index as usize)? as usize)
    }
}

/// Calls `declare` with every `ref.func` index in a constant expression.
fn ref_funcs_in(mut reader: stratus_decoder::Reader<'_>, declare: &mut impl FnMut(u32)) {
    while let Ok((op, imm)) = reader.read_instr() {
        match (op, imm) {
            (Opcode::RefFunc, stratus_decoder::Imm::Func(index)) => declare(index),
            (Opcode::End, _) => break,
            _ => {}
        }
    }
}
