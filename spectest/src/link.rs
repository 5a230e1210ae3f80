//! Resolving a module's imports by (module name, field) against the instances a script
//! registered and the `spectest` host module.
//!
//! Only names are resolved here; whether an import's kind and type fit is the runtime's
//! check during instantiation (its "incompatible import type").

use std::collections::HashMap;
use std::fmt;

use stratus_runtime::{CompiledModule, Extern, Instance};

/// Everything a script made importable, by module name and field name.
#[derive(Default)]
pub(crate) struct Registry {
    modules: HashMap<String, HashMap<String, Extern>>,
}

/// An import no registered module provides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnknownImport {
    pub module: String,
    pub name: String,
}

/// Starts with the reference interpreter's text, which `assert_unlinkable` expects.
impl fmt::Display for UnknownImport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown import {:?} {:?}", self.module, self.name)
    }
}

impl Registry {
    /// Makes `fields` importable as module `name`, replacing what was there.
    pub(crate) fn define(&mut self, name: &str, fields: HashMap<String, Extern>) {
        self.modules.insert(name.to_string(), fields);
    }

    /// `register "name"`: every export of `instance` becomes importable under `name`.
    /// Exports are copied: an instance's exports never change once it exists.
    pub(crate) fn register(&mut self, name: &str, instance: &Instance) {
        let fields = instance
            .module
            .exports
            .iter()
            .filter_map(|export| Some((export.name.clone(), instance.export(&export.name)?)))
            .collect();
        self.define(name, fields);
    }

    /// The externs for `module`'s imports, in order.
    pub(crate) fn resolve(&self, module: &CompiledModule) -> Result<Vec<Extern>, UnknownImport> {
        module
            .imports
            .iter()
            .map(|import| {
                self.modules
                    .get(&import.module)
                    .and_then(|fields| fields.get(&import.name))
                    .copied()
                    .ok_or_else(|| UnknownImport { module: import.module.clone(), name: import.name.clone() })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stratus_runtime::{FuncAddr, GlobalAddr};

    fn module(wat: &str) -> std::sync::Arc<CompiledModule> {
        let bytes = wast::parser::parse::<wast::Wat>(&wast::parser::ParseBuffer::new(wat).unwrap())
            .unwrap()
            .encode()
            .unwrap();
        CompiledModule::new(bytes).unwrap()
    }

    #[test]
    fn resolves_in_import_order_and_names_the_missing_one() {
        let mut registry = Registry::default();
        let fields =
            [("f".to_string(), Extern::Func(FuncAddr(3))), ("g".to_string(), Extern::Global(GlobalAddr(1)))];
        registry.define("m", fields.into_iter().collect());
        let m = module(r#"(module (import "m" "g" (global i32)) (import "m" "f" (func)))"#);
        assert_eq!(registry.resolve(&m), Ok(vec![Extern::Global(GlobalAddr(1)), Extern::Func(FuncAddr(3))]));

        let missing = module(r#"(module (import "m" "f" (func)) (import "m" "h" (func)))"#);
        let error = registry.resolve(&missing).unwrap_err();
        assert_eq!(error, UnknownImport { module: "m".into(), name: "h".into() });
        assert!(error.to_string().starts_with("unknown import"));
        let other_module = module(r#"(module (import "n" "f" (func)))"#);
        assert!(registry.resolve(&other_module).is_err(), "fields belong to their module name");
    }
}
