//! Calls into a store: one activation (the frames of one call from the host) driven
//! from stop to stop of the tier running it, paused and resumed when the budget says so.

use std::sync::Arc;

use stratus_interp::{CodeCache, Regs, Stop};
use stratus_runtime::{
    BudgetStop, CompiledModule, Extern, Frame, FuncAddr, FuncKind, InstanceAddr, InstantiateError,
    Interruption, Store, Trap, TrapKind, Val, VmContext,
};

use crate::backtrace::backtrace;
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
}

/// A paused call: its frames and operands, moved out of the store so that the store can
/// run other calls meanwhile, and dropping it discards them. [`resume`] puts them back
/// on top of the store's stack and continues at the point it stopped, a budget
/// safepoint (a function entry or a loop header).
#[derive(Debug)]
pub struct PausedCall {
    /// The function the host called, whose results the call ends with.
    func: FuncAddr,
    /// The store it belongs to (the address of its VM context).
    store: usize,
    reason: PauseReason,
    /// The registers of the running function, with slot indices relative to `slots`.
    regs: Regs,
    /// The activation's slots, from its base to the top of the stack.
    slots: Vec<u64>,
    /// The suspended callers, outermost first, with frame bases relative to `slots`.
    frames: Vec<Frame>,
}

impl PausedCall {
    pub fn reason(&self) -> PauseReason {
        self.reason
    }

