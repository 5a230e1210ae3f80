//! SIMD: loads and stores.
//!
//! Every access goes through the scalar accesses' helpers: [`X64Masm::address`] puts
//! the effective offset in `rax` (and checks it when bounds are explicit), and the one
//! instruction that touches `[r12 + rax + disp]` is recorded as a fault site right
//! before it; whatever else an access needs (extension, broadcast) works on registers.

use dynasmrt::DynasmApi;
use stratus_decoder::Opcode;
use stratus_jit::{Reg, TrapAt};

use crate::masm::X64Masm;

/// A SIMD load from `addr + offset` into `dst`; the `load*_lane` ones take the vector
/// and lane in `into`.
pub(crate) fn load(
    m: &mut X64Masm,
    op: Opcode,
    dst: u8,
    addr: Reg,
    offset: u32,
    into: Option<(u8, u8)>,
    at: TrapAt,
) -> bool {
    use Opcode::*;
    let d = dst;
    let lane = match into {
        Some((vector, lane)) => {
            asm!(m.ops ; movdqa Rx(d), Rx(vector));
            lane as i8
        }
        None => 0,
    };
    let Some(bytes) = op.imm_kind().access_bytes() else { return false };
    m.address(addr, offset, bytes, at.pc);
    let disp = m.displacement(offset);
    m.fault_site(at.pc);
    match op {
        V128Load => asm!(m.ops ; movdqu Rx(d), [r12 + rax + disp]),
        V128Load8x8S => asm!(m.ops ; pmovsxbw Rx(d), QWORD [r12 + rax + disp]),
        V128Load8x8U => asm!(m.ops ; pmovzxbw Rx(d), QWORD [r12 + rax + disp]),
        V128Load16x4S => asm!(m.ops ; pmovsxwd Rx(d), QWORD [r12 + rax + disp]),
        V128Load16x4U => asm!(m.ops ; pmovzxwd Rx(d), QWORD [r12 + rax + disp]),
        V128Load32x2S => asm!(m.ops ; pmovsxdq Rx(d), QWORD [r12 + rax + disp]),
        V128Load32x2U => asm!(m.ops ; pmovzxdq Rx(d), QWORD [r12 + rax + disp]),
        V128Load8Splat => asm!(m.ops
            ; pinsrb Rx(d), [r12 + rax + disp], 0
            ; pxor xmm15, xmm15
            ; pshufb Rx(d), xmm15
        ),
        V128Load16Splat => asm!(m.ops
            ; pinsrw Rx(d), [r12 + rax + disp], 0
            ; pshuflw Rx(d), Rx(d), 0
            ; pshufd Rx(d), Rx(d), 0
        ),
        V128Load32Splat => asm!(m.ops
            ; movd Rx(d), DWORD [r12 + rax + disp]
            ; pshufd Rx(d), Rx(d), 0
        ),
        V128Load64Splat => asm!(m.ops ; movddup Rx(d), QWORD [r12 + rax + disp]),
        V128Load32Zero => asm!(m.ops ; movd Rx(d), DWORD [r12 + rax + disp]),
        V128Load64Zero => asm!(m.ops ; movq Rx(d), QWORD [r12 + rax + disp]),
        V128Load8Lane => asm!(m.ops ; pinsrb Rx(d), [r12 + rax + disp], lane),
        V128Load16Lane => asm!(m.ops ; pinsrw Rx(d), [r12 + rax + disp], lane),
        V128Load32Lane => asm!(m.ops ; pinsrd Rx(d), [r12 + rax + disp], lane),
        V128Load64Lane => asm!(m.ops ; pinsrq Rx(d), [r12 + rax + disp], lane),
        _ => return false,
    }
    true
}

/// A SIMD store of `value` (all of it, or lane `lane` for the `store*_lane` ones) to
/// `addr + offset`.
pub(crate) fn store(
    m: &mut X64Masm,
    op: Opcode,
    addr: Reg,
    value: u8,
    offset: u32,
    lane: u8,
    at: TrapAt,
) -> bool {
    use Opcode::*;
    let v = value;
    let lane = lane as i8;
    let Some(bytes) = op.imm_kind().access_bytes() else { return false };
    m.address(addr, offset, bytes, at.pc);
    let disp = m.displacement(offset);
    m.fault_site(at.pc);
    match op {
        V128Store => asm!(m.ops ; movdqu [r12 + rax + disp], Rx(v)),
        V128Store8Lane => asm!(m.ops ; pextrb BYTE [r12 + rax + disp], Rx(v), lane),
        V128Store16Lane => asm!(m.ops ; pextrw WORD [r12 + rax + disp], Rx(v), lane),
        V128Store32Lane => asm!(m.ops ; pextrd DWORD [r12 + rax + disp], Rx(v), lane),
        V128Store64Lane => asm!(m.ops ; pextrq QWORD [r12 + rax + disp], Rx(v), lane),
        _ => return false,
    }
    true
}
