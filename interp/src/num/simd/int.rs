//! Integer lane instructions: comparisons, arithmetic (wrapping and saturating), shifts,
//! min/max, rounding average, lane tests and bitmasks, and the widening and narrowing
//! families (extend, extmul, extadd_pairwise, dot, narrow, q15mulr).
//!
//! Lanes are read as signed or unsigned Rust integers of the lane width according to the
//! instruction's `_s`/`_u`; wrapping ops do not care. Shift counts are taken modulo the
//! lane width, which `wrapping_shl`/`wrapping_shr` on the lane type do. The common 8- and
//! 16-bit operations use the whole-register forms of [`swar`](super::swar) instead of
//! lane loops, which LLVM would not vectorize.

use std::array;
use std::ops::Mul;

use super::{Lane, compare, from_lanes, lanes, map, swar, zip};

ops! {
    fn i8x16_eq(a: u128, b: u128) -> u128 = swar::eq::<8>(a, b);
    fn i8x16_ne(a: u128, b: u128) -> u128 = !swar::eq::<8>(a, b);
    fn i8x16_lt_s(a: u128, b: u128) -> u128 = swar::lt_s::<8>(a, b);
    fn i8x16_lt_u(a: u128, b: u128) -> u128 = swar::lt_u::<8>(a, b);
    fn i8x16_gt_s(a: u128, b: u128) -> u128 = swar::lt_s::<8>(b, a);
    fn i8x16_gt_u(a: u128, b: u128) -> u128 = swar::lt_u::<8>(b, a);
    fn i8x16_le_s(a: u128, b: u128) -> u128 = !swar::lt_s::<8>(b, a);
    fn i8x16_le_u(a: u128, b: u128) -> u128 = !swar::lt_u::<8>(b, a);
    fn i8x16_ge_s(a: u128, b: u128) -> u128 = !swar::lt_s::<8>(a, b);
    fn i8x16_ge_u(a: u128, b: u128) -> u128 = !swar::lt_u::<8>(a, b);

    fn i16x8_eq(a: u128, b: u128) -> u128 = swar::eq::<16>(a, b);
    fn i16x8_ne(a: u128, b: u128) -> u128 = !swar::eq::<16>(a, b);
    fn i16x8_lt_s(a: u128, b: u128) -> u128 = swar::lt_s::<16>(a, b);
    fn i16x8_lt_u(a: u128, b: u128) -> u128 = swar::lt_u::<16>(a, b);
    fn i16x8_gt_s(a: u128, b: u128) -> u128 = swar::lt_s::<16>(b, a);
    fn i16x8_gt_u(a: u128, b: u128) -> u128 = swar::lt_u::<16>(b, a);
    fn i16x8_le_s(a: u128, b: u128) -> u128 = !swar::lt_s::<16>(b, a);
    fn i16x8_le_u(a: u128, b: u128) -> u128 = !swar::lt_u::<16>(b, a);
    fn i16x8_ge_s(a: u128, b: u128) -> u128 = !swar::lt_s::<16>(a, b);
    fn i16x8_ge_u(a: u128, b: u128) -> u128 = !swar::lt_u::<16>(a, b);

    fn i32x4_eq(a: u128, b: u128) -> u128 = compare::<i32, 4>(a, b, |x, y| x == y);
    fn i32x4_ne(a: u128, b: u128) -> u128 = compare::<i32, 4>(a, b, |x, y| x != y);
    fn i32x4_lt_s(a: u128, b: u128) -> u128 = compare::<i32, 4>(a, b, |x, y| x < y);
    fn i32x4_lt_u(a: u128, b: u128) -> u128 = compare::<u32, 4>(a, b, |x, y| x < y);
    fn i32x4_gt_s(a: u128, b: u128) -> u128 = compare::<i32, 4>(a, b, |x, y| x > y);
    fn i32x4_gt_u(a: u128, b: u128) -> u128 = compare::<u32, 4>(a, b, |x, y| x > y);
    fn i32x4_le_s(a: u128, b: u128) -> u128 = compare::<i32, 4>(a, b, |x, y| x <= y);
    fn i32x4_le_u(a: u128, b: u128) -> u128 = compare::<u32, 4>(a, b, |x, y| x <= y);
    fn i32x4_ge_s(a: u128, b: u128) -> u128 = compare::<i32, 4>(a, b, |x, y| x >= y);
    fn i32x4_ge_u(a: u128, b: u128) -> u128 = compare::<u32, 4>(a, b, |x, y| x >= y);

    fn i64x2_eq(a: u128, b: u128) -> u128 = compare::<i64, 2>(a, b, |x, y| x == y);
    fn i64x2_ne(a: u128, b: u128) -> u128 = compare::<i64, 2>(a, b, |x, y| x != y);
    fn i64x2_lt_s(a: u128, b: u128) -> u128 = compare::<i64, 2>(a, b, |x, y| x < y);
    fn i64x2_gt_s(a: u128, b: u128) -> u128 = compare::<i64, 2>(a, b, |x, y| x > y);
    fn i64x2_le_s(a: u128, b: u128) -> u128 = compare::<i64, 2>(a, b, |x, y| x <= y);
    fn i64x2_ge_s(a: u128, b: u128) -> u128 = compare::<i64, 2>(a, b, |x, y| x >= y);

    fn i8x16_abs(a: u128) -> u128 = swar::abs::<8>(a);
    fn i8x16_neg(a: u128) -> u128 = swar::neg::<8>(a);
    fn i8x16_popcnt(a: u128) -> u128 = swar::popcnt8(a);
    fn i8x16_all_true(a: u128) -> i32 = swar::all_true::<8>(a);
    fn i8x16_bitmask(a: u128) -> i32 = swar::bitmask8(a);
    fn i8x16_narrow_i16x8_s(a: u128, b: u128) -> u128 = narrow::<i16, i8, 8, 16>(a, b, |x| x as i8);
    fn i8x16_narrow_i16x8_u(a: u128, b: u128) -> u128 = narrow::<i16, u8, 8, 16>(a, b, |x| x as u8);
    fn i8x16_shl(a: u128, s: i32) -> u128 = swar::shl::<8>(a, s);
    fn i8x16_shr_s(a: u128, s: i32) -> u128 = swar::shr_s::<8>(a, s);
    fn i8x16_shr_u(a: u128, s: i32) -> u128 = swar::shr_u::<8>(a, s);
    fn i8x16_add(a: u128, b: u128) -> u128 = swar::add::<8>(a, b);
    fn i8x16_add_sat_s(a: u128, b: u128) -> u128 = swar::add_sat_s::<8>(a, b);
    fn i8x16_add_sat_u(a: u128, b: u128) -> u128 = swar::add_sat_u::<8>(a, b);
    fn i8x16_sub(a: u128, b: u128) -> u128 = swar::sub::<8>(a, b);
    fn i8x16_sub_sat_s(a: u128, b: u128) -> u128 = swar::sub_sat_s::<8>(a, b);
    fn i8x16_sub_sat_u(a: u128, b: u128) -> u128 = swar::sub_sat_u::<8>(a, b);
    fn i8x16_min_s(a: u128, b: u128) -> u128 = swar::min_s::<8>(a, b);
    fn i8x16_min_u(a: u128, b: u128) -> u128 = swar::min_u::<8>(a, b);
    fn i8x16_max_s(a: u128, b: u128) -> u128 = swar::max_s::<8>(a, b);
    fn i8x16_max_u(a: u128, b: u128) -> u128 = swar::max_u::<8>(a, b);
    fn i8x16_avgr_u(a: u128, b: u128) -> u128 = swar::avgr_u::<8>(a, b);

    fn i16x8_extadd_pairwise_i8x16_s(a: u128) -> u128 = pairwise::<i8, i16, 16, 8>(a, a, |x, _| x.into());
    fn i16x8_extadd_pairwise_i8x16_u(a: u128) -> u128 = pairwise::<u8, u16, 16, 8>(a, a, |x, _| x.into());
    fn i16x8_abs(a: u128) -> u128 = swar::abs::<16>(a);
    fn i16x8_neg(a: u128) -> u128 = swar::neg::<16>(a);
    fn i16x8_q15mulr_sat_s(a: u128, b: u128) -> u128 = zip::<i16, 8>(a, b, q15mulr_sat);
    fn i16x8_all_true(a: u128) -> i32 = swar::all_true::<16>(a);
    fn i16x8_bitmask(a: u128) -> i32 = bitmask::<i16, 8>(a);
    fn i16x8_narrow_i32x4_s(a: u128, b: u128) -> u128 = narrow::<i32, i16, 4, 8>(a, b, |x| x as i16);
    fn i16x8_narrow_i32x4_u(a: u128, b: u128) -> u128 = narrow::<i32, u16, 4, 8>(a, b, |x| x as u16);
    fn i16x8_extend_low_i8x16_s(a: u128) -> u128 = extend::<i8, i16, 16, 8>(a, 0);
    fn i16x8_extend_high_i8x16_s(a: u128) -> u128 = extend::<i8, i16, 16, 8>(a, 8);
    fn i16x8_extend_low_i8x16_u(a: u128) -> u128 = extend::<u8, u16, 16, 8>(a, 0);
    fn i16x8_extend_high_i8x16_u(a: u128) -> u128 = extend::<u8, u16, 16, 8>(a, 8);
    fn i16x8_shl(a: u128, s: i32) -> u128 = swar::shl::<16>(a, s);
    fn i16x8_shr_s(a: u128, s: i32) -> u128 = swar::shr_s::<16>(a, s);
    fn i16x8_shr_u(a: u128, s: i32) -> u128 = swar::shr_u::<16>(a, s);
    fn i16x8_add(a: u128, b: u128) -> u128 = swar::add::<16>(a, b);
    fn i16x8_add_sat_s(a: u128, b: u128) -> u128 = swar::add_sat_s::<16>(a, b);
    fn i16x8_add_sat_u(a: u128, b: u128) -> u128 = swar::add_sat_u::<16>(a, b);
    fn i16x8_sub(a: u128, b: u128) -> u128 = swar::sub::<16>(a, b);
    fn i16x8_sub_sat_s(a: u128, b: u128) -> u128 = swar::sub_sat_s::<16>(a, b);
    fn i16x8_sub_sat_u(a: u128, b: u128) -> u128 = swar::sub_sat_u::<16>(a, b);
    fn i16x8_mul(a: u128, b: u128) -> u128 = zip::<i16, 8>(a, b, i16::wrapping_mul);
    fn i16x8_min_s(a: u128, b: u128) -> u128 = swar::min_s::<16>(a, b);
    fn i16x8_min_u(a: u128, b: u128) -> u128 = swar::min_u::<16>(a, b);
    fn i16x8_max_s(a: u128, b: u128) -> u128 = swar::max_s::<16>(a, b);
    fn i16x8_max_u(a: u128, b: u128) -> u128 = swar::max_u::<16>(a, b);
    fn i16x8_avgr_u(a: u128, b: u128) -> u128 = swar::avgr_u::<16>(a, b);
    fn i16x8_extmul_low_i8x16_s(a: u128, b: u128) -> u128 = extmul::<i8, i16, 16, 8>(a, b, 0);
    fn i16x8_extmul_high_i8x16_s(a: u128, b: u128) -> u128 = extmul::<i8, i16, 16, 8>(a, b, 8);
    fn i16x8_extmul_low_i8x16_u(a: u128, b: u128) -> u128 = extmul::<u8, u16, 16, 8>(a, b, 0);
    fn i16x8_extmul_high_i8x16_u(a: u128, b: u128) -> u128 = extmul::<u8, u16, 16, 8>(a, b, 8);

    fn i32x4_extadd_pairwise_i16x8_s(a: u128) -> u128 = pairwise::<i16, i32, 8, 4>(a, a, |x, _| x.into());
    fn i32x4_extadd_pairwise_i16x8_u(a: u128) -> u128 = pairwise::<u16, u32, 8, 4>(a, a, |x, _| x.into());
    fn i32x4_abs(a: u128) -> u128 = map::<i32, 4>(a, i32::wrapping_abs);
    fn i32x4_neg(a: u128) -> u128 = map::<i32, 4>(a, i32::wrapping_neg);
    fn i32x4_all_true(a: u128) -> i32 = all_true::<u32, 4>(a);
    fn i32x4_bitmask(a: u128) -> i32 = bitmask::<i32, 4>(a);
    fn i32x4_extend_low_i16x8_s(a: u128) -> u128 = extend::<i16, i32, 8, 4>(a, 0);
    fn i32x4_extend_high_i16x8_s(a: u128) -> u128 = extend::<i16, i32, 8, 4>(a, 4);
    fn i32x4_extend_low_i16x8_u(a: u128) -> u128 = extend::<u16, u32, 8, 4>(a, 0);
    fn i32x4_extend_high_i16x8_u(a: u128) -> u128 = extend::<u16, u32, 8, 4>(a, 4);
    fn i32x4_shl(a: u128, s: i32) -> u128 = map::<i32, 4>(a, |x| x.wrapping_shl(s as u32));
    fn i32x4_shr_s(a: u128, s: i32) -> u128 = map::<i32, 4>(a, |x| x.wrapping_shr(s as u32));
    fn i32x4_shr_u(a: u128, s: i32) -> u128 = map::<u32, 4>(a, |x| x.wrapping_shr(s as u32));
    fn i32x4_add(a: u128, b: u128) -> u128 = zip::<i32, 4>(a, b, i32::wrapping_add);
    fn i32x4_sub(a: u128, b: u128) -> u128 = zip::<i32, 4>(a, b, i32::wrapping_sub);
    fn i32x4_mul(a: u128, b: u128) -> u128 = zip::<i32, 4>(a, b, i32::wrapping_mul);
    fn i32x4_min_s(a: u128, b: u128) -> u128 = zip::<i32, 4>(a, b, i32::min);
    fn i32x4_min_u(a: u128, b: u128) -> u128 = zip::<u32, 4>(a, b, u32::min);
    fn i32x4_max_s(a: u128, b: u128) -> u128 = zip::<i32, 4>(a, b, i32::max);
    fn i32x4_max_u(a: u128, b: u128) -> u128 = zip::<u32, 4>(a, b, u32::max);
    /// Only `-0x8000 * -0x8000 * 2` overflows `i32`, and the spec wraps it.
    fn i32x4_dot_i16x8_s(a: u128, b: u128) -> u128 = pairwise::<i16, i32, 8, 4>(a, b, mul_wide);
    fn i32x4_extmul_low_i16x8_s(a: u128, b: u128) -> u128 = extmul::<i16, i32, 8, 4>(a, b, 0);
    fn i32x4_extmul_high_i16x8_s(a: u128, b: u128) -> u128 = extmul::<i16, i32, 8, 4>(a, b, 4);
    fn i32x4_extmul_low_i16x8_u(a: u128, b: u128) -> u128 = extmul::<u16, u32, 8, 4>(a, b, 0);
    fn i32x4_extmul_high_i16x8_u(a: u128, b: u128) -> u128 = extmul::<u16, u32, 8, 4>(a, b, 4);

    fn i64x2_abs(a: u128) -> u128 = map::<i64, 2>(a, i64::wrapping_abs);
    fn i64x2_neg(a: u128) -> u128 = map::<i64, 2>(a, i64::wrapping_neg);
    fn i64x2_all_true(a: u128) -> i32 = all_true::<u64, 2>(a);
    fn i64x2_bitmask(a: u128) -> i32 = bitmask::<i64, 2>(a);
    fn i64x2_extend_low_i32x4_s(a: u128) -> u128 = extend::<i32, i64, 4, 2>(a, 0);
    fn i64x2_extend_high_i32x4_s(a: u128) -> u128 = extend::<i32, i64, 4, 2>(a, 2);
    fn i64x2_extend_low_i32x4_u(a: u128) -> u128 = extend::<u32, u64, 4, 2>(a, 0);
    fn i64x2_extend_high_i32x4_u(a: u128) -> u128 = extend::<u32, u64, 4, 2>(a, 2);
    fn i64x2_shl(a: u128, s: i32) -> u128 = map::<i64, 2>(a, |x| x.wrapping_shl(s as u32));
    fn i64x2_shr_s(a: u128, s: i32) -> u128 = map::<i64, 2>(a, |x| x.wrapping_shr(s as u32));
    fn i64x2_shr_u(a: u128, s: i32) -> u128 = map::<u64, 2>(a, |x| x.wrapping_shr(s as u32));
    fn i64x2_add(a: u128, b: u128) -> u128 = zip::<i64, 2>(a, b, i64::wrapping_add);
    fn i64x2_sub(a: u128, b: u128) -> u128 = zip::<i64, 2>(a, b, i64::wrapping_sub);
    fn i64x2_mul(a: u128, b: u128) -> u128 = zip::<i64, 2>(a, b, i64::wrapping_mul);
    fn i64x2_extmul_low_i32x4_s(a: u128, b: u128) -> u128 = extmul::<i32, i64, 4, 2>(a, b, 0);
    fn i64x2_extmul_high_i32x4_s(a: u128, b: u128) -> u128 = extmul::<i32, i64, 4, 2>(a, b, 2);
    fn i64x2_extmul_low_i32x4_u(a: u128, b: u128) -> u128 = extmul::<u32, u64, 4, 2>(a, b, 0);
    fn i64x2_extmul_high_i32x4_u(a: u128, b: u128) -> u128 = extmul::<u32, u64, 4, 2>(a, b, 2);
}

