//! How values of each type sit in 64-bit value-stack slots.

/// A value type's layout in slots: integers and float bits zero-extended in one slot,
/// `v128` in two (low half first), references as their slot encoding.
pub(crate) trait Slot: Copy {
    const SLOTS: usize;
    fn read(slots: &[u64], at: usize) -> Self;
    fn write(self, slots: &mut [u64], at: usize);
    /// Reads the value whose first slot `at` points to.
    ///
    /// # Safety
    /// `at` must point to `SLOTS` readable slots.
    unsafe fn load(at: *const u64) -> Self;
    /// Writes the value to the slots from `at`.
    ///
    /// # Safety
    /// `at` must point to `SLOTS` writable slots.
    unsafe fn store(self, at: *mut u64);
}

macro_rules! one_slot {
    ($($ty:ty: |$v:ident| $to:expr, |$s:ident| $from:expr;)*) => {$(
        impl Slot for $ty {
            const SLOTS: usize = 1;
            #[inline(always)]
            fn read(slots: &[u64], at: usize) -> Self {
                let $s = slots[at];
                $from
            }
            #[inline(always)]
            fn write(self, slots: &mut [u64], at: usize) {
                let $v = self;
                slots[at] = $to;
            }
            #[inline(always)]
            unsafe fn load(at: *const u64) -> Self {
                // SAFETY: the caller guarantees one readable slot at `at`.
                let $s = unsafe { at.read() };
                $from
            }
            #[inline(always)]
            unsafe fn store(self, at: *mut u64) {
                let $v = self;
                // SAFETY: the caller guarantees one writable slot at `at`.
                unsafe { at.write($to) }
            }
        }
    )*};
}

one_slot! {
    i32: |v| v as u32 as u64, |s| s as u32 as i32;
    i64: |v| v as u64, |s| s as i64;
    u64: |v| v, |s| s;
    f32: |v| u64::from(v.to_bits()), |s| f32::from_bits(s as u32);
    f64: |v| v.to_bits(), |s| f64::from_bits(s);
}

impl Slot for u128 {
    const SLOTS: usize = 2;
    #[inline(always)]
    fn read(slots: &[u64], at: usize) -> Self {
        u128::from(slots[at]) | u128::from(slots[at + 1]) << 64
    }
    #[inline(always)]
    fn write(self, slots: &mut [u64], at: usize) {
        slots[at] = self as u64;
        slots[at + 1] = (self >> 64) as u64;
    }
    #[inline(always)]
    unsafe fn load(at: *const u64) -> Self {
        // SAFETY: the caller guarantees two readable slots from `at`.
        unsafe { u128::from(at.read()) | u128::from(at.add(1).read()) << 64 }
    }
    #[inline(always)]
    unsafe fn store(self, at: *mut u64) {
        // SAFETY: the caller guarantees two writable slots from `at`.
        unsafe {
            at.write(self as u64);
            at.add(1).write((self >> 64) as u64);
        }
    }
}
