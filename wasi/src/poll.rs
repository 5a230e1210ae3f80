//! `poll_oneoff`: clock subscriptions sleep; fd subscriptions on stdio and files are
//! ready at once (they never block for long, like regular files in POSIX `poll`).

use std::time::Duration;

use crate::clock;
use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::fd::{Kind, rights};
use crate::memory::{self, Struct};

const EVENTTYPE_CLOCK: u8 = 0;
const EVENTTYPE_FD_READ: u8 = 1;
const EVENTTYPE_FD_WRITE: u8 = 2;
const SUBCLOCKFLAGS_ABSTIME: u16 = 1;
const SUBSCRIPTION_SIZE: u32 = 48;
const EVENT_SIZE: u32 = 32;

/// One event to report: (userdata, errno, type, nbytes).
type Event = (u64, u16, u8, u64);

pub fn poll_oneoff(
    ctx: &mut WasiCtx,
    mem: &mut [u8],
    subscriptions: u32,
    events: u32,
    nsubscriptions: u32,
    nevents: u32,
) -> WasiResult {
    if nsubscriptions == 0 {
        return Err(Errno::INVAL);
    }
    // Both arrays are checked whole before any work, which also bounds the count.
    let in_len = nsubscriptions.checked_mul(SUBSCRIPTION_SIZE).ok_or(Errno::FAULT)?;
    let out_len = nsubscriptions.checked_mul(EVENT_SIZE).ok_or(Errno::FAULT)?;
    memory::range(mem, subscriptions, in_len)?;
    memory::range(mem, events, out_len)?;
    memory::range(mem, nevents, 4)?;

    let mut ready: Vec<Event> = Vec::new();
    // The earliest clock timeout: (nanoseconds from now, userdata of each that fires).
    let mut timers: Vec<(u64, u64)> = Vec::new();
    for i in 0..nsubscriptions {
        let sub = subscriptions + i * SUBSCRIPTION_SIZE;
        let userdata = memory::read_u64(mem, sub)?;
        match memory::read_u8(mem, sub + 8)? {
            EVENTTYPE_CLOCK => {
                let id = memory::read_u32(mem, sub + 16)?;
                let timeout = memory::read_u64(mem, sub + 24)?;
                let flags = memory::read_u16(mem, sub + 40)?;
                // The guest's own time, so that an absolute monotonic timeout is one of
                // its clock, which after a resume is not the host's.
                let delay = match clock::guest_now(ctx, id) {
                    Ok(now) if flags & SUBCLOCKFLAGS_ABSTIME != 0 => timeout.saturating_sub(now),
                    Ok(_) => timeout,
                    Err(errno) => {
                        ready.push((userdata, errno.0, EVENTTYPE_CLOCK, 0));
                        continue;
                    }
                };
                timers.push((delay, userdata));
            }
            kind @ (EVENTTYPE_FD_READ | EVENTTYPE_FD_WRITE) => {
                let fd = memory::read_u32(mem, sub + 16)?;
                let (errno, nbytes) = match fd_ready(ctx, fd, kind) {
                    Ok(n) => (0, n),
                    Err(errno) => (errno.0, 0),
                };
                ready.push((userdata, errno, kind, nbytes));
            }
            _ => return Err(Errno::INVAL),
        }
    }
    if ready.is_empty() {
        // Nothing is ready: sleep until the earliest clock fires and report every clock
        // that has fired by then.
        if let Some(&(delay, _)) = timers.iter().min_by_key(|(delay, _)| *delay) {
            if delay > 0 {
                std::thread::sleep(Duration::from_nanos(delay));
            }
            ready.extend(timers.iter().filter(|t| t.0 <= delay).map(|&(_, ud)| (ud, 0, EVENTTYPE_CLOCK, 0)));
        }
    } else {
        ready.extend(timers.iter().filter(|t| t.0 == 0).map(|&(_, ud)| (ud, 0, EVENTTYPE_CLOCK, 0)));
    }
    for (i, &(userdata, errno, kind, nbytes)) in ready.iter().enumerate() {
        let mut event = Struct::<32>::new();
        event.u64(0, userdata).u16(8, errno).u8(10, kind).u64(16, nbytes);
        memory::write_bytes(mem, events + i as u32 * EVENT_SIZE, &event.0)?;
    }
    memory::write_u32(mem, nevents, ready.len() as u32)
}

/// Whether `fd` can be read or written now, and how many bytes, where that is known
/// (the bytes left to read in a file).
fn fd_ready(ctx: &mut WasiCtx, fd: u32, kind: u8) -> WasiResult<u64> {
    let entry = ctx.fds.get_mut(fd)?;
    entry.check(rights::POLL_FD_READWRITE)?;
    let needed = if kind == EVENTTYPE_FD_READ { rights::FD_READ } else { rights::FD_WRITE };
    entry.check(needed)?;
    match &mut entry.kind {
        Kind::File(file) if kind == EVENTTYPE_FD_READ => {
            use std::io::Seek;
            let size = file.metadata()?.len();
            let pos = file.stream_position()?;
            Ok(size.saturating_sub(pos))
        }
        Kind::Dir { .. } => Err(Errno::BADF),
        _ => Ok(0),
    }
}
