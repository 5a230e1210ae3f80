//! Side-table and function-info checks on hand-written functions.
//!
//! Each entry is shown as `op#i -> #t stp s keep k drop d`: the branch instruction and
//! its ordinal in the body, the ordinal of the instruction it lands on, the absolute
//! side-table index it continues with, and the slots it keeps and drops. In debug
//! builds, the side-table position the validator gives each instruction is checked too.

use stratus_decoder::{Features, Imm, Module, Opcode, Proposal};

use crate::{Error, FuncInfo, parse_and_validate, side_table_entries, validate};

fn compile(wat: &str) -> Vec<u8> {
    wast::parser::parse::<wast::Wat>(&wast::parser::ParseBuffer::new(wat).unwrap()).unwrap().encode().unwrap()
}

/// The first defined function's info, and its side table rendered as above.
fn describe(wat: &str) -> (FuncInfo, Vec<String>) {
    let bytes = compile(wat);
    let (module, validated) = parse_and_validate(&bytes).unwrap_or_else(|e| panic!("{wat}: {e}"));
    let info = validated.funcs[0].clone();
    let body = &Module::parse(&bytes).unwrap().bodies[0];
    let mut reader = body.reader();
    let mut instrs = Vec::new();
    let mut sites = Vec::new();
    while !reader.eof() {
        let pc = reader.position();
        let (op, imm) = reader.read_instr().unwrap();
        let ordinal = instrs.len();
        instrs.push(pc);
        let targets = if let Imm::BrTable(table) = imm { table.len() } else { 0 };
        let entries = side_table_entries(op, targets, info.sized_values) as usize;
        #[cfg(debug_assertions)]
        assert_eq!(
            info.side_table_position(pc as u32),
            Some(sites.len() as u32),
            "the position at #{ordinal}"
        );
        sites.extend(std::iter::repeat_n((op, ordinal, pc), entries));
    }
    drop(module);
    assert_eq!(sites.len(), info.side_table.len(), "one entry per branch site");
    let lines = sites
        .iter()
        .zip(info.side_table.iter())
        .enumerate()
        .map(|(index, (&(op, ordinal, pc), e))| {
            let target_pc = (pc as i64 + i64::from(e.pc_delta)) as usize;
            let target = instrs.iter().position(|&p| p == target_pc).expect("targets land on an instruction");
            let stp = index as i64 + i64::from(e.stp_delta);
            if matches!(op, Opcode::Drop | Opcode::Select) {
                assert_eq!((e.pc_delta, e.stp_delta, e.keep), (0, 1, 0), "value sites move on");
                return format!("{op}#{ordinal} width {}", e.drop);
            }
            format!("{op}#{ordinal} -> #{target} stp {stp} keep {} drop {}", e.keep, e.drop)
        })
        .collect();
    (info, lines)
}

#[test]
fn nested_blocks_branch_past_their_end() {
    let (info, table) = describe(
        r#"(module (func (result i32)
            (block (result i32)     ;; #0
              (block                ;; #1
                (i32.const 1)       ;; #2
                (br_if 0)           ;; #3
                (i32.const 5)       ;; #4
                (i32.const 7)       ;; #5
                (br 1))             ;; #6, end #7
              (i32.const 9))        ;; #8, end #9
          ))                        ;; end #10
        "#,
    );
    assert_eq!(table, ["br_if#3 -> #8 stp 2 keep 0 drop 0", "br#6 -> #10 stp 2 keep 1 drop 1"]);
    assert_eq!(info.max_stack_slots, 2);
}

#[test]
fn loops_branch_back_to_their_first_instruction() {
    let (_, table) = describe(
        r#"(module (func (param i32) (result i32)
            (loop (result i32)      ;; #0
              (local.get 0)         ;; #1
              (i32.const 1)         ;; #2
              (i32.sub)             ;; #3
              (local.tee 0)         ;; #4
              (br_if 0)             ;; #5
              (local.get 0))))      ;; #6, end #7, end #8
        "#,
    );
    assert_eq!(table, ["br_if#5 -> #1 stp 0 keep 0 drop 0"]);
}

