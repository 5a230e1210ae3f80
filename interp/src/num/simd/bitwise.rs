//! Whole-vector bitwise instructions, which are plain `u128` operations.

ops! {
    fn v128_not(a: u128) -> u128 = !a;
    fn v128_and(a: u128, b: u128) -> u128 = a & b;
    fn v128_andnot(a: u128, b: u128) -> u128 = a & !b;
    fn v128_or(a: u128, b: u128) -> u128 = a | b;
    fn v128_xor(a: u128, b: u128) -> u128 = a ^ b;
    /// Bits of `a` where `c` is set, bits of `b` elsewhere.
    fn v128_bitselect(a: u128, b: u128, c: u128) -> u128 = (a & c) | (b & !c);
    fn v128_any_true(a: u128) -> i32 = (a != 0) as i32;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitwise() {
        let (a, b) = (0xff00_ff00 << 64 | 0xf0f0, 0x0ff0_0ff0 << 64 | 0xff00);
        assert_eq!(v128_not(0), u128::MAX);
        assert_eq!(v128_and(a, b), 0x0f00_0f00 << 64 | 0xf000);
        assert_eq!(v128_andnot(a, b), 0xf000_f000 << 64 | 0x00f0);
        assert_eq!(v128_or(a, b), 0xfff0_fff0 << 64 | 0xfff0);
        assert_eq!(v128_xor(a, b), 0xf0f0_f0f0 << 64 | 0x0ff0);
        assert_eq!(v128_bitselect(u128::MAX, 0, a), a);
        assert_eq!(v128_bitselect(a, b, 0xffff << 100 | 0xff), (a & 0xff) | (b & !0xff & !(0xffff << 100)));
        assert_eq!(v128_any_true(0), 0);
        assert_eq!(v128_any_true(1 << 127), 1);
    }
}
