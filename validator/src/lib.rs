//! stratus-validator: the WebAssembly 2.0 validation rules, and what the in-place
//! interpreter needs to run a function's original bytecode.
//!
//! Owns: type checking of modules and function bodies (the spec's algorithm with an
//! operand stack of types and a control stack), and per function a [`FuncInfo`]: local
//! layout, maximum operand-stack height and the branch [side table](SideEntry).
//! [`FuncValidator`] can also be driven one instruction at a time, so a compiler that
//! walks the bytecode knows each operand's type, and [`frame_shape`] gives the types
//! and side-table position at any pc (what snapshots are written and read by).
//!
//! Does not own: decoding (stratus-decoder), instantiation or execution.

mod context;
mod error;
mod func;
mod module;
mod shape;
mod side_table;

pub use context::{ModuleContext, RefFacts};
pub use error::{Error, Expected, ValidationError, ValidationErrorKind};
pub use func::{FuncValidator, FuncValidatorAllocations};
pub use module::{validate, validate_declarations, validate_function, validate_function_with};
pub use shape::{FrameShape, frame_shape};
pub use side_table::{FuncInfo, SideEntry, side_table_entries};

use stratus_decoder::Module;

/// What validation produced for a module: one [`FuncInfo`] per defined function.
#[derive(Debug, Clone, Default)]
pub struct ValidatedModule {
    pub funcs: Vec<FuncInfo>,
}

/// Decodes and validates a binary module.
pub fn parse_and_validate(bytes: &[u8]) -> Result<(Module<'_>, ValidatedModule), Error> {
    let module = Module::parse(bytes)?;
    let validated = validate(&module)?;
    Ok((module, validated))
}

#[cfg(test)]
mod tests;
