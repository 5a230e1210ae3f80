//! The abstract value stack: where each operand is at compile time, which registers are
//! free, and which locals have a copy in a register.
//!
//! A register may be shared: by several operands (`local.get` twice) and by a local
//! whose value it caches. Each holder counts one use; the register is free at none.
//! Locals are written through to their slots, so the cache is only ever dropped, never
//! written back: at every label (another path may arrive with other registers) and
//! after every call (which clobbers them).
//!
//! Under the deterministic profile, the NaN an arithmetic instruction leaves in a
//! register may keep open bits until something observes them: the operand is marked
//! with its float lanes, and made canonical where it is popped or spilled, unless the
//! instruction popping it ignores a NaN operand's bits (see
//! `Opcode::nan_blind_operands`). So a chain of arithmetic checks for NaNs once, where
//! its result is stored, compared bit by bit or leaves the register. Slots and locals
//! only ever hold canonical values: the interpreter and other code read them.
//!
//! Each operation costs the same however many operands are below it: spilling
//! starts above the operands known to be in their slots, and the operands that read a
//! local are chained, so writing the local finds them without a search.

use stratus_decoder::{NanLanes, ValType};

use crate::codegen::CodeGen;
use crate::masm::{MacroAssembler, Reg, RegClass};

/// Where an operand is.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum Loc {
    /// A constant not yet written anywhere: its bits.
    Const(u64),
    Reg(Reg),
    /// The value of the local in this slot, not yet copied: valid until the local is
    /// written.
    Local(u32),
    /// In its own slot (the operand's position above the locals).
    Slot,
}

#[derive(Copy, Clone, Debug)]
pub(crate) struct Operand {
    pub ty: ValType,
    pub loc: Loc,
    /// Its own first slot: where it is at safepoints.
    pub slot: u32,
    /// For an operand pushed as a read of a local (`Loc::Local`, which it may have
    /// stopped being since): the local, and the position of the operand below it pushed
    /// as a read of the same local, or [`NONE`].
    read_of: (u32, u32),
    /// A register operand whose NaNs in these lanes may have open bits (the
    /// deterministic profile): see the module's comment.
    nans: Option<NanLanes>,
}

/// No operand, no local.
const NONE: u32 = u32::MAX;

/// Registers are numbered below this in each class.
const REGS: usize = 32;

/// The operand stack and the register file's state.
pub(crate) struct ValueStack {
    pub operands: Vec<Operand>,
    /// The slot of operand 0: the first above the locals.
    pub base: u32,
    /// Holders of each register, by class.
    uses: [[u8; REGS]; 2],
    /// The allocatable registers no one holds, by class.
    free: [u32; 2],
    /// The local slot each register caches, by class, and which registers cache one.
    cached: [[Option<u32>; REGS]; 2],
    caching: [u32; 2],
    /// The register caching each local slot.
    local_regs: Vec<Option<Reg>>,
    /// The topmost operand pushed as a read of each local slot, or [`NONE`]: the head
    /// of a chain through [`Operand::read_of`].
    local_reads: Vec<u32>,
    /// The operands below this position are in their slots.
    spilled: usize,
    /// The reads of a local being detached: a working buffer.
    reads: Vec<u32>,
    /// The lanes whose NaNs the instruction being compiled does not observe: its
    /// operands with open NaNs in them are popped as they are.
    pub nan_blind: Option<NanLanes>,
}

fn class_index(class: RegClass) -> usize {
    class as usize
}

impl ValueStack {
    pub fn new() -> ValueStack {
        ValueStack {
            operands: Vec::new(),
            base: 0,
            uses: [[0; REGS]; 2],
            free: [0; 2],
            cached: [[None; REGS]; 2],
            caching: [0; 2],
            local_regs: Vec::new(),
            local_reads: Vec::new(),
            spilled: 0,
            reads: Vec::new(),
            nan_blind: None,
        }
    }

