;; i32.add of a local and a constant: the constant folds into the add's immediate.
(module
  (func $add_imm (export "add_imm") (param i32) (result i32)
    local.get 0
    i32.const 42
    i32.add)
  ;; The constant on the left is materialized in a register instead.
  (func $imm_add (export "imm_add") (param i32) (result i32)
    i32.const 42
    local.get 0
    i32.add))
