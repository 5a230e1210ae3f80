;; i32.div_s: division by zero and overflow trap; x / -1 is negation.
(module
  (func $div (export "div") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.div_s)
  (func $rem (export "rem") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.rem_s))
