//! The operations the front-end asks of a back-end, and which instructions are which.

use stratus_decoder::Opcode;

/// Operand width of integer operations.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Width {
    W32,
    W64,
}

/// Operand size of float operations.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum FSize {
    F32,
    F64,
}

#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum IntOp {
    Add,
    Sub,
    Mul,
    And,
    Or,
    Xor,
    Shl,
    ShrS,
    ShrU,
    Rotl,
    Rotr,
}

#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum DivOp {
    DivS,
    DivU,
    RemS,
    RemU,
}

#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum IntUnop {
    Clz,
    Ctz,
    Popcnt,
    Extend8S,
    Extend16S,
    Extend32S,
}

/// Integer comparisons.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Cond {
    Eq,
    Ne,
    LtS,
    LtU,
    GtS,
    GtU,
    LeS,
    LeU,
    GeS,
    GeU,
}

impl Cond {
    pub fn negate(self) -> Cond {
        match self {
            Cond::Eq => Cond::Ne,
            Cond::Ne => Cond::Eq,
            Cond::LtS => Cond::GeS,
            Cond::LtU => Cond::GeU,
            Cond::GtS => Cond::LeS,
            Cond::GtU => Cond::LeU,
            Cond::LeS => Cond::GtS,
            Cond::LeU => Cond::GtU,
            Cond::GeS => Cond::LtS,
            Cond::GeU => Cond::LtU,
        }
    }
}

#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum FloatOp {
    Add,
    Sub,
    Mul,
    Div,
    Min,
    Max,
    Copysign,
}

#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum FloatUnop {
    Abs,
    Neg,
    Sqrt,
    Ceil,
    Floor,
    Trunc,
    Nearest,
}

/// Float comparisons (false when either operand is NaN, but `Ne`, which is true).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum FCond {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

/// Conversions between types: the instruction, as the semantics are the spec's.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Convert {
    I32WrapI64,
    I64ExtendI32S,
    I64ExtendI32U,
    /// Float to integer, trapping on NaN and overflow (`sat`: saturating instead).
    Trunc {
        from: FSize,
        to: Width,
        signed: bool,
        sat: bool,
    },
    /// Integer to float.
    FromInt {
        from: Width,
        to: FSize,
        signed: bool,
    },
    F32DemoteF64,
    F64PromoteF32,
    /// Bits moved between the integer and float register files.
    ReinterpretToInt(FSize),
    ReinterpretToFloat(FSize),
}

/// The floats a trapping truncation to an integer of width `to` converts, as f64
/// bounds: the lower one (inclusive when the flag says so) and the upper one, exclusive.
/// Every f32 and f64 in the range converts, and NaN and everything else traps.
pub fn trunc_range(to: Width, signed: bool) -> (f64, bool, f64) {
    match (to, signed) {
        (Width::W32, true) => (-2147483649.0, false, 2147483648.0),
        (Width::W32, false) => (-1.0, false, 4294967296.0),
        (Width::W64, true) => (-9223372036854775808.0, true, 9223372036854775808.0),
        (Width::W64, false) => (-1.0, false, 18446744073709551616.0),
    }
}

/// Memory loads: width in bytes, sign extension, destination.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum LoadOp {
    /// Integer load of `bytes` into a register of width `to`, sign- or zero-extended.
    Int {
        bytes: u8,
        signed: bool,
        to: Width,
    },
    Float(FSize),
}

impl LoadOp {
    pub fn bytes(self) -> u32 {
        match self {
            LoadOp::Int { bytes, .. } => u32::from(bytes),
            LoadOp::Float(FSize::F32) => 4,
            LoadOp::Float(FSize::F64) => 8,
        }
    }
}

/// Memory stores of the low `bytes` of an integer register, or of a float.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum StoreOp {
    Int { bytes: u8 },
    Float(FSize),
}

impl StoreOp {
    pub fn bytes(self) -> u32 {
        match self {
            StoreOp::Int { bytes } => u32::from(bytes),
            StoreOp::Float(FSize::F32) => 4,
            StoreOp::Float(FSize::F64) => 8,
        }
    }
}

/// How the front-end lowers an instruction with a fixed signature.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum Lowering {
    IntBin(IntOp, Width),
    Div(DivOp, Width),
    IntUn(IntUnop, Width),
    Eqz(Width),
    Cmp(Cond, Width),
    FloatBin(FloatOp, FSize),
    FloatUn(FloatUnop, FSize),
    FCmp(FCond, FSize),
    Convert(Convert),
    Load(LoadOp),
    Store(StoreOp),
}

