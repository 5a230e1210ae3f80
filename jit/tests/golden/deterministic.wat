;; bounds: guard, deterministic
;; The deterministic profile: a float result that may be a NaN of open bits becomes the
;; canonical NaN where something observes its bits (a compare and a branch to an
;; out-of-line fix-up, or a lane mask), not after every instruction: a chain of
;; arithmetic, a comparison and a truncation take it as it is; a store, a local, a
;; bitwise operation and the result do not. A relaxed multiply-add is unfused.
(module
  (memory 1)
  (func $add (export "add") (param f64 f64) (result f64)
    local.get 0
    local.get 1
    f64.add)
  (func $chain (export "chain") (param f64 f64 i32) (result i32)
    (local f64)
    (f64.store (local.get 2)
      (f64.mul (f64.sub (local.get 0) (local.get 1)) (f64.const 0.5)))
    (local.set 3 (f64.div (local.get 0) (local.get 1)))
    (i32.add
      (f64.lt (f64.sqrt (local.get 0)) (local.get 1))
      (i32.trunc_sat_f64_s (f64.add (local.get 0) (local.get 3)))))
  (func $mul_lanes (export "mul_lanes") (param v128 v128) (result v128)
    local.get 0
    local.get 1
    f32x4.mul)
  (func $lanes_bits (export "lanes_bits") (param v128 v128) (result v128)
    (v128.xor (f32x4.add (local.get 0) (local.get 1)) (local.get 1)))
  (func $madd (export "madd") (param v128 v128 v128) (result v128)
    local.get 0
    local.get 1
    local.get 2
    f32x4.relaxed_madd))
