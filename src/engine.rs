//! The engine: configuration shared by every module and store made with it.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use stratus_decoder::{Features, Proposal};
use stratus_runtime::{CompilePolicy, GUARD_BYTES, MemoryReservation, TierUpThresholds};

use crate::error::Error;
use crate::store::StoreLimits;

/// How functions are executed.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Default)]
#[non_exhaustive]
pub enum Tier {
    /// The in-place interpreter only.
    Interp,
    /// Tiered, the default: every function starts in the interpreter at once, and
    /// moves to compiled code when it gets hot (see [`Config::tier_up_threshold`]): at
    /// a call, or in the middle of a running loop (on-stack replacement). Where this
    /// build or this CPU has no compiler (see [`Tier::compiles_here`]), the interpreter
    /// runs everything. Unless a [memory reservation](Config::memory_reservation) is
    /// set, memories reserve the whole 4 GiB and a guard where it compiles.
    #[default]
    Auto,
    /// The baseline JIT: every function is compiled before it first runs. Needs a
    /// build with the `jit` feature (on by default); [`Engine::new`] refuses it
    /// otherwise. On a CPU the compiler does not target (it needs x86-64 with SSE4.1 or AArch64;
    /// see [`Tier::compiles_here`]) the interpreter runs everything instead. Unless a
    /// [memory reservation](Config::memory_reservation) is set, memories then reserve
    /// the whole 4 GiB and a guard, so that compiled code needs no bounds checks.
    Jit,
}

/// Why `--tier jit` / [`Tier::Jit`] cannot be had in a build without the JIT.
const JIT_NOT_BUILT: &str = "the `jit` tier is not in this build (built without the `jit` feature)";

impl Tier {
    /// Whether this build has the tier: always for [`Tier::Interp`] and [`Tier::Auto`];
    /// for [`Tier::Jit`], only with the `jit` feature. [`Engine::new`] makes the same
    /// check.
    pub fn check_available(self) -> Result<(), Error> {
        match self {
            Tier::Jit if !cfg!(feature = "jit") => Err(Error::Config(JIT_NOT_BUILT.into())),
            Tier::Interp | Tier::Auto | Tier::Jit => Ok(()),
        }
    }

    /// Whether the tier compiles on this machine: [`Tier::Jit`] and [`Tier::Auto`] in a
    /// build with the JIT on an x86-64 CPU with SSE4.1 or on AArch64. Where it does not, the
    /// interpreter runs its functions.
    pub fn compiles_here(self) -> bool {
        matches!(self, Tier::Jit | Tier::Auto) && stratus_exec::jit_available()
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Tier::Interp => "interp",
            Tier::Auto => "auto",
            Tier::Jit => "jit",
        })
    }
}

impl FromStr for Tier {
    type Err = Error;

    /// Parses the names the command line's `--tier` takes: `interp`, `auto`, and `jit`
    /// in a build with the `jit` feature. Whether the machine can run the JIT is checked
    /// later, by [`Tier::check_available`] and [`Engine::new`].
    fn from_str(name: &str) -> Result<Tier, Error> {
        match name {
            "interp" => Ok(Tier::Interp),
            "auto" => Ok(Tier::Auto),
            "jit" if cfg!(feature = "jit") => Ok(Tier::Jit),
            "jit" => Err(Error::Config(JIT_NOT_BUILT.into())),
            _ => Err(Error::Config(format!("unknown tier `{name}`: expected interp, auto or jit"))),
        }
    }
}

/// The [`Tier::Auto`] default for calls: a function called more often than this (its
/// loops' back-edges counting as calls) is compiled at its next call.
pub const DEFAULT_TIER_UP_CALLS: u32 = 100;
/// The [`Tier::Auto`] default for loops: a running function whose calls and loop
/// back-edges pass this moves to compiled code at its next loop header.
pub const DEFAULT_TIER_UP_BACK_EDGES: u32 = 100;

