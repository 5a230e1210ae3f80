//! Float lane instructions: comparisons, arithmetic, rounding, `min`/`max` and the
//! pseudo-min/max `pmin`/`pmax`.
//!
//! Each lane behaves exactly as the scalar instruction of the same name, so most of them
//! reuse the scalar functions. `abs` and `neg` flip sign bits of the whole vector at once,
//! which keeps NaN payloads as the spec requires.

use super::{compare, map, zip};
use crate::num::{
    f32_ceil, f32_floor, f32_max, f32_min, f32_nearest, f32_trunc, f64_ceil, f64_floor, f64_max, f64_min,
    f64_nearest, f64_trunc,
};

const F32_SIGNS: u128 = 0x8000_0000_8000_0000_8000_0000_8000_0000;
const F64_SIGNS: u128 = 0x8000_0000_0000_0000_8000_0000_0000_0000;

ops! {
    fn f32x4_eq(a: u128, b: u128) -> u128 = compare::<f32, 4>(a, b, |x, y| x == y);
    fn f32x4_ne(a: u128, b: u128) -> u128 = compare::<f32, 4>(a, b, |x, y| x != y);
    fn f32x4_lt(a: u128, b: u128) -> u128 = compare::<f32, 4>(a, b, |x, y| x < y);
    fn f32x4_gt(a: u128, b: u128) -> u128 = compare::<f32, 4>(a, b, |x, y| x > y);
    fn f32x4_le(a: u128, b: u128) -> u128 = compare::<f32, 4>(a, b, |x, y| x <= y);
    fn f32x4_ge(a: u128, b: u128) -> u128 = compare::<f32, 4>(a, b, |x, y| x >= y);

    fn f64x2_eq(a: u128, b: u128) -> u128 = compare::<f64, 2>(a, b, |x, y| x == y);
    fn f64x2_ne(a: u128, b: u128) -> u128 = compare::<f64, 2>(a, b, |x, y| x != y);
    fn f64x2_lt(a: u128, b: u128) -> u128 = compare::<f64, 2>(a, b, |x, y| x < y);
    fn f64x2_gt(a: u128, b: u128) -> u128 = compare::<f64, 2>(a, b, |x, y| x > y);
    fn f64x2_le(a: u128, b: u128) -> u128 = compare::<f64, 2>(a, b, |x, y| x <= y);
    fn f64x2_ge(a: u128, b: u128) -> u128 = compare::<f64, 2>(a, b, |x, y| x >= y);

    fn f32x4_ceil(a: u128) -> u128 = map::<f32, 4>(a, f32_ceil);
    fn f32x4_floor(a: u128) -> u128 = map::<f32, 4>(a, f32_floor);
    fn f32x4_trunc(a: u128) -> u128 = map::<f32, 4>(a, f32_trunc);
    fn f32x4_nearest(a: u128) -> u128 = map::<f32, 4>(a, f32_nearest);
    fn f32x4_abs(a: u128) -> u128 = a & !F32_SIGNS;
    fn f32x4_neg(a: u128) -> u128 = a ^ F32_SIGNS;
    fn f32x4_sqrt(a: u128) -> u128 = map::<f32, 4>(a, f32::sqrt);
    fn f32x4_add(a: u128, b: u128) -> u128 = zip::<f32, 4>(a, b, |x, y| x + y);
    fn f32x4_sub(a: u128, b: u128) -> u128 = zip::<f32, 4>(a, b, |x, y| x - y);
    fn f32x4_mul(a: u128, b: u128) -> u128 = zip::<f32, 4>(a, b, |x, y| x * y);
    fn f32x4_div(a: u128, b: u128) -> u128 = zip::<f32, 4>(a, b, |x, y| x / y);
    fn f32x4_min(a: u128, b: u128) -> u128 = zip::<f32, 4>(a, b, f32_min);
    fn f32x4_max(a: u128, b: u128) -> u128 = zip::<f32, 4>(a, b, f32_max);
    /// `b < a ? b : a`: no NaN or zero-sign special cases, unlike `min`.
    fn f32x4_pmin(a: u128, b: u128) -> u128 = zip::<f32, 4>(a, b, |x, y| if y < x { y } else { x });
    /// `a < b ? b : a`.
    fn f32x4_pmax(a: u128, b: u128) -> u128 = zip::<f32, 4>(a, b, |x, y| if x < y { y } else { x });

    fn f64x2_ceil(a: u128) -> u128 = map::<f64, 2>(a, f64_ceil);
    fn f64x2_floor(a: u128) -> u128 = map::<f64, 2>(a, f64_floor);
    fn f64x2_trunc(a: u128) -> u128 = map::<f64, 2>(a, f64_trunc);
    fn f64x2_nearest(a: u128) -> u128 = map::<f64, 2>(a, f64_nearest);
    fn f64x2_abs(a: u128) -> u128 = a & !F64_SIGNS;
    fn f64x2_neg(a: u128) -> u128 = a ^ F64_SIGNS;
    fn f64x2_sqrt(a: u128) -> u128 = map::<f64, 2>(a, f64::sqrt);
    fn f64x2_add(a: u128, b: u128) -> u128 = zip::<f64, 2>(a, b, |x, y| x + y);
    fn f64x2_sub(a: u128, b: u128) -> u128 = zip::<f64, 2>(a, b, |x, y| x - y);
    fn f64x2_mul(a: u128, b: u128) -> u128 = zip::<f64, 2>(a, b, |x, y| x * y);
    fn f64x2_div(a: u128, b: u128) -> u128 = zip::<f64, 2>(a, b, |x, y| x / y);
    fn f64x2_min(a: u128, b: u128) -> u128 = zip::<f64, 2>(a, b, f64_min);
    fn f64x2_max(a: u128, b: u128) -> u128 = zip::<f64, 2>(a, b, f64_max);
    fn f64x2_pmin(a: u128, b: u128) -> u128 = zip::<f64, 2>(a, b, |x, y| if y < x { y } else { x });
    fn f64x2_pmax(a: u128, b: u128) -> u128 = zip::<f64, 2>(a, b, |x, y| if x < y { y } else { x });
}

