;; bounds: guard, explicit
;; A 64-bit memory 0 in a guarded unit reserves as a 32-bit one does: an address below
;; 2^31 (one test) is left to the guard region, a larger one goes to an out-of-line
;; check against the length, and an offset of 2^32 or more is checked inline. With
;; explicit bounds every access is checked inline. The loop ends on `i64.eqz`
;; `i32.eqz` `br_if`, one compare-and-branch.
(module
  (memory i64 1)
  (func $sum (export "sum") (param $p i64) (param $n i64) (result i32)
    (local $s i32)
    (loop $next
      (local.set $s (i32.add (local.get $s) (i32.load offset=4 (local.get $p))))
      (local.set $p (i64.add (local.get $p) (i64.const 4)))
      (local.tee $n (i64.sub (local.get $n) (i64.const 1)))
      i64.eqz
      i32.eqz
      br_if $next)
    local.get $s)
  (func $far (export "far") (param $p i64) (result i64)
    (i64.load offset=0x100000000 (local.get $p))))
