//! Reading a snapshot: every length is checked against what is left before anything
//! is allocated for it, so a hostile file gets an error, never a panic or an
//! allocation out of proportion to its size.

use std::fmt;

use crate::{
    CallState, Chunk, FdKind, FdState, FrameState, Limits, MAGIC, MAX_CHUNK, MemoryImage, ModuleIdentity,
    Origin, Snapshot, StoreState, TableImage, VERSION, WasiState, encoding, fd_kind, section,
};

/// Why bytes are not a snapshot this version reads: the byte offset where that showed,
/// and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for ReadError {}

type Result<T> = std::result::Result<T, ReadError>;

/// The bytes of a payload being read, and where they are in the file.
struct In<'a> {
    data: &'a [u8],
    pos: usize,
    /// The file offset of `data[0]`.
    base: usize,
}

impl<'a> In<'a> {
    fn error<T>(&self, message: impl Into<String>) -> Result<T> {
        Err(ReadError { offset: self.base + self.pos, message: message.into() })
    }

    fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return self.error(format!("{what} needs {n} bytes, but only {} are left", self.remaining()));
        }
        let bytes = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N]> {
        let mut array = [0; N];
        array.copy_from_slice(self.take(N, what)?);
        Ok(array)
    }

    fn u8(&mut self, what: &str) -> Result<u8> {
        Ok(self.array::<1>(what)?[0])
    }

    fn u16(&mut self, what: &str) -> Result<u16> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }

    fn u32(&mut self, what: &str) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    fn u64(&mut self, what: &str) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    fn bool(&mut self, what: &str) -> Result<bool> {
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            other => self.error(format!("{what} must be 0 or 1, found {other}")),
        }
    }

    /// A u64 length, checked against what is left, and that many bytes.
    fn bytes(&mut self, what: &str) -> Result<&'a [u8]> {
        let len = self.u64(what)?;
        match usize::try_from(len) {
            Ok(len) if len <= self.remaining() => self.take(len, what),
            _ => self.error(format!("{what} claims {len} bytes, but only {} are left", self.remaining())),
        }
    }

    fn string(&mut self, what: &str) -> Result<String> {
        let at = self.pos;
        let bytes = self.bytes(what)?;
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(text.to_string()),
            Err(_) => {
                self.pos = at;
                self.error(format!("{what} is not UTF-8"))
            }
        }
    }

    /// A u32 count of items of at least `min_size` bytes each, which must fit in what
    /// is left: the bound on what a list may allocate.
    fn count(&mut self, what: &str, min_size: usize) -> Result<usize> {
        let count = self.u32(what)? as usize;
        if count.saturating_mul(min_size) > self.remaining() {
            return self
                .error(format!("{what}: {count} items do not fit in the {} bytes left", self.remaining()));
        }
        Ok(count)
    }

    fn list<T>(
        &mut self,
        what: &str,
        min_size: usize,
        mut item: impl FnMut(&mut Self) -> Result<T>,
    ) -> Result<Vec<T>> {
        let count = self.count(what, min_size)?;
        let mut items = Vec::with_capacity(count);
        for _ in 0..count {
            items.push(item(self)?);
        }
        Ok(items)
    }

    fn frame(&mut self) -> Result<FrameState> {
        Ok(FrameState {
            func: self.u32("a frame's function")?,
            pc: self.u32("a frame's pc")?,
            base: self.u32("a frame's base")?,
        })
    }

    fn origin(&mut self) -> Result<Origin> {
        Ok(Origin { preopen: self.string("a preopened directory's name")?, path: self.string("a path")? })
    }

    /// The end of a payload: nothing may be left over.
    fn finish(&self, what: &str) -> Result<()> {
        if self.remaining() != 0 {
            return self.error(format!("the {what} section has {} bytes left over", self.remaining()));
        }
        Ok(())
    }
}

