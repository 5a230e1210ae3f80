;; global.get and global.set of an i32 and an f64 global.
(module
  (global $count (mut i32) (i32.const 0))
  (global $total (mut f64) (f64.const 0))
  (func $bump (export "bump") (param $x f64) (result i32)
    global.get $count
    i32.const 1
    i32.add
    global.set $count
    global.get $total
    local.get $x
    f64.add
    global.set $total
    global.get $count))
