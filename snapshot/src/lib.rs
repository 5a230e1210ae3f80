//! stratus-snapshot: the state of a paused WebAssembly program in WebAssembly terms,
//! and its binary format.
//!
//! Owns: the [`Snapshot`] data model and its encoding: [`Snapshot::to_bytes`] and
//! [`Snapshot::from_bytes`], which refuses anything malformed with a [`ReadError`]
//! (never a panic, and no allocation larger than the input justifies).
//! Does not own: taking a snapshot of a store or restoring one (stratus-exec does, as it
//! owns paused calls), WASI's descriptors (stratus-wasi fills in [`WasiState`]), or
//! the module, which is named by its sha256 and may be carried along.
//!
//! A snapshot holds no host address, no tier and no side-table position: functions
//! are function indices of the module, code positions are byte offsets into a
//! function's instructions, references are function indices (plus one; zero is null).
//! So it restores into any tier on any ISA, and outlives changes to how the runtime
//! lays out its own tables.
//!
//! # Format, version 1
//!
//! All integers are little-endian and of fixed width. A file is:
//!
//! - the magic number [`MAGIC`] (8 bytes) and the [`VERSION`] (u32);
//! - sections, each an id (u8), a length (u64) and that many bytes of payload, in
//!   increasing order of id; ids 1 to 7 must be there, 8 may be;
//! - a CRC-32 (u32, IEEE) of every byte before it.
//!
//! Within payloads, `bytes` is a u64 length and the bytes, `string` is `bytes` in
//! UTF-8, `list<T>` is a u32 count and the items, and `option<T>` is a u8 (0 or 1) and,
//! if 1, the item.
//!
//! | id | section  | payload |
//! |----|----------|---------|
//! | 1  | module   | sha256 (32 bytes), `option<bytes>` the module itself |
//! | 2  | store    | `option<u64>` fuel left, u8 deterministic profile, 8 × u64 limits ([`Limits`] in field order) |
//! | 3  | memories | `list<memory>`: u64 pages (of 64 KiB), `list<chunk>` |
//! | 4  | tables   | `list<table>`: u64 size, `list<(u64 index, u64 reference)>` of the non-null entries, by index |
//! | 5  | globals  | `list<(u64, u64)>`: each global's value, low half first |
//! | 6  | segments | `list<u32>` dropped element segments, `list<u32>` dropped data segments |
//! | 7  | call     | u32 entry function, `list<u64>` value-stack slots, `list<frame>` suspended callers (outermost first), frame running |
//! | 8  | wasi     | [`WasiState`]: `list<string>` args, `list<(string, string)>` env, u64 monotonic clock, `list<fd>` |
//!
//! A chunk is a u64 byte offset and a u8 encoding, then for encoding 0 the `bytes`
//! themselves, for encoding 1 (an LZ4 block) a u64 size and the compressed `bytes`; it
//! stands for at most [`MAX_CHUNK`] bytes of memory, which are zero wherever no chunk
//! covers them. Chunks come in increasing order of offset and do not overlap. A frame
//! is u32 function index, u32 pc, u32 base slot; the running frame's slots end at the
//! top of the value stack. An fd is u32 number, u64 rights, u64 inheriting rights, u16
//! fdflags, u8 kind (0 stdin, 1 stdout, 2 stderr, 3 directory, 4 file) and for a
//! directory or a file its [`Origin`], then for a file u8 read, u8 write and u64
//! offset.

mod read;
mod write;

pub use read::ReadError;

/// The first bytes of every snapshot.
pub const MAGIC: [u8; 8] = *b"\0STRSNAP";

/// The version of the format this crate writes, and the only one it reads.
pub const VERSION: u32 = 1;

/// The unit of memory a snapshot keeps or leaves out as all zero.
pub const GRANULE: usize = 4096;

/// The most bytes of memory one chunk stands for: what the reader allocates at most for
/// one chunk it decompresses.
pub const MAX_CHUNK: usize = 1 << 20;

/// A store with one paused call, in WebAssembly terms.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// The module whose instance the call runs in.
    pub module: ModuleIdentity,
    pub store: StoreState,
    /// The instance's memories, by memory index (imported ones included).
    pub memories: Vec<MemoryImage>,
    /// The instance's tables, by table index.
    pub tables: Vec<TableImage>,
    /// Each global's value by global index, in value-stack slots (a `v128` in both).
    pub globals: Vec<[u64; 2]>,
    /// Element segments dropped (by `elem.drop`, or by instantiation for active and
    /// declarative ones), by index.
    pub dropped_elems: Vec<u32>,
    /// Data segments dropped, by index.
    pub dropped_datas: Vec<u32>,
    pub call: CallState,
    /// The guest's WASI state, for a WASI program.
    pub wasi: Option<WasiState>,
}

/// Which module a snapshot belongs to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModuleIdentity {
    /// The sha256 of the module's binary: resuming with any other module is refused.
    pub sha256: [u8; 32],
    /// The binary itself, when the snapshot carries it (the CLI's do, so that one file
    /// moves a program).
    pub bytes: Option<Vec<u8>>,
}