#[test]
fn loop_with_parameters_keeps_them_on_back_edges() {
    let (_, table) = describe(
        r#"(module (func (result i32)
            (i32.const 10)                      ;; #0
            (loop (param i32) (result i32)      ;; #1
              (i32.const 1)                     ;; #2
              (i32.sub)                         ;; #3
              (i64.const 0)                     ;; #4
              (drop)                            ;; #5
              (br_if 0 (i32.const 1))           ;; #6 const, #7 br_if
              (nop))))                          ;; #8, end #9, end #10
        "#,
    );
    assert_eq!(table, ["br_if#7 -> #2 stp 0 keep 1 drop 0"]);
}

#[test]
fn if_with_else() {
    let (_, table) = describe(
        r#"(module (func (param i32) (result i32)
            (if (result i32) (local.get 0)  ;; #0 get, #1 if
              (then (i32.const 1))          ;; #2
              (else (i32.const 2)))))       ;; #3 else, #4, end #5, end #6
        "#,
    );
    assert_eq!(table, ["if#1 -> #4 stp 2 keep 0 drop 0", "else#3 -> #6 stp 2 keep 0 drop 0"]);
}

#[test]
fn if_without_else_and_branches_out_of_both_arms() {
    let (_, table) = describe(
        r#"(module (func (param i32)
            (if (local.get 0) (then (nop)))          ;; #0 get, #1 if, #2 nop, #3 end (false lands on #4)
            (if (local.get 0)                        ;; #4 get, #5 if
              (then (br 0))                          ;; #6 br
              (else (br_if 0 (local.get 0)) (nop)))  ;; #7 else, #8 get, #9 br_if, #10 nop, #11 end
            (nop)))                                  ;; #12 nop, #13 end
        "#,
    );
    assert_eq!(
        table,
        [
            "if#1 -> #4 stp 1 keep 0 drop 0",
            "if#5 -> #8 stp 4 keep 0 drop 0",
            "br#6 -> #12 stp 5 keep 0 drop 0",
            "else#7 -> #12 stp 5 keep 0 drop 0",
            "br_if#9 -> #12 stp 5 keep 0 drop 0",
        ]
    );
}

#[test]
fn br_table_has_an_entry_per_target_and_default() {
    let (_, table) = describe(
        r#"(module (func (param i32) (result i32)
            (block $a (result i32)          ;; #0
              (block $b (result i32)        ;; #1
                (i32.const 42)              ;; #2
                (local.get 0)               ;; #3
                (br_table $b $a $b))        ;; #4, end #5
              (i32.const 1)                 ;; #6
              (i32.add))))                  ;; #7, end #8, end #9
        "#,
    );
    assert_eq!(
        table,
        [
            "br_table#4 -> #6 stp 3 keep 1 drop 0",
            "br_table#4 -> #9 stp 3 keep 1 drop 0",
            "br_table#4 -> #6 stp 3 keep 1 drop 0",
        ]
    );
}

#[test]
fn multi_value_blocks_keep_all_their_results() {
    let (_, table) = describe(
        r#"(module (func (result i32 i32)
            (i32.const 1) (i32.const 2)                      ;; #0, #1
            (block (param i32 i32) (result i32 i32)          ;; #2
              (i32.const 3)                                  ;; #3
              (drop)                                         ;; #4
              (br 0))                                        ;; #5, end #6
            (br 0)))                                         ;; #7, end #8
        "#,
    );
    assert_eq!(table, ["br#5 -> #7 stp 1 keep 2 drop 0", "br#7 -> #8 stp 2 keep 2 drop 0"]);
}

#[test]
fn v128_values_count_two_slots() {
    let (info, table) = describe(
        r#"(module (func (param v128 i32) (result v128) (local i64 v128)
            (block (result v128)                              ;; #0
              (i64.const 0) (drop)                            ;; #1, #2
              (i32.const 1)                                   ;; #3
              (local.get 0)                                   ;; #4
              (local.get 1)                                   ;; #5
              (br_if 0)                                       ;; #6
              (br 0))))                                       ;; #7, end #8, end #9
        "#,
    );
    assert_eq!(
        table,
        ["drop#2 width 1", "br_if#6 -> #9 stp 3 keep 2 drop 1", "br#7 -> #9 stp 3 keep 2 drop 1"]
    );
    assert_eq!((info.param_slots, info.local_slots), (3, 6));
    assert_eq!(info.local_offsets.as_deref(), Some(&[0, 2, 3, 4][..]));
    assert_eq!(info.max_stack_slots, 4);
}

