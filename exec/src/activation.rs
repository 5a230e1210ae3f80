//! Calls into a store: one activation (the frames of one call from the host) driven
//! from stop to stop of the tier running it, paused and resumed when the budget says so.

use std::sync::Arc;

use stratus_decoder::ValType;
use stratus_interp::{CodeCache, Stop};
use stratus_runtime::{
    BudgetStop, CompiledModule, Extern, Frame, FuncAddr, FuncKind, InstanceAddr, InstantiateError,
    Interruption, Position, Store, StoreId, Trap, TrapKind, Val,
};

use crate::backtrace::{backtrace, call_site};
use crate::host::{HostBuffers, call_host};

/// How a resumable call ended.
#[derive(Debug)]
pub enum Outcome {
    /// It returned these results.
    Finished(Vec<Val>),
    /// It paused; [`resume`] continues it.
    Paused(PausedCall),
}

/// Why a call paused.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum PauseReason {
    /// The store's fuel ran out: add some before resuming, or the call pauses again at
    /// once.
    OutOfFuel,
    /// An [`InterruptHandle`](stratus_runtime::InterruptHandle) asked for a pause.
    Interrupted,
    /// The call was restored from a snapshot, paused where the snapshot was taken.
    Restored,
}

/// A paused call: its frames and operands, moved out of the store so that the store can
/// run other calls meanwhile, and dropping it discards them. [`resume`] puts them back
/// on top of the store's stack and continues at the point it stopped, a budget
/// safepoint (a function entry or a loop header).
#[derive(Debug)]
pub struct PausedCall {
    /// The function the host called, whose results the call ends with.
    pub(crate) func: FuncAddr,
    /// The store it belongs to.
    pub(crate) store: StoreId,
    pub(crate) reason: PauseReason,
    /// The registers of the running function, with slot indices relative to `slots`.
    pub(crate) regs: Position,
    /// The activation's slots, from its base to the top of the stack.
    pub(crate) slots: Vec<u64>,
    /// The suspended callers, outermost first, with frame bases relative to `slots`.
    pub(crate) frames: Vec<Frame>,
}

impl PausedCall {
    pub fn reason(&self) -> PauseReason {
        self.reason
    }

    /// The function the host called.
    pub fn func(&self) -> FuncAddr {
        self.func
    }

    /// Whether the call stopped at a loop header (else at a function's entry).
    pub fn at_loop_header(&self) -> bool {
        self.regs.pc != 0
    }

    /// Whether the function the call stopped in has compiled code, which runs it when
    /// the call resumes in this store.
    pub fn in_compiled_code<T>(&self, store: &Store<T>) -> bool {
        !store.func_refs[self.regs.func as usize].code.is_null()
    }

    /// Where the call stopped, innermost frame first, as a trap's backtrace would say;
    /// `store` is the store it belongs to.
    pub fn backtrace<T>(&self, store: &Store<T>) -> Vec<stratus_runtime::FrameInfo> {
        crate::backtrace::backtrace_of(store, self.regs.func, self.regs.pc, &self.frames)
    }
}

/// Calls `func` with `args` and returns its results. Running out of fuel, or an
/// interruption, is a trap here.
///
/// The arguments must match the function's parameter types; a mismatch is reported as
/// a host trap.
pub fn invoke<T>(store: &mut Store<T>, func: FuncAddr, args: &[Val]) -> Result<Vec<Val>, Trap> {
    match call(store, func, args, false)? {
        Outcome::Finished(results) => Ok(results),
        Outcome::Paused(_) => unreachable!("a call that may not pause paused"),
    }
}

/// Calls `func` with `args`; it pauses instead of trapping when the store's fuel runs
/// out or an interruption asks for a pause. Only a call from the host that is not
/// nested in another (through a host function) can pause: inside one, the host
/// function's native frame cannot be set aside, so those stops are traps.
pub fn invoke_resumable<T>(store: &mut Store<T>, func: FuncAddr, args: &[Val]) -> Result<Outcome, Trap> {
    call(store, func, args, true)
}

