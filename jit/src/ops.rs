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

impl IntOp {
    /// Whether `a op b == b op a`, so a constant left operand can become the right.
    pub fn commutes(self) -> bool {
        matches!(self, IntOp::Add | IntOp::Mul | IntOp::And | IntOp::Or | IntOp::Xor)
    }
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
    /// The condition with the operands swapped: `a c b == b c.swap() a`.
    pub fn swap(self) -> Cond {
        match self {
            Cond::Eq => Cond::Eq,
            Cond::Ne => Cond::Ne,
            Cond::LtS => Cond::GtS,
            Cond::LtU => Cond::GtU,
            Cond::GtS => Cond::LtS,
            Cond::GtU => Cond::LtU,
            Cond::LeS => Cond::GeS,
            Cond::LeU => Cond::GeU,
            Cond::GeS => Cond::LeS,
            Cond::GeU => Cond::LeU,
        }
    }

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
}

impl SimdGroup {
    /// The group of a SIMD instruction; `None` for the others.
    pub fn of(op: Opcode) -> Option<SimdGroup> {
        use Opcode::*;
        match op {
            // Bitwise.
            V128Not | V128And | V128AndNot | V128Or | V128Xor | V128Bitselect | V128AnyTrue
            // Comparisons.
            | I8x16Eq | I8x16Ne | I8x16LtS | I8x16LtU | I8x16GtS | I8x16GtU
            | I8x16LeS | I8x16LeU | I8x16GeS | I8x16GeU
            | I16x8Eq | I16x8Ne | I16x8LtS | I16x8LtU | I16x8GtS | I16x8GtU
            | I16x8LeS | I16x8LeU | I16x8GeS | I16x8GeU
            | I32x4Eq | I32x4Ne | I32x4LtS | I32x4LtU | I32x4GtS | I32x4GtU
            | I32x4LeS | I32x4LeU | I32x4GeS | I32x4GeU
            | I64x2Eq | I64x2Ne | I64x2LtS | I64x2GtS | I64x2LeS | I64x2GeS
            // Unary, reductions and narrowing.
            | I8x16Abs | I16x8Abs | I32x4Abs | I64x2Abs
            | I8x16Neg | I16x8Neg | I32x4Neg | I64x2Neg
            | I8x16Popcnt
            | I8x16AllTrue | I16x8AllTrue | I32x4AllTrue | I64x2AllTrue
            | I8x16Bitmask | I16x8Bitmask | I32x4Bitmask | I64x2Bitmask
            | I8x16NarrowI16x8S | I8x16NarrowI16x8U | I16x8NarrowI32x4S | I16x8NarrowI32x4U
            // Shifts.
            | I8x16Shl | I8x16ShrS | I8x16ShrU
            | I16x8Shl | I16x8ShrS | I16x8ShrU
            | I32x4Shl | I32x4ShrS | I32x4ShrU
            | I64x2Shl | I64x2ShrS | I64x2ShrU
            // Arithmetic.
            | I8x16Add | I16x8Add | I32x4Add | I64x2Add
            | I8x16Sub | I16x8Sub | I32x4Sub | I64x2Sub
            | I8x16AddSatS | I8x16AddSatU | I8x16SubSatS | I8x16SubSatU
            | I16x8AddSatS | I16x8AddSatU | I16x8SubSatS | I16x8SubSatU
            | I16x8Mul | I32x4Mul | I64x2Mul
            | I8x16MinS | I8x16MinU | I8x16MaxS | I8x16MaxU
            | I16x8MinS | I16x8MinU | I16x8MaxS | I16x8MaxU
            | I32x4MinS | I32x4MinU | I32x4MaxS | I32x4MaxU
            | I8x16AvgrU | I16x8AvgrU
            | I16x8Q15MulrSatS
            | I32x4DotI16x8S
            // Widening.
            | I16x8ExtAddPairwiseI8x16S | I16x8ExtAddPairwiseI8x16U
            | I32x4ExtAddPairwiseI16x8S | I32x4ExtAddPairwiseI16x8U
            | I16x8ExtendLowI8x16S | I16x8ExtendHighI8x16S | I16x8ExtendLowI8x16U | I16x8ExtendHighI8x16U
            | I32x4ExtendLowI16x8S | I32x4ExtendHighI16x8S | I32x4ExtendLowI16x8U | I32x4ExtendHighI16x8U
            | I64x2ExtendLowI32x4S | I64x2ExtendHighI32x4S | I64x2ExtendLowI32x4U | I64x2ExtendHighI32x4U
            | I16x8ExtMulLowI8x16S | I16x8ExtMulHighI8x16S | I16x8ExtMulLowI8x16U | I16x8ExtMulHighI8x16U
            | I32x4ExtMulLowI16x8S | I32x4ExtMulHighI16x8S | I32x4ExtMulLowI16x8U | I32x4ExtMulHighI16x8U
            | I64x2ExtMulLowI32x4S | I64x2ExtMulHighI32x4S | I64x2ExtMulLowI32x4U | I64x2ExtMulHighI32x4U => Some(SimdGroup::Int),
            F32x4Eq
            | F32x4Ne
            | F32x4Lt
            | F32x4Gt
            | F32x4Le
            | F32x4Ge
            | F64x2Eq
            | F64x2Ne
            | F64x2Lt
            | F64x2Gt
            | F64x2Le
            | F64x2Ge
            | F32x4Ceil
            | F32x4Floor
            | F32x4Trunc
            | F32x4Nearest
            | F64x2Ceil
            | F64x2Floor
            | F64x2Trunc
            | F64x2Nearest
            | F32x4Abs
            | F32x4Neg
            | F32x4Sqrt
            | F64x2Abs
            | F64x2Neg
            | F64x2Sqrt
            | F32x4Add
            | F32x4Sub
            | F32x4Mul
            | F32x4Div
            | F64x2Add
            | F64x2Sub
            | F64x2Mul
            | F64x2Div
            | F32x4Min
            | F32x4Max
            | F64x2Min
            | F64x2Max
            | F32x4PMin
            | F32x4PMax
            | F64x2PMin
            | F64x2PMax
            | F32x4DemoteF64x2Zero
            | F64x2PromoteLowF32x4
            | I32x4TruncSatF32x4S
            | I32x4TruncSatF32x4U
            | F32x4ConvertI32x4S
            | F32x4ConvertI32x4U
            | I32x4TruncSatF64x2SZero
            | I32x4TruncSatF64x2UZero
            | F64x2ConvertLowI32x4S
            | F64x2ConvertLowI32x4U => Some(SimdGroup::Float),
            V128Const
            | I8x16Shuffle
            | I8x16Swizzle
            | I8x16Splat
            | I16x8Splat
            | I32x4Splat
            | I64x2Splat
            | F32x4Splat
            | F64x2Splat
            | I8x16ExtractLaneS
            | I8x16ExtractLaneU
            | I8x16ReplaceLane
            | I16x8ExtractLaneS
            | I16x8ExtractLaneU
            | I16x8ReplaceLane
            | I32x4ExtractLane
            | I32x4ReplaceLane
            | I64x2ExtractLane
            | I64x2ReplaceLane
            | F32x4ExtractLane
            | F32x4ReplaceLane
            | F64x2ExtractLane
            | F64x2ReplaceLane => Some(SimdGroup::Lanes),
            V128Load
            | V128Load8x8S
            | V128Load8x8U
            | V128Load16x4S
            | V128Load16x4U
            | V128Load32x2S
            | V128Load32x2U
            | V128Load8Splat
            | V128Load16Splat
            | V128Load32Splat
            | V128Load64Splat
            | V128Load32Zero
            | V128Load64Zero
            | V128Load8Lane
            | V128Load16Lane
            | V128Load32Lane
            | V128Load64Lane
            | V128Store
            | V128Store8Lane
            | V128Store16Lane
            | V128Store32Lane
            | V128Store64Lane => Some(SimdGroup::Memory),
            _ => None,
        }
    }
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
        assert_eq!(simd.len(), 236, "Wasm 2.0 has 236 SIMD instructions");
        let missing: Vec<Opcode> = simd.into_iter().filter(|&op| SimdGroup::of(op).is_none()).collect();
        assert!(missing.is_empty(), "not compiled: {missing:?}");
        let others = Opcode::ALL.iter().filter(|op| op.encoding() >> 16 != 0xFD);
        assert!(others.copied().all(|op| SimdGroup::of(op).is_none()));
    }
}
