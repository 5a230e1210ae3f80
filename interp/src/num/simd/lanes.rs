//! Moving lanes: splats, lane extraction and replacement, `i8x16.shuffle` and
//! `i8x16.swizzle`.
//!
//! The lane index of `extract_lane`/`replace_lane`/`shuffle` is an immediate that
//! validation has checked; it is still masked to the lane count, which costs nothing and
//! keeps these functions panic-free whatever they are given.

use super::{Lane, from_lanes, lanes, splat};

ops! {
    fn i8x16_splat(x: i32) -> u128 = splat::<i8, 16>(x as i8);
    fn i16x8_splat(x: i32) -> u128 = splat::<i16, 8>(x as i16);
    fn i32x4_splat(x: i32) -> u128 = splat::<i32, 4>(x);
    fn i64x2_splat(x: i64) -> u128 = splat::<i64, 2>(x);
    fn f32x4_splat(x: f32) -> u128 = splat::<f32, 4>(x);
    fn f64x2_splat(x: f64) -> u128 = splat::<f64, 2>(x);

    fn i8x16_extract_lane_s(v: u128, lane: u8) -> i32 = get::<i8, 16>(v, lane) as i32;
    fn i8x16_extract_lane_u(v: u128, lane: u8) -> i32 = get::<u8, 16>(v, lane) as i32;
    fn i16x8_extract_lane_s(v: u128, lane: u8) -> i32 = get::<i16, 8>(v, lane) as i32;
    fn i16x8_extract_lane_u(v: u128, lane: u8) -> i32 = get::<u16, 8>(v, lane) as i32;
    fn i32x4_extract_lane(v: u128, lane: u8) -> i32 = get::<i32, 4>(v, lane);
    fn i64x2_extract_lane(v: u128, lane: u8) -> i64 = get::<i64, 2>(v, lane);
    fn f32x4_extract_lane(v: u128, lane: u8) -> f32 = get::<f32, 4>(v, lane);
    fn f64x2_extract_lane(v: u128, lane: u8) -> f64 = get::<f64, 2>(v, lane);

    fn i8x16_replace_lane(v: u128, x: i32, lane: u8) -> u128 = set::<i8, 16>(v, lane, x as i8);
    fn i16x8_replace_lane(v: u128, x: i32, lane: u8) -> u128 = set::<i16, 8>(v, lane, x as i16);
    fn i32x4_replace_lane(v: u128, x: i32, lane: u8) -> u128 = set::<i32, 4>(v, lane, x);
    fn i64x2_replace_lane(v: u128, x: i64, lane: u8) -> u128 = set::<i64, 2>(v, lane, x);
    fn f32x4_replace_lane(v: u128, x: f32, lane: u8) -> u128 = set::<f32, 4>(v, lane, x);
    fn f64x2_replace_lane(v: u128, x: f64, lane: u8) -> u128 = set::<f64, 2>(v, lane, x);
}

#[inline(always)]
fn get<T: Lane, const N: usize>(v: u128, lane: u8) -> T {
    lanes::<T, N>(v)[lane as usize % N]
}

#[inline(always)]
fn set<T: Lane, const N: usize>(v: u128, lane: u8, x: T) -> u128 {
    let mut lanes = lanes::<T, N>(v);
    lanes[lane as usize % N] = x;
    from_lanes::<T, N>(lanes)
}

/// `i8x16.shuffle`: byte `i` of the result is byte `lanes[i]` of `a` followed by `b`.
#[inline]
pub fn i8x16_shuffle(a: u128, b: u128, lanes: [u8; 16]) -> u128 {
    let mut both = [0; 32];
    both[..16].copy_from_slice(&a.to_le_bytes());
    both[16..].copy_from_slice(&b.to_le_bytes());
    u128::from_le_bytes(lanes.map(|i| both[i as usize % 32]))
}