/// Instantiates `module` and runs its start function (which may not pause).
pub fn instantiate<T>(
    store: &mut Store<T>,
    module: &Arc<CompiledModule>,
    imports: &[Extern],
) -> Result<InstanceAddr, InstantiateError> {
    let instance = stratus_runtime::instantiate(store, module, imports)?;
    #[cfg(all(feature = "jit", any(target_arch = "x86_64", target_arch = "aarch64")))]
    crate::jit::prepare_instance(store, instance);
    if let Some(start) = store.instance(instance).start() {
        invoke(store, start, &[]).map_err(InstantiateError::Trap)?;
    }
    Ok(instance)
}

/// Instantiates `module` for [`restore`](crate::restore) to set to a snapshot's state:
/// no segment is applied and the start function does not run (both happened before
/// the snapshot was taken).
pub fn instantiate_for_restore<T>(
    store: &mut Store<T>,
    module: &Arc<CompiledModule>,
    imports: &[Extern],
) -> Result<InstanceAddr, InstantiateError> {
    let instance = stratus_runtime::instantiate_without_segments(store, module, imports)?;
    #[cfg(all(feature = "jit", any(target_arch = "x86_64", target_arch = "aarch64")))]
    crate::jit::prepare_instance(store, instance);
    Ok(instance)
}

/// Continues a paused call, on top of whatever the store is running.
pub fn resume<T>(store: &mut Store<T>, paused: PausedCall) -> Result<Outcome, Trap> {
    if paused.store != store.id() {
        return Err(Trap::host("a paused call can only be resumed in the store that ran it"));
    }
    let base = store.stack.top;
    let entry_depth = store.stack.frames.len();
    if store.stack.activations >= store.limits.host_reentry || !fits(store, &paused, base, entry_depth) {
        return Err(TrapKind::CallStackExhausted.into());
    }
    store.stack.slots.as_mut_slice()[base..base + paused.slots.len()].copy_from_slice(&paused.slots);
    for frame in &paused.frames {
        store.stack.frames.push(Frame { base: frame.base + base as u32, ..*frame });
    }
    let regs = Position { fp: paused.regs.fp + base, sp: paused.regs.sp + base, ..paused.regs };
    run(store, paused.func, Activation::new(base, entry_depth, regs), true)
}

/// Counts a call of `func` from outside the interpreter towards its heat, as the
/// interpreter's own calls count.
fn count_call<T>(store: &Store<T>, func: FuncAddr) {
    let hotness = &store.funcs[func.0 as usize].hotness;
    hotness.set(hotness.get().wrapping_add(1));
}

/// Whether the paused call's frames fit in the store's stacks when its slots start at
/// `base` and its frames at `entry_depth`.
fn fits<T>(store: &Store<T>, paused: &PausedCall, base: usize, entry_depth: usize) -> bool {
    if entry_depth + paused.frames.len() >= store.stack.frames.capacity() {
        return false;
    }
    let running = std::iter::once((paused.regs.func, paused.regs.fp));
    let callers = paused.frames.iter().map(|f| (f.func, f.base as usize));
    running.chain(callers).all(|(func, fp)| {
        let FuncKind::Wasm { instance, index } = store.funcs[func as usize].kind else { return false };
        let module = &store.instance(instance).module;
        let Ok((info, _)) = module.func_code(index - module.imported_funcs) else { return false };
        base + fp + info.local_slots as usize + info.max_stack_slots as usize <= store.stack.slots.len()
    })
}

/// One activation's state between the stops of the tier running it.
struct Activation {
    /// The slot of the entered function's first argument, where its results go.
    base: usize,
    /// The frames below belong to whoever called into the store.
    entry_depth: usize,
    regs: Position,
    cache: CodeCache,
    host: HostBuffers,
}

/// How an activation ended.
enum Ended {
    /// The entered function returned; its results are at the activation's base.
    Returned,
    Paused(PausedCall),
}