#[cfg(test)]
mod tests {
    use super::super::{from_lanes, lanes};
    use super::*;

    fn f32s(v: [f32; 4]) -> u128 {
        from_lanes(v)
    }
    fn f64s(v: [f64; 2]) -> u128 {
        from_lanes(v)
    }
    fn bits32(v: u128) -> [u32; 4] {
        lanes(v)
    }
    fn bits64(v: u128) -> [u64; 2] {
        lanes(v)
    }

    const NAN32: u32 = 0x7fc0_0000;
    const SNAN32: u32 = 0x7fa0_0001;
    const NAN64: u64 = 0x7ff8_0000_0000_0000;

    #[test]
    fn comparisons_give_lane_masks() {
        let a = f32s([f32::NAN, 0.0, -0.0, 1.0]);
        let b = f32s([f32::NAN, -0.0, 1.0, 0.5]);
        assert_eq!(bits32(f32x4_eq(a, b)), [0, !0, 0, 0]);
        assert_eq!(bits32(f32x4_ne(a, b)), [!0, 0, !0, !0]);
        assert_eq!(bits32(f32x4_lt(a, b)), [0, 0, !0, 0]);
        assert_eq!(bits32(f32x4_ge(a, b)), [0, !0, 0, !0]);
        assert_eq!(bits64(f64x2_le(f64s([f64::NAN, -1.0]), f64s([0.0, -1.0]))), [0, !0]);
        assert_eq!(bits64(f64x2_gt(f64s([f64::INFINITY, -1.0]), f64s([0.0, -1.0]))), [!0, 0]);
        assert_eq!(bits64(f64x2_ne(f64s([f64::NAN, 0.0]), f64s([f64::NAN, -0.0]))), [!0, 0]);
    }

    #[test]
    fn min_max_propagate_nan_and_order_zeros() {
        let a = f32s([f32::from_bits(NAN32), 0.0, -0.0, 1.0]);
        let b = f32s([1.0, -0.0, 0.0, f32::from_bits(NAN32)]);
        let neg_zero = (-0.0f32).to_bits();
        assert_eq!(bits32(f32x4_min(a, b)), [NAN32, neg_zero, neg_zero, NAN32]);
        assert_eq!(bits32(f32x4_max(a, b)), [NAN32, 0, 0, NAN32]);
        let a = f64s([f64::from_bits(NAN64), -0.0]);
        let b = f64s([f64::NEG_INFINITY, 0.0]);
        assert_eq!(bits64(f64x2_min(a, b)), [NAN64, (-0.0f64).to_bits()]);
        assert_eq!(bits64(f64x2_max(a, b)), [NAN64, 0]);
    }

