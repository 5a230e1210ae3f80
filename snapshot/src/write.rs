//! Writing a snapshot: the format of the crate documentation, byte for byte.

use crate::{
    CallState, FdKind, FrameState, MAGIC, MemoryImage, Origin, Snapshot, VERSION, WasiState, encoding,
    fd_kind, section,
};

/// A payload being written.
#[derive(Default)]
struct Out(Vec<u8>);

impl Out {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }

    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    fn bool(&mut self, v: bool) {
        self.u8(u8::from(v));
    }

    fn bytes(&mut self, v: &[u8]) {
        self.u64(v.len() as u64);
        self.0.extend_from_slice(v);
    }

    fn string(&mut self, v: &str) {
        self.bytes(v.as_bytes());
    }

    /// A count, which the data model's sizes keep within u32.
    fn count(&mut self, n: usize) {
        self.u32(u32::try_from(n).expect("fewer than 2^32 items"));
    }

    fn frame(&mut self, frame: &FrameState) {
        self.u32(frame.func);
        self.u32(frame.pc);
        self.u32(frame.base);
    }

    fn origin(&mut self, origin: &Origin) {
        self.string(&origin.preopen);
        self.string(&origin.path);
    }

    /// Appends section `id` with the payload `write` makes.
    fn section(&mut self, id: u8, write: impl FnOnce(&mut Out)) {
        let mut payload = Out::default();
        write(&mut payload);
        self.u8(id);
        self.bytes(&payload.0);
    }
}

impl Snapshot {
    /// The snapshot in the binary format.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Out::default();
        out.0.extend_from_slice(&MAGIC);
        out.u32(VERSION);
        out.section(section::MODULE, |o| {
            o.0.extend_from_slice(&self.module.sha256);
            o.bool(self.module.bytes.is_some());
            if let Some(bytes) = &self.module.bytes {
                o.bytes(bytes);
            }
        });
        out.section(section::STORE, |o| {
            o.bool(self.store.fuel.is_some());
            if let Some(fuel) = self.store.fuel {
                o.u64(fuel);
            }
            o.bool(self.store.deterministic);
            let l = &self.store.limits;
            for v in [
                l.memory_pages,
                l.table_elements,
                l.total_memory_bytes,
                l.total_table_elements,
                l.instances,
                l.call_depth,
                l.stack_slots,
                l.host_reentry,
            ] {
                o.u64(v);
            }
        });
        out.section(section::MEMORIES, |o| {
            o.count(self.memories.len());
            self.memories.iter().for_each(|m| write_memory(o, m));
        });
        out.section(section::TABLES, |o| {
            o.count(self.tables.len());
            for table in &self.tables {
                o.u64(table.size);
                o.count(table.entries.len());
                for &(index, value) in &table.entries {
                    o.u64(index);
                    o.u64(value);
                }
            }
        });
        out.section(section::GLOBALS, |o| {
            o.count(self.globals.len());
            for &[lo, hi] in &self.globals {
                o.u64(lo);
                o.u64(hi);
            }
        });
        out.section(section::SEGMENTS, |o| {
            for dropped in [&self.dropped_elems, &self.dropped_datas] {
                o.count(dropped.len());
                dropped.iter().for_each(|&i| o.u32(i));
            }
        });
        out.section(section::CALL, |o| write_call(o, &self.call));
        if let Some(wasi) = &self.wasi {
            out.section(section::WASI, |o| write_wasi(o, wasi));
        }
        let checksum = crc32fast::hash(&out.0);
        out.u32(checksum);
        out.0
    }
}

fn write_memory(o: &mut Out, memory: &MemoryImage) {
    o.u64(memory.pages);
    o.count(memory.chunks.len());
    for chunk in &memory.chunks {
        o.u64(chunk.offset);
        // Compressed only where that pays: pages of random bytes stay as they are.
        let compressed = lz4_flex::block::compress(&chunk.bytes);
        if compressed.len() < chunk.bytes.len() {
            o.u8(encoding::LZ4);
            o.u64(chunk.bytes.len() as u64);
            o.bytes(&compressed);
        } else {
            o.u8(encoding::RAW);
            o.bytes(&chunk.bytes);
        }
    }
}

fn write_call(o: &mut Out, call: &CallState) {
    o.u32(call.entry);
    o.count(call.slots.len());
    call.slots.iter().for_each(|&s| o.u64(s));
    o.count(call.frames.len());
    call.frames.iter().for_each(|f| o.frame(f));
    o.frame(&call.running);
}

fn write_wasi(o: &mut Out, wasi: &WasiState) {
    o.count(wasi.args.len());
    wasi.args.iter().for_each(|a| o.string(a));
    o.count(wasi.env.len());
    for (key, value) in &wasi.env {
        o.string(key);
        o.string(value);
    }
    o.u64(wasi.monotonic_ns);
    o.count(wasi.fds.len());
    for fd in &wasi.fds {
        o.u32(fd.fd);
        o.u64(fd.rights);
        o.u64(fd.inheriting);
        o.u16(fd.flags);
        match &fd.kind {
            FdKind::Stdin => o.u8(fd_kind::STDIN),
            FdKind::Stdout => o.u8(fd_kind::STDOUT),
            FdKind::Stderr => o.u8(fd_kind::STDERR),
            FdKind::Dir(origin) => {
                o.u8(fd_kind::DIR);
                o.origin(origin);
            }
            FdKind::File { origin, read, write, offset } => {
                o.u8(fd_kind::FILE);
                o.origin(origin);
                o.bool(*read);
                o.bool(*write);
                o.u64(*offset);
            }
        }
    }
}
