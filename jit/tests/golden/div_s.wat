;; i32.div_s and i32.rem_s: the front-end traps on a zero divisor and on MIN / -1;
;; MIN % -1 is 0.
(module
  (func $div (export "div") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.div_s)
  (func $rem (export "rem") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.rem_s))
