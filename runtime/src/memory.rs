//! Linear memory: reserved once, so its base never moves.

use std::sync::Arc;

use stratus_decoder::{IndexType, MemoryType};

use crate::quota::{GrowError, Quota};
use crate::reservation::Reservation;
use crate::trap::TrapKind;

pub const PAGE_SIZE: usize = 65536;
/// The most pages a 32-bit memory can have.
pub const MAX_PAGES: u32 = 65536;
/// A guard region after a 4 GiB reservation that any 32-bit offset added to an address
/// inside the memory stays within, so compiled code may leave such accesses to the
/// hardware to check.
/// It is one page more than 4 GiB because the widest access (8 bytes) at the largest
/// address plus the largest offset ends 6 bytes past 8 GiB.
pub const GUARD_BYTES: usize = (4 << 30) + PAGE_SIZE;

/// How compiled code checks the accesses to a memory.
#[repr(u8)]
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum Bounds {
    /// By the guard region after a 4 GiB reservation: faults become traps. For a 64-bit
    /// memory, the addresses below 2^31 only; the others are compared with its length.
    Guard,
    /// By comparing with the memory's length before every access.
    Explicit,
}

/// A memory's descriptor, what compiled code and the execution core read of it: its
/// base, accessible length and how accesses to it are checked, boxed so that the
/// address stays put when the store's vector of memories moves.
#[repr(C)]
#[derive(Debug)]
pub struct MemoryVm {
    pub base: *mut u8,
    /// The accessible size in bytes.
    pub len: usize,
    /// Guard when the reservation covers every 32-bit address plus 32-bit offset.
    pub bounds: Bounds,
}

/// How much address space a linear memory reserves when it is made. The memory grows in
/// place, never moving its base (compiled code will keep it in a register), so it can
/// never grow past its reservation. Untouched reserved pages cost no memory, only
/// address space, of which a process may have little (`ulimit -v`, 32-bit hosts).
///
/// When the system cannot give what is asked for, a memory falls back to a reservation
/// without guard, then to smaller ones down to its minimum size; its maximum is then
/// capped by the reservation (`memory.grow` past it returns -1, which the specification
/// allows at any time), rather than instantiation failing. Code that relies on a guard
/// must check [`Memory::reserved_bytes`].
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum MemoryReservation {
    /// 4 GiB, the whole 32-bit space whatever the declared maximum, then `guard` bytes:
    /// with a guard of [`GUARD_BYTES`], every address plus offset lands in the
    /// reservation, the layout compiled code needs to drop bounds checks.
    Whole { guard: usize },
    /// The most the memory may grow to (its declared maximum, capped by the store's
    /// limit per memory), then `guard` bytes. With no guard this reserves nothing
    /// beyond the memory itself, and every access relies on an explicit bounds check,
    /// which the interpreter always makes.
    Maximum { guard: usize },
}

impl Default for MemoryReservation {
    /// The interpreter checks every access, so a guard would protect nothing: only the
    /// maximum is reserved, and a memory with a small declared maximum takes that much
    /// address space, not 8 GiB.
    fn default() -> MemoryReservation {
        MemoryReservation::Maximum { guard: 0 }
    }
}

// SAFETY: the pointer leads into the memory's own mapping, which moves between threads
// only with the memory (and its store), used only by the store's exclusive user.
unsafe impl Send for MemoryVm {}
// SAFETY: shared references to the record give no access through its pointer.
unsafe impl Sync for MemoryVm {}

/// A linear memory. Its bytes live in an anonymous mapping reserved as
/// [`MemoryReservation`] says, so growing only moves the accessible length and the
/// base address stays put. Everything past the current size is inaccessible. Its bytes
/// come out of the store's [`Quota`].
pub struct Memory {
    map: Reservation,
    vm: Box<MemoryVm>,
    pages: u32,
    max_pages: u32,
    quota: Arc<Quota>,
    pub ty: MemoryType,
}

impl std::fmt::Debug for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memory").field("pages", &self.pages).field("max_pages", &self.max_pages).finish()
    }
}

