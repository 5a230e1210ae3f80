//! Relaxed SIMD (Wasm 3.0): instructions whose results the spec lets each host choose
//! among a few, so that each compiles to one fast instruction of the hardware.
//!
//! The interpreter makes the choices of the host's compiler, so that every tier gives
//! the same bits on one host (the differential tests compare them exactly); hosts
//! without a compiler take the deterministic profile's choice, the first of the spec's.
//! [`deterministic`] gives the deterministic profile's results on any host.
//!
//! - x86-64 (SSE4.1): `pshufb` swizzles (an index with bit 7 set gives 0, any other
//!   takes its low 4 bits); `cvttps2dq`/`cvttpd2dq` truncate (NaN and out-of-range
//!   lanes give `i32::MIN`); `mulps`+`addps` multiply-add unfused; `minps`/`maxps` give
//!   their second operand when either is NaN or both are zeros; `pmulhrsw` wraps the
//!   one overflowing Q15 product to `i16::MIN`.
//! - AArch64 (NEON): the deterministic results but for `fmla`/`fmls`, which fuse.
//!
//! On both, the unsigned truncations saturate, lane selection is a bit select and the
//! dot products take both operands as signed: the choices of the deterministic profile,
//! which the fast instructions give there too.

use super::{Lane, from_lanes, lanes, zip};

/// The host's choices, as the module's documentation lists them.
const X86: bool = cfg!(target_arch = "x86_64");
const FUSED: bool = cfg!(target_arch = "aarch64");

ops! {
    fn i8x16_relaxed_swizzle(a: u128, s: u128) -> u128 =
        if X86 { swizzle_low_bits(a, s) } else { deterministic::i8x16_relaxed_swizzle(a, s) };
    fn i32x4_relaxed_trunc_f32x4_s(a: u128) -> u128 = if X86 {
        from_lanes(lanes::<f32, 4>(a).map(|x| trunc_or_min(f64::from(x))))
    } else {
        deterministic::i32x4_relaxed_trunc_f32x4_s(a)
    };
    fn i32x4_relaxed_trunc_f32x4_u(a: u128) -> u128 = deterministic::i32x4_relaxed_trunc_f32x4_u(a);
    fn i32x4_relaxed_trunc_f64x2_s_zero(a: u128) -> u128 = if X86 {
        let [x, y] = lanes::<f64, 2>(a);
        from_lanes([trunc_or_min(x), trunc_or_min(y), 0, 0])
    } else {
        deterministic::i32x4_relaxed_trunc_f64x2_s_zero(a)
    };
    fn i32x4_relaxed_trunc_f64x2_u_zero(a: u128) -> u128 = deterministic::i32x4_relaxed_trunc_f64x2_u_zero(a);
    fn f32x4_relaxed_madd(a: u128, b: u128, c: u128) -> u128 = madd::<f32, 4>(a, b, c, false);
    fn f32x4_relaxed_nmadd(a: u128, b: u128, c: u128) -> u128 = madd::<f32, 4>(a, b, c, true);
    fn f64x2_relaxed_madd(a: u128, b: u128, c: u128) -> u128 = madd::<f64, 2>(a, b, c, false);
    fn f64x2_relaxed_nmadd(a: u128, b: u128, c: u128) -> u128 = madd::<f64, 2>(a, b, c, true);
    fn i8x16_relaxed_laneselect(a: u128, b: u128, m: u128) -> u128 = super::v128_bitselect(a, b, m);
    fn i16x8_relaxed_laneselect(a: u128, b: u128, m: u128) -> u128 = super::v128_bitselect(a, b, m);
    fn i32x4_relaxed_laneselect(a: u128, b: u128, m: u128) -> u128 = super::v128_bitselect(a, b, m);
    fn i64x2_relaxed_laneselect(a: u128, b: u128, m: u128) -> u128 = super::v128_bitselect(a, b, m);
    fn f32x4_relaxed_min(a: u128, b: u128) -> u128 =
        if X86 { zip::<f32, 4>(a, b, |x, y| if x < y { x } else { y }) } else { super::f32x4_min(a, b) };
    fn f32x4_relaxed_max(a: u128, b: u128) -> u128 =
        if X86 { zip::<f32, 4>(a, b, |x, y| if x > y { x } else { y }) } else { super::f32x4_max(a, b) };
    fn f64x2_relaxed_min(a: u128, b: u128) -> u128 =
        if X86 { zip::<f64, 2>(a, b, |x, y| if x < y { x } else { y }) } else { super::f64x2_min(a, b) };
    fn f64x2_relaxed_max(a: u128, b: u128) -> u128 =
        if X86 { zip::<f64, 2>(a, b, |x, y| if x > y { x } else { y }) } else { super::f64x2_max(a, b) };
    fn i16x8_relaxed_q15mulr_s(a: u128, b: u128) -> u128 = if X86 {
        zip::<i16, 8>(a, b, |x, y| ((i32::from(x) * i32::from(y) + 0x4000) >> 15) as i16)
    } else {
        super::i16x8_q15mulr_sat_s(a, b)
    };
    fn i16x8_relaxed_dot_i8x16_i7x16_s(a: u128, b: u128) -> u128 = deterministic::i16x8_relaxed_dot_i8x16_i7x16_s(a, b);
    fn i32x4_relaxed_dot_i8x16_i7x16_add_s(a: u128, b: u128, c: u128) -> u128 =
        deterministic::i32x4_relaxed_dot_i8x16_i7x16_add_s(a, b, c);
}

