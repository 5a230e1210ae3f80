//! An address-space reservation whose accessible prefix grows: the one place linear
//! memory touches raw pointers and page protection.

use memmap2::{MmapOptions, MmapRaw};

/// A private anonymous mapping of `reserved` bytes, of which the first `accessible`
/// are readable and writable and the rest inaccessible (`PROT_NONE`), so an access past
/// the end faults instead of reaching other data. Untouched pages cost no memory
/// (`MAP_NORESERVE`).
pub(crate) struct Reservation {
    map: MmapRaw,
    accessible: usize,
}

impl Reservation {
    /// Reserves `reserved` bytes with the first `accessible` usable. Both must be
    /// multiples of 64 KiB, which every page size in use divides.
    pub(crate) fn new(reserved: usize, accessible: usize) -> std::io::Result<Reservation> {
        debug_assert!(
            accessible <= reserved && reserved.is_multiple_of(65536) && accessible.is_multiple_of(65536)
        );
        let map = MmapRaw::from(MmapOptions::new().len(reserved).no_reserve_swap().map_anon()?);
        let mut reservation = Reservation { map, accessible: 0 };
        reservation.protect(0, reserved, libc::PROT_NONE)?;
        reservation.grow_to(accessible)?;
        Ok(reservation)
    }

    pub(crate) fn reserved(&self) -> usize {
        self.map.len()
    }

    /// Makes the first `accessible` bytes (at most the reservation) readable and
    /// writable.
    pub(crate) fn grow_to(&mut self, accessible: usize) -> std::io::Result<()> {
        assert!(accessible <= self.map.len(), "growing past the reservation");
        if accessible > self.accessible {
            self.protect(self.accessible, accessible - self.accessible, libc::PROT_READ | libc::PROT_WRITE)?;
            self.accessible = accessible;
        }
        Ok(())
    }

    fn protect(&self, start: usize, len: usize, protection: libc::c_int) -> std::io::Result<()> {
        if len == 0 {
            return Ok(());
        }
        // SAFETY: `start..start + len` lies within our own mapping (callers keep it below
        // `map.len()`) and is page-aligned (multiples of 64 KiB from a page-aligned base).
        // Changing its protection affects no memory outside the mapping, and no Rust
        // reference covers pages made inaccessible: `bytes` and `bytes_mut` only ever
        // span the accessible prefix.
        let result = unsafe { libc::mprotect(self.map.as_mut_ptr().add(start).cast(), len, protection) };
        if result != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }

    /// For each `granule` bytes of the accessible prefix, whether the host has given
    /// memory to any of its pages (`mincore`): the others were never touched and read
    /// as zero. `None` when the host cannot tell.
    pub(crate) fn touched(&self, granule: usize) -> Option<Vec<bool>> {
        // SAFETY: sysconf has no preconditions.
        let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).ok().filter(|&p| p > 0)?;
        let mut resident = vec![0u8; self.accessible.div_ceil(page)];
        if !resident.is_empty() {
            // SAFETY: the range is the accessible prefix of our own mapping, whose base is
            // page-aligned; `resident` has one byte for each of its pages, which is what
            // mincore writes, and nothing else.
            let result = unsafe {
                libc::mincore(self.map.as_mut_ptr().cast(), self.accessible, resident.as_mut_ptr().cast())
            };
            if result != 0 {
                return None;
            }
        }
        let touched = (0..self.accessible.div_ceil(granule)).map(|g| {
            let (first, end) = (g * granule / page, ((g + 1) * granule).div_ceil(page).min(resident.len()));
            resident[first..end].iter().any(|&r| r & 1 != 0)
        });
        Some(touched.collect())
    }

    /// The accessible bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        // SAFETY: the first `accessible` bytes of the mapping are readable and writable
        // for as long as `self` lives (they are never made inaccessible again), and the
        // returned borrow of `self` keeps them from being written through `bytes_mut`.
        unsafe { std::slice::from_raw_parts(self.map.as_ptr(), self.accessible) }
    }

    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: as for `bytes`; the `&mut self` borrow makes this slice the only
        // access to the mapping while it lives.
        unsafe { std::slice::from_raw_parts_mut(self.map.as_mut_ptr(), self.accessible) }
    }
}
