//! Global variables.

use stratus_decoder::GlobalType;

use crate::values::Val;

/// A global: its type and its value's slots (two for `v128`).
#[derive(Debug, Clone)]
pub struct Global {
    pub ty: GlobalType,
    pub slots: [u64; 2],
}

impl Global {
    pub fn new(ty: GlobalType, value: Val) -> Global {
        Global { ty, slots: value.to_slots() }
    }

    pub fn get(&self) -> Val {
        Val::from_slots(self.ty.content, &self.slots)
    }

    pub fn set(&mut self, value: Val) {
        self.slots = value.to_slots();
    }
}