/// The lowering of `op`, for the numeric and memory instructions.
pub(crate) fn lowering(op: Opcode) -> Option<Lowering> {
    use self::Convert as C;
    use FSize::*;
    use Lowering::{Cmp, Div, Eqz, FCmp, FloatBin, FloatUn, IntBin, IntUn, Load, Store};
    use Opcode as O;
    use Width::*;
    let trunc = |from, to, signed, sat| Lowering::Convert(C::Trunc { from, to, signed, sat });
    let from_int = |from, to, signed| Lowering::Convert(C::FromInt { from, to, signed });
    let load = |bytes, signed, to| Load(LoadOp::Int { bytes, signed, to });
    Some(match op {
        O::I32Load => load(4, false, W32),
        O::I64Load => load(8, false, W64),
        O::F32Load => Load(LoadOp::Float(F32)),
        O::F64Load => Load(LoadOp::Float(F64)),
        O::I32Load8S => load(1, true, W32),
        O::I32Load8U => load(1, false, W32),
        O::I32Load16S => load(2, true, W32),
        O::I32Load16U => load(2, false, W32),
        O::I64Load8S => load(1, true, W64),
        O::I64Load8U => load(1, false, W64),
        O::I64Load16S => load(2, true, W64),
        O::I64Load16U => load(2, false, W64),
        O::I64Load32S => load(4, true, W64),
        O::I64Load32U => load(4, false, W64),
        O::I32Store => Store(StoreOp::Int { bytes: 4 }),
        O::I64Store => Store(StoreOp::Int { bytes: 8 }),
        O::F32Store => Store(StoreOp::Float(F32)),
        O::F64Store => Store(StoreOp::Float(F64)),
        O::I32Store8 | O::I64Store8 => Store(StoreOp::Int { bytes: 1 }),
        O::I32Store16 | O::I64Store16 => Store(StoreOp::Int { bytes: 2 }),
        O::I64Store32 => Store(StoreOp::Int { bytes: 4 }),

        O::I32Eqz => Eqz(W32),
        O::I64Eqz => Eqz(W64),
        O::I32Eq => Cmp(Cond::Eq, W32),
        O::I32Ne => Cmp(Cond::Ne, W32),
        O::I32LtS => Cmp(Cond::LtS, W32),
        O::I32LtU => Cmp(Cond::LtU, W32),
        O::I32GtS => Cmp(Cond::GtS, W32),
        O::I32GtU => Cmp(Cond::GtU, W32),
        O::I32LeS => Cmp(Cond::LeS, W32),
        O::I32LeU => Cmp(Cond::LeU, W32),
        O::I32GeS => Cmp(Cond::GeS, W32),
        O::I32GeU => Cmp(Cond::GeU, W32),
        O::I64Eq => Cmp(Cond::Eq, W64),
        O::I64Ne => Cmp(Cond::Ne, W64),
        O::I64LtS => Cmp(Cond::LtS, W64),
        O::I64LtU => Cmp(Cond::LtU, W64),
        O::I64GtS => Cmp(Cond::GtS, W64),
        O::I64GtU => Cmp(Cond::GtU, W64),
        O::I64LeS => Cmp(Cond::LeS, W64),
        O::I64LeU => Cmp(Cond::LeU, W64),
        O::I64GeS => Cmp(Cond::GeS, W64),
        O::I64GeU => Cmp(Cond::GeU, W64),
        O::F32Eq => FCmp(FCond::Eq, F32),
        O::F32Ne => FCmp(FCond::Ne, F32),
        O::F32Lt => FCmp(FCond::Lt, F32),
        O::F32Gt => FCmp(FCond::Gt, F32),
        O::F32Le => FCmp(FCond::Le, F32),
        O::F32Ge => FCmp(FCond::Ge, F32),
        O::F64Eq => FCmp(FCond::Eq, F64),
        O::F64Ne => FCmp(FCond::Ne, F64),
        O::F64Lt => FCmp(FCond::Lt, F64),
        O::F64Gt => FCmp(FCond::Gt, F64),
        O::F64Le => FCmp(FCond::Le, F64),
        O::F64Ge => FCmp(FCond::Ge, F64),

        O::I32Clz => IntUn(IntUnop::Clz, W32),
        O::I32Ctz => IntUn(IntUnop::Ctz, W32),
        O::I32Popcnt => IntUn(IntUnop::Popcnt, W32),
        O::I32Add => IntBin(IntOp::Add, W32),
        O::I32Sub => IntBin(IntOp::Sub, W32),
        O::I32Mul => IntBin(IntOp::Mul, W32),
        O::I32DivS => Div(DivOp::DivS, W32),
        O::I32DivU => Div(DivOp::DivU, W32),
        O::I32RemS => Div(DivOp::RemS, W32),
        O::I32RemU => Div(DivOp::RemU, W32),
        O::I32And => IntBin(IntOp::And, W32),
        O::I32Or => IntBin(IntOp::Or, W32),
        O::I32Xor => IntBin(IntOp::Xor, W32),
        O::I32Shl => IntBin(IntOp::Shl, W32),
        O::I32ShrS => IntBin(IntOp::ShrS, W32),
        O::I32ShrU => IntBin(IntOp::ShrU, W32),
        O::I32Rotl => IntBin(IntOp::Rotl, W32),
        O::I32Rotr => IntBin(IntOp::Rotr, W32),
        O::I64Clz => IntUn(IntUnop::Clz, W64),
        O::I64Ctz => IntUn(IntUnop::Ctz, W64),
        O::I64Popcnt => IntUn(IntUnop::Popcnt, W64),
        O::I64Add => IntBin(IntOp::Add, W64),
        O::I64Sub => IntBin(IntOp::Sub, W64),
        O::I64Mul => IntBin(IntOp::Mul, W64),
        O::I64DivS => Div(DivOp::DivS, W64),
        O::I64DivU => Div(DivOp::DivU, W64),
        O::I64RemS => Div(DivOp::RemS, W64),
        O::I64RemU => Div(DivOp::RemU, W64),
        O::I64And => IntBin(IntOp::And, W64),
        O::I64Or => IntBin(IntOp::Or, W64),
        O::I64Xor => IntBin(IntOp::Xor, W64),
        O::I64Shl => IntBin(IntOp::Shl, W64),
        O::I64ShrS => IntBin(IntOp::ShrS, W64),
        O::I64ShrU => IntBin(IntOp::ShrU, W64),
        O::I64Rotl => IntBin(IntOp::Rotl, W64),
        O::I64Rotr => IntBin(IntOp::Rotr, W64),

        O::F32Abs => FloatUn(FloatUnop::Abs, F32),
        O::F32Neg => FloatUn(FloatUnop::Neg, F32),
        O::F32Ceil => FloatUn(FloatUnop::Ceil, F32),
        O::F32Floor => FloatUn(FloatUnop::Floor, F32),
        O::F32Trunc => FloatUn(FloatUnop::Trunc, F32),
        O::F32Nearest => FloatUn(FloatUnop::Nearest, F32),
        O::F32Sqrt => FloatUn(FloatUnop::Sqrt, F32),
        O::F32Add => FloatBin(FloatOp::Add, F32),
        O::F32Sub => FloatBin(FloatOp::Sub, F32),
        O::F32Mul => FloatBin(FloatOp::Mul, F32),
        O::F32Div => FloatBin(FloatOp::Div, F32),
        O::F32Min => FloatBin(FloatOp::Min, F32),
        O::F32Max => FloatBin(FloatOp::Max, F32),
        O::F32Copysign => FloatBin(FloatOp::Copysign, F32),
        O::F64Abs => FloatUn(FloatUnop::Abs, F64),
        O::F64Neg => FloatUn(FloatUnop::Neg, F64),
        O::F64Ceil => FloatUn(FloatUnop::Ceil, F64),
        O::F64Floor => FloatUn(FloatUnop::Floor, F64),
        O::F64Trunc => FloatUn(FloatUnop::Trunc, F64),
        O::F64Nearest => FloatUn(FloatUnop::Nearest, F64),
        O::F64Sqrt => FloatUn(FloatUnop::Sqrt, F64),
        O::F64Add => FloatBin(FloatOp::Add, F64),
        O::F64Sub => FloatBin(FloatOp::Sub, F64),
        O::F64Mul => FloatBin(FloatOp::Mul, F64),
        O::F64Div => FloatBin(FloatOp::Div, F64),
        O::F64Min => FloatBin(FloatOp::Min, F64),
        O::F64Max => FloatBin(FloatOp::Max, F64),
        O::F64Copysign => FloatBin(FloatOp::Copysign, F64),

        O::I32WrapI64 => Lowering::Convert(C::I32WrapI64),
        O::I32TruncF32S => trunc(F32, W32, true, false),
        O::I32TruncF32U => trunc(F32, W32, false, false),
        O::I32TruncF64S => trunc(F64, W32, true, false),
        O::I32TruncF64U => trunc(F64, W32, false, false),
        O::I64ExtendI32S => Lowering::Convert(C::I64ExtendI32S),
        O::I64ExtendI32U => Lowering::Convert(C::I64ExtendI32U),
        O::I64TruncF32S => trunc(F32, W64, true, false),
        O::I64TruncF32U => trunc(F32, W64, false, false),
        O::I64TruncF64S => trunc(F64, W64, true, false),
        O::I64TruncF64U => trunc(F64, W64, false, false),
        O::F32ConvertI32S => from_int(W32, F32, true),
        O::F32ConvertI32U => from_int(W32, F32, false),
        O::F32ConvertI64S => from_int(W64, F32, true),
        O::F32ConvertI64U => from_int(W64, F32, false),
        O::F32DemoteF64 => Lowering::Convert(C::F32DemoteF64),
        O::F64ConvertI32S => from_int(W32, F64, true),
        O::F64ConvertI32U => from_int(W32, F64, false),
        O::F64ConvertI64S => from_int(W64, F64, true),
        O::F64ConvertI64U => from_int(W64, F64, false),
        O::F64PromoteF32 => Lowering::Convert(C::F64PromoteF32),
        O::I32ReinterpretF32 => Lowering::Convert(C::ReinterpretToInt(F32)),
        O::I64ReinterpretF64 => Lowering::Convert(C::ReinterpretToInt(F64)),
        O::F32ReinterpretI32 => Lowering::Convert(C::ReinterpretToFloat(F32)),
        O::F64ReinterpretI64 => Lowering::Convert(C::ReinterpretToFloat(F64)),

        O::I32Extend8S => IntUn(IntUnop::Extend8S, W32),
        O::I32Extend16S => IntUn(IntUnop::Extend16S, W32),
        O::I64Extend8S => IntUn(IntUnop::Extend8S, W64),
        O::I64Extend16S => IntUn(IntUnop::Extend16S, W64),
        O::I64Extend32S => IntUn(IntUnop::Extend32S, W64),

        O::I32TruncSatF32S => trunc(F32, W32, true, true),
        O::I32TruncSatF32U => trunc(F32, W32, false, true),
        O::I32TruncSatF64S => trunc(F64, W32, true, true),
        O::I32TruncSatF64U => trunc(F64, W32, false, true),
        O::I64TruncSatF32S => trunc(F32, W64, true, true),
        O::I64TruncSatF32U => trunc(F32, W64, false, true),
        O::I64TruncSatF64S => trunc(F64, W64, true, true),
        O::I64TruncSatF64U => trunc(F64, W64, false, true),
        _ => return None,
    })
}