/// How a turn in compiled code went.
#[cfg_attr(
    not(all(feature = "jit", any(target_arch = "x86_64", target_arch = "aarch64"))),
    expect(dead_code, reason = "without a compiler no function is ever entered")
)]
enum Compiled {
    /// The function has no code: the interpreter runs it.
    NotEntered,
    /// It returned to a caller the interpreter runs, now in the registers.
    ReturnedToInterpreter,
    /// It called a function without code, now in the registers at its entry: its
    /// compiled callers left for the interpreter, which resumes each from its frame
    /// record when the call returns.
    Called,
    Ended(Ended),
}

/// Calls `func` with `args` from the host.
fn call<T>(store: &mut Store<T>, func: FuncAddr, args: &[Val], may_pause: bool) -> Result<Outcome, Trap> {
    let ty = store.funcs[func.0 as usize].ty.clone();
    if !args.iter().map(Val::ty).eq(ty.params().iter().copied()) {
        let found: Vec<String> = args.iter().map(|a| a.ty().to_string()).collect();
        return Err(Trap::host(format!("expected arguments of type {ty}, found [{}]", found.join(" "))));
    }
    let base = store.stack.top;
    let (param_slots, result_slots) = (slots_of(ty.params()), slots_of(ty.results()));
    if base + param_slots.max(result_slots) > store.stack.slots.len()
        || store.stack.activations >= store.limits.host_reentry
    {
        // A host function that retries the refused call in a loop runs on unless an
        // interruption can stop it here: the call never reaches a budget check.
        if store.budget.take_interruption().is_some() {
            return Err(TrapKind::Interrupted.into());
        }
        return Err(TrapKind::CallStackExhausted.into());
    }
    let mut sp = base;
    let slots = store.stack.slots.as_mut_slice();
    for arg in args {
        let width = arg.ty().slots() as usize;
        slots[sp..sp + width].copy_from_slice(&arg.to_slots()[..width]);
        sp += width;
    }
    if let FuncKind::Host(_) = store.funcs[func.0 as usize].kind {
        store.stack.activations += 1;
        let called = call_host(store, func, None, base, &mut HostBuffers::default());
        store.stack.activations -= 1;
        called?;
        return Ok(Outcome::Finished(results(store, func, base)));
    }
    let entry_depth = store.stack.frames.len();
    let regs = enter_frame(store, func, base, sp)?;
    count_call(store, func);
    run(store, func, Activation::new(base, entry_depth, regs), may_pause)
}

/// Makes the frame of `func`, the function the host calls, whose arguments are in
/// `base..sp`; a failure is a trap in that function, before its first instruction.
fn enter_frame<T>(store: &mut Store<T>, func: FuncAddr, base: usize, sp: usize) -> Result<Position, Trap> {
    stratus_interp::enter(store, func, base, sp).map_err(|kind| {
        let mut trap = Trap::new(kind);
        trap.backtrace = backtrace(store, func.0, 0, store.stack.frames.len());
        trap
    })
}

/// Runs `activation`, the call of `func`, from the host: charges its entry first (the
/// function's, or the charge a pause stopped at) and drives it to its end or a pause.
fn run<T>(
    store: &mut Store<T>,
    func: FuncAddr,
    mut activation: Activation,
    may_pause: bool,
) -> Result<Outcome, Trap> {
    store.stack.activations += 1;
    let may_pause = may_pause && store.stack.activations == 1;
    let outcome = activation.run(store, may_pause, func);
    store.stack.activations -= 1;
    store.stack.top = activation.base;
    match outcome? {
        Ended::Returned => Ok(Outcome::Finished(results(store, func, activation.base))),
        Ended::Paused(paused) => Ok(Outcome::Paused(paused)),
    }
}

