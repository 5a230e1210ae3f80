//! What function bodies may refer to: the module's index spaces, gathered once.

use stratus_decoder::{
    ElementItems, Features, FuncType, GlobalType, MemoryType, Module, Opcode, RefType, TableType,
};

/// The module-level facts function validation needs. It borrows the module's index
/// spaces, so it can be built over a decoded [`Module`] or over any owner of the same
/// tables (the runtime keeps them to validate function bodies lazily); the facts that
/// take a pass over the module to find are in [`RefFacts`].
#[derive(Debug, Clone, Copy)]
pub struct ModuleContext<'m> {
    pub types: &'m [FuncType],
    /// Type index of every function, imported ones first.
    pub funcs: &'m [u32],
    pub tables: &'m [TableType],
    pub memories: &'m [MemoryType],
    pub globals: &'m [GlobalType],
    pub data_count: Option<u32>,
    pub refs: &'m RefFacts,
    /// The proposals function bodies may use.
    pub features: Features,
}

/// What a module says about references, gathered in one pass over it.
#[derive(Debug, Clone, Default)]
pub struct RefFacts {
    /// The element type of every element segment.
    pub elem_types: Vec<RefType>,
    /// Functions a `ref.func` in code may name: those referenced outside function
    /// bodies (element segments, global initialisers, exports).
    pub declared: Vec<bool>,
}

impl RefFacts {
    pub fn new(module: &Module<'_>) -> RefFacts {
        let mut declared = vec![false; module.funcs.len()];
        let mut declare = |index: u32| {
            if let Some(slot) = declared.get_mut(index as usize) {
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
        RefFacts { elem_types: module.elements.iter().map(|e| e.ty).collect(), declared }
    }
}

impl<'m> ModuleContext<'m> {
    pub fn new(module: &'m Module<'_>, refs: &'m RefFacts) -> Self {
        ModuleContext {
            types: &module.types,
            funcs: &module.funcs,
            tables: &module.tables,
            memories: &module.memories,
            globals: &module.globals,
            data_count: module.data_count,
            refs,
            features: module.features,
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
