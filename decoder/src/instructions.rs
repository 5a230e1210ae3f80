//! The one table of WebAssembly instructions.
//!
//! Every instruction Stratus knows is one row here; the decoder, the validator, the
//! interpreter and the compilers expand this table (through [`for_each_instruction!`])
//! instead of keeping lists of their own. A row reads
//!
//! ```text
//! Name = ENCODING, semantic_name, "text name", IMMEDIATES, SIGNATURE;
//! ```
//!
//! - `ENCODING` is the opcode byte for single-byte instructions, and
//!   `(prefix << 16) | subopcode` for the `0xFC` and `0xFD` prefixed ones, so every
//!   instruction has one `u32` code.
//! - `semantic_name` is the snake-case name under which the tiers define the
//!   instruction's semantics (the interpreter's operator functions, say), so a row can
//!   be expanded into a call of its semantics without a second list.
//! - `IMMEDIATES` names the shape of the immediates that follow the opcode
//!   (see [`ImmKind`](crate::ImmKind)); memory shapes carry the natural alignment as the
//!   access width in bytes (`mem4` = 32-bit access), lane shapes the lane count.
//! - `SIGNATURE` is `[params -> results]` for instructions whose operand types are fixed
//!   (a load's or store's first operand is `addr`, typed by its memory's index type), or
//!   `special` for those the validator types by hand (control, variables, parametric,
//!   and instructions whose types depend on an immediate: the bulk memory and table
//!   instructions take their memories' and tables' index types).