#[test]
fn branches_to_the_function_land_on_its_end() {
    let (info, table) = describe(r#"(module (func (param i32) (br_if 0 (local.get 0)) (br 0)))"#);
    assert_eq!(table, ["br_if#1 -> #3 stp 2 keep 0 drop 0", "br#2 -> #3 stp 2 keep 0 drop 0"]);
    assert_eq!(info.local_offsets, None);
}

#[test]
fn unreachable_code_is_validated_polymorphically() {
    for wat in [
        "(module (func (result i32) unreachable i32.add))",
        "(module (func (result i32) (unreachable) (br 0) (select)))",
        "(module (func (result f64) (return (f64.const 1)) (br_table 0 0)))",
    ] {
        describe(wat);
    }
}

#[test]
fn errors_name_what_was_expected() {
    let bytes = compile("(module (func (result i32) (i64.const 1)))");
    let err = parse_and_validate(&bytes).unwrap_err();
    assert_eq!(err.message(), "type mismatch: expected i32, found i64");
    let bytes = compile("(module (func (local.get 3) drop))");
    assert_eq!(parse_and_validate(&bytes).unwrap_err().message(), "unknown local 3");
}

#[test]
fn drops_and_selects_are_sized_only_where_v128_occurs() {
    let (info, table) = describe(
        r#"(module (func (param i32)
            (block                                   ;; #0
              (drop (i64.const 1))                   ;; #1, #2
              (br_if 0 (local.get 0))                ;; #3, #4
              (drop (v128.const i64x2 0 0))          ;; #5, #6
              (select (v128.const i64x2 0 0) (v128.const i64x2 1 1) (local.get 0)) ;; #7 #8 #9 #10
              (drop)                                 ;; #11
              (br 0))                                ;; #12, end #13
            (drop (select (i32.const 1) (i32.const 2) (local.get 0)))))  ;; #14 #15 #16 #17 #18, end #19
        "#,
    );
    assert!(info.sized_values);
    assert_eq!(
        table,
        [
            "drop#2 width 1",
            "br_if#4 -> #14 stp 6 keep 0 drop 0",
            "drop#6 width 2",
            "select#10 width 2",
            "drop#11 width 2",
            "br#12 -> #14 stp 6 keep 0 drop 0",
            "select#17 width 1",
            "drop#18 width 1",
        ]
    );
    let (info, table) = describe(
        r#"(module (func (param i32)
            (block                                   ;; #0
              (drop (i64.const 1))                   ;; #1, #2
              (br_if 0 (local.get 0))                ;; #3, #4
              (drop (select (i32.const 1) (i32.const 2) (local.get 0))) ;; #5 #6 #7 #8 #9
              (br 0))                                ;; #10, end #11
            (nop)))                                  ;; #12, end #13
        "#,
    );
    assert!(!info.sized_values);
    assert_eq!(table, ["br_if#4 -> #12 stp 2 keep 0 drop 0", "br#10 -> #12 stp 2 keep 0 drop 0"]);
}

/// Decodes and validates `bytes` as a WebAssembly 2.0 module.
fn validate_wasm2(bytes: &[u8]) -> Result<(), Error> {
    validate(&Module::parse_with(bytes, Features::WASM2)?).map(drop)
}

#[test]
fn later_proposals_are_named() {
    let bytes = compile("(module (func return_call 0))");
    let err = validate_wasm2(&bytes).unwrap_err();
    assert_eq!(
        err.message(),
        "illegal opcode 0x12 (the tail-call proposal is disabled; -W tail-call=y enables it)"
    );
    parse_and_validate(&bytes).unwrap();
    let bytes = compile("(module (func (result i32) (return_call 1)) (func (result i64) (i64.const 0)))");
    let err = parse_and_validate(&bytes).unwrap_err();
    assert_eq!(err.message(), "type mismatch: a tail call's callee must have the calling function's results");
    let bytes = compile("(module (memory 1) (memory 1))");
    let err = validate_wasm2(&bytes).unwrap_err();
    assert_eq!(
        err.message(),
        "multiple memories (the multi-memory proposal is disabled; -W multi-memory=y enables it)"
    );
    assert_eq!(err.proposal(), Some(Proposal::MultiMemory));
    parse_and_validate(&bytes).unwrap();
    let bytes = compile("(module (global i32 (i32.add (i32.const 1) (i32.const 2))))");
    let err = validate_wasm2(&bytes).unwrap_err();
    assert_eq!(
        err.message(),
        "constant expression required (the extended-const proposal is disabled; -W extended-const=y enables it)"
    );
    // A 3.0 constant expression may read a global defined before it; a 2.0 one may not.
    let bytes = compile("(module (global i32 (i32.const 1)) (global i32 (global.get 0)))");
    assert_eq!(validate_wasm2(&bytes).unwrap_err().message(), "unknown global 0");
    parse_and_validate(&bytes).unwrap();
}

