//! Scalar floating-point instructions: `f32`/`f64` comparisons and arithmetic.
//!
//! Rust's float operations are IEEE 754 with round-to-nearest, as Wasm requires; when
//! they produce a NaN it is the hardware's canonical NaN or a quieted input NaN, which
//! are the NaNs the spec allows. `abs`, `neg` and `copysign` only touch the sign bit, so
//! they keep NaN payloads, as the spec demands. `min`/`max` are written out because
//! Rust's `min`/`max` ignore NaNs and may return either zero for `min(-0, +0)`.

ops! {
    fn f32_eq(a: f32, b: f32) -> i32 = (a == b) as i32;
    fn f32_ne(a: f32, b: f32) -> i32 = (a != b) as i32;
    fn f32_lt(a: f32, b: f32) -> i32 = (a < b) as i32;
    fn f32_gt(a: f32, b: f32) -> i32 = (a > b) as i32;
    fn f32_le(a: f32, b: f32) -> i32 = (a <= b) as i32;
    fn f32_ge(a: f32, b: f32) -> i32 = (a >= b) as i32;

    fn f64_eq(a: f64, b: f64) -> i32 = (a == b) as i32;
    fn f64_ne(a: f64, b: f64) -> i32 = (a != b) as i32;
    fn f64_lt(a: f64, b: f64) -> i32 = (a < b) as i32;
    fn f64_gt(a: f64, b: f64) -> i32 = (a > b) as i32;
    fn f64_le(a: f64, b: f64) -> i32 = (a <= b) as i32;
    fn f64_ge(a: f64, b: f64) -> i32 = (a >= b) as i32;

    fn f32_abs(a: f32) -> f32 = a.abs();
    fn f32_neg(a: f32) -> f32 = -a;
    fn f32_sqrt(a: f32) -> f32 = a.sqrt();
    fn f32_add(a: f32, b: f32) -> f32 = a + b;
    fn f32_sub(a: f32, b: f32) -> f32 = a - b;
    fn f32_mul(a: f32, b: f32) -> f32 = a * b;
    fn f32_div(a: f32, b: f32) -> f32 = a / b;
    fn f32_copysign(a: f32, b: f32) -> f32 = a.copysign(b);

    fn f64_abs(a: f64) -> f64 = a.abs();
    fn f64_neg(a: f64) -> f64 = -a;
    fn f64_sqrt(a: f64) -> f64 = a.sqrt();
    fn f64_add(a: f64, b: f64) -> f64 = a + b;
    fn f64_sub(a: f64, b: f64) -> f64 = a - b;
    fn f64_mul(a: f64, b: f64) -> f64 = a * b;
    fn f64_div(a: f64, b: f64) -> f64 = a / b;
    fn f64_copysign(a: f64, b: f64) -> f64 = a.copysign(b);
}

/// Wasm `min`/`max`: a NaN operand gives a NaN (`a + b` returns the quieted input NaN,
/// which keeps a canonical NaN canonical), and `-0` orders below `+0`. Equal operands
/// differ at most in the sign of a zero, so OR-ing the bits picks `-0` for `min` and
/// AND-ing picks `+0` for `max`.
macro_rules! min_max {
    ($t:ty: $min:ident, $max:ident) => {
        #[inline]
        pub fn $min(a: $t, b: $t) -> $t {
            if a < b {
                a
            } else if b < a {
                b
            } else if a == b {
                <$t>::from_bits(a.to_bits() | b.to_bits())
            } else {
                a + b
            }
        }

        #[inline]
        pub fn $max(a: $t, b: $t) -> $t {
            if a > b {
                a
            } else if b > a {
                b
            } else if a == b {
                <$t>::from_bits(a.to_bits() & b.to_bits())
            } else {
                a + b
            }
        }
    };
}

/// Rounding to an integral value. These may be libm calls that hand a NaN operand back
/// unchanged, signalling or not, while Wasm wants an arithmetic (quiet) NaN, so NaNs are
/// quieted by adding them to themselves.
macro_rules! round {
    ($($t:ty: $name:ident = $method:ident;)*) => {$(
        #[inline]
        pub fn $name(a: $t) -> $t {
            if a.is_nan() { a + a } else { a.$method() }
        }
    )*};
}

round! {
    f32: f32_ceil = ceil;
    f32: f32_floor = floor;
    f32: f32_trunc = trunc;
    f32: f32_nearest = round_ties_even;
    f64: f64_ceil = ceil;
    f64: f64_floor = floor;
    f64: f64_trunc = trunc;
    f64: f64_nearest = round_ties_even;
}

min_max!(f32: f32_min, f32_max);
min_max!(f64: f64_min, f64_max);

#[cfg(test)]
mod tests {
    use super::*;

    /// A signalling NaN with a payload, to check that sign-bit operations keep it.
    const SNAN32: u32 = 0x7fa0_0001;
    const SNAN64: u64 = 0x7ff4_0000_0000_0001;

    fn is_arithmetic_nan32(x: f32) -> bool {
        x.is_nan() && x.to_bits() & 0x0040_0000 != 0
    }

    fn is_arithmetic_nan64(x: f64) -> bool {
        x.is_nan() && x.to_bits() & 0x0008_0000_0000_0000 != 0
    }

