//! The one error type of the embedding API.

use std::fmt;
use std::path::PathBuf;

use stratus_decoder::{FuncType, ValType};
use stratus_runtime::{FrameInfo, Trap, TrapKind, write_backtrace};

use crate::externals::ExternType;

/// An error a host function hands back through WebAssembly code to the embedder.
pub(crate) type HostError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong in the embedding API. `Display` gives one message for
/// people; the variants carry the details for programs. Traps stay reachable as
/// [`Trap`]s ([`Error::as_trap`]), so callers can match on their [`TrapKind`].
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A module file could not be read.
    Io { path: PathBuf, message: String },
    /// A file starts with neither the binary format's magic number nor text.
    NotAModule { path: PathBuf },
    /// A module file has more bytes than the configured limit.
    FileTooLarge { path: PathBuf, limit: u64 },
    /// The module's bytes are malformed or invalid, at `offset`. When the module came as
    /// text, `offset` is in its binary encoding (the text has no byte offsets).
    InvalidModule { offset: usize, message: String, from_text: bool },
    /// The module text does not parse, at a 1-based line and column.
    Text { line: usize, column: usize, message: String },
    /// A module was given in the text format to a build without the `wat` feature,
    /// which reads binary modules only.
    TextFormatNotBuilt,
    /// The engine configuration cannot be used.
    Config(String),
    /// A module and a store made with different engines were used together.
    EngineMismatch,
    /// A handle was used with a store it does not belong to.
    StoreMismatch,
    /// The linker defines nothing for an import of the module.
    UnknownImport { module: String, name: String, ty: ExternType },
    /// An import was given something of the wrong kind or type; `reason` says what was
    /// expected and what was found.
    IncompatibleImport { module: String, name: String, reason: String },
    /// [`crate::Instance::new`] got a different number of imports than the module has.
    ImportCount { expected: usize, found: usize },
    /// A linker definition would replace an earlier one.
    AlreadyDefined { module: String, name: String },
    /// A memory, table or value stack could not be had within the store's limits.
    Resource(String),
    /// A snapshot could not be taken, read or restored: the reason.
    Snapshot(String),
    /// Instantiation failed while applying segments or running the start function;
    /// the cause is a [`Error::Trap`] or an [`Error::Host`].
    Instantiation(Box<Error>),
    /// Execution trapped.
    Trap(Trap),
    /// A host function failed with `error`; `backtrace` holds the WebAssembly frames it
    /// unwound, innermost first.
    Host { error: HostError, backtrace: Vec<FrameInfo> },
    /// A call got a different number of arguments than the function's type has
    /// parameters.
    ArgumentCount { ty: FuncType, found: usize },
    /// A call got room for a different number of results than the function returns.
    ResultCount { ty: FuncType, found: usize },
    /// Argument `index` of a call has the wrong type.
    ArgumentType { ty: FuncType, index: usize, expected: ValType, found: ValType },
    /// A value of the wrong type was given to a global or table, or a host function
    /// returned one.
    ValueType { context: &'static str, expected: ValType, found: ValType },
    /// A typed view of a function asked for a type the function does not have.
    SignatureMismatch { name: Option<String>, expected: FuncType, found: FuncType },
    /// The instance has no export of this name.
    MissingExport { name: String },
    /// The export exists, but is not of the kind asked for.
    WrongExportKind { name: String, expected: &'static str, found: &'static str },
    /// `Global::set` on an immutable global.
    ImmutableGlobal,
    /// A host access to linear memory past its end.
    MemoryAccess { offset: usize, len: usize, size: usize },
    /// A host access to a table past its end.
    TableAccess { index: u32, size: u32 },
    /// A memory or table could not grow by `delta` (pages or elements) from `size`.
    Grow { what: &'static str, delta: u64, size: u32, max: u32 },
}

impl Error {
    /// An error for a host function to return: WebAssembly execution stops, and the
    /// embedder gets `error` back in an [`Error::Host`], to inspect or
    /// [`downcast`](Error::downcast_ref).
    pub fn host(error: impl Into<HostError>) -> Error {
        Error::Host { error: error.into(), backtrace: Vec::new() }
    }

    /// The trap, if execution trapped (during a call or during instantiation).
    pub fn as_trap(&self) -> Option<&Trap> {
        match self {
            Error::Trap(trap) => Some(trap),
            Error::Instantiation(cause) => cause.as_trap(),
            _ => None,
        }
    }

    pub fn trap_kind(&self) -> Option<&TrapKind> {
        self.as_trap().map(|trap| &trap.kind)
    }

    /// The WebAssembly frames a trap or host error unwound, innermost first.
    pub fn backtrace(&self) -> &[FrameInfo] {
        match self {
            Error::Trap(trap) => &trap.backtrace,
            Error::Host { backtrace, .. } => backtrace,
            Error::Instantiation(cause) => cause.backtrace(),
            _ => &[],
        }
    }

    /// The error a host function failed with, if it is an `E`.
    pub fn downcast_ref<E: std::error::Error + 'static>(&self) -> Option<&E> {
        match self {
            Error::Host { error, .. } => error.downcast_ref(),
            Error::Instantiation(cause) => cause.downcast_ref(),
            _ => None,
        }
    }
}

