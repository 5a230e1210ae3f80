//! Linear memory: reserved once at its largest size, so its base never moves.

use stratus_decoder::MemoryType;

use crate::reservation::Reservation;
use crate::trap::TrapKind;

pub const PAGE_SIZE: usize = 65536;
/// The most pages a 32-bit memory can have.
pub const MAX_PAGES: u32 = 65536;
/// Inaccessible address space after a memory's largest size: any 32-bit offset added to
/// an address inside the memory lands in the reservation, so compiled code may leave
/// such accesses to the hardware to check.
pub const GUARD_BYTES: usize = 4 << 30;

/// A linear memory. Its bytes live in an anonymous mapping reserved for the most pages
/// it may ever have (the declared maximum, capped by the store's limit) plus a guard
/// region, so growing only moves the accessible length and the base address stays put
/// for compiled code. Everything past the current size is inaccessible. Untouched pages
/// of the reservation cost no memory.
pub struct Memory {
    map: Reservation,
    pages: u32,
    max_pages: u32,
    pub ty: MemoryType,
}

impl std::fmt::Debug for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memory").field("pages", &self.pages).field("max_pages", &self.max_pages).finish()
    }
}

impl Memory {
    /// Reserves a memory of type `ty`, growable to at most `limit_pages`. A minimum
    /// above that limit is refused.
    pub fn new(ty: MemoryType, limit_pages: u32) -> std::io::Result<Memory> {
        let max_pages = ty.limits.max.unwrap_or(MAX_PAGES).min(limit_pages).min(MAX_PAGES);
        if ty.limits.min > max_pages {
            let message = format!("{} pages are more than the limit of {max_pages}", ty.limits.min);
            return Err(std::io::Error::new(std::io::ErrorKind::OutOfMemory, message));
        }
        let reserved = max_pages as usize * PAGE_SIZE + GUARD_BYTES;
        let map = Reservation::new(reserved, ty.limits.min as usize * PAGE_SIZE)?;
        Ok(Memory { map, pages: ty.limits.min, max_pages, ty })
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

    /// Grows by `delta` pages; returns the old size, or `None` past the maximum (or if
    /// the system refuses to make the pages accessible).
    pub fn grow(&mut self, delta: u32) -> Option<u32> {
        let old = self.pages;
        let new = old.checked_add(delta).filter(|&n| n <= self.max_pages)?;
        self.map.grow_to(new as usize * PAGE_SIZE).ok()?;
        self.pages = new;
        Some(old)
    }

    /// Bytes of address space reserved: the largest size plus the guard region.
    pub fn reserved_bytes(&self) -> usize {
        self.map.reserved()
    }

    /// The `N` bytes at `addr + offset`, or a trap if any is out of bounds.
    #[inline]
    pub fn load<const N: usize>(&self, addr: u32, offset: u32) -> Result<[u8; N], TrapKind> {
        let start = u64::from(addr) + u64::from(offset);
        let data = self.data();
        if start + N as u64 > data.len() as u64 {
            return Err(TrapKind::MemoryOutOfBounds);
        }
        let mut out = [0; N];
        out.copy_from_slice(&data[start as usize..start as usize + N]);
        Ok(out)
    }

    #[inline]
    pub fn store<const N: usize>(&mut self, addr: u32, offset: u32, bytes: [u8; N]) -> Result<(), TrapKind> {
        let start = u64::from(addr) + u64::from(offset);
        let data = self.data_mut();
        if start + N as u64 > data.len() as u64 {
            return Err(TrapKind::MemoryOutOfBounds);
        }
        data[start as usize..start as usize + N].copy_from_slice(&bytes);
        Ok(())
    }

    /// The range `[start, start + len)`, checked against the accessible size.
    pub fn range(&self, start: u32, len: u32) -> Result<std::ops::Range<usize>, TrapKind> {
        let end = u64::from(start) + u64::from(len);
        if end > self.len() as u64 {
            return Err(TrapKind::MemoryOutOfBounds);
        }
        Ok(start as usize..end as usize)
    }

    /// `memory.fill`.
    pub fn fill(&mut self, dst: u32, value: u8, len: u32) -> Result<(), TrapKind> {
        let range = self.range(dst, len)?;
        self.data_mut()[range].fill(value);
        Ok(())
    }

    /// `memory.copy` within this memory; the ranges may overlap.
    pub fn copy_within(&mut self, dst: u32, src: u32, len: u32) -> Result<(), TrapKind> {
        let src = self.range(src, len)?;
        let dst = self.range(dst, len)?;
        self.data_mut().copy_within(src, dst.start);
        Ok(())
    }

    /// Writes `bytes[src..src + len]` at `dst` (`memory.init` and data segments).
    pub fn init(&mut self, dst: u32, bytes: &[u8], src: u32, len: u32) -> Result<(), TrapKind> {
        let src_end = u64::from(src) + u64::from(len);
        if src_end > bytes.len() as u64 {
            return Err(TrapKind::MemoryOutOfBounds);
        }
        let dst = self.range(dst, len)?;
        self.data_mut()[dst].copy_from_slice(&bytes[src as usize..src_end as usize]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stratus_decoder::Limits;

    fn memory(min: u32, max: Option<u32>) -> Memory {
        Memory::new(MemoryType { limits: Limits { min, max } }, MAX_PAGES).unwrap()
    }

    #[test]
    fn grows_in_place_up_to_the_maximum() {
        let mut m = memory(1, Some(3));
        let base = m.data().as_ptr();
        assert_eq!(m.grow(2), Some(1));
        assert_eq!(m.data().as_ptr(), base);
        assert_eq!(m.len(), 3 * PAGE_SIZE);
        assert_eq!(m.grow(1), None);
        assert_eq!(m.grow(0), Some(3));
    }

    #[test]
    fn accesses_past_the_end_trap() {
        let mut m = memory(1, None);
        m.store(65532, 0, 7u32.to_le_bytes()).unwrap();
        assert_eq!(m.load::<4>(65532, 0), Ok(7u32.to_le_bytes()));
        assert_eq!(m.load::<4>(65533, 0), Err(TrapKind::MemoryOutOfBounds));
        assert_eq!(m.load::<1>(u32::MAX, u32::MAX), Err(TrapKind::MemoryOutOfBounds));
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
        assert_eq!(m.load::<1>(3 * PAGE_SIZE as u32 - 1, 0), Ok([7]));
    }

    #[test]
    fn an_empty_memory_without_maximum_still_maps() {
        let mut m = memory(0, Some(0));
        assert!(m.is_empty());
        assert_eq!(m.load::<1>(0, 0), Err(TrapKind::MemoryOutOfBounds));
        assert_eq!(m.grow(1), None);
    }
}