/// `(a * b + 0x4000) >> 15`, saturated: only `-0x8000 * -0x8000` leaves the `i16` range.
#[inline(always)]
fn q15mulr_sat(a: i16, b: i16) -> i16 {
    ((i32::from(a) * i32::from(b) + 0x4000) >> 15).min(i16::MAX.into()) as i16
}

/// The exact product of two `i16` lanes, for `dot`.
#[inline(always)]
fn mul_wide(a: i16, b: i16) -> i32 {
    i32::from(a) * i32::from(b)
}

/// 1 if no lane is zero. Lanes are read unsigned only because the sign does not matter.
#[inline(always)]
fn all_true<T: Lane + PartialEq, const N: usize>(v: u128) -> i32 {
    lanes::<T, N>(v).iter().all(|&x| x != T::ZERO) as i32
}

/// Bit `i` of the result is the top (sign) bit of lane `i`.
#[inline(always)]
fn bitmask<T: Lane + PartialOrd, const N: usize>(v: u128) -> i32 {
    lanes::<T, N>(v).iter().enumerate().fold(0, |mask, (i, &x)| mask | i32::from(x < T::ZERO) << i)
}

/// The `M` lanes of `S` starting at lane `first`, each widened to `D`.
#[inline(always)]
fn widen<S: Lane + Into<D>, D: Lane, const N: usize, const M: usize>(v: u128, first: usize) -> [D; M] {
    let src = lanes::<S, N>(v);
    array::from_fn(|i| src[first + i].into())
}

