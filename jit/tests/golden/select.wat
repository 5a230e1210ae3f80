;; select: cmov for integers, a branch for floats.
(module
  (func $max (export "max") (param $a i32) (param $b i32) (result i32)
    local.get $a
    local.get $b
    local.get $a
    local.get $b
    i32.gt_s
    select)
  (func $fpick (export "fpick") (param $a f64) (param $b f64) (param $c i32) (result f64)
    local.get $a
    local.get $b
    local.get $c
    select))
