//! The abstract value stack: where each operand is at compile time, and which registers
//! are free.

use stratus_decoder::ValType;

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
}

/// Value-stack slots a value of type `ty` takes.
pub(crate) fn width(ty: ValType) -> u32 {
    ty.slots()
}

/// The operand stack and the register file's state.
pub(crate) struct ValueStack {
    pub operands: Vec<Operand>,
    /// The slot of operand 0: the first above the locals.
    pub base: u32,
    free: [u64; 2],
}

fn class_index(class: RegClass) -> usize {
    match class {
        RegClass::Int => 0,
        RegClass::Float => 1,
    }
}

impl ValueStack {
    pub fn new() -> ValueStack {
        ValueStack { operands: Vec::new(), base: 0, free: [0; 2] }
    }

    pub fn reset<M: MacroAssembler>(&mut self, masm: &M, base: u32) {
        self.operands.clear();
        self.base = base;
        for class in [RegClass::Int, RegClass::Float] {
            self.free[class_index(class)] = masm.allocatable(class).iter().fold(0, |m, r| m | 1 << r.index);
        }
    }

    /// The slot of operand `position`.
    pub fn slot(&self, position: usize) -> u32 {
        self.operands[position].slot
    }

    /// Slots in use above the frame base: locals and operands.
    pub fn height(&self) -> u32 {
        self.operands.last().map_or(self.base, |o| o.slot + width(o.ty))
    }

    /// The slot above the first `len` operands.
    pub fn height_at(&self, len: usize) -> u32 {
        if len == 0 { self.base } else { self.slot(len - 1) + width(self.operands[len - 1].ty) }
    }

    pub fn push(&mut self, ty: ValType, loc: Loc) {
        let slot = self.height();
        self.operands.push(Operand { ty, loc, slot });
    }

    pub fn push_reg(&mut self, ty: ValType, reg: Reg) {
        self.push(ty, Loc::Reg(reg));
    }

    pub fn free_reg(&mut self, reg: Reg) {
        self.free[class_index(reg.class)] |= 1 << reg.index;
    }

    /// Takes a free register of `class`, spilling the deepest operand held in one when
    /// none is free.
    pub fn alloc<M: MacroAssembler>(&mut self, masm: &mut M, class: RegClass) -> Reg {
        let free = &mut self.free[class_index(class)];
        if *free != 0 {
            let index = free.trailing_zeros() as u8;
            *free &= !(1 << index);
            return Reg { class, index };
        }
        let position = self
            .operands
            .iter()
            .position(|o| matches!(o.loc, Loc::Reg(r) if r.class == class))
            .expect("every register of a class is held by an operand");
        let Loc::Reg(reg) = self.operands[position].loc else { unreachable!() };
        masm.store_slot(self.slot(position), reg, self.operands[position].ty);
        self.operands[position].loc = Loc::Slot;
        reg
    }

    /// Writes operand `position` to its slot, freeing its register.
    pub fn spill<M: MacroAssembler>(&mut self, masm: &mut M, position: usize) {
        let Operand { ty, loc, slot } = self.operands[position];
        match loc {
            Loc::Slot => return,
            Loc::Const(bits) => masm.store_slot_const(slot, bits, ty),
            Loc::Reg(reg) => {
                masm.store_slot(slot, reg, ty);
                self.free_reg(reg);
            }
            Loc::Local(local) => {
                for i in 0..width(ty) {
                    masm.copy_slot(slot + i, local + i);
                }
            }
        }
        self.operands[position].loc = Loc::Slot;
    }

    /// Writes every operand to its slot: the state at every safepoint and merge.
    pub fn spill_all<M: MacroAssembler>(&mut self, masm: &mut M) {
        for position in 0..self.operands.len() {
            self.spill(masm, position);
        }
    }

    /// Before local `slot` is written: operands that still read it get their own copy.
    pub fn detach_local<M: MacroAssembler>(&mut self, masm: &mut M, local: u32) {
        for position in 0..self.operands.len() {
            if self.operands[position].loc == Loc::Local(local) {
                self.spill(masm, position);
            }
        }
    }

    /// Pops the top operand into a register the caller owns.
    pub fn pop_reg<M: MacroAssembler>(&mut self, masm: &mut M) -> (ValType, Reg) {
        let Operand { ty, loc, slot } = *self.operands.last().expect("validated code pops what it pushed");
        if let Loc::Reg(reg) = loc {
            self.operands.pop();
            return (ty, reg);
        }
        let reg = self.alloc(masm, RegClass::of(ty));
        match loc {
            Loc::Const(bits) => masm.mov_const(reg, bits),
            Loc::Local(local) => masm.load_slot(reg, local, ty),
            Loc::Slot => masm.load_slot(reg, slot, ty),
            Loc::Reg(_) => unreachable!(),
        }
        self.operands.pop();
        (ty, reg)
    }

    /// Pops the top operand without a register: for dropping it.
    pub fn pop_discard(&mut self) -> Operand {
        let operand = self.operands.pop().expect("validated code pops what it pushed");
        if let Loc::Reg(reg) = operand.loc {
            self.free_reg(reg);
        }
        operand
    }

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