    /// The function the host called.
    pub fn func(&self) -> FuncAddr {
        self.func
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
    #[cfg(all(feature = "jit", target_arch = "x86_64"))]
    crate::jit::prepare_instance(store, instance);
    if let Some(start) = store.instance(instance).start() {
        invoke(store, start, &[]).map_err(InstantiateError::Trap)?;
    }
    Ok(instance)
}

/// Continues a paused call, on top of whatever the store is running.
pub fn resume<T>(store: &mut Store<T>, paused: PausedCall) -> Result<Outcome, Trap> {
    if paused.store != vm_id(&store.vm) {
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
    let regs = Regs { fp: paused.regs.fp + base, sp: paused.regs.sp + base, ..paused.regs };
    run(store, paused.func, Activation::new(base, entry_depth, regs), true)
}

/// Calls WebAssembly function `func` with its arguments in the slots from `base`, where
/// its results go: a call from compiled code to a function it cannot call directly.
/// Nests like a host function calling back in, so it counts against the same limit.
#[cfg_attr(not(all(feature = "jit", target_arch = "x86_64")), allow(dead_code))]
pub(crate) fn call_in_place<T>(store: &mut Store<T>, func: FuncAddr, base: usize) -> Result<(), Trap> {
    if store.stack.activations >= store.limits.host_reentry {
        return Err(TrapKind::CallStackExhausted.into());
    }
    let param_slots: usize =
        store.funcs[func.0 as usize].ty.params().iter().map(|t| t.slots() as usize).sum();
    let entry_depth = store.stack.frames.len();
    let regs = enter_frame(store, func, base, base + param_slots)?;
    run(store, func, Activation::new(base, entry_depth, regs), false).map(drop)
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

/// The identity of a store, by its VM context's fixed address.
fn vm_id(vm: &VmContext) -> usize {
    std::ptr::from_ref(vm) as usize
}

/// One activation's state between the stops of the tier running it.
struct Activation {
    /// The slot of the entered function's first argument, where its results go.
    base: usize,
    /// The frames below belong to whoever called into the store.
    entry_depth: usize,
    regs: Regs,
    cache: CodeCache,
    host: HostBuffers,
}

/// Calls `func` with `args` from the host.
fn call<T>(store: &mut Store<T>, func: FuncAddr, args: &[Val], may_pause: bool) -> Result<Outcome, Trap> {
    let ty = store.funcs[func.0 as usize].ty.clone();
    if !args.iter().map(Val::ty).eq(ty.params().iter().copied()) {
        let found: Vec<String> = args.iter().map(|a| a.ty().to_string()).collect();
        return Err(Trap::host(format!("expected arguments of type {ty}, found [{}]", found.join(" "))));
    }
    let base = store.stack.top;
    let param_slots: usize = ty.params().iter().map(|t| t.slots() as usize).sum();
    let result_slots: usize = ty.results().iter().map(|t| t.slots() as usize).sum();
    if base + param_slots.max(result_slots) > store.stack.slots.len()
        || store.stack.activations >= store.limits.host_reentry
    {
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
    // A call from the host counts towards heat as the interpreter's calls do.
    let hotness = &store.funcs[func.0 as usize].hotness;
    hotness.set(hotness.get().wrapping_add(1));
    run(store, func, Activation::new(base, entry_depth, regs), may_pause)
}

/// Makes the frame of `func`, the function the host calls, whose arguments are in
/// `base..sp`; a failure is a trap in that function, before its first instruction.
fn enter_frame<T>(store: &mut Store<T>, func: FuncAddr, base: usize, sp: usize) -> Result<Regs, Trap> {
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
        None => Ok(Outcome::Finished(results(store, func, activation.base))),
        Some(paused) => Ok(Outcome::Paused(paused)),
    }
}

/// The instance of function `func`, if WebAssembly defines it.
fn instance_of<T>(store: &Store<T>, func: u32) -> Option<InstanceAddr> {
    match store.funcs[func as usize].kind {
        FuncKind::Wasm { instance, .. } => Some(instance),
        FuncKind::Host(_) => None,
    }
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
    fn new(base: usize, entry_depth: usize, regs: Regs) -> Activation {
        Activation { base, entry_depth, regs, cache: CodeCache::default(), host: HostBuffers::default() }
    }

    /// Drives the activation; `None` when the entered function has returned, its
    /// results at `base`.
    fn run<T>(
        &mut self,
        store: &mut Store<T>,
        may_pause: bool,
        func: FuncAddr,
    ) -> Result<Option<PausedCall>, Trap> {
        store.budget.settle(&mut store.vm.budget);
        #[cfg(all(feature = "jit", target_arch = "x86_64"))]
        if self.regs.pc == 0
            && store.stack.frames.len() == self.entry_depth
            && crate::jit::is_compiled(store, FuncAddr(self.regs.func))
        {
            // Compiled code charges its own entry.
            match crate::jit::run(store, FuncAddr(self.regs.func), self.regs.fp) {
                crate::jit::Exit::Returned => return Ok(None),
                crate::jit::Exit::Trap { trap, func: at_func, pc } => {
                    self.regs.func = at_func;
                    return Err(self.fail(store, trap, pc));
                }
                crate::jit::Exit::Budget { why, regs } => {
                    self.regs = regs;
                    return self.stop_for_budget(store, why, may_pause, func, regs.pc).map(Some);
                }
            }
        }
        // The entry's charge: the function's first, or the one a pause stopped at.
        let mut stop = Stop::Budget;
        store.vm.budget -= 1;
        let mut pc = self.regs.pc;
        loop {
            match stop {
                Stop::Budget if store.vm.budget >= 0 => {}
                Stop::Budget => {
                    if let Err(why) = store.budget.exhausted(&mut store.vm.budget) {
                        return self.stop_for_budget(store, why, may_pause, func, pc).map(Some);
                    }
                }
                Stop::Returned => return Ok(None),
                Stop::Host(callee) => {
                    let param_slots: usize =
                        store.funcs[callee.0 as usize].ty.params().iter().map(|t| t.slots() as usize).sum();
                    let args_base = self.regs.sp - param_slots;
                    store.stack.top = self.regs.sp;
                    let caller = instance_of(store, self.regs.func);
                    match call_host(store, callee, caller, args_base, &mut self.host) {
                        Ok(width) => self.regs.sp = args_base + width,
                        Err(trap) => return Err(self.fail(store, trap, pc)),
                    }
                }
                Stop::Trap(kind) => return Err(self.fail(store, kind.into(), pc)),
            }
            store.refresh_vm(instance_of(store, self.regs.func));
            (stop, pc) = stratus_interp::run(store, &mut self.regs, self.entry_depth, &mut self.cache);
        }
    }

    /// Pauses the activation for the reason `why` gives, where it may, and traps
    /// otherwise, at `pc` of the running function.
    fn stop_for_budget<T>(
        &self,
        store: &mut Store<T>,
        why: BudgetStop,
        may_pause: bool,
        func: FuncAddr,
        pc: usize,
    ) -> Result<PausedCall, Trap> {
        let (kind, pause) = match why {
            BudgetStop::OutOfFuel => (TrapKind::OutOfFuel, Some(PauseReason::OutOfFuel)),
            BudgetStop::Interrupted(Interruption::Pause) => {
                (TrapKind::Interrupted, Some(PauseReason::Interrupted))
            }
            BudgetStop::Interrupted(Interruption::Trap) => (TrapKind::Interrupted, None),
        };
        match pause.filter(|_| may_pause) {
            Some(reason) => Ok(self.pause(store, func, reason)),
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
        let regs = Regs { fp: self.regs.fp - self.base, sp: self.regs.sp - self.base, ..self.regs };
        PausedCall { func, store: vm_id(&store.vm), reason, regs, slots, frames }
    }
}
