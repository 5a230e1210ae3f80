//! Golden disassembly tests: what the AArch64 back-end emits for small functions. The
//! harness (inputs, format, blessing) is `jit/tests/support/golden.rs`; here is how A64
//! code is disassembled. The back-end only emits bytes here, so these run on any host.
//!
//! Instructions print as yaxpeax-arm formats them, except that a pc-relative operand
//! (`$+0x8`) names its target the harness's way. The zero words that align the next
//! function are left out (compiled code never holds a zero word: it is `udf #0`).
//! yaxpeax-arm 0.5 prints the `uxtw` extend of `add` (extended register) as `lsl`: `add
//! x16, x16, w5, lsl #2` is encoded with `uxtw #2`, as its `w` register says.

#[macro_use]
#[path = "../../jit/tests/support/golden.rs"]
mod golden;

use std::fmt::Write as _;

use golden::{Isa, Layout};
use yaxpeax_arch::{Decoder, U8Reader};
use yaxpeax_arm::armv8::a64::{InstDecoder, Operand};

const A64: Isa = Isa {
    crate_dir: env!("CARGO_MANIFEST_DIR"),
    package: "stratus-jit-a64",
    extension: "a64",
    compile: stratus_jit_a64::compile_functions,
    disassemble: disassemble_function,
};

golden_tests!(A64);

/// The disassembly of defined function `i`, one instruction a line.
fn disassemble_function(code: &[u8], layout: &Layout, i: usize, out: &mut String) {
    let range = layout.range(i);
    let mut words: Vec<&[u8]> = code[range.clone()].chunks(4).collect();
    while words.last().is_some_and(|w| w.iter().all(|&b| b == 0)) {
        words.pop();
    }
    let decoder = InstDecoder::default();
    for (k, word) in words.iter().enumerate() {
        let at = k * 4;
        let mut reader = U8Reader::new(word);
        let text = match decoder.decode(&mut reader) {
            Ok(instruction) => {
                let mut text = instruction.to_string();
                for operand in instruction.operands {
                    if let Operand::PCOffset(offset) = operand {
                        let target = (range.start + at) as i64 + offset;
                        let printed = if offset < 0 {
                            format!("$-{:#x}", offset.unsigned_abs())
                        } else {
                            format!("$+{offset:#x}")
                        };
                        text = text.replace(&printed, &layout.name(i, target as u64));
                    }
                }
                text
            }
            Err(_) => {
                let hex: Vec<String> = word.iter().map(|b| format!("{b:02x}")).collect();
                format!("(bad)   ; {}", hex.join(" "))
            }
        };
        writeln!(out, "  {at:#06x}  {text}").unwrap();
    }
}
