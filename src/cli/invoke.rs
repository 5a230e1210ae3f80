//! `stratus run --invoke`: reading arguments typed by the export's parameters, and
//! printing its results.
//!
//! The notation is the one people type in a shell: decimal integers (negative or, to
//! reach the top half, unsigned), `0x` hexadecimal, and floats as Rust reads them
//! (`1.5`, `-0`, `inf`, `nan`). Results print the same way, one per line, so that a
//! result can be fed back as an argument.

use stratus::{Val, ValType};

/// Parses `text` as a value of type `ty`; the error says what was expected.
pub fn parse(text: &str, ty: ValType) -> Result<Val, String> {
    let value = match ty {
        ValType::I32 => parse_int(text, 32).map(|bits| Val::I32(bits as u32 as i32)),
        ValType::I64 => parse_int(text, 64).map(|bits| Val::I64(bits as u64 as i64)),
        ValType::F32 => text.parse::<f32>().ok().map(|f| Val::F32(f.to_bits())),
        ValType::F64 => text.parse::<f64>().ok().map(|f| Val::F64(f.to_bits())),
        ValType::V128 => parse_int(text, 128).map(Val::V128),
        // A reference cannot be written on a command line; only null can.
        ValType::FuncRef => (text == "null").then_some(Val::FuncRef(None)),
        ValType::ExternRef => (text == "null").then_some(Val::ExternRef(None)),
    };
    value.ok_or_else(|| format!("'{text}' is not a valid {ty} value"))
}

/// An integer of `bits` bits, as its bit pattern: a negative number is taken in two's
/// complement, a positive one may use the whole unsigned range.
fn parse_int(text: &str, bits: u32) -> Option<u128> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let digits = digits.replace('_', "");
    let magnitude = match digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        Some(hex) => u128::from_str_radix(hex, 16).ok()?,
        // `from_str_radix` would accept a second sign.
        None if digits.starts_with(['+', '-']) => return None,
        None => digits.parse::<u128>().ok()?,
    };
    let mask = if bits == 128 { u128::MAX } else { (1u128 << bits) - 1 };
    if negative {
        // The most negative value is 2^(bits-1).
        if bits == 128 || magnitude > 1u128 << (bits - 1) {
            return (bits == 128 && magnitude <= 1u128 << 127).then(|| magnitude.wrapping_neg());
        }
        Some(magnitude.wrapping_neg() & mask)
    } else {
        (magnitude <= mask).then_some(magnitude)
    }
}

/// One result, as printed on its own line.
pub fn format(value: &Val) -> String {
    match *value {
        Val::I32(v) => v.to_string(),
        Val::I64(v) => v.to_string(),
        Val::F32(bits) => f32::from_bits(bits).to_string(),
        Val::F64(bits) => f64::from_bits(bits).to_string(),
        Val::V128(bits) => format!("0x{bits:032x}"),
        Val::FuncRef(None) | Val::ExternRef(None) => "null".to_string(),
        Val::FuncRef(Some(_)) => "funcref".to_string(),
        Val::ExternRef(Some(_)) => "externref".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_take_signed_and_unsigned_forms() {
        assert_eq!(parse("-1", ValType::I32), Ok(Val::I32(-1)));
        assert_eq!(parse("4294967295", ValType::I32), Ok(Val::I32(-1)));
        assert_eq!(parse("-2147483648", ValType::I32), Ok(Val::I32(i32::MIN)));
        assert_eq!(parse("0x10", ValType::I64), Ok(Val::I64(16)));
        assert!(parse("4294967296", ValType::I32).is_err());
        assert!(parse("-2147483649", ValType::I32).is_err());
        assert!(parse("--1", ValType::I32).is_err());
        assert!(parse("1.5", ValType::I32).is_err());
        assert_eq!(parse("-1", ValType::V128), Ok(Val::V128(u128::MAX)));
    }

    #[test]
    fn floats_and_references() {
        assert_eq!(parse("1.5", ValType::F64), Ok(Val::F64(1.5f64.to_bits())));
        assert_eq!(format(&parse("-inf", ValType::F32).unwrap()), "-inf");
        assert_eq!(parse("null", ValType::ExternRef), Ok(Val::ExternRef(None)));
        assert!(parse("1", ValType::FuncRef).is_err());
    }
}
