//! Script values: `invoke` arguments turned into [`Val`]s, and results checked against
//! what `assert_return` expects (exact bits, NaN patterns, per-lane `v128` patterns,
//! references).

use std::collections::HashMap;

use stratus_runtime::{ExternAddr, Store, Val};
use wast::core::{AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::token::{F32, F64};
use wast::{WastArg, WastRet};

/// The host values behind `ref.extern N`: the same `N` is the same value for the whole
/// script, so a reference passed in and handed back compares equal.
#[derive(Default)]
pub(crate) struct ExternRefs {
    by_number: HashMap<u32, ExternAddr>,
}

impl ExternRefs {
    /// The host value for `N`, created in `store` the first time it is named.
    pub(crate) fn get_or_create<T>(&mut self, store: &mut Store<T>, number: u32) -> ExternAddr {
        *self.by_number.entry(number).or_insert_with(|| store.add_extern(Box::new(number)))
    }

    /// The host value for `N`, if the script ever passed it in. Wasm code cannot make
    /// externrefs of its own, so one never passed in cannot come back.
    pub(crate) fn get(&self, number: u32) -> Option<ExternAddr> {
        self.by_number.get(&number).copied()
    }
}

/// The value of an `invoke` argument.
pub(crate) fn arg_val<T>(
    arg: &WastArg<'_>,
    store: &mut Store<T>,
    externs: &mut ExternRefs,
) -> Result<Val, String> {
    // Irrefutable unless another crate in the build turns on `wast`'s component model.
    #[allow(irrefutable_let_patterns)]
    let WastArg::Core(arg) = arg else {
        return Err("component-model arguments are outside core WebAssembly".to_string());
    };
    Ok(match arg {
        WastArgCore::I32(v) => Val::I32(*v),
        WastArgCore::I64(v) => Val::I64(*v),
        WastArgCore::F32(v) => Val::F32(v.bits),
        WastArgCore::F64(v) => Val::F64(v.bits),
        WastArgCore::V128(v) => Val::V128(u128::from_le_bytes(v.to_le_bytes())),
        WastArgCore::RefNull(HeapType::Abstract { ty: AbstractHeapType::Func, .. }) => Val::FuncRef(None),
        WastArgCore::RefNull(HeapType::Abstract { ty: AbstractHeapType::Extern, .. }) => Val::ExternRef(None),
        WastArgCore::RefExtern(number) => Val::ExternRef(Some(externs.get_or_create(store, *number))),
        WastArgCore::RefNull(_) | WastArgCore::RefHost(_) => {
            return Err(format!("argument {arg:?} is outside WebAssembly 2.0"));
        }
    })
}

/// Which NaNs the patterns `nan:canonical` and `nan:arithmetic` admit.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum Profile {
    /// The spec's full profile: the NaNs each pattern names, of either sign.
    Full,
    /// The deterministic profile, strictly: every NaN an instruction produces is the
    /// positive canonical NaN, so both patterns admit that one alone.
    Deterministic,
}

/// Whether `actual` is what the script expects.
pub(crate) fn matches(expected: &WastRet<'_>, actual: &Val, externs: &ExternRefs, profile: Profile) -> bool {
    #[allow(irrefutable_let_patterns)] // As in `arg_val`.
    let WastRet::Core(expected) = expected else { return false };
    matches_core(expected, actual, externs, profile)
}