/// `i8x16.swizzle`: byte `i` of the result is byte `s[i]` of `a`, or 0 if `s[i] >= 16`.
#[inline]
pub fn i8x16_swizzle(a: u128, s: u128) -> u128 {
    let a = a.to_le_bytes();
    u128::from_le_bytes(s.to_le_bytes().map(|i| a.get(i as usize).copied().unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: u128 = 0x8f8e_8d8c_8b8a_8988_8786_8584_8382_8180;

    #[test]
    fn splats() {
        assert_eq!(i8x16_splat(0x1ff), u128::MAX);
        assert_eq!(i8x16_splat(0x12), 0x1212_1212_1212_1212_1212_1212_1212_1212);
        assert_eq!(i16x8_splat(0x1_8001), 0x8001_8001_8001_8001_8001_8001_8001_8001);
        assert_eq!(i32x4_splat(-2), 0xffff_fffe_ffff_fffe_ffff_fffe_ffff_fffe);
        assert_eq!(i64x2_splat(1), 1 << 64 | 1);
        assert_eq!(f32x4_splat(-0.0), 0x8000_0000_8000_0000_8000_0000_8000_0000);
        assert_eq!(f64x2_splat(f64::from_bits(0x7ff4_0000_0000_0001)), 0x7ff4_0000_0000_0001 * (1 << 64 | 1));
    }

    #[test]
    fn extract_and_replace() {
        assert_eq!(i8x16_extract_lane_s(V, 0), -128);
        assert_eq!(i8x16_extract_lane_u(V, 15), 0x8f);
        assert_eq!(i16x8_extract_lane_s(V, 1), 0x8382u16 as i16 as i32);
        assert_eq!(i16x8_extract_lane_u(V, 7), 0x8f8e);
        assert_eq!(i32x4_extract_lane(V, 3), 0x8f8e_8d8cu32 as i32);
        assert_eq!(i64x2_extract_lane(V, 1), 0x8f8e_8d8c_8b8a_8988u64 as i64);
        assert_eq!(f32x4_extract_lane(f32x4_splat(1.5), 2), 1.5);
        assert_eq!(f64x2_extract_lane(0x7ff4_0000_0000_0001 << 64, 1).to_bits(), 0x7ff4_0000_0000_0001);
        assert_eq!(i8x16_replace_lane(0, 0x1ff, 15), 0xff << 120);
        assert_eq!(i16x8_replace_lane(u128::MAX, 0, 1), !(0xffff << 16));
        assert_eq!(i32x4_replace_lane(0, -1, 2), 0xffff_ffff << 64);
        assert_eq!(i64x2_replace_lane(V, 0, 0), V & !(u64::MAX as u128));
        assert_eq!(f32x4_replace_lane(0, -0.0, 3), 0x8000_0000 << 96);
        assert_eq!(f64x2_replace_lane(u128::MAX, 1.0, 0), u128::MAX << 64 | 0x3ff0_0000_0000_0000);
    }

    #[test]
    fn shuffle_picks_from_both_operands() {
        let a = u128::from_le_bytes(std::array::from_fn(|i| i as u8));
        let b = u128::from_le_bytes(std::array::from_fn(|i| 0x10 + i as u8));
        let reversed: [u8; 16] = std::array::from_fn(|i| 31 - i as u8);
        assert_eq!(i8x16_shuffle(a, b, reversed).to_le_bytes(), reversed);
        let pick = [0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23];
        assert_eq!(i8x16_shuffle(a, b, pick).to_le_bytes(), pick);
    }

    #[test]
    fn swizzle_zeroes_out_of_range_indices() {
        let a = u128::from_le_bytes(std::array::from_fn(|i| 0xa0 + i as u8));
        let s = u128::from_le_bytes([15, 0, 16, 255, 1, 128, 17, 14, 2, 2, 2, 2, 0x7f, 0x80, 3, 4]);
        let expected = [0xaf, 0xa0, 0, 0, 0xa1, 0, 0, 0xae, 0xa2, 0xa2, 0xa2, 0xa2, 0, 0, 0xa3, 0xa4];
        assert_eq!(i8x16_swizzle(a, s).to_le_bytes(), expected);
    }
}
