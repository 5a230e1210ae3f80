//! The macro-assembler interface: what the front-end asks of a back-end. Every method
//! says what it computes in WebAssembly's terms; how, in which instructions and with
//! which scratch registers, is the back-end's. Slots are value-stack slots counted from
//! the frame base; registers are the back-end's, of two classes.

use stratus_decoder::{Opcode, ValType};

use crate::ops::{
    Cond, Convert, DivOp, FCond, FSize, FloatOp, FloatUnop, IntOp, IntUnop, LoadOp, StoreOp, Width,
};

/// A register the front-end may allocate: a back-end's number in a class.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct Reg {
    pub class: RegClass,
    pub index: u8,
}

#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum RegClass {
    /// Integers and references.
    Int,
    /// `f32`, `f64` and `v128`: one register file on both ISAs.
    Float,
}

impl RegClass {
    pub fn of(ty: ValType) -> RegClass {
        match ty {
            ValType::F32 | ValType::F64 | ValType::V128 => RegClass::Float,
            _ => RegClass::Int,
        }
    }
}

/// A right-hand operand: a register or a constant that fits the instruction.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Src {
    Reg(Reg),
    Imm(i32),
}

/// A code position to jump to.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct Label(pub u32);

/// Where a trap, a budget stop or a call happens, in bytecode terms: what the exit
/// record, a frame record or a fault site says.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct TrapAt {
    /// Offset of the instruction in the function's code (for a call's frame record: of
    /// the instruction after the call).
    pub pc: u32,
    /// The side-table position there.
    pub stp: u32,
    /// Slots in use above the frame base there.
    pub height: u32,
}

/// A call's callee, as the front-end knows it.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Callee {
    /// A function this module defines, by its module index; `frame_slots` is what its
    /// frame takes.
    Defined { index: u32, frame_slots: u32 },
    /// An imported function, by its module index: called through its function ref.
    Imported { index: u32 },
    /// `call_indirect`: the table element in `index_reg`, checked against type
    /// `type_index`.
    Indirect { table: u32, type_index: u32, index_reg: Reg },
}

/// A back-end. The front-end calls these in code order for one function at a time,
/// between [`begin_function`](Self::begin_function) and
/// [`end_function`](Self::end_function).
pub trait MacroAssembler {
    /// The registers the front-end may allocate, by class. Every other register the
    /// back-end uses is its own (pinned context registers and scratch).
    fn allocatable(&self, class: RegClass) -> &'static [Reg];

    fn new_label(&mut self) -> Label;
    /// Bytes of code emitted so far in the unit.
    fn code_len(&self) -> usize;
    fn bind(&mut self, label: Label);

    /// Starts the code of function `index` (module index), whose frame has
    /// `local_slots` slots of locals of which the first `param_slots` are parameters:
    /// its entry zeroes the other locals and charges the budget, stopping at pc 0.
    fn begin_function(&mut self, index: u32, param_slots: u32, local_slots: u32);
    /// Ends the function's code: out-of-line paths go here.
    fn end_function(&mut self);

    // Moves.
    /// Loads a value of type `ty` from its slots (two for `v128`).
    fn load_slot(&mut self, dst: Reg, slot: u32, ty: ValType);
    fn store_slot(&mut self, slot: u32, src: Reg, ty: ValType);
    /// Writes the bits of a constant of type `ty` (not `v128`) to a slot.
    fn store_slot_const(&mut self, slot: u32, bits: u64, ty: ValType);
    fn copy_slot(&mut self, dst: u32, src: u32);
    /// Copies all of `src`, vectors included.
    fn mov(&mut self, dst: Reg, src: Reg);
    fn mov_const(&mut self, dst: Reg, bits: u64);

    // Integers; `dst` is also the left operand.
    fn int_op(&mut self, op: IntOp, width: Width, dst: Reg, rhs: Src);
    /// `dst = lhs op rhs`, leaving `lhs` as it is (`dst` is another register).
    fn int_op_to(&mut self, op: IntOp, width: Width, dst: Reg, lhs: Reg, rhs: Src);
    fn int_div(&mut self, op: DivOp, width: Width, dst: Reg, rhs: Reg, at: TrapAt);
    fn int_unop(&mut self, op: IntUnop, width: Width, dst: Reg);
    /// `dst = (lhs cond rhs) as i32`; `dst` may equal `lhs`.
    fn int_cmp(&mut self, cond: Cond, width: Width, dst: Reg, lhs: Reg, rhs: Src);
    /// `dst = (src == 0) as i32`.
    fn eqz(&mut self, width: Width, dst: Reg, src: Reg);
    /// `dst = if cond != 0 { dst } else { other }`, `cond` an i32.
    fn select(&mut self, dst: Reg, other: Reg, cond: Reg);

