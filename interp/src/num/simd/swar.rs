//! SWAR ("SIMD within a register"): integer lane operations computed on the whole `u128`
//! at once, for lane widths `W` of 8, 16 and 32 bits.
//!
//! LLVM vectorizes the float lane loops, but turns 8- and 16-bit integer lane loops over a
//! `u128` into one scalar operation per lane plus shifts and ORs to pack the result:
//! about 100-160 instructions for an `i8x16` operation, against 10-25 here. The tricks
//! below keep every carry and borrow inside its lane. The lane-loop definitions in the
//! tests are the reference they are checked against.

/// Masks for `W`-bit lanes.
struct Lanes<const W: u32>;

impl<const W: u32> Lanes<W> {
    /// The lowest bit of every lane.
    const ONES: u128 = u128::MAX / ((1 << W) - 1);
    /// The highest (sign) bit of every lane.
    const HIGH: u128 = Self::ONES << (W - 1);
    /// All bits but the highest of every lane.
    const LOW: u128 = !Self::HIGH;
}

/// Every lane set to `x`, which must fit in a lane.
#[inline(always)]
fn splat<const W: u32>(x: u128) -> u128 {
    Lanes::<W>::ONES * x
}

/// Widens lanes that are either 0 or only their highest bit into 0 or all ones.
#[inline(always)]
fn expand<const W: u32>(highs: u128) -> u128 {
    highs | (highs - (highs >> (W - 1)))
}

/// The highest bit of every lane of `x` that is not zero.
#[inline(always)]
fn nonzero_highs<const W: u32>(x: u128) -> u128 {
    (((x & Lanes::<W>::LOW) + Lanes::<W>::LOW) | x) & Lanes::<W>::HIGH
}

/// Bits of `a` where `mask` is set, bits of `b` elsewhere.
#[inline(always)]
fn select(mask: u128, a: u128, b: u128) -> u128 {
    (a & mask) | (b & !mask)
}

/// Lane-wise wrapping `a + b`: the low bits add without reaching the next lane, and the
/// high bit is the XOR of the operands' high bits and the carry into it.
#[inline(always)]
pub(super) fn add<const W: u32>(a: u128, b: u128) -> u128 {
    let low = Lanes::<W>::LOW;
    ((a & low) + (b & low)) ^ ((a ^ b) & Lanes::<W>::HIGH)
}

/// Lane-wise wrapping `a - b`: setting `a`'s high bits stops the borrows at the lane.
#[inline(always)]
pub(super) fn sub<const W: u32>(a: u128, b: u128) -> u128 {
    let high = Lanes::<W>::HIGH;
    ((a | high) - (b & Lanes::<W>::LOW)) ^ ((a ^ !b) & high)
}

#[inline(always)]
pub(super) fn neg<const W: u32>(a: u128) -> u128 {
    sub::<W>(0, a)
}

/// `(a ^ s) - s` is `a` where the sign `s` is 0 and `-a` where it is all ones.
#[inline(always)]
pub(super) fn abs<const W: u32>(a: u128) -> u128 {
    let sign = expand::<W>(a & Lanes::<W>::HIGH);
    sub::<W>(a ^ sign, sign)
}

/// All ones in the lanes where `a == b`.
#[inline(always)]
pub(super) fn eq<const W: u32>(a: u128, b: u128) -> u128 {
    !expand::<W>(nonzero_highs::<W>(a ^ b))
}

/// All ones in the lanes where `a < b` unsigned: the borrow out of the top bit of `a - b`.
#[inline(always)]
pub(super) fn lt_u<const W: u32>(a: u128, b: u128) -> u128 {
    let borrow = (!a & b) | (!(a ^ b) & sub::<W>(a, b));
    expand::<W>(borrow & Lanes::<W>::HIGH)
}

/// Flipping the sign bits maps signed order onto unsigned order.
#[inline(always)]
pub(super) fn lt_s<const W: u32>(a: u128, b: u128) -> u128 {
    lt_u::<W>(a ^ Lanes::<W>::HIGH, b ^ Lanes::<W>::HIGH)
}

#[inline(always)]
pub(super) fn min_u<const W: u32>(a: u128, b: u128) -> u128 {
    select(lt_u::<W>(a, b), a, b)
}

#[inline(always)]
pub(super) fn max_u<const W: u32>(a: u128, b: u128) -> u128 {
    select(lt_u::<W>(a, b), b, a)
}

#[inline(always)]
pub(super) fn min_s<const W: u32>(a: u128, b: u128) -> u128 {
    select(lt_s::<W>(a, b), a, b)
}

#[inline(always)]
pub(super) fn max_s<const W: u32>(a: u128, b: u128) -> u128 {
    select(lt_s::<W>(a, b), b, a)
}

/// Lanes that overflowed become all ones: the carry out of the top bit of each lane.
#[inline(always)]
pub(super) fn add_sat_u<const W: u32>(a: u128, b: u128) -> u128 {
    let sum = add::<W>(a, b);
    let carry = (a & b) | ((a | b) & !sum);
    sum | expand::<W>(carry & Lanes::<W>::HIGH)
}

