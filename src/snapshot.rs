//! Snapshots: a paused call and its instance, written to bytes that resume it in
//! another store, another process, on another machine (x86-64 or AArch64), in any
//! tier. See [`Snapshot`].

use std::fmt;

use sha2::{Digest, Sha256};
use stratus_runtime::ExternAddr;

use crate::error::Error;
use crate::func::{PausedCall, ResumableCall};
use crate::instance::Instance;
use crate::linker::Linker;
use crate::module::Module;
use crate::store::{AsContext, AsContextMut, StoreId, StoreLimits};
use crate::values::ExternRef;
use crate::{Engine, FrameInfo};

/// A paused call and the state of its instance (memories, globals, tables, dropped
/// segments), the fuel left and the store's limits, in WebAssembly terms: function
/// indices, code offsets and values, no host address and no tier. It carries the
/// module (named by its sha256, so that resuming with another module is refused).
///
/// Made by [`PausedCall::snapshot`]; [`write`](Snapshot::write) and
/// [`read`](Snapshot::read) (or [`to_bytes`](Snapshot::to_bytes) and
/// [`from_bytes`](Snapshot::from_bytes)) give the format of the `stratus-snapshot`
/// crate; [`resume`](Snapshot::resume) goes on where the call stopped.
///
/// ```
/// # #[cfg(feature = "wat")] { // The module is text.
/// use stratus::{Config, Engine, Linker, Module, ResumableCall, Snapshot, Store, Val};
///
/// let engine = Engine::new(Config::new().consume_fuel(true))?;
/// let module = Module::new(&engine, r#"(module (func (export "sum") (param i32) (result i64)
///   (local i64)
///   (loop (local.set 1 (i64.add (local.get 1) (i64.extend_i32_u (local.get 0))))
///         (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
///   (local.get 1)))"#)?;
/// let linker = Linker::new(&engine);
/// let mut store = Store::new(&engine, ());
/// let instance = linker.instantiate(&mut store, &module)?;
/// let sum = instance.get_func(&store, "sum").unwrap();
/// store.set_fuel(500)?;
/// let ResumableCall::Paused(paused) = sum.call_resumable(&mut store, &[Val::I32(1000)])? else {
///     unreachable!("1000 iterations take more than 500 units")
/// };
/// let bytes = paused.snapshot(&store)?.to_bytes();
///
/// // Elsewhere, later: a new store, the same module (carried in the snapshot).
/// let snapshot = Snapshot::from_bytes(&bytes)?;
/// let module = snapshot.module(&engine)?;
/// let mut store = Store::new(&engine, ());
/// let (_instance, paused) = snapshot.restore(&mut store, &linker, &module)?;
/// assert_eq!(store.fuel()?, 0, "the fuel left when the snapshot was taken");
/// store.set_fuel(1_000_000)?;
/// let ResumableCall::Finished(results) = paused.resume(&mut store)? else {
///     unreachable!("enough fuel to finish")
/// };
/// assert_eq!(results, [Val::I64(500_500)]);
/// # }
/// # Ok::<(), stratus::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Snapshot {
    inner: stratus_snapshot::Snapshot,
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("frames", &(self.inner.call.frames.len() + 1))
            .field("slots", &self.inner.call.slots.len())
            .field("memories", &self.inner.memories.len())
            .finish_non_exhaustive()
    }
}

/// A module's identity in a snapshot.
fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn snapshot_error(message: impl fmt::Display) -> Error {
    Error::Snapshot(message.to_string())
}

impl PausedCall {
    /// A snapshot of the call and of its instance, with the module. Refused, saying
    /// why, when something cannot be captured: a live non-null `externref` (see
    /// [`snapshot_with_externrefs`](Self::snapshot_with_externrefs)), a `funcref` to a
    /// function of another instance, or frames of more than one instance.
    pub fn snapshot(&self, store: impl AsContext) -> Result<Snapshot, Error> {
        self.snapshot_with_externrefs(store, |_| None)
    }

