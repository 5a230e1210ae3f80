//! The VM context: what running code of any tier sees of its store through one pointer,
//! and the budget that every tier charges.
//!
//! # The contract with the tiers
//!
//! [`VmContext`] is `#[repr(C)]` and boxed in the [`Store`](crate::Store), so its
//! address never changes while the store lives; generated code may keep that address
//! in a register. The execution core (`stratus-exec`) refreshes the fields marked
//! *refreshed* before it runs code and after every host call, since host functions may
//! add instances (moving the store's vectors).
//!
//! | field | meaning |
//! |---|---|
//! | `slots`, `slots_len`, `slots_end` | the value stack: base (fixed), length in 64-bit slots, end |
//! | `frames`, `frames_len`, `frames_max` | the frame stack: base (fixed), records in use, capacity |
//! | `globals` | the store's globals (refreshed) |
//! | `func_refs` | the store's [`FuncRef`](crate::FuncRef)s, what compiled code calls by (refreshed) |
//! | `budget` | units left before the next budget check (see below) |
//! | `exit` | where compiled code left for the driver ([`ExitRecord`]) |
//! | `generation` | bumped whenever function entries may have changed: caches of callee code compare it |
//! | `exit_sp` | the native stack pointer to go back to when compiled code leaves for the driver |
//! | `stack_limit` | the lowest native stack pointer compiled code may call at |
//! | `libcalls`, `host` | the compiler's table of runtime functions, and the driver's state they use |
//!
//! Each field is read by somebody: the interpreter (`slots`, `slots_len`, `budget`,
//! `generation`), the execution core, or compiled code through the offsets in
//! `stratus-jit`'s `abi`. What compiled code reads of an instance (its functions, tables,
//! memory 0's base and each memory's descriptor) is in the instance's
//! [`InstanceVm`](crate::InstanceVm). The interrupt
//! flag is not here: only the budget check looks at it, when the counter runs out
//! ([`Budget::exhausted`]).
//!
//! Frames are [`Frame`] records (`#[repr(C)]`, 16 bytes): the caller's function address,
//! the bytecode offset after the call, its side-table position and its frame base.
//! Locals and operands live in the value stack in the layout the interpreter uses, so
//! every tier can continue a frame another tier started.
//!
//! # The budget
//!
//! One signed counter, charged one unit at every **function entry** (a WebAssembly
//! function starting, whether the embedder, a host function or WebAssembly called it)
//! and at every **loop back-edge** (a taken branch to a `loop` header). Nothing else
//! costs anything: the cost model is the number of calls plus the number of loop
//! iterations, which depends only on the program and its inputs, never on the tier or
//! the machine. When a charge takes the counter below zero, the running tier stops at
//! that point, a safepoint (the callee's first instruction or the loop header, every
//! value in its slot), and the driver decides ([`Budget::exhausted`]): refill the
//! counter from the fuel left, pause or trap for lack of fuel, or stop for an
//! interruption. The counter is refilled at most [`CHECK_PERIOD`] units at a time, so
//! the interrupt flag is looked at at least that often, and charging costs one
//! decrement and one branch on the hot path.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use crate::stack::Frame;

/// The most units the counter is given at once: how many function entries and
/// back-edges may pass between two looks at the interrupt flag. Small enough that an
/// interruption takes effect within microseconds, large enough that the check is noise.
pub const CHECK_PERIOD: i64 = 1 << 12;

/// What an interruption asks of the running guest.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Interruption {
    /// Stop with the "interrupted" trap.
    Trap,
    /// Pause the call, to be resumed later (a trap where the call cannot pause).
    Pause,
}

const NOT_INTERRUPTED: u8 = 0;
const TRAP: u8 = 1;
const PAUSE: u8 = 2;

/// Stops a store's running guest from another thread: it stops at its next budget check
/// (within [`CHECK_PERIOD`] function entries and back-edges). A request made while
/// nothing runs applies to the next call. `Send + Sync` and cheap to clone.
#[derive(Clone, Debug)]
pub struct InterruptHandle {
    flag: Arc<AtomicU8>,
}

impl InterruptHandle {
    /// Asks the guest to stop as `how` says.
    pub fn interrupt(&self, how: Interruption) {
        let value = match how {
            Interruption::Trap => TRAP,
            Interruption::Pause => PAUSE,
        };
        self.flag.store(value, Ordering::Relaxed);
    }

    /// Withdraws a request that has not taken effect yet.
    pub fn clear(&self) {
        self.flag.store(NOT_INTERRUPTED, Ordering::Relaxed);
    }
}