/// The groups a back-end compiles WebAssembly's 236 SIMD instructions in, one module
/// each, so that every back-end splits them the same way.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum SimdGroup {
    /// Integer lanes and whole-vector bitwise operations.
    Int,
    /// Float lanes and conversions.
    Float,
    /// Lanes, splats, constants and shuffles.
    Lanes,
    /// Loads and stores.
    Memory,
    /// The relaxed SIMD instructions (Wasm 3.0), whose results each ISA chooses.
    Relaxed,
}

impl SimdGroup {
    /// The group of a SIMD instruction; `None` for the others. The relaxed ones are a
    /// group of their own; the others go by the instruction's name, which says what it
    /// works on: `v128.load*` and `v128.store*` are memory accesses;
    /// constants, shuffles, swizzles, splats and lane accesses are lanes; what works on
    /// float lanes or converts from them is float; the rest is integer.
    pub fn of(op: Opcode) -> Option<SimdGroup> {
        if op.encoding() >> 16 != 0xFD {
            return None;
        }
        let name = op.text();
        let lanes = ["v128.const", "shuffle", "swizzle", "splat", "_lane"];
        Some(if op.proposal() == Some(stratus_decoder::Proposal::RelaxedSimd) {
            SimdGroup::Relaxed
        } else if name.starts_with("v128.load") || name.starts_with("v128.store") {
            SimdGroup::Memory
        } else if lanes.iter().any(|part| name.contains(part)) {
            SimdGroup::Lanes
        } else if name.starts_with('f') || name.contains("_f32x4") || name.contains("_f64x2") {
            SimdGroup::Float
        } else {
            SimdGroup::Int
        })
    }
}

