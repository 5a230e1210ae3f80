//! Scalar conversions: wrap and extend, float-to-int truncation (trapping and
//! saturating), int-to-float conversion, demotion and promotion, and reinterpretation.
//!
//! Rust's `as` casts match Wasm wherever Wasm does not trap: int-to-float and
//! float-to-float casts round to nearest, ties to even, and float-to-int casts truncate,
//! saturate and send NaN to 0, which is exactly `trunc_sat`.

use stratus_runtime::TrapKind;

ops! {
    fn i32_wrap_i64(a: i64) -> i32 = a as i32;
    fn i64_extend_i32_s(a: i32) -> i64 = a as i64;
    fn i64_extend_i32_u(a: i32) -> i64 = a as u32 as i64;

    fn i32_trunc_sat_f32_s(a: f32) -> i32 = a as i32;
    fn i32_trunc_sat_f32_u(a: f32) -> i32 = a as u32 as i32;
    fn i32_trunc_sat_f64_s(a: f64) -> i32 = a as i32;
    fn i32_trunc_sat_f64_u(a: f64) -> i32 = a as u32 as i32;
    fn i64_trunc_sat_f32_s(a: f32) -> i64 = a as i64;
    fn i64_trunc_sat_f32_u(a: f32) -> i64 = a as u64 as i64;
    fn i64_trunc_sat_f64_s(a: f64) -> i64 = a as i64;
    fn i64_trunc_sat_f64_u(a: f64) -> i64 = a as u64 as i64;

    fn f32_convert_i32_s(a: i32) -> f32 = a as f32;
    fn f32_convert_i32_u(a: i32) -> f32 = a as u32 as f32;
    fn f32_convert_i64_s(a: i64) -> f32 = a as f32;
    fn f32_convert_i64_u(a: i64) -> f32 = a as u64 as f32;
    fn f64_convert_i32_s(a: i32) -> f64 = a as f64;
    fn f64_convert_i32_u(a: i32) -> f64 = a as u32 as f64;
    fn f64_convert_i64_s(a: i64) -> f64 = a as f64;
    fn f64_convert_i64_u(a: i64) -> f64 = a as u64 as f64;
    fn f32_demote_f64(a: f64) -> f32 = a as f32;
    fn f64_promote_f32(a: f32) -> f64 = a as f64;

    fn i32_reinterpret_f32(a: f32) -> i32 = a.to_bits() as i32;
    fn i64_reinterpret_f64(a: f64) -> i64 = a.to_bits() as i64;
    fn f32_reinterpret_i32(a: i32) -> f32 = f32::from_bits(a as u32);
    fn f64_reinterpret_i64(a: i64) -> f64 = f64::from_bits(a as u64);
}

/// Trapping truncation. `lo < x < hi` are exclusive bounds, exact in the source type,
/// between which `trunc(x)` fits the target: `hi` is the target's `MAX + 1`; `lo` is
/// `MIN - 1` where that is representable, otherwise the next float below `MIN` (for
/// `-1.0` the unsigned cases, as `(-1, 0)` truncates to 0). NaN fails both comparisons
/// and is told apart only on the slow path.
macro_rules! trunc {
    ($($name:ident($f:ty) -> $i:ty as $as:ty, $lo:literal < x < $hi:literal;)*) => {$(
        #[inline]
        pub fn $name(x: $f) -> Result<$i, TrapKind> {
            if x > $lo && x < $hi {
                Ok(x as $as as $i)
            } else if x.is_nan() {
                Err(TrapKind::InvalidConversionToInteger)
            } else {
                Err(TrapKind::IntegerOverflow)
            }
        }
    )*};
}