/// `extend_low`/`extend_high`: `first` is 0 for the low half and `M` for the high half.
#[inline(always)]
fn extend<S: Lane + Into<D>, D: Lane, const N: usize, const M: usize>(v: u128, first: usize) -> u128 {
    from_lanes::<D, M>(widen::<S, D, N, M>(v, first))
}

/// `extmul_low`/`extmul_high`: widen the chosen halves, then multiply. The product of
/// two widened lanes always fits the wide lane (`-0x80 * -0x80` and `0xff * 0xff` do).
#[inline(always)]
fn extmul<S, D, const N: usize, const M: usize>(a: u128, b: u128, first: usize) -> u128
where
    S: Lane + Into<D>,
    D: Lane + Mul<Output = D>,
{
    let (a, b) = (widen::<S, D, N, M>(a, first), widen::<S, D, N, M>(b, first));
    from_lanes::<D, M>(array::from_fn(|i| a[i] * b[i]))
}

/// Combines lanes `2i` and `2i + 1` of `a` and of `b` into wide lane `i`:
/// `f(a[2i], b[2i]) + f(a[2i+1], b[2i+1])`, wrapping. `extadd_pairwise` passes `a` twice
/// and ignores `b`; `dot` multiplies.
#[inline(always)]
fn pairwise<S: Lane, D: Lane + WrappingAdd, const N: usize, const M: usize>(
    a: u128,
    b: u128,
    f: impl Fn(S, S) -> D,
) -> u128 {
    let (a, b) = (lanes::<S, N>(a), lanes::<S, N>(b));
    from_lanes::<D, M>(array::from_fn(|i| f(a[2 * i], b[2 * i]).wrapping_add(f(a[2 * i + 1], b[2 * i + 1]))))
}

