//! Checked access to the guest's linear memory. Every guest pointer and length goes
//! through here, so a bad one is `EFAULT` and never a host panic or a huge allocation.

use crate::errno::{Errno, WasiResult};

/// The range `ptr..ptr+len` of `mem`, or `EFAULT` if any of it is outside.
pub fn range(mem: &[u8], ptr: u32, len: u32) -> WasiResult<std::ops::Range<usize>> {
    let start = ptr as usize;
    let end = start.checked_add(len as usize).ok_or(Errno::FAULT)?;
    if end > mem.len() {
        return Err(Errno::FAULT);
    }
    Ok(start..end)
}

pub fn slice(mem: &[u8], ptr: u32, len: u32) -> WasiResult<&[u8]> {
    Ok(&mem[range(mem, ptr, len)?])
}

pub fn slice_mut(mem: &mut [u8], ptr: u32, len: u32) -> WasiResult<&mut [u8]> {
    let range = range(mem, ptr, len)?;
    Ok(&mut mem[range])
}

pub fn read_u8(mem: &[u8], ptr: u32) -> WasiResult<u8> {
    Ok(slice(mem, ptr, 1)?[0])
}

pub fn read_u16(mem: &[u8], ptr: u32) -> WasiResult<u16> {
    Ok(u16::from_le_bytes(slice(mem, ptr, 2)?.try_into().expect("2 bytes")))
}

pub fn read_u32(mem: &[u8], ptr: u32) -> WasiResult<u32> {
    Ok(u32::from_le_bytes(slice(mem, ptr, 4)?.try_into().expect("4 bytes")))
}

pub fn read_u64(mem: &[u8], ptr: u32) -> WasiResult<u64> {
    Ok(u64::from_le_bytes(slice(mem, ptr, 8)?.try_into().expect("8 bytes")))
}

pub fn write_bytes(mem: &mut [u8], ptr: u32, bytes: &[u8]) -> WasiResult {
    let len = u32::try_from(bytes.len()).map_err(|_| Errno::FAULT)?;
    slice_mut(mem, ptr, len)?.copy_from_slice(bytes);
    Ok(())
}

pub fn write_u32(mem: &mut [u8], ptr: u32, value: u32) -> WasiResult {
    write_bytes(mem, ptr, &value.to_le_bytes())
}

pub fn write_u64(mem: &mut [u8], ptr: u32, value: u64) -> WasiResult {
    write_bytes(mem, ptr, &value.to_le_bytes())
}

/// Reads a string argument (a path): `EFAULT` outside memory, `EILSEQ` if not UTF-8,
/// which preview1 requires of paths.
pub fn read_str(mem: &[u8], ptr: u32, len: u32) -> WasiResult<&str> {
    std::str::from_utf8(slice(mem, ptr, len)?).map_err(|_| Errno::ILSEQ)
}

/// The `(buf, buf_len)` pairs of an iovec array, each checked against memory. The array
/// itself is checked before anything is allocated, so the count is bounded by what the
/// memory can hold (8 bytes an entry), whatever the guest claims.
pub fn iovecs(mem: &[u8], ptr: u32, count: u32) -> WasiResult<Vec<std::ops::Range<usize>>> {
    let bytes = count.checked_mul(8).ok_or(Errno::FAULT)?;
    let array = slice(mem, ptr, bytes)?;
    array
        .chunks_exact(8)
        .map(|entry| {
            let buf = u32::from_le_bytes(entry[..4].try_into().expect("4 bytes"));
            let len = u32::from_le_bytes(entry[4..].try_into().expect("4 bytes"));
            range(mem, buf, len)
        })
        .collect()
}

/// Little-endian writer for the fixed-layout structs of wasi/api.h.
pub struct Struct<const N: usize>(pub [u8; N]);

impl<const N: usize> Default for Struct<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Struct<N> {
    pub fn new() -> Self {
        Struct([0; N])
    }

    pub fn u8(&mut self, at: usize, v: u8) -> &mut Self {
        self.0[at] = v;
        self
    }

    pub fn u16(&mut self, at: usize, v: u16) -> &mut Self {
        self.0[at..at + 2].copy_from_slice(&v.to_le_bytes());
        self
    }

    pub fn u32(&mut self, at: usize, v: u32) -> &mut Self {
        self.0[at..at + 4].copy_from_slice(&v.to_le_bytes());
        self
    }

    pub fn u64(&mut self, at: usize, v: u64) -> &mut Self {
        self.0[at..at + 8].copy_from_slice(&v.to_le_bytes());
        self
    }
}
