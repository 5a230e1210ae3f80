//! Scalar integer instructions: `i32`/`i64` tests, comparisons, arithmetic, bitwise
//! operations, shifts, rotations and sign extension.
//!
//! Wasm integers have no sign; the `_u` forms reinterpret the bits as unsigned. All
//! arithmetic wraps, and shift and rotate counts are taken modulo the bit width
//! (`wrapping_shl`/`wrapping_shr` and `rotate_*` do exactly that).

use stratus_runtime::TrapKind;

ops! {
    fn i32_eqz(a: i32) -> i32 = (a == 0) as i32;
    fn i32_eq(a: i32, b: i32) -> i32 = (a == b) as i32;
    fn i32_ne(a: i32, b: i32) -> i32 = (a != b) as i32;
    fn i32_lt_s(a: i32, b: i32) -> i32 = (a < b) as i32;
    fn i32_lt_u(a: i32, b: i32) -> i32 = ((a as u32) < (b as u32)) as i32;
    fn i32_gt_s(a: i32, b: i32) -> i32 = (a > b) as i32;
    fn i32_gt_u(a: i32, b: i32) -> i32 = ((a as u32) > (b as u32)) as i32;
    fn i32_le_s(a: i32, b: i32) -> i32 = (a <= b) as i32;
    fn i32_le_u(a: i32, b: i32) -> i32 = ((a as u32) <= (b as u32)) as i32;
    fn i32_ge_s(a: i32, b: i32) -> i32 = (a >= b) as i32;
    fn i32_ge_u(a: i32, b: i32) -> i32 = ((a as u32) >= (b as u32)) as i32;

    fn i64_eqz(a: i64) -> i32 = (a == 0) as i32;
    fn i64_eq(a: i64, b: i64) -> i32 = (a == b) as i32;
    fn i64_ne(a: i64, b: i64) -> i32 = (a != b) as i32;
    fn i64_lt_s(a: i64, b: i64) -> i32 = (a < b) as i32;
    fn i64_lt_u(a: i64, b: i64) -> i32 = ((a as u64) < (b as u64)) as i32;
    fn i64_gt_s(a: i64, b: i64) -> i32 = (a > b) as i32;
    fn i64_gt_u(a: i64, b: i64) -> i32 = ((a as u64) > (b as u64)) as i32;
    fn i64_le_s(a: i64, b: i64) -> i32 = (a <= b) as i32;
    fn i64_le_u(a: i64, b: i64) -> i32 = ((a as u64) <= (b as u64)) as i32;
    fn i64_ge_s(a: i64, b: i64) -> i32 = (a >= b) as i32;
    fn i64_ge_u(a: i64, b: i64) -> i32 = ((a as u64) >= (b as u64)) as i32;

    fn i32_clz(a: i32) -> i32 = a.leading_zeros() as i32;
    fn i32_ctz(a: i32) -> i32 = a.trailing_zeros() as i32;
    fn i32_popcnt(a: i32) -> i32 = a.count_ones() as i32;
    fn i32_add(a: i32, b: i32) -> i32 = a.wrapping_add(b);
    fn i32_sub(a: i32, b: i32) -> i32 = a.wrapping_sub(b);
    fn i32_mul(a: i32, b: i32) -> i32 = a.wrapping_mul(b);
    fn i32_and(a: i32, b: i32) -> i32 = a & b;
    fn i32_or(a: i32, b: i32) -> i32 = a | b;
    fn i32_xor(a: i32, b: i32) -> i32 = a ^ b;
    fn i32_shl(a: i32, b: i32) -> i32 = a.wrapping_shl(b as u32);
    fn i32_shr_s(a: i32, b: i32) -> i32 = a.wrapping_shr(b as u32);
    fn i32_shr_u(a: i32, b: i32) -> i32 = (a as u32).wrapping_shr(b as u32) as i32;
    fn i32_rotl(a: i32, b: i32) -> i32 = a.rotate_left(b as u32);
    fn i32_rotr(a: i32, b: i32) -> i32 = a.rotate_right(b as u32);

    fn i64_clz(a: i64) -> i64 = a.leading_zeros() as i64;
    fn i64_ctz(a: i64) -> i64 = a.trailing_zeros() as i64;
    fn i64_popcnt(a: i64) -> i64 = a.count_ones() as i64;
    fn i64_add(a: i64, b: i64) -> i64 = a.wrapping_add(b);
    fn i64_sub(a: i64, b: i64) -> i64 = a.wrapping_sub(b);
    fn i64_mul(a: i64, b: i64) -> i64 = a.wrapping_mul(b);
    fn i64_and(a: i64, b: i64) -> i64 = a & b;
    fn i64_or(a: i64, b: i64) -> i64 = a | b;
    fn i64_xor(a: i64, b: i64) -> i64 = a ^ b;
    fn i64_shl(a: i64, b: i64) -> i64 = a.wrapping_shl(b as u32);
    fn i64_shr_s(a: i64, b: i64) -> i64 = a.wrapping_shr(b as u32);
    fn i64_shr_u(a: i64, b: i64) -> i64 = (a as u64).wrapping_shr(b as u32) as i64;
    fn i64_rotl(a: i64, b: i64) -> i64 = a.rotate_left(b as u32);
    fn i64_rotr(a: i64, b: i64) -> i64 = a.rotate_right(b as u32);

    fn i32_extend8_s(a: i32) -> i32 = a as i8 as i32;
    fn i32_extend16_s(a: i32) -> i32 = a as i16 as i32;
    fn i64_extend8_s(a: i64) -> i64 = a as i8 as i64;
    fn i64_extend16_s(a: i64) -> i64 = a as i16 as i64;
    fn i64_extend32_s(a: i64) -> i64 = a as i32 as i64;
}

