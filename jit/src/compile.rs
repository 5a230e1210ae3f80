//! The single pass: one walk over a function's validated bytecode, in order, emitting
//! machine code through a [`MacroAssembler`] as it goes.

use std::collections::HashMap;
use std::sync::OnceLock;

use stratus_decoder::{BlockType, FuncType, Imm, MemArg, NanLanes, Opcode, Reader, ValType};
use stratus_runtime::CompiledModule;
use stratus_validator::{FuncInfo, side_table_entries};

use crate::abi::Libcall;
use crate::code::CompileError;
use crate::codegen::{CodeGen, MemoryAccess};
use crate::masm::{Callee, Label, MacroAssembler, Reg, RegClass, Src, TrapAt};
use crate::ops::{Cond, Lowering, Width, deterministic_equivalent, lowering, simd_mirror, unfused_madd};
use crate::stack::{Loc, ValueStack};

/// The opcodes of `br_if` and `if`, which a comparison before them fuses with.
const BR_IF: u8 = 0x0D;
const IF: u8 = 0x04;
const I32_EQZ: u8 = 0x45;

/// Bytes of machine code past which the compiler gives up on a function (it stays in
/// the interpreter): this bounds the time and memory one function's compilation takes,
/// whatever its size. Real functions make far less (all 1,375 of SQLite's make 5 MiB
/// together); a hostile one is at most the decoder's limit on a body.
pub const MAX_FUNCTION_CODE: usize = 16 << 20;

/// The fewest bytes of machine code a jump table entry takes, on any instruction set:
/// a `br_table` is checked against the limit with this before its code is made.
const MIN_JUMP_TABLE_ENTRY: usize = 4;

/// How many times over its code the loops of a function may read ahead, in all, to
/// choose the locals they keep in registers: enough for every loop of a nest 16 deep
/// to read its whole body, and linear however deep a hostile function nests them.
const LOOK_AHEAD_PER_CODE_BYTE: usize = 16;

/// The environment variable that names an instruction (by its text name, such as
/// `i64.popcnt`) the compiler then declines, as it declines one it has no lowering
/// for. For tests only: they prove that a function a compiler declines runs in the
/// interpreter while the others run compiled.
const HIDE_FOR_TESTS: &str = "STRATUS_TEST_HIDE_FROM_JIT";

fn hidden_for_tests() -> Option<&'static str> {
    static HIDDEN: OnceLock<Option<String>> = OnceLock::new();
    HIDDEN.get_or_init(|| std::env::var(HIDE_FOR_TESTS).ok()).as_deref()
}

#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum Kind {
    Func,
    Block,
    Loop,
    If,
    Else,
}

struct Control {
    kind: Kind,
    block_type: BlockType,
    /// The end of the block, or a loop's header.
    label: Label,
    /// Where a false `if` condition goes; for loops, where the header's cached locals
    /// are loaded before the header (a budget check that called the runtime resumes
    /// there).
    else_label: Label,
    /// For loops: the locals kept in registers at the header, a range of
    /// `loop_locals`.
    loop_locals: (u32, u32),
    /// Operands below the block's parameters.
    height: usize,
    /// Whether code was reachable where the block began.
    entered: bool,
    /// Whether a branch goes to `label` from inside (for blocks: the end is reachable).
    branched: bool,
    /// For loops: the header in bytecode terms.
    header: TrapAt,
}

struct Compiler<'a, M> {
    masm: &'a mut CodeGen<M>,
    module: &'a CompiledModule,
    /// The function's module index.
    func: u32,
    info: &'a FuncInfo,
    /// The masm's code length past which the function is too large.
    code_limit: usize,
    /// The instruction the switch for tests hides, if any.
    hidden: Option<&'static str>,
    stack: ValueStack,
    controls: Vec<Control>,
    reachable: bool,
    /// The side-table position at `op_pc`, and how many entries the instruction there
    /// owns: the position moves past them to the next instruction.
    stp: u32,
    op_entries: u32,
    op_pc: u32,
    /// The locals each enclosing loop keeps in registers at its header: slot, type,
    /// register.
    loop_locals: Vec<(u32, ValType, Reg)>,
    /// Uses of each local in the loop being entered: a working buffer, zero but for
    /// the locals in `used_locals`.
    local_uses: Vec<u32>,
    used_locals: Vec<u32>,
    /// Bytes of code the loops may still read ahead.
    look_ahead: usize,
}

/// Compiles defined function `defined` of `module` with `masm`.
pub fn compile_function<M: MacroAssembler>(
    masm: &mut CodeGen<M>,
    module: &CompiledModule,
    defined: u32,
) -> Result<(), CompileError> {
    let func = module.imported_funcs + defined;
    let (info, code) =
        module.func_code(defined).map_err(|e| CompileError::Invalid { func, why: e.to_string() })?;
    let code_limit = masm.code_len() + MAX_FUNCTION_CODE;
    let mut compiler = Compiler {
        masm,
        module,
        func,
        info,
        code_limit,
        hidden: hidden_for_tests(),
        stack: ValueStack::new(),
        controls: Vec::new(),
        reachable: true,
        stp: 0,
        op_entries: 0,
        op_pc: 0,
        loop_locals: Vec::new(),
        local_uses: Vec::new(),
        used_locals: Vec::new(),
        look_ahead: code.len().saturating_mul(LOOK_AHEAD_PER_CODE_BYTE),
    };
    compiler.run(code)
}

/// Checks that the compiler's side-table position at `pc` is the validator's: frame and
/// exit records carry it, and the interpreter resumes there by it.
#[cfg(debug_assertions)]
fn check_side_table_position(info: &FuncInfo, pc: u32, stp: u32) {
    let validator = info.side_table_position(pc);
    assert_eq!(
        Some(stp),
        validator,
        "the compiler's side-table position at pc {pc} (left), the validator's (right)"
    );
}

fn slots_of(types: &[ValType]) -> u32 {
    types.iter().map(|t| t.slots()).sum()
}