/// Where compiled code left for the driver: the registers of the running function in
/// the interpreter's terms. Why it left is the entry trampoline's return value, an
/// [`ExitKind`].
#[repr(C)]
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct ExitRecord {
    /// The function address of the running function.
    pub func: u32,
    /// The bytecode offset in that function where it stopped.
    pub pc: u32,
    /// The side-table position there.
    pub stp: u32,
    /// A trap code ([`TrapKind::code`](crate::TrapKind::code)), for traps.
    pub detail: u32,
    /// The element index of `undefined element` and `uninitialized element` traps.
    pub arg: u32,
    /// Slots in use above the frame base: locals and operands.
    pub height: u32,
    /// The frame base, as an address in the value stack.
    pub fp: usize,
}

/// Why compiled code left for the driver: what the entry trampoline returns.
#[repr(u32)]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ExitKind {
    /// The function the driver entered has returned.
    Returned = 0,
    /// A trap (the exit record's `detail` is its code).
    Trap = 1,
    /// The budget counter went below zero.
    Budget = 2,
}

/// What the budget check decided.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum BudgetStop {
    /// No fuel is left: the call pauses where it may, and traps otherwise.
    OutOfFuel,
    /// Another thread interrupted the guest.
    Interrupted(Interruption),
}

/// The budget's state outside the counter: the fuel not yet handed to it, and the
/// interrupt flag.
#[derive(Debug)]
pub struct Budget {
    /// Fuel not yet in the counter, or `None` when fuel is not consumed.
    reserve: Option<u64>,
    interrupt: Arc<AtomicU8>,
}

/// The VM context; see the module documentation for the contract.
#[repr(C)]
#[derive(Debug)]
pub struct VmContext {
    pub slots: *mut u64,
    pub slots_len: usize,
    pub frames: *mut Frame,
    pub frames_len: usize,
    pub frames_max: usize,
    pub globals: *mut u8,
    pub budget: i64,
    pub exit: ExitRecord,
    pub generation: u64,
    pub slots_end: *mut u64,
    pub func_refs: *const crate::FuncRef,
    pub exit_sp: usize,
    pub stack_limit: usize,
    pub libcalls: *const std::ffi::c_void,
    pub host: *mut std::ffi::c_void,
}

// SAFETY: the pointers lead into the store that owns the context; the context moves
// between threads only with its store, and is used only by whoever has the store
// exclusively.
unsafe impl Send for VmContext {}
// SAFETY: shared references to the context give no access through its pointers.
unsafe impl Sync for VmContext {}

impl Budget {
    /// A budget without fuel: the counter only paces the interrupt checks.
    pub fn new() -> Budget {
        Budget { reserve: None, interrupt: Arc::new(AtomicU8::new(NOT_INTERRUPTED)) }
    }

    pub fn interrupt_handle(&self) -> InterruptHandle {
        InterruptHandle { flag: self.interrupt.clone() }
    }

    /// Takes a pending interruption request, if there is one: at a budget check, and
    /// for a call that cannot start (so that a host function retrying it in a loop is
    /// still stopped).
    pub fn take_interruption(&self) -> Option<Interruption> {
        match self.interrupt.swap(NOT_INTERRUPTED, Ordering::Relaxed) {
            NOT_INTERRUPTED => None,
            PAUSE => Some(Interruption::Pause),
            _ => Some(Interruption::Trap),
        }
    }

    /// Whether fuel is consumed.
    pub fn consumes_fuel(&self) -> bool {
        self.reserve.is_some()
    }

    /// The fuel left, given the counter: `None` when fuel is not consumed.
    pub fn fuel(&self, counter: i64) -> Option<u64> {
        self.reserve.map(|reserve| reserve + counter.max(0) as u64)
    }

    /// Sets the fuel left to `fuel` (or turns fuel off with `None`); returns the new
    /// counter, which is empty so that the next charge refills it.
    pub fn set_fuel(&mut self, fuel: Option<u64>) -> i64 {
        self.reserve = fuel;
        0
    }

    /// Hands the counter's units back to the fuel reserve and empties it, so that the
    /// next charge makes the full check: a call from the host starts so, to see an
    /// interruption requested while nothing ran.
    pub fn settle(&mut self, counter: &mut i64) {
        if let Some(reserve) = &mut self.reserve {
            *reserve += (*counter).max(0) as u64;
        }
        *counter = 0;
    }

