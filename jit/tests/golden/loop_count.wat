;; A counting loop: the back-edge charges the budget, the header is a safepoint.
(module
  (func $sum_to (export "sum_to") (param $n i32) (result i32)
    (local $i i32) (local $sum i32)
    (loop $top
      local.get $sum
      local.get $i
      i32.add
      local.set $sum
      local.get $i
      i32.const 1
      i32.add
      local.tee $i
      local.get $n
      i32.lt_u
      br_if $top)
    local.get $sum))
