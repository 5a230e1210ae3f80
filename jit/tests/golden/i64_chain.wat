;; A chain of i64 arithmetic: immediates where the constant fits in 32 bits, a
;; register where it does not, shifts by a constant and by a register.
(module
  (func $chain (export "chain") (param i64 i64) (result i64)
    local.get 0
    local.get 1
    i64.mul
    i64.const 7
    i64.add
    local.get 1
    i64.sub
    i64.const 3
    i64.shl
    i64.const 0x1_0000_0001
    i64.xor
    local.get 1
    i64.shr_u))
