//! The value stack and frame stack shared by every tier: the one place the runtime
//! allocates memory that generated code and the interpreter's fast loop reach through
//! raw pointers.
//!
//! Both stacks are allocated once, at their full size, and never move, so their base
//! addresses can sit in the [`VmContext`](crate::VmContext). Each is owned through the
//! raw pointer the allocator returned and only ever reached through pointers derived
//! from it (never through a `Box` or `Vec`, whose uses would claim the whole block for
//! themselves and invalidate pointers a running tier still holds). The blocks are
//! zeroed allocations, which come from fresh pages: untouched slots cost no memory.

use std::alloc::{self, Layout};
use std::ptr::NonNull;

/// Where a suspended caller resumes: recorded when it calls a WebAssembly function.
/// Every tier writes and reads frames in this layout (see `VmContext`).
#[repr(C)]
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Frame {
    /// The caller (a function address).
    pub func: u32,
    /// Offset in the caller's code of the instruction after the call.
    pub pc: u32,
    /// The caller's side-table position after the call.
    pub stp: u32,
    /// The caller's frame base: the slot of its first local.
    pub base: u32,
}

/// Where a call is at a safepoint, in terms every tier shares: the running function,
/// its bytecode and side-table positions, and its frame on the value stack. The
/// interpreter runs from one and stops at one; compiled code leaves the driver one when
/// it stops; a paused call keeps one (with slot indices relative to its own slots). It
/// holds no host address and no tier, so a call stopped in one tier resumes in any.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Position {
    /// The running function (a function address).
    pub func: u32,
    /// Offset in the function's code of the next instruction.
    pub pc: usize,
    /// The side-table position there.
    pub stp: usize,
    /// Frame base: the slot of local 0.
    pub fp: usize,
    /// First free slot.
    pub sp: usize,
}

/// A zeroed block of `len` values of `T`, owned by its raw pointer.
struct RawBlock<T> {
    ptr: NonNull<T>,
    len: usize,
}

// SAFETY: a `RawBlock` owns its values like a `Box<[T]>` does; the raw pointer is only
// there to keep references from claiming the block (see the module documentation).
unsafe impl<T: Send> Send for RawBlock<T> {}
// SAFETY: as above; shared access only reads.
unsafe impl<T: Sync> Sync for RawBlock<T> {}

/// The fewest values a stack falls back to when the host cannot give the size asked
/// for: below this, failing is better than a stack too small to be of use.
const FALLBACK_FLOOR: usize = 1 << 12;

impl<T: Copy> RawBlock<T> {
    /// `len` values, every one all zero bits (which must be a valid `T`); when the host
    /// cannot give that many (a small `ulimit -v`), half as many, and so on down to
    /// [`FALLBACK_FLOOR`]: a smaller stack only makes deep calls trap sooner.
    fn zeroed(len: usize) -> RawBlock<T> {
        let mut len = len;
        loop {
            let Some(layout) = Layout::array::<T>(len).ok().filter(|layout| layout.size() != 0) else {
                return RawBlock { ptr: NonNull::dangling(), len: 0 };
            };
            // SAFETY: the layout has a non-zero size.
            let ptr = unsafe { alloc::alloc_zeroed(layout) };
            match NonNull::new(ptr.cast::<T>()) {
                Some(ptr) => return RawBlock { ptr, len },
                None if len > FALLBACK_FLOOR => len = (len / 2).max(FALLBACK_FLOOR),
                None => alloc::handle_alloc_error(layout),
            }
        }
    }