    pub fn reset<M: MacroAssembler>(&mut self, masm: &CodeGen<M>, base: u32) {
        self.operands.clear();
        self.base = base;
        self.uses = [[0; REGS]; 2];
        self.cached = [[None; REGS]; 2];
        self.caching = [0; 2];
        self.local_regs.clear();
        self.local_regs.resize(base as usize, None);
        self.local_reads.clear();
        self.local_reads.resize(base as usize, NONE);
        self.spilled = 0;
        for class in [RegClass::Int, RegClass::Float] {
            self.free[class_index(class)] = masm.allocatable(class).iter().fold(0, |m, r| m | 1 << r.index);
        }
    }

    /// Slots in use above the frame base: locals and operands.
    #[inline]
    pub fn height(&self) -> u32 {
        self.height_at(self.operands.len())
    }

    /// The slot above the first `len` operands.
    #[inline]
    pub fn height_at(&self, len: usize) -> u32 {
        self.operands[..len].last().map_or(self.base, |o| o.slot + o.ty.slots())
    }

    #[inline]
    pub fn push(&mut self, ty: ValType, loc: Loc) {
        let slot = self.height();
        let read_of = match loc {
            Loc::Local(local) => {
                let below =
                    std::mem::replace(&mut self.local_reads[local as usize], self.operands.len() as u32);
                (local, below)
            }
            _ => (NONE, NONE),
        };
        self.operands.push(Operand { ty, loc, slot, read_of, nans: None });
    }

    /// Removes the top operand.
    #[inline]
    fn pop(&mut self) -> Operand {
        let operand = self.operands.pop().expect("validated code pops what it pushed");
        let position = self.operands.len();
        let (local, below) = operand.read_of;
        // The top operand is the topmost read of its local, if it is in a chain still.
        if local != NONE && self.local_reads[local as usize] == position as u32 {
            self.local_reads[local as usize] = below;
        }
        self.spilled = self.spilled.min(position);
        operand
    }

    /// Pushes a register; the operand takes over the caller's use of it.
    #[inline]
    pub fn push_reg(&mut self, ty: ValType, reg: Reg) {
        self.push(ty, Loc::Reg(reg));
    }

    /// Marks the top operand, which an arithmetic instruction just left, as having
    /// NaNs of open bits in `lanes`; false, and no mark, if it is not a register of its
    /// own (then the caller makes its NaNs canonical at once).
    pub fn mark_open_nans(&mut self, lanes: NanLanes) -> bool {
        let top = self.peek();
        match top.loc {
            Loc::Reg(reg) if self.is_sole(reg) => {
                self.operands.last_mut().expect("the top operand").nans = Some(lanes);
                true
            }
            _ => false,
        }
    }

    /// Makes the NaNs of operand `position` canonical if they may have open bits.
    pub fn canonicalize<M: MacroAssembler>(&mut self, masm: &mut CodeGen<M>, position: usize) {
        let operand = &mut self.operands[position];
        if let (Some(lanes), Loc::Reg(reg)) = (operand.nans.take(), operand.loc) {
            masm.canonical_nans(reg, lanes);
        }
    }

    #[inline]
    fn uses(&mut self, reg: Reg) -> &mut u8 {
        &mut self.uses[class_index(reg.class)][reg.index as usize]
    }

    #[inline]
    fn retain(&mut self, reg: Reg) {
        let uses = self.uses(reg);
        *uses += 1;
        if *uses == 1 {
            self.free[class_index(reg.class)] &= !(1 << reg.index);
        }
    }

    /// Gives up one use of `reg`.
    #[inline]
    pub fn free_reg(&mut self, reg: Reg) {
        let uses = self.uses(reg);
        debug_assert!(*uses > 0, "a register released more often than used");
        *uses -= 1;
        if *uses == 0 {
            self.free[class_index(reg.class)] |= 1 << reg.index;
        }
    }

    #[inline]
    fn free_mask(&self, class: RegClass) -> u32 {
        self.free[class_index(class)]
    }

