//! Errors, and the offsets the module keeps for the validator's errors, point at the
//! byte they are about.

use stratus_decoder::{DecodeErrorKind, Module, Reader};

const HEADER: &[u8] = b"\0asm\x01\0\0\0";

fn module(sections: &[u8]) -> Vec<u8> {
    [HEADER, sections].concat()
}

fn error_of(sections: &[u8]) -> (usize, DecodeErrorKind) {
    let error = Module::parse(&module(sections)).expect_err("the module must be refused");
    (error.offset, error.kind)
}

#[test]
fn a_length_past_the_end_is_reported_at_the_length() {
    // A type section claiming 0x100 bytes: the size is at 0x09.
    assert_eq!(error_of(&[0x01, 0x80, 0x02, 0x00]), (0x09, DecodeErrorKind::LengthOutOfBounds));
    // An export name claiming 9 bytes, at 0x0b.
    assert_eq!(error_of(&[0x07, 0x04, 0x01, 0x09, b'f', 0x00]), (0x0b, DecodeErrorKind::LengthOutOfBounds));
}

#[test]
fn missing_code_and_data_are_reported_at_their_counts() {
    // One type, and a function section of one function (its count at 0x10), no code.
    let (offset, kind) = error_of(&[0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00]);
    assert_eq!((offset, kind), (0x10, DecodeErrorKind::FunctionAndCodeInconsistent));
    // A data count of 2 (at 0x0a), no data section.
    assert_eq!(error_of(&[0x0C, 0x01, 0x02]), (0x0a, DecodeErrorKind::DataCountAndDataInconsistent));
}

#[test]
fn a_select_of_two_types_is_reported_at_the_count() {
    let mut reader = Reader::new(&[0x1C, 0x02, 0x7F, 0x7F]);
    let error = reader.read_instr().unwrap_err();
    assert_eq!((error.offset, error.kind), (1, DecodeErrorKind::InvalidResultArity));
}

#[test]
fn the_module_keeps_where_types_and_limits_are() {
    let bytes = module(&[
        // Import section, 0x08..0x20: (import "m" "f" (func (type 0))), type index at
        // 0x10; (import "m" "t" (table 1 funcref)), limits at 0x17; (import "m" "m"
        // (memory 1)), limits at 0x1e.
        0x02, 0x16, 0x03, //
        0x01, b'm', 0x01, b'f', 0x00, 0x00, //
        0x01, b'm', 0x01, b't', 0x01, 0x70, 0x00, 0x01, //
        0x01, b'm', 0x01, b'm', 0x02, 0x00, 0x01, //
        // Function section: a function of type 0, its index at 0x23.
        0x03, 0x02, 0x01, 0x00, //
        // Table section: a funcref table, its limits at 0x28.
        0x04, 0x04, 0x01, 0x70, 0x00, 0x01, //
        // Export section: (export "f" (func 1)), its index at 0x30.
        0x07, 0x05, 0x01, 0x01, b'f', 0x00, 0x01, //
        // Code section: the body `end`.
        0x0A, 0x04, 0x01, 0x02, 0x00, 0x0B,
    ]);
    let module = Module::parse(&bytes).unwrap();
    assert_eq!(module.func_type_offsets, [0x10, 0x23]);
    assert_eq!(module.table_limits_offsets, [0x17, 0x28]);
    assert_eq!(module.memory_limits_offsets, [0x1e]);
    assert_eq!(module.exports[0].index_offset, 0x30);
}