/// What the store running the call was given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoreState {
    /// The fuel left, if the store consumed fuel.
    pub fuel: Option<u64>,
    /// Whether it ran the spec's deterministic profile.
    pub deterministic: bool,
    pub limits: Limits,
}

/// The store's configured limits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    pub memory_pages: u64,
    pub table_elements: u64,
    pub total_memory_bytes: u64,
    pub total_table_elements: u64,
    pub instances: u64,
    pub call_depth: u64,
    pub stack_slots: u64,
    pub host_reentry: u64,
}

/// A linear memory: its size and its non-zero bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryImage {
    /// The size in 64 KiB pages.
    pub pages: u64,
    /// The parts that are not zero, in increasing order of offset.
    pub chunks: Vec<Chunk>,
}

/// Bytes of a memory at an offset.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Chunk {
    pub offset: u64,
    pub bytes: Vec<u8>,
}

/// A table: its size and its non-null entries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableImage {
    pub size: u64,
    /// (index, reference), in increasing order of index; a reference is a function
    /// index plus one (or an embedder's token plus one, for an `externref`).
    pub entries: Vec<(u64, u64)>,
}

/// The paused call: its value stack and frames.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallState {
    /// The function the host called (a function index), whose results the call ends
    /// with.
    pub entry: u32,
    /// The value stack from the entry function's first argument to the top, untyped:
    /// each frame's function and pc say what each slot holds. References are function
    /// indices plus one.
    pub slots: Vec<u64>,
    /// The suspended callers, outermost first, each at the instruction after its call.
    pub frames: Vec<FrameState>,
    /// The running function, at a safepoint: its entry (pc 0) or a loop header.
    pub running: FrameState,
}

/// A frame: a function index, a byte offset in its instructions, and the slot of its
/// first local.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct FrameState {
    pub func: u32,
    pub pc: u32,
    pub base: u32,
}

/// A WASI guest's state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WasiState {
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    /// The guest's monotonic clock when the snapshot was taken, in nanoseconds: it goes
    /// on from there after a resume, never backwards.
    pub monotonic_ns: u64,
    pub fds: Vec<FdState>,
}

/// An open file descriptor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FdState {
    pub fd: u32,
    pub rights: u64,
    pub inheriting: u64,
    pub flags: u16,
    pub kind: FdKind,
}

/// What an fd is, and how to open it again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FdKind {
    Stdin,
    Stdout,
    Stderr,
    Dir(Origin),
    File { origin: Origin, read: bool, write: bool, offset: u64 },
}

/// Where an fd was opened: beneath the preopened directory of guest name `preopen`, at
/// `path` (empty for the preopened directory itself).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    pub preopen: String,
    pub path: String,
}

/// Section ids, in the order they appear.
mod section {
    pub const MODULE: u8 = 1;
    pub const STORE: u8 = 2;
    pub const MEMORIES: u8 = 3;
    pub const TABLES: u8 = 4;
    pub const GLOBALS: u8 = 5;
    pub const SEGMENTS: u8 = 6;
    pub const CALL: u8 = 7;
    pub const WASI: u8 = 8;
}

/// Chunk encodings.
mod encoding {
    pub const RAW: u8 = 0;
    pub const LZ4: u8 = 1;
}

/// Fd kinds.
mod fd_kind {
    pub const STDIN: u8 = 0;
    pub const STDOUT: u8 = 1;
    pub const STDERR: u8 = 2;
    pub const DIR: u8 = 3;
    pub const FILE: u8 = 4;
}

impl MemoryImage {
    /// The image of `bytes`, a memory of `pages` pages: the runs of [`GRANULE`]s that
    /// are not all zero, cut into chunks of at most [`MAX_CHUNK`] bytes. `touched`, if
    /// known, says for each granule whether it may be non-zero at all: the others are
    /// not read.
    pub fn of(pages: u64, bytes: &[u8], touched: Option<&[bool]>) -> MemoryImage {
        let mut chunks: Vec<Chunk> = Vec::new();
        for (index, granule) in bytes.chunks(GRANULE).enumerate() {
            if touched.is_some_and(|touched| !touched.get(index).copied().unwrap_or(true)) {
                continue;
            }
            // An OR over the whole granule, which compiles to vector instructions,
            // rather than a search that stops at the first non-zero byte.
            if granule.iter().fold(0, |acc, &b| acc | b) == 0 {
                continue;
            }
            let offset = (index * GRANULE) as u64;
            match chunks.last_mut() {
                Some(last)
                    if last.offset + last.bytes.len() as u64 == offset
                        && last.bytes.len() + granule.len() <= MAX_CHUNK =>
                {
                    last.bytes.extend_from_slice(granule)
                }
                _ => chunks.push(Chunk { offset, bytes: granule.to_vec() }),
            }
        }
        MemoryImage { pages, chunks }
    }

    /// The bytes the chunks stand for.
    pub fn nonzero_bytes(&self) -> u64 {
        self.chunks.iter().map(|c| c.bytes.len() as u64).sum()
    }
}

#[cfg(test)]
mod tests;
