//! Linear memories, seen from the host.

use stratus_decoder::{IndexType, Limits, MemoryType};
use stratus_runtime::{GrowError, MAX_PAGES, MemAddr, PAGE_SIZE};

use crate::error::Error;
use crate::store::{AsContext, AsContextMut, RtStore, StoreId};

type RtMemory = stratus_runtime::Memory;

/// A linear memory in a store. A handle; copies name the same memory.
///
/// Accessors that cannot fail otherwise (`size`, `data`, ...) panic when given a store
/// the memory does not belong to; the others return [`Error::StoreMismatch`].
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct Memory {
    store: StoreId,
    addr: MemAddr,
}

impl Memory {
    pub(crate) fn from_addr(store: StoreId, addr: MemAddr) -> Memory {
        Memory { store, addr }
    }

    pub(crate) fn addr_in(&self, store: StoreId) -> Result<MemAddr, Error> {
        if self.store == store { Ok(self.addr) } else { Err(Error::StoreMismatch) }
    }

    /// A new memory of type `ty`, `ty.limits.min` pages large, to import into modules.
    pub fn new(mut store: impl AsContextMut, ty: MemoryType) -> Result<Memory, Error> {
        let store = store.as_context_mut().0;
        check_memory_type(ty, store.limits.memory_pages)?;
        let addr = store.new_memory(ty).map_err(Error::Resource)?;
        Ok(Memory { store: store.data.id, addr })
    }

    fn get<'a, T>(&self, store: &'a RtStore<T>) -> &'a RtMemory {
        let addr = self.addr_in(store.data.id).expect("Memory used with a store it does not belong to");
        &store.memories[addr.0 as usize]
    }

    fn get_mut<'a, T>(&self, store: &'a mut RtStore<T>) -> &'a mut RtMemory {
        let addr = self.addr_in(store.data.id).expect("Memory used with a store it does not belong to");
        &mut store.memories[addr.0 as usize]
    }

    /// The type, with the current size as the minimum: what import matching sees.
    pub fn ty(&self, store: impl AsContext) -> MemoryType {
        let memory = self.get(store.as_context().0);
        MemoryType { limits: Limits { min: memory.pages().into(), max: memory.ty.limits.max }, ..memory.ty }
    }

    /// The size in 64 KiB pages.
    pub fn size(&self, store: impl AsContext) -> u32 {
        self.get(store.as_context().0).pages()
    }

    /// The size in bytes.
    pub fn data_size(&self, store: impl AsContext) -> usize {
        self.get(store.as_context().0).len()
    }

    /// Grows the memory by `delta` pages, as `memory.grow` does, and returns the old size
    /// in pages. Fails past its maximum ([`Error::Grow`]: the declared one, capped by the
    /// store's limit per memory and the memory's reservation), or past the store's total
    /// or when the system refuses ([`Error::Resource`]). The base address of the data
    /// stays the same.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64) -> Result<u32, Error> {
        let store = store.as_context_mut().0;
        let memory = &mut store.memories[self.addr_in(store.data.id)?.0 as usize];
        memory.grow(delta).map_err(|error| match error {
            GrowError::Maximum(max) => Error::Grow { what: "memory", delta, size: memory.pages(), max },
            error => Error::Resource(format!(
                "cannot grow the memory from {} pages by {delta}: {error}",
                memory.pages()
            )),
        })
    }

    /// Bytes of address space the memory has reserved: the most it may grow to, and any
    /// guard region after it (see [`crate::MemoryReservation`]).
    pub fn reserved_bytes(&self, store: impl AsContext) -> usize {
        self.get(store.as_context().0).reserved_bytes()
    }

    /// The memory's bytes.
    pub fn data<'a, C: AsContext + ?Sized>(&self, store: &'a C) -> &'a [u8] {
        self.get(store.as_context().0).data()
    }

    pub fn data_mut<'a, C: AsContextMut + ?Sized>(&self, store: &'a mut C) -> &'a mut [u8] {
        self.get_mut(store.as_context_mut().0).data_mut()
    }

    /// The memory's bytes and the store's data at once, for host functions that move
    /// data between the two.
    pub fn data_and_store_mut<'a, T: 'a, C>(&self, store: &'a mut C) -> (&'a mut [u8], &'a mut T)
    where
        C: AsContextMut<Data = T> + ?Sized,
    {
        let store = store.as_context_mut().0;
        let addr = self.addr_in(store.data.id).expect("Memory used with a store it does not belong to");
        (store.memories[addr.0 as usize].data_mut(), &mut store.data.data)
    }

    /// Copies `buf.len()` bytes at `offset` into `buf`.
    pub fn read(&self, store: impl AsContext, offset: usize, buf: &mut [u8]) -> Result<(), Error> {
        let store = store.as_context().0;
        let data = store.memories[self.addr_in(store.data.id)?.0 as usize].data();
        let range = checked_range(offset, buf.len(), data.len())?;
        buf.copy_from_slice(&data[range]);
        Ok(())
    }

    /// Copies `buf` into the memory at `offset`.
    pub fn write(&self, mut store: impl AsContextMut, offset: usize, buf: &[u8]) -> Result<(), Error> {
        let store = store.as_context_mut().0;
        let data = store.memories[self.addr_in(store.data.id)?.0 as usize].data_mut();
        let range = checked_range(offset, buf.len(), data.len())?;
        data[range].copy_from_slice(buf);
        Ok(())
    }
}

fn checked_range(offset: usize, len: usize, size: usize) -> Result<std::ops::Range<usize>, Error> {
    match offset.checked_add(len) {
        Some(end) if end <= size => Ok(offset..end),
        _ => Err(Error::MemoryAccess { offset, len, size }),
    }
}

/// Checks what validation checks of a module's memory type, and the store's limit: the
/// runtime reserves `min` pages without checking.
pub(crate) fn check_memory_type(ty: MemoryType, limit_pages: u32) -> Result<(), Error> {
    let Limits { min, max } = ty.limits;
    if max.is_some_and(|max| max < min) {
        return Err(Error::Resource(format!("memory minimum {min} is larger than its maximum")));
    }
    if ty.index_type == IndexType::I32 && max.unwrap_or(0).max(min) > MAX_PAGES.into() {
        return Err(Error::Resource(format!("memory size must be at most {MAX_PAGES} pages (4 GiB)")));
    }
    if min > limit_pages.into() {
        return Err(Error::Resource(format!(
            "a memory of {min} pages ({} bytes) exceeds the store's limit of {limit_pages} pages",
            min as usize * PAGE_SIZE
        )));
    }
    Ok(())
}
