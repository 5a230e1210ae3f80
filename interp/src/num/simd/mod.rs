//! 128-bit SIMD instructions on `v128` values held as `u128` (lane 0 in the
//! least-significant bits).
//!
//! The submodules define the instructions; this module owns the lane plumbing they share:
//! [`lanes`] splits a `u128` into a `[T; N]` array and [`from_lanes`] packs one back, and
//! the small combinators below apply a scalar function lane by lane. They go through
//! little-endian bytes, so they are correct on any host and need no `unsafe`. LLVM turns
//! float lane loops into vector instructions, and 32- and 64-bit integer lanes cost a few
//! scalar operations; the 8- and 16-bit integer operations that would cost one scalar
//! operation per lane use the whole-register tricks of [`swar`] instead.

use std::array;

mod bitwise;
mod convert;
mod float;
mod int;
mod lanes;
mod relaxed;
mod swar;

pub use bitwise::*;
pub use convert::*;
pub use float::*;
pub use int::*;
pub use lanes::*;
pub use relaxed::*;

/// A lane type: a fixed-width integer or float stored little-endian in the vector.
trait Lane: Copy {
    const BYTES: usize;
    const ZERO: Self;
    /// `bytes` is exactly `BYTES` long.
    fn read(bytes: &[u8]) -> Self;
    fn write(self, out: &mut [u8]);
    /// The lane with every bit set if `set`, else all zeros: a comparison result.
    fn mask(set: bool) -> Self;
}

macro_rules! int_lanes {
    ($($t:ty),*) => {$(
        impl Lane for $t {
            const BYTES: usize = size_of::<$t>();
            const ZERO: Self = 0;
            #[inline(always)]
            fn read(bytes: &[u8]) -> Self {
                <$t>::from_le_bytes(bytes.try_into().unwrap())
            }
            #[inline(always)]
            fn write(self, out: &mut [u8]) {
                out.copy_from_slice(&self.to_le_bytes());
            }
            #[inline(always)]
            fn mask(set: bool) -> Self {
                if set { !0 } else { 0 }
            }
        }
    )*};
}
int_lanes!(i8, u8, i16, u16, i32, u32, i64, u64);

// Floats go through their bits, which `from_bits`/`to_bits` keep exactly (NaN payloads
// included), so moving a lane never changes it.
macro_rules! float_lanes {
    ($($t:ty: $bits:ty),*) => {$(
        impl Lane for $t {
            const BYTES: usize = size_of::<$t>();
            const ZERO: Self = 0.0;
            #[inline(always)]
            fn read(bytes: &[u8]) -> Self {
                <$t>::from_bits(<$bits>::read(bytes))
            }
            #[inline(always)]
            fn write(self, out: &mut [u8]) {
                self.to_bits().write(out);
            }
            #[inline(always)]
            fn mask(set: bool) -> Self {
                <$t>::from_bits(<$bits>::mask(set))
            }
        }
    )*};
}
float_lanes!(f32: u32, f64: u64);

/// The `N` lanes of type `T` of `v`, lane 0 first.
#[inline(always)]
fn lanes<T: Lane, const N: usize>(v: u128) -> [T; N] {
    const { assert!(N * T::BYTES == 16) };
    let bytes = v.to_le_bytes();
    array::from_fn(|i| T::read(&bytes[i * T::BYTES..(i + 1) * T::BYTES]))
}

/// The vector whose lanes are `lanes`, lane 0 first.
#[inline(always)]
fn from_lanes<T: Lane, const N: usize>(lanes: [T; N]) -> u128 {
    const { assert!(N * T::BYTES == 16) };
    let mut bytes = [0; 16];
    for (out, lane) in bytes.chunks_exact_mut(T::BYTES).zip(lanes) {
        lane.write(out);
    }
    u128::from_le_bytes(bytes)
}

/// `v` with each NaN of its float `lanes` canonical (the deterministic profile).
pub(crate) fn canonical_nan_lanes(v: u128, lanes: stratus_decoder::NanLanes) -> u128 {
    use crate::num::CanonicalNans;
    use stratus_decoder::NanLanes::{F32, F32x4, F64, F64x2};
    match lanes {
        F32 | F32x4 => map::<f32, 4>(v, |x| x.canonical_nans(lanes)),
        F64 | F64x2 => map::<f64, 2>(v, |x| x.canonical_nans(lanes)),
    }
}

/// Applies `f` to each lane.
#[inline(always)]
fn map<T: Lane, const N: usize>(v: u128, f: impl Fn(T) -> T) -> u128 {
    from_lanes::<T, N>(lanes::<T, N>(v).map(f))
}

/// Applies `f` to each pair of corresponding lanes.
#[inline(always)]
fn zip<T: Lane, const N: usize>(a: u128, b: u128, f: impl Fn(T, T) -> T) -> u128 {
    let (a, b) = (lanes::<T, N>(a), lanes::<T, N>(b));
    from_lanes::<T, N>(array::from_fn(|i| f(a[i], b[i])))
}

/// Lane-wise comparison: all ones where `f` holds, zeros elsewhere.
#[inline(always)]
fn compare<T: Lane, const N: usize>(a: u128, b: u128, f: impl Fn(T, T) -> bool) -> u128 {
    zip::<T, N>(a, b, |x, y| T::mask(f(x, y)))
}

/// `v` with every lane set to `x`.
#[inline(always)]
fn splat<T: Lane, const N: usize>(x: T) -> u128 {
    from_lanes::<T, N>([x; N])
}
