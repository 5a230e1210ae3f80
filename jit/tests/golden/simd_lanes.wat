;; Splats, lanes in and out, swizzles and shuffles.
(module
  (func $splats (export "splats") (param $x i32) (param $y i64) (param $f f32) (result v128)
    local.get $x
    i8x16.splat
    local.get $y
    i64x2.splat
    i8x16.swizzle
    local.get $f
    f32x4.splat
    i8x16.swizzle)
  (func $lanes (export "lanes") (param $v v128) (param $f f64) (result i32)
    local.get $v
    local.get $f
    f64x2.replace_lane 1
    local.get $v
    i8x16.extract_lane_s 15
    i16x8.replace_lane 7
    local.get $v
    f32x4.extract_lane 3
    f32x4.replace_lane 2
    i64x2.extract_lane 1
    i32.wrap_i64
    local.get $v
    i16x8.extract_lane_u 5
    i32.add)
  ;; Both operands: a two-register table in v30, v31.
  (func $shuffle (export "shuffle") (param $a v128) (param $b v128) (result v128)
    local.get $a
    local.get $b
    i8x16.shuffle 0 17 2 19 4 21 6 23 8 25 10 27 12 29 14 31)
  ;; One operand: a one-register table.
  (func $reverse (export "reverse") (param $a v128) (param $b v128) (result v128)
    local.get $a
    local.get $b
    i8x16.shuffle 31 30 29 28 27 26 25 24 23 22 21 20 19 18 17 16)
  ;; Operands already in consecutive registers: the table is theirs, no copies.
  (func $consecutive (export "consecutive") (param $a v128) (param $b v128) (result v128)
    local.get $a
    f32x4.abs
    local.get $b
    f32x4.abs
    i8x16.shuffle 0 16 1 17 2 18 3 19 15 31 14 30 13 29 12 28))
