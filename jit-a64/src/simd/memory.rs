//! SIMD group `memory` (see the module above): loads and stores.
//!
//! Whole vectors and the loads that fill a vector from one scalar access (`ldr d`/`s`
//! zero the rest, and the extending loads widen what `ldr d` read) go through
//! [`A64Masm::memory_access`], like the scalar accesses. Splat and lane accesses take a
//! base register only: [`A64Masm::absolute_address`] computes it in `x16` (the front-end
//! checked it when bounds are explicit), and the access that may fault in the guard region comes
//! right after its fault site.
//!
//! A lane store of more than one byte may straddle the end of memory, and AArch64 may
//! write the bytes below the end before it faults: in the guard region it is preceded
//! by a load of the same bytes into the scratch `v31`, which is the fault site.

use dynasmrt::DynasmApi;
use stratus_decoder::Opcode;
use stratus_jit::{Address, MacroAssembler, Traps};

use crate::access::Access;
use crate::masm::{A64Masm, V0};

/// A SIMD load from `at` into `dst`; the `load*_lane` ones take the vector
/// and lane in `into`.
pub(crate) fn load(
    m: &mut A64Masm,
    op: Opcode,
    dst: u8,
    at: Address,
    into: Option<(u8, u8)>,
    traps: &mut Traps,
) -> bool {
    use Opcode::*;
    let d = dst;
    match op {
        V128Load => m.memory_access(Access::LdrQ, d, at, traps),
        V128Load32Zero => m.memory_access(Access::LdrS, d, at, traps),
        V128Load64Zero => m.memory_access(Access::LdrD, d, at, traps),
        V128Load8x8S | V128Load8x8U | V128Load16x4S | V128Load16x4U | V128Load32x2S | V128Load32x2U => {
            m.memory_access(Access::LdrD, d, at, traps);
            match op {
                V128Load8x8S => asm!(m.ops ; sxtl V(d).H8, V(d).B8),
                V128Load8x8U => asm!(m.ops ; uxtl V(d).H8, V(d).B8),
                V128Load16x4S => asm!(m.ops ; sxtl V(d).S4, V(d).H4),
                V128Load16x4U => asm!(m.ops ; uxtl V(d).S4, V(d).H4),
                V128Load32x2S => asm!(m.ops ; sxtl V(d).D2, V(d).S2),
                _ => asm!(m.ops ; uxtl V(d).D2, V(d).S2),
            }
        }
        V128Load8Splat | V128Load16Splat | V128Load32Splat | V128Load64Splat => {
            m.absolute_address(at);
            m.fault_site(traps);
            match op {
                V128Load8Splat => asm!(m.ops ; ld1r {V(d).B16 * 1}, [x16]),
                V128Load16Splat => asm!(m.ops ; ld1r {V(d).H8 * 1}, [x16]),
                V128Load32Splat => asm!(m.ops ; ld1r {V(d).S4 * 1}, [x16]),
                _ => asm!(m.ops ; ld1r {V(d).D2 * 1}, [x16]),
            }
        }
        V128Load8Lane | V128Load16Lane | V128Load32Lane | V128Load64Lane => {
            let (vector, lane) = into.expect("a load*_lane has a vector");
            // Below the lane count: the validator checks it.
            let lane = u32::from(lane);
            asm!(m.ops ; mov V(d).B16, V(vector).B16);
            m.absolute_address(at);
            m.fault_site(traps);
            match op {
                V128Load8Lane => asm!(m.ops ; ld1 {V(d).B * 1}[lane], [x16]),
                V128Load16Lane => asm!(m.ops ; ld1 {V(d).H * 1}[lane], [x16]),
                V128Load32Lane => asm!(m.ops ; ld1 {V(d).S * 1}[lane], [x16]),
                _ => asm!(m.ops ; ld1 {V(d).D * 1}[lane], [x16]),
            }
        }
        _ => return false,
    }
    true
}

/// A SIMD store of `value` (all of it, or lane `lane` for the `store*_lane` ones) to
/// `at`.
pub(crate) fn store(
    m: &mut A64Masm,
    op: Opcode,
    value: u8,
    at: Address,
    lane: u8,
    traps: &mut Traps,
) -> bool {
    use Opcode::*;
    let v = value;
    // Below the lane count: the validator checks it.
    let lane = u32::from(lane);
    match op {
        V128Store => m.memory_access(Access::StrQ, v, at, traps),
        V128Store8Lane | V128Store16Lane | V128Store32Lane | V128Store64Lane => {
            m.absolute_address(at);
            m.fault_site(traps);
            if traps.guarded() {
                // The probe: it faults where the store would, before any byte is written.
                match op {
                    V128Store16Lane => asm!(m.ops ; ld1 {V(V0).H * 1}[0], [x16]),
                    V128Store32Lane => asm!(m.ops ; ld1 {V(V0).S * 1}[0], [x16]),
                    V128Store64Lane => asm!(m.ops ; ld1 {V(V0).D * 1}[0], [x16]),
                    _ => {}
                }
            }
            match op {
                V128Store8Lane => asm!(m.ops ; st1 {V(v).B * 1}[lane], [x16]),
                V128Store16Lane => asm!(m.ops ; st1 {V(v).H * 1}[lane], [x16]),
                V128Store32Lane => asm!(m.ops ; st1 {V(v).S * 1}[lane], [x16]),
                _ => asm!(m.ops ; st1 {V(v).D * 1}[lane], [x16]),
            }
        }
        _ => return false,
    }
    true
}
