//! Implementation limits, checked before anything is allocated so a hostile module
//! cannot make the decoder reserve gigabytes. The figures are the ones the major
//! engines agree on (and wasmparser uses), so modules accepted elsewhere load here.

pub const MAX_TYPES: usize = 1_000_000;
pub const MAX_FUNCTIONS: usize = 1_000_000;
pub const MAX_IMPORTS: usize = 1_000_000;
pub const MAX_EXPORTS: usize = 1_000_000;
pub const MAX_GLOBALS: usize = 1_000_000;
pub const MAX_ELEMENT_SEGMENTS: usize = 100_000;
pub const MAX_DATA_SEGMENTS: usize = 100_000;
pub const MAX_TABLES: usize = 100_000;
pub const MAX_MEMORIES: usize = 100;
pub const MAX_FUNCTION_PARAMS: usize = 1_000;
pub const MAX_FUNCTION_RESULTS: usize = 1_000;
pub const MAX_FUNCTION_SIZE: usize = 7_654_321;
pub const MAX_FUNCTION_LOCALS: u64 = 50_000;
/// Locals declared by all the functions of a module together. Validation expands each
/// function's locals into one entry per local (up to five bytes each), and a local
/// declaration run is a few bytes whatever its count, so without this a module of a few
/// kilobytes could have the validator allocate gigabytes. Fifty million is far above
/// what compilers emit (a few million in the largest modules known).
pub const MAX_MODULE_LOCALS: u64 = 50_000_000;
pub const MAX_BR_TABLE_TARGETS: usize = MAX_FUNCTION_SIZE;
pub const MAX_TABLE_ENTRIES: usize = 10_000_000;
/// Elements in one element segment.
pub const MAX_ELEMENT_ITEMS: usize = MAX_TABLE_ENTRIES;
pub const MAX_NAME_LEN: usize = 100_000;
/// Values at once on the stack of an (extended) constant expression, so that evaluating
/// one at instantiation takes a bounded stack whatever the module's size; real ones hold
/// a handful.
pub const MAX_CONST_EXPR_HEIGHT: usize = 65_536;
