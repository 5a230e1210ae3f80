//! What a function's frame holds at a point of its code: the types of its operands and
//! the side-table position there, found by validating the body up to that point. This
//! is how a paused call is described in WebAssembly terms (a snapshot keeps slots
//! untyped, with pcs) and rebuilt from them: the types say which slots hold references,
//! and the positions are recomputed rather than stored.

use stratus_decoder::{FuncBody, Imm, Opcode, ValType};

use crate::context::ModuleContext;
use crate::func::FuncValidator;
use crate::side_table::side_table_entries;

/// A function's frame at an instruction boundary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameShape {
    /// The operand stack's types, bottom first.
    pub operands: Vec<ValType>,
    /// The side-table position at the boundary.
    pub stp: u32,
    /// The instruction that ends at the boundary (`None` at the function's entry).
    pub previous: Option<Opcode>,
}

/// The shape of the frame of a function of type `type_index` with `body` at `pc`, an
/// offset in its instructions: an error unless an instruction starts there (or the
/// body ends there) in code the validator can reach. `sized_values` is the function's
/// [`FuncInfo::sized_values`](crate::FuncInfo::sized_values), which the positions
/// depend on.
pub fn frame_shape(
    ctx: &ModuleContext<'_>,
    type_index: u32,
    body: &FuncBody<'_>,
    sized_values: bool,
    pc: usize,
) -> Result<FrameShape, String> {
    let mut validator = FuncValidator::new(ctx, type_index, body).map_err(|e| e.to_string())?;
    let mut reader = body.reader().with_features(ctx.features);
    let (mut stp, mut previous) = (0u32, None);
    loop {
        let at = reader.position();
        if at == pc {
            let operands = validator.operands().iter().copied().collect::<Option<Vec<_>>>();
            return match operands {
                Some(operands) if !validator.is_unreachable() => Ok(FrameShape { operands, stp, previous }),
                _ => Err(format!("pc {pc} is in unreachable code")),
            };
        }
        if at > pc || validator.is_done() {
            return Err(format!("no instruction starts at pc {pc}"));
        }
        let (op, imm) = reader.read_instr().map_err(|e| e.to_string())?;
        validator.visit(at, reader.position(), op, &imm).map_err(|e| e.to_string())?;
        let targets = if let Imm::BrTable(table) = &imm { table.len() } else { 0 };
        stp += side_table_entries(op, targets, sized_values);
        previous = Some(op);
    }
}
