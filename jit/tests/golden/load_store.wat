;; bounds: guard, explicit
;; Loads and stores with offsets: the guard region or an explicit check.
(module
  (memory 1)
  (func $copy_word (export "copy_word") (param $src i32) (param $dst i32)
    local.get $dst
    local.get $src
    i32.load offset=8
    i32.store offset=16)
  (func $mixed (export "mixed") (param $p i32) (result i64)
    local.get $p
    local.get $p
    f64.load offset=0
    f64.store offset=24
    local.get $p
    i64.load8_u offset=3)
  ;; An offset above 2^31 does not fit the displacement.
  (func $far (export "far") (param $p i32) (result i32)
    local.get $p
    i32.load offset=0x80000000))
