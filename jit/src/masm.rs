//! The macro-assembler interface: the machine operations a back-end supplies. The
//! protocol of compiled code (prologue, calls and their checks, frame records, budget
//! checks, stubs, exits) is the front-end's (`codegen`), written once in terms of the
//! few machine operations under "Protocol" and the [`Fixed`] registers; the rest is
//! instruction selection, which says what it computes in WebAssembly's terms and leaves
//! how, in which instructions and with which scratch registers, to the back-end. Slots
//! are value-stack slots counted from the frame base; registers are the back-end's, of
//! two classes.

use stratus_decoder::{IndexType, NanLanes, Opcode, ValType};

use stratus_runtime::TrapKind;

use crate::code::FaultSite;
use crate::ops::{
    Cond, Convert, DivOp, FCond, FSize, FloatOp, FloatUnop, IntOp, IntUnop, LoadOp, SimdGroup, StoreOp,
    Width, simd_mirror,
};

/// A register the front-end may allocate: a back-end's number in a class.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct Reg {
    pub class: RegClass,
    pub index: u8,
}

impl Reg {
    /// The registers of class `class` numbered `indices`: a back-end's list of those the
    /// front-end may allocate.
    pub const fn all<const N: usize>(class: RegClass, indices: [u8; N]) -> [Reg; N] {
        let mut regs = [Reg { class, index: 0 }; N];
        let mut i = 0;
        while i < N {
            regs[i].index = indices[i];
            i += 1;
        }
        regs
    }
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

/// A code position to jump to. The front-end numbers labels across a unit of code; a
/// back-end makes its own label for each number when it first sees it.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct Label(pub u32);

/// The integer registers the protocol names, each mapped by the back-end to a register
/// of its own that the front-end does not allocate.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Fixed {
    /// The VM context.
    Vm,
    /// The frame base: the address of slot 0 of the running frame.
    Frame,
    /// The running instance's record.
    Instance,
    /// The base of the instance's memory 0.
    MemoryBase,
    /// The budget counter, written back to the VM context whenever compiled code
    /// leaves or calls the runtime.
    Budget,
    /// Scratch registers, all distinct. The protocol operations never use them for
    /// themselves; instruction selection may. `Scratch(0)` to `Scratch(2)` are free
    /// anywhere; `Scratch(3)` and `Scratch(4)` only at safepoints (calls and stubs),
    /// where every value is in its slot.
    Scratch(u8),
    /// The C calling convention's integer arguments, from 0 to 4: distinct from each
    /// other, but an argument register may be a scratch one, so a sequence sets its
    /// arguments last.
    Arg(u8),
    /// The C calling convention's integer result.
    Result,
}

/// Where a memory access goes, from memory 0's base (in its fixed register).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Address {
    /// At the i32 in `addr` plus `offset`, in memory 0, which the guard region checks:
    /// the access may fault, and the back-end notes it as a fault site
    /// ([`Traps::fault_site`]).
    Guarded { addr: Reg, offset: u32 },
    /// At the offset from memory 0's base in `Scratch(0)`, already checked against the
    /// length of the memory accessed (another memory's bytes are at an offset from
    /// memory 0's base as well: the difference of the bases, wrapping).
    Checked,
}

/// What a back-end's operation needs when it may trap or fault: the trap stubs of the
/// instruction at `pc` (made on demand), and the record of guarded memory accesses.
pub struct Traps<'a> {
    pub(crate) pc: u32,
    pub(crate) func: u32,
    pub(crate) guarded: bool,
    pub(crate) stubs: &'a mut Vec<crate::codegen::Stub>,
    pub(crate) labels: &'a mut u32,
    pub(crate) faults: &'a mut Vec<FaultSite>,
}

impl Traps<'_> {
    /// The label of a stub that traps with `kind` at this instruction.
    #[inline]
    pub fn trap(&mut self, kind: TrapKind) -> Label {
        self.stub(kind, None)
    }

    #[inline]
    pub(crate) fn stub(&mut self, kind: TrapKind, index: Option<Reg>) -> Label {
        let label = Label(*self.labels);
        *self.labels += 1;
        self.stubs.push(crate::codegen::Stub::Trap { label, code: kind.code().0, pc: self.pc, index });
        label
    }

    /// Whether memory accesses are left to the guard region (and may fault).
    #[inline]
    pub fn guarded(&self) -> bool {
        self.guarded
    }

    /// Notes that the instruction at native offset `native` is a memory access that
    /// may fault on purpose (nothing when bounds are explicit).
    #[inline]
    pub fn fault_site(&mut self, native: u32) {
        if self.guarded {
            self.faults.push(FaultSite { native, pc: self.pc, func: self.func });
        }
    }
}

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
    Indirect { table: u32, type_index: u32, index_reg: Reg, index_type: IndexType },
}

