;; SIMD integer lanes: shifts by a register and by a constant, bitmasks, all_true,
;; any_true, i64x2.mul, the dot product, narrowing and bitselect.
(module
  (func $shl8 (export "shl8") (param $v v128) (param $n i32) (result v128)
    local.get $v
    local.get $n
    i8x16.shl)
  (func $shr_s64_const (export "shr_s64_const") (param $v v128) (result v128)
    local.get $v
    i32.const 65
    i64x2.shr_s)
  (func $shr_u32 (export "shr_u32") (param $v v128) (param $n i32) (result v128)
    local.get $v
    local.get $n
    i32x4.shr_u)
  (func $bitmask8 (export "bitmask8") (param $v v128) (result i32)
    local.get $v
    i8x16.bitmask)
  (func $bitmask16 (export "bitmask16") (param $v v128) (result i32)
    local.get $v
    i16x8.bitmask)
  (func $bitmask32 (export "bitmask32") (param $v v128) (result i32)
    local.get $v
    i32x4.bitmask)
  (func $bitmask64 (export "bitmask64") (param $v v128) (result i32)
    local.get $v
    i64x2.bitmask)
  (func $all_true (export "all_true") (param $v v128) (result i32)
    local.get $v
    i16x8.all_true
    local.get $v
    i64x2.all_true
    i32.and
    local.get $v
    v128.any_true
    i32.and)
  (func $mul64 (export "mul64") (param $a v128) (param $b v128) (result v128)
    local.get $a
    local.get $b
    i64x2.mul)
  (func $dot (export "dot") (param $a v128) (param $b v128) (result v128)
    local.get $a
    local.get $b
    i32x4.dot_i16x8_s)
  (func $narrow (export "narrow") (param $a v128) (param $b v128) (result v128)
    local.get $a
    local.get $b
    i8x16.narrow_i16x8_u)
  (func $lt_u_select (export "lt_u_select") (param $a v128) (param $b v128) (result v128)
    local.get $a
    local.get $b
    local.get $a
    local.get $b
    i16x8.lt_u
    v128.bitselect))
