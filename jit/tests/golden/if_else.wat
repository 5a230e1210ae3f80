;; if/else with a result on both arms: both leave it in the same slot.
(module
  (func $pick (export "pick") (param $c i32) (param $x i32) (result i32)
    local.get $c
    if (result i32)
      local.get $x
      i32.const 1
      i32.add
    else
      local.get $x
      i32.const 3
      i32.mul
    end
    i32.const 5
    i32.sub))