/// The deterministic profile's results: the spec's first choice for every relaxed
/// instruction, the same on every host; every other instruction as it is.
pub mod deterministic {
    pub use crate::num::*;

    use super::super::{from_lanes, lanes};

    ops! {
        fn i8x16_relaxed_swizzle(a: u128, s: u128) -> u128 = i8x16_swizzle(a, s);
        fn i32x4_relaxed_trunc_f32x4_s(a: u128) -> u128 = i32x4_trunc_sat_f32x4_s(a);
        fn i32x4_relaxed_trunc_f32x4_u(a: u128) -> u128 = i32x4_trunc_sat_f32x4_u(a);
        fn i32x4_relaxed_trunc_f64x2_s_zero(a: u128) -> u128 = i32x4_trunc_sat_f64x2_s_zero(a);
        fn i32x4_relaxed_trunc_f64x2_u_zero(a: u128) -> u128 = i32x4_trunc_sat_f64x2_u_zero(a);
        fn f32x4_relaxed_madd(a: u128, b: u128, c: u128) -> u128 = super::unfused::<f32, 4>(a, b, c, false);
        fn f32x4_relaxed_nmadd(a: u128, b: u128, c: u128) -> u128 = super::unfused::<f32, 4>(a, b, c, true);
        fn f64x2_relaxed_madd(a: u128, b: u128, c: u128) -> u128 = super::unfused::<f64, 2>(a, b, c, false);
        fn f64x2_relaxed_nmadd(a: u128, b: u128, c: u128) -> u128 = super::unfused::<f64, 2>(a, b, c, true);
        fn i8x16_relaxed_laneselect(a: u128, b: u128, m: u128) -> u128 = v128_bitselect(a, b, m);
        fn i16x8_relaxed_laneselect(a: u128, b: u128, m: u128) -> u128 = v128_bitselect(a, b, m);
        fn i32x4_relaxed_laneselect(a: u128, b: u128, m: u128) -> u128 = v128_bitselect(a, b, m);
        fn i64x2_relaxed_laneselect(a: u128, b: u128, m: u128) -> u128 = v128_bitselect(a, b, m);
        fn f32x4_relaxed_min(a: u128, b: u128) -> u128 = f32x4_min(a, b);
        fn f32x4_relaxed_max(a: u128, b: u128) -> u128 = f32x4_max(a, b);
        fn f64x2_relaxed_min(a: u128, b: u128) -> u128 = f64x2_min(a, b);
        fn f64x2_relaxed_max(a: u128, b: u128) -> u128 = f64x2_max(a, b);
        fn i16x8_relaxed_q15mulr_s(a: u128, b: u128) -> u128 = i16x8_q15mulr_sat_s(a, b);
        /// Both operands signed; each 16-bit lane the wrapping sum of two products.
        fn i16x8_relaxed_dot_i8x16_i7x16_s(a: u128, b: u128) -> u128 = from_lanes(dot_pairs(a, b));
        /// The 16-bit sums of [`i16x8_relaxed_dot_i8x16_i7x16_s`], added in pairs to 32
        /// bits, plus `c`.
        fn i32x4_relaxed_dot_i8x16_i7x16_add_s(a: u128, b: u128, c: u128) -> u128 = {
            let (sums, c) = (dot_pairs(a, b), lanes::<i32, 4>(c));
            from_lanes(std::array::from_fn::<i32, 4, _>(|i| {
                (i32::from(sums[2 * i]) + i32::from(sums[2 * i + 1])).wrapping_add(c[i])
            }))
        };
    }

    /// The wrapping 16-bit sums of the products of adjacent signed bytes.
    fn dot_pairs(a: u128, b: u128) -> [i16; 8] {
        let (a, b) = (lanes::<i8, 16>(a), lanes::<i8, 16>(b));
        let product = |i: usize| i16::from(a[i]) * i16::from(b[i]);
        std::array::from_fn(|i| product(2 * i).wrapping_add(product(2 * i + 1)))
    }
}

