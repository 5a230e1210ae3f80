//! Clocks: realtime, monotonic, and the process and thread CPU-time clocks.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustix::time::{ClockId, clock_getres, clock_gettime};

use crate::errno::{Errno, WasiResult};
use crate::memory;

pub const REALTIME: u32 = 0;
pub const MONOTONIC: u32 = 1;
pub const PROCESS_CPUTIME: u32 = 2;
pub const THREAD_CPUTIME: u32 = 3;

fn host_clock(id: u32) -> WasiResult<ClockId> {
    Ok(match id {
        REALTIME => ClockId::Realtime,
        MONOTONIC => ClockId::Monotonic,
        PROCESS_CPUTIME => ClockId::ProcessCPUTime,
        THREAD_CPUTIME => ClockId::ThreadCPUTime,
        _ => return Err(Errno::INVAL),
    })
}

fn nanos(ts: rustix::time::Timespec) -> u64 {
    (ts.tv_sec as u64).saturating_mul(1_000_000_000).saturating_add(ts.tv_nsec as u64)
}

/// The time of clock `id` in nanoseconds.
pub fn now(id: u32) -> WasiResult<u64> {
    if id == REALTIME {
        // std's clock is the portable way to the epoch; the others come from clock_gettime.
        let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
        return Ok(since.as_nanos() as u64);
    }
    Ok(nanos(clock_gettime(host_clock(id)?)))
}

pub fn clock_res_get(mem: &mut [u8], id: u32, resolution: u32) -> WasiResult {
    let res = nanos(clock_getres(host_clock(id)?)).max(1);
    memory::write_u64(mem, resolution, res)
}

pub fn clock_time_get(mem: &mut [u8], id: u32, _precision: u64, time: u32) -> WasiResult {
    memory::write_u64(mem, time, now(id)?)
}