/// Settings of an [`Engine`]: the execution tier, how linear memories reserve address
/// space, and the resource limits of every store made with it (a store may be given
/// others: [`Store::with_limits`](crate::Store::with_limits)). Setters return
/// `&mut Self`, so they chain.
#[derive(Clone, Debug)]
pub struct Config {
    tier: Tier,
    tier_up: TierUpThresholds,
    limits: StoreLimits,
    /// `None` until set: the default then follows the tier.
    memory_reservation: Option<MemoryReservation>,
    lazy_validation: bool,
    consume_fuel: bool,
    max_module_file_size: u64,
    features: Features,
    deterministic: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            tier: Tier::default(),
            tier_up: TierUpThresholds {
                calls: DEFAULT_TIER_UP_CALLS,
                back_edges: DEFAULT_TIER_UP_BACK_EDGES,
            },
            limits: StoreLimits::default(),
            memory_reservation: None,
            lazy_validation: false,
            consume_fuel: false,
            max_module_file_size: crate::file::DEFAULT_MAX_MODULE_FILE_SIZE,
            features: Features::default(),
            deterministic: false,
        }
    }
}

impl Config {
    pub fn new() -> Config {
        Config::default()
    }

    /// How functions are executed: [`Tier::Auto`] (the default), [`Tier::Interp`] or
    /// [`Tier::Jit`]. [`Engine::new`] fails if this build cannot run the tier (see
    /// [`Tier::check_available`]). Every store of a `Jit` engine compiles each function
    /// before it first runs; one of an `Auto` engine, each function as it gets hot.
    /// Unless [`Config::memory_reservation`] is set, the memories of both reserve
    /// `MemoryReservation::Whole { guard: GUARD_BYTES }` where the tier compiles.
    pub fn tier(&mut self, tier: Tier) -> &mut Config {
        self.tier = tier;
        self
    }

    /// When [`Tier::Auto`] compiles a function: once its heat (the calls to it and the
    /// back-edges of its loops, counted together) exceeds `threshold`, at its next call
    /// or loop back-edge; a loop that is running goes on in compiled code from its
    /// header. 0 compiles each function at its first call. Sets both thresholds of
    /// [`Config::tier_up_thresholds`] (default [`DEFAULT_TIER_UP_CALLS`] and
    /// [`DEFAULT_TIER_UP_BACK_EDGES`]).
    pub fn tier_up_threshold(&mut self, threshold: u32) -> &mut Config {
        self.tier_up_thresholds(threshold, threshold)
    }

    /// The heat past which a call (`calls`) or a loop back-edge (`back_edges`) makes
    /// [`Tier::Auto`] compile a function.
    pub fn tier_up_thresholds(&mut self, calls: u32, back_edges: u32) -> &mut Config {
        self.tier_up = TierUpThresholds { calls, back_edges };
        self
    }

    /// The thresholds of [`Config::tier_up_thresholds`]: calls, back-edges.
    pub fn get_tier_up_thresholds(&self) -> (u32, u32) {
        (self.tier_up.calls, self.tier_up.back_edges)
    }

    /// All the limits of stores at once; the setters below change one each.
    pub fn store_limits(&mut self, limits: StoreLimits) -> &mut Config {
        self.limits = limits;
        self
    }

    /// The most 64 KiB pages any memory may have; `memory.grow` past it returns -1,
    /// and a module that asks for more to begin with cannot be instantiated.
    /// At most 65536 (4 GiB), the limit of 32-bit memories, which is the default.
    pub fn max_memory_pages(&mut self, pages: u32) -> &mut Config {
        self.limits.memory_pages = pages;
        self
    }

    /// The most elements any table may have; 10 million (80 MB) by default.
    pub fn max_table_elements(&mut self, elements: u32) -> &mut Config {
        self.limits.table_elements = elements;
        self
    }