    /// [`snapshot`](Self::snapshot), with the embedder's tokens for the host values
    /// live `externref`s name: `token` gives one (`None` refuses the snapshot), and
    /// [`Snapshot::restore_with_externrefs`] maps it back.
    pub fn snapshot_with_externrefs(
        &self,
        store: impl AsContext,
        token: impl FnMut(&ExternRef) -> Option<u64>,
    ) -> Result<Snapshot, Error> {
        let store = store.as_context().0;
        if store.data.id != self.store {
            return Err(Error::StoreMismatch);
        }
        let mut externs = Externs { store: self.store, capture: token, restore: |_| None };
        let mut inner = stratus_exec::capture(store, &self.paused, &mut externs).map_err(snapshot_error)?;
        let stratus_runtime::FuncKind::Wasm { instance, .. } =
            store.funcs[self.paused.func().0 as usize].kind
        else {
            unreachable!("a call that paused runs WebAssembly");
        };
        let bytes = &store.instance(instance).module.bytes;
        inner.module =
            stratus_snapshot::ModuleIdentity { sha256: sha256(bytes), bytes: Some(bytes.to_vec()) };
        Ok(Snapshot { inner })
    }

    /// Whether the call stopped at a loop header (else at a function's entry): the
    /// safepoints where calls pause.
    pub fn at_loop_header(&self) -> bool {
        self.paused.at_loop_header()
    }

    /// Whether the function the call stopped in has compiled code, so that it ran, and
    /// goes on, in the compiler's tier.
    ///
    /// # Panics
    /// If `store` is not the call's store.
    pub fn in_compiled_code(&self, store: impl AsContext) -> bool {
        let store = store.as_context().0;
        assert!(store.data.id == self.store, "PausedCall used with a store it does not belong to");
        self.paused.in_compiled_code(store)
    }

    /// Where the call stopped, innermost frame first, as a trap's backtrace would say.
    ///
    /// # Panics
    /// If `store` is not the call's store.
    pub fn backtrace(&self, store: impl AsContext) -> Vec<FrameInfo> {
        let store = store.as_context().0;
        assert!(store.data.id == self.store, "PausedCall used with a store it does not belong to");
        self.paused.backtrace(store)
    }
}

/// Both ways between the API's `ExternRef`s and an embedder's tokens.
struct Externs<C, R> {
    store: StoreId,
    capture: C,
    restore: R,
}

impl<C, R> stratus_exec::ExternRefs for Externs<C, R>
where
    C: FnMut(&ExternRef) -> Option<u64>,
    R: FnMut(u64) -> Option<ExternRef>,
{
    fn capture(&mut self, addr: ExternAddr) -> Option<u64> {
        (self.capture)(&ExternRef::from_addr(self.store, addr))
    }

    fn restore(&mut self, token: u64) -> Option<ExternAddr> {
        (self.restore)(token).and_then(|r| r.addr_in(self.store).ok())
    }
}

