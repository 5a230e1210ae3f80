//! Loads and stores at any offset from a base register, and constants in any
//! register: AArch64 encodes only some offsets and immediates in an instruction, and
//! dynasm panics on the others, so every access and constant goes through here.

use dynasmrt::aarch64::Assembler;
use dynasmrt::{DynasmApi, aarch64};

/// The register a helper may overwrite to materialize an offset or an immediate.
pub(crate) const IMM: u8 = 14;

/// A load or store: the instruction and the register file of its value.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum Access {
    LdrbW,
    LdrsbW,
    LdrsbX,
    LdrhW,
    LdrshW,
    LdrshX,
    LdrW,
    LdrswX,
    LdrX,
    LdrS,
    LdrD,
    LdrQ,
    StrbW,
    StrhW,
    StrW,
    StrX,
    StrS,
    StrD,
    StrQ,
}

impl Access {
    /// For a store of more than one byte, a load of the same bytes that discards them
    /// (into `wzr`/`xzr`, or the scratch vector `v31`).
    pub(crate) fn probe(self) -> Option<(Access, u8)> {
        use Access::*;
        match self {
            StrhW => Some((LdrhW, 31)),
            StrW => Some((LdrW, 31)),
            StrX => Some((LdrX, 31)),
            StrS => Some((LdrS, 31)),
            StrD => Some((LdrD, 31)),
            StrQ => Some((LdrQ, 31)),
            _ => None,
        }
    }

    /// Bytes accessed, which scale the instruction's unsigned offset.
    pub(crate) fn bytes(self) -> u32 {
        use Access::*;
        match self {
            LdrbW | LdrsbW | LdrsbX | StrbW => 1,
            LdrhW | LdrshW | LdrshX | StrhW => 2,
            LdrW | LdrswX | StrW | LdrS | StrS => 4,
            LdrX | StrX | LdrD | StrD => 8,
            LdrQ | StrQ => 16,
        }
    }
}

/// Emits `access` of register `rt` at `base + offset`; the access itself is the last
/// instruction emitted, and `before_access` runs right before it (to note a fault site).
pub(crate) fn emit(
    ops: &mut Assembler,
    access: Access,
    rt: u8,
    base: u8,
    offset: u32,
    before_access: impl FnOnce(&mut Assembler),
) {
    let bytes = access.bytes();
    if offset.is_multiple_of(bytes) && offset / bytes < 4096 {
        before_access(ops);
        scaled(ops, access, rt, base, offset);
    } else if offset < 256 {
        before_access(ops);
        unscaled(ops, access, rt, base, offset as i32);
    } else {
        mov_imm(ops, true, IMM, u64::from(offset));
        before_access(ops);
        indexed(ops, access, rt, base, IMM);
    }
}

/// Emits `access` of `$t` at `$address`, written as dynasm writes it, in an addressing
/// form every access takes with the same instruction (all but `unscaled`'s).
macro_rules! access_at {
    ($ops:expr, $access:expr, $t:expr, $($address:tt)*) => {
        use Access::*;
        match $access {
            LdrbW => asm!($ops ; ldrb W($t), $($address)*),
            LdrsbW => asm!($ops ; ldrsb W($t), $($address)*),
            LdrsbX => asm!($ops ; ldrsb X($t), $($address)*),
            LdrhW => asm!($ops ; ldrh W($t), $($address)*),
            LdrshW => asm!($ops ; ldrsh W($t), $($address)*),
            LdrshX => asm!($ops ; ldrsh X($t), $($address)*),
            LdrW => asm!($ops ; ldr W($t), $($address)*),
            LdrswX => asm!($ops ; ldrsw X($t), $($address)*),
            LdrX => asm!($ops ; ldr X($t), $($address)*),
            LdrS => asm!($ops ; ldr S($t), $($address)*),
            LdrD => asm!($ops ; ldr D($t), $($address)*),
            LdrQ => asm!($ops ; ldr Q($t), $($address)*),
            StrbW => asm!($ops ; strb W($t), $($address)*),
            StrhW => asm!($ops ; strh W($t), $($address)*),
            StrW => asm!($ops ; str W($t), $($address)*),
            StrX => asm!($ops ; str X($t), $($address)*),
            StrS => asm!($ops ; str S($t), $($address)*),
            StrD => asm!($ops ; str D($t), $($address)*),
            StrQ => asm!($ops ; str Q($t), $($address)*),
        }
    };
}

/// Emits `access` of `rt` at `base + zero-extended w(index)`.
pub(crate) fn emit_uxtw(ops: &mut Assembler, access: Access, rt: u8, base: u8, index: u8) {
    access_at!(ops, access, rt, [X(base), W(index), uxtw]);
}

/// Emits `access` of `t` at `b + offset`, `offset` a multiple of the bytes accessed.
fn scaled(ops: &mut Assembler, access: Access, t: u8, b: u8, offset: u32) {
    access_at!(ops, access, t, [XSP(b), offset]);
}