impl Memory {
    /// Reserves a memory of type `ty`, growable to at most `limit_pages`. Fails, saying
    /// why, if its minimum is above that limit or does not fit in the store's quota, or
    /// if the system has no address space even for the minimum.
    pub(crate) fn new(
        ty: MemoryType,
        limit_pages: u32,
        reservation: MemoryReservation,
        quota: &Arc<Quota>,
    ) -> Result<Memory, String> {
        let min = ty.limits.min;
        // A 32-bit memory never has more than 4 GiB; a 64-bit one as many pages as the
        // store allows. A 64-bit memory reserves as a 32-bit one does, or its maximum if
        // that is more: with the whole 4 GiB and a guard, compiled code leaves the
        // addresses below 2^31 to the guard region and checks the others.
        let limit_pages = match ty.index_type {
            IndexType::I32 => limit_pages.min(MAX_PAGES),
            IndexType::I64 => limit_pages,
        };
        if min > limit_pages.into() {
            return Err(format!(
                "a memory of {min} pages is more than the limit of {limit_pages} pages per memory"
            ));
        }
        let min = min as u32;
        let max_pages = ty.limits.max.map_or(limit_pages, |max| max.min(limit_pages.into()) as u32);
        let min_bytes = min as usize * PAGE_SIZE;
        quota.take_memory_bytes(min_bytes).map_err(|error| format!("a memory of {min} pages: {error}"))?;
        match reserve(min, max_pages, reservation) {
            Ok((mut map, max_pages)) => {
                let guarded = map.reserved() >= MAX_PAGES as usize * PAGE_SIZE + GUARD_BYTES;
                let bounds = if guarded { Bounds::Guard } else { Bounds::Explicit };
                let vm = Box::new(MemoryVm { base: map.bytes_mut().as_mut_ptr(), len: min_bytes, bounds });
                Ok(Memory { map, vm, pages: min, max_pages, quota: quota.clone(), ty })
            }
            Err(error) => {
                quota.give_back_memory_bytes(min_bytes);
                Err(format!("reserving a linear memory of {min} pages: {error}"))
            }
        }
    }

    /// The accessible size in pages.
    #[inline]
    pub fn pages(&self) -> u32 {
        self.pages
    }

    /// The accessible size in bytes.
    #[inline]
    pub fn len(&self) -> usize {
        self.pages as usize * PAGE_SIZE
    }

    pub fn is_empty(&self) -> bool {
        self.pages == 0
    }

    /// The accessible bytes.
    #[inline]
    pub fn data(&self) -> &[u8] {
        self.map.bytes()
    }

    #[inline]
    pub fn data_mut(&mut self) -> &mut [u8] {
        self.map.bytes_mut()
    }

    /// For each `granule` bytes, whether they may have been written: those the host
    /// never gave memory to are zero, and need not be read. `None` when the host cannot
    /// tell. What a snapshot reads to find the non-zero parts of a large memory, most
    /// of which a program never touches.
    pub fn touched(&self, granule: usize) -> Option<Vec<bool>> {
        self.map.touched(granule)
    }

    /// The most pages the memory may grow to.
    pub fn max_pages(&self) -> u32 {
        self.max_pages
    }

    /// Grows by `delta` pages and returns the old size; fails past the maximum, past the
    /// store's quota, or if the system refuses to make the pages accessible.
    pub fn grow(&mut self, delta: u64) -> Result<u32, GrowError> {
        let old = self.pages;
        let new = u64::from(old)
            .checked_add(delta)
            .filter(|&n| n <= self.max_pages.into())
            .ok_or(GrowError::Maximum(self.max_pages))? as u32;
        let bytes = delta as usize * PAGE_SIZE;
        self.quota.take_memory_bytes(bytes).map_err(GrowError::Quota)?;
        if self.map.grow_to(new as usize * PAGE_SIZE).is_err() {
            self.quota.give_back_memory_bytes(bytes);
            return Err(GrowError::Host);
        }
        self.pages = new;
        self.vm.len = self.len();
        Ok(old)
    }

    /// The record compiled code reads the base and length from; its address never
    /// changes.
    pub fn vm(&self) -> *const MemoryVm {
        &*self.vm
    }

    /// How compiled code must check accesses to this memory.
    pub fn bounds(&self) -> Bounds {
        self.vm.bounds
    }