    #[test]
    fn pmin_pmax_have_no_special_cases() {
        let a = f32s([f32::from_bits(SNAN32), 0.0, -0.0, 1.0]);
        let b = f32s([1.0, -0.0, 0.0, f32::from_bits(SNAN32)]);
        // Comparisons with NaN fail, so the first operand is returned unchanged.
        assert_eq!(bits32(f32x4_pmin(a, b)), [SNAN32, 0, (-0.0f32).to_bits(), 1.0f32.to_bits()]);
        assert_eq!(bits32(f32x4_pmax(a, b)), [SNAN32, 0, (-0.0f32).to_bits(), 1.0f32.to_bits()]);
        let (a, b) = (f64s([1.0, 2.0]), f64s([2.0, 1.0]));
        assert_eq!(f64x2_pmin(a, b), f64s([1.0, 1.0]));
        assert_eq!(f64x2_pmax(a, b), f64s([2.0, 2.0]));
        assert_eq!(f64x2_pmin(f64s([f64::NAN, 0.0]), f64s([0.0, f64::NAN])), f64s([f64::NAN, 0.0]));
    }

    #[test]
    fn abs_neg_touch_only_sign_bits() {
        let v = f32s([f32::from_bits(SNAN32), -0.0, -1.0, f32::from_bits(SNAN32 | 1 << 31)]);
        assert_eq!(bits32(f32x4_abs(v)), [SNAN32, 0, 1.0f32.to_bits(), SNAN32]);
        assert_eq!(bits32(f32x4_neg(v)), [SNAN32 | 1 << 31, 0, 1.0f32.to_bits(), SNAN32]);
        let v = f64s([-0.0, f64::from_bits(NAN64)]);
        assert_eq!(bits64(f64x2_abs(v)), [0, NAN64]);
        assert_eq!(bits64(f64x2_neg(v)), [0, NAN64 | 1 << 63]);
    }

    #[test]
    fn rounding_and_arithmetic() {
        let v = f32s([-0.5, 2.5, -3.7, 1.5]);
        assert_eq!(bits32(f32x4_nearest(v)), bits32(f32s([-0.0, 2.0, -4.0, 2.0])));
        assert_eq!(bits32(f32x4_ceil(v)), bits32(f32s([-0.0, 3.0, -3.0, 2.0])));
        assert_eq!(bits32(f32x4_floor(v)), bits32(f32s([-1.0, 2.0, -4.0, 1.0])));
        assert_eq!(bits32(f32x4_trunc(v)), bits32(f32s([-0.0, 2.0, -3.0, 1.0])));
        let v = f64s([0.5, -2.5]);
        assert_eq!(f64x2_nearest(v), f64s([0.0, -2.0]));
        assert_eq!(f64x2_ceil(v), f64s([1.0, -2.0]));
        assert_eq!(f64x2_floor(v), f64s([0.0, -3.0]));
        assert_eq!(f64x2_trunc(v), f64s([0.0, -2.0]));
        assert_eq!(f64x2_sqrt(f64s([4.0, 2.25])), f64s([2.0, 1.5]));
        assert_eq!(f32x4_sqrt(f32s([4.0, 2.25, 0.0, 1.0])), f32s([2.0, 1.5, 0.0, 1.0]));
        let (a, b) = (f32s([1.0, 2.0, 3.0, 4.0]), f32s([4.0, 3.0, 2.0, 1.0]));
        assert_eq!(f32x4_add(a, b), f32s([5.0; 4]));
        assert_eq!(f32x4_sub(a, b), f32s([-3.0, -1.0, 1.0, 3.0]));
        assert_eq!(f32x4_mul(a, b), f32s([4.0, 6.0, 6.0, 4.0]));
        assert_eq!(f32x4_div(a, b), f32s([0.25, 2.0 / 3.0, 1.5, 4.0]));
        let (a, b) = (f64s([1.0, 2.0]), f64s([4.0, 3.0]));
        assert_eq!(f64x2_add(a, b), f64s([5.0, 5.0]));
        assert_eq!(f64x2_sub(a, b), f64s([-3.0, -1.0]));
        assert_eq!(f64x2_mul(a, b), f64s([4.0, 6.0]));
        assert_eq!(f64x2_div(a, b), f64s([0.25, 2.0 / 3.0]));
        assert!(lanes::<f32, 4>(f32x4_div(f32s([0.0; 4]), 0)).iter().all(|x| x.is_nan()));
    }
}
