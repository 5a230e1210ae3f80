;; A trapping float-to-integer conversion: NaN and out-of-range checks, and the
;; saturating one for comparison.
(module
  (func $trunc (export "trunc") (param f64) (result i32)
    local.get 0
    i32.trunc_f64_s)
  (func $trunc_sat (export "trunc_sat") (param f64) (result i32)
    local.get 0
    i32.trunc_sat_f64_s))