#[test]
fn memory64_offsets_and_limits_fit_the_index_type() {
    let err = parse_and_validate(&compile(
        "(module (memory 1) (func (drop (i32.load offset=0x1_0000_0000 (i32.const 0)))))",
    ))
    .unwrap_err();
    assert_eq!(err.message(), "offset out of range: 4294967296 does not fit a 32-bit memory's addresses");
    parse_and_validate(&compile(
        "(module (memory i64 1) (func (drop (i32.load offset=0x1_0000_0000 (i64.const 0)))))",
    ))
    .unwrap();
    let err = parse_and_validate(&compile("(module (memory i64 0x1_0000_0000_0001))")).unwrap_err();
    assert_eq!(err.message(), "memory size must be at most 2^48 pages (2^64 bytes)");
    let err = parse_and_validate(&compile("(module (memory i64 1) (func (drop (i32.load (i32.const 0)))))"))
        .unwrap_err();
    assert_eq!(err.message(), "type mismatch: expected i64, found i32");
}

/// The offset and message of the error validating the WebAssembly 2.0 module of `sections`.
fn error_of(sections: &[u8]) -> (usize, String) {
    let bytes = [&b"\0asm\x01\0\0\0"[..], sections].concat();
    let err = validate_wasm2(&bytes).expect_err("the module must be refused");
    (err.offset(), err.message())
}

/// Types `[] -> []` (0x08..0x0e), then the function section of `funcs` (at 0x0e).
fn with_funcs(funcs: &[u8], rest: &[u8]) -> Vec<u8> {
    let header = [0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, funcs.len() as u8 + 1, funcs.len() as u8];
    [&header[..], funcs, rest].concat()
}

#[test]
fn type_index_errors_point_at_the_index() {
    // Two functions of types 0 and 9; bodies `end`.
    let module = with_funcs(&[0x00, 0x09], &[0x0A, 0x07, 0x02, 0x02, 0x00, 0x0B, 0x02, 0x00, 0x0B]);
    assert_eq!(error_of(&module), (0x12, "unknown type 9".to_string()));
    // (import "m" "f" (func (type 9))): the index is at 0x10.
    let import = [0x02, 0x07, 0x01, 0x01, b'm', 0x01, b'f', 0x00, 0x09];
    assert_eq!(error_of(&import), (0x10, "unknown type 9".to_string()));
}

#[test]
fn memory_errors_point_at_the_memory() {
    const MULTIPLE: &str =
        "multiple memories (the multi-memory proposal is disabled; -W multi-memory=y enables it)";
    // Two memories of one page; the second's limits are at 0x0d.
    assert_eq!(error_of(&[0x05, 0x05, 0x02, 0x00, 0x01, 0x00, 0x01]), (0x0d, MULTIPLE.to_string()));
    // An imported memory (0x08..0x12), then a defined one at 0x15.
    let import = [0x02, 0x08, 0x01, 0x01, b'm', 0x01, b'm', 0x02, 0x00, 0x01];
    assert_eq!(
        error_of(&[&import[..], &[0x05, 0x03, 0x01, 0x00, 0x01]].concat()),
        (0x15, MULTIPLE.to_string())
    );
    // A minimum of 65537 pages, and a minimum above the maximum: the limits at 0x0b.
    assert_eq!(
        error_of(&[0x05, 0x05, 0x01, 0x00, 0x81, 0x80, 0x04]),
        (0x0b, "memory size must be at most 65536 pages (4GiB)".to_string())
    );
    let min_over_max = (0x0b, "size minimum must not be greater than maximum".to_string());
    assert_eq!(error_of(&[0x05, 0x04, 0x01, 0x01, 0x02, 0x01]), min_over_max);
    // The same limits on an imported memory: at 0x10, after the names and kind.
    let import = [0x02, 0x09, 0x01, 0x01, b'm', 0x01, b'm', 0x02, 0x01, 0x02, 0x01];
    assert_eq!(error_of(&import).0, 0x10);
}