trunc! {
    i32_trunc_f32_s(f32) -> i32 as i32, -2147483904.0 < x < 2147483648.0;
    i32_trunc_f32_u(f32) -> i32 as u32, -1.0 < x < 4294967296.0;
    i32_trunc_f64_s(f64) -> i32 as i32, -2147483649.0 < x < 2147483648.0;
    i32_trunc_f64_u(f64) -> i32 as u32, -1.0 < x < 4294967296.0;
    i64_trunc_f32_s(f32) -> i64 as i64, -9223373136366403584.0 < x < 9223372036854775808.0;
    i64_trunc_f32_u(f32) -> i64 as u64, -1.0 < x < 18446744073709551616.0;
    i64_trunc_f64_s(f64) -> i64 as i64, -9223372036854777856.0 < x < 9223372036854775808.0;
    i64_trunc_f64_u(f64) -> i64 as u64, -1.0 < x < 18446744073709551616.0;
}

#[cfg(test)]
mod tests {
    use super::*;

    const OVERFLOW: TrapKind = TrapKind::IntegerOverflow;
    const INVALID: TrapKind = TrapKind::InvalidConversionToInteger;

    #[test]
    fn trunc_f32_to_i32_boundaries() {
        assert_eq!(i32_trunc_f32_s(2147483648.0), Err(OVERFLOW));
        assert_eq!(i32_trunc_f32_s(2147483520.0), Ok(2147483520));
        assert_eq!(i32_trunc_f32_s(-2147483648.0), Ok(i32::MIN));
        assert_eq!(i32_trunc_f32_s(-2147483904.0), Err(OVERFLOW));
        assert_eq!(i32_trunc_f32_s(-0.9), Ok(0));
        assert_eq!(i32_trunc_f32_s(f32::NAN), Err(INVALID));
        assert_eq!(i32_trunc_f32_s(-f32::NAN), Err(INVALID));
        assert_eq!(i32_trunc_f32_s(f32::INFINITY), Err(OVERFLOW));
        assert_eq!(i32_trunc_f32_u(4294967296.0), Err(OVERFLOW));
        assert_eq!(i32_trunc_f32_u(4294967040.0), Ok(-256));
        assert_eq!(i32_trunc_f32_u(-0.99999994), Ok(0));
        assert_eq!(i32_trunc_f32_u(-1.0), Err(OVERFLOW));
        assert_eq!(i32_trunc_f32_u(f32::NEG_INFINITY), Err(OVERFLOW));
        assert_eq!(i32_trunc_f32_u(f32::NAN), Err(INVALID));
    }

    #[test]
    fn trunc_f64_to_i32_boundaries() {
        assert_eq!(i32_trunc_f64_s(2147483647.9), Ok(i32::MAX));
        assert_eq!(i32_trunc_f64_s(2147483648.0), Err(OVERFLOW));
        assert_eq!(i32_trunc_f64_s(-2147483648.9), Ok(i32::MIN));
        assert_eq!(i32_trunc_f64_s(-2147483649.0), Err(OVERFLOW));
        assert_eq!(i32_trunc_f64_u(4294967295.9), Ok(-1));
        assert_eq!(i32_trunc_f64_u(4294967296.0), Err(OVERFLOW));
        assert_eq!(i32_trunc_f64_u(-0.9999999999999999), Ok(0));
        assert_eq!(i32_trunc_f64_u(-1.0), Err(OVERFLOW));
        assert_eq!(i32_trunc_f64_u(f64::NAN), Err(INVALID));
    }

    #[test]
    fn trunc_to_i64_boundaries() {
        assert_eq!(i64_trunc_f32_s(9223371487098961920.0), Ok(9223371487098961920));
        assert_eq!(i64_trunc_f32_s(9223372036854775808.0), Err(OVERFLOW));
        assert_eq!(i64_trunc_f32_s(-9223372036854775808.0), Ok(i64::MIN));
        assert_eq!(i64_trunc_f32_s(-9223373136366403584.0), Err(OVERFLOW));
        assert_eq!(i64_trunc_f32_u(18446742974197923840.0), Ok(-1099511627776));
        assert_eq!(i64_trunc_f32_u(18446744073709551616.0), Err(OVERFLOW));
        assert_eq!(i64_trunc_f32_u(-1.0), Err(OVERFLOW));
        assert_eq!(i64_trunc_f64_s(9223372036854774784.0), Ok(9223372036854774784));
        assert_eq!(i64_trunc_f64_s(9223372036854775808.0), Err(OVERFLOW));
        assert_eq!(i64_trunc_f64_s(-9223372036854775808.0), Ok(i64::MIN));
        assert_eq!(i64_trunc_f64_s(-9223372036854777856.0), Err(OVERFLOW));
        assert_eq!(i64_trunc_f64_u(18446744073709549568.0), Ok(-2048));
        assert_eq!(i64_trunc_f64_u(18446744073709551616.0), Err(OVERFLOW));
        assert_eq!(i64_trunc_f64_u(-0.9), Ok(0));
        assert_eq!(i64_trunc_f64_s(f64::NAN), Err(INVALID));
        assert_eq!(i64_trunc_f32_u(f32::NAN), Err(INVALID));
    }