/// Division and remainder: zero divisors trap, and so does the one signed quotient that
/// does not fit (`MIN / -1`); the matching remainder is 0, which `wrapping_rem` gives.
macro_rules! div_rem {
    ($t:ty, $u:ty: $div_s:ident, $div_u:ident, $rem_s:ident, $rem_u:ident) => {
        #[inline]
        pub fn $div_s(a: $t, b: $t) -> Result<$t, TrapKind> {
            if b == 0 {
                Err(TrapKind::IntegerDivideByZero)
            } else if a == <$t>::MIN && b == -1 {
                Err(TrapKind::IntegerOverflow)
            } else {
                Ok(a / b)
            }
        }

        #[inline]
        pub fn $div_u(a: $t, b: $t) -> Result<$t, TrapKind> {
            if b == 0 { Err(TrapKind::IntegerDivideByZero) } else { Ok((a as $u / b as $u) as $t) }
        }

        #[inline]
        pub fn $rem_s(a: $t, b: $t) -> Result<$t, TrapKind> {
            if b == 0 { Err(TrapKind::IntegerDivideByZero) } else { Ok(a.wrapping_rem(b)) }
        }

        #[inline]
        pub fn $rem_u(a: $t, b: $t) -> Result<$t, TrapKind> {
            if b == 0 { Err(TrapKind::IntegerDivideByZero) } else { Ok((a as $u % b as $u) as $t) }
        }
    };
}