#[test]
fn table_limits_errors_point_at_the_limits() {
    // A funcref table of minimum 2 and maximum 1: the limits follow the type, at 0x0c.
    let error = error_of(&[0x04, 0x05, 0x01, 0x70, 0x01, 0x02, 0x01]);
    assert_eq!(error, (0x0c, "size minimum must not be greater than maximum".to_string()));
}

#[test]
fn index_errors_in_exports_and_segments_point_at_the_index() {
    // (export "f" (func 7)): the index at 0x0e.
    assert_eq!(
        error_of(&[0x07, 0x05, 0x01, 0x01, b'f', 0x00, 0x07]),
        (0x0e, "unknown function 7".to_string())
    );
    // One function and one table (0x12..0x18), then an element segment of functions 0
    // and 5 at offset 0: function 5 is at 0x21.
    let table = [0x04, 0x04, 0x01, 0x70, 0x00, 0x01];
    let elem = [0x09, 0x08, 0x01, 0x00, 0x41, 0x00, 0x0B, 0x02, 0x00, 0x05];
    let code = [0x0A, 0x04, 0x01, 0x02, 0x00, 0x0B];
    let module = with_funcs(&[0x00], &[&table[..], &elem, &code].concat());
    assert_eq!(error_of(&module), (0x21, "unknown function 5".to_string()));
    // An element segment for table 3 (flags 2): the table index at 0x0c.
    let elem = [0x09, 0x08, 0x01, 0x02, 0x03, 0x41, 0x00, 0x0B, 0x00, 0x00];
    assert_eq!(error_of(&elem), (0x0c, "unknown table 3".to_string()));
    // One memory, and a data segment for memory 1 (flags 2): the memory index at 0x11.
    let data = [0x05, 0x03, 0x01, 0x00, 0x01, 0x0B, 0x07, 0x01, 0x02, 0x01, 0x41, 0x00, 0x0B, 0x00];
    assert_eq!(error_of(&data), (0x11, "unknown memory 1".to_string()));
}

/// The memory and table instructions take their operand types from the index types of
/// the memories and tables they name. One module serves both: its types are widened by
/// hand before its functions are validated again.
#[test]
fn addresses_and_table_indices_have_their_memory_s_and_table_s_index_type() {
    use stratus_decoder::IndexType;

    use crate::{ModuleContext, RefFacts, validate_function};

    let check = |body: &str, wide: bool| -> Result<(), String> {
        let bytes = compile(&format!(
            "(module (memory 1) (table 1 funcref) (type (func)) (data \"\") (elem func)
               (func {body}))"
        ));
        let mut module = Module::parse(&bytes).unwrap();
        if wide {
            module.memories[0].index_type = IndexType::I64;
            module.tables[0].index_type = IndexType::I64;
        }
        let refs = RefFacts::new(&module);
        let ctx = ModuleContext::new(&module, &refs);
        let index = module.imported_funcs;
        validate_function(&ctx, module.funcs[index as usize], &module.bodies[0])
            .map(drop)
            .map_err(|e| e.to_string())
    };
    let bodies = [
        ("(drop (i32.load (i32.const 0)))", "(drop (i32.load (i64.const 0)))"),
        ("(i64.store (i32.const 0) (i64.const 1))", "(i64.store (i64.const 0) (i64.const 1))"),
        (
            "(drop (v128.load8_lane 0 (i32.const 0) (v128.const i64x2 0 0)))",
            "(drop (v128.load8_lane 0 (i64.const 0) (v128.const i64x2 0 0)))",
        ),
        ("(drop (i32.eqz (memory.size)))", "(drop (i64.eqz (memory.size)))"),
        ("(drop (i32.eqz (memory.grow (i32.const 1))))", "(drop (i64.eqz (memory.grow (i64.const 1))))"),
        (
            "(memory.fill (i32.const 0) (i32.const 0) (i32.const 0))",
            "(memory.fill (i64.const 0) (i32.const 0) (i64.const 0))",
        ),
        (
            "(memory.copy (i32.const 0) (i32.const 0) (i32.const 0))",
            "(memory.copy (i64.const 0) (i64.const 0) (i64.const 0))",
        ),
        (
            "(memory.init 0 (i32.const 0) (i32.const 0) (i32.const 0))",
            "(memory.init 0 (i64.const 0) (i32.const 0) (i32.const 0))",
        ),
        ("(drop (table.get 0 (i32.const 0)))", "(drop (table.get 0 (i64.const 0)))"),
        ("(drop (i32.eqz (table.size 0)))", "(drop (i64.eqz (table.size 0)))"),
        (
            "(table.fill 0 (i32.const 0) (ref.null func) (i32.const 0))",
            "(table.fill 0 (i64.const 0) (ref.null func) (i64.const 0))",
        ),
        (
            "(table.copy (i32.const 0) (i32.const 0) (i32.const 0))",
            "(table.copy (i64.const 0) (i64.const 0) (i64.const 0))",
        ),
        (
            "(table.init 0 (i32.const 0) (i32.const 0) (i32.const 0))",
            "(table.init 0 (i64.const 0) (i32.const 0) (i32.const 0))",
        ),
        ("(call_indirect (type 0) (i32.const 0))", "(call_indirect (type 0) (i64.const 0))"),
    ];
    for (narrow, wide) in bodies {
        assert_eq!(check(narrow, false), Ok(()), "{narrow}");
        assert_eq!(check(wide, true), Ok(()), "{wide}");
        assert!(check(narrow, true).is_err(), "{narrow} with 64-bit indices");
        assert!(check(wide, false).is_err(), "{wide} with 32-bit indices");
    }
}