impl Snapshot {
    /// The snapshot in the binary format.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.inner.to_bytes()
    }

    /// Writes the snapshot in the binary format to `out`.
    pub fn write(&self, mut out: impl std::io::Write) -> Result<(), Error> {
        out.write_all(&self.to_bytes()).map_err(|e| snapshot_error(format!("cannot write the snapshot: {e}")))
    }

    /// Reads a snapshot in the binary format from `input`, to its end: as
    /// [`from_bytes`](Self::from_bytes).
    pub fn read(mut input: impl std::io::Read) -> Result<Snapshot, Error> {
        let mut bytes = Vec::new();
        input
            .read_to_end(&mut bytes)
            .map_err(|e| snapshot_error(format!("cannot read the snapshot: {e}")))?;
        Snapshot::from_bytes(&bytes)
    }

    /// Reads a snapshot in the binary format; a truncated, corrupt or foreign one is an
    /// [`Error::Snapshot`] saying what is wrong and at which byte.
    pub fn from_bytes(bytes: &[u8]) -> Result<Snapshot, Error> {
        stratus_snapshot::Snapshot::from_bytes(bytes)
            .map(|inner| Snapshot { inner })
            .map_err(|e| snapshot_error(format!("not a snapshot this Stratus can resume: {e}")))
    }

    /// The sha256 of the module the snapshot was taken of.
    pub fn module_sha256(&self) -> [u8; 32] {
        self.inner.module.sha256
    }

    /// The module the snapshot carries, compiled for `engine`.
    pub fn module(&self, engine: &Engine) -> Result<Module, Error> {
        let bytes = self
            .inner
            .module
            .bytes
            .as_ref()
            .ok_or_else(|| snapshot_error("the snapshot carries no module"))?;
        if sha256(bytes) != self.inner.module.sha256 {
            return Err(snapshot_error("the module the snapshot carries does not have the sha256 it names"));
        }
        Module::from_binary(engine, bytes)
    }

    /// The fuel left when the snapshot was taken, if the store consumed fuel.
    pub fn fuel(&self) -> Option<u64> {
        self.inner.store.fuel
    }

    /// Sets the fuel the snapshot says is left (`None`: the program runs without fuel).
    pub fn set_fuel(&mut self, fuel: Option<u64>) {
        self.inner.store.fuel = fuel;
    }

    /// Whether the store ran the deterministic profile.
    pub fn deterministic(&self) -> bool {
        self.inner.store.deterministic
    }

    /// The limits of the store the call ran in, for the store it resumes in: values
    /// that do not fit this platform are clamped to its largest.
    pub fn limits(&self) -> StoreLimits {
        let l = &self.inner.store.limits;
        let size = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
        StoreLimits {
            memory_pages: u32::try_from(l.memory_pages).unwrap_or(u32::MAX),
            table_elements: u32::try_from(l.table_elements).unwrap_or(u32::MAX),
            total_memory_bytes: size(l.total_memory_bytes),
            total_table_elements: size(l.total_table_elements),
            instances: size(l.instances),
            call_depth: size(l.call_depth),
            value_stack_slots: size(l.stack_slots),
            reentry_depth: size(l.host_reentry),
        }
    }

    /// The memories' sizes and the bytes the snapshot keeps of them (the 4 KiB granules
    /// that are not zero), in memory order.
    pub fn memory_sizes(&self) -> Vec<(u64, u64)> {
        self.inner.memories.iter().map(|m| (m.pages * crate::PAGE_SIZE as u64, m.nonzero_bytes())).collect()
    }

    /// The number of frames of the paused call.
    pub fn frames(&self) -> usize {
        self.inner.call.frames.len() + 1
    }

    /// The guest's WASI state, if the embedder added it.
    #[cfg(feature = "wasi")]
    pub fn wasi(&self) -> Option<&stratus_snapshot::WasiState> {
        self.inner.wasi.as_ref()
    }

    /// Adds (or replaces) the guest's WASI state: `stratus::wasi::snapshot` does.
    #[cfg(feature = "wasi")]
    pub fn set_wasi(&mut self, state: Option<stratus_snapshot::WasiState>) {
        self.inner.wasi = state;
    }

    /// Instantiates `module` in `store` through `linker`, without running its segments
    /// or start function (they ran before the snapshot), sets it to the snapshot's
    /// state and returns it with the paused call, which
    /// [`PausedCall::resume`] continues. A store that consumes fuel gets the
    /// snapshot's fuel left. `module` must be the one the snapshot was taken of
    /// (compiled for any engine, any tier): another is refused.
    pub fn restore<T: 'static>(
        &self,
        store: impl AsContextMut<Data = T>,
        linker: &Linker<T>,
        module: &Module,
    ) -> Result<(Instance, PausedCall), Error> {
        self.restore_with_externrefs(store, linker, module, |_| None)
    }

    /// [`restore`](Self::restore), with the embedder's `ExternRef` for each token
    /// [`PausedCall::snapshot_with_externrefs`] gave.
    pub fn restore_with_externrefs<T: 'static>(
        &self,
        mut store: impl AsContextMut<Data = T>,
        linker: &Linker<T>,
        module: &Module,
        externref: impl FnMut(u64) -> Option<ExternRef>,
    ) -> Result<(Instance, PausedCall), Error> {
        let compiled = module.compiled();
        if sha256(&compiled.bytes) != self.inner.module.sha256 {
            return Err(snapshot_error("the snapshot was taken of another module (its sha256 differs)"));
        }
        let store = store.as_context_mut().0;
        let id = store.data.id;
        let imports = linker.resolve(store, module)?;
        let instance = Instance::instantiate_for_restore(store, module, &imports)?;
        let mut externs = Externs { store: id, capture: |_: &ExternRef| None, restore: externref };
        let paused = stratus_exec::restore(store, instance.addr(), &self.inner, &mut externs)
            .map_err(snapshot_error)?;
        if let (Some(fuel), Some(_)) = (self.inner.store.fuel, store.fuel()) {
            store.set_fuel(Some(fuel));
        }
        Ok((instance, PausedCall::new(paused, id)))
    }

    /// [`restore`](Self::restore), then [`PausedCall::resume`].
    pub fn resume<T: 'static>(
        &self,
        mut store: impl AsContextMut<Data = T>,
        linker: &Linker<T>,
        module: &Module,
    ) -> Result<ResumableCall, Error> {
        let (_, paused) = self.restore(&mut store, linker, module)?;
        paused.resume(store)
    }
}