impl Snapshot {
    /// Reads a snapshot written by [`Snapshot::to_bytes`] (of this format version).
    pub fn from_bytes(bytes: &[u8]) -> Result<Snapshot> {
        let whole = In { data: bytes, pos: 0, base: 0 };
        if bytes.len() < MAGIC.len() || bytes[..MAGIC.len()] != MAGIC {
            return whole.error("not a Stratus snapshot (it does not start with the magic number)");
        }
        if bytes.len() < MAGIC.len() + 4 + 4 {
            return whole.error("the snapshot is truncated: it ends inside its header");
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().expect("four bytes"));
        if version != VERSION {
            return In { data: bytes, pos: 8, base: 0 }
                .error(format!("snapshot format version {version}; this Stratus reads version {VERSION}"));
        }
        let (body, checksum) = bytes.split_at(bytes.len() - 4);
        if crc32fast::hash(body) != u32::from_le_bytes(checksum.try_into().expect("four bytes")) {
            return In { data: bytes, pos: body.len(), base: 0 }
                .error("the snapshot is corrupt or truncated: its checksum does not match its contents");
        }
        let mut sections = Sections { input: In { data: body, pos: 12, base: 0 }, last: 0 };
        let mut snapshot = Snapshot {
            module: sections.required(section::MODULE, "module", read_module)?,
            store: sections.required(section::STORE, "store", read_store)?,
            memories: sections
                .required(section::MEMORIES, "memories", |i| i.list("memories", 12, read_memory))?,
            tables: sections.required(section::TABLES, "tables", |i| i.list("tables", 12, read_table))?,
            globals: sections.required(section::GLOBALS, "globals", |i| {
                i.list("globals", 16, |i| Ok([i.u64("a global")?, i.u64("a global")?]))
            })?,
            ..Snapshot::default()
        };
        (snapshot.dropped_elems, snapshot.dropped_datas) =
            sections.required(section::SEGMENTS, "segments", |i| {
                let elems = i.list("dropped element segments", 4, |i| i.u32("a segment index"))?;
                let datas = i.list("dropped data segments", 4, |i| i.u32("a segment index"))?;
                Ok((elems, datas))
            })?;
        snapshot.call = sections.required(section::CALL, "call", read_call)?;
        snapshot.wasi = sections.optional(section::WASI, "wasi", read_wasi)?;
        if sections.input.remaining() != 0 {
            let id = sections.input.data[sections.input.pos];
            return sections
                .input
                .error(format!("unexpected section {id} (sections come in order, each once)"));
        }
        Ok(snapshot)
    }
}

/// The sections of a file, read in order of id.
struct Sections<'a> {
    input: In<'a>,
    last: u8,
}