    #[test]
    fn min_max_order_zeros() {
        assert_eq!(f32_min(0.0, -0.0).to_bits(), (-0.0f32).to_bits());
        assert_eq!(f32_min(-0.0, 0.0).to_bits(), (-0.0f32).to_bits());
        assert_eq!(f32_max(-0.0, 0.0).to_bits(), 0.0f32.to_bits());
        assert_eq!(f32_max(0.0, -0.0).to_bits(), 0.0f32.to_bits());
        assert_eq!(f64_min(0.0, -0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(f64_max(-0.0, 0.0).to_bits(), 0.0f64.to_bits());
        assert_eq!(f64_max(-0.0, -0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(f32_min(1.0, 2.0), 1.0);
        assert_eq!(f32_max(1.0, 2.0), 2.0);
        assert_eq!(f64_min(f64::NEG_INFINITY, 0.0), f64::NEG_INFINITY);
        assert_eq!(f64_max(f64::NEG_INFINITY, f64::INFINITY), f64::INFINITY);
    }

    #[test]
    fn min_max_propagate_nan() {
        let canonical = f32::from_bits(0x7fc0_0000);
        assert_eq!(f32_min(canonical, 1.0).to_bits(), 0x7fc0_0000);
        assert_eq!(f32_max(1.0, canonical).to_bits(), 0x7fc0_0000);
        assert!(is_arithmetic_nan32(f32_min(f32::from_bits(SNAN32), 0.0)));
        assert!(is_arithmetic_nan32(f32_max(f32::NEG_INFINITY, f32::from_bits(SNAN32))));
        assert!(is_arithmetic_nan64(f64_min(0.0, f64::from_bits(SNAN64))));
        assert!(is_arithmetic_nan64(f64_max(f64::NAN, f64::INFINITY)));
    }

    #[test]
    fn nearest_rounds_ties_to_even() {
        assert_eq!(f32_nearest(0.5), 0.0);
        assert_eq!(f32_nearest(1.5), 2.0);
        assert_eq!(f32_nearest(2.5), 2.0);
        assert_eq!(f32_nearest(-0.5).to_bits(), (-0.0f32).to_bits());
        assert_eq!(f32_nearest(-3.5), -4.0);
        assert_eq!(f64_nearest(4.5), 4.0);
        assert_eq!(f64_nearest(-4.5), -4.0);
        assert_eq!(f64_nearest(4503599627370497.0), 4503599627370497.0);
        assert_eq!(f32_nearest(8388609.0), 8388609.0);
    }

    #[test]
    fn rounding_quiets_nans() {
        for round in [f32_ceil, f32_floor, f32_trunc, f32_nearest] {
            assert!(is_arithmetic_nan32(round(f32::from_bits(SNAN32))));
            assert!(is_arithmetic_nan32(round(f32::from_bits(SNAN32 | 1 << 31))));
            assert_eq!(round(f32::from_bits(0xffc0_0000)).to_bits(), 0xffc0_0000);
        }
        for round in [f64_ceil, f64_floor, f64_trunc, f64_nearest] {
            assert!(is_arithmetic_nan64(round(f64::from_bits(SNAN64))));
            assert_eq!(round(f64::NAN).to_bits(), f64::NAN.to_bits());
        }
    }

    #[test]
    fn rounding_keeps_the_sign_of_zero() {
        assert_eq!(f32_ceil(-0.5).to_bits(), (-0.0f32).to_bits());
        assert_eq!(f64_trunc(-0.9).to_bits(), (-0.0f64).to_bits());
        assert_eq!(f32_floor(-0.5), -1.0);
        assert_eq!(f64_floor(0.5).to_bits(), 0.0f64.to_bits());
    }

    #[test]
    fn sign_operations_keep_nan_payloads() {
        let snan = f32::from_bits(SNAN32);
        assert_eq!(f32_neg(snan).to_bits(), SNAN32 | 0x8000_0000);
        assert_eq!(f32_abs(f32::from_bits(SNAN32 | 0x8000_0000)).to_bits(), SNAN32);
        assert_eq!(f32_copysign(snan, -1.0).to_bits(), SNAN32 | 0x8000_0000);
        let snan = f64::from_bits(SNAN64);
        assert_eq!(f64_neg(snan).to_bits(), SNAN64 | 1 << 63);
        assert_eq!(f64_abs(f64::from_bits(SNAN64 | 1 << 63)).to_bits(), SNAN64);
        assert_eq!(f64_copysign(1.0, -0.0), -1.0);
        assert_eq!(f64_copysign(-1.0, f64::NAN), 1.0);
    }

    #[test]
    fn comparisons_with_nan() {
        assert_eq!(f32_eq(f32::NAN, f32::NAN), 0);
        assert_eq!(f32_ne(f32::NAN, f32::NAN), 1);
        assert_eq!(f32_lt(f32::NAN, 0.0), 0);
        assert_eq!(f64_ge(f64::NAN, 0.0), 0);
        assert_eq!(f64_eq(0.0, -0.0), 1);
        assert_eq!(f64_le(-0.0, 0.0), 1);
    }
}