fn unscaled(ops: &mut Assembler, access: Access, t: u8, b: u8, offset: i32) {
    use Access::*;
    match access {
        LdrbW => asm!(ops ; ldurb W(t), [XSP(b), offset]),
        LdrsbW => asm!(ops ; ldursb W(t), [XSP(b), offset]),
        LdrsbX => asm!(ops ; ldursb X(t), [XSP(b), offset]),
        LdrhW => asm!(ops ; ldurh W(t), [XSP(b), offset]),
        LdrshW => asm!(ops ; ldursh W(t), [XSP(b), offset]),
        LdrshX => asm!(ops ; ldursh X(t), [XSP(b), offset]),
        LdrW => asm!(ops ; ldur W(t), [XSP(b), offset]),
        LdrswX => asm!(ops ; ldursw X(t), [XSP(b), offset]),
        LdrX => asm!(ops ; ldur X(t), [XSP(b), offset]),
        LdrS => asm!(ops ; ldur S(t), [XSP(b), offset]),
        LdrD => asm!(ops ; ldur D(t), [XSP(b), offset]),
        LdrQ => asm!(ops ; ldur Q(t), [XSP(b), offset]),
        StrbW => asm!(ops ; sturb W(t), [XSP(b), offset]),
        StrhW => asm!(ops ; sturh W(t), [XSP(b), offset]),
        StrW => asm!(ops ; stur W(t), [XSP(b), offset]),
        StrX => asm!(ops ; stur X(t), [XSP(b), offset]),
        StrS => asm!(ops ; stur S(t), [XSP(b), offset]),
        StrD => asm!(ops ; stur D(t), [XSP(b), offset]),
        StrQ => asm!(ops ; stur Q(t), [XSP(b), offset]),
    }
}

/// Emits `access` of register `t` at `b + i`, both 64-bit registers.
pub(crate) fn indexed(ops: &mut Assembler, access: Access, t: u8, b: u8, i: u8) {
    access_at!(ops, access, t, [XSP(b), X(i)]);
}

/// Puts `value` in `x{r}` (`wide`) or `w{r}`: one `movz`/`movn` and a `movk` for each
/// other 16 bits that differ from the background, or a logical immediate when it takes
/// one instruction fewer.
pub(crate) fn mov_imm(ops: &mut Assembler, wide: bool, r: u8, value: u64) {
    let value = if wide { value } else { value & 0xFFFF_FFFF };
    let halves = if wide { 4 } else { 2 };
    let half = |i: u32| ((value >> (16 * i)) & 0xFFFF) as u32;
    let zeros = (0..halves).filter(|&i| half(i) == 0).count();
    let ones = (0..halves).filter(|&i| half(i) == 0xFFFF).count();
    let logical = if wide {
        aarch64::encode_logical_immediate_64bit(value).is_some()
    } else {
        aarch64::encode_logical_immediate_32bit(value as u32).is_some()
    };
    let needed = halves as usize - zeros.max(ones);
    if logical && needed > 1 {
        if wide {
            asm!(ops ; orr XSP(r), xzr, value);
        } else {
            asm!(ops ; orr WSP(r), wzr, value as u32);
        }
        return;
    }
    let inverted = ones > zeros;
    let background = if inverted { 0xFFFF } else { 0 };
    let mut first = true;
    for i in 0..halves {
        let h = half(i);
        if h == background && !(first && i == halves - 1) {
            continue;
        }
        let shift = 16 * i;
        match (first, inverted, wide) {
            (true, false, true) => asm!(ops ; movz X(r), h, lsl shift),
            (true, false, false) => asm!(ops ; movz W(r), h, lsl shift),
            (true, true, true) => asm!(ops ; movn X(r), !h & 0xFFFF, lsl shift),
            (true, true, false) => asm!(ops ; movn W(r), !h & 0xFFFF, lsl shift),
            (false, _, true) => asm!(ops ; movk X(r), h, lsl shift),
            (false, _, false) => asm!(ops ; movk W(r), h, lsl shift),
        }
        first = false;
    }
}

/// `x{d} = x{n} + value` (`w` registers when not `wide`); `d` and `n` may be `sp`
/// (31) as long as the value fits an `add`/`sub` immediate.
pub(crate) fn add_imm(ops: &mut Assembler, wide: bool, d: u8, n: u8, value: i64) {
    let magnitude = value.unsigned_abs();
    let (imm, shift) = if magnitude < 4096 {
        (magnitude as u32, 0)
    } else if magnitude & 0xFFF == 0 && magnitude >> 12 < 4096 {
        ((magnitude >> 12) as u32, 12)
    } else {
        debug_assert!(d != 31 && n != 31, "a large immediate added to sp");
        mov_imm(ops, wide, IMM, value as u64);
        match wide {
            true => asm!(ops ; add X(d), X(n), X(IMM)),
            false => asm!(ops ; add W(d), W(n), W(IMM)),
        }
        return;
    };
    match (value < 0, wide) {
        (false, true) => asm!(ops ; add XSP(d), XSP(n), imm, lsl shift),
        (false, false) => asm!(ops ; add WSP(d), WSP(n), imm, lsl shift),
        (true, true) => asm!(ops ; sub XSP(d), XSP(n), imm, lsl shift),
        (true, false) => asm!(ops ; sub WSP(d), WSP(n), imm, lsl shift),
    }
}
