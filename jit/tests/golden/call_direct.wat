;; A direct call between defined functions: stack check, frame record, call.
(module
  (func $square (param $x i32) (result i32)
    local.get $x
    local.get $x
    i32.mul)
  (func $sum_squares (export "sum_squares") (param $a i32) (param $b i32) (result i32)
    local.get $a
    call $square
    local.get $b
    call $square
    i32.add))
