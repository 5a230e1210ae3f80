;; bounds: guard
;; Memory64 and multi-memory: a 64-bit memory other than memory 0 is checked
;; explicitly even in a guarded unit, its end computed first so that one carry check
;; covers address + offset + width; another memory than memory 0 is checked explicitly
;; too, and its bytes are reached from memory 0's base by the difference of the bases.
(module
  (memory $first 1)
  (memory $second 1)
  (memory $wide i64 1)
  (func $load_wide (export "load_wide") (param $p i64) (result i32)
    local.get $p
    i32.load $wide offset=16)
  (func $store_second (export "store_second") (param $p i32) (param $v i64)
    local.get $p
    local.get $v
    i64.store $second offset=8)
  (func $size_wide (export "size_wide") (result i64)
    memory.size $wide))