    fn as_slice(&self) -> &[T] {
        // SAFETY: `ptr` owns `len` initialised values; the borrow of `self` keeps them
        // from being written meanwhile.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }

    fn as_mut_slice(&mut self) -> &mut [T] {
        // SAFETY: as above; the exclusive borrow makes this the only access.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl<T> Drop for RawBlock<T> {
    fn drop(&mut self) {
        if let Ok(layout) = Layout::array::<T>(self.len)
            && layout.size() != 0
        {
            // SAFETY: allocated in `zeroed` with this layout.
            unsafe { alloc::dealloc(self.ptr.as_ptr().cast(), layout) };
        }
    }
}

/// The value stack: untyped 64-bit slots (a `v128` takes two). A call's arguments,
/// pushed by the caller, become the callee's first locals in place.
pub struct Slots {
    block: RawBlock<u64>,
}

impl Slots {
    pub fn len(&self) -> usize {
        self.block.len
    }

    pub fn is_empty(&self) -> bool {
        self.block.len == 0
    }

    pub fn as_slice(&self) -> &[u64] {
        self.block.as_slice()
    }

    pub fn as_mut_slice(&mut self) -> &mut [u64] {
        self.block.as_mut_slice()
    }

    /// The base every pointer into the slots must be derived from. Pointers from here
    /// stay valid until the stack is dropped; whoever writes through them must hold
    /// the exclusive borrow of the store that keeps everyone else out.
    pub fn base(&mut self) -> *mut u64 {
        self.block.ptr.as_ptr()
    }
}

/// The frame stack: one record per suspended WebAssembly caller, at most `capacity`.
pub struct Frames {
    block: RawBlock<Frame>,
    len: usize,
}

impl Frames {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The most frames: the call depth limit.
    pub fn capacity(&self) -> usize {
        self.block.len
    }

    pub fn is_full(&self) -> bool {
        self.len == self.block.len
    }

    /// Pushes `frame`; `false` (and nothing pushed) when the stack is full.
    #[inline(always)]
    pub fn push(&mut self, frame: Frame) -> bool {
        if self.len == self.block.len {
            return false;
        }
        // SAFETY: `len` is below the capacity.
        unsafe { self.block.ptr.as_ptr().add(self.len).write(frame) };
        self.len += 1;
        true
    }

    #[inline(always)]
    pub fn pop(&mut self) -> Option<Frame> {
        self.len = self.len.checked_sub(1)?;
        // SAFETY: the frame at the new `len` was written by `push`.
        Some(unsafe { self.block.ptr.as_ptr().add(self.len).read() })
    }

    #[inline(always)]
    pub fn last(&self) -> Option<Frame> {
        self.as_slice().last().copied()
    }

    pub fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }

    /// Takes `len` records as in use: after compiled code pushed and popped records
    /// through the VM context's `frames_len`.
    pub fn set_len(&mut self, len: usize) {
        assert!(len <= self.block.len, "more frames than the frame stack holds");
        // Every record is initialized: the block is allocated zeroed.
        self.len = len;
    }

    /// The frames in use, outermost first.
    pub fn as_slice(&self) -> &[Frame] {
        &self.block.as_slice()[..self.len]
    }

    pub fn as_mut_slice(&mut self) -> &mut [Frame] {
        let len = self.len;
        &mut self.block.as_mut_slice()[..len]
    }

    /// The base of the frame records, for the VM context.
    pub fn base(&mut self) -> *mut Frame {
        self.block.ptr.as_ptr()
    }
}

/// The value stack and the frames that live on it, shared by every call into the store.
pub struct Stack {
    pub slots: Slots,
    pub frames: Frames,
    /// The first free slot between calls from the host.
    pub top: usize,
    /// Calls from the host into WebAssembly now running, nested through host functions.
    pub activations: usize,
}

impl std::fmt::Debug for Stack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stack")
            .field("slots", &self.slots.len())
            .field("frames", &self.frames.len())
            .field("top", &self.top)
            .field("activations", &self.activations)
            .finish()
    }
}

impl Stack {
    pub fn new(slots: usize, max_frames: usize) -> Stack {
        Stack {
            slots: Slots { block: RawBlock::zeroed(slots) },
            frames: Frames { block: RawBlock::zeroed(max_frames), len: 0 },
            top: 0,
            activations: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_push_up_to_the_capacity() {
        let mut stack = Stack::new(16, 2);
        let frame = |func| Frame { func, pc: 1, stp: 2, base: 3 };
        assert!(stack.frames.push(frame(7)));
        assert!(stack.frames.push(frame(8)));
        assert!(!stack.frames.push(frame(9)));
        assert_eq!(stack.frames.as_slice(), &[frame(7), frame(8)]);
        assert_eq!(stack.frames.pop(), Some(frame(8)));
        stack.frames.truncate(0);
        assert_eq!(stack.frames.pop(), None);
    }

    #[test]
    fn slots_start_zeroed_and_keep_their_base() {
        let mut stack = Stack::new(1000, 0);
        let base = stack.slots.base();
        assert!(stack.slots.as_slice().iter().all(|&s| s == 0));
        stack.slots.as_mut_slice()[999] = 5;
        assert_eq!(stack.slots.base(), base);
        // SAFETY: slot 999 is within the stack.
        assert_eq!(unsafe { base.add(999).read() }, 5);
        assert!(Stack::new(0, 0).slots.is_empty());
    }
}