/// `narrow`: the signed lanes of `a` then of `b`, each saturated to the narrow type
/// (signed or unsigned per `D`) before `cast` truncates it.
#[inline(always)]
fn narrow<S, D, const N: usize, const M: usize>(a: u128, b: u128, cast: impl Fn(S) -> D) -> u128
where
    S: Lane + Ord + Saturate<D>,
    D: Lane,
{
    let (a, b) = (lanes::<S, N>(a), lanes::<S, N>(b));
    let (lo, hi) = (S::min_of(), S::max_of());
    from_lanes::<D, M>(array::from_fn(|i| cast(if i < N { a[i] } else { b[i - N] }.clamp(lo, hi))))
}

/// The range of a narrow lane type `D`, as values of the wide type.
trait Saturate<D> {
    fn min_of() -> Self;
    fn max_of() -> Self;
}

macro_rules! saturate {
    ($($wide:ty => $narrow:ty),*) => {$(
        impl Saturate<$narrow> for $wide {
            #[inline(always)]
            fn min_of() -> Self {
                <$narrow>::MIN.into()
            }
            #[inline(always)]
            fn max_of() -> Self {
                <$narrow>::MAX.into()
            }
        }
    )*};
}
saturate!(i16 => i8, i16 => u8, i32 => i16, i32 => u16);

