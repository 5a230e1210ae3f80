//! Tables of references, held as value-stack slots (address plus one; null is zero).

use std::sync::Arc;

use stratus_decoder::TableType;

use crate::quota::{GrowError, Quota};
use crate::trap::TrapKind;

/// A table. Its elements come out of the store's [`Quota`] by allocated capacity, and
/// from the allocator without aborting when it has none to give: a module decides
/// these sizes.
/// What compiled code reads of a table: its elements and their number, boxed so that
/// the address stays put when the store's vector of tables moves. Kept up to date by
/// the table whenever its elements move or change in number.
#[repr(C)]
#[derive(Debug)]
pub struct TableVm {
    pub elements: *mut u64,
    pub len: u64,
}

// SAFETY: the pointer leads into the table's own elements, which move between threads
// only with the table (and its store), used only by the store's exclusive user.
unsafe impl Send for TableVm {}
// SAFETY: shared references to the record give no access through its pointer.
unsafe impl Sync for TableVm {}

#[derive(Debug)]
pub struct Table {
    /// Methods that change the number of elements keep `vm` up to date; others may
    /// change elements in place.
    pub elements: Vec<u64>,
    vm: Box<TableVm>,
    max: u32,
    /// Elements taken from the quota: the capacity asked of the allocator.
    charged: usize,
    quota: Arc<Quota>,
    pub ty: TableType,
}

impl Table {
    /// A table of type `ty` filled with `init`, growable to at most `limit` elements.
    /// Fails, saying why, if its minimum is above that limit, does not fit in the store's
    /// quota, or cannot be allocated.
    pub(crate) fn new(ty: TableType, init: u64, limit: u32, quota: &Arc<Quota>) -> Result<Table, String> {
        let min = ty.limits.min;
        if min > limit.into() {
            return Err(format!("a table of {min} elements is more than the limit of {limit} per table"));
        }
        let max = ty.limits.max.map_or(limit, |max| max.min(limit.into()) as u32);
        let vm = Box::new(TableVm { elements: std::ptr::null_mut(), len: 0 });
        let mut table = Table { elements: Vec::new(), vm, max, charged: 0, quota: quota.clone(), ty };
        table.reserve(min as usize).map_err(|error| format!("a table of {min} elements: {error}"))?;
        table.elements.resize(min as usize, init);
        table.sync_vm();
        Ok(table)
    }

    fn sync_vm(&mut self) {
        self.vm.elements = self.elements.as_mut_ptr();
        self.vm.len = self.elements.len() as u64;
    }

    /// The record compiled code reads the elements from; its address never changes.
    pub fn vm(&self) -> *const TableVm {
        &*self.vm
    }

    /// Makes room for `capacity` elements in all, first from the quota, then from the
    /// allocator; takes nothing from either if one of them refuses.
    fn reserve(&mut self, capacity: usize) -> Result<(), GrowError> {
        let more = capacity.saturating_sub(self.charged);
        self.quota.take_table_elements(more).map_err(GrowError::Quota)?;
        if self.elements.try_reserve_exact(capacity - self.elements.len()).is_err() {
            self.quota.give_back_table_elements(more);
            return Err(GrowError::Host);
        }
        self.charged += more;
        Ok(())
    }

    #[inline]
    pub fn size(&self) -> u32 {
        self.elements.len() as u32
    }

    #[inline]
    pub fn get(&self, index: u64) -> Result<u64, TrapKind> {
        self.elements
            .get(usize::try_from(index).unwrap_or(usize::MAX))
            .copied()
            .ok_or(TrapKind::TableOutOfBounds)
    }

    #[inline]
    pub fn set(&mut self, index: u64, value: u64) -> Result<(), TrapKind> {
        let slot = self
            .elements
            .get_mut(usize::try_from(index).unwrap_or(usize::MAX))
            .ok_or(TrapKind::TableOutOfBounds)?;
        *slot = value;
        Ok(())
    }

    /// The most elements the table may grow to.
    pub fn max(&self) -> u32 {
        self.max
    }

    /// Grows by `delta` elements set to `init` and returns the old size; fails past the
    /// maximum, past the store's quota, or when the host has no memory for it.
    pub fn grow(&mut self, delta: u32, init: u64) -> Result<u32, GrowError> {
        let old = self.size();
        let new = old.checked_add(delta).filter(|&n| n <= self.max).ok_or(GrowError::Maximum(self.max))?;
        let new = new as usize;
        if new > self.charged {
            // Doubling keeps a loop of small grows linear in time. When the quota or the
            // host has no room for the doubled size, exactly what is asked may still fit.
            let doubled = self.charged.saturating_mul(2).clamp(new, self.max as usize);
            if doubled == new || self.reserve(doubled).is_err() {
                self.reserve(new)?;
            }
        }
        self.elements.resize(new, init);
        self.sync_vm();
        Ok(old)
    }