/// A back-end: its machine operations. The front-end calls these in code order, a unit
/// of code at a time, through [`CodeGen`](crate::codegen::CodeGen).
pub trait MacroAssembler {
    /// The registers the front-end may allocate, by class. Every other register the
    /// back-end uses is its own (the [`Fixed`] ones, and scratch).
    fn allocatable(&self, class: RegClass) -> &'static [Reg];
    /// The register the back-end gives a [`Fixed`] role.
    fn fixed(&self, role: Fixed) -> Reg;
    /// The registers the C calling convention says a callee keeps, beside the frame
    /// pair [`enter_frame`](Self::enter_frame) saves: an even number of them.
    fn callee_saved(&self) -> &'static [Reg];

    /// Bytes of code emitted so far in the unit.
    fn code_len(&self) -> usize;
    /// Notes that the next instruction is a memory access that may fault on purpose.
    fn fault_site(&mut self, traps: &mut Traps) {
        traps.fault_site(self.code_len() as u32);
    }
    fn bind(&mut self, label: Label);

    // Protocol: the operations the front-end's protocol is written in. They use no
    // register but their operands (a back-end that needs one uses a register of its
    // own outside [`Fixed`] and the allocatable ones). Offsets are bytes; `width` says
    // how many are loaded (zero-extended) or stored.
    fn load_int(&mut self, dst: Reg, base: Reg, offset: i32, width: Width);
    /// `dst = [base + index * bytes(width)]`, `index` an i32 (zero-extended).
    fn load_int_indexed(&mut self, dst: Reg, base: Reg, index: Reg, width: Width);
    fn store_int(&mut self, base: Reg, offset: i32, src: Reg, width: Width);
    /// Adds `value` to the 64-bit integer at `base + offset`, a record's field.
    fn add_int_mem(&mut self, base: Reg, offset: i32, value: i32);
    /// `dst = dst op` the 64-bit integer at `base + offset`, a record's field; `op` is
    /// `Add` or `Sub`.
    fn int_op_mem(&mut self, op: IntOp, dst: Reg, base: Reg, offset: i32);
    /// Jumps when `lhs cond` the 64-bit integer at `base + offset`, a record's field.
    fn branch_cmp_mem(&mut self, cond: Cond, lhs: Reg, base: Reg, offset: i32, target: Label);
    /// Stores `value` (sign-extended for `W64`); it may overwrite `Scratch(0)` to do so.
    fn store_int_const(&mut self, base: Reg, offset: i32, value: i32, width: Width);
    /// `dst = src` as an i32, zero-extended.
    fn zero_extend_i32(&mut self, dst: Reg, src: Reg);
    /// `dst = the stack pointer`.
    fn read_stack_pointer(&mut self, dst: Reg);
    /// Subtracts one from the budget counter and jumps to `target` if the result is
    /// negative (`if_negative`) or not.
    fn budget_tick(&mut self, if_negative: bool, target: Label);
    /// Aligns the code for a function's entry.
    fn align_entry(&mut self);
    /// Makes a function's native frame (its entry, and an OSR entry, start with this).
    fn enter_frame(&mut self);
    /// Pops the native frame and returns to the caller.
    fn leave_frame_and_return(&mut self);
    fn call_label(&mut self, target: Label);
    /// Leaves the function's native frame and jumps to `target`, which returns to this
    /// function's caller in its stead (a tail call).
    fn leave_frame_and_jump(&mut self, target: Label);
    fn leave_frame_and_jump_reg(&mut self, target: Reg);
    fn call_reg(&mut self, target: Reg);
    /// Calls the code whose address is at `base + offset`, with the C convention.
    fn call_at(&mut self, base: Reg, offset: i32);
    /// Saves two registers on the native stack (a call that may change them puts them
    /// back with [`restore_pair`](Self::restore_pair)).
    fn save_pair(&mut self, a: Reg, b: Reg);
    fn restore_pair(&mut self, a: Reg, b: Reg);
    /// `stack pointer = src`.
    fn write_stack_pointer(&mut self, src: Reg);