fn matches_core(expected: &WastRetCore<'_>, actual: &Val, externs: &ExternRefs, profile: Profile) -> bool {
    match (expected, actual) {
        (WastRetCore::I32(e), Val::I32(a)) => e == a,
        (WastRetCore::I64(e), Val::I64(a)) => e == a,
        (WastRetCore::F32(e), Val::F32(a)) => f32_matches(e, *a, profile),
        (WastRetCore::F64(e), Val::F64(a)) => f64_matches(e, *a, profile),
        (WastRetCore::V128(e), Val::V128(a)) => v128_matches(e, *a, profile),
        (WastRetCore::RefNull(heap), Val::FuncRef(None)) => null_of(heap, AbstractHeapType::Func),
        (WastRetCore::RefNull(heap), Val::ExternRef(None)) => null_of(heap, AbstractHeapType::Extern),
        (WastRetCore::RefExtern(None), Val::ExternRef(Some(_))) => true,
        (WastRetCore::RefExtern(Some(number)), Val::ExternRef(Some(a))) => externs.get(*number) == Some(*a),
        // The index names a function of some module; which function the reference
        // points at is not observable from the script, so any non-null one matches.
        (WastRetCore::RefFunc(_), Val::FuncRef(Some(_))) => true,
        (WastRetCore::Either(options), _) => {
            options.iter().any(|e| matches_core(e, actual, externs, profile))
        }
        _ => false,
    }
}

/// A `ref.null` pattern without a type matches either null; with one, only its own.
fn null_of(heap: &Option<HeapType<'_>>, ty: AbstractHeapType) -> bool {
    match heap {
        None => true,
        Some(HeapType::Abstract { ty: expected, .. }) => {
            std::mem::discriminant(expected) == std::mem::discriminant(&ty)
        }
        Some(_) => false,
    }
}

const F32_SIGN: u32 = 1 << 31;
const F32_QUIET_NAN: u32 = 0x7fc0_0000;
const F64_SIGN: u64 = 1 << 63;
const F64_QUIET_NAN: u64 = 0x7ff8_0000_0000_0000;

/// `nan:canonical` is the quiet NaN with an empty payload, of either sign;
/// `nan:arithmetic` any NaN with the quiet bit set; a literal compares by bits, so a
/// NaN literal names one exact payload and `-0` differs from `0`. Under the
/// deterministic profile both patterns admit the positive canonical NaN alone.
pub(crate) fn f32_matches(expected: &NanPattern<F32>, bits: u32, profile: Profile) -> bool {
    match expected {
        NanPattern::Value(value) => value.bits == bits,
        _ if profile == Profile::Deterministic => bits == F32_QUIET_NAN,
        NanPattern::CanonicalNan => bits & !F32_SIGN == F32_QUIET_NAN,
        NanPattern::ArithmeticNan => bits & F32_QUIET_NAN == F32_QUIET_NAN,
    }
}

/// As [`f32_matches`], for `f64`.
pub(crate) fn f64_matches(expected: &NanPattern<F64>, bits: u64, profile: Profile) -> bool {
    match expected {
        NanPattern::Value(value) => value.bits == bits,
        _ if profile == Profile::Deterministic => bits == F64_QUIET_NAN,
        NanPattern::CanonicalNan => bits & !F64_SIGN == F64_QUIET_NAN,
        NanPattern::ArithmeticNan => bits & F64_QUIET_NAN == F64_QUIET_NAN,
    }
}

/// Integer shapes compare the whole vector; float shapes compare lane by lane, each
/// lane with its own NaN pattern.
pub(crate) fn v128_matches(expected: &V128Pattern, actual: u128, profile: Profile) -> bool {
    match expected {
        V128Pattern::F32x4(lanes) => {
            lanes.iter().enumerate().all(|(i, lane)| f32_matches(lane, (actual >> (32 * i)) as u32, profile))
        }
        V128Pattern::F64x2(lanes) => {
            lanes.iter().enumerate().all(|(i, lane)| f64_matches(lane, (actual >> (64 * i)) as u64, profile))
        }
        _ => int_pattern_bits(expected) == Some(actual),
    }
}

