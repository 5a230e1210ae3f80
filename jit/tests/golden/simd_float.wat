;; Float lanes: arithmetic, min/max and pseudo-min/max, comparisons, rounding, and the
;; conversions between float and integer vectors.
(module
  (func $arith (export "arith") (param $a v128) (param $b v128) (result v128)
    local.get $a
    local.get $b
    f32x4.add
    local.get $b
    f64x2.div
    f32x4.sqrt
    f64x2.neg)
  (func $min_max (export "min_max") (param $a v128) (param $b v128) (result v128)
    local.get $a
    local.get $b
    f32x4.min
    local.get $b
    f64x2.max)
  ;; pmin(a, b) = b < a ? b : a; pmax(a, b) = a < b ? b : a.
  (func $pmin (export "pmin") (param $a v128) (param $b v128) (result v128)
    local.get $a
    local.get $b
    f32x4.pmin)
  (func $pmax (export "pmax") (param $a v128) (param $b v128) (result v128)
    local.get $a
    local.get $b
    f64x2.pmax)
  (func $compare (export "compare") (param $a v128) (param $b v128) (result v128)
    local.get $a
    local.get $b
    f32x4.lt
    local.get $a
    local.get $b
    f64x2.ne
    f32x4.ge)
  (func $round (export "round") (param $a v128) (result v128)
    local.get $a
    f32x4.nearest
    f64x2.floor)
  (func $trunc_sat (export "trunc_sat") (param $a v128) (result v128)
    local.get $a
    i32x4.trunc_sat_f32x4_u
    local.get $a
    i32x4.trunc_sat_f64x2_s_zero
    f32x4.convert_i32x4_u
    f32x4.mul)
  (func $convert (export "convert") (param $a v128) (result v128)
    local.get $a
    f64x2.convert_low_i32x4_u
    f32x4.demote_f64x2_zero
    f64x2.promote_low_f32x4))
