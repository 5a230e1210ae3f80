;; f64 arithmetic, a constant, sqrt and a comparison.
(module
  (func $poly (export "poly") (param $x f64) (param $y f64) (result f64)
    local.get $x
    local.get $y
    f64.add
    local.get $x
    f64.mul
    f64.const 0.5
    f64.sub
    local.get $y
    f64.div
    f64.sqrt)
  (func $less (export "less") (param $x f64) (param $y f64) (result i32)
    local.get $x
    local.get $y
    f64.lt))
