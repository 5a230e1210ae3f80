;; The inner loop clang makes of matmul's `C[i][j] += a * B[k][j]`, unrolled by three.
(module
  (memory 1)
  (func $row (export "row") (param $c i32) (param $b i32) (param $a f64)
    (local $j i32) (local $p i32) (local $q i32) (local $r i32)
    (loop $next
      local.get $c
      local.get $j
      i32.add
      local.tee $p
      local.get $p
      f64.load
      local.get $a
      local.get $b
      local.get $j
      i32.add
      local.tee $q
      f64.load
      f64.mul
      f64.add
      f64.store
      local.get $p
      i32.const 8
      i32.add
      local.tee $r
      local.get $r
      f64.load
      local.get $a
      local.get $q
      i32.const 8
      i32.add
      f64.load
      f64.mul
      f64.add
      f64.store
      local.get $j
      i32.const 16
      i32.add
      local.tee $j
      i32.const 1536
      i32.ne
      br_if $next)))