/// Calls `$m!` with every row of the instruction table.
#[macro_export]
macro_rules! for_each_instruction {
    ($m:ident) => {
        $m! {
            // Control instructions.
            Unreachable = 0x00, unreachable, "unreachable", none, special;
            Nop = 0x01, nop, "nop", none, [->];
            Block = 0x02, block, "block", block, special;
            Loop = 0x03, r#loop, "loop", block, special;
            If = 0x04, r#if, "if", block, special;
            Else = 0x05, r#else, "else", none, special;
            End = 0x0B, end, "end", none, special;
            Br = 0x0C, br, "br", label, special;
            BrIf = 0x0D, br_if, "br_if", label, special;
            BrTable = 0x0E, br_table, "br_table", br_table, special;
            Return = 0x0F, r#return, "return", none, special;
            Call = 0x10, call, "call", func, special;
            CallIndirect = 0x11, call_indirect, "call_indirect", call_indirect, special;
            ReturnCall = 0x12, return_call, "return_call", func, special;
            ReturnCallIndirect = 0x13, return_call_indirect, "return_call_indirect", call_indirect, special;

            // Reference instructions.
            RefNull = 0xD0, ref_null, "ref.null", ref_type, special;
            RefIsNull = 0xD1, ref_is_null, "ref.is_null", none, special;
            RefFunc = 0xD2, ref_func, "ref.func", func, [-> funcref];

            // Parametric instructions.
            Drop = 0x1A, drop, "drop", none, special;
            Select = 0x1B, select, "select", none, special;
            TypedSelect = 0x1C, typed_select, "select", select_types, special;

            // Variable instructions.
            LocalGet = 0x20, local_get, "local.get", local, special;
            LocalSet = 0x21, local_set, "local.set", local, special;
            LocalTee = 0x22, local_tee, "local.tee", local, special;
            GlobalGet = 0x23, global_get, "global.get", global, special;
            GlobalSet = 0x24, global_set, "global.set", global, special;

            // Table instructions.
            TableGet = 0x25, table_get, "table.get", table, special;
            TableSet = 0x26, table_set, "table.set", table, special;
            TableInit = 0xFC_000C, table_init, "table.init", table_init, special;
            ElemDrop = 0xFC_000D, elem_drop, "elem.drop", elem, [->];
            TableCopy = 0xFC_000E, table_copy, "table.copy", table_copy, special;
            TableGrow = 0xFC_000F, table_grow, "table.grow", table, special;
            TableSize = 0xFC_0010, table_size, "table.size", table, special;
            TableFill = 0xFC_0011, table_fill, "table.fill", table, special;

            // Memory instructions.
            I32Load = 0x28, i32_load, "i32.load", mem4, [addr -> i32];
            I64Load = 0x29, i64_load, "i64.load", mem8, [addr -> i64];
            F32Load = 0x2A, f32_load, "f32.load", mem4, [addr -> f32];
            F64Load = 0x2B, f64_load, "f64.load", mem8, [addr -> f64];
            I32Load8S = 0x2C, i32_load8_s, "i32.load8_s", mem1, [addr -> i32];
            I32Load8U = 0x2D, i32_load8_u, "i32.load8_u", mem1, [addr -> i32];
            I32Load16S = 0x2E, i32_load16_s, "i32.load16_s", mem2, [addr -> i32];
            I32Load16U = 0x2F, i32_load16_u, "i32.load16_u", mem2, [addr -> i32];
            I64Load8S = 0x30, i64_load8_s, "i64.load8_s", mem1, [addr -> i64];
            I64Load8U = 0x31, i64_load8_u, "i64.load8_u", mem1, [addr -> i64];
            I64Load16S = 0x32, i64_load16_s, "i64.load16_s", mem2, [addr -> i64];
            I64Load16U = 0x33, i64_load16_u, "i64.load16_u", mem2, [addr -> i64];
            I64Load32S = 0x34, i64_load32_s, "i64.load32_s", mem4, [addr -> i64];
            I64Load32U = 0x35, i64_load32_u, "i64.load32_u", mem4, [addr -> i64];
            I32Store = 0x36, i32_store, "i32.store", mem4, [addr i32 ->];
            I64Store = 0x37, i64_store, "i64.store", mem8, [addr i64 ->];
            F32Store = 0x38, f32_store, "f32.store", mem4, [addr f32 ->];
            F64Store = 0x39, f64_store, "f64.store", mem8, [addr f64 ->];
            I32Store8 = 0x3A, i32_store8, "i32.store8", mem1, [addr i32 ->];
            I32Store16 = 0x3B, i32_store16, "i32.store16", mem2, [addr i32 ->];
            I64Store8 = 0x3C, i64_store8, "i64.store8", mem1, [addr i64 ->];
            I64Store16 = 0x3D, i64_store16, "i64.store16", mem2, [addr i64 ->];
            I64Store32 = 0x3E, i64_store32, "i64.store32", mem4, [addr i64 ->];
            MemorySize = 0x3F, memory_size, "memory.size", memory, special;
            MemoryGrow = 0x40, memory_grow, "memory.grow", memory, special;
            MemoryInit = 0xFC_0008, memory_init, "memory.init", memory_init, special;
            DataDrop = 0xFC_0009, data_drop, "data.drop", data, [->];
            MemoryCopy = 0xFC_000A, memory_copy, "memory.copy", memory_copy, special;
            MemoryFill = 0xFC_000B, memory_fill, "memory.fill", memory, special;

            // Numeric instructions: constants.
            I32Const = 0x41, i32_const, "i32.const", i32, [-> i32];
            I64Const = 0x42, i64_const, "i64.const", i64, [-> i64];
            F32Const = 0x43, f32_const, "f32.const", f32, [-> f32];
            F64Const = 0x44, f64_const, "f64.const", f64, [-> f64];

            // Numeric instructions: comparisons.
            I32Eqz = 0x45, i32_eqz, "i32.eqz", none, [i32 -> i32];
            I32Eq = 0x46, i32_eq, "i32.eq", none, [i32 i32 -> i32];
            I32Ne = 0x47, i32_ne, "i32.ne", none, [i32 i32 -> i32];
            I32LtS = 0x48, i32_lt_s, "i32.lt_s", none, [i32 i32 -> i32];
            I32LtU = 0x49, i32_lt_u, "i32.lt_u", none, [i32 i32 -> i32];
            I32GtS = 0x4A, i32_gt_s, "i32.gt_s", none, [i32 i32 -> i32];
            I32GtU = 0x4B, i32_gt_u, "i32.gt_u", none, [i32 i32 -> i32];
            I32LeS = 0x4C, i32_le_s, "i32.le_s", none, [i32 i32 -> i32];
            I32LeU = 0x4D, i32_le_u, "i32.le_u", none, [i32 i32 -> i32];
            I32GeS = 0x4E, i32_ge_s, "i32.ge_s", none, [i32 i32 -> i32];
            I32GeU = 0x4F, i32_ge_u, "i32.ge_u", none, [i32 i32 -> i32];
            I64Eqz = 0x50, i64_eqz, "i64.eqz", none, [i64 -> i32];
            I64Eq = 0x51, i64_eq, "i64.eq", none, [i64 i64 -> i32];
            I64Ne = 0x52, i64_ne, "i64.ne", none, [i64 i64 -> i32];
            I64LtS = 0x53, i64_lt_s, "i64.lt_s", none, [i64 i64 -> i32];
            I64LtU = 0x54, i64_lt_u, "i64.lt_u", none, [i64 i64 -> i32];
            I64GtS = 0x55, i64_gt_s, "i64.gt_s", none, [i64 i64 -> i32];
            I64GtU = 0x56, i64_gt_u, "i64.gt_u", none, [i64 i64 -> i32];
            I64LeS = 0x57, i64_le_s, "i64.le_s", none, [i64 i64 -> i32];
            I64LeU = 0x58, i64_le_u, "i64.le_u", none, [i64 i64 -> i32];
            I64GeS = 0x59, i64_ge_s, "i64.ge_s", none, [i64 i64 -> i32];
            I64GeU = 0x5A, i64_ge_u, "i64.ge_u", none, [i64 i64 -> i32];
            F32Eq = 0x5B, f32_eq, "f32.eq", none, [f32 f32 -> i32];
            F32Ne = 0x5C, f32_ne, "f32.ne", none, [f32 f32 -> i32];
            F32Lt = 0x5D, f32_lt, "f32.lt", none, [f32 f32 -> i32];
            F32Gt = 0x5E, f32_gt, "f32.gt", none, [f32 f32 -> i32];
            F32Le = 0x5F, f32_le, "f32.le", none, [f32 f32 -> i32];
            F32Ge = 0x60, f32_ge, "f32.ge", none, [f32 f32 -> i32];
            F64Eq = 0x61, f64_eq, "f64.eq", none, [f64 f64 -> i32];
            F64Ne = 0x62, f64_ne, "f64.ne", none, [f64 f64 -> i32];
            F64Lt = 0x63, f64_lt, "f64.lt", none, [f64 f64 -> i32];
            F64Gt = 0x64, f64_gt, "f64.gt", none, [f64 f64 -> i32];
            F64Le = 0x65, f64_le, "f64.le", none, [f64 f64 -> i32];
            F64Ge = 0x66, f64_ge, "f64.ge", none, [f64 f64 -> i32];

            // Numeric instructions: arithmetic.
            I32Clz = 0x67, i32_clz, "i32.clz", none, [i32 -> i32];
            I32Ctz = 0x68, i32_ctz, "i32.ctz", none, [i32 -> i32];
            I32Popcnt = 0x69, i32_popcnt, "i32.popcnt", none, [i32 -> i32];
            I32Add = 0x6A, i32_add, "i32.add", none, [i32 i32 -> i32];
            I32Sub = 0x6B, i32_sub, "i32.sub", none, [i32 i32 -> i32];
            I32Mul = 0x6C, i32_mul, "i32.mul", none, [i32 i32 -> i32];
            I32DivS = 0x6D, i32_div_s, "i32.div_s", none, [i32 i32 -> i32];
            I32DivU = 0x6E, i32_div_u, "i32.div_u", none, [i32 i32 -> i32];
            I32RemS = 0x6F, i32_rem_s, "i32.rem_s", none, [i32 i32 -> i32];
            I32RemU = 0x70, i32_rem_u, "i32.rem_u", none, [i32 i32 -> i32];
            I32And = 0x71, i32_and, "i32.and", none, [i32 i32 -> i32];
            I32Or = 0x72, i32_or, "i32.or", none, [i32 i32 -> i32];
            I32Xor = 0x73, i32_xor, "i32.xor", none, [i32 i32 -> i32];
            I32Shl = 0x74, i32_shl, "i32.shl", none, [i32 i32 -> i32];
            I32ShrS = 0x75, i32_shr_s, "i32.shr_s", none, [i32 i32 -> i32];
            I32ShrU = 0x76, i32_shr_u, "i32.shr_u", none, [i32 i32 -> i32];
            I32Rotl = 0x77, i32_rotl, "i32.rotl", none, [i32 i32 -> i32];
            I32Rotr = 0x78, i32_rotr, "i32.rotr", none, [i32 i32 -> i32];
            I64Clz = 0x79, i64_clz, "i64.clz", none, [i64 -> i64];
            I64Ctz = 0x7A, i64_ctz, "i64.ctz", none, [i64 -> i64];
            I64Popcnt = 0x7B, i64_popcnt, "i64.popcnt", none, [i64 -> i64];
            I64Add = 0x7C, i64_add, "i64.add", none, [i64 i64 -> i64];
            I64Sub = 0x7D, i64_sub, "i64.sub", none, [i64 i64 -> i64];
            I64Mul = 0x7E, i64_mul, "i64.mul", none, [i64 i64 -> i64];
            I64DivS = 0x7F, i64_div_s, "i64.div_s", none, [i64 i64 -> i64];
            I64DivU = 0x80, i64_div_u, "i64.div_u", none, [i64 i64 -> i64];
            I64RemS = 0x81, i64_rem_s, "i64.rem_s", none, [i64 i64 -> i64];
            I64RemU = 0x82, i64_rem_u, "i64.rem_u", none, [i64 i64 -> i64];
            I64And = 0x83, i64_and, "i64.and", none, [i64 i64 -> i64];
            I64Or = 0x84, i64_or, "i64.or", none, [i64 i64 -> i64];
            I64Xor = 0x85, i64_xor, "i64.xor", none, [i64 i64 -> i64];
            I64Shl = 0x86, i64_shl, "i64.shl", none, [i64 i64 -> i64];
            I64ShrS = 0x87, i64_shr_s, "i64.shr_s", none, [i64 i64 -> i64];
            I64ShrU = 0x88, i64_shr_u, "i64.shr_u", none, [i64 i64 -> i64];
            I64Rotl = 0x89, i64_rotl, "i64.rotl", none, [i64 i64 -> i64];
            I64Rotr = 0x8A, i64_rotr, "i64.rotr", none, [i64 i64 -> i64];
            F32Abs = 0x8B, f32_abs, "f32.abs", none, [f32 -> f32];
            F32Neg = 0x8C, f32_neg, "f32.neg", none, [f32 -> f32];
            F32Ceil = 0x8D, f32_ceil, "f32.ceil", none, [f32 -> f32];
            F32Floor = 0x8E, f32_floor, "f32.floor", none, [f32 -> f32];
            F32Trunc = 0x8F, f32_trunc, "f32.trunc", none, [f32 -> f32];
            F32Nearest = 0x90, f32_nearest, "f32.nearest", none, [f32 -> f32];
            F32Sqrt = 0x91, f32_sqrt, "f32.sqrt", none, [f32 -> f32];
            F32Add = 0x92, f32_add, "f32.add", none, [f32 f32 -> f32];
            F32Sub = 0x93, f32_sub, "f32.sub", none, [f32 f32 -> f32];
            F32Mul = 0x94, f32_mul, "f32.mul", none, [f32 f32 -> f32];
            F32Div = 0x95, f32_div, "f32.div", none, [f32 f32 -> f32];
            F32Min = 0x96, f32_min, "f32.min", none, [f32 f32 -> f32];
            F32Max = 0x97, f32_max, "f32.max", none, [f32 f32 -> f32];
            F32Copysign = 0x98, f32_copysign, "f32.copysign", none, [f32 f32 -> f32];
            F64Abs = 0x99, f64_abs, "f64.abs", none, [f64 -> f64];
            F64Neg = 0x9A, f64_neg, "f64.neg", none, [f64 -> f64];
            F64Ceil = 0x9B, f64_ceil, "f64.ceil", none, [f64 -> f64];
            F64Floor = 0x9C, f64_floor, "f64.floor", none, [f64 -> f64];
            F64Trunc = 0x9D, f64_trunc, "f64.trunc", none, [f64 -> f64];
            F64Nearest = 0x9E, f64_nearest, "f64.nearest", none, [f64 -> f64];
            F64Sqrt = 0x9F, f64_sqrt, "f64.sqrt", none, [f64 -> f64];
            F64Add = 0xA0, f64_add, "f64.add", none, [f64 f64 -> f64];
            F64Sub = 0xA1, f64_sub, "f64.sub", none, [f64 f64 -> f64];
            F64Mul = 0xA2, f64_mul, "f64.mul", none, [f64 f64 -> f64];
            F64Div = 0xA3, f64_div, "f64.div", none, [f64 f64 -> f64];
            F64Min = 0xA4, f64_min, "f64.min", none, [f64 f64 -> f64];
            F64Max = 0xA5, f64_max, "f64.max", none, [f64 f64 -> f64];
            F64Copysign = 0xA6, f64_copysign, "f64.copysign", none, [f64 f64 -> f64];

            // Numeric instructions: conversions.
            I32WrapI64 = 0xA7, i32_wrap_i64, "i32.wrap_i64", none, [i64 -> i32];
            I32TruncF32S = 0xA8, i32_trunc_f32_s, "i32.trunc_f32_s", none, [f32 -> i32];
            I32TruncF32U = 0xA9, i32_trunc_f32_u, "i32.trunc_f32_u", none, [f32 -> i32];
            I32TruncF64S = 0xAA, i32_trunc_f64_s, "i32.trunc_f64_s", none, [f64 -> i32];
            I32TruncF64U = 0xAB, i32_trunc_f64_u, "i32.trunc_f64_u", none, [f64 -> i32];
            I64ExtendI32S = 0xAC, i64_extend_i32_s, "i64.extend_i32_s", none, [i32 -> i64];
            I64ExtendI32U = 0xAD, i64_extend_i32_u, "i64.extend_i32_u", none, [i32 -> i64];
            I64TruncF32S = 0xAE, i64_trunc_f32_s, "i64.trunc_f32_s", none, [f32 -> i64];
            I64TruncF32U = 0xAF, i64_trunc_f32_u, "i64.trunc_f32_u", none, [f32 -> i64];
            I64TruncF64S = 0xB0, i64_trunc_f64_s, "i64.trunc_f64_s", none, [f64 -> i64];
            I64TruncF64U = 0xB1, i64_trunc_f64_u, "i64.trunc_f64_u", none, [f64 -> i64];
            F32ConvertI32S = 0xB2, f32_convert_i32_s, "f32.convert_i32_s", none, [i32 -> f32];
            F32ConvertI32U = 0xB3, f32_convert_i32_u, "f32.convert_i32_u", none, [i32 -> f32];
            F32ConvertI64S = 0xB4, f32_convert_i64_s, "f32.convert_i64_s", none, [i64 -> f32];
            F32ConvertI64U = 0xB5, f32_convert_i64_u, "f32.convert_i64_u", none, [i64 -> f32];
            F32DemoteF64 = 0xB6, f32_demote_f64, "f32.demote_f64", none, [f64 -> f32];
            F64ConvertI32S = 0xB7, f64_convert_i32_s, "f64.convert_i32_s", none, [i32 -> f64];
            F64ConvertI32U = 0xB8, f64_convert_i32_u, "f64.convert_i32_u", none, [i32 -> f64];
            F64ConvertI64S = 0xB9, f64_convert_i64_s, "f64.convert_i64_s", none, [i64 -> f64];
            F64ConvertI64U = 0xBA, f64_convert_i64_u, "f64.convert_i64_u", none, [i64 -> f64];
            F64PromoteF32 = 0xBB, f64_promote_f32, "f64.promote_f32", none, [f32 -> f64];
            I32ReinterpretF32 = 0xBC, i32_reinterpret_f32, "i32.reinterpret_f32", none, [f32 -> i32];
            I64ReinterpretF64 = 0xBD, i64_reinterpret_f64, "i64.reinterpret_f64", none, [f64 -> i64];
            F32ReinterpretI32 = 0xBE, f32_reinterpret_i32, "f32.reinterpret_i32", none, [i32 -> f32];
            F64ReinterpretI64 = 0xBF, f64_reinterpret_i64, "f64.reinterpret_i64", none, [i64 -> f64];

            // Sign-extension operators.
            I32Extend8S = 0xC0, i32_extend8_s, "i32.extend8_s", none, [i32 -> i32];
            I32Extend16S = 0xC1, i32_extend16_s, "i32.extend16_s", none, [i32 -> i32];
            I64Extend8S = 0xC2, i64_extend8_s, "i64.extend8_s", none, [i64 -> i64];
            I64Extend16S = 0xC3, i64_extend16_s, "i64.extend16_s", none, [i64 -> i64];
            I64Extend32S = 0xC4, i64_extend32_s, "i64.extend32_s", none, [i64 -> i64];

            // Saturating float-to-int conversions.
            I32TruncSatF32S = 0xFC_0000, i32_trunc_sat_f32_s, "i32.trunc_sat_f32_s", none, [f32 -> i32];
            I32TruncSatF32U = 0xFC_0001, i32_trunc_sat_f32_u, "i32.trunc_sat_f32_u", none, [f32 -> i32];
            I32TruncSatF64S = 0xFC_0002, i32_trunc_sat_f64_s, "i32.trunc_sat_f64_s", none, [f64 -> i32];
            I32TruncSatF64U = 0xFC_0003, i32_trunc_sat_f64_u, "i32.trunc_sat_f64_u", none, [f64 -> i32];
            I64TruncSatF32S = 0xFC_0004, i64_trunc_sat_f32_s, "i64.trunc_sat_f32_s", none, [f32 -> i64];
            I64TruncSatF32U = 0xFC_0005, i64_trunc_sat_f32_u, "i64.trunc_sat_f32_u", none, [f32 -> i64];
            I64TruncSatF64S = 0xFC_0006, i64_trunc_sat_f64_s, "i64.trunc_sat_f64_s", none, [f64 -> i64];
            I64TruncSatF64U = 0xFC_0007, i64_trunc_sat_f64_u, "i64.trunc_sat_f64_u", none, [f64 -> i64];

            // 128-bit SIMD: memory.
            V128Load = 0xFD_0000, v128_load, "v128.load", mem16, [addr -> v128];
            V128Load8x8S = 0xFD_0001, v128_load8x8_s, "v128.load8x8_s", mem8, [addr -> v128];
            V128Load8x8U = 0xFD_0002, v128_load8x8_u, "v128.load8x8_u", mem8, [addr -> v128];
            V128Load16x4S = 0xFD_0003, v128_load16x4_s, "v128.load16x4_s", mem8, [addr -> v128];
            V128Load16x4U = 0xFD_0004, v128_load16x4_u, "v128.load16x4_u", mem8, [addr -> v128];
            V128Load32x2S = 0xFD_0005, v128_load32x2_s, "v128.load32x2_s", mem8, [addr -> v128];
            V128Load32x2U = 0xFD_0006, v128_load32x2_u, "v128.load32x2_u", mem8, [addr -> v128];
            V128Load8Splat = 0xFD_0007, v128_load8_splat, "v128.load8_splat", mem1, [addr -> v128];
            V128Load16Splat = 0xFD_0008, v128_load16_splat, "v128.load16_splat", mem2, [addr -> v128];
            V128Load32Splat = 0xFD_0009, v128_load32_splat, "v128.load32_splat", mem4, [addr -> v128];
            V128Load64Splat = 0xFD_000A, v128_load64_splat, "v128.load64_splat", mem8, [addr -> v128];
            V128Store = 0xFD_000B, v128_store, "v128.store", mem16, [addr v128 ->];
            V128Load8Lane = 0xFD_0054, v128_load8_lane, "v128.load8_lane", mem1_lane16, [addr v128 -> v128];
            V128Load16Lane = 0xFD_0055, v128_load16_lane, "v128.load16_lane", mem2_lane8, [addr v128 -> v128];
            V128Load32Lane = 0xFD_0056, v128_load32_lane, "v128.load32_lane", mem4_lane4, [addr v128 -> v128];
            V128Load64Lane = 0xFD_0057, v128_load64_lane, "v128.load64_lane", mem8_lane2, [addr v128 -> v128];
            V128Store8Lane = 0xFD_0058, v128_store8_lane, "v128.store8_lane", mem1_lane16, [addr v128 ->];
            V128Store16Lane = 0xFD_0059, v128_store16_lane, "v128.store16_lane", mem2_lane8, [addr v128 ->];
            V128Store32Lane = 0xFD_005A, v128_store32_lane, "v128.store32_lane", mem4_lane4, [addr v128 ->];
            V128Store64Lane = 0xFD_005B, v128_store64_lane, "v128.store64_lane", mem8_lane2, [addr v128 ->];
            V128Load32Zero = 0xFD_005C, v128_load32_zero, "v128.load32_zero", mem4, [addr -> v128];
            V128Load64Zero = 0xFD_005D, v128_load64_zero, "v128.load64_zero", mem8, [addr -> v128];

            // 128-bit SIMD: constants, shuffles, splats and lanes.
            V128Const = 0xFD_000C, v128_const, "v128.const", v128, [-> v128];
            I8x16Shuffle = 0xFD_000D, i8x16_shuffle, "i8x16.shuffle", shuffle, [v128 v128 -> v128];
            I8x16Swizzle = 0xFD_000E, i8x16_swizzle, "i8x16.swizzle", none, [v128 v128 -> v128];
            I8x16Splat = 0xFD_000F, i8x16_splat, "i8x16.splat", none, [i32 -> v128];
            I16x8Splat = 0xFD_0010, i16x8_splat, "i16x8.splat", none, [i32 -> v128];
            I32x4Splat = 0xFD_0011, i32x4_splat, "i32x4.splat", none, [i32 -> v128];
            I64x2Splat = 0xFD_0012, i64x2_splat, "i64x2.splat", none, [i64 -> v128];
            F32x4Splat = 0xFD_0013, f32x4_splat, "f32x4.splat", none, [f32 -> v128];
            F64x2Splat = 0xFD_0014, f64x2_splat, "f64x2.splat", none, [f64 -> v128];
            I8x16ExtractLaneS = 0xFD_0015, i8x16_extract_lane_s, "i8x16.extract_lane_s", lane16, [v128 -> i32];
            I8x16ExtractLaneU = 0xFD_0016, i8x16_extract_lane_u, "i8x16.extract_lane_u", lane16, [v128 -> i32];
            I8x16ReplaceLane = 0xFD_0017, i8x16_replace_lane, "i8x16.replace_lane", lane16, [v128 i32 -> v128];
            I16x8ExtractLaneS = 0xFD_0018, i16x8_extract_lane_s, "i16x8.extract_lane_s", lane8, [v128 -> i32];
            I16x8ExtractLaneU = 0xFD_0019, i16x8_extract_lane_u, "i16x8.extract_lane_u", lane8, [v128 -> i32];
            I16x8ReplaceLane = 0xFD_001A, i16x8_replace_lane, "i16x8.replace_lane", lane8, [v128 i32 -> v128];
            I32x4ExtractLane = 0xFD_001B, i32x4_extract_lane, "i32x4.extract_lane", lane4, [v128 -> i32];
            I32x4ReplaceLane = 0xFD_001C, i32x4_replace_lane, "i32x4.replace_lane", lane4, [v128 i32 -> v128];
            I64x2ExtractLane = 0xFD_001D, i64x2_extract_lane, "i64x2.extract_lane", lane2, [v128 -> i64];
            I64x2ReplaceLane = 0xFD_001E, i64x2_replace_lane, "i64x2.replace_lane", lane2, [v128 i64 -> v128];
            F32x4ExtractLane = 0xFD_001F, f32x4_extract_lane, "f32x4.extract_lane", lane4, [v128 -> f32];
            F32x4ReplaceLane = 0xFD_0020, f32x4_replace_lane, "f32x4.replace_lane", lane4, [v128 f32 -> v128];
            F64x2ExtractLane = 0xFD_0021, f64x2_extract_lane, "f64x2.extract_lane", lane2, [v128 -> f64];
            F64x2ReplaceLane = 0xFD_0022, f64x2_replace_lane, "f64x2.replace_lane", lane2, [v128 f64 -> v128];

            // 128-bit SIMD: comparisons.
            I8x16Eq = 0xFD_0023, i8x16_eq, "i8x16.eq", none, [v128 v128 -> v128];
            I8x16Ne = 0xFD_0024, i8x16_ne, "i8x16.ne", none, [v128 v128 -> v128];
            I8x16LtS = 0xFD_0025, i8x16_lt_s, "i8x16.lt_s", none, [v128 v128 -> v128];
            I8x16LtU = 0xFD_0026, i8x16_lt_u, "i8x16.lt_u", none, [v128 v128 -> v128];
            I8x16GtS = 0xFD_0027, i8x16_gt_s, "i8x16.gt_s", none, [v128 v128 -> v128];
            I8x16GtU = 0xFD_0028, i8x16_gt_u, "i8x16.gt_u", none, [v128 v128 -> v128];
            I8x16LeS = 0xFD_0029, i8x16_le_s, "i8x16.le_s", none, [v128 v128 -> v128];
            I8x16LeU = 0xFD_002A, i8x16_le_u, "i8x16.le_u", none, [v128 v128 -> v128];
            I8x16GeS = 0xFD_002B, i8x16_ge_s, "i8x16.ge_s", none, [v128 v128 -> v128];
            I8x16GeU = 0xFD_002C, i8x16_ge_u, "i8x16.ge_u", none, [v128 v128 -> v128];
            I16x8Eq = 0xFD_002D, i16x8_eq, "i16x8.eq", none, [v128 v128 -> v128];
            I16x8Ne = 0xFD_002E, i16x8_ne, "i16x8.ne", none, [v128 v128 -> v128];
            I16x8LtS = 0xFD_002F, i16x8_lt_s, "i16x8.lt_s", none, [v128 v128 -> v128];
            I16x8LtU = 0xFD_0030, i16x8_lt_u, "i16x8.lt_u", none, [v128 v128 -> v128];
            I16x8GtS = 0xFD_0031, i16x8_gt_s, "i16x8.gt_s", none, [v128 v128 -> v128];
            I16x8GtU = 0xFD_0032, i16x8_gt_u, "i16x8.gt_u", none, [v128 v128 -> v128];
            I16x8LeS = 0xFD_0033, i16x8_le_s, "i16x8.le_s", none, [v128 v128 -> v128];
            I16x8LeU = 0xFD_0034, i16x8_le_u, "i16x8.le_u", none, [v128 v128 -> v128];
            I16x8GeS = 0xFD_0035, i16x8_ge_s, "i16x8.ge_s", none, [v128 v128 -> v128];
            I16x8GeU = 0xFD_0036, i16x8_ge_u, "i16x8.ge_u", none, [v128 v128 -> v128];
            I32x4Eq = 0xFD_0037, i32x4_eq, "i32x4.eq", none, [v128 v128 -> v128];
            I32x4Ne = 0xFD_0038, i32x4_ne, "i32x4.ne", none, [v128 v128 -> v128];
            I32x4LtS = 0xFD_0039, i32x4_lt_s, "i32x4.lt_s", none, [v128 v128 -> v128];
            I32x4LtU = 0xFD_003A, i32x4_lt_u, "i32x4.lt_u", none, [v128 v128 -> v128];
            I32x4GtS = 0xFD_003B, i32x4_gt_s, "i32x4.gt_s", none, [v128 v128 -> v128];
            I32x4GtU = 0xFD_003C, i32x4_gt_u, "i32x4.gt_u", none, [v128 v128 -> v128];
            I32x4LeS = 0xFD_003D, i32x4_le_s, "i32x4.le_s", none, [v128 v128 -> v128];
            I32x4LeU = 0xFD_003E, i32x4_le_u, "i32x4.le_u", none, [v128 v128 -> v128];
            I32x4GeS = 0xFD_003F, i32x4_ge_s, "i32x4.ge_s", none, [v128 v128 -> v128];
            I32x4GeU = 0xFD_0040, i32x4_ge_u, "i32x4.ge_u", none, [v128 v128 -> v128];
            F32x4Eq = 0xFD_0041, f32x4_eq, "f32x4.eq", none, [v128 v128 -> v128];
            F32x4Ne = 0xFD_0042, f32x4_ne, "f32x4.ne", none, [v128 v128 -> v128];
            F32x4Lt = 0xFD_0043, f32x4_lt, "f32x4.lt", none, [v128 v128 -> v128];
            F32x4Gt = 0xFD_0044, f32x4_gt, "f32x4.gt", none, [v128 v128 -> v128];
            F32x4Le = 0xFD_0045, f32x4_le, "f32x4.le", none, [v128 v128 -> v128];
            F32x4Ge = 0xFD_0046, f32x4_ge, "f32x4.ge", none, [v128 v128 -> v128];
            F64x2Eq = 0xFD_0047, f64x2_eq, "f64x2.eq", none, [v128 v128 -> v128];
            F64x2Ne = 0xFD_0048, f64x2_ne, "f64x2.ne", none, [v128 v128 -> v128];
            F64x2Lt = 0xFD_0049, f64x2_lt, "f64x2.lt", none, [v128 v128 -> v128];
            F64x2Gt = 0xFD_004A, f64x2_gt, "f64x2.gt", none, [v128 v128 -> v128];
            F64x2Le = 0xFD_004B, f64x2_le, "f64x2.le", none, [v128 v128 -> v128];
            F64x2Ge = 0xFD_004C, f64x2_ge, "f64x2.ge", none, [v128 v128 -> v128];
            I64x2Eq = 0xFD_00D6, i64x2_eq, "i64x2.eq", none, [v128 v128 -> v128];
            I64x2Ne = 0xFD_00D7, i64x2_ne, "i64x2.ne", none, [v128 v128 -> v128];
            I64x2LtS = 0xFD_00D8, i64x2_lt_s, "i64x2.lt_s", none, [v128 v128 -> v128];
            I64x2GtS = 0xFD_00D9, i64x2_gt_s, "i64x2.gt_s", none, [v128 v128 -> v128];
            I64x2LeS = 0xFD_00DA, i64x2_le_s, "i64x2.le_s", none, [v128 v128 -> v128];
            I64x2GeS = 0xFD_00DB, i64x2_ge_s, "i64x2.ge_s", none, [v128 v128 -> v128];

            // 128-bit SIMD: bitwise.
            V128Not = 0xFD_004D, v128_not, "v128.not", none, [v128 -> v128];
            V128And = 0xFD_004E, v128_and, "v128.and", none, [v128 v128 -> v128];
            V128AndNot = 0xFD_004F, v128_andnot, "v128.andnot", none, [v128 v128 -> v128];
            V128Or = 0xFD_0050, v128_or, "v128.or", none, [v128 v128 -> v128];
            V128Xor = 0xFD_0051, v128_xor, "v128.xor", none, [v128 v128 -> v128];
            V128Bitselect = 0xFD_0052, v128_bitselect, "v128.bitselect", none, [v128 v128 v128 -> v128];
            V128AnyTrue = 0xFD_0053, v128_any_true, "v128.any_true", none, [v128 -> i32];

            // 128-bit SIMD: i8x16 arithmetic.
            I8x16Abs = 0xFD_0060, i8x16_abs, "i8x16.abs", none, [v128 -> v128];
            I8x16Neg = 0xFD_0061, i8x16_neg, "i8x16.neg", none, [v128 -> v128];
            I8x16Popcnt = 0xFD_0062, i8x16_popcnt, "i8x16.popcnt", none, [v128 -> v128];
            I8x16AllTrue = 0xFD_0063, i8x16_all_true, "i8x16.all_true", none, [v128 -> i32];
            I8x16Bitmask = 0xFD_0064, i8x16_bitmask, "i8x16.bitmask", none, [v128 -> i32];
            I8x16NarrowI16x8S = 0xFD_0065, i8x16_narrow_i16x8_s, "i8x16.narrow_i16x8_s", none, [v128 v128 -> v128];
            I8x16NarrowI16x8U = 0xFD_0066, i8x16_narrow_i16x8_u, "i8x16.narrow_i16x8_u", none, [v128 v128 -> v128];
            I8x16Shl = 0xFD_006B, i8x16_shl, "i8x16.shl", none, [v128 i32 -> v128];
            I8x16ShrS = 0xFD_006C, i8x16_shr_s, "i8x16.shr_s", none, [v128 i32 -> v128];
            I8x16ShrU = 0xFD_006D, i8x16_shr_u, "i8x16.shr_u", none, [v128 i32 -> v128];
            I8x16Add = 0xFD_006E, i8x16_add, "i8x16.add", none, [v128 v128 -> v128];
            I8x16AddSatS = 0xFD_006F, i8x16_add_sat_s, "i8x16.add_sat_s", none, [v128 v128 -> v128];
            I8x16AddSatU = 0xFD_0070, i8x16_add_sat_u, "i8x16.add_sat_u", none, [v128 v128 -> v128];
            I8x16Sub = 0xFD_0071, i8x16_sub, "i8x16.sub", none, [v128 v128 -> v128];
            I8x16SubSatS = 0xFD_0072, i8x16_sub_sat_s, "i8x16.sub_sat_s", none, [v128 v128 -> v128];
            I8x16SubSatU = 0xFD_0073, i8x16_sub_sat_u, "i8x16.sub_sat_u", none, [v128 v128 -> v128];
            I8x16MinS = 0xFD_0076, i8x16_min_s, "i8x16.min_s", none, [v128 v128 -> v128];
            I8x16MinU = 0xFD_0077, i8x16_min_u, "i8x16.min_u", none, [v128 v128 -> v128];
            I8x16MaxS = 0xFD_0078, i8x16_max_s, "i8x16.max_s", none, [v128 v128 -> v128];
            I8x16MaxU = 0xFD_0079, i8x16_max_u, "i8x16.max_u", none, [v128 v128 -> v128];
            I8x16AvgrU = 0xFD_007B, i8x16_avgr_u, "i8x16.avgr_u", none, [v128 v128 -> v128];

            // 128-bit SIMD: i16x8 arithmetic.
            I16x8ExtAddPairwiseI8x16S = 0xFD_007C, i16x8_extadd_pairwise_i8x16_s, "i16x8.extadd_pairwise_i8x16_s", none, [v128 -> v128];
            I16x8ExtAddPairwiseI8x16U = 0xFD_007D, i16x8_extadd_pairwise_i8x16_u, "i16x8.extadd_pairwise_i8x16_u", none, [v128 -> v128];
            I16x8Abs = 0xFD_0080, i16x8_abs, "i16x8.abs", none, [v128 -> v128];
            I16x8Neg = 0xFD_0081, i16x8_neg, "i16x8.neg", none, [v128 -> v128];
            I16x8Q15MulrSatS = 0xFD_0082, i16x8_q15mulr_sat_s, "i16x8.q15mulr_sat_s", none, [v128 v128 -> v128];
            I16x8AllTrue = 0xFD_0083, i16x8_all_true, "i16x8.all_true", none, [v128 -> i32];
            I16x8Bitmask = 0xFD_0084, i16x8_bitmask, "i16x8.bitmask", none, [v128 -> i32];
            I16x8NarrowI32x4S = 0xFD_0085, i16x8_narrow_i32x4_s, "i16x8.narrow_i32x4_s", none, [v128 v128 -> v128];
            I16x8NarrowI32x4U = 0xFD_0086, i16x8_narrow_i32x4_u, "i16x8.narrow_i32x4_u", none, [v128 v128 -> v128];
            I16x8ExtendLowI8x16S = 0xFD_0087, i16x8_extend_low_i8x16_s, "i16x8.extend_low_i8x16_s", none, [v128 -> v128];
            I16x8ExtendHighI8x16S = 0xFD_0088, i16x8_extend_high_i8x16_s, "i16x8.extend_high_i8x16_s", none, [v128 -> v128];
            I16x8ExtendLowI8x16U = 0xFD_0089, i16x8_extend_low_i8x16_u, "i16x8.extend_low_i8x16_u", none, [v128 -> v128];
            I16x8ExtendHighI8x16U = 0xFD_008A, i16x8_extend_high_i8x16_u, "i16x8.extend_high_i8x16_u", none, [v128 -> v128];
            I16x8Shl = 0xFD_008B, i16x8_shl, "i16x8.shl", none, [v128 i32 -> v128];
            I16x8ShrS = 0xFD_008C, i16x8_shr_s, "i16x8.shr_s", none, [v128 i32 -> v128];
            I16x8ShrU = 0xFD_008D, i16x8_shr_u, "i16x8.shr_u", none, [v128 i32 -> v128];
            I16x8Add = 0xFD_008E, i16x8_add, "i16x8.add", none, [v128 v128 -> v128];
            I16x8AddSatS = 0xFD_008F, i16x8_add_sat_s, "i16x8.add_sat_s", none, [v128 v128 -> v128];
            I16x8AddSatU = 0xFD_0090, i16x8_add_sat_u, "i16x8.add_sat_u", none, [v128 v128 -> v128];
            I16x8Sub = 0xFD_0091, i16x8_sub, "i16x8.sub", none, [v128 v128 -> v128];
            I16x8SubSatS = 0xFD_0092, i16x8_sub_sat_s, "i16x8.sub_sat_s", none, [v128 v128 -> v128];
            I16x8SubSatU = 0xFD_0093, i16x8_sub_sat_u, "i16x8.sub_sat_u", none, [v128 v128 -> v128];
            I16x8Mul = 0xFD_0095, i16x8_mul, "i16x8.mul", none, [v128 v128 -> v128];
            I16x8MinS = 0xFD_0096, i16x8_min_s, "i16x8.min_s", none, [v128 v128 -> v128];
            I16x8MinU = 0xFD_0097, i16x8_min_u, "i16x8.min_u", none, [v128 v128 -> v128];
            I16x8MaxS = 0xFD_0098, i16x8_max_s, "i16x8.max_s", none, [v128 v128 -> v128];
            I16x8MaxU = 0xFD_0099, i16x8_max_u, "i16x8.max_u", none, [v128 v128 -> v128];
            I16x8AvgrU = 0xFD_009B, i16x8_avgr_u, "i16x8.avgr_u", none, [v128 v128 -> v128];
            I16x8ExtMulLowI8x16S = 0xFD_009C, i16x8_extmul_low_i8x16_s, "i16x8.extmul_low_i8x16_s", none, [v128 v128 -> v128];
            I16x8ExtMulHighI8x16S = 0xFD_009D, i16x8_extmul_high_i8x16_s, "i16x8.extmul_high_i8x16_s", none, [v128 v128 -> v128];
            I16x8ExtMulLowI8x16U = 0xFD_009E, i16x8_extmul_low_i8x16_u, "i16x8.extmul_low_i8x16_u", none, [v128 v128 -> v128];
            I16x8ExtMulHighI8x16U = 0xFD_009F, i16x8_extmul_high_i8x16_u, "i16x8.extmul_high_i8x16_u", none, [v128 v128 -> v128];

            // 128-bit SIMD: i32x4 arithmetic.
            I32x4ExtAddPairwiseI16x8S = 0xFD_007E, i32x4_extadd_pairwise_i16x8_s, "i32x4.extadd_pairwise_i16x8_s", none, [v128 -> v128];
            I32x4ExtAddPairwiseI16x8U = 0xFD_007F, i32x4_extadd_pairwise_i16x8_u, "i32x4.extadd_pairwise_i16x8_u", none, [v128 -> v128];
            I32x4Abs = 0xFD_00A0, i32x4_abs, "i32x4.abs", none, [v128 -> v128];
            I32x4Neg = 0xFD_00A1, i32x4_neg, "i32x4.neg", none, [v128 -> v128];
            I32x4AllTrue = 0xFD_00A3, i32x4_all_true, "i32x4.all_true", none, [v128 -> i32];
            I32x4Bitmask = 0xFD_00A4, i32x4_bitmask, "i32x4.bitmask", none, [v128 -> i32];
            I32x4ExtendLowI16x8S = 0xFD_00A7, i32x4_extend_low_i16x8_s, "i32x4.extend_low_i16x8_s", none, [v128 -> v128];
            I32x4ExtendHighI16x8S = 0xFD_00A8, i32x4_extend_high_i16x8_s, "i32x4.extend_high_i16x8_s", none, [v128 -> v128];
            I32x4ExtendLowI16x8U = 0xFD_00A9, i32x4_extend_low_i16x8_u, "i32x4.extend_low_i16x8_u", none, [v128 -> v128];
            I32x4ExtendHighI16x8U = 0xFD_00AA, i32x4_extend_high_i16x8_u, "i32x4.extend_high_i16x8_u", none, [v128 -> v128];
            I32x4Shl = 0xFD_00AB, i32x4_shl, "i32x4.shl", none, [v128 i32 -> v128];
            I32x4ShrS = 0xFD_00AC, i32x4_shr_s, "i32x4.shr_s", none, [v128 i32 -> v128];
            I32x4ShrU = 0xFD_00AD, i32x4_shr_u, "i32x4.shr_u", none, [v128 i32 -> v128];
            I32x4Add = 0xFD_00AE, i32x4_add, "i32x4.add", none, [v128 v128 -> v128];
            I32x4Sub = 0xFD_00B1, i32x4_sub, "i32x4.sub", none, [v128 v128 -> v128];
            I32x4Mul = 0xFD_00B5, i32x4_mul, "i32x4.mul", none, [v128 v128 -> v128];
            I32x4MinS = 0xFD_00B6, i32x4_min_s, "i32x4.min_s", none, [v128 v128 -> v128];
            I32x4MinU = 0xFD_00B7, i32x4_min_u, "i32x4.min_u", none, [v128 v128 -> v128];
            I32x4MaxS = 0xFD_00B8, i32x4_max_s, "i32x4.max_s", none, [v128 v128 -> v128];
            I32x4MaxU = 0xFD_00B9, i32x4_max_u, "i32x4.max_u", none, [v128 v128 -> v128];
            I32x4DotI16x8S = 0xFD_00BA, i32x4_dot_i16x8_s, "i32x4.dot_i16x8_s", none, [v128 v128 -> v128];
            I32x4ExtMulLowI16x8S = 0xFD_00BC, i32x4_extmul_low_i16x8_s, "i32x4.extmul_low_i16x8_s", none, [v128 v128 -> v128];
            I32x4ExtMulHighI16x8S = 0xFD_00BD, i32x4_extmul_high_i16x8_s, "i32x4.extmul_high_i16x8_s", none, [v128 v128 -> v128];
            I32x4ExtMulLowI16x8U = 0xFD_00BE, i32x4_extmul_low_i16x8_u, "i32x4.extmul_low_i16x8_u", none, [v128 v128 -> v128];
            I32x4ExtMulHighI16x8U = 0xFD_00BF, i32x4_extmul_high_i16x8_u, "i32x4.extmul_high_i16x8_u", none, [v128 v128 -> v128];

            // 128-bit SIMD: i64x2 arithmetic.
            I64x2Abs = 0xFD_00C0, i64x2_abs, "i64x2.abs", none, [v128 -> v128];
            I64x2Neg = 0xFD_00C1, i64x2_neg, "i64x2.neg", none, [v128 -> v128];
            I64x2AllTrue = 0xFD_00C3, i64x2_all_true, "i64x2.all_true", none, [v128 -> i32];
            I64x2Bitmask = 0xFD_00C4, i64x2_bitmask, "i64x2.bitmask", none, [v128 -> i32];
            I64x2ExtendLowI32x4S = 0xFD_00C7, i64x2_extend_low_i32x4_s, "i64x2.extend_low_i32x4_s", none, [v128 -> v128];
            I64x2ExtendHighI32x4S = 0xFD_00C8, i64x2_extend_high_i32x4_s, "i64x2.extend_high_i32x4_s", none, [v128 -> v128];
            I64x2ExtendLowI32x4U = 0xFD_00C9, i64x2_extend_low_i32x4_u, "i64x2.extend_low_i32x4_u", none, [v128 -> v128];
            I64x2ExtendHighI32x4U = 0xFD_00CA, i64x2_extend_high_i32x4_u, "i64x2.extend_high_i32x4_u", none, [v128 -> v128];
            I64x2Shl = 0xFD_00CB, i64x2_shl, "i64x2.shl", none, [v128 i32 -> v128];
            I64x2ShrS = 0xFD_00CC, i64x2_shr_s, "i64x2.shr_s", none, [v128 i32 -> v128];
            I64x2ShrU = 0xFD_00CD, i64x2_shr_u, "i64x2.shr_u", none, [v128 i32 -> v128];
            I64x2Add = 0xFD_00CE, i64x2_add, "i64x2.add", none, [v128 v128 -> v128];
            I64x2Sub = 0xFD_00D1, i64x2_sub, "i64x2.sub", none, [v128 v128 -> v128];
            I64x2Mul = 0xFD_00D5, i64x2_mul, "i64x2.mul", none, [v128 v128 -> v128];
            I64x2ExtMulLowI32x4S = 0xFD_00DC, i64x2_extmul_low_i32x4_s, "i64x2.extmul_low_i32x4_s", none, [v128 v128 -> v128];
            I64x2ExtMulHighI32x4S = 0xFD_00DD, i64x2_extmul_high_i32x4_s, "i64x2.extmul_high_i32x4_s", none, [v128 v128 -> v128];
            I64x2ExtMulLowI32x4U = 0xFD_00DE, i64x2_extmul_low_i32x4_u, "i64x2.extmul_low_i32x4_u", none, [v128 v128 -> v128];
            I64x2ExtMulHighI32x4U = 0xFD_00DF, i64x2_extmul_high_i32x4_u, "i64x2.extmul_high_i32x4_u", none, [v128 v128 -> v128];

            // 128-bit SIMD: floating point.
            F32x4Ceil = 0xFD_0067, f32x4_ceil, "f32x4.ceil", none, [v128 -> v128];
            F32x4Floor = 0xFD_0068, f32x4_floor, "f32x4.floor", none, [v128 -> v128];
            F32x4Trunc = 0xFD_0069, f32x4_trunc, "f32x4.trunc", none, [v128 -> v128];
            F32x4Nearest = 0xFD_006A, f32x4_nearest, "f32x4.nearest", none, [v128 -> v128];
            F32x4Abs = 0xFD_00E0, f32x4_abs, "f32x4.abs", none, [v128 -> v128];
            F32x4Neg = 0xFD_00E1, f32x4_neg, "f32x4.neg", none, [v128 -> v128];
            F32x4Sqrt = 0xFD_00E3, f32x4_sqrt, "f32x4.sqrt", none, [v128 -> v128];
            F32x4Add = 0xFD_00E4, f32x4_add, "f32x4.add", none, [v128 v128 -> v128];
            F32x4Sub = 0xFD_00E5, f32x4_sub, "f32x4.sub", none, [v128 v128 -> v128];
            F32x4Mul = 0xFD_00E6, f32x4_mul, "f32x4.mul", none, [v128 v128 -> v128];
            F32x4Div = 0xFD_00E7, f32x4_div, "f32x4.div", none, [v128 v128 -> v128];
            F32x4Min = 0xFD_00E8, f32x4_min, "f32x4.min", none, [v128 v128 -> v128];
            F32x4Max = 0xFD_00E9, f32x4_max, "f32x4.max", none, [v128 v128 -> v128];
            F32x4PMin = 0xFD_00EA, f32x4_pmin, "f32x4.pmin", none, [v128 v128 -> v128];
            F32x4PMax = 0xFD_00EB, f32x4_pmax, "f32x4.pmax", none, [v128 v128 -> v128];
            F64x2Ceil = 0xFD_0074, f64x2_ceil, "f64x2.ceil", none, [v128 -> v128];
            F64x2Floor = 0xFD_0075, f64x2_floor, "f64x2.floor", none, [v128 -> v128];
            F64x2Trunc = 0xFD_007A, f64x2_trunc, "f64x2.trunc", none, [v128 -> v128];
            F64x2Nearest = 0xFD_0094, f64x2_nearest, "f64x2.nearest", none, [v128 -> v128];
            F64x2Abs = 0xFD_00EC, f64x2_abs, "f64x2.abs", none, [v128 -> v128];
            F64x2Neg = 0xFD_00ED, f64x2_neg, "f64x2.neg", none, [v128 -> v128];
            F64x2Sqrt = 0xFD_00EF, f64x2_sqrt, "f64x2.sqrt", none, [v128 -> v128];
            F64x2Add = 0xFD_00F0, f64x2_add, "f64x2.add", none, [v128 v128 -> v128];
            F64x2Sub = 0xFD_00F1, f64x2_sub, "f64x2.sub", none, [v128 v128 -> v128];
            F64x2Mul = 0xFD_00F2, f64x2_mul, "f64x2.mul", none, [v128 v128 -> v128];
            F64x2Div = 0xFD_00F3, f64x2_div, "f64x2.div", none, [v128 v128 -> v128];
            F64x2Min = 0xFD_00F4, f64x2_min, "f64x2.min", none, [v128 v128 -> v128];
            F64x2Max = 0xFD_00F5, f64x2_max, "f64x2.max", none, [v128 v128 -> v128];
            F64x2PMin = 0xFD_00F6, f64x2_pmin, "f64x2.pmin", none, [v128 v128 -> v128];
            F64x2PMax = 0xFD_00F7, f64x2_pmax, "f64x2.pmax", none, [v128 v128 -> v128];

            // 128-bit SIMD: conversions.
            F32x4DemoteF64x2Zero = 0xFD_005E, f32x4_demote_f64x2_zero, "f32x4.demote_f64x2_zero", none, [v128 -> v128];
            F64x2PromoteLowF32x4 = 0xFD_005F, f64x2_promote_low_f32x4, "f64x2.promote_low_f32x4", none, [v128 -> v128];
            I32x4TruncSatF32x4S = 0xFD_00F8, i32x4_trunc_sat_f32x4_s, "i32x4.trunc_sat_f32x4_s", none, [v128 -> v128];
            I32x4TruncSatF32x4U = 0xFD_00F9, i32x4_trunc_sat_f32x4_u, "i32x4.trunc_sat_f32x4_u", none, [v128 -> v128];
            F32x4ConvertI32x4S = 0xFD_00FA, f32x4_convert_i32x4_s, "f32x4.convert_i32x4_s", none, [v128 -> v128];
            F32x4ConvertI32x4U = 0xFD_00FB, f32x4_convert_i32x4_u, "f32x4.convert_i32x4_u", none, [v128 -> v128];
            I32x4TruncSatF64x2SZero = 0xFD_00FC, i32x4_trunc_sat_f64x2_s_zero, "i32x4.trunc_sat_f64x2_s_zero", none, [v128 -> v128];
            I32x4TruncSatF64x2UZero = 0xFD_00FD, i32x4_trunc_sat_f64x2_u_zero, "i32x4.trunc_sat_f64x2_u_zero", none, [v128 -> v128];
            F64x2ConvertLowI32x4S = 0xFD_00FE, f64x2_convert_low_i32x4_s, "f64x2.convert_low_i32x4_s", none, [v128 -> v128];
            F64x2ConvertLowI32x4U = 0xFD_00FF, f64x2_convert_low_i32x4_u, "f64x2.convert_low_i32x4_u", none, [v128 -> v128];

            // Relaxed SIMD (Wasm 3.0): results the spec lets each host choose among.
            I8x16RelaxedSwizzle = 0xFD_0100, i8x16_relaxed_swizzle, "i8x16.relaxed_swizzle", none, [v128 v128 -> v128];
            I32x4RelaxedTruncF32x4S = 0xFD_0101, i32x4_relaxed_trunc_f32x4_s, "i32x4.relaxed_trunc_f32x4_s", none, [v128 -> v128];
            I32x4RelaxedTruncF32x4U = 0xFD_0102, i32x4_relaxed_trunc_f32x4_u, "i32x4.relaxed_trunc_f32x4_u", none, [v128 -> v128];
            I32x4RelaxedTruncF64x2SZero = 0xFD_0103, i32x4_relaxed_trunc_f64x2_s_zero, "i32x4.relaxed_trunc_f64x2_s_zero", none, [v128 -> v128];
            I32x4RelaxedTruncF64x2UZero = 0xFD_0104, i32x4_relaxed_trunc_f64x2_u_zero, "i32x4.relaxed_trunc_f64x2_u_zero", none, [v128 -> v128];
            F32x4RelaxedMadd = 0xFD_0105, f32x4_relaxed_madd, "f32x4.relaxed_madd", none, [v128 v128 v128 -> v128];
            F32x4RelaxedNmadd = 0xFD_0106, f32x4_relaxed_nmadd, "f32x4.relaxed_nmadd", none, [v128 v128 v128 -> v128];
            F64x2RelaxedMadd = 0xFD_0107, f64x2_relaxed_madd, "f64x2.relaxed_madd", none, [v128 v128 v128 -> v128];
            F64x2RelaxedNmadd = 0xFD_0108, f64x2_relaxed_nmadd, "f64x2.relaxed_nmadd", none, [v128 v128 v128 -> v128];
            I8x16RelaxedLaneselect = 0xFD_0109, i8x16_relaxed_laneselect, "i8x16.relaxed_laneselect", none, [v128 v128 v128 -> v128];
            I16x8RelaxedLaneselect = 0xFD_010A, i16x8_relaxed_laneselect, "i16x8.relaxed_laneselect", none, [v128 v128 v128 -> v128];
            I32x4RelaxedLaneselect = 0xFD_010B, i32x4_relaxed_laneselect, "i32x4.relaxed_laneselect", none, [v128 v128 v128 -> v128];
            I64x2RelaxedLaneselect = 0xFD_010C, i64x2_relaxed_laneselect, "i64x2.relaxed_laneselect", none, [v128 v128 v128 -> v128];
            F32x4RelaxedMin = 0xFD_010D, f32x4_relaxed_min, "f32x4.relaxed_min", none, [v128 v128 -> v128];
            F32x4RelaxedMax = 0xFD_010E, f32x4_relaxed_max, "f32x4.relaxed_max", none, [v128 v128 -> v128];
            F64x2RelaxedMin = 0xFD_010F, f64x2_relaxed_min, "f64x2.relaxed_min", none, [v128 v128 -> v128];
            F64x2RelaxedMax = 0xFD_0110, f64x2_relaxed_max, "f64x2.relaxed_max", none, [v128 v128 -> v128];
            I16x8RelaxedQ15mulrS = 0xFD_0111, i16x8_relaxed_q15mulr_s, "i16x8.relaxed_q15mulr_s", none, [v128 v128 -> v128];
            I16x8RelaxedDotI8x16I7x16S = 0xFD_0112, i16x8_relaxed_dot_i8x16_i7x16_s, "i16x8.relaxed_dot_i8x16_i7x16_s", none, [v128 v128 -> v128];
            I32x4RelaxedDotI8x16I7x16AddS = 0xFD_0113, i32x4_relaxed_dot_i8x16_i7x16_add_s, "i32x4.relaxed_dot_i8x16_i7x16_add_s", none, [v128 v128 v128 -> v128];
        }
    };
}
