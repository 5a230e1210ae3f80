;; call_indirect: bounds, null and signature checks, then a call through the ref;
;; and a call to an imported function, which takes the same path.
(module
  (type $unop (func (param i32) (result i32)))
  (import "env" "host" (func $host (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $inc $host)
  (func $inc (type $unop)
    local.get 0
    i32.const 1
    i32.add)
  (func $dispatch (export "dispatch") (param $f i32) (param $x i32) (result i32)
    local.get $x
    local.get $f
    call_indirect (type $unop))
  (func $call_host (export "call_host") (param $x i32) (result i32)
    local.get $x
    call $host))
