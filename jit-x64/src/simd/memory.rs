//! SIMD: loads and stores.
//!
//! Every access goes through the scalar accesses' helper: [`X64Masm::operand`] gives
//! the index register and displacement from `r12`, and the one instruction that
//! touches memory is recorded as a fault site right before it; whatever else an access
//! needs (extension, broadcast) works on registers.

use dynasmrt::DynasmApi;
use stratus_decoder::Opcode;
use stratus_jit::{Address, MacroAssembler, Traps};

use crate::masm::X64Masm;

/// A SIMD load from `at` into `dst`; the `load*_lane` ones take the vector and lane
/// in `into`.
pub(crate) fn load(
    m: &mut X64Masm,
    op: Opcode,
    dst: u8,
    at: Address,
    into: Option<(u8, u8)>,
    traps: &mut Traps,
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
    let (ix, disp) = m.operand(at);
    m.fault_site(traps);
    match op {
        V128Load => asm!(m.ops ; movdqu Rx(d), [r12 + Rq(ix) + disp]),
        V128Load8x8S => asm!(m.ops ; pmovsxbw Rx(d), QWORD [r12 + Rq(ix) + disp]),
        V128Load8x8U => asm!(m.ops ; pmovzxbw Rx(d), QWORD [r12 + Rq(ix) + disp]),
        V128Load16x4S => asm!(m.ops ; pmovsxwd Rx(d), QWORD [r12 + Rq(ix) + disp]),
        V128Load16x4U => asm!(m.ops ; pmovzxwd Rx(d), QWORD [r12 + Rq(ix) + disp]),
        V128Load32x2S => asm!(m.ops ; pmovsxdq Rx(d), QWORD [r12 + Rq(ix) + disp]),
        V128Load32x2U => asm!(m.ops ; pmovzxdq Rx(d), QWORD [r12 + Rq(ix) + disp]),
        V128Load8Splat => asm!(m.ops
            ; pinsrb Rx(d), [r12 + Rq(ix) + disp], 0
            ; pxor xmm15, xmm15
            ; pshufb Rx(d), xmm15
        ),
        V128Load16Splat => asm!(m.ops
            ; pinsrw Rx(d), [r12 + Rq(ix) + disp], 0
            ; pshuflw Rx(d), Rx(d), 0
            ; pshufd Rx(d), Rx(d), 0
        ),
        V128Load32Splat => asm!(m.ops
            ; movd Rx(d), DWORD [r12 + Rq(ix) + disp]
            ; pshufd Rx(d), Rx(d), 0
        ),
        V128Load64Splat => asm!(m.ops ; movddup Rx(d), QWORD [r12 + Rq(ix) + disp]),
        V128Load32Zero => asm!(m.ops ; movd Rx(d), DWORD [r12 + Rq(ix) + disp]),
        V128Load64Zero => asm!(m.ops ; movq Rx(d), QWORD [r12 + Rq(ix) + disp]),
        V128Load8Lane => asm!(m.ops ; pinsrb Rx(d), [r12 + Rq(ix) + disp], lane),
        V128Load16Lane => asm!(m.ops ; pinsrw Rx(d), [r12 + Rq(ix) + disp], lane),
        V128Load32Lane => asm!(m.ops ; pinsrd Rx(d), [r12 + Rq(ix) + disp], lane),
        V128Load64Lane => asm!(m.ops ; pinsrq Rx(d), [r12 + Rq(ix) + disp], lane),
        _ => return false,
    }
    true
}

/// A SIMD store of `value` (all of it, or lane `lane` for the `store*_lane` ones) to
/// `at`.
pub(crate) fn store(
    m: &mut X64Masm,
    op: Opcode,
    value: u8,
    at: Address,
    lane: u8,
    traps: &mut Traps,
) -> bool {
    use Opcode::*;
    let v = value;
    let lane = lane as i8;
    let (ix, disp) = m.operand(at);
    m.fault_site(traps);
    match op {
        V128Store => asm!(m.ops ; movdqu [r12 + Rq(ix) + disp], Rx(v)),
        V128Store8Lane => asm!(m.ops ; pextrb BYTE [r12 + Rq(ix) + disp], Rx(v), lane),
        V128Store16Lane => asm!(m.ops ; pextrw WORD [r12 + Rq(ix) + disp], Rx(v), lane),
        V128Store32Lane => asm!(m.ops ; pextrd DWORD [r12 + Rq(ix) + disp], Rx(v), lane),
        V128Store64Lane => asm!(m.ops ; pextrq QWORD [r12 + Rq(ix) + disp], Rx(v), lane),
        _ => return false,
    }
    true
}
