//! Lane conversions between integers and floats and between float widths.
//!
//! Like their scalar counterparts these are Rust `as` casts: saturating with NaN to 0 for
//! float-to-int (`trunc_sat`), round-to-nearest-even otherwise. The `_zero` forms fill
//! the upper half of the result with zeros; the `_low` forms read the lower half.

use std::array;

use super::{Lane, from_lanes, lanes};

ops! {
    fn i32x4_trunc_sat_f32x4_s(a: u128) -> u128 = from_lanes(lanes::<f32, 4>(a).map(|x| x as i32));
    fn i32x4_trunc_sat_f32x4_u(a: u128) -> u128 = from_lanes(lanes::<f32, 4>(a).map(|x| x as u32));
    fn f32x4_convert_i32x4_s(a: u128) -> u128 = from_lanes(lanes::<i32, 4>(a).map(|x| x as f32));
    fn f32x4_convert_i32x4_u(a: u128) -> u128 = from_lanes(lanes::<u32, 4>(a).map(|x| x as f32));
    fn i32x4_trunc_sat_f64x2_s_zero(a: u128) -> u128 = halve::<f64, i32>(a, |x| x as i32);
    fn i32x4_trunc_sat_f64x2_u_zero(a: u128) -> u128 = halve::<f64, u32>(a, |x| x as u32);
    fn f32x4_demote_f64x2_zero(a: u128) -> u128 = halve::<f64, f32>(a, |x| x as f32);
    fn f64x2_convert_low_i32x4_s(a: u128) -> u128 = double::<i32, f64>(a, f64::from);
    fn f64x2_convert_low_i32x4_u(a: u128) -> u128 = double::<u32, f64>(a, f64::from);
    fn f64x2_promote_low_f32x4(a: u128) -> u128 = double::<f32, f64>(a, f64::from);
}

/// Converts the two 64-bit lanes of `v` to 32-bit lanes 0 and 1; lanes 2 and 3 are zero.
#[inline(always)]
fn halve<S: Lane, D: Lane>(v: u128, f: impl Fn(S) -> D) -> u128 {
    let src = lanes::<S, 2>(v);
    from_lanes::<D, 4>(array::from_fn(|i| if i < 2 { f(src[i]) } else { D::ZERO }))
}

/// Converts 32-bit lanes 0 and 1 of `v` to the two 64-bit lanes of the result.
#[inline(always)]
fn double<S: Lane, D: Lane>(v: u128, f: impl Fn(S) -> D) -> u128 {
    let src = lanes::<S, 4>(v);
    from_lanes::<D, 2>([f(src[0]), f(src[1])])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f32s(v: [f32; 4]) -> u128 {
        from_lanes(v)
    }
    fn f64s(v: [f64; 2]) -> u128 {
        from_lanes(v)
    }
    fn i32s(v: [i32; 4]) -> u128 {
        from_lanes(v)
    }

    #[test]
    fn trunc_sat_f32x4() {
        let v = f32s([f32::NAN, 3e9, -3e9, -1.9]);
        assert_eq!(i32x4_trunc_sat_f32x4_s(v), i32s([0, i32::MAX, i32::MIN, -1]));
        assert_eq!(i32x4_trunc_sat_f32x4_u(v), i32s([0, -1294967296, 0, 0]));
        let v = f32s([5e9, 4294967040.0, 1.9, -f32::NAN]);
        assert_eq!(i32x4_trunc_sat_f32x4_u(v), i32s([-1, -256, 1, 0]));
    }

    #[test]
    fn trunc_sat_f64x2_zeroes_the_upper_lanes() {
        assert_eq!(
            i32x4_trunc_sat_f64x2_s_zero(f64s([-2147483648.9, 2147483648.0])),
            i32s([i32::MIN, i32::MAX, 0, 0])
        );
        assert_eq!(i32x4_trunc_sat_f64x2_s_zero(f64s([f64::NAN, -1.5])), i32s([0, -1, 0, 0]));
        assert_eq!(i32x4_trunc_sat_f64x2_u_zero(f64s([4294967295.9, -1.0])), i32s([-1, 0, 0, 0]));
        assert_eq!(i32x4_trunc_sat_f64x2_u_zero(f64s([1e10, f64::NAN])), i32s([-1, 0, 0, 0]));
    }

    #[test]
    fn int_to_float() {
        assert_eq!(
            f32x4_convert_i32x4_s(i32s([-1, 16777217, i32::MIN, 0])),
            f32s([-1.0, 16777216.0, -2147483648.0, 0.0])
        );
        assert_eq!(
            f32x4_convert_i32x4_u(i32s([-1, 16777219, i32::MIN, 1])),
            f32s([4294967296.0, 16777220.0, 2147483648.0, 1.0])
        );
        assert_eq!(f64x2_convert_low_i32x4_s(i32s([-1, i32::MIN, 5, 6])), f64s([-1.0, -2147483648.0]));
        assert_eq!(f64x2_convert_low_i32x4_u(i32s([-1, i32::MIN, 5, 6])), f64s([4294967295.0, 2147483648.0]));
    }

    #[test]
    fn demote_and_promote() {
        let demoted = lanes::<f32, 4>(f32x4_demote_f64x2_zero(f64s([f64::NAN, 1e300])));
        assert!(demoted[0].is_nan());
        assert_eq!(
            demoted[1..].iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            [f32::INFINITY.to_bits(), 0, 0]
        );
        let promoted = lanes::<f64, 2>(f64x2_promote_low_f32x4(f32s([f32::NAN, -0.0, 7.0, 8.0])));
        assert!(promoted[0].is_nan());
        assert_eq!(promoted[1].to_bits(), (-0.0f64).to_bits());
    }
}
