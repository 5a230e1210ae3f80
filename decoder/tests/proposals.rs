//! Modules and code using proposals beyond Wasm 2.0 that are switched off, or that
//! Stratus does not implement, are refused with the spec's message (which the spec tests
//! compare by prefix) followed by the proposal's name, at the byte that shows it;
//! look-alike bytes of no proposal keep the bare spec message. Decoded as Wasm 2.0
//! ([`Features::WASM2`]) unless a test says otherwise.

use stratus_decoder::{Features, IndexType, Limits, Module, Reader};

const HEADER: &[u8] = b"\0asm\x01\0\0\0";

/// The error decoding a module of `HEADER` and `sections`, as `offset: message`.
fn module_error(sections: &[u8]) -> String {
    let bytes = [HEADER, sections].concat();
    Module::parse_with(&bytes, Features::WASM2).expect_err("the module must be refused").to_string()
}

/// The error decoding `code` as a run of instructions, as `offset: message`.
fn code_error(code: &[u8]) -> String {
    let mut reader = Reader::new(code).with_features(Features::WASM2);
    loop {
        if let Err(error) = reader.read_instr() {
            return error.to_string();
        }
        assert!(!reader.eof(), "the code must be refused");
    }
}

#[test]
fn a_component_is_named() {
    let error = Module::parse(b"\0asm\x0d\x00\x01\x00").unwrap_err();
    assert_eq!(
        error.to_string(),
        "0x4: unknown binary version 0x1000d (components are not supported, only core modules)"
    );
    // Layer 0 of version 0x0d is no component: a spec test wants the bare message.
    let error = Module::parse(b"\0asm\x0d\x00\x00\x00").unwrap_err();
    assert_eq!(error.to_string(), "0x4: unknown binary version 0xd");
}

#[test]
fn the_tag_section_is_exception_handling() {
    assert_eq!(
        module_error(&[0x0D, 0x01, 0x00]),
        "0x8: malformed section id 13 (the exceptions proposal is not supported)"
    );
    assert_eq!(module_error(&[0x0E, 0x01, 0x00]), "0x8: malformed section id 14");
}

#[test]
fn tail_calls_and_exceptions_in_code_are_named() {
    assert_eq!(
        code_error(&[0x01, 0x12, 0x00]),
        "0x1: illegal opcode 0x12 (the tail-call proposal is disabled; -W tail-call=y enables it)"
    );
    assert_eq!(
        code_error(&[0x13, 0x00, 0x00]),
        "0x0: illegal opcode 0x13 (the tail-call proposal is disabled; -W tail-call=y enables it)"
    );
    for opcode in [0x06, 0x07, 0x08, 0x09, 0x0A, 0x18, 0x19, 0x1F] {
        assert_eq!(
            code_error(&[opcode, 0x40]),
            format!("0x0: illegal opcode 0x{opcode:02x} (the exceptions proposal is not supported)")
        );
    }
    assert_eq!(code_error(&[0x27]), "0x0: illegal opcode 0x27");
}

#[test]
fn other_proposals_in_code_are_named() {
    let named = [
        (&[0xFE, 0x10, 0x02, 0x00][..], "illegal opcode 0xfe (the threads proposal is not supported)"),
        (&[0xFB, 0x00, 0x00], "illegal opcode 0xfb (the gc proposal is not supported)"),
        (&[0xD3], "illegal opcode 0xd3 (the gc proposal is not supported)"),
        (&[0x14, 0x00], "illegal opcode 0x14 (the function-references proposal is not supported)"),
        (&[0xD5, 0x00], "illegal opcode 0xd5 (the function-references proposal is not supported)"),
        (
            &[0xFD, 0x80, 0x02],
            "illegal opcode 0xfd 256 (the relaxed-simd proposal is disabled; -W relaxed-simd=y enables it)",
        ),
    ];
    for (code, message) in named {
        assert_eq!(code_error(code), format!("0x0: {message}"));
    }
    assert_eq!(code_error(&[0xFD, 0x94, 0x02]), "0x0: illegal opcode 0xfd 276");
}