trait WrappingAdd {
    fn wrapping_add(self, other: Self) -> Self;
}

macro_rules! wrapping_add {
    ($($t:ty),*) => {$(
        impl WrappingAdd for $t {
            #[inline(always)]
            fn wrapping_add(self, other: Self) -> Self {
                <$t>::wrapping_add(self, other)
            }
        }
    )*};
}
wrapping_add!(i16, u16, i32, u32);

#[cfg(test)]
mod tests {
    use super::super::from_lanes;
    use super::*;

    fn i8s(v: [i8; 16]) -> u128 {
        from_lanes(v)
    }
    fn u8s(v: [u8; 16]) -> u128 {
        from_lanes(v)
    }
    fn i16s(v: [i16; 8]) -> u128 {
        from_lanes(v)
    }
    fn u16s(v: [u16; 8]) -> u128 {
        from_lanes(v)
    }
    fn i32s(v: [i32; 4]) -> u128 {
        from_lanes(v)
    }
    fn u32s(v: [u32; 4]) -> u128 {
        from_lanes(v)
    }
    fn i64s(v: [i64; 2]) -> u128 {
        from_lanes(v)
    }
    fn u64s(v: [u64; 2]) -> u128 {
        from_lanes(v)
    }

    #[test]
    fn comparisons_give_lane_masks() {
        let a = i8s([-1, 0, 1, -128, 127, 5, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let b = i8s([0, 0, 0, 127, -128, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        let lt_s = [-1, 0, 0, -1, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, -1];
        let lt_u = [0, 0, 0, 0, -1, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, -1];
        assert_eq!(i8x16_lt_s(a, b), i8s(lt_s));
        assert_eq!(i8x16_lt_u(a, b), i8s(lt_u));
        assert_eq!(i8x16_ge_s(a, b), !i8s(lt_s));
        assert_eq!(i8x16_eq(a, a), u128::MAX);
        assert_eq!(i8x16_ne(a, a), 0);
        assert_eq!(i16x8_gt_u(i16s([-1, 1, 0, 0, 0, 0, 0, 0]), 0), i16s([-1, -1, 0, 0, 0, 0, 0, 0]));
        assert_eq!(i16x8_gt_s(i16s([-1, 1, 0, 0, 0, 0, 0, 0]), 0), i16s([0, -1, 0, 0, 0, 0, 0, 0]));
        assert_eq!(i32x4_le_u(i32s([-1, 0, 1, 2]), i32s([0, 0, 0, 2])), i32s([0, -1, 0, -1]));
        assert_eq!(i32x4_le_s(i32s([-1, 0, 1, 2]), i32s([0, 0, 0, 2])), i32s([-1, -1, 0, -1]));
        assert_eq!(i64x2_lt_s(i64s([i64::MIN, 0]), i64s([i64::MAX, 0])), i64s([-1, 0]));
        assert_eq!(i64x2_ge_s(i64s([i64::MIN, 0]), i64s([i64::MAX, 0])), i64s([0, -1]));
        assert_eq!(i64x2_ne(i64s([1, 2]), i64s([1, 3])), i64s([0, -1]));
    }

    #[test]
    fn shifts_mask_the_count_by_lane_width() {
        let v = i8s([1, -128, -1, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(i8x16_shl(v, 8), v);
        assert_eq!(i8x16_shl(v, 9), i8s([2, 0, -2, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        assert_eq!(i8x16_shr_s(v, 7), i8s([0, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        assert_eq!(i8x16_shr_u(v, -1), i8s([0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        assert_eq!(i16x8_shl(i16s([1; 8]), 17), i16s([2; 8]));
        assert_eq!(i16x8_shr_s(i16s([-32768; 8]), 15), i16s([-1; 8]));
        assert_eq!(i16x8_shr_u(i16s([-32768; 8]), 31), i16s([1; 8]));
        assert_eq!(i32x4_shl(i32s([1, 2, 3, 4]), 32), i32s([1, 2, 3, 4]));
        assert_eq!(i32x4_shr_u(i32s([-1; 4]), 33), i32s([i32::MAX; 4]));
        assert_eq!(i32x4_shr_s(i32s([-4; 4]), 65), i32s([-2; 4]));
        assert_eq!(i64x2_shl(i64s([1, -1]), 64), i64s([1, -1]));
        assert_eq!(i64x2_shr_u(i64s([-1, 2]), 127), i64s([1, 0]));
        assert_eq!(i64x2_shr_s(i64s([i64::MIN, 2]), 63), i64s([-1, 0]));
    }

    #[test]
    fn saturating_arithmetic() {
        let a = i8s([127, -128, 100, -100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let b = i8s([1, -1, 100, -100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(i8x16_add_sat_s(a, b), i8s([127, -128, 127, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        assert_eq!(i8x16_add(a, b), i8s([-128, 127, -56, 56, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        assert_eq!(i8x16_sub_sat_s(a, i8x16_neg(b)), i8x16_add_sat_s(a, b));
        assert_eq!(i8x16_add_sat_u(u8s([250; 16]), u8s([10; 16])), u8s([255; 16]));
        assert_eq!(i8x16_sub_sat_u(u8s([5; 16]), u8s([10; 16])), 0);
        assert_eq!(i16x8_add_sat_s(i16s([32767; 8]), i16s([1; 8])), i16s([32767; 8]));
        assert_eq!(i16x8_sub_sat_s(i16s([-32768; 8]), i16s([1; 8])), i16s([-32768; 8]));
        assert_eq!(i16x8_add_sat_u(u16s([65535; 8]), u16s([1; 8])), u16s([65535; 8]));
        assert_eq!(i16x8_sub_sat_u(u16s([0; 8]), u16s([1; 8])), 0);
    }

    #[test]
    fn abs_neg_min_max_avgr_popcnt() {
        assert_eq!(i8x16_abs(i8s([-128; 16])), i8s([-128; 16]));
        assert_eq!(i8x16_neg(i8s([-128; 16])), i8s([-128; 16]));
        assert_eq!(i16x8_abs(i16s([-5; 8])), i16s([5; 8]));
        assert_eq!(i32x4_abs(i32s([i32::MIN, -1, 0, 1])), i32s([i32::MIN, 1, 0, 1]));
        assert_eq!(i64x2_abs(i64s([i64::MIN, -7])), i64s([i64::MIN, 7]));
        assert_eq!(i64x2_neg(i64s([i64::MIN, -7])), i64s([i64::MIN, 7]));
        assert_eq!(i8x16_min_s(i8s([-1; 16]), i8s([1; 16])), i8s([-1; 16]));
        assert_eq!(i8x16_min_u(i8s([-1; 16]), i8s([1; 16])), i8s([1; 16]));
        assert_eq!(i16x8_max_u(i16s([-1; 8]), i16s([1; 8])), i16s([-1; 8]));
        assert_eq!(i32x4_max_s(i32s([-1; 4]), i32s([1; 4])), i32s([1; 4]));
        assert_eq!(i32x4_min_u(i32s([-1; 4]), i32s([1; 4])), i32s([1; 4]));
        assert_eq!(i8x16_avgr_u(u8s([255; 16]), u8s([254; 16])), u8s([255; 16]));
        assert_eq!(i8x16_avgr_u(u8s([0; 16]), u8s([1; 16])), u8s([1; 16]));
        assert_eq!(i8x16_avgr_u(u8s([0; 16]), u8s([255; 16])), u8s([128; 16]));
        assert_eq!(i16x8_avgr_u(u16s([65535; 8]), u16s([65535; 8])), u16s([65535; 8]));
        assert_eq!(i16x8_avgr_u(u16s([2; 8]), u16s([5; 8])), u16s([4; 8]));
        let p = u8s([0, 1, 3, 7, 0xff, 0x80, 0x55, 0xaa, 0, 0, 0, 0, 0, 0, 0, 0xfe]);
        assert_eq!(i8x16_popcnt(p), u8s([0, 1, 2, 3, 8, 1, 4, 4, 0, 0, 0, 0, 0, 0, 0, 7]));
    }

    #[test]
    fn wrapping_multiplication() {
        assert_eq!(i16x8_mul(i16s([-32768; 8]), i16s([-1; 8])), i16s([-32768; 8]));
        assert_eq!(i32x4_mul(i32s([0x10000; 4]), i32s([0x10000; 4])), 0);
        assert_eq!(i64x2_mul(i64s([i64::MAX, 3]), i64s([2, -3])), i64s([-2, -9]));
    }

    #[test]
    fn all_true_and_bitmask() {
        assert_eq!(i8x16_all_true(u8s([1; 16])), 1);
        assert_eq!(i8x16_all_true(u8s([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0])), 0);
        assert_eq!(i16x8_all_true(0x0001_0100_0100_0100_0100_0100_0100_0100), 1);
        assert_eq!(i16x8_all_true(0x0000_0100_0100_0100_0100_0100_0100_0100), 0);
        assert_eq!(i32x4_all_true(i32s([1, -1, 1 << 31, 256])), 1);
        assert_eq!(i64x2_all_true(i64s([1 << 40, 0])), 0);
        assert_eq!(i8x16_bitmask(i8s([-1, 0, -128, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1])), 0x8005);
        assert_eq!(i8x16_bitmask(u128::MAX), 0xffff);
        assert_eq!(i16x8_bitmask(i16s([0, -1, 0, 0, 0, 0, 0, -32768])), 0x82);
        assert_eq!(i32x4_bitmask(i32s([i32::MIN, 0, -1, i32::MAX])), 0b0101);
        assert_eq!(i64x2_bitmask(i64s([1, -1])), 0b10);
    }

    #[test]
    fn narrow_saturates() {
        let a = i16s([0, 127, 128, -128, -129, 32767, -32768, 255]);
        let b = i16s([256, -1, 1, 2, 3, 4, 5, 6]);
        assert_eq!(
            i8x16_narrow_i16x8_s(a, b),
            i8s([0, 127, 127, -128, -128, 127, -128, 127, 127, -1, 1, 2, 3, 4, 5, 6])
        );
        assert_eq!(
            i8x16_narrow_i16x8_u(a, b),
            u8s([0, 127, 128, 0, 0, 255, 0, 255, 255, 0, 1, 2, 3, 4, 5, 6])
        );
        let a = i32s([32768, -32769, 65535, -1]);
        let b = i32s([0, 1, i32::MAX, i32::MIN]);
        assert_eq!(i16x8_narrow_i32x4_s(a, b), i16s([32767, -32768, 32767, -1, 0, 1, 32767, -32768]));
        assert_eq!(i16x8_narrow_i32x4_u(a, b), u16s([32768, 0, 65535, 0, 0, 1, 65535, 0]));
    }

    #[test]
    fn extend_takes_the_right_half() {
        let v = i8s([-1, 1, -2, 2, -3, 3, -4, 4, -128, 127, 0, 0, 0, 0, 0, -5]);
        assert_eq!(i16x8_extend_low_i8x16_s(v), i16s([-1, 1, -2, 2, -3, 3, -4, 4]));
        assert_eq!(i16x8_extend_high_i8x16_s(v), i16s([-128, 127, 0, 0, 0, 0, 0, -5]));
        assert_eq!(i16x8_extend_low_i8x16_u(v), i16s([255, 1, 254, 2, 253, 3, 252, 4]));
        assert_eq!(i16x8_extend_high_i8x16_u(v), i16s([128, 127, 0, 0, 0, 0, 0, 251]));
        let v = i16s([-1, 2, -3, 4, i16::MIN, 6, 7, -8]);
        assert_eq!(i32x4_extend_low_i16x8_s(v), i32s([-1, 2, -3, 4]));
        assert_eq!(i32x4_extend_high_i16x8_u(v), i32s([32768, 6, 7, 65528]));
        let v = i32s([-1, 2, i32::MIN, 4]);
        assert_eq!(i64x2_extend_low_i32x4_u(v), i64s([0xffff_ffff, 2]));
        assert_eq!(i64x2_extend_high_i32x4_s(v), i64s([i32::MIN.into(), 4]));
    }

    #[test]
    fn extmul() {
        let a = i8s([-128, 127, -1, 2, 0, 0, 0, 0, -128, 255u8 as i8, 0, 0, 0, 0, 0, 3]);
        assert_eq!(i16x8_extmul_low_i8x16_s(a, a), i16s([16384, 16129, 1, 4, 0, 0, 0, 0]));
        assert_eq!(i16x8_extmul_high_i8x16_s(a, a), i16s([16384, 1, 0, 0, 0, 0, 0, 9]));
        assert_eq!(i16x8_extmul_high_i8x16_u(a, a), u16s([16384, 65025, 0, 0, 0, 0, 0, 9]));
        assert_eq!(i16x8_extmul_low_i8x16_u(a, a), u16s([16384, 16129, 65025, 4, 0, 0, 0, 0]));
        let a = i16s([-32768, -1, 3, 4, 5, 6, -1, 8]);
        assert_eq!(i32x4_extmul_low_i16x8_s(a, a), i32s([1 << 30, 1, 9, 16]));
        assert_eq!(i32x4_extmul_low_i16x8_u(a, a), u32s([1 << 30, 65535 * 65535, 9, 16]));
        assert_eq!(i32x4_extmul_high_i16x8_s(a, i16s([1; 8])), i32s([5, 6, -1, 8]));
        assert_eq!(i32x4_extmul_high_i16x8_u(a, i16s([1; 8])), i32s([5, 6, 65535, 8]));
        let a = i32s([-1, i32::MIN, 3, -4]);
        assert_eq!(i64x2_extmul_low_i32x4_s(a, a), i64s([1, 1 << 62]));
        assert_eq!(i64x2_extmul_low_i32x4_u(a, a), u64s([0xffff_fffe_0000_0001, 1 << 62]));
        assert_eq!(i64x2_extmul_high_i32x4_s(a, a), i64s([9, 16]));
        assert_eq!(i64x2_extmul_high_i32x4_u(a, a), u64s([9, 0xffff_fff8_0000_0010]));
    }

    #[test]
    fn pairwise_and_dot() {
        let v = i8s([-128, -128, 127, 127, -1, 1, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(i16x8_extadd_pairwise_i8x16_s(v), i16s([-256, 254, 0, -1, 0, 0, 0, 0]));
        assert_eq!(i16x8_extadd_pairwise_i8x16_u(v), u16s([256, 254, 256, 255, 0, 0, 0, 0]));
        let v = i16s([-32768, -32768, 32767, 32767, -1, 0, 0, 0]);
        assert_eq!(i32x4_extadd_pairwise_i16x8_s(v), i32s([-65536, 65534, -1, 0]));
        assert_eq!(i32x4_extadd_pairwise_i16x8_u(v), u32s([65536, 65534, 65535, 0]));
        let a = i16s([-32768, -32768, 1, 2, 3, 4, -5, 6]);
        let b = i16s([-32768, -32768, 7, 8, -9, 10, 11, 12]);
        assert_eq!(i32x4_dot_i16x8_s(a, b), i32s([i32::MIN, 23, 13, 17]));
    }

    #[test]
    fn q15mulr() {
        let a = i16s([-32768, -32768, 16384, 32767, -1, 1, 0, 0x4000]);
        let b = i16s([-32768, 32767, 16384, 32767, 1, 1, 5, 1]);
        assert_eq!(i16x8_q15mulr_sat_s(a, b), i16s([32767, -32767, 8192, 32766, 0, 0, 0, 1]));
    }
}