    /// Takes a free register of `class` (one use, the caller's). When none is free,
    /// drops the locals cached in that class, then spills operands from the deepest.
    pub fn alloc<M: MacroAssembler>(&mut self, masm: &mut CodeGen<M>, class: RegClass) -> Reg {
        if self.free_mask(class) == 0 {
            self.forget_locals_of(class);
        }
        let mut position = self.spilled;
        while self.free_mask(class) == 0 {
            if let Loc::Reg(reg) = self.operands[position].loc
                && reg.class == class
            {
                self.spill(masm, position);
            }
            position += 1;
        }
        let index = self.free_mask(class).trailing_zeros() as u8;
        let reg = Reg { class, index };
        self.retain(reg);
        reg
    }

    /// Writes operand `position` to its slot, giving up its register.
    pub fn spill<M: MacroAssembler>(&mut self, masm: &mut CodeGen<M>, position: usize) {
        self.canonicalize(masm, position);
        let Operand { ty, loc, slot, .. } = self.operands[position];
        match loc {
            Loc::Slot => return,
            Loc::Const(bits) => masm.store_slot_const(slot, bits),
            Loc::Reg(reg) => {
                masm.store_slot(slot, reg, ty);
                self.free_reg(reg);
            }
            Loc::Local(local) => match self.cached_reg(local) {
                Some(reg) => masm.store_slot(slot, reg, ty),
                None => {
                    for i in 0..ty.slots() {
                        masm.copy_slot(slot + i, local + i);
                    }
                }
            },
        }
        self.operands[position].loc = Loc::Slot;
    }

    /// Writes every operand to its slot: the state at every safepoint and merge.
    pub fn spill_all<M: MacroAssembler>(&mut self, masm: &mut CodeGen<M>) {
        for position in self.spilled..self.operands.len() {
            self.spill(masm, position);
        }
        self.spilled = self.operands.len();
    }

    /// Before local `slot` is written: operands that still read it get their own copy,
    /// and its register no longer caches it.
    pub fn detach_local<M: MacroAssembler>(&mut self, masm: &mut CodeGen<M>, local: u32) {
        let mut position = std::mem::replace(&mut self.local_reads[local as usize], NONE);
        let mut reads = std::mem::take(&mut self.reads);
        while position != NONE {
            if self.operands[position as usize].loc == Loc::Local(local) {
                reads.push(position);
            }
            position = self.operands[position as usize].read_of.1;
        }
        // Deepest first: in stack order, as every other spill goes.
        for &position in reads.iter().rev() {
            self.spill(masm, position as usize);
        }
        reads.clear();
        self.reads = reads;
        self.uncache(local);
    }

    pub fn cached_reg(&self, local: u32) -> Option<Reg> {
        self.local_regs[local as usize]
    }

    fn uncache(&mut self, local: u32) {
        if let Some(reg) = self.local_regs[local as usize].take() {
            self.cached[class_index(reg.class)][reg.index as usize] = None;
            self.caching[class_index(reg.class)] &= !(1 << reg.index);
            self.free_reg(reg);
        }
    }

    /// Records that `reg` holds the value of local `local` (written to its slot too).
    pub fn cache_local(&mut self, local: u32, reg: Reg) {
        debug_assert!(self.local_regs[local as usize].is_none());
        let c = class_index(reg.class);
        if let Some(previous) = self.cached[c][reg.index as usize] {
            self.uncache(previous);
        }
        self.retain(reg);
        self.cached[c][reg.index as usize] = Some(local);
        self.caching[c] |= 1 << reg.index;
        self.local_regs[local as usize] = Some(reg);
    }

    fn forget_locals_of(&mut self, class: RegClass) {
        let c = class_index(class);
        while self.caching[c] != 0 {
            let index = self.caching[c].trailing_zeros() as usize;
            let local = self.cached[c][index].expect("a caching register caches a local");
            self.uncache(local);
        }
    }