/// Lanes that would go below zero become zero.
#[inline(always)]
pub(super) fn sub_sat_u<const W: u32>(a: u128, b: u128) -> u128 {
    sub::<W>(a, b) & !lt_u::<W>(a, b)
}

/// The bound a signed lane saturates to on overflow, which is on the side of `a`'s sign:
/// `MAX` (`0x7f..`) for non-negative `a`, `MIN` (`0x80..`) for negative `a`.
#[inline(always)]
fn signed_bound<const W: u32>(a: u128) -> u128 {
    Lanes::<W>::LOW ^ expand::<W>(a & Lanes::<W>::HIGH)
}

/// Signed `a + b` overflows when both operands have one sign and the sum the other.
#[inline(always)]
pub(super) fn add_sat_s<const W: u32>(a: u128, b: u128) -> u128 {
    let sum = add::<W>(a, b);
    let overflow = (sum ^ a) & (sum ^ b) & Lanes::<W>::HIGH;
    select(expand::<W>(overflow), signed_bound::<W>(a), sum)
}

/// Signed `a - b` overflows when the operands' signs differ and the result's is not `a`'s.
#[inline(always)]
pub(super) fn sub_sat_s<const W: u32>(a: u128, b: u128) -> u128 {
    let diff = sub::<W>(a, b);
    let overflow = (a ^ b) & (a ^ diff) & Lanes::<W>::HIGH;
    select(expand::<W>(overflow), signed_bound::<W>(a), diff)
}

/// `(a + b + 1) / 2` as `(a | b) - (a ^ b) / 2`, which never leaves the lane.
#[inline(always)]
pub(super) fn avgr_u<const W: u32>(a: u128, b: u128) -> u128 {
    (a | b) - (((a ^ b) >> 1) & Lanes::<W>::LOW)
}

/// Shift counts are taken modulo the lane width; bits shifted across a lane boundary are
/// masked off.
#[inline(always)]
pub(super) fn shl<const W: u32>(a: u128, count: i32) -> u128 {
    let count = count as u32 % W;
    let lane = (1u128 << W) - 1;
    (a << count) & splat::<W>((lane << count) & lane)
}

#[inline(always)]
pub(super) fn shr_u<const W: u32>(a: u128, count: i32) -> u128 {
    let count = count as u32 % W;
    (a >> count) & splat::<W>(((1u128 << W) - 1) >> count)
}

/// The logical shift, with the vacated high bits filled with each lane's sign.
#[inline(always)]
pub(super) fn shr_s<const W: u32>(a: u128, count: i32) -> u128 {
    let count = count as u32 % W;
    let kept = splat::<W>(((1u128 << W) - 1) >> count);
    ((a >> count) & kept) | (expand::<W>(a & Lanes::<W>::HIGH) & !kept)
}

/// 1 if no lane is zero.
#[inline(always)]
pub(super) fn all_true<const W: u32>(a: u128) -> i32 {
    (nonzero_highs::<W>(a) == Lanes::<W>::HIGH) as i32
}

/// Bit counts of each byte, by the classic pairwise sums.
#[inline(always)]
pub(super) fn popcnt8(a: u128) -> u128 {
    let pairs = a - ((a >> 1) & splat::<8>(0x55));
    let nibbles = (pairs & splat::<8>(0x33)) + ((pairs >> 2) & splat::<8>(0x33));
    (nibbles + (nibbles >> 4)) & splat::<8>(0x0f)
}

/// The sign bits of the 16 bytes, lane 0 in bit 0. In each half, the product gathers the
/// eight bits, moved to the bottom of their bytes, into the top byte: byte `i`'s bit
/// lands at bit `56 + i` through the magic's byte `7 - i`, and no other partial product
/// reaches the top byte or carries into it.
#[inline(always)]
pub(super) fn bitmask8(a: u128) -> i32 {
    const MAGIC: u64 = 0x0102_0408_1020_4080;
    let gather = |half: u64| ((half >> 7) & 0x0101_0101_0101_0101).wrapping_mul(MAGIC) >> 56;
    (gather(a as u64) | gather((a >> 64) as u64) << 8) as i32
}

#[cfg(test)]
mod tests {
    use super::super::{compare, lanes, map, zip};
    use super::*;
    use proptest::prelude::*;

    /// Vectors whose bytes are often 0, 1, 0x7f, 0x80 or 0xff, so that lanes hit equal
    /// values, signs and saturation bounds.
    fn vector() -> impl Strategy<Value = u128> {
        let byte = prop_oneof![any::<u8>(), Just(0), Just(1), Just(0x7f), Just(0x80), Just(0xff)];
        proptest::array::uniform16(byte).prop_map(u128::from_le_bytes)
    }