    // Floats; `dst` is also the left operand.
    fn float_op(&mut self, op: FloatOp, size: FSize, dst: Reg, rhs: Reg);
    fn float_unop(&mut self, op: FloatUnop, size: FSize, dst: Reg);
    /// `dst = (lhs cond rhs) as i32`, `dst` an integer register.
    fn float_cmp(&mut self, cond: FCond, size: FSize, dst: Reg, lhs: Reg, rhs: Reg);
    /// `dst = convert(src)`; the classes follow the conversion. Traps at `at`.
    fn convert(&mut self, op: Convert, dst: Reg, src: Reg, at: TrapAt);

    // Control.
    fn jump(&mut self, target: Label);
    /// Jumps when `lhs cond rhs`.
    fn branch_cmp(&mut self, cond: Cond, width: Width, lhs: Reg, rhs: Src, target: Label);
    /// Jumps when the i32 in `reg` is zero (`if_zero`) or not.
    fn branch_zero(&mut self, reg: Reg, if_zero: bool, target: Label);
    /// Jumps to `targets[index]`, or to `default` when the i32 `index` is past them.
    fn jump_table(&mut self, index: Reg, targets: &[Label], default: Label);
    /// A loop back-edge: charges the budget and jumps to `header`, or stops there with
    /// every value in its slot (`at` describes the header) when the budget says so. When
    /// the check calls the runtime and may go on, it resumes at `reload`, which restores
    /// the registers the header expects.
    fn back_edge(&mut self, header: Label, reload: Label, at: TrapAt);
    /// Returns to the caller; the results are in the slots from the frame base.
    fn ret(&mut self);
    /// Makes an entry into the function at the loop header `at` describes, for a
    /// running call that the interpreter started (on-stack replacement): every value is
    /// in its slot there, and the code goes on at `reload`, which loads the locals the
    /// header keeps in registers. The back-end lists it with the function's entries.
    fn osr_entry(&mut self, reload: Label, at: TrapAt);
    /// Traps unconditionally.
    fn trap(&mut self, code: u32, at: TrapAt);

    // Memory 0 of the instance; addresses are i32 registers.
    fn load(&mut self, op: LoadOp, dst: Reg, addr: Reg, offset: u32, at: TrapAt);
    fn store(&mut self, op: StoreOp, addr: Reg, value: Reg, offset: u32, at: TrapAt);
    fn memory_size(&mut self, dst: Reg);

    // Globals, references, functions.
    fn global_get(&mut self, dst: Reg, index: u32, ty: ValType);
    fn global_set(&mut self, index: u32, src: Reg, ty: ValType);
    /// The reference to function `index` (module index).
    fn ref_func(&mut self, dst: Reg, index: u32);

    /// Calls `callee`, whose arguments are in the slots from `args_slot`, where its
    /// results will be; `at` is the call's own position, `ret` the position after it.
    /// Every value is in its slot; allocated registers do not survive.
    fn call(&mut self, callee: Callee, args_slot: u32, at: TrapAt, ret: TrapAt);
    // SIMD. Operands of `v128` type are in `Float` registers. In every method `dst` is a
    // register of its own, distinct from the operands, which die with the instruction:
    // the back-end may overwrite them.

    // Each of `simd`, `simd_load` and `simd_store` says whether the back-end compiles
    // `op`: when it does not, the function is not compiled, and what was emitted of it
    // is thrown away.
    fn v128_const(&mut self, dst: Reg, bytes: [u8; 16]);
    /// A SIMD instruction with a fixed signature and at most a lane index for immediate
    /// (`lane` is 0 for the others): `dst = op(args...)`.
    fn simd(&mut self, op: Opcode, dst: Reg, args: &[Reg], lane: u8) -> bool;
    fn shuffle(&mut self, dst: Reg, a: Reg, b: Reg, lanes: [u8; 16]);
    /// A SIMD load from memory 0 at `addr + offset`; the `load*_lane` ones take the
    /// vector `into` and replace lane `lane` of it.
    fn simd_load(
        &mut self,
        op: Opcode,
        dst: Reg,
        addr: Reg,
        offset: u32,
        into: Option<(Reg, u8)>,
        at: TrapAt,
    ) -> bool;
    /// A SIMD store to memory 0 (all of `value`, or lane `lane` for the `store*_lane` ones).
    fn simd_store(&mut self, op: Opcode, addr: Reg, value: Reg, offset: u32, lane: u8, at: TrapAt) -> bool;

    /// Calls a runtime function with its operands in the slots from `args_slot`,
    /// where it leaves its results. Every value is in its slot.
    fn libcall(&mut self, call: crate::abi::Libcall, args_slot: u32, a: u32, b: u32, at: TrapAt);
}