    // Moves.
    /// Loads a value of type `ty` from `base + offset` (two slots for `v128`).
    fn load_value(&mut self, dst: Reg, base: Reg, offset: i32, ty: ValType);
    /// Stores a value of type `ty` to `base + offset` as a slot holds it: an `f32`'s
    /// bits zero-extended to 64, as the interpreter leaves them.
    fn store_value(&mut self, base: Reg, offset: i32, src: Reg, ty: ValType);
    /// Copies all of `src`, vectors included.
    fn mov(&mut self, dst: Reg, src: Reg);
    fn mov_const(&mut self, dst: Reg, bits: u64);

    // Integers; `dst` is also the left operand.
    fn int_op(&mut self, op: IntOp, width: Width, dst: Reg, rhs: Src);
    /// `dst = lhs op rhs`, leaving `lhs` as it is (`dst` is another register, not `rhs`).
    /// `Add`, `Sub`, `Mul`, `Shl` and `ShrU` with an immediate, and `Add` and `Sub` of
    /// registers, are protocol operations, in `int_op` too.
    fn int_op_to(&mut self, op: IntOp, width: Width, dst: Reg, lhs: Reg, rhs: Src);
    /// `dst = dst op rhs`, where the front-end checked what traps: `rhs` is not zero, and
    /// the quotient fits (`MIN % -1` is left to the back-end: its result is 0).
    fn int_div(&mut self, op: DivOp, width: Width, dst: Reg, rhs: Reg);
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
    /// `dst = convert(src)`; the classes follow the conversion.
    fn convert(&mut self, op: Convert, dst: Reg, src: Reg, traps: &mut Traps);

    // Control.
    fn jump(&mut self, target: Label);
    /// Jumps when `lhs cond rhs` (a protocol operation).
    fn branch_cmp(&mut self, cond: Cond, width: Width, lhs: Reg, rhs: Src, target: Label);
    /// Makes every NaN in the `lanes` of `reg` the positive canonical NaN (the
    /// deterministic profile), or jumps to `slow` if a lane is a NaN and returns true:
    /// then the out-of-line code at `slow` calls [`set_canonical_nans`] and comes back,
    /// so that the common case, no NaN, takes no branch. Uses the back-end's scratch
    /// registers.
    ///
    /// [`set_canonical_nans`]: MacroAssembler::set_canonical_nans
    fn canonicalize_nans(&mut self, reg: Reg, lanes: NanLanes, slow: Label) -> bool;
    /// The slow path of [`canonicalize_nans`](MacroAssembler::canonicalize_nans): the
    /// NaN lanes of `reg` become the positive canonical NaN.
    fn set_canonical_nans(&mut self, reg: Reg, lanes: NanLanes);
    /// `dst += rhs` in 64 bits; jumps to `target` if the sum overflows (unsigned). An
    /// immediate `rhs` is below 4096.
    fn add_branch_carry(&mut self, dst: Reg, rhs: Src, target: Label);
    /// Jumps when the 64-bit `reg` is 2^31 or more (unsigned): a 64-bit address past
    /// what the guard region covers.
    fn branch_wide(&mut self, reg: Reg, target: Label);
    /// Jumps when `reg` is zero (`if_zero`) or not (a protocol operation).
    fn branch_zero(&mut self, width: Width, reg: Reg, if_zero: bool, target: Label);
    /// Jumps to `targets[index]`, or to `default` when the i32 `index` is past them.
    fn jump_table(&mut self, index: Reg, targets: &[Label], default: Label);

    // Memory 0 of the instance, at an [`Address`] the front-end checked.
    fn load(&mut self, op: LoadOp, dst: Reg, at: Address, traps: &mut Traps);
    fn store(&mut self, op: StoreOp, value: Reg, at: Address, traps: &mut Traps);

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
    /// A SIMD load from memory 0; the `load*_lane` ones take the vector `into` and
    /// replace lane `lane` of it.
    fn simd_load(
        &mut self,
        op: Opcode,
        dst: Reg,
        at: Address,
        into: Option<(Reg, u8)>,
        traps: &mut Traps,
    ) -> bool;
    /// A SIMD store to memory 0 (all of `value`, or lane `lane` for the `store*_lane` ones).
    fn simd_store(&mut self, op: Opcode, value: Reg, at: Address, lane: u8, traps: &mut Traps) -> bool;
}