/// The instance of function `func`, if WebAssembly defines it.
fn instance_of<T>(store: &Store<T>, func: u32) -> Option<InstanceAddr> {
    match store.funcs[func as usize].kind {
        FuncKind::Wasm { instance, .. } => Some(instance),
        FuncKind::Host(_) => None,
    }
}

/// The value-stack slots values of `types` take.
fn slots_of(types: &[ValType]) -> usize {
    types.iter().map(|t| t.slots() as usize).sum()
}

/// The results of `func`, in the slots from `base`.
fn results<T>(store: &Store<T>, func: FuncAddr, base: usize) -> Vec<Val> {
    let slots = store.stack.slots.as_slice();
    let mut at = base;
    store.funcs[func.0 as usize]
        .ty
        .results()
        .iter()
        .map(|&t| {
            let value = Val::from_slots(t, &slots[at..]);
            at += t.slots() as usize;
            value
        })
        .collect()
}

impl Activation {
    fn new(base: usize, entry_depth: usize, regs: Position) -> Activation {
        Activation { base, entry_depth, regs, cache: CodeCache::default(), host: HostBuffers::default() }
    }

    /// Drives the activation, in the interpreter and in compiled code, to its end or a
    /// pause.
    fn run<T>(&mut self, store: &mut Store<T>, may_pause: bool, func: FuncAddr) -> Result<Ended, Trap> {
        store.budget.settle(&mut store.vm.budget);
        // The registers are at a safepoint whose charge is still to be made: the
        // entered function's first instruction, or where a pause stopped.
        let mut stop = Stop::TierUp;
        let mut charged = false;
        let mut pc = self.regs.pc;
        loop {
            match stop {
                Stop::Budget => {
                    if let Some(ended) = self.settle_budget(store, may_pause, func, pc)? {
                        return Ok(ended);
                    }
                }
                Stop::Returned => return Ok(Ended::Returned),
                Stop::Host(callee) => {
                    let param_slots = slots_of(store.funcs[callee.0 as usize].ty.params());
                    let args_base = self.regs.sp - param_slots;
                    store.stack.top = self.regs.sp;
                    let caller = instance_of(store, self.regs.func);
                    match call_host(store, callee, caller, args_base, &mut self.host) {
                        Ok(width) => self.regs.sp = args_base + width,
                        Err(trap) => return Err(self.fail(store, trap, pc)),
                    }
                }
                Stop::TailHost(callee) => {
                    let caller = instance_of(store, self.regs.func);
                    if let Some(ended) = self.tail_call_host(store, callee, caller)? {
                        return Ok(ended);
                    }
                }
                Stop::Trap(kind) => return Err(self.fail(store, kind.into(), pc)),
                Stop::TierUp => {
                    // A loop header's charge comes first; a function's entry is
                    // charged by whichever tier runs it.
                    let at_entry = self.regs.pc == 0;
                    if !at_entry
                        && !charged
                        && let Some(ended) = self.charge(store, may_pause, func)?
                    {
                        return Ok(ended);
                    }
                    match self.run_compiled(store, may_pause, func)? {
                        Compiled::NotEntered if at_entry => {
                            if let Some(ended) = self.charge(store, may_pause, func)? {
                                return Ok(ended);
                            }
                        }
                        Compiled::NotEntered | Compiled::ReturnedToInterpreter => {}
                        // The callee's entry, in whichever tier takes it.
                        Compiled::Called => {
                            (stop, charged) = (Stop::TierUp, false);
                            continue;
                        }
                        Compiled::Ended(ended) => return Ok(ended),
                    }
                }
            }
            store.refresh_vm();
            (stop, pc) = stratus_interp::run(store, &mut self.regs, self.entry_depth, &mut self.cache);
            charged = true;
        }
    }