    /// Bytes of address space reserved: the largest size plus any guard region.
    pub fn reserved_bytes(&self) -> usize {
        self.map.reserved()
    }

    /// The `N` bytes at `addr + offset`, or a trap if any is out of bounds.
    #[inline]
    pub fn load<const N: usize>(&self, addr: u64, offset: u64) -> Result<[u8; N], TrapKind> {
        let range = self.range(addr.checked_add(offset).ok_or(TrapKind::MemoryOutOfBounds)?, N as u64)?;
        let mut out = [0; N];
        out.copy_from_slice(&self.data()[range]);
        Ok(out)
    }

    #[inline]
    pub fn store<const N: usize>(&mut self, addr: u64, offset: u64, bytes: [u8; N]) -> Result<(), TrapKind> {
        let range = self.range(addr.checked_add(offset).ok_or(TrapKind::MemoryOutOfBounds)?, N as u64)?;
        self.data_mut()[range].copy_from_slice(&bytes);
        Ok(())
    }

    /// The range `[start, start + len)`, checked against the accessible size.
    #[inline]
    pub fn range(&self, start: u64, len: u64) -> Result<std::ops::Range<usize>, TrapKind> {
        match start.checked_add(len) {
            Some(end) if end <= self.len() as u64 => Ok(start as usize..end as usize),
            _ => Err(TrapKind::MemoryOutOfBounds),
        }
    }

    /// `memory.fill`.
    pub fn fill(&mut self, dst: u64, value: u8, len: u64) -> Result<(), TrapKind> {
        let range = self.range(dst, len)?;
        self.data_mut()[range].fill(value);
        Ok(())
    }

    /// `memory.copy` within this memory; the ranges may overlap.
    pub fn copy_within(&mut self, dst: u64, src: u64, len: u64) -> Result<(), TrapKind> {
        let src = self.range(src, len)?;
        let dst = self.range(dst, len)?;
        self.data_mut().copy_within(src, dst.start);
        Ok(())
    }

    /// Writes `bytes[src..src + len]` at `dst` (`memory.init` and data segments).
    pub fn init(&mut self, dst: u64, bytes: &[u8], src: u32, len: u32) -> Result<(), TrapKind> {
        let src_end = u64::from(src) + u64::from(len);
        if src_end > bytes.len() as u64 {
            return Err(TrapKind::MemoryOutOfBounds);
        }
        let dst = self.range(dst, len.into())?;
        self.data_mut()[dst].copy_from_slice(&bytes[src as usize..src_end as usize]);
        Ok(())
    }
}

/// `memory.copy` from `memories[src_memory]` to `memories[dst_memory]`, which may be
/// the same memory.
pub fn copy_memory(
    memories: &mut [Memory],
    dst_memory: usize,
    dst: u64,
    src_memory: usize,
    src: u64,
    len: u64,
) -> Result<(), TrapKind> {
    if dst_memory == src_memory {
        return memories[dst_memory].copy_within(dst, src, len);
    }
    let [to, from] = memories.get_disjoint_mut([dst_memory, src_memory]).expect("distinct memories");
    let src = from.range(src, len)?;
    let dst = to.range(dst, len)?;
    to.data_mut()[dst].copy_from_slice(&from.data()[src]);
    Ok(())
}

impl Drop for Memory {
    fn drop(&mut self) {
        self.quota.give_back_memory_bytes(self.len());
    }
}

/// Reserves address space for a memory of `min` pages that may grow to `max`, as
/// `reservation` says, and returns it with the maximum it allows. When the system has
/// not that much address space to give, drops the guard and any space past `max`, then
/// halves the reservation until it fits, never below `min`.
fn reserve(min: u32, max: u32, reservation: MemoryReservation) -> std::io::Result<(Reservation, u32)> {
    let accessible = min as usize * PAGE_SIZE;
    let mut request = match reservation {
        MemoryReservation::Whole { guard } => (MAX_PAGES.max(max), guard),
        MemoryReservation::Maximum { guard } => (max, guard),
    };
    loop {
        let (pages, guard) = request;
        // Reservations are whole pages, and at least one: a mapping cannot be empty.
        let bytes = guard
            .checked_next_multiple_of(PAGE_SIZE)
            .and_then(|guard| guard.checked_add(pages as usize * PAGE_SIZE))
            .ok_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::InvalidInput, "the guard region is too large")
            })?
            .max(PAGE_SIZE);
        match Reservation::new(bytes, accessible) {
            Ok(map) => return Ok((map, pages.min(max))),
            Err(error) if is_out_of_address_space(&error) && request != (min, 0) => {
                request = if guard > 0 || pages > max { (max, 0) } else { ((pages / 2).max(min), 0) };
            }
            Err(error) => return Err(error),
        }
    }
}