/// The vector an integer-shaped pattern stands for.
fn int_pattern_bits(pattern: &V128Pattern) -> Option<u128> {
    let mut bytes = [0u8; 16];
    match pattern {
        V128Pattern::I8x16(lanes) => {
            lanes.iter().enumerate().for_each(|(i, lane)| bytes[i] = *lane as u8);
        }
        V128Pattern::I16x8(lanes) => fill_lanes(&mut bytes, lanes.iter().map(|l| l.to_le_bytes())),
        V128Pattern::I32x4(lanes) => fill_lanes(&mut bytes, lanes.iter().map(|l| l.to_le_bytes())),
        V128Pattern::I64x2(lanes) => fill_lanes(&mut bytes, lanes.iter().map(|l| l.to_le_bytes())),
        V128Pattern::F32x4(_) | V128Pattern::F64x2(_) => return None,
    }
    Some(u128::from_le_bytes(bytes))
}

fn fill_lanes<const N: usize>(bytes: &mut [u8; 16], lanes: impl Iterator<Item = [u8; N]>) {
    for (chunk, lane) in bytes.chunks_exact_mut(N).zip(lanes) {
        chunk.copy_from_slice(&lane);
    }
}

/// A result as a failure message shows it: integers in decimal, floats as numbers (NaNs
/// with their payload, so a wrong payload is visible), vectors as hex bytes and lanes.
pub(crate) fn describe(value: &Val) -> String {
    match value {
        Val::I32(v) => format!("i32 {v}"),
        Val::I64(v) => format!("i64 {v}"),
        Val::F32(bits) => format!("f32 {}", f32_text(*bits)),
        Val::F64(bits) => format!("f64 {}", f64_text(*bits)),
        Val::V128(v) => {
            let f32s: Vec<String> = (0..4).map(|i| f32_text((v >> (32 * i)) as u32)).collect();
            let f64s: Vec<String> = (0..2).map(|i| f64_text((v >> (64 * i)) as u64)).collect();
            let i32s: Vec<String> = (0..4).map(|i| ((v >> (32 * i)) as u32 as i32).to_string()).collect();
            format!(
                "v128 0x{v:032x} (i32x4 {}; f32x4 {}; f64x2 {})",
                i32s.join(" "),
                f32s.join(" "),
                f64s.join(" ")
            )
        }
        Val::FuncRef(None) => "ref.null func".to_string(),
        Val::FuncRef(Some(addr)) => format!("ref.func (store function {})", addr.0),
        Val::ExternRef(None) => "ref.null extern".to_string(),
        Val::ExternRef(Some(addr)) => format!("ref.extern (store host value {})", addr.0),
    }
}

/// The results of a call, for failure messages.
pub(crate) fn describe_all(values: &[Val]) -> String {
    let parts: Vec<String> = values.iter().map(describe).collect();
    format!("[{}]", parts.join(", "))
}

/// What `assert_return` expects, for failure messages.
pub(crate) fn describe_expected(expected: &WastRet<'_>) -> String {
    #[allow(irrefutable_let_patterns)] // As in `arg_val`.
    let WastRet::Core(core) = expected else { return "a component-model value".to_string() };
    describe_core(core)
}

fn describe_core(expected: &WastRetCore<'_>) -> String {
    match expected {
        WastRetCore::I32(v) => format!("i32 {v}"),
        WastRetCore::I64(v) => format!("i64 {v}"),
        WastRetCore::F32(p) => format!("f32 {}", f32_pattern_text(p)),
        WastRetCore::F64(p) => format!("f64 {}", f64_pattern_text(p)),
        WastRetCore::V128(p) => format!("v128 {}", v128_pattern_text(p)),
        WastRetCore::RefNull(None) => "ref.null".to_string(),
        WastRetCore::RefNull(Some(HeapType::Abstract { ty: AbstractHeapType::Func, .. })) => {
            "ref.null func".to_string()
        }
        WastRetCore::RefNull(Some(HeapType::Abstract { ty: AbstractHeapType::Extern, .. })) => {
            "ref.null extern".to_string()
        }
        WastRetCore::RefExtern(None) => "ref.extern".to_string(),
        WastRetCore::RefExtern(Some(n)) => format!("ref.extern {n}"),
        WastRetCore::RefFunc(_) => "ref.func".to_string(),
        WastRetCore::Either(options) => {
            let parts: Vec<String> = options.iter().map(describe_core).collect();
            format!("either ({})", parts.join(") ("))
        }
        other => format!("{other:?} (outside WebAssembly 2.0)"),
    }
}

