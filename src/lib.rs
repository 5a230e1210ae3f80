//! Stratus: a WebAssembly runtime. This package is what people use it through: the
//! embedding API below, and the `stratus` command line (`src/cli/`).
//!
//! Owns: the embedding API ([`Engine`], [`Module`], [`Store`], [`Linker`],
//! [`Instance`], [`Func`], [`TypedFunc`], [`Memory`], [`Global`], [`Table`],
//! [`Snapshot`], one [`Error`] type), the command line (with `run --checkpoint` and
//! `resume`), and, with the JIT, the tiering policy (when a function moves from the
//! interpreter to compiled code; [`Tier`] picks it).
//!
//! Does not own: decoding (stratus-decoder), validation (stratus-validator), the store's
//! objects, instantiation and traps (stratus-runtime), executing code, pausing calls
//! and taking their snapshots (stratus-exec, the tiers), the snapshot format
//! (stratus-snapshot), or WASI (stratus-wasi).
//!
//! # Shape
//!
//! ```
//! # #[cfg(feature = "wat")] { // The module is text.
//! use stratus::{Caller, Engine, Linker, Module, Store};
//!
//! let engine = Engine::default();
//! let module = Module::new(&engine, r#"(module
//!     (import "host" "add" (func $add (param i32 i32) (result i32)))
//!     (func (export "run") (param i32) (result i32)
//!       (call $add (local.get 0) (i32.const 1))))"#)?;
//! let mut linker = Linker::new(&engine);
//! linker.func_wrap("host", "add", |mut caller: Caller<'_, u32>, a: i32, b: i32| {
//!     *caller.data_mut() += 1;
//!     a + b
//! })?;
//! let mut store = Store::new(&engine, 0u32);
//! let instance = linker.instantiate(&mut store, &module)?;
//! let run = instance.get_typed_func::<i32, i32>(&store, "run")?;
//! assert_eq!(run.call(&mut store, 41)?, 42);
//! assert_eq!(*store.data(), 1);
//! # }
//! # Ok::<(), stratus::Error>(())
//! ```
//!
//! Objects in a store are used through handles (`Func`, `Memory`, ...) that are `Copy`
//! and only valid with their store. Every function that touches a store takes it as an
//! [`AsContext`] or [`AsContextMut`]: `&store`/`&mut store` from the embedder, or
//! `&caller`/`&mut caller` inside a host function, which is how host functions read the
//! caller's memory and call back into WebAssembly. A handle given to another store is an
//! [`Error::StoreMismatch`] where the function returns a `Result`, and a panic in the
//! few plain accessors (`Memory::size`, `Func::ty`, ...).
//!
//! Nothing here is `unsafe`: linear memory is reached through bounds-checked slices.
//!
//! # Cargo features
//!
//! All on by default:
//!
//! - `wasi`: WASI preview1, in `stratus::wasi` and for the programs `stratus run` runs.
//! - `jit`: the baseline compiler for the host's architecture, [`Tier::Jit`].
//! - `wat`: the text format, in [`Module::new`] and [`text::encode`]; without it they
//!   refuse text with [`Error::TextFormatNotBuilt`].
//! - `spectest`: the `stratus spectest` command.
//!
//! `--no-default-features --features wasi` is the interpreter-only build, with no
//! compiler code in it; `--no-default-features` the smallest, which runs binary
//! modules in the interpreter.

mod engine;
mod error;
mod externals;
mod file;
mod func;
mod global;
mod host;
mod instance;
mod linker;
mod memory;
mod module;
#[cfg(test)]
#[path = "../exec/tests/support/require_jit.rs"]
mod require_jit;
mod snapshot;
mod store;
mod table;
pub mod text;
mod typed;
mod values;
#[cfg(feature = "wasi")]
pub mod wasi;

pub use engine::{Config, DEFAULT_TIER_UP_BACK_EDGES, DEFAULT_TIER_UP_CALLS, Engine, Tier};
pub use error::Error;
pub use externals::{Extern, ExternType};
pub use file::{DEFAULT_MAX_MODULE_FILE_SIZE, read_module_file};
pub use func::{Func, PausedCall, ResumableCall};
pub use global::Global;
pub use host::{Caller, HostReturn, IntoFunc, WithCaller};
pub use instance::Instance;
pub use linker::Linker;
pub use memory::Memory;
pub use module::{ExportType, ImportType, Module};
pub use snapshot::Snapshot;
pub use store::{
    AsContext, AsContextMut, DeclinedFunction, Store, StoreContext, StoreContextMut, StoreLimits, TierStats,
};
pub use table::Table;
pub use typed::{TypedFunc, WasmTy, WasmValues};
pub use values::{ExternRef, Val};

pub use stratus_decoder::{
    Features, FuncType, GlobalType, IndexType, Limits, MemoryType, Proposal, RefType, TableType, ValType,
};
pub use stratus_exec::PauseReason;
pub use stratus_runtime::{
    CompilePolicy, FrameInfo, GUARD_BYTES, InterruptHandle, Interruption, MAX_PAGES, MemoryReservation,
    PAGE_SIZE, TierUpThresholds, Trap, TrapKind, write_backtrace,
};