impl<'a, M: MacroAssembler> Compiler<'a, M> {
    fn run(&mut self, code: &[u8]) -> Result<(), CompileError> {
        let info = self.info;
        self.stack.reset(self.masm, info.local_slots);
        self.masm.begin_function(self.func, info.param_slots, info.local_slots)?;
        let label = self.masm.new_label();
        self.push_frame(Kind::Func, BlockType::Func(info.type_index), label, label, 0, self.at());
        let mut reader = Reader::new(code);
        // Two copies of the walk: without the switch for tests, its check is gone.
        match self.hidden {
            Some(hidden) => self.walk(&mut reader, |op| op.text() == hidden)?,
            None => self.walk(&mut reader, |_| false)?,
        }
        self.masm.end_function();
        // With its out-of-line paths, which the back-end emits at the end.
        self.check_code_room(0)
    }

    /// Compiles the instructions up to the function's end; `hidden` says whether the
    /// switch for tests hides an instruction from the compiler (`HIDE_FOR_TESTS`).
    fn walk(&mut self, reader: &mut Reader<'_>, hidden: impl Fn(Opcode) -> bool) -> Result<(), CompileError> {
        while !self.controls.is_empty() {
            let (op, imm) = self.read_instr(reader)?;
            if self.reachable {
                if hidden(op) {
                    return Err(self.unsupported(op));
                }
                self.instruction(op, imm, reader)?;
                self.check_code_room(0)?;
            } else {
                self.dead_instruction(op, imm);
            }
        }
        Ok(())
    }

    fn invalid(&self, error: impl ToString) -> CompileError {
        CompileError::Invalid { func: self.func, why: error.to_string() }
    }

    fn out_of_memory(&self, what: &'static str) -> CompileError {
        CompileError::OutOfMemory { func: self.func, what }
    }

    fn unsupported(&self, op: Opcode) -> CompileError {
        CompileError::Unsupported { func: self.func, instruction: op.text() }
    }

    /// What a load or store with memory argument `arg` addresses.
    fn access(&self, arg: MemArg) -> MemoryAccess {
        let index_type = self.module.memories[arg.memory as usize].index_type;
        MemoryAccess { memory: arg.memory, index_type, offset: arg.offset }
    }

    fn memory_index_type(&self, memory: u32) -> ValType {
        self.module.memories[memory as usize].index_type.val_type()
    }

    fn table_index_type(&self, table: u32) -> ValType {
        self.module.tables[table as usize].index_type.val_type()
    }

    /// Fails when `more` bytes of code would take the function past its limit.
    fn check_code_room(&self, more: usize) -> Result<(), CompileError> {
        if self.masm.code_len().saturating_add(more) > self.code_limit {
            return Err(CompileError::TooLarge { func: self.func, limit: MAX_FUNCTION_CODE });
        }
        Ok(())
    }