/// The instruction that gives relaxed SIMD instruction `op`'s result under the
/// deterministic profile, where one does (the multiply-adds take two).
pub(crate) fn deterministic_equivalent(op: Opcode) -> Option<Opcode> {
    use Opcode::*;
    Some(match op {
        I8x16RelaxedSwizzle => I8x16Swizzle,
        I32x4RelaxedTruncF32x4S => I32x4TruncSatF32x4S,
        I32x4RelaxedTruncF32x4U => I32x4TruncSatF32x4U,
        I32x4RelaxedTruncF64x2SZero => I32x4TruncSatF64x2SZero,
        I32x4RelaxedTruncF64x2UZero => I32x4TruncSatF64x2UZero,
        I8x16RelaxedLaneselect | I16x8RelaxedLaneselect | I32x4RelaxedLaneselect | I64x2RelaxedLaneselect => {
            V128Bitselect
        }
        F32x4RelaxedMin => F32x4Min,
        F32x4RelaxedMax => F32x4Max,
        F64x2RelaxedMin => F64x2Min,
        F64x2RelaxedMax => F64x2Max,
        I16x8RelaxedQ15mulrS => I16x8Q15MulrSatS,
        _ => return None,
    })
}

/// The deterministic profile's relaxed multiply-adds, unfused: the product's
/// instruction, the sum's, and whether the first operand is negated first.
pub(crate) fn unfused_madd(op: Opcode) -> Option<(Opcode, Opcode, Option<Opcode>)> {
    use Opcode::*;
    Some(match op {
        F32x4RelaxedMadd => (F32x4Mul, F32x4Add, None),
        F32x4RelaxedNmadd => (F32x4Mul, F32x4Add, Some(F32x4Neg)),
        F64x2RelaxedMadd => (F64x2Mul, F64x2Add, None),
        F64x2RelaxedNmadd => (F64x2Mul, F64x2Add, Some(F64x2Neg)),
        _ => return None,
    })
}

