//! The per-function output of validation that the in-place interpreter runs by.

use stratus_decoder::{Opcode, ValType};

/// One entry of a function's side table, for one branch target.
///
/// Entries are ordered as the branch sites appear in the code: one for each `br`,
/// `br_if`, `if` (where the condition is false) and `else` (the end of the true arm),
/// and `n + 1` for a `br_table` with `n` targets (the default last). A taken branch at
/// code offset `pc` whose entry has index `i` continues at `pc + pc_delta` with entry
/// `i + stp_delta`; it keeps the top `keep` slots of the operand stack and drops the
/// `drop` slots beneath them. A `br_if` not taken, or an `if` whose condition holds,
/// moves on to entry `i + 1`. Counts are in 64-bit value-stack slots (`v128` takes two).
///
/// `drop` and untyped `select` do not say how wide their operands are. In functions
/// where a `v128` operand occurs ([`FuncInfo::sized_values`]), each of them has an entry
/// too, in code order like the branches: `drop` is the operand's width in slots, the
/// deltas move on to the next instruction and entry. Elsewhere every operand is one slot
/// and they have none. [`side_table_entries`] says how many entries each instruction
/// has, by these rules.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub struct SideEntry {
    pub pc_delta: i32,
    pub stp_delta: i32,
    pub keep: u32,
    pub drop: u32,
}

impl SideEntry {
    /// Whether taking the branch goes back to a loop header: the back-edges where every
    /// tier charges its budget. Branches forward land past themselves; anything else
    /// goes back (to itself, when it is the first instruction of the loop's body).
    #[inline(always)]
    pub fn is_back_edge(&self) -> bool {
        self.pc_delta <= 0
    }
}

/// How many side-table entries the instruction `op` owns: the side-table position moves
/// by this much from the instruction to the next one in code order (a taken branch
/// moves by its entry's `stp_delta` instead). `br_table_targets` is a `br_table`'s
/// target count, without the default; `sized_values` is the function's
/// [`FuncInfo::sized_values`]; each matters only to the instructions it names.
///
/// This is the one statement of which instructions have entries: the validator checks
/// the entries it makes against it (in debug builds), and the interpreter and the
/// compilers move their position by it, so a new branching instruction is one more arm
/// here. It lives in the validator rather than beside the instruction table in the
/// decoder because the side table is the validator's output: the decoder knows nothing
/// of it, and whether `drop` has an entry depends on what validation found.
#[inline(always)]
pub const fn side_table_entries(op: Opcode, br_table_targets: u32, sized_values: bool) -> u32 {
    match op {
        Opcode::Br | Opcode::BrIf | Opcode::If | Opcode::Else => 1,
        Opcode::BrTable => br_table_targets + 1,
        Opcode::Drop | Opcode::Select => sized_values as u32,
        _ => 0,
    }
}

/// What the interpreter needs to run one function in place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuncInfo {
    pub type_index: u32,
    /// Parameters then declared locals.
    pub locals: Box<[ValType]>,
    pub param_count: u32,
    /// Value-stack slots of the parameters, and of parameters and locals together.
    pub param_slots: u32,
    pub local_slots: u32,
    /// Slot of each local, where some local before the last takes two slots;
    /// otherwise a local's slot is its index.
    pub local_offsets: Option<Box<[u32]>>,
    /// The most slots the operand stack (above the locals) ever holds.
    pub max_stack_slots: u32,
    /// Value-stack slots of the results.
    pub result_slots: u32,
    /// Whether `drop` and untyped `select` have side-table entries giving their width.
    pub sized_values: bool,
    pub side_table: Box<[SideEntry]>,
    /// The side-table position at each instruction, as `(pc, position)` in code order:
    /// what a compiler walking the code checks its own position against.
    #[cfg(debug_assertions)]
    pub side_table_positions: Box<[(u32, u32)]>,
}

impl FuncInfo {
    /// The value-stack slot (relative to the frame base) of local `index`.
    #[inline]
    pub fn local_slot(&self, index: u32) -> u32 {
        match &self.local_offsets {
            Some(offsets) => offsets[index as usize],
            None => index,
        }
    }

    /// The side-table position at the instruction at `pc`; `None` if no instruction
    /// starts there.
    #[cfg(debug_assertions)]
    pub fn side_table_position(&self, pc: u32) -> Option<u32> {
        let positions = &self.side_table_positions;
        positions.binary_search_by_key(&pc, |&(pc, _)| pc).ok().map(|i| positions[i].1)
    }
}