impl From<Trap> for Error {
    fn from(trap: Trap) -> Error {
        Error::Trap(trap)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, message } => write!(f, "cannot read {}: {message}", path.display()),
            // Said of the file, whose name the caller has; the command line puts it first.
            Error::NotAModule { .. } => f.write_str("not a WebAssembly module (bad magic number)"),
            Error::FileTooLarge { limit, .. } => {
                write!(f, "larger than the limit of {}", crate::file::format_size(*limit))
            }
            Error::InvalidModule { offset, message, from_text } => {
                write!(f, "invalid module at offset 0x{offset:x}: {message}")?;
                if *from_text {
                    f.write_str(" (offset in the binary encoding of the text)")?;
                }
                Ok(())
            }
            Error::Text { line, column, message } => write!(f, "{line}:{column}: {message}"),
            Error::TextFormatNotBuilt => {
                f.write_str("this build reads binary modules only: the text format needs the `wat` feature")
            }
            Error::Config(message) => write!(f, "invalid configuration: {message}"),
            Error::EngineMismatch => {
                f.write_str("the module was compiled with another engine than the store's")
            }
            Error::StoreMismatch => f.write_str("an object was used with a store it does not belong to"),
            Error::UnknownImport { module, name, ty } => {
                write!(f, "unknown import: `{module}::{name}` is not defined (the module expects a {ty})")
            }
            Error::IncompatibleImport { module, name, reason } => {
                write!(f, "incompatible import type for `{module}::{name}`: {reason}")
            }
            Error::ImportCount { expected, found } => {
                write!(f, "the module has {expected} imports, but {found} were given")
            }
            Error::AlreadyDefined { module, name } => {
                write!(f, "`{module}::{name}` is already defined in the linker")
            }
            Error::Resource(message) => write!(f, "out of resources: {message}"),
            Error::Snapshot(message) => write!(f, "snapshot: {message}"),
            Error::Instantiation(cause) => write!(f, "instantiation failed: {cause}"),
            Error::Trap(trap) => write!(f, "wasm trap: {trap}"),
            Error::Host { error, backtrace } => {
                write!(f, "host function failed: {error}")?;
                write_backtrace(f, backtrace)
            }
            Error::ArgumentCount { ty, found } => write!(
                f,
                "the function of type {ty} takes {} argument{}, but {found} {} given",
                ty.params().len(),
                plural(ty.params().len()),
                if *found == 1 { "was" } else { "were" }
            ),
            Error::ResultCount { ty, found } => write!(
                f,
                "the function of type {ty} returns {} result{}, but room for {found} was given",
                ty.results().len(),
                plural(ty.results().len())
            ),
            Error::ArgumentType { ty, index, expected, found } => write!(
                f,
                "argument {index} has the wrong type: expected {expected}, found {found} \
                 (the function's type is {ty})"
            ),
            Error::ValueType { context, expected, found } => {
                write!(f, "{context}: expected a value of type {expected}, found {found}")
            }
            Error::SignatureMismatch { name, expected, found } => {
                f.write_str("function type mismatch")?;
                if let Some(name) = name {
                    write!(f, " for `{name}`")?;
                }
                write!(f, ": expected {expected}, found {found}")
            }
            Error::MissingExport { name } => write!(f, "the instance has no export named `{name}`"),
            Error::WrongExportKind { name, expected, found } => {
                write!(f, "the export `{name}` is a {found}, not a {expected}")
            }
            Error::ImmutableGlobal => f.write_str("cannot set an immutable global"),
            Error::MemoryAccess { offset, len, size } => write!(
                f,
                "out of bounds memory access: {len} byte{} at offset {offset} in a memory of {size} bytes",
                plural(*len)
            ),
            Error::TableAccess { index, size } => {
                write!(f, "out of bounds table access: index {index} in a table of {size} elements")
            }
            Error::Grow { what, delta, size, max } => {
                write!(f, "cannot grow the {what} from {size} by {delta}: its maximum is {max}")
            }
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

// `Display` already tells the whole story, causes included, so there is no `source`:
// chains printed by error reporters would say everything twice.
impl std::error::Error for Error {}