/// The frame shape at every instruction of a function: its operand types, its position
/// (the validator's own, in debug builds) and the instruction before; and the points
/// that are not instruction boundaries or are unreachable, refused.
#[test]
fn frame_shapes_follow_the_operand_stack() {
    use stratus_decoder::ValType::{FuncRef, I32, V128};

    use crate::{ModuleContext, RefFacts, frame_shape};

    let bytes = compile(
        "(module (func $f (param i32) (result i32) (local.get 0))
           (func (param f64) (result i32)
             (ref.null func) (v128.const i64x2 0 0)
             (loop (result i32)
               (drop (f64.const 1))
               (call $f (i32.const 7))
               (br_if 0 (i32.const 0)))
             (drop) (drop) (drop (local.get 0))
             (return (i32.const 1))
             (i32.const 2)))",
    );
    let (module, validated) = parse_and_validate(&bytes).unwrap();
    let info = &validated.funcs[1];
    let body = &module.bodies[1];
    let refs = RefFacts::new(&module);
    let ctx = ModuleContext::new(&module, &refs);
    let shape = |pc: usize| frame_shape(&ctx, info.type_index, body, info.sized_values, pc);
    let mut reader = body.reader();
    let mut boundaries = Vec::new();
    while !reader.eof() {
        boundaries.push(reader.position());
        reader.read_instr().unwrap();
    }
    let loop_body = boundaries[3];
    let at_loop = shape(loop_body).unwrap();
    assert_eq!(at_loop.operands, vec![FuncRef, V128]);
    assert_eq!(at_loop.previous, Some(Opcode::Loop));
    // After the call: its result on top of what was below its argument.
    let after_call = shape(boundaries[7]).unwrap();
    assert_eq!((after_call.operands, after_call.previous), (vec![FuncRef, V128, I32], Some(Opcode::Call)));
    assert_eq!(shape(0).unwrap(), crate::FrameShape { operands: vec![], stp: 0, previous: None });
    #[cfg(debug_assertions)]
    for &pc in &boundaries[..boundaries.len() - 2] {
        assert_eq!(Some(shape(pc).unwrap().stp), info.side_table_position(pc as u32), "pc {pc}");
    }
    assert_eq!(shape(1), Err("no instruction starts at pc 1".to_string()));
    // The last two instructions follow `return`.
    let unreachable = boundaries[boundaries.len() - 1];
    assert_eq!(shape(unreachable), Err(format!("pc {unreachable} is in unreachable code")));
    assert_eq!(
        shape(body.code.len() + 5),
        Err(format!("no instruction starts at pc {}", body.code.len() + 5))
    );
}