    #[test]
    fn trunc_sat_saturates() {
        assert_eq!(i32_trunc_sat_f32_s(f32::NAN), 0);
        assert_eq!(i32_trunc_sat_f32_s(3e9), i32::MAX);
        assert_eq!(i32_trunc_sat_f32_s(-3e9), i32::MIN);
        assert_eq!(i32_trunc_sat_f32_u(5e9), -1);
        assert_eq!(i32_trunc_sat_f32_u(-5.0), 0);
        assert_eq!(i32_trunc_sat_f64_u(4294967295.5), -1);
        assert_eq!(i64_trunc_sat_f64_s(f64::INFINITY), i64::MAX);
        assert_eq!(i64_trunc_sat_f64_u(f64::INFINITY), -1);
        assert_eq!(i64_trunc_sat_f64_u(f64::NEG_INFINITY), 0);
        assert_eq!(i64_trunc_sat_f32_s(-f32::NAN), 0);
    }

    #[test]
    fn conversions_round_to_nearest_even() {
        assert_eq!(f32_convert_i32_s(16777217), 16777216.0);
        assert_eq!(f32_convert_i32_u(-1), 4294967296.0);
        assert_eq!(f32_convert_i64_s(9007199791611905), 9007200328482816.0);
        assert_eq!(f32_convert_i64_u(-1), 18446744073709551616.0);
        assert_eq!(f32_convert_i64_u(0x8000_0080_0000_0001u64 as i64), 9223373136366403584.0);
        assert_eq!(f64_convert_i64_s(9007199254740993), 9007199254740992.0);
        assert_eq!(f64_convert_i64_u(-1), 18446744073709551616.0);
        assert_eq!(f64_convert_i64_u(0x8000_0000_0000_0401u64 as i64), 9223372036854777856.0);
        assert_eq!(f64_convert_i32_u(-1), 4294967295.0);
        assert_eq!(i64_extend_i32_u(-1), 0xffff_ffff);
        assert_eq!(i64_extend_i32_s(-1), -1);
        assert_eq!(i32_wrap_i64(0x1_0000_0005), 5);
    }

    #[test]
    fn demote_and_promote() {
        assert!(f32_demote_f64(f64::NAN).is_nan());
        assert!(f64_promote_f32(f32::NAN).is_nan());
        assert_eq!(f32_demote_f64(1e300), f32::INFINITY);
        assert_eq!(f32_demote_f64(-0.0).to_bits(), (-0.0f32).to_bits());
        assert_eq!(f32_demote_f64(f64::from_bits(0x3ff0_0000_1000_0000)), 1.0);
        assert_eq!(f64_promote_f32(f32::MIN_POSITIVE), f32::MIN_POSITIVE as f64);
    }

    #[test]
    fn reinterpret_is_bit_exact() {
        assert_eq!(f32_reinterpret_i32(0x7fa0_0001).to_bits(), 0x7fa0_0001);
        assert_eq!(i32_reinterpret_f32(f32::from_bits(0xffa0_0001)), 0xffa0_0001u32 as i32);
        assert_eq!(f64_reinterpret_i64(0x7ff4_0000_0000_0001).to_bits(), 0x7ff4_0000_0000_0001);
        assert_eq!(i64_reinterpret_f64(-0.0), i64::MIN);
    }
}