/// The SIMD comparison that is `op` with its operands swapped (`a < b` is `b > a`), for
/// the ones a back-end leaves to their mirror.
pub(crate) fn simd_mirror(op: Opcode) -> Option<Opcode> {
    use Opcode::*;
    Some(match op {
        I8x16LtS => I8x16GtS,
        I16x8LtS => I16x8GtS,
        I32x4LtS => I32x4GtS,
        I64x2LtS => I64x2GtS,
        I8x16LeS => I8x16GeS,
        I16x8LeS => I16x8GeS,
        I32x4LeS => I32x4GeS,
        I64x2LeS => I64x2GeS,
        I8x16LtU => I8x16GtU,
        I16x8LtU => I16x8GtU,
        I32x4LtU => I32x4GtU,
        I8x16LeU => I8x16GeU,
        I16x8LeU => I16x8GeU,
        I32x4LeU => I32x4GeU,
        F32x4Lt => F32x4Gt,
        F64x2Lt => F64x2Gt,
        F32x4Le => F32x4Ge,
        F64x2Le => F64x2Ge,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_simd_instruction_has_a_group() {
        let simd: Vec<Opcode> =
            Opcode::ALL.iter().copied().filter(|op| op.encoding() >> 16 == 0xFD).collect();
        assert_eq!(simd.len(), 256, "Wasm 2.0 has 236 SIMD instructions, relaxed SIMD 20 more");
        let missing: Vec<Opcode> = simd.into_iter().filter(|&op| SimdGroup::of(op).is_none()).collect();
        assert!(missing.is_empty(), "not compiled: {missing:?}");
        let count = |group| Opcode::ALL.iter().filter(|&&op| SimdGroup::of(op) == Some(group)).count();
        let groups =
            [SimdGroup::Int, SimdGroup::Float, SimdGroup::Lanes, SimdGroup::Memory, SimdGroup::Relaxed];
        assert_eq!(
            groups.map(count),
            [139, 52, 23, 22, 20],
            "instructions by group: int, float, lanes, memory, relaxed"
        );
        let others = Opcode::ALL.iter().filter(|op| op.encoding() >> 16 != 0xFD);
        assert!(others.copied().all(|op| SimdGroup::of(op).is_none()));
    }
}