fn is_out_of_address_space(error: &std::io::Error) -> bool {
    error.raw_os_error() == Some(libc::ENOMEM)
}

#[cfg(test)]
mod tests {
    use super::*;
    use stratus_decoder::Limits;

    fn reserved(min: u32, max: Option<u32>, reservation: MemoryReservation, quota: &Arc<Quota>) -> Memory {
        Memory::new(
            MemoryType::new(Limits { min: min.into(), max: max.map(u64::from) }),
            MAX_PAGES,
            reservation,
            quota,
        )
        .unwrap()
    }

    /// A memory with a guard, the layout compiled code needs.
    fn memory(min: u32, max: Option<u32>) -> Memory {
        let quota = Arc::new(Quota::new(usize::MAX, 0));
        reserved(min, max, MemoryReservation::Maximum { guard: GUARD_BYTES }, &quota)
    }

    /// A written granule is reported touched; in a large memory written in one place,
    /// almost all granules are not (the host never gave them memory).
    #[test]
    fn tells_touched_granules_from_untouched_ones() {
        let mut m = memory(16384, None);
        let written = 5000 * PAGE_SIZE + 123;
        m.data_mut()[written] = 1;
        let touched = m.touched(4096).expect("Linux tells");
        assert_eq!(touched.len(), 16384 * 16);
        assert!(touched[written / 4096]);
        let count = touched.iter().filter(|&&t| t).count();
        assert!(count < touched.len() / 100, "{count} of {} granules touched", touched.len());
    }

    #[test]
    fn grows_in_place_up_to_the_maximum() {
        let mut m = memory(1, Some(3));
        let base = m.data().as_ptr();
        assert_eq!(m.grow(2), Ok(1));
        assert_eq!(m.data().as_ptr(), base);
        assert_eq!(m.len(), 3 * PAGE_SIZE);
        assert_eq!(m.grow(1), Err(GrowError::Maximum(3)));
        assert_eq!(m.grow(0), Ok(3));
    }

    #[test]
    fn accesses_past_the_end_trap() {
        let mut m = memory(1, None);
        m.store(65532, 0, 7u32.to_le_bytes()).unwrap();
        assert_eq!(m.load::<4>(65532, 0), Ok(7u32.to_le_bytes()));
        assert_eq!(m.load::<4>(65533, 0), Err(TrapKind::MemoryOutOfBounds));
        assert_eq!(m.load::<1>(u32::MAX.into(), u32::MAX.into()), Err(TrapKind::MemoryOutOfBounds));
        assert_eq!(m.store(0, 65535, [0u8; 2]), Err(TrapKind::MemoryOutOfBounds));
        assert_eq!(m.fill(65536, 0, 0), Ok(()));
        assert_eq!(m.fill(65537, 0, 0), Err(TrapKind::MemoryOutOfBounds));
    }

    #[test]
    fn the_reservation_ends_in_a_guard_region() {
        let m = memory(1, Some(2));
        assert_eq!(m.reserved_bytes(), 2 * PAGE_SIZE + GUARD_BYTES);
        assert_eq!(m.data().len(), PAGE_SIZE);
    }