fn v128_pattern_text(pattern: &V128Pattern) -> String {
    fn join<T: ToString>(shape: &str, lanes: impl Iterator<Item = T>) -> String {
        let lanes: Vec<String> = lanes.map(|l| l.to_string()).collect();
        format!("{shape} {}", lanes.join(" "))
    }
    let lanes = match pattern {
        V128Pattern::I8x16(l) => join("i8x16", l.iter()),
        V128Pattern::I16x8(l) => join("i16x8", l.iter()),
        V128Pattern::I32x4(l) => join("i32x4", l.iter()),
        V128Pattern::I64x2(l) => join("i64x2", l.iter()),
        V128Pattern::F32x4(l) => join("f32x4", l.iter().map(f32_pattern_text)),
        V128Pattern::F64x2(l) => join("f64x2", l.iter().map(f64_pattern_text)),
    };
    match int_pattern_bits(pattern) {
        Some(bits) => format!("0x{bits:032x} ({lanes})"),
        None => lanes,
    }
}

fn f32_pattern_text(pattern: &NanPattern<F32>) -> String {
    match pattern {
        NanPattern::CanonicalNan => "nan:canonical".to_string(),
        NanPattern::ArithmeticNan => "nan:arithmetic".to_string(),
        NanPattern::Value(v) => f32_text(v.bits),
    }
}

fn f64_pattern_text(pattern: &NanPattern<F64>) -> String {
    match pattern {
        NanPattern::CanonicalNan => "nan:canonical".to_string(),
        NanPattern::ArithmeticNan => "nan:arithmetic".to_string(),
        NanPattern::Value(v) => f64_text(v.bits),
    }
}

/// A float in the text format's spelling: NaNs as `nan:0xPAYLOAD` with their sign.
fn f32_text(bits: u32) -> String {
    let value = f32::from_bits(bits);
    if value.is_nan() {
        let sign = if bits & F32_SIGN != 0 { "-" } else { "" };
        format!("{sign}nan:0x{:x}", bits & 0x007f_ffff)
    } else {
        format!("{value:?}")
    }
}