impl<'a> Sections<'a> {
    fn required<T>(&mut self, id: u8, name: &str, read: impl FnOnce(&mut In<'a>) -> Result<T>) -> Result<T> {
        match self.optional(id, name, read)? {
            Some(value) => Ok(value),
            None => self.input.error(format!("the {name} section (id {id}) is missing")),
        }
    }

    fn optional<T>(
        &mut self,
        id: u8,
        name: &str,
        read: impl FnOnce(&mut In<'a>) -> Result<T>,
    ) -> Result<Option<T>> {
        if self.input.remaining() == 0 || self.input.data[self.input.pos] != id {
            return Ok(None);
        }
        debug_assert!(id > self.last, "sections are read in order");
        self.last = id;
        self.input.u8("a section id")?;
        let payload = self.input.bytes(name)?;
        let mut input = In { data: payload, pos: 0, base: self.input.base + self.input.pos - payload.len() };
        let value = read(&mut input)?;
        input.finish(name)?;
        Ok(Some(value))
    }
}

fn read_module(i: &mut In<'_>) -> Result<ModuleIdentity> {
    let sha256 = i.array("the module's sha256")?;
    let bytes =
        if i.bool("whether the module is included")? { Some(i.bytes("the module")?.to_vec()) } else { None };
    Ok(ModuleIdentity { sha256, bytes })
}

fn read_store(i: &mut In<'_>) -> Result<StoreState> {
    let fuel = if i.bool("whether fuel is consumed")? { Some(i.u64("the fuel left")?) } else { None };
    let deterministic = i.bool("the deterministic profile")?;
    let mut limit = || i.u64("a limit");
    let limits = Limits {
        memory_pages: limit()?,
        table_elements: limit()?,
        total_memory_bytes: limit()?,
        total_table_elements: limit()?,
        instances: limit()?,
        call_depth: limit()?,
        stack_slots: limit()?,
        host_reentry: limit()?,
    };
    Ok(StoreState { fuel, deterministic, limits })
}

fn read_memory(i: &mut In<'_>) -> Result<MemoryImage> {
    let pages = i.u64("a memory's size")?;
    let Some(len) = pages.checked_mul(1 << 16) else { return i.error(format!("a memory of {pages} pages")) };
    let mut end = 0;
    let chunks = i.list("a memory's chunks", 17, |i| {
        let offset = i.u64("a chunk's offset")?;
        if offset < end {
            return i.error(format!("a chunk at {offset} overlaps the one before, which ends at {end}"));
        }
        let bytes = match i.u8("a chunk's encoding")? {
            encoding::RAW => i.bytes("a chunk")?.to_vec(),
            encoding::LZ4 => {
                let size = i.u64("a chunk's size")?;
                if size > MAX_CHUNK as u64 {
                    return i.error(format!("a chunk of {size} bytes; the most is {MAX_CHUNK}"));
                }
                let compressed = i.bytes("a chunk")?;
                match lz4_flex::block::decompress(compressed, size as usize) {
                    Ok(bytes) if bytes.len() as u64 == size => bytes,
                    _ => return i.error("a compressed chunk does not decompress to its size"),
                }
            }
            other => return i.error(format!("unknown chunk encoding {other}")),
        };
        if bytes.len() > MAX_CHUNK {
            return i.error(format!("a chunk of {} bytes; the most is {MAX_CHUNK}", bytes.len()));
        }
        end = offset.saturating_add(bytes.len() as u64);
        if end > len {
            return i.error(format!("a chunk ends at {end}, past the memory's {len} bytes"));
        }
        Ok(Chunk { offset, bytes })
    })?;
    Ok(MemoryImage { pages, chunks })
}

fn read_table(i: &mut In<'_>) -> Result<TableImage> {
    let size = i.u64("a table's size")?;
    let mut next = 0;
    let entries = i.list("a table's entries", 16, |i| {
        let index = i.u64("an entry's index")?;
        let value = i.u64("an entry's reference")?;
        if index < next || index >= size {
            return i.error(format!("a table entry at {index} is out of order or past the table's {size}"));
        }
        if value == 0 {
            return i.error("a table entry lists a null reference");
        }
        next = index + 1;
        Ok((index, value))
    })?;
    Ok(TableImage { size, entries })
}

fn read_call(i: &mut In<'_>) -> Result<CallState> {
    let entry = i.u32("the entry function")?;
    let slots = i.list("the value stack", 8, |i| i.u64("a slot"))?;
    let frames = i.list("the frames", 12, In::frame)?;
    let running = i.frame()?;
    Ok(CallState { entry, slots, frames, running })
}

fn read_wasi(i: &mut In<'_>) -> Result<WasiState> {
    let args = i.list("the arguments", 8, |i| i.string("an argument"))?;
    let env = i.list("the environment", 16, |i| {
        Ok((i.string("a variable's name")?, i.string("a variable's value")?))
    })?;
    let monotonic_ns = i.u64("the monotonic clock")?;
    let fds = i.list("the fds", 23, |i| {
        let fd = i.u32("an fd")?;
        let rights = i.u64("an fd's rights")?;
        let inheriting = i.u64("an fd's inheriting rights")?;
        let flags = i.u16("an fd's flags")?;
        let kind = match i.u8("an fd's kind")? {
            fd_kind::STDIN => FdKind::Stdin,
            fd_kind::STDOUT => FdKind::Stdout,
            fd_kind::STDERR => FdKind::Stderr,
            fd_kind::DIR => FdKind::Dir(i.origin()?),
            fd_kind::FILE => FdKind::File {
                origin: i.origin()?,
                read: i.bool("whether a file is read")?,
                write: i.bool("whether a file is written")?,
                offset: i.u64("a file's offset")?,
            },
            other => return i.error(format!("unknown fd kind {other}")),
        };
        Ok(FdState { fd, rights, inheriting, flags, kind })
    })?;
    Ok(WasiState { args, env, monotonic_ns, fds })
}