/// The SIMD methods of [`MacroAssembler`] for a back-end whose SIMD instruction selection
/// is laid out as both back-ends' is: a module `simd` with `int::emit`, `float::emit`,
/// `relaxed::emit`, `lanes::{emit, constant, shuffle}` and `memory::{load, store}`, taking register
/// numbers. Expanded inside the back-end's `impl MacroAssembler`, so that the dispatch
/// by [`SimdGroup`](crate::SimdGroup) and the unwrapping of registers are written once.
#[macro_export]
macro_rules! simd_methods {
    () => {
        fn v128_const(&mut self, dst: $crate::Reg, bytes: [u8; 16]) {
            simd::lanes::constant(self, dst.index, bytes);
        }

        fn simd(
            &mut self,
            op: ::stratus_decoder::Opcode,
            dst: $crate::Reg,
            args: &[$crate::Reg],
            lane: u8,
        ) -> bool {
            match $crate::SimdGroup::of(op) {
                Some($crate::SimdGroup::Int) => simd::int::emit(self, op, dst.index, args),
                Some($crate::SimdGroup::Float) => simd::float::emit(self, op, dst.index, args),
                Some($crate::SimdGroup::Lanes) => simd::lanes::emit(self, op, dst.index, args, lane),
                Some($crate::SimdGroup::Relaxed) => simd::relaxed::emit(self, op, dst.index, args),
                Some($crate::SimdGroup::Memory) | None => false,
            }
        }

        fn shuffle(&mut self, dst: $crate::Reg, a: $crate::Reg, b: $crate::Reg, lanes: [u8; 16]) {
            simd::lanes::shuffle(self, dst.index, a.index, b.index, lanes);
        }

        fn simd_load(
            &mut self,
            op: ::stratus_decoder::Opcode,
            dst: $crate::Reg,
            at: $crate::Address,
            into: Option<($crate::Reg, u8)>,
            traps: &mut $crate::Traps,
        ) -> bool {
            simd::memory::load(self, op, dst.index, at, into.map(|(r, lane)| (r.index, lane)), traps)
        }

        fn simd_store(
            &mut self,
            op: ::stratus_decoder::Opcode,
            value: $crate::Reg,
            at: $crate::Address,
            lane: u8,
            traps: &mut $crate::Traps,
        ) -> bool {
            simd::memory::store(self, op, value.index, at, lane, traps)
        }
    };
}

/// A back-end's test: `masm` compiles every SIMD instruction the front-end hands to
/// [`MacroAssembler::simd`], with operands in the first registers of its allocatable sets
/// and in the last (where an instruction that cannot encode every register panics).
#[doc(hidden)]
pub fn check_simd_coverage(masm: &mut impl MacroAssembler) {
    let (ints, floats) = (masm.allocatable(RegClass::Int), masm.allocatable(RegClass::Float));
    for from_end in [false, true] {
        let pick = |class, n: usize| {
            let all = if class == RegClass::Int { ints } else { floats };
            if from_end { all[all.len() - 1 - n] } else { all[n] }
        };
        for &op in Opcode::ALL {
            let Some(signature) = op.signature() else { continue };
            let mut vectors = 0;
            let args: Vec<Reg> = (signature.params.iter())
                .map(|&ty| match RegClass::of(ty) {
                    RegClass::Int => pick(RegClass::Int, 0),
                    RegClass::Float => (pick(RegClass::Float, vectors), vectors += 1).0,
                })
                .collect();
            let compiled = matches!(
                SimdGroup::of(op),
                Some(SimdGroup::Int | SimdGroup::Float | SimdGroup::Lanes | SimdGroup::Relaxed)
            ) && !matches!(op, Opcode::V128Const | Opcode::I8x16Shuffle)
                && simd_mirror(op).is_none();
            let Some(&result) = signature.results.first().filter(|_| compiled) else { continue };
            let dst = match RegClass::of(result) {
                RegClass::Int => pick(RegClass::Int, 1),
                RegClass::Float => pick(RegClass::Float, 3),
            };
            assert!(masm.simd(op, dst, &args, 0), "{op} is not compiled");
        }
    }
}
