;; bounds: guard, deterministic
;; The deterministic profile: a float result that may be a NaN of open bits becomes the
;; canonical NaN (a compare and a branch past the fix-up, or a lane mask), and a relaxed
;; multiply-add is unfused.
(module
  (func $add (export "add") (param f64 f64) (result f64)
    local.get 0
    local.get 1
    f64.add)
  (func $mul_lanes (export "mul_lanes") (param v128 v128) (result v128)
    local.get 0
    local.get 1
    f32x4.mul)
  (func $madd (export "madd") (param v128 v128 v128) (result v128)
    local.get 0
    local.get 1
    local.get 2
    f32x4.relaxed_madd))