/// `pshufb`: a byte index with bit 7 set gives 0; any other takes byte `index & 15`.
fn swizzle_low_bits(a: u128, s: u128) -> u128 {
    let a = a.to_le_bytes();
    u128::from_le_bytes(s.to_le_bytes().map(|i| if i & 0x80 != 0 { 0 } else { a[usize::from(i & 15)] }))
}

/// `cvtt*2dq`: `x` truncated if it fits an `i32`, else (NaN included) `i32::MIN`.
fn trunc_or_min(x: f64) -> i32 {
    let t = x.trunc();
    if (-2_147_483_648.0..2_147_483_648.0).contains(&t) { t as i32 } else { i32::MIN }
}

/// A float lane type with a multiply-add.
trait Float:
    Lane + std::ops::Mul<Output = Self> + std::ops::Add<Output = Self> + std::ops::Neg<Output = Self>
{
    fn mul_add(self, b: Self, c: Self) -> Self;
}

impl Float for f32 {
    fn mul_add(self, b: Self, c: Self) -> Self {
        f32::mul_add(self, b, c)
    }
}

impl Float for f64 {
    fn mul_add(self, b: Self, c: Self) -> Self {
        f64::mul_add(self, b, c)
    }
}

/// `±a * b + c` lane by lane, fused where the host's compiler fuses.
fn madd<T: Float, const N: usize>(a: u128, b: u128, c: u128, negate: bool) -> u128 {
    if FUSED {
        let (a, b, c) = (lanes::<T, N>(a), lanes::<T, N>(b), lanes::<T, N>(c));
        from_lanes::<T, N>(std::array::from_fn(|i| {
            let a = if negate { -a[i] } else { a[i] };
            a.mul_add(b[i], c[i])
        }))
    } else {
        unfused::<T, N>(a, b, c, negate)
    }
}

/// `±a * b + c` lane by lane, rounded after the product and after the sum.
fn unfused<T: Float, const N: usize>(a: u128, b: u128, c: u128, negate: bool) -> u128 {
    let (a, b, c) = (lanes::<T, N>(a), lanes::<T, N>(b), lanes::<T, N>(c));
    from_lanes::<T, N>(std::array::from_fn(|i| {
        let a = if negate { -a[i] } else { a[i] };
        a * b[i] + c[i]
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(b: [u8; 16]) -> u128 {
        u128::from_le_bytes(b)
    }

    #[test]
    fn swizzle_indices_out_of_range_give_zero_or_the_low_bits() {
        let a = bytes(std::array::from_fn(|i| 100 + i as u8));
        let s = bytes([0, 15, 16, 17, 0x7F, 0x80, 0xFF, 3, 0, 0, 0, 0, 0, 0, 0, 0]);
        let low_bits = swizzle_low_bits(a, s).to_le_bytes();
        assert_eq!(low_bits[..8], [100, 115, 100, 101, 115, 0, 0, 103]);
        let det = deterministic::i8x16_relaxed_swizzle(a, s).to_le_bytes();
        assert_eq!(det[..8], [100, 115, 0, 0, 0, 0, 0, 103]);
    }

    #[test]
    fn truncation_out_of_range_gives_min() {
        assert_eq!(trunc_or_min(f64::NAN), i32::MIN);
        assert_eq!(trunc_or_min(3e9), i32::MIN);
        assert_eq!(trunc_or_min(-2_147_483_648.9), i32::MIN);
        assert_eq!(trunc_or_min(2_147_483_647.9), i32::MAX);
        assert_eq!(trunc_or_min(-7.5), -7);
    }

    #[test]
    fn dot_products_wrap_in_16_bits() {
        let a = bytes([0x80; 16]);
        // (-128 * -128) * 2 = 32768 wraps to -32768 in the 16-bit sum.
        let sums = lanes::<i16, 8>(deterministic::i16x8_relaxed_dot_i8x16_i7x16_s(a, a));
        assert_eq!(sums, [i16::MIN; 8]);
        let c = from_lanes::<i32, 4>([1, 2, 3, 4]);
        let sums = lanes::<i32, 4>(deterministic::i32x4_relaxed_dot_i8x16_i7x16_add_s(a, a, c));
        assert_eq!(sums, [-65535, -65534, -65533, -65532]);
    }

    #[test]
    fn fused_multiply_add_rounds_once() {
        // (1 + 2^-23)^2 - 1 needs the exact product.
        let x = from_lanes::<f32, 4>([1.0 + f32::EPSILON; 4]);
        let minus_one = from_lanes::<f32, 4>([-1.0; 4]);
        let fused = lanes::<f32, 4>(madd::<f32, 4>(x, x, minus_one, false))[0];
        let unfused = lanes::<f32, 4>(unfused::<f32, 4>(x, x, minus_one, false))[0];
        assert_eq!(unfused, 2.0 * f32::EPSILON);
        assert_eq!(fused, if FUSED { 2.0 * f32::EPSILON + f32::EPSILON * f32::EPSILON } else { unfused });
    }
}