    /// The most bytes of linear memory all the memories of a store may have together;
    /// 4 GiB by default, as much as one memory may have. `memory.grow` past it returns
    /// -1, and instantiating a module whose memory does not fit fails.
    pub fn max_total_memory_bytes(&mut self, bytes: usize) -> &mut Config {
        self.limits.total_memory_bytes = bytes;
        self
    }

    /// The most elements all the tables of a store may have room for together, at 8
    /// bytes of host memory each; 2^26 (512 MiB) by default, so that a hostile module's
    /// tables stay well below 1 GiB. `table.grow` past it returns -1, and instantiating
    /// a module whose tables do not fit fails.
    pub fn max_total_table_elements(&mut self, elements: usize) -> &mut Config {
        self.limits.total_table_elements = elements;
        self
    }

    /// The most instances a store may hold; 10,000 by default.
    pub fn max_instances(&mut self, instances: usize) -> &mut Config {
        self.limits.instances = instances;
        self
    }

    /// The deepest nesting of WebAssembly calls before the "call stack exhausted" trap;
    /// 20,000 by default.
    pub fn max_call_depth(&mut self, depth: usize) -> &mut Config {
        self.limits.call_depth = depth;
        self
    }

    /// The size of each store's value stack, in 64-bit slots (a `v128` takes two);
    /// 2^22 (32 MiB) by default, at most 2^27 (1 GiB). Running out of it is also "call
    /// stack exhausted".
    pub fn value_stack_slots(&mut self, slots: usize) -> &mut Config {
        self.limits.value_stack_slots = slots;
        self
    }

    /// How deeply calls into WebAssembly may nest through host functions (the embedder's
    /// call counts as the first). Each such entry runs on the native stack, unlike
    /// WebAssembly-to-WebAssembly calls, so this bounds native stack use: past it, the
    /// call traps with "call stack exhausted" instead of overflowing the thread's stack.
    /// The default, 100, fits in a 2 MiB thread stack even in debug builds.
    pub fn max_reentry_depth(&mut self, depth: usize) -> &mut Config {
        self.limits.reentry_depth = depth;
        self
    }

    /// How much address space each linear memory reserves. If it is never set, the
    /// default follows the [tier](Config::tier): for [`Tier::Interp`],
    /// `MemoryReservation::Maximum { guard: 0 }`: the most the memory may grow to and no
    /// guard, since the interpreter checks every access; for [`Tier::Jit`],
    /// `MemoryReservation::Whole { guard: GUARD_BYTES }`: the whole 4 GiB and a guard
    /// region, so that compiled code drops its bounds checks (any address plus offset
    /// faults in the guard). A reservation set here is kept whatever the tier; with a
    /// smaller one, compiled code checks bounds explicitly. Reserving less than a
    /// memory's maximum is never asked for, but is what happens when the system has
    /// not the address space: see [`MemoryReservation`].
    ///
    /// [`GUARD_BYTES`]: crate::GUARD_BYTES
    pub fn memory_reservation(&mut self, reservation: MemoryReservation) -> &mut Config {
        self.memory_reservation = Some(reservation);
        self
    }

    /// Lets modules use the tail-call proposal (`return_call`, `return_call_indirect`).
    /// Like every proposal of WebAssembly 3.0 that Stratus implements, it is on by
    /// default; a module that uses a proposal switched off is refused with a message
    /// naming it.
    pub fn wasm_tail_call(&mut self, on: bool) -> &mut Config {
        self.wasm_proposal(Proposal::TailCalls, on)
    }

    /// Lets constant expressions use `i32`/`i64` `add`, `sub` and `mul` (on by default).
    pub fn wasm_extended_const(&mut self, on: bool) -> &mut Config {
        self.wasm_proposal(Proposal::ExtendedConst, on)
    }

    /// Lets modules have several memories (on by default).
    pub fn wasm_multi_memory(&mut self, on: bool) -> &mut Config {
        self.wasm_proposal(Proposal::MultiMemory, on)
    }

