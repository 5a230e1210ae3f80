//! The engine: configuration shared by every module and store made with it.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use stratus_runtime::MAX_PAGES;

use crate::error::Error;

/// How functions are executed.
///
/// Only the interpreter exists today. The baseline JIT will add `Jit` (compile every
/// function before it first runs) and `Auto` (interpret first, compile what turns out
/// hot); the enum is `non_exhaustive` so that adding them breaks no `match`.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Default)]
#[non_exhaustive]
pub enum Tier {
    /// The in-place interpreter only.
    #[default]
    Interp,
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Tier::Interp => "interp",
        })
    }
}

impl FromStr for Tier {
    type Err = Error;

    /// Parses the names the command line's `--tier` takes.
    fn from_str(name: &str) -> Result<Tier, Error> {
        match name {
            "interp" => Ok(Tier::Interp),
            "jit" | "auto" => {
                Err(Error::Config(format!("the `{name}` tier needs the JIT, which is not built yet")))
            }
            _ => Err(Error::Config(format!("unknown tier `{name}`: expected interp, jit or auto"))),
        }
    }
}

/// Settings of an [`Engine`]: the execution tier and the resource limits of every store
/// made with it. Setters return `&mut Self`, so they chain.
#[derive(Clone, Debug)]
pub struct Config {
    tier: Tier,
    max_memory_pages: u32,
    max_table_elements: u32,
    max_call_depth: usize,
    value_stack_slots: usize,
    max_reentry_depth: usize,
    lazy_validation: bool,
    consume_fuel: bool,
    max_module_file_size: u64,
}

impl Default for Config {
    fn default() -> Config {
        let limits = stratus_runtime::Limits::default();
        Config {
            tier: Tier::default(),
            max_memory_pages: limits.memory_pages,
            max_table_elements: limits.table_elements,
            max_call_depth: limits.call_depth,
            value_stack_slots: limits.stack_slots,
            max_reentry_depth: 100,
            lazy_validation: false,
            consume_fuel: false,
            max_module_file_size: crate::file::DEFAULT_MAX_MODULE_FILE_SIZE,
        }
    }
}

impl Config {
    pub fn new() -> Config {
        Config::default()
    }

    pub fn tier(&mut self, tier: Tier) -> &mut Config {
        self.tier = tier;
        self
    }

    /// The most 64 KiB pages any memory may have; `memory.grow` past it returns -1,
    /// and a module that asks for more to begin with cannot be instantiated.
    /// At most 65536 (4 GiB), the limit of 32-bit memories.
    pub fn max_memory_pages(&mut self, pages: u32) -> &mut Config {
        self.max_memory_pages = pages;
        self
    }

    /// The most elements any table may have.
    pub fn max_table_elements(&mut self, elements: u32) -> &mut Config {
        self.max_table_elements = elements;
        self
    }

    /// The deepest nesting of WebAssembly calls before the "call stack exhausted" trap.
    pub fn max_call_depth(&mut self, depth: usize) -> &mut Config {
        self.max_call_depth = depth;
        self
    }

    /// The size of each store's value stack, in 64-bit slots (a `v128` takes two).
    /// Running out of it is also "call stack exhausted".
    pub fn value_stack_slots(&mut self, slots: usize) -> &mut Config {
        self.value_stack_slots = slots;
        self
    }

    /// How deeply calls into WebAssembly may nest through host functions (the embedder's
    /// call counts as the first). Each such entry runs on the native stack, unlike
    /// WebAssembly-to-WebAssembly calls, so this bounds native stack use: past it, the
    /// call traps with "call stack exhausted" instead of overflowing the thread's stack.
    /// The default, 100, fits in a 2 MiB thread stack even in debug builds.
    pub fn max_reentry_depth(&mut self, depth: usize) -> &mut Config {
        self.max_reentry_depth = depth;
        self
    }

    /// Validate each function body when it is first called instead of before the
    /// module is accepted (the default, and what the specification requires). A large
    /// module then starts much sooner, since a program rarely calls most of its
    /// functions; but an invalid body is reported only when it is called, as a trap,
    /// and a module with invalid functions that are never called runs. Everything
    /// outside function bodies is still validated up front.
    pub fn lazy_validation(&mut self, lazy: bool) -> &mut Config {
        self.lazy_validation = lazy;
        self
    }

    /// Make WebAssembly code consume fuel: one unit at every function entry and every
    /// loop back-edge (a branch back to a `loop`), nothing for other instructions or for
    /// host functions. A store starts with none ([`crate::Store::set_fuel`] adds it), and
    /// a call that needs more than is left stops there: [`crate::Func::call`] traps
    /// with "all fuel consumed", [`crate::Func::call_resumable`] pauses, to be resumed
    /// once fuel is added. The count depends only on the program and its inputs, so the
    /// same program given the same fuel stops at the same instruction whatever the
    /// tier or the machine.
    pub fn consume_fuel(&mut self, consume: bool) -> &mut Config {
        self.consume_fuel = consume;
        self
    }

    pub fn get_consume_fuel(&self) -> bool {
        self.consume_fuel
    }

    /// The most bytes [`Module::from_file`](crate::Module::from_file) reads; a larger
    /// file is refused before it is read. 1 GiB by default.
    pub fn max_module_file_size(&mut self, bytes: u64) -> &mut Config {
        self.max_module_file_size = bytes;
        self
    }

    pub fn get_max_module_file_size(&self) -> u64 {
        self.max_module_file_size
    }

    pub fn get_lazy_validation(&self) -> bool {
        self.lazy_validation
    }

    pub fn get_tier(&self) -> Tier {
        self.tier
    }

    pub fn get_max_memory_pages(&self) -> u32 {
        self.max_memory_pages
    }

    pub fn get_max_table_elements(&self) -> u32 {
        self.max_table_elements
    }

    pub fn get_max_call_depth(&self) -> usize {
        self.max_call_depth
    }

    pub fn get_value_stack_slots(&self) -> usize {
        self.value_stack_slots
    }

    pub fn get_max_reentry_depth(&self) -> usize {
        self.max_reentry_depth
    }

    fn check(&self) -> Result<(), Error> {
        if self.max_memory_pages > MAX_PAGES {
            return Err(Error::Config(format!(
                "max_memory_pages is {}, but 32-bit memories have at most {MAX_PAGES} pages",
                self.max_memory_pages
            )));
        }
        Ok(())
    }
}

/// The shared context of modules and stores: their configuration now, and the compiled
/// code cache once the JIT exists. Cheap to clone; clones are the same engine.
#[derive(Clone, Debug)]
pub struct Engine {
    inner: Arc<EngineInner>,
}

#[derive(Debug)]
struct EngineInner {
    config: Config,
}

impl Default for Engine {
    fn default() -> Engine {
        Engine { inner: Arc::new(EngineInner { config: Config::default() }) }
    }
}

impl Engine {
    /// An engine with `config`. It fails when the configuration cannot be honoured,
    /// as a JIT tier will be in a build without the JIT.
    pub fn new(config: &Config) -> Result<Engine, Error> {
        config.check()?;
        Ok(Engine { inner: Arc::new(EngineInner { config: config.clone() }) })
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Whether `a` and `b` are the same engine (clones of one another).
    pub fn same(a: &Engine, b: &Engine) -> bool {
        Arc::ptr_eq(&a.inner, &b.inner)
    }
}
