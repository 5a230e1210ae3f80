//! What the memories and tables of one store may take together.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The linear-memory bytes and table elements that a store's memories and tables share:
/// the store's limits on them and how much is in use. Every memory and table holds the
/// quota of the store that made it, so growing one checks the store's total whoever
/// grows it (an instruction, the host, instantiation), and an object imported by many
/// instances is counted once. Dropping an object gives its share back.
///
/// Counters are atomic only so that a store, which holds its quota through an `Arc`,
/// stays `Send`; one store is used by one thread at a time.
#[derive(Debug)]
pub struct Quota {
    memory_bytes: Counter,
    table_elements: Counter,
}

/// A use that must stay at or below a limit.
#[derive(Debug)]
struct Counter {
    what: &'static str,
    used: AtomicUsize,
    limit: usize,
}

impl Counter {
    fn new(what: &'static str, limit: usize) -> Counter {
        Counter { what, used: AtomicUsize::new(0), limit }
    }

    /// Adds `amount` if the total stays within the limit.
    fn take(&self, amount: usize) -> Result<(), QuotaExceeded> {
        let within = |used: usize| used.checked_add(amount).filter(|&total| total <= self.limit);
        match self.used.fetch_update(Ordering::Relaxed, Ordering::Relaxed, within) {
            Ok(_) => Ok(()),
            Err(used) => Err(QuotaExceeded { what: self.what, used, wanted: amount, limit: self.limit }),
        }
    }

    fn give_back(&self, amount: usize) {
        self.used.fetch_sub(amount, Ordering::Relaxed);
    }

    fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }
}

/// A request the quota refused: `wanted` more of `what` on top of `used` would pass
/// `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaExceeded {
    pub what: &'static str,
    pub used: usize,
    pub wanted: usize,
    pub limit: usize,
}

impl fmt::Display for QuotaExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let QuotaExceeded { what, used, wanted, limit } = *self;
        write!(f, "the store has {used} {what}, and {wanted} more would pass its limit of {limit}")
    }
}

/// Why a memory or table did not grow. `memory.grow` and `table.grow` return -1 for
/// each of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrowError {
    /// Past the object's maximum: the declared one, capped by the store's limit per
    /// object and, for a memory, by its address-space reservation.
    Maximum(u32),
    /// Past the store's total for all its memories or all its tables.
    Quota(QuotaExceeded),
    /// The host has no memory to give.
    Host,
}

impl fmt::Display for GrowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GrowError::Maximum(max) => write!(f, "its maximum is {max}"),
            GrowError::Quota(exceeded) => exceeded.fmt(f),
            GrowError::Host => f.write_str("the host is out of memory"),
        }
    }
}

impl Quota {
    pub fn new(memory_bytes: usize, table_elements: usize) -> Quota {
        Quota {
            memory_bytes: Counter::new("bytes of linear memory", memory_bytes),
            table_elements: Counter::new("table elements", table_elements),
        }
    }

    /// Bytes of linear memory the store's memories have now.
    pub fn memory_bytes(&self) -> usize {
        self.memory_bytes.used()
    }

    /// Table elements the store's tables have room for now (their allocated capacity,
    /// which is what costs host memory).
    pub fn table_elements(&self) -> usize {
        self.table_elements.used()
    }

    pub fn memory_bytes_limit(&self) -> usize {
        self.memory_bytes.limit
    }

    pub fn table_elements_limit(&self) -> usize {
        self.table_elements.limit
    }

    pub(crate) fn take_memory_bytes(&self, bytes: usize) -> Result<(), QuotaExceeded> {
        self.memory_bytes.take(bytes)
    }

    pub(crate) fn give_back_memory_bytes(&self, bytes: usize) {
        self.memory_bytes.give_back(bytes)
    }

    pub(crate) fn take_table_elements(&self, elements: usize) -> Result<(), QuotaExceeded> {
        self.table_elements.take(elements)
    }

    pub(crate) fn give_back_table_elements(&self, elements: usize) {
        self.table_elements.give_back(elements)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_up_to_the_limit_and_no_further() {
        let quota = Quota::new(100, 10);
        quota.take_memory_bytes(60).unwrap();
        let refused = quota.take_memory_bytes(41).unwrap_err();
        assert_eq!((refused.used, refused.wanted, refused.limit), (60, 41, 100));
        assert_eq!(
            refused.to_string(),
            "the store has 60 bytes of linear memory, and 41 more would pass its limit of 100"
        );
        quota.take_memory_bytes(40).unwrap();
        assert_eq!(quota.memory_bytes(), 100);
        quota.give_back_memory_bytes(30);
        quota.take_memory_bytes(30).unwrap();
        assert!(quota.take_table_elements(usize::MAX).is_err());
        quota.take_table_elements(10).unwrap();
        assert_eq!(quota.table_elements(), 10);
    }
}
