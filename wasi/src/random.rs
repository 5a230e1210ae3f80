//! `random_get`, from the host's CSPRNG.

use crate::errno::{Errno, WasiResult};
use crate::memory;

pub fn random_get(mem: &mut [u8], buf: u32, buf_len: u32) -> WasiResult {
    getrandom::fill(memory::slice_mut(mem, buf, buf_len)?).map_err(|_| Errno::IO)
}