    pub fn range(&self, start: u64, len: u64) -> Result<std::ops::Range<usize>, TrapKind> {
        match start.checked_add(len) {
            Some(end) if end <= self.elements.len() as u64 => Ok(start as usize..end as usize),
            _ => Err(TrapKind::TableOutOfBounds),
        }
    }

    pub fn fill(&mut self, start: u64, value: u64, len: u64) -> Result<(), TrapKind> {
        let range = self.range(start, len)?;
        self.elements[range].fill(value);
        Ok(())
    }

    /// Copies `items[src..src + len]` to `dst` (`table.init` and element segments).
    pub fn init(&mut self, dst: u64, items: &[u64], src: u32, len: u32) -> Result<(), TrapKind> {
        let src_end = u64::from(src) + u64::from(len);
        if src_end > items.len() as u64 {
            return Err(TrapKind::TableOutOfBounds);
        }
        let dst = self.range(dst, len.into())?;
        self.elements[dst].copy_from_slice(&items[src as usize..src_end as usize]);
        Ok(())
    }
}

/// `table.copy` from `src_table` to `dst_table` (indices into `tables`, possibly the
/// same): `len` elements from `src` to `dst`.
pub fn copy_elements(
    tables: &mut [Table],
    dst_table: usize,
    src_table: usize,
    dst: u64,
    src: u64,
    len: u64,
) -> Result<(), TrapKind> {
    if dst_table == src_table {
        let table = &mut tables[dst_table];
        let src = table.range(src, len)?;
        let dst = table.range(dst, len)?;
        table.elements.copy_within(src, dst.start);
        Ok(())
    } else {
        let [to, from] = tables.get_disjoint_mut([dst_table, src_table]).expect("distinct tables");
        let src = from.range(src, len)?;
        let dst = to.range(dst, len)?;
        to.elements[dst].copy_from_slice(&from.elements[src]);
        Ok(())
    }
}

impl Drop for Table {
    fn drop(&mut self) {
        self.quota.give_back_table_elements(self.charged);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stratus_decoder::{Limits, RefType};

    fn table(min: u32, max: Option<u32>, quota: &Arc<Quota>) -> Result<Table, String> {
        Table::new(
            TableType::new(RefType::FuncRef, Limits { min: min.into(), max: max.map(u64::from) }),
            0,
            1 << 20,
            quota,
        )
    }

    #[test]
    fn tables_take_their_capacity_from_the_quota_and_give_it_back() {
        let quota = Arc::new(Quota::new(0, 100));
        let mut a = table(10, None, &quota).unwrap();
        assert_eq!(quota.table_elements(), 10);
        // Doubled to 20.
        assert_eq!(a.grow(1, 7), Ok(10));
        assert_eq!(quota.table_elements(), 20);
        assert_eq!(a.get(10), Ok(7));
        let b = table(80, None, &quota).unwrap();
        // 20 + 80 is the whole quota: `a` may only grow within what it has.
        assert!(matches!(a.grow(10, 0), Err(GrowError::Quota(_))));
        assert_eq!(a.grow(9, 0), Ok(11));
        drop(b);
        assert_eq!(quota.table_elements(), 20);
        // The quota has room for 40 now.
        assert_eq!(a.grow(1, 0), Ok(20));
        assert_eq!(quota.table_elements(), 40);
        drop(a);
        assert_eq!(quota.table_elements(), 0);
    }

    #[test]
    fn a_grow_that_cannot_double_takes_what_is_left() {
        let quota = Arc::new(Quota::new(0, 15));
        let mut a = table(10, None, &quota).unwrap();
        assert_eq!(a.grow(5, 0), Ok(10));
        assert_eq!(a.size(), 15);
        assert!(matches!(a.grow(1, 0), Err(GrowError::Quota(_))));
    }

    #[test]
    fn creation_past_the_limits_is_refused_with_the_reason() {
        let quota = Arc::new(Quota::new(0, 100));
        let error = table(101, None, &quota).unwrap_err();
        assert!(error.contains("more would pass its limit of 100"), "{error}");
        assert_eq!(quota.table_elements(), 0);
        let ty = TableType::new(RefType::FuncRef, Limits { min: 11, max: None });
        let error = Table::new(ty, 0, 10, &quota).unwrap_err();
        assert_eq!(error, "a table of 11 elements is more than the limit of 10 per table");
    }

    #[test]
    fn growing_past_the_maximum_fails() {
        let quota = Arc::new(Quota::new(0, 100));
        let mut a = table(1, Some(3), &quota).unwrap();
        assert_eq!(a.grow(3, 0), Err(GrowError::Maximum(3)));
        assert_eq!(a.grow(2, 0), Ok(1));
        assert_eq!(a.grow(u32::MAX, 0), Err(GrowError::Maximum(3)));
    }
}