div_rem!(i32, u32: i32_div_s, i32_div_u, i32_rem_s, i32_rem_u);
div_rem!(i64, u64: i64_div_s, i64_div_u, i64_rem_s, i64_rem_u);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_traps() {
        assert_eq!(i32_div_s(1, 0), Err(TrapKind::IntegerDivideByZero));
        assert_eq!(i32_div_u(1, 0), Err(TrapKind::IntegerDivideByZero));
        assert_eq!(i32_rem_s(1, 0), Err(TrapKind::IntegerDivideByZero));
        assert_eq!(i32_rem_u(1, 0), Err(TrapKind::IntegerDivideByZero));
        assert_eq!(i32_div_s(i32::MIN, -1), Err(TrapKind::IntegerOverflow));
        assert_eq!(i64_div_s(i64::MIN, -1), Err(TrapKind::IntegerOverflow));
        assert_eq!(i64_div_u(1, 0), Err(TrapKind::IntegerDivideByZero));
        assert_eq!(i64_rem_u(1, 0), Err(TrapKind::IntegerDivideByZero));
    }

    #[test]
    fn division_results() {
        assert_eq!(i32_rem_s(i32::MIN, -1), Ok(0));
        assert_eq!(i64_rem_s(i64::MIN, -1), Ok(0));
        assert_eq!(i32_div_s(-7, 2), Ok(-3));
        assert_eq!(i32_rem_s(-7, 2), Ok(-1));
        assert_eq!(i32_rem_s(7, -2), Ok(1));
        assert_eq!(i32_div_u(-1, 2), Ok(0x7fff_ffff));
        assert_eq!(i32_rem_u(-1, 7), Ok((u32::MAX % 7) as i32));
        assert_eq!(i64_div_u(-1, 2), Ok(i64::MAX));
        assert_eq!(i32_div_s(i32::MIN, 2), Ok(-0x4000_0000));
    }

    #[test]
    fn shifts_and_rotates_mask_the_count() {
        assert_eq!(i32_shl(1, 32), 1);
        assert_eq!(i32_shl(1, 33), 2);
        assert_eq!(i32_shl(1, -1), i32::MIN);
        assert_eq!(i32_shr_s(i32::MIN, 31), -1);
        assert_eq!(i32_shr_s(i32::MIN, 63), -1);
        assert_eq!(i32_shr_u(i32::MIN, 31), 1);
        assert_eq!(i32_shr_u(-1, 32), -1);
        assert_eq!(i64_shl(1, 64), 1);
        assert_eq!(i64_shl(1, 127), i64::MIN);
        assert_eq!(i64_shr_u(-1, 65), i64::MAX);
        assert_eq!(i64_shr_s(-1, 65), -1);
        assert_eq!(i32_rotl(0x8000_0001u32 as i32, 1), 3);
        assert_eq!(i32_rotl(1, 33), 2);
        assert_eq!(i32_rotr(1, 1), i32::MIN);
        assert_eq!(i32_rotr(1, -1), 2);
        assert_eq!(i64_rotl(1, 65), 2);
        assert_eq!(i64_rotr(1, 64), 1);
    }

    #[test]
    fn comparisons_are_signed_or_unsigned() {
        assert_eq!(i32_lt_s(-1, 0), 1);
        assert_eq!(i32_lt_u(-1, 0), 0);
        assert_eq!(i32_ge_u(-1, 0), 1);
        assert_eq!(i64_gt_u(-1, 1), 1);
        assert_eq!(i64_gt_s(-1, 1), 0);
        assert_eq!(i64_le_u(i64::MIN, i64::MAX), 0);
        assert_eq!(i32_eqz(0), 1);
        assert_eq!(i64_eqz(i64::MIN), 0);
    }

    #[test]
    fn bit_counts_and_wrapping() {
        assert_eq!(i32_clz(0), 32);
        assert_eq!(i32_ctz(0), 32);
        assert_eq!(i64_clz(0), 64);
        assert_eq!(i64_ctz(i64::MIN), 63);
        assert_eq!(i32_popcnt(-1), 32);
        assert_eq!(i64_popcnt(-1), 64);
        assert_eq!(i32_add(i32::MAX, 1), i32::MIN);
        assert_eq!(i32_sub(i32::MIN, 1), i32::MAX);
        assert_eq!(i64_mul(i64::MIN, -1), i64::MIN);
    }

    #[test]
    fn sign_extension() {
        assert_eq!(i32_extend8_s(0x80), -128);
        assert_eq!(i32_extend8_s(0x7f), 127);
        assert_eq!(i32_extend16_s(0x1_8000), -32768);
        assert_eq!(i64_extend8_s(0x1_01), 1);
        assert_eq!(i64_extend16_s(0xffff), -1);
        assert_eq!(i64_extend32_s(0x8000_0000), -0x8000_0000);
        assert_eq!(i64_extend32_s(0x1_7fff_ffff), 0x7fff_ffff);
    }
}