    /// Calls host function `callee`, which the running function, of instance `caller`,
    /// tail-calls with the arguments at its frame base: the host call takes the place of
    /// its frame, so a backtrace shows its caller below, and the results go on to that
    /// caller (or end the activation).
    fn tail_call_host<T>(
        &mut self,
        store: &mut Store<T>,
        callee: FuncAddr,
        caller: Option<InstanceAddr>,
    ) -> Result<Option<Ended>, Trap> {
        let base = self.regs.fp;
        store.stack.top = self.regs.sp;
        let at_entry = store.stack.frames.len() == self.entry_depth;
        if !at_entry {
            let frame = store.stack.frames.pop().expect("deeper than the entry depth");
            self.regs = Position {
                func: frame.func,
                pc: frame.pc as usize,
                stp: frame.stp as usize,
                fp: frame.base as usize,
                sp: self.regs.sp,
            };
        }
        match call_host(store, callee, caller, base, &mut self.host) {
            Ok(_) if at_entry => Ok(Some(Ended::Returned)),
            Ok(width) => {
                self.regs.sp = base + width;
                Ok(None)
            }
            Err(trap) if at_entry => {
                store.stack.frames.truncate(self.entry_depth);
                Err(trap)
            }
            // The caller stopped at its call of the replaced function.
            Err(trap) => Err(self.fail(store, trap, call_site(store, self.regs.func, self.regs.pc))),
        }
    }

    /// Makes the charge of the safepoint the registers are at.
    fn charge<T>(
        &self,
        store: &mut Store<T>,
        may_pause: bool,
        func: FuncAddr,
    ) -> Result<Option<Ended>, Trap> {
        store.vm.budget -= 1;
        self.settle_budget(store, may_pause, func, self.regs.pc)
    }

    /// Acts on a charge that may have emptied the budget counter, at `pc` of the
    /// running function: refills it and goes on (`None`), or stops.
    fn settle_budget<T>(
        &self,
        store: &mut Store<T>,
        may_pause: bool,
        func: FuncAddr,
        pc: usize,
    ) -> Result<Option<Ended>, Trap> {
        if store.vm.budget >= 0 {
            return Ok(None);
        }
        match store.budget.exhausted(&mut store.vm.budget) {
            Ok(()) => Ok(None),
            Err(why) => self.stop_for_budget(store, why, may_pause, func, pc),
        }
    }

    /// Runs the function at the registers' safepoint in compiled code, if it has code
    /// or gets it now ([`crate::jit::tier_up`]), until it returns or stops.
    #[cfg(all(feature = "jit", any(target_arch = "x86_64", target_arch = "aarch64")))]
    fn run_compiled<T>(
        &mut self,
        store: &mut Store<T>,
        may_pause: bool,
        func: FuncAddr,
    ) -> Result<Compiled, Trap> {
        let Some(entry) = crate::jit::tier_up(store, &self.regs) else { return Ok(Compiled::NotEntered) };
        let running = FuncAddr(self.regs.func);
        match crate::jit::run(store, running, self.regs.fp, entry) {
            crate::jit::Exit::Returned if store.stack.frames.len() == self.entry_depth => {
                Ok(Compiled::Ended(Ended::Returned))
            }
            crate::jit::Exit::Returned => {
                // Back to an interpreted caller, with the results at the frame base.
                let results = slots_of(store.funcs[running.0 as usize].ty.results());
                let frame = store.stack.frames.pop().expect("deeper than the entry depth");
                let sp = self.regs.fp + results;
                self.regs = Position {
                    func: frame.func,
                    pc: frame.pc as usize,
                    stp: frame.stp as usize,
                    fp: frame.base as usize,
                    sp,
                };
                Ok(Compiled::ReturnedToInterpreter)
            }
            crate::jit::Exit::Trap { trap, func: at_func, pc } => {
                self.regs.func = at_func;
                Err(self.fail(store, trap, pc))
            }
            crate::jit::Exit::Budget { why, regs } => {
                self.regs = regs;
                // Going on, the interpreter takes over at the safepoint, whose charge
                // is made (re-entering the function's code would make it again).
                Ok(match self.stop_for_budget(store, why, may_pause, func, regs.pc)? {
                    Some(ended) => Compiled::Ended(ended),
                    None => Compiled::ReturnedToInterpreter,
                })
            }
            crate::jit::Exit::TailHost { callee, base, caller } => {
                let param_slots = slots_of(store.funcs[callee.0 as usize].ty.params());
                self.regs = Position { fp: base, sp: base + param_slots, ..self.regs };
                match self.tail_call_host(store, callee, Some(caller))? {
                    Some(ended) => Ok(Compiled::Ended(ended)),
                    None => Ok(Compiled::ReturnedToInterpreter),
                }
            }
            crate::jit::Exit::Call { callee, base } => {
                let param_slots = slots_of(store.funcs[callee.0 as usize].ty.params());
                match stratus_interp::enter(store, callee, base, base + param_slots) {
                    Ok(regs) => {
                        self.regs = regs;
                        count_call(store, callee);
                        Ok(Compiled::Called)
                    }
                    Err(kind) => {
                        self.regs =
                            Position { func: callee.0, pc: 0, stp: 0, fp: base, sp: base + param_slots };
                        Err(self.fail(store, kind.into(), 0))
                    }
                }
            }
        }
    }