    /// The permissions of the mapping that holds `addr`, from the kernel's view.
    #[cfg(target_os = "linux")]
    fn permissions_at(addr: usize) -> String {
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
        for line in maps.lines() {
            let (range, rest) = line.split_once(' ').unwrap();
            let (start, end) = range.split_once('-').unwrap();
            let (start, end) =
                (usize::from_str_radix(start, 16).unwrap(), usize::from_str_radix(end, 16).unwrap());
            if (start..end).contains(&addr) {
                return rest[..4].to_string();
            }
        }
        panic!("0x{addr:x} is not mapped");
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn pages_past_the_end_are_inaccessible_until_grown() {
        let mut m = memory(1, Some(4));
        let base = m.data().as_ptr() as usize;
        assert_eq!(permissions_at(base), "rw-p");
        assert_eq!(permissions_at(base + PAGE_SIZE), "---p");
        assert_eq!(permissions_at(base + 4 * PAGE_SIZE + GUARD_BYTES - 1), "---p");
        m.grow(2).unwrap();
        assert_eq!(permissions_at(base + 2 * PAGE_SIZE), "rw-p");
        assert_eq!(permissions_at(base + 3 * PAGE_SIZE), "---p");
        m.data_mut()[3 * PAGE_SIZE - 1] = 7;
        assert_eq!(m.load::<1>(3 * PAGE_SIZE as u64 - 1, 0), Ok([7]));
    }

    #[test]
    fn an_empty_memory_without_maximum_still_maps() {
        let mut m = memory(0, Some(0));
        assert!(m.is_empty());
        assert_eq!(m.load::<1>(0, 0), Err(TrapKind::MemoryOutOfBounds));
        assert_eq!(m.grow(1), Err(GrowError::Maximum(0)));
        let quota = Arc::new(Quota::new(usize::MAX, 0));
        let m = reserved(0, Some(0), MemoryReservation::Maximum { guard: 0 }, &quota);
        assert_eq!(m.reserved_bytes(), PAGE_SIZE);
    }

    #[test]
    fn each_reservation_setting_reserves_what_it_says() {
        let quota = Arc::new(Quota::new(usize::MAX, 0));
        let whole = reserved(1, Some(2), MemoryReservation::Whole { guard: GUARD_BYTES }, &quota);
        assert_eq!(whole.reserved_bytes(), (4 << 30) + GUARD_BYTES);
        let guarded = reserved(1, Some(2), MemoryReservation::Maximum { guard: 1 << 20 }, &quota);
        assert_eq!(guarded.reserved_bytes(), 2 * PAGE_SIZE + (1 << 20));
        let odd_guard = reserved(1, Some(2), MemoryReservation::Maximum { guard: 1 }, &quota);
        assert_eq!(odd_guard.reserved_bytes(), 3 * PAGE_SIZE);
        let bare = reserved(1, Some(2), MemoryReservation::default(), &quota);
        assert_eq!(bare.reserved_bytes(), 2 * PAGE_SIZE);
        let unbounded = reserved(1, None, MemoryReservation::default(), &quota);
        assert_eq!(unbounded.reserved_bytes(), 4 << 30);
        assert_eq!(unbounded.max_pages(), MAX_PAGES);
    }

    #[test]
    fn memories_take_their_pages_from_the_quota_and_give_them_back() {
        let quota = Arc::new(Quota::new(3 * PAGE_SIZE, 0));
        let mut a = reserved(1, None, MemoryReservation::default(), &quota);
        let b = reserved(1, None, MemoryReservation::default(), &quota);
        assert_eq!(quota.memory_bytes(), 2 * PAGE_SIZE);
        assert!(matches!(a.grow(2), Err(GrowError::Quota(_))));
        assert_eq!(a.grow(1), Ok(1));
        let ty = MemoryType::new(Limits { min: 1, max: None });
        let error = Memory::new(ty, MAX_PAGES, MemoryReservation::default(), &quota).unwrap_err();
        assert!(error.starts_with("a memory of 1 pages: the store has 196608 bytes"), "{error}");
        drop(b);
        assert_eq!(a.grow(1), Ok(2));
        drop(a);
        assert_eq!(quota.memory_bytes(), 0);
    }

    #[test]
    fn a_minimum_past_the_limit_per_memory_is_refused() {
        let quota = Arc::new(Quota::new(usize::MAX, 0));
        let ty = MemoryType::new(Limits { min: 3, max: None });
        let error = Memory::new(ty, 2, MemoryReservation::default(), &quota).unwrap_err();
        assert_eq!(error, "a memory of 3 pages is more than the limit of 2 pages per memory");
        assert_eq!(quota.memory_bytes(), 0);
    }
}
