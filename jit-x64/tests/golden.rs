//! Golden disassembly tests: what the x86-64 back-end emits for small functions, in
//! Intel syntax. The harness (inputs, format, blessing) is `jit/tests/support/golden.rs`;
//! here is how x86-64 code is disassembled: the alignment padding (`int3`) before the
//! next function is left out, and a run of `int3` inside a function (padding in a jump
//! table) is printed as one line with its length.

#![cfg(target_arch = "x86_64")]

#[macro_use]
#[path = "../../jit/tests/support/golden.rs"]
mod golden;

use std::fmt::Write as _;

use golden::{Isa, Layout};
use iced_x86::{
    Decoder, DecoderOptions, Formatter, Instruction, IntelFormatter, Mnemonic, OpKind, SymbolResolver,
    SymbolResult,
};

const X64: Isa = Isa {
    crate_dir: env!("CARGO_MANIFEST_DIR"),
    package: "stratus-jit-x64",
    extension: "x64",
    compile: stratus_jit_x64::compile_functions,
    disassemble: disassemble_function,
};

golden_tests!(X64);

/// Names branch targets and RIP-relative addresses, and nothing else (immediates and
/// other displacements print as numbers).
struct Resolver {
    layout: Layout,
    current: usize,
}

impl SymbolResolver for Resolver {
    fn symbol(
        &mut self,
        instruction: &Instruction,
        _operand: u32,
        instruction_operand: Option<u32>,
        address: u64,
        _address_size: u32,
    ) -> Option<SymbolResult<'_>> {
        let kind = instruction.op_kind(instruction_operand?);
        let is_target = match kind {
            OpKind::NearBranch16 | OpKind::NearBranch32 | OpKind::NearBranch64 => true,
            OpKind::Memory => instruction.is_ip_rel_memory_operand(),
            _ => false,
        };
        is_target.then(|| SymbolResult::with_string(address, self.layout.name(self.current, address)))
    }
}

fn formatter(layout: &Layout, current: usize) -> IntelFormatter {
    let resolver = Resolver { layout: layout.clone(), current };
    let mut f = IntelFormatter::with_options(Some(Box::new(resolver)), None);
    let o = f.options_mut();
    o.set_space_after_operand_separator(true);
    o.set_hex_prefix("0x");
    o.set_hex_suffix("");
    o.set_uppercase_hex(false);
    o.set_first_operand_char_index(8);
    o.set_rip_relative_addresses(false);
    f
}

/// The disassembly of defined function `i`, one instruction a line.
fn disassemble_function(code: &[u8], layout: &Layout, i: usize, out: &mut String) {
    let range = layout.range(i);
    let bytes = &code[range.clone()];
    let mut decoder = Decoder::with_ip(64, bytes, range.start as u64, DecoderOptions::NONE);
    let mut instructions = Vec::new();
    while decoder.can_decode() {
        instructions.push(decoder.decode());
    }
    // The alignment padding before the next function (decoded, so that an instruction
    // ending in a 0xCC byte stays whole).
    while instructions.last().is_some_and(|ins| ins.mnemonic() == Mnemonic::Int3) {
        instructions.pop();
    }
    let mut formatter = formatter(layout, i);
    let mut text = String::new();
    let mut k = 0;
    while k < instructions.len() {
        let instruction = &instructions[k];
        let at = instruction.ip() as usize - range.start;
        k += 1;
        if instruction.mnemonic() == Mnemonic::Int3 {
            // A run of int3: padding inside the function (before a jump table, between
            // its entries).
            let run = 1 + instructions[k..].iter().take_while(|i| i.mnemonic() == Mnemonic::Int3).count();
            k += run - 1;
            if run == 1 {
                writeln!(out, "  {at:#06x}  int3").unwrap();
            } else {
                writeln!(out, "  {at:#06x}  int3    ; x{run}").unwrap();
            }
        } else if instruction.is_invalid() {
            let raw = &bytes[at..at + instruction.len()];
            let hex: Vec<String> = raw.iter().map(|b| format!("{b:02x}")).collect();
            writeln!(out, "  {at:#06x}  (bad)   ; {}", hex.join(" ")).unwrap();
        } else {
            text.clear();
            formatter.format(instruction, &mut text);
            writeln!(out, "  {at:#06x}  {text}").unwrap();
        }
    }
}
