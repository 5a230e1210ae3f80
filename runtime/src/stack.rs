//! The value stack and frame stack shared by every tier.

/// Where a suspended caller resumes: recorded when it calls a WebAssembly function.
#[derive(Copy, Clone, Debug, Default)]
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

/// One contiguous block of untyped 64-bit slots and the frames that live on it. A
/// call's arguments, pushed by the caller, become the callee's first locals in place.
#[derive(Debug)]
pub struct Stack {
    pub slots: Box<[u64]>,
    /// The first free slot between calls from the host.
    pub top: usize,
    pub frames: Vec<Frame>,
    pub max_frames: usize,
    /// Calls from the host into WebAssembly now running, nested through host functions.
    pub activations: usize,
}

impl Stack {
    pub fn new(slots: usize, max_frames: usize) -> Stack {
        // Zeroed allocations come from fresh pages: untouched slots cost no memory.
        Stack {
            slots: vec![0; slots].into_boxed_slice(),
            top: 0,
            frames: Vec::new(),
            max_frames,
            activations: 0,
        }
    }
}
