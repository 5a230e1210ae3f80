//! Tables of references, held as value-stack slots (address plus one; null is zero).

use stratus_decoder::TableType;

use crate::trap::TrapKind;

#[derive(Debug, Clone)]
pub struct Table {
    pub elements: Vec<u64>,
    max: u32,
    pub ty: TableType,
}

impl Table {
    /// A table of type `ty` filled with `init`, growable to at most `limit` elements;
    /// `None` if its minimum is already above the limit.
    pub fn new(ty: TableType, init: u64, limit: u32) -> Option<Table> {
        let max = ty.limits.max.unwrap_or(u32::MAX).min(limit);
        if ty.limits.min > max {
            return None;
        }
        Some(Table { elements: vec![init; ty.limits.min as usize], max, ty })
    }

    #[inline]
    pub fn size(&self) -> u32 {
        self.elements.len() as u32
    }

    #[inline]
    pub fn get(&self, index: u32) -> Result<u64, TrapKind> {
        self.elements.get(index as usize).copied().ok_or(TrapKind::TableOutOfBounds)
    }

    #[inline]
    pub fn set(&mut self, index: u32, value: u64) -> Result<(), TrapKind> {
        let slot = self.elements.get_mut(index as usize).ok_or(TrapKind::TableOutOfBounds)?;
        *slot = value;
        Ok(())
    }

    /// Grows by `delta` elements set to `init`; returns the old size, or `None` past
    /// the maximum.
    pub fn grow(&mut self, delta: u32, init: u64) -> Option<u32> {
        let old = self.size();
        let new = old.checked_add(delta).filter(|&n| n <= self.max)?;
        self.elements.resize(new as usize, init);
        Some(old)
    }

    pub fn range(&self, start: u32, len: u32) -> Result<std::ops::Range<usize>, TrapKind> {
        let end = u64::from(start) + u64::from(len);
        if end > self.elements.len() as u64 {
            return Err(TrapKind::TableOutOfBounds);
        }
        Ok(start as usize..end as usize)
    }

    pub fn fill(&mut self, start: u32, value: u64, len: u32) -> Result<(), TrapKind> {
        let range = self.range(start, len)?;
        self.elements[range].fill(value);
        Ok(())
    }

    /// Copies `items[src..src + len]` to `dst` (`table.init` and element segments).
    pub fn init(&mut self, dst: u32, items: &[u64], src: u32, len: u32) -> Result<(), TrapKind> {
        let src_end = u64::from(src) + u64::from(len);
        if src_end > items.len() as u64 {
            return Err(TrapKind::TableOutOfBounds);
        }
        let dst = self.range(dst, len)?;
        self.elements[dst].copy_from_slice(&items[src as usize..src_end as usize]);
        Ok(())
    }
}