fn f64_text(bits: u64) -> String {
    let value = f64::from_bits(bits);
    if value.is_nan() {
        let sign = if bits & F64_SIGN != 0 { "-" } else { "" };
        format!("{sign}nan:0x{:x}", bits & 0x000f_ffff_ffff_ffff)
    } else {
        format!("{value:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f32p(bits: u32) -> NanPattern<F32> {
        NanPattern::Value(F32 { bits })
    }

    #[test]
    fn f32_nan_patterns() {
        let canonical = NanPattern::CanonicalNan;
        let arithmetic = NanPattern::ArithmeticNan;
        assert!(f32_matches(&canonical, 0x7fc0_0000, Profile::Full));
        assert!(f32_matches(&canonical, 0xffc0_0000, Profile::Full), "either sign");
        assert!(!f32_matches(&canonical, 0x7fc0_0001, Profile::Full), "a payload is not canonical");
        assert!(!f32_matches(&canonical, 0x7f80_0001, Profile::Full), "signalling");
        assert!(!f32_matches(&canonical, 0x7f80_0000, Profile::Full), "infinity");
        assert!(f32_matches(&arithmetic, 0x7fc0_0000, Profile::Full));
        assert!(f32_matches(&arithmetic, 0xffc0_1234, Profile::Full), "any payload with the quiet bit");
        assert!(!f32_matches(&arithmetic, 0x7fa0_0000, Profile::Full), "signalling NaN lacks the quiet bit");
        assert!(!f32_matches(&arithmetic, 0x3fc0_0000, Profile::Full), "not a NaN");
        assert!(
            f32_matches(&f32p(0x7fa0_0000), 0x7fa0_0000, Profile::Full),
            "a NaN literal is matched by bits"
        );
        assert!(!f32_matches(&f32p(0x7fa0_0000), 0x7fc0_0000, Profile::Full));
        assert!(!f32_matches(&f32p(0x0000_0000), 0x8000_0000, Profile::Full), "0 is not -0");
    }

    #[test]
    fn f64_nan_patterns() {
        assert!(f64_matches(&NanPattern::CanonicalNan, 0xfff8_0000_0000_0000, Profile::Full));
        assert!(!f64_matches(&NanPattern::CanonicalNan, 0x7ff8_0000_0000_0001, Profile::Full));
        assert!(f64_matches(&NanPattern::ArithmeticNan, 0x7ffc_0000_0000_0001, Profile::Full));
        assert!(!f64_matches(&NanPattern::ArithmeticNan, 0x7ff4_0000_0000_0000, Profile::Full));
        assert!(!f64_matches(&NanPattern::ArithmeticNan, 0x7ff0_0000_0000_0000, Profile::Full), "infinity");
        assert!(f64_matches(&NanPattern::Value(F64 { bits: 1 }), 1, Profile::Full));
    }

    #[test]
    fn deterministic_profile_admits_the_positive_canonical_nan_alone() {
        let det = Profile::Deterministic;
        for pattern in [NanPattern::CanonicalNan, NanPattern::ArithmeticNan] {
            assert!(f32_matches(&pattern, 0x7fc0_0000, det));
            assert!(!f32_matches(&pattern, 0xffc0_0000, det), "negative");
            assert!(!f32_matches(&pattern, 0x7fc0_0001, det), "a payload");
        }
        assert!(f64_matches(&NanPattern::ArithmeticNan, 0x7ff8_0000_0000_0000, det));
        assert!(!f64_matches(&NanPattern::CanonicalNan, 0xfff8_0000_0000_0000, det), "negative");
        assert!(f32_matches(&f32p(0xffc0_0001), 0xffc0_0001, det), "a literal is matched by bits");
    }

    #[test]
    fn float_lanes_each_have_their_pattern() {
        let pattern = V128Pattern::F32x4([
            NanPattern::CanonicalNan,
            NanPattern::ArithmeticNan,
            f32p(1.0f32.to_bits()),
            f32p((-0.0f32).to_bits()),
        ]);
        let lanes = |l: [u32; 4]| l.iter().rev().fold(0u128, |acc, &lane| acc << 32 | u128::from(lane));
        let matches = |l: [u32; 4]| v128_matches(&pattern, lanes(l), Profile::Full);
        assert!(matches([0xffc0_0000, 0x7fc0_0042, 0x3f80_0000, 0x8000_0000]));
        assert!(!matches([0x7fc0_0001, 0x7fc0_0042, 0x3f80_0000, 0x8000_0000]));
        assert!(!matches([0x7fc0_0000, 0x7fa0_0000, 0x3f80_0000, 0x8000_0000]));
        assert!(!matches([0x7fc0_0000, 0x7fc0_0000, 0x3f80_0000, 0x0000_0000]));

        let pattern = V128Pattern::F64x2([f64p(2.0), NanPattern::CanonicalNan]);
        let value = u128::from(2.0f64.to_bits()) | u128::from(0x7ff8_0000_0000_0000u64) << 64;
        assert!(v128_matches(&pattern, value, Profile::Full));
        assert!(!v128_matches(&pattern, value | 1 << 64, Profile::Full));
    }

    fn f64p(value: f64) -> NanPattern<F64> {
        NanPattern::Value(F64 { bits: value.to_bits() })
    }

    #[test]
    fn integer_lanes_are_little_endian() {
        let value = 0x0000_0004_0000_0003_0000_0002_ffff_ffffu128;
        assert!(v128_matches(&V128Pattern::I32x4([-1, 2, 3, 4]), value, Profile::Full));
        assert!(!v128_matches(&V128Pattern::I32x4([2, -1, 3, 4]), value, Profile::Full));
        assert!(v128_matches(&V128Pattern::I64x2([0x2_ffff_ffff, 0x4_0000_0003]), value, Profile::Full));
        let mut bytes = [0i8; 16];
        bytes[0] = -1;
        bytes[15] = 0x12;
        assert!(v128_matches(&V128Pattern::I8x16(bytes), 0x12u128 << 120 | 0xff, Profile::Full));
        let halves = [1i16, -2, 0, 0, 0, 0, 0, 0x7fff];
        assert!(v128_matches(&V128Pattern::I16x8(halves), 0x7fffu128 << 112 | 0xfffe_0001, Profile::Full));
    }

    #[test]
    fn references_match_by_kind_and_identity() {
        let mut store = Store::new(());
        let mut externs = ExternRefs::default();
        let one = externs.get_or_create(&mut store, 1);
        let two = externs.get_or_create(&mut store, 2);
        assert_eq!(externs.get_or_create(&mut store, 1), one, "the same N is the same value");
        assert_ne!(one, two);
        let ext = |n| WastRetCore::RefExtern(Some(n));
        assert!(matches_core(&ext(1), &Val::ExternRef(Some(one)), &externs, Profile::Full));
        assert!(!matches_core(&ext(1), &Val::ExternRef(Some(two)), &externs, Profile::Full));
        assert!(
            !matches_core(&ext(3), &Val::ExternRef(Some(one)), &externs, Profile::Full),
            "never passed in"
        );
        assert!(!matches_core(&ext(1), &Val::ExternRef(None), &externs, Profile::Full));
        assert!(matches_core(
            &WastRetCore::RefExtern(None),
            &Val::ExternRef(Some(two)),
            &externs,
            Profile::Full
        ));

        let null = |ty| WastRetCore::RefNull(Some(HeapType::Abstract { shared: false, ty }));
        assert!(matches_core(&null(AbstractHeapType::Func), &Val::FuncRef(None), &externs, Profile::Full));
        assert!(!matches_core(&null(AbstractHeapType::Func), &Val::ExternRef(None), &externs, Profile::Full));
        assert!(matches_core(
            &null(AbstractHeapType::Extern),
            &Val::ExternRef(None),
            &externs,
            Profile::Full
        ));
        assert!(!matches_core(
            &null(AbstractHeapType::Extern),
            &Val::ExternRef(Some(one)),
            &externs,
            Profile::Full
        ));
        let func = stratus_runtime::FuncAddr(0);
        assert!(matches_core(
            &WastRetCore::RefFunc(None),
            &Val::FuncRef(Some(func)),
            &externs,
            Profile::Full
        ));
        assert!(!matches_core(&WastRetCore::RefFunc(None), &Val::FuncRef(None), &externs, Profile::Full));
        assert!(
            !matches_core(&WastRetCore::I32(0), &Val::I64(0), &externs, Profile::Full),
            "types must agree"
        );
    }

    #[test]
    fn descriptions_show_nan_payloads() {
        assert_eq!(describe(&Val::F32(0xffc0_0001)), "f32 -nan:0x400001");
        assert_eq!(describe(&Val::F64(1.5f64.to_bits())), "f64 1.5");
        assert_eq!(describe(&Val::F32((-0.0f32).to_bits())), "f32 -0.0");
        let pattern = WastRet::Core(WastRetCore::V128(V128Pattern::I32x4([1, 0, 0, 0])));
        assert_eq!(describe_expected(&pattern), "v128 0x00000000000000000000000000000001 (i32x4 1 0 0 0)");
    }
}
