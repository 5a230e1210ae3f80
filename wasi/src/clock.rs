//! Clocks: realtime, monotonic, and the process and thread CPU-time clocks.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustix::time::{ClockId, clock_getres, clock_gettime};

use crate::ctx::WasiCtx;
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

/// The host's monotonic clock, in nanoseconds.
pub(crate) fn host_monotonic() -> u64 {
    nanos(clock_gettime(ClockId::Monotonic))
}

/// The time of clock `id` as the guest sees it, in nanoseconds: the host's, except that
/// the monotonic clock is moved by the ctx's offset, so that after a resume it goes on
/// from the snapshot's time rather than from this host's.
pub(crate) fn guest_now(ctx: &WasiCtx, id: u32) -> WasiResult<u64> {
    if id == MONOTONIC { Ok(guest_monotonic(ctx)) } else { host_now(id) }
}

/// The guest's monotonic clock, in nanoseconds.
pub(crate) fn guest_monotonic(ctx: &WasiCtx) -> u64 {
    let now = i128::from(host_monotonic()) + ctx.monotonic_offset;
    now.clamp(0, i128::from(u64::MAX)) as u64
}

/// The time of the host's clock `id`, in nanoseconds.
fn host_now(id: u32) -> WasiResult<u64> {
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

pub fn clock_time_get(ctx: &WasiCtx, mem: &mut [u8], id: u32, _precision: u64, time: u32) -> WasiResult {
    memory::write_u64(mem, time, guest_now(ctx, id)?)
}