    /// The counter went below zero with one charge pending: refills it (taking that
    /// charge) and returns `Ok`, or says why the guest must stop. When it stops, the
    /// pending charge is taken back, so the counter is never negative between calls and
    /// the stopped charge is made again when the call resumes.
    pub fn exhausted(&mut self, counter: &mut i64) -> Result<(), BudgetStop> {
        debug_assert!(*counter < 0);
        if let Some(how) = self.take_interruption() {
            *counter += 1;
            return Err(BudgetStop::Interrupted(how));
        }
        self.refill(counter)
    }

    /// A pause was asked for where the call cannot pause (under a host function, whose
    /// native frame cannot be set aside): the request stays pending for a check where
    /// the call can pause, and the charge the check stopped at is made after all, as
    /// [`exhausted`](Self::exhausted) would have made it without the request.
    pub fn defer_pause(&mut self, counter: &mut i64) -> Result<(), BudgetStop> {
        // A request made since (a trap) is not overwritten.
        let _ = self.interrupt.compare_exchange(NOT_INTERRUPTED, PAUSE, Ordering::Relaxed, Ordering::Relaxed);
        *counter -= 1;
        self.refill(counter)
    }

    /// Refills the counter that went below zero from the fuel reserve, taking the
    /// pending charge, or says that the fuel is used up.
    fn refill(&mut self, counter: &mut i64) -> Result<(), BudgetStop> {
        match &mut self.reserve {
            None => *counter += CHECK_PERIOD,
            Some(0) => {
                *counter += 1;
                return Err(BudgetStop::OutOfFuel);
            }
            Some(reserve) => {
                let refill = (*reserve).min(CHECK_PERIOD as u64);
                *reserve -= refill;
                *counter += refill as i64;
            }
        }
        Ok(())
    }
}

impl Default for Budget {
    fn default() -> Self {
        Budget::new()
    }
}

impl VmContext {
    pub(crate) fn new() -> VmContext {
        VmContext {
            slots: std::ptr::null_mut(),
            slots_len: 0,
            frames: std::ptr::null_mut(),
            frames_len: 0,
            frames_max: 0,
            globals: std::ptr::null_mut(),
            budget: 0,
            exit: ExitRecord::default(),
            generation: 0,
            slots_end: std::ptr::null_mut(),
            func_refs: std::ptr::null(),
            exit_sp: 0,
            stack_limit: 0,
            libcalls: std::ptr::null(),
            host: std::ptr::null_mut(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Charges `units` one at a time as a tier does; how many were taken before a stop.
    fn charge(budget: &mut Budget, counter: &mut i64, units: u64) -> (u64, Option<BudgetStop>) {
        for taken in 0..units {
            *counter -= 1;
            if *counter < 0
                && let Err(stop) = budget.exhausted(counter)
            {
                return (taken, Some(stop));
            }
        }
        (units, None)
    }

    #[test]
    fn fuel_is_taken_one_unit_a_charge_and_stops_exactly_when_gone() {
        let mut budget = Budget::new();
        let mut counter = budget.set_fuel(Some(10_000));
        assert_eq!(charge(&mut budget, &mut counter, 9_999), (9_999, None));
        assert_eq!(budget.fuel(counter), Some(1));
        assert_eq!(charge(&mut budget, &mut counter, 5), (1, Some(BudgetStop::OutOfFuel)));
        assert_eq!(budget.fuel(counter), Some(0));
        assert_eq!(counter, 0);
        counter = budget.set_fuel(Some(3));
        assert_eq!(charge(&mut budget, &mut counter, 5), (3, Some(BudgetStop::OutOfFuel)));
    }

    #[test]
    fn without_fuel_the_counter_never_runs_out_but_interruptions_stop_it() {
        let mut budget = Budget::new();
        let mut counter = 0;
        assert_eq!(charge(&mut budget, &mut counter, 100_000), (100_000, None));
        assert_eq!(budget.fuel(counter), None);
        let handle = budget.interrupt_handle();
        handle.interrupt(Interruption::Pause);
        let (taken, stop) = charge(&mut budget, &mut counter, 2 * CHECK_PERIOD as u64);
        assert!(taken <= CHECK_PERIOD as u64);
        assert_eq!(stop, Some(BudgetStop::Interrupted(Interruption::Pause)));
        // The request is used up by the stop.
        assert_eq!(charge(&mut budget, &mut counter, 10_000).1, None);
        handle.interrupt(Interruption::Trap);
        handle.clear();
        assert_eq!(charge(&mut budget, &mut counter, 10_000).1, None);
    }
}