    /// Reads the next instruction, and moves the side-table position past the entries
    /// of the one before it. Inlined, as the decoder's `read_instr` is, so that the
    /// immediates are built in place: returned from a call, the result is written in
    /// pieces and read back whole, and the stalls cost a tenth of the compile time.
    #[inline(always)]
    fn read_instr<'c>(&mut self, reader: &mut Reader<'c>) -> Result<(Opcode, Imm<'c>), CompileError> {
        self.stp += self.op_entries;
        self.op_pc = reader.position() as u32;
        let (op, imm) = reader.read_instr().map_err(|e| self.invalid(e))?;
        let targets = if let Imm::BrTable(table) = &imm { table.len() } else { 0 };
        self.op_entries = side_table_entries(op, targets, self.info.sized_values);
        Ok((op, imm))
    }

    fn at(&self) -> TrapAt {
        self.at_pc(self.op_pc)
    }

    /// Bytecode position `pc`, in the instruction at `op_pc` or just past it (where a
    /// call returns to, or a loop header), with the side-table position at `op_pc`:
    /// every safepoint's record is made here, so debug builds check them all.
    fn at_pc(&self, pc: u32) -> TrapAt {
        #[cfg(debug_assertions)]
        check_side_table_position(self.info, pc, self.stp);
        TrapAt { pc, stp: self.stp, height: self.stack.height() }
    }

    fn types(&self, index: u32) -> &'a FuncType {
        &self.module.types[index as usize]
    }

    fn block_params(&self, bt: BlockType) -> &'a [ValType] {
        match bt {
            BlockType::Func(index) => self.types(index).params(),
            _ => &[],
        }
    }

    fn block_results(&self, bt: BlockType) -> &'a [ValType] {
        match bt {
            BlockType::Empty => &[],
            BlockType::Value(ty) => std::slice::from_ref(match ty {
                ValType::I32 => &ValType::I32,
                ValType::I64 => &ValType::I64,
                ValType::F32 => &ValType::F32,
                ValType::F64 => &ValType::F64,
                ValType::V128 => &ValType::V128,
                ValType::FuncRef => &ValType::FuncRef,
                ValType::ExternRef => &ValType::ExternRef,
            }),
            BlockType::Func(index) => self.types(index).results(),
        }
    }

    fn push_control(
        &mut self,
        kind: Kind,
        block_type: BlockType,
        label: Label,
        else_label: Label,
        header: TrapAt,
    ) {
        let height = self.stack.operands.len() - self.block_params(block_type).len();
        self.push_frame(kind, block_type, label, else_label, height, header);
    }

    /// Pushes a block whose operands below its parameters are `height`; it is entered
    /// where code is reachable.
    fn push_frame(
        &mut self,
        kind: Kind,
        block_type: BlockType,
        label: Label,
        else_label: Label,
        height: usize,
        header: TrapAt,
    ) {
        self.controls.push(Control {
            kind,
            block_type,
            label,
            else_label,
            height,
            entered: self.reachable,
            branched: false,
            header,
            loop_locals: (0, 0),
        });
    }

    /// Code after an unconditional branch: only the nesting is followed until reachable
    /// code resumes (and the side-table position, by `read_instr`, as everywhere).
    fn dead_instruction(&mut self, op: Opcode, imm: Imm<'_>) {
        match (op, imm) {
            (Opcode::Block | Opcode::Loop | Opcode::If, Imm::Block(bt)) => {
                let label = self.masm.new_label();
                let height = self.stack.operands.len();
                self.push_frame(Kind::Block, bt, label, label, height, self.at());
            }
            (Opcode::Else, _) => self.else_(),
            (Opcode::End, _) => self.end(),
            _ => {}
        }
    }

    fn instruction(&mut self, op: Opcode, imm: Imm<'_>, reader: &mut Reader<'_>) -> Result<(), CompileError> {
        use Opcode as O;
        if let Some(lowering) = lowering(op) {
            if let Lowering::Cmp(..) | Lowering::Eqz(_) = lowering {
                if matches!(reader.peek_u8(), Ok(BR_IF | IF)) {
                    return self.fused_branch(lowering, false, reader);
                }
                // `i64.eqz` `i32.eqz` `br_if`, as compilers loop while a counter is
                // not zero: the comparison negated.
                let mut ahead = reader.clone();
                if ahead.read_u8() == Ok(I32_EQZ) && matches!(ahead.peek_u8(), Ok(BR_IF | IF)) {
                    self.read_instr(reader)?;
                    return self.fused_branch(lowering, true, reader);
                }
            }
            self.stack.nan_blind = self.nan_blind_operands(op);
            self.numeric(op, lowering, imm);
            self.open_nans(op);
            return Ok(());
        }
        if op.encoding() >> 16 == 0xFD {
            self.stack.nan_blind = self.nan_blind_operands(op);
            self.simd(op, imm)?;
            self.open_nans(op);
            return Ok(());
        }
        match (op, imm) {
            (O::Unreachable, _) => {
                let at = self.at();
                self.masm.trap(stratus_runtime::TrapKind::Unreachable, at);
                self.reachable = false;
            }
            (O::Nop, _) => {}
            (O::Block, Imm::Block(bt)) => {
                let label = self.masm.new_label();
                self.push_control(Kind::Block, bt, label, label, self.at());
            }
            (O::Loop, Imm::Block(bt)) => {
                self.stack.spill_all(self.masm);
                self.stack.forget_locals();
                let start = self.loop_locals.len() as u32;
                self.keep_loop_locals(reader)?;
                let reload = self.masm.new_label();
                self.masm.bind(reload);
                for &(slot, ty, reg) in &self.loop_locals[start as usize..] {
                    self.masm.load_slot(reg, slot, ty);
                }
                let label = self.masm.new_label();
                self.masm.bind(label);
                let header = self.at_pc(reader.position() as u32);
                self.masm.osr_entry(reload, header);
                self.push_control(Kind::Loop, bt, label, reload, header);
                let len = self.loop_locals.len() as u32 - start;
                self.controls.last_mut().expect("just pushed").loop_locals = (start, len);
            }
            (O::If, Imm::Block(bt)) => {
                let (_, cond) = self.stack.pop_reg_shared(self.masm);
                self.stack.spill_all(self.masm);
                let label = self.masm.new_label();
                let else_label = self.masm.new_label();
                self.masm.branch_zero(Width::W32, cond, true, else_label);
                self.stack.free_reg(cond);
                self.push_control(Kind::If, bt, label, else_label, self.at());
            }
            (O::Else, _) => self.else_(),
            (O::End, _) => self.end(),
            (O::Br, Imm::Label(depth)) => {
                self.stack.spill_all(self.masm);
                self.branch(depth);
                self.reachable = false;
            }
            (O::BrIf, Imm::Label(depth)) => {
                let (_, cond) = self.stack.pop_reg_shared(self.masm);
                self.stack.spill_all(self.masm);
                self.stack.free_reg(cond);
                self.br_if(depth, |masm, holds, label| masm.branch_zero(Width::W32, cond, !holds, label));
            }
            (O::BrTable, Imm::BrTable(table)) => {
                let (_, index) = self.stack.pop_reg_shared(self.masm);
                self.stack.spill_all(self.masm);
                self.stack.free_reg(index);
                let count = table.len() as usize + 1;
                self.check_code_room(count.saturating_mul(MIN_JUMP_TABLE_ENTRY))?;
                let mut labels = Vec::new();
                labels.try_reserve_exact(count).map_err(|_| self.out_of_memory("a br_table's targets"))?;
                // Targets that need moves or a budget charge go through one stub each,
                // made in the order of their first use.
                let mut stubs: Vec<(u32, Label)> = Vec::new();
                let mut stub_of_depth: HashMap<u32, Label> = HashMap::new();
                for depth in table.targets().chain(std::iter::once(table.default)) {
                    if let Some(label) = self.direct_target(depth) {
                        labels.push(label);
                    } else if let Some(&stub) = stub_of_depth.get(&depth) {
                        labels.push(stub);
                    } else {
                        let stub = self.masm.new_label();
                        labels.push(stub);
                        stubs.push((depth, stub));
                        stub_of_depth.insert(depth, stub);
                    }
                }
                let (default, targets) = labels.split_last().expect("a default target");
                self.masm.jump_table(index, targets, *default);
                for (depth, stub) in stubs {
                    self.masm.bind(stub);
                    self.branch(depth);
                }
                self.reachable = false;
            }
            (O::Return, _) => {
                self.ret();
                self.reachable = false;
            }
            (O::Call, Imm::Func(index)) => {
                let callee = self.callee(index)?;
                self.call(callee, self.module.func_type(index), reader);
            }
            (O::ReturnCall, Imm::Func(index)) => {
                let callee = self.callee(index)?;
                self.tail_call(callee, self.module.func_type(index));
            }
            (O::ReturnCallIndirect, Imm::CallIndirect { type_index, table }) => {
                let (_, index_reg) = self.stack.pop_reg_shared(self.masm);
                self.stack.free_reg(index_reg);
                let index_type = self.module.tables[table as usize].index_type;
                self.tail_call(
                    Callee::Indirect { table, type_index, index_reg, index_type },
                    self.types(type_index),
                );
            }
            (O::CallIndirect, Imm::CallIndirect { type_index, table }) => {
                let (_, index_reg) = self.stack.pop_reg_shared(self.masm);
                self.stack.free_reg(index_reg);
                let ty = self.types(type_index);
                let index_type = self.module.tables[table as usize].index_type;
                self.call(Callee::Indirect { table, type_index, index_reg, index_type }, ty, reader);
            }
            (O::RefNull, Imm::RefType(ty)) => self.stack.push(ty.into(), Loc::Const(0)),
            (O::RefIsNull, _) => {
                let (_, reg) = self.stack.pop_reg(self.masm);
                self.masm.eqz(Width::W64, reg, reg);
                self.stack.push_reg(ValType::I32, reg);
            }
            (O::RefFunc, Imm::Func(index)) => {
                let reg = self.stack.alloc(self.masm, RegClass::Int);
                self.masm.ref_func(reg, index);
                self.stack.push_reg(ValType::FuncRef, reg);
            }
            (O::Drop, _) => {
                self.stack.pop_discard();
            }
            (O::Select | O::TypedSelect, _) => {
                let (_, cond) = self.stack.pop_reg_shared(self.masm);
                let (_, other) = self.stack.pop_reg_shared(self.masm);
                let (ty, dst) = self.stack.pop_reg(self.masm);
                self.masm.select(dst, other, cond);
                self.stack.free_reg(cond);
                self.stack.free_reg(other);
                self.stack.push_reg(ty, dst);
            }
            (O::LocalGet, Imm::Local(index)) => {
                let slot = self.info.local_slot(index);
                self.stack.push_local(self.info.locals[index as usize], slot);
            }
            (O::LocalSet, Imm::Local(index)) => {
                let slot = self.info.local_slot(index);
                self.stack.detach_local(self.masm, slot);
                let operand = self.stack.peek();
                match operand.loc {
                    Loc::Const(bits) => {
                        self.masm.store_slot_const(slot, bits);
                        self.stack.pop_discard();
                    }
                    Loc::Slot => {
                        self.copy_slots(slot, operand.slot, operand.ty.slots());
                        self.stack.pop_discard();
                    }
                    Loc::Local(from) if self.stack.cached_reg(from).is_none() => {
                        self.copy_slots(slot, from, operand.ty.slots());
                        self.stack.pop_discard();
                    }
                    Loc::Reg(_) | Loc::Local(_) => {
                        let (ty, reg) = self.stack.pop_reg_shared(self.masm);
                        self.masm.store_slot(slot, reg, ty);
                        self.stack.cache_local(slot, reg);
                        self.stack.free_reg(reg);
                    }
                }
            }
            (O::LocalTee, Imm::Local(index)) => {
                let slot = self.info.local_slot(index);
                self.stack.detach_local(self.masm, slot);
                match self.stack.peek() {
                    crate::stack::Operand { loc: Loc::Const(bits), .. } => {
                        self.masm.store_slot_const(slot, bits)
                    }
                    _ => {
                        let (ty, reg) = self.stack.pop_reg_shared(self.masm);
                        self.masm.store_slot(slot, reg, ty);
                        self.stack.cache_local(slot, reg);
                        self.stack.push_reg(ty, reg);
                    }
                }
            }
            (O::GlobalGet, Imm::Global(index)) => {
                let ty = self.module.globals[index as usize].content;
                let reg = self.stack.alloc(self.masm, RegClass::of(ty));
                self.masm.global_get(reg, index, ty);
                self.stack.push_reg(ty, reg);
            }
            (O::GlobalSet, Imm::Global(index)) => {
                let (ty, reg) = self.stack.pop_reg_shared(self.masm);
                self.masm.global_set(index, reg, ty);
                self.stack.free_reg(reg);
            }
            (O::TableGet, Imm::Table(table)) => {
                let ty = self.module.tables[table as usize].elem.into();
                self.libcall(Libcall::TableGet, 1, &[ty], table, 0);
            }
            (O::TableSet, Imm::Table(table)) => self.libcall(Libcall::TableSet, 2, &[], table, 0),
            (O::TableSize, Imm::Table(table)) => {
                self.libcall(Libcall::TableSize, 0, &[self.table_index_type(table)], table, 0)
            }
            (O::TableGrow, Imm::Table(table)) => {
                self.libcall(Libcall::TableGrow, 2, &[self.table_index_type(table)], table, 0)
            }
            (O::TableFill, Imm::Table(table)) => self.libcall(Libcall::TableFill, 3, &[], table, 0),
            (O::TableCopy, Imm::TableCopy { dst, src }) => self.libcall(Libcall::TableCopy, 3, &[], dst, src),
            (O::TableInit, Imm::TableInit { elem, table }) => {
                self.libcall(Libcall::TableInit, 3, &[], table, elem)
            }
            (O::ElemDrop, Imm::Elem(elem)) => self.libcall(Libcall::ElemDrop, 0, &[], elem, 0),
            (O::MemorySize, Imm::Memory(memory)) => {
                let reg = self.stack.alloc(self.masm, RegClass::Int);
                self.masm.memory_size(reg, memory);
                self.stack.push_reg(self.memory_index_type(memory), reg);
            }
            (O::MemoryGrow, Imm::Memory(memory)) => {
                self.libcall(Libcall::MemoryGrow, 1, &[self.memory_index_type(memory)], memory, 0)
            }
            (O::MemoryFill, Imm::Memory(memory)) => self.libcall(Libcall::MemoryFill, 3, &[], memory, 0),
            (O::MemoryCopy, Imm::MemoryCopy { dst, src }) => {
                self.libcall(Libcall::MemoryCopy, 3, &[], dst, src)
            }
            (O::MemoryInit, Imm::MemoryInit { data, memory }) => {
                self.libcall(Libcall::MemoryInit, 3, &[], data, memory)
            }
            (O::DataDrop, Imm::Data(data)) => self.libcall(Libcall::DataDrop, 0, &[], data, 0),
            (O::I32Const, Imm::I32(v)) => self.stack.push(ValType::I32, Loc::Const(v as u32 as u64)),
            (O::I64Const, Imm::I64(v)) => self.stack.push(ValType::I64, Loc::Const(v as u64)),
            (O::F32Const, Imm::F32(bits)) => self.stack.push(ValType::F32, Loc::Const(u64::from(bits))),
            (O::F64Const, Imm::F64(bits)) => self.stack.push(ValType::F64, Loc::Const(bits)),
            _ => return Err(self.unsupported(op)),
        }
        Ok(())
    }

    fn copy_slots(&mut self, dst: u32, src: u32, count: u32) {
        for i in 0..count {
            self.masm.copy_slot(dst + i, src + i);
        }
    }

    /// A SIMD instruction: every one has a fixed signature.
    fn simd(&mut self, op: Opcode, imm: Imm<'_>) -> Result<(), CompileError> {
        let Some(signature) = op.signature() else { return Err(self.unsupported(op)) };
        let result = signature.results.first().copied();
        let at = self.at();
        match imm {
            Imm::V128(bytes) => {
                let dst = self.stack.alloc(self.masm, RegClass::Float);
                self.masm.v128_const(dst, bytes);
                self.stack.push_reg(ValType::V128, dst);
            }
            Imm::Shuffle(lanes) => {
                let (_, b) = self.stack.pop_reg(self.masm);
                let (_, a) = self.stack.pop_reg(self.masm);
                let dst = self.stack.alloc(self.masm, RegClass::Float);
                self.masm.shuffle(dst, a, b, lanes);
                self.stack.free_reg(a);
                self.stack.free_reg(b);
                self.stack.push_reg(ValType::V128, dst);
            }
            Imm::MemArg(arg) | Imm::MemArgLane(arg, _) => {
                let lane = if let Imm::MemArgLane(_, lane) = imm { lane } else { 0 };
                let vector = (!signature.params.is_empty()).then(|| self.stack.pop_reg(self.masm).1);
                let (_, addr) = self.stack.pop_reg_shared(self.masm);
                match result {
                    Some(ty) => {
                        let dst = self.stack.alloc(self.masm, RegClass::of(ty));
                        let access = self.access(arg);
                        if !self.masm.simd_load(op, dst, addr, access, vector.map(|v| (v, lane)), at) {
                            return Err(self.unsupported(op));
                        }
                        self.stack.push_reg(ty, dst);
                    }
                    None => {
                        let Some(value) = vector else { return Err(self.unsupported(op)) };
                        if !self.masm.simd_store(op, addr, value, self.access(arg), lane, at) {
                            return Err(self.unsupported(op));
                        }
                    }
                }
                self.stack.free_reg(addr);
                if let Some(vector) = vector {
                    self.stack.free_reg(vector);
                }
            }
            _ => {
                let lane = if let Imm::Lane(lane) = imm { lane } else { 0 };
                let mut args = [None; 3];
                for arg in args[..signature.params.len()].iter_mut().rev() {
                    *arg = Some(self.stack.pop_reg(self.masm).1);
                }
                let mut args: Vec<_> = args.iter().flatten().copied().collect();
                let Some(ty) = result else { return Err(self.unsupported(op)) };
                let mut dst = self.stack.alloc(self.masm, RegClass::of(ty));
                let deterministic = self.masm.deterministic;
                if let Some((mul, add, negate)) = unfused_madd(op).filter(|_| deterministic) {
                    // `dst` and the operands take turns as destinations, each distinct
                    // from its instruction's operands; the sum ends in `dst` or `a`.
                    let (a, b, c) = (args[0], args[1], args[2]);
                    let done = match negate {
                        Some(neg) => {
                            self.masm.simd(neg, dst, &[a], 0)
                                && self.masm.simd(mul, a, &[dst, b], 0)
                                && self.masm.simd(add, dst, &[a, c], 0)
                        }
                        None => {
                            let done =
                                self.masm.simd(mul, dst, &[a, b], 0) && self.masm.simd(add, a, &[dst, c], 0);
                            args[0] = std::mem::replace(&mut dst, a);
                            done
                        }
                    };
                    if !done {
                        return Err(self.unsupported(op));
                    }
                } else {
                    let op = deterministic_equivalent(op).filter(|_| deterministic).unwrap_or(op);
                    // A mirrored comparison is compiled as its mirror, with the operands
                    // swapped.
                    let mirror = simd_mirror(op).inspect(|_| args.swap(0, 1));
                    if !self.masm.simd(mirror.unwrap_or(op), dst, &args, lane) {
                        return Err(self.unsupported(op));
                    }
                }
                for arg in args {
                    self.stack.free_reg(arg);
                }
                self.stack.push_reg(ty, dst);
            }
        }
        Ok(())
    }

    /// A comparison whose result (`negated`: its `i32.eqz`) only decides the `br_if` or
    /// `if` after it: one compare-and-branch instead of a flag turned into a value and
    /// tested.
    fn fused_branch(
        &mut self,
        lowering: Lowering,
        negated: bool,
        reader: &mut Reader<'_>,
    ) -> Result<(), CompileError> {
        let (cond, width, rhs) = match lowering {
            Lowering::Cmp(cond, width) => (cond, width, self.pop_src(width)),
            Lowering::Eqz(width) => (Cond::Eq, width, Src::Imm(0)),
            _ => unreachable!("only comparisons fuse"),
        };
        let cond = if negated { cond.negate() } else { cond };
        let (_, lhs) = self.stack.pop_reg_shared(self.masm);
        let (op, imm) = self.read_instr(reader)?;
        self.stack.spill_all(self.masm);
        match (op, imm) {
            (Opcode::BrIf, Imm::Label(depth)) => self.br_if(depth, |masm, holds, label| {
                masm.branch_cmp(if holds { cond } else { cond.negate() }, width, lhs, rhs, label)
            }),
            (Opcode::If, Imm::Block(bt)) => {
                let label = self.masm.new_label();
                let else_label = self.masm.new_label();
                self.masm.branch_cmp(cond.negate(), width, lhs, rhs, else_label);
                self.push_control(Kind::If, bt, label, else_label, self.at());
            }
            _ => unreachable!("fused with br_if or if only"),
        }
        self.stack.free_reg(lhs);
        self.free_src(rhs);
        Ok(())
    }

    /// Picks the locals a loop keeps in registers from its header on: the scalar ones
    /// its body reads before it writes them (values carried around the loop, read ahead
    /// to its `end`, or as far as the function's budget for reading ahead goes), most
    /// read first, a few per register class; and caches them in fresh registers.
    fn keep_loop_locals(&mut self, reader: &Reader<'_>) -> Result<(), CompileError> {
        const KEPT_PER_CLASS: usize = 4;
        const WRITTEN_FIRST: u32 = u32::MAX;
        let info = self.info;
        if self.local_uses.is_empty() {
            self.local_uses.try_reserve_exact(info.locals.len()).map_err(|_| self.out_of_memory("locals"))?;
            self.local_uses.resize(info.locals.len(), 0);
        }
        let mut ahead = reader.clone();
        let stop = reader.position().saturating_add(self.look_ahead);
        let mut depth = 1;
        while depth > 0 && ahead.position() < stop {
            match ahead.read_instr() {
                Ok((Opcode::Block | Opcode::Loop | Opcode::If, _)) => depth += 1,
                Ok((Opcode::End, _)) => depth -= 1,
                // Reads count while the local has not been written; a write first marks
                // it as a temporary of the body.
                Ok((Opcode::LocalGet, Imm::Local(index))) => {
                    let uses = &mut self.local_uses[index as usize];
                    if *uses == 0 {
                        self.used_locals.push(index);
                    }
                    if *uses != WRITTEN_FIRST {
                        *uses += 1;
                    }
                }
                Ok((Opcode::LocalSet | Opcode::LocalTee, Imm::Local(index))) => {
                    let uses = &mut self.local_uses[index as usize];
                    if *uses == 0 {
                        *uses = WRITTEN_FIRST;
                        self.used_locals.push(index);
                    }
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        self.look_ahead = self.look_ahead.saturating_sub(ahead.position() - reader.position());
        let mut chosen: Vec<(u32, u32)> = Vec::new();
        for index in self.used_locals.drain(..) {
            let uses = std::mem::take(&mut self.local_uses[index as usize]);
            if uses != WRITTEN_FIRST && info.locals[index as usize] != ValType::V128 {
                chosen.push((uses, index));
            }
        }
        chosen.sort_unstable_by(|a, b| b.cmp(a));
        let mut taken = [0; 2];
        for (_, index) in chosen {
            let ty = info.locals[index as usize];
            let class = RegClass::of(ty);
            let count = &mut taken[usize::from(class == RegClass::Float)];
            if *count == KEPT_PER_CLASS {
                continue;
            }
            *count += 1;
            let slot = info.local_slot(index);
            let reg = self.stack.alloc(self.masm, class);
            self.stack.cache_local(slot, reg);
            self.stack.free_reg(reg);
            self.loop_locals.push((slot, ty, reg));
        }
        Ok(())
    }

    fn else_(&mut self) {
        let frame = self.controls.last_mut().expect("validated nesting");
        if frame.kind != Kind::If {
            // Dead `if`s are pushed as blocks: their `else` stays dead.
            return;
        }
        if self.reachable {
            self.stack.spill_all(self.masm);
            let frame = self.controls.last_mut().expect("validated nesting");
            frame.branched = true;
            self.masm.jump(frame.label);
        }
        let frame = self.controls.last_mut().expect("validated nesting");
        frame.kind = Kind::Else;
        let (else_label, height, entered, bt) =
            (frame.else_label, frame.height, frame.entered, frame.block_type);
        self.stack.forget_locals();
        self.masm.bind(else_label);
        let params = self.block_params(bt);
        self.stack.truncate_to_slots(height, params);
        self.reachable = entered;
    }

    fn end(&mut self) {
        let frame = self.controls.pop().expect("validated nesting");
        if frame.kind == Kind::Loop {
            self.loop_locals.truncate(frame.loop_locals.0 as usize);
        }
        if frame.kind == Kind::Func {
            if self.reachable {
                self.ret();
            }
            return;
        }
        if self.reachable {
            self.stack.spill_all(self.masm);
        }
        let mut reachable = self.reachable || frame.branched;
        if frame.kind != Kind::Loop {
            self.stack.forget_locals();
        }
        if frame.kind == Kind::If {
            self.masm.bind(frame.else_label);
            reachable |= frame.entered;
        }
        if frame.kind != Kind::Loop {
            self.masm.bind(frame.label);
        }
        let results = self.block_results(frame.block_type);
        self.stack.truncate_to_slots(frame.height, results);
        self.reachable = reachable;
    }

    /// The label a branch to `depth` can jump to directly, with no moves: its values
    /// are in their slots already, and it is not a loop's back-edge (which charges) or
    /// the function's end (which returns).
    /// The target's end counts as reached when this gives a label.
    fn direct_target(&mut self, depth: u32) -> Option<Label> {
        let index = self.controls.len() - 1 - depth as usize;
        let frame = &self.controls[index];
        if matches!(frame.kind, Kind::Loop | Kind::Func) {
            return None;
        }
        let keep = self.block_results(frame.block_type).len();
        if self.stack.operands.len() - keep != frame.height {
            return None;
        }
        let label = frame.label;
        self.controls[index].branched = true;
        Some(label)
    }

    /// A `br_if` to `depth`, every operand in its slot: `jump(masm, holds, label)` jumps
    /// to `label` when the condition holds (`holds`) or when it does not.
    fn br_if(&mut self, depth: u32, jump: impl Fn(&mut CodeGen<M>, bool, Label)) {
        match self.direct_target(depth) {
            Some(label) => jump(self.masm, true, label),
            None => {
                let skip = self.masm.new_label();
                jump(self.masm, false, skip);
                self.branch(depth);
                self.masm.bind(skip);
            }
        }
    }

    /// A taken branch to `depth`, every operand in its slot: moves the values it
    /// carries to the target's height and goes there.
    fn branch(&mut self, depth: u32) {
        let index = self.controls.len() - 1 - depth as usize;
        let frame = &self.controls[index];
        if frame.kind == Kind::Func {
            self.ret();
            return;
        }
        let types = match frame.kind {
            Kind::Loop => self.block_params(frame.block_type),
            _ => self.block_results(frame.block_type),
        };
        let (kind, label, header, height) = (frame.kind, frame.label, frame.header, frame.height);
        let from = self.stack.operands.len() - types.len();
        if from != height {
            let (to_slot, from_slot) = (self.stack.height_at(height), self.stack.height_at(from));
            self.copy_slots(to_slot, from_slot, slots_of(types));
        }
        if kind == Kind::Loop {
            // The header expects its cached locals in their registers; the slots hold
            // every local's value, so a register that does not is loaded.
            // A copy from a register the header does not expect cannot overwrite what
            // another copy reads; any other value comes from its slot.
            let (start, len) = self.controls[index].loop_locals;
            let kept = &self.loop_locals[start as usize..(start + len) as usize];
            for &(slot, ty, reg) in kept {
                match self.stack.cached_reg(slot) {
                    Some(current) if current == reg => {}
                    Some(current) if kept.iter().all(|k| k.2 != current) => self.masm.mov(reg, current),
                    _ => self.masm.load_slot(reg, slot, ty),
                }
            }
            let reload = self.controls[index].else_label;
            self.masm.back_edge(label, reload, header);
        } else {
            self.controls[index].branched = true;
            self.masm.jump(label);
        }
    }

    /// Returns the function's results: they move to the frame base.
    fn ret(&mut self) {
        let results = self.types(self.info.type_index).results().len();
        self.place_at_base(results);
        self.masm.ret();
    }

    /// Stores the top `count` operands in the slots from the frame base: the results
    /// of a return, the arguments of a tail call. Each operand's own slot is at or
    /// above its destination, so in order no store overwrites an operand not yet
    /// placed; only a read of a local whose slot an earlier destination covers is
    /// copied to its own slot first.
    fn place_at_base(&mut self, count: usize) {
        let first = self.stack.operands.len() - count;
        let mut dst = 0;
        for position in first..self.stack.operands.len() {
            let operand = self.stack.operands[position];
            if let Loc::Local(local) = operand.loc
                && local < dst
                && self.stack.cached_reg(local).is_none()
            {
                self.stack.spill(self.masm, position);
            }
            dst += operand.ty.slots();
        }
        let mut dst = 0;
        for position in first..self.stack.operands.len() {
            self.stack.canonicalize(self.masm, position);
            let operand = self.stack.operands[position];
            match operand.loc {
                Loc::Const(bits) => self.masm.store_slot_const(dst, bits),
                Loc::Reg(reg) => self.masm.store_slot(dst, reg, operand.ty),
                Loc::Slot if operand.slot != dst => self.copy_slots(dst, operand.slot, operand.ty.slots()),
                Loc::Local(local) => match self.stack.cached_reg(local) {
                    Some(reg) => self.masm.store_slot(dst, reg, operand.ty),
                    None if local != dst => self.copy_slots(dst, local, operand.ty.slots()),
                    None => {}
                },
                Loc::Slot => {}
            }
            dst += operand.ty.slots();
        }
    }

    fn call(&mut self, callee: Callee, ty: &FuncType, reader: &Reader<'_>) {
        self.stack.spill_all(self.masm);
        let len = self.stack.operands.len() - ty.params().len();
        let args_slot = self.stack.height_at(len);
        let at = self.at();
        let ret = self.at_pc(reader.position() as u32);
        self.masm.call(callee, args_slot, at, ret);
        self.stack.forget_locals();
        self.stack.truncate_to_slots(len, ty.results());
    }

    /// How to call function `index` (module index).
    fn callee(&self, index: u32) -> Result<Callee, CompileError> {
        let module = self.module;
        if index < module.imported_funcs {
            return Ok(Callee::Imported { index });
        }
        let (info, _) = module.func_code(index - module.imported_funcs).map_err(|e| self.invalid(e))?;
        Ok(Callee::Defined { index, frame_slots: info.local_slots + info.max_stack_slots })
    }

    /// Under the deterministic profile, the lanes of `op`'s operands whose NaNs it may
    /// take with open bits.
    fn nan_blind_operands(&self, op: Opcode) -> Option<NanLanes> {
        op.nan_blind_operands().filter(|_| self.masm.deterministic)
    }

    /// Under the deterministic profile, notes that `op` may have left a NaN of open
    /// bits on top of the stack, to be made the positive canonical NaN when observed;
    /// `op`'s operands are popped.
    fn open_nans(&mut self, op: Opcode) {
        self.stack.nan_blind = None;
        let Some(lanes) = op.nan_lanes().filter(|_| self.masm.deterministic) else { return };
        if !self.stack.mark_open_nans(lanes) {
            let (ty, reg) = self.stack.pop_reg(self.masm);
            self.masm.canonical_nans(reg, lanes);
            self.stack.push_reg(ty, reg);
        }
    }

    /// A tail call of `callee`, of type `ty`: its arguments go to the frame base, the
    /// callee's; nothing after it runs.
    fn tail_call(&mut self, callee: Callee, ty: &FuncType) {
        self.place_at_base(ty.params().len());
        let at = self.at();
        self.masm.tail_call(callee, at);
        self.reachable = false;
    }

    fn libcall(&mut self, call: Libcall, operands: usize, results: &[ValType], a: u32, b: u32) {
        self.stack.spill_all(self.masm);
        let len = self.stack.operands.len() - operands;
        let args_slot = self.stack.height_at(len);
        let at = self.at();
        self.masm.libcall(call, args_slot, a, b, at);
        self.stack.forget_locals();
        self.stack.truncate_to_slots(len, results);
    }

    /// The right operand of an integer operation: an immediate when it is a constant
    /// that fits, else a register.
    fn pop_src(&mut self, width: Width) -> Src {
        if let Loc::Const(bits) = self.stack.peek().loc {
            let fits = match width {
                Width::W32 => true,
                Width::W64 => i32::try_from(bits as i64).is_ok(),
            };
            if fits {
                self.stack.pop_discard();
                return Src::Imm(bits as i32);
            }
        }
        Src::Reg(self.stack.pop_reg_shared(self.masm).1)
    }

    fn free_src(&mut self, src: Src) {
        if let Src::Reg(reg) = src {
            self.stack.free_reg(reg);
        }
    }

    fn numeric(&mut self, op: Opcode, lowering: Lowering, imm: Imm<'_>) {
        let result = op.signature().and_then(|s| s.results.first().copied());
        let at = self.at();
        match lowering {
            Lowering::IntBin(int_op, width) => {
                let rhs = self.pop_src(width);
                if self.stack.top_is_shared() {
                    // The left operand lives on (a cached local, say): compute beside it.
                    let (ty, lhs) = self.stack.pop_reg_shared(self.masm);
                    let dst = self.stack.alloc(self.masm, RegClass::Int);
                    self.masm.int_op_to(int_op, width, dst, lhs, rhs);
                    self.stack.free_reg(lhs);
                    self.free_src(rhs);
                    self.stack.push_reg(ty, dst);
                } else {
                    let (ty, lhs) = self.stack.pop_reg(self.masm);
                    self.masm.int_op(int_op, width, lhs, rhs);
                    self.free_src(rhs);
                    self.stack.push_reg(ty, lhs);
                }
            }
            Lowering::Div(div, width) => {
                let (_, rhs) = self.stack.pop_reg_shared(self.masm);
                let (ty, lhs) = self.stack.pop_reg(self.masm);
                self.masm.int_div(div, width, lhs, rhs, at);
                self.stack.free_reg(rhs);
                self.stack.push_reg(ty, lhs);
            }
            Lowering::IntUn(unop, width) => {
                let (ty, reg) = self.stack.pop_reg(self.masm);
                self.masm.int_unop(unop, width, reg);
                self.stack.push_reg(ty, reg);
            }
            Lowering::Eqz(width) => {
                let (_, reg) = self.stack.pop_reg(self.masm);
                self.masm.eqz(width, reg, reg);
                self.stack.push_reg(ValType::I32, reg);
            }
            Lowering::Cmp(cond, width) => {
                let rhs = self.pop_src(width);
                let (_, lhs) = self.stack.pop_reg(self.masm);
                self.masm.int_cmp(cond, width, lhs, lhs, rhs);
                self.free_src(rhs);
                self.stack.push_reg(ValType::I32, lhs);
            }
            Lowering::FloatBin(float_op, size) => {
                let (_, rhs) = self.stack.pop_reg_shared(self.masm);
                let (ty, lhs) = self.stack.pop_reg(self.masm);
                self.masm.float_op(float_op, size, lhs, rhs);
                self.stack.free_reg(rhs);
                self.stack.push_reg(ty, lhs);
            }
            Lowering::FloatUn(unop, size) => {
                let (ty, reg) = self.stack.pop_reg(self.masm);
                self.masm.float_unop(unop, size, reg);
                self.stack.push_reg(ty, reg);
            }
            Lowering::FCmp(cond, size) => {
                let (_, rhs) = self.stack.pop_reg_shared(self.masm);
                let (_, lhs) = self.stack.pop_reg_shared(self.masm);
                let dst = self.stack.alloc(self.masm, RegClass::Int);
                self.masm.float_cmp(cond, size, dst, lhs, rhs);
                self.stack.free_reg(lhs);
                self.stack.free_reg(rhs);
                self.stack.push_reg(ValType::I32, dst);
            }
            Lowering::Convert(convert) => {
                let ty = result.expect("conversions have a result");
                let (_, src) = if RegClass::of(ty) == RegClass::of(self.stack.peek().ty) {
                    self.stack.pop_reg(self.masm)
                } else {
                    self.stack.pop_reg_shared(self.masm)
                };
                let dst = if RegClass::of(ty) == src.class {
                    src
                } else {
                    self.stack.alloc(self.masm, RegClass::of(ty))
                };
                self.masm.convert(convert, dst, src, at);
                if dst != src {
                    self.stack.free_reg(src);
                }
                self.stack.push_reg(ty, dst);
            }
            Lowering::Load(load) => {
                let Imm::MemArg(arg) = imm else { unreachable!("loads have a memory argument") };
                let ty = result.expect("loads have a result");
                let (_, addr) = self.stack.pop_reg_shared(self.masm);
                let dst = if RegClass::of(ty) == RegClass::Int && self.stack.is_sole(addr) {
                    addr
                } else {
                    self.stack.alloc(self.masm, RegClass::of(ty))
                };
                let access = self.access(arg);
                self.masm.load(load, dst, addr, access, at);
                if dst != addr {
                    self.stack.free_reg(addr);
                }
                self.stack.push_reg(ty, dst);
            }
            Lowering::Store(store) => {
                let Imm::MemArg(arg) = imm else { unreachable!("stores have a memory argument") };
                let (_, value) = self.stack.pop_reg_shared(self.masm);
                let (_, addr) = self.stack.pop_reg_shared(self.masm);
                let access = self.access(arg);
                self.masm.store(store, addr, value, access, at);
                self.stack.free_reg(value);
                self.stack.free_reg(addr);
            }
        }
    }
}

#[cfg(all(test, debug_assertions))]
mod tests {
    use super::check_side_table_position;

    /// `(func (param i32) (block (br_if 0 (local.get 0))) (nop))`: instructions at
    /// 0 `block`, 2 `local.get`, 4 `br_if`, 6 `end`, 7 `nop`, 8 `end`; the `br_if` owns
    /// entry 0.
    fn info() -> stratus_validator::FuncInfo {
        let bytes = [
            &b"\0asm\x01\0\0\0"[..],
            &[0x01, 0x05, 0x01, 0x60, 0x01, 0x7F, 0x00],
            &[0x03, 0x02, 0x01, 0x00],
            &[0x0A, 0x0C, 0x01, 0x0A, 0x00, 0x02, 0x40, 0x20, 0x00, 0x0D, 0x00, 0x0B, 0x01, 0x0B],
        ]
        .concat();
        let (_, validated) = stratus_validator::parse_and_validate(&bytes).unwrap();
        validated.funcs[0].clone()
    }

    #[test]
    fn positions_after_a_branch_site_count_its_entry() {
        let info = info();
        for (pc, stp) in [(0, 0), (2, 0), (4, 0), (6, 1), (7, 1), (8, 1)] {
            check_side_table_position(&info, pc, stp);
        }
    }

    #[test]
    #[should_panic(expected = "side-table position at pc 7")]
    fn a_position_that_missed_an_entry_is_caught() {
        check_side_table_position(&info(), 7, 0);
    }

    #[test]
    #[should_panic(expected = "side-table position at pc 3")]
    fn a_pc_inside_an_instruction_is_caught() {
        check_side_table_position(&info(), 3, 0);
    }
}
