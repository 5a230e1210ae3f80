;; bounds: guard
;; Tail calls: the arguments move down to the frame base, the native frame is left,
;; and control jumps to the callee (a function of the unit by its label; through a
;; table by its code pointer when it has code and is of this instance, else through
;; the runtime, which the driver runs in this function's stead).
(module
  (type $binary (func (param i32 i32) (result i32)))
  (table 1 funcref)
  (func $add (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.add)
  (func $direct (export "direct") (param i32) (result i32)
    local.get 0
    i32.const 1
    return_call $add)
  (func $indirect (export "indirect") (param i32 i32) (result i32)
    local.get 1
    local.get 0
    i32.const 0
    return_call_indirect (type $binary)))
