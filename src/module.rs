//! Modules: decoded and validated once, instantiated any number of times.

use std::path::Path;
use std::sync::Arc;

use stratus_decoder::ExternKind;
use stratus_runtime::{CompiledModule, Validation};

use crate::engine::Engine;
use crate::error::Error;
use crate::externals::ExternType;
use crate::file::read_module_file;

/// A validated module, ready to be instantiated in stores of its engine. Cheap to clone.
#[derive(Clone)]
pub struct Module {
    inner: Arc<ModuleInner>,
}

struct ModuleInner {
    engine: Engine,
    compiled: Arc<CompiledModule>,
}

impl Module {
    /// Decodes and validates a module given in the binary format or the text format.
    /// The content decides, not where it came from: bytes that start with a NUL (as the
    /// `\0asm` magic does, even truncated), or that are not UTF-8, are binary. Text needs
    /// the `wat` feature (on by default); without it, text is
    /// [`Error::TextFormatNotBuilt`].
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module, Error> {
        let bytes = bytes.as_ref();
        match crate::text::as_text(bytes) {
            None => Module::from_binary_bytes(engine, bytes.into(), false),
            Some(text) => Module::from_binary_bytes(engine, crate::text::encode(text)?.into(), true),
        }
    }

    /// Decodes and validates a module in the binary format only.
    pub fn from_binary(engine: &Engine, bytes: &[u8]) -> Result<Module, Error> {
        Module::from_binary_bytes(engine, bytes.into(), false)
    }

    /// Reads a binary or text module from a file, with [`read_module_file`]: a file
    /// that is no module, or is larger than the engine's
    /// [`max_module_file_size`](crate::Config::max_module_file_size), is refused
    /// without being read whole.
    pub fn from_file(engine: &Engine, path: impl AsRef<Path>) -> Result<Module, Error> {
        let bytes = read_module_file(path.as_ref(), engine.config().get_max_module_file_size())?;
        Module::new(engine, bytes)
    }

    fn from_binary_bytes(engine: &Engine, bytes: Box<[u8]>, from_text: bool) -> Result<Module, Error> {
        let validation =
            if engine.config().get_lazy_validation() { Validation::Lazy } else { Validation::Eager };
        let features = engine.config().get_wasm_features();
        let compiled =
            CompiledModule::with_validation(bytes, validation, features).map_err(|error| match error {
                // The module may be valid: this host cannot take it now.
                stratus_validator::Error::Invalid(stratus_validator::ValidationError {
                    kind: stratus_validator::ValidationErrorKind::OutOfMemory(_),
                    offset,
                }) => Error::Resource(format!(
                    "validating the code at offset 0x{offset:x}: {}",
                    error.message()
                )),
                error => Error::InvalidModule { offset: error.offset(), message: error.message(), from_text },
            })?;
        Ok(Module { inner: Arc::new(ModuleInner { engine: engine.clone(), compiled }) })
    }

    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    pub(crate) fn compiled(&self) -> &Arc<CompiledModule> {
        &self.inner.compiled
    }

    /// The module's name from its `name` section, if it has one.
    pub fn name(&self) -> Option<&str> {
        self.inner.compiled.name.as_deref()
    }

    /// The imports, in the order the module declares them.
    pub fn imports(&self) -> impl ExactSizeIterator<Item = ImportType<'_>> + '_ {
        let module = &self.inner.compiled;
        module.imports.iter().map(|import| ImportType {
            module: &import.module,
            name: &import.name,
            ty: ExternType::of_import(&import.desc, &module.types),
        })
    }

    /// The exports, in the order the module declares them.
    pub fn exports(&self) -> impl ExactSizeIterator<Item = ExportType<'_>> + '_ {
        let module = &self.inner.compiled;
        module.exports.iter().map(|export| {
            let i = export.index as usize;
            let ty = match export.kind {
                ExternKind::Func => ExternType::Func(module.func_type(export.index).clone()),
                ExternKind::Table => ExternType::Table(module.tables[i]),
                ExternKind::Memory => ExternType::Memory(module.memories[i]),
                ExternKind::Global => ExternType::Global(module.globals[i]),
            };
            ExportType { name: &export.name, ty }
        })
    }
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module").field("name", &self.name()).finish_non_exhaustive()
    }
}

/// An import of a module: the two-level name and the type expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportType<'a> {
    pub module: &'a str,
    pub name: &'a str,
    pub ty: ExternType,
}

/// An export of a module: its name and type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportType<'a> {
    pub name: &'a str,
    pub ty: ExternType,
}
