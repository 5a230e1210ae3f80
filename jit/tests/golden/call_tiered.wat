;; unit: 1
;; `$caller` compiled alone, as when it tiers up: `$callee`, of the same instance, is
;; called through its function ref (its code may come later), the import through its
;; ref with the callee's instance and memory.
(module
  (import "env" "log" (func $log (param i32)))
  (memory 1)
  (func $callee (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func $caller (param i32) (result i32)
    (call $log (local.get 0))
    (call $callee (local.get 0))))