    #[cfg(not(all(feature = "jit", any(target_arch = "x86_64", target_arch = "aarch64"))))]
    fn run_compiled<T>(&mut self, _: &mut Store<T>, _: bool, _: FuncAddr) -> Result<Compiled, Trap> {
        Ok(Compiled::NotEntered)
    }

    /// Pauses the activation for the reason `why` gives, where it may, and traps
    /// otherwise, at `pc` of the running function. A pause asked for by an
    /// interruption under a host function waits for the host function to return: the
    /// activation goes on (`None`) with the request still pending.
    fn stop_for_budget<T>(
        &self,
        store: &mut Store<T>,
        why: BudgetStop,
        may_pause: bool,
        func: FuncAddr,
        pc: usize,
    ) -> Result<Option<Ended>, Trap> {
        if why == BudgetStop::Interrupted(Interruption::Pause) && !may_pause && store.stack.activations > 1 {
            return match store.budget.defer_pause(&mut store.vm.budget) {
                Ok(()) => Ok(None),
                Err(why) => self.stop_for_budget(store, why, may_pause, func, pc),
            };
        }
        let (kind, pause) = match why {
            BudgetStop::OutOfFuel => (TrapKind::OutOfFuel, Some(PauseReason::OutOfFuel)),
            BudgetStop::Interrupted(Interruption::Pause) => {
                (TrapKind::Interrupted, Some(PauseReason::Interrupted))
            }
            BudgetStop::Interrupted(Interruption::Trap) => (TrapKind::Interrupted, None),
        };
        match pause.filter(|_| may_pause) {
            Some(reason) => Ok(Some(Ended::Paused(self.pause(store, func, reason)))),
            None => Err(self.fail(store, kind.into(), pc)),
        }
    }

    /// Adds the backtrace to `trap` (stopped at `pc` of the running function) and drops
    /// the activation's frames.
    fn fail<T>(&self, store: &mut Store<T>, mut trap: Trap, pc: usize) -> Trap {
        trap.backtrace.extend(backtrace(store, self.regs.func, pc, self.entry_depth));
        store.stack.frames.truncate(self.entry_depth);
        trap
    }

    /// Moves the activation out of the store.
    fn pause<T>(&self, store: &mut Store<T>, func: FuncAddr, reason: PauseReason) -> PausedCall {
        let slots = store.stack.slots.as_slice()[self.base..self.regs.sp].to_vec();
        let frames = store.stack.frames.as_slice()[self.entry_depth..]
            .iter()
            .map(|frame| Frame { base: frame.base - self.base as u32, ..*frame })
            .collect();
        store.stack.frames.truncate(self.entry_depth);
        let regs = Position { fp: self.regs.fp - self.base, sp: self.regs.sp - self.base, ..self.regs };
        PausedCall { func, store: store.id(), reason, regs, slots, frames }
    }
}
