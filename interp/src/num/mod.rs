//! Semantics of the pure numeric and SIMD instructions, as plain functions.
//!
//! Every row of the instruction table with no immediates and a fixed signature has a
//! function here named by the row's `semantic_name`, taking its operands in table order
//! (the first parameter is the deeper stack operand) and returning its result; `v128` is
//! a `u128` whose least-significant bits are lane 0. Instructions that can trap return
//! `Result<_, TrapKind>`; [`OpResult`] lets the dispatch treat both shapes alike. The
//! lane instructions, whose lane index is an immediate, take it as a trailing `lane: u8`.
//!
//! The private `table` module checks at compile time that this module covers the whole
//! instruction table.

use stratus_runtime::TrapKind;

/// Defines `#[inline] pub fn`s whose body is one expression, so each instruction's
/// semantics stays one row that reads like the instruction table.
macro_rules! ops {
    ($($(#[$attr:meta])* fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty = $body:expr;)*) => {
        $($(#[$attr])* #[inline] pub fn $name($($arg: $ty),*) -> $ret { $body })*
    };
}

/// The Rust type a value type of the instruction table is computed in.
macro_rules! value_type {
    (i32) => {
        i32
    };
    (i64) => {
        i64
    };
    (f32) => {
        f32
    };
    (f64) => {
        f64
    };
    (v128) => {
        u128
    };
}
pub(crate) use value_type;

mod convert;
mod float;
mod int;
mod simd;
mod table;

pub use convert::*;
pub use float::*;
pub use int::*;
pub use simd::*;

/// `nop`: kept as a function so the dispatch can expand every such row the same way.
#[inline]
pub fn nop() {}

/// An operator's return value seen as a `Result`: plain values never trap, and trapping
/// operators already return `Result<T, TrapKind>`. The dispatch calls
/// `num::$semantic_name(..).into_result()?` for every row.
pub trait OpResult<T> {
    fn into_result(self) -> Result<T, TrapKind>;
}

macro_rules! plain_op_result {
    ($($t:ty),*) => {
        $(impl OpResult<$t> for $t {
            #[inline(always)]
            fn into_result(self) -> Result<$t, TrapKind> {
                Ok(self)
            }
        })*
    };
}
plain_op_result!((), i32, i64, f32, f64, u128);

impl<T> OpResult<T> for Result<T, TrapKind> {
    #[inline(always)]
    fn into_result(self) -> Result<T, TrapKind> {
        self
    }
}

/// A value whose NaNs the deterministic profile makes canonical.
pub(crate) trait CanonicalNans: Sized {
    /// The value with every NaN in `lanes` the positive canonical NaN.
    fn canonical_nans(self, lanes: stratus_decoder::NanLanes) -> Self {
        let _ = lanes;
        self
    }
}

impl CanonicalNans for i32 {}
impl CanonicalNans for i64 {}

impl CanonicalNans for f32 {
    fn canonical_nans(self, _: stratus_decoder::NanLanes) -> f32 {
        if self.is_nan() { f32::from_bits(0x7FC0_0000) } else { self }
    }
}

impl CanonicalNans for f64 {
    fn canonical_nans(self, _: stratus_decoder::NanLanes) -> f64 {
        if self.is_nan() { f64::from_bits(0x7FF8_0000_0000_0000) } else { self }
    }
}

impl CanonicalNans for u128 {
    fn canonical_nans(self, lanes: stratus_decoder::NanLanes) -> u128 {
        simd::canonical_nan_lanes(self, lanes)
    }
}
