;; bounds: guard, explicit
;; SIMD loads and stores: whole vectors, extending, zero and splat loads, lanes.
(module
  (memory 1)
  (func $copy (export "copy") (param $src i32) (param $dst i32)
    local.get $dst
    local.get $src
    v128.load offset=16
    v128.store)
  (func $extend (export "extend") (param $p i32) (result v128)
    local.get $p
    v128.load8x8_s
    local.get $p
    v128.load32x2_u offset=8
    f64x2.add)
  (func $zero_splat (export "zero_splat") (param $p i32) (result v128)
    local.get $p
    v128.load32_zero offset=4
    local.get $p
    v128.load16_splat offset=2
    f32x4.sub)
  (func $load_lane (export "load_lane") (param $p i32) (param $v v128) (result v128)
    local.get $p
    local.get $v
    v128.load8_lane 15
    local.set $v
    local.get $p
    local.get $v
    v128.load64_lane offset=8 1)
  (func $store_lane (export "store_lane") (param $p i32) (param $v v128)
    local.get $p
    local.get $v
    v128.store8_lane offset=1 3
    local.get $p
    local.get $v
    v128.store32_lane offset=0x10000 2))