    fn pair() -> impl Strategy<Value = (u128, u128)> {
        // Half the time `b` shares lanes with `a`, for equality and the zero cases.
        (vector(), vector(), any::<u16>(), any::<bool>()).prop_map(|(a, b, keep, share)| {
            if !share {
                return (a, b);
            }
            let keep = lanes::<u8, 16>(u128::from(keep).wrapping_mul(0x0101));
            let (a8, b8) = (lanes::<u8, 16>(a), lanes::<u8, 16>(b));
            (a, u128::from_le_bytes(std::array::from_fn(|i| if keep[i] & 1 != 0 { a8[i] } else { b8[i] })))
        })
    }

    /// Checks one SWAR function against its lane-loop definition for lane types `S`
    /// (signed) and `U` (unsigned) of width `W`.
    macro_rules! check_binary {
        ($a:ident, $b:ident, $w:literal, $s:ty, $u:ty, $n:literal) => {
            prop_assert_eq!(add::<$w>($a, $b), zip::<$s, $n>($a, $b, <$s>::wrapping_add));
            prop_assert_eq!(sub::<$w>($a, $b), zip::<$s, $n>($a, $b, <$s>::wrapping_sub));
            prop_assert_eq!(eq::<$w>($a, $b), compare::<$s, $n>($a, $b, |x, y| x == y));
            prop_assert_eq!(lt_u::<$w>($a, $b), compare::<$u, $n>($a, $b, |x, y| x < y));
            prop_assert_eq!(lt_s::<$w>($a, $b), compare::<$s, $n>($a, $b, |x, y| x < y));
            prop_assert_eq!(min_u::<$w>($a, $b), zip::<$u, $n>($a, $b, <$u>::min));
            prop_assert_eq!(max_u::<$w>($a, $b), zip::<$u, $n>($a, $b, <$u>::max));
            prop_assert_eq!(min_s::<$w>($a, $b), zip::<$s, $n>($a, $b, <$s>::min));
            prop_assert_eq!(max_s::<$w>($a, $b), zip::<$s, $n>($a, $b, <$s>::max));
            prop_assert_eq!(add_sat_u::<$w>($a, $b), zip::<$u, $n>($a, $b, <$u>::saturating_add));
            prop_assert_eq!(sub_sat_u::<$w>($a, $b), zip::<$u, $n>($a, $b, <$u>::saturating_sub));
            prop_assert_eq!(add_sat_s::<$w>($a, $b), zip::<$s, $n>($a, $b, <$s>::saturating_add));
            prop_assert_eq!(sub_sat_s::<$w>($a, $b), zip::<$s, $n>($a, $b, <$s>::saturating_sub));
            let avgr = |x: $u, y: $u| (u64::from(x) + u64::from(y)).div_ceil(2) as $u;
            prop_assert_eq!(avgr_u::<$w>($a, $b), zip::<$u, $n>($a, $b, avgr));
        };
    }

    macro_rules! check_unary {
        ($a:ident, $count:ident, $w:literal, $s:ty, $u:ty, $n:literal) => {
            prop_assert_eq!(neg::<$w>($a), map::<$s, $n>($a, <$s>::wrapping_neg));
            prop_assert_eq!(abs::<$w>($a), map::<$s, $n>($a, <$s>::wrapping_abs));
            prop_assert_eq!(shl::<$w>($a, $count), map::<$s, $n>($a, |x| x.wrapping_shl($count as u32)));
            prop_assert_eq!(shr_u::<$w>($a, $count), map::<$u, $n>($a, |x| x.wrapping_shr($count as u32)));
            prop_assert_eq!(shr_s::<$w>($a, $count), map::<$s, $n>($a, |x| x.wrapping_shr($count as u32)));
            let all = lanes::<$u, $n>($a).iter().all(|&x| x != 0) as i32;
            prop_assert_eq!(all_true::<$w>($a), all);
        };
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        #[test]
        fn binary_ops_match_lane_loops((a, b) in pair()) {
            check_binary!(a, b, 8, i8, u8, 16);
            check_binary!(a, b, 16, i16, u16, 8);
            check_binary!(a, b, 32, i32, u32, 4);
        }

        #[test]
        fn unary_ops_match_lane_loops(a in vector(), count in any::<i32>()) {
            check_unary!(a, count, 8, i8, u8, 16);
            check_unary!(a, count, 16, i16, u16, 8);
            check_unary!(a, count, 32, i32, u32, 4);
            prop_assert_eq!(popcnt8(a), map::<u8, 16>(a, |x| x.count_ones() as u8));
            let signs = lanes::<i8, 16>(a).map(|x| x < 0);
            let bitmask = signs.iter().enumerate().fold(0, |m, (i, &neg)| m | i32::from(neg) << i);
            prop_assert_eq!(bitmask8(a), bitmask);
        }
    }

    #[test]
    fn masks() {
        assert_eq!(Lanes::<8>::ONES, 0x0101_0101_0101_0101_0101_0101_0101_0101);
        assert_eq!(Lanes::<16>::HIGH, 0x8000_8000_8000_8000_8000_8000_8000_8000);
        assert_eq!(Lanes::<32>::LOW, 0x7fff_ffff_7fff_ffff_7fff_ffff_7fff_ffff);
    }
}