    /// Lets modules have memories and tables indexed by `i64` (on by default).
    pub fn wasm_memory64(&mut self, on: bool) -> &mut Config {
        self.wasm_proposal(Proposal::Memory64, on)
    }

    /// Lets modules use the relaxed SIMD instructions (on by default).
    pub fn wasm_relaxed_simd(&mut self, on: bool) -> &mut Config {
        self.wasm_proposal(Proposal::RelaxedSimd, on)
    }

    /// Switches `proposal` on or off. Fails for a proposal Stratus does not implement
    /// switched on, which no module of this engine could then use.
    pub fn wasm_feature(&mut self, proposal: Proposal, on: bool) -> Result<&mut Config, Error> {
        if on && !proposal.is_implemented() {
            return Err(Error::Config(format!("the {proposal} proposal is not supported")));
        }
        Ok(self.wasm_proposal(proposal, on))
    }

    fn wasm_proposal(&mut self, proposal: Proposal, on: bool) -> &mut Config {
        self.features = self.features.with(proposal, on);
        self
    }

    /// All proposals at once: [`Features::WASM2`] runs modules as WebAssembly 2.0 says.
    pub fn wasm_features(&mut self, features: Features) -> &mut Config {
        self.features = features;
        self
    }

    pub fn get_wasm_features(&self) -> Features {
        self.features
    }

    /// Run the spec's deterministic profile: every NaN a float instruction produces is
    /// the positive canonical NaN, and each relaxed SIMD instruction gives the profile's
    /// result, in every tier. A program then gives the same bits on x86-64 and AArch64,
    /// which makes a run reproducible, and movable between machines. Off by default:
    /// canonicalising costs a few instructions after each float operation.
    pub fn deterministic(&mut self, on: bool) -> &mut Config {
        self.deterministic = on;
        self
    }

    pub fn get_deterministic(&self) -> bool {
        self.deterministic
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

    pub fn get_store_limits(&self) -> &StoreLimits {
        &self.limits
    }

    pub fn get_max_memory_pages(&self) -> u32 {
        self.limits.memory_pages
    }

    pub fn get_max_table_elements(&self) -> u32 {
        self.limits.table_elements
    }

    pub fn get_max_total_memory_bytes(&self) -> usize {
        self.limits.total_memory_bytes
    }

    pub fn get_max_total_table_elements(&self) -> usize {
        self.limits.total_table_elements
    }

    pub fn get_max_instances(&self) -> usize {
        self.limits.instances
    }

    pub fn get_max_call_depth(&self) -> usize {
        self.limits.call_depth
    }

    pub fn get_value_stack_slots(&self) -> usize {
        self.limits.value_stack_slots
    }

    pub fn get_max_reentry_depth(&self) -> usize {
        self.limits.reentry_depth
    }

    /// The reservation memories get: the one set with [`Config::memory_reservation`],
    /// or else the default of the tier.
    pub fn get_memory_reservation(&self) -> MemoryReservation {
        match self.memory_reservation {
            Some(reservation) => reservation,
            None if self.tier.compiles_here() => MemoryReservation::Whole { guard: GUARD_BYTES },
            None => MemoryReservation::default(),
        }
    }

    fn check(&self) -> Result<(), Error> {
        self.tier.check_available()?;
        self.limits.check()
    }

    /// When the stores of an engine with this configuration compile their functions,
    /// on this machine.
    pub fn get_compile_policy(&self) -> CompilePolicy {
        match self.tier {
            _ if !self.tier.compiles_here() => CompilePolicy::Never,
            Tier::Interp => CompilePolicy::Never,
            Tier::Auto => CompilePolicy::OnHeat(self.tier_up),
            // Every function, before it first runs.
            Tier::Jit => CompilePolicy::Eager,
        }
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
    /// An engine with `config`. It fails when the configuration cannot be honoured: a
    /// limit out of range, or a tier this build or this machine cannot run
    /// ([`Tier::check_available`]).
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