#[test]
fn a_second_memory_in_code_is_multi_memory() {
    // i32.const 0, i32.load with the memory-index flag and alignment 2.
    assert_eq!(
        code_error(&[0x41, 0x00, 0x28, 0x42, 0x01, 0x00]),
        "0x3: malformed memop flags 0x42 (the multi-memory proposal is disabled; -W multi-memory=y enables it)"
    );
    assert_eq!(code_error(&[0x41, 0x00, 0x28, 0x22, 0x00]), "0x3: malformed memop flags 0x22");
    // memory.size of memory 1; a padded zero is no memory index of any proposal.
    assert_eq!(
        code_error(&[0x3F, 0x01]),
        "0x1: zero byte expected (the multi-memory proposal is disabled; -W multi-memory=y enables it)"
    );
    assert_eq!(code_error(&[0x3F, 0x80, 0x00]), "0x1: zero byte expected");
}

#[test]
fn limits_flags_name_threads_and_memory64() {
    // A memory section with one memory of the given flags, minimum 1 and maximum 2.
    let memory = |flags: u8| module_error(&[0x05, 0x04, 0x01, flags, 0x01, 0x02]);
    assert_eq!(
        memory(0x03),
        "0xb: integer too large: limits flags 0x03 (the threads proposal is not supported)"
    );
    assert_eq!(
        memory(0x05),
        "0xb: integer too large: limits flags 0x05 (the memory64 proposal is disabled; -W memory64=y enables it)"
    );
    assert_eq!(memory(0x10), "0xb: integer too large: limits flags 0x10");
}

#[test]
fn types_of_later_proposals_are_named() {
    // A struct type with one immutable i32 field.
    assert_eq!(
        module_error(&[0x01, 0x05, 0x01, 0x5F, 0x01, 0x7F, 0x00]),
        "0xb: malformed function type: expected 0x60, found 0x5f (the gc proposal is not supported)"
    );
    // A function taking a (ref null func).
    assert_eq!(
        module_error(&[0x01, 0x06, 0x01, 0x60, 0x01, 0x63, 0x70, 0x00]),
        "0xd: malformed value type 0x63 (the function-references proposal is not supported)"
    );
    // A function taking an exnref.
    assert_eq!(
        module_error(&[0x01, 0x05, 0x01, 0x60, 0x01, 0x69, 0x00]),
        "0xd: malformed value type 0x69 (the exceptions proposal is not supported)"
    );
    // A table of anyref.
    assert_eq!(
        module_error(&[0x04, 0x04, 0x01, 0x6E, 0x00, 0x01]),
        "0xb: malformed reference type 0x6e (the gc proposal is not supported)"
    );
    assert_eq!(module_error(&[0x01, 0x05, 0x01, 0x60, 0x01, 0x40, 0x00]), "0xd: malformed value type 0x40");
}

#[test]
fn imported_and_exported_tags_are_exception_handling() {
    // (import "m" "t" (tag ...))
    assert_eq!(
        module_error(&[0x02, 0x07, 0x01, 0x01, b'm', 0x01, b't', 0x04, 0x00]),
        "0xf: malformed import kind 0x04 (the exceptions proposal is not supported)"
    );
    // (export "t" (tag 0))
    assert_eq!(
        module_error(&[0x07, 0x05, 0x01, 0x01, b't', 0x04, 0x00]),
        "0xd: malformed export kind 0x04 (the exceptions proposal is not supported)"
    );
    assert_eq!(module_error(&[0x07, 0x05, 0x01, 0x01, b't', 0x05, 0x00]), "0xd: malformed export kind 0x05");
}

#[test]
fn enabled_proposals_decode() {
    // i32.const 0, i32.load of memory 1 with alignment 2 and offset 2^32.
    let code = [0x41, 0x00, 0x28, 0x42, 0x01, 0x80, 0x80, 0x80, 0x80, 0x10];
    let mut reader = Reader::new(&code);
    reader.read_instr().unwrap();
    let (_, imm) = reader.read_instr().unwrap();
    assert_eq!(format!("{imm:?}"), "MemArg(MemArg { align: 2, memory: 1, offset: 4294967296 })");
    // A memory of flags 5: 64-bit addresses, minimum 1 and maximum 2^40 pages.
    let bytes = [HEADER, &[0x05, 0x09, 0x01, 0x05, 0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]].concat();
    let module = Module::parse(&bytes).unwrap();
    assert_eq!(module.memories[0].index_type, IndexType::I64);
    assert_eq!(module.memories[0].limits, Limits { min: 1, max: Some(1 << 40) });
}