    /// Drops every cached local: at labels and after calls.
    pub fn forget_locals(&mut self) {
        self.forget_locals_of(RegClass::Int);
        self.forget_locals_of(RegClass::Float);
    }

    /// Pops the top operand into a register the caller may overwrite (one use, the
    /// caller's).
    pub fn pop_reg<M: MacroAssembler>(&mut self, masm: &mut CodeGen<M>) -> (ValType, Reg) {
        let top = self.peek();
        if let Loc::Local(local) = top.loc
            && self.cached_reg(local).is_none()
        {
            // Loaded for the caller to overwrite: not worth caching.
            let reg = self.alloc(masm, RegClass::of(top.ty));
            masm.load_slot(reg, local, top.ty);
            self.pop();
            return (top.ty, reg);
        }
        let (ty, reg) = self.pop_reg_shared(masm);
        if *self.uses(reg) == 1 {
            return (ty, reg);
        }
        let own = self.alloc(masm, reg.class);
        masm.mov(own, reg);
        self.free_reg(reg);
        (ty, own)
    }

    /// Pops the top operand into a register the caller only reads (one use, the
    /// caller's). A local read from its slot stays cached in the register.
    pub fn pop_reg_shared<M: MacroAssembler>(&mut self, masm: &mut CodeGen<M>) -> (ValType, Reg) {
        let Operand { ty, loc, slot, nans, .. } = self.peek();
        if nans.is_some() && nans != self.nan_blind {
            self.canonicalize(masm, self.operands.len() - 1);
        }
        let reg = match loc {
            Loc::Reg(reg) => reg,
            Loc::Local(local) => match self.cached_reg(local) {
                Some(reg) => {
                    self.retain(reg);
                    reg
                }
                None => {
                    let reg = self.alloc(masm, RegClass::of(ty));
                    masm.load_slot(reg, local, ty);
                    self.cache_local(local, reg);
                    reg
                }
            },
            Loc::Const(bits) => {
                let reg = self.alloc(masm, RegClass::of(ty));
                masm.mov_const(reg, bits);
                reg
            }
            Loc::Slot => {
                let reg = self.alloc(masm, RegClass::of(ty));
                masm.load_slot(reg, slot, ty);
                reg
            }
        };
        self.pop();
        (ty, reg)
    }

    /// Pops the top operand without a register: for dropping it.
    #[inline]
    pub fn pop_discard(&mut self) -> Operand {
        let operand = self.pop();
        if let Loc::Reg(reg) = operand.loc {
            self.free_reg(reg);
        }
        operand
    }

    /// Whether the top operand is in a register something else holds too.
    pub fn top_is_shared(&self) -> bool {
        match self.peek().loc {
            Loc::Reg(reg) => self.uses[class_index(reg.class)][reg.index as usize] > 1,
            Loc::Local(local) => self.cached_reg(local).is_some(),
            _ => false,
        }
    }

    /// Whether the caller is the only holder of `reg`.
    pub fn is_sole(&self, reg: Reg) -> bool {
        self.uses[class_index(reg.class)][reg.index as usize] == 1
    }

    /// Pushes the value of local `local`: its register when cached, else a reference
    /// read when needed.
    pub fn push_local(&mut self, ty: ValType, local: u32) {
        match self.cached_reg(local) {
            Some(reg) => {
                self.retain(reg);
                self.push_reg(ty, reg);
            }
            None => self.push(ty, Loc::Local(local)),
        }
    }

    #[inline]
    pub fn peek(&self) -> Operand {
        *self.operands.last().expect("validated code pops what it pushed")
    }

    /// Drops operands down to `len`, every one in its slot (after a branch, or in dead
    /// code), and takes the types `types` above them, in their slots.
    pub fn truncate_to_slots(&mut self, len: usize, types: &[ValType]) {
        while self.operands.len() > len {
            self.pop_discard();
        }
        for &ty in types {
            self.push(ty, Loc::Slot);
        }
    }
}
